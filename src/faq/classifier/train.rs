//! Training the classifier's weights: SGD on the softmax cross-entropy (see [`sgd`]),
//! in dense f32 weights ([`Weights`]) that [`Model::train_weighted`](super::Model)
//! then quantises.
//!
//! The SGD computes what the plain label-by-label loops compute, bit for bit (the
//! tests hold it to them): the same float operations in the same order, only
//! arranged so that they run side by side.

use super::expf::{exp, exp_in_range, EXP_C, EXP_INV_LN2_N, EXP_SHIFT, EXP_TABLE};
use super::vector::prefetch;
use super::{block, softmax, sum_rows, Acc, Rng, Rows, SparseVec, TrainConfig};

/// Labels a row of [`Weights`] is padded to a multiple of: 64 bytes of `f32`, a
/// cache line and an AVX-512 register.
const ROW_LANES: usize = 16;

/// The dense f32 weights of training, feature-major: row `f` holds the weights of its
/// `c` labels, then zeros up to `stride` (a multiple of [`ROW_LANES`]), and starts on a
/// 64-byte boundary, so a row spans whole cache lines and no vector load or store
/// straddles two.
pub(super) struct Weights {
    data: Vec<f32>,
    /// Where row 0 starts in `data`.
    base: usize,
    stride: usize,
    c: usize,
    n_feat: usize,
}

impl Weights {
    /// Zeros for `n_feat` features and `c` labels.
    fn zeros(n_feat: usize, c: usize) -> Weights {
        let stride = c.next_multiple_of(ROW_LANES);
        let data = vec![0.0f32; n_feat * stride + ROW_LANES];
        // Rows start where the allocation reaches a 64-byte boundary (within the spare
        // lanes at the end; should the address not tell, unaligned rows work as well).
        let base = data
            .as_ptr()
            .align_offset(ROW_LANES * std::mem::size_of::<f32>())
            .min(ROW_LANES);
        Weights {
            data,
            base,
            stride,
            c,
            n_feat,
        }
    }

    /// Row `f`'s `c` weights (empty past the last feature).
    pub(super) fn row(&self, f: usize) -> &[f32] {
        let start = self.base + f * self.stride;
        self.data.get(start..start + self.c).unwrap_or_default()
    }

    /// Adds `other`'s weights (of as many features and labels) to these.
    pub(super) fn add(&mut self, other: &Weights) {
        for f in 0..self.n_feat.min(other.n_feat) {
            let start = self.base + f * self.stride;
            let Some(row) = self.data.get_mut(start..start + self.c) else {
                continue;
            };
            for (a, x) in row.iter_mut().zip(other.row(f)) {
                *a += x;
            }
        }
    }

    /// Multiplies every weight by `by`.
    pub(super) fn scale(&mut self, by: f32) {
        for w in &mut self.data {
            *w *= by;
        }
    }
}

/// What SGD learns from: vectorised examples `xs`, their labels `ys` (below `c`) and
/// weights `ws`, over `n_feat` features.
pub(super) struct Examples<'a> {
    pub(super) xs: &'a [SparseVec],
    pub(super) ys: &'a [usize],
    pub(super) ws: &'a [f32],
    pub(super) n_feat: usize,
    pub(super) c: usize,
}

/// An example's features and their values, as one SGD step sees them (after word
/// dropout).
#[derive(Clone, Copy)]
struct Features<'a> {
    idx: &'a [u32],
    val: &'a [f32],
}

impl<'a> Features<'a> {
    fn of(x: &'a SparseVec) -> Self {
        Features {
            idx: &x.idx,
            val: &x.val,
        }
    }
}

/// One SGD run on the softmax cross-entropy with linear learning-rate decay and word
/// dropout, each example's steps scaled by its weight in `ws` (1 past its end); returns
/// the weights and biases.
pub(super) fn sgd(data: &Examples<'_>, cfg: &TrainConfig, seed: u64) -> (Weights, Vec<f32>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has AVX-512F and DQ, checked just above.
        #[allow(unsafe_code)]
        return unsafe { sgd_avx512(data, cfg, seed) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        #[allow(unsafe_code)]
        return unsafe { sgd_avx2(data, cfg, seed) };
    }
    sgd_portable::<false>(data, cfg, seed)
}

/// [`sgd`] compiled for AVX2: the same loops, eight labels at a time. No float sum is
/// reordered or fused (FMA is only for [`exp`], which asks for it), so the weights are
/// bit-identical to the portable code's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn sgd_avx2(data: &Examples<'_>, cfg: &TrainConfig, seed: u64) -> (Weights, Vec<f32>) {
    sgd_portable::<false>(data, cfg, seed)
}

/// [`sgd`] compiled for AVX-512: sixteen labels at a time, a whole row of up to 256
/// labels summed in registers (32 of them), and eight 64-bit multiplications at a time
/// for the word-dropout draws (DQ). Without FMA but in [`exp`], as above: the same
/// bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn sgd_avx512(data: &Examples<'_>, cfg: &TrainConfig, seed: u64) -> (Weights, Vec<f32>) {
    sgd_portable::<true>(data, cfg, seed)
}

/// The body of [`sgd`]. `AVX512` (set by [`sgd_avx512`] alone: only where the CPU has
/// AVX-512F and DQ): logits summed a whole row at a time (up to 256 labels, for 32
/// vector registers of 16 floats), and the softmax's `exp`s eight at a time.
#[inline(always)]
fn sgd_portable<const AVX512: bool>(
    data: &Examples<'_>,
    cfg: &TrainConfig,
    seed: u64,
) -> (Weights, Vec<f32>) {
    let Examples {
        xs,
        ys,
        ws,
        n_feat,
        c,
    } = *data;
    let mut weights = Weights::zeros(n_feat, c);
    let mut bias = vec![0.0f32; c];
    let epochs = cfg.epochs_for(xs.len());
    let total = (epochs * xs.len()).max(1) as f32;
    let mut step = 0usize;
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut rng = Rng(seed);
    let mut p = vec![0.0f32; c];
    let mut active: Vec<(usize, f32)> = vec![(0, 0.0); c];
    // A step for each label of a row (zero for the padding).
    let mut steps = vec![0.0f32; weights.stride];
    // The features word dropout keeps, and their values.
    let longest = xs.iter().map(|x| x.idx.len()).max().unwrap_or(0);
    let mut kept_idx = vec![0u32; longest];
    let mut kept_val = vec![0.0f32; longest];
    let keep_p = (1.0 - cfg.word_dropout.clamp(0.0, 0.95)) as f64;
    // A draw `d` keeps a word if `d * 2^-53 < keep_p`: if `d < ceil(keep_p * 2^53)`
    // (both products are exact: `d` has 53 bits, `keep_p` is at most 1).
    let keep_below = (keep_p * (1u64 << 53) as f64).ceil() as u64;
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        for (at, &i) in order.iter().enumerate() {
            let lr =
                cfg.learning_rate * (1.0 - step as f32 / total) * ws.get(i).copied().unwrap_or(1.0);
            step += 1;
            let Some(full) = xs.get(i) else {
                continue;
            };
            let mut x = Features::of(full);
            if keep_p < 1.0 {
                let keep = rng.keep_mask(keep_below);
                // Every feature is written, the next over it unless kept: no branch on
                // the draws, which no predictor could guess.
                let mut kept = 0usize;
                for ((&f, &v), &m) in full.idx.iter().zip(&full.val).zip(&full.words) {
                    if let (Some(slot_f), Some(slot_v)) =
                        (kept_idx.get_mut(kept), kept_val.get_mut(kept))
                    {
                        *slot_f = f;
                        *slot_v = v;
                    }
                    kept += usize::from(m & keep != 0);
                }
                let idx = kept_idx.get(..kept).unwrap_or_default();
                let val = kept_val.get_mut(..kept).unwrap_or_default();
                let mut sq = 0.0f32;
                for &v in val.iter() {
                    sq += v * v;
                }
                if sq > 0.0 {
                    let inv = 1.0 / sq.sqrt();
                    val.iter_mut().for_each(|v| *v *= inv);
                    x = Features { idx, val };
                }
            }
            if AVX512 {
                wide_logits(&weights, &bias, x, &mut p);
            } else {
                sum_rows(
                    &bias,
                    &mut p,
                    weights.stride,
                    &TrainingRows {
                        weights: &weights,
                        x,
                    },
                );
            }
            // The next example's features, asked for while this one's softmax is
            // computed: examples come in random order, and the cache misses of each
            // one's first words cost as much as its rows'. (Asking for its rows too
            // cost more time than it saved: their lines fill the buffers the logits
            // above need.)
            if let Some(next) = order.get(at + 1).and_then(|&n| xs.get(n)) {
                prefetch(&next.idx, 0, next.idx.len());
                prefetch(&next.val, 0, next.val.len());
                prefetch(&next.words, 0, next.words.len());
            }
            training_softmax::<AVX512>(&mut p);
            if let Some(py) = ys.get(i).and_then(|&y| p.get_mut(y)) {
                *py -= 1.0;
            }
            // The steps of the labels whose gradient is big enough; zero for the others.
            // Without a branch on the gradients: every label is written to `active`, the
            // next over it unless its step counts.
            let mut n_active = 0usize;
            for (k, (&g, step)) in p.iter().zip(steps.iter_mut()).enumerate() {
                let counts = g.abs() > cfg.grad_eps;
                let s = lr * g;
                *step = if counts { s } else { 0.0 };
                if let Some(slot) = active.get_mut(n_active) {
                    *slot = (k, s);
                }
                n_active += usize::from(counts);
            }
            let active = active.get(..n_active).unwrap_or_default();
            for &(k, g) in active {
                if let Some(b) = bias.get_mut(k) {
                    *b -= g;
                }
            }
            update(&mut weights, x, &steps, active);
        }
    }
    (weights, bias)
}

/// [`softmax`] at temperature 1 as SGD needs it: the same operations in the same order,
/// but with [`exp`] inlined (no library call per label), so the same bits as with
/// glibc's `expf`. `AVX512` (only where the CPU has AVX-512F): eight `exp`s at a time
/// ([`exps_avx512`]), else one at a time.
#[inline(always)]
fn training_softmax<const AVX512: bool>(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return;
    }
    // Rare: a label so unlikely (below e^-88) that `exp` leaves it to the library.
    if v.iter().fold(false, |out, &x| out | !exp_in_range(x - max)) {
        softmax(v, 1.0);
        return;
    }
    // One loop: the sum's additions, one after the other, wait on each other, and run
    // beside the computation of the next `exp`s instead of after all of them.
    let mut sum = 0.0f32;
    #[cfg(target_arch = "x86_64")]
    if AVX512 {
        // SAFETY: the CPU has AVX-512F: `AVX512` is set by `sgd_avx512` alone, which
        // runs only where it has.
        #[allow(unsafe_code)]
        let sum = unsafe { exps_avx512(v, max) };
        if sum > 0.0 {
            let inv = 1.0 / sum;
            for x in v.iter_mut() {
                *x *= inv;
            }
        }
        return;
    }
    for x in v.iter_mut() {
        *x = exp(*x - max);
        sum += *x;
    }
    if sum > 0.0 {
        let inv = 1.0 / sum;
        for x in v.iter_mut() {
            *x *= inv;
        }
    }
}

/// `e^(x - max)` for every `x` of `v`, in place, and their sum: [`exp`]'s operations
/// eight lanes at a time (the table read with two two-register permutes and a blend),
/// and the sum added in order, one after the other; so the same bits as [`exp`] and
/// the plain loop. Only where every `x - max` is [in range](exp_in_range).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn exps_avx512(v: &mut [f32], max: f32) -> f32 {
    use std::arch::x86_64::*;
    let table = |from: usize| {
        let t = |i: usize| EXP_TABLE.get(from + i).copied().unwrap_or(0) as i64;
        _mm512_set_epi64(t(7), t(6), t(5), t(4), t(3), t(2), t(1), t(0))
    };
    let (t0, t1, t2, t3) = (table(0), table(8), table(16), table(24));
    let inv_ln2_n = _mm512_set1_pd(EXP_INV_LN2_N);
    let shift = _mm512_set1_pd(EXP_SHIFT);
    let (c0, c1, c2) = (
        _mm512_set1_pd(EXP_C[0]),
        _mm512_set1_pd(EXP_C[1]),
        _mm512_set1_pd(EXP_C[2]),
    );
    let one = _mm512_set1_pd(1.0);
    let sixteen = _mm512_set1_epi64(16);
    let maxv = _mm256_set1_ps(max);
    let mut sum = 0.0f32;
    let mut chunks = v.chunks_exact_mut(8);
    for chunk in &mut chunks {
        // SAFETY: `chunk` holds eight floats.
        #[allow(unsafe_code)]
        let x = unsafe { _mm256_loadu_ps(chunk.as_ptr()) };
        let xd = _mm512_cvtps_pd(_mm256_sub_ps(x, maxv));
        let kd = _mm512_fmadd_pd(inv_ln2_n, xd, shift);
        let ki = _mm512_castpd_si512(kd);
        let kd = _mm512_sub_pd(kd, shift);
        // `fma(a, b, -c)` is `a * b - c` rounded once.
        let r = _mm512_fmsub_pd(inv_ln2_n, xd, kd);
        // The table's entry `ki & 31`: bits 0-3 pick one of sixteen, bit 4 which
        // sixteen.
        let low = _mm512_permutex2var_epi64(t0, ki, t1);
        let high = _mm512_permutex2var_epi64(t2, ki, t3);
        let t = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(ki, sixteen), low, high);
        let s = _mm512_castsi512_pd(_mm512_add_epi64(t, _mm512_slli_epi64::<47>(ki)));
        let z = _mm512_fmadd_pd(c0, r, c1);
        let r2 = _mm512_mul_pd(r, r);
        let y = _mm512_fmadd_pd(c2, r, one);
        let y = _mm512_fmadd_pd(z, r2, y);
        let e = _mm512_cvtpd_ps(_mm512_mul_pd(y, s));
        // SAFETY: `chunk` has room for eight floats.
        #[allow(unsafe_code)]
        unsafe {
            _mm256_storeu_ps(chunk.as_mut_ptr(), e)
        };
        for &x in chunk.iter() {
            sum += x;
        }
    }
    for x in chunks.into_remainder() {
        *x = exp(*x - max);
        sum += *x;
    }
    sum
}

/// One SGD step on the weight rows of `x`'s features: `row[k] -= step[k] * v` for each
/// label `k` in `active` (the labels whose `steps` are not zero, with their steps).
/// Rows are updated whole, padding included, when many labels are active (subtracting
/// a zero step leaves a weight as it was: no weight is ever -0), else label by label:
/// the same bits.
#[inline(always)]
fn update(weights: &mut Weights, x: Features<'_>, steps: &[f32], active: &[(usize, f32)]) {
    let (base, stride) = (weights.base, weights.stride);
    if active.len() * DENSE_UPDATE > weights.c {
        for (&f, &v) in x.idx.iter().zip(x.val) {
            let start = base + f as usize * stride;
            let Some(row) = weights.data.get_mut(start..start + stride) else {
                continue;
            };
            for (w, &g) in row.iter_mut().zip(steps) {
                *w -= g * v;
            }
        }
    } else {
        for (&f, &v) in x.idx.iter().zip(x.val) {
            let start = base + f as usize * stride;
            let Some(row) = weights.data.get_mut(start..start + stride) else {
                continue;
            };
            for &(k, g) in active {
                if let Some(w) = row.get_mut(k) {
                    *w -= g * v;
                }
            }
        }
    }
}

/// [`update`] updates whole rows when more than one label in this many is active.
const DENSE_UPDATE: usize = 8;

/// An example's feature rows in the weights of training, each at its feature value.
struct TrainingRows<'a> {
    weights: &'a Weights,
    x: Features<'a>,
}

impl Rows for TrainingRows<'_> {
    #[inline(always)]
    fn add_to(&self, acc: &mut impl Acc, start: usize) {
        let w = self.weights;
        for (&f, &v) in self.x.idx.iter().zip(self.x.val) {
            acc.add_f32(&w.data, w.base + f as usize * w.stride + start, v);
        }
    }
}

/// The logits `bias + sum of x's rows` into `out` (`c` long), a whole row at a time in
/// registers for rows of up to 256 labels (a [`Block`] as long as the row), else 256
/// labels at a time, the last block ending at the end of the rows (overlapping the one
/// before it: labels summed twice get the same sums twice). Each label's sum is the
/// bias, then the rows in turn: the same bits as label by label.
#[inline(always)]
fn wide_logits(weights: &Weights, bias: &[f32], x: Features<'_>, out: &mut [f32]) {
    let rows = TrainingRows { weights, x };
    macro_rules! whole_row {
        ($($lanes:literal)*) => {
            match weights.stride {
                $($lanes => return block::<$lanes>(bias, 0, out, &rows),)*
                _ => {}
            }
        };
    }
    whole_row!(16 32 48 64 80 96 112 128 144 160 176 192 208 224 240 256);
    const WIDEST: usize = 256;
    let last = weights.stride.saturating_sub(WIDEST);
    let mut start = 0;
    while start < out.len() {
        let at = start.min(last);
        block::<WIDEST>(bias, at, out, &rows);
        start = at + WIDEST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `exp` rounds as glibc's `expf` (on this platform, where the build's figures and
    /// the tests of sameness were taken: FMA and glibc): every 37th float whose `exp`
    /// is in range, both signs.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    fn exp_rounds_as_glibc() {
        if !(std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("avx2"))
        {
            return;
        }
        for sign in [0u32, 0x8000_0000] {
            let mut bits = 0u32;
            while bits < 0x42b0_0000 {
                let x = f32::from_bits(sign | bits);
                assert!(exp_in_range(x));
                assert_eq!(exp(x).to_bits(), x.exp().to_bits(), "e^{x}");
                bits += 37;
            }
            assert!(!exp_in_range(f32::from_bits(sign | 0x42b0_0000)));
        }
        assert!(!exp_in_range(f32::NAN) && !exp_in_range(f32::NEG_INFINITY));
    }

    /// Eight `exp`s at a time (AVX-512) are [`exp`]'s, and their sum the plain loop's:
    /// every 37th float whose `exp` is in range, both signs, in runs of 61 (so every
    /// run has a remainder past its chunks of eight), less 0 and less the run's largest.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn exps_eight_at_a_time_are_exps_one_at_a_time() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        for sign in [0u32, 0x8000_0000] {
            let xs: Vec<f32> = (0..0x42b0_0000u32)
                .step_by(37)
                .map(|bits| f32::from_bits(sign | bits))
                .collect();
            for (run, largest) in xs.chunks(61).flat_map(|run| [(run, false), (run, true)]) {
                let max = match largest {
                    true => run.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                    false => 0.0,
                };
                let mut v = run.to_vec();
                // SAFETY: the CPU has AVX-512F, checked above.
                #[allow(unsafe_code)]
                let sum = unsafe { exps_avx512(&mut v, max) };
                let mut want_sum = 0.0f32;
                for (&x, &e) in run.iter().zip(&v) {
                    let want = exp(x - max);
                    assert_eq!(e.to_bits(), want.to_bits(), "e^({x} - {max})");
                    want_sum += want;
                }
                assert_eq!(sum.to_bits(), want_sum.to_bits());
            }
        }
    }

    /// SGD as it was before it summed logits in blocks, updated whole rows and computed
    /// `exp` itself: label by label.
    fn sgd_label_by_label(
        data: &Examples<'_>,
        cfg: &TrainConfig,
        seed: u64,
    ) -> (Vec<f32>, Vec<f32>) {
        let Examples {
            xs,
            ys,
            ws,
            n_feat,
            c,
        } = *data;
        let mut weights = vec![0.0f32; n_feat * c];
        let mut bias = vec![0.0f32; c];
        let epochs = cfg.epochs_for(xs.len());
        let total = (epochs * xs.len()).max(1) as f32;
        let mut step = 0usize;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut rng = Rng(seed);
        let mut p = vec![0.0f32; c];
        let mut active: Vec<(usize, f32)> = vec![(0, 0.0); c];
        let mut dropped = SparseVec::default();
        let keep_p = (1.0 - cfg.word_dropout.clamp(0.0, 0.95)) as f64;
        for _ in 0..epochs {
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            for &i in &order {
                let lr = cfg.learning_rate
                    * (1.0 - step as f32 / total)
                    * ws.get(i).copied().unwrap_or(1.0);
                step += 1;
                let mut x = &xs[i];
                if keep_p < 1.0 {
                    let mut keep = 0u64;
                    for b in 0..64 {
                        if (rng.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) < keep_p {
                            keep |= 1 << b;
                        }
                    }
                    dropped.idx.clear();
                    dropped.val.clear();
                    let mut sq = 0.0f32;
                    for ((&f, &v), &m) in x.idx.iter().zip(&x.val).zip(&x.words) {
                        if m & keep != 0 {
                            dropped.idx.push(f);
                            dropped.val.push(v);
                            sq += v * v;
                        }
                    }
                    if sq > 0.0 {
                        let inv = 1.0 / sq.sqrt();
                        dropped.val.iter_mut().for_each(|v| *v *= inv);
                        x = &dropped;
                    }
                }
                p.copy_from_slice(&bias);
                for (&f, &v) in x.idx.iter().zip(&x.val) {
                    let row = &weights[f as usize * c..(f as usize + 1) * c];
                    for (o, &w) in p.iter_mut().zip(row) {
                        *o += v * w;
                    }
                }
                softmax(&mut p, 1.0);
                p[ys[i]] -= 1.0;
                active.clear();
                for (k, &g) in p.iter().enumerate() {
                    if g.abs() > cfg.grad_eps {
                        active.push((k, lr * g));
                    }
                }
                for &(k, g) in &active {
                    bias[k] -= g;
                }
                for (&f, &v) in x.idx.iter().zip(&x.val) {
                    let row = &mut weights[f as usize * c..(f as usize + 1) * c];
                    for &(k, g) in &active {
                        row[k] -= g * v;
                    }
                }
            }
        }
        (weights, bias)
    }

    /// The faster SGD gives the same bits as label by label, with few and many labels
    /// (rows summed whole, or in blocks), few and many labels active (rows updated
    /// label by label, or whole), weighted examples and word dropout.
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    fn sgd_gives_the_same_bits_as_label_by_label() {
        let mut rng = Rng(11);
        for (c, n_feat, n) in [
            (5usize, 40usize, 60usize),
            (63, 300, 400),
            (150, 900, 900),
            (300, 400, 600),
        ] {
            let mut xs = Vec::new();
            let mut ys = Vec::new();
            for i in 0..n {
                let y = i % c;
                let mut x = SparseVec::default();
                let mut f = rng.below(4);
                while f < n_feat && x.idx.len() < 40 {
                    // Features shared by a label's examples, and others at random.
                    let feature = if rng.below(3) == 0 {
                        (y * 7 + f) % n_feat
                    } else {
                        f
                    };
                    if !x.idx.contains(&(feature as u32)) {
                        x.idx.push(feature as u32);
                        x.val.push(1.0 + rng.below(1000) as f32 / 250.0);
                        x.words.push(1 << rng.below(10));
                    }
                    f += 1 + rng.below(n_feat / 20);
                }
                let norm = x.val.iter().map(|v| v * v).sum::<f32>().sqrt();
                x.val.iter_mut().for_each(|v| *v /= norm);
                xs.push(x);
                ys.push(y);
            }
            let ws: Vec<f32> = (0..n).map(|i| if i % 9 == 0 { 0.5 } else { 1.0 }).collect();
            let data = Examples {
                xs: &xs,
                ys: &ys,
                ws: &ws,
                n_feat,
                c,
            };
            for cfg in [
                TrainConfig {
                    min_updates: 3_000,
                    ..TrainConfig::default()
                },
                TrainConfig {
                    epochs: 3,
                    min_updates: 0,
                    word_dropout: 0.0,
                    grad_eps: 0.0,
                    ..TrainConfig::default()
                },
            ] {
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                let (want_w, want_b) = sgd_label_by_label(&data, &cfg, 5);
                let mut runs = vec![sgd(&data, &cfg, 5)];
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    // The other paths than the CPU's own: narrow blocks, and portable code.
                    // SAFETY: the CPU has AVX2, checked just above, and FMA (the test
                    // only runs where it does).
                    #[allow(unsafe_code)]
                    runs.push(unsafe { sgd_avx2(&data, &cfg, 5) });
                }
                runs.push(sgd_portable::<false>(&data, &cfg, 5));
                for (w, b) in runs {
                    let rows: Vec<f32> = (0..n_feat).flat_map(|f| w.row(f).to_vec()).collect();
                    assert!(bits(&rows) == bits(&want_w), "{c} labels: weights differ");
                    assert!(bits(&b) == bits(&want_b), "{c} labels: biases differ");
                    assert!(rows.iter().any(|&x| x != 0.0));
                    // The padding stays zero.
                    assert!(w.data.iter().filter(|x| **x != 0.0).count() <= n_feat * c);
                }
            }
        }
    }
}
