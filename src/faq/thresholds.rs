//! Choosing thresholds and calibration from a FAQ's own examples, by cross-validation
//! that holds out whole entries as well as messages (the authors' toolkit: `replykit
//! import` and [`choose_thresholds_for`](crate::import::choose_thresholds_for); an
//! engine never runs it).

use std::collections::HashMap;

use super::classifier::{softmax, Model, Rng, TrainConfig};

/// The best label, its score and the runner-up's score (0 without one); ties go to the
/// lowest index. `None` if empty.
fn top2(p: &[f32]) -> Option<(usize, f32, f32)> {
    let mut best: Option<(usize, f32)> = None;
    let mut second = 0.0f32;
    for (i, &s) in p.iter().enumerate() {
        match best {
            Some((_, bs)) if s <= bs => second = second.max(s),
            Some((_, bs)) => {
                second = second.max(bs);
                best = Some((i, s));
            }
            None => best = Some((i, s)),
        }
    }
    best.map(|(label, score)| (label, score, second))
}

/// The Wilson score lower bound of a proportion `p` measured on `n` items, at the
/// one-sided normal quantile `z`.
fn wilson_lower_bound(p: f64, n: f64, z: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    (centre - spread) / (1.0 + z2 / n)
}

/// Options for [`choose_thresholds`].
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdOptions {
    /// Number of cross-validation folds (at least 2).
    pub folds: usize,
    /// Precision wanted for unattended replies (on held-out training data).
    pub auto_reply_precision: f32,
    /// How sure the held-out data must make that precision: the one-sided normal
    /// quantile of the Wilson lower bound that must reach `auto_reply_precision` (0 =
    /// the measured precision itself; the default, 1.28, = 90 % confidence). Held-out
    /// data flatter a model (they resemble its training data more than live traffic
    /// does), most when there are few of them.
    pub confidence_z: f32,
    /// Runner-up must be at least this far below the top probability for auto-reply.
    pub auto_reply_margin: f32,
    /// Assumed share of live traffic that no entry answers: messages about topics the
    /// FAQ does not cover, often in the same words as those it does. The held-out
    /// messages that play them (those of the entries each fold leaves out, and the
    /// `[out_of_scope]` examples) are weighted to this share when choosing thresholds.
    pub unknown_share: f32,
    /// Hold out whole entries as well as messages: in each fold, a `1 / folds` share of
    /// the entries is left out of training, and their messages play the topics no entry
    /// covers, so the thresholds see in-domain unknown topics. Without it, only
    /// `[out_of_scope]` examples (if any) do.
    pub hold_out_entries: bool,
    /// Minimum number of held-out predictions above the auto-reply threshold.
    pub min_support: usize,
}

impl Default for ThresholdOptions {
    fn default() -> Self {
        ThresholdOptions {
            folds: 5,
            auto_reply_precision: 0.985,
            confidence_z: 1.28,
            auto_reply_margin: 0.0,
            unknown_share: 0.5,
            hold_out_entries: true,
            min_support: 20,
        }
    }
}

/// Calibration and decision thresholds chosen from training data alone.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen {
    /// Softmax temperature to apply with [`Model::with_temperature`].
    pub temperature: f32,
    /// Below this top probability: "no confident answer".
    pub suggest: f32,
    /// At or above this top probability (and runner-up at least `auto_reply_margin`
    /// lower): safe to reply unattended.
    pub auto_reply: f32,
    /// Required gap between top and runner-up probability for auto-reply.
    pub auto_reply_margin: f32,
}

impl Default for Chosen {
    fn default() -> Self {
        Chosen {
            temperature: 1.0,
            suggest: 0.3,
            auto_reply: 0.9,
            auto_reply_margin: 0.0,
        }
    }
}

/// Held-out prediction used for calibration.
struct HeldOut {
    logits: Vec<f32>,
    label: Option<usize>,
}

/// Picks temperature, suggest and auto-reply thresholds by k-fold cross-validation on the
/// training examples. `label: None` marks out-of-scope examples: as in the engine (see
/// `[out_of_scope]`), they are trained as one more class, label `n_labels`, and held
/// out they measure how often such messages would be answered. Without any, the suggest
/// threshold is where held-out answers become more likely right than wrong.
/// `always_trained` examples (such as entry ids) join every fold's training data and
/// are never held out.
pub fn choose_thresholds(
    examples: &[(Vec<String>, Option<usize>)],
    always_trained: &[(Vec<String>, usize)],
    n_labels: usize,
    cfg: &TrainConfig,
    opts: &ThresholdOptions,
) -> Chosen {
    let folds = opts.folds.max(2);
    let classes = n_labels + usize::from(examples.iter().any(|e| e.1.is_none()));
    // Stratified, deterministic fold assignment: round-robin within each label.
    let mut counter: HashMap<Option<usize>, usize> = HashMap::new();
    let fold_of: Vec<usize> = examples
        .iter()
        .map(|(_, y)| {
            let c = counter.entry(*y).or_insert(0);
            *c += 1;
            (*c - 1) % folds
        })
        .collect();
    // Which fold leaves each label out: round-robin over a seeded shuffle of the labels
    // (so neighbouring ids, often related topics, are not left out together).
    let mut order: Vec<usize> = (0..n_labels).collect();
    let mut rng = Rng(cfg.seed ^ 0x6c61_6265_6c73);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut group_of = vec![usize::MAX; n_labels];
    // With fewer than two labels per fold, leaving labels out would leave too little.
    if opts.hold_out_entries && n_labels >= 2 * folds {
        for (rank, &label) in order.iter().enumerate() {
            group_of[label] = rank % folds;
        }
    }
    let left_out = |y: Option<usize>, k: usize| y.is_some_and(|y| group_of.get(y) == Some(&k));
    let mut held: Vec<HeldOut> = Vec::new();
    for k in 0..folds {
        let train: Vec<(Vec<String>, usize)> = examples
            .iter()
            .zip(&fold_of)
            .filter(|((_, y), f)| **f != k && !left_out(*y, k))
            .filter_map(|((w, y), _)| match *y {
                Some(y) if y < n_labels => Some((w.clone(), y)),
                None => Some((w.clone(), n_labels)),
                Some(_) => None,
            })
            .chain(
                always_trained
                    .iter()
                    .filter(|(_, y)| !left_out(Some(*y), k))
                    .cloned(),
            )
            .collect();
        if train.is_empty() {
            continue;
        }
        let model = Model::train(&train, classes, cfg);
        // Each message is held out once: as itself in its own fold, or, when that fold
        // leaves its label out, as a message no entry answers.
        for ((w, y), &f) in examples.iter().zip(&fold_of) {
            if f == k {
                let words: Vec<&str> = w.iter().map(String::as_str).collect();
                held.push(HeldOut {
                    logits: model.logits(&words),
                    label: if left_out(*y, k) { None } else { *y },
                });
            }
        }
    }
    if held.iter().all(|h| h.label.is_none()) {
        // No held-out answer to learn from (one example per label, say): nothing shows
        // that any score is safe to send unattended.
        return Chosen {
            auto_reply: f32::INFINITY,
            ..Chosen::default()
        };
    }

    // Weights: in-scope messages and those no entry answers (held-out entries'
    // messages and out-of-scope examples) each make up their assumed share of traffic.
    let n_in = held.iter().filter(|h| h.label.is_some()).count().max(1) as f64;
    let n_oos = held.iter().filter(|h| h.label.is_none()).count();
    let pi = if n_oos > 0 {
        f64::from(opts.unknown_share.clamp(0.0, 0.99))
    } else {
        0.0
    };
    let w_in = (1.0 - pi) / n_in;
    let w_oos = if n_oos > 0 { pi / n_oos as f64 } else { 0.0 };

    // Temperature: the top score should be the probability that the top answer is
    // right, in traffic with messages no entry answers: minimise the weighted held-out
    // log-loss of "the top entry is right". (In f64 and in log space, so that a score
    // near 1 is not rounded to 1.)
    let top_loss = |t: f32| -> f64 {
        let inv = 1.0 / f64::from(t);
        let mut s = 0.0f64;
        for h in &held {
            let entries = h.logits.get(..n_labels).unwrap_or(&h.logits);
            let Some((top, &l_top)) = entries
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            else {
                continue;
            };
            // log Σ exp((l_i - l_top) / t), over every class and over the others.
            let (mut all, mut others) = (0.0f64, 0.0f64);
            for (i, &l) in h.logits.iter().enumerate() {
                let e = (f64::from(l - l_top) * inv).exp();
                all += e;
                if i != top {
                    others += e;
                }
            }
            let log_p = -all.ln();
            let log_not_p = others.max(1e-300).ln() - all.ln();
            let right = h.label == Some(top);
            let w = if h.label.is_some() { w_in } else { w_oos };
            s -= w * if right { log_p } else { log_not_p };
        }
        s
    };
    let mut best_t = 1.0f32;
    let mut best = f64::INFINITY;
    for i in 0..=120 {
        let t = 0.05f32 * (1.05f32).powi(i); // 0.05 .. ~17
        let v = top_loss(t);
        if v < best {
            best = v;
            best_t = t;
        }
    }

    // Per held-out item: (top prob, margin, correct?, in-scope?)
    let mut items: Vec<(f32, f32, bool, bool)> = held
        .iter()
        .filter_map(|h| {
            let mut p = h.logits.clone();
            softmax(&mut p, 1.0 / best_t);
            // The out-of-scope class is no answer.
            p.truncate(n_labels);
            let (label, score, runner_up) = top2(&p)?;
            Some((
                score,
                score - runner_up,
                h.label == Some(label),
                h.label.is_some(),
            ))
        })
        .collect();
    items.sort_by(|a, b| b.0.total_cmp(&a.0));

    // Suggest threshold: scan descending scores; "accept everything >= s".
    let mut suggest = 0.0f32;
    {
        let mut gain = 0.0f64;
        let mut best_gain = 0.0f64; // accepting nothing
        let mut best_s = items.first().map_or(1.0, |x| x.0 + 1e-6);
        for (idx, it) in items.iter().enumerate() {
            gain += if it.3 {
                // In scope: right -> gained; wrong -> lost (only without OOS data).
                if it.2 {
                    w_in
                } else if n_oos == 0 {
                    -w_in
                } else {
                    0.0
                }
            } else {
                -w_oos
            };
            let next_differs = items.get(idx + 1).is_none_or(|n| n.0 < it.0);
            if next_differs && gain > best_gain {
                best_gain = gain;
                best_s = it.0;
            }
        }
        if best_s.is_finite() {
            suggest = best_s;
        }
    }

    // Auto-reply threshold: lowest score with weighted precision >= target.
    let mut auto = f32::INFINITY; // never, unless some threshold reaches the target
    {
        let (mut right, mut total, mut total_sq, mut count) = (0.0f64, 0.0f64, 0.0f64, 0usize);
        let z = f64::from(opts.confidence_z.max(0.0));
        let target = f64::from(opts.auto_reply_precision);
        for (idx, it) in items.iter().enumerate() {
            if it.1 >= opts.auto_reply_margin {
                let w = if it.3 { w_in } else { w_oos };
                total += w;
                total_sq += w * w;
                if it.2 {
                    right += w;
                }
                count += 1;
            }
            let next_differs = items.get(idx + 1).is_none_or(|n| n.0 < it.0);
            if next_differs
                && count >= opts.min_support
                && total > 0.0
                // Weighted items: the effective sample size is (Σw)² / Σw².
                && wilson_lower_bound(right / total, total * total / total_sq, z)
                    >= target
            {
                auto = it.0;
            }
        }
    }
    Chosen {
        temperature: best_t,
        suggest,
        auto_reply: auto.max(suggest),
        auto_reply_margin: opts.auto_reply_margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::classifier::tests::ex;

    #[test]
    fn wilson_bound_is_below_the_measure_and_tightens_with_more_items() {
        assert_eq!(wilson_lower_bound(0.9, 100.0, 0.0), 0.9);
        let few = wilson_lower_bound(0.99, 50.0, 1.645);
        let many = wilson_lower_bound(0.99, 5000.0, 1.645);
        assert!(few < many && many < 0.99, "{few} {many}");
        // 50 of 50 right: still only about 95 % sure of 95 %.
        assert!((wilson_lower_bound(1.0, 50.0, 1.645) - 0.949).abs() < 0.002);
        assert_eq!(wilson_lower_bound(1.0, 0.0, 1.645), 0.0);
    }

    #[test]
    fn thresholds_small_and_empty() {
        let t = choose_thresholds(
            &[],
            &[],
            3,
            &TrainConfig::default(),
            &ThresholdOptions::default(),
        );
        // No evidence: no auto-reply.
        assert_eq!(
            t,
            Chosen {
                auto_reply: f32::INFINITY,
                ..Chosen::default()
            }
        );
        let data: Vec<(Vec<String>, Option<usize>)> = vec![
            (ex("lost my card", 0).0, Some(0)),
            (ex("card stolen", 0).0, Some(0)),
            (ex("open an account", 1).0, Some(1)),
            (ex("new account please", 1).0, Some(1)),
            (ex("what is the weather", 0).0, None),
        ];
        let t = choose_thresholds(
            &data,
            &[],
            2,
            &TrainConfig::default(),
            &ThresholdOptions::default(),
        );
        assert!(t.temperature > 0.0 && t.suggest <= t.auto_reply);
        assert_eq!(top2(&[]), None);
        assert_eq!(top2(&[0.4, 0.6, 0.0]), Some((1, 0.6, 0.4)));
        assert_eq!(top2(&[0.2, 0.2]), Some((0, 0.2, 0.2)));
    }

    #[test]
    fn holding_out_entries_makes_auto_reply_wary_of_sibling_topics() {
        // Ten topics in five sibling pairs that share their words ("card lost" and
        // "card stolen"): with one sibling unknown, its messages go to the other,
        // confidently. Held-out entries show that; held-out messages alone do not.
        let pairs = ["card", "transfer", "account", "loan", "phone"];
        let mut data: Vec<(Vec<String>, Option<usize>)> = Vec::new();
        for (p, topic) in pairs.iter().enumerate() {
            for (s, kind) in ["lost", "stolen"].iter().enumerate() {
                for i in 0..12 {
                    let text = format!(
                        "my {topic} was {kind} help {}",
                        ["please", "now", "today", "urgent"][i % 4]
                    );
                    data.push((text.split(' ').map(String::from).collect(), Some(2 * p + s)));
                }
            }
        }
        // Short training: this test is about the held-out data, not the model.
        let cfg = TrainConfig {
            min_updates: 2_000,
            small_set_runs: 1,
            ..TrainConfig::default()
        };
        let with = choose_thresholds(&data, &[], 10, &cfg, &ThresholdOptions::default());
        let without = choose_thresholds(
            &data,
            &[],
            10,
            &cfg,
            &ThresholdOptions {
                hold_out_entries: false,
                ..ThresholdOptions::default()
            },
        );
        assert!(without.auto_reply.is_finite(), "{without:?}");
        assert!(with.auto_reply > without.auto_reply, "{with:?} {without:?}");
    }
}
