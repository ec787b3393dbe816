//! Turning labelled history into a rule set: one FAQ entry per label.

use crate::eval::Labelled;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Quotes a string as a TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label made into a valid id: letters, digits, `-`, `_` and `.` kept, anything else
/// becomes `-`.
pub fn label_id(label: &str) -> String {
    let id: String = label
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() {
        "unnamed".to_string()
    } else {
        id
    }
}

/// The rule-set TOML for labelled messages: `[settings]` with the given thresholds, and
/// one `[[faq]]` per label (in order of first appearance) whose questions are its
/// messages and whose answer is a placeholder to replace. Out-of-scope messages (no
/// label) become no entry.
///
/// ```
/// use replykit::eval::Labelled;
///
/// let toml = replykit::import::rule_set_toml(
///     &[Labelled::new("card not arrived", Some("card_arrival")), Labelled::new("hi", None)],
///     0.3,
///     0.9,
/// );
/// let rules = replykit::RuleSet::from_toml("imported.toml", &toml)?;
/// assert_eq!(rules.faqs()[0].id, "card_arrival");
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn rule_set_toml(
    data: &[Labelled],
    suggest_threshold: f64,
    auto_reply_threshold: f64,
) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for item in data {
        let Some(label) = item.label.as_deref() else {
            continue;
        };
        if crate::text::tokenize(&item.text).len() == 0 {
            continue;
        }
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
    let _ = writeln!(out, "[settings]");
    let _ = writeln!(out, "suggest_threshold = {suggest_threshold:.3}");
    let _ = writeln!(
        out,
        "auto_reply_threshold = {:.3}",
        auto_reply_threshold.max(suggest_threshold)
    );
    for label in order {
        let questions = groups.get(label).map(Vec::as_slice).unwrap_or(&[]);
        let _ = writeln!(out, "\n[[faq]]");
        let _ = writeln!(out, "id = {}", toml_string(&label_id(label)));
        let _ = writeln!(out, "questions = [");
        for q in questions {
            let _ = writeln!(out, "    {},", toml_string(q));
        }
        let _ = writeln!(out, "]");
        let _ = writeln!(
            out,
            "answer = {}",
            toml_string(&format!("TODO: the answer for {label}."))
        );
    }
    out
}

/// Thresholds chosen for a rule set.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Thresholds {
    /// Below this, no suggestion.
    pub suggest: f64,
    /// At or above this, safe to send unattended.
    pub auto_reply: f64,
}

/// Chooses thresholds from labelled messages alone (placeholder: the defaults).
pub fn choose_thresholds(_data: &[Labelled]) -> Thresholds {
    Thresholds {
        suggest: 0.35,
        auto_reply: 0.85,
    }
}
