//! `replykit explain`: why a message got its outcome.

use crate::input::parse_line;
use crate::render::Style;
use crate::{load, Color, Failure};
use replykit::{Decision, Message};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Splits the arguments into rule paths and the message (the last argument). A last
/// argument that names a file or folder, or ends in `.toml`, is a forgotten message.
fn split_args(args: &[String]) -> Result<(Vec<PathBuf>, &str), String> {
    match args.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            if Path::new(last).exists() || last.ends_with(".toml") {
                return Err(format!(
                    "the last argument, `{last}`, is a rule path, not a message: give the \
                     message to explain after the rule files"
                ));
            }
            Ok((rest.iter().map(PathBuf::from).collect(), last.as_str()))
        }
        _ => Err("give the rule files, then the message to explain".to_string()),
    }
}

/// The message argument: plain text, or a JSON message as in `suggest`'s input (so a
/// line of a messages file can be pasted as it is).
fn message_of(arg: &str, channel: Option<&str>) -> Result<Message, String> {
    let (mut message, _) = parse_line(&Some(arg.as_bytes().to_vec()))
        .map_err(|e| format!("cannot read the message: {e}"))?;
    if message.channel.is_none() {
        message.channel = channel.map(str::to_string);
    }
    Ok(message)
}

/// `decision: auto_reply` with the decision coloured: green to send, yellow for no
/// answer, red to escalate.
fn decision(value: &str, style: &Style) -> String {
    match Decision::from_name(value) {
        Some(Decision::AutoReply) => style.good(value),
        Some(Decision::Escalate) => style.error(value),
        Some(Decision::NoAnswer) => style.warning(value),
        _ => style.bold(value),
    }
}

/// The explanation as `Display` renders it, coloured when the style is on: labels and
/// section headings in bold, rule and entry ids in bold, `✓` in green, `✗` in yellow, the
/// decision in its colour.
fn colour(plain: &str, style: &Style) -> String {
    let mut out = String::with_capacity(plain.len() * 2);
    let mut listing = false;
    for line in plain.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        out.push_str(indent);
        if indent.is_empty() && !trimmed.is_empty() {
            // The rules and FAQ sections list ids; the decision section does not.
            listing = trimmed.ends_with(':');
        }
        match indent.len() {
            0 => match trimmed.split_once(": ") {
                Some(("decision", value)) => {
                    out.push_str(&style.bold("decision:"));
                    out.push(' ');
                    out.push_str(&decision(value, style));
                }
                Some((label, rest)) => {
                    out.push_str(&style.bold(&format!("{label}:")));
                    out.push(' ');
                    out.push_str(rest);
                }
                None => out.push_str(&style.bold(trimmed)),
            },
            // A rule or FAQ entry: its id first.
            2 if listing && trimmed != "none" => {
                let (id, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
                out.push_str(&style.bold(id));
                if !rest.is_empty() {
                    out.push(' ');
                    out.push_str(rest);
                }
            }
            4 if trimmed.starts_with('✓') => {
                out.push_str(&style.good("✓"));
                out.push_str(&trimmed['✓'.len_utf8()..]);
            }
            4 if trimmed.starts_with('✗') => {
                out.push_str(&style.warning("✗"));
                out.push_str(&trimmed['✗'.len_utf8()..]);
            }
            _ => out.push_str(trimmed),
        }
        out.push('\n');
    }
    out
}

/// Explains one message.
pub(crate) fn run(
    args: &[String],
    channel: Option<&str>,
    json: bool,
    color: Color,
) -> Result<ExitCode, Failure> {
    let (paths, text) = split_args(args)?;
    let message = message_of(text, channel)?;
    let loaded = load::load_or_fail(&paths)?;
    let explanation = loaded.engine.explain(&message);
    let mut out = std::io::stdout().lock();
    if json {
        let text =
            serde_json::to_string(&explanation).map_err(|e| format!("cannot write JSON: {e}"))?;
        writeln!(out, "{text}")?;
    } else {
        write!(
            out,
            "{}",
            colour(&explanation.to_string(), &Style::stdout(color))
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_last_argument() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let here = env!("CARGO_MANIFEST_DIR");
        let a = args(&[here, "bin day?"]);
        assert_eq!(split_args(&a), Ok((vec![PathBuf::from(here)], "bin day?")));
        assert!(split_args(&args(&[here])).is_err());
        assert!(split_args(&args(&[here, here])).is_err());
        assert!(split_args(&args(&[here, "waste.toml"])).is_err());
    }

    #[test]
    fn a_message_may_be_json() {
        let m = message_of(r#"{"text": "hi", "channel": "email"}"#, Some("twitter"));
        assert_eq!(
            m.map(|m| (m.text, m.channel)),
            Ok(("hi".to_string(), Some("email".to_string())))
        );
        let m = message_of("bin day?", Some("twitter"));
        assert_eq!(m.map(|m| m.channel), Ok(Some("twitter".to_string())));
    }
}
