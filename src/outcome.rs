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

/// JSON written by hand, byte for byte as `serde_json` writes it (compact): for
/// `replykit suggest`, which writes an outcome per message (on the 10k-rule workload,
/// serde's derived code was 5 % of its instructions, this is 1.4 %). Each type is
/// taken apart field by field, so a field added to one of them is a compile error
/// here, and a test compares the bytes with serde_json's on outcomes with every field,
/// escapes and non-ASCII text.
#[cfg(feature = "toolkit")]
mod json {
    use super::*;
    use crate::MessageId;

    impl Outcome {
        /// Appends the outcome's JSON to `out`, exactly the bytes
        /// `serde_json::to_writer(out, self)` writes (no line end), in about a quarter
        /// of its instructions: `replykit suggest` writes its lines with it. Feature
        /// `toolkit`.
        ///
        /// ```
        /// # use replykit::{Engine, Message, RuleSet};
        /// # let engine = Engine::new(&RuleSet::from_toml("t.toml", "")?)?;
        /// let outcome = engine.suggest(&Message::new("hello \"there\""));
        /// let mut line = Vec::new();
        /// outcome.write_json(&mut line);
        /// assert_eq!(line, serde_json::to_vec(&outcome)?);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn write_json(&self, out: &mut Vec<u8>) {
            let Outcome {
                id,
                decision,
                suggestions,
                escalation,
                truncated,
                notice,
                suppressed,
                unreadable,
            } = self;
            out.push(b'{');
            if let Some(id) = id {
                out.extend_from_slice(b"\"id\":");
                write_id(out, id);
                out.push(b',');
            }
            out.extend_from_slice(b"\"decision\":");
            write_str(out, decision.as_str());
            out.extend_from_slice(b",\"suggestions\":");
            write_array(out, suggestions, write_suggestion);
            if let Some(Escalation { rule, reason }) = escalation {
                out.extend_from_slice(b",\"escalation\":{\"rule\":");
                write_str(out, rule);
                out.extend_from_slice(b",\"reason\":");
                write_str(out, reason);
                out.push(b'}');
            }
            if *truncated {
                out.extend_from_slice(b",\"truncated\":true");
            }
            if let Some(n) = notice {
                out.extend_from_slice(b",\"notice\":");
                write_notice(out, n);
            }
            if !suppressed.is_empty() {
                out.extend_from_slice(b",\"suppressed\":");
                write_array(out, suppressed, write_suppressed);
            }
            if !unreadable.is_empty() {
                out.extend_from_slice(b",\"unreadable\":");
                write_strings(out, unreadable);
            }
            out.push(b'}');
        }
    }

    fn write_array<T>(out: &mut Vec<u8>, items: &[T], write: fn(&mut Vec<u8>, &T)) {
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write(out, item);
        }
        out.push(b']');
    }

    fn write_strings(out: &mut Vec<u8>, items: &[String]) {
        write_array(out, items, |out, s| write_str(out, s));
    }

    /// Each object below starts with a key it always has, so every other key is
    /// written with the comma before it.
    fn write_suggestion(out: &mut Vec<u8>, s: &Suggestion) {
        let Suggestion {
            kind,
            id,
            reply,
            score,
            tags,
            evidence,
            variation,
            escalate,
            question,
            missing,
            too_long,
            explained,
        } = s;
        // The quotes around a string are part of the fragments on either side of it.
        out.extend_from_slice(match kind {
            Kind::Rule => b"{\"kind\":\"rule\",\"id\":\"",
            Kind::Faq => b"{\"kind\":\"faq\",\"id\":\"",
        });
        write_unquoted(out, id);
        out.extend_from_slice(b"\",\"reply\":\"");
        write_unquoted(out, reply);
        out.extend_from_slice(b"\",\"score\":");
        write_f64(out, *score);
        out.extend_from_slice(b",\"tags\":");
        write_strings(out, tags);
        out.extend_from_slice(b",\"evidence\":");
        write_array(out, evidence, write_evidence);
        out.extend_from_slice(b",\"variation\":");
        write_u64(out, *variation as u64);
        if *escalate {
            out.extend_from_slice(b",\"escalate\":true");
        }
        if let Some(q) = question {
            out.extend_from_slice(b",\"question\":");
            write_str(out, q);
        }
        if !missing.is_empty() {
            out.extend_from_slice(b",\"missing\":");
            write_strings(out, missing);
        }
        if let Some(long) = too_long {
            out.extend_from_slice(b",\"too_long\":");
            write_too_long(out, long);
        }
        if let Some(share) = explained {
            out.extend_from_slice(b",\"explained\":");
            write_f64(out, *share);
        }
        out.push(b'}');
    }

    fn write_evidence(out: &mut Vec<u8>, e: &Evidence) {
        let Evidence { what, span, kind } = e;
        let Span { start, end } = *span;
        out.extend_from_slice(b"{\"what\":\"");
        write_unquoted(out, what);
        // A span is `[start,end]` (`#[serde(into = "[usize; 2]")]`).
        out.extend_from_slice(b"\",\"span\":[");
        write_u64(out, start as u64);
        out.push(b',');
        write_u64(out, end as u64);
        out.extend_from_slice(match kind {
            EvidenceKind::Phrase => b"],\"kind\":\"phrase\"}",
            EvidenceKind::Regex => b"],\"kind\":\"regex\"}",
            EvidenceKind::Word => b"],\"kind\":\"word\"}",
            EvidenceKind::Typo => b"],\"kind\":\"typo\"}",
        });
    }

    fn write_too_long(out: &mut Vec<u8>, long: &TooLong) {
        let TooLong { length, limit } = *long;
        out.extend_from_slice(b"{\"length\":");
        write_u64(out, length as u64);
        out.extend_from_slice(b",\"limit\":");
        write_u64(out, limit as u64);
        out.push(b'}');
    }

    fn write_notice(out: &mut Vec<u8>, n: &Notice) {
        let Notice {
            id,
            reply,
            variation,
            tags,
            auto_reply,
            missing,
            too_long,
        } = n;
        out.extend_from_slice(b"{\"id\":");
        write_str(out, id);
        out.extend_from_slice(b",\"reply\":");
        write_str(out, reply);
        out.extend_from_slice(b",\"variation\":");
        write_u64(out, *variation as u64);
        out.extend_from_slice(b",\"tags\":");
        write_strings(out, tags);
        out.extend_from_slice(if *auto_reply {
            b",\"auto_reply\":true"
        } else {
            b",\"auto_reply\":false"
        });
        if !missing.is_empty() {
            out.extend_from_slice(b",\"missing\":");
            write_strings(out, missing);
        }
        if let Some(long) = too_long {
            out.extend_from_slice(b",\"too_long\":");
            write_too_long(out, long);
        }
        out.push(b'}');
    }

    fn write_suppressed(out: &mut Vec<u8>, s: &Suppressed) {
        let Suppressed {
            kind,
            id,
            reason,
            until,
        } = s;
        out.extend_from_slice(b"{\"kind\":");
        write_str(out, kind_name(*kind));
        out.extend_from_slice(b",\"id\":");
        write_str(out, id);
        out.extend_from_slice(b",\"reason\":");
        write_str(
            out,
            match reason {
                Suppression::Cooldown => "cooldown",
                Suppression::OncePerConversation => "once_per_conversation",
            },
        );
        if let Some(until) = until {
            out.extend_from_slice(b",\"until\":");
            write_str(out, until);
        }
        out.push(b'}');
    }

    fn kind_name(kind: Kind) -> &'static str {
        match kind {
            Kind::Rule => "rule",
            Kind::Faq => "faq",
        }
    }

    fn write_id(out: &mut Vec<u8>, id: &MessageId) {
        match id {
            MessageId::Text(s) => write_str(out, s),
            MessageId::Unsigned(n) => write_u64(out, *n),
            MessageId::Signed(n) => {
                if *n < 0 {
                    out.push(b'-');
                }
                write_u64(out, n.unsigned_abs());
            }
        }
    }

    /// A whole number's digits.
    fn write_u64(out: &mut Vec<u8>, mut n: u64) {
        if n < 10 {
            out.push(b'0' + n as u8);
            return;
        }
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
    }

    /// A number as serde_json writes it (`1.0`, `0.25`, `1e-7`; `null` when not
    /// finite): serde_json itself writes all but a rule's score of 1.
    fn write_f64(out: &mut Vec<u8>, value: f64) {
        if value == 1.0 {
            out.extend_from_slice(b"1.0");
        } else if serde_json::to_writer(&mut *out, &value).is_err() {
            // Writing to a `Vec` cannot fail.
            out.extend_from_slice(b"null");
        }
    }

    /// Whether any of eight bytes is at most `0x1F`, `"` or `\\`: one JSON escapes.
    fn escapes(chunk: &[u8]) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
        let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
        below_space
            || zero_byte(word ^ (ONES * u64::from(b'"')))
            || zero_byte(word ^ (ONES * u64::from(b'\\')))
    }

    /// Whether a byte is one JSON escapes.
    fn escaped(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\'
    }

    /// Whether any byte of `bytes` is one JSON escapes: eight at a time, the last eight
    /// (overlapping) for what is left.
    fn any_escaped(bytes: &[u8]) -> bool {
        if bytes.len() < 8 {
            return bytes.iter().any(|&b| escaped(b));
        }
        let mut chunks = bytes.chunks_exact(8);
        if chunks.any(escapes) {
            return true;
        }
        bytes
            .get(bytes.len() - 8..)
            .is_some_and(|last| !chunks.remainder().is_empty() && escapes(last))
    }

    /// A JSON string: `"`, the text with `"`, `\` and control characters escaped as
    /// serde_json escapes them (`\n` and its kin, else `\u00XX`), `"`. Most text has
    /// nothing to escape, found eight bytes at a time, and is copied whole.
    fn write_str(out: &mut Vec<u8>, s: &str) {
        out.push(b'"');
        write_unquoted(out, s);
        out.push(b'"');
    }

    /// [`write_str`] without the quotes.
    fn write_unquoted(out: &mut Vec<u8>, s: &str) {
        let bytes = s.as_bytes();
        if any_escaped(bytes) {
            write_escaped(out, bytes);
        } else {
            out.extend_from_slice(bytes);
        }
    }

    /// [`write_str`]'s text with something to escape: runs without an escape copied
    /// whole, each byte to escape written as serde_json writes it.
    #[cold]
    fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(run) = rest.iter().position(|&b| escaped(b)) {
            let (clean, tail) = rest.split_at(run);
            out.extend_from_slice(clean);
            let Some((&byte, tail)) = tail.split_first() else {
                break;
            };
            let short = match byte {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x0C => b'f',
                b'\n' => b'n',
                b'\r' => b'r',
                b'\t' => b't',
                _ => 0,
            };
            if short != 0 {
                out.extend_from_slice(&[b'\\', short]);
            } else {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xF)]);
            }
            rest = tail;
        }
        out.extend_from_slice(rest);
    }
}

#[cfg(all(test, feature = "toolkit"))]
mod json_tests {
    use super::*;
    use crate::{Engine, Message, MessageId, RuleSet};

    fn same_as_serde(outcome: &Outcome) {
        let mut ours = Vec::new();
        outcome.write_json(&mut ours);
        let theirs = serde_json::to_vec(outcome).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    /// Text with every byte JSON escapes, at every place in an eight-byte word, and
    /// text that is not ASCII.
    fn awkward_texts() -> Vec<String> {
        let mut texts = vec![String::new(), "é".into(), "🙏 café\u{2028}\u{7f}".into()];
        let specials = (0u8..0x80).map(char::from).chain(['é', '🙏', '\u{FEFF}']);
        for c in specials {
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopqrstu".chars().take(at).collect();
                s.push(c);
                s.push_str("xyz\"\\");
                texts.push(s);
            }
        }
        texts
    }

    fn suggestion(text: &str, score: f64) -> Suggestion {
        Suggestion {
            kind: Kind::Faq,
            id: text.into(),
            reply: format!("re: {text}"),
            score,
            tags: vec![text.into(), "t".into()],
            evidence: vec![
                Evidence {
                    what: text.into(),
                    span: Span::new(3, 17),
                    kind: EvidenceKind::Word,
                },
                Evidence {
                    what: "x".into(),
                    span: Span::new(0, usize::MAX),
                    kind: EvidenceKind::Typo,
                },
            ],
            variation: 7,
            escalate: true,
            question: Some(text.into()),
            missing: vec![text.into()],
            too_long: Some(TooLong {
                length: 312,
                limit: 280,
            }),
            explained: Some(score / 3.0),
        }
    }

    #[test]
    fn every_field_escapes_and_numbers_are_written_as_serde_json_writes_them() {
        let scores = [
            1.0,
            0.0,
            -0.0,
            0.5,
            0.1 + 0.2,
            1e-7,
            1.234_567_890_123e-300,
            123_456_789.0,
            1e21,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let ids = [
            None,
            Some(MessageId::Text("m-\"1\"".into())),
            Some(MessageId::Unsigned(0)),
            Some(MessageId::Unsigned(u64::MAX)),
            Some(MessageId::Signed(i64::MIN)),
            Some(MessageId::Signed(-42)),
        ];
        let texts = awkward_texts();
        for (i, text) in texts.iter().enumerate() {
            let score = scores[i % scores.len()];
            let mut plain = suggestion(text, score);
            plain.kind = Kind::Rule;
            plain.escalate = false;
            plain.question = None;
            plain.missing.clear();
            plain.too_long = None;
            plain.explained = None;
            plain.evidence[0].kind = if i % 2 == 0 {
                EvidenceKind::Phrase
            } else {
                EvidenceKind::Regex
            };
            let notice = Notice {
                id: text.into(),
                reply: text.into(),
                variation: i,
                tags: vec![text.into()],
                auto_reply: i % 2 == 0,
                missing: vec![text.into()],
                too_long: Some(TooLong {
                    length: i,
                    limit: 0,
                }),
            };
            let full = Outcome {
                id: ids[i % ids.len()].clone(),
                decision: [
                    Decision::AutoReply,
                    Decision::Suggest,
                    Decision::Escalate,
                    Decision::NoAnswer,
                ][i % 4],
                suggestions: vec![suggestion(text, score), plain],
                escalation: Some(Escalation {
                    rule: text.into(),
                    reason: format!("matched {text:?}"),
                }),
                truncated: true,
                notice: Some(notice.clone()),
                suppressed: vec![
                    Suppressed {
                        kind: Kind::Rule,
                        id: text.into(),
                        reason: Suppression::Cooldown,
                        until: Some(text.into()),
                    },
                    Suppressed {
                        kind: Kind::Faq,
                        id: text.into(),
                        reason: Suppression::OncePerConversation,
                        until: None,
                    },
                ],
                unreadable: vec![text.into(), "received_at".into()],
            };
            same_as_serde(&full);
            let bare = Outcome {
                id: None,
                decision: Decision::NoAnswer,
                suggestions: Vec::new(),
                escalation: None,
                truncated: false,
                notice: Some(Notice {
                    missing: Vec::new(),
                    too_long: None,
                    ..notice
                }),
                suppressed: Vec::new(),
                unreadable: Vec::new(),
            };
            same_as_serde(&bare);
        }
    }

    /// The bundled example's own test messages: rules, FAQ scores, notices, escalations.
    #[test]
    fn outcomes_of_the_example_rule_set_are_written_as_serde_json_writes_them() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");
        let set = RuleSet::from_path(dir).unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(&set).unwrap_or_else(|e| panic!("{e}"));
        let mut messages: Vec<Message> = set.tests().iter().map(|t| t.message.clone()).collect();
        messages.extend(awkward_texts().into_iter().map(Message::new));
        assert!(messages.len() > 100);
        for message in &messages {
            same_as_serde(&engine.suggest(message));
        }
    }
}
