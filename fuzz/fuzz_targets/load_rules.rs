//! Loading a rule set from arbitrary bytes: never a panic; when it loads, it builds
//! and answers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match replykit::RuleSet::from_toml("fuzz.toml", text) {
        Ok(rules) => {
            if let Ok(engine) = replykit::Engine::new(&rules) {
                let _ = engine.suggest(&replykit::Message::new("my bin wasn't emptied, order 123456"));
            }
        }
        Err(e) => {
            // Rendering every diagnostic must not panic either.
            let _ = e.to_string();
        }
    }
});
