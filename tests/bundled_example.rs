//! The bundled council rule set: loads, is big enough to be realistic, passes its tests.

use replykit::{Decision, Engine, Message};

fn council() -> Engine {
    Engine::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(feature = "toolkit")]
#[test]
fn the_bundled_example_answers_its_own_tests() {
    let engine = council();
    let set = engine.rule_set();
    assert!(set.faqs().len() >= 30, "{} FAQ entries", set.faqs().len());
    assert!(set.rules().len() >= 10, "{} rules", set.rules().len());
    assert!(set.tests().len() >= 40, "{} tests", set.tests().len());
    let report = engine.run_tests();
    assert_eq!(report.failed(), 0, "{report}");
}

#[test]
fn an_emergency_escalates_even_when_an_faq_matches() {
    let outcome = council().suggest(&Message::new(
        "I can smell gas by the bins, when is my bin collected?",
    ));
    assert_eq!(outcome.decision, Decision::Escalate);
    assert!(
        outcome.suggestions.len() > 1,
        "the FAQ is still suggested: {outcome:?}"
    );
}

#[test]
fn bin_never_fires_on_cabinet() {
    let outcome = council().suggest(&Message::new("the cabinet"));
    assert!(
        outcome
            .suggestions
            .iter()
            .all(|s| s.evidence.iter().all(|e| e.what != "bin")),
        "{outcome:?}"
    );
}

/// `suggest_batch` gives exactly the outcomes of `suggest` on each message in turn, in
/// order (on every core with the `parallel` feature): the council's test messages,
/// three times over, so that a batch spans several workers.
#[test]
fn a_batch_gets_the_outcomes_of_one_message_at_a_time() {
    let engine = council();
    let messages: Vec<Message> = engine
        .rule_set()
        .tests()
        .iter()
        .map(|t| t.message.clone())
        .cycle()
        .take(3 * engine.rule_set().tests().len())
        .collect();
    assert!(messages.len() > 100, "{} messages", messages.len());
    let one_by_one: Vec<_> = messages.iter().map(|m| engine.suggest(m)).collect();
    assert_eq!(engine.suggest_batch(&messages), one_by_one);
    let decisions: std::collections::HashSet<Decision> =
        one_by_one.iter().map(|o| o.decision).collect();
    assert!(decisions.len() >= 3, "{decisions:?}");
}
