//! Turning labelled history into a rule set: one FAQ entry per label.

pub use crate::labelled::label_id;
use crate::labelled::Labelled;
pub(crate) use crate::toml_text::first_free;
pub use crate::toml_text::toml_string;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Each label's id: its [`label_id`], with `-2`, `-3`, … added where labels would share
/// one ("a b" and "a-b"), in label order, so that every id is unique (issue 13: the
/// rule set `import` wrote did not load).
///
/// ```
/// let ids = replykit::import::label_ids(["a b", "a-b", "c"]);
/// assert_eq!(ids["a b"], "a-b");
/// assert_eq!(ids["a-b"], "a-b-2");
/// ```
pub fn label_ids<'a>(labels: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, String> {
    let labels: std::collections::BTreeSet<&str> = labels.into_iter().collect();
    let mut used = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for label in labels {
        let id = first_free(label_id(label), |id| used.contains(id));
        used.insert(id.clone());
        out.insert(label, id);
    }
    out
}

/// An example cut to [`MAX_EXAMPLE_BYTES`](crate::limits::MAX_EXAMPLE_BYTES), at a character
/// boundary, so that a long message in a history does not make a rule set that does
/// not load.
pub(crate) fn example(text: &str) -> &str {
    let mut end = text.len().min(crate::limits::MAX_EXAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or(text)
}

/// The rule-set TOML for labelled messages: `[settings]` with the given thresholds, and
/// one `[[faq]]` per label (in order of first appearance) whose questions are its
/// messages and whose answer is a placeholder to replace. Out-of-scope messages (no
/// label) become `[out_of_scope] examples`, which the classifier learns to tell apart
/// from every entry.
///
/// ```
/// use replykit::eval::Labelled;
/// use replykit::import::{rule_set_toml, Thresholds};
///
/// let toml = rule_set_toml(
///     &[Labelled::new("card not arrived", Some("card_arrival")), Labelled::new("hi", None)],
///     &Thresholds::default(),
/// );
/// let rules = replykit::RuleSet::from_toml("imported.toml", &toml)?;
/// assert_eq!(rules.faqs()[0].answer.id, "card_arrival");
/// assert_eq!(rules.out_of_scope(), ["hi"]);
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn rule_set_toml(data: &[Labelled], thresholds: &Thresholds) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut out_of_scope: Vec<&str> = Vec::new();
    for item in data {
        if crate::text::tokenize(&item.text).len() == 0 {
            continue;
        }
        let Some(label) = item.label.as_deref() else {
            out_of_scope.push(&item.text);
            continue;
        };
        let group = groups.entry(label).or_default();
        if group.is_empty() {
            order.push(label);
        }
        group.push(&item.text);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported from {} labelled messages: one FAQ entry per label.",
        data.len()
    );
    let _ = writeln!(
        out,
        "# Replace each placeholder answer with the reply your team would send.\n"
    );
    let t = thresholds;
    let _ = writeln!(out, "[settings]");
    let _ = writeln!(
        out,
        "# Chosen from these messages by cross-validation (replykit::import::choose_thresholds)."
    );
    // Four decimals, as suggestion scores are given: a threshold near 1 keeps its
    // meaning.
    let _ = writeln!(out, "suggest_threshold = {:.4}", t.suggest_threshold);
    let _ = writeln!(
        out,
        "auto_reply_threshold = {:.4}",
        t.auto_reply_threshold.max(t.suggest_threshold)
    );
    let _ = writeln!(out, "auto_reply_margin = {:.3}", t.auto_reply_margin);
    let _ = writeln!(out, "faq_temperature = {:.3}", t.faq_temperature);
    if !out_of_scope.is_empty() {
        let _ = writeln!(out, "\n[out_of_scope]");
        let _ = writeln!(
            out,
            "# Messages no entry answers: the FAQ classifier learns to tell them apart."
        );
        let _ = writeln!(out, "examples = [");
        for m in &out_of_scope {
            let _ = writeln!(out, "    {},", toml_string(example(m)));
        }
        let _ = writeln!(out, "]");
    }
    let ids = label_ids(order.iter().copied());
    for label in order {
        let questions = groups.get(label).map(Vec::as_slice).unwrap_or(&[]);
        let id = ids.get(label).cloned().unwrap_or_else(|| label_id(label));
        let _ = writeln!(out, "\n[[faq]]");
        let _ = writeln!(out, "id = {}", toml_string(&id));
        let _ = writeln!(out, "questions = [");
        for q in questions {
            let _ = writeln!(out, "    {},", toml_string(example(q)));
        }
        let _ = writeln!(out, "]");
        // The id, not the label: a label such as `{{phone}}` would be a template slot.
        let _ = writeln!(
            out,
            "answer = {}",
            toml_string(&format!("TODO: the answer for {id}."))
        );
    }
    out
}

/// The settings `import` chooses (the crate's one [`Thresholds`]).
pub use crate::Thresholds;

/// Chooses thresholds and calibration from labelled messages alone, by 5-fold
/// cross-validation: the FAQ classifier is trained on four fifths of the messages and
/// scored on the rest, five times over.
///
/// * `faq_temperature` makes the held-out scores honest probabilities (it minimises
///   their log-loss).
/// * Each fold also leaves a fifth of the labels out of training altogether: their
///   messages play the topics no entry covers, in the same words as those it does, so
///   the thresholds see the traffic that matters most. They, and out-of-scope messages
///   (no label), are weighted as half of traffic.
/// * `suggest_threshold` maximises held-out accuracy, counting those messages as right
///   only when nothing is suggested.
/// * `auto_reply_threshold` is the lowest score at which held-out top answers were right
///   at least 98.5 % of the time with 90 % confidence (the Wilson lower bound of their
///   precision; out-of-scope messages weighted the same way), over at least 20 of them.
///   Held-out messages resemble the rest of the training data more than live traffic
///   does, so the measured precision alone would promise too much, above all with few
///   examples.
///
/// A FAQ too big for the classifier (see [`MAX_TRAINING_COST`](crate::limits::MAX_TRAINING_COST))
/// gets the defaults.
pub fn choose_thresholds(data: &[Labelled]) -> Thresholds {
    choose_thresholds_with(data, &ImportOptions::default())
}

/// How [`choose_thresholds_with`] chooses.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The share of live traffic that no entry answers, from 0 to 0.95: the held-out
    /// messages that play it (those of the labels each fold leaves out, and the
    /// out-of-scope ones) are weighted to this share. The default, 0.5, keeps
    /// auto-replies right when half of what people write is about other topics.
    pub unknown_share: f64,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions { unknown_share: 0.5 }
    }
}

impl ImportOptions {
    /// Sets [`unknown_share`](Self::unknown_share) (clamped to 0..=0.95).
    ///
    /// ```
    /// let options = replykit::import::ImportOptions::default().unknown_share(0.8);
    /// assert_eq!(options.unknown_share, 0.8);
    /// ```
    pub fn unknown_share(mut self, share: f64) -> ImportOptions {
        self.unknown_share = if share.is_finite() {
            share.clamp(0.0, 0.95)
        } else {
            0.5
        };
        self
    }
}

/// [`choose_thresholds`] with options: the thresholds of the rule set that
/// [`rule_set_toml`] writes for these messages (see [`choose_thresholds_for`]).
pub fn choose_thresholds_with(data: &[Labelled], options: &ImportOptions) -> Thresholds {
    let toml = rule_set_toml(data, &Thresholds::default());
    match crate::RuleSet::from_toml("imported.toml", &toml) {
        Ok(set) => choose_thresholds_for(&set, options),
        Err(_) => Thresholds::default(),
    }
}

/// Chooses thresholds and calibration for a rule set's FAQ from its own example
/// questions and `[out_of_scope]` examples, as [`choose_thresholds`] describes: the
/// training set and the reading of text (the rule set's language, synonyms and
/// vocabulary) are the engine's own, so a Welsh or French rule set is tuned as the
/// engine will read it. A rule set whose FAQ cannot be trained (no entries, a single
/// entry and no out-of-scope examples, or too big) gets the defaults.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [[faq]]
///     id = "bins"
///     questions = ["when is my bin collected", "bin day", "what day are bins emptied"]
///     answer = "See the bin calendar."
///     [[faq]]
///     id = "tax"
///     questions = ["how do I pay council tax", "council tax bill", "pay my tax"]
///     answer = "Pay online."
/// "#)?;
/// let chosen = replykit::import::choose_thresholds_for(&rules, &Default::default());
/// assert!((0.0..=1.0).contains(&chosen.auto_reply_threshold));
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn choose_thresholds_for(set: &crate::RuleSet, options: &ImportOptions) -> Thresholds {
    let analyzer = crate::engine::analyzer_for(set);
    let options = crate::faq::ThresholdOptions {
        unknown_share: options.unknown_share as f32,
        ..crate::faq::ThresholdOptions::default()
    };
    let Some(t) =
        crate::faq::choose_thresholds_for(&set.faqs, &set.out_of_scope, &analyzer, &options)
    else {
        return Thresholds::default();
    };
    let round = |x: f32| (f64::from(x) * 1e4).round() / 1e4;
    Thresholds {
        suggest_threshold: round(t.suggest).clamp(0.0, 1.0),
        auto_reply_threshold: round(t.auto_reply).clamp(0.0, 1.0),
        auto_reply_margin: round(t.auto_reply_margin).clamp(0.0, 1.0),
        faq_temperature: round(t.temperature).clamp(0.05, 20.0),
    }
}
