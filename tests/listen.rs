//! The listening report through the public API (feature `report`, issue 11): rising
//! terms on synthetic histories, streaming and bad input.

#![cfg(feature = "report")]

#[path = "fixtures/history.rs"]
mod fixtures;

use replykit::listen::{Listener, Report};
use replykit::{Engine, Message, RuleSet};

fn engine() -> Engine {
    let rules = RuleSet::from_toml(
        "listen.toml",
        r#"
        [[faq]]
        id = "weather"
        questions = ["what is the weather like", "will it rain today"]
        answer = "See the forecast."
        "#,
    )
    .expect("the rule set loads");
    Engine::new(&rules).expect("the engine builds")
}

/// 12,000 messages over six weeks, resampled from CLINC150's test texts.
fn report(inject: Option<f64>) -> Report {
    let base = fixtures::texts("data/clinc150/test.jsonl");
    assert!(base.len() > 5000, "data/clinc150/test.jsonl is there");
    let engine = engine();
    let mut listener = Listener::new(&engine);
    for message in fixtures::history(&base, 12_000, 42, inject, 7) {
        listener.suggest(&message);
    }
    listener.finish()
}

#[test]
fn a_topic_injected_into_the_last_week_rises_first() {
    let report = report(Some(0.05));
    let rising = &report.rising;
    assert_eq!(rising.recent_from.as_deref(), Some("2026-02-09"));
    assert_eq!(rising.recent_to.as_deref(), Some("2026-02-15"));
    let first = rising.terms.first().expect("a rising term");
    assert!(
        first.term.contains("riverside") || first.term.contains("footbridge"),
        "{:#?}",
        rising.terms
    );
    assert!(first
        .examples
        .iter()
        .all(|e| e.contains("riverside footbridge")));
    assert!(report.to_html().contains("<svg id=\"chart-rising\""));
    assert!(report.to_markdown().contains("| riverside footbridge | "));
    // Only the injected topic's words rise.
    let injected = fixtures::INJECTED.join(" ");
    for t in &rising.terms {
        assert!(
            t.term.split(' ').all(|w| injected.contains(w)),
            "{} rose too",
            t.term
        );
    }
}

#[test]
fn without_an_injection_nothing_rises_above_the_bar() {
    let report = report(None);
    assert!(report.rising.recent_from.is_some());
    assert!(report.rising.terms.is_empty(), "{:#?}", report.rising.terms);
}

#[test]
fn outcomes_from_the_host_and_bad_lines_are_taken_in_line_order() {
    let engine = engine();
    let mut listener = Listener::new(&engine);
    let message = Message::new("will it rain today").with_received_at("2026-12-01T10:00:00Z");
    let outcome = engine.suggest(&message);
    listener.add(&message, &outcome);
    listener.add_bad_line("not JSON");
    listener.skip_line();
    listener.suggest(&Message::new("pothole").with_received_at("yesterday"));
    assert_eq!(listener.line(), 4);
    let report = listener.finish();
    assert_eq!(report.messages, 2);
    assert_eq!(report.bad_lines.count, 1);
    assert_eq!(report.bad_lines.lines[0].line, 2);
    assert_eq!(report.unreadable_timestamps, 1);
    assert_eq!(report.untimed, 1);
    assert_eq!(report.unanswered.other.lines, [4]);
    assert_eq!(report.rule_use.hits[0].id, "weather");
    assert_eq!(report.periods, ["2026-12-01"]);
}

#[test]
fn an_empty_history_gives_an_empty_report() {
    let report = Listener::new(&engine()).finish();
    assert_eq!(report.messages, 0);
    assert!(report.periods.is_empty() && report.unanswered.clusters.is_empty());
    assert_eq!(report.rule_use.never_fired.len(), 1);
    assert!(report.rising.terms.is_empty() && report.rising.recent_from.is_none());
}

#[test]
fn hostile_input_stays_small() {
    let engine = engine();
    let mut listener = Listener::new(&engine);
    let huge = "x".repeat(1 << 20);
    for (text, at) in [
        ("first", "0001-01-01T00:00:00Z"),
        ("last", "9999-12-30T00:00:00Z"),
        ("", "2026-12-01T10:00:00+14:00"),
        ("\u{202e}\0 zero\u{200d}width", "2026-13-45T99:00:00Z"),
    ] {
        let message = Message::new(text)
            .with_channel(huge.as_str())
            .with_received_at(at);
        listener.suggest(&message);
    }
    listener.suggest(&Message::new(huge.as_str()));
    let report = listener.finish();
    assert_eq!(report.messages, 5);
    assert_eq!(report.unreadable_timestamps, 1);
    assert_eq!(report.period.map(|p| p.as_str()), Some("week"));
    // Ten years of weeks, not eight thousand years of them.
    assert_eq!(report.periods.len(), 522);
    assert_eq!(report.first_seen.as_deref(), Some("0001-01-01"));
    assert!(report
        .coverage
        .by_channel
        .iter()
        .all(|c| c.name.len() <= 100));
    let json = serde_json::to_string(&report).expect("the report serialises");
    assert!(json.len() < 200_000, "{} bytes", json.len());
    assert!(report.to_html().len() < 400_000);
}
