//! The eval module's figures on a small hand-made labelled set whose answers are known.

#![cfg(feature = "toolkit")]

use replykit::eval::{evaluate, Labelled};
use replykit::{Engine, RuleSet};

const RULES: &str = r#"
[settings]
suggest_threshold = 0.3
auto_reply_threshold = 0.6
auto_reply_margin = 0.1

[[faq]]
id = "bin-day"
questions = ["When is my bin collected?", "what day do you empty the bins", "bin collection day", "which day are bins emptied"]
answer = "Find your collection day online."

[[faq]]
id = "council-tax-pay"
questions = ["how do I pay my council tax", "paying council tax online", "council tax payment", "pay council tax by direct debit"]
answer = "Pay your council tax online."

[[faq]]
id = "library-hours"
questions = ["what time does the library open", "library opening hours", "is the library open on sunday", "library opening times"]
answer = "Library opening times are online."

[[faq]]
id = "pothole"
questions = ["how do I report a pothole", "there is a pothole in my road", "pothole damaged my car", "report a pothole"]
answer = "Report potholes online."
"#;

#[test]
fn eval_figures_on_known_answers() {
    let rules = RuleSet::from_toml("eval.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let data = [
        // Four clear questions, answered right.
        Labelled::new("when is my bin collected", Some("bin-day")),
        Labelled::new("how do I pay council tax", Some("council-tax-pay")),
        Labelled::new("library opening hours", Some("library-hours")),
        Labelled::new("report a pothole", Some("pothole")),
        // Mislabelled on purpose: the engine's (right) answer counts as wrong, and the
        // pair shows up as confused.
        Labelled::new("which day are bins emptied", Some("pothole")),
        // Out of scope, sharing no topic word with any entry: no answer.
        Labelled::new("what is the capital of France", None),
        Labelled::new("recommend a good pizza place", None),
    ];
    for item in &data {
        let outcome = engine.suggest(&replykit::Message::new(item.text.as_str()));
        if item.label.is_some() {
            assert_eq!(
                outcome.decision,
                replykit::Decision::AutoReply,
                "{}: {outcome:?}",
                item.text
            );
        }
    }
    let r = evaluate(&engine, &data);
    assert_eq!((r.messages, r.in_scope, r.out_of_scope), (7, 5, 2));
    assert_eq!(r.top1_accuracy, 4.0 / 5.0);
    assert_eq!(r.top3_accuracy, 1.0); // with four entries, `pothole` still ranks third or better
    assert_eq!(r.in_scope_accuracy, 4.0 / 5.0);
    assert_eq!(r.oos_recall, 1.0);
    assert_eq!(r.overall_accuracy, 6.0 / 7.0);
    assert_eq!(r.auto_reply_rate, 5.0 / 7.0);
    assert_eq!(r.auto_reply_precision, Some(4.0 / 5.0));
    // Nothing suggested: no precision, rather than a precision of 0 (issue #9).
    assert_eq!((r.suggest_rate, r.suggest_precision), (0.0, None));
    assert_eq!(r.confused.len(), 1);
    assert_eq!(
        (
            r.confused[0].expected.as_str(),
            r.confused[0].got.as_str(),
            r.confused[0].count
        ),
        ("pothole", "bin-day", 1)
    );
    assert!(r.messages_per_second > 0.0);
    let json = serde_json::to_value(&r).expect("serialises");
    assert!(json["suggest_precision"].is_null(), "{json}");
    for name in [
        "top1_accuracy",
        "top3_accuracy",
        "overall_accuracy",
        "in_scope_accuracy",
        "oos_recall",
        "auto_reply_rate",
        "auto_reply_precision",
        "suggest_rate",
        "suggest_precision",
        "confused",
        "messages_per_second",
    ] {
        assert!(
            json.get(name).is_some(),
            "{name} missing from the JSON report"
        );
    }
}

#[test]
fn imported_rule_sets_load_and_answer_their_own_questions() {
    let data: Vec<Labelled> = [
        ("my card has not arrived", Some("card_arrival")),
        ("still waiting for my new card", Some("card_arrival")),
        ("when will my card come", Some("card_arrival")),
        (
            "how do I top up by bank transfer",
            Some("top_up_by_bank_transfer"),
        ),
        (
            "can I add money with a transfer",
            Some("top_up_by_bank_transfer"),
        ),
        (
            "top up from my bank account",
            Some("top_up_by_bank_transfer"),
        ),
        ("what's the weather today", None),
        ("quote \"me\" \\ here\ttab", Some("odd label?")),
    ]
    .iter()
    .map(|(t, l)| Labelled::new(*t, *l))
    .collect();
    let thresholds = replykit::import::choose_thresholds(&data);
    let toml = replykit::import::rule_set_toml(&data, &thresholds);
    let rules =
        RuleSet::from_toml("imported.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let ids: Vec<&str> = rules.faqs().iter().map(|f| f.answer.id.as_str()).collect();
    assert_eq!(
        ids,
        ["card_arrival", "top_up_by_bank_transfer", "odd-label-"]
    );
    assert_eq!(rules.faqs()[2].questions, ["quote \"me\" \\ here\ttab"]);
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let r = evaluate(&engine, &data);
    assert_eq!(r.top1_accuracy, 1.0, "{r:?}");
}

#[test]
fn two_builds_give_the_same_outcomes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");
    let a = Engine::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    let b = Engine::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    for text in [
        "when are the bins collected round here",
        "how do I pay council tax",
        "is the library open on sunday afternoon",
        "a pothole wrecked my tyre",
        "I want to object to my neighbour's extension",
        "what's the weather like",
    ] {
        let m = replykit::Message::new(text);
        assert_eq!(a.suggest(&m), b.suggest(&m), "{text}");
        assert_eq!(a.rank(&m, 10), b.rank(&m, 10), "{text}");
    }
}

/// Thresholds are chosen on the rule set's own reading of text: with `language =
/// "french"`, the French stemmer's features, not the English ones whatever the
/// language (the search once hard-coded English).
#[test]
fn thresholds_follow_the_rule_sets_language() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/clinc150/train.jsonl");
    let text = std::fs::read_to_string(path).expect("the CLINC150 training split");
    let mut data: Vec<Labelled> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let (Some(t), Some(l)) = (v["text"].as_str(), v["label"].as_str()) else {
            continue;
        };
        if !labels.iter().any(|x| x == l) {
            if labels.len() == 10 {
                continue;
            }
            labels.push(l.to_string());
        }
        if data
            .iter()
            .filter(|d| d.label.as_deref() == Some(l))
            .count()
            < 15
        {
            data.push(Labelled::new(t, Some(l)));
        }
    }
    let toml = replykit::import::rule_set_toml(&data, &Default::default());
    let options = replykit::import::ImportOptions::default();
    let chosen = |language: &str| {
        let toml = toml.replacen(
            "[settings]\n",
            &format!("[settings]\nlanguage = \"{language}\"\n"),
            1,
        );
        let set = RuleSet::from_toml("imported.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
        replykit::import::choose_thresholds_for(&set, &options)
    };
    let english = chosen("english");
    assert_eq!(
        english,
        replykit::import::choose_thresholds_with(&data, &options),
        "import's own rule set reads English"
    );
    let french = chosen("french");
    assert_ne!(english, french);
}
