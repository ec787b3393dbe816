//! Loading files and folders, and merging their parts into one rule set.

use super::parse::{parse_file, HoursDay, HoursEntry, HoursUse, Parsed, SettingValue, Templated};
use super::source::SourceFile;
use super::{validate, RuleSet, Settings, MAX_ENTRIES, MAX_FILE_BYTES};
use crate::error::{Diagnostic, LoadError, Location, Severity};
use crate::hours;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A warning about a folder entry that is not read.
fn skipped(path: &Path, why: &str, help: &str) -> Diagnostic {
    let mut d = Diagnostic::without_location(format!("skipped `{}`: {why}", path.display()), help);
    d.severity = Severity::Warning;
    d
}

/// What kind of file, for saying why one is not read.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The files a path names: itself, or a folder's `*.toml` files (any case) in name
/// order (not descending into sub-folders). Folder entries named like rule files that
/// are not read — folders, pipes, devices, broken or looping links, macOS `._` files —
/// each get a warning, so a rule set never loads with fewer files unsaid (issue 13).
fn files_of(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::without_location(
                format!("cannot read folder `{}`: {e}", path.display()),
                "check the path and its permissions",
            ));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut warnings: Vec<(PathBuf, Diagnostic)> = Vec::new();
    for entry in entries.flatten() {
        let p = entry.path();
        if !p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            continue;
        }
        if entry.file_name().to_string_lossy().starts_with("._") {
            let w = skipped(&p, "a macOS metadata file", "delete it; it holds no rules");
            warnings.push((p, w));
            continue;
        }
        // `metadata` follows links: a link to a rule file is read.
        match std::fs::metadata(&p) {
            Ok(meta) if meta.is_file() => files.push(p),
            Ok(meta) => {
                let w = skipped(&p, kind_of(&meta), "rule files must be regular files");
                warnings.push((p, w));
            }
            Err(e) => {
                let w = skipped(&p, &e.to_string(), "fix or remove the broken link");
                warnings.push((p, w));
            }
        }
    }
    files.sort();
    warnings.sort_by(|a, b| a.0.cmp(&b.0));
    diagnostics.extend(warnings.into_iter().map(|(_, w)| w));
    if files.is_empty() {
        diagnostics.push(Diagnostic::without_location(
            format!("no .toml files in folder `{}`", path.display()),
            "point at a folder holding rule files, or at one rule file",
        ));
    }
    files
}

/// One file's text; or `None`, with a diagnostic saying why it cannot be had.
///
/// Only a regular file is opened (a named pipe would block, `/dev/zero` never ends),
/// and at most [`MAX_FILE_BYTES`] + 1 bytes are read whatever size it reports. A
/// UTF-8 byte-order mark is dropped.
fn read_file(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    use std::io::Read;
    let name = path.display();
    let read = || -> std::io::Result<Result<Vec<u8>, Diagnostic>> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Ok(Err(Diagnostic::without_location(
                format!("`{name}` is {}, not a rule file", kind_of(&meta)),
                "name a .toml file or a folder of them",
            )));
        }
        let file = std::fs::File::open(path)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() > MAX_FILE_BYTES {
            return Ok(Err(Diagnostic::without_location(
                format!("`{name}` is more than the limit of {MAX_FILE_BYTES} bytes"),
                "split the rule set into several files",
            )));
        }
        Ok(Ok(bytes))
    };
    let problem = match read() {
        Ok(Ok(mut bytes)) => {
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            match String::from_utf8(bytes) {
                Ok(text) => return Some(text),
                Err(e) => Diagnostic::without_location(
                    format!(
                        "`{name}` is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    "save the file as UTF-8",
                ),
            }
        }
        Ok(Err(problem)) => problem,
        Err(e) => Diagnostic::without_location(
            format!("cannot read `{name}`: {e}"),
            "check the path and its permissions",
        ),
    };
    diagnostics.push(problem);
    None
}

/// Reads the rule files that `paths` name: each path a file, or a folder whose `*.toml`
/// files are read in name order (not descending into sub-folders). A file named twice
/// is read once. Gives `(file name, text)` for each file read, and a diagnostic for
/// each that could not be (missing, unreadable, over [`MAX_FILE_BYTES`], not UTF-8).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("replykit-read-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("a.toml"), "[vars]\nx = '1'\n")?;
/// let (sources, problems) = replykit::read_rule_files(&[&dir, &dir.join("a.toml")]);
/// assert_eq!((sources.len(), problems.len()), (1, 0));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_rule_files<P: AsRef<Path>>(paths: &[P]) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut seen = BTreeSet::new();
    let mut sources = Vec::new();
    for path in paths {
        for file in files_of(path.as_ref(), &mut diagnostics) {
            let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.insert(identity) {
                continue;
            }
            if let Some(text) = read_file(&file, &mut diagnostics) {
                sources.push((file.display().to_string(), text));
            }
        }
    }
    (sources, diagnostics)
}

/// Reads the files the paths name (see [`read_rule_files`]), then loads them as one
/// rule set.
pub(crate) fn load_paths<P: AsRef<Path>>(paths: &[P]) -> Result<RuleSet, LoadError> {
    let (sources, diagnostics) = read_rule_files(paths);
    let files = sources
        .into_iter()
        .map(|(name, text)| SourceFile::new(name, text))
        .collect();
    load_files(files, diagnostics)
}

/// Parses, merges and validates files; `diagnostics` may already hold problems found
/// while reading them.
pub(crate) fn load_files(
    files: Vec<SourceFile>,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<RuleSet, LoadError> {
    let mut parts = Vec::with_capacity(files.len());
    for file in &files {
        if file.text.len() > MAX_FILE_BYTES {
            diagnostics.push(Diagnostic::without_location(
                format!(
                    "`{}` is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                    file.name,
                    file.text.len()
                ),
                "split the rule set into several files",
            ));
            continue;
        }
        parts.push(parse_file(file, &mut diagnostics));
    }
    // Where a file is not valid TOML, what it defines (ids, variables) is unknown:
    // references to them are not reported as mistakes too.
    let all_read = parts.iter().all(|p| !p.unreadable);
    let mut set = merge(parts, all_read, &mut diagnostics);
    validate::validate(&set, all_read, &mut diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let order: BTreeMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (&*f.name, i))
            .collect();
        diagnostics.sort_by_key(|d| match &d.location {
            Some(l) => (
                order.get(&*l.file).copied().unwrap_or(usize::MAX),
                l.span.start,
            ),
            None => (0, 0),
        });
        return Err(LoadError::new(diagnostics));
    }
    // What loaded with warnings (a folder's entries that were skipped, say) says so.
    set.warnings = diagnostics;
    Ok(set)
}

fn redefined(what: &str, name: &str, here: &Location, first: &Location, help: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message: format!("{what} `{name}` is defined twice"),
        location: Some(here.clone()),
        label: "defined again here".into(),
        context: None,
        secondary: Some((first.clone(), "first defined here".into())),
        help: Some(help.into()),
    }
}

fn merge(parts: Vec<Parsed>, all_read: bool, diagnostics: &mut Vec<Diagnostic>) -> RuleSet {
    let mut settings = Settings::default();
    let mut seen_settings: BTreeMap<String, Location> = BTreeMap::new();
    let mut vars = BTreeMap::new();
    let mut seen_vars: BTreeMap<String, Location> = BTreeMap::new();
    let mut set = RuleSet {
        settings: Settings::default(),
        vars: BTreeMap::new(),
        synonyms: Vec::new(),
        hours: Vec::new(),
        uses_hours: false,
        channels: BTreeMap::new(),
        rules: Vec::new(),
        faqs: Vec::new(),
        out_of_scope: Vec::new(),
        tests: Vec::new(),
        warnings: Vec::new(),
    };
    let mut templated = Vec::new();
    let mut synonyms = Vec::new();
    let mut hours_entries = Vec::new();
    let mut hours_uses = Vec::new();
    let mut hours_table = false;
    let mut timezone_written = false;
    let mut seen_channels: BTreeMap<String, Location> = BTreeMap::new();
    for part in parts {
        hours_table |= part.hours_table;
        timezone_written |= part.timezone_written;
        hours_entries.extend(part.hours_entries);
        hours_uses.extend(part.hours_uses);
        for (name, channel, loc) in part.channels {
            if let Some(first) = seen_channels.get(&name) {
                diagnostics.push(redefined(
                    "channel",
                    &name,
                    &loc,
                    first,
                    "keep one [channels.NAME] table per channel; every file shares them",
                ));
                continue;
            }
            set.channels.insert(name.clone(), channel);
            seen_channels.insert(name, loc);
        }
        for (key, value, loc) in part.settings {
            if let Some(first) = seen_settings.get(&key) {
                diagnostics.push(redefined(
                    "setting",
                    &key,
                    &loc,
                    first,
                    "keep one of them; every file shares one [settings]",
                ));
                continue;
            }
            match (key.as_str(), value) {
                ("language", SettingValue::Text(v)) => settings.language = v,
                ("timezone", SettingValue::Text(v)) => settings.timezone = v,
                ("max_suggestions", SettingValue::Count(n)) => settings.max_suggestions = n,
                ("max_message_bytes", SettingValue::Count(n)) => settings.max_message_bytes = n,
                ("suggest_threshold", SettingValue::Fraction(x)) => settings.suggest_threshold = x,
                ("auto_reply_threshold", SettingValue::Fraction(x)) => {
                    settings.auto_reply_threshold = x
                }
                ("auto_reply_margin", SettingValue::Fraction(x)) => settings.auto_reply_margin = x,
                ("faq_temperature", SettingValue::Fraction(x)) => settings.faq_temperature = x,
                _ => {}
            }
            seen_settings.insert(key, loc);
        }
        for (name, value, loc) in part.vars {
            if let Some(first) = seen_vars.get(&name) {
                diagnostics.push(redefined(
                    "variable",
                    &name,
                    &loc,
                    first,
                    "rename one of them, or keep one",
                ));
                continue;
            }
            vars.insert(name.clone(), value);
            seen_vars.insert(name, loc);
        }
        synonyms.extend(part.synonyms);
        set.hours.extend(part.hours.into_iter().map(|(h, _)| h));
        append(&mut set.rules, part.rules);
        append(&mut set.faqs, part.faqs);
        append(&mut set.out_of_scope, part.out_of_scope);
        append(&mut set.tests, part.tests);
        append(&mut templated, part.templated);
    }
    if let (Some(auto), Some(suggest)) = (
        seen_settings.get("auto_reply_threshold"),
        seen_settings.get("suggest_threshold"),
    ) {
        if settings.auto_reply_threshold < settings.suggest_threshold {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message: "`auto_reply_threshold` is below `suggest_threshold`".into(),
                location: Some(auto.clone()),
                label: format!("{} here", settings.auto_reply_threshold),
                context: Some("[settings]".into()),
                secondary: Some((suggest.clone(), format!("{} here", settings.suggest_threshold))),
                help: Some("an auto-reply must be at least as sure as a suggestion: raise auto_reply_threshold or lower suggest_threshold".into()),
            });
        }
    }
    if set.rules.len() + set.faqs.len() > MAX_ENTRIES {
        diagnostics.push(Diagnostic::without_location(
            format!(
                "the rule set has {} rules and FAQ entries, more than the limit of {MAX_ENTRIES}",
                set.rules.len() + set.faqs.len()
            ),
            "split it into several rule sets, one engine each",
        ));
    }
    validate::check_synonyms(&synonyms, diagnostics);
    if all_read {
        validate::check_templates(&templated, &vars, diagnostics);
    }
    check_hours(&hours_entries, diagnostics);
    hours_uses.extend(templated.iter().flat_map(|t| {
        t.slots
            .iter()
            .filter(|s| hours::TIME_SLOTS.contains(&s.name.as_str()))
            .map(|s| HoursUse {
                what: format!("`{{{{{}}}}}`", s.name),
                context: t.context.clone(),
                location: s.location.clone(),
            })
    }));
    check_hours_uses(
        &hours_uses,
        hours_table,
        timezone_written,
        &seen_settings,
        diagnostics,
    );
    check_lengths(&templated, &vars, &set.channels, diagnostics);
    set.uses_hours = !hours_uses.is_empty();
    set.synonyms = synonyms
        .into_iter()
        .map(|g| g.into_iter().map(|(w, _)| w).collect())
        .collect();
    set.settings = settings;
    set.vars = vars;
    // Kept for the engine's life: no room for growth.
    set.rules.shrink_to_fit();
    set.faqs.shrink_to_fit();
    set
}

/// Appends `more` to `list`, taking it whole when `list` is empty: a rule set of one
/// big file is never held twice while merging.
fn append<T>(list: &mut Vec<T>, more: Vec<T>) {
    if list.is_empty() {
        *list = more;
    } else {
        list.extend(more);
    }
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn day_name(day: HoursDay) -> String {
    match day {
        HoursDay::Weekday(d) => crate::hours::WEEKDAYS
            .get(usize::from(d))
            .copied()
            .unwrap_or("")
            .into(),
        HoursDay::Date(date) => date.to_string(),
    }
}

/// Opening ranges of a day (or date) must not overlap, and a date cannot be both
/// closed and open. Each line is reported at most once, at the later of a pair.
///
/// Overlaps are found by sorting a day's ranges by their start and keeping the range
/// that reaches furthest: O(n log n), and at most one error per line (issue 13: every
/// pair was compared, so 1,000 ranges on one day made half a million errors).
fn check_hours(entries: &[HoursEntry], diagnostics: &mut Vec<Diagnostic>) {
    // Tables are read in key order, not as written: order each day's lines by file,
    // then by where they are written, so that "first set here" is the first.
    let mut files: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        let next = files.len();
        files.entry(&*e.location.file).or_insert(next);
    }
    let written = |e: &HoursEntry| (files.get(&*e.location.file).copied(), e.location.span.start);
    let mut by_day: BTreeMap<HoursDay, Vec<&HoursEntry>> = BTreeMap::new();
    for e in entries {
        by_day.entry(e.day).or_default().push(e);
    }
    for (day, mut list) in by_day {
        list.sort_by_key(|e| written(e));
        // (later, earlier), by index in `list`.
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let first_closed = list.iter().position(|e| e.range.is_none());
        let first_open = list.iter().position(|e| e.range.is_some());
        for (i, e) in list.iter().enumerate() {
            let opposite = if e.range.is_some() {
                first_closed
            } else {
                first_open
            };
            if let Some(o) = opposite.filter(|&o| o < i) {
                pairs.push((i, o));
            }
        }
        let mut open: Vec<(hours::Opening, usize)> = list
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.range?, i)))
            .collect();
        open.sort_by_key(|&(r, i)| (r.open, i));
        let mut furthest: Option<(hours::Opening, usize)> = None;
        for &(r, i) in &open {
            if let Some((f, j)) = furthest {
                if r.overlaps(f) {
                    pairs.push((i.max(j), i.min(j)));
                }
            }
            if furthest.is_none_or(|(f, _)| r.close > f.close) {
                furthest = Some((r, i));
            }
        }
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        for (l, e) in pairs {
            let (Some(later), Some(earlier)) = (list.get(l), list.get(e)) else {
                continue;
            };
            let (message, label, first, help) = match (earlier.range, later.range) {
                (Some(a), Some(_)) => (
                    format!("opening hours overlap on {}", day_name(day)),
                    format!("overlaps {}-{}", hhmm(a.open), hhmm(a.close)),
                    "first set here",
                    match day {
                        HoursDay::Weekday(_) => "give each day its hours once: split the days (as in mon-thu and fri), or list ranges that do not overlap, as in [\"08:30-12:30\", \"13:30-17:00\"]",
                        HoursDay::Date(_) => "list ranges that do not overlap, as in [\"09:00-12:00\", \"13:00-15:00\"]",
                    },
                ),
                _ => (
                    format!("`{}` is both closed and open", day_name(day)),
                    if later.range.is_some() { "open here" } else { "closed here" }.to_string(),
                    if earlier.range.is_some() { "open here" } else { "closed here" },
                    "keep one: remove the date from `closed`, or remove its hours",
                ),
            };
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message,
                location: Some(later.location.clone()),
                label,
                context: Some("[hours]".into()),
                secondary: Some((earlier.location.clone(), first.into())),
                help: Some(help.into()),
            });
        }
    }
}

/// Office-hours conditions and `{{next_open}}` need `[hours]` and a time zone.
fn check_hours_uses(
    uses: &[HoursUse],
    hours_table: bool,
    timezone_written: bool,
    seen_settings: &BTreeMap<String, Location>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !hours_table {
        for u in uses {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message: format!("{} needs office hours", u.what),
                location: Some(u.location.clone()),
                label: "the rule set has no [hours]".into(),
                context: Some(u.context.clone()),
                secondary: None,
                help: Some("add an [hours] table, as in mon-fri = \"08:30-17:00\", and timezone in [settings]".into()),
            });
        }
        return;
    }
    if let Some(first) = uses.first() {
        if !timezone_written && !seen_settings.contains_key("timezone") {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message: "office hours need a time zone".into(),
                location: Some(first.location.clone()),
                label: format!("{} is read in the time zone of [settings]", first.what),
                context: Some(first.context.clone()),
                secondary: None,
                help: Some("add timezone = \"Europe/London\" (your IANA time zone) to [settings]: opening times are local times, and the zone follows daylight saving".into()),
            });
        }
    }
}

/// A reply of a rule restricted to channels must fit each of them: its shortest form
/// (text and `[vars]`, message values empty) at most the channel's `max_length`.
fn check_lengths(
    templated: &[Templated],
    vars: &BTreeMap<String, String>,
    channels: &BTreeMap<String, super::Channel>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if channels.values().all(|c| c.max_length.is_none()) {
        return;
    }
    for t in templated {
        for name in &t.channels {
            let Some(limit) = channels.get(name).and_then(|c| c.max_length) else {
                continue;
            };
            for (template, location) in &t.texts {
                let (length, exact) = template.min_chars(|slot| {
                    if t.captures.iter().any(|c| c == slot) {
                        None
                    } else {
                        vars.get(slot).map(String::as_str)
                    }
                });
                if length <= limit {
                    continue;
                }
                let label = if exact {
                    format!("{length} characters; `{name}` takes {limit}")
                } else {
                    format!("at least {length} characters; `{name}` takes {limit}")
                };
                diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    message: format!("reply is too long for `{name}`"),
                    location: Some(location.clone()),
                    label,
                    context: Some(t.context.clone()),
                    secondary: None,
                    help: Some(format!(
                        "shorten it to at most {limit} characters (with [vars] filled in), or move `{name}` to a rule of its own with a shorter reply: replies are never cut"
                    )),
                });
            }
        }
    }
}
