//! The output: a decision and ranked, explained suggestions.

use crate::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the host should do with a message.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

impl std::str::FromStr for Decision {
    type Err = UnknownDecision;

    /// The decision with that snake_case name (see [`Decision::from_name`]).
    ///
    /// ```
    /// let d: replykit::Decision = "auto_reply".parse().unwrap();
    /// assert_eq!(d, replykit::Decision::AutoReply);
    /// assert!("maybe".parse::<replykit::Decision>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Decision, UnknownDecision> {
        Decision::from_name(name).ok_or_else(|| UnknownDecision(name.to_string()))
    }
}

/// A name that is none of `auto_reply`, `suggest`, `escalate`, `no_answer`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown decision `{0}`: expected auto_reply, suggest, escalate or no_answer")]
pub struct UnknownDecision(pub String);

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a suggestion came from.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
///
/// ```
/// use replykit::{Engine, Kind, Message, RuleSet};
///
/// let rules = RuleSet::from_toml("t.toml", r#"
///     [[faq]]
///     id = "bin-day"
///     questions = ["When is my bin collected?", "bin collection day"]
///     answer = "Find your collection day online."
///     tags = ["waste"]
/// "#)?;
/// let engine = Engine::new(&rules)?;
/// let outcome = engine.suggest(&Message::new("which day is bin collection?"));
/// let top = outcome.top().expect("a suggestion");
/// assert_eq!((top.kind, top.id.as_str()), (Kind::Faq, "bin-day"));
/// assert_eq!(top.tags, ["waste"]);
/// assert!(top.score > 0.0 && top.score <= 1.0);
/// assert_eq!(top.question.as_deref(), Some("bin collection day"));
/// assert!(top.evidence.iter().any(|e| e.what == "bin"));
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// probability that it is the right answer (the classifier's, calibrated by
    /// `faq_temperature`), or, for a FAQ matched by retrieval, the similarity of the
    /// message to its closest example question (see the crate docs, "Scores").
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
    /// Set when the reply is longer than the message's channel allows
    /// (`[channels.NAME] max_length`). The reply is never cut; it is never auto-replied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_long: Option<TooLong>,
    /// For an FAQ suggestion, how much of the message the entry explains: the share of
    /// the message's topic words (weighted by rarity) that its example questions use,
    /// from 0 to 1. Below [`MIN_EXPLAINED_SHARE`](crate::MIN_EXPLAINED_SHARE) it is
    /// never auto-replied: most of what the message says is unknown to the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained: Option<f64>,
}

/// What in a suggestion itself keeps it from being sent unattended: the engine's
/// decision, `explain` and the `[[test]]` runner all read these, from
/// [`Suggestion::blockers`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Blocker<'s> {
    /// Template values the message lacked.
    Missing(&'s [String]),
    /// The reply overflows the channel.
    TooLong(TooLong),
    /// The FAQ entry explains less than [`MIN_EXPLAINED_SHARE`](crate::MIN_EXPLAINED_SHARE)
    /// of the message.
    Unexplained(f64),
}

impl std::fmt::Display for Blocker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocker::Missing(names) => write!(
                f,
                "the message lacks values its reply uses: {}",
                names.join(", ")
            ),
            Blocker::TooLong(long) => write!(
                f,
                "its reply is {} characters, over the channel's max_length {}",
                long.length, long.limit
            ),
            Blocker::Unexplained(share) => write!(
                f,
                "most of the message's words are unknown to this entry: its questions use \
                 only {:.0} % of them, weighted by rarity, negated ones left out (it needs \
                 {:.0} %)",
                100.0 * share,
                100.0 * crate::MIN_EXPLAINED_SHARE
            ),
        }
    }
}

impl Suggestion {
    /// What in the suggestion keeps it from being sent unattended, whatever its score:
    /// empty when nothing does.
    pub(crate) fn blockers(&self) -> impl Iterator<Item = Blocker<'_>> {
        let missing = (!self.missing.is_empty()).then_some(Blocker::Missing(&self.missing));
        let too_long = self.too_long.map(Blocker::TooLong);
        let unexplained = self
            .explained
            .filter(|&e| e < crate::MIN_EXPLAINED_SHARE)
            .map(Blocker::Unexplained);
        missing.into_iter().chain(too_long).chain(unexplained)
    }
}

/// A reply longer than its channel allows: `{"length": 312, "limit": 280}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TooLong {
    /// The reply's length, in characters (Unicode scalar values).
    pub length: usize,
    /// The channel's `max_length`.
    pub limit: usize,
}

/// A standing reply for every message at this time, such as "we're closed, a person
/// will be back at 8:30am on Tuesday 29 December": from a rule whose only conditions
/// are `when.outside_hours` / `when.inside_hours` (and channel, author or fields).
///
/// It goes beside the answer, not instead of it: send it as well as an auto-reply, or
/// alone while the suggestions wait for a person. See the crate docs, "Office hours".
///
/// In JSON:
///
/// ```
/// let notice: replykit::Notice = serde_json::from_str(r#"{
///     "id": "out-of-hours", "variation": 0, "tags": [], "auto_reply": true,
///     "reply": "We're closed. A person will be back at 8:30am on Tuesday 29 December."
/// }"#)?;
/// assert!(notice.auto_reply && notice.missing.is_empty() && notice.too_long.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notice {
    /// The rule's id.
    pub id: String,
    /// The rendered reply.
    pub reply: String,
    /// Which variation of the reply was rendered (0 for the first).
    pub variation: usize,
    /// The rule's tags.
    pub tags: Vec<String>,
    /// Whether it is safe to send unattended: the rule allows auto-reply, the reply
    /// lacks no message value and fits the channel.
    pub auto_reply: bool,
    /// Template values the message lacked, as for [`Suggestion::missing`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Set when the reply is longer than the channel allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_long: Option<TooLong>,
}

/// Why a suggestion was held back.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Suppression {
    /// The author had it less than its `cooldown` ago.
    Cooldown,
    /// The author had it already and it says `once_per_conversation = true`.
    OncePerConversation,
}

/// A rule or FAQ entry that would have been suggested (or given as the notice) but
/// was held back because of what the author already had.
///
/// In JSON:
///
/// ```
/// use replykit::{Suppressed, Suppression};
///
/// let s: Suppressed = serde_json::from_str(
///     r#"{"kind": "rule", "id": "thanks", "reason": "cooldown", "until": "2026-12-03T09:00:00Z"}"#,
/// )?;
/// assert_eq!(s.reason, Suppression::Cooldown);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suppressed {
    /// A rule or an FAQ entry.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Why.
    pub reason: Suppression,
    /// For a cooldown, when it ends (RFC 3339, UTC), if the history says when the
    /// author last had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// Why a message was escalated.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
///
/// ```
/// use replykit::{Decision, Engine, Message, RuleSet};
///
/// let rules = RuleSet::from_toml("t.toml", r#"
///     [[rule]]
///     id = "missed-bin"
///     when.all = ["bin"]
///     when.any = ["missed"]
///     reply = "Sorry! Report it at https://example.gov.uk/bins."
/// "#)?;
/// let engine = Engine::new(&rules)?;
/// let outcome = engine.suggest(&Message::new("my bin was missed"));
/// assert_eq!(outcome.decision, Decision::AutoReply);
/// let json = serde_json::to_value(&outcome)?;
/// assert_eq!(json["decision"], "auto_reply");
/// assert_eq!(json["suggestions"][0]["id"], "missed-bin");
/// assert_eq!(json["suggestions"][0]["evidence"][0]["span"], serde_json::json!([3, 6]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The message's [`id`](crate::Message::id), given back as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::MessageId>,
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
    /// The notice for this time (out of office hours, say), to send beside the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// Rules and FAQ entries held back by the author's history (`cooldown`,
    /// `once_per_conversation`); the next candidates took their places.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// Message values that could not be read and were treated as absent:
    /// `received_at` (the host's clock was used), `history[N].at` (that reply counts as
    /// just sent); and, from `replykit suggest`, keys of the JSON line that no message
    /// carries (see [`Message::KEYS`](crate::Message::KEYS)), with a "did you mean".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

impl Outcome {
    /// The outcome with every evidence span counted in `unit` in `text`, the message's
    /// text (see [`Span::in_units`](crate::Span::in_units)): for hosts whose strings are
    /// not indexed by bytes. The escalation's `reason` keeps byte offsets.
    pub fn with_offsets(mut self, text: &str, unit: crate::Offsets) -> Outcome {
        if unit != crate::Offsets::Bytes {
            for e in self
                .suggestions
                .iter_mut()
                .flat_map(|s| s.evidence.iter_mut())
            {
                e.span = e.span.in_units(text, unit);
            }
        }
        self
    }

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
