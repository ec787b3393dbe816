//! Compiled rules: one phrase index and one regex set for all rules, and the full check
//! of each candidate rule.
//!
//! Building puts every phrase of every rule into one trie over word ids ([`Phrases`])
//! and every pattern into one [`regex::RegexSet`]. Matching a message walks the trie
//! once and runs the set once; only the rules that share a matched phrase or pattern
//! become candidates, and only those are checked in full. No step loops over all rules.
//!
//! A candidate's check reads only what its conditions need: each rule's
//! [`Shape`] (which kinds of conditions it has) travels with the phrase's users, so a
//! rule of `when.any` phrases alone, the common kind, is decided from the matched
//! phrases without reading the rule (with 100,000 rules, each read of a rule's own data
//! is a cache miss).

use crate::config::{Conditions, Rule};
use crate::message::Message;
use crate::outcome::{Evidence, EvidenceKind};
use crate::text::{Analyzer, WordId, WordTok};
use crate::Span;

/// How a rule uses a phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Any,
    All,
    None,
}

/// A phrase of the index, by number: the phrases of every rule that read as the same
/// words share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PhraseId(u32);

impl PhraseId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// A rule, by its place in the rule set, kept in 4 bytes (a rule set holds far fewer
/// than 2^32 rules; see [`MAX_ENTRIES`](crate::limits::MAX_ENTRIES)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RuleId(u32);

impl RuleId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// Which kinds of conditions a rule has, one bit each: what its check must read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Shape(u8);

impl Shape {
    /// Channel, author or field conditions.
    const ATTRIBUTES: u8 = 1;
    /// `when.all` phrases that take part in matching.
    const ALL: u8 = 2;
    /// `when.any` phrases (a rule with only phrases that match nothing has this too:
    /// its `any` never holds).
    const ANY: u8 = 4;
    /// `when.none` phrases that take part in matching.
    const NONE: u8 = 8;
    /// `when.regex` patterns.
    const REGEX: u8 = 16;

    fn of(rule: &Rule, compiled: &CompiledRule) -> Shape {
        let w = &rule.when;
        let bits = [
            (
                !w.channel.is_empty() || !w.author.is_empty() || !w.fields.is_empty(),
                Shape::ATTRIBUTES,
            ),
            (!compiled.all.is_empty(), Shape::ALL),
            (!w.any.is_empty(), Shape::ANY),
            (!compiled.none.is_empty(), Shape::NONE),
            (!w.regex.is_empty(), Shape::REGEX),
        ];
        Shape(
            bits.iter()
                .filter(|(has, _)| *has)
                .fold(0, |shape, (_, bit)| shape | bit),
        )
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

// A phrase's entry is read for each phrase a message holds: kept to 16 bytes.
const _: () = assert!(std::mem::size_of::<PhraseEntry>() == 16);

/// A rule, with its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RuleRef {
    rule: RuleId,
    shape: Shape,
}

/// A rule that uses a phrase, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PhraseUser {
    rule: RuleRef,
    role: Role,
}

/// What a matched phrase leads to, in one place: its first user (most phrases have only
/// one), and where its other users and its text end (they start where the phrase
/// before's end). With 100,000 rules, each of these read from its own array was a
/// cache miss.
///
/// 16 bytes: the first user's fields are kept side by side (a [`PhraseUser`] would pad
/// its [`RuleRef`]).
#[derive(Clone, Copy, Debug)]
struct PhraseEntry {
    rule: RuleId,
    shape: Shape,
    role: Role,
    /// Its other users end here in `more_users`.
    more_end: u32,
    /// Its text ends here in `phrase_text`.
    text_end: u32,
}

/// A placeholder user (every slot is filled before it is read).
const NOBODY: PhraseUser = PhraseUser {
    rule: RuleRef {
        rule: RuleId(0),
        shape: Shape(0),
    },
    role: Role::None,
};

/// A candidate rule, and one of its `when.any` phrases that the message holds (by its
/// place in the matched phrases) or [`NO_PHRASE`] (a candidate by another way).
#[derive(Clone, Copy, Debug)]
struct Hit {
    rule: RuleRef,
    found: u32,
}

const NO_PHRASE: u32 = u32::MAX;

/// A phrase the message holds, where it first occurs.
#[derive(Clone, Copy, Debug)]
struct Found {
    phrase: PhraseId,
    span: Span,
}

#[derive(Clone, Debug)]
struct CompiledRule {
    all: Vec<PhraseId>,
    none: Vec<PhraseId>,
    /// Indexes into the regex set.
    patterns: Vec<usize>,
}

/// A candidate rule: the rule, and its `when.any` phrases that the message holds, in
/// phrase order, each where it first occurs.
struct Candidate<I> {
    rule: RuleRef,
    any: I,
}

/// The buffers [`RuleIndex::fire`] fills for a message, used again for the next one
/// (see the engine's `Scratch`).
#[derive(Debug, Default)]
pub(crate) struct FireScratch {
    /// The phrases the message holds.
    matched: Vec<Found>,
    /// The candidate rules, with their phrases.
    hits: Vec<Hit>,
    /// What matched for each rule that fired, rule after rule (see [`Fired::clues`]).
    clues: Vec<Clue>,
}

impl FireScratch {
    /// Empty, holding no memory.
    pub(crate) const fn new() -> FireScratch {
        FireScratch {
            matched: Vec::new(),
            hits: Vec::new(),
            clues: Vec::new(),
        }
    }

    /// What matched for the rules that fired on the last message: a [`Fired`]'s
    /// `clues` are a range of these.
    pub(crate) fn clues(&self) -> &[Clue] {
        &self.clues
    }

    /// The bytes the buffers hold room for.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.matched.capacity() * std::mem::size_of::<Found>()
            + self.hits.capacity() * std::mem::size_of::<Hit>()
            + self.clues.capacity() * std::mem::size_of::<Clue>()
    }
}

/// A rule that fired on a message.
#[derive(Clone, Debug)]
pub(crate) struct Fired {
    pub(crate) rule: usize,
    /// What matched, in message order: a range of [`FireScratch::clues`] (one buffer
    /// for every rule that fires, not one each).
    pub(crate) clues: std::ops::Range<usize>,
    /// Named captures of the pattern that matched.
    pub(crate) captures: Vec<(String, String)>,
    /// How many conditions held (more is more specific).
    pub(crate) specificity: usize,
}

/// Every rule, compiled.
#[derive(Debug)]
pub(crate) struct RuleIndex {
    phrases: Phrases,
    /// phrase id → its first user, and where its other users and its text end (see
    /// [`PhraseEntry`])
    phrase_entries: Vec<PhraseEntry>,
    /// Each phrase's users after the first, phrase after phrase.
    more_users: Vec<PhraseUser>,
    /// Each phrase as first written, phrase after phrase, for evidence.
    phrase_text: String,
    regexes: Option<prefilter::Prefilter>,
    /// pattern index → rule
    pattern_rules: Vec<RuleRef>,
    compiled: Vec<CompiledRule>,
    /// rule → what ranking and rendering read of it
    cards: Cards,
}

mod cards;
mod notes;
mod phrases;
mod prefilter;

use cards::Cards;
use phrases::{Phrases, PhrasesBuilder};

pub(crate) use cards::{Plain, RuleCard};

pub(crate) use notes::{Miss, Part, RuleNotes, RuleRecorder};

pub use prefilter::MAX_REGEX_SET_BYTES;

impl RuleIndex {
    pub(crate) fn build(rules: &[Rule], analyzer: &Analyzer) -> Result<RuleIndex, String> {
        let mut phrase_ids = PhrasesBuilder::default();
        // Every use of a phrase, in rule order (then any, all, none): flattened into
        // each phrase's users once every rule is in.
        let mut uses: Vec<(PhraseId, PhraseUser)> = Vec::new();
        let mut index = RuleIndex {
            phrases: Phrases::default(),
            phrase_entries: Vec::new(),
            more_users: Vec::new(),
            phrase_text: String::new(),
            regexes: None,
            pattern_rules: Vec::new(),
            compiled: Vec::with_capacity(rules.len()),
            cards: Cards::build(rules),
        };
        let mut patterns = Vec::new();
        // Each distinct phrase as first written, by phrase id.
        let mut phrase_text = Texts::default();
        // A rule's phrase ids of one role, reused from rule to rule.
        let mut ids: Vec<PhraseId> = Vec::new();
        let mut own_uses: Vec<(PhraseId, Role)> = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            let rule_id = RuleId(r as u32);
            own_uses.clear();
            // The distinct phrase ids of `phrases` that take part in matching, in
            // order, into `ids`; each noted as used by this rule in `role`.
            let mut add =
                |phrases: &[crate::config::Phrase], role: Role, ids: &mut Vec<PhraseId>| {
                    ids.clear();
                    for p in phrases {
                        let words = analyzer.phrase_words(&p.text);
                        if words.is_empty() || words.contains(&WordId::UNKNOWN) {
                            continue;
                        }
                        let (id, new) = phrase_ids.add(&words);
                        if new {
                            phrase_text.push(&p.text);
                        }
                        let id = PhraseId(id);
                        if !ids.contains(&id) {
                            ids.push(id);
                            own_uses.push((id, role));
                        }
                    }
                };
            let sorted = |ids: &[PhraseId]| {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids
            };
            let Conditions {
                any,
                all,
                none,
                regex,
                ..
            } = &rule.when;
            add(any, Role::Any, &mut ids);
            add(all, Role::All, &mut ids);
            let compiled_all = sorted(&ids);
            add(none, Role::None, &mut ids);
            let compiled_none = sorted(&ids);
            let mut own = Vec::new();
            for p in regex {
                own.push(patterns.len());
                patterns.push(p.source.clone());
            }
            let compiled = CompiledRule {
                all: compiled_all,
                none: compiled_none,
                patterns: own,
            };
            let shape = Shape::of(rule, &compiled);
            let rule_ref = RuleRef {
                rule: rule_id,
                shape,
            };
            uses.extend(own_uses.iter().map(|&(phrase, role)| {
                (
                    phrase,
                    PhraseUser {
                        rule: rule_ref,
                        role,
                    },
                )
            }));
            index.pattern_rules.extend(regex.iter().map(|_| rule_ref));
            index.compiled.push(compiled);
        }
        index.phrases = phrase_ids.build();
        if !patterns.is_empty() {
            index.regexes = Some(prefilter::Prefilter::build(&patterns)?);
        }
        // Each phrase's users side by side, in rule order: counted, then placed.
        let phrase_count = phrase_text.len();
        let mut starts = vec![0u32; phrase_count + 1];
        for (phrase, _) in &uses {
            if let Some(n) = starts.get_mut(phrase.index() + 1) {
                *n += 1;
            }
        }
        let mut total = 0;
        for n in &mut starts {
            total += *n;
            *n = total;
        }
        let mut next = starts.clone();
        let mut users = vec![NOBODY; uses.len()];
        for (phrase, user) in uses {
            if let Some(at) = next.get_mut(phrase.index()) {
                if let Some(slot) = users.get_mut(*at as usize) {
                    *slot = user;
                }
                *at += 1;
            }
        }
        // Each phrase's entry: its first user, the rest apart.
        index.phrase_entries.reserve_exact(phrase_count);
        for (id, ends) in starts.windows(2).enumerate() {
            let range = match *ends {
                [start, end] => start as usize..end as usize,
                _ => 0..0,
            };
            // Every phrase has a user (it is added for one); were one without, a user
            // that excludes it would change nothing (`fire` skips those).
            let (first, more) = match users.get(range).and_then(|u| u.split_first()) {
                Some((&first, more)) => (first, more),
                None => (NOBODY, &[][..]),
            };
            index.more_users.extend_from_slice(more);
            index.phrase_entries.push(PhraseEntry {
                rule: first.rule.rule,
                shape: first.rule.shape,
                role: first.role,
                more_end: u32::try_from(index.more_users.len()).unwrap_or(u32::MAX),
                text_end: phrase_text.ends.get(id).copied().unwrap_or(0),
            });
        }
        index.more_users.shrink_to_fit();
        index.phrase_text = phrase_text.all;
        Ok(index)
    }

    /// The rules that fire on a message, read as `words` (synonyms folded) and, where
    /// a multi-word synonym was folded, as `within` (its words as written; see
    /// `Analyzer::words_within`). Each rule checked is noted in `rec`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fire<R: RuleRecorder>(
        &self,
        rules: &[Rule],
        words: &[WordTok],
        within: Option<&[WordTok]>,
        text: &str,
        message: &Message,
        rec: &mut R,
        scratch: &mut FireScratch,
    ) -> Vec<Fired> {
        // Matched phrase ids, each with its first span.
        let FireScratch {
            matched,
            hits,
            clues,
        } = scratch;
        matched.clear();
        hits.clear();
        clues.clear();
        for stream in std::iter::once(words).chain(within) {
            self.phrases.for_each_match(
                stream,
                |w| w.id,
                |start, len, phrase| {
                    let span = match (stream.get(start), stream.get(start + len - 1)) {
                        (Some(a), Some(b)) => a.span.to(b.span),
                        _ => Span::default(),
                    };
                    matched.push(Found {
                        phrase: PhraseId(phrase),
                        span,
                    });
                },
            );
        }
        if within.is_some() {
            // Each phrase's first place in the message, whichever reading found it.
            matched.sort_by_key(|m| (m.phrase, m.span));
        }
        matched.sort_by_key(|m| m.phrase);
        matched.dedup_by_key(|m| m.phrase);
        // Each candidate rule with each of its `any` phrases found (or none).
        for (i, m) in matched.iter().enumerate() {
            let found = u32::try_from(i).unwrap_or(NO_PHRASE);
            for u in self.users(m.phrase) {
                match u.role {
                    Role::Any => hits.push(Hit {
                        rule: u.rule,
                        found,
                    }),
                    Role::All => hits.push(Hit {
                        rule: u.rule,
                        found: NO_PHRASE,
                    }),
                    Role::None => {}
                }
            }
        }
        let mut pattern_hits: Vec<prefilter::Candidate> = Vec::new();
        if let Some(set) = &self.regexes {
            pattern_hits = set.candidates(text);
            hits.extend(
                pattern_hits
                    .iter()
                    .filter_map(|c| self.pattern_rules.get(c.pattern).copied())
                    .map(|rule| Hit {
                        rule,
                        found: NO_PHRASE,
                    }),
            );
        }
        // By rule, and each rule's phrases in phrase order (as `matched` is).
        hits.sort_unstable_by_key(|h| (h.rule.rule, h.found));
        let matched = &*matched;
        let find = |phrase: PhraseId| {
            matched
                .binary_search_by_key(&phrase, |m| m.phrase)
                .ok()
                .and_then(|i| matched.get(i))
                .map(|m| m.span)
        };
        let mut fired = Vec::new();
        for rule_hits in hits.chunk_by(|a, b| a.rule.rule == b.rule.rule) {
            let Some(first) = rule_hits.first() else {
                continue;
            };
            let any = rule_hits
                .iter()
                .filter_map(|h| matched.get(h.found as usize))
                .map(|m| (m.phrase, m.span));
            let candidate = Candidate {
                rule: first.rule,
                any,
            };
            let start = clues.len();
            let checked = self.check(
                candidate,
                rules,
                &find,
                &pattern_hits,
                text,
                message,
                rec,
                clues,
            );
            match checked {
                Some(f) => fired.push(f),
                // What it pushed before a condition failed.
                None => clues.truncate(start),
            }
        }
        fired
    }

    /// What ranking and rendering read of rule number `rule` (see [`cards`]).
    pub(crate) fn card(&self, rule: usize) -> Option<RuleCard<'_>> {
        self.cards.get(rule)
    }

    /// The rules that use a phrase, with how.
    fn users(&self, phrase: PhraseId) -> impl Iterator<Item = PhraseUser> + '_ {
        let (entry, before) = self.entry(phrase);
        let more = entry.and_then(|e| {
            let start = before.map_or(0, |b| b.more_end as usize);
            self.more_users.get(start..e.more_end as usize)
        });
        entry
            .map(|e| PhraseUser {
                rule: RuleRef {
                    rule: e.rule,
                    shape: e.shape,
                },
                role: e.role,
            })
            .into_iter()
            .chain(more.unwrap_or_default().iter().copied())
    }

    /// A phrase as first written (`""` for an id not of the index).
    fn phrase_text(&self, phrase: PhraseId) -> &str {
        let (entry, before) = self.entry(phrase);
        let start = before.map_or(0, |b| b.text_end as usize);
        entry
            .and_then(|e| self.phrase_text.get(start..e.text_end as usize))
            .unwrap_or_default()
    }

    /// A phrase's entry and the one before it (where its ranges start).
    fn entry(&self, phrase: PhraseId) -> (Option<&PhraseEntry>, Option<&PhraseEntry>) {
        let i = phrase.index();
        let before = i.checked_sub(1).and_then(|b| self.phrase_entries.get(b));
        (self.phrase_entries.get(i), before)
    }

    /// The id of a phrase as the index knows it, if it takes part in matching.
    pub(crate) fn phrase_id(&self, analyzer: &Analyzer, text: &str) -> Option<PhraseId> {
        let words = analyzer.phrase_words(text);
        if words.is_empty() || words.contains(&WordId::UNKNOWN) {
            return None;
        }
        self.phrases.get(&words).map(PhraseId)
    }

    /// Checks every condition of a candidate rule. With a recorder that wants every
    /// condition, it goes on past a failed one and notes them all; otherwise it stops
    /// at the first.
    #[allow(clippy::too_many_arguments)]
    fn check<R: RuleRecorder>(
        &self,
        candidate: Candidate<impl Iterator<Item = (PhraseId, Span)>>,
        rules: &[Rule],
        find: &impl Fn(PhraseId) -> Option<Span>,
        pattern_hits: &[prefilter::Candidate],
        text: &str,
        message: &Message,
        rec: &mut R,
        clues: &mut Vec<Clue>,
    ) -> Option<Fired> {
        let Candidate {
            rule: RuleRef { rule: r, shape },
            any,
        } = candidate;
        let r = r.index();
        // Read only when the shape says they hold something.
        let rule = || rules.get(r);
        let compiled = || self.compiled.get(r);
        let mut notes = RuleNotes {
            rule: r,
            ..RuleNotes::default()
        };
        // A failed condition: noted, and the end of the check unless every condition
        // is wanted.
        macro_rules! missed {
            ($miss:expr) => {
                if R::EVERY_CONDITION {
                    notes.missed.push($miss);
                } else {
                    return None;
                }
            };
        }
        let mut attributes = true;
        if shape.has(Shape::ATTRIBUTES) {
            attribute_misses(&rule()?.when, message, |miss| {
                attributes = false;
                if R::EVERY_CONDITION {
                    notes.missed.push(miss());
                }
            });
        }
        if !attributes && !R::EVERY_CONDITION {
            return None;
        }
        // This rule's clues go after those of the rules before it.
        let start = clues.len();
        let mut specificity = 0;
        macro_rules! push {
            ($part:expr, $clue:expr) => {{
                let clue = $clue;
                if R::EVERY_CONDITION {
                    notes.matched.push(($part, clue));
                }
                clues.push(clue);
            }};
        }
        let mut all_found = true;
        if shape.has(Shape::ALL) {
            let all = &compiled()?.all;
            for &p in all {
                match find(p) {
                    Some(span) => push!(Part::All, Clue::Phrase(p, span)),
                    None => {
                        all_found = false;
                        missed!(Miss::All(p));
                    }
                }
            }
            specificity += all.len();
        }
        if shape.has(Shape::ANY) {
            let mut hit = false;
            for (p, span) in any {
                push!(Part::Any, Clue::Phrase(p, span));
                hit = true;
            }
            if !hit {
                missed!(Miss::Any);
            }
            specificity += 1;
        }
        if shape.has(Shape::NONE) {
            for &p in &compiled()?.none {
                if let Some(span) = find(p) {
                    missed!(Miss::None(p, span));
                }
            }
        }
        let mut captures = Vec::new();
        if shape.has(Shape::REGEX) {
            let (rule, compiled) = (rule()?, compiled()?);
            // The first of the rule's patterns that really matches decides (a
            // candidate with a known start is confirmed there already).
            let caps = compiled
                .patterns
                .iter()
                .zip(rule.when.regex.iter().enumerate())
                .filter_map(|(p, (k, pattern))| {
                    let i = pattern_hits.binary_search_by_key(p, |c| c.pattern).ok()?;
                    Some((k, pattern, pattern_hits.get(i)?.start))
                })
                .find_map(|(k, pattern, start)| {
                    let caps = pattern.regex.captures_at(text, start.unwrap_or(0))?;
                    Some((k, pattern, caps))
                });
            match caps {
                Some((k, pattern, caps)) => {
                    if let Some(m) = caps.get(0) {
                        push!(Part::Regex, Clue::Pattern(k, Span::new(m.start(), m.end())));
                    }
                    for name in pattern.regex.capture_names().flatten() {
                        if let Some(m) = caps.name(name) {
                            captures.push((name.to_string(), m.as_str().to_string()));
                        }
                    }
                }
                None => missed!(Miss::Regex),
            }
            specificity += 1;
        }
        let fires = attributes && all_found && notes.missed.is_empty();
        if R::EVERY_CONDITION {
            notes.matched.sort_by_key(|(_, clue)| clue.span());
            rec.rule(notes);
        }
        if !fires {
            return None;
        }
        if shape.has(Shape::ATTRIBUTES) {
            let when = &rule()?.when;
            specificity +=
                usize::from(!when.channel.is_empty()) + when.author.len() + when.fields.len();
        }
        specificity += usize::from(shape.has(Shape::NONE));
        let own = start..clues.len();
        if let Some(own) = clues.get_mut(own.clone()) {
            own.sort_by_key(Clue::span);
        }
        Some(Fired {
            rule: r,
            clues: own,
            captures,
            specificity,
        })
    }

    /// The evidence a clue stands for.
    pub(crate) fn evidence(&self, rule: &Rule, clue: &Clue) -> Evidence {
        match *clue {
            Clue::Phrase(phrase, span) => Evidence {
                what: self.phrase_text(phrase).to_string(),
                span,
                kind: EvidenceKind::Phrase,
            },
            Clue::Pattern(k, span) => Evidence {
                what: rule
                    .when
                    .regex
                    .get(k)
                    .map(|p| p.source.clone())
                    .unwrap_or_default(),
                span,
                kind: EvidenceKind::Regex,
            },
        }
    }
}

/// Texts one after another in one buffer, by number: one allocation for all of a rule
/// set's phrases rather than one each.
#[derive(Debug, Default)]
struct Texts {
    all: String,
    /// text number → where it ends in `all` (it starts where the one before ends)
    ends: Vec<u32>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.all.push_str(text);
        // A rule set's text is read from files, far below 4 GiB.
        self.ends
            .push(u32::try_from(self.all.len()).unwrap_or(u32::MAX));
    }

    /// How many texts.
    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// What matched for a rule: a phrase (by id) or one of its patterns (by index), and
/// where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clue {
    Phrase(PhraseId, Span),
    Pattern(usize, Span),
}

impl Clue {
    pub(crate) fn span(&self) -> Span {
        match *self {
            Clue::Phrase(_, span) | Clue::Pattern(_, span) => span,
        }
    }
}

/// Whether `value`, trimmed and lower-cased, is one of `allowed` (which load lower-cases).
pub(crate) fn one_of(allowed: &[String], value: Option<&str>) -> bool {
    value.is_some_and(|v| allowed.contains(&v.trim().to_lowercase()))
}

/// The conditions on the channel, the author and the fields (rules and notices alike).
pub(crate) fn attributes_hold(when: &Conditions, message: &Message) -> bool {
    let mut hold = true;
    attribute_misses(when, message, |_| hold = false);
    hold
}

/// Calls `miss` for each condition on the channel, the author and the fields that the
/// message does not meet, with a way to make its [`Miss`] (which allocates, so only a
/// recorder that keeps it calls it).
fn attribute_misses(when: &Conditions, message: &Message, mut miss: impl FnMut(&dyn Fn() -> Miss)) {
    if !when.channel.is_empty() && !one_of(&when.channel, message.channel.as_deref()) {
        miss(&|| Miss::Channel);
    }
    for (key, allowed) in &when.author {
        let value = message.author.as_ref().and_then(|a| a.get(key));
        if !one_of(allowed, value) {
            miss(&|| Miss::Author(key.clone()));
        }
    }
    for (name, allowed) in &when.fields {
        if !one_of(allowed, message.fields.get(name).map(String::as_str)) {
            miss(&|| Miss::Field(name.clone()));
        }
    }
}
