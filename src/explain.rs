//! Why a message got its outcome: [`Engine::explain`].
//!
//! An [`Explanation`] is what a rule author needs to understand one outcome: the
//! message as matching reads it, each rule that fired and where, the rules that *almost*
//! fired and the condition that stopped each, the best FAQ candidates with the words
//! that carried their scores, the thresholds, and the decision with its reason in
//! words. It serialises to JSON, and `Display` renders it for a terminal (this is what
//! `replykit explain` prints).
//!
//! The engine decides once: explaining runs the same decision as [`Engine::suggest`]
//! with a recorder that notes every condition checked, every candidate dropped and
//! every auto-reply check (see `trace.rs`), and this module puts those notes into
//! words. It includes the [`Outcome`] of that run, so the two cannot disagree. A rule
//! check that notes every condition goes on past the first that fails, so explaining
//! costs a little more than suggesting.

use crate::config::{HoursCondition, Phrase, Rule};
use crate::outcome::{Blocker, Decision, Evidence, Kind, Outcome, Suppression};
use crate::paint::{Paint, Painter, Plain, Tone};
use crate::rules::PhraseId;
use crate::text::tokenize;
use crate::trace::{Dropped, Gate, Miss, Part, RuleNotes, RunnerUp, Trace};
use crate::{Engine, Message, Span, Thresholds};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fmt::Write as _;

/// How many FAQ candidates an explanation lists.
pub const FAQ_CANDIDATES: usize = 5;

/// Why a message got its outcome, from [`Engine::explain`].
///
/// `Display` renders it in sections for a terminal; every span points into
/// `message.text`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The message explained.
    pub message: Message,
    /// The words of the message as matching reads them (case, accents, width and
    /// punctuation folded), joined by single spaces.
    pub normalised: String,
    /// The rules that fired, ranked as the outcome ranks them.
    pub fired: Vec<RuleExplanation>,
    /// The rules that almost fired: some of their phrases or patterns matched, but a
    /// condition stopped them. Highest priority first, then in rule-set order.
    pub almost_fired: Vec<RuleExplanation>,
    /// The best FAQ entries (at most [`FAQ_CANDIDATES`]), best first, whatever their
    /// scores.
    pub faq: Vec<FaqExplanation>,
    /// The thresholds the decision was taken with.
    pub thresholds: Thresholds,
    /// The decision (the outcome's).
    pub decision: Decision,
    /// Why, in words: `top suggestion faq `bin-day` scored 0.93 ≥ auto_reply_threshold
    /// 0.85 and leads the runner-up by 0.88`.
    pub reason: String,
    /// What [`Engine::suggest`] returns for the message.
    pub outcome: Outcome,
}

/// A rule, and how the message met its conditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleExplanation {
    /// The rule's id.
    pub id: String,
    /// Its priority.
    pub priority: i64,
    /// Whether it escalates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalate: bool,
    /// Its phrases and patterns that the message holds, in message order.
    pub matched: Vec<Hit>,
    /// The conditions that stopped it; empty for a rule that fired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<Unmet>,
    /// For a rule that fired: held back by the author's history (`cooldown`,
    /// `once_per_conversation`), so the next candidate took its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_back: Option<Suppression>,
}

/// A condition of a rule, named as it is written in TOML (`when.all`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Condition {
    /// `when.all`: every phrase must occur.
    #[serde(rename = "when.all")]
    All,
    /// `when.any`: at least one phrase must occur.
    #[serde(rename = "when.any")]
    Any,
    /// `when.none`: no phrase may occur.
    #[serde(rename = "when.none")]
    None,
    /// `when.regex`: at least one pattern must match.
    #[serde(rename = "when.regex")]
    Regex,
    /// `when.channel`: the message's channel must be one of these.
    #[serde(rename = "when.channel")]
    Channel,
    /// `when.author.*`: the author's id, name or handle must be one of these.
    #[serde(rename = "when.author")]
    Author,
    /// `when.fields.*`: a message field must be one of these.
    #[serde(rename = "when.fields")]
    Fields,
    /// `when.outside_hours`: the office must be closed when the message is received.
    #[serde(rename = "when.outside_hours")]
    OutsideHours,
    /// `when.inside_hours`: the office must be open when the message is received.
    #[serde(rename = "when.inside_hours")]
    InsideHours,
}

impl Condition {
    /// The name as written in TOML: `when.all`, `when.any`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::All => "when.all",
            Condition::Any => "when.any",
            Condition::None => "when.none",
            Condition::Regex => "when.regex",
            Condition::Channel => "when.channel",
            Condition::Author => "when.author",
            Condition::Fields => "when.fields",
            Condition::OutsideHours => "when.outside_hours",
            Condition::InsideHours => "when.inside_hours",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phrase or pattern of a rule that the message holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hit {
    /// The condition it belongs to: `when.all`, `when.any` or `when.regex`.
    pub condition: Condition,
    /// The phrase or pattern as written in the rule.
    pub what: String,
    /// Where it matched in the message (the first place, for a phrase).
    pub span: Span,
}

/// A condition that stopped a rule from firing.
///
/// `Display` says it in words, such as `when.all phrase "bin" not found` or
/// `channel is email, rule wants twitter, facebook`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "condition")]
#[non_exhaustive]
pub enum Unmet {
    /// A `when.all` phrase does not occur.
    #[serde(rename = "when.all")]
    #[non_exhaustive]
    All {
        /// The phrase as written.
        phrase: String,
    },
    /// No `when.any` phrase occurs.
    #[serde(rename = "when.any")]
    #[non_exhaustive]
    Any {
        /// The rule's `when.any` phrases as written.
        phrases: Vec<String>,
    },
    /// A `when.none` phrase occurs.
    #[serde(rename = "when.none")]
    #[non_exhaustive]
    None {
        /// The phrase as written.
        phrase: String,
        /// Where it occurs (the first place).
        span: Span,
    },
    /// No `when.regex` pattern matches.
    #[serde(rename = "when.regex")]
    #[non_exhaustive]
    Regex {
        /// The rule's patterns as written.
        patterns: Vec<String>,
    },
    /// The message's channel is not one the rule wants.
    #[serde(rename = "when.channel")]
    #[non_exhaustive]
    Channel {
        /// The message's channel, if it has one.
        value: Option<String>,
        /// The channels the rule wants.
        wanted: Vec<String>,
    },
    /// The author's `id`, `name` or `handle` is not one the rule wants.
    #[serde(rename = "when.author")]
    #[non_exhaustive]
    Author {
        /// `id`, `name` or `handle`.
        key: String,
        /// The author's value, if the message has one.
        value: Option<String>,
        /// The values the rule wants.
        wanted: Vec<String>,
    },
    /// A message field is not one the rule wants.
    #[serde(rename = "when.fields")]
    #[non_exhaustive]
    Field {
        /// The field's name.
        name: String,
        /// The message's value, if it has the field.
        value: Option<String>,
        /// The values the rule wants.
        wanted: Vec<String>,
    },
    /// The rule wants the office closed (`when.outside_hours`), and it is open when
    /// the message is received.
    #[serde(rename = "when.outside_hours")]
    #[non_exhaustive]
    OutsideHours {},
    /// The rule wants the office open (`when.inside_hours`), and it is closed when the
    /// message is received.
    #[serde(rename = "when.inside_hours")]
    #[non_exhaustive]
    InsideHours {},
}

impl Unmet {
    /// The condition that was not met.
    pub fn condition(&self) -> Condition {
        match self {
            Unmet::All { .. } => Condition::All,
            Unmet::Any { .. } => Condition::Any,
            Unmet::None { .. } => Condition::None,
            Unmet::Regex { .. } => Condition::Regex,
            Unmet::Channel { .. } => Condition::Channel,
            Unmet::Author { .. } => Condition::Author,
            Unmet::Field { .. } => Condition::Fields,
            Unmet::OutsideHours { .. } => Condition::OutsideHours,
            Unmet::InsideHours { .. } => Condition::InsideHours,
        }
    }
}

/// How many items of a list `Display` shows before `… and N more`.
const LISTED: usize = 4;

/// `"a", "b", "c", … and 2 more`, or `a, b` unquoted.
fn list(items: &[String], quote: bool) -> String {
    let mut out: Vec<String> = items
        .iter()
        .take(LISTED)
        .map(|s| if quote { format!("{s:?}") } else { s.clone() })
        .collect();
    if items.len() > LISTED {
        out.push(format!("… and {} more", items.len() - LISTED));
    }
    out.join(", ")
}

/// `channel is email, rule wants twitter, facebook`.
fn attribute(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    value: &Option<String>,
    wanted: &[String],
) -> fmt::Result {
    match value {
        Some(v) => write!(f, "{name} is {v:?}, ")?,
        None => write!(f, "message has no {name}, ")?,
    }
    write!(f, "rule wants {}", list(wanted, true))
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmet::All { phrase } => write!(f, "when.all phrase {phrase:?} not found"),
            Unmet::Any { phrases } => {
                write!(f, "no when.any phrase found ({})", list(phrases, true))
            }
            Unmet::None { phrase, span } => write!(
                f,
                "blocked by when.none {phrase:?} at {}..{}",
                span.start, span.end
            ),
            Unmet::Regex { patterns } => match patterns.as_slice() {
                [one] => write!(f, "when.regex pattern '{one}' did not match"),
                _ => {
                    let quoted: Vec<String> = patterns.iter().map(|p| format!("'{p}'")).collect();
                    write!(
                        f,
                        "no when.regex pattern matched ({})",
                        list(&quoted, false)
                    )
                }
            },
            Unmet::Channel { value, wanted } => match value {
                Some(v) => write!(f, "channel is {v}, rule wants {}", list(wanted, false)),
                None => write!(
                    f,
                    "message has no channel, rule wants {}",
                    list(wanted, false)
                ),
            },
            Unmet::Author { key, value, wanted } => {
                attribute(f, &format!("author.{key}"), value, wanted)
            }
            Unmet::Field {
                name,
                value,
                wanted,
            } => attribute(f, &format!("fields.{name}"), value, wanted),
            Unmet::OutsideHours {} => f.write_str(
                "the office is open when the message is received, rule wants when.outside_hours",
            ),
            Unmet::InsideHours {} => f.write_str(
                "the office is closed when the message is received, rule wants when.inside_hours",
            ),
        }
    }
}

/// An FAQ candidate and the words that carried its score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaqExplanation {
    /// The entry's id.
    pub id: String,
    /// Its score, 0 to 1 (rounded to 4 places, as in suggestions).
    pub score: f64,
    /// Its example question closest to the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The message words that carried the score.
    pub evidence: Vec<Evidence>,
    /// Those of `evidence` that come from the entry's answer text (`context`), not from
    /// its questions: answer words carried the suggestion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_words: Vec<Evidence>,
    /// Held back by the author's history (`cooldown`, `once_per_conversation`), so the
    /// next candidate took its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_back: Option<Suppression>,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Rule => "rule",
        Kind::Faq => "faq",
    }
}

/// Where a condition stands among a rule's conditions, in the order they are written
/// up: phrases, patterns, then the channel, the author, the fields and office hours.
fn condition_order(condition: Condition) -> u8 {
    condition as u8
}

/// A candidate as the explanation names it.
#[derive(Clone, Debug)]
struct Named {
    kind: Kind,
    index: usize,
    id: String,
    /// Rounded to 4 places, as in suggestions, so a score reads the same everywhere.
    score: f64,
}

impl Engine {
    /// Explains the outcome of a message: how it reads, which rules fired and where,
    /// which almost fired and what stopped them, the best FAQ candidates and the words
    /// that carried them, the thresholds, and why the decision is what it is.
    ///
    /// The explanation includes the [`Outcome`] of [`suggest`](Engine::suggest) for the
    /// same message: both come from one run of the engine's decision, which notes what
    /// it checked as it goes. Explaining costs a little more than suggesting (each
    /// candidate rule's conditions are all checked): use it for rule authors, not on
    /// every message.
    ///
    /// ```
    /// use replykit::{Decision, Engine, Message, RuleSet};
    /// use replykit::explain::Unmet;
    ///
    /// let rules = RuleSet::from_toml("waste.toml", r#"
    ///     [[rule]]
    ///     id = "missed-bin"
    ///     when.all = ["bin"]
    ///     when.any = ["missed", "not collected"]
    ///     when.none = ["new bin"]
    ///     reply = "Report a missed bin online."
    ///
    ///     [[rule]]
    ///     id = "new-bin"
    ///     when.any = ["new bin", "replacement bin"]
    ///     reply = "Order a new bin online."
    /// "#)?;
    /// let engine = Engine::new(&rules)?;
    ///
    /// let why = engine.explain(&Message::new("My NEW bin was missed!"));
    /// assert_eq!(why.normalised, "my new bin was missed");
    /// assert_eq!(why.fired[0].id, "new-bin");
    /// assert_eq!(why.almost_fired[0].id, "missed-bin");
    /// assert_eq!(why.almost_fired[0].unmet[0].to_string(), r#"blocked by when.none "new bin" at 3..10"#);
    /// assert_eq!(why.decision, Decision::AutoReply);
    /// assert_eq!(why.outcome, engine.suggest(&Message::new("My NEW bin was missed!")));
    /// println!("{why}"); // sections, as `replykit explain` prints them
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn explain(&self, message: &Message) -> Explanation {
        let set = self.rule_set();
        // The situation `suggest` reads the message in: the author's history.
        let history = self.context(message, Vec::new()).history_ids();
        let (outcome, trace) = self.suggest_traced(message, FAQ_CANDIDATES + history);
        let text = self.text_read(message);
        let tokens = tokenize(text);
        let held_back = |kind: Kind, index: usize| match trace.dropped_for(kind, index) {
            Some(Dropped::HeldBack(why)) => Some(why),
            _ => None,
        };
        let named: Vec<Named> = trace
            .ranked
            .iter()
            .filter_map(|c| {
                Some(Named {
                    kind: c.kind,
                    index: c.index,
                    id: set.answer(c.kind, c.index)?.id.clone(),
                    score: (c.score * 1e4).round() / 1e4,
                })
            })
            .collect();

        // The rules the engine checked: those that fired (ranked as the outcome ranks
        // them), and those that matched something but were stopped.
        let fired: Vec<RuleExplanation> = named
            .iter()
            .filter(|c| {
                c.kind == Kind::Rule && trace.dropped_for(c.kind, c.index) != Some(Dropped::Hours)
            })
            .filter_map(|c| {
                let notes = trace.rules.iter().find(|n| n.rule == c.index)?;
                let mut why = self.rule_explanation(notes, message, None)?;
                why.held_back = held_back(Kind::Rule, c.index);
                Some(why)
            })
            .collect();
        let mut almost: Vec<(usize, RuleExplanation)> = trace
            .rules
            .iter()
            .filter_map(|notes| {
                let hours = trace.dropped_for(Kind::Rule, notes.rule) == Some(Dropped::Hours);
                if notes.missed.is_empty() && !hours {
                    return None;
                }
                let rule = set.rules.get(notes.rule)?;
                let hours_unmet = hours.then_some(match rule.when.hours {
                    Some(HoursCondition::Inside) => Unmet::InsideHours {},
                    _ => Unmet::OutsideHours {},
                });
                let why = self.rule_explanation(notes, message, hours_unmet)?;
                (!why.matched.is_empty()).then_some((notes.rule, why))
            })
            .collect();
        almost.sort_by_key(|(i, r)| (std::cmp::Reverse(r.priority), *i));

        let stems = self.analyzer().stems(&tokens);
        let faq = named
            .iter()
            .filter(|c| c.kind == Kind::Faq)
            .take(FAQ_CANDIDATES)
            .map(|c| {
                let (question, evidence) =
                    self.faq_model()
                        .explain(&tokens, &stems, self.analyzer(), c.index);
                let answer_words = self.faq_model().answer_words(&stems, c.index, &evidence);
                FaqExplanation {
                    answer_words,
                    id: c.id.clone(),
                    score: c.score,
                    question: question
                        .and_then(|q| set.faqs.get(c.index)?.questions.get(q))
                        .cloned(),
                    evidence,
                    held_back: held_back(Kind::Faq, c.index),
                }
            })
            .collect();

        let reason = self.reason(message, &outcome, &trace, &named);
        Explanation {
            message: message.clone(),
            normalised: tokens.joined(),
            fired,
            almost_fired: almost.into_iter().map(|(_, r)| r).collect(),
            faq,
            thresholds: set.settings.thresholds(),
            decision: outcome.decision,
            reason,
            outcome,
        }
    }

    /// A rule's notes in words: its phrases and patterns as written in the rule, and
    /// the conditions that stopped it (with `hours` when office hours did).
    fn rule_explanation(
        &self,
        notes: &RuleNotes,
        message: &Message,
        hours: Option<Unmet>,
    ) -> Option<RuleExplanation> {
        let rule = self.rule_set().rules.get(notes.rule)?;
        let message_unmet = |miss: &Miss| self.unmet(rule, miss, message);
        let mut matched: Vec<Hit> = Vec::new();
        for (part, clue) in &notes.matched {
            let (condition, what) = match (*part, *clue) {
                (Part::All, crate::rules::Clue::Phrase(id, _)) => {
                    (Condition::All, self.phrase_as_written(&rule.when.all, id)?)
                }
                (Part::Any, crate::rules::Clue::Phrase(id, _)) => {
                    (Condition::Any, self.phrase_as_written(&rule.when.any, id)?)
                }
                (_, crate::rules::Clue::Pattern(k, _)) => {
                    (Condition::Regex, rule.when.regex.get(k)?.source.clone())
                }
                (_, crate::rules::Clue::Phrase(..)) => continue,
            };
            matched.push(Hit {
                condition,
                what,
                span: clue.span(),
            });
        }
        let mut unmet: Vec<Unmet> = notes.missed.iter().filter_map(message_unmet).collect();
        unmet.extend(hours);
        unmet.sort_by_key(|u| condition_order(u.condition()));
        Some(RuleExplanation {
            id: rule.answer.id.clone(),
            priority: rule.priority,
            escalate: rule.escalate,
            matched,
            unmet,
            held_back: None,
        })
    }

    /// The first of a rule's phrases that matching reads as phrase `id`.
    fn phrase_as_written(&self, phrases: &[Phrase], id: PhraseId) -> Option<String> {
        phrases
            .iter()
            .find(|p| self.rule_index().phrase_id(self.analyzer(), &p.text) == Some(id))
            .map(|p| p.text.clone())
    }

    /// A condition the engine found unmet, in words.
    fn unmet(&self, rule: &Rule, miss: &Miss, message: &Message) -> Option<Unmet> {
        let when = &rule.when;
        Some(match miss {
            Miss::All(id) => Unmet::All {
                phrase: self.phrase_as_written(&when.all, *id)?,
            },
            Miss::Any => Unmet::Any {
                phrases: when.any.iter().map(|p| p.text.clone()).collect(),
            },
            Miss::None(id, span) => Unmet::None {
                phrase: self.phrase_as_written(&when.none, *id)?,
                span: *span,
            },
            Miss::Regex => Unmet::Regex {
                patterns: when.regex.iter().map(|p| p.source.clone()).collect(),
            },
            Miss::Channel => Unmet::Channel {
                value: message.channel.clone(),
                wanted: when.channel.clone(),
            },
            Miss::Author(key) => Unmet::Author {
                key: key.clone(),
                value: message
                    .author
                    .as_ref()
                    .and_then(|a| a.get(key))
                    .map(str::to_string),
                wanted: when.author.get(key)?.clone(),
            },
            Miss::Field(name) => Unmet::Field {
                name: name.clone(),
                value: message.fields.get(name).cloned(),
                wanted: when.fields.get(name)?.clone(),
            },
        })
    }

    /// The decision's reason in words, from what the engine noted as it decided.
    fn reason(
        &self,
        message: &Message,
        outcome: &Outcome,
        trace: &Trace,
        named: &[Named],
    ) -> String {
        let t = self.rule_set().settings.thresholds();
        let describe = |kind: Kind, id: &str| format!("{} `{id}`", kind_name(kind));
        // The candidates the decision was taken on, before the FAQ's grounding.
        let best = named.iter().find(|c| {
            !matches!(
                trace.dropped_for(c.kind, c.index),
                Some(Dropped::Hours | Dropped::HeldBack(_))
            )
        });
        let ungrounded = trace
            .dropped
            .iter()
            .any(|(_, _, why)| *why == Dropped::Ungrounded);
        match (outcome.decision, best, &trace.gate) {
            (Decision::Escalate, ..) => match &outcome.escalation {
                Some(e) => format!("rule `{}` escalates: it {}", e.rule, e.reason),
                None => "an escalating rule fired".to_string(),
            },
            (Decision::NoAnswer, None, _) if self.rule_set().faqs.is_empty() => {
                "no rule fired, and the rule set has no FAQ entries".to_string()
            }
            (Decision::NoAnswer, None, _) => {
                "no rule fired and no FAQ entry shares a word with the message".to_string()
            }
            (Decision::NoAnswer, Some(best), _)
                if ungrounded && best.kind == Kind::Faq && best.score >= t.suggest_threshold =>
            {
                format!(
                    "the message shares no topic word with any FAQ question, so no FAQ entry may \
                     answer it (the best, {}, scored {:.2} on its other features)",
                    describe(best.kind, &best.id),
                    best.score
                )
            }
            (Decision::NoAnswer, Some(best), _) => format!(
                "nothing scored at least suggest_threshold {:.2}: the best, {}, scored {:.2}",
                t.suggest_threshold,
                describe(best.kind, &best.id),
                best.score
            ),
            (decision @ (Decision::AutoReply | Decision::Suggest), _, Some(gate)) => {
                let top = describe(gate.kind, &self.id_of(gate.kind, gate.index));
                let (passed, failed) = self.gate_checks(message, outcome, gate);
                if decision == Decision::AutoReply {
                    format!("top suggestion {top} {}", passed.join(" and "))
                } else {
                    format!(
                        "top suggestion {top} scored {:.2}, not sent unattended because {}",
                        gate.score,
                        failed.join("; ")
                    )
                }
            }
            (decision, ..) => format!("the engine decided {decision}"),
        }
    }

    /// The id of a rule or an FAQ entry.
    fn id_of(&self, kind: Kind, index: usize) -> String {
        self.rule_set()
            .answer(kind, index)
            .map(|a| a.id.clone())
            .unwrap_or_default()
    }

    /// `; unknown to it: "dog", "train"`: the message's topic words an FAQ entry does
    /// not explain (empty when there are none).
    fn unexplained_words(&self, message: &Message, entry: usize) -> String {
        let text = self.text_read(message);
        let stems = self.analyzer().stems(&tokenize(text));
        let words: Vec<String> = self
            .faq_model()
            .explained(&stems, entry)
            .map(|e| e.unexplained)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|span| text.get(span.start..span.end))
            .map(|w| format!("{w:?}"))
            .collect();
        if words.is_empty() {
            String::new()
        } else {
            format!("; unknown to it: {}", words.join(", "))
        }
    }

    /// The engine's auto-reply checks of the top suggestion as `(held, failed)`
    /// sentences (see "Decisions" in the crate docs).
    fn gate_checks(
        &self,
        message: &Message,
        outcome: &Outcome,
        gate: &Gate,
    ) -> (Vec<String>, Vec<String>) {
        let (mut passed, mut failed) = (Vec::new(), Vec::new());
        if !gate.allowed {
            failed.push("it has auto_reply = false".to_string());
        } else if gate.faq_never {
            failed.push(
                "auto_reply_threshold is 1, which sends no FAQ answer unattended".to_string(),
            );
        }
        if gate.from_us {
            failed.push("the message is marked as from us".to_string());
        }
        if gate.automated {
            failed.push("the message is marked as automated".to_string());
        }
        if let Some(s) = outcome.top() {
            for blocker in s.blockers() {
                let mut why = blocker.to_string();
                if matches!(blocker, Blocker::Unexplained(_)) {
                    why.push_str(&self.unexplained_words(message, gate.index));
                }
                failed.push(why);
            }
            if let Some(share) = s.explained {
                if gate.kind == Kind::Faq && share >= crate::MIN_EXPLAINED_SHARE {
                    passed.push(format!(
                        "explains {:.0} % of the message's words",
                        100.0 * share
                    ));
                }
            }
        }
        if gate.score >= gate.threshold {
            let verb = if gate.kind == Kind::Rule {
                "fired, score"
            } else {
                "scored"
            };
            passed.push(format!(
                "{verb} {:.2} ≥ auto_reply_threshold {:.2}",
                gate.score, gate.threshold
            ));
        } else {
            failed.push(format!(
                "{:.2} < auto_reply_threshold {:.2}",
                gate.score, gate.threshold
            ));
        }
        match &gate.runner_up {
            RunnerUp::None => passed.push("has no runner-up".to_string()),
            RunnerUp::Rule { priority, tied } => match tied {
                Some(next) => failed.push(format!(
                    "rule `{}` of the same priority ({priority}) fired too",
                    self.id_of(Kind::Rule, *next)
                )),
                None => passed.push(format!("no other rule of priority {priority} fired")),
            },
            lead @ RunnerUp::Lead {
                next,
                next_index,
                lead: by,
                margin,
            } => {
                if lead.clear() {
                    passed.push(format!("leads the runner-up by {by:.2}"));
                } else {
                    failed.push(format!(
                        "it leads the runner-up, {} `{}`, by only {by:.2} < auto_reply_margin {margin:.2}",
                        kind_name(*next),
                        self.id_of(*next, *next_index),
                    ));
                }
            }
        }
        (passed, failed)
    }
}

/// `"wheelie-bin" at 3..14`.
fn place(text: &str, span: Span) -> String {
    match span.get(text) {
        Some(s) => format!("{s:?} at {}..{}", span.start, span.end),
        None => format!("at {}..{}", span.start, span.end),
    }
}

/// `when.all "bin" at 3..14 ("wheelie-bin")`: the phrase as written, where, and the
/// text there when it differs.
fn hit_line(text: &str, h: &Hit) -> String {
    let what = match h.condition {
        Condition::Regex => format!("'{}'", h.what),
        _ => format!("{:?}", h.what),
    };
    let mut line = format!("{} {what} at {}..{}", h.condition, h.span.start, h.span.end);
    if let Some(found) = h.span.get(text).filter(|s| *s != h.what) {
        line.push_str(&format!(" ({found:?})"));
    }
    line
}

/// `cooldown`, `once_per_conversation`.
fn suppression_name(s: Suppression) -> &'static str {
    match s {
        Suppression::Cooldown => "cooldown",
        Suppression::OncePerConversation => "once_per_conversation",
    }
}

/// `, held back by its cooldown`, or nothing.
fn held_note(held: Option<Suppression>) -> String {
    held.map_or(String::new(), |s| {
        format!(", held back by {}", suppression_name(s))
    })
}

/// A section of rules: each with what matched (✓) and what did not (✗).
fn write_rules(
    f: &mut Painter<'_>,
    title: &str,
    rules: &[RuleExplanation],
    text: &str,
) -> fmt::Result {
    writeln!(f)?;
    f.tone(Tone::Strong, &format!("{title}:"))?;
    writeln!(f)?;
    if rules.is_empty() {
        writeln!(f, "  none")?;
    }
    for r in rules {
        write!(f, "  ")?;
        f.tone(Tone::Strong, &r.id)?;
        writeln!(f, " {}", rule_heading(r))?;
        for h in &r.matched {
            write!(f, "    ")?;
            f.tone(Tone::Good, "✓")?;
            writeln!(f, " {}", hit_line(text, h))?;
        }
        for u in &r.unmet {
            write!(f, "    ")?;
            f.tone(Tone::Warning, "✗")?;
            writeln!(f, " {u}")?;
        }
    }
    Ok(())
}

/// `(priority 10, escalates, held back by cooldown)`: what follows a rule's id.
fn rule_heading(r: &RuleExplanation) -> String {
    let escalates = if r.escalate { ", escalates" } else { "" };
    format!(
        "(priority {}{escalates}{})",
        r.priority,
        held_note(r.held_back)
    )
}

/// `label: value`, the label strong.
fn labelled(f: &mut Painter<'_>, label: &str, value: &str) -> fmt::Result {
    f.tone(Tone::Strong, &format!("{label}:"))?;
    writeln!(f, " {value}")
}

/// The tone of a decision: sent is good, no answer a warning, escalation an error.
fn decision_tone(decision: Decision) -> Tone {
    match decision {
        Decision::AutoReply => Tone::Good,
        Decision::Escalate => Tone::Error,
        Decision::NoAnswer => Tone::Warning,
        _ => Tone::Strong,
    }
}

impl Explanation {
    /// The explanation as `Display` shows it, written through `paint` (see
    /// [`paint`](crate::paint)): labels, headings and ids strong, `✓` good, `✗` a
    /// warning, the decision in its tone.
    pub fn render(&self, paint: &dyn Paint) -> String {
        crate::paint::render(paint, |f| self.write(f))
    }

    /// Sections for a terminal: the message, the rules that fired, the rules that
    /// almost fired, the FAQ candidates, the thresholds and the decision.
    fn write(&self, f: &mut Painter<'_>) -> fmt::Result {
        let text = self.message.text.as_str();
        labelled(f, "message", &format!("{text:?}"))?;
        labelled(f, "read as", &self.normalised)?;
        if let Some(channel) = &self.message.channel {
            labelled(f, "channel", channel)?;
        }
        if self.outcome.truncated {
            labelled(
                f,
                "note",
                "the message is longer than max_message_bytes; only its start was read",
            )?;
        }
        if !self.outcome.unreadable.is_empty() {
            labelled(
                f,
                "note",
                &format!(
                    "unreadable, taken as absent: {}",
                    self.outcome.unreadable.join(", ")
                ),
            )?;
        }

        write_rules(f, "rules that fired", &self.fired, text)?;
        write_rules(f, "rules that almost fired", &self.almost_fired, text)?;

        writeln!(f)?;
        f.tone(Tone::Strong, "faq candidates:")?;
        writeln!(f)?;
        if self.faq.is_empty() {
            writeln!(f, "  none")?;
        }
        for c in &self.faq {
            write!(f, "  ")?;
            f.tone(Tone::Strong, &c.id)?;
            writeln!(f, " (score {:.2}{})", c.score, held_note(c.held_back))?;
            if let Some(q) = &c.question {
                writeln!(f, "    closest question: {q:?}")?;
            }
            if !c.evidence.is_empty() {
                let words: Vec<String> = c
                    .evidence
                    .iter()
                    .map(|e| match e.kind {
                        crate::EvidenceKind::Typo => {
                            format!("{} (read as {:?})", place(text, e.span), e.what)
                        }
                        _ => place(text, e.span),
                    })
                    .collect();
                writeln!(f, "    words: {}", words.join(", "))?;
            }
            if !c.answer_words.is_empty() {
                let words: Vec<String> =
                    c.answer_words.iter().map(|e| place(text, e.span)).collect();
                writeln!(
                    f,
                    "    answer words: {} (from its context, not its questions)",
                    words.join(", ")
                )?;
            }
        }

        let t = &self.thresholds;
        writeln!(f)?;
        labelled(
            f,
            "thresholds",
            &format!(
                "suggest {:.2}, auto-reply {:.2}, auto-reply margin {:.2}",
                t.suggest_threshold, t.auto_reply_threshold, t.auto_reply_margin
            ),
        )?;

        writeln!(f)?;
        f.tone(Tone::Strong, "decision:")?;
        write!(f, " ")?;
        f.tone(decision_tone(self.decision), self.decision.as_str())?;
        writeln!(f)?;
        writeln!(f, "  {}", self.reason)?;
        if let Some(top) = self.outcome.top() {
            writeln!(
                f,
                "  reply ({} `{}`): {:?}",
                kind_name(top.kind),
                top.id,
                top.reply
            )?;
        }
        if let Some(n) = &self.outcome.notice {
            writeln!(f, "  notice (rule `{}`): {:?}", n.id, n.reply)?;
        }
        for s in &self.outcome.suppressed {
            let until = s
                .until
                .as_deref()
                .map_or(String::new(), |u| format!(" until {u}"));
            writeln!(
                f,
                "  held back: {} `{}` ({}{until})",
                kind_name(s.kind),
                s.id,
                suppression_name(s.reason)
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&Plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSet;

    fn engine(toml: &str) -> Engine {
        let set = RuleSet::from_toml("t.toml", toml).expect("the rule set loads");
        Engine::new(&set).expect("the engine builds")
    }

    /// The rule `id` among those that almost fired.
    fn almost_fired<'e>(why: &'e Explanation, id: &str) -> &'e RuleExplanation {
        why.almost_fired
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id} almost fired"))
    }

    const RULES: &str = r#"
        [synonyms]
        bin = ["wheelie bin", "dustbin"]

        [[rule]]
        id = "missed-bin"
        priority = 10
        when.all = ["bin"]
        when.any = ["missed", "not collected", "wasn't emptied"]
        when.none = ["new bin"]
        reply = "Report a missed bin online."

        [[rule]]
        id = "bin-social"
        when.any = ["bin"]
        when.channel = ["twitter", "facebook"]
        reply = "DM us your postcode."

        [[rule]]
        id = "order"
        when.all = ["order"]
        when.regex = '#(?P<n>\d{6})'
        reply = "Checking order {{n}}."

        [[rule]]
        id = "ward"
        when.any = ["bin"]
        when.author.name = ["sam"]
        when.fields.ward = ["north"]
        reply = "North ward bins."

        [[rule]]
        id = "unrelated"
        when.any = ["parking"]
        reply = "Parking."
    "#;

    #[test]
    fn explanations_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Explanation>();
    }

    #[test]
    fn fired_rules_say_which_phrase_and_where() {
        let e = engine(RULES);
        let text = "My wheelie-bin wasn't emptied!";
        let why = e.explain(&Message::new(text));
        assert_eq!(why.normalised, "my wheelie bin wasnt emptied");
        assert_eq!(why.fired.len(), 1);
        let fired = &why.fired[0];
        assert_eq!(fired.id, "missed-bin");
        assert!(fired.unmet.is_empty());
        let hits: Vec<(Condition, &str, &str)> = fired
            .matched
            .iter()
            .map(|h| (h.condition, h.what.as_str(), &text[h.span]))
            .collect();
        assert_eq!(
            hits,
            [
                (Condition::All, "bin", "wheelie-bin"),
                (Condition::Any, "wasn't emptied", "wasn't emptied")
            ]
        );
        assert_eq!(why.decision, Decision::AutoReply);
        assert_eq!(
            why.reason,
            "top suggestion rule `missed-bin` fired, score 1.00 ≥ auto_reply_threshold 0.85 \
             and has no runner-up"
        );
    }

    #[test]
    fn almost_fired_rules_say_what_stopped_them() {
        let e = engine(RULES);
        let m = Message::new("my new bin was missed, order 123").with_channel("Email");
        let why = e.explain(&m);
        assert!(why.fired.is_empty(), "{why}");
        let stopped: Vec<(&str, Vec<String>)> = why
            .almost_fired
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.unmet.iter().map(|u| u.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(
            stopped,
            [
                (
                    "missed-bin",
                    vec![r#"blocked by when.none "new bin" at 3..10"#.to_string()]
                ),
                (
                    "bin-social",
                    vec!["channel is Email, rule wants twitter, facebook".to_string()]
                ),
                (
                    "order",
                    vec![r"when.regex pattern '#(?P<n>\d{6})' did not match".to_string()]
                ),
                (
                    "ward",
                    vec![
                        r#"message has no author.name, rule wants "sam""#.to_string(),
                        r#"message has no fields.ward, rule wants "north""#.to_string(),
                    ]
                ),
            ]
        );
        assert_eq!(why.decision, Decision::NoAnswer);
        assert_eq!(
            why.reason,
            "no rule fired, and the rule set has no FAQ entries"
        );
    }

    #[test]
    fn a_missing_all_phrase_and_any_phrase() {
        let e = engine(RULES);
        let why = e.explain(&Message::new("it was missed again").with_channel("twitter"));
        let missed = almost_fired(&why, "missed-bin");
        assert_eq!(
            missed.unmet,
            [Unmet::All {
                phrase: "bin".into()
            }]
        );
        assert_eq!(
            missed.unmet[0].to_string(),
            r#"when.all phrase "bin" not found"#
        );
        let why = e.explain(&Message::new("order #123456").with_channel("twitter"));
        assert_eq!(why.fired[0].id, "order");
        let why = e.explain(&Message::new("my bin").with_channel("twitter"));
        let missed = almost_fired(&why, "missed-bin");
        assert_eq!(
            missed.unmet[0].to_string(),
            r#"no when.any phrase found ("missed", "not collected", "wasn't emptied")"#
        );
        assert_eq!(why.fired[0].id, "bin-social");
    }

    #[test]
    fn serialises_with_conditions_named_as_in_toml() {
        let e = engine(RULES);
        let why = e.explain(&Message::new("my new bin was missed"));
        let json = serde_json::to_value(&why).expect("serialises");
        assert_eq!(
            json["almost_fired"][0]["unmet"][0],
            serde_json::json!({"condition": "when.none", "phrase": "new bin", "span": [3, 10]})
        );
        assert_eq!(
            json["almost_fired"][0]["matched"][0],
            serde_json::json!({"condition": "when.all", "what": "bin", "span": [7, 10]})
        );
        let back: Explanation = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, why);
    }

    #[test]
    fn answer_words_that_carried_a_suggestion_are_named() {
        let e = engine(
            r#"
            [settings]
            suggest_threshold = 0.1

            [[faq]]
            id = "council-tax"
            questions = ["How do I pay my council tax?"]
            answer = "See the tax page."
            context = "Set up a direct debit online, or pay by card over the phone."

            [[faq]]
            id = "bin-day"
            questions = ["When is my bin collected?"]
            answer = "See the bins page."
        "#,
        );
        let m = Message::new("can I set up a direct debit for my tax");
        let why = e.explain(&m);
        let top = &why.faq[0];
        assert_eq!(top.id, "council-tax");
        let words: Vec<&str> = top
            .answer_words
            .iter()
            .map(|w| &m.text.as_str()[w.span])
            .collect();
        assert!(words.contains(&"debit"), "{words:?}");
        // "tax" is in the entry's question: not an answer word.
        assert!(!words.contains(&"tax"), "{words:?}");
        let rendered = why.to_string();
        assert!(
            rendered.contains("    answer words: ") && rendered.contains("not its questions"),
            "{rendered}"
        );
        // Without a context, no such line.
        let plain = engine(
            r#"
            [[faq]]
            id = "bin-day"
            questions = ["When is my bin collected?"]
            answer = "See the bins page."
        "#,
        );
        let why = plain.explain(&Message::new("when is my bin collected"));
        assert!(why.faq.iter().all(|c| c.answer_words.is_empty()));
        assert!(!why.to_string().contains("answer words"));
    }

    #[test]
    fn faq_candidates_and_margins() {
        let e = engine(
            r#"
            [[faq]]
            id = "bin-day"
            questions = ["When is my bin collected?", "what day do you empty the bins"]
            answer = "Find your day online."

            [[faq]]
            id = "council-tax"
            questions = ["how do I pay my council tax", "council tax payment"]
            answer = "Pay online."
        "#,
        );
        let m = Message::new("which day are bins collected?");
        let why = e.explain(&m);
        assert_eq!(why.outcome, e.suggest(&m));
        let top = &why.faq[0];
        assert_eq!(top.id, "bin-day");
        assert!(top.question.is_some());
        assert!(top
            .evidence
            .iter()
            .any(|w| &m.text.as_str()[w.span] == "collected"));
        let reason = &why.reason;
        assert!(
            reason.starts_with("top suggestion faq `bin-day` "),
            "{reason}"
        );
        let rendered = why.to_string();
        assert!(
            rendered.contains("\nfaq candidates:\n  bin-day "),
            "{rendered}"
        );
    }

    #[test]
    fn office_hours_history_loops_and_channel_limits() {
        let e = engine(
            r#"
            [settings]
            timezone = "Europe/London"
            [hours]
            mon-fri = "09:00-17:00"
            [channels.twitter]
            max_length = 20

            [[rule]]
            id = "anyone-there"
            when.any = ["anyone there"]
            when.outside_hours = true
            reply = "Not right now, sorry."

            [[rule]]
            id = "thanks"
            when.any = ["thanks"]
            cooldown = "1h"
            reply = "You're welcome!"

            [[rule]]
            id = "bin-day"
            when.any = ["bin day"]
            reply = "Find your collection day online at our website."

            [[rule]]
            id = "out-of-hours"
            when.outside_hours = true
            reply = "We're back at {{next_open}}."
        "#,
        );
        // Wednesday 2 December 2026, 10:00 in London: open.
        let open = "2026-12-02T10:00:00Z";
        let why = e.explain(&Message::new("is anyone there? thanks").with_received_at(open));
        assert_eq!(why.fired.len(), 1, "{why}");
        assert_eq!(why.fired[0].id, "thanks");
        assert_eq!(
            why.almost_fired[0].unmet[0].to_string(),
            "the office is open when the message is received, rule wants when.outside_hours"
        );
        assert_eq!(
            serde_json::to_value(&why.almost_fired[0].unmet[0]).ok(),
            Some(serde_json::json!({"condition": "when.outside_hours"}))
        );

        // The author had `thanks` ten minutes ago: held back, and nothing else fired.
        let m = Message::new("thanks")
            .with_received_at(open)
            .with_sent(crate::Sent::new("thanks", 0, "2026-12-02T09:50:00Z"));
        let why = e.explain(&m);
        assert_eq!(why.fired[0].held_back, Some(Suppression::Cooldown));
        assert_eq!(why.decision, Decision::NoAnswer);
        assert_eq!(
            why.reason,
            "no rule fired, and the rule set has no FAQ entries"
        );
        assert!(why
            .to_string()
            .contains("  thanks (priority 0, held back by cooldown)\n"));

        // At night the notice goes beside the answer.
        let night = "2026-12-02T22:00:00Z";
        let why = e.explain(&Message::new("is anyone there?").with_received_at(night));
        assert_eq!(why.fired[0].id, "anyone-there");
        assert!(why
            .to_string()
            .contains("\n  notice (rule `out-of-hours`): \"We're back at "));

        // Loop protection and a reply too long for the channel.
        let m = Message::new("bin day?")
            .with_received_at(open)
            .with_channel("twitter");
        let why = e.explain(&m.clone().marked_automated());
        assert_eq!(why.decision, Decision::Suggest);
        assert_eq!(
            why.reason,
            "top suggestion rule `bin-day` scored 1.00, not sent unattended because the \
             message is marked as automated; its reply is 47 characters, over the channel's \
             max_length 20"
        );
    }

    /// On the bundled example, every rule that fired is explained by what matched and
    /// nothing unmet, and the explanation carries the outcome `suggest` gives.
    #[test]
    fn explains_the_bundled_example() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");
        let e = Engine::from_path(path).expect("the example loads");
        let set = e.rule_set();
        let mut messages: Vec<Message> = set.tests().iter().map(|t| t.message.clone()).collect();
        for faq in set.faqs() {
            messages.extend(faq.questions.iter().map(Message::new));
        }
        for rule in set.rules() {
            let w = &rule.when;
            let phrases = w.any.iter().chain(&w.all).chain(&w.none);
            let text: Vec<&str> = phrases.map(|p| p.text.as_str()).collect();
            messages.push(Message::new(text.join(" and ")));
            if let Some(p) = w.any.first() {
                messages.push(Message::new(format!("about {}", p.text)));
            }
        }
        assert!(messages.len() > 200);
        for m in &messages {
            let why = e.explain(m);
            for r in &why.fired {
                assert!(
                    r.unmet.is_empty(),
                    "{:?}: fired {}: {:?}",
                    m.text,
                    r.id,
                    r.unmet
                );
                assert!(
                    !r.matched.is_empty(),
                    "{:?}: {} fired on nothing",
                    m.text,
                    r.id
                );
            }
            let engine_fired = e
                .rank(m, 0)
                .into_iter()
                .filter(|r| r.kind == Kind::Rule)
                .count();
            assert_eq!(why.fired.len(), engine_fired);
            assert_eq!(why.outcome, e.suggest(m));
            assert_eq!(why.decision, why.outcome.decision);
            assert!(!why.reason.contains("the engine decided"), "{}", why.reason);
        }
    }
}
