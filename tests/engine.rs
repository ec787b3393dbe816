//! Behaviour through the public API: evidence, JSON, determinism, sharing, loading.

use replykit::{Author, Decision, Engine, EvidenceKind, Kind, Message, RuleSet};

const RULES: &str = r#"
[vars]
bins_url = "https://example.gov.uk/bins"

[synonyms]
bin = ["wheelie bin", "dustbin"]

[[rule]]
id = "emergency"
priority = 100
when.any = ["smell gas", "gas leak"]
escalate = true
reply = "Call the emergency line now."
tags = ["emergency"]

[[rule]]
id = "missed-bin"
when.all = ["bin"]
when.any = ["missed", "wasn't emptied"]
reply = ["Sorry about that, {{author.name | \"there\"}}. Report it at {{bins_url}}.",
         "Sorry your bin was missed, {{author.name | \"there\"}}: {{bins_url}}."]
tags = ["waste"]

[[faq]]
id = "bin-day"
questions = ["When is my bin collected?", "what day do you empty the bins", "bin collection day"]
answer = "Find your collection day at {{bins_url}}."
tags = ["waste"]
"#;

fn engine() -> Engine {
    let rules = RuleSet::from_toml("test.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn evidence_spans_point_into_the_original_text() {
    let text = "Ｍｙ WHEELIE-BIN wasn’t emptied!!";
    let outcome = engine().suggest(&Message::new(text));
    let top = outcome.top().expect("a suggestion");
    assert_eq!(top.id, "missed-bin");
    let spans: Vec<(&str, EvidenceKind)> = top
        .evidence
        .iter()
        .map(|e| (&text[e.span], e.kind))
        .collect();
    assert_eq!(
        spans,
        [
            ("WHEELIE-BIN", EvidenceKind::Phrase),
            ("wasn’t emptied", EvidenceKind::Phrase)
        ]
    );
    let faq = outcome
        .suggestions
        .iter()
        .find(|s| s.kind == Kind::Faq)
        .expect("the FAQ too");
    assert!(faq.evidence.iter().all(|e| e.span.get(text).is_some()));
}

#[test]
fn faq_suggestions_name_their_closest_question() {
    let outcome = engine().suggest(&Message::new("which day do you empty bins?"));
    let top = outcome.top().expect("a suggestion");
    assert_eq!(top.id, "bin-day");
    assert_eq!(
        top.question.as_deref(),
        Some("what day do you empty the bins")
    );
    let words: Vec<&str> = top.evidence.iter().map(|e| e.what.as_str()).collect();
    assert!(words.contains(&"empti"), "{words:?}");
}

#[test]
fn escalation_wins_and_is_named() {
    let outcome = engine().suggest(&Message::new("I smell gas and my bin was missed"));
    assert_eq!(outcome.decision, Decision::Escalate);
    let escalation = outcome.escalation.as_ref().expect("named");
    assert_eq!(escalation.rule, "emergency");
    assert!(
        escalation.reason.contains("smell gas"),
        "{}",
        escalation.reason
    );
    assert_eq!(outcome.suggestions[0].id, "emergency");
    assert!(outcome.suggestions.iter().any(|s| s.id == "missed-bin"));
}

#[test]
fn outcome_json_has_the_contract_names() {
    let msg = Message::new("my bin was missed").with_author(Author::named("Sam"));
    let json = serde_json::to_value(engine().suggest(&msg)).expect("serialises");
    assert_eq!(json["decision"], "auto_reply");
    let s = &json["suggestions"][0];
    assert_eq!(s["kind"], "rule");
    assert_eq!(s["id"], "missed-bin");
    assert!(s["reply"].as_str().is_some_and(|r| r.contains("Sam")));
    assert!(s["score"]
        .as_f64()
        .is_some_and(|x| (0.0..=1.0).contains(&x)));
    assert_eq!(s["tags"][0], "waste");
    assert_eq!(s["evidence"][0]["what"], "bin");
    assert_eq!(s["evidence"][0]["span"], serde_json::json!([3, 6]));
    let back: replykit::Outcome = serde_json::from_value(json).expect("round-trips");
    assert_eq!(back.decision, Decision::AutoReply);
}

#[test]
fn message_json_takes_only_text_as_required() {
    let m: Message = serde_json::from_str(r#"{"text": "hi"}"#).expect("minimal");
    assert_eq!(m, Message::new("hi"));
    let m: Message =
        serde_json::from_str(r#"{"text": "hi", "fields": {"n": 3, "vip": true, "w": "x"}}"#)
            .expect("fields");
    assert_eq!(m.fields["n"], "3");
    assert_eq!(m.fields["vip"], "true");
}

#[test]
fn same_input_same_output() {
    let (a, b) = (engine(), engine());
    for text in [
        "my bin was missed",
        "bin day?",
        "dustbin missed",
        "nothing here",
        "gas leak, missed bin",
    ] {
        let msg = Message::new(text);
        assert_eq!(a.suggest(&msg), b.suggest(&msg));
        assert_eq!(a.suggest(&msg), a.suggest(&msg));
    }
    // Different messages spread over the variations.
    let variations: std::collections::BTreeSet<usize> = (0..40)
        .map(|i| {
            a.suggest(&Message::new(format!("bin missed {i}")))
                .suggestions[0]
                .variation
        })
        .collect();
    assert_eq!(variations.len(), 2);
}

#[test]
fn the_engine_is_shared_across_threads() {
    let engine = engine();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                engine
                    .suggest(&Message::new(format!("bin missed {i}")))
                    .decision
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("no panic"), Decision::AutoReply);
    }
}

#[test]
fn a_folder_loads_as_one_rule_set_with_unique_ids() {
    let dir = std::env::temp_dir().join(format!("replykit-folder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("a.toml"), "[vars]\nurl = 'https://x'\n[[faq]]\nid = 'one'\nquestions = ['first question']\nanswer = 'See {{url}}'\n").expect("write");
    std::fs::write(
        dir.join("b.toml"),
        "[[faq]]\nid = 'two'\nquestions = ['second question']\nanswer = 'Also {{url}}'\n",
    )
    .expect("write");
    std::fs::write(dir.join("notes.txt"), "not a rule file").expect("write");
    let rules = RuleSet::from_path(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rules
            .faqs()
            .iter()
            .map(|f| f.answer.id.as_str())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );
    std::fs::write(
        dir.join("c.toml"),
        "[[faq]]\nid = 'one'\nquestions = ['again']\nanswer = 'x'\n",
    )
    .expect("write");
    let err = RuleSet::from_path(&dir).expect_err("duplicate id across files");
    let d = &err.diagnostics()[0];
    assert!(d
        .location
        .as_ref()
        .is_some_and(|l| l.file.ends_with("c.toml")));
    assert!(d
        .secondary
        .as_ref()
        .is_some_and(|(l, _)| l.file.ends_with("a.toml")));
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(feature = "toolkit")]
#[test]
fn failing_tests_say_what_came_out() {
    let rules = RuleSet::from_toml(
        "t.toml",
        &format!("{RULES}\n[[test]]\nmessage = 'bin day'\nexpect = 'missed-bin'\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = Engine::new(&rules)
        .unwrap_or_else(|e| panic!("{e}"))
        .run_tests();
    assert_eq!((report.passed(), report.failed()), (0, 1));
    let text = report.to_string();
    assert!(
        text.contains("expected `missed-bin`, got faq `bin-day`"),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
}

/// `[out_of_scope]` examples are a class of their own: a message like them scores low
/// for every entry, where without them the FAQ's few entries share all the probability.
#[test]
fn out_of_scope_examples_take_probability_from_the_entries() {
    let faq = r#"
[[faq]]
id = "bin-day"
questions = ["what day is my bin collected", "which day do you empty the bins", "bin collection day"]
answer = "See the bins page."

[[faq]]
id = "council-tax"
questions = ["how do I pay my council tax", "council tax bill", "pay council tax online"]
answer = "See the council tax page."
"#;
    let out_of_scope = r#"
[out_of_scope]
examples = ["what day is it today", "what day of the week is it", "is today a holiday",
            "what's the date today", "which day is it"]
"#;
    let score = |toml: &str| {
        let rules = RuleSet::from_toml("t.toml", toml).unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
        let ranked = engine.rank(&Message::new("what day is it"), 2);
        let best = ranked.first().unwrap_or_else(|| panic!("no entry ranked"));
        assert_eq!(best.id, "bin-day");
        best.score
    };
    let without = score(faq);
    let with = score(&format!("{faq}{out_of_scope}"));
    assert!(without > 0.5, "{without}");
    assert!(with < 0.5 && with < without / 2.0, "{with} vs {without}");
    let rules = RuleSet::from_toml("t.toml", &format!("{faq}{out_of_scope}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.out_of_scope().len(), 5);
}

/// Issue #15, points 4 and 5: the host's message id comes back on the outcome as it
/// came (string or number), and a numeric author id is read as its digits.
#[test]
fn the_message_id_comes_back_and_numeric_author_ids_are_read() {
    let engine = engine();
    for (json, id) in [
        (
            r#"{"id": "m-42", "text": "when is my bin collected"}"#,
            r#""m-42""#,
        ),
        (r#"{"id": 42, "text": "when is my bin collected"}"#, "42"),
        (r#"{"id": -7, "text": "when is my bin collected"}"#, "-7"),
    ] {
        let message: Message = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let outcome =
            serde_json::to_value(engine.suggest(&message)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(outcome["id"].to_string(), id, "{json}");
    }
    let message: Message =
        serde_json::from_str(r#"{"text": "hi"}"#).unwrap_or_else(|e| panic!("{e}"));
    let outcome = serde_json::to_value(engine.suggest(&message)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        outcome.get("id").is_none(),
        "no id, none given back: {outcome}"
    );
    let message: Message = serde_json::from_str(
        r#"{"text": "my bin was missed", "author": {"id": 12345, "name": "Sam"}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(message.author_key(), Some("12345"));
}

/// Issue 15, point 1: a multi-word synonym hid its own words from rule phrases
/// ("delay" never matched "claim delay repay"). A phrase matches the words the person
/// wrote, whatever groups fold them into: with the synonym as a group's key or as one
/// of its alternatives, in `when.any`, `when.all` and `when.none`.
#[test]
fn a_multi_word_synonym_does_not_hide_its_words() {
    for synonyms in [
        r#""delay repay" = ["compensation"]"#,
        r#"compensation = ["delay repay"]"#,
    ] {
        let rules = RuleSet::from_toml(
            "rail.toml",
            &format!(
                r#"
                [synonyms]
                {synonyms}

                [[rule]]
                id = "delays"
                when.any = ["delay"]
                when.none = ["refund form"]
                reply = "Sorry for the delay."

                [[rule]]
                id = "claims"
                priority = 5
                when.all = ["claim delay"]
                reply = "Claim online."

                [[rule]]
                id = "groups"
                when.any = ["compensation"]
                reply = "Compensation."
                "#
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
        let fired = |text: &str| -> Vec<String> {
            let mut ids: Vec<String> = engine
                .rank(&Message::new(text), 0)
                .into_iter()
                .filter(|r| r.kind == Kind::Rule)
                .map(|r| r.id)
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(
            fired("how do I claim delay repay"),
            ["claims", "delays", "groups"],
            "{synonyms}"
        );
        // The group still folds: the alternative fires the group's phrase, not "delay".
        assert_eq!(fired("can I get compensation"), ["groups"], "{synonyms}");
        assert_eq!(fired("my train had a delay"), ["delays"], "{synonyms}");
        // `explain` reads the message the same way, and points at the word written.
        let why = engine.explain(&Message::new("how do I claim delay repay"));
        let delays = why.fired.iter().find(|r| r.id == "delays").expect("fired");
        assert_eq!(delays.matched[0].what, "delay");
        assert_eq!(delays.matched[0].span, replykit::Span::new(15, 20));
    }
}

/// Issue 15, point 12: `"delay repay" = ["delayrepay", "delay-repay"]` said the phrase
/// was in two groups (its alternative folds to the group's own key): one group, loads.
#[test]
fn an_alternative_that_folds_to_its_own_key_is_one_group() {
    let rules = RuleSet::from_toml(
        "rail.toml",
        r#"
        [synonyms]
        "delay repay" = ["delayrepay", "delay-repay"]

        [[rule]]
        id = "claims"
        when.any = ["delay repay"]
        reply = "Claim online."
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    for text in ["delayrepay please", "how does delay-repay work"] {
        let outcome = engine.suggest(&Message::new(text));
        assert_eq!(
            outcome.top().map(|s| s.id.as_str()),
            Some("claims"),
            "{text}"
        );
    }
}
