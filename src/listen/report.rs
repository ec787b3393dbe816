//! The report: plain serde values, so that a host can show it in its own UI.

use crate::Decision;
use serde::{Deserialize, Serialize};

/// What a message history shows: coverage, use of the rule set, what nothing answers,
/// what is rising, and escalations. Built by [`Listener::finish`](super::Listener::finish).
///
/// Every list is in a fixed order (largest first, then by name), so the same history
/// always gives the same report. Times are dates (`YYYY-MM-DD`) in the rule set's
/// `timezone`; `periods` names the start of each period that the `per_period` lists
/// count, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Messages read (bad lines not included).
    pub messages: u64,
    /// The first and last date of the messages with a readable `received_at`.
    pub first_seen: Option<String>,
    /// See `first_seen`.
    pub last_seen: Option<String>,
    /// `day` or `week` (chosen from the span of the history: weeks beyond 62 days);
    /// `None` when no message has a readable time.
    pub period: Option<PeriodKind>,
    /// The start date of each period, oldest first (gaps included, so the list is a
    /// time axis).
    pub periods: Vec<String>,
    /// How much gets answered, and how.
    pub coverage: Coverage,
    /// Hits per rule and FAQ entry, and those that never fired.
    pub rule_use: RuleUse,
    /// `no_answer` messages, grouped.
    pub unanswered: ClusterSet,
    /// `suggest` messages whose top suggestion scored below `auto_reply_threshold`,
    /// grouped: answers a person had to check.
    pub low_confidence: ClusterSet,
    /// How coarse those groups are, and what it was read off.
    #[serde(default)]
    pub granularity: Granularity,
    /// Words and phrases whose share rose significantly in the last week.
    pub rising: Rising,
    /// What escalated, per rule.
    pub escalations: Vec<EscalationUse>,
    /// Lines that are not messages.
    pub bad_lines: BadLines,
    /// Messages whose `received_at` is present but not an RFC 3339 time: they are kept,
    /// without a time.
    pub unreadable_timestamps: u64,
    /// Messages without a (readable) time: in every count but the ones over time.
    pub untimed: u64,
}

/// How coarse the clusters are: the similarity at which they merged again after
/// splitting, chosen from the rule set's FAQ (see the [module docs](super), "Clusters").
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Granularity {
    /// The centroid cosine at which clusters merged again; `None`: they did not (the
    /// FAQ had too few entries with enough questions, or merging made its questions'
    /// groups agree less with its entries).
    pub regroup: Option<f32>,
    /// FAQ entries with enough questions to choose from (at least twice the smallest
    /// cluster's size).
    pub entries: usize,
    /// Their questions read (at most [`MAX_QUESTIONS`](super::MAX_QUESTIONS)).
    pub questions: usize,
    /// How far the questions' groups at the chosen level agree with their entries
    /// (normalised mutual information, 0 to 1); `None` when nothing was chosen.
    pub agreement: Option<f64>,
}

impl Granularity {
    /// One sentence for a reader of the report: at what level the clusters merged
    /// again, and why.
    pub fn describe(&self) -> String {
        match (self.regroup, self.agreement) {
            (Some(level), Some(agreement)) => format!(
                "Clusters merged again where their centroids' similarity reached {level}: \
                 the level at which the questions of {} FAQ entries ({} questions) \
                 clustered most like their entries (agreement {agreement:.2}).",
                self.entries, self.questions
            ),
            (None, Some(_)) => format!(
                "Clusters were not merged again: merging made the questions of {} FAQ \
                 entries cluster less like their entries.",
                self.entries
            ),
            _ => format!(
                "Clusters were not merged again: {} FAQ entries have enough questions to \
                 show how fine a topic is, and {} are needed.",
                self.entries,
                super::MIN_ENTRIES
            ),
        }
    }
}

/// The length of a period of the report's time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeriodKind {
    /// A calendar day.
    Day,
    /// A week, Monday to Sunday.
    Week,
}

impl PeriodKind {
    /// `day` or `week`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
        }
    }
}

/// Messages counted by decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// All messages counted.
    pub messages: u64,
    /// Decided `auto_reply`.
    pub auto_reply: u64,
    /// Decided `suggest`.
    pub suggest: u64,
    /// Decided `escalate`.
    pub escalate: u64,
    /// Decided `no_answer`.
    pub no_answer: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, decision: Decision) {
        self.messages += 1;
        match decision {
            Decision::AutoReply => self.auto_reply += 1,
            Decision::Suggest => self.suggest += 1,
            Decision::Escalate => self.escalate += 1,
            Decision::NoAnswer => self.no_answer += 1,
        }
    }

    pub(crate) fn merge(&mut self, other: &Counts) {
        self.messages += other.messages;
        self.auto_reply += other.auto_reply;
        self.suggest += other.suggest;
        self.escalate += other.escalate;
        self.no_answer += other.no_answer;
    }

    /// How many messages got this decision.
    pub fn count(&self, decision: Decision) -> u64 {
        match decision {
            Decision::AutoReply => self.auto_reply,
            Decision::Suggest => self.suggest,
            Decision::Escalate => self.escalate,
            Decision::NoAnswer => self.no_answer,
        }
    }

    /// The share of messages (0 to 1) that got this decision; 0 when there are none.
    ///
    /// ```
    /// use replykit::{listen::Counts, Decision};
    /// let counts = Counts::default();
    /// assert_eq!(counts.share(Decision::NoAnswer), 0.0);
    /// ```
    pub fn share(&self, decision: Decision) -> f64 {
        share(self.count(decision), self.messages)
    }
}

pub(crate) fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Counts under a name: a channel or a tag.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NamedCounts {
    /// The channel or tag.
    pub name: String,
    /// Its messages by decision.
    pub counts: Counts,
}

/// How much gets answered, and how.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Coverage {
    /// Every message.
    pub overall: Counts,
    /// Per channel, most messages first; messages without a channel under `(none)`.
    /// At most [`MAX_NAMES`](super::MAX_NAMES) channels; the rest under `(other)`.
    pub by_channel: Vec<NamedCounts>,
    /// Per tag of the top suggestion (a message counts under each of its tags); most
    /// messages first.
    pub by_tag: Vec<NamedCounts>,
    /// Inside and outside the rule set's `[hours]`, for messages with a time; `None`
    /// when the rule set has no `[hours]`.
    pub office_hours: Option<OfficeHoursCounts>,
    /// Per period of [`Report::periods`].
    pub per_period: Vec<Counts>,
}

/// Messages inside and outside office hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfficeHoursCounts {
    /// While the office was open.
    pub inside: Counts,
    /// While it was closed.
    pub outside: Counts,
}

/// Hits per rule and FAQ entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleUse {
    /// Every rule and entry that was suggested (or given as a notice) at least once,
    /// most hits first.
    pub hits: Vec<EntryUse>,
    /// Rules and entries that never fired on this history, in rule-set order.
    pub never_fired: Vec<EntryRef>,
}

/// A rule or FAQ entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntryRef {
    /// `rule` or `faq`.
    pub kind: crate::Kind,
    /// Its id.
    pub id: String,
}

/// How often a rule or entry came up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntryUse {
    /// `rule` or `faq`.
    pub kind: crate::Kind,
    /// Its id.
    pub id: String,
    /// Messages where it was the top suggestion (or the notice).
    pub top: u64,
    /// Messages where it was among the suggestions (or the notice).
    pub suggested: u64,
    /// Messages auto-replied with it.
    pub auto_reply: u64,
}

/// A group of messages: `no_answer` ones or low-confidence ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClusterSet {
    /// Messages in the set.
    pub messages: u64,
    /// Their share of all messages.
    pub share: f64,
    /// The clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Messages in no cluster: clusters smaller than the minimum size, and messages
    /// with no word that other messages of the set share.
    pub other: Other,
}

/// Messages grouped in no cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Other {
    /// How many.
    pub size: u64,
    /// Their share of the set.
    pub share: f64,
    /// Their 1-based line numbers in the history, in order.
    pub lines: Vec<u64>,
}

/// Messages about the same thing, with what characterises them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cluster {
    /// An id from its top words, unique in the report and in the rule set, used by the
    /// FAQ stub.
    pub id: String,
    /// How many messages.
    pub size: u64,
    /// Their share of the set.
    pub share: f64,
    /// The words that characterise it against the rest of the set, most
    /// characteristic first (class-based TF-IDF over stems and stem pairs, each shown
    /// as first written in the history).
    pub words: Vec<Term>,
    /// Three to five messages closest to its centre (shortened to 200 bytes).
    pub examples: Vec<String>,
    /// The date of its first and last message with a time.
    pub first_seen: Option<String>,
    /// See `first_seen`.
    pub last_seen: Option<String>,
    /// Messages per period of [`Report::periods`].
    pub per_period: Vec<u64>,
    /// Whether its share of traffic rose or fell over the history.
    pub trend: Trend,
    /// The 1-based line numbers of all its messages in the history, in order.
    pub lines: Vec<u64>,
    /// A `[[faq]]` entry to paste and finish: the id, the examples as `questions`,
    /// `answer = "TODO"`.
    pub faq_stub: String,
}

/// A characteristic word with its weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Term {
    /// The word (or phrase), as first written in the history.
    pub term: String,
    /// Its weight (class-based TF-IDF).
    pub weight: f64,
}

/// The direction of a cluster's share of traffic, second half of the history against
/// the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Trend {
    /// Only in the second half.
    New,
    /// At least 1.5 times its earlier share.
    Rising,
    /// Within a factor 1.5.
    Steady,
    /// At most 1/1.5 of its earlier share.
    Falling,
    /// Too few timed messages to say.
    Unknown,
}

impl Trend {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::New => "new",
            Trend::Rising => "rising",
            Trend::Steady => "steady",
            Trend::Falling => "falling",
            Trend::Unknown => "unknown",
        }
    }
}

/// Words and phrases rising in the last week.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rising {
    /// The first and last date of the latest week; `None` when the history spans
    /// less than two weeks (nothing to compare with).
    pub recent_from: Option<String>,
    /// See `recent_from`.
    pub recent_to: Option<String>,
    /// Messages in the latest week, and before it.
    pub recent_messages: u64,
    /// See `recent_messages`.
    pub earlier_messages: u64,
    /// The significance bar: the log-likelihood ratio G² a term must reach.
    pub bar: f64,
    /// The fewest latest-week messages a term must be in.
    pub min_count: u64,
    /// The terms above the bar, most significant first.
    pub terms: Vec<RisingTerm>,
}

/// A word or phrase whose share rose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RisingTerm {
    /// As first written in the history (a word, or two words for a phrase).
    pub term: String,
    /// Latest-week messages holding it.
    pub recent: u64,
    /// Earlier messages holding it.
    pub earlier: u64,
    /// Its share of the latest week's messages.
    pub recent_share: f64,
    /// Its share of the earlier messages.
    pub earlier_share: f64,
    /// The log-likelihood ratio (Dunning's G²) of the rise.
    pub g2: f64,
    /// Up to three latest-week messages holding it.
    pub examples: Vec<String>,
}

/// Escalations by one rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EscalationUse {
    /// The escalating rule.
    pub rule: String,
    /// How many messages it escalated.
    pub total: u64,
    /// What fired it (such as `matched "smell gas"`), most frequent first, at most
    /// ten.
    pub reasons: Vec<ReasonCount>,
    /// Escalations per period of [`Report::periods`].
    pub per_period: Vec<u64>,
}

/// A reason and how often it came.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReasonCount {
    /// The reason.
    pub reason: String,
    /// How often.
    pub count: u64,
}

/// Lines that are not messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BadLines {
    /// How many.
    pub count: u64,
    /// The first [`MAX_BAD_LINES`](super::MAX_BAD_LINES), in order.
    pub lines: Vec<BadLine>,
}

/// A line that is not a message, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BadLine {
    /// Its 1-based line number.
    pub line: u64,
    /// Why it was not read.
    pub reason: String,
}
