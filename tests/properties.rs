//! Properties of hostile input (issue 13), on generated messages: no panic; evidence
//! spans on character boundaries inside the text; the same outcome every time; an
//! escalating rule always wins; the regex prefilter agrees with the full regex.
//! A few hundred cases each, so the suite stays fast.

use proptest::prelude::*;
use replykit::{Decision, Engine, Kind, Message, RuleSet};
use std::sync::OnceLock;

/// Patterns with literal prefixes (prefiltered by the automaton) and without (the set).
const PATTERNS: [&str; 5] = [
    r"\bstop\b",
    r"order.*x",
    r"kill\s+switch",
    r"\d{3}-\d{4}",
    r"(?:ref|case)\s*\d+",
];

fn rules() -> String {
    let mut text = String::from(
        r#"
        [settings]
        max_suggestions = 10

        [[rule]]
        id = "emergency"
        priority = 100
        when.any = ["gas leak", "smell gas"]
        escalate = true
        reply = "Call us now."

        [[rule]]
        id = "missed-bin"
        when.all = ["bin"]
        when.any = ["missed"]
        reply = "Sorry."

        [[faq]]
        id = "bin-day"
        questions = ["When is my bin collected?", "what day do you empty the bins"]
        answer = "Thursdays."
        "#,
    );
    for (i, p) in PATTERNS.iter().enumerate() {
        text.push_str(&format!(
            "\n[[rule]]\nid = \"p{i}\"\nwhen.regex = '{p}'\nreply = \"r\"\n"
        ));
    }
    text
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let set = RuleSet::from_toml("p.toml", &rules()).unwrap_or_else(|e| panic!("{e}"));
        Engine::new(&set).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Text from pieces that matter to the rules, odd characters and anything at all.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "stop",
            "STOP",
            "\u{17F}top",
            "order",
            "ORDER",
            "x",
            "X",
            "kill",
            "\u{212A}ILL",
            "switch",
            "case",
            "ref",
            "12",
            "555-1234",
            "gas leak",
            "bin",
            "missed",
            " ",
            " ",
            "_",
            "é",
            "\u{200D}",
            "\u{202E}",
            "\n",
            "£",
            "ß",
            "İ",
            "\u{301}",
        ])
        .prop_map(str::to_string),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn spans_are_inside_the_text_and_outcomes_repeat(text in text()) {
        let message = Message::new(text.as_str());
        let outcome = engine().suggest(&message);
        for s in &outcome.suggestions {
            for e in &s.evidence {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                prop_assert!(text.is_char_boundary(e.span.start));
                prop_assert!(text.is_char_boundary(e.span.end));
            }
        }
        prop_assert_eq!(&engine().suggest(&message), &outcome);
    }

    #[test]
    fn escalation_always_wins(before in text(), after in text()) {
        let text = format!("{before} gas leak {after}");
        let outcome = engine().suggest(&Message::new(text.as_str()));
        prop_assert_eq!(outcome.decision, Decision::Escalate);
        prop_assert_eq!(outcome.suggestions[0].id.as_str(), "emergency");
    }

    #[test]
    fn prefilter_and_regex_agree(text in text()) {
        let outcome = engine().suggest(&Message::new(text.as_str()));
        for (i, p) in PATTERNS.iter().enumerate() {
            let regex = regex::RegexBuilder::new(p)
                .case_insensitive(true)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let id = format!("p{i}");
            let fired = outcome
                .suggestions
                .iter()
                .any(|s| s.kind == Kind::Rule && s.id == id);
            prop_assert_eq!(fired, regex.is_match(&text), "{} on {:?}", p, text);
        }
    }
}
