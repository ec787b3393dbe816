//! Colour and the rendering of diagnostics.
//!
//! Colour is plain ANSI, on only when the stream is a terminal (`std::io::IsTerminal`),
//! `NO_COLOR` is unset or empty and `TERM` is not `dumb` — or when `--color always`.

use crate::Color;
use replykit::paint::{Paint, Tone};
use replykit::{Diagnostic, Severity};
use std::io::IsTerminal;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const GREEN: &str = "\x1b[1;32m";

/// Whether to colour one output stream.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    on: bool,
}

fn wanted(choice: Color, terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

impl Style {
    /// The style for stdout.
    pub(crate) fn stdout(choice: Color) -> Style {
        Style {
            on: wanted(choice, std::io::stdout().is_terminal()),
        }
    }

    /// The style for stderr.
    pub(crate) fn stderr(choice: Color) -> Style {
        Style {
            on: wanted(choice, std::io::stderr().is_terminal()),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Red and bold.
    pub(crate) fn error(&self, text: &str) -> String {
        self.paint(RED, text)
    }

    /// Yellow and bold.
    pub(crate) fn warning(&self, text: &str) -> String {
        self.paint(YELLOW, text)
    }

    /// Green and bold.
    pub(crate) fn good(&self, text: &str) -> String {
        self.paint(GREEN, text)
    }

    /// Bold.
    pub(crate) fn bold(&self, text: &str) -> String {
        self.paint(BOLD, text)
    }

    fn blue(&self, text: &str) -> String {
        self.paint(BLUE, text)
    }
}

/// One diagnostic as `Display` renders it, coloured when the style is on (the
/// library says what each part is; see `replykit::paint`).
pub(crate) fn diagnostic(d: &Diagnostic, style: &Style) -> String {
    d.render(style)
}

impl Paint for Style {
    fn paint(&self, out: &mut dyn std::fmt::Write, tone: Tone, text: &str) -> std::fmt::Result {
        let painted = match tone {
            Tone::Error => self.error(text),
            Tone::Warning => self.warning(text),
            Tone::Good => self.good(text),
            Tone::Gutter => self.blue(text),
            _ => self.bold(text),
        };
        out.write_str(&painted)
    }
}

/// Every diagnostic, each followed by a blank line, then a summary line such as
/// `error: the rule set did not load: 2 errors` (as `LoadError` displays them).
pub(crate) fn diagnostics(diagnostics: &[Diagnostic], style: &Style) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&diagnostic(d, style));
        out.push('\n');
    }
    let errors = count(diagnostics, Severity::Error);
    out.push_str(&format!(
        "{}: the rule set did not load: {}\n",
        style.error("error"),
        plural(errors, "error", "errors")
    ));
    out
}

/// How many diagnostics have this severity.
pub(crate) fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// `1 rule`, `2 rules`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Diagnostics as one JSON array.
pub(crate) fn json(diagnostics: &[Diagnostic]) -> Result<String, String> {
    serde_json::to_string(diagnostics).map_err(|e| format!("cannot write JSON: {e}"))
}
