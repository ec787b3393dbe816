//! `suggest` on arbitrary message bytes against a fixed engine with phrase, regex and
//! FAQ rules: never a panic, spans on character boundaries inside the text, and an
//! escalating rule always wins.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replykit::{Decision, Engine, Message, RuleSet};
use std::sync::OnceLock;

const RULES: &str = r#"
[settings]
max_message_bytes = 65536

[vars]
phone = "0300 123 4567"

[synonyms]
bin = ["wheelie bin", "dustbin"]

[[rule]]
id = "emergency"
priority = 100
when.any = ["gas leak", "smell gas"]
when.regex = ['\bstop\b', 'kill\s+switch']
escalate = true
reply = "Call {{phone}} now."

[[rule]]
id = "order"
when.regex = '\border\s*#?(?P<order>\d{6,})'
reply = "Checking order {{order}}."

[[rule]]
id = "greedy"
when.regex = ['order.*x', 'ab.*x', '(?:ref|case)\s*\d+', '\d{3}-\d{4}']
reply = "Noted."

[[rule]]
id = "missed-bin"
when.all = ["bin"]
when.any = ["missed", "not collected"]
reply = "Sorry, {{author.name | \"there\"}}."

[[faq]]
id = "bin-day"
questions = ["When is my bin collected?", "what day do you empty the bins"]
answer = "Find your day online."

[[faq]]
id = "council-tax"
questions = ["how do I pay council tax", "council tax bill"]
answer = "Pay online."
"#;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let rules = RuleSet::from_toml("fuzz.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
        Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let outcome = engine().suggest(&Message::new(text.as_ref()));
    for s in &outcome.suggestions {
        for e in &s.evidence {
            assert!(e.span.end <= text.len() && e.span.start <= e.span.end);
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
        }
    }
    if outcome.suggestions.iter().any(|s| s.id == "emergency") {
        assert_eq!(outcome.decision, Decision::Escalate);
    }
});
