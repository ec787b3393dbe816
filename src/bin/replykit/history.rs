//! `replykit import` and `replykit eval`: rule sets from labelled history, and how well
//! they answer it.

use crate::input::read_labelled;
use crate::Failure;
use replykit::eval::{evaluate, EvalReport, Labelled};
use replykit::Engine;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

fn labelled(path: &Path) -> Result<Vec<Labelled>, String> {
    Ok(read_labelled(path)?.into_iter().map(|(_, l)| l).collect())
}

/// One FAQ entry per label, printed as TOML.
pub(crate) fn import(path: &Path, unknown_share: f64) -> Result<ExitCode, Failure> {
    if !(0.0..=0.95).contains(&unknown_share) {
        return Err(format!("--unknown-share must be from 0 to 0.95, not {unknown_share}").into());
    }
    let data = labelled(path)?;
    let options = replykit::import::ImportOptions::default().unknown_share(unknown_share);
    let thresholds = replykit::import::choose_thresholds_with(&data, &options);
    let toml = replykit::import::rule_set_toml(&data, &thresholds);
    std::io::stdout().lock().write_all(toml.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &EvalReport) {
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let pct_of = |x: Option<f64>| x.map_or_else(|| "none decided".to_string(), pct);
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
    println!("auto_reply_precision  {}", pct_of(r.auto_reply_precision));
    println!("suggest_rate          {}", pct(r.suggest_rate));
    println!("suggest_precision     {}", pct_of(r.suggest_precision));
    println!("messages_per_second   {:.0}", r.messages_per_second);
    if !r.confused.is_empty() {
        println!("most confused (expected -> got):");
        for c in &r.confused {
            println!("  {:>5}  {} -> {}", c.count, c.expected, c.got);
        }
    }
}

/// Answer quality on labelled messages.
pub(crate) fn eval(rules: &Path, path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let engine = Engine::from_path(rules).map_err(|e| Failure::Load(e.into_diagnostics()))?;
    let data = labelled(path)?;
    let report = evaluate(&engine, &data);
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}
