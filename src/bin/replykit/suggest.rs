//! `replykit suggest`: outcomes as JSON lines, for one message or a stream of them.

use crate::input::{self, read_line, Lines};
use crate::render::plural;
use crate::{load, Failure};
use replykit::{Engine, Message, Offsets, ReloadEvent, Reloader};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How often `--watch` looks at the rule files.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// How much output is gathered before it is written (64 KiB), when input keeps coming.
const OUTPUT_BUFFER: usize = 64 << 10;

/// How often progress is shown on a terminal's stderr, in lines.
const PROGRESS_EVERY: usize = 10_000;

/// Splits the arguments into rule paths and the message: the last argument is the
/// message when there are at least two and it names no existing file or folder (and
/// does not end in `.toml`, so that a mistyped rule file is an error, not a message).
fn split_args(args: &[String]) -> (Vec<PathBuf>, Option<&str>) {
    match args.split_last() {
        Some((last, rest))
            if !rest.is_empty() && !Path::new(last).exists() && !last.ends_with(".toml") =>
        {
            (
                rest.iter().map(PathBuf::from).collect(),
                Some(last.as_str()),
            )
        }
        _ => (args.iter().map(PathBuf::from).collect(), None),
    }
}

fn with_channel(mut message: Message, channel: Option<&str>) -> Message {
    if message.channel.is_none() {
        if let Some(c) = channel {
            message.channel = Some(c.to_string());
        }
    }
    message
}

/// Appends the outcome line of `message` to `out`.
fn write_outcome(
    out: &mut Vec<u8>,
    engine: &Engine,
    message: &Message,
    unknown: Vec<String>,
    offsets: Offsets,
) {
    let mut outcome = engine.suggest(message);
    if offsets != Offsets::Bytes {
        outcome = outcome.with_offsets(&message.text, offsets);
    }
    // Keys the line carried that no message has were ignored: say so.
    outcome.unreadable.extend(unknown);
    // The bytes serde_json would write, written by hand (see `Outcome::write_json`).
    outcome.write_json(out);
    out.push(b'\n');
}

/// Says on stderr what a reload did: `reloaded: N rules, M FAQ entries`, or the
/// diagnostics and `kept the previous rules`.
fn report(event: ReloadEvent) {
    match event {
        ReloadEvent::Reloaded { rules, faqs } => eprintln!(
            "reloaded: {}, {}",
            plural(rules, "rule", "rules"),
            plural(faqs, "FAQ entry", "FAQ entries")
        ),
        ReloadEvent::Failed(e) => eprintln!("{e}\nkept the previous rules"),
        _ => {}
    }
}

/// Suggests for the message argument, or for every line of stdin. With `watch`, the
/// rule files are reloaded when they change (see [`Reloader`]), between lines.
pub(crate) fn run(
    args: &[String],
    message: Option<&str>,
    channel: Option<&str>,
    offsets: Offsets,
    watch: bool,
) -> Result<ExitCode, Failure> {
    // `--message`: every argument is a rule path, whatever the last one looks like.
    let (paths, message) = match message {
        Some(text) => (args.iter().map(PathBuf::from).collect(), Some(text)),
        None => split_args(args),
    };
    let (current, _watch): (Box<dyn Fn() -> Arc<Engine>>, _) = if watch {
        let reloader = Reloader::new(&paths).map_err(|e| Failure::Load(e.into_diagnostics()))?;
        let reloader = Arc::new(reloader);
        let watching = reloader.watch(WATCH_INTERVAL, report);
        (Box::new(move || reloader.engine()), Some(watching))
    } else {
        let engine = Arc::new(load::load_or_fail(&paths)?.engine);
        (Box::new(move || Arc::clone(&engine)), None)
    };
    let mut stdout = std::io::stdout().lock();
    // The output lines, written to stdout in large writes: whenever no further input is
    // buffered (see `Lines::drained`), or when this much has gathered.
    let mut out = Vec::with_capacity(OUTPUT_BUFFER + (8 << 10));
    if let Some(text) = message {
        write_outcome(
            &mut out,
            &current(),
            &with_channel(Message::new(text), channel),
            Vec::new(),
            offsets,
        );
        stdout.write_all(&out)?;
        stdout.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let progress = std::io::stderr().is_terminal();
    let mut lines = Lines::new(input::stdin());
    // One line's bytes, reused from line to line.
    let mut line = Vec::new();
    let mut n = 0;
    while let Some(fits) = lines
        .next_line_into(&mut line)
        .map_err(|e| format!("cannot read stdin: {e}"))?
    {
        n += 1;
        match read_line(fits.then_some(&line[..])) {
            Ok(read) => write_outcome(
                &mut out,
                &current(),
                &with_channel(read.message, channel),
                read.unknown,
                offsets,
            ),
            Err(error) => {
                let json = serde_json::json!({"error": error, "line": n});
                writeln!(out, "{json}")?;
            }
        }
        if lines.drained() || out.len() >= OUTPUT_BUFFER {
            stdout.write_all(&out)?;
            out.clear();
            if lines.drained() {
                stdout.flush()?;
            }
        }
        if progress && n % PROGRESS_EVERY == 0 {
            eprint!("\r{n} lines");
        }
    }
    stdout.write_all(&out)?;
    stdout.flush()?;
    if progress && n >= PROGRESS_EVERY {
        eprintln!("\r{n} lines, done");
    }
    // The process ends here, and the system takes back its memory at once: freeing
    // a big engine's parts one by one would cost several percent of a long run.
    std::mem::forget(current);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_argument_is_the_message_unless_it_is_a_path() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let here = env!("CARGO_MANIFEST_DIR");
        let a = args(&[here, "bin day?"]);
        assert_eq!(
            split_args(&a),
            (vec![PathBuf::from(here)], Some("bin day?"))
        );
        let a = args(&[here]);
        assert_eq!(split_args(&a), (vec![PathBuf::from(here)], None));
        let a = args(&[here, "Cargo.toml"]);
        assert_eq!(split_args(&a).1, None);
        let a = args(&[here, "missing.toml"]);
        assert_eq!(split_args(&a).1, None);
    }
}
