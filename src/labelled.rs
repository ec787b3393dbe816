//! Labelled messages, as `eval` measures on them and `import` learns from: the one
//! place both read, so that neither depends on the other.

use serde::{Deserialize, Serialize};

/// A message with the id that should answer it; `label: None` means out of scope (only
/// "no confident answer" is right). The JSON-lines form is
/// `{"text": "...", "label": "bin-day"}` or `{"text": "...", "label": null}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Labelled {
    /// The message text.
    pub text: String,
    /// The right rule or FAQ id, or `None` for out of scope.
    #[serde(default)]
    pub label: Option<String>,
}

impl Labelled {
    /// A labelled message.
    pub fn new(text: impl Into<String>, label: Option<&str>) -> Labelled {
        Labelled {
            text: text.into(),
            label: label.map(str::to_string),
        }
    }
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
