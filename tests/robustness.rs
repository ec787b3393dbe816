//! Untrusted input: random Unicode, huge and odd messages, large rule sets, limits.

use replykit::{Engine, Message, RuleSet};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A character from a mix of ranges: ASCII, Latin, combining marks, RTL, CJK,
    /// emoji, joiners, controls, and anything at all.
    fn char(&mut self) -> char {
        let ranges: &[(u32, u32)] = &[
            (0x20, 0x7E),
            (0x00, 0x1F),
            (0xC0, 0x24F),
            (0x300, 0x36F),
            (0x590, 0x6FF),
            (0x200B, 0x200F),
            (0x202A, 0x202E),
            (0x3040, 0x30FF),
            (0x4E00, 0x9FFF),
            (0xFF01, 0xFF5E),
            (0x1F300, 0x1FAFF),
            (0xFE00, 0xFE0F),
            (0x0, 0x10FFFF),
        ];
        let (lo, hi) = ranges[self.below(ranges.len() as u64) as usize];
        let c = lo + self.below(u64::from(hi - lo + 1)) as u32;
        char::from_u32(c).unwrap_or('\u{FFFD}')
    }
}

fn council() -> Engine {
    Engine::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn random_unicode_never_panics() {
    let engine = council();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let words = [
        "bin",
        "missed",
        "gas",
        "council tax",
        "order 123456",
        "pothole",
        "\u{200D}",
        "ref",
        "#",
    ];
    for _ in 0..100_000 {
        let len = rng.below(60);
        let mut text = String::new();
        for _ in 0..len {
            if rng.below(4) == 0 {
                text.push_str(words[rng.below(words.len() as u64) as usize]);
            } else {
                text.push(rng.char());
            }
        }
        let outcome = engine.suggest(&Message::new(text.as_str()));
        for s in &outcome.suggestions {
            assert!((0.0..=1.0).contains(&s.score));
            for e in &s.evidence {
                assert!(
                    e.span.get(&text).is_some(),
                    "span {:?} not in {text:?}",
                    e.span
                );
            }
        }
    }
}

#[test]
fn odd_messages_give_outcomes() {
    let engine = council();
    let zwj_family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} bin missed";
    for text in [
        "",
        " ",
        "\0\0\0",
        "שלום bin missed مرحبا",
        zwj_family,
        "\u{202E}nib dessim",
        "💩💩💩",
    ] {
        let _ = engine.suggest(&Message::new(text));
    }
}

#[test]
fn a_huge_message_is_read_up_to_the_limit() {
    let engine = council();
    let limit = engine.rule_set().settings().max_message_bytes;
    let mut text = "é".repeat(limit); // two bytes each: the cut falls inside a character
    text.push_str(" I can smell gas");
    let outcome = engine.suggest(&Message::new(text.as_str()));
    assert!(outcome.truncated);
    assert_ne!(
        outcome.decision,
        replykit::Decision::Escalate,
        "text past the limit is not read"
    );
    let big = "bin ".repeat(250_000); // 1 MB
    assert!(engine.suggest(&Message::new(big)).truncated);
}

#[test]
fn ten_thousand_rules_build_and_match() {
    let mut toml = String::new();
    for i in 0..10_000 {
        toml.push_str(&format!(
            "[[rule]]\nid = 'r{i}'\nwhen.any = ['alpha{i} beta', 'gamma{i}']\nwhen.none = ['delta{i}']\nreply = 'Reply {i}.'\n\n"
        ));
    }
    for i in 0..200 {
        toml.push_str(&format!("[[rule]]\nid = 'x{i}'\nwhen.regex = '\\bcase{i}-(?P<n>\\d+)'\nreply = 'Case {{{{n}}}}'\n\n"));
    }
    let rules = RuleSet::from_toml("big.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let top = |text: &str| {
        engine
            .suggest(&Message::new(text))
            .top()
            .map(|s| s.id.clone())
    };
    assert_eq!(
        top("something about ALPHA9876 beta here"),
        Some("r9876".into())
    );
    assert_eq!(top("gamma42 but delta42"), None);
    assert_eq!(top("see case77-12"), Some("x77".into()));
    assert_eq!(
        engine.suggest(&Message::new("see case77-12")).suggestions[0].reply,
        "Case 12"
    );
}

#[test]
fn oversized_patterns_are_load_errors() {
    let toml = "[[rule]]\nid = 'huge'\nwhen.regex = '\\w{1000}{1000}'\nreply = 'x'\n";
    let err = RuleSet::from_toml("huge.toml", toml).expect_err("too big");
    assert!(
        err.to_string().contains("regular expression is too big"),
        "{err}"
    );
}
