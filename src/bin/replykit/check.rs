//! `replykit check`: load and validate, print every problem.

use crate::render::{self, Style};
use crate::{load, Color, Failure, Format};
use replykit::Diagnostic;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Loads the rule set; prints its diagnostics (stdout) and a summary (stderr).
pub(crate) fn run(paths: &[PathBuf], format: Format, color: Color) -> Result<ExitCode, Failure> {
    let loaded = match load::load(paths) {
        Ok(loaded) => loaded,
        Err(diagnostics) => return load_errors(&diagnostics, format, color),
    };
    // Warnings (folder entries that were skipped) do not stop the rule set loading.
    match format {
        Format::Json => {
            writeln!(
                std::io::stdout().lock(),
                "{}",
                render::json(&loaded.warnings)?
            )?;
            eprintln!("ok: {}", loaded.summary());
        }
        Format::Human => {
            let mut out = std::io::stdout().lock();
            let style = Style::stdout(color);
            for w in &loaded.warnings {
                writeln!(out, "{}", render::diagnostic(w, &style))?;
            }
            let style = Style::stderr(color);
            eprintln!("{}: {}", style.good("ok"), loaded.summary());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints load errors on stdout, in the format asked for; exit status 1.
pub(crate) fn load_errors(
    diagnostics: &[Diagnostic],
    format: Format,
    color: Color,
) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", render::json(diagnostics)?)?,
        Format::Human => {
            let style = Style::stdout(color);
            write!(out, "{}", render::diagnostics(diagnostics, &style))?;
        }
    }
    Ok(ExitCode::FAILURE)
}
