//! The words of a history: stems (for clusters and rising terms) and stem pairs
//! (phrases, for rising terms), numbered in one vocabulary of the listener's own.
//!
//! The engine's analyzer knows only the rule set's words, and unanswered messages are
//! mostly about others, so the listener folds and stems with the same functions
//! (`text::tokenize`, the rule set's `Language`) into its own ids.

use crate::text::{tokenize_into, FastMap, Language, Tokens};

/// The most distinct terms (stems and stem pairs) a listener numbers; later new terms
/// are not counted. With the bytes of each term's text, this bounds the vocabulary's
/// memory.
pub const MAX_TERMS: usize = 1 << 20;

/// The most distinct stems (and as many stem pairs) read from one message.
pub const MAX_TERMS_PER_MESSAGE: usize = 64;

/// The most distinct folded words whose reading (skipped, or its stem's id) a
/// vocabulary remembers, so that a word seen before is not stemmed again; later new
/// words are stemmed each time they occur. At most a few megabytes.
const MAX_CACHED_WORDS: usize = 1 << 16;

/// The most room (bytes) for a text's words that a vocabulary keeps for the next one.
const KEPT_TOKENS_BYTES: usize = 1 << 16;

/// How a folded word reads, once known.
#[derive(Clone, Copy, Debug)]
enum Reading {
    /// Too short, without a letter, or a stop word: not a term.
    Skipped,
    /// Its stem's id.
    Stem(TermId),
}

/// A term id, in the listener's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TermId(pub(crate) u32);

impl TermId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Stems and stem pairs, numbered.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    language: Language,
    stems: FastMap<Box<str>, TermId>,
    pairs: FastMap<(TermId, TermId), TermId>,
    /// Each term as first written: a word, or two words for a pair.
    shown: Vec<Box<str>>,
    /// A pair's two stems, by the pair's id.
    parts: FastMap<TermId, (TermId, TermId)>,
    /// Folded words read before (at most [`MAX_CACHED_WORDS`]).
    known: FastMap<Box<str>, Reading>,
    /// The last text's words: their room is used again for the next text.
    tokens: Tokens,
    /// The last text's stems, pairs, and both (the room of each used again).
    words: Vec<TermId>,
    phrases: Vec<TermId>,
    all: Vec<TermId>,
}

impl Vocabulary {
    pub(crate) fn new(language: Language) -> Vocabulary {
        Vocabulary {
            language,
            stems: FastMap::default(),
            pairs: FastMap::default(),
            shown: Vec::new(),
            parts: FastMap::default(),
            known: FastMap::default(),
            tokens: Tokens::default(),
            words: Vec::new(),
            phrases: Vec::new(),
            all: Vec::new(),
        }
    }

    /// A pair's two stems; `None` for a single stem.
    pub(crate) fn parts(&self, id: TermId) -> Option<(TermId, TermId)> {
        self.parts.get(&id).copied()
    }

    /// A term as first written.
    pub(crate) fn shown(&self, id: TermId) -> &str {
        self.shown.get(id.index()).map_or("", |s| s)
    }

    fn next_id(&self) -> Option<TermId> {
        (self.shown.len() < MAX_TERMS).then_some(TermId(self.shown.len() as u32))
    }

    /// Remembers how a folded word reads, while fewer than [`MAX_CACHED_WORDS`] are.
    fn remember(&mut self, word: &str, reading: Reading) {
        if self.known.len() < MAX_CACHED_WORDS {
            self.known.insert(word.into(), reading);
        }
    }

    /// A content word's stem's id, numbering a new stem (shown as `word`); `None` when
    /// the stem is new and the vocabulary is full.
    fn stem_id(&mut self, word: &str) -> Option<TermId> {
        let stem = self.language.stem(word);
        let id = match self.stems.get(stem.as_ref()) {
            Some(&id) => id,
            None => {
                let id = self.next_id()?;
                self.stems.insert(stem.as_ref().into(), id);
                self.shown.push(word.into());
                id
            }
        };
        self.remember(word, Reading::Stem(id));
        Some(id)
    }

    /// Reads a text's terms, numbering new ones. Linear in the text's length: each
    /// word is folded and looked up once, and stemmed the first time it is seen.
    ///
    /// The terms: its content words' stems, then the pairs of consecutive content
    /// words' stems, each part sorted by id and each term in it once.
    pub(crate) fn read(&mut self, text: &str) -> &[TermId] {
        let mut tokens = std::mem::take(&mut self.tokens);
        tokenize_into(text, &mut tokens);
        let mut words = std::mem::take(&mut self.words);
        let mut phrases = std::mem::take(&mut self.phrases);
        words.clear();
        phrases.clear();
        let mut previous: Option<(TermId, usize)> = None;
        for i in 0..tokens.len() {
            let word = tokens.word(i);
            let known = self.known.get(word).copied();
            let skipped = match known {
                Some(Reading::Skipped) => true,
                Some(Reading::Stem(_)) => false,
                None => {
                    let skipped = word.len() < 2
                        || !word.chars().any(char::is_alphabetic)
                        || self.language.is_stop_word(word);
                    if skipped {
                        self.remember(word, Reading::Skipped);
                    }
                    skipped
                }
            };
            if skipped {
                continue;
            }
            if words.len() >= MAX_TERMS_PER_MESSAGE && phrases.len() >= MAX_TERMS_PER_MESSAGE {
                break;
            }
            let id = match known {
                Some(Reading::Stem(id)) => Some(id),
                _ => self.stem_id(word),
            };
            let Some(id) = id else {
                previous = None;
                continue;
            };
            if words.len() < MAX_TERMS_PER_MESSAGE {
                words.push(id);
            }
            if let Some((before, at)) = previous.filter(|&(p, _)| p != id) {
                let pair = match self.pairs.get(&(before, id)) {
                    Some(&pair) => Some(pair),
                    None => self.next_id().inspect(|&pair| {
                        self.pairs.insert((before, id), pair);
                        self.parts.insert(pair, (before, id));
                        let first = tokens.word(at);
                        self.shown.push(format!("{first} {word}").into());
                    }),
                };
                if let Some(pair) = pair.filter(|_| phrases.len() < MAX_TERMS_PER_MESSAGE) {
                    phrases.push(pair);
                }
            }
            previous = Some((id, i));
        }
        // Kept for the next text, unless a long one made it large.
        if tokens.capacity_bytes() <= KEPT_TOKENS_BYTES {
            self.tokens = tokens;
        }
        words.sort_unstable();
        words.dedup();
        phrases.sort_unstable();
        phrases.dedup();
        self.all.clear();
        self.all.extend_from_slice(&words);
        self.all.extend_from_slice(&phrases);
        self.words = words;
        self.phrases = phrases;
        &self.all
    }

    /// The stems and the pairs of the text read last.
    #[cfg(test)]
    fn last(&self) -> (Vec<TermId>, Vec<TermId>) {
        (self.words.clone(), self.phrases.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_pairs_of_content_words() {
        let mut v = Vocabulary::new(Language::english());
        v.read("The bridge is CLOSED!");
        let (a_words, a_phrases) = v.last();
        v.read("closing the bridges");
        assert_eq!(a_words.len(), 2);
        // "bridge"/"bridges" and "closed"/"closing" share stems.
        assert_eq!(a_words, v.last().0);
        assert_eq!(a_phrases.len(), 1);
        assert_eq!(v.shown(a_phrases[0]), "bridge closed");
        assert_eq!(v.shown(a_words[0]), "bridge");
        assert_eq!(
            v.read("The bridge is CLOSED!"),
            [&a_words[..], &a_phrases[..]].concat()
        );
        assert!(v.read("the 42 of it").is_empty());
    }

    #[test]
    fn words_read_the_same_whether_remembered_or_not() {
        let mut v = Vocabulary::new(Language::english());
        v.read("the bridge is closed");
        let first = v.last().0;
        // Fill the cache, then read words it remembers and words it cannot.
        let mut i = 0usize;
        while v.known.len() < MAX_CACHED_WORDS {
            v.read(&format!("word{}x", base26(i)));
            i += 1;
        }
        v.read("The bridge is CLOSED");
        assert_eq!(v.last().0, first);
        v.read("lighthouses flickering");
        let late = v.last().0;
        assert_eq!(v.known.len(), MAX_CACHED_WORDS);
        v.read("lighthouse flickers");
        assert_eq!(v.last().0, late);
        assert_eq!(late.len(), 2);
        assert!(v.read("the and of").is_empty());
    }

    /// `i` in letters, so that every number is a different alphabetic word.
    fn base26(mut i: usize) -> String {
        let mut s = String::new();
        loop {
            s.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    }
}
