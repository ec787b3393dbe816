//! A message's words made into the classifier's L2-normalised feature vector, at the
//! cost of one table probe per known word.
//!
//! At training, every training word's own features (whole word, stem, character
//! n-grams) are looked up once and kept as a list of feature ids ([`KnownWords`]).
//! A message word found there adds its list; any other word has its features hashed
//! and looked up one by one. Occurrences are counted in per-thread scratch arrays
//! indexed by feature id (cleared feature by feature after use), so a message costs
//! work in proportion to its own features, never to the vocabulary.
//!
//! Once the weights are known, each training word also keeps its features' summed
//! weight rows ([`KnownWords::rows`]): a message's logits add one row per known word
//! (at the term weight of its occurrences), and a weighted row only for the features
//! whose count in the message is not what its words' rows assumed (a character n-gram
//! two words share, or one found twice in a repeated word; a bigram; an unknown word's
//! features).

use std::cell::RefCell;
use std::sync::LazyLock;

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
use super::expf::{EXP_C, EXP_INV_LN2_N, EXP_SHIFT, EXP_TABLE, PLAIN_TOP};
use super::lookup::HashTable;
use super::{sublinear, sum_rows, Acc, Model, Rows, SparseVec};
use crate::faq::features::{Extractor, IdentityHasher, Kind};
use std::hash::BuildHasherDefault;

/// A training word: its index (into [`KnownWords::spans`] and its row), and the hash
/// it stands as in bigrams.
#[derive(Clone, Copy, Debug, Default)]
struct KnownWord {
    index: u32,
    unit: u64,
}

/// One of a training word's own features.
#[derive(Clone, Copy, Debug)]
struct OwnFeature {
    /// The feature id.
    f: u32,
    /// Its occurrences in the word.
    m: u32,
    /// Its idf (beside the id, it saves a look-up elsewhere in memory).
    idf: f32,
    /// `tf_weight(m)`, the term weight of its occurrences.
    tf: f32,
}

/// The training words and the ids of their own features.
#[derive(Clone, Debug)]
pub(super) struct KnownWords {
    /// Word hash → its features.
    table: HashTable<KnownWord>,
    /// Each word's distinct features in turn.
    features: Vec<OwnFeature>,
    /// Each word's (start, len) in `features`, by index.
    spans: Vec<(u32, u32)>,
    /// Word-major, `stride` per word: the sum of the word's features' weight rows,
    /// each times its term weight (sublinear tf times idf); empty until
    /// [`set_rows`](Self::set_rows).
    rows: Vec<f32>,
}

/// How a message's logits are summed from [`KnownWords::rows`] and feature rows.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The row index of each distinct known word of the message, in order of first
    /// occurrence, and its occurrences.
    words: Vec<(u32, u32)>,
    /// (feature id, term weight times idf) to add beyond the words' rows, packed
    /// into one `u64` (see [`Fix`]): sorting them by feature id is sorting integers.
    fixes: Vec<u64>,
    /// The inverse of the message vector's L2 norm.
    inv: f32,
}

/// A feature id and an `f32` weight packed into one `u64`, the id in the high half.
struct Fix;

impl Fix {
    #[inline]
    fn pack(f: u32, weight: f32) -> u64 {
        (u64::from(f) << 32) | u64::from(weight.to_bits())
    }

    #[inline]
    fn unpack(fix: u64) -> (u32, f32) {
        ((fix >> 32) as u32, f32::from_bits(fix as u32))
    }
}

impl KnownWords {
    /// The features of every word of `words` whose features are all in `vocab` (with
    /// `min_df` above 1, some training words' features are not).
    pub(super) fn build<'w>(
        extractor: &Extractor,
        vocab: &HashTable<u32>,
        idf: &[f32],
        words: impl Iterator<Item = &'w str>,
    ) -> KnownWords {
        let mut known = KnownWords {
            table: HashTable::with_capacity(1024),
            features: Vec::new(),
            spans: Vec::new(),
            rows: Vec::new(),
        };
        let (mut buf, mut starts) = (String::new(), Vec::new());
        let mut ids: Vec<u32> = Vec::new();
        for word in words.filter(|w| !w.is_empty()) {
            let wh = Extractor::word_hash(word);
            if known.table.get(wh).is_some() {
                continue;
            }
            let mut complete = true;
            let sh = extractor.stem_hash(word, wh, false);
            ids.clear();
            extractor.word_features(word, wh, sh, &mut buf, &mut starts, |h| {
                match vocab.get(h) {
                    Some(f) => ids.push(f),
                    None => complete = false,
                }
            });
            if !complete {
                continue;
            }
            let start = known.features.len();
            for &f in &ids {
                let own = known.features.get_mut(start..).unwrap_or_default();
                match own.iter_mut().find(|o| o.f == f) {
                    Some(o) => o.m += 1,
                    None => known.features.push(OwnFeature {
                        f,
                        m: 1,
                        idf: idf.get(f as usize).copied().unwrap_or(0.0),
                        tf: 0.0,
                    }),
                }
            }
            for o in known.features.get_mut(start..).unwrap_or_default() {
                o.tf = tf_weight(&SUBLINEAR, o.m);
            }
            let len = known.features.len() - start;
            known.table.insert(
                wh,
                KnownWord {
                    index: known.spans.len() as u32,
                    unit: extractor.unit_hash(wh, sh),
                },
            );
            known.spans.push((start as u32, len as u32));
        }
        known
    }

    /// The number of words kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    /// Sums each word's weight rows (see [`rows`](Self::rows)): `row(f)` is feature
    /// `f`'s weights (`stride` long), `scale(f)` its term weight besides tf (idf times
    /// dequantisation scale).
    pub(super) fn set_rows<'m>(
        &mut self,
        stride: usize,
        row: impl Fn(usize) -> &'m [i8],
        scale: impl Fn(usize) -> f32,
    ) {
        let mut rows = vec![0.0f32; self.spans.len() * stride];
        for (&(start, len), out) in self.spans.iter().zip(rows.chunks_exact_mut(stride.max(1))) {
            let (start, end) = (start as usize, (start + len) as usize);
            for &OwnFeature { f, tf, .. } in self.features.get(start..end).unwrap_or_default() {
                let s = tf * scale(f as usize);
                for (o, &w) in out.iter_mut().zip(row(f as usize)) {
                    *o += s * f32::from(w);
                }
            }
        }
        self.rows = rows;
    }

    /// Whether [`set_rows`](Self::set_rows) has summed rows `stride` long.
    pub(super) fn has_rows(&self, stride: usize) -> bool {
        !self.spans.is_empty() && self.rows.len() == self.spans.len() * stride
    }
}

/// What the message holds of one feature.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// The feature id.
    f: u32,
    /// Occurrences.
    count: u32,
    /// The sum of the term weights the known words' rows gave it.
    in_rows: f32,
    /// Its idf (set with the first occurrence).
    idf: f32,
    /// The message words that produced it (bit `min(i, 63)`).
    words: u64,
}

/// Per-thread working space of [`Model::sparse`].
#[derive(Default)]
struct Scratch {
    /// What the message holds of each of its features, in first-occurrence order.
    seen: Vec<Seen>,
    /// Feature id → its place in `seen` plus 1 (0 outside of the message): 4 bytes
    /// a feature, where a table of [`Seen`] by feature id would take 24 and miss the
    /// cache at nearly every feature of a long message.
    place: Vec<u32>,
    /// Hashes of features no training message had, one per occurrence.
    unknown: Vec<u64>,
    /// (word index, bigram unit hash) of the message's non-empty words.
    units: Vec<(u32, u64)>,
    buf: String,
    starts: Vec<usize>,
    plan: Plan,
    /// Room for [`sort_fixes`].
    sorted: Vec<u64>,
    /// Known word index → its place in `plan.words` plus 1 (0 outside of the message).
    slot: Vec<u32>,
    /// The words of each entry of `plan.words`.
    word_bits: Vec<u64>,
    /// Word hash → stem hash of the message's words that are no training words: a
    /// long message repeats them, and each costs a stemmer run.
    stems: std::collections::HashMap<u64, u64, BuildHasherDefault<IdentityHasher>>,
    /// The columns of the thread's last message vector, once its features were
    /// dropped (see [`recycle`]): the next one is written into their room.
    spare: SparseVec,
}

impl Scratch {
    /// Notes `count` occurrences of feature `f` made by the words `bits`, of which
    /// the known words' rows gave `in_rows` in term weight.
    #[inline]
    fn add(
        seen: &mut Vec<Seen>,
        place: &mut [u32],
        (f, idf): (u32, f32),
        count: u32,
        in_rows: f32,
        bits: u64,
    ) {
        let Some(p) = place.get_mut(f as usize) else {
            return;
        };
        match (*p as usize).checked_sub(1) {
            Some(i) => {
                if let Some(s) = seen.get_mut(i) {
                    s.count += count;
                    s.in_rows += in_rows;
                    s.words |= bits;
                }
            }
            None => {
                seen.push(Seen {
                    f,
                    count,
                    // As a sum from 0 (which makes -0 into +0).
                    in_rows: 0.0 + in_rows,
                    idf,
                    words: bits,
                });
                *p = seen.len() as u32;
            }
        }
    }
}

/// Notes the features of a known word's `occurrences` (words `bits`), whose row went
/// in at term weight `times` (a loop of its own: the slices stay in registers).
#[inline(always)]
fn add_own(
    seen: &mut Vec<Seen>,
    place: &mut [u32],
    own: &[OwnFeature],
    times: f32,
    occurrences: u32,
    bits: u64,
) {
    for o in own {
        let in_rows = o.tf * times;
        Scratch::add(seen, place, (o.f, o.idf), o.m * occurrences, in_rows, bits);
    }
}

/// From how many fixes [`sort_fixes`] sorts a byte at a time.
const RADIX_FROM: usize = 256;

/// Sorts a plan's fixes (see [`Fix`]) by feature id: as `sort_unstable` sorts them
/// (their ids are distinct), and for many of them (a long message) a byte of the id at
/// a time, as many bytes as the largest id has (`room`: working space).
fn sort_fixes(fixes: &mut Vec<u64>, room: &mut Vec<u64>) {
    if fixes.len() < RADIX_FROM {
        fixes.sort_unstable();
        return;
    }
    let largest = fixes.iter().map(|&f| f >> 32).max().unwrap_or(0);
    let bytes = (u64::BITS - largest.leading_zeros()).div_ceil(8);
    room.clear();
    room.resize(fixes.len(), 0);
    for byte in 0..bytes {
        let shift = 32 + 8 * byte;
        let digit = |f: u64| ((f >> shift) & 0xff) as usize;
        // Where each digit's fixes start.
        let mut at = [0usize; 256];
        for &f in fixes.iter() {
            if let Some(n) = at.get_mut(digit(f)) {
                *n += 1;
            }
        }
        let mut sum = 0;
        for n in at.iter_mut() {
            (*n, sum) = (sum, sum + *n);
        }
        for &f in fixes.iter() {
            if let Some(n) = at.get_mut(digit(f)) {
                if let Some(slot) = room.get_mut(*n) {
                    *slot = f;
                }
                *n += 1;
            }
        }
        std::mem::swap(fixes, room);
    }
}

/// Keeps a dropped message vector's columns for the thread's next message (nothing if
/// the thread's scratch space is in use or gone).
pub(super) fn recycle(x: SparseVec) {
    let _ = SCRATCH.try_with(|scratch| {
        if let Ok(mut scratch) = scratch.try_borrow_mut() {
            scratch.spare = x;
        }
    });
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
        self.with_scratch(|scratch| self.sparse_with(words, unseen, scratch))
    }

    /// [`sparse`](Self::sparse), and the message's raw logits in `out` (`n_labels`
    /// long).
    pub(super) fn sparse_logits(
        &self,
        words: &[&str],
        unseen: &[bool],
        out: &mut [f32],
    ) -> SparseVec {
        if !self.known.has_rows(self.stride) {
            let x = self.sparse(words, unseen);
            self.logits_into(&x, out);
            return x;
        }
        self.with_scratch(|scratch| {
            let x = self.sparse_with(words, unseen, scratch);
            let plan = &mut scratch.plan;
            // A row per distinct known word and per fixed feature, or a row per feature:
            // in a long message most features are shared by several words, and need a
            // fix as well as their words' rows.
            if plan.words.len() + plan.fixes.len() < x.idx.len() {
                // Rows in memory order: the shared features of a message are mostly
                // frequent ones, whose rows sit together at the front.
                // (Feature ids are distinct: the order is the ids'.)
                sort_fixes(&mut plan.fixes, &mut scratch.sorted);
                self.planned_logits(plan, out);
            } else {
                self.logits_into(&x, out);
            }
            x
        })
    }

    fn with_scratch<T>(&self, f: impl FnOnce(&mut Scratch) -> T) -> T {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => f(&mut scratch),
            // Never re-entered; a fresh space would do if it were.
            Err(_) => f(&mut Scratch::default()),
        })
    }

    fn sparse_with<S: AsRef<str>>(
        &self,
        words: &[S],
        unseen: &[bool],
        scratch: &mut Scratch,
    ) -> SparseVec {
        let n = self.idf.len();
        if scratch.place.len() < n {
            scratch.place.resize(n, 0);
        }
        if scratch.slot.len() < self.known.spans.len() {
            scratch.slot.resize(self.known.spans.len(), 0);
        }
        let Scratch {
            seen,
            place,
            unknown,
            units,
            buf,
            starts,
            plan,
            slot,
            word_bits,
            stems,
            spare,
            ..
        } = scratch;
        // A slice, whose place and length stay in registers while `seen` grows.
        let place = place.as_mut_slice();
        word_bits.clear();
        stems.clear();
        seen.clear();
        unknown.clear();
        units.clear();
        plan.words.clear();
        plan.fixes.clear();
        let table = &*SUBLINEAR;
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            if w.is_empty() {
                continue;
            }
            let bits = 1u64 << i.min(63);
            let wh = Extractor::word_hash(w);
            if let Some(k) = self.known.table.get(wh) {
                // Counted here, its features added once below however often it occurs.
                if let Some(s) = slot.get_mut(k.index as usize) {
                    match (*s as usize).checked_sub(1) {
                        Some(p) => {
                            if let (Some(w), Some(b)) =
                                (plan.words.get_mut(p), word_bits.get_mut(p))
                            {
                                w.1 += 1;
                                *b |= bits;
                            }
                        }
                        None => {
                            plan.words.push((k.index, 1));
                            word_bits.push(bits);
                            *s = plan.words.len() as u32;
                        }
                    }
                }
                units.push((i as u32, k.unit));
                continue;
            }
            let unseen = unseen.get(i) == Some(&true);
            // A word hash's two low bits are its kind (0, a word): the hint goes in one.
            let sh = *stems
                .entry(wh | u64::from(unseen))
                .or_insert_with(|| self.extractor.stem_hash(w, wh, unseen));
            self.extractor
                .word_features(w, wh, sh, buf, starts, |h| match self.vocab.get(h) {
                    Some(f) => Scratch::add(seen, place, (f, self.idf_of(f)), 1, 0.0, bits),
                    None => unknown.push(h),
                });
            units.push((i as u32, self.extractor.unit_hash(wh, sh)));
        }
        for (&(index, occurrences), &bits) in plan.words.iter().zip(word_bits.iter()) {
            let Some(k) = self.known.spans.get(index as usize) else {
                continue;
            };
            if let Some(s) = slot.get_mut(index as usize) {
                *s = 0;
            }
            let (start, end) = (k.0 as usize, (k.0 + k.1) as usize);
            // The word's row goes in at the term weight of its occurrences, so a feature
            // of this word alone needs no fix however often the word occurs (exactly:
            // `tf(1 * n) == tf(1) * tf(n)`).
            let times = tf_weight(table, occurrences);
            let own = self.known.features.get(start..end).unwrap_or_default();
            add_own(seen, place, own, times, occurrences, bits);
        }
        self.extractor
            .bigrams(units, |h, a, b| match self.vocab.get(h) {
                Some(f) => Scratch::add(
                    seen,
                    place,
                    (f, self.idf_of(f)),
                    1,
                    0.0,
                    (1u64 << a.min(63)) | (1u64 << b.min(63)),
                ),
                None => unknown.push(h),
            });

        // Each column in a pass of its own (no capacity checks, no growth), into the
        // room of the last message's if it was given back.
        let mut out = std::mem::take(spare);
        out.idx.clear();
        out.idx.extend(seen.iter().map(|s| s.f));
        out.val.clear();
        out.val
            .extend(seen.iter().map(|s| tf_weight(table, s.count) * s.idf));
        out.words.clear();
        out.words.extend(seen.iter().map(|s| s.words));
        let mut sq = 0.0f32;
        for &v in &out.val {
            sq += v * v;
        }
        for s in seen.iter() {
            if let Some(p) = place.get_mut(s.f as usize) {
                *p = 0;
            }
            // What the words' rows did not count: exactly 0 for a feature of one word
            // occurrence alone (the same table value on both sides).
            let fix = tf_weight(table, s.count) - s.in_rows;
            if fix != 0.0 {
                plan.fixes.push(Fix::pack(s.f, fix * s.idf));
            }
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
        plan.inv = inv;
        out
    }

    #[inline]
    fn idf_of(&self, f: u32) -> f32 {
        self.idf.get(f as usize).copied().unwrap_or(0.0)
    }

    /// The raw logits of a message from its [`Plan`].
    fn planned_logits(&self, plan: &Plan, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            #[allow(unsafe_code)]
            unsafe {
                self.planned_logits_avx512(plan, out)
            };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            #[allow(unsafe_code)]
            unsafe {
                self.planned_logits_avx2(plan, out)
            };
            return;
        }
        self.planned_logits_portable(plan, out)
    }

    /// [`planned_logits`](Self::planned_logits) compiled for AVX-512 (without FMA, so
    /// the results are the portable code's).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn planned_logits_avx512(&self, plan: &Plan, out: &mut [f32]) {
        self.planned_logits_portable(plan, out)
    }

    /// [`planned_logits`](Self::planned_logits) compiled for AVX2 (without FMA, so the
    /// results are the portable code's).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn planned_logits_avx2(&self, plan: &Plan, out: &mut [f32]) {
        self.planned_logits_portable(plan, out)
    }

    #[inline(always)]
    fn planned_logits_portable(&self, plan: &Plan, out: &mut [f32]) {
        sum_rows(
            &self.bias,
            out,
            self.stride,
            &PlanRows { model: self, plan },
        );
    }
}

/// [`softmax`](super::softmax) for scoring: the same bits, with `e^x` computed four
/// labels at a time as glibc's `expf` computes it where the CPU has FMA (x86-64 Linux
/// with AVX2 and FMA); the library's elsewhere, for the last labels of a row not a
/// multiple of four, and for any label out of the plain path's range (`|x|` of 88 and
/// more).
pub(super) fn softmax(v: &mut [f32], inv_t: f32) {
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        #[allow(unsafe_code)]
        unsafe {
            softmax_avx2(v, inv_t)
        };
        return;
    }
    super::softmax(v, inv_t)
}

/// The body of [`softmax`] on AVX2 and FMA: the library's operations in the library's
/// order (the sum label after label), `e^x` as glibc's `expf`, four at a time.
#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
#[target_feature(enable = "avx2,fma")]
fn softmax_avx2(v: &mut [f32], inv_t: f32) {
    use std::arch::x86_64::{
        _mm256_add_epi64, _mm256_and_si256, _mm256_castpd_si256, _mm256_castsi256_pd,
        _mm256_cvtpd_ps, _mm256_cvtps_pd, _mm256_fmadd_pd, _mm256_fmsub_pd, _mm256_i64gather_epi64,
        _mm256_mul_pd, _mm256_set1_epi64x, _mm256_set1_pd, _mm256_slli_epi64, _mm256_sub_pd,
        _mm_and_si128, _mm_castps_si128, _mm_cmpgt_epi32, _mm_loadu_ps, _mm_movemask_epi8,
        _mm_mul_ps, _mm_set1_epi32, _mm_set1_ps, _mm_srli_epi32, _mm_storeu_ps, _mm_sub_ps,
    };
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return;
    }
    let mut chunks = v.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let Ok(lanes) = <&mut [f32; 4]>::try_from(chunk) else {
            continue;
        };
        // SAFETY: `lanes` is four floats, read and written in place; the gather reads
        // `EXP_TABLE` at indices masked to 0..32.
        #[allow(unsafe_code)]
        unsafe {
            let x = _mm_mul_ps(
                _mm_sub_ps(_mm_loadu_ps(lanes.as_ptr()), _mm_set1_ps(max)),
                _mm_set1_ps(inv_t),
            );
            // Whether each lane is on the plain path (|x| below 88, not NaN): a lane off
            // it sends all four to the library.
            let top = _mm_and_si128(
                _mm_srli_epi32::<20>(_mm_castps_si128(x)),
                _mm_set1_epi32(0x7ff),
            );
            let out_of_range =
                _mm_movemask_epi8(_mm_cmpgt_epi32(top, _mm_set1_epi32(PLAIN_TOP as i32)));
            let xd = _mm256_cvtps_pd(x);
            let inv_ln2_n = _mm256_set1_pd(EXP_INV_LN2_N);
            let shift = _mm256_set1_pd(EXP_SHIFT);
            let kd = _mm256_fmadd_pd(inv_ln2_n, xd, shift);
            let ki = _mm256_castpd_si256(kd);
            let kd = _mm256_sub_pd(kd, shift);
            let r = _mm256_fmsub_pd(inv_ln2_n, xd, kd);
            let index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
            let t = _mm256_add_epi64(
                _mm256_i64gather_epi64::<8>(EXP_TABLE.as_ptr().cast::<i64>(), index),
                _mm256_slli_epi64::<47>(ki),
            );
            let s = _mm256_castsi256_pd(t);
            let [c0, c1, c2] = EXP_C;
            let z = _mm256_fmadd_pd(_mm256_set1_pd(c0), r, _mm256_set1_pd(c1));
            let r2 = _mm256_mul_pd(r, r);
            let y = _mm256_fmadd_pd(_mm256_set1_pd(c2), r, _mm256_set1_pd(1.0));
            let y = _mm256_fmadd_pd(z, r2, y);
            let e = _mm256_cvtpd_ps(_mm256_mul_pd(y, s));
            if out_of_range == 0 {
                _mm_storeu_ps(lanes.as_mut_ptr(), e);
            } else {
                _mm_storeu_ps(lanes.as_mut_ptr(), x);
                for l in lanes.iter_mut() {
                    *l = l.exp();
                }
            }
        }
    }
    for x in chunks.into_remainder() {
        *x = ((*x - max) * inv_t).exp();
    }
    let mut sum = 0.0f32;
    for &x in v.iter() {
        sum += x;
    }
    if sum > 0.0 {
        let inv = 1.0 / sum;
        for x in v.iter_mut() {
            *x *= inv;
        }
    }
}

/// The rows a [`Plan`] sums: its words' rows, then its fixes' feature rows.
struct PlanRows<'a> {
    model: &'a Model,
    plan: &'a Plan,
}

impl Rows for PlanRows<'_> {
    #[inline(always)]
    fn add_to(&self, acc: &mut impl Acc, start: usize) {
        let (m, plan) = (self.model, self.plan);
        let stride = m.stride;
        let inv = plan.inv;
        let table = &*SUBLINEAR;
        // The first block brings the rows in: ask for one a few rows ahead.
        let first = start == 0;
        for (i, &(w, occurrences)) in plan.words.iter().enumerate() {
            if first {
                if let Some(&(ahead, _)) = plan.words.get(i + PREFETCH_AHEAD) {
                    prefetch(&m.known.rows, ahead as usize * stride, stride);
                }
            }
            let v = inv * tf_weight(table, occurrences);
            acc.add_f32(&m.known.rows, w as usize * stride + start, v);
        }
        for (i, &fix) in plan.fixes.iter().enumerate() {
            if first {
                if let Some(&ahead) = plan.fixes.get(i + PREFETCH_AHEAD) {
                    prefetch(&m.qweights, Fix::unpack(ahead).0 as usize * stride, stride);
                }
            }
            let (f, weight) = Fix::unpack(fix);
            let Some(&scale) = m.qscale.get(f as usize) else {
                continue;
            };
            let v = inv * weight * scale;
            acc.add_i8(&m.qweights, f as usize * stride + start, v);
        }
    }
}

/// How many rows ahead [`Model::planned_logits`] asks for.
const PREFETCH_AHEAD: usize = 4;

/// Asks the CPU to bring `len` items of `data` from `start` into cache (a hint: it
/// reads nothing, and does nothing off x86-64 or out of bounds).
#[inline(always)]
pub(super) fn prefetch<T>(data: &[T], start: usize, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let Some(items) = data.get(start..start + len) else {
            return;
        };
        // One hint per 64-byte cache line.
        let step = (64 / std::mem::size_of::<T>().max(1)).max(1);
        for line in items.chunks(step) {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: SSE is part of x86-64; a prefetch reads no memory (and the
            // address is in `data`).
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast::<i8>())
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, start, len);
}

/// Asks the CPU to bring the cache line of `data[at]` in (a hint: it reads nothing,
/// and does nothing off x86-64 or out of bounds).
#[inline(always)]
pub(super) fn prefetch_at<T>(data: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = data.get(at) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of x86-64; a prefetch reads no memory (and the address
        // is in `data`).
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(item).cast::<i8>())
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, at);
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
    fn fixes_sorted_by_bytes_are_sorted() {
        let mut rng = crate::faq::classifier::Rng(11);
        let mut room = Vec::new();
        for (n, largest) in [
            (0, 1u64),
            (10, 1000),
            (300, 255),
            (300, 256),
            (1000, 1 << 20),
            (5000, u64::from(u32::MAX)),
        ] {
            // Distinct ids, as in a plan.
            let mut ids: Vec<u64> = (0..n).map(|_| rng.next() % largest.max(1)).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut fixes: Vec<u64> = ids
                .iter()
                .map(|&id| (id << 32) | (rng.next() & 0xffff_ffff))
                .collect();
            // Shuffled.
            for i in (1..fixes.len()).rev() {
                fixes.swap(i, rng.below(i + 1));
            }
            let mut want = fixes.clone();
            want.sort_unstable();
            sort_fixes(&mut fixes, &mut room);
            assert_eq!(fixes, want, "{n} fixes below {largest}");
        }
    }

    #[test]
    fn softmax_gives_the_library_softmax_bits() {
        let mut rng = crate::faq::classifier::Rng(7);
        for n in (0..20).chain([77, 78, 150, 151, 300]) {
            for (spread, inv_t) in [(1.0f32, 1.0f32), (30.0, 1.0), (8.0, 12.5), (200.0, 3.0)] {
                let logits: Vec<f32> = (0..n)
                    .map(|_| ((rng.next() >> 11) as f32 / (1u64 << 53) as f32 - 0.5) * spread)
                    .collect();
                let (mut ours, mut library) = (logits.clone(), logits.clone());
                softmax(&mut ours, inv_t);
                crate::faq::classifier::softmax(&mut library, inv_t);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&ours), bits(&library), "{n} labels, {spread} {inv_t}");
            }
        }
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
            let mut summed = vec![0.0; m.n_labels];
            let x = m.sparse_logits(words, unseen, &mut summed);
            // The same logits as from every feature's own row.
            let mut by_feature = vec![0.0; m.n_labels];
            m.logits_into(&x, &mut by_feature);
            assert!(m.known.has_rows(m.stride));
            for (a, b) in summed.iter().zip(&by_feature) {
                assert!(
                    (a - b).abs() < 1e-5,
                    "{words:?}: {summed:?} != {by_feature:?}"
                );
            }
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
