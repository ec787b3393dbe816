//! Languages: which Snowball stemmer and which stop words.

use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::fmt;

/// A rule set's language: its stemmer and, for English, its stop words.
pub(crate) struct Language {
    code: &'static str,
    algorithm: Algorithm,
    stemmer: Stemmer,
    stop_words: &'static [&'static str],
    negations: &'static [&'static str],
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Language")
            .field("code", &self.code)
            .finish()
    }
}

/// The language names `settings.language` accepts: (code, English name, algorithm).
const LANGUAGES: &[(&str, &str, Algorithm)] = &[
    ("ar", "arabic", Algorithm::Arabic),
    ("da", "danish", Algorithm::Danish),
    ("de", "german", Algorithm::German),
    ("el", "greek", Algorithm::Greek),
    ("en", "english", Algorithm::English),
    ("es", "spanish", Algorithm::Spanish),
    ("fi", "finnish", Algorithm::Finnish),
    ("fr", "french", Algorithm::French),
    ("hu", "hungarian", Algorithm::Hungarian),
    ("it", "italian", Algorithm::Italian),
    ("nl", "dutch", Algorithm::Dutch),
    ("no", "norwegian", Algorithm::Norwegian),
    ("pt", "portuguese", Algorithm::Portuguese),
    ("ro", "romanian", Algorithm::Romanian),
    ("ru", "russian", Algorithm::Russian),
    ("sv", "swedish", Algorithm::Swedish),
    ("ta", "tamil", Algorithm::Tamil),
    ("tr", "turkish", Algorithm::Turkish),
];

/// English function words (articles, pronouns, prepositions, auxiliaries, question
/// words): they carry no topic, so retrieval ignores them (unless a text has nothing
/// else), and an FAQ entry must share some other word with a message to answer it.
/// Words that are a topic for some FAQ (greetings, thanks, "maybe") are not here, nor
/// are negations and the question words that change what is asked ("not", "when",
/// "where", "why").
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "about", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "how",
    "hows", "i", "if", "im", "in", "into", "is", "it", "its", "ive", "just", "me", "my", "of",
    "on", "or", "our", "so", "some", "that", "the", "their", "them", "then", "there", "theres",
    "these", "they", "this", "those", "to", "u", "us", "was", "we", "were", "what", "whats",
    "which", "who", "will", "with", "would", "you", "your", "youre",
];

/// English negations, as folded words (apostrophes dropped: "don't" reads "dont"): a
/// topic word just after one is something the message says it is *not* about ("I don't
/// need assistance, I need a refund").
const ENGLISH_NEGATIONS: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt",
    "havent", "isnt", "neither", "never", "no", "nor", "not", "shouldnt", "wasnt", "werent",
    "without", "wont", "wouldnt",
];

/// How many words after a negation it covers.
pub(crate) const NEGATION_SCOPE: usize = 3;

impl Language {
    /// The language named `name` (a code such as `en` or an English name such as
    /// `english`, any case), or `None`.
    pub(crate) fn from_name(name: &str) -> Option<Language> {
        let lower = name.trim().to_ascii_lowercase();
        let &(code, _, algorithm) = LANGUAGES
            .iter()
            .find(|(code, english, _)| *code == lower || *english == lower)?;
        let (stop_words, negations): (&[&str], &[&str]) = if code == "en" {
            (ENGLISH_STOP_WORDS, ENGLISH_NEGATIONS)
        } else {
            (&[], &[])
        };
        Some(Language {
            code,
            algorithm,
            stemmer: Stemmer::create(algorithm),
            stop_words,
            negations,
        })
    }

    /// English, the default.
    pub(crate) fn english() -> Language {
        Language {
            code: "en",
            algorithm: Algorithm::English,
            stemmer: Stemmer::create(Algorithm::English),
            stop_words: ENGLISH_STOP_WORDS,
            negations: ENGLISH_NEGATIONS,
        }
    }

    /// The names accepted, for error messages.
    pub(crate) fn known_names() -> String {
        let codes: Vec<&str> = LANGUAGES.iter().map(|l| l.0).collect();
        codes.join(", ")
    }

    /// The language's code, such as `en`.
    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }

    /// The Snowball algorithm.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The stem of a folded word.
    pub(crate) fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        // Snowball stemmers expect words of a sensible length; very long "words"
        // (base64, URLs without punctuation) gain nothing from stemming.
        if word.len() > 40 {
            return Cow::Borrowed(word);
        }
        self.stemmer.stem(word)
    }

    /// Whether a folded word is a stop word.
    pub(crate) fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.binary_search(&word).is_ok()
    }

    /// Whether a folded word is a negation ("not", "dont"); English only for now.
    pub(crate) fn is_negation(&self, word: &str) -> bool {
        self.negations.binary_search(&word).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(ENGLISH_STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(ENGLISH_NEGATIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn names_and_codes() {
        assert_eq!(Language::from_name("English").map(|l| l.code()), Some("en"));
        assert_eq!(Language::from_name("fr").map(|l| l.code()), Some("fr"));
        assert!(Language::from_name("klingon").is_none());
        let en = Language::english();
        assert_eq!(en.stem("collected"), "collect");
        assert_eq!(en.stem("collection"), "collect");
        assert!(en.is_stop_word("the"));
        assert!(!en.is_stop_word("not"));
        assert!(en.is_negation("not") && en.is_negation("dont") && !en.is_negation("do"));
    }
}
