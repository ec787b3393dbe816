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

/// One raw (not yet weighted) feature occurrence.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawFeature {
    /// Hash of kind + text; the two low bits hold the [`Kind`].
    pub hash: u64,
    /// First word that produced it.
    pub w0: u32,
    /// Second word that produced it (equal to `w0` for single-word features).
    pub w1: u32,
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
    stem_cache: std::collections::HashMap<
        u64,
        u64,
        std::hash::BuildHasherDefault<super::classifier::IdentityHasher>,
    >,
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

    /// Replaces `out` with all raw features of `words`.
    pub fn extract<S: AsRef<str>>(&self, words: &[S], out: &mut Vec<RawFeature>) {
        self.extract_hinted(words, &[], out);
    }

    /// [`extract`](Self::extract), where `unseen[i]` says that word `i`'s stem is known
    /// to be no stem of the training data (so the stemmer need not run: its feature
    /// would be unknown whatever it is).
    pub fn extract_hinted<S: AsRef<str>>(
        &self,
        words: &[S],
        unseen: &[bool],
        out: &mut Vec<RawFeature>,
    ) {
        out.clear();
        self.extract_with(words, unseen, |hash, w0, w1| {
            out.push(RawFeature { hash, w0, w1 })
        });
    }

    /// Calls `emit(hash, first word, second word)` for every feature occurrence.
    fn extract_with<S: AsRef<str>, F: FnMut(u64, u32, u32)>(
        &self,
        words: &[S],
        unseen: &[bool],
        mut emit: F,
    ) {
        let cfg = &self.cfg;
        let n = words.len();
        let mut buf = String::with_capacity(32);
        let mut starts: Vec<usize> = Vec::with_capacity(32);
        // (word index, unit hash used for bigrams)
        let mut units: Vec<(u32, u64)> = Vec::with_capacity(n);
        let need_stem = cfg.stem_weight > 0.0 || (cfg.bigram_stems && cfg.bigram_weight > 0.0);
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            if w.is_empty() {
                continue;
            }
            let wi = i as u32;
            let wh = hash_kind(Kind::Word, &[w.as_bytes()]);
            if cfg.word_weight > 0.0 {
                emit(wh, wi, wi);
            }
            let sh = if need_stem {
                match self.stem_cache.get(&wh) {
                    Some(&sh) => sh,
                    // An unseen stem: any hash no training stem has will do.
                    None if unseen.get(i) == Some(&true) => {
                        hash_kind(Kind::Stem, &[b"\0", w.as_bytes()])
                    }
                    None => hash_kind(Kind::Stem, &[self.stemmer.stem(w).as_bytes()]),
                }
            } else {
                0
            };
            if cfg.stem_weight > 0.0 {
                emit(sh, wi, wi);
            }
            units.push((wi, if cfg.bigram_stems { sh } else { wh }));
            if cfg.char_weight > 0.0 && cfg.char_max >= cfg.char_min && cfg.char_max > 0 {
                buf.clear();
                buf.push('<');
                buf.push_str(w);
                buf.push('>');
                // Character start offsets (so multi-byte characters are never split).
                starts.clear();
                starts.extend(buf.char_indices().map(|(p, _)| p));
                starts.push(buf.len());
                let nchars = starts.len() - 1;
                let lo = cfg.char_min.max(1);
                for len in lo..=cfg.char_max.min(nchars) {
                    for a in 0..=(nchars - len) {
                        let g = &buf.as_bytes()[starts[a]..starts[a + len]];
                        emit(hash_kind(Kind::Char, &[g]), wi, wi);
                    }
                }
            }
        }
        if cfg.bigram_weight > 0.0 {
            // Bigrams over the non-empty words, with start/end markers.
            if let (Some(&(f, fh)), Some(&(l, lh))) = (units.first(), units.last()) {
                emit(pair_hash(START, fh, 0), f, f);
                for p in units.windows(2) {
                    emit(pair_hash(p[0].1, p[1].1, 0), p[0].0, p[1].0);
                }
                emit(pair_hash(lh, END, 0), l, l);
                if cfg.skip_bigrams {
                    for p in units.windows(3) {
                        emit(pair_hash(p[0].1, p[2].1, 1), p[0].0, p[2].0);
                    }
                }
            }
        }
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
