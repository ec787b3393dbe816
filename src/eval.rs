//! Measuring answer quality on labelled messages.
//!
//! A team's history is the best test set it has: each message with the id of the FAQ
//! entry (or rule) that should answer it, or no label when nothing should. [`evaluate`]
//! runs every message through an [`Engine`] and reports how often the right answer comes
//! first, how often the engine would answer unattended and how often it is right when it
//! does, and how often it rightly says "no confident answer".

pub use crate::labelled::Labelled;
use crate::{Decision, Engine, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

/// Two labels the engine mixes up: `expected` was right, `got` came first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Confusion {
    /// The right id.
    pub expected: String,
    /// The id ranked first instead.
    pub got: String,
    /// How many messages.
    pub count: usize,
}

/// The figures [`evaluate`] reports. Rates are fractions from 0 to 1; a rate over no
/// messages is 0, and a precision over no decisions is `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EvalReport {
    /// Messages evaluated.
    pub messages: usize,
    /// Messages with a label.
    pub in_scope: usize,
    /// Messages without one.
    pub out_of_scope: usize,
    /// In-scope messages whose label ranks first, thresholds ignored.
    pub top1_accuracy: f64,
    /// In-scope messages whose label ranks in the first three, thresholds ignored.
    pub top3_accuracy: f64,
    /// With thresholds: in-scope messages whose top suggestion is the label, and
    /// out-of-scope messages with no suggestion, over all messages.
    pub overall_accuracy: f64,
    /// With thresholds: in-scope messages whose top suggestion is the label.
    pub in_scope_accuracy: f64,
    /// Out-of-scope messages that got "no confident answer".
    pub oos_recall: f64,
    /// Messages decided `auto_reply`, over all messages.
    pub auto_reply_rate: f64,
    /// Of those, how many had the right answer; `None` (JSON `null`) when nothing was
    /// auto-replied: no auto-reply is not a wrong one.
    pub auto_reply_precision: Option<f64>,
    /// Messages decided `suggest`, over all messages.
    pub suggest_rate: f64,
    /// Of those, how many had the right answer first; `None` when none was.
    pub suggest_precision: Option<f64>,
    /// The most frequent mix-ups (thresholds ignored), most first, at most 10.
    pub confused: Vec<Confusion>,
    /// Messages per second through `suggest`, on one thread.
    pub messages_per_second: f64,
}

/// How many messages [`evaluate`] answers at once (on every core with the `parallel`
/// feature) before counting them.
const CHUNK: usize = 1024;

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// `right` out of `decided`, or `None` when nothing was decided.
fn precision(right: usize, decided: usize) -> Option<f64> {
    (decided > 0).then(|| ratio(right, decided))
}

/// Runs every message through `engine` and measures the answers.
///
/// ```
/// use replykit::eval::{evaluate, Labelled};
///
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [[faq]]
///     id = "bin-day"
///     questions = ["when is my bin collected", "bin collection day"]
///     answer = "See the bins page."
/// "#)?;
/// let engine = replykit::Engine::new(&rules)?;
/// let report = evaluate(&engine, &[
///     Labelled::new("when are bins collected", Some("bin-day")),
///     Labelled::new("what is the capital of France", None),
/// ]);
/// assert_eq!(report.top1_accuracy, 1.0);
/// assert_eq!(report.oos_recall, 1.0);
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn evaluate(engine: &Engine, data: &[Labelled]) -> EvalReport {
    let mut in_scope = 0;
    let (mut top1, mut top3) = (0, 0);
    let (mut right, mut in_scope_right, mut oos_right) = (0, 0, 0);
    let (mut auto, mut auto_right, mut suggest, mut suggest_right) = (0, 0, 0, 0);
    let mut confused: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Each message's answers, on every core with the `parallel` feature, a chunk at a
    // time (so that only a chunk's outcomes are held); counted in file order.
    let answered = data.chunks(CHUNK).flat_map(|chunk| {
        crate::batch::map(chunk, |item| {
            // Labels are ids; a label that is not a valid id is read the way `import` made
            // it into one.
            let label = item.label.as_deref().map(crate::labelled::label_id);
            let message = Message::new(item.text.as_str());
            let start = Instant::now();
            let outcome = engine.suggest(&message);
            let elapsed = start.elapsed().as_secs_f64();
            let ranked = label.as_ref().map(|_| engine.rank(&message, 3));
            (label, outcome, ranked, elapsed)
        })
    });
    let mut elapsed = 0.0;
    for (label, outcome, ranked, took) in answered {
        elapsed += took;
        let top = outcome.top().map(|s| s.id.as_str());
        let answered = outcome.decision != Decision::NoAnswer;
        let correct = match &label {
            Some(label) => answered && top == Some(label.as_str()),
            None => !answered,
        };
        right += usize::from(correct);
        match outcome.decision {
            Decision::AutoReply => {
                auto += 1;
                auto_right += usize::from(correct);
            }
            Decision::Suggest => {
                suggest += 1;
                suggest_right += usize::from(correct);
            }
            _ => {}
        }
        match (&label, ranked) {
            (Some(label), Some(ranked)) => {
                in_scope += 1;
                in_scope_right += usize::from(correct);
                let position = ranked.iter().position(|r| r.id == *label);
                top1 += usize::from(position == Some(0));
                top3 += usize::from(position.is_some_and(|p| p < 3));
                if let Some(first) = ranked.first().filter(|r| r.id != *label) {
                    *confused
                        .entry((label.clone(), first.id.clone()))
                        .or_insert(0) += 1;
                }
            }
            _ => oos_right += usize::from(correct),
        }
    }
    let n = data.len();
    let out_of_scope = n - in_scope;
    let mut confused: Vec<Confusion> = confused
        .into_iter()
        .map(|((expected, got), count)| Confusion {
            expected,
            got,
            count,
        })
        .collect();
    confused.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.expected.cmp(&b.expected))
    });
    confused.truncate(10);
    EvalReport {
        messages: n,
        in_scope,
        out_of_scope,
        top1_accuracy: ratio(top1, in_scope),
        top3_accuracy: ratio(top3, in_scope),
        overall_accuracy: ratio(right, n),
        in_scope_accuracy: ratio(in_scope_right, in_scope),
        oos_recall: ratio(oos_right, out_of_scope),
        auto_reply_rate: ratio(auto, n),
        auto_reply_precision: precision(auto_right, auto),
        suggest_rate: ratio(suggest, n),
        suggest_precision: precision(suggest_right, suggest),
        confused,
        messages_per_second: if elapsed > 0.0 {
            n as f64 / elapsed
        } else {
            0.0
        },
    }
}
