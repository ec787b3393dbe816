//! The `replykit` command: build rule sets from labelled history and measure them.
//!
//! ```text
//! replykit import LABELLED.jsonl > faq.toml
//! replykit eval RULES LABELLED.jsonl [--json]
//! ```

use clap::{Parser, Subcommand};
use replykit::eval::{evaluate, EvalReport, Labelled};
use replykit::Engine;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Suggest canned answers to customer messages: tools for rule authors.
#[derive(Parser, Debug)]
#[command(name = "replykit", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Turn labelled messages (JSON lines {"text": ..., "label": ...}) into a rule set:
    /// one FAQ entry per label, thresholds chosen from the messages themselves.
    #[command(after_help = "Example:\n  replykit import history.jsonl > faq.toml")]
    Import {
        /// JSON lines, one {"text": ..., "label": ... or null} per line.
        labelled: PathBuf,
    },
    /// Measure a rule set on labelled messages: accuracy, auto-reply precision, and more.
    #[command(after_help = "Example:\n  replykit eval faq.toml test.jsonl --json")]
    Eval {
        /// A rule file or a folder of them.
        rules: PathBuf,
        /// JSON lines, one {"text": ..., "label": ... or null} per line.
        labelled: PathBuf,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn read_labelled(path: &Path) -> Result<Vec<Labelled>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let item: Labelled = serde_json::from_str(&line).map_err(|e| {
            format!(
                "{}:{}: not a labelled message ({e}); expected {{\"text\": ..., \"label\": ...}}",
                path.display(),
                n + 1
            )
        })?;
        out.push(item);
    }
    Ok(out)
}

fn print_report(r: &EvalReport) {
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    println!(
        "messages              {} ({} in scope, {} out of scope)",
        r.messages, r.in_scope, r.out_of_scope
    );
    println!("top1_accuracy         {}", pct(r.top1_accuracy));
    println!("top3_accuracy         {}", pct(r.top3_accuracy));
    println!("overall_accuracy      {}", pct(r.overall_accuracy));
    println!("in_scope_accuracy     {}", pct(r.in_scope_accuracy));
    println!("oos_recall            {}", pct(r.oos_recall));
    println!("auto_reply_rate       {}", pct(r.auto_reply_rate));
    println!("auto_reply_precision  {}", pct(r.auto_reply_precision));
    println!("suggest_rate          {}", pct(r.suggest_rate));
    println!("suggest_precision     {}", pct(r.suggest_precision));
    println!("messages_per_second   {:.0}", r.messages_per_second);
    if !r.confused.is_empty() {
        println!("most confused (expected -> got):");
        for c in &r.confused {
            println!("  {:>5}  {} -> {}", c.count, c.expected, c.got);
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Import { labelled } => {
            let data = read_labelled(&labelled)?;
            let thresholds = replykit::import::choose_thresholds(&data);
            print!(
                "{}",
                replykit::import::rule_set_toml(&data, &thresholds)
            );
            Ok(())
        }
        Command::Eval {
            rules,
            labelled,
            json,
        } => {
            let engine = Engine::from_path(&rules).map_err(|e| e.to_string())?;
            let data = read_labelled(&labelled)?;
            let report = evaluate(&engine, &data);
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&report).map_err(|e| e.to_string())?
                );
            } else {
                print_report(&report);
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
