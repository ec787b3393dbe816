//! Reading one TOML file into its parts, reporting every problem in it.

use super::duration::parse_duration;
use super::sections;
use super::source::{Sink, SourceFile};
use super::walk::{self, get, key_span, Text, Val};
use super::{
    Answer, Channel, Conditions, Faq, HoursCondition, HoursLine, Pattern, Phrase, Rule, TestCase,
    MAX_REGEX_BYTES,
};
use crate::conversation::Sent;
use crate::error::{Diagnostic, Location};
use crate::hours::{self, Opening};
use crate::template::Template;
use crate::text::{tokenize, Language};
use crate::{Decision, Message};
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;
use toml::de::{DeTable, DeValue};

/// The longest phrase, in words.
pub(crate) const MAX_PHRASE_WORDS: usize = 32;

/// A setting's value, checked for range.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SettingValue {
    Text(String),
    Count(usize),
    Fraction(f64),
}

/// A slot used in a template, with where it is, for checks after merging.
#[derive(Clone, Debug)]
pub(crate) struct SlotUse {
    pub(crate) name: String,
    pub(crate) location: Location,
}

/// What a template may refer to besides `[vars]`: the capture names of its rule.
#[derive(Clone, Debug)]
pub(crate) struct Templated {
    pub(crate) context: String,
    pub(crate) captures: Vec<String>,
    pub(crate) slots: Vec<SlotUse>,
    /// The channels the rule is restricted to (`when.channel`), for length checks.
    pub(crate) channels: Vec<String>,
    /// Each template with where its text is written.
    pub(crate) texts: Vec<(Template, Location)>,
}

/// The day or date a line of `[hours]` is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum HoursDay {
    /// Monday = 0.
    Weekday(u8),
    Date(jiff::civil::Date),
}

/// One day's opening range (or `None`: closed) from `[hours]`, with where it was
/// written, for the checks across lines and files.
#[derive(Clone, Debug)]
pub(crate) struct HoursEntry {
    pub(crate) day: HoursDay,
    pub(crate) range: Option<Opening>,
    pub(crate) location: Location,
}

/// A use of office hours (`when.outside_hours`, `when.inside_hours`), which needs
/// `[hours]` and a time zone.
#[derive(Clone, Debug)]
pub(crate) struct HoursUse {
    pub(crate) what: String,
    pub(crate) context: String,
    pub(crate) location: Location,
}

/// Everything one file holds.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The file is not valid TOML, so what it defines is unknown.
    pub(crate) unreadable: bool,
    pub(crate) settings: Vec<(String, SettingValue, Location)>,
    pub(crate) vars: Vec<(String, String, Location)>,
    pub(crate) synonyms: Vec<Vec<(String, Location)>>,
    pub(crate) hours: Vec<(HoursLine, Location)>,
    pub(crate) hours_entries: Vec<HoursEntry>,
    pub(crate) hours_uses: Vec<HoursUse>,
    /// Whether the file has an `[hours]` table (even one with mistakes).
    pub(crate) hours_table: bool,
    /// Whether `[settings]` names a `timezone` (even a wrong one).
    pub(crate) timezone_written: bool,
    pub(crate) channels: Vec<(String, Channel, Location)>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) faqs: Vec<Faq>,
    /// `[out_of_scope] examples`.
    pub(crate) out_of_scope: Vec<String>,
    pub(crate) tests: Vec<TestCase>,
    pub(crate) templated: Vec<Templated>,
}

const TOP_KEYS: &[&str] = &[
    "settings",
    "vars",
    "synonyms",
    "hours",
    "channels",
    "out_of_scope",
    "rule",
    "faq",
    "test",
];
const OUT_OF_SCOPE_KEYS: &[&str] = &["examples"];
const SETTING_KEYS: &[&str] = &[
    "language",
    "timezone",
    "max_suggestions",
    "suggest_threshold",
    "auto_reply_threshold",
    "auto_reply_margin",
    "max_message_bytes",
    "faq_temperature",
];
const RULE_KEYS: &[&str] = &[
    "id",
    "priority",
    "when",
    "escalate",
    "auto_reply",
    "reply",
    "tags",
    "cooldown",
    "once_per_conversation",
];
const WHEN_KEYS: &[&str] = &[
    "any",
    "all",
    "none",
    "regex",
    "channel",
    "author",
    "fields",
    "outside_hours",
    "inside_hours",
];
const AUTHOR_KEYS: &[&str] = &["id", "name", "handle"];
const FAQ_KEYS: &[&str] = &[
    "id",
    "questions",
    "answer",
    "context",
    "tags",
    "auto_reply",
    "cooldown",
    "once_per_conversation",
];
const CHANNEL_KEYS: &[&str] = &["max_length"];
const HISTORY_KEYS: &[&str] = &["id", "variation", "at"];
const TEST_KEYS: &[&str] = &[
    "message",
    "expect",
    "decision",
    "reply_contains",
    "channel",
    "author",
    "fields",
    "received_at",
    "history",
    "from_us",
    "automated",
    "notice",
    "notice_contains",
    "suppressed",
];
const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses one file; problems go to `diagnostics`.
///
/// The file is read one entry at a time where it can be (see `sections`), so that
/// the TOML tree held is one entry's, not the whole file's.
pub(crate) fn parse_file(file: &SourceFile, diagnostics: &mut Vec<Diagnostic>) -> Parsed {
    let read = sections::read(&file.text, Reading::default, |reading, doc, base| {
        let mut sink = Sink {
            file,
            diagnostics: &mut reading.diagnostics,
            base,
        };
        document(&mut sink, doc, &mut reading.parsed, &mut reading.entries);
    });
    let errors = match read {
        Ok(reading) => {
            diagnostics.extend(reading.diagnostics);
            return reading.parsed;
        }
        Err(errors) => errors,
    };
    let mut sink = Sink {
        file,
        diagnostics,
        base: 0,
    };
    // Only the first: after a syntax error the parser's recovery guesses, and what
    // follows is mostly the same mistake seen again.
    for e in errors.into_iter().take(1) {
        let span = e.span().unwrap_or(0..0);
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .trim()
            .to_string();
        sink.error(span, format!("invalid TOML: {message}"))
            .label("here")
            .help(if message.contains("key with no value") {
                "a key with spaces needs quotes, as in \"council tax\" = [...]; a value needs `=`"
            } else {
                "see https://toml.io for the syntax; strings need quotes and lists need [ ]"
            });
    }
    // A file that is not valid TOML is not read further: what the parser recovered
    // would only produce confusing follow-on errors.
    Parsed {
        unreadable: true,
        ..Parsed::default()
    }
}

/// What reading a file's documents has gathered so far.
#[derive(Default)]
struct Reading {
    parsed: Parsed,
    diagnostics: Vec<Diagnostic>,
    /// `[[rule]]`, `[[faq]]` and `[[test]]` entries read so far, to name an entry by
    /// its place in the file.
    entries: [usize; 3],
}

/// Reads one TOML document of a file: the whole file, or a piece of it.
fn document(sink: &mut Sink<'_>, doc: &DeTable<'_>, parsed: &mut Parsed, entries: &mut [usize; 3]) {
    let file = sink.file;
    walk::unknown_keys(sink, doc, TOP_KEYS, "at the top level", None);
    if let Some(v) = get(doc, "settings") {
        if let Some(t) = walk::table(sink, v, "settings", None) {
            settings(sink, t, parsed);
        }
    }
    if let Some(v) = get(doc, "vars") {
        if let Some(t) = walk::table(sink, v, "vars", None) {
            for (k, v) in t.iter() {
                let name = k.get_ref().to_string();
                if let Some(text) = walk::string(sink, v, &name, Some("[vars]")) {
                    if var_is_valid(sink, &name, sink.span(k), &text) {
                        parsed.vars.push((name, text.value, sink.location(k)));
                    }
                }
            }
        }
    }
    if let Some(v) = get(doc, "synonyms") {
        if let Some(t) = walk::table(sink, v, "synonyms", None) {
            for (k, v) in t.iter() {
                let key = k.get_ref().to_string();
                let Some(list) = walk::strings(sink, v, &key, Some("[synonyms]")) else {
                    continue;
                };
                let mut group = vec![(key, sink.location(k))];
                group.extend(list.into_iter().map(|t| (t.value, file.location(t.span))));
                for (phrase, loc) in &group {
                    if tokenize(phrase).len() == 0 {
                        sink.error(loc.span.start..loc.span.end, "synonym has no words")
                            .context(Some("[synonyms]"))
                            .help("a synonym needs at least one letter or digit");
                    }
                }
                parsed.synonyms.push(group);
            }
        }
    }
    if let Some(v) = get(doc, "hours") {
        parsed.hours_table = true;
        if let Some(t) = walk::table(sink, v, "hours", None) {
            hours(sink, t, parsed);
        }
    }
    if let Some(v) = get(doc, "channels") {
        if let Some(t) = walk::table(sink, v, "channels", None) {
            channels(sink, t, parsed);
        }
    }
    if let Some(v) = get(doc, "out_of_scope") {
        if let Some(t) = walk::table(sink, v, "out_of_scope", None) {
            let ctx = Some("[out_of_scope]");
            walk::unknown_keys(sink, t, OUT_OF_SCOPE_KEYS, "in [out_of_scope]", ctx);
            if let Some(list) =
                get(t, "examples").and_then(|v| walk::strings(sink, v, "examples", ctx))
            {
                for text in &list {
                    example_fits(sink, text, ctx);
                }
                parsed
                    .out_of_scope
                    .extend(list.into_iter().map(|text| text.value));
            }
        }
    }
    for (kind, (key, what)) in [("rule", "rule"), ("faq", "faq"), ("test", "test")]
        .into_iter()
        .enumerate()
    {
        let Some(v) = get(doc, key) else { continue };
        let DeValue::Array(items) = v.get_ref() else {
            sink.error(
                key_span(sink, doc, key).unwrap_or(sink.span(v)),
                format!("`{key}` must be a list of tables"),
            )
            .help(format!("start each {what} with a line [[{key}]]"));
            continue;
        };
        for item in items.iter() {
            let n = entries.get_mut(kind).map_or(0, |n| {
                *n += 1;
                *n
            });
            let fallback_ctx = format!("{what} #{n} of this file");
            let Some(t) = walk::table(sink, item, key, Some(&fallback_ctx)) else {
                continue;
            };
            match key {
                "rule" => {
                    let head = head(sink, item, t, &RULE, &fallback_ctx);
                    rule(sink, item, t, head, parsed);
                }
                "faq" => {
                    let head = head(sink, item, t, &FAQ, &fallback_ctx);
                    faq(sink, t, head, parsed);
                }
                _ => test(sink, item, t, parsed),
            }
        }
    }
}

fn settings(sink: &mut Sink<'_>, t: &DeTable<'_>, parsed: &mut Parsed) {
    let ctx = Some("[settings]");
    walk::unknown_keys(sink, t, SETTING_KEYS, "in [settings]", ctx);
    parsed.timezone_written = get(t, "timezone").is_some();
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
        let value = match key {
            "language" => walk::string(sink, v, key, ctx).and_then(|s| {
                if Language::from_name(&s.value).is_some() {
                    Some(SettingValue::Text(s.value))
                } else {
                    sink.error(s.span, format!("unknown language `{}`", s.value))
                        .label("no stemmer for this language")
                        .context(ctx)
                        .help(format!("use one of: {}", Language::known_names()));
                    None
                }
            }),
            "timezone" => walk::string(sink, v, key, ctx).and_then(|s| {
                if hours::zone(&s.value).is_some() {
                    return Some(SettingValue::Text(s.value));
                }
                let help = match closest_zone(&s.value) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => "use an IANA time-zone name, such as \"Europe/London\", \"Europe/Paris\" or \"America/New_York\"".into(),
                };
                sink.error(s.span, format!("unknown time zone `{}`", s.value))
                    .label("not in the time-zone database")
                    .context(ctx)
                    .help(help);
                None
            }),
            "max_suggestions" => count(sink, v, key, 1, 20),
            "max_message_bytes" => count(sink, v, key, 64, 1 << 20),
            "faq_temperature" => walk::number(sink, v, key, ctx).and_then(|x| {
                if (0.05..=20.0).contains(&x) {
                    Some(SettingValue::Fraction(x))
                } else {
                    sink.error(sink.span(v), "`faq_temperature` must be between 0.05 and 20")
                        .label(format!("{x} is out of range"))
                        .context(ctx)
                        .help("1 leaves scores as trained; values near 0.7 suit most FAQ sets");
                    None
                }
            }),
            "suggest_threshold" | "auto_reply_threshold" | "auto_reply_margin" => {
                walk::number(sink, v, key, ctx).and_then(|x| {
                    if (0.0..=1.0).contains(&x) {
                        Some(SettingValue::Fraction(x))
                    } else {
                        sink.error(sink.span(v), format!("`{key}` must be between 0 and 1"))
                            .label(format!("{x} is out of range"))
                            .context(ctx)
                            .help("scores run from 0 (nothing in common) to 1 (certain)");
                        None
                    }
                })
            }
            _ => None,
        };
        if let Some(value) = value {
            parsed
                .settings
                .push((key.to_string(), value, sink.location(k)));
        }
    }
}

/// An example question is at most [`MAX_EXAMPLE_BYTES`](super::MAX_EXAMPLE_BYTES).
fn example_fits(sink: &mut Sink<'_>, example: &Text, ctx: Option<&str>) -> bool {
    let limit = super::MAX_EXAMPLE_BYTES;
    if example.value.len() <= limit {
        return true;
    }
    sink.error(
        example.span.clone(),
        format!(
            "example is {} bytes, more than the limit of {limit}",
            example.value.len()
        ),
    )
    .label("too long")
    .context(ctx)
    .help("write the short ways people ask; a long text is better split into several examples");
    false
}

/// A variable's name is letters, digits, `_` and `-`, and not a message value's; its
/// value is inserted as written, so a `{{` or `}}` in it would reach the public (and
/// `a = "{{b}}"`, `b = "{{a}}"` would read as a loop). Issue 13.
fn var_is_valid(sink: &mut Sink<'_>, name: &str, name_span: Range<usize>, value: &Text) -> bool {
    let ctx = Some("[vars]");
    let reserved = name == "channel"
        || hours::TIME_SLOTS.contains(&name)
        || name.starts_with("author.")
        || name.starts_with("fields.");
    if reserved {
        sink.error(name_span, format!("`{name}` is a message value, not a variable"))
            .label("reserved name")
            .context(ctx)
            .help(format!(
                "pick another name, or give a fallback where it is used, as in {{{{{name} | \"...\"}}}}"
            ));
        return false;
    }
    let well_formed = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if !well_formed {
        sink.error(name_span, format!("`{name}` is not a valid variable name"))
            .label("not a name")
            .context(ctx)
            .help("name variables with letters, digits, `_` and `-`, as in bins_url");
        return false;
    }
    let brace = value.value.find("{{").or_else(|| value.value.find("}}"));
    if brace.is_some() {
        sink.error(
            value.span.clone(),
            format!("the value of `{name}` contains `{{{{` or `}}}}`"),
        )
        .label("variables are inserted as written")
        .context(ctx)
        .help("write the text out in full: a variable cannot use another variable");
        return false;
    }
    true
}

fn count(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    min: usize,
    max: usize,
) -> Option<SettingValue> {
    let n = walk::integer(sink, v, key, Some("[settings]"))?;
    match usize::try_from(n) {
        Ok(n) if (min..=max).contains(&n) => Some(SettingValue::Count(n)),
        _ => {
            sink.error(
                sink.span(v),
                format!("`{key}` must be between {min} and {max}"),
            )
            .label(format!("{n} is out of range"))
            .context(Some("[settings]"))
            .help(format!("choose a value from {min} to {max}"));
            None
        }
    }
}

fn parse_time(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn parse_days(spec: &str) -> Option<Vec<u8>> {
    let day = |d: &str| {
        DAYS.iter()
            .position(|x| *x == d.trim().to_ascii_lowercase())
            .map(|i| i as u8)
    };
    match spec.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day(a)?, day(b)?);
            (a <= b).then(|| (a..=b).collect())
        }
        None => Some(vec![day(spec)?]),
    }
}

/// The zone a mistyped time-zone name probably means: the zone of a city named alone
/// ("London"), or a close spelling.
fn closest_zone(name: &str) -> Option<String> {
    let names = hours::zone_names();
    let wanted = name.trim().to_ascii_lowercase().replace(' ', "_");
    let city = names
        .iter()
        .filter(|n| {
            n.contains('/')
                && n.rsplit('/')
                    .next()
                    .is_some_and(|c| c.to_ascii_lowercase() == wanted)
        })
        .min_by_key(|n| (n.len(), n.as_str()));
    if let Some(n) = city {
        return Some(n.clone());
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let refs: Vec<&str> = lower.iter().map(String::as_str).collect();
    let best = walk::closest(&wanted, &refs)?;
    names
        .iter()
        .find(|n| n.to_ascii_lowercase() == best)
        .cloned()
}

const DATE_HELP: &str = "write dates as YYYY-MM-DD, as in \"2026-12-25\"";

/// Reads the opening ranges of a line of `[hours]`: one `"HH:MM-HH:MM"` or a list of
/// them. Reports each one that is wrong; returns those that are right.
fn open_ranges(
    sink: &mut Sink<'_>,
    key: &str,
    v: &Val<'_>,
    ctx: Option<&str>,
) -> Vec<(Opening, Text)> {
    let texts = match v.get_ref() {
        DeValue::Array(_) => {
            let list = walk::strings(sink, v, key, ctx).unwrap_or_default();
            if list.is_empty() && matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) {
                sink.error(sink.span(v), format!("`{key}` lists no hours"))
                    .context(ctx)
                    .help("write \"HH:MM-HH:MM\", or leave the day out when the office is closed");
            }
            list
        }
        _ => walk::string(sink, v, key, ctx).into_iter().collect(),
    };
    let mut out = Vec::new();
    for range in texts {
        let times = range
            .value
            .split_once('-')
            .and_then(|(a, b)| Some((parse_time(a)?, parse_time(b)?)));
        match times {
            Some((open, close)) if open < close => out.push((Opening { open, close }, range)),
            Some((open, close)) if open > close => {
                // "22:00-02:00": opening hours past midnight (issue 15: the hint said to
                // swap the times, which the docs do not say).
                sink.error(range.span, "opening time is not before closing time")
                    .context(ctx)
                    .help("a range runs within one day: write the earlier time first (\"08:30-17:00\"), and split hours past midnight over the two days (mon = \"22:00-23:59\", tue = \"00:00-02:00\")");
            }
            Some(_) => {
                sink.error(range.span, "opening time is not before closing time")
                    .context(ctx)
                    .help("write the opening and closing times, as in \"08:30-17:00\"");
            }
            None => {
                sink.error(range.span, format!("`{}` is not a time range", range.value))
                    .context(ctx)
                    .help("write opening hours as \"HH:MM-HH:MM\", as in \"08:30-17:00\"");
            }
        }
    }
    out
}

/// A date's line of `[hours]`: `2026-12-24 = "09:00-12:00"` (changed hours, one range
/// or a list) or `2026-12-24 = "closed"`.
fn date_hours(
    sink: &mut Sink<'_>,
    key: &str,
    key_span: Range<usize>,
    v: &Val<'_>,
    parsed: &mut Parsed,
) {
    let ctx = Some("[hours]");
    let date = match hours::parse_date(key) {
        Ok(date) => date,
        Err(help) => {
            sink.error(key_span, format!("`{key}` is not a date"))
                .context(ctx)
                .help(help.unwrap_or_else(|| DATE_HELP.into()));
            return;
        }
    };
    if let DeValue::String(text) = v.get_ref() {
        if text.trim().eq_ignore_ascii_case("closed") {
            let location = sink.location(v);
            parsed.hours_entries.push(HoursEntry {
                day: HoursDay::Date(date),
                range: None,
                location: location.clone(),
            });
            parsed
                .hours
                .push((HoursLine::Closed(vec![key.to_string()]), location));
            return;
        }
    }
    for (opening, text) in open_ranges(sink, key, v, ctx) {
        let Opening { open, close } = opening;
        let location = sink.file.location(text.span);
        parsed.hours_entries.push(HoursEntry {
            day: HoursDay::Date(date),
            range: Some(opening),
            location: location.clone(),
        });
        parsed.hours.push((
            HoursLine::Changed {
                date: key.to_string(),
                open,
                close,
            },
            location,
        ));
    }
}

fn hours(sink: &mut Sink<'_>, t: &DeTable<'_>, parsed: &mut Parsed) {
    let ctx = Some("[hours]");
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
        let loc = sink.location(k);
        if key == "closed" {
            let Some(dates) = walk::strings(sink, v, key, ctx) else {
                continue;
            };
            let mut ok = Vec::new();
            for d in dates {
                match hours::parse_date(&d.value) {
                    Ok(date) => {
                        parsed.hours_entries.push(HoursEntry {
                            day: HoursDay::Date(date),
                            range: None,
                            location: sink.file.location(d.span),
                        });
                        ok.push(d.value);
                    }
                    Err(help) => {
                        sink.error(d.span, format!("`{}` is not a date", d.value))
                            .context(ctx)
                            .help(help.unwrap_or_else(|| DATE_HELP.into()));
                    }
                }
            }
            parsed.hours.push((HoursLine::Closed(ok), loc));
            continue;
        }
        if key.starts_with(|c: char| c.is_ascii_digit()) {
            date_hours(sink, key, sink.span(k), v, parsed);
            continue;
        }
        let Some(days) = parse_days(key) else {
            sink.error(
                sink.span(k),
                format!("`{key}` is not a day or range of days"),
            )
            .context(ctx)
            .help("use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri, or `closed`");
            continue;
        };
        for (opening, text) in open_ranges(sink, key, v, ctx) {
            let Opening { open, close } = opening;
            let location = sink.file.location(text.span);
            for &day in &days {
                parsed.hours_entries.push(HoursEntry {
                    day: HoursDay::Weekday(day),
                    range: Some(opening),
                    location: location.clone(),
                });
            }
            parsed.hours.push((
                HoursLine::Open {
                    days: days.clone(),
                    open,
                    close,
                },
                location,
            ));
        }
    }
}

fn channels(sink: &mut Sink<'_>, t: &DeTable<'_>, parsed: &mut Parsed) {
    for (k, v) in t.iter() {
        let name = k.get_ref().trim().to_lowercase();
        let ctx = format!("[channels.{name}]");
        let Some(table) = walk::table(sink, v, &format!("channels.{name}"), None) else {
            continue;
        };
        walk::unknown_keys(sink, table, CHANNEL_KEYS, "in a channel", Some(&ctx));
        let mut channel = Channel::default();
        if let Some(v) = get(table, "max_length") {
            if let Some(n) = walk::integer(sink, v, "max_length", Some(&ctx)) {
                match usize::try_from(n) {
                    Ok(n) if (1..=MAX_CHANNEL_LENGTH).contains(&n) => channel.max_length = Some(n),
                    _ => {
                        sink.error(
                            sink.span(v),
                            format!("`max_length` must be between 1 and {MAX_CHANNEL_LENGTH}"),
                        )
                        .label(format!("{n} is out of range"))
                        .context(Some(&ctx))
                        .help("the longest reply the channel takes, in characters, as in max_length = 280");
                    }
                }
            }
        }
        parsed.channels.push((name, channel, sink.location(k)));
    }
}

/// The largest `max_length` of a channel.
const MAX_CHANNEL_LENGTH: usize = 1_000_000;

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Reads `id`, reporting when it is missing or malformed. Returns the id text (even a
/// malformed one, for context) and the span to point at.
fn id(sink: &mut Sink<'_>, item: &Val<'_>, t: &DeTable<'_>, what: &str, ctx: &str) -> Option<Text> {
    let Some(v) = get(t, "id") else {
        sink.error(
            sink.span(item).start..sink.span(item).start,
            format!("this {what} has no `id`"),
        )
        .context(Some(ctx))
        .help(format!(
            "add a line such as id = \"my-{what}\" to give it a name"
        ));
        return None;
    };
    let text = walk::string(sink, v, "id", Some(ctx))?;
    if !valid_id(&text.value) {
        sink.error(
            text.span.clone(),
            format!("`{}` is not a valid id", text.value),
        )
        .context(Some(ctx))
        .help("an id is letters, digits, `-`, `_` and `.`, with no spaces");
    }
    Some(text)
}

fn phrases(sink: &mut Sink<'_>, v: &Val<'_>, key: &str, ctx: &str) -> Vec<Phrase> {
    let Some(list) = walk::strings(sink, v, key, Some(ctx)) else {
        return Vec::new();
    };
    if list.is_empty() {
        sink.error(sink.span(v), format!("`{key}` is empty"))
            .context(Some(ctx))
            .help(format!("list at least one phrase, or remove `{key}`"));
    }
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        let words = tokenize(&p.value).len();
        if words == 0 {
            sink.error(p.span.clone(), "phrase has no words")
                .label("nothing to match")
                .context(Some(ctx))
                .help("a phrase needs at least one letter or digit; punctuation is ignored");
        } else if words > MAX_PHRASE_WORDS {
            sink.error(
                p.span.clone(),
                format!("phrase has {words} words, more than {MAX_PHRASE_WORDS}"),
            )
            .context(Some(ctx))
            .help("use a shorter phrase; a long phrase almost never occurs word for word");
        } else {
            out.push(Phrase {
                text: p.value,
                location: sink.file.location(p.span),
            });
        }
    }
    out
}

fn value_lists(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    place: &str,
    known: Option<&[&str]>,
    lower: bool,
    ctx: &str,
) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(t) = walk::table(sink, v, place, Some(ctx)) else {
        return out;
    };
    if let Some(known) = known {
        walk::unknown_keys(sink, t, known, &format!("in `{place}`"), Some(ctx));
    }
    for (k, v) in t.iter() {
        let name = k.get_ref().to_string();
        if known.is_some_and(|known| !known.contains(&name.as_str())) {
            continue;
        }
        if let Some(list) = walk::strings(sink, v, &format!("{place}.{name}"), Some(ctx)) {
            let values = list.into_iter().map(|t| {
                if lower {
                    t.value.trim().to_lowercase()
                } else {
                    t.value
                }
            });
            out.insert(name, values.collect());
        }
    }
    out
}

fn patterns(sink: &mut Sink<'_>, v: &Val<'_>, ctx: &str) -> Vec<Pattern> {
    let Some(list) = walk::strings(sink, v, "when.regex", Some(ctx)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in list {
        let built = regex::RegexBuilder::new(&p.value)
            .case_insensitive(true)
            .size_limit(MAX_REGEX_BYTES)
            .build();
        match built {
            Ok(regex) => out.push(Pattern {
                source: p.value,
                regex,
                location: sink.file.location(p.span),
            }),
            Err(regex::Error::CompiledTooBig(limit)) => {
                sink.error(p.span, "regular expression is too big")
                    .label(format!("compiles to more than {limit} bytes"))
                    .context(Some(ctx))
                    .help("simplify it: large counted repetitions such as \\w{1000} grow quickly");
            }
            Err(e) => {
                let explanation = e.to_string();
                let last = explanation.lines().last().unwrap_or("").trim();
                let short = last.strip_prefix("error: ").unwrap_or(last);
                sink.error(p.span, format!("invalid regular expression: {short}"))
                    .label("does not compile")
                    .context(Some(ctx))
                    .help(format!(
                        "fix the pattern; in a TOML '...' string backslashes need no doubling. The regex library says:\n{}",
                        explanation.lines().map(|l| format!("        {l}")).collect::<Vec<_>>().join("\n")
                    ));
            }
        }
    }
    out
}

/// A capture name that stands for "any name": the rule's pattern did not compile.
pub(crate) const ANY_CAPTURE: &str = "*";

fn regex_failed(t: &DeTable<'_>, when: &Conditions) -> bool {
    let written = get(t, "when")
        .and_then(|w| match w.get_ref() {
            DeValue::Table(w) => get(w, "regex"),
            _ => None,
        })
        .map_or(0, |r| match r.get_ref() {
            DeValue::Array(a) => a.len(),
            _ => 1,
        });
    written > when.regex.len()
}

fn conditions(sink: &mut Sink<'_>, v: &Val<'_>, ctx: &str, uses: &mut Vec<HoursUse>) -> Conditions {
    let mut when = Conditions::default();
    let Some(t) = walk::table(sink, v, "when", Some(ctx)) else {
        return when;
    };
    walk::unknown_keys(sink, t, WHEN_KEYS, "in `when`", Some(ctx));
    // Tables are read in key order; read the office-hours keys in the order written.
    let mut hours_keys: Vec<_> = t
        .iter()
        .filter(|(k, _)| matches!(k.get_ref().as_ref(), "outside_hours" | "inside_hours"))
        .collect();
    hours_keys.sort_by_key(|(k, _)| sink.span(k).start);
    let mut hours_key: Option<&str> = None;
    for (k, v) in hours_keys {
        let key: &str = k.get_ref().as_ref();
        let name = format!("when.{key}");
        match walk::boolean(sink, v, &name, Some(ctx)) {
            Some(true) => {
                if let Some(other) = hours_key {
                    sink.error(
                        sink.span(k),
                        format!("`when.{other}` and `{name}` contradict each other"),
                    )
                    .label("the office is either open or closed")
                    .context(Some(ctx))
                    .help("keep one of them; leave both out for a rule that holds at any time");
                    continue;
                }
                hours_key = Some(key);
                when.hours = Some(if key == "outside_hours" {
                    HoursCondition::Outside
                } else {
                    HoursCondition::Inside
                });
                uses.push(HoursUse {
                    what: format!("`{name}`"),
                    context: ctx.to_string(),
                    location: sink.location(k),
                });
            }
            Some(false) => {
                let other = if key == "outside_hours" {
                    "inside_hours"
                } else {
                    "outside_hours"
                };
                sink.error(sink.span(v), format!("`{name} = false` says nothing"))
                    .context(Some(ctx))
                    .help(format!(
                        "write when.{other} = true for the opposite, or leave it out for a rule that holds at any time"
                    ));
            }
            None => {}
        }
    }
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "any" => when.any = phrases(sink, v, "when.any", ctx),
            "all" => when.all = phrases(sink, v, "when.all", ctx),
            "none" => when.none = phrases(sink, v, "when.none", ctx),
            "regex" => when.regex = patterns(sink, v, ctx),
            "channel" => {
                when.channel = walk::strings(sink, v, "when.channel", Some(ctx))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| t.value.trim().to_lowercase())
                    .collect();
            }
            "author" => {
                when.author = value_lists(sink, v, "when.author", Some(AUTHOR_KEYS), true, ctx)
            }
            "fields" => when.fields = value_lists(sink, v, "when.fields", None, true, ctx),
            _ => {}
        }
    }
    when
}

/// Maps a byte offset inside a string's value to the file, when the string is written
/// without escapes (so its source text is the value); otherwise points at the string.
fn inner_span(file: &SourceFile, text: &Text, inner: Range<usize>) -> Range<usize> {
    let raw = file.text.get(text.span.clone()).unwrap_or("");
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(body) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            if body == text.value {
                let start = text.span.start + quote.len();
                return start + inner.start..start + inner.end;
            }
        }
    }
    text.span.clone()
}

fn templates(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: &str,
    captures: Vec<String>,
    channels: &[String],
    parsed: &mut Parsed,
) -> Vec<Template> {
    let Some(list) = walk::strings(sink, v, key, Some(ctx)) else {
        return Vec::new();
    };
    if list.is_empty() {
        sink.error(sink.span(v), format!("`{key}` is empty"))
            .context(Some(ctx))
            .help(format!("write the {key} text, or a list of variations"));
    }
    let mut out = Vec::with_capacity(list.len());
    let mut slots = Vec::new();
    let mut texts = Vec::new();
    for text in list {
        if text.value.trim().is_empty() {
            sink.error(text.span.clone(), format!("`{key}` text is empty"))
                .context(Some(ctx))
                .help("write what should be sent");
            continue;
        }
        match Template::parse(&text.value) {
            Ok(t) => {
                for slot in t.slots() {
                    let span = inner_span(sink.file, &text, slot.span.clone());
                    slots.push(SlotUse {
                        name: slot.name.clone(),
                        location: sink.file.location(span),
                    });
                }
                if !channels.is_empty() {
                    texts.push((t.clone(), sink.file.location(text.span.clone())));
                }
                out.push(t);
            }
            Err(errors) => {
                for e in errors {
                    let span = inner_span(sink.file, &text, e.span);
                    sink.error(span, e.message).context(Some(ctx)).help(e.help);
                }
            }
        }
    }
    // Kept for the checks after merging only when there is something to check (most
    // replies of a large rule set have no slot and no channel).
    if !slots.is_empty() || !texts.is_empty() {
        parsed.templated.push(Templated {
            context: ctx.to_string(),
            captures,
            slots,
            channels: channels.to_vec(),
            texts,
        });
    }
    out
}

fn tags(sink: &mut Sink<'_>, t: &DeTable<'_>, ctx: &str) -> Vec<String> {
    get(t, "tags")
        .and_then(|v| walk::strings(sink, v, "tags", Some(ctx)))
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.value)
        .collect()
}

fn flag(sink: &mut Sink<'_>, t: &DeTable<'_>, key: &str, default: bool, ctx: &str) -> bool {
    get(t, key)
        .and_then(|v| walk::boolean(sink, v, key, Some(ctx)))
        .unwrap_or(default)
}

/// What tells a rule from an FAQ entry when their common part, the [`Answer`], is read.
struct EntryKind {
    /// `rule`, `faq`: the table's name, which names the entry in diagnostics.
    table: &'static str,
    /// `rule`, `faq entry`: what diagnostics call it.
    noun: &'static str,
    /// `in a rule`, `in a faq entry`: where an unknown key was written.
    place: &'static str,
    /// The keys it may have.
    keys: &'static [&'static str],
    /// `reply`, `answer`: the key of its reply and the reply's variations.
    reply_key: &'static str,
    /// The help for a missing reply.
    reply_help: &'static str,
}

const RULE: EntryKind = EntryKind {
    table: "rule",
    noun: "rule",
    place: "in a rule",
    keys: RULE_KEYS,
    reply_key: "reply",
    reply_help: "add reply = \"...\" with the text to suggest (escalating rules too: it is what the person sees first)",
};

const FAQ: EntryKind = EntryKind {
    table: "faq",
    noun: "faq entry",
    place: "in a faq entry",
    keys: FAQ_KEYS,
    reply_key: "answer",
    reply_help: "add answer = \"...\" with the reply to suggest",
};

/// An entry's id, as read, and what its diagnostics are about.
struct Head {
    id: Option<Text>,
    /// `rule `ID`` (or the fallback when it has no id): the context of its diagnostics.
    ctx: String,
    /// Where a missing key is reported: its id, or the entry when it has none.
    at: Range<usize>,
}

/// Reads an entry's id and reports its unknown keys.
fn head(
    sink: &mut Sink<'_>,
    item: &Val<'_>,
    t: &DeTable<'_>,
    kind: &EntryKind,
    fallback_ctx: &str,
) -> Head {
    let id = id(sink, item, t, kind.table, fallback_ctx);
    let ctx = id.as_ref().map_or_else(
        || fallback_ctx.to_string(),
        |i| format!("{} `{}`", kind.table, i.value),
    );
    walk::unknown_keys(sink, t, kind.keys, kind.place, Some(&ctx));
    let at = id.as_ref().map_or(sink.span(item), |i| i.span.clone());
    Head { id, ctx, at }
}

/// Reads the answer of an entry: its reply and variations (whose templates may use
/// `captures` and are checked against the lengths of `channels`), tags, `auto_reply`
/// and repetition. An entry without an id is reported by [`head`] and not kept, but its
/// answer is still read, so that every mistake in it is reported too.
fn answer(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    head: &Head,
    kind: &EntryKind,
    captures: Vec<String>,
    channels: &[String],
    parsed: &mut Parsed,
) -> Answer {
    let ctx = &head.ctx;
    let key = kind.reply_key;
    let replies = match get(t, key) {
        Some(v) => templates(sink, v, key, ctx, captures, channels, parsed),
        None => {
            sink.error(head.at.clone(), format!("{} has no `{key}`", kind.noun))
                .context(Some(ctx))
                .help(kind.reply_help);
            Vec::new()
        }
    };
    let tags = tags(sink, t, ctx);
    let auto_reply = flag(sink, t, "auto_reply", true, ctx);
    let (cooldown, once_per_conversation) = repetition(sink, t, ctx);
    Answer {
        id: head
            .id
            .as_ref()
            .map(|i| i.value.clone())
            .unwrap_or_default(),
        replies,
        tags,
        auto_reply,
        cooldown,
        once_per_conversation,
        location: sink.file.location(head.at.clone()),
    }
}

/// Reads a `[[rule]]` whose id `head` has read.
fn rule(sink: &mut Sink<'_>, item: &Val<'_>, t: &DeTable<'_>, head: Head, parsed: &mut Parsed) {
    let ctx = &head.ctx;
    let priority = get(t, "priority")
        .and_then(|v| walk::integer(sink, v, "priority", Some(ctx)))
        .unwrap_or(0);
    let when = match get(t, "when") {
        Some(v) => {
            let when = conditions(sink, v, ctx, &mut parsed.hours_uses);
            if !when.reads_text() && !has_text_condition(v) && !has_unknown_key(v) {
                if when.hours.is_none() {
                    sink.error(
                        key_span(sink, t, "when").unwrap_or(sink.span(v)),
                        "rule has no text condition",
                    )
                    .context(Some(ctx))
                    .help("add when.any, when.all or when.regex: a rule must look at the message text");
                } else if !when.none.is_empty() {
                    // A notice applies to every message at its times; it is not matched
                    // against the text, so `when.none` cannot work.
                    let at = when_key_span(sink, v, "none").unwrap_or(sink.span(v));
                    sink.error(at, "a notice cannot use `when.none`")
                        .label("a rule with no text condition reads no text")
                        .context(Some(ctx))
                        .help("a rule with only office-hours conditions is a notice for every message at those times; add when.any, when.all or when.regex to make it a rule that reads the text");
                }
            }
            when
        }
        None => {
            sink.error(head.at.clone(), "rule has no condition")
                .label("this rule would never fire")
                .context(Some(ctx))
                .help("add a condition such as when.any = [\"phrase\", ...]");
            Conditions::default()
        }
    };
    let mut captures: Vec<String> = when
        .regex
        .iter()
        .flat_map(|p| {
            p.regex
                .capture_names()
                .flatten()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    if regex_failed(t, &when) {
        // The captures of a pattern that did not compile are unknown: do not report
        // the reply's use of them as a second mistake.
        captures.push(ANY_CAPTURE.to_string());
    }
    let answer = answer(sink, t, &head, &RULE, captures, &when.channel, parsed);
    let escalate = flag(sink, t, "escalate", false, ctx);
    if escalate {
        let notice = when.is_notice() && get(t, "when").is_some_and(|v| !has_text_condition(v));
        if notice {
            sink.error(
                key_span(sink, t, "escalate").unwrap_or(sink.span(item)),
                "a notice cannot escalate",
            )
            .context(Some(ctx))
            .help("a rule with only office-hours conditions is a notice for every message at those times; add when.any, when.all or when.regex to escalate the messages it reads");
        }
        for key in ["cooldown", "once_per_conversation"] {
            let set = match key {
                "cooldown" => answer.cooldown.is_some(),
                _ => answer.once_per_conversation,
            };
            if let (true, Some(span)) = (set, key_span(sink, t, key)) {
                sink.error(span, format!("an escalating rule cannot have `{key}`"))
                    .label("it would hold back an escalation")
                    .context(Some(ctx))
                    .help(format!("remove `{key}`: every message an escalating rule fires on must reach a person"));
            }
        }
    }
    if head.id.is_some() {
        parsed.rules.push(Rule {
            answer,
            priority,
            when,
            escalate,
        });
    }
}

/// Reads `cooldown` and `once_per_conversation`.
fn repetition(sink: &mut Sink<'_>, t: &DeTable<'_>, ctx: &str) -> (Option<Duration>, bool) {
    let cooldown = get(t, "cooldown")
        .and_then(|v| walk::string(sink, v, "cooldown", Some(ctx)))
        .and_then(|text| match parse_duration(&text.value) {
            Some(d) => Some(d),
            None => {
                sink.error(text.span, format!("`{}` is not a duration", text.value))
                    .label("not a number with a unit")
                    .context(Some(ctx))
                    .help("write a number and a unit, as in \"30m\", \"24h\", \"7d\" or \"1h30m\" (m minutes, h hours, d days, w weeks; at most a year)");
                None
            }
        });
    let once = flag(sink, t, "once_per_conversation", false, ctx);
    (cooldown, once)
}

/// The span of a key inside `when` (`when.none`), for pointing at it.
fn when_key_span(sink: &Sink<'_>, v: &Val<'_>, key: &str) -> Option<Range<usize>> {
    match v.get_ref() {
        DeValue::Table(t) => key_span(sink, t, key),
        _ => None,
    }
}

/// Whether `when` has a key that is already reported as unknown.
fn has_unknown_key(v: &Val<'_>) -> bool {
    match v.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .any(|(k, _)| !WHEN_KEYS.contains(&k.get_ref().as_ref())),
        _ => false,
    }
}

/// Whether `when` names a text condition at all (even one that failed to read), so
/// that a broken `when.any` is not also reported as missing.
fn has_text_condition(v: &Val<'_>) -> bool {
    match v.get_ref() {
        DeValue::Table(t) => ["any", "all", "regex"].iter().any(|k| get(t, k).is_some()),
        _ => true,
    }
}

/// Reads a `[[faq]]` entry whose id `head` has read.
fn faq(sink: &mut Sink<'_>, t: &DeTable<'_>, head: Head, parsed: &mut Parsed) {
    let ctx = &head.ctx;
    let questions = match get(t, "questions") {
        Some(v) => {
            let list = walk::strings(sink, v, "questions", Some(ctx)).unwrap_or_default();
            if list.is_empty() && matches!(v.get_ref(), DeValue::Array(_)) {
                sink.error(sink.span(v), "`questions` is empty")
                    .context(Some(ctx))
                    .help("list a few ways people ask this; more examples make better matching");
            }
            for q in &list {
                if !example_fits(sink, q, Some(ctx)) {
                    continue;
                }
                if tokenize(&q.value).len() == 0 {
                    sink.error(q.span.clone(), "question has no words")
                        .context(Some(ctx))
                        .help("write the question as people would ask it");
                }
            }
            list.into_iter().map(|t| t.value).collect()
        }
        None => {
            sink.error(head.at.clone(), "faq entry has no `questions`")
                .context(Some(ctx))
                .help("add questions = [\"...\", \"...\"] with ways people ask this");
            Vec::new()
        }
    };
    // Never rendered, so a `{{` in it is text, not a slot.
    let context = get(t, "context")
        .and_then(|v| walk::string(sink, v, "context", Some(ctx)))
        .map(|c| c.value);
    let answer = answer(sink, t, &head, &FAQ, Vec::new(), &[], parsed);
    if head.id.is_some() {
        parsed.faqs.push(Faq {
            answer,
            questions,
            context,
        });
    }
}

fn test(sink: &mut Sink<'_>, item: &Val<'_>, t: &DeTable<'_>, parsed: &mut Parsed) {
    // Named by its `[[test]]` header, where its span starts (or, should a span start at
    // its first key, the last header before it).
    let start = sink.span(item).start;
    let text = &sink.file.text;
    let header = if text.get(start..).is_some_and(|t| t.starts_with("[[")) {
        start
    } else {
        text.get(..start)
            .and_then(|before| before.rfind("[["))
            .unwrap_or(start)
    };
    let header_line = sink.file.location(header..header).line;
    let ctx = format!("test at line {header_line}");
    walk::unknown_keys(sink, t, TEST_KEYS, "in a test", Some(&ctx));
    let text = |sink: &mut Sink<'_>, key: &str| {
        get(t, key).and_then(|v| walk::string(sink, v, key, Some(&ctx)))
    };
    let message = text(sink, "message");
    let expect = text(sink, "expect");
    let decision = text(sink, "decision").and_then(|d| match Decision::from_name(&d.value) {
        Some(decision) => Some(decision),
        None => {
            sink.error(d.span, format!("unknown decision `{}`", d.value))
                .context(Some(&ctx))
                .help("use one of: auto_reply, suggest, escalate, no_answer");
            None
        }
    });
    let reply_contains = text(sink, "reply_contains").map(|t| t.value);
    let channel = text(sink, "channel").map(|t| t.value);
    let received_at = text(sink, "received_at").map(|t| {
        check_timestamp(sink, &t, &ctx);
        t.value
    });
    let history = get(t, "history")
        .map(|v| test_history(sink, v, &ctx))
        .unwrap_or_default();
    let from_us = flag(sink, t, "from_us", false, &ctx);
    let automated = flag(sink, t, "automated", false, &ctx);
    let notice = get(t, "notice").and_then(|v| match v.get_ref() {
        DeValue::Boolean(false) => Some((None, sink.location(v))),
        DeValue::String(id) => Some((Some(id.to_string()), sink.location(v))),
        other => {
            sink.error(sink.span(v), "`notice` must be a notice's id or false")
                .label(format!("this is {}", walk::article(other.type_str())))
                .context(Some(&ctx))
                .help("write notice = \"out-of-hours\" to expect that notice, or notice = false to expect none");
            None
        }
    });
    let notice_contains = text(sink, "notice_contains").map(|t| t.value);
    let suppressed: Vec<(String, Location)> = get(t, "suppressed")
        .and_then(|v| walk::strings(sink, v, "suppressed", Some(&ctx)))
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.value, sink.file.location(t.span)))
        .collect();
    let author = get(t, "author")
        .map(|v| value_lists(sink, v, "author", Some(AUTHOR_KEYS), false, &ctx))
        .unwrap_or_default();
    let fields = get(t, "fields")
        .map(|v| value_lists(sink, v, "fields", None, false, &ctx))
        .unwrap_or_default();
    if expect.is_none()
        && decision.is_none()
        && get(t, "decision").is_none()
        && get(t, "notice").is_none()
        && get(t, "notice_contains").is_none()
        && get(t, "suppressed").is_none()
    {
        sink.error(
            sink.span(item).start..sink.span(item).start,
            "test says nothing to expect",
        )
        .context(Some(&ctx))
        .help("add expect = \"rule-or-faq-id\", decision = \"no_answer\", or both");
    }
    let Some(message) = message else {
        sink.error(
            sink.span(item).start..sink.span(item).start,
            "test has no `message`",
        )
        .context(Some(&ctx))
        .help("add message = \"...\" with the text to try");
        return;
    };
    let first =
        |m: &BTreeMap<String, Vec<String>>, k: &str| m.get(k).and_then(|v| v.first().cloned());
    let mut msg = Message::new(message.value);
    msg.channel = channel;
    msg.received_at = received_at;
    msg.history = history;
    msg.from_us = from_us;
    msg.automated = automated;
    let author_fields = ["id", "name", "handle"].map(|k| first(&author, k));
    if author_fields.iter().any(Option::is_some) {
        let [id, name, handle] = author_fields;
        msg.author = Some(crate::Author { id, name, handle });
    }
    msg.fields = fields
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.into_iter().next()?)))
        .collect();
    parsed.tests.push(TestCase {
        message: msg,
        expect: expect.as_ref().map(|e| e.value.clone()),
        decision,
        reply_contains,
        notice: notice.as_ref().map(|(n, _)| n.clone()),
        notice_contains,
        suppressed: suppressed.iter().map(|(id, _)| id.clone()).collect(),
        suppressed_locations: suppressed.into_iter().map(|(_, l)| l).collect(),
        location: sink.file.location(message.span),
        expect_location: expect.map(|e| sink.file.location(e.span)),
        header_line,
        notice_location: notice.map(|(_, l)| l),
    });
}

/// Reports a `received_at` or `at` of a test that is not an RFC 3339 timestamp.
fn check_timestamp(sink: &mut Sink<'_>, t: &Text, ctx: &str) {
    if hours::parse_timestamp(&t.value).is_none() {
        sink.error(t.span.clone(), format!("`{}` is not a timestamp", t.value))
            .label("not RFC 3339 with an offset")
            .context(Some(ctx))
            .help("write the date, the time and the offset from UTC, as in \"2026-12-02T22:00:00Z\" or \"2026-07-02T09:00:00+01:00\"");
    }
}

/// Reads a test's `history = [{id = "...", variation = 0, at = "..."}, ...]`.
fn test_history(sink: &mut Sink<'_>, v: &Val<'_>, ctx: &str) -> Vec<Sent> {
    let DeValue::Array(items) = v.get_ref() else {
        sink.error(sink.span(v), "`history` must be a list of tables")
            .label(format!("this is {}", walk::article(v.get_ref().type_str())))
            .context(Some(ctx))
            .help("write history = [{ id = \"thanks\", variation = 0, at = \"2026-12-02T22:00:00Z\" }]");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let Some(t) = walk::table(sink, item, "history", Some(ctx)) else {
            continue;
        };
        walk::unknown_keys(sink, t, HISTORY_KEYS, "in a history entry", Some(ctx));
        let Some(id) = get(t, "id").and_then(|v| walk::string(sink, v, "id", Some(ctx))) else {
            if get(t, "id").is_none() {
                sink.error(sink.span(item), "history entry has no `id`")
                    .context(Some(ctx))
                    .help("name the rule or FAQ entry whose reply was sent, as in id = \"thanks\"");
            }
            continue;
        };
        let variation = get(t, "variation")
            .and_then(|v| {
                let n = walk::integer(sink, v, "variation", Some(ctx))?;
                let n = usize::try_from(n).ok();
                if n.is_none() {
                    sink.error(sink.span(v), "`variation` must be 0 or more")
                        .context(Some(ctx))
                        .help("variations count from 0 for the first");
                }
                n
            })
            .unwrap_or(0);
        let at = get(t, "at")
            .and_then(|v| walk::string(sink, v, "at", Some(ctx)))
            .map(|at| {
                check_timestamp(sink, &at, ctx);
                at.value
            });
        out.push(Sent {
            id: id.value,
            variation,
            at,
        });
    }
    out
}
