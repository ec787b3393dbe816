//! What a rule check notes as it goes, for `explain` (see `trace.rs`, which keeps it).

use super::{Clue, PhraseId};

/// Receives the notes of rule checks. [`EVERY_CONDITION`](Self::EVERY_CONDITION) says
/// whether a check goes on past a failed condition to note every one (and so costs
/// more than a check that stops at the first).
pub(crate) trait RuleRecorder {
    /// Whether a rule check goes on past a failed condition.
    const EVERY_CONDITION: bool;

    /// A rule was checked: what matched, and the conditions that stopped it (none
    /// for a rule that fired).
    fn rule(&mut self, _checked: RuleNotes) {}
}

/// How a rule met its conditions on a message.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleNotes {
    /// The rule's index in the rule set.
    pub(crate) rule: usize,
    /// Its phrases and patterns that the message holds, with the condition each
    /// belongs to.
    pub(crate) matched: Vec<(Part, Clue)>,
    /// The conditions that stopped it.
    pub(crate) missed: Vec<Miss>,
}

/// The condition a phrase or pattern belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    All,
    Any,
    Regex,
}

/// A condition of a rule that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// A `when.all` phrase (by phrase id) does not occur.
    All(PhraseId),
    /// No `when.any` phrase occurs.
    Any,
    /// A `when.none` phrase (by phrase id) occurs, here.
    None(PhraseId, crate::Span),
    /// No `when.regex` pattern matches.
    Regex,
    /// The channel is not one the rule wants.
    Channel,
    /// The author's value for this key is not one the rule wants.
    Author(String),
    /// This message field is not one the rule wants.
    Field(String),
}
