//! FAQ-entry classifier: sparse multinomial logistic regression over word, stem,
//! stem-bigram and character n-gram features (sublinear tf times inverse class
//! frequency, L2-normalised), trained by SGD with word dropout; plus temperature
//! calibration and cross-validated threshold selection.
//!
//! Everything is deterministic: training is single-threaded and shuffles with a seeded
//! generator, so the same examples and configuration produce a bit-identical model.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::features::{Extractor, FeatureConfig, IdentityHasher, Kind};
use lookup::HashTable;
use train::{sgd, Examples};
use vector::KnownWords;

mod expf;
mod lookup;
mod train;
mod vector;

/// Feature hash → feature id.
type FeatureMap = HashTable<u32>;

/// Training hyper-parameters. `TrainConfig::default()` is tuned for FAQ sets with
/// 1–150 example questions per entry.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Which features to extract.
    pub features: FeatureConfig,
    /// Passes of SGD over the training examples.
    pub epochs: usize,
    /// Minimum number of SGD updates: small training sets get more epochs, up to this
    /// many updates in total (helps entries with few examples).
    pub min_updates: usize,
    /// Initial SGD learning rate (decays linearly to zero).
    pub learning_rate: f32,
    /// Features seen in fewer training messages than this are dropped.
    pub min_df: u32,
    /// How much features unseen in training count towards the L2 norm of a message
    /// (0 = ignore them, 1 = count them with the largest term weight). Messages made of unknown
    /// words thus get weaker, less confident scores.
    pub unknown_weight: f32,
    /// Probability of dropping each input word of a training message at every SGD step
    /// (data augmentation that mostly helps entries with few examples). Not applied
    /// when there is at most one example per label.
    pub word_dropout: f32,
    /// Exponent applied to the idf weights (0 = plain tf, 1 = tf-idf).
    pub idf_power: f32,
    /// Exponent applied to the inverse class frequency weights (0 = off): features that
    /// occur in the examples of few entries are up-weighted.
    pub icf_power: f32,
    /// Softmax-gradient entries smaller than this are skipped (speed; 0 = exact SGD).
    pub grad_eps: f32,
    /// Seed for the example shuffling.
    pub seed: u64,
    /// Small training sets (those that `min_updates` gives extra epochs) are trained this
    /// many times, with different seeds, and the weights averaged: with few examples per
    /// entry, one SGD run's weights depend much on its shuffles and word dropouts. Fewer
    /// runs if they would cost more than [`MAX_TRAINING_COST`](super::MAX_TRAINING_COST).
    /// Prediction costs the same.
    pub small_set_runs: usize,
}

impl TrainConfig {
    /// Epochs of one SGD run over `examples` (at least 1) messages: `epochs`, or more
    /// for a small set, so that a run makes about `min_updates` steps (at most 1,000
    /// epochs).
    fn epochs_for(&self, examples: usize) -> usize {
        self.epochs
            .max(self.min_updates.div_ceil(examples).min(1000))
    }

    /// Number of SGD runs averaged for `examples` training messages and `labels` labels
    /// (see [`small_set_runs`](Self::small_set_runs)); at least 1.
    pub fn runs(&self, examples: usize, labels: usize) -> usize {
        if examples == 0 || self.epochs.saturating_mul(examples) >= self.min_updates {
            return 1;
        }
        let one_run = self.min_updates.saturating_mul(labels).max(1);
        self.small_set_runs
            .min(super::MAX_TRAINING_COST / one_run)
            .max(1)
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            epochs: 15,
            min_updates: 40_000,
            learning_rate: 1.0,
            min_df: 1,
            unknown_weight: 1.0,
            word_dropout: 0.3,
            idf_power: 0.0,
            icf_power: 1.0,
            grad_eps: 1e-3,
            seed: 0x5eed_f00d,
            small_set_runs: 3,
        }
    }
}

/// A trained classifier. Immutable after training; `Send + Sync`.
pub struct Model {
    extractor: Extractor,
    n_labels: usize,
    /// The length of a weight row (see [`stride`]): `n_labels`, the rest zeros.
    stride: usize,
    vocab: FeatureMap,
    /// The training words' own features, looked up once.
    known: KnownWords,
    /// Per-feature term weight: idf^idf_power * icf^icf_power * family weight.
    idf: Vec<f32>,
    /// Term weight given to features never seen in training.
    unknown_idf: f32,
    unknown_weight: f32,
    /// Feature-major weights quantised to 8 bits: the weight of feature `f` for label
    /// `c` is `qweights[f * stride + c] as f32 * qscale[f]`.
    qweights: Vec<i8>,
    /// Per-feature dequantisation scale.
    qscale: Vec<f32>,
    bias: Vec<f32>,
    temperature: f32,
}

/// Sparse L2-normalised TF-IDF vector.
#[derive(Clone, Debug, Default)]
struct SparseVec {
    idx: Vec<u32>,
    val: Vec<f32>,
    /// Per feature: bit set of the input words that produced it (word i -> bit min(i, 63)).
    words: Vec<u64>,
}

/// A message's features, kept from [`Model::predict_features`] to explain the
/// prediction without extracting them again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    x: SparseVec,
    n_words: usize,
}

impl Features {
    /// The number of words of the message (as the classifier took them).
    pub(crate) fn n_words(&self) -> usize {
        self.n_words
    }
}

impl Drop for Features {
    /// Gives the vector's room to the thread's next message (see [`vector::recycle`]).
    fn drop(&mut self) {
        vector::recycle(std::mem::take(&mut self.x));
    }
}

/// Deterministic splitmix64 generator.
pub(super) struct Rng(pub(super) u64);

/// What [`Rng`] adds to its state at each draw.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// The words one SGD step keeps (word dropout): 64 draws, bit `b` set if draw `b`'s
    /// top 53 bits are below `below`. The same draws as 64 calls of `next`, computed
    /// side by side (the `b`th state is the first plus `b` times [`GAMMA`]).
    #[inline(always)]
    fn keep_mask(&mut self, below: u64) -> u64 {
        let first = self.0;
        let mut keep = 0u64;
        for b in 0..64u64 {
            let state = first.wrapping_add((b + 1).wrapping_mul(GAMMA));
            keep |= u64::from(mix(state) >> 11 < below) << b;
        }
        self.0 = first.wrapping_add(64u64.wrapping_mul(GAMMA));
        keep
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `x.round().clamp(-127.0, 127.0) as i8` (0 for NaN), without a call to the library's
/// `roundf`, so that a loop of them is vectorised: clamping first changes no result,
/// the clamped value truncates exactly to an `i32`, and the part cut off is exact.
#[inline(always)]
fn quantise(x: f32) -> i8 {
    let x = x.clamp(-127.0, 127.0);
    let t = x as i32;
    let away = i32::from((x - t as f32).abs() >= 0.5);
    (t + if x < 0.0 { -away } else { away }) as i8
}

/// splitmix64's output function.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline]
fn sublinear(tf: usize) -> f32 {
    1.0 + (tf as f32).ln()
}

/// In-place softmax of `v` with `1/temperature` scaling.
#[inline(always)]
pub(super) fn softmax(v: &mut [f32], inv_t: f32) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return;
    }
    let mut sum = 0.0f32;
    for x in v.iter_mut() {
        *x = ((*x - max) * inv_t).exp();
        sum += *x;
    }
    if sum > 0.0 {
        let inv = 1.0 / sum;
        for x in v.iter_mut() {
            *x *= inv;
        }
    }
}

impl Model {
    /// Trains a model on `(words, label)` pairs; labels must be `< n_labels` (others are
    /// ignored). Works with any number of examples, including none (then every label
    /// gets the same score).
    #[cfg(any(test, feature = "toolkit"))]
    pub fn train(examples: &[(Vec<String>, usize)], n_labels: usize, cfg: &TrainConfig) -> Model {
        Model::train_weighted(examples, &[], n_labels, cfg)
    }

    /// [`train`](Self::train), with a weight for each example (its SGD steps are scaled
    /// by it; 1 is an ordinary example, and examples past the end of `weights` weigh 1):
    /// weaker evidence, such as an FAQ entry's answer text, weighs less than 1.
    pub fn train_weighted(
        examples: &[(Vec<String>, usize)],
        weights: &[f32],
        n_labels: usize,
        cfg: &TrainConfig,
    ) -> Model {
        let mut extractor = Extractor::new(cfg.features.clone());
        let weight_of = |i: usize| weights.get(i).copied().unwrap_or(1.0);
        let ws: Vec<f32> = (0..examples.len())
            .filter(|&i| examples[i].1 < n_labels)
            .map(weight_of)
            .collect();
        let examples: Vec<&(Vec<String>, usize)> =
            examples.iter().filter(|(_, y)| *y < n_labels).collect();

        // 1. Document frequencies -> vocabulary (training data only).
        let mut raw: Vec<u64> = Vec::new();
        // hash -> (document frequency, number of labels, last label seen + 1)
        let mut df: HashMap<u64, (u32, u32, usize), BuildHasherDefault<IdentityHasher>> =
            HashMap::default();
        let mut by_label: Vec<usize> = (0..examples.len()).collect();
        by_label.sort_by_key(|&i| examples[i].1); // stable: deterministic
        for &i in &by_label {
            let (words, y) = examples[i];
            extractor.cache_stems(words);
            extractor.extract(words, &mut raw);
            raw.sort_unstable();
            raw.dedup();
            for &r in &raw {
                let e = df.entry(r).or_insert((0, 0, 0));
                e.0 += 1;
                if e.2 != *y + 1 {
                    e.1 += 1;
                    e.2 = *y + 1;
                }
            }
        }
        let mut keys: Vec<(u64, u32, u32, Kind)> = df
            .into_iter()
            .filter(|(_, d)| d.0 >= cfg.min_df.max(1))
            .map(|(h, d)| (h, d.0, d.1, Kind::of_hash(h)))
            .collect();
        // Most frequent features first (hot weight rows share cache lines and pages);
        // ties broken by hash so the order is deterministic.
        keys.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let n_docs = examples.len() as f32;
        let mut vocab = FeatureMap::with_capacity(keys.len());
        let mut idf = Vec::with_capacity(keys.len());
        let n_cls = n_labels as f32;
        for (i, (h, d, cf, k)) in keys.iter().enumerate() {
            vocab.insert(*h, i as u32);
            let idf_w = (((n_docs + 1.0) / (*d as f32 + 1.0)).ln() + 1.0).powf(cfg.idf_power);
            let icf_w = if cfg.icf_power != 0.0 {
                (((n_cls + 1.0) / (*cf as f32 + 1.0)).ln() + 1.0).powf(cfg.icf_power)
            } else {
                1.0
            };
            idf.push(idf_w * icf_w * extractor.weight(*k));
        }
        // Unseen features count as rare as possible (df = 0, in no class).
        let unknown_idf = ((n_docs + 1.0).ln() + 1.0).powf(cfg.idf_power)
            * ((n_labels as f32 + 1.0).ln() + 1.0).powf(cfg.icf_power);
        let n_feat = idf.len();
        let known = KnownWords::build(
            &extractor,
            &vocab,
            &idf,
            examples
                .iter()
                .flat_map(|(w, _)| w.iter().map(String::as_str)),
        );

        let stride = stride(n_labels);
        let mut model = Model {
            extractor,
            n_labels,
            stride,
            vocab,
            known,
            idf,
            unknown_idf,
            unknown_weight: cfg.unknown_weight,
            qweights: Vec::new(),
            qscale: vec![0.0; n_feat],
            bias: vec![0.0; n_labels],
            temperature: 1.0,
        };
        if n_labels == 0 || examples.is_empty() {
            model.qweights = vec![0; n_feat * stride];
            return model;
        }

        // 2. Vectorise the training set once.
        let xs: Vec<SparseVec> = examples.iter().map(|(w, _)| model.sparse(w, &[])).collect();
        let ys: Vec<usize> = examples.iter().map(|(_, y)| *y).collect();

        // 3. SGD: the average of `runs` runs with different seeds (the first with
        //    `cfg.seed`, so a single run is unchanged).
        let c = n_labels;
        let runs = cfg.runs(xs.len(), c);
        // With one example per label (or fewer), dropping words from it takes away most
        // of the only evidence there is: no word dropout then. Weaker examples (an
        // answer text) do not count.
        let one_shot;
        let full = ws.iter().filter(|w| **w >= 1.0).count();
        let cfg = if full <= c && cfg.word_dropout > 0.0 {
            one_shot = TrainConfig {
                word_dropout: 0.0,
                ..cfg.clone()
            };
            &one_shot
        } else {
            cfg
        };
        let data = Examples {
            xs: &xs,
            ys: &ys,
            ws: &ws,
            n_feat,
            c,
        };
        let (mut weights, mut bias) = sgd(&data, cfg, cfg.seed);
        for run in 1..runs {
            let seed = cfg.seed ^ (run as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let (w, b) = sgd(&data, cfg, seed);
            weights.add(&w);
            bias.iter_mut().zip(&b).for_each(|(a, x)| *a += x);
        }
        if runs > 1 {
            let inv = 1.0 / runs as f32;
            weights.scale(inv);
            bias.iter_mut().for_each(|b| *b *= inv);
        }

        // 4. Quantise to 8 bits per weight with a per-feature scale (4x smaller and
        //    faster to score; the rounding error is far below the decision margins).
        model.bias = bias;
        model.qweights = vec![0; n_feat * stride];
        for f in 0..n_feat {
            let row = weights.row(f);
            let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            if max > 0.0 {
                let scale = max / 127.0;
                model.qscale[f] = scale;
                let inv = 1.0 / scale;
                for (q, &w) in model.qweights[f * stride..f * stride + c]
                    .iter_mut()
                    .zip(row)
                {
                    *q = quantise(w * inv);
                }
            }
        }
        let (qweights, qscale, idf) = (&model.qweights, &model.qscale, &model.idf);
        model.known.set_rows(
            stride,
            |f| {
                qweights
                    .get(f * stride..(f + 1) * stride)
                    .unwrap_or_default()
            },
            |f| idf.get(f).copied().unwrap_or(0.0) * qscale.get(f).copied().unwrap_or(0.0),
        );
        model
    }

    /// Returns the model with a different softmax temperature (the threshold search of the authors' toolkit chooses it).
    /// Values `<= 0` or non-finite are ignored.
    pub fn with_temperature(mut self, temperature: f32) -> Model {
        if temperature.is_finite() && temperature > 0.0 {
            self.temperature = temperature;
        }
        self
    }

    /// Number of labels (FAQ entries).
    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Number of features kept in the vocabulary.
    pub fn n_features(&self) -> usize {
        self.idf.len()
    }

    /// Raw (untempered) logits of a vectorised message.
    fn logits_into(&self, x: &SparseVec, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            #[allow(unsafe_code)]
            unsafe {
                self.logits_into_avx512(x, out)
            };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            #[allow(unsafe_code)]
            unsafe {
                self.logits_into_avx2(x, out)
            };
            return;
        }
        self.logits_into_portable(x, out)
    }

    /// [`logits_into`](Self::logits_into) compiled for AVX2: the same loop, eight
    /// labels at a time. Without FMA, so the results are bit-identical to the portable
    /// code's.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn logits_into_avx2(&self, x: &SparseVec, out: &mut [f32]) {
        self.logits_into_portable(x, out)
    }

    /// [`logits_into`](Self::logits_into) compiled for AVX-512: sixteen labels at a
    /// time, and a block of 64 in four registers. Without FMA, as above.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn logits_into_avx512(&self, x: &SparseVec, out: &mut [f32]) {
        self.logits_into_portable(x, out)
    }

    /// The portable body of [`logits_into`](Self::logits_into).
    #[inline(always)]
    fn logits_into_portable(&self, x: &SparseVec, out: &mut [f32]) {
        sum_rows(
            &self.bias,
            out,
            self.stride,
            &FeatureRows { model: self, x },
        );
    }

    /// Raw logits (before temperature and softmax) for a message.
    #[cfg(feature = "toolkit")]
    pub fn logits(&self, words: &[&str]) -> Vec<f32> {
        self.logits_hinted(words, &[])
    }

    /// [`logits`](Self::logits), with `unseen[i]` saying that word `i`'s stem is no
    /// training stem (which saves stemming it).
    #[cfg(any(test, feature = "toolkit"))]
    pub fn logits_hinted(&self, words: &[&str], unseen: &[bool]) -> Vec<f32> {
        let mut out = vec![0.0; self.n_labels];
        self.sparse_logits(words, unseen, &mut out);
        out
    }

    /// Calibrated probability per label (sums to 1; empty if the model has no labels).
    /// Deterministic. A message with no known feature gets the label prior.
    #[cfg(test)]
    pub fn predict(&self, words: &[&str], unseen: &[bool]) -> Vec<f32> {
        let mut p = self.logits_hinted(words, unseen);
        softmax(&mut p, 1.0 / self.temperature);
        p
    }

    /// [`predict`](Self::predict), also giving the message's features for
    /// [`contributions_of`](Self::contributions_of).
    pub(crate) fn predict_features(&self, words: &[&str], unseen: &[bool]) -> (Vec<f32>, Features) {
        let mut p = vec![0.0; self.n_labels];
        let x = self.sparse_logits(words, unseen, &mut p);
        vector::softmax(&mut p, 1.0 / self.temperature);
        (
            p,
            Features {
                x,
                n_words: words.len(),
            },
        )
    }

    /// Contribution of every input word to `label`'s logit, from kept features: like
    /// [`contributions`](Self::contributions), but a feature's weight is split evenly
    /// among the words that produced it (words past the 64th share the last slot).
    pub(crate) fn contributions_of(&self, features: &Features, label: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; features.n_words];
        let (c, stride) = (self.n_labels, self.stride);
        if label >= c {
            return out;
        }
        let x = &features.x;
        // The label's weights: feature `f`'s at `f * stride`.
        let column = self.qweights.get(label..).unwrap_or_default();
        for (i, ((&f, &v), &mask)) in x.idx.iter().zip(&x.val).zip(&x.words).enumerate() {
            // One weight per scattered row: ask for one a few features ahead.
            if let Some(&ahead) = x.idx.get(i + CONTRIBUTIONS_AHEAD) {
                vector::prefetch_at(column, ahead as usize * stride);
            }
            let f = f as usize;
            let (Some(&q), Some(&scale)) = (column.get(f * stride), self.qscale.get(f)) else {
                continue;
            };
            let share = v * f32::from(q) * scale;
            if mask & mask.wrapping_sub(1) == 0 {
                // One word's (dividing by 1 changes no bit).
                if let Some(slot) = out.get_mut(mask.trailing_zeros() as usize) {
                    *slot += share;
                }
            } else {
                spread(&mut out, mask, share / sharing(mask));
            }
        }
        out
    }

    /// [`contributions_of`](Self::contributions_of) for each of `labels` in one pass
    /// over the features (what they share is read once), label after label in `out`
    /// (`features`' number of words each): the same operations in the same order for
    /// each label, so the same bits.
    pub(crate) fn contributions_of_labels(
        &self,
        features: &Features,
        labels: &[usize],
        out: &mut Vec<f32>,
    ) {
        let n = features.n_words;
        if let [label] = labels {
            // One label: the plain loop (its vector, not a copy).
            *out = self.contributions_of(features, *label);
            return;
        }
        out.clear();
        out.resize(n * labels.len(), 0.0);
        let (c, stride) = (self.n_labels, self.stride);
        // (where the label's contributions start in `out`, the label); other labels
        // get zeros.
        let known: Vec<(usize, usize)> = (labels.iter().enumerate())
            .filter(|&(_, &label)| label < c)
            .map(|(k, &label)| (k * n, label))
            .collect();
        // The labels' part of a row, to ask for a few features ahead.
        let (Some(lo), Some(hi)) = (
            known.iter().map(|k| k.1).min(),
            known.iter().map(|k| k.1).max(),
        ) else {
            return;
        };
        let x = &features.x;
        for (i, ((&f, &v), &mask)) in x.idx.iter().zip(&x.val).zip(&x.words).enumerate() {
            if let Some(&ahead) = x.idx.get(i + CONTRIBUTIONS_AHEAD) {
                vector::prefetch(&self.qweights, ahead as usize * stride + lo, hi - lo + 1);
            }
            let f = f as usize;
            let (Some(row), Some(&scale)) = (
                self.qweights.get(f * stride..(f + 1) * stride),
                self.qscale.get(f),
            ) else {
                continue;
            };
            let words = sharing(mask);
            for &(base, label) in &known {
                let Some(&q) = row.get(label) else {
                    continue;
                };
                if let Some(label_out) = out.get_mut(base..base + n) {
                    spread(label_out, mask, v * f32::from(q) * scale / words);
                }
            }
        }
    }

    /// Contribution of every input word to `label`'s logit (same length as `words`;
    /// see [`contributions_of`](Self::contributions_of)). Out-of-range labels give
    /// zeros.
    pub fn contributions(&self, words: &[&str], unseen: &[bool], label: usize) -> Vec<f32> {
        let (_, features) = self.predict_features(words, unseen);
        self.contributions_of(&features, label)
    }
}

/// Adds `share` to the slot of each word in `mask` (bit `i`: word `i`; bits past
/// `out`'s end are ignored): how [`Model::contributions_of`] and
/// [`Model::contributions_of_labels`] split a feature's weight among its words.
#[inline]
fn spread(out: &mut [f32], mask: u64, share: f32) {
    let mut bits = mask;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if let Some(slot) = out.get_mut(i) {
            *slot += share;
        }
    }
}

/// Weight rows of a [`BLOCK`] of labels or more are padded to a multiple of this
/// many labels.
const LANES: usize = 32;

/// The length of a weight row for `n_labels` labels: as many, rounded up to a
/// multiple of [`LANES`] if rows are summed a [`BLOCK`] at a time (shorter rows are
/// summed whole, and need no padding).
fn stride(n_labels: usize) -> usize {
    if n_labels < BLOCK {
        n_labels
    } else {
        n_labels.next_multiple_of(LANES)
    }
}

/// Labels summed at a time (in registers) where a row holds that many.
const BLOCK: usize = 64;

/// Logits of some labels, each summed from rows in turn (`acc[k] += v * row[k]`: the
/// same operations in the same order as one label at a time, so the same bits).
pub(super) trait Acc {
    /// Adds `v` times the floats of `rows` from `at` (nothing if out of bounds).
    fn add_f32(&mut self, rows: &[f32], at: usize, v: f32);
    /// Adds `v` times the weights of `rows` from `at` (nothing if out of bounds).
    fn add_i8(&mut self, rows: &[i8], at: usize, v: f32);
}

/// A block of `B` labels, kept in registers.
struct Block<const B: usize>([f32; B]);

impl<const B: usize> Acc for Block<B> {
    #[inline(always)]
    fn add_f32(&mut self, rows: &[f32], at: usize, v: f32) {
        let Some(row) = rows.get(at..at + B) else {
            return;
        };
        for (a, &r) in self.0.iter_mut().zip(row) {
            *a += v * r;
        }
    }

    #[inline(always)]
    fn add_i8(&mut self, rows: &[i8], at: usize, v: f32) {
        let Some(row) = rows.get(at..at + B) else {
            return;
        };
        for (a, &q) in self.0.iter_mut().zip(row) {
            *a += v * f32::from(q);
        }
    }
}

/// All the labels at once, in memory (for rows shorter than a [`Block`]).
struct Whole<'a>(&'a mut [f32]);

impl Acc for Whole<'_> {
    #[inline(always)]
    fn add_f32(&mut self, rows: &[f32], at: usize, v: f32) {
        let Some(row) = rows.get(at..at + self.0.len()) else {
            return;
        };
        for (a, &r) in self.0.iter_mut().zip(row) {
            *a += v * r;
        }
    }

    #[inline(always)]
    fn add_i8(&mut self, rows: &[i8], at: usize, v: f32) {
        let Some(row) = rows.get(at..at + self.0.len()) else {
            return;
        };
        for (a, &q) in self.0.iter_mut().zip(row) {
            *a += v * f32::from(q);
        }
    }
}

/// Rows to sum into logits, a block of labels at a time.
pub(super) trait Rows {
    /// Adds the rows' labels from `start` to `acc`, row after row.
    fn add_to(&self, acc: &mut impl Acc, start: usize);
}

/// The logits of labels `start..start + B`: the bias, then the rows in turn, summed in
/// registers and written to `out`.
#[inline(always)]
pub(super) fn block<const B: usize>(bias: &[f32], start: usize, out: &mut [f32], rows: &impl Rows) {
    let mut acc = Block([0.0f32; B]);
    for (a, &b) in acc.0.iter_mut().zip(bias.get(start..).unwrap_or_default()) {
        *a = b;
    }
    rows.add_to(&mut acc, start);
    for (o, &a) in out
        .get_mut(start..)
        .unwrap_or_default()
        .iter_mut()
        .zip(&acc.0)
    {
        *o = a;
    }
}

/// The logits `bias + sum of rows` into `out` (`n_labels` long), from rows `stride`
/// long: [`BLOCK`] labels at a time, the last block ending at the end of the rows
/// (overlapping the one before it: labels summed twice get the same sums twice);
/// all at once, in `out`, if the rows are shorter than a block.
#[inline(always)]
pub(super) fn sum_rows(bias: &[f32], out: &mut [f32], stride: usize, rows: &impl Rows) {
    let Some(last) = stride.checked_sub(BLOCK) else {
        out.copy_from_slice(bias);
        rows.add_to(&mut Whole(out), 0);
        return;
    };
    let mut start = 0;
    while start < out.len() {
        let at = start.min(last);
        block::<BLOCK>(bias, at, out, rows);
        start = at + BLOCK;
    }
}

/// A message's feature rows, each at its weight times dequantisation scale.
struct FeatureRows<'a> {
    model: &'a Model,
    x: &'a SparseVec,
}

impl Rows for FeatureRows<'_> {
    #[inline(always)]
    fn add_to(&self, acc: &mut impl Acc, start: usize) {
        let m = self.model;
        for (&f, &v) in self.x.idx.iter().zip(&self.x.val) {
            let f = f as usize;
            let v = v * m.qscale.get(f).copied().unwrap_or(0.0);
            acc.add_i8(&m.qweights, f * m.stride + start, v);
        }
    }
}

/// How many words a feature's contribution is shared among (its words' bits in `mask`;
/// at least 1).
#[inline(always)]
fn sharing(mask: u64) -> f32 {
    // Most features are one word's: no bit count then (without the POPCNT
    // instruction, which x86-64's baseline lacks, a count costs a dozen).
    if mask & mask.wrapping_sub(1) == 0 {
        1.0
    } else {
        mask.count_ones() as f32
    }
}

/// How many features ahead [`Model::contributions_of`] asks for a weight.
const CONTRIBUTIONS_AHEAD: usize = 8;

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A training example: its words, split at spaces, and its label.
    pub(in crate::faq) fn ex(s: &str, y: usize) -> (Vec<String>, usize) {
        (s.split(' ').map(String::from).collect(), y)
    }

    #[test]
    fn empty_and_tiny() {
        let m = Model::train(&[], 3, &TrainConfig::default());
        let p = m.predict(&[], &[]);
        assert_eq!(p.len(), 3);
        let m = Model::train(
            &[ex("lost my card", 0), ex("open an account", 1)],
            2,
            &TrainConfig::default(),
        );
        let p = m.predict(&["card", "lost"], &[]);
        assert!(p[0] > p[1]);
        let c = m.contributions(&["card", "lost", "zzz"], &[false, false, true], 0);
        assert_eq!(c.len(), 3);
        assert!(c[0] > 0.0 && c[2] == 0.0);
        assert!(m.predict(&[], &[]).iter().all(|x| x.is_finite()));
    }

    #[test]
    fn one_example_per_label_is_trained_without_word_dropout() {
        let data = vec![ex("lost my card", 0), ex("open an account", 1)];
        let cfg = TrainConfig {
            min_updates: 2_000,
            ..TrainConfig::default()
        };
        let with = Model::train(&data, 2, &cfg);
        let without = Model::train(
            &data,
            2,
            &TrainConfig {
                word_dropout: 0.0,
                ..cfg.clone()
            },
        );
        assert_eq!(
            (&with.qweights, &with.qscale, &with.bias),
            (&without.qweights, &without.qscale, &without.bias)
        );
        // Two examples of a label: dropout applies.
        let data = vec![
            ex("lost my card", 0),
            ex("card stolen", 0),
            ex("open an account", 1),
        ];
        let with = Model::train(&data, 2, &cfg);
        let without = Model::train(
            &data,
            2,
            &TrainConfig {
                word_dropout: 0.0,
                ..cfg
            },
        );
        assert_ne!(
            (&with.qweights, &with.qscale, &with.bias),
            (&without.qweights, &without.qscale, &without.bias)
        );
    }

    #[test]
    fn small_sets_average_several_runs() {
        let cfg = TrainConfig::default();
        assert_eq!(cfg.runs(0, 10), 1);
        // 5 examples per label: `min_updates` sets the length of training.
        assert_eq!(cfg.runs(750, 150), 3);
        // `epochs` passes make enough updates.
        assert_eq!(cfg.runs(15_000, 150), 1);
        // Within the training budget: fewer runs for a big FAQ with few examples.
        assert_eq!(cfg.runs(2_000, 500), 2);
        assert_eq!(cfg.runs(2_000, 1_000), 1);
        let one = TrainConfig {
            small_set_runs: 1,
            ..TrainConfig::default()
        };
        assert_eq!(one.runs(750, 150), 1);
    }

    #[test]
    fn block_sums_are_the_sums_label_by_label() {
        struct Plain<'a> {
            f32s: &'a [f32],
            i8s: &'a [i8],
            list: &'a [(usize, f32)],
            stride: usize,
        }
        impl Rows for Plain<'_> {
            fn add_to(&self, acc: &mut impl Acc, start: usize) {
                for &(r, v) in self.list {
                    acc.add_f32(self.f32s, r * self.stride + start, v);
                    acc.add_i8(self.i8s, r * self.stride + start, v);
                }
            }
        }
        let mut rng = Rng(7);
        let mut float = || (rng.next() >> 40) as f32 / (1u64 << 20) as f32 - 2.0;
        for c in [1usize, 31, 32, 33, 63, 64, 65, 100, 151, 200] {
            let stride = stride(c);
            let f32s: Vec<f32> = (0..5 * stride).map(|_| float()).collect();
            let i8s: Vec<i8> = f32s.iter().map(|x| (x * 60.0) as i8).collect();
            let list: Vec<(usize, f32)> = (0..12).map(|i| (i % 5, float())).collect();
            let bias: Vec<f32> = (0..c).map(|_| float()).collect();
            let mut out = vec![0.0; c];
            let rows = Plain {
                f32s: &f32s,
                i8s: &i8s,
                list: &list,
                stride,
            };
            sum_rows(&bias, &mut out, stride, &rows);
            for (k, (&o, &b)) in out.iter().zip(&bias).enumerate() {
                let mut want = b;
                for &(r, v) in &list {
                    want += v * f32s[r * stride + k];
                    want += v * f32::from(i8s[r * stride + k]);
                }
                assert_eq!(o.to_bits(), want.to_bits(), "{c} labels, label {k}");
            }
        }
    }

    #[test]
    fn quantise_is_round_then_clamp() {
        let mut rng = Rng(3);
        let mut xs = vec![
            0.5, -0.5, 1.5, -1.5, 126.5, 127.49, 127.5, -127.5, 300.0, -1e9,
        ];
        xs.extend([
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            0.49999997,
            -0.49999997,
        ]);
        xs.extend((0..100_000).map(|_| (rng.next() >> 40) as f32 / 32768.0 - 256.0));
        for x in xs {
            assert_eq!(quantise(x), x.round().clamp(-127.0, 127.0) as i8, "{x}");
        }
    }

    #[test]
    fn contributions_to_several_labels_are_each_labels_own() {
        let data = vec![
            ex("lost my card", 0),
            ex("card stolen yesterday", 1),
            ex("open an account", 2),
            ex("new account please", 2),
        ];
        let m = Model::train(&data, 3, &TrainConfig::default());
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // A short message, and one of more than 64 words (which share the last bit).
        let long: Vec<&str> = ["card", "lost", "account", "zzz", "stolen"]
            .into_iter()
            .cycle()
            .take(70)
            .collect();
        for words in [&["card", "lost", "account", "zzz", "card"][..], &long] {
            let (_, features) = m.predict_features(words, &[]);
            // An unknown label gives zeros, as it does alone.
            let labels = [2, 0, 7, 1];
            let mut all = Vec::new();
            m.contributions_of_labels(&features, &labels, &mut all);
            let n = words.len();
            assert_eq!(all.len(), labels.len() * n);
            for (k, &label) in labels.iter().enumerate() {
                let one = m.contributions_of(&features, label);
                assert_eq!(bits(&all[k * n..(k + 1) * n]), bits(&one), "label {label}");
            }
        }
    }

    #[test]
    fn model_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Model>();
    }

    #[test]
    fn deterministic() {
        let data = vec![
            ex("lost my card", 0),
            ex("card stolen", 0),
            ex("open an account", 1),
            ex("new account please", 1),
        ];
        let a = Model::train(&data, 2, &TrainConfig::default());
        let b = Model::train(&data, 2, &TrainConfig::default());
        assert_eq!(a.qweights, b.qweights);
        assert_eq!(a.qscale, b.qscale);
        assert_eq!(a.bias, b.bias);
    }
}
