//! Hostile input (issue 13): each finding of the adversarial trial, at two sizes, so
//! that growth faster than linear fails. Sizes are counted (bytes allocated, errors
//! reported), never timed; timing is in `benches/hostile.rs`.

use crate::alloc::measure;
use replykit::{ConversationMemory, ConversationStore, Decision, Engine, Message, RuleSet, Sent};

/// A rule whose `when.any` lists `n` phrases, all on one line.
fn phrases_on_one_line(n: usize) -> String {
    let phrases: Vec<String> = (0..n).map(|i| format!("\"p{i}\"")).collect();
    format!(
        "[[rule]]\nid = \"x\"\nreply = \"r\"\nwhen.any = [{}]\n",
        phrases.join(", ")
    )
}

/// Finding 1: every location kept a copy of its whole line, so memory grew with line
/// length × entries (20,000 phrases on one line: 7.4 GB).
#[test]
fn issue_13_locations_share_the_line() {
    let small = phrases_on_one_line(2_000);
    let large = phrases_on_one_line(8_000);
    let (a, small_use) = measure(|| RuleSet::from_toml("a.toml", &small));
    let (b, large_use) = measure(|| RuleSet::from_toml("a.toml", &large));
    assert!(a.is_ok() && b.is_ok());
    // Four times the phrases: at most about four times the memory (it was sixteen).
    assert!(
        large_use.peak < 6 * small_use.peak,
        "{small_use:?} -> {large_use:?}"
    );
    assert!(large_use.peak < 200 * large.len(), "{large_use:?}");
}

/// A long line still renders small diagnostics: a window around the span.
#[test]
fn issue_13_long_lines_render_a_window() {
    let mut text = phrases_on_one_line(2_000);
    text.push_str("bogus = 1\n");
    let text = text.replace("\"p1000\"", "1000");
    let column = text
        .lines()
        .nth(3)
        .and_then(|l| l.find(" 1000,"))
        .unwrap_or(0)
        + 2;
    let err = match RuleSet::from_toml("a.toml", &text) {
        Ok(_) => panic!("a number among phrases does not load"),
        Err(e) => e,
    };
    let first = &err.diagnostics()[0];
    assert_eq!(first.position(), format!("a.toml:4:{column}"));
    let rendered = first.to_string();
    assert!(rendered.len() < 2_000, "{rendered}");
    assert!(rendered.contains("\"p999\", 1000, \"p1001\""), "{rendered}");
    assert!(rendered.contains("4 | …"), "{rendered}");
    assert!(rendered.contains("^^^^ this is an integer"), "{rendered}");
}

fn hours(ranges: usize) -> String {
    let list = vec!["\"09:00-10:00\""; ranges].join(", ");
    format!("[settings]\ntimezone = \"Europe/London\"\n[hours]\nmon = [{list}]\n")
}

/// Finding 2: the overlap check compared every pair (1,000 ranges on one day: half a
/// million errors, then out of memory). Now at most one error per line.
#[test]
fn issue_13_hours_overlaps_are_linear() {
    let (small, small_use) = measure(|| RuleSet::from_toml("h.toml", &hours(250)));
    let (large, large_use) = measure(|| RuleSet::from_toml("h.toml", &hours(1_000)));
    let count = |r: Result<RuleSet, replykit::LoadError>| match r {
        Ok(_) => panic!("overlapping hours load"),
        Err(e) => e.diagnostics().len(),
    };
    assert_eq!(count(small), 249);
    assert_eq!(count(large), 999);
    assert!(
        large_use.peak < 6 * small_use.peak,
        "{small_use:?} -> {large_use:?}"
    );
}

/// The closed dates of many years, one per day: no pairwise work.
#[test]
fn issue_13_many_closed_dates() {
    let dates: Vec<String> = (0..8_000)
        .map(|d| {
            let (y, rest) = (2000 + d / 336, d % 336);
            format!("\"{y}-{:02}-{:02}\"", rest / 28 + 1, rest % 28 + 1)
        })
        .collect();
    let text = format!(
        "[settings]\ntimezone = \"Europe/London\"\n[hours]\nmon = \"09:00-10:00\"\nclosed = [{}]\n",
        dates.join(", ")
    );
    let (set, usage) = measure(|| RuleSet::from_toml("h.toml", &text));
    assert!(set.is_ok());
    assert!(usage.peak < 200 * text.len(), "{usage:?}");
}

/// Finding 6: the memory kept each author key twice, whatever its length (capacity
/// 1,000 with 1 MB ids: 2.5 GB). Now a fixed-size hash.
#[test]
fn issue_13_conversation_memory_does_not_keep_author_keys() {
    let memory = ConversationMemory::new(8);
    let key = |i: usize| format!("{i}{}", "x".repeat(1 << 20));
    let sent = Sent::new("thanks", 0, "2026-12-02T22:00:00Z");
    let ((), usage) = measure(|| {
        for i in 0..16 {
            memory.record(&key(i), sent.clone());
        }
    });
    assert_eq!(memory.len(), 8);
    assert!(usage.retained < 64 << 10, "{usage:?}");
    assert_eq!(memory.recent(&key(15)), [sent]);
    assert!(memory.recent(&key(0)).is_empty(), "forgotten: least recent");
    assert!(memory.recent(&key(15)[..1000]).is_empty());
}

fn engine(toml: &str) -> Engine {
    let rules = RuleSet::from_toml("t.toml", toml).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

/// Finding 9: the prefilter folded ASCII only, so "ſtop" and the Kelvin sign dodged an
/// escalation pattern that the regex itself matches.
#[test]
fn issue_13_prefilter_folds_like_the_regex() {
    let engine = engine(
        r#"
        [[rule]]
        id = "stop"
        when.regex = '\bstop\b'
        escalate = true
        reply = "A person will read this."

        [[rule]]
        id = "kill"
        when.regex = 'kill\s+switch'
        escalate = true
        reply = "A person will read this."
        "#,
    );
    for text in [
        "please stop",
        "please STOP",
        "please \u{17F}top",
        "please \u{17F}TOP",
        "the \u{212A}ill switch",
        "\u{212A}ILL SWITCH",
    ] {
        assert_eq!(
            engine.suggest(&Message::new(text)).decision,
            Decision::Escalate,
            "{text}"
        );
    }
    assert_eq!(
        engine.suggest(&Message::new("unstoppable")).decision,
        Decision::NoAnswer
    );
}

/// Finding 8: special files. A named pipe blocked `check` forever, `/dev/zero` read
/// until memory ran out, and in a folder pipes, folders and broken links named
/// `*.toml` were skipped silently (and `._x.toml` loaded and failed).
#[cfg(unix)]
#[test]
fn issue_13_special_files_are_refused_or_reported() {
    use replykit::Severity;
    let dir = std::env::temp_dir().join(format!("replykit-special-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dir.toml")).unwrap_or_else(|e| panic!("{e}"));
    let rule =
        |id: &str| format!("[[rule]]\nid = \"{id}\"\nwhen.any = [\"{id}\"]\nreply = \"x\"\n");
    std::fs::write(dir.join("a.toml"), rule("a")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("B.TOML"), rule("b")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("._a.toml"), "\0\u{5}junk").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("nowhere", dir.join("broken.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("loop.toml", dir.join("loop.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let fifo = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.toml"))
        .status()
        .is_ok_and(|s| s.success());

    let (sources, problems) = replykit::read_rule_files(&[&dir]);
    assert_eq!(sources.len(), 2, "a.toml and B.TOML");
    assert!(problems.iter().all(|d| d.severity == Severity::Warning));
    let skipped: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(skipped.len(), if fifo { 5 } else { 4 }, "{skipped:?}");
    for name in ["._a.toml", "broken.toml", "dir.toml", "loop.toml"] {
        assert!(
            skipped.iter().any(|m| m.contains(name)),
            "{name}: {skipped:?}"
        );
    }
    // The library says so too: the rule set that loads carries the same warnings.
    let set = RuleSet::from_path(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.rules().len(), 2);
    let warned: Vec<&str> = set.warnings().iter().map(|d| d.message.as_str()).collect();
    assert_eq!(warned, skipped);

    // Named directly, a pipe or a device is an error, read without blocking.
    let mut named = vec![std::path::PathBuf::from("/dev/zero")];
    if fifo {
        named.push(dir.join("pipe.toml"));
    }
    for path in named {
        let (sources, problems) = replykit::read_rule_files(&[&path]);
        assert!(sources.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].severity, Severity::Error);
        assert!(
            problems[0].message.contains("not a rule file"),
            "{:?}",
            problems[0]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A UTF-8 byte-order mark at the start of a rule file is not an error.
#[test]
fn issue_13_byte_order_mark_in_a_rule_file() {
    let path = std::env::temp_dir().join(format!("replykit-bom-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "\u{FEFF}[[rule]]\nid = \"a\"\nwhen.any = [\"a\"]\nreply = \"x\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let loaded = RuleSet::from_path(&path);
    let _ = std::fs::remove_file(&path);
    assert!(loaded.is_ok(), "{loaded:?}");
}

/// Finding 11: the smaller ones.
#[test]
fn issue_13_null_fields_one_synonym_group_and_cleaning() {
    // A null field is an absent field, not a rejected message.
    let message: Message = serde_json::from_str(r#"{"text": "hi", "fields": {"n": null, "m": 1}}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(message.fields.get("m").map(String::as_str), Some("1"));
    assert!(!message.fields.contains_key("n"));

    // A word listed in its own group is not "in two synonym groups".
    let engine = engine(
        r#"
        [synonyms]
        bin = ["bin", "dustbin"]

        [[rule]]
        id = "hi"
        when.any = ["bin"]
        reply = "Hi {{author.name}}!"
        "#,
    );
    // Line and paragraph separators and the Arabic letter mark do not reach a reply.
    let message: Message = serde_json::from_str(
        r#"{"text": "my dustbin", "author": {"name": "Sam\u2028Spade\u061C\u2029"}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = engine.suggest(&message);
    assert_eq!(outcome.suggestions[0].reply, "Hi Sam Spade!");
}

/// A rule set with one FAQ entry whose question and answer are given.
fn faq(question: &str, answer: &str) -> String {
    format!(
        "[[faq]]\nid = \"a\"\nquestions = [\"{question}\", \"when is bin day\"]\nanswer = \"{answer}\"\n\n\
         [[faq]]\nid = \"b\"\nquestions = [\"how do I pay council tax\"]\nanswer = \"Online.\"\n"
    )
}

/// Finding 4: one long word in a question made typo handling store every one-letter
/// deletion of it (20 KB: 388 MB). Words over 40 bytes are no typo targets now.
#[test]
fn issue_13_long_words_cost_linear_memory() {
    let build = |len: usize| {
        // Letters that vary, so that the word's deletions differ.
        let word: String = (0..len)
            .map(|i| char::from(b'a' + ((i * i + i / 26) % 26) as u8))
            .collect();
        let text = faq(&word, "Thursdays.");
        let rules = RuleSet::from_toml("f.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        measure(|| Engine::new(&rules).map(|_| ())).1
    };
    let small = build(1_000);
    let large = build(4_000);
    // Four times the length: about four times the memory (it was sixteen).
    assert!(large.peak < 6 * small.peak, "{small:?} -> {large:?}");
}

/// Finding 4: term counts searched a list per word, quadratic in distinct words
/// (200,000 words: 18.5 s). 100,000 distinct words in an answer now build at once.
#[test]
fn issue_13_many_distinct_words_in_an_answer() {
    let words: Vec<String> = (0..100_000).map(|i| format!("w{i}")).collect();
    let text = faq("when is my bin collected", &words.join(" "));
    let rules = RuleSet::from_toml("f.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let outcome = engine.suggest(&Message::new("when is my bin collected?"));
    assert_eq!(outcome.suggestions[0].id, "a");
}

/// Examples are bounded: over `MAX_EXAMPLE_BYTES`, a load error.
#[test]
fn issue_13_examples_are_bounded() {
    let long = "word ".repeat(replykit::limits::MAX_EXAMPLE_BYTES / 5 + 1);
    let err = match RuleSet::from_toml("f.toml", &faq(&long, "x")) {
        Ok(_) => panic!("an example over the limit loads"),
        Err(e) => e,
    };
    assert_eq!(err.diagnostics().len(), 1);
    assert!(err.diagnostics()[0]
        .message
        .contains("more than the limit of 4096"));
}

/// Finding 11: `import` wrote rule sets that did not load: labels "a b" and "a-b" made
/// one id, a label `{{phone}}` became an unknown variable in the placeholder answer,
/// and (since examples are bounded) a long message would be an example over the limit.
#[cfg(feature = "toolkit")]
#[test]
fn issue_13_imported_rule_sets_load() {
    use replykit::eval::Labelled;
    use replykit::import::{rule_set_toml, Thresholds};
    let long = format!("when is my bin day {}", "é".repeat(5_000));
    let data = [
        Labelled::new("when is bin day", Some("a b")),
        Labelled::new("bin collection day", Some("a b")),
        Labelled::new("pay council tax", Some("a-b")),
        Labelled::new("council tax bill", Some("a-b")),
        Labelled::new("what is your phone number", Some("{{phone}}")),
        Labelled::new(long.as_str(), Some("{{phone}}")),
        Labelled::new(long.as_str(), None),
    ];
    let toml = rule_set_toml(&data, &Thresholds::default());
    let rules =
        RuleSet::from_toml("imported.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let ids: Vec<&str> = rules.faqs().iter().map(|f| f.answer.id.as_str()).collect();
    assert_eq!(ids, ["a-b", "a-b-2", "--phone--"]);
}
