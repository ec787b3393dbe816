//! Loading files and folders, and merging their parts into one rule set.

use super::parse::{parse_file, Parsed, SettingValue};
use super::source::SourceFile;
use super::{validate, RuleSet, Settings, MAX_ENTRIES, MAX_FILE_BYTES};
use crate::error::{Diagnostic, LoadError, Location, Severity};
use std::collections::BTreeMap;
use std::path::Path;

fn plain_error(message: String, help: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message,
        location: None,
        label: String::new(),
        context: None,
        secondary: None,
        help: Some(help.to_string()),
    }
}

/// Reads a file or every `*.toml` file of a folder, then loads them.
pub(crate) fn load_path(path: &Path) -> Result<RuleSet, LoadError> {
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    if path.is_dir() {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_file() && p.extension().is_some_and(|e| e == "toml") {
                        paths.push(p);
                    }
                }
                paths.sort();
                if paths.is_empty() {
                    diagnostics.push(plain_error(
                        format!("no .toml files in folder `{}`", path.display()),
                        "point at a folder holding rule files, or at one rule file",
                    ));
                }
            }
            Err(e) => diagnostics.push(plain_error(
                format!("cannot read folder `{}`: {e}", path.display()),
                "check the path and its permissions",
            )),
        }
    } else {
        paths.push(path.to_path_buf());
    }
    let mut files = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        match std::fs::metadata(&p) {
            Ok(meta) if meta.len() > MAX_FILE_BYTES as u64 => {
                diagnostics.push(plain_error(
                    format!(
                        "`{name}` is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                        meta.len()
                    ),
                    "split the rule set into several files",
                ));
                continue;
            }
            Err(e) => {
                diagnostics.push(plain_error(
                    format!("cannot read `{name}`: {e}"),
                    "check the path and its permissions",
                ));
                continue;
            }
            Ok(_) => {}
        }
        match std::fs::read(&p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(SourceFile::new(name, text)),
                Err(e) => diagnostics.push(plain_error(
                    format!(
                        "`{name}` is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    "save the file as UTF-8",
                )),
            },
            Err(e) => diagnostics.push(plain_error(
                format!("cannot read `{name}`: {e}"),
                "check the path and its permissions",
            )),
        }
    }
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
            diagnostics.push(plain_error(
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
    let set = merge(parts, &mut diagnostics);
    validate::validate(&set, &mut diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let order: BTreeMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect();
        diagnostics.sort_by_key(|d| match &d.location {
            Some(l) => (
                order.get(l.file.as_str()).copied().unwrap_or(usize::MAX),
                l.span.start,
            ),
            None => (0, 0),
        });
        return Err(LoadError::new(diagnostics));
    }
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

fn merge(parts: Vec<Parsed>, diagnostics: &mut Vec<Diagnostic>) -> RuleSet {
    let mut settings = Settings::default();
    let mut seen_settings: BTreeMap<String, Location> = BTreeMap::new();
    let mut vars = BTreeMap::new();
    let mut seen_vars: BTreeMap<String, Location> = BTreeMap::new();
    let mut set = RuleSet {
        settings: Settings::default(),
        vars: BTreeMap::new(),
        synonyms: Vec::new(),
        hours: Vec::new(),
        rules: Vec::new(),
        faqs: Vec::new(),
        tests: Vec::new(),
    };
    let mut templated = Vec::new();
    let mut synonyms = Vec::new();
    for part in parts {
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
        set.rules.extend(part.rules);
        set.faqs.extend(part.faqs);
        set.tests.extend(part.tests);
        templated.extend(part.templated);
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
        diagnostics.push(plain_error(
            format!(
                "the rule set has {} rules and FAQ entries, more than the limit of {MAX_ENTRIES}",
                set.rules.len() + set.faqs.len()
            ),
            "split it into several rule sets, one engine each",
        ));
    }
    validate::check_synonyms(&synonyms, diagnostics);
    validate::check_templates(&templated, &vars, diagnostics);
    set.synonyms = synonyms
        .into_iter()
        .map(|g| g.into_iter().map(|(w, _)| w).collect())
        .collect();
    set.settings = settings;
    set.vars = vars;
    set
}
