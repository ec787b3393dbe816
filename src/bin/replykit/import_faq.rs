//! `replykit import-faq`: an FAQ page (HTML, Markdown or CSV) made into a rule set.

use crate::Failure;
use replykit::faqpage::{self, Format, Options};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `--format`: what the file is, when its name does not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PageFormat {
    Html,
    Markdown,
    Csv,
}

impl From<PageFormat> for Format {
    fn from(f: PageFormat) -> Format {
        match f {
            PageFormat::Html => Format::Html,
            PageFormat::Markdown => Format::Markdown,
            PageFormat::Csv => Format::Csv,
        }
    }
}

/// Reads the page, writes the rule set to stdout, and says on stderr what was read and
/// what was left out, and why.
pub(crate) fn run(
    path: &Path,
    url: Option<&str>,
    max_length: usize,
    format: Option<PageFormat>,
) -> Result<ExitCode, Failure> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let format = format
        .map(Format::from)
        .or_else(|| Format::of_path(path))
        .unwrap_or_else(|| Format::sniff(&text));
    let page = faqpage::read(&text, format)
        .map_err(|e| format!("{}: {e}\n  help: {}", path.display(), e.help()))?;
    let mut options = Options::default().max_length(max_length);
    if let Some(url) = url {
        options = options.url(url);
    }
    let written = faqpage::rule_set_toml(&page, &options);
    std::io::stdout()
        .lock()
        .write_all(written.text.as_bytes())?;
    let skipped: Vec<_> = page.skipped.iter().chain(&written.skipped).collect();
    eprintln!(
        "{}: {} entries from {}; {} left out",
        path.display(),
        written.entries,
        page.shape,
        skipped.len()
    );
    for s in skipped {
        eprintln!("  left out {s}");
    }
    if url.is_none() && page.entries.iter().any(|e| e.url.is_none()) {
        eprintln!("  note: no --url, so replies do not link to the page");
    }
    Ok(ExitCode::SUCCESS)
}
