//! Static analysis of a rule set: mistakes that load fine but will not do what the
//! author meant.
//!
//! [`lint_rule_set`] looks at a loaded [`RuleSet`] and returns [`Diagnostic`]s, rendered
//! like load errors. Most are [`Severity::Warning`]s; a rule that can never fire is a
//! [`Severity::Error`], because it can never work.
//!
//! | what | severity |
//! |---|---|
//! | a rule that can never fire: a `when.none` phrase that a `when.all` phrase requires, or every `when.any` phrase blocked by `when.none` | error |
//! | a rule shadowed by another: whenever it fires the other fires too and ranks first (an escalating rule, a higher priority, or the same priority with at least as many conditions and earlier in the rule set) | warning |
//! | the same phrase (after folding case, accents and punctuation) in two rules, or twice in one | warning |
//! | FAQ questions of two entries that are near duplicates: the same words after folding, or word sets with a Jaccard similarity of at least [`NEAR_DUPLICATE_JACCARD`] | warning |
//! | a rule or FAQ entry that no `[[test]]` expects (one warning for the whole set when it has no tests at all) | warning |
//! | an FAQ answer longer than a channel's `[channels.NAME] max_length` (on that channel it is never sent unattended; a rule's reply too long for its channel is a load error) | warning |
//! | a `[vars]` variable used by no reply or answer | warning |
//!
//! Phrases are compared the way the engine matches them: folded into words, with
//! `[synonyms]` groups read as one word, and a phrase "contains" another when the
//! other's words occur in it in a row (`"missed bin"` contains `"bin"`).
//!
//! An answer's length is the shortest it can render to, counted as the loader counts a
//! rule's reply: variables filled in, message values (`{{author.name}}`) counted as
//! nothing. Twitter's own counting (links as 23 characters) is not modelled.
//!
//! A [`RuleSet`] does not keep where `[vars]` were defined, nor where each FAQ question
//! or reply was written; [`lint_sources`] takes the TOML texts too and points at them.
//! Without them those warnings point at the entry's id, and an unused variable's warning
//! has no location.

use crate::config::sections::{self, span_in_file};
use crate::config::SourceFile;
use crate::error::{Diagnostic, Location, Severity};
use crate::text::{tokenize, WordId};
use crate::{Rule, RuleSet};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Two FAQ questions whose sets of (folded) words have at least this Jaccard similarity
/// (shared words over all words) are near duplicates.
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.8;

/// Lints a loaded rule set.
///
/// ```
/// use replykit::{lint::lint_rule_set, RuleSet, Severity};
///
/// let rules = RuleSet::from_toml("waste.toml", r#"
///     [[rule]]
///     id = "missed-bin"
///     when.all = ["bin"]
///     when.any = ["missed"]
///     when.none = ["bin"]
///     reply = "Sorry! Report it online."
///
///     [[test]]
///     message = "my bin was missed"
///     expect = "missed-bin"
/// "#)?;
/// let diagnostics = lint_rule_set(&rules);
/// assert_eq!(diagnostics.len(), 1);
/// assert_eq!(diagnostics[0].severity, Severity::Error);
/// assert_eq!(diagnostics[0].message, "rule `missed-bin` can never fire");
/// assert_eq!(diagnostics[0].position(), "waste.toml:6:18");
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn lint_rule_set(set: &RuleSet) -> Vec<Diagnostic> {
    lint(set, &Places::default())
}

/// Lints a loaded rule set, with the TOML texts it was loaded from (`(origin, text)`, as
/// given to [`RuleSet::from_sources`]), so that unused variables, FAQ questions and
/// replies are pointed at where they are written.
///
/// ```
/// use replykit::{lint::lint_sources, RuleSet};
///
/// let text = r#"
/// [vars]
/// phone = "0300 123 4567"
///
/// [[faq]]
/// id = "bin-day"
/// questions = ["When is my bin collected?"]
/// answer = "See the bins page."
///
/// [[test]]
/// message = "when is my bin collected"
/// expect = "bin-day"
/// "#;
/// let rules = RuleSet::from_toml("council.toml", text)?;
/// let diagnostics = lint_sources(&rules, [("council.toml", text)]);
/// assert_eq!(diagnostics[0].message, "variable `phone` is used nowhere");
/// assert_eq!(diagnostics[0].position(), "council.toml:3:1");
/// # Ok::<(), replykit::LoadError>(())
/// ```
pub fn lint_sources<'a, I>(set: &RuleSet, sources: I) -> Vec<Diagnostic>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut places = Places::default();
    for (name, text) in sources {
        places.read(&SourceFile::new(name, text));
    }
    lint(set, &places)
}

/// Where things the rule set does not locate were written.
#[derive(Debug, Default)]
struct Places {
    vars: HashMap<String, Location>,
    /// FAQ id → where each question was written.
    questions: HashMap<String, Vec<Location>>,
    /// Rule id → where each reply variation was written.
    replies: HashMap<String, Vec<Location>>,
}

fn get<'t, 'a>(t: &'t DeTable<'a>, key: &str) -> Option<&'t Spanned<DeValue<'a>>> {
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// The spans of a string or a list of strings, in a document starting at `base`.
fn string_spans(v: &Spanned<DeValue<'_>>, base: usize) -> Vec<std::ops::Range<usize>> {
    let at = |v: &Spanned<DeValue<'_>>| span_in_file(v, base);
    match v.get_ref() {
        DeValue::String(_) => vec![at(v)],
        DeValue::Array(items) => items
            .iter()
            .filter(|i| matches!(i.get_ref(), DeValue::String(_)))
            .map(at)
            .collect(),
        _ => Vec::new(),
    }
}

impl Places {
    /// Reads one file as the rule set's loading reads it (`sections`: an entry at a
    /// time where it can); a file that is not valid TOML adds nothing.
    fn read(&mut self, file: &SourceFile) {
        let _ = sections::read(
            &file.text,
            || (),
            |(), doc, base| self.read_document(file, doc, base),
        );
    }

    /// Reads one document, which starts at `base` in `file`.
    fn read_document(&mut self, file: &SourceFile, doc: &DeTable<'_>, base: usize) {
        if let Some(DeValue::Table(vars)) = get(doc, "vars").map(Spanned::get_ref) {
            for (k, _) in vars.iter() {
                self.vars
                    .entry(k.get_ref().to_string())
                    .or_insert_with(|| file.location(span_in_file(k, base)));
            }
        }
        for (section, key, places) in [
            ("faq", "questions", &mut self.questions),
            ("rule", "reply", &mut self.replies),
        ] {
            let Some(DeValue::Array(items)) = get(doc, section).map(Spanned::get_ref) else {
                continue;
            };
            for item in items.iter() {
                let DeValue::Table(t) = item.get_ref() else {
                    continue;
                };
                let Some(DeValue::String(id)) = get(t, "id").map(Spanned::get_ref) else {
                    continue;
                };
                if let Some(v) = get(t, key) {
                    let spans = string_spans(v, base);
                    places
                        .entry(id.to_string())
                        .or_insert_with(|| spans.into_iter().map(|s| file.location(s)).collect());
                }
            }
        }
    }
}

fn diagnostic(
    severity: Severity,
    message: String,
    location: Option<Location>,
    label: &str,
    context: Option<String>,
    help: String,
) -> Diagnostic {
    Diagnostic {
        severity,
        message,
        location,
        label: label.to_string(),
        context,
        secondary: None,
        help: Some(help),
    }
}

fn with_secondary(mut d: Diagnostic, location: &Location, label: impl Into<String>) -> Diagnostic {
    d.secondary = Some((location.clone(), label.into()));
    d
}

/// A phrase as word ids (synonym groups folded).
type Words = Vec<WordId>;

/// Whether every message holding `haystack` holds `needle`: `needle`'s words occur in
/// `haystack` in a row.
fn contains<W: PartialEq>(haystack: &[W], needle: &[W]) -> bool {
    !needle.is_empty()
        && needle.len() <= haystack.len()
        && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A rule's phrase conditions as word ids.
#[derive(Debug)]
struct Compiled {
    any: Vec<Words>,
    all: Vec<Words>,
    none: Vec<Words>,
}

/// Reads every rule's phrases as the engine does, with the engine's analyzer.
fn compile(set: &RuleSet) -> Vec<Compiled> {
    let analyzer = crate::engine::analyzer_for(set);
    let words = |phrases: &[crate::Phrase]| -> Vec<Words> {
        phrases
            .iter()
            .map(|p| analyzer.phrase_words(&p.text))
            .collect()
    };
    set.rules()
        .iter()
        .map(|r| Compiled {
            any: words(&r.when.any),
            all: words(&r.when.all),
            none: words(&r.when.none),
        })
        .collect()
}

fn lint(set: &RuleSet, places: &Places) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let compiled = compile(set);
    let never = never_fires(set, &compiled, &mut out);
    shadowed(set, &compiled, &never, &mut out);
    repeated_phrases(set, &mut out);
    near_duplicate_questions(set, places, &mut out);
    untested(set, &never, &mut out);
    long_answers(set, &mut out);
    unused_vars(set, places, &mut out);
    sort(set, &mut out);
    out
}

/// Sorts by file (in rule-set order), then position; diagnostics without a location
/// last.
fn sort(set: &RuleSet, out: &mut [Diagnostic]) {
    let mut order: HashMap<&str, usize> = HashMap::new();
    let files = set
        .rules()
        .iter()
        .map(|r| &r.answer.location)
        .chain(set.faqs().iter().map(|f| &f.answer.location))
        .chain(set.tests().iter().map(|t| &t.location));
    for l in files {
        let next = order.len();
        order.entry(&*l.file).or_insert(next);
    }
    out.sort_by_key(|d| match &d.location {
        Some(l) => (
            0,
            order.get(&*l.file).copied().unwrap_or(usize::MAX),
            l.file.clone(),
            l.span.start,
        ),
        None => (1, 0, Arc::from(""), 0),
    });
}

fn rule_context(rule: &Rule) -> Option<String> {
    Some(format!("rule `{}`", rule.answer.id))
}

/// Rules whose own conditions contradict each other. Returns which rules never fire.
fn never_fires(set: &RuleSet, compiled: &[Compiled], out: &mut Vec<Diagnostic>) -> Vec<bool> {
    let mut never = vec![false; set.rules().len()];
    for (i, (rule, c)) in set.rules().iter().zip(compiled).enumerate() {
        let w = &rule.when;
        // A `when.none` phrase that a `when.all` phrase requires.
        let blocked = c.none.iter().enumerate().find_map(|(n, none)| {
            let a = c.all.iter().position(|all| contains(all, none))?;
            Some((w.none.get(n)?, w.all.get(a)?))
        });
        if let Some((none, all)) = blocked {
            let what = if tokenize(&all.text).joined() == tokenize(&none.text).joined() {
                format!(
                    "\"{}\" is both required by `when.all` and excluded by `when.none`",
                    all.text
                )
            } else {
                format!(
                    "every message with \"{}\" (required by `when.all`) has \"{}\"",
                    all.text, none.text
                )
            };
            out.push(with_secondary(
                diagnostic(
                    Severity::Error,
                    format!("rule `{}` can never fire", rule.answer.id),
                    Some(none.location.clone()),
                    "excluded by `when.none`",
                    rule_context(rule),
                    format!(
                        "{what}; remove \"{}\" from `when.none` or \"{}\" from `when.all`",
                        none.text, all.text
                    ),
                ),
                &all.location,
                "but required by `when.all`",
            ));
            never[i] = true;
            continue;
        }
        // Every `when.any` phrase holds a `when.none` phrase.
        if c.any.is_empty() || c.none.is_empty() {
            continue;
        }
        let blockers: Option<Vec<usize>> = c
            .any
            .iter()
            .map(|any| c.none.iter().position(|none| contains(any, none)))
            .collect();
        let Some(blockers) = blockers else {
            continue;
        };
        let first_any = w.any.first();
        let first_none = blockers.first().and_then(|&n| w.none.get(n));
        if let (Some(any), Some(none)) = (first_any, first_none) {
            out.push(with_secondary(
                diagnostic(
                    Severity::Error,
                    format!("rule `{}` can never fire", rule.answer.id),
                    Some(any.location.clone()),
                    "every `when.any` phrase is excluded by `when.none`",
                    rule_context(rule),
                    format!(
                        "each `when.any` phrase contains a `when.none` phrase (\"{}\" contains \
                         \"{}\"), so a message with one has the other; remove \"{}\" from \
                         `when.none`, or add `when.any` phrases it does not block",
                        any.text, none.text, none.text
                    ),
                ),
                &none.location,
                "excluded here",
            ));
            never[i] = true;
        }
    }
    never
}

/// How many conditions a rule holds when it fires, as the engine counts them for
/// ranking.
fn specificity(rule: &Rule) -> usize {
    let w = &rule.when;
    w.all.len()
        + usize::from(!w.any.is_empty())
        + usize::from(!w.regex.is_empty())
        + usize::from(!w.channel.is_empty())
        + w.author.len()
        + w.fields.len()
        + usize::from(!w.none.is_empty())
}

/// Whether the values `b` allows are all values `a` allows (an empty list allows all).
fn narrower(b: &[String], a: &[String]) -> bool {
    a.is_empty() || (!b.is_empty() && b.iter().all(|v| a.contains(v)))
}

/// Whether rule `b` firing on a message means rule `a` fires on it too.
fn implies(b: (&Rule, &Compiled), a: (&Rule, &Compiled)) -> bool {
    let ((br, bc), (ar, ac)) = (b, a);
    // Every `when.all` phrase of `a` is in one of `b`.
    if !ac
        .all
        .iter()
        .all(|pa| bc.all.iter().any(|pb| contains(pb, pa)))
    {
        return false;
    }
    // Some `when.any` phrase of `a` is always there.
    if !ac.any.is_empty() {
        let by_all = ac
            .any
            .iter()
            .any(|pa| bc.all.iter().any(|pb| contains(pb, pa)));
        let by_any = !bc.any.is_empty()
            && bc
                .any
                .iter()
                .all(|pb| ac.any.iter().any(|pa| contains(pb, pa)));
        if !by_all && !by_any {
            return false;
        }
    }
    // No `when.none` phrase of `a` can be there: each holds a `when.none` phrase of `b`.
    if !ac
        .none
        .iter()
        .all(|pa| bc.none.iter().any(|qb| contains(pa, qb)))
    {
        return false;
    }
    // One of `a`'s patterns always matches: `b`'s patterns are among them.
    let (aw, bw) = (&ar.when, &br.when);
    if !aw.regex.is_empty()
        && (bw.regex.is_empty()
            || !bw
                .regex
                .iter()
                .all(|p| aw.regex.iter().any(|q| q.source == p.source)))
    {
        return false;
    }
    narrower(&bw.channel, &aw.channel)
        && aw.author.iter().all(|(k, allowed)| {
            bw.author
                .get(k)
                .is_some_and(|values| narrower(values, allowed))
        })
        && aw.fields.iter().all(|(k, allowed)| {
            bw.fields
                .get(k)
                .is_some_and(|values| narrower(values, allowed))
        })
}

/// Whether rule `a` (at index `ai`) ranks before rule `b` (at `bi`) when both fire.
fn ranks_before(a: &Rule, ai: usize, b: &Rule, bi: usize) -> bool {
    if a.escalate != b.escalate {
        return a.escalate;
    }
    if a.priority != b.priority {
        return a.priority > b.priority;
    }
    let (sa, sb) = (specificity(a), specificity(b));
    sa > sb || (sa == sb && ai < bi)
}

/// What a rule can be found by, for finding rules that may imply each other without
/// comparing every pair: the words of its phrases, or its patterns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Word(WordId),
    Pattern(String),
}

/// The keys a rule `a` is indexed by: every rule `b` that implies it has one of them
/// among its [`query_keys`]. `a`'s first `when.all` phrase lies inside a `when.all`
/// phrase of `b`, so `b` has its first word; or one of `a`'s `when.any` phrases lies
/// inside a phrase of `b`; or, for a rule with patterns only, `b`'s patterns are among
/// `a`'s.
fn index_keys(rule: &Rule, c: &Compiled) -> Vec<Key> {
    if let Some(&w) = c.all.iter().find_map(|p| p.first()) {
        return vec![Key::Word(w)];
    }
    let mut keys: Vec<Key> = c
        .any
        .iter()
        .filter_map(|p| p.first())
        .map(|&w| Key::Word(w))
        .collect();
    if keys.is_empty() {
        keys.extend(
            rule.when
                .regex
                .iter()
                .map(|p| Key::Pattern(p.source.clone())),
        );
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The keys a rule `b` looks up to find the rules it may imply: every word of its
/// phrases, and its patterns.
fn query_keys(rule: &Rule, c: &Compiled) -> HashSet<Key> {
    let mut keys: HashSet<Key> = c
        .any
        .iter()
        .chain(&c.all)
        .flatten()
        .map(|&w| Key::Word(w))
        .collect();
    keys.extend(
        rule.when
            .regex
            .iter()
            .map(|p| Key::Pattern(p.source.clone())),
    );
    keys
}

/// Rules that never come first because another rule always fires with them and ranks
/// first.
fn shadowed(set: &RuleSet, compiled: &[Compiled], never: &[bool], out: &mut Vec<Diagnostic>) {
    let rules = set.rules();
    let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, (rule, c)) in rules.iter().zip(compiled).enumerate() {
        for key in index_keys(rule, c) {
            index.entry(key).or_default().push(i);
        }
    }
    // `seen[a] == b + 1`: rule `a` is already a candidate for `b`.
    let mut seen = vec![0usize; rules.len()];
    let mut candidates = Vec::new();
    for (bi, (b, bc)) in rules.iter().zip(compiled).enumerate() {
        if never.get(bi).copied().unwrap_or(false) {
            continue;
        }
        candidates.clear();
        for key in query_keys(b, bc) {
            for &ai in index.get(&key).into_iter().flatten() {
                if ai != bi && seen.get(ai) != Some(&(bi + 1)) {
                    if let Some(mark) = seen.get_mut(ai) {
                        *mark = bi + 1;
                    }
                    candidates.push(ai);
                }
            }
        }
        candidates.sort_unstable();
        // The rule that ranks first among those that shadow `b`.
        let mut best: Option<usize> = None;
        for &ai in &candidates {
            let (Some(a), Some(ac)) = (rules.get(ai), compiled.get(ai)) else {
                continue;
            };
            if never.get(ai).copied().unwrap_or(false)
                || !ranks_before(a, ai, b, bi)
                || !implies((b, bc), (a, ac))
            {
                continue;
            }
            let better = match best.and_then(|i| rules.get(i).map(|r| (i, r))) {
                Some((i, r)) => ranks_before(a, ai, r, i),
                None => true,
            };
            if better {
                best = Some(ai);
            }
        }
        let Some(a) = best.and_then(|i| rules.get(i)) else {
            continue;
        };
        let why = if a.escalate && !b.escalate {
            "it escalates".to_string()
        } else if a.priority != b.priority {
            format!(
                "it has a higher priority ({} over {})",
                a.priority, b.priority
            )
        } else {
            "it has the same priority, at least as many conditions, and comes first".to_string()
        };
        out.push(with_secondary(
            diagnostic(
                Severity::Warning,
                format!(
                    "rule `{}` is shadowed by rule `{}`",
                    b.answer.id, a.answer.id
                ),
                Some(b.answer.location.clone()),
                "never the top suggestion",
                rule_context(b),
                format!(
                    "whenever `{}` fires, `{}` fires too and ranks first, as {why}; give `{}` a \
                     higher priority, or make `{}` more specific",
                    b.answer.id, a.answer.id, b.answer.id, a.answer.id
                ),
            ),
            &a.answer.location,
            "the rule that ranks first",
        ));
    }
}

/// Whether two rules can never fire on the same message: they demand different
/// channels, authors or field values.
fn exclusive(a: &Rule, b: &Rule) -> bool {
    let disjoint = |x: &[String], y: &[String]| {
        !x.is_empty() && !y.is_empty() && !x.iter().any(|v| y.contains(v))
    };
    let (a, b) = (&a.when, &b.when);
    disjoint(&a.channel, &b.channel)
        || a.author
            .iter()
            .any(|(k, x)| b.author.get(k).is_some_and(|y| disjoint(x, y)))
        || a.fields
            .iter()
            .any(|(k, x)| b.fields.get(k).is_some_and(|y| disjoint(x, y)))
}

/// The same phrase in two rules that can fire on the same message, or twice in one
/// rule.
fn repeated_phrases(set: &RuleSet, out: &mut Vec<Diagnostic>) {
    // Folded phrase → each rule it is in (once per rule), and where.
    let mut seen: HashMap<String, Vec<(usize, &Location)>> = HashMap::new();
    for (ri, rule) in set.rules().iter().enumerate() {
        // Folded phrases already reported for this rule.
        let mut reported: HashSet<String> = HashSet::new();
        for phrase in rule.when.any.iter().chain(&rule.when.all) {
            let folded = tokenize(&phrase.text).joined();
            if folded.is_empty() || reported.contains(&folded) {
                continue;
            }
            let earlier = seen.entry(folded.clone()).or_default();
            // The same rule first, then the first other rule that can fire with it.
            let clash = earlier
                .iter()
                .find(|(r, _)| *r == ri)
                .or_else(|| {
                    earlier.iter().find(|(r, _)| {
                        set.rules()
                            .get(*r)
                            .is_some_and(|other| !exclusive(other, rule))
                    })
                })
                .copied();
            if !earlier.iter().any(|(r, _)| *r == ri) {
                earlier.push((ri, &phrase.location));
            }
            let Some((first_rule, first_loc)) = clash else {
                continue;
            };
            let Some(first) = set.rules().get(first_rule) else {
                continue;
            };
            reported.insert(folded);
            let d = if first_rule == ri {
                diagnostic(
                    Severity::Warning,
                    format!("the phrase \"{}\" is listed twice", phrase.text),
                    Some(phrase.location.clone()),
                    "listed again here",
                    rule_context(rule),
                    "remove one of them".into(),
                )
            } else {
                diagnostic(
                    Severity::Warning,
                    format!(
                        "the phrase \"{}\" is in rules `{}` and `{}`",
                        phrase.text, first.answer.id, rule.answer.id
                    ),
                    Some(phrase.location.clone()),
                    "also in another rule",
                    rule_context(rule),
                    format!(
                        "a message with it can fire both rules; if they answer different \
                         things, make one more specific (`when.all`, `when.none`) or give \
                         `{}` a higher priority",
                        rule.answer.id
                    ),
                )
            };
            out.push(with_secondary(
                d,
                first_loc,
                format!("in rule `{}`", first.answer.id),
            ));
        }
    }
}

/// How many values two sorted lists share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// FAQ questions of different entries that are the same or nearly the same.
fn near_duplicate_questions(set: &RuleSet, places: &Places, out: &mut Vec<Diagnostic>) {
    struct Question {
        entry: usize,
        index: usize,
        /// Word ids, sorted, each once.
        words: Vec<u32>,
    }
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut questions = Vec::new();
    for (entry, faq) in set.faqs().iter().enumerate() {
        for (index, q) in faq.questions.iter().enumerate() {
            let mut words: Vec<u32> = tokenize(q)
                .iter()
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry(w.to_string()).or_insert(next)
                })
                .collect();
            words.sort_unstable();
            words.dedup();
            if !words.is_empty() {
                questions.push(Question {
                    entry,
                    index,
                    words,
                });
            }
        }
    }
    // Prefix filtering: with words ordered rarest first, two sets with a Jaccard
    // similarity of at least t share a word among the first |s| - ceil(t·|s|) + 1 of
    // each; only those are indexed.
    let mut frequency = vec![0usize; ids.len()];
    for q in &questions {
        for &w in &q.words {
            if let Some(f) = frequency.get_mut(w as usize) {
                *f += 1;
            }
        }
    }
    let prefix =
        |n: usize| n - ((NEAR_DUPLICATE_JACCARD * n as f64 - 1e-9).ceil() as usize).min(n) + 1;
    let mut index: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    // `seen[p] == q + 1`: question `p` is already a candidate for `q`.
    let mut seen = vec![0usize; questions.len()];
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    let mut candidates = Vec::new();
    for (qi, q) in questions.iter().enumerate() {
        let mut rarest = q.words.clone();
        rarest.sort_unstable_by_key(|&w| (frequency.get(w as usize).copied().unwrap_or(0), w));
        candidates.clear();
        for &w in rarest.iter().take(prefix(rarest.len())) {
            let Some(list) = index.get_mut(w as usize) else {
                continue;
            };
            for &pi in list.iter() {
                if seen.get(pi) != Some(&(qi + 1)) {
                    if let Some(mark) = seen.get_mut(pi) {
                        *mark = qi + 1;
                    }
                    candidates.push(pi);
                }
            }
            list.push(qi);
        }
        candidates.sort_unstable();
        for &pi in &candidates {
            let Some(p) = questions.get(pi) else {
                continue;
            };
            if p.entry == q.entry {
                continue;
            }
            let common = shared(&p.words, &q.words);
            let union = q.words.len() + p.words.len() - common;
            if (common as f64) < NEAR_DUPLICATE_JACCARD * union as f64
                || !reported.insert((p.entry, q.entry))
            {
                continue;
            }
            let (Some(first), Some(second)) = (set.faqs().get(p.entry), set.faqs().get(q.entry))
            else {
                continue;
            };
            let at = |faq: &crate::Faq, i: usize| {
                places
                    .questions
                    .get(&faq.answer.id)
                    .and_then(|l| l.get(i))
                    .unwrap_or(&faq.answer.location)
                    .clone()
            };
            let (Some(first_q), Some(second_q)) =
                (first.questions.get(p.index), second.questions.get(q.index))
            else {
                continue;
            };
            let how = if common == union {
                "the same words"
            } else {
                "nearly the same words"
            };
            out.push(with_secondary(
                diagnostic(
                    Severity::Warning,
                    format!(
                        "FAQ entries `{}` and `{}` have near-duplicate questions",
                        first.answer.id, second.answer.id
                    ),
                    Some(at(second, q.index)),
                    &format!("{how} as a question of `{}`", first.answer.id),
                    Some(format!("faq `{}`", second.answer.id)),
                    format!(
                        "{second_q:?} and {first_q:?} will match the same messages, and the \
                         two entries will confuse each other; keep the question in the entry \
                         that answers it, or reword one of them"
                    ),
                ),
                &at(first, p.index),
                format!("in `{}`", first.answer.id),
            ));
        }
    }
}

/// Rules and FAQ entries no test expects (rules that never fire have an error
/// already).
fn untested(set: &RuleSet, never: &[bool], out: &mut Vec<Diagnostic>) {
    if set.tests().is_empty() {
        if set.rules().is_empty() && set.faqs().is_empty() {
            return;
        }
        out.push(diagnostic(
            Severity::Warning,
            "the rule set has no [[test]] cases".into(),
            None,
            "",
            None,
            "add a [[test]] for each rule and FAQ entry: a message it should answer and \
             `expect = \"<id>\"`; `replykit test` runs them"
                .into(),
        ));
        return;
    }
    // A notice rule is tested by `notice = "<id>"`.
    let expected: HashSet<&str> = set
        .tests()
        .iter()
        .flat_map(|t| {
            [
                t.expect.as_deref(),
                t.notice.as_ref().and_then(|n| n.as_deref()),
            ]
        })
        .flatten()
        .collect();
    let entries = set
        .rules()
        .iter()
        .zip(never)
        .filter(|(_, &never)| !never)
        .map(|(r, _)| ("rule", &r.answer.id, &r.answer.location))
        .chain(
            set.faqs()
                .iter()
                .map(|f| ("faq", &f.answer.id, &f.answer.location)),
        );
    for (kind, id, location) in entries {
        if expected.contains(id.as_str()) {
            continue;
        }
        out.push(diagnostic(
            Severity::Warning,
            format!("no test expects {kind} `{id}`"),
            Some(location.clone()),
            "untested",
            Some(format!("{kind} `{id}`")),
            format!("add a [[test]] with a message it should answer and `expect = \"{id}\"`"),
        ));
    }
}

/// FAQ answers too long for a channel with a `max_length` (`[channels.NAME]`, the one
/// place channel limits are written): an FAQ entry answers on every channel, and on
/// that one it is never sent unattended. (A rule's reply too long for a channel the rule
/// is restricted to is a load error, checked where the rule set loads.)
fn long_answers(set: &RuleSet, out: &mut Vec<Diagnostic>) {
    for (name, channel) in set.channels() {
        let Some(limit) = channel.max_length else {
            continue;
        };
        for faq in set.faqs() {
            // As the loader counts a reply: `[vars]` filled in, message values empty.
            // The engine sends the first variation that fits, so one that fits is enough.
            let Some((length, exact)) = faq
                .answer
                .replies
                .iter()
                .map(|a| a.min_chars(|slot| set.vars().get(slot).map(String::as_str)))
                .min()
            else {
                continue;
            };
            if length <= limit {
                continue;
            }
            let which = if faq.answer.replies.len() > 1 {
                format!("every answer of FAQ entry `{}`", faq.answer.id)
            } else {
                format!("the answer of FAQ entry `{}`", faq.answer.id)
            };
            let at_least = if exact { "" } else { "at least " };
            out.push(diagnostic(
                Severity::Warning,
                format!("{which} is too long for `{name}`"),
                Some(faq.answer.location.clone()),
                &format!("{at_least}{length} characters; `{name}` takes {limit} (max_length)"),
                Some(format!("faq `{}`", faq.answer.id)),
                format!(
                    "on `{name}` it is suggested, never sent unattended: add a variation of at \
                     most {limit} characters (one that fits is chosen), or link to a \
                     page with the details"
                ),
            ));
        }
    }
}

/// `[vars]` no reply or answer uses.
fn unused_vars(set: &RuleSet, places: &Places, out: &mut Vec<Diagnostic>) {
    let templates = set
        .rules()
        .iter()
        .flat_map(|r| &r.answer.replies)
        .chain(set.faqs().iter().flat_map(|f| &f.answer.replies));
    let mut used: HashSet<&str> = HashSet::new();
    for t in templates {
        used.extend(t.slots().map(|slot| slot.name.as_str()));
    }
    for name in set.vars().keys() {
        if used.contains(name.as_str()) {
            continue;
        }
        out.push(diagnostic(
            Severity::Warning,
            format!("variable `{name}` is used nowhere"),
            places.vars.get(name).cloned(),
            "used by no reply or answer",
            Some("[vars]".into()),
            format!("use it in a reply as {{{{{name}}}}}, or remove it"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint_text(text: &str) -> Vec<Diagnostic> {
        match RuleSet::from_toml("t.toml", text) {
            Ok(set) => lint_sources(&set, [("t.toml", text)]),
            Err(e) => panic!("{e}"),
        }
    }

    fn messages(text: &str) -> Vec<String> {
        lint_text(text).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn contains_is_words_in_a_row() {
        assert!(contains(&[1, 2, 3], &[2, 3]));
        assert!(!contains(&[1, 2, 3], &[1, 3]));
        assert!(!contains(&[1], &[]));
    }

    #[test]
    fn all_any_blocked_by_none() {
        let m = messages(
            "[[rule]]\nid='r'\nwhen.any=['new bin', 'bin lid']\nwhen.none=['bin']\nreply='x'\n\
             [[test]]\nmessage='x'\ndecision='no_answer'\nexpect='r'\n",
        );
        assert_eq!(m, ["rule `r` can never fire"]);
    }

    #[test]
    fn synonyms_count_as_the_same_word() {
        let m = messages(
            "[synonyms]\nbin=['dustbin']\n[[rule]]\nid='r'\nwhen.all=['bin']\nwhen.any=['x']\n\
             when.none=['dustbin']\nreply='x'\n[[test]]\nmessage='x'\nexpect='r'\n",
        );
        assert_eq!(m, ["rule `r` can never fire"]);
    }

    #[test]
    fn a_none_phrase_longer_than_the_all_phrase_is_fine() {
        let m = messages(
            "[[rule]]\nid='r'\nwhen.all=['bin']\nwhen.none=['new bin']\nreply='x'\n\
             [[test]]\nmessage='x'\nexpect='r'\n",
        );
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn shadowing_needs_implication_and_rank() {
        let base = "[[rule]]\nid='general'\npriority=PRI\nwhen.any=['bin']\nreply='x'\n\
                    [[rule]]\nid='specific'\nwhen.all=['missed bin']\nwhen.channel=['twitter']\nreply='y'\n\
                    [[test]]\nmessage='x'\nexpect='general'\n[[test]]\nmessage='y'\nexpect='specific'\n";
        assert_eq!(
            messages(&base.replace("PRI", "5")),
            ["rule `specific` is shadowed by rule `general`"]
        );
        assert!(messages(&base.replace("PRI", "0")).is_empty());
        // A channel the general rule demands but the specific one does not: no shadow.
        let narrower = base.replace("PRI", "5").replace(
            "when.any=['bin']",
            "when.any=['bin']\nwhen.channel=['email']",
        );
        assert!(messages(&narrower).is_empty());
    }

    #[test]
    fn shadowing_by_patterns_and_escalation() {
        let m = messages(
            "[[rule]]\nid='a'\nwhen.regex=['\\d{6}', 'order']\nreply='x'\n\
             [[rule]]\nid='b'\nwhen.regex='\\d{6}'\nwhen.any=['where']\nreply='y'\n\
             [[rule]]\nid='c'\nwhen.any=['help']\nescalate=true\nreply='z'\n\
             [[rule]]\nid='d'\npriority=50\nwhen.all=['please help']\nreply='w'\n\
             [[test]]\nmessage='1'\nexpect='a'\n[[test]]\nmessage='2'\nexpect='b'\n\
             [[test]]\nmessage='3'\nexpect='c'\n[[test]]\nmessage='4'\nexpect='d'\n",
        );
        // `b` has more conditions than `a`, so it wins their tie; `d` loses to the
        // escalating `c` whatever its priority.
        assert_eq!(m, ["rule `d` is shadowed by rule `c`"]);
    }

    #[test]
    fn duplicate_phrases_and_questions() {
        let m = messages(
            "[[rule]]\nid='a'\nwhen.any=['Bin!', 'bin']\nreply='x'\n\
             [[rule]]\nid='b'\nwhen.all=['BIN']\nwhen.any=['lid']\nreply='y'\n\
             [[faq]]\nid='c'\nquestions=['When is my bin collected?']\nanswer='c'\n\
             [[faq]]\nid='d'\nquestions=['my bin: when is it collected']\nanswer='d'\n\
             [[test]]\nmessage='x'\nexpect='a'\n[[test]]\nmessage='y'\nexpect='b'\n\
             [[test]]\nmessage='x'\nexpect='c'\n[[test]]\nmessage='y'\nexpect='d'\n",
        );
        assert_eq!(
            m,
            [
                "the phrase \"bin\" is listed twice",
                "the phrase \"BIN\" is in rules `a` and `b`",
                "FAQ entries `c` and `d` have near-duplicate questions",
            ]
        );
    }

    #[test]
    fn untested_long_and_unused() {
        // Issue 15: the limit is `[channels.NAME] max_length`, read for FAQ answers too
        // (it was 280 hard-coded, for rules only).
        let long = "word ".repeat(60);
        let d = lint_text(&format!(
            "[vars]\nunused='u'\nused='v'\n[channels.twitter]\nmax_length=280\n\
             [[rule]]\nid='r'\nwhen.any=['x']\nreply='short {{{{used}}}}'\n\
             [[faq]]\nid='f'\nquestions=['q']\nanswer='{long}{{{{used}}}}'\n\
             [[test]]\nmessage='x'\nexpect='r'\n"
        ));
        let m: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "variable `unused` is used nowhere",
                "no test expects faq `f`",
                "the answer of FAQ entry `f` is too long for `twitter`",
            ]
        );
        assert_eq!(
            d[2].label,
            "301 characters; `twitter` takes 280 (max_length)"
        );
    }

    #[test]
    fn no_tests_at_all_is_one_warning() {
        let m = messages("[[faq]]\nid='f'\nquestions=['q']\nanswer='a'\n[[faq]]\nid='g'\nquestions=['z']\nanswer='a'\n");
        assert_eq!(m, ["the rule set has no [[test]] cases"]);
    }
}
