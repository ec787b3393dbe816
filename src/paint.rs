//! Rendering with a style hook: what a piece of text *is* (a heading, an error, a mark
//! that held), so that a host colours it without parsing the text.
//!
//! [`Diagnostic::render`](crate::Diagnostic::render) and
//! [`Explanation::render`](crate::explain::Explanation::render) write through a
//! [`Paint`]; their `Display` is the same text with [`Plain`]. The `replykit` command
//! paints ANSI colours on a terminal; a web page could wrap each part in a `<span>`.

use std::fmt;

/// What a piece of rendered text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tone {
    /// A heading, a label or a name to pick out (bold on a terminal).
    Strong,
    /// An error, or what stopped something (red).
    Error,
    /// A warning, or a check that failed (yellow).
    Warning,
    /// What held or was sent (green).
    Good,
    /// Gutters and marks that point at a place (blue).
    Gutter,
}

/// How text is painted. Every part of a rendering goes through [`paint`](Paint::paint),
/// with its tone, or is written as it is.
///
/// ```
/// use replykit::paint::{Paint, Tone};
/// use std::fmt::{self, Write};
///
/// /// Marks errors as `[!…!]`.
/// struct Marked;
/// impl Paint for Marked {
///     fn paint(&self, out: &mut dyn Write, tone: Tone, text: &str) -> fmt::Result {
///         match tone {
///             Tone::Error => write!(out, "[!{text}!]"),
///             _ => out.write_str(text),
///         }
///     }
/// }
///
/// let err = replykit::RuleSet::from_toml("a.toml", "[[rule]]\nid = 'x'\n").unwrap_err();
/// assert!(err.diagnostics()[0].render(&Marked).starts_with("[!error!]: "));
/// ```
pub trait Paint {
    /// Writes `text` as `tone`.
    fn paint(&self, out: &mut dyn fmt::Write, tone: Tone, text: &str) -> fmt::Result;
}

/// Paints nothing: the text as `Display` gives it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plain;

impl Paint for Plain {
    fn paint(&self, out: &mut dyn fmt::Write, _: Tone, text: &str) -> fmt::Result {
        out.write_str(text)
    }
}

/// A writer and its paint, for the renderers.
pub(crate) struct Painter<'a> {
    pub(crate) out: &'a mut dyn fmt::Write,
    pub(crate) paint: &'a dyn Paint,
}

impl Painter<'_> {
    /// Writes `text` as `tone`.
    pub(crate) fn tone(&mut self, tone: Tone, text: &str) -> fmt::Result {
        if text.is_empty() {
            return Ok(());
        }
        self.paint.paint(self.out, tone, text)
    }

    /// Writes `text` unpainted.
    pub(crate) fn text(&mut self, text: &str) -> fmt::Result {
        self.out.write_str(text)
    }
}

impl fmt::Write for Painter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.out.write_str(s)
    }
}

/// Renders with `paint` into a string.
pub(crate) fn render(paint: &dyn Paint, f: impl FnOnce(&mut Painter<'_>) -> fmt::Result) -> String {
    let mut out = String::new();
    let mut painter = Painter {
        out: &mut out,
        paint,
    };
    // Writing to a String cannot fail.
    let _ = f(&mut painter);
    out
}
