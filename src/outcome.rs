//! The output: a decision and ranked, explained suggestions.

use crate::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the host should do with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// The top suggestion is safe to send unattended.
    AutoReply,
    /// A person should pick or edit a suggestion before sending.
    Suggest,
    /// A person must handle this (an escalating rule fired); suggestions are drafts.
    Escalate,
    /// No confident answer: nothing scored at or above `suggest_threshold`.
    NoAnswer,
}

impl Decision {
    /// The snake_case name, as in JSON: `auto_reply`, `suggest`, `escalate`, `no_answer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::AutoReply => "auto_reply",
            Decision::Suggest => "suggest",
            Decision::Escalate => "escalate",
            Decision::NoAnswer => "no_answer",
        }
    }

    /// The decision with that snake_case name.
    ///
    /// ```
    /// use replykit::Decision;
    /// assert_eq!(Decision::from_name("no_answer"), Some(Decision::NoAnswer));
    /// assert_eq!(Decision::from_name("maybe"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Decision> {
        [
            Decision::AutoReply,
            Decision::Suggest,
            Decision::Escalate,
            Decision::NoAnswer,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a suggestion came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// A `[[rule]]`.
    Rule,
    /// A `[[faq]]` entry.
    Faq,
}

/// What kind of thing matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// A phrase of a rule condition (`what` is the phrase as written).
    Phrase,
    /// A `when.regex` pattern (`what` is the pattern).
    Regex,
    /// A message word that an FAQ entry's questions share (`what` is its stem).
    Word,
    /// A message word read as a likely typo of a known word (`what` is that word).
    Typo,
}

/// One reason for a suggestion: what matched, and where in the message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// The phrase, pattern or word that matched.
    pub what: String,
    /// Where in the original message text.
    pub span: Span,
    /// What kind of match.
    pub kind: EvidenceKind,
}

/// A suggested reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suggestion {
    /// A rule or an FAQ entry.
    pub kind: Kind,
    /// The rule's or entry's id.
    pub id: String,
    /// The rendered reply.
    pub reply: String,
    /// How sure, from 0 to 1. A rule that fires scores 1. An FAQ entry scores the
    /// similarity of the message to its closest example question (see the crate docs,
    /// "Scores").
    pub score: f64,
    /// The rule's or entry's tags.
    pub tags: Vec<String>,
    /// What matched, and where.
    pub evidence: Vec<Evidence>,
    /// Which variation of the reply was rendered (0 for the first).
    pub variation: usize,
    /// Whether this rule escalates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalate: bool,
    /// For an FAQ suggestion, the example question the message was closest to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Template values the message lacked (rendered as nothing). A suggestion with
    /// missing values is never auto-replied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Why a message was escalated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Escalation {
    /// The escalating rule (the highest-priority one, when several fired).
    pub rule: String,
    /// What fired it, such as `matched "smell gas"`.
    pub reason: String,
}

/// The result of [`Engine::suggest`](crate::Engine::suggest).
///
/// Serialises to the JSON of the integration contract:
/// `{"decision": "suggest", "suggestions": [{"kind": "faq", "id": ..., "reply": ...,
/// "score": ..., "tags": [...], "evidence": [{"what": ..., "span": [3, 6], ...}]}]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// What to do.
    pub decision: Decision,
    /// Ranked suggestions, best first; at most `max_suggestions`, each at or above
    /// `suggest_threshold` (escalating rules are always included).
    pub suggestions: Vec<Suggestion>,
    /// Set when the decision is `escalate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// Whether the message was longer than `max_message_bytes` and only its start was
    /// read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl Outcome {
    /// The top suggestion, if any.
    pub fn top(&self) -> Option<&Suggestion> {
        self.suggestions.first()
    }
}

/// A ranked candidate, before thresholds and rendering: see [`Engine::rank`](crate::Engine::rank).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ranked {
    /// A rule or an FAQ entry.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its score, 0 to 1.
    pub score: f64,
    /// Whether it is an escalating rule.
    pub escalate: bool,
}
