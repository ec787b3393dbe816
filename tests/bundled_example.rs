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
