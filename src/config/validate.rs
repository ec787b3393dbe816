//! Checks that need the whole rule set: ids, references, synonyms, template names.

use super::parse::Templated;
use super::walk::Hinter;
use super::RuleSet;
use crate::error::{Diagnostic, Location, Severity};
use crate::hours::TIME_SLOTS;
use crate::text::tokenize;
use std::collections::{BTreeMap, HashMap};

/// Message values a template may use.
const MESSAGE_SLOTS: &[&str] = &["author.name", "author.handle", "author.id", "channel"];

fn error(
    location: &Location,
    message: String,
    context: Option<String>,
    help: String,
) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message,
        location: Some(location.clone()),
        label: String::new(),
        context,
        secondary: None,
        help: Some(help),
    }
}

/// Ids are unique across rules and FAQ entries; tests name ids that exist.
pub(crate) fn validate(set: &RuleSet, all_read: bool, diagnostics: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, &Location> =
        HashMap::with_capacity(set.rules.len() + set.faqs.len());
    let entries = set
        .rules
        .iter()
        .map(|r| (r.answer.id.as_str(), &r.answer.location, "rule"))
        .chain(
            set.faqs
                .iter()
                .map(|f| (f.answer.id.as_str(), &f.answer.location, "faq")),
        );
    for (id, location, what) in entries {
        if let Some(first) = ids.get(id) {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                message: format!("duplicate id `{id}`"),
                location: Some(location.clone()),
                label: "defined again here".into(),
                context: Some(format!("{what} `{id}`")),
                secondary: Some(((*first).clone(), "first defined here".into())),
                help: Some("give each rule and FAQ entry an id of its own".into()),
            });
        } else {
            ids.insert(id, location);
        }
    }
    // For hints, in a fixed order (only tests need them).
    let mut known: Vec<&str> = if all_read && !set.tests.is_empty() {
        ids.keys().copied().collect()
    } else {
        Vec::new()
    };
    known.sort_unstable();
    let mut hinter = Hinter::new();
    let notices: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| r.is_notice())
        .map(|r| r.answer.id.as_str())
        .collect();
    for test in set.tests.iter().filter(|_| all_read) {
        let context = || Some(format!("test at line {}", test.header_line));
        if let Some(Some(notice)) = &test.notice {
            if !notices.contains(&notice.as_str()) {
                let help = match hinter.closest(notice, &notices) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None if notices.is_empty() => "the rule set has no notice: a notice is a rule with only office-hours conditions, such as when.outside_hours = true".into(),
                    None => format!("the notices are: {}", notices.join(", ")),
                };
                diagnostics.push(error(
                    test.notice_location.as_ref().unwrap_or(&test.location),
                    format!("test expects notice `{notice}`, which no notice rule has"),
                    context(),
                    help,
                ));
            }
        }
        for (n, id) in test.suppressed.iter().enumerate() {
            if !ids.contains_key(id.as_str()) {
                let help = match hinter.closest(id, &known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "name the id of a rule or FAQ entry".into(),
                };
                diagnostics.push(error(
                    test.suppressed_locations.get(n).unwrap_or(&test.location),
                    format!("test expects `{id}` suppressed, which no rule or FAQ entry has"),
                    context(),
                    help,
                ));
            }
        }
        let Some(expect) = &test.expect else { continue };
        if !ids.contains_key(expect.as_str()) {
            let help = match hinter.closest(expect, &known) {
                Some(k) => format!("did you mean `{k}`?"),
                None => {
                    "name the id of a rule or FAQ entry, or use decision = \"no_answer\"".into()
                }
            };
            diagnostics.push(error(
                test.expect_location.as_ref().unwrap_or(&test.location),
                format!("test expects `{expect}`, which no rule or FAQ entry has"),
                Some(format!("test at line {}", test.header_line)),
                help,
            ));
        }
    }
}

/// A word or phrase may belong to one synonym group only.
pub(crate) fn check_synonyms(
    groups: &[Vec<(String, Location)>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<String, (usize, &Location)> = BTreeMap::new();
    for (g, group) in groups.iter().enumerate() {
        for (phrase, location) in group {
            let folded = tokenize(phrase).joined();
            if folded.is_empty() {
                continue;
            }
            if let Some(&(first_group, first)) = seen.get(&folded) {
                // Twice in one group (`bin = ["bin"]`) is harmless, not two groups
                // (issue 13).
                if first_group == g {
                    continue;
                }
                diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    message: format!("`{phrase}` is in two synonym groups"),
                    location: Some(location.clone()),
                    label: "again here".into(),
                    context: Some("[synonyms]".into()),
                    secondary: Some((first.clone(), "first here".into())),
                    help: Some("merge the two groups into one, or drop it from one of them".into()),
                });
            } else {
                seen.insert(folded, (g, location));
            }
        }
    }
}

/// Every `{{name}}` names a variable, a capture of its rule, or a message value.
pub(crate) fn check_templates(
    templated: &[Templated],
    vars: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut hinter = Hinter::new();
    let var_names: Vec<&str> = vars.keys().map(String::as_str).collect();
    for t in templated {
        for slot in &t.slots {
            let name = slot.name.as_str();
            let known = vars.contains_key(name)
                || t.captures
                    .iter()
                    .any(|c| c == name || c == super::parse::ANY_CAPTURE)
                || MESSAGE_SLOTS.contains(&name)
                || TIME_SLOTS.contains(&name)
                || name.strip_prefix("fields.").is_some_and(|f| !f.is_empty());
            if known {
                continue;
            }
            // Rebuilt for each unknown name only while hints are still given.
            let mut candidates: Vec<&str> = Vec::new();
            if hinter.can_hint() {
                candidates.extend(&var_names);
                candidates.extend(
                    t.captures
                        .iter()
                        .map(String::as_str)
                        .filter(|c| *c != super::parse::ANY_CAPTURE),
                );
                candidates.extend(MESSAGE_SLOTS);
                candidates.extend(TIME_SLOTS);
            }
            let help = match hinter.closest(name, &candidates) {
                Some(k) => format!("did you mean `{{{{{k}}}}}`?"),
                None => format!(
                    "define it under [vars] as {name} = \"...\", or use a message value such as {{{{author.name | \"there\"}}}}"
                ),
            };
            let mut d = error(
                &slot.location,
                format!("unknown variable `{{{{{name}}}}}`"),
                Some(t.context.clone()),
                help,
            );
            d.label = "nothing defines this".into();
            diagnostics.push(d);
        }
    }
}
