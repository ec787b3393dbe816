//! `replykit report`: a listening report over a message history.

use crate::input::{open, parse_line, read_line, Lines};
use crate::{load, Failure};
use indicatif::{ProgressBar, ProgressStyle};
use replykit::listen::Listener;
use replykit::Message;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What to print, and where.
#[derive(Debug)]
pub(crate) struct Outputs<'a> {
    pub(crate) html: Option<&'a Path>,
    pub(crate) json: bool,
    pub(crate) markdown: bool,
}

/// A progress bar over the history's bytes on a terminal's stderr; hidden otherwise.
fn progress(history: &Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let size = std::fs::metadata(history).map(|m| m.len()).ok();
    match size.filter(|_| history.as_os_str() != "-") {
        Some(size) => {
            let bar = ProgressBar::new(size);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:40} {percent:>3}% {msg} ({elapsed}, about {eta} left)",
            ) {
                bar.set_style(style);
            }
            bar
        }
        None => ProgressBar::new_spinner(),
    }
}

/// How many history lines are read before their messages are answered together.
const CHUNK: usize = 1024;

/// A history line, as the report takes it.
enum Line {
    /// Blank: in no count.
    Blank,
    /// Not a message, and why.
    Bad(String),
    /// A message (answered in its chunk, in order).
    Message,
}

/// A history, line by line.
type History = Lines<Box<dyn std::io::BufRead>>;

/// Sets the bar's message every this many lines.
const BAR_EVERY: u64 = 1000;

/// The threads that answer messages: rayon's pool with the `parallel` feature.
fn threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// Replays the history through the rules and prints the report.
pub(crate) fn run(rules: &Path, history: &Path, outputs: Outputs<'_>) -> Result<ExitCode, Failure> {
    let loaded = load::load_or_fail(&[PathBuf::from(rules)])?;
    let mut listener = Listener::new(&loaded.engine);
    let mut lines = Lines::new(open(history)?);
    let bar = progress(history);
    let cannot_read = |e: std::io::Error| format!("cannot read `{}`: {e}", history.display());
    if threads() > 1 {
        replay_in_chunks(&mut lines, &loaded.engine, &mut listener, &bar).map_err(cannot_read)?;
    } else {
        replay(&mut lines, &mut listener, &bar).map_err(cannot_read)?;
    }
    bar.set_message("grouping what nothing answers");
    let report = listener.finish();
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    if let Some(path) = outputs.html {
        std::fs::write(path, report.to_html())
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    if outputs.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        writeln!(out, "{json}")?;
    }
    if outputs.markdown || (!outputs.json && outputs.html.is_none()) {
        write!(out, "{}", report.to_markdown())?;
    }
    out.flush()?;
    // The process ends here, and the system takes back its memory at once (as in
    // `suggest`): freeing the report's and the engine's parts one by one costs time.
    std::mem::forget(report);
    std::mem::forget(loaded);
    Ok(ExitCode::SUCCESS)
}

/// On one thread: each line answered as it is read, into one buffer reused from line
/// to line, as `suggest` does. Holding a chunk of lines and outcomes would only cost
/// there: their many allocations, all alive at once, overflow the allocator's
/// per-thread cache, and the engine's working memory cools while the listener takes
/// the chunk.
fn replay(lines: &mut History, listener: &mut Listener, bar: &ProgressBar) -> std::io::Result<()> {
    let mut line = Vec::new();
    while let Some(fits) = lines.next_line_into(&mut line)? {
        if fits && line.trim_ascii().is_empty() {
            listener.skip_line();
        } else {
            match read_line(fits.then_some(&line[..])) {
                Ok(read) => {
                    listener.suggest(&read.message);
                }
                Err(reason) => listener.add_bad_line(reason),
            }
        }
        bar.inc(line.len() as u64 + 1);
        if listener.line().is_multiple_of(BAR_EVERY) {
            bar.set_message(format!("{} lines", listener.line()));
        }
    }
    Ok(())
}

/// On several threads: [`CHUNK`] lines read at a time, their messages answered
/// together on every core (`Engine::suggest_batch`), then taken in line order.
fn replay_in_chunks(
    lines: &mut History,
    engine: &replykit::Engine,
    listener: &mut Listener,
    bar: &ProgressBar,
) -> std::io::Result<()> {
    loop {
        let raws = lines.next_lines(CHUNK)?;
        if raws.is_empty() {
            return Ok(());
        }
        let mut messages: Vec<Message> = Vec::with_capacity(CHUNK);
        let chunk: Vec<(Line, u64)> = raws
            .into_iter()
            .map(|raw| {
                let bytes = raw.as_ref().map_or(0, Vec::len) as u64 + 1;
                let line = if raw.as_ref().is_some_and(|b| b.trim_ascii().is_empty()) {
                    Line::Blank
                } else {
                    match parse_line(&raw) {
                        Ok((message, _)) => {
                            messages.push(message);
                            Line::Message
                        }
                        Err(reason) => Line::Bad(reason),
                    }
                };
                (line, bytes)
            })
            .collect();
        let mut answered = messages.iter().zip(engine.suggest_batch(&messages));
        for (line, bytes) in chunk {
            match line {
                Line::Blank => listener.skip_line(),
                Line::Bad(reason) => listener.add_bad_line(reason),
                Line::Message => {
                    if let Some((message, outcome)) = answered.next() {
                        listener.add(message, &outcome);
                    }
                }
            }
            bar.inc(bytes);
            if listener.line().is_multiple_of(BAR_EVERY) {
                bar.set_message(format!("{} lines", listener.line()));
            }
        }
    }
}
