//! The engine's vocabulary: word ids, stems, synonym groups and typo look-up.
//!
//! Built once from the rule set; then each message is read into word ids (for rule
//! phrases, which match exact words) and stem ids (for FAQ matching, which matches word
//! forms), with synonym phrases folded into one id per group.

use super::names::Names;
use super::phrase_trie::{PhraseTrie, StemId, TrieKey, WordId};
use super::word_filter::WordFilter;
use super::{tokenize, FastMap, Language, Tokens, NEGATION_SCOPE};
use crate::Span;

/// A word of a message, read for rule matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WordTok {
    /// The word id (or a synonym group's id), [`WordId::UNKNOWN`] when no rule uses it.
    pub(crate) id: WordId,
    pub(crate) span: Span,
}

/// A word of a message, read for FAQ matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StemTok {
    /// The stem (or a synonym group), [`StemId::UNKNOWN`] when the rule set never uses it.
    pub(crate) id: StemId,
    pub(crate) span: Span,
    pub(crate) stop: bool,
    /// Read as a typo of a known word.
    pub(crate) typo: bool,
    /// Within [`NEGATION_SCOPE`] words after a negation ("dont need help").
    pub(crate) negated: bool,
    /// The index of its (first) token.
    pub(crate) token: u32,
}

/// A word as the FAQ classifier reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClassifierWord<'t> {
    pub(crate) word: &'t str,
    pub(crate) span: Span,
    /// Its stem is no stem of the rule set's words (nor, so, of the training data).
    pub(crate) unseen: bool,
    /// A stop word ("the", "I"): it may weigh in a score, but it is never evidence.
    pub(crate) stop: bool,
}

/// Collects the vocabulary, then builds an [`Analyzer`].
#[derive(Debug)]
pub(crate) struct AnalyzerBuilder {
    analyzer: Analyzer,
    groups: Vec<Vec<String>>,
    /// A known word and each of its one-letter deletions → the word's id (the first
    /// word to claim a deletion keeps it), filled in place: the analyzer takes it whole.
    typos: WordFilter<WordId>,
}

/// Reads texts into word and stem ids. Immutable once built.
#[derive(Debug)]
pub(crate) struct Analyzer {
    language: Language,
    /// Every word of the rule set → its id, behind a filter: most message words are
    /// none, and it answers that without touching the table.
    known: WordFilter<WordId>,
    /// word id → its stem (one for each word id, synonym groups included).
    word_stem: Vec<StemId>,
    /// word id → whether it is a stop word.
    word_stop: Vec<bool>,
    /// word id → whether it is a negation (looked up once here, not for every message
    /// word).
    word_negation: Vec<bool>,
    /// Every stem of the rule set's words → its id.
    stems: WordFilter<StemId>,
    /// stem id → its text (a synonym group's is `{key}`).
    stem_names: Names,
    word_synonyms: PhraseTrie<WordId>,
    stem_synonyms: PhraseTrie<StemId>,
    /// A synonym group's stem id → its key's folded words, which stand for the group.
    group_words: FastMap<StemId, Vec<String>>,
    /// A known word and each of its one-letter deletions → the word's id, behind a
    /// filter: an unknown word tries each of its deletions, and most are no entry.
    typos: WordFilter<WordId>,
}

/// Words shorter than this (in bytes) are never read as typos: short words have too
/// many neighbours.
const MIN_TYPO_LEN: usize = 5;

/// Words longer than this (in bytes) are never read as typos, nor made typo targets:
/// a word's deletions are as many as its letters and as long, so a 20 KB word made
/// 400 MB of them (issue 13).
const MAX_TYPO_LEN: usize = 40;

impl AnalyzerBuilder {
    pub(crate) fn new(language: Language) -> AnalyzerBuilder {
        AnalyzerBuilder {
            analyzer: Analyzer {
                language,
                known: WordFilter::default(),
                word_stem: Vec::new(),
                word_stop: Vec::new(),
                word_negation: Vec::new(),
                stems: WordFilter::default(),
                stem_names: Names::default(),
                word_synonyms: PhraseTrie::default(),
                stem_synonyms: PhraseTrie::default(),
                typos: WordFilter::default(),
                group_words: FastMap::default(),
            },
            groups: Vec::new(),
            typos: WordFilter::default(),
        }
    }

    fn intern_stem(&mut self, stem: &str) -> StemId {
        let a = &mut self.analyzer;
        if let Some(id) = a.stems.find(stem) {
            return id;
        }
        let id = StemId::new(a.stem_names.len() as u32);
        a.stems.add(stem, id);
        a.stem_names.push(stem);
        id
    }

    fn intern_word(&mut self, word: &str) -> WordId {
        if let Some(id) = self.analyzer.known.find(word) {
            return id;
        }
        let stem = self.analyzer.language.stem(word).into_owned();
        let stem_id = self.intern_stem(&stem);
        let a = &mut self.analyzer;
        let id = WordId::new(a.word_stem.len() as u32);
        a.known.add(word, id);
        a.word_stem.push(stem_id);
        a.word_stop.push(a.language.is_stop_word(word));
        a.word_negation.push(a.language.is_negation(word));
        id
    }

    /// Adds every word of `text` to the vocabulary.
    pub(crate) fn add_text(&mut self, text: &str) {
        let tokens = tokenize(text);
        for w in tokens.iter() {
            self.intern_word(w);
        }
    }

    /// Adds every word of `text`, and lets messages' typos of its longer words be read
    /// as those words.
    pub(crate) fn add_typo_targets(&mut self, text: &str) {
        let tokens = tokenize(text);
        for w in tokens.iter() {
            let id = self.intern_word(w);
            if !(MIN_TYPO_LEN..=MAX_TYPO_LEN).contains(&w.len())
                || w.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let typos = &mut self.typos;
            typos.add(w, id);
            let mut deleted = String::with_capacity(w.len());
            for (i, c) in w.char_indices() {
                deleted.clear();
                deleted.push_str(&w[..i]);
                deleted.push_str(&w[i + c.len_utf8()..]);
                typos.add(&deleted, id);
            }
        }
    }

    /// Adds a synonym group (its phrases, key first).
    pub(crate) fn add_synonyms(&mut self, group: &[String]) {
        for phrase in group {
            self.add_text(phrase);
        }
        self.groups.push(group.to_vec());
    }

    pub(crate) fn build(mut self) -> Analyzer {
        self.analyzer.typos = std::mem::take(&mut self.typos);
        for group in std::mem::take(&mut self.groups) {
            let name = format!("{{{}}}", group.first().map_or("", String::as_str));
            let a = &mut self.analyzer;
            let word_group = a.word_stem.len() as u32;
            let stem_group = StemId::new(a.stem_names.len() as u32);
            a.stem_names.push(&name);
            a.word_stem.push(stem_group);
            a.word_stop.push(false);
            a.word_negation.push(false);
            let key = group
                .first()
                .map(|k| tokenize(k).iter().map(str::to_string).collect());
            a.group_words.insert(stem_group, key.unwrap_or_default());
            for phrase in &group {
                let tokens = tokenize(phrase);
                let words: Vec<WordId> = tokens
                    .iter()
                    .map(|w| a.known.find(w).unwrap_or(WordId::UNKNOWN))
                    .collect();
                let stems: Vec<StemId> = words
                    .iter()
                    .map(|&w| {
                        a.word_stem
                            .get(w.index())
                            .copied()
                            .unwrap_or(StemId::UNKNOWN)
                    })
                    .collect();
                // Duplicates across groups are load errors; within a group they are harmless.
                a.word_synonyms.insert(&words, word_group);
                a.stem_synonyms.insert(&stems, stem_group.number());
            }
        }
        let a = &mut self.analyzer;
        a.known.shrink_to_fit();
        a.typos.shrink_to_fit();
        a.stems.shrink_to_fit();
        a.stem_names.shrink_to_fit();
        self.analyzer
    }
}

/// Replaces, leftmost-longest, each synonym phrase with its group's id.
fn fold_synonyms<T: Copy, K: TrieKey>(
    trie: &PhraseTrie<K>,
    items: Vec<T>,
    id: impl Fn(&T) -> K,
    merge: impl Fn(&T, &T, u32) -> T,
) -> Vec<T> {
    if trie.len() == 0 {
        return items;
    }
    let ids: Vec<K> = items.iter().map(&id).collect();
    let mut out = Vec::with_capacity(items.len());
    let mut i = 0;
    while let Some(item) = items.get(i) {
        match trie.longest_at(&ids, i) {
            Some((len, group)) => {
                let last = items.get(i + len - 1).unwrap_or(item);
                out.push(merge(item, last, group));
                i += len;
            }
            None => {
                out.push(*item);
                i += 1;
            }
        }
    }
    out
}

impl Analyzer {
    /// The words of `tokens` as ids for rule matching, synonyms folded.
    pub(crate) fn words(&self, tokens: &Tokens) -> Vec<WordTok> {
        self.words_of(tokens, &self.ids(tokens))
    }

    /// The word id of each token ([`WordId::UNKNOWN`] for words the rule set never uses): the
    /// one vocabulary look-up per word that [`words_of`](Self::words_of) and
    /// [`stems_of`](Self::stems_of) share.
    pub(crate) fn ids(&self, tokens: &Tokens) -> Vec<WordId> {
        let mut ids = Vec::new();
        self.ids_into(tokens, &mut ids);
        ids
    }

    /// [`ids`](Self::ids) into `out`, which is emptied first (its room is used again).
    pub(crate) fn ids_into(&self, tokens: &Tokens, out: &mut Vec<WordId>) {
        out.clear();
        out.extend((0..tokens.len()).map(|i| {
            self.known
                .find_hashed(tokens.hash(i), tokens.word(i))
                .unwrap_or(WordId::UNKNOWN)
        }));
    }

    /// A folded word's id, or [`WordId::UNKNOWN`].
    #[inline]
    fn id(&self, word: &str) -> WordId {
        self.known.find(word).unwrap_or(WordId::UNKNOWN)
    }

    /// [`words`](Self::words), from ids already looked up.
    pub(crate) fn words_of(&self, tokens: &Tokens, ids: &[WordId]) -> Vec<WordTok> {
        let mut words = Vec::new();
        self.words_into(tokens, ids, &mut words);
        words
    }

    /// [`words_of`](Self::words_of) into `out`, which is emptied first (its room is
    /// used again).
    pub(crate) fn words_into(&self, tokens: &Tokens, ids: &[WordId], out: &mut Vec<WordTok>) {
        out.clear();
        let raw = ids.iter().enumerate().map(|(i, &id)| WordTok {
            id,
            span: tokens.span(i),
        });
        // Most rule sets have no synonyms: the words as they are.
        if self.word_synonyms.len() == 0 {
            out.extend(raw);
            return;
        }
        *out = fold_synonyms(
            &self.word_synonyms,
            raw.collect(),
            |t| t.id,
            |a, b, group| WordTok {
                id: WordId::new(group),
                span: a.span.to(b.span),
            },
        );
    }

    /// The words as the person wrote them where [`words_of`](Self::words_of) folded a
    /// multi-word synonym into one word (single-word synonyms still folded), so that a
    /// rule phrase inside the synonym (`delay` in `delay repay`) matches too; `None`
    /// when the message holds no multi-word synonym (the common case, at no cost).
    /// `words` is what [`words_of`](Self::words_of) gave for the same ids: a folded
    /// multi-word synonym is what makes it shorter than the message.
    pub(crate) fn words_within(
        &self,
        tokens: &Tokens,
        ids: &[WordId],
        words: &[WordTok],
    ) -> Option<Vec<WordTok>> {
        if words.len() == ids.len() {
            return None;
        }
        let trie = &self.word_synonyms;
        Some(
            ids.iter()
                .enumerate()
                .map(|(i, &id)| WordTok {
                    id: trie.get(std::slice::from_ref(&id)).map_or(id, WordId::new),
                    span: tokens.span(i),
                })
                .collect(),
        )
    }

    /// The word ids of a phrase written in a rule (synonyms folded).
    pub(crate) fn phrase_words(&self, phrase: &str) -> Vec<WordId> {
        self.words(&tokenize(phrase))
            .into_iter()
            .map(|t| t.id)
            .collect()
    }

    /// The words of `tokens` as stem ids for FAQ matching, synonyms folded.
    pub(crate) fn stems(&self, tokens: &Tokens) -> Vec<StemTok> {
        self.stems_of(tokens, &self.ids(tokens))
    }

    /// [`stems`](Self::stems), from ids already looked up.
    pub(crate) fn stems_of(&self, tokens: &Tokens, ids: &[WordId]) -> Vec<StemTok> {
        // The index of the last negation seen, if any.
        let mut negation: Option<usize> = None;
        // Unknown words already read in this message: a long message repeats its
        // words, and an unknown one costs a stemmer run and a typo search.
        let mut unknown: FastMap<&str, (StemId, bool, bool, bool)> = FastMap::default();
        let raw: Vec<StemTok> = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let word = tokens.word(i);
                let negated = negation.is_some_and(|n| i - n <= NEGATION_SCOPE);
                let (id, typo, stop, negation_word) =
                    match Some(id).filter(|&w| w != WordId::UNKNOWN) {
                        Some(w) => (
                            self.word_stem
                                .get(w.index())
                                .copied()
                                .unwrap_or(StemId::UNKNOWN),
                            false,
                            self.word_stop.get(w.index()).copied().unwrap_or(false),
                            self.word_negation.get(w.index()).copied().unwrap_or(false),
                        ),
                        None => *unknown.entry(word).or_insert_with(|| {
                            let (id, typo) = self.unknown_word_stem(word);
                            (
                                id,
                                typo,
                                self.language.is_stop_word(word),
                                self.language.is_negation(word),
                            )
                        }),
                    };
                if negation_word {
                    negation = Some(i);
                }
                StemTok {
                    id,
                    span: tokens.span(i),
                    stop,
                    typo,
                    negated,
                    token: i as u32,
                }
            })
            .collect();
        fold_synonyms(
            &self.stem_synonyms,
            raw,
            |t| t.id,
            |a, b, id| StemTok {
                id: StemId::new(id),
                span: a.span.to(b.span),
                stop: false,
                typo: a.typo || b.typo,
                negated: a.negated || b.negated,
                token: a.token,
            },
        )
    }

    /// The words a message reads as, for the FAQ classifier: folded words, each synonym
    /// phrase replaced by its group's key (typos stay as written: the classifier's
    /// character n-grams already see past them). Each with its span in the original text.
    pub(crate) fn classifier_words<'t>(
        &'t self,
        tokens: &'t Tokens,
        stems: &[StemTok],
    ) -> Vec<ClassifierWord<'t>> {
        let mut out = Vec::with_capacity(stems.len());
        // Most rule sets have no synonyms: no look-up per word then.
        let groups = (!self.group_words.is_empty()).then_some(&self.group_words);
        for s in stems {
            match groups.and_then(|g| g.get(&s.id)) {
                Some(words) => out.extend(words.iter().map(|w| ClassifierWord {
                    word: w.as_str(),
                    span: s.span,
                    unseen: false,
                    stop: false,
                })),
                None => out.push(ClassifierWord {
                    word: tokens.word(s.token as usize),
                    span: s.span,
                    // The vocabulary holds every FAQ question's words, so a stem it
                    // does not know is no stem the classifier was trained on.
                    unseen: s.id == StemId::UNKNOWN,
                    stop: s.stop,
                }),
            }
        }
        out
    }

    fn unknown_word_stem(&self, word: &str) -> (StemId, bool) {
        let stem = self.language.stem(word);
        if let Some(id) = self.stems.find(&stem) {
            return (id, false);
        }
        if word.len() < MIN_TYPO_LEN || word.len() > MAX_TYPO_LEN || self.typos.is_empty() {
            return (StemId::UNKNOWN, false);
        }
        let to_stem = |w: WordId| {
            self.word_stem
                .get(w.index())
                .copied()
                .unwrap_or(StemId::UNKNOWN)
        };
        // A letter missing from the message word, or one substituted: the word is a
        // deletion of a known word, or shares a deletion with it.
        let typo_of = |w: &str| self.typos.find(w);
        if let Some(w) = typo_of(word) {
            return (to_stem(w), true);
        }
        let mut deleted = String::with_capacity(word.len());
        for (i, c) in word.char_indices() {
            deleted.clear();
            deleted.push_str(&word[..i]);
            deleted.push_str(&word[i + c.len_utf8()..]);
            let known = match self.id(&deleted) {
                WordId::UNKNOWN => typo_of(&deleted),
                id => Some(id),
            };
            if let Some(w) = known {
                return (to_stem(w), true);
            }
        }
        (StemId::UNKNOWN, false)
    }

    /// Whether a folded word is a negation in the rule set's language.
    pub(crate) fn is_negation(&self, word: &str) -> bool {
        self.language.is_negation(word)
    }

    /// The stemmer's algorithm.
    pub(crate) fn algorithm(&self) -> rust_stemmers::Algorithm {
        self.language.algorithm()
    }

    /// The text of a stem id (a synonym group shows as `{key}`).
    pub(crate) fn stem_name(&self, id: StemId) -> &str {
        self.stem_names.get(id.index()).unwrap_or("?")
    }

    /// The number of distinct stem ids (synonym groups included).
    pub(crate) fn stem_count(&self) -> usize {
        self.stem_names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        let mut b = AnalyzerBuilder::new(Language::english());
        b.add_synonyms(&["bin".into(), "wheelie bin".into(), "dustbin".into()]);
        b.add_typo_targets("when is my bin collected");
        b.add_text("missed");
        b.build()
    }

    #[test]
    fn synonyms_fold_to_one_id() {
        let a = analyzer();
        let bin = a.phrase_words("bin");
        assert_eq!(bin.len(), 1);
        assert_eq!(a.phrase_words("Wheelie-Bin"), bin);
        assert_eq!(a.phrase_words("dustbin"), bin);
        let tokens = tokenize("my wheelie bin was missed");
        let words = a.words(&tokens);
        assert_eq!(words.len(), 4);
        assert_eq!(words[1].span, Span::new(3, 14));
        assert_eq!(words[1].id, bin[0]);
    }

    #[test]
    fn stems_and_typos() {
        let a = analyzer();
        let known = a.stems(&tokenize("collection"));
        let typo = a.stems(&tokenize("colected"));
        let swapped = a.stems(&tokenize("colllected"));
        assert_eq!(a.stem_name(known[0].id), "collect");
        assert_eq!((typo[0].id, typo[0].typo), (known[0].id, true));
        assert_eq!(swapped[0].id, known[0].id);
        assert_eq!(a.stems(&tokenize("zebra"))[0].id, StemId::UNKNOWN);
    }

    #[test]
    fn negations_known_or_not_cover_the_next_words() {
        let mut b = AnalyzerBuilder::new(Language::english());
        b.add_text("not refund");
        let a = b.build();
        // "not" is a word of the rule set, "never" is not: both negate.
        for text in ["not a refund", "never a refund"] {
            let stems = a.stems(&tokenize(text));
            let negated: Vec<bool> = stems.iter().map(|s| s.negated).collect();
            assert_eq!(negated, [false, true, true], "{text}");
        }
        let far = a.stems(&tokenize("not a b c refund"));
        assert!(!far[4].negated);
    }
}
