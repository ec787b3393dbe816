//! Typed reading of TOML values, reporting every mismatch with its span.
//!
//! The rule set is read from toml's spanned document tree rather than through serde
//! derive, so that one mistake does not hide the next: each value is checked on its
//! own and every problem becomes a diagnostic.

use super::source::Sink;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A value with its byte range in the file.
pub(crate) type Val<'a> = Spanned<DeValue<'a>>;

/// A string with its byte range in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Text {
    pub(crate) value: String,
    pub(crate) span: Range<usize>,
}

/// "a string", "an integer", ... for a TOML type name.
pub(crate) fn article(type_str: &str) -> &'static str {
    match type_str {
        "string" => "a string",
        "integer" => "an integer",
        "float" => "a number",
        "boolean" => "a boolean",
        "datetime" => "a date",
        "array" => "a list",
        "table" => "a table",
        _ => "a value",
    }
}

/// Reads a string.
pub(crate) fn string(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: Option<&str>,
) -> Option<Text> {
    match v.get_ref() {
        DeValue::String(s) => Some(Text {
            value: s.to_string(),
            span: sink.span(v),
        }),
        other => {
            sink.error(sink.span(v), format!("`{key}` must be a string"))
                .label(format!("this is {}", article(other.type_str())))
                .context(ctx)
                .help(format!("write it in quotes: {key} = \"...\""));
            None
        }
    }
}

/// Reads a list of strings; a single string is taken as a list of one.
pub(crate) fn strings(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: Option<&str>,
) -> Option<Vec<Text>> {
    match v.get_ref() {
        DeValue::String(s) => Some(vec![Text {
            value: s.to_string(),
            span: sink.span(v),
        }]),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(s) => out.push(Text {
                        value: s.to_string(),
                        span: sink.span(item),
                    }),
                    other => {
                        ok = false;
                        sink.error(
                            sink.span(item),
                            format!("`{key}` must be a list of strings"),
                        )
                        .label(format!("this is {}", article(other.type_str())))
                        .context(ctx)
                        .help("put each entry in quotes");
                    }
                }
            }
            ok.then_some(out)
        }
        other => {
            sink.error(sink.span(v), format!("`{key}` must be a list of strings"))
                .label(format!("this is {}", article(other.type_str())))
                .context(ctx)
                .help(format!("write it as {key} = [\"...\", \"...\"]"));
            None
        }
    }
}

/// Reads a boolean.
pub(crate) fn boolean(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: Option<&str>,
) -> Option<bool> {
    match v.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        other => {
            sink.error(sink.span(v), format!("`{key}` must be true or false"))
                .label(format!("this is {}", article(other.type_str())))
                .context(ctx)
                .help(format!(
                    "write {key} = true or {key} = false, without quotes"
                ));
            None
        }
    }
}

/// Reads an integer.
pub(crate) fn integer(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: Option<&str>,
) -> Option<i64> {
    let parsed = match v.get_ref() {
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let digits = digits.trim_start_matches('+');
            let digits = digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0o"))
                .or_else(|| digits.strip_prefix("0b"))
                .unwrap_or(digits);
            i64::from_str_radix(digits, i.radix()).ok()
        }
        _ => None,
    };
    if parsed.is_none() {
        sink.error(sink.span(v), format!("`{key}` must be a whole number"))
            .label(format!("this is {}", article(v.get_ref().type_str())))
            .context(ctx)
            .help(format!("write it without quotes, as in {key} = 10"));
    }
    parsed
}

/// Reads a number (integer or float).
pub(crate) fn number(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    ctx: Option<&str>,
) -> Option<f64> {
    let parsed = match v.get_ref() {
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(x) if x.is_finite() => Some(x),
        _ => {
            sink.error(sink.span(v), format!("`{key}` must be a number"))
                .label(format!("this is {}", article(v.get_ref().type_str())))
                .context(ctx)
                .help(format!("write it without quotes, as in {key} = 0.5"));
            None
        }
    }
}

/// Reads a table.
pub(crate) fn table<'v, 'a>(
    sink: &mut Sink<'_>,
    v: &'v Val<'a>,
    key: &str,
    ctx: Option<&str>,
) -> Option<&'v DeTable<'a>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(t),
        other => {
            sink.error(sink.span(v), format!("`{key}` must be a table"))
                .label(format!("this is {}", article(other.type_str())))
                .context(ctx)
                .help(format!(
                    "write it as [{key}] on a line of its own, or as {key}.name = ..."
                ));
            None
        }
    }
}

/// The edit distance between two short strings, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `known` to `key`, when it is close enough to be a likely typo.
pub(crate) fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    Hinter::new().closest(key, known)
}

/// Names longer than this get no "did you mean" hint.
const MAX_HINT_CHARS: usize = 64;

/// The most edit-distance cells one load spends on "did you mean" hints: thousands of
/// unknown names against thousands of known ones made hints quadratic (4,000 × 4,000:
/// 2 s; issue 13). Past it, hints are left out.
const HINT_CELLS: usize = 20_000_000;

/// "Did you mean" hints within a budget of work.
#[derive(Debug)]
pub(crate) struct Hinter {
    cells_left: usize,
}

impl Hinter {
    pub(crate) fn new() -> Hinter {
        Hinter {
            cells_left: HINT_CELLS,
        }
    }

    /// Whether there is budget left for another hint.
    pub(crate) fn can_hint(&self) -> bool {
        self.cells_left > 0
    }

    /// The closest of `known` to `key`, when it is close enough to be a likely typo and
    /// the budget allows the search.
    pub(crate) fn closest<'k>(&mut self, key: &str, known: &[&'k str]) -> Option<&'k str> {
        let key_chars = key.chars().count();
        if key_chars > MAX_HINT_CHARS {
            return None;
        }
        let mut best: Option<(usize, &'k str)> = None;
        for &k in known {
            let k_chars = k.chars().count();
            let allowed = 2.max(k.len() / 3).min(k.len().saturating_sub(1));
            if k_chars > MAX_HINT_CHARS || k_chars.abs_diff(key_chars) > allowed {
                continue;
            }
            let cells = (key_chars + 1) * (k_chars + 1);
            if cells > self.cells_left {
                self.cells_left = 0;
                return None;
            }
            self.cells_left -= cells;
            let d = edit_distance(key, k);
            if d <= allowed && best.is_none_or(|b| (d, k) < b) {
                best = Some((d, k));
            }
        }
        best.map(|(_, k)| k)
    }
}

/// Reports every key of `t` that is not in `known`, with a "did you mean" hint.
pub(crate) fn unknown_keys(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    known: &[&str],
    place: &str,
    ctx: Option<&str>,
) {
    for (key, _) in t.iter() {
        let name = key.get_ref();
        if known.contains(&name.as_ref()) {
            continue;
        }
        let help = match closest(name, known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("the keys {place} takes are: {}", known.join(", ")),
        };
        sink.error(sink.span(key), format!("unknown key `{name}` {place}"))
            .label("not a known key")
            .context(ctx)
            .help(help);
    }
}

/// Looks a key up in a table.
pub(crate) fn get<'t, 'a>(t: &'t DeTable<'a>, key: &str) -> Option<&'t Val<'a>> {
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// The span of a key in a table.
pub(crate) fn key_span(sink: &Sink<'_>, t: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, _)| sink.span(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_keys() {
        assert_eq!(
            closest("questons", &["questions", "answer"]),
            Some("questions")
        );
        assert_eq!(closest("zzz", &["questions", "answer"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    /// Issue 13: hints are bounded work whatever the number of names.
    #[test]
    fn hints_stop_at_their_budget() {
        let known: Vec<String> = (0..4_000).map(|i| format!("variable_{i:05}")).collect();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let mut hinter = Hinter::new();
        assert_eq!(
            hinter.closest("variable_00012x", &known),
            Some("variable_00012")
        );
        let mut hints = 1;
        for i in 0..4_000 {
            if hinter
                .closest(&format!("variablx_{i:05}"), &known)
                .is_some()
            {
                hints += 1;
            }
        }
        assert!(!hinter.can_hint());
        // Each search costs about 4,000 × 15 × 15 cells: the budget allows about 22.
        assert!((15..30).contains(&hints), "{hints}");
        assert_eq!(closest(&"x".repeat(100), &["x"]), None);
    }
}
