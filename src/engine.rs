//! The engine: built once from a rule set, shared by reference or by cloning, and asked
//! for suggestions.

use crate::config::{Answer, Rule, RuleSet};
use crate::context::Context;
use crate::conversation::ConversationStore;
use crate::error::{Diagnostic, LoadError};
use crate::faq::{FaqModel, FaqScore, Features};
use crate::hours::OfficeHours;
use crate::message::Message;
use crate::outcome::{
    Decision, Escalation, Evidence, Kind, Notice, Outcome, Ranked, Suggestion, Suppressed, TooLong,
};
use crate::rules::{attributes_hold, Clue, FireScratch, Fired, Plain, RuleIndex};
use crate::template::{Template, Value};
use crate::text::{
    tokenize_into, Analyzer, AnalyzerBuilder, Language, StemTok, Tokens, WordId, WordTok,
};
use crate::trace::{Dropped, Gate, Noted, Recorder, RunnerUp, Silent, Trace};
use std::cell::Cell;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Arc;

/// Suggests replies for messages. Immutable, cheap to clone (an `Arc` inside), and
/// `Send + Sync`: build it once and share it across threads.
///
/// ```
/// use replykit::{Decision, Engine, Message, RuleSet};
///
/// let rules = RuleSet::from_toml("council.toml", r#"
///     [vars]
///     phone = "0300 123 4567"
///
///     [[rule]]
///     id = "emergency"
///     when.any = ["gas leak", "smell gas"]
///     escalate = true
///     reply = "Please call our emergency line on {{phone}} now."
///
///     [[faq]]
///     id = "bin-day"
///     questions = ["When is my bin collected?", "what day do you empty the bins"]
///     answer = "Find your collection day at https://example.gov.uk/bins."
/// "#)?;
/// let engine = Engine::new(&rules)?;
///
/// let outcome = engine.suggest(&Message::new("I can smell gas in the street"));
/// assert_eq!(outcome.decision, Decision::Escalate);
/// assert_eq!(outcome.suggestions[0].reply, "Please call our emergency line on 0300 123 4567 now.");
///
/// let outcome = engine.suggest(&Message::new("which day are bins collected?"));
/// assert_eq!(outcome.top().map(|s| s.id.as_str()), Some("bin-day"));
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Shared with the host when built with [`Engine::from_arc`]; never copied here.
    set: Arc<RuleSet>,
    analyzer: Analyzer,
    rules: RuleIndex,
    faqs: FaqModel,
    /// `[hours]`, when the rule set uses office hours.
    office: Option<OfficeHours>,
    /// The notice rules (office-hours conditions only), highest priority first.
    notices: Vec<usize>,
}

/// A suggestion before rendering.
#[derive(Debug)]
struct Candidate<'e> {
    kind: Kind,
    index: usize,
    /// What the rule or FAQ entry answers with.
    answer: &'e Answer,
    /// The rule, for a rule's candidate.
    rule: Option<&'e Rule>,
    score: f64,
    priority: i64,
    specificity: usize,
    escalate: bool,
    /// `answer.auto_reply`.
    auto_reply: bool,
    /// For a plain rule, its id and reply, read from the rules' cards rather than from
    /// the rule (see `rules::cards`).
    plain: Option<Plain<'e>>,
    /// For a rule: what matched, as evidence (made with the candidate: reading the
    /// matched phrases' text then overlaps reading the rule's card).
    evidence: Vec<Evidence>,
    captures: Vec<(String, String)>,
}

/// A message as read: the text up to the limit, its words, and their stems.
struct Reading<'m> {
    text: &'m str,
    tokens: Tokens,
    stems: Vec<StemTok>,
    /// The FAQ classifier's view of the message, to explain its scores.
    features: Option<Features>,
    /// Whether an FAQ answer can rest on the message (see `FaqModel::grounded`).
    grounded: bool,
}

/// The buffers a message is read into, used again for the next message on the same
/// thread (see [`Scratch::take`]): reading a message allocates nothing once they have
/// grown to its size.
#[derive(Debug, Default)]
struct Scratch {
    tokens: Tokens,
    /// The word id of each token.
    ids: Vec<WordId>,
    /// The words for rule matching.
    words: Vec<WordTok>,
    /// What matching the rules fills.
    fire: FireScratch,
}

/// Room a thread's [`Scratch`] keeps between messages, at most (bytes): a message of
/// `max_message_bytes` (16 KB by default) needs a few times its length; what a longer
/// one made room for is given back.
const SCRATCH_KEEP_BYTES: usize = 1 << 20;

thread_local! {
    /// This thread's [`Scratch`] between messages (empty while a message is read: a
    /// message read inside another, were there one, starts from empty buffers).
    static SCRATCH: Cell<Scratch> = const { Cell::new(Scratch::new()) };
}

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            tokens: Tokens::new(),
            ids: Vec::new(),
            words: Vec::new(),
            fire: FireScratch::new(),
        }
    }

    /// This thread's scratch (empty the first time, or while another holds it).
    fn take() -> Scratch {
        SCRATCH.try_with(Cell::take).unwrap_or_default()
    }

    /// Keeps the buffers for this thread's next message, unless they hold more than
    /// [`SCRATCH_KEEP_BYTES`].
    fn put_back(self) {
        let bytes = self.tokens.capacity_bytes()
            + self.ids.capacity() * std::mem::size_of::<WordId>()
            + self.words.capacity() * std::mem::size_of::<WordTok>()
            + self.fire.capacity_bytes();
        if bytes <= SCRATCH_KEEP_BYTES {
            // During the thread's exit the scratch is gone: these are dropped instead.
            let _ = SCRATCH.try_with(|s| s.set(self));
        }
    }
}

impl<'e> Candidate<'e> {
    /// A fired rule's candidate: what it needs of the rule comes from its card (the
    /// rule itself is not read).
    /// `clues`: what matched for every rule that fired (see `FireScratch::clues`).
    fn from_rule(
        f: Fired,
        clues: &[Clue],
        set: &'e RuleSet,
        index: &'e RuleIndex,
    ) -> Option<Candidate<'e>> {
        let rule = set.rules.get(f.rule)?;
        let card = index.card(f.rule)?;
        let evidence = clues
            .get(f.clues)
            .unwrap_or_default()
            .iter()
            .map(|c| index.evidence(rule, c))
            .collect();
        Some(Candidate {
            kind: Kind::Rule,
            index: f.rule,
            answer: &rule.answer,
            rule: Some(rule),
            score: 1.0,
            priority: card.priority,
            specificity: f.specificity,
            escalate: card.escalate,
            auto_reply: card.auto_reply,
            plain: card.plain,
            evidence,
            captures: f.captures,
        })
    }

    fn from_faq(s: FaqScore, set: &'e RuleSet) -> Option<Candidate<'e>> {
        let faq = set.faqs.get(s.entry)?;
        Some(Candidate {
            kind: Kind::Faq,
            index: s.entry,
            answer: &faq.answer,
            rule: None,
            score: s.score,
            priority: 0,
            specificity: 0,
            escalate: false,
            auto_reply: faq.answer.auto_reply,
            plain: None,
            evidence: Vec::new(),
            captures: Vec::new(),
        })
    }

    /// The ranking: escalating rules first, then by score, rules before FAQ entries,
    /// higher priority, more specific, and earlier in the rule set.
    fn rank_key(
        &self,
    ) -> (
        bool,
        std::cmp::Reverse<u64>,
        u8,
        std::cmp::Reverse<i64>,
        std::cmp::Reverse<usize>,
        usize,
    ) {
        use std::cmp::Reverse;
        // Scores are in 0..=1; ordering their bits orders them.
        (
            !self.escalate,
            Reverse(self.score.to_bits()),
            // Rules before FAQ entries.
            match self.kind {
                Kind::Rule => 0,
                Kind::Faq => 1,
            },
            Reverse(self.priority),
            Reverse(self.specificity),
            self.index,
        )
    }
}

/// How a rule set reads text: its language, its synonyms, and the words of its phrases
/// and questions (typos are corrected towards those). The one place this is decided,
/// for the engine and for the threshold search alike.
pub(crate) fn analyzer_for(set: &RuleSet) -> Analyzer {
    let language = Language::from_name(&set.settings.language).unwrap_or_else(Language::english);
    let mut builder = AnalyzerBuilder::new(language);
    for group in &set.synonyms {
        builder.add_synonyms(group);
    }
    for rule in &set.rules {
        let w = &rule.when;
        for p in w.any.iter().chain(&w.all).chain(&w.none) {
            builder.add_text(&p.text);
        }
    }
    for faq in &set.faqs {
        for q in &faq.questions {
            builder.add_typo_targets(q);
        }
        for a in &faq.answer.replies {
            builder.add_text(a.source());
        }
        if let Some(context) = &faq.context {
            builder.add_text(context);
        }
    }
    builder.build()
}

/// The office hours of a rule set: `[hours]` in `settings.timezone`. `None` when the
/// rule set has no `[hours]` or nothing in it uses them: only a rule set that uses its
/// hours reads the clock for each message.
fn office_hours(set: &RuleSet) -> Option<OfficeHours> {
    if set.hours.is_empty() || !set.uses_hours {
        return None;
    }
    crate::hours::zone(&set.settings.timezone).map(|tz| OfficeHours::new(tz, &set.hours))
}

fn build_error(message: String) -> LoadError {
    LoadError::new(vec![Diagnostic::without_location(
        message,
        "use fewer or simpler `when.regex` patterns; phrases (`when.any`) scale better",
    )])
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Engine {
    /// Builds an engine from a loaded rule set.
    ///
    /// This is CPU work that blocks the calling thread: it trains the FAQ classifier,
    /// which takes up to a few seconds for a FAQ of thousands of example questions (see
    /// [`MAX_TRAINING_COST`](crate::limits::MAX_TRAINING_COST)), and compiles the rules'
    /// automata. Build once and share the engine (it is cheap to clone). In an async
    /// host, build it off the runtime's worker threads, for example with tokio's
    /// `spawn_blocking`:
    ///
    /// ```text
    /// let engine = tokio::task::spawn_blocking(move || replykit::Engine::new(&rules)).await??;
    /// ```
    ///
    /// [`Reloader`](crate::Reloader) does the same for rule files that change while the
    /// service runs.
    ///
    /// Fails only when the rule set's patterns together exceed
    /// [`MAX_REGEX_SET_BYTES`](crate::limits::MAX_REGEX_SET_BYTES).
    ///
    /// The engine keeps a copy of `set`; [`from_rule_set`](Engine::from_rule_set) and
    /// [`from_arc`](Engine::from_arc) keep the set given instead (for tens of thousands
    /// of rules, the copy is most of the engine's memory).
    pub fn new(set: &RuleSet) -> Result<Engine, LoadError> {
        Engine::from_arc(Arc::new(set.clone()))
    }

    /// Builds an engine from a rule set it takes over (no copy). See
    /// [`new`](Engine::new).
    ///
    /// ```
    /// let rules = replykit::RuleSet::from_toml("t.toml", r#"
    ///     [[rule]]
    ///     id = "hello"
    ///     when.any = ["hello"]
    ///     reply = "Hi!"
    /// "#)?;
    /// let engine = replykit::Engine::from_rule_set(rules)?;
    /// assert_eq!(engine.rule_set().rules()[0].answer.id, "hello");
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn from_rule_set(set: RuleSet) -> Result<Engine, LoadError> {
        Engine::from_arc(Arc::new(set))
    }

    /// Builds an engine from a shared rule set: the engine holds the same `Arc`, so the
    /// host and the engine share one copy of the rules. See [`new`](Engine::new).
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let rules = Arc::new(replykit::RuleSet::from_toml("t.toml", r#"
    ///     [[rule]]
    ///     id = "hello"
    ///     when.any = ["hello"]
    ///     reply = "Hi!"
    /// "#)?);
    /// let engine = replykit::Engine::from_arc(Arc::clone(&rules))?;
    /// assert!(std::ptr::eq(engine.rule_set(), &*rules));
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn from_arc(set: Arc<RuleSet>) -> Result<Engine, LoadError> {
        let analyzer = analyzer_for(&set);
        let rules = RuleIndex::build(&set.rules, &analyzer).map_err(build_error)?;
        let faqs = FaqModel::build(&set.faqs, &set.out_of_scope, &analyzer, &set.settings);
        let office = office_hours(&set);
        let mut notices: Vec<usize> = (0..set.rules.len())
            .filter(|&i| set.rules[i].is_notice())
            .collect();
        notices.sort_by_key(|&i| (std::cmp::Reverse(set.rules[i].priority), i));
        Ok(Engine {
            inner: Arc::new(Inner {
                set,
                analyzer,
                rules,
                faqs,
                office,
                notices,
            }),
        })
    }

    /// Loads a rule set from a file or folder and builds an engine from it.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Engine::from_rule_set(RuleSet::from_path(path)?)
    }

    /// The rule set the engine was built from.
    pub fn rule_set(&self) -> &RuleSet {
        &self.inner.set
    }

    /// Suggests replies for a message. Never fails and never panics: any text gives an
    /// outcome (see the crate docs, "Untrusted input").
    ///
    /// What the author had before comes from the message's
    /// [`history`](Message::history); [`suggest_with`](Engine::suggest_with) adds a
    /// host's store.
    pub fn suggest(&self, message: &Message) -> Outcome {
        self.suggest_in(message, Vec::new())
    }

    /// Suggests replies for a message whose author's earlier replies are in `store`
    /// (filed under [`Message::author_key`]) as well as in the message's own
    /// `history`. See the crate docs, "Conversation memory".
    ///
    /// ```
    /// use replykit::{Author, ConversationMemory, Engine, Message, RuleSet, Sent};
    ///
    /// let rules = RuleSet::from_toml("t.toml", r#"
    ///     [[rule]]
    ///     id = "welcome"
    ///     when.any = ["hello", "hi"]
    ///     once_per_conversation = true
    ///     reply = "Hello! How can we help?"
    /// "#)?;
    /// let engine = Engine::new(&rules)?;
    /// let memory = ConversationMemory::new(1_000);
    /// memory.record("sam", Sent::new("welcome", 0, "2026-12-02T09:00:00Z"));
    ///
    /// let message = Message::new("hi again")
    ///     .with_author(Author::from_id("sam"));
    /// let outcome = engine.suggest_with(&message, &memory);
    /// assert!(outcome.suggestions.is_empty());
    /// assert_eq!(outcome.suppressed[0].id, "welcome");
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn suggest_with<S: ConversationStore + ?Sized>(
        &self,
        message: &Message,
        store: &S,
    ) -> Outcome {
        let stored = message
            .author_key()
            .map(|author| store.recent(author))
            .unwrap_or_default();
        self.suggest_in(message, stored)
    }

    fn suggest_in(&self, message: &Message, stored: Vec<crate::Sent>) -> Outcome {
        self.decide_with(message, stored, 0, &mut Silent)
    }

    /// The outcome of [`suggest`](Engine::suggest) for a message, with what the engine
    /// noted as it decided, ranking at least `faq_limit` FAQ entries (more than the
    /// decision needs changes nothing in it). For [`Engine::explain`].
    pub(crate) fn suggest_traced(&self, message: &Message, faq_limit: usize) -> (Outcome, Trace) {
        let mut trace = Trace::default();
        let outcome = self.decide_with(message, Vec::new(), faq_limit, &mut trace);
        (outcome, trace)
    }

    fn decide_with<R: Recorder>(
        &self,
        message: &Message,
        stored: Vec<crate::Sent>,
        faq_limit: usize,
        rec: &mut R,
    ) -> Outcome {
        let ctx = self.context(message, stored);
        // Candidates the history holds back make room for the next ones.
        let limit = self.inner.set.settings.max_suggestions + 1 + ctx.history_ids();
        let mut scratch = Scratch::take();
        let (reading, candidates) =
            self.candidates(message, limit.max(faq_limit), rec, &mut scratch);
        let outcome = self.decide(message, &reading, candidates, &ctx, rec);
        scratch.tokens = reading.tokens;
        scratch.put_back();
        outcome
    }

    /// Every rule that fires and the `limit` best FAQ entries, ranked as
    /// [`suggest`](Engine::suggest) ranks them but ignoring thresholds and
    /// `max_suggestions`, without rendering replies. For evaluation and explanations.
    ///
    /// ```
    /// let rules = replykit::RuleSet::from_toml("t.toml", r#"
    ///     [[faq]]
    ///     id = "a"
    ///     questions = ["when is my bin collected"]
    ///     answer = "A."
    ///     [[faq]]
    ///     id = "b"
    ///     questions = ["how do I pay council tax"]
    ///     answer = "B."
    /// "#)?;
    /// let engine = replykit::Engine::new(&rules)?;
    /// let ranked = engine.rank(&replykit::Message::new("bin collection"), 5);
    /// assert_eq!(ranked[0].id, "a");
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn rank(&self, message: &Message, limit: usize) -> Vec<Ranked> {
        let (_, candidates) = self.candidates(message, limit, &mut Silent, &mut Scratch::new());
        candidates
            .into_iter()
            .map(|c| Ranked {
                kind: c.kind,
                id: c.answer.id.clone(),
                score: c.score,
                escalate: c.escalate,
            })
            .collect()
    }

    /// The message as read (cut to `max_message_bytes`) and its ranked candidates.
    /// The reading's tokens are `scratch`'s, taken (give them back when done with the
    /// reading).
    fn candidates<'m, R: Recorder>(
        &self,
        message: &'m Message,
        faq_limit: usize,
        rec: &mut R,
        scratch: &mut Scratch,
    ) -> (Reading<'m>, Vec<Candidate<'_>>) {
        let inner = &*self.inner;
        let text = truncate(&message.text, inner.set.settings.max_message_bytes);
        let mut tokens = std::mem::take(&mut scratch.tokens);
        tokenize_into(text, &mut tokens);
        let ids = &mut scratch.ids;
        inner.analyzer.ids_into(&tokens, ids);
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        if !inner.set.rules.is_empty() {
            let words = &mut scratch.words;
            inner.analyzer.words_into(&tokens, ids, words);
            let within = inner.analyzer.words_within(&tokens, ids, words);
            let fired = inner.rules.fire(
                &inner.set.rules,
                words,
                within.as_deref(),
                text,
                message,
                rec,
                &mut scratch.fire,
            );
            // One allocation, not one per doubling (filtered, the count is unknown).
            candidates.reserve_exact(fired.len());
            let clues = scratch.fire.clues();
            candidates.extend(
                fired
                    .into_iter()
                    .filter_map(|f| Candidate::from_rule(f, clues, &inner.set, &inner.rules)),
            );
        }
        let mut stems = Vec::new();
        let mut features = None;
        let mut grounded = true;
        if !inner.set.faqs.is_empty() {
            stems = inner.analyzer.stems_of(&tokens, ids);
            let (scores, kept) = inner
                .faqs
                .score(&tokens, &stems, &inner.analyzer, faq_limit);
            features = kept;
            grounded = inner.faqs.grounded(&stems);
            candidates.reserve(scores.len());
            candidates.extend(
                scores
                    .into_iter()
                    .filter_map(|s| Candidate::from_faq(s, &inner.set)),
            );
        }
        candidates.sort_by_key(Candidate::rank_key);
        rec.ranked(&mut candidates.iter().map(|c| Noted {
            kind: c.kind,
            index: c.index,
            score: c.score,
        }));
        (
            Reading {
                text,
                tokens,
                stems,
                features,
                grounded,
            },
            candidates,
        )
    }

    fn decide<R: Recorder>(
        &self,
        message: &Message,
        reading: &Reading<'_>,
        mut ranked: Vec<Candidate<'_>>,
        ctx: &Context<'_>,
        rec: &mut R,
    ) -> Outcome {
        let truncated = reading.text.len() < message.text.len();
        let set = &self.inner.set;
        let settings = &set.settings;
        // No FAQ answer rests on a message that shares no topic word with the FAQ.
        if !reading.grounded {
            ranked.retain(|c| {
                let keep = c.kind != Kind::Faq;
                if !keep {
                    rec.dropped(c.kind, c.index, Dropped::Ungrounded);
                }
                keep
            });
        }
        // Rules with office-hours conditions fire only at those times.
        if self.inner.office.is_some() {
            ranked.retain(|c| {
                let keep = c.rule.is_none_or(|r| ctx.hours_hold(r.when.hours));
                if !keep {
                    rec.dropped(c.kind, c.index, Dropped::Hours);
                }
                keep
            });
        }
        // What the author had holds back repeats; the next candidates move up. Those
        // that would have been shown are reported.
        let mut suppressed = Vec::new();
        let mut shown = 0;
        ranked.retain(|c| {
            let would_show = c.escalate || c.score >= settings.suggest_threshold;
            // A plain rule cannot be held back (see `Answer::may_be_held_back`), and
            // its answer is not read.
            let held = match c.plain {
                Some(_) => None,
                None => held_back(c.kind, c.answer, ctx),
            };
            match held {
                Some(s) => {
                    rec.dropped(c.kind, c.index, Dropped::HeldBack(s.reason));
                    if would_show && shown < settings.max_suggestions {
                        suppressed.push(s);
                    }
                    false
                }
                None => {
                    shown += usize::from(would_show);
                    true
                }
            }
        });
        let escalating = ranked.first().filter(|c| c.escalate);
        let escalation = escalating.and_then(|c| {
            let rule = c.rule?;
            let reason = match c.evidence.first() {
                Some(e) => format!("matched {:?} at {}..{}", e.what, e.span.start, e.span.end),
                None => "its conditions held".to_string(),
            };
            Some(Escalation {
                rule: rule.answer.id.clone(),
                reason,
            })
        });
        let runner_up = self.runner_up(ranked.first(), ranked.get(1));
        let top_candidate = ranked.first().map(|c| (c.kind, c.index, c.auto_reply));
        let mut suggestions: Vec<Suggestion> = ranked
            .into_iter()
            .filter(|c| c.escalate || c.score >= settings.suggest_threshold)
            .take(settings.max_suggestions)
            .map(|c| self.render(c, message, reading, ctx))
            .collect();
        // The top suggestion is the first candidate (see the ranking).
        let gate = match (suggestions.first(), top_candidate) {
            (Some(top), Some((kind, index, allowed))) if escalation.is_none() => Some(Gate {
                kind,
                index,
                allowed,
                // An FAQ score of 1 is a probability rounded up, not certainty: a
                // threshold of 1 sends no FAQ answer unattended (rules, which score 1,
                // still may).
                faq_never: kind == Kind::Faq && settings.auto_reply_threshold >= 1.0,
                // Loop protection: nothing is sent unattended to ourselves or to an
                // automaton.
                from_us: message.from_us,
                automated: message.automated,
                unblocked: top.blockers().next().is_none(),
                score: top.score,
                threshold: settings.auto_reply_threshold,
                runner_up,
            }),
            _ => None,
        };
        let decision = match (&gate, suggestions.is_empty()) {
            _ if escalation.is_some() => Decision::Escalate,
            (_, true) => Decision::NoAnswer,
            (Some(gate), false) if gate.holds() => Decision::AutoReply,
            _ => Decision::Suggest,
        };
        if let Some(gate) = &gate {
            rec.gate(gate);
        }
        if decision == Decision::NoAnswer {
            suggestions.clear();
        }
        let notice = if !message.from_us && !message.automated {
            self.notice(message, reading, ctx, &mut suppressed)
        } else {
            None
        };
        Outcome {
            id: message.id.clone(),
            decision,
            suggestions,
            escalation,
            truncated,
            notice,
            suppressed,
            unreadable: ctx.unreadable.clone(),
        }
    }

    /// Is the top candidate a clear winner? A rule that fires is its author's explicit
    /// choice: only another rule of the same priority makes it ambiguous. An FAQ entry
    /// must lead the runner-up by `auto_reply_margin` (which counts even when the
    /// runner-up is below the threshold).
    fn runner_up(&self, top: Option<&Candidate<'_>>, next: Option<&Candidate<'_>>) -> RunnerUp {
        let set = &self.inner.set;
        match (top, next) {
            (Some(top), Some(next)) if top.kind == Kind::Rule => RunnerUp::Rule {
                priority: top.priority,
                tied: (next.kind == Kind::Rule && next.priority >= top.priority)
                    .then_some(next.index),
            },
            (Some(top), Some(next)) => RunnerUp::Lead {
                next: next.kind,
                next_index: next.index,
                lead: top.score - next.score,
                margin: set.settings.auto_reply_margin,
            },
            _ => RunnerUp::None,
        }
    }

    /// The notice for this message: the first notice rule (highest priority, then
    /// rule-set order) whose conditions hold and that the history does not hold back.
    fn notice(
        &self,
        message: &Message,
        reading: &Reading<'_>,
        ctx: &Context<'_>,
        suppressed: &mut Vec<Suppressed>,
    ) -> Option<Notice> {
        let set = &self.inner.set;
        for &index in &self.inner.notices {
            let Some(rule) = set.rules.get(index) else {
                continue;
            };
            if !ctx.hours_hold(rule.when.hours) || !attributes_hold(&rule.when, message) {
                continue;
            }
            let answer = &rule.answer;
            if let Some(s) = held_back(Kind::Rule, answer, ctx) {
                suppressed.push(s);
                continue;
            }
            let r = self.reply(answer, &[], message, reading, ctx);
            return Some(Notice {
                id: answer.id.clone(),
                auto_reply: answer.auto_reply && r.missing.is_empty() && r.too_long.is_none(),
                reply: r.text,
                variation: r.variation,
                tags: answer.tags.clone(),
                missing: r.missing,
                too_long: r.too_long,
            });
        }
        None
    }

    fn render(
        &self,
        c: Candidate<'_>,
        message: &Message,
        reading: &Reading<'_>,
        ctx: &Context<'_>,
    ) -> Suggestion {
        let inner = &*self.inner;
        let mut question = None;
        let mut explained = None;
        let evidence: Vec<Evidence> = match c.rule {
            Some(_) => c.evidence,
            None => {
                let (q, why) = inner.faqs.explain_with(
                    reading.features.as_ref(),
                    &reading.tokens,
                    &reading.stems,
                    &inner.analyzer,
                    c.index,
                );
                question = q
                    .and_then(|q| inner.set.faqs.get(c.index)?.questions.get(q))
                    .cloned();
                explained = inner
                    .faqs
                    .explained(&reading.stems, c.index)
                    .map(|e| (e.share * 1e4).round() / 1e4);
                why
            }
        };
        let answer = c.answer;
        // A plain rule's one reply renders as written, and it has no tags.
        let (id, r, tags) = match c.plain {
            Some(plain) => (plain.id, plain_reply(plain.reply, ctx), Vec::new()),
            None => (
                answer.id.as_str(),
                self.reply(answer, &c.captures, message, reading, ctx),
                answer.tags.clone(),
            ),
        };
        Suggestion {
            kind: c.kind,
            id: id.to_string(),
            reply: r.text,
            score: (c.score * 1e4).round() / 1e4,
            tags,
            evidence,
            variation: r.variation,
            escalate: c.escalate,
            question,
            missing: r.missing,
            too_long: r.too_long,
            explained,
        }
    }

    /// Chooses a variation and renders it: deterministic for the message, avoiding the
    /// variations the author had (see [`variation_order`]), and preferring one that fits
    /// the channel. A reply that fits in no variation is flagged, never cut.
    fn reply(
        &self,
        answer: &Answer,
        captures: &[(String, String)],
        message: &Message,
        reading: &Reading<'_>,
        ctx: &Context<'_>,
    ) -> Rendered {
        let vars = &self.inner.set.vars;
        let (id, templates) = (answer.id.as_str(), answer.replies.as_slice());
        let (seen, last) = ctx.variations_had(id);
        let count = templates.len();
        let render = |variation: usize| {
            let (text, missing) = match templates.get(variation) {
                Some(t) => render_template(t, vars, captures, message, ctx),
                None => (String::new(), Vec::new()),
            };
            let too_long = too_long(&text, ctx);
            Rendered {
                variation,
                text,
                missing,
                too_long,
            }
        };
        let first = if seen.is_empty() {
            // Without history (the common case), no need to order them all.
            pick_variation(reading.text, id, count)
        } else {
            variation_order(reading.text, id, count, &seen, last)
                .first()
                .copied()
                .unwrap_or(0)
        };
        let first = render(first);
        if first.too_long.is_none() || count <= 1 {
            return first;
        }
        variation_order(reading.text, id, count, &seen, last)
            .into_iter()
            .filter(|&v| v != first.variation)
            .map(render)
            .find(|r| r.too_long.is_none())
            .unwrap_or(first)
    }
}

/// What [`Engine::reply`] renders for an answer of one reply without slots: that reply,
/// whatever the history.
fn plain_reply(reply: &str, ctx: &Context<'_>) -> Rendered {
    Rendered {
        variation: 0,
        text: reply.to_string(),
        missing: Vec::new(),
        too_long: too_long(reply, ctx),
    }
}

/// Set when `text` is longer than the channel allows.
fn too_long(text: &str, ctx: &Context<'_>) -> Option<TooLong> {
    ctx.limit.and_then(|limit| {
        let length = text.chars().count();
        (length > limit).then_some(TooLong { length, limit })
    })
}

/// Whether the author's history holds back this rule or FAQ entry.
fn held_back(kind: Kind, answer: &Answer, ctx: &Context<'_>) -> Option<Suppressed> {
    if !answer.may_be_held_back() {
        return None;
    }
    let (reason, until) =
        ctx.suppression(&answer.id, answer.cooldown, answer.once_per_conversation)?;
    Some(Suppressed {
        kind,
        id: answer.id.clone(),
        reason,
        until,
    })
}

/// A rendered reply.
struct Rendered {
    variation: usize,
    text: String,
    missing: Vec<String>,
    too_long: Option<TooLong>,
}

/// The variations in the order they are tried: first one chosen by a hash of the message
/// text and the id among those the author never had (or, when they had them all, all
/// but the one they had last), then the rest of those, then the others. Without history
/// the first is the same message's same variation, always.
fn variation_order(
    text: &str,
    id: &str,
    count: usize,
    seen: &[usize],
    last: Option<usize>,
) -> Vec<usize> {
    if count <= 1 {
        return vec![0];
    }
    let mut allowed: Vec<usize> = (0..count).filter(|v| !seen.contains(v)).collect();
    // `count > 1`, so at least one variation is not the last one.
    if allowed.is_empty() {
        allowed = (0..count).filter(|&v| Some(v) != last).collect();
    }
    let pick = pick_variation(text, id, allowed.len());
    let mut order: Vec<usize> = allowed[pick..]
        .iter()
        .chain(&allowed[..pick])
        .copied()
        .collect();
    order.extend((0..count).filter(|v| !allowed.contains(v)));
    order
}

/// The same message and entry always get the same variation; different messages spread
/// over the variations.
fn pick_variation(text: &str, id: &str, count: usize) -> usize {
    if count <= 1 {
        return 0;
    }
    let mut h = crate::text::FxHasher::default();
    h.write(text.as_bytes());
    h.write(id.as_bytes());
    (h.finish() % count as u64) as usize
}

fn render_template(
    t: &Template,
    vars: &std::collections::BTreeMap<String, String>,
    captures: &[(String, String)],
    message: &Message,
    ctx: &Context<'_>,
) -> (String, Vec<String>) {
    t.render(|name| {
        if let Some((_, v)) = captures.iter().find(|(n, _)| n == name) {
            return Some(Value::Untrusted(v));
        }
        if let Some(v) = vars.get(name) {
            return Some(Value::Trusted(v));
        }
        if name == crate::hours::NEXT_OPEN {
            return ctx.next_open().map(Value::Trusted);
        }
        let v = if name == "channel" {
            message.channel.as_deref()
        } else if let Some(key) = name.strip_prefix("author.") {
            message.author.as_ref().and_then(|a| a.get(key))
        } else {
            name.strip_prefix("fields.")
                .and_then(|f| message.fields.get(f))
                .map(String::as_str)
        };
        v.map(Value::Untrusted)
    })
}

/// Crate-internal access for [`Engine::explain`](crate::explain), which re-reads a
/// message the way the engine does.
impl Engine {
    /// The engine's vocabulary.
    pub(crate) fn analyzer(&self) -> &Analyzer {
        &self.inner.analyzer
    }

    /// The engine's compiled rules.
    pub(crate) fn rule_index(&self) -> &RuleIndex {
        &self.inner.rules
    }

    /// The engine's FAQ model.
    pub(crate) fn faq_model(&self) -> &FaqModel {
        &self.inner.faqs
    }

    /// The situation a message is read in (see [`Context`]), with `stored`, the
    /// author's replies from the host's store.
    pub(crate) fn context(&self, message: &Message, stored: Vec<crate::Sent>) -> Context<'_> {
        let inner = &*self.inner;
        Context::new(&inner.set, inner.office.as_ref(), message, stored)
    }

    /// The part of a message's text that is matched (cut to `max_message_bytes`).
    pub(crate) fn text_read<'m>(&self, message: &'m Message) -> &'m str {
        truncate(&message.text, self.inner.set.settings.max_message_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread reads each message into the buffers the message before it left: what
    /// it suggests is what it suggests on a fresh thread.
    #[test]
    fn reading_into_reused_buffers_changes_nothing() {
        let set = RuleSet::from_toml(
            "t.toml",
            r#"
            [[rule]]
            id = "bin"
            when.any = ["missed bin", "bin"]
            reply = "Sorry about your bin."
            [[rule]]
            id = "gas"
            when.any = ["smell gas"]
            escalate = true
            reply = "Call us."
            "#,
        )
        .expect("loads");
        let engine = Engine::new(&set).expect("builds");
        let texts = [
            "I can smell gas and my bin was missed, a long message with many words in it",
            "bin",
            "",
            "Ｍｙ café’s BIN was missed",
            "nothing here",
            "smell gas",
        ];
        let fresh: Vec<Outcome> = texts
            .iter()
            .map(|t| {
                let engine = engine.clone();
                let message = Message::new(*t);
                std::thread::spawn(move || engine.suggest(&message))
                    .join()
                    .expect("suggests")
            })
            .collect();
        for _ in 0..2 {
            for (t, expected) in texts.iter().zip(&fresh) {
                assert_eq!(&engine.suggest(&Message::new(*t)), expected, "{t:?}");
            }
        }
    }
}
