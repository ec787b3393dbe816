/*!
Listening: replaying a message history through the engine to see what people ask,
what gets answered, what nothing answers yet, and what is rising (feature `report`).

A [`Listener`] takes the history one message at a time — with the outcome the host
already has ([`Listener::add`]), or asking the engine itself ([`Listener::suggest`]) —
and [`Listener::finish`] gives a [`Report`]: plain serde values, to show in a CRM's own
UI, or rendered with [`Report::to_markdown`] and [`Report::to_html`] (one
self-contained page with inline SVG charts; nothing is fetched to view it).

The report holds:

* **Coverage**: decisions overall, per channel, per tag, inside and outside office
  hours, and per day or week (weeks when the history spans more than 62 days; at most
  the last ten years of weeks).
* **Use of the rule set**: hits per rule and FAQ entry; those that never fired.
* **What nothing answers**: the `no_answer` messages, and separately the `suggest`
  ones scoring below `auto_reply_threshold`, grouped into clusters without being told
  how many (see "Clusters"), each with its size, share, characteristic words, examples,
  first and last date, trend, the line numbers of *all* its messages, and a `[[faq]]`
  stub to paste and finish. Clusters smaller than
  [`min_cluster_size`](ListenerBuilder::min_cluster_size) are folded into `other`.
* **Rising**: words and phrases whose share of the latest week's messages rose
  significantly against the weeks before (see "Rising terms").
* **Escalations** per rule: what fired them, and when.
* **Bad lines** (counted, and the first [`MAX_BAD_LINES`] listed) and unreadable
  timestamps (counted; the message is kept without a time).

# Example: what nothing answers

```
use replykit::{listen::Listener, Engine, Message, RuleSet};

let rules = RuleSet::from_toml("council.toml", r#"
    [[faq]]
    id = "bin-day"
    questions = ["When is my bin collected?", "what day do you empty the bins"]
    answer = "Find your collection day at https://example.gov.uk/bins."
"#)?;
let engine = Engine::new(&rules)?;
let mut listener = Listener::builder().min_cluster_size(3).build(&engine);
let history = [
    "when is my bin collected?",
    "the streetlight on Elm Road is broken",
    "broken streetlight outside number 4",
    "streetlight broken again on the corner",
    "who won the match",
];
for text in history {
    listener.suggest(&Message::new(text));
}
let report = listener.finish();
assert_eq!(report.messages, 5);
let cluster = &report.unanswered.clusters[0];
assert_eq!(cluster.lines, [2, 3, 4]);
assert_eq!(cluster.id, "broken-streetlight");
assert!(cluster.faq_stub.starts_with("[[faq]]\nid = \"broken-streetlight\"\n"));
assert_eq!(report.unanswered.other.lines, [5]);
# Ok::<(), replykit::LoadError>(())
```

# Clusters

Each message is read into stems and pairs of consecutive stems with the rule set's language (the same folding and
stemming as matching), as a TF-IDF vector; a leader pass groups them in history order
through an inverted index, a few rounds of spherical k-means refine the groups, and
the most similar groups are merged (agglomeration on centroids) until no two are
similar enough; the messages of groups too small to report then join the most similar
larger group, when one is similar enough. Then each large cluster is clustered again
with the IDF taken over its own messages, and split when its messages fall into at least
two groups large enough to report (a phrase every one of them uses, such as "top up",
then weighs little, and the words that tell them apart decide), twice over. Last, the
clusters whose centroids are similar enough merge again, at a level read off the rule
set's own FAQ: its entries' questions are clustered the same way, and the level at
which their clusters agree best with the entries is used
([`Report::granularity`] says which, and on how many questions; see
[`MIN_ENTRIES`] and [`MAX_QUESTIONS`]). The number of clusters comes from similarity
thresholds, never from the caller; the thresholds were chosen on development splits
(README, "Listening"). With the `parallel` feature the
clustering runs on rayon's pool, with the same result. The characteristic words are class-based TF-IDF (a word's share of the
cluster against its frequency in the whole set). 100,000 unanswered messages cluster in
a few seconds on one core.

# Rising terms

The latest week (the 7 days up to the newest message) against everything before: a
term rises when at least [`rising_min_count`](ListenerBuilder::rising_min_count)
latest-week messages hold it, its share at least doubled, and Dunning's log-likelihood
ratio G² reaches [`rising_bar`](ListenerBuilder::rising_bar) (default 24, about
p < 10⁻⁶ for one test, so that among thousands of words, chance alone rarely clears it).
A phrase's single words are not listed again below it. A history shorter than two
weeks has no rising terms.

# Memory

Streaming: nothing is kept per message except what the report itself lists about
it. For each unanswered or low-confidence message — the messages whose line numbers
the report lists — the listener keeps its line number, day, at most
2 × [`MAX_TERMS_PER_MESSAGE`] stem and stem-pair ids and its text cut to 200 bytes (so at most about
760 bytes each, and a line number in the report is 8); besides that, counts per day,
channel (at most [`MAX_NAMES`]), tag, rule and FAQ entry, one count per term of the
vocabulary (at most [`MAX_TERMS`] stems and phrases) and, per term of the latest week,
7 counts and 3 example messages. Answered messages cost only counts. To read words
faster, the vocabulary also remembers how each of the first 65,536 distinct folded
words reads (a few megabytes at most) and keeps one message's token buffers (up to
64 KiB) for the next.
*/

mod cluster;
mod granularity;
mod html;
mod markdown;
mod report;
mod rising;
mod terms;

pub use granularity::{MAX_QUESTIONS, MIN_ENTRIES};
pub use report::{
    BadLine, BadLines, Cluster, ClusterSet, Counts, Coverage, EntryRef, EntryUse, EscalationUse,
    Granularity, NamedCounts, OfficeHoursCounts, Other, PeriodKind, ReasonCount, Report, Rising,
    RisingTerm, RuleUse, Term, Trend,
};
pub use terms::{MAX_TERMS, MAX_TERMS_PER_MESSAGE};

use crate::hours::{parse_timestamp, zone, OfficeHours};
use crate::text::{FastMap, FastSet, Language};
use crate::toml_text::toml_string;
use crate::{Decision, Engine, Kind, Message, Outcome};
use jiff::tz::TimeZone;
use report::share;
use std::collections::BTreeMap;
use terms::{TermId, Vocabulary};

/// The most bad lines listed in a report (all are counted).
pub const MAX_BAD_LINES: usize = 1000;

/// The most channels counted apart; messages of further channels count under
/// `(other)`.
pub const MAX_NAMES: usize = 100;

/// The most reasons kept per escalating rule (the report lists the ten most frequent).
const MAX_REASONS: usize = 50;

/// Examples per cluster, at most.
const CLUSTER_EXAMPLES: usize = 5;

/// Characteristic words per cluster.
const CLUSTER_WORDS: usize = 6;

/// Rising terms listed, at most.
const RISING_TERMS: usize = 20;

/// The longest text kept for an example, in bytes.
const EXAMPLE_BYTES: usize = 200;

/// A history spanning more days than this is counted per week.
const MAX_DAYS_PER_DAY: i64 = 62;

/// The most periods on the time axis (ten years of weeks): messages older than the
/// axis are in every count but the ones over time.
const MAX_PERIODS: i32 = 522;

/// The longest channel name counted, in bytes; longer names are cut.
const MAX_NAME_BYTES: usize = 100;

/// Options of a [`Listener`].
///
/// ```
/// use replykit::{listen::Listener, Engine, RuleSet};
/// let engine = Engine::new(&RuleSet::from_toml("empty.toml", "")?)?;
/// let listener = Listener::builder().min_cluster_size(10).rising_min_count(20).build(&engine);
/// assert_eq!(listener.finish().messages, 0);
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ListenerBuilder {
    min_cluster_size: usize,
    rising_bar: f64,
    rising_min_count: u64,
}

impl Default for ListenerBuilder {
    fn default() -> ListenerBuilder {
        ListenerBuilder {
            min_cluster_size: 5,
            rising_bar: 24.0,
            rising_min_count: 10,
        }
    }
}

impl ListenerBuilder {
    /// Clusters with fewer messages are folded into `other` (default 5).
    pub fn min_cluster_size(&mut self, size: usize) -> &mut ListenerBuilder {
        self.min_cluster_size = size.max(1);
        self
    }

    /// The G² a rising term must reach (default 24).
    pub fn rising_bar(&mut self, g2: f64) -> &mut ListenerBuilder {
        self.rising_bar = g2;
        self
    }

    /// The fewest latest-week messages a rising term must be in (default 10).
    pub fn rising_min_count(&mut self, count: u64) -> &mut ListenerBuilder {
        self.rising_min_count = count;
        self
    }

    /// A listener for the engine's rule set. Can be called again for another. Reads
    /// how coarse the clusters should be off the rule set's FAQ (see "Clusters" in
    /// the [module docs](self)): for a FAQ of thousands of questions, a fraction of a
    /// second.
    pub fn build(&self, engine: &Engine) -> Listener {
        let set = engine.rule_set();
        let language = language_of(engine);
        let tz = zone(&set.settings.timezone).unwrap_or(TimeZone::UTC);
        let office = (!set.hours.is_empty()).then(|| OfficeHours::new(tz.clone(), &set.hours));
        let index = |ids: Vec<&str>| -> FastMap<String, usize> {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id.to_string(), i))
                .collect()
        };
        // Read off the FAQ now, before the history: its memory is freed before the
        // history's messages are kept.
        let granularity = granularity::choose(
            &set.faqs,
            Vocabulary::new(language_of(engine)),
            &term_weight,
            cluster_params(self),
        );
        Listener {
            granularity,
            options: self.clone(),
            engine: engine.clone(),
            vocabulary: Vocabulary::new(language),
            tz,
            office,
            rule_index: index(set.rules.iter().map(|r| r.answer.id.as_str()).collect()),
            faq_index: index(set.faqs.iter().map(|f| f.answer.id.as_str()).collect()),
            rule_hits: vec![Hits::default(); set.rules.len()],
            faq_hits: vec![Hits::default(); set.faqs.len()],
            escalations: (0..set.rules.len())
                .map(|_| Escalations::default())
                .collect(),
            line: 0,
            overall: Counts::default(),
            channels: BTreeMap::new(),
            tags: BTreeMap::new(),
            inside: Counts::default(),
            outside: Counts::default(),
            per_day: BTreeMap::new(),
            unanswered: Vec::new(),
            low_confidence: Vec::new(),
            rising: rising::RisingCounter::default(),
            bad_lines: BadLines::default(),
            unreadable_timestamps: 0,
            untimed: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Hits {
    top: u64,
    suggested: u64,
    auto_reply: u64,
}

#[derive(Clone, Debug, Default)]
struct Escalations {
    total: u64,
    reasons: BTreeMap<String, u64>,
    per_day: BTreeMap<i32, u64>,
}

/// The rule set's language (English when it names none this crate knows).
fn language_of(engine: &Engine) -> Language {
    Language::from_name(&engine.rule_set().settings.language).unwrap_or_else(Language::english)
}

/// How the report clusters (before the granularity is read off the FAQ).
fn cluster_params(options: &ListenerBuilder) -> cluster::Params {
    cluster::Params {
        min_size: options.min_cluster_size,
        ..cluster::Params::default()
    }
}

/// A term's weight in the clustering vectors before IDF: stems and stem pairs weigh
/// alike (halving pairs gave purer but fewer clusters).
fn term_weight(_: TermId) -> f32 {
    1.0
}

/// A message kept for clustering.
#[derive(Debug)]
struct Item {
    line: u64,
    day: Option<i32>,
    words: Box<[TermId]>,
    text: Box<str>,
}

/// Takes a history one message at a time; [`finish`](Listener::finish) gives the
/// [`Report`]. See the [module docs](self).
#[derive(Debug)]
pub struct Listener {
    options: ListenerBuilder,
    /// How coarse the clusters are, read off the FAQ when the listener was built.
    granularity: Granularity,
    engine: Engine,
    vocabulary: Vocabulary,
    tz: TimeZone,
    office: Option<OfficeHours>,
    rule_index: FastMap<String, usize>,
    faq_index: FastMap<String, usize>,
    rule_hits: Vec<Hits>,
    faq_hits: Vec<Hits>,
    escalations: Vec<Escalations>,
    line: u64,
    overall: Counts,
    channels: BTreeMap<String, Counts>,
    tags: BTreeMap<String, Counts>,
    inside: Counts,
    outside: Counts,
    per_day: BTreeMap<i32, Counts>,
    unanswered: Vec<Item>,
    low_confidence: Vec<Item>,
    rising: rising::RisingCounter,
    bad_lines: BadLines,
    unreadable_timestamps: u64,
    untimed: u64,
}

/// Counts a decision under `name`, copying the name only the first time.
fn count_under(map: &mut BTreeMap<String, Counts>, name: &str, decision: Decision) {
    match map.get_mut(name) {
        Some(counts) => counts.add(decision),
        None => map.entry(name.to_string()).or_default().add(decision),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character
/// boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// The text of an example: control characters and line breaks as spaces, cut to
/// [`EXAMPLE_BYTES`] at a character boundary, trimmed.
pub(crate) fn shorten(text: &str) -> Box<str> {
    let prefix = cut(text, EXAMPLE_BYTES);
    // Control characters are below 0x20, 0x7F, or U+0080..U+009F, written 0xC2 then
    // a second byte: a prefix without those bytes has none. Checked 16 bytes at a time
    // with no early exit inside a block, which the compiler turns into vector code.
    let control = |block: &[u8]| {
        block.iter().fold(false, |any, &b| {
            any | (b < 0x20) | (b == 0x7F) | (b == 0xC2)
        })
    };
    if !prefix.as_bytes().chunks(16).any(control) {
        // Nothing to replace: the characters that fit are the prefix itself.
        return prefix.trim().into();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.len() + c.len_utf8() > EXAMPLE_BYTES {
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out.trim().into()
}

/// A reason without its closing span (`matched "smell gas" at 6..15` gives
/// `matched "smell gas"`), so that the same trigger counts once.
fn without_span(reason: &str) -> &str {
    match reason.rsplit_once(" at ") {
        Some((head, span))
            if !span.is_empty() && span.chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            head
        }
        _ => reason,
    }
}

/// Days since 1970-01-01 of a local time.
fn day_of(at: jiff::Timestamp, tz: &TimeZone) -> i32 {
    let offset = i64::from(tz.to_offset(at).seconds());
    let day = (at.as_second() + offset).div_euclid(86_400);
    i32::try_from(day).unwrap_or(0)
}

/// `YYYY-MM-DD` of a day number.
fn date_of(day: i32) -> String {
    jiff::Timestamp::from_second(i64::from(day) * 86_400)
        .map(|t| t.to_zoned_datetime(TimeZone::UTC).date().to_string())
        .unwrap_or_default()
}

/// The Monday of a day's week (1970-01-01 was a Thursday).
fn week_of(day: i32) -> i32 {
    day - (day + 3).rem_euclid(7)
}

impl Listener {
    /// A listener with the default options.
    pub fn new(engine: &Engine) -> Listener {
        ListenerBuilder::default().build(engine)
    }

    /// Options for a listener.
    pub fn builder() -> ListenerBuilder {
        ListenerBuilder::default()
    }

    /// The number of lines taken so far: messages, bad lines and skipped lines. The
    /// next message is on line `line() + 1`.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Asks the engine for the message's outcome, takes both, and returns the outcome.
    pub fn suggest(&mut self, message: &Message) -> Outcome {
        let outcome = self.engine.suggest(message);
        self.add(message, &outcome);
        outcome
    }

    /// Takes the next line: a line that is not a message, and why (the report counts
    /// and lists it).
    pub fn add_bad_line(&mut self, reason: impl Into<String>) {
        self.line += 1;
        self.bad_lines.count += 1;
        if self.bad_lines.lines.len() < MAX_BAD_LINES {
            self.bad_lines.lines.push(BadLine {
                line: self.line,
                reason: reason.into(),
            });
        }
    }

    /// Takes the next line as one to skip (a blank line): it is in no count.
    pub fn skip_line(&mut self) {
        self.line += 1;
    }

    fn hits(&mut self, kind: Kind, id: &str) -> Option<&mut Hits> {
        match kind {
            Kind::Rule => {
                let &i = self.rule_index.get(id)?;
                self.rule_hits.get_mut(i)
            }
            Kind::Faq => {
                let &i = self.faq_index.get(id)?;
                self.faq_hits.get_mut(i)
            }
        }
    }

    /// Takes the next line: a message and the outcome the engine gave it.
    pub fn add(&mut self, message: &Message, outcome: &Outcome) {
        self.line += 1;
        let decision = outcome.decision;
        self.overall.add(decision);
        let channel = message.channel.as_deref().unwrap_or("(none)");
        let channel = cut(channel, MAX_NAME_BYTES);
        let channel = if self.channels.contains_key(channel) || self.channels.len() < MAX_NAMES {
            channel
        } else {
            "(other)"
        };
        count_under(&mut self.channels, channel, decision);
        if let Some(top) = outcome.top() {
            for tag in &top.tags {
                count_under(&mut self.tags, tag, decision);
            }
        }
        let at = message.received_at.as_deref().and_then(|text| {
            let at = parse_timestamp(text);
            if at.is_none() {
                self.unreadable_timestamps += 1;
            }
            at
        });
        let day = at.map(|at| day_of(at, &self.tz));
        match (at, &self.office) {
            (Some(at), Some(office)) if office.is_open(at) => self.inside.add(decision),
            (Some(_), Some(_)) => self.outside.add(decision),
            _ => {}
        }
        match day {
            Some(day) => self.per_day.entry(day).or_default().add(decision),
            None => self.untimed += 1,
        }
        for (i, s) in outcome.suggestions.iter().enumerate() {
            let auto = decision == Decision::AutoReply && i == 0;
            if let Some(h) = self.hits(s.kind, &s.id) {
                h.suggested += 1;
                h.top += u64::from(i == 0);
                h.auto_reply += u64::from(auto);
            }
        }
        if let Some(notice) = &outcome.notice {
            if let Some(h) = self.hits(Kind::Rule, &notice.id) {
                h.suggested += 1;
                h.top += u64::from(outcome.suggestions.is_empty());
            }
        }
        if let Some(e) = &outcome.escalation {
            if let Some(esc) = self
                .rule_index
                .get(&e.rule)
                .and_then(|&i| self.escalations.get_mut(i))
            {
                esc.total += 1;
                let reason = without_span(&e.reason);
                if esc.reasons.contains_key(reason) || esc.reasons.len() < MAX_REASONS {
                    *esc.reasons.entry(reason.to_string()).or_default() += 1;
                }
                if let Some(day) = day {
                    *esc.per_day.entry(day).or_default() += 1;
                }
            }
        }
        let text = self.engine.text_read(message);
        // Stems and stem pairs: pairs make clusters purer.
        let terms = self.vocabulary.read(text);
        if let Some(day) = day {
            self.rising.add(day, terms, text);
        }
        let threshold = self.engine.rule_set().settings.auto_reply_threshold;
        let low =
            decision == Decision::Suggest && outcome.top().is_some_and(|t| t.score < threshold);
        if decision == Decision::NoAnswer || low {
            let mut words: Box<[TermId]> = terms.into();
            words.sort_unstable();
            let item = Item {
                line: self.line,
                day,
                words,
                text: shorten(text),
            };
            if low {
                self.low_confidence.push(item);
            } else {
                self.unanswered.push(item);
            }
        }
    }

    /// The report.
    pub fn finish(self) -> Report {
        let first = self.per_day.keys().next().copied();
        let last = self.per_day.keys().next_back().copied();
        let axis = Axis::new(first, last);
        let mut report = Report {
            messages: self.overall.messages,
            first_seen: first.map(date_of),
            last_seen: last.map(date_of),
            period: axis.as_ref().map(|a| a.kind),
            periods: axis.as_ref().map(Axis::labels).unwrap_or_default(),
            bad_lines: self.bad_lines.clone(),
            unreadable_timestamps: self.unreadable_timestamps,
            untimed: self.untimed,
            ..Report::default()
        };
        let mut per_period = vec![Counts::default(); report.periods.len()];
        if let Some(axis) = &axis {
            for (&day, counts) in &self.per_day {
                if let Some(p) = per_period.get_mut(axis.index(day)) {
                    p.merge(counts);
                }
            }
        }
        report.coverage = Coverage {
            overall: self.overall,
            by_channel: named(&self.channels),
            by_tag: named(&self.tags),
            office_hours: self.office.as_ref().map(|_| OfficeHoursCounts {
                inside: self.inside,
                outside: self.outside,
            }),
            per_period: per_period.clone(),
        };
        report.rule_use = self.rule_use();
        report.escalations = self.escalation_use(axis.as_ref());
        let mut used: FastSet<String> = self.rule_index.keys().cloned().collect();
        used.extend(self.faq_index.keys().cloned());
        let totals: Vec<u64> = per_period.iter().map(|c| c.messages).collect();
        report.granularity = self.granularity;
        let sets = SetContext {
            params: cluster::Params {
                regroup: self.granularity.regroup,
                ..cluster_params(&self.options)
            },
            vocabulary: &self.vocabulary,
            axis: axis.as_ref(),
            totals: &totals,
            all_messages: self.overall.messages,
        };
        report.unanswered = sets.cluster_set(&self.unanswered, &mut used);
        report.low_confidence = sets.cluster_set(&self.low_confidence, &mut used);
        report.rising = self.rising_terms();
        report
    }

    fn rule_use(&self) -> RuleUse {
        let set = self.engine.rule_set();
        let mut hits = Vec::new();
        let mut never_fired = Vec::new();
        let entries = set
            .rules
            .iter()
            .map(|r| (Kind::Rule, &r.answer.id))
            .zip(&self.rule_hits)
            .chain(
                set.faqs
                    .iter()
                    .map(|f| (Kind::Faq, &f.answer.id))
                    .zip(&self.faq_hits),
            );
        for ((kind, id), h) in entries {
            if h.suggested == 0 {
                never_fired.push(EntryRef {
                    kind,
                    id: id.clone(),
                });
            } else {
                hits.push(EntryUse {
                    kind,
                    id: id.clone(),
                    top: h.top,
                    suggested: h.suggested,
                    auto_reply: h.auto_reply,
                });
            }
        }
        hits.sort_by(|a, b| {
            (b.top, b.suggested)
                .cmp(&(a.top, a.suggested))
                .then_with(|| a.id.cmp(&b.id))
        });
        RuleUse { hits, never_fired }
    }

    fn escalation_use(&self, axis: Option<&Axis>) -> Vec<EscalationUse> {
        let periods = axis.map_or(0, Axis::len);
        let mut out: Vec<EscalationUse> = self
            .engine
            .rule_set()
            .rules
            .iter()
            .zip(&self.escalations)
            .filter(|(_, e)| e.total > 0)
            .map(|(rule, e)| {
                let mut reasons: Vec<ReasonCount> = e
                    .reasons
                    .iter()
                    .map(|(reason, &count)| ReasonCount {
                        reason: reason.clone(),
                        count,
                    })
                    .collect();
                reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
                reasons.truncate(10);
                let mut per_period = vec![0; periods];
                if let Some(axis) = axis {
                    for (&day, &n) in &e.per_day {
                        if let Some(p) = per_period.get_mut(axis.index(day)) {
                            *p += n;
                        }
                    }
                }
                EscalationUse {
                    rule: rule.answer.id.clone(),
                    total: e.total,
                    reasons,
                    per_period,
                }
            })
            .collect();
        out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.rule.cmp(&b.rule)));
        out
    }

    fn rising_terms(&self) -> Rising {
        let rises = self.rising.rises(
            self.options.rising_bar,
            self.options.rising_min_count,
            &self.vocabulary,
        );
        let mut listed: FastSet<TermId> = FastSet::default();
        let mut terms = Vec::new();
        for r in &rises.terms {
            if terms.len() >= RISING_TERMS {
                break;
            }
            // A word already shown within a listed phrase (or a phrase of listed
            // words) adds nothing.
            let covered = match self.vocabulary.parts(r.term) {
                Some((a, b)) => listed.contains(&a) && listed.contains(&b),
                None => listed.contains(&r.term),
            };
            listed.insert(r.term);
            if let Some((a, b)) = self.vocabulary.parts(r.term) {
                listed.insert(a);
                listed.insert(b);
            }
            if covered {
                continue;
            }
            terms.push(RisingTerm {
                term: self.vocabulary.shown(r.term).to_string(),
                recent: r.recent,
                earlier: r.earlier,
                recent_share: share(r.recent, rises.recent_messages),
                earlier_share: share(r.earlier, rises.earlier_messages),
                g2: (r.g2 * 10.0).round() / 10.0,
                examples: r.examples.iter().map(|e| e.to_string()).collect(),
            });
        }
        Rising {
            recent_from: rises.window.map(|w| date_of(w.0)),
            recent_to: rises.window.map(|w| date_of(w.1)),
            recent_messages: rises.recent_messages,
            earlier_messages: rises.earlier_messages,
            bar: self.options.rising_bar,
            min_count: self.options.rising_min_count,
            terms,
        }
    }
}

fn named(map: &BTreeMap<String, Counts>) -> Vec<NamedCounts> {
    let mut out: Vec<NamedCounts> = map
        .iter()
        .map(|(name, &counts)| NamedCounts {
            name: name.clone(),
            counts,
        })
        .collect();
    out.sort_by(|a, b| {
        b.counts
            .messages
            .cmp(&a.counts.messages)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// The report's time axis: days or weeks from the first day to the last.
#[derive(Debug)]
struct Axis {
    kind: PeriodKind,
    first: i32,
    last: i32,
}

impl Axis {
    fn new(first: Option<i32>, last: Option<i32>) -> Option<Axis> {
        let (first, last) = (first?, last?);
        let kind = if i64::from(last) - i64::from(first) + 1 > MAX_DAYS_PER_DAY {
            PeriodKind::Week
        } else {
            PeriodKind::Day
        };
        Some(match kind {
            PeriodKind::Day => Axis { kind, first, last },
            PeriodKind::Week => Axis {
                kind,
                first: week_of(first).max(week_of(last).saturating_sub(7 * (MAX_PERIODS - 1))),
                last: week_of(last),
            },
        })
    }

    fn step(&self) -> i32 {
        match self.kind {
            PeriodKind::Day => 1,
            PeriodKind::Week => 7,
        }
    }

    fn len(&self) -> usize {
        usize::try_from((i64::from(self.last) - i64::from(self.first)) / i64::from(self.step()))
            .map_or(0, |n| n + 1)
    }

    /// The period of a day; `usize::MAX` (no period) for a day before the axis.
    fn index(&self, day: i32) -> usize {
        let start = match self.kind {
            PeriodKind::Day => day,
            PeriodKind::Week => week_of(day),
        };
        if start < self.first {
            return usize::MAX;
        }
        usize::try_from((i64::from(start) - i64::from(self.first)) / i64::from(self.step()))
            .unwrap_or(usize::MAX)
    }

    fn labels(&self) -> Vec<String> {
        (0..self.len())
            .map(|i| date_of(self.first + (i as i32) * self.step()))
            .collect()
    }
}

/// What every cluster set of a report shares.
struct SetContext<'a> {
    vocabulary: &'a Vocabulary,
    axis: Option<&'a Axis>,
    /// All messages per period.
    totals: &'a [u64],
    all_messages: u64,
    /// How to group (`min_size`: the smallest cluster reported).
    params: cluster::Params,
}

/// A cluster id from words: lower-case letters and digits joined by `-`, unique among
/// `used`.
fn unique_id(words: &[&str], used: &mut FastSet<String>) -> String {
    let mut base = String::new();
    for w in words {
        let part: String = w
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let part = part.trim_matches('-');
        if part.is_empty() {
            continue;
        }
        if !base.is_empty() {
            base.push('-');
        }
        base.push_str(part);
    }
    if base.is_empty() {
        base.push_str("topic");
    }
    let id = crate::toml_text::first_free(base, |id| used.contains(id));
    used.insert(id.clone());
    id
}

fn faq_stub(id: &str, questions: &[String]) -> String {
    let mut out = format!("[[faq]]\nid = {}\nquestions = [\n", toml_string(id));
    for q in questions {
        out.push_str(&format!("    {},\n", toml_string(q)));
    }
    out.push_str("]\nanswer = \"TODO\"\n");
    out
}

fn trend(counts: &[u64], totals: &[u64]) -> Trend {
    if counts.len() < 2 || counts.iter().sum::<u64>() < 2 {
        return Trend::Unknown;
    }
    let mid = counts.len() / 2;
    let sum = |v: &[u64]| v.iter().sum::<u64>() as f64;
    let (early, late) = counts.split_at(mid);
    let (all_early, all_late) = totals.split_at(mid.min(totals.len()));
    let (early, late, all_early, all_late) = (sum(early), sum(late), sum(all_early), sum(all_late));
    if early == 0.0 {
        return if late > 0.0 {
            Trend::New
        } else {
            Trend::Unknown
        };
    }
    if all_early == 0.0 || all_late == 0.0 {
        return Trend::Unknown;
    }
    let ratio = (late / all_late) / (early / all_early);
    if ratio >= 1.5 {
        Trend::Rising
    } else if ratio <= 1.0 / 1.5 {
        Trend::Falling
    } else {
        Trend::Steady
    }
}

impl SetContext<'_> {
    fn cluster_set(&self, items: &[Item], used: &mut FastSet<String>) -> ClusterSet {
        let docs: Vec<&[TermId]> = items.iter().map(|i| &i.words[..]).collect();
        let grouping = cluster::group(&docs, &term_weight, self.params);
        let mut other: Vec<usize> = grouping.ungrouped;
        let mut kept = Vec::new();
        for g in grouping.groups {
            if g.members.len() >= self.params.min_size {
                kept.push(g.members);
            } else {
                other.extend(g.members);
            }
        }
        // Class-based TF-IDF: a stem's share of the cluster, against how common it is
        // in the whole set (clusters and other alike).
        let mut frequency: FastMap<TermId, u64> = FastMap::default();
        for item in items {
            for &t in item.words.iter() {
                *frequency.entry(t).or_default() += 1;
            }
        }
        let classes = kept.len() + usize::from(!other.is_empty());
        let average = items.len() as f64 / classes.max(1) as f64;
        let n = items.len() as u64;
        let clusters = kept
            .iter()
            .map(|members| {
                let mut tf: FastMap<TermId, u64> = FastMap::default();
                for &m in members {
                    for &t in items.get(m).map_or(&[][..], |i| &i.words[..]) {
                        *tf.entry(t).or_default() += 1;
                    }
                }
                let size = members.len() as f64;
                let mut words: Vec<(TermId, f64, u64)> = tf
                    .into_iter()
                    .filter(|&(_, c)| c >= 2)
                    .map(|(t, c)| {
                        let f = frequency.get(&t).copied().unwrap_or(1) as f64;
                        (t, c as f64 / size * (1.0 + average / f).ln(), c)
                    })
                    .collect();
                words.sort_by(|a, b| {
                    b.1.total_cmp(&a.1)
                        .then_with(|| self.vocabulary.shown(a.0).cmp(self.vocabulary.shown(b.0)))
                });
                let words = self.without_overlap(words);
                self.cluster(items, members, &words, n, used)
            })
            .collect();
        other.sort_unstable();
        let lines: Vec<u64> = other
            .iter()
            .filter_map(|&i| items.get(i).map(|i| i.line))
            .collect();
        ClusterSet {
            messages: n,
            share: share(n, self.all_messages),
            clusters,
            other: Other {
                size: lines.len() as u64,
                share: share(lines.len() as u64, n),
                lines,
            },
        }
    }

    /// The first [`CLUSTER_WORDS`] terms, where a phrase stands for its words when
    /// nearly every message holding the word holds the phrase (at least 80 %): "cycle",
    /// "cycle lane", "lane" give "cycle lane", while "broken" stays beside
    /// "streetlight broken" when it is also used without it.
    fn without_overlap(&self, words: Vec<(TermId, f64, u64)>) -> Vec<(TermId, f64, u64)> {
        let count = |t: TermId| words.iter().find(|w| w.0 == t).map_or(0, |w| w.2);
        let covers = |phrase: &(TermId, f64, u64), word: TermId| {
            self.vocabulary
                .parts(phrase.0)
                .is_some_and(|(a, b)| a == word || b == word)
                && phrase.2 as f64 >= 0.8 * count(word) as f64
        };
        let mut out: Vec<(TermId, f64, u64)> = Vec::new();
        for w in &words {
            if out.len() >= CLUSTER_WORDS {
                break;
            }
            if out.iter().any(|o| covers(o, w.0)) {
                continue;
            }
            out.retain(|o| !covers(w, o.0));
            out.push(*w);
        }
        out
    }

    fn cluster(
        &self,
        items: &[Item],
        members: &[usize],
        words: &[(TermId, f64, u64)],
        n: u64,
        used: &mut FastSet<String>,
    ) -> Cluster {
        // The id: the first two distinct words of the characteristic terms that most
        // of its messages hold ("library", "library app" give "library-app").
        let mut by_count: Vec<&(TermId, f64, u64)> = words.iter().collect();
        by_count.sort_by_key(|w| std::cmp::Reverse(w.2));
        let mut id_words: Vec<&str> = Vec::new();
        for word in by_count
            .iter()
            .flat_map(|&&(t, _, _)| self.vocabulary.shown(t).split(' '))
        {
            if id_words.len() < 2 && !id_words.contains(&word) {
                id_words.push(word);
            }
        }
        let id = unique_id(&id_words, used);
        let mut examples: Vec<String> = Vec::new();
        let mut seen: FastSet<String> = FastSet::default();
        for &m in members {
            if examples.len() >= CLUSTER_EXAMPLES {
                break;
            }
            if let Some(item) = items.get(m) {
                if !item.text.is_empty() && seen.insert(item.text.to_lowercase()) {
                    examples.push(item.text.to_string());
                }
            }
        }
        let mut lines: Vec<u64> = members
            .iter()
            .filter_map(|&m| items.get(m).map(|i| i.line))
            .collect();
        lines.sort_unstable();
        let days: Vec<i32> = members
            .iter()
            .filter_map(|&m| items.get(m).and_then(|i| i.day))
            .collect();
        let mut per_period = vec![0u64; self.totals.len()];
        if let Some(axis) = self.axis {
            for &d in &days {
                if let Some(p) = per_period.get_mut(axis.index(d)) {
                    *p += 1;
                }
            }
        }
        let size = members.len() as u64;
        Cluster {
            faq_stub: faq_stub(&id, &examples),
            id,
            size,
            share: share(size, n),
            words: words
                .iter()
                .map(|&(t, w, _)| Term {
                    term: self.vocabulary.shown(t).to_string(),
                    weight: (w * 1000.0).round() / 1000.0,
                })
                .collect(),
            examples,
            first_seen: days.iter().min().map(|&d| date_of(d)),
            last_seen: days.iter().max().map(|&d| date_of(d)),
            trend: trend(&per_period, self.totals),
            per_period,
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_weeks_and_dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(week_of(0), -3); // Monday 1969-12-29
                                    // Thursday 2026-12-03 is in the week of Monday 2026-11-30.
        assert_eq!(date_of(20_790), "2026-12-03");
        assert_eq!(date_of(week_of(20_790)), "2026-11-30");
        assert_eq!(week_of(20_787), 20_787);
        let axis = Axis::new(Some(0), Some(100)).expect("an axis");
        assert_eq!(axis.kind, PeriodKind::Week);
        assert_eq!(
            axis.labels().first().map(String::as_str),
            Some("1969-12-29")
        );
        assert_eq!(axis.index(4), 1);
    }

    #[test]
    fn stubs_are_toml() {
        let stub = faq_stub("a-b", &["say \"hi\"\\".into(), "tab\there".into()]);
        assert_eq!(
            stub,
            "[[faq]]\nid = \"a-b\"\nquestions = [\n    \"say \\\"hi\\\"\\\\\",\n    \"tab\\there\",\n]\nanswer = \"TODO\"\n"
        );
        let mut used = FastSet::default();
        used.insert("bin-day".to_string());
        assert_eq!(unique_id(&["bin", "day"], &mut used), "bin-day-2");
        assert_eq!(unique_id(&[], &mut used), "topic");
    }

    proptest::proptest! {
        /// The prefix taken as it is gives what replacing character by character gives.
        #[test]
        fn examples_are_cut_and_cleaned(text in proptest::prop_oneof![
            "[a-zé€ ]{0,260}",
            "[a-zé€ \\n\\t\\u{85}\\u{1}]{0,260}",
        ]) {
            let mut slow = String::new();
            for c in text.chars() {
                if slow.len() + c.len_utf8() > EXAMPLE_BYTES {
                    break;
                }
                slow.push(if c.is_control() { ' ' } else { c });
            }
            proptest::prop_assert_eq!(&*shorten(&text), slow.trim());
        }
    }

    #[test]
    fn reasons_lose_their_spans() {
        assert_eq!(without_span("matched \"gas\" at 6..9"), "matched \"gas\"");
        assert_eq!(
            without_span("matched \"at\" at home"),
            "matched \"at\" at home"
        );
    }

    #[test]
    fn the_time_axis_is_bounded() {
        // Messages from year 1 and year 9999: only the last ten years have periods.
        let axis = Axis::new(Some(-719_162), Some(2_932_896)).expect("an axis");
        assert_eq!(axis.len(), MAX_PERIODS as usize);
        assert_eq!(axis.index(-719_162), usize::MAX);
        assert_eq!(axis.index(2_932_896), MAX_PERIODS as usize - 1);
        assert_eq!(cut("héllo", 2), "h");
    }

    #[test]
    fn trends() {
        assert_eq!(trend(&[1, 1, 4, 4], &[10, 10, 10, 10]), Trend::Rising);
        assert_eq!(trend(&[0, 0, 4, 4], &[10, 10, 10, 10]), Trend::New);
        assert_eq!(trend(&[3, 3, 3, 3], &[10, 10, 10, 10]), Trend::Steady);
        assert_eq!(trend(&[5], &[10]), Trend::Unknown);
    }
}
