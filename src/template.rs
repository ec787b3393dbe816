//! Reply templates: parsed when the rule set loads, rendered for each suggestion.
//!
//! `{{name}}` is a slot; `{{name | "fallback"}}` gives a value for when `name` has
//! none. Names are checked at load time (an unknown name is a load error), so rendering
//! cannot fail: a missing message value renders as its fallback, or as nothing and is
//! reported as missing.

use std::ops::Range;

/// The longest text taken from a message (a regex capture, an author's name, a field)
/// that a reply will carry, in characters. Longer values are cut.
pub const MAX_INSERTED_CHARS: usize = 200;

/// A parsed reply or answer template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    /// The text and slots, in order; empty when the template has no slot, as it then
    /// renders as its source (nothing kept twice, and one cache miss fewer for each
    /// suggestion of a large rule set).
    parts: Vec<Part>,
    /// Whether `parts` holds a slot.
    has_slots: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Text(String),
    Slot(Slot),
}

/// A `{{name}}` in a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) name: String,
    pub(crate) fallback: Option<String>,
    /// The byte range of the whole `{{...}}` in the template source.
    pub(crate) span: Range<usize>,
}

/// A problem in a template: the byte range in the template source, what is wrong, how
/// to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// A value for a slot, and whether it came from the (untrusted) message.
pub(crate) enum Value<'a> {
    /// A rule-set variable: inserted as written.
    Trusted(&'a str),
    /// From the message: stripped of control characters and cut to
    /// [`MAX_INSERTED_CHARS`].
    Untrusted(&'a str),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn parse_fallback(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let quote = raw.chars().next()?;
    if !matches!(quote, '"' | '\'') || raw.len() < 2 || !raw.ends_with(quote) {
        return None;
    }
    let inner = raw.get(1..raw.len() - 1)?;
    if inner.contains(quote) {
        return None;
    }
    Some(inner.to_string())
}

/// A `}}` in text outside any slot (as in `{bins_url}}`) is a mistake that would reach
/// the public: reports each one (issue 13).
fn stray_closes(source: &str, text: Range<usize>, errors: &mut Vec<TemplateError>) {
    let Some(part) = source.get(text.clone()) else {
        return;
    };
    for (i, _) in part.match_indices("}}") {
        let at = text.start + i;
        errors.push(TemplateError {
            span: at..at + 2,
            message: "stray `}}` in template".into(),
            help: "a slot opens with `{{` and closes with `}}`, as in `{{phone}}`".into(),
        });
    }
}

impl Template {
    /// Parses a template, collecting every problem.
    pub(crate) fn parse(source: &str) -> Result<Template, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut rest_start = 0;
        while let Some(open) = source[rest_start..].find("{{").map(|i| i + rest_start) {
            if open > rest_start {
                stray_closes(source, rest_start..open, &mut errors);
                parts.push(Part::Text(source[rest_start..open].to_string()));
            }
            let Some(close) = source[open + 2..].find("}}").map(|i| i + open + 2) else {
                errors.push(TemplateError {
                    span: open..source.len(),
                    message: "unclosed `{{` in template".into(),
                    help: "close it with `}}`, as in `{{phone}}`".into(),
                });
                rest_start = source.len();
                break;
            };
            let span = open..close + 2;
            let inner = &source[open + 2..close];
            let (name, fallback) = match inner.split_once('|') {
                Some((name, fallback)) => (name.trim(), Some(fallback)),
                None => (inner.trim(), None),
            };
            let fallback = match fallback.map(parse_fallback) {
                Some(None) => {
                    errors.push(TemplateError {
                        span: span.clone(),
                        message: "the fallback is not a quoted text".into(),
                        help: format!("write it in quotes, as in `{{{{{name} | \"there\"}}}}`"),
                    });
                    None
                }
                Some(Some(text)) => Some(text),
                None => None,
            };
            if !valid_name(name) {
                errors.push(TemplateError {
                    span: span.clone(),
                    message: format!("`{{{{{}}}}}` is not a valid slot", inner.trim()),
                    help: "a slot names a variable with letters, digits, `_`, `-` and `.`, \
                           as in `{{phone}}` or `{{author.name | \"there\"}}`"
                        .into(),
                });
            } else {
                parts.push(Part::Slot(Slot {
                    name: name.to_string(),
                    fallback,
                    span,
                }));
            }
            rest_start = close + 2;
        }
        if rest_start < source.len() {
            stray_closes(source, rest_start..source.len(), &mut errors);
            parts.push(Part::Text(source[rest_start..].to_string()));
        }
        if errors.is_empty() {
            // A template lives as long as its rule set: no room kept for growth, and
            // no parts without a slot.
            let has_slots = parts.iter().any(|p| matches!(p, Part::Slot(_)));
            if has_slots {
                parts.shrink_to_fit();
            } else {
                parts = Vec::new();
            }
            Ok(Template {
                source: source.to_string(),
                has_slots,
                parts,
            })
        } else {
            Err(errors)
        }
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text a template without slots always renders to (its source); `None` when
    /// it has slots.
    pub(crate) fn as_plain(&self) -> Option<&str> {
        (!self.has_slots).then_some(self.source.as_str())
    }

    /// The slots, in order.
    pub(crate) fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.parts.iter().filter_map(|p| match p {
            Part::Slot(s) => Some(s),
            Part::Text(_) => None,
        })
    }

    /// The fewest characters the template can render to, with `fixed` giving the
    /// values known at load (`[vars]`) and every other slot counted as empty; and
    /// whether that is exact (every slot is fixed).
    pub(crate) fn min_chars<'v>(&self, fixed: impl Fn(&str) -> Option<&'v str>) -> (usize, bool) {
        if !self.has_slots {
            return (self.source.chars().count(), true);
        }
        let mut length = 0;
        let mut exact = true;
        for part in &self.parts {
            match part {
                Part::Text(text) => length += text.chars().count(),
                Part::Slot(slot) => match fixed(&slot.name) {
                    Some(v) => length += v.chars().count(),
                    None => exact = false,
                },
            }
        }
        (length, exact)
    }

    /// Renders the template; `value` gives each slot's value. Returns the text and the
    /// names of slots that had neither a value nor a fallback.
    pub(crate) fn render<'a>(
        &'a self,
        mut value: impl FnMut(&str) -> Option<Value<'a>>,
    ) -> (String, Vec<String>) {
        if let Some(text) = self.as_plain() {
            // The parts are the source's text, one after another.
            return (text.to_string(), Vec::new());
        }
        let mut out = String::with_capacity(self.source.len() + 32);
        let mut missing = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot(slot) => match value(&slot.name) {
                    Some(Value::Trusted(v)) => out.push_str(v),
                    Some(Value::Untrusted(v)) if !clean(v).is_empty() => out.push_str(&clean(v)),
                    _ => match &slot.fallback {
                        Some(fallback) => out.push_str(fallback),
                        None => missing.push(slot.name.clone()),
                    },
                },
            }
        }
        (out, missing)
    }
}

/// Message text made safe to insert into a reply: control characters dropped (line
/// breaks, including U+2028 and U+2029, and tabs become spaces), surrounding space trimmed, and at most
/// [`MAX_INSERTED_CHARS`] characters.
pub(crate) fn clean(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t' | '\u{85}' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_INSERTED_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Bidirectional overrides, isolates and marks can make inserted text display in an
/// order other than the reply's ("Trojan source"); they are dropped. The Arabic letter
/// mark (U+061C) is one too (issue 13).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str, f: impl Fn(&str) -> Option<&'static str>) -> (String, Vec<String>) {
        let t = Template::parse(src).expect("valid template");
        t.render(|name| f(name).map(Value::Untrusted))
    }

    #[test]
    fn slots_fallbacks_and_missing() {
        let (text, missing) = render("Hi {{author.name | \"there\"}}, call {{ phone }}.", |n| {
            (n == "phone").then_some("0300")
        });
        assert_eq!(text, "Hi there, call 0300.");
        assert!(missing.is_empty());
        let (text, missing) = render("Hi {{author.name}}!", |_| None);
        assert_eq!(text, "Hi !");
        assert_eq!(missing, ["author.name"]);
        let (text, missing) = render("No {slot} here {", |_| Some("x"));
        assert_eq!(text, "No {slot} here {");
        assert!(missing.is_empty());
    }

    #[test]
    fn inserted_text_is_cleaned_and_bounded() {
        let long = "x".repeat(1000);
        let leaked: &'static str = Box::leak(long.into_boxed_str());
        let (text, _) = render("{{a}}", |_| Some(leaked));
        assert_eq!(text.chars().count(), MAX_INSERTED_CHARS);
        let (text, _) = render("[{{a}}]", |_| Some("Sam\u{7}\n\u{202E}ecil"));
        assert_eq!(text, "[Sam ecil]");
    }

    #[test]
    fn errors_point_at_the_slot() {
        let errors = Template::parse("a {{ }} b {{x | there}} {{open").unwrap_err();
        let spans: Vec<_> = errors.iter().map(|e| e.span.clone()).collect();
        assert_eq!(spans, [2..7, 10..23, 24..30]);
    }
}
