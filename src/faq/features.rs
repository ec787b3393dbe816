//! Feature extraction for the FAQ classifier.
//!
//! A message arrives as a list of already normalised words (case-folded, accents
//! stripped, punctuation removed). From it we derive hashed sparse features:
//!
//! * whole words,
//! * Snowball stems of the words,
//! * word bigrams (including sentence start / end markers),
//! * character n-grams of every word wrapped in boundary markers (`<word>`).
//!
//! Every feature is identified by a 64-bit FNV-1a hash of a kind tag plus its text, so no
//! strings are stored. Each raw feature remembers which input word(s) produced it, so
//! scores can later be attributed back to words.

use rust_stemmers::{Algorithm, Stemmer};

/// Which feature families to extract and with what weight.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureConfig {
    /// Weight of whole-word features (0 disables them).
    pub word_weight: f32,
    /// Weight of stem features (0 disables them).
    pub stem_weight: f32,
    /// Weight of word-bigram features (0 disables them).
    pub bigram_weight: f32,
    /// Weight of character n-gram features (0 disables them).
    pub char_weight: f32,
    /// Build bigrams from stems instead of words (generalises better with few examples).
    pub bigram_stems: bool,
    /// Also emit skip-bigrams (word pairs one word apart), weighted like bigrams.
    pub skip_bigrams: bool,
    /// Smallest character n-gram length (boundary markers count as characters).
    pub char_min: usize,
    /// Largest character n-gram length.
    pub char_max: usize,
    /// The Snowball stemmer for stem features.
    pub stemmer: Algorithm,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_weight: 1.0,
            stem_weight: 1.0,
            bigram_weight: 1.0,
            char_weight: 1.0,
            bigram_stems: true,
            skip_bigrams: false,
            char_min: 2,
            char_max: 4,
            stemmer: Algorithm::English,
        }
    }
}

/// Feature family tags, mixed into the hash so families never collide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    Word = 0,
    Stem = 1,
    Bigram = 2,
    Char = 3,
}

impl Kind {
    /// The family encoded in the two low bits of a feature hash.
    #[inline]
    pub fn of_hash(h: u64) -> Kind {
        match h & 3 {
            0 => Kind::Word,
            1 => Kind::Stem,
            2 => Kind::Bigram,
            _ => Kind::Char,
        }
    }
}

/// Hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn fnv_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

#[inline]
fn finish(h: u64) -> u64 {
    // Extra avalanche (splitmix64 finaliser) so the low bits are well mixed for the
    // identity-hashed lookup table.
    let mut z = h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline]
fn hash_kind(kind: Kind, parts: &[&[u8]]) -> u64 {
    let mut h = fnv_bytes(FNV_OFFSET, &[kind as u8]);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h = fnv_bytes(h, &[0xff]);
        }
        h = fnv_bytes(h, p);
    }
    (finish(h) & !3) | kind as u64
}

/// Hash of an ordered pair of unit hashes (`tag` separates pair flavours).
#[inline]
fn pair_hash(a: u64, b: u64, tag: u64) -> u64 {
    (finish(a.rotate_left(23) ^ b ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & !3)
        | Kind::Bigram as u64
}

const START: u64 = 0x1234_5678_9abc_def1;
const END: u64 = 0x0fed_cba9_8765_4321;

/// Feature extractor. Immutable once built (the stemmer is a plain function pointer,
/// so this is `Send + Sync`); it caches the stems of the training words.
pub(crate) struct Extractor {
    cfg: FeatureConfig,
    stemmer: Stemmer,
    /// Word-feature hash -> stem-feature hash, for words seen in training.
    stem_cache: std::collections::HashMap<u64, u64, std::hash::BuildHasherDefault<IdentityHasher>>,
}

impl Extractor {
    pub fn new(cfg: FeatureConfig) -> Self {
        let stemmer = Stemmer::create(cfg.stemmer);
        Extractor {
            cfg,
            stemmer,
            stem_cache: Default::default(),
        }
    }

    /// Remembers the stems of `words` so extraction need not re-run the stemmer.
    pub fn cache_stems<S: AsRef<str>>(&mut self, words: &[S]) {
        for w in words {
            let w = w.as_ref();
            if !w.is_empty() {
                let h = hash_kind(Kind::Word, &[w.as_bytes()]);
                if !self.stem_cache.contains_key(&h) {
                    let s = hash_kind(Kind::Stem, &[self.stemmer.stem(w).as_bytes()]);
                    self.stem_cache.insert(h, s);
                }
            }
        }
    }

    /// Weight of a feature family.
    #[inline]
    pub fn weight(&self, kind: Kind) -> f32 {
        match kind {
            Kind::Word => self.cfg.word_weight,
            Kind::Stem => self.cfg.stem_weight,
            Kind::Bigram => self.cfg.bigram_weight,
            Kind::Char => self.cfg.char_weight,
        }
    }

    /// Replaces `out` with the hashes of all feature occurrences of `words` (the
    /// training data's, whose stems are cached).
    pub fn extract<S: AsRef<str>>(&self, words: &[S], out: &mut Vec<u64>) {
        out.clear();
        self.extract_with(words, &[], |hash, _, _| out.push(hash));
    }

    /// The hash of a word's whole-word feature, which also names the word in
    /// [`stem_hash`](Self::stem_hash) and in the classifier's table of training words.
    #[inline]
    pub fn word_hash(word: &str) -> u64 {
        hash_kind(Kind::Word, &[word.as_bytes()])
    }

    /// Whether stems are needed at all (for stem features or stem bigrams).
    #[inline]
    fn needs_stem(&self) -> bool {
        let cfg = &self.cfg;
        cfg.stem_weight > 0.0 || (cfg.bigram_stems && cfg.bigram_weight > 0.0)
    }

    /// The hash of the stem feature of `word` (whose [`word_hash`](Self::word_hash) is
    /// `wh`; `unseen`: its stem is known to be no training stem), 0 when no feature
    /// uses stems.
    pub fn stem_hash(&self, word: &str, wh: u64, unseen: bool) -> u64 {
        if !self.needs_stem() {
            return 0;
        }
        match self.stem_cache.get(&wh) {
            Some(&sh) => sh,
            // An unseen stem: any hash no training stem has will do.
            None if unseen => hash_kind(Kind::Stem, &[b"\0", word.as_bytes()]),
            None => hash_kind(Kind::Stem, &[self.stemmer.stem(word).as_bytes()]),
        }
    }

    /// The hash a word stands as in bigrams, from its word and stem hashes.
    #[inline]
    pub fn unit_hash(&self, wh: u64, sh: u64) -> u64 {
        if self.cfg.bigram_stems {
            sh
        } else {
            wh
        }
    }

    /// Calls `emit(hash)` for every feature of a single word (whole word, stem,
    /// character n-grams), given its word and stem hashes; `buf` and `starts` are
    /// scratch space.
    pub fn word_features<F: FnMut(u64)>(
        &self,
        word: &str,
        wh: u64,
        sh: u64,
        buf: &mut String,
        starts: &mut Vec<usize>,
        mut emit: F,
    ) {
        let cfg = &self.cfg;
        if cfg.word_weight > 0.0 {
            emit(wh);
        }
        if cfg.stem_weight > 0.0 {
            emit(sh);
        }
        if cfg.char_weight > 0.0 && cfg.char_max >= cfg.char_min && cfg.char_max > 0 {
            buf.clear();
            buf.push('<');
            buf.push_str(word);
            buf.push('>');
            // Character start offsets (so multi-byte characters are never split).
            starts.clear();
            starts.extend(buf.char_indices().map(|(p, _)| p));
            starts.push(buf.len());
            let nchars = starts.len() - 1;
            let lo = cfg.char_min.max(1);
            for len in lo..=cfg.char_max.min(nchars) {
                for a in 0..=(nchars - len) {
                    let g = starts
                        .get(a)
                        .zip(starts.get(a + len))
                        .and_then(|(&s, &e)| buf.as_bytes().get(s..e))
                        .unwrap_or_default();
                    emit(hash_kind(Kind::Char, &[g]));
                }
            }
        }
    }

    /// Calls `emit(hash, first word, second word)` for every bigram of `units` (word
    /// index, [`unit_hash`](Self::unit_hash)), the non-empty words of a message in order.
    pub fn bigrams<F: FnMut(u64, u32, u32)>(&self, units: &[(u32, u64)], mut emit: F) {
        if self.cfg.bigram_weight <= 0.0 {
            return;
        }
        // Bigrams over the non-empty words, with start/end markers.
        if let (Some(&(f, fh)), Some(&(l, lh))) = (units.first(), units.last()) {
            emit(pair_hash(START, fh, 0), f, f);
            for p in units.windows(2) {
                emit(pair_hash(p[0].1, p[1].1, 0), p[0].0, p[1].0);
            }
            emit(pair_hash(lh, END, 0), l, l);
            if self.cfg.skip_bigrams {
                for p in units.windows(3) {
                    emit(pair_hash(p[0].1, p[2].1, 1), p[0].0, p[2].0);
                }
            }
        }
    }

    /// Calls `emit(hash, first word, second word)` for every feature occurrence
    /// (`unseen[i]`: word `i`'s stem is no training stem).
    pub fn extract_with<S: AsRef<str>, F: FnMut(u64, u32, u32)>(
        &self,
        words: &[S],
        unseen: &[bool],
        mut emit: F,
    ) {
        let mut buf = String::with_capacity(32);
        let mut starts: Vec<usize> = Vec::with_capacity(32);
        // (word index, unit hash used for bigrams)
        let mut units: Vec<(u32, u64)> = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            if w.is_empty() {
                continue;
            }
            let wi = i as u32;
            let wh = Self::word_hash(w);
            let sh = self.stem_hash(w, wh, unseen.get(i) == Some(&true));
            self.word_features(w, wh, sh, &mut buf, &mut starts, |h| emit(h, wi, wi));
            units.push((wi, self.unit_hash(wh, sh)));
        }
        self.bigrams(&units, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_gives_no_features() {
        let e = Extractor::new(FeatureConfig::default());
        let mut out = Vec::new();
        e.extract::<&str>(&[], &mut out);
        assert!(out.is_empty());
        e.extract(&["", ""], &mut out);
        assert!(out.is_empty());
        e.extract(&[""], &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn char_ngrams_have_boundaries() {
        let cfg = FeatureConfig {
            word_weight: 0.0,
            stem_weight: 0.0,
            bigram_weight: 0.0,
            char_min: 2,
            char_max: 2,
            ..Default::default()
        };
        let e = Extractor::new(cfg);
        let mut out = Vec::new();
        e.extract(&["ab"], &mut out);
        // "<ab>" -> "<a", "ab", "b>"
        assert_eq!(out.len(), 3);
    }
}
