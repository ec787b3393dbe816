//! `replykit test`: run the rule set's `[[test]]` cases, and labelled messages.

use crate::input::read_labelled;
use crate::render::Style;
use crate::{load, Color, Failure};
use replykit::{Decision, Kind, Message, Outcome};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// What came out, in a few words: `faq `bin-day` (score 0.62, decision suggest)`.
fn describe(outcome: &Outcome) -> String {
    match outcome.top() {
        Some(top) => format!(
            "{} `{}` (score {:.2}, decision {})",
            match top.kind {
                Kind::Rule => "rule",
                Kind::Faq => "faq",
                _ => "entry",
            },
            top.id,
            top.score,
            outcome.decision
        ),
        None => format!("no suggestion (decision {})", outcome.decision),
    }
}

fn write_failure(
    out: &mut impl Write,
    style: &Style,
    position: &str,
    message: &str,
    failures: &[String],
) -> std::io::Result<()> {
    writeln!(out, "{} {position}: {message:?}", style.error("FAILED"))?;
    for failure in failures {
        writeln!(out, "    {failure}")?;
    }
    Ok(())
}

/// Runs the tests; prints each failure and `N passed, N failed` on stdout.
pub(crate) fn run(paths: &[PathBuf], cases: &[PathBuf], color: Color) -> Result<ExitCode, Failure> {
    let loaded = load::load_or_fail(paths)?;
    let mut extra = Vec::new();
    for path in cases {
        extra.push((path, read_labelled(path)?));
    }
    let engine = &loaded.engine;
    let set = loaded.set();
    let known = |id: &str| {
        set.rules().iter().any(|r| r.answer.id == id)
            || set.faqs().iter().any(|f| f.answer.id == id)
    };
    let style = Style::stdout(color);
    let mut out = std::io::stdout().lock();
    let report = engine.run_tests();
    let (mut passed, mut failed) = (report.passed(), report.failed());
    for r in report.failures() {
        let l = &r.location;
        let position = format!("{}:{}:{}", l.file, l.line, l.column);
        write_failure(&mut out, &style, &position, &r.message, &r.failures)?;
    }
    for (path, items) in &extra {
        for (line, item) in items {
            let outcome = engine.suggest(&Message::new(item.text.as_str()));
            let answered = outcome
                .top()
                .filter(|_| outcome.decision != Decision::NoAnswer);
            let failure = match &item.label {
                Some(label) => {
                    let id = replykit::import::label_id(label);
                    let unknown = if known(&id) {
                        ""
                    } else {
                        " (no rule or FAQ entry has this id)"
                    };
                    (answered.map(|s| s.id.as_str()) != Some(id.as_str()))
                        .then(|| format!("expected `{id}`{unknown}, got {}", describe(&outcome)))
                }
                None => (outcome.decision != Decision::NoAnswer)
                    .then(|| format!("expected decision no_answer, got {}", describe(&outcome))),
            };
            match failure {
                None => passed += 1,
                Some(f) => {
                    failed += 1;
                    let position = format!("{}:{line}:1", path.display());
                    write_failure(&mut out, &style, &position, &item.text, &[f])?;
                }
            }
        }
    }
    let passed_text = format!("{passed} passed");
    let failed_text = format!("{failed} failed");
    writeln!(
        out,
        "{}, {}",
        if passed > 0 {
            style.good(&passed_text)
        } else {
            passed_text
        },
        if failed > 0 {
            style.error(&failed_text)
        } else {
            failed_text
        }
    )?;
    if passed + failed == 0 {
        eprintln!("note: the rule set has no [[test]] cases; add some, or give --cases");
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
