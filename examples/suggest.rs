//! Suggest replies for messages with a rule set — the bundled council example by default.
//!
//! ```text
//! cargo run --example suggest -- "my bin wasn't emptied"
//! cargo run --example suggest -- --json --rules path/to/rules "my bin wasn't emptied"
//! printf 'bin day?\npothole on Elm Street\n' | cargo run --example suggest -- --json
//! cargo run --example suggest --features toolkit -- --test   # the rule set's [[test]] cases
//! ```
//!
//! Usage: `suggest [--json] [--rules PATH] [--channel NAME] [--test] [MESSAGE]`. `--rules` takes a file or
//! a folder of `.toml` files (default: `examples/council`). Without MESSAGE, messages
//! are read one per line from stdin. `--json` prints one outcome per line as JSON. A
//! rule set with errors prints every diagnostic on stderr and exits with status 1.

use replykit::{Decision, Engine, Message, Outcome};
use std::io::{BufRead, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: suggest [--json] [--rules PATH] [--channel NAME] [--test] [MESSAGE]";

struct Args {
    json: bool,
    test: bool,
    rules: String,
    channel: Option<String>,
    message: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let default_rules = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council").to_string();
    let mut args = Args {
        json: false,
        test: false,
        rules: default_rules,
        channel: None,
        message: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => args.json = true,
            "--test" => args.test = true,
            "--rules" => args.rules = it.next().ok_or("--rules needs a path")?,
            "--channel" => args.channel = Some(it.next().ok_or("--channel needs a name")?),
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with("--") => return Err(format!("unknown option `{arg}`")),
            _ if args.message.is_some() => return Err("give one MESSAGE (quote it)".into()),
            _ => args.message = Some(arg),
        }
    }
    Ok(args)
}

fn print_readable(out: &mut impl Write, text: &str, outcome: &Outcome) -> std::io::Result<()> {
    writeln!(out, "message:  {text}")?;
    writeln!(out, "decision: {}", outcome.decision)?;
    if let Some(e) = &outcome.escalation {
        writeln!(out, "escalated by rule `{}`: {}", e.rule, e.reason)?;
    }
    if outcome.decision == Decision::NoAnswer {
        writeln!(out, "  (no confident answer)")?;
    }
    for (i, s) in outcome.suggestions.iter().enumerate() {
        let kind = format!("{:?}", s.kind).to_lowercase();
        writeln!(
            out,
            "{}. {kind} `{}`  score {:.2}  tags {:?}",
            i + 1,
            s.id,
            s.score,
            s.tags
        )?;
        writeln!(out, "   reply: {}", s.reply)?;
        if let Some(q) = &s.question {
            writeln!(out, "   closest question: {q:?}")?;
        }
        let evidence: Vec<String> = s
            .evidence
            .iter()
            .map(|e| format!("{:?} for {:?}", e.span.get(text).unwrap_or(""), e.what))
            .collect();
        if !evidence.is_empty() {
            writeln!(out, "   because: {}", evidence.join(", "))?;
        }
    }
    writeln!(out)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return if e.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let engine = match Engine::from_path(&args.rules) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if args.test {
        return run_tests(&engine);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut answer = |text: &str| -> std::io::Result<()> {
        let mut message = Message::new(text);
        message.channel = args.channel.clone();
        let outcome = engine.suggest(&message);
        if args.json {
            let line = serde_json::to_string(&outcome).map_err(std::io::Error::other)?;
            writeln!(out, "{line}")
        } else {
            print_readable(&mut out, text, &outcome)
        }
    };
    let result = match &args.message {
        Some(text) => answer(text),
        None => std::io::stdin()
            .lock()
            .lines()
            .try_for_each(|line| answer(&line?)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the rule set's `[[test]]` cases (the authors' toolkit).
#[cfg(feature = "toolkit")]
fn run_tests(engine: &Engine) -> ExitCode {
    let report = engine.run_tests();
    print!("{report}");
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(not(feature = "toolkit"))]
fn run_tests(_: &Engine) -> ExitCode {
    eprintln!("--test runs [[test]] cases with the authors' toolkit: add `--features toolkit`");
    ExitCode::from(2)
}
