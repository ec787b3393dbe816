//! What the engine notes as it decides, for [`Engine::explain`](crate::Engine::explain).
//!
//! The engine has one way to decide. [`Engine::suggest`](crate::Engine::suggest) runs it
//! with [`Silent`], which notes nothing and lets each rule check stop at the first
//! condition that fails; `explain` runs the same code with a [`Trace`], which keeps
//! every condition checked, every candidate dropped and why, and the auto-reply
//! [`Gate`]. The explanation is read from that, so it cannot disagree with the outcome.

use crate::outcome::{Kind, Suppression};
pub(crate) use crate::rules::{Miss, Part, RuleNotes, RuleRecorder};

/// Receives what the engine notes (the rule checks' notes through [`RuleRecorder`]).
/// Every method has a default that notes nothing.
pub(crate) trait Recorder: RuleRecorder {
    /// The candidates, as ranked, before any is dropped.
    fn ranked(&mut self, _ranked: &mut dyn Iterator<Item = Noted>) {}

    /// A candidate was dropped before the decision.
    fn dropped(&mut self, _kind: Kind, _index: usize, _why: Dropped) {}

    /// What decided whether the top suggestion is sent unattended.
    fn gate(&mut self, _gate: &Gate) {}
}

/// Notes nothing: the recorder of [`Engine::suggest`](crate::Engine::suggest).
pub(crate) struct Silent;

impl RuleRecorder for Silent {
    const EVERY_CONDITION: bool = false;
}

impl Recorder for Silent {}

/// Everything the engine noted for one message.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    /// Every rule checked (the rules that share a matched phrase or pattern with the
    /// message), in rule-set order.
    pub(crate) rules: Vec<RuleNotes>,
    /// The candidates as ranked, before any was dropped.
    pub(crate) ranked: Vec<Noted>,
    /// The candidates dropped, and why.
    pub(crate) dropped: Vec<(Kind, usize, Dropped)>,
    /// The auto-reply checks, when there was a suggestion to send.
    pub(crate) gate: Option<Gate>,
}

impl RuleRecorder for Trace {
    const EVERY_CONDITION: bool = true;

    fn rule(&mut self, checked: RuleNotes) {
        self.rules.push(checked);
    }
}

impl Recorder for Trace {
    fn ranked(&mut self, ranked: &mut dyn Iterator<Item = Noted>) {
        self.ranked.extend(ranked);
    }

    fn dropped(&mut self, kind: Kind, index: usize, why: Dropped) {
        self.dropped.push((kind, index, why));
    }

    fn gate(&mut self, gate: &Gate) {
        self.gate = Some(gate.clone());
    }
}

impl Trace {
    /// Why a candidate was dropped, if it was.
    pub(crate) fn dropped_for(&self, kind: Kind, index: usize) -> Option<Dropped> {
        self.dropped
            .iter()
            .find(|(k, i, _)| *k == kind && *i == index)
            .map(|&(_, _, why)| why)
    }
}

/// A candidate as ranked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Noted {
    pub(crate) kind: Kind,
    pub(crate) index: usize,
    pub(crate) score: f64,
}

/// Why a candidate was dropped before the decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dropped {
    /// An FAQ entry, for a message that shares no topic word with the FAQ.
    Ungrounded,
    /// A rule whose office-hours condition does not hold.
    Hours,
    /// Held back by the author's history.
    HeldBack(Suppression),
}

/// The checks that decide whether the top suggestion is sent unattended: computed once
/// by the engine, which decides [`AutoReply`](crate::Decision::AutoReply) exactly when
/// [`Gate::holds`], and read by `explain` to say why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Gate {
    /// The top suggestion: a rule or an FAQ entry, and its index.
    pub(crate) kind: Kind,
    pub(crate) index: usize,
    /// Its `auto_reply` setting.
    pub(crate) allowed: bool,
    /// An FAQ entry, with `auto_reply_threshold` 1: no FAQ answer is sent unattended.
    pub(crate) faq_never: bool,
    /// Loop protection: the message is from us, or from an automaton.
    pub(crate) from_us: bool,
    pub(crate) automated: bool,
    /// Whether the suggestion itself holds nothing back (see `Suggestion::blockers`).
    pub(crate) unblocked: bool,
    /// Its score (as the suggestion gives it) and the threshold.
    pub(crate) score: f64,
    pub(crate) threshold: f64,
    /// How it stands against the runner-up.
    pub(crate) runner_up: RunnerUp,
}

/// The top candidate against the next one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RunnerUp {
    /// There is none.
    None,
    /// The top is a rule: only another rule of the same priority (or higher) makes it
    /// ambiguous.
    Rule {
        priority: i64,
        /// The index of a rule of that priority that fired too.
        tied: Option<usize>,
    },
    /// The top is an FAQ entry: it must lead the runner-up by `auto_reply_margin`.
    Lead {
        next: Kind,
        next_index: usize,
        lead: f64,
        margin: f64,
    },
}

impl RunnerUp {
    /// Whether the top is a clear winner. An FAQ entry's lead is compared with a
    /// tolerance of 1e-9, so that a lead written as the margin meets it.
    pub(crate) fn clear(&self) -> bool {
        match *self {
            RunnerUp::None => true,
            RunnerUp::Rule { tied, .. } => tied.is_none(),
            RunnerUp::Lead { lead, margin, .. } => lead >= margin - 1e-9,
        }
    }
}

impl Gate {
    /// Whether every check holds: the decision is then an auto-reply.
    pub(crate) fn holds(&self) -> bool {
        self.allowed
            && !self.faq_never
            && !self.from_us
            && !self.automated
            && self.unblocked
            && self.score >= self.threshold
            && self.runner_up.clear()
    }
}
