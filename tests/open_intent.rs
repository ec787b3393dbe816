//! Messages about what no FAQ entry covers, often in the same words as what one does,
//! are never auto-replied (issue #9): a hand-written rail FAQ
//! (`testdata/open/rail.toml`) whose `bikes` and `assistance` entries attract them.

use replykit::{Decision, Engine, Message, RuleSet, MIN_EXPLAINED_SHARE};

fn rail() -> Engine {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/open/rail.toml");
    let rules = RuleSet::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

/// The top suggestion's id, the decision and how much of the message it explains.
fn top(engine: &Engine, text: &str) -> (String, Decision, Option<f64>) {
    let outcome = engine.suggest(&Message::new(text));
    let top = outcome.top().cloned();
    (
        top.as_ref().map(|s| s.id.clone()).unwrap_or_default(),
        outcome.decision,
        top.and_then(|s| s.explained),
    )
}

#[test]
fn covered_questions_are_still_auto_replied() {
    let engine = rail();
    for (text, id) in [
        ("can i bring my bicycle on the train", "bikes"),
        ("are folding bikes allowed on the train", "bikes"),
        ("I need assistance at the station", "assistance"),
    ] {
        let (got, decision, explained) = top(&engine, text);
        assert_eq!(
            (got.as_str(), decision),
            (id, Decision::AutoReply),
            "{text}"
        );
        assert!(
            explained >= Some(MIN_EXPLAINED_SHARE),
            "{text}: {explained:?}"
        );
    }
}

#[test]
fn a_message_mostly_about_an_unknown_topic_is_not_auto_replied() {
    let engine = rail();
    // "dog", the rarest word, is in no entry: the bikes entry explains less than half.
    let (id, decision, explained) = top(&engine, "Can I bring my dog on the train?");
    assert_eq!(
        id, "bikes",
        "still the best suggestion for a person to check"
    );
    assert_eq!(decision, Decision::Suggest);
    assert!(explained < Some(MIN_EXPLAINED_SHARE), "{explained:?}");
}

#[test]
fn a_negated_topic_is_not_what_the_message_asks_for() {
    let engine = rail();
    let (id, decision, _) = top(&engine, "I don't need assistance, I need a refund");
    assert!(
        !(id == "assistance" && decision == Decision::AutoReply),
        "auto-replied {id}"
    );
    // Without the negation, the same words are the assistance entry's.
    let (id, decision, _) = top(&engine, "I need assistance, not a refund");
    assert_eq!((id.as_str(), decision), ("assistance", Decision::AutoReply));
}

#[test]
fn an_entry_about_a_negated_situation_still_explains_negated_words() {
    // The wifi entry's own question says "not working": a message that negates its
    // words may be what it is about.
    let engine = rail();
    let (id, _, explained) = top(&engine, "the onboard wifi is not working");
    assert_eq!(id, "wifi");
    assert_eq!(explained, Some(1.0));
}

#[test]
fn explain_says_why_in_words_an_author_can_act_on() {
    let engine = rail();
    let why = engine.explain(&Message::new("Can I bring my dog on the train?"));
    assert_eq!(why.decision, Decision::Suggest);
    assert!(
        why.reason
            .contains("most of the message's words are unknown to this entry"),
        "{}",
        why.reason
    );
    assert!(why.reason.contains("\"dog\""), "{}", why.reason);
    let why = engine.explain(&Message::new("can i bring my bicycle on the train"));
    assert_eq!(why.decision, Decision::AutoReply);
    assert!(why.reason.contains("explains 100 %"), "{}", why.reason);
}

#[test]
fn a_threshold_of_one_sends_no_faq_answer_unattended() {
    // `import` writes 1 when the labelled history shows no safe score: an FAQ score of
    // 1 is a probability rounded up, not certainty. Rules, which score 1, still may.
    let rules = RuleSet::from_toml(
        "t.toml",
        r#"
        [settings]
        auto_reply_threshold = 1.0

        [[rule]]
        id = "opening-hours"
        when.any = ["opening hours"]
        reply = "We're open 9 to 5."

        [[faq]]
        id = "bin-day"
        questions = ["when is my bin collected", "bin collection day"]
        answer = "See the bins page."

        [[faq]]
        id = "pothole"
        questions = ["report a pothole", "there is a hole in the road"]
        answer = "Report it online."
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let outcome = engine.suggest(&Message::new("when is my bin collected"));
    assert_eq!(outcome.top().map(|s| s.id.as_str()), Some("bin-day"));
    assert_eq!(outcome.decision, Decision::Suggest);
    let why = engine.explain(&Message::new("when is my bin collected"));
    assert!(
        why.reason.contains("auto_reply_threshold is 1"),
        "{}",
        why.reason
    );
    let outcome = engine.suggest(&Message::new("what are your opening hours"));
    assert_eq!(outcome.decision, Decision::AutoReply);
}

#[test]
fn stop_words_are_never_evidence() {
    // Issue #15, point 12: "the", "I", "my" may weigh in a score, never as evidence.
    let engine = rail();
    let outcome = engine.suggest(&Message::new("Can I bring my dog on the train?"));
    let evidence: Vec<&str> = outcome
        .top()
        .map(|s| s.evidence.iter().map(|e| e.what.as_str()).collect())
        .unwrap_or_default();
    assert!(!evidence.is_empty());
    for stop in ["can", "i", "my", "on", "the"] {
        assert!(!evidence.contains(&stop), "{evidence:?}");
    }
}
