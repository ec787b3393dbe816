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

/// The report as text, written to `out` (an error, such as a closed pipe, is returned,
/// never a panic).
fn write_report(out: &mut impl Write, r: &EvalReport) -> std::io::Result<()> {
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let pct_of = |x: Option<f64>| x.map_or_else(|| "none decided".to_string(), pct);
    writeln!(
        out,
        "messages              {} ({} in scope, {} out of scope)",
        r.messages, r.in_scope, r.out_of_scope
    )?;
    writeln!(out, "top1_accuracy         {}", pct(r.top1_accuracy))?;
    writeln!(out, "top3_accuracy         {}", pct(r.top3_accuracy))?;
    writeln!(out, "overall_accuracy      {}", pct(r.overall_accuracy))?;
    writeln!(out, "in_scope_accuracy     {}", pct(r.in_scope_accuracy))?;
    writeln!(out, "oos_recall            {}", pct(r.oos_recall))?;
    writeln!(out, "auto_reply_rate       {}", pct(r.auto_reply_rate))?;
    writeln!(
        out,
        "auto_reply_precision  {}",
        pct_of(r.auto_reply_precision)
    )?;
    writeln!(out, "suggest_rate          {}", pct(r.suggest_rate))?;
    writeln!(out, "suggest_precision     {}", pct_of(r.suggest_precision))?;
    writeln!(out, "messages_per_second   {:.0}", r.messages_per_second)?;
    if !r.confused.is_empty() {
        writeln!(out, "most confused (expected -> got):")?;
        for c in &r.confused {
            writeln!(out, "  {:>5}  {} -> {}", c.count, c.expected, c.got)?;
        }
    }
    Ok(())
}

/// Answer quality on labelled messages.
pub(crate) fn eval(rules: &Path, path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let engine = Engine::from_path(rules).map_err(|e| Failure::Load(e.into_diagnostics()))?;
    let data = labelled(path)?;
    let report = evaluate(&engine, &data);
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string(&report).map_err(|e| e.to_string())?;
        writeln!(out, "{text}")?;
    } else {
        write_report(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}
