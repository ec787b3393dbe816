//! The engine's vocabulary: word ids, stems, synonym groups and typo look-up.
//!
//! Built once from the rule set; then each message is read into word ids (for rule
//! phrases, which match exact words) and stem ids (for FAQ matching, which matches word
//! forms), with synonym phrases folded into one id per group.

use super::phrase_trie::{PhraseTrie, StemId, TrieKey, WordId};
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
    typos: WordFilter,
}

/// Reads texts into word and stem ids. Immutable once built.
#[derive(Debug)]
pub(crate) struct Analyzer {
    language: Language,
    /// Every word of the rule set → its id, behind a filter: most message words are
    /// none, and it answers that without touching the table.
    known: WordFilter,
    /// word id → its stem (one for each word id, synonym groups included).
    word_stem: Vec<StemId>,
    /// word id → whether it is a stop word.
    word_stop: Vec<bool>,
    /// word id → whether it is a negation (looked up once here, not for every message
    /// word).
    word_negation: Vec<bool>,
    stems: FastMap<Box<str>, StemId>,
    stem_names: Vec<Box<str>>,
    word_synonyms: PhraseTrie<WordId>,
    stem_synonyms: PhraseTrie<StemId>,
    /// A synonym group's stem id → its key's folded words, which stand for the group.
    group_words: FastMap<StemId, Vec<String>>,
    /// A known word and each of its one-letter deletions → the word's id, behind a
    /// filter: an unknown word tries each of its deletions, and most are no entry.
    typos: WordFilter,
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
                stems: FastMap::default(),
                stem_names: Vec::new(),
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
        if let Some(&id) = a.stems.get(stem) {
            return id;
        }
        let id = StemId::new(a.stem_names.len() as u32);
        a.stems.insert(stem.into(), id);
        a.stem_names.push(stem.into());
        id
    }

    fn intern_word(&mut self, word: &str) -> WordId {
        let known = self.analyzer.known.find(word);
        if known != WordId::UNKNOWN {
            return known;
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
            a.stem_names.push(name.into());
            a.word_stem.push(stem_group);
            a.word_stop.push(false);
            a.word_negation.push(false);
            let key = group
                .first()
                .map(|k| tokenize(k).iter().map(str::to_string).collect());
            a.group_words.insert(stem_group, key.unwrap_or_default());
            for phrase in &group {
                let tokens = tokenize(phrase);
                let words: Vec<WordId> = tokens.iter().map(|w| a.known.find(w)).collect();
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
        self.analyzer
    }
}

/// Finds a word's id with one hash of the word: a one-hash Bloom filter (about 8 bits
/// per word, at most 256 KiB) answers "absent" for most message words without touching
/// the table; the others are looked up in an open-addressing table keyed by that same
/// hash (half empty, so a probe is about one slot), and checked against the word's
/// text, which the table keeps in one buffer.
#[derive(Clone, Debug, Default)]
struct WordFilter {
    bits: Vec<u64>,
    mask: u64,
    slots: Vec<Slot>,
    /// The words held.
    len: usize,
    /// Every word, one after another (a slot points into it).
    text: String,
}

/// A word in [`WordFilter`]: the high half of its hash, its id, and where its text is
/// (16 bytes: a FAQ of 50,000 entries has over half a million typo targets).
#[derive(Clone, Copy, Debug)]
struct Slot {
    tag: u32,
    /// [`WordId::UNKNOWN`] for an empty slot.
    id: WordId,
    start: u32,
    len: u32,
}

const EMPTY: Slot = Slot {
    tag: 0,
    id: WordId::UNKNOWN,
    start: 0,
    len: 0,
};

impl WordFilter {
    /// Whether the filter holds no word.
    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn hash(word: &str) -> u64 {
        Self::hash_bytes(word.as_bytes())
    }

    fn hash_bytes(word: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h = super::FxHasher::default();
        h.write(word);
        // Spread the high bits down: Fx leaves the low bits weak.
        let x = h.finish();
        x ^ (x >> 29) ^ (x >> 47)
    }

    /// The hash bits a slot keeps to tell words apart before reading their text.
    #[inline]
    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// The first slot to probe for a hash (other bits than the Bloom filter's).
    #[inline]
    fn home(&self, h: u64) -> usize {
        (h.rotate_left(24) as usize) & self.slots.len().wrapping_sub(1)
    }

    /// Adds `word` unless it is there already (the first id given stays), growing the
    /// table to keep it at most half full.
    fn add(&mut self, word: &str, id: WordId) {
        if self.find(word) != WordId::UNKNOWN {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.insert(word, id);
    }

    /// Doubles the table (and the Bloom filter, up to its cap: eight bits per word the
    /// table can hold), placing every word again.
    fn grow(&mut self) {
        let slots = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots]);
        let bits = (slots * 4).next_power_of_two().clamp(64, 1 << 21);
        self.bits = vec![0; bits / 64];
        self.mask = bits as u64 - 1;
        for slot in old.into_iter().filter(|s| s.id != WordId::UNKNOWN) {
            let h = Self::hash_bytes(self.slot_text(&slot));
            self.place(h, slot);
        }
    }

    fn insert(&mut self, word: &str, id: WordId) {
        // The words of a rule set come from its files, far below 4 GiB of text.
        let (Ok(start), Ok(len)) = (u32::try_from(self.text.len()), u32::try_from(word.len()))
        else {
            return;
        };
        self.text.push_str(word);
        self.len += 1;
        let h = Self::hash(word);
        let slot = Slot {
            tag: Self::tag(h),
            id,
            start,
            len,
        };
        self.place(h, slot);
    }

    /// Marks a word's hash in the Bloom filter and puts its slot in the first free place.
    fn place(&mut self, h: u64, slot: Slot) {
        let b = h & self.mask;
        if let Some(bits) = self.bits.get_mut((b / 64) as usize) {
            *bits |= 1 << (b % 64);
        }
        // Linear probing; at most half the slots are used, so an empty one is found.
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.home(h);
        while let Some(free) = self.slots.get_mut(i) {
            if free.id == WordId::UNKNOWN {
                *free = slot;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of a word, or [`WordId::UNKNOWN`].
    #[inline]
    fn find(&self, word: &str) -> WordId {
        let h = Self::hash(word);
        let b = h & self.mask;
        let maybe = self
            .bits
            .get((b / 64) as usize)
            .is_some_and(|slot| slot & (1 << (b % 64)) != 0);
        if !maybe {
            return WordId::UNKNOWN;
        }
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.home(h);
        // Two words with one hash sit in two slots: the text tells them apart.
        while let Some(slot) = self.slots.get(i) {
            if slot.id == WordId::UNKNOWN {
                return WordId::UNKNOWN;
            }
            if slot.tag == Self::tag(h)
                && slot.len as usize == word.len()
                && same_bytes(self.slot_text(slot), word.as_bytes())
            {
                return slot.id;
            }
            i = (i + 1) & mask;
        }
        WordId::UNKNOWN
    }

    #[inline]
    fn slot_text(&self, slot: &Slot) -> &[u8] {
        let start = slot.start as usize;
        self.text
            .as_bytes()
            .get(start..start + slot.len as usize)
            .unwrap_or_default()
    }
}

/// Whether two byte strings of the same length are equal, eight bytes at a time (a
/// library call costs more than the comparison for words this short).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut ac = a.chunks_exact(8);
    let mut bc = b.chunks_exact(8);
    for (x, y) in (&mut ac).zip(&mut bc) {
        if u64::from_le_bytes(word8(x)) != u64::from_le_bytes(word8(y)) {
            return false;
        }
    }
    ac.remainder()
        .iter()
        .zip(bc.remainder())
        .all(|(x, y)| x == y)
}

#[inline]
fn word8(chunk: &[u8]) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    w
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
        tokens.iter().map(|w| self.id(w)).collect()
    }

    /// A folded word's id, or [`WordId::UNKNOWN`].
    #[inline]
    fn id(&self, word: &str) -> WordId {
        self.known.find(word)
    }

    /// [`words`](Self::words), from ids already looked up.
    pub(crate) fn words_of(&self, tokens: &Tokens, ids: &[WordId]) -> Vec<WordTok> {
        let raw: Vec<WordTok> = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| WordTok {
                id,
                span: tokens.span(i),
            })
            .collect();
        fold_synonyms(
            &self.word_synonyms,
            raw,
            |t| t.id,
            |a, b, group| WordTok {
                id: WordId::new(group),
                span: a.span.to(b.span),
            },
        )
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
        for s in stems {
            match self.group_words.get(&s.id) {
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
        if let Some(&id) = self.stems.get(stem.as_ref()) {
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
        let typo_of = |w: &str| match self.typos.find(w) {
            WordId::UNKNOWN => None,
            id => Some(id),
        };
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
        self.stem_names.get(id.index()).map_or("?", |s| s)
    }

    /// The number of distinct stem ids (synonym groups included).
    pub(crate) fn stem_count(&self) -> usize {
        self.stem_names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Filled one word at a time, the table grows and keeps the first id of a word.
    #[test]
    fn word_filter_grows_and_keeps_the_first_id() {
        let mut filter = WordFilter::default();
        assert_eq!(filter.find("word"), WordId::UNKNOWN);
        let words: Vec<String> = (0..5_000).map(|i| format!("w{i}x")).collect();
        for (i, w) in words.iter().enumerate() {
            filter.add(w, WordId::new(i as u32));
        }
        filter.add("w7x", WordId::new(99_999));
        for (i, w) in words.iter().enumerate() {
            assert_eq!(filter.find(w), WordId::new(i as u32), "{w}");
        }
        assert_eq!(filter.find("w5000x"), WordId::UNKNOWN);
        assert_eq!(filter.len, words.len());
        assert!(filter.slots.len() >= 2 * filter.len, "at most half full");
    }

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
