//! `replykit explain`: why a message got its outcome.

use crate::input::parse_line;
use crate::render::Style;
use crate::{load, Color, Failure};
use replykit::Message;
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
        // Coloured through the library's paint hook: it says what each part is.
        write!(out, "{}", explanation.render(&Style::stdout(color)))?;
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
