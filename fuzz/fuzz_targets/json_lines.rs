//! The JSON-lines reader of `replykit suggest` (the command's own `input.rs`,
//! included as is): arbitrary bytes are split into lines, each line read as a JSON
//! message or plain text, and every message read gets an outcome. Never a panic.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/bin/replykit/input.rs"]
mod input;

use libfuzzer_sys::fuzz_target;
use replykit::{Engine, RuleSet};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let rules = RuleSet::from_toml(
            "fuzz.toml",
            "[[rule]]\nid = \"hi\"\nwhen.any = [\"hello\"]\n\
             reply = \"Hi {{author.name | \\\"there\\\"}} {{fields.account}}\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut lines = input::Lines::new(std::io::BufReader::new(data));
    while let Ok(Some(raw)) = lines.next_line() {
        if let Ok((message, _label)) = input::parse_line(&raw) {
            let outcome = engine().suggest(&message);
            let _ = serde_json::to_string(&outcome);
        }
    }
});
