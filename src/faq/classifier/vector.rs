//! A message's words made into the classifier's L2-normalised feature vector, at the
//! cost of one table probe per known word.
//!
//! At training, every training word's own features (whole word, stem, character
//! n-grams) are looked up once and kept as a list of feature ids ([`KnownWords`]).
//! A message word found there adds its list; any other word has its features hashed
//! and looked up one by one. Occurrences are counted in per-thread scratch arrays
//! indexed by feature id (cleared feature by feature after use), so a message costs
//! work in proportion to its own features, never to the vocabulary.

use std::cell::RefCell;
use std::sync::LazyLock;

use super::lookup::HashTable;
use super::{sublinear, Model, SparseVec};
use crate::faq::features::{Extractor, Kind};

/// A training word's features: `len` feature ids from `start` in
/// [`KnownWords::features`], and the hash it stands as in bigrams.
#[derive(Clone, Copy, Debug, Default)]
struct KnownWord {
    start: u32,
    len: u32,
    unit: u64,
}

/// The training words and the ids of their own features.
#[derive(Clone, Debug)]
pub(super) struct KnownWords {
    /// Word hash → its features.
    table: HashTable<KnownWord>,
    features: Vec<u32>,
}

impl KnownWords {
    /// The features of every word of `words` whose features are all in `vocab` (with
    /// `min_df` above 1, some training words' features are not).
    pub(super) fn build<'w>(
        extractor: &Extractor,
        vocab: &HashTable<u32>,
        words: impl Iterator<Item = &'w str>,
    ) -> KnownWords {
        let mut known = KnownWords {
            table: HashTable::with_capacity(1024),
            features: Vec::new(),
        };
        let (mut buf, mut starts) = (String::new(), Vec::new());
        for word in words.filter(|w| !w.is_empty()) {
            let wh = Extractor::word_hash(word);
            if known.table.get(wh).is_some() {
                continue;
            }
            let start = known.features.len();
            let mut complete = true;
            let sh = extractor.stem_hash(word, wh, false);
            extractor.word_features(word, wh, sh, &mut buf, &mut starts, |h| {
                match vocab.get(h) {
                    Some(f) => known.features.push(f),
                    None => complete = false,
                }
            });
            if complete {
                known.table.insert(
                    wh,
                    KnownWord {
                        start: start as u32,
                        len: (known.features.len() - start) as u32,
                        unit: extractor.unit_hash(wh, sh),
                    },
                );
            } else {
                known.features.truncate(start);
            }
        }
        known
    }

    /// The number of words kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }
}

/// Per-thread working space of [`Model::sparse`].
#[derive(Default)]
struct Scratch {
    /// Feature id → occurrences in the message (0 outside of it).
    count: Vec<u32>,
    /// Feature id → the message words that produced it (bit `min(i, 63)`).
    words: Vec<u64>,
    /// The feature ids with a non-zero count, in first-occurrence order.
    touched: Vec<u32>,
    /// Hashes of features no training message had, one per occurrence.
    unknown: Vec<u64>,
    /// (word index, bigram unit hash) of the message's non-empty words.
    units: Vec<(u32, u64)>,
    buf: String,
    starts: Vec<usize>,
}

impl Scratch {
    #[inline]
    fn add(count: &mut [u32], words: &mut [u64], touched: &mut Vec<u32>, f: u32, bits: u64) {
        let i = f as usize;
        if let (Some(c), Some(w)) = (count.get_mut(i), words.get_mut(i)) {
            if *c == 0 {
                touched.push(f);
            }
            *c += 1;
            *w |= bits;
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// How many of [`sublinear`]'s values are kept in [`SUBLINEAR`].
const TABULATED: usize = 64;

/// `sublinear(tf)` for `tf < TABULATED`: one `ln` per feature is a good share of a
/// message's cost.
static SUBLINEAR: LazyLock<[f32; TABULATED]> = LazyLock::new(|| {
    let mut t = [0.0; TABULATED];
    for (tf, w) in t.iter_mut().enumerate().skip(1) {
        *w = sublinear(tf);
    }
    t
});

#[inline]
fn tf_weight(table: &[f32; TABULATED], tf: u32) -> f32 {
    match table.get(tf as usize) {
        Some(&w) => w,
        None => sublinear(tf as usize),
    }
}

impl Model {
    /// The L2-normalised TF-IDF vector of a message (`unseen[i]`: word `i`'s stem is no
    /// training stem, which saves stemming it). Features are listed in the order they
    /// first occur, so the vector is deterministic.
    pub(super) fn sparse<S: AsRef<str>>(&self, words: &[S], unseen: &[bool]) -> SparseVec {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.sparse_with(words, unseen, &mut scratch),
            // Never re-entered; a fresh space would do if it were.
            Err(_) => self.sparse_with(words, unseen, &mut Scratch::default()),
        })
    }

    fn sparse_with<S: AsRef<str>>(
        &self,
        words: &[S],
        unseen: &[bool],
        scratch: &mut Scratch,
    ) -> SparseVec {
        let n = self.idf.len();
        if scratch.count.len() < n {
            scratch.count.resize(n, 0);
            scratch.words.resize(n, 0);
        }
        let Scratch {
            count,
            words: made_by,
            touched,
            unknown,
            units,
            buf,
            starts,
        } = scratch;
        touched.clear();
        unknown.clear();
        units.clear();
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            if w.is_empty() {
                continue;
            }
            let bits = 1u64 << i.min(63);
            let wh = Extractor::word_hash(w);
            if let Some(k) = self.known.table.get(wh) {
                let (start, end) = (k.start as usize, (k.start + k.len) as usize);
                for &f in self.known.features.get(start..end).unwrap_or_default() {
                    Scratch::add(count, made_by, touched, f, bits);
                }
                units.push((i as u32, k.unit));
                continue;
            }
            let sh = self
                .extractor
                .stem_hash(w, wh, unseen.get(i) == Some(&true));
            self.extractor
                .word_features(w, wh, sh, buf, starts, |h| match self.vocab.get(h) {
                    Some(f) => Scratch::add(count, made_by, touched, f, bits),
                    None => unknown.push(h),
                });
            units.push((i as u32, self.extractor.unit_hash(wh, sh)));
        }
        self.extractor
            .bigrams(units, |h, a, b| match self.vocab.get(h) {
                Some(f) => Scratch::add(
                    count,
                    made_by,
                    touched,
                    f,
                    (1u64 << a.min(63)) | (1u64 << b.min(63)),
                ),
                None => unknown.push(h),
            });

        let table = &*SUBLINEAR;
        let mut out = SparseVec {
            idx: Vec::with_capacity(touched.len()),
            val: Vec::with_capacity(touched.len()),
            words: Vec::with_capacity(touched.len()),
        };
        let mut sq = 0.0f32;
        for &f in touched.iter() {
            let i = f as usize;
            let (Some(c), Some(m), Some(&idf)) =
                (count.get_mut(i), made_by.get_mut(i), self.idf.get(i))
            else {
                continue;
            };
            let v = tf_weight(table, *c) * idf;
            sq += v * v;
            out.idx.push(f);
            out.val.push(v);
            out.words.push(*m);
            *c = 0;
            *m = 0;
        }
        // Unknown features: each distinct one weighs as a feature in no class would.
        unknown.sort_unstable();
        let mut unknown_sq = 0.0f32;
        for run in unknown.chunk_by(|a, b| a == b) {
            let h = run.first().copied().unwrap_or_default();
            let u = tf_weight(table, run.len() as u32)
                * self.unknown_idf
                * self.extractor.weight(Kind::of_hash(h));
            unknown_sq += u * u;
        }
        let sq = sq + self.unknown_weight * unknown_sq;
        let inv = if sq > 0.0 { 1.0 / sq.sqrt() } else { 0.0 };
        for v in out.val.iter_mut() {
            *v *= inv;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::classifier::tests::ex;
    use crate::faq::classifier::TrainConfig;
    use std::collections::BTreeMap;

    /// The vector as its definition reads, one feature occurrence at a time:
    /// (feature id → (value, words)), and the squared norm of unknown features.
    fn by_definition(m: &Model, words: &[&str], unseen: &[bool]) -> BTreeMap<u32, (f32, u64)> {
        let mut occurrences: BTreeMap<u64, (usize, u64)> = BTreeMap::new();
        m.extractor.extract_with(words, unseen, |h, a, b| {
            let e = occurrences.entry(h).or_default();
            e.0 += 1;
            e.1 |= (1u64 << a.min(63)) | (1u64 << b.min(63));
        });
        let mut out = BTreeMap::new();
        let mut sq = 0.0f32;
        for (h, (tf, bits)) in occurrences {
            match m.vocab.get(h) {
                Some(f) => {
                    let v = sublinear(tf) * m.idf[f as usize];
                    sq += v * v;
                    out.insert(f, (v, bits));
                }
                None => {
                    let u = sublinear(tf) * m.unknown_idf * m.extractor.weight(Kind::of_hash(h));
                    sq += m.unknown_weight * u * u;
                }
            }
        }
        let inv = 1.0 / sq.sqrt();
        out.values_mut().for_each(|(v, _)| *v *= inv);
        out
    }

    #[test]
    fn known_and_unknown_words_give_the_vector_of_the_definition() {
        let data = vec![
            ex("lost my card", 0),
            ex("card stolen yesterday", 0),
            ex("open an account", 1),
            ex("new account please please", 1),
        ];
        let m = Model::train(&data, 2, &TrainConfig::default());
        assert_eq!(m.known.len(), 10);
        let messages: [(&[&str], &[bool]); 5] = [
            (&["lost", "card"], &[]),
            // Known and unknown words sharing character n-grams, a repeated word, an
            // empty word, an unknown stem hinted.
            (
                &["card", "cards", "card", "", "stolen", "zzz"],
                &[false, false, false, false, false, true],
            ),
            (&["please", "please", "please"], &[]),
            (&["accounts", "openly"], &[]),
            (&["only", "unknown", "words"], &[true, true, true]),
        ];
        for (words, unseen) in messages {
            let x = m.sparse(words, unseen);
            let expected = by_definition(&m, words, unseen);
            assert_eq!(x.idx.len(), expected.len(), "{words:?}");
            for ((f, v), bits) in x.idx.iter().zip(&x.val).zip(&x.words) {
                let (want, want_bits) = expected[f];
                assert!(
                    (v - want).abs() < 1e-6,
                    "{words:?}: feature {f}: {v} != {want}"
                );
                assert_eq!(*bits, want_bits, "{words:?}: feature {f}");
            }
        }
    }
}
