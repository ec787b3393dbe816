//! Load errors: every problem in a rule set, each with file, line, column, the rule id
//! and a hint, rendered like a compiler's diagnostics.

use crate::paint::{Paint, Painter, Plain, Tone};
use std::fmt;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Where a diagnostic points: a file, a 1-based line and column, and the byte range in
/// the file.
///
/// A location shares its file's text (it does not copy its line), so a rule set with
/// thousands of entries on one long line costs one copy of that line, not thousands
/// (issue 13). [`Location::source_line`] gives the line.
#[derive(Clone)]
#[non_exhaustive]
pub struct Location {
    /// The file name as given when loading (or the origin name of a string), shared
    /// by every location in the file.
    pub file: Arc<str>,
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column, in characters.
    pub column: usize,
    /// The byte range in the file.
    pub span: crate::Span,
    /// The whole text of the file, shared by every location in it.
    source: Arc<str>,
    /// The byte range of the line in `source`, without its line ending.
    line_range: crate::Span,
}

impl Location {
    pub(crate) fn new(
        file: Arc<str>,
        line: usize,
        column: usize,
        span: crate::Span,
        source: Arc<str>,
        line_range: crate::Span,
    ) -> Location {
        Location {
            file,
            line,
            column,
            span,
            source,
            line_range,
        }
    }

    /// The text of the line, without its line ending.
    ///
    /// ```
    /// let err = replykit::RuleSet::from_toml("a.toml", "[[rule]]\nid = 'x'\n").unwrap_err();
    /// let location = err.diagnostics()[0].location.as_ref().unwrap();
    /// assert_eq!(location.source_line(), "id = 'x'");
    /// ```
    pub fn source_line(&self) -> &str {
        self.source
            .get(self.line_range.start..self.line_range.end)
            .unwrap_or("")
    }

    fn key(&self) -> (&str, usize, usize, crate::Span, &str) {
        (
            &self.file,
            self.line,
            self.column,
            self.span,
            self.source_line(),
        )
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Location")
            .field("file", &self.file)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("span", &self.span)
            .field("source_line", &self.source_line())
            .finish()
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Location {}

impl Hash for Location {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Location", 5)?;
        s.serialize_field("file", &*self.file)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("column", &self.column)?;
        s.serialize_field("span", &self.span)?;
        s.serialize_field("source_line", self.source_line())?;
        s.end()
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// The rule set does not load.
    Error,
    /// The rule set loads, but something is probably not what the author meant.
    Warning,
}

/// One problem in a rule set.
///
/// `Display` renders it like a compiler diagnostic:
///
/// ```text
/// error: duplicate id `missed-bin`
///   --> waste.toml:12:6
///    |
/// 12 | id = "missed-bin"
///    |      ^^^^^^^^^^^^ defined again here
///    |
///   ::: streets.toml:3:6
///    |
///  3 | id = "missed-bin"
///    |      ------------ first defined here
///    = in rule `missed-bin`
///    = help: give each rule and FAQ entry an id of its own
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one short line.
    pub message: String,
    /// Where; `None` only for problems that belong to no file (such as an unreadable
    /// folder).
    pub location: Option<Location>,
    /// The text under the carets.
    pub label: String,
    /// The rule, FAQ entry or test the problem is in, such as `rule \`missed-bin\``.
    pub context: Option<String>,
    /// A second place that explains the first ("first defined here").
    pub secondary: Option<(Location, String)>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error that belongs to no place in a file (an unreadable folder, a file too
    /// big to read), with how to fix it.
    ///
    /// ```
    /// let d = replykit::Diagnostic::without_location("cannot read `rules/`", "check the path");
    /// assert_eq!(d.to_string(), "error: cannot read `rules/`\n  = help: check the path\n");
    /// ```
    pub fn without_location(message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            label: String::new(),
            context: None,
            secondary: None,
            help: Some(help.into()),
        }
    }

    /// A problem of the given severity at a place, with the text under its carets:
    /// for a host that checks rule files further and reports in the crate's format.
    ///
    /// ```
    /// use replykit::{Diagnostic, Location, Severity};
    ///
    /// let at = Location::in_text("rules.toml", "[[rule]]\nid = 'x'\n", 14..17);
    /// let d = Diagnostic::new(Severity::Warning, "id is too short", at)
    ///     .with_label("one character")
    ///     .with_help("name rules for what they answer");
    /// assert!(d.to_string().starts_with("warning: id is too short\n --> rules.toml:2:6\n"));
    /// ```
    pub fn new(severity: Severity, message: impl Into<String>, location: Location) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            location: Some(location),
            label: String::new(),
            context: None,
            secondary: None,
            help: None,
        }
    }

    /// Sets the text under the carets.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Sets how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the rule, FAQ entry or test the problem is in, such as `rule \`x\``.
    pub fn with_context(mut self, context: impl Into<String>) -> Diagnostic {
        self.context = Some(context.into());
        self
    }

    /// The location's `file:line:column`, or `""`.
    pub fn position(&self) -> String {
        match &self.location {
            Some(l) => format!("{}:{}:{}", l.file, l.line, l.column),
            None => String::new(),
        }
    }
}

fn gutter_width(d: &Diagnostic) -> usize {
    let a = d.location.as_ref().map_or(0, |l| l.line);
    let b = d.secondary.as_ref().map_or(0, |(l, _)| l.line);
    a.max(b).to_string().len()
}

/// Lines longer than this many bytes are shown as a window around the span.
const SNIPPET_BYTES: usize = 1024;

/// Bytes of context each side of the span in a window of a long line.
const SNIPPET_CONTEXT: usize = 80;

/// The most bytes of the span itself shown in a window of a long line.
const SNIPPET_SPAN: usize = 400;

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn write_snippet(
    f: &mut Painter<'_>,
    width: usize,
    loc: &Location,
    mark: char,
    label: &str,
    tone: Tone,
) -> fmt::Result {
    let pad = " ".repeat(width);
    gutter_line(f, &pad)?;
    let line = loc.source_line();
    // Where the span starts in the line, in bytes.
    let at = floor_boundary(line, loc.span.start.saturating_sub(loc.line_range.start));
    let wanted = loc.span.len().max(1);
    // A long line (a whole rule set on one line) is shown around the span only, so
    // that each diagnostic stays small (issue 13).
    let (shown, start) = if line.len() <= SNIPPET_BYTES {
        let line_chars = line.chars().count();
        (
            line.to_string(),
            loc.column.saturating_sub(1).min(line_chars),
        )
    } else {
        let from = floor_boundary(line, at.saturating_sub(SNIPPET_CONTEXT));
        let to = floor_boundary(line, at + wanted.min(SNIPPET_SPAN) + SNIPPET_CONTEXT);
        let before = if from > 0 { "…" } else { "" };
        let after = if to < line.len() { "…" } else { "" };
        let window = line.get(from..to).unwrap_or("");
        let start = before.chars().count() + line.get(from..at).map_or(0, |s| s.chars().count());
        (format!("{before}{window}{after}"), start)
    };
    let number = loc.line.to_string();
    f.text(&" ".repeat(width.saturating_sub(number.len())))?;
    f.tone(Tone::Gutter, &format!("{number} |"))?;
    writeln!(f, " {shown}")?;
    // Count the span's characters on this line (a span may run past the line's end).
    let under: usize = shown
        .chars()
        .skip(start)
        .scan(0usize, |bytes, c| {
            *bytes += c.len_utf8();
            Some(*bytes)
        })
        .take_while(|&b| b <= wanted)
        .count()
        .max(1);
    let mut marks: String = std::iter::repeat_n(mark, under).collect();
    if !label.is_empty() {
        marks.push(' ');
        marks.push_str(label);
    }
    write!(f, "{pad} ")?;
    f.tone(Tone::Gutter, "|")?;
    write!(f, " {}", " ".repeat(start))?;
    f.tone(tone, &marks)?;
    writeln!(f)
}

/// `   |`: an empty line of the gutter.
fn gutter_line(f: &mut Painter<'_>, pad: &str) -> fmt::Result {
    write!(f, "{pad} ")?;
    f.tone(Tone::Gutter, "|")?;
    writeln!(f)
}

impl Diagnostic {
    /// The diagnostic as `Display` shows it, written through `paint` (see
    /// [`paint`](crate::paint)): the severity in its tone, the message strong, gutters
    /// and secondary marks as [`Tone::Gutter`], primary marks in the severity's tone.
    pub fn render(&self, paint: &dyn Paint) -> String {
        crate::paint::render(paint, |f| self.write(f))
    }

    fn write(&self, f: &mut Painter<'_>) -> fmt::Result {
        let (kind, tone) = match self.severity {
            Severity::Error => ("error", Tone::Error),
            Severity::Warning => ("warning", Tone::Warning),
        };
        f.tone(tone, kind)?;
        f.tone(Tone::Strong, &format!(": {}", self.message))?;
        writeln!(f)?;
        let width = gutter_width(self);
        let pad = " ".repeat(width);
        if let Some(loc) = &self.location {
            f.text(&pad)?;
            f.tone(Tone::Gutter, "-->")?;
            writeln!(f, " {}:{}:{}", loc.file, loc.line, loc.column)?;
            write_snippet(f, width, loc, '^', &self.label, tone)?;
        }
        if let Some((loc, label)) = &self.secondary {
            gutter_line(f, &pad)?;
            f.text(&pad)?;
            f.tone(Tone::Gutter, ":::")?;
            writeln!(f, " {}:{}:{}", loc.file, loc.line, loc.column)?;
            write_snippet(f, width, loc, '-', label, Tone::Gutter)?;
        }
        if let Some(context) = &self.context {
            write!(f, "{pad} ")?;
            f.tone(Tone::Gutter, "=")?;
            writeln!(f, " in {context}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "{pad} ")?;
            f.tone(Tone::Gutter, "=")?;
            f.tone(Tone::Strong, " help:")?;
            writeln!(f, " {help}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&Plain))
    }
}

/// A rule set that could not be loaded or built: every problem found, in file order.
///
/// A rule set with any error never half-loads: the caller keeps whatever engine it had.
/// `Display` renders every diagnostic followed by a summary line.
///
/// ```
/// let err = replykit::RuleSet::from_toml("bad.toml", "[[rule]]\nid = 'x'\n").unwrap_err();
/// assert_eq!(err.diagnostics().len(), 2); // no condition, no reply
/// assert!(err.to_string().contains("bad.toml:2:6"));
/// ```
///
/// `Debug` shows the same rendered diagnostics as `Display`, so that `fn main() ->
/// Result<(), Box<dyn Error>>` with `?` prints them as a compiler would, not as a
/// one-line dump of the structure:
///
/// ```
/// let err = replykit::RuleSet::from_toml("bad.toml", "[[rule]]\nid = \"x\"\n").unwrap_err();
/// assert_eq!(format!("{err:?}"), err.to_string());
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.diagnostics))]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Debug for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // As `Display`: what `main` returning this error prints (issue 15).
        f.write_str(&render(&self.diagnostics))
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    crate::paint::render(&Plain, |f| write_all(f, diagnostics))
}

/// Every diagnostic, each followed by a blank line, then the summary line.
fn write_all(f: &mut Painter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    for d in diagnostics {
        d.write(f)?;
        writeln!(f)?;
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let noun = if errors == 1 { "error" } else { "errors" };
    f.tone(Tone::Error, "error")?;
    write!(f, ": the rule set did not load: {errors} {noun}")
}

impl LoadError {
    /// Every diagnostic and the summary line, as `Display` shows them, written through
    /// `paint` (see [`Diagnostic::render`]).
    pub fn render(&self, paint: &dyn Paint) -> String {
        crate::paint::render(paint, |f| write_all(f, &self.diagnostics))
    }

    pub(crate) fn new(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError { diagnostics }
    }

    /// Every problem, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Consumes the error, giving its diagnostics.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}
