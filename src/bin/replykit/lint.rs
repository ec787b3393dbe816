//! `replykit lint`: static analysis, printed like `check`.

use crate::render::{self, count, plural, Style};
use crate::{load, Color, Failure, Format};
use replykit::Severity;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Lints the rule set (or prints its load errors, as `check` does).
pub(crate) fn run(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    color: Color,
) -> Result<ExitCode, Failure> {
    let loaded = match load::load(paths) {
        Ok(loaded) => loaded,
        Err(diagnostics) => return crate::check::load_errors(&diagnostics, format, color),
    };
    let diagnostics = replykit::lint::lint_sources(
        loaded.set(),
        loaded.sources.iter().map(|(n, t)| (n.as_str(), t.as_str())),
    );
    let errors = count(&diagnostics, Severity::Error);
    let warnings = count(&diagnostics, Severity::Warning);
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", render::json(&diagnostics)?)?,
        Format::Human => {
            let style = Style::stdout(color);
            for d in &diagnostics {
                writeln!(out, "{}", render::diagnostic(d, &style))?;
            }
        }
    }
    let style = Style::stderr(color);
    let summary = match (errors, warnings) {
        (0, 0) => format!("{}: no problems in {}", style.good("ok"), loaded.summary()),
        (0, w) => format!(
            "{}: {} in {}",
            style.warning("warning"),
            plural(w, "warning", "warnings"),
            loaded.summary()
        ),
        (e, w) => format!(
            "{}: {}, {} in {}",
            style.error("error"),
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings"),
            loaded.summary()
        ),
    };
    eprintln!("{summary}");
    let failed = errors > 0 || (deny_warnings && warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
