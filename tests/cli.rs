//! The `replykit` command, run as a process on the fixtures in `testdata/cli/`.
//!
//! Long outputs are compared exactly with files in `testdata/cli/expected/` (set
//! `REPLYKIT_BLESS=1` to rewrite them after a deliberate change, and read the diff).
//! The command is run from `testdata/cli/`, so paths in its output are short, and with
//! its output piped, so it is never coloured unless asked.

#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/cli")
}

/// What a run of the command gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_replykit"));
    command
        .args(args)
        .current_dir(dir())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the replykit binary runs");
    {
        let mut input = child.stdin.take().expect("piped stdin");
        if let Some(text) = stdin {
            input
                .write_all(text.as_bytes())
                .expect("stdin accepts input");
        }
    }
    let output = child.wait_with_output().expect("replykit finishes");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

/// Compares with `testdata/cli/expected/NAME`, or rewrites it under `REPLYKIT_BLESS`.
fn assert_golden(name: &str, actual: &str) {
    let path = dir().join("expected").join(name);
    if std::env::var_os("REPLYKIT_BLESS").is_some() {
        std::fs::write(&path, actual).expect("writable testdata");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs\n--- expected\n{expected}\n--- got\n{actual}"
    );
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

// --- check ---------------------------------------------------------------------------

#[test]
fn check_a_clean_folder_prints_a_summary_and_exits_0() {
    let r = run(&["check", "good"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "ok: 2 rules, 2 FAQ entries, 5 tests in 2 files\n");
}

#[test]
fn check_prints_every_problem_of_every_file_like_a_compiler() {
    let r = run(&["check", "broken.toml", "broken-more.toml"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(!r.stdout.contains('\x1b'), "piped output is plain");
    assert_golden("check-broken.txt", &r.stdout);
    assert_eq!(r.stderr, "");
}

#[test]
fn check_colours_when_asked_and_never_with_no_color() {
    let r = run(&[
        "check",
        "broken.toml",
        "broken-more.toml",
        "--color",
        "always",
    ]);
    assert_eq!(r.code, Some(1));
    assert!(r
        .stdout
        .starts_with("\x1b[1;31merror\x1b[0m\x1b[1m: `auto_reply_threshold` is below"));
    assert!(r.stdout.contains("\x1b[1;34m-->\x1b[0m broken.toml:3:1"));
    assert!(r
        .stdout
        .contains("\x1b[1;31m^^^^^^^^^^^^^^^^^^^^ 0.5 here\x1b[0m"));
    assert!(r
        .stdout
        .contains("\x1b[1;34m----------------- 0.9 here\x1b[0m"));
    // Without the escapes it is the plain rendering.
    let plain = run(&["check", "broken.toml", "broken-more.toml"]).stdout;
    let stripped = r.stdout.replace("\x1b[0m", "").replace("\x1b[1m", "");
    let stripped = ["\x1b[1;31m", "\x1b[1;34m", "\x1b[1;33m"]
        .iter()
        .fold(stripped, |s, code| s.replace(code, ""));
    assert_eq!(stripped, plain);

    let r = run_with(&["check", "broken.toml"], None, &[("NO_COLOR", "1")]);
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn check_json_is_an_array_of_diagnostics() {
    let r = run(&[
        "check",
        "broken.toml",
        "broken-more.toml",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, Some(1));
    let v = json(&r.stdout);
    let list = v.as_array().expect("an array");
    assert_eq!(list.len(), 5);
    let first = &list[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(
        first["message"],
        "`auto_reply_threshold` is below `suggest_threshold`"
    );
    assert_eq!(first["location"]["file"], "broken.toml");
    assert_eq!(first["location"]["line"], 3);
    assert_eq!(first["location"]["column"], 1);
    assert_eq!(first["secondary"][1], "0.9 here");
    assert_eq!(
        list[4]["help"],
        "give each rule and FAQ entry an id of its own"
    );

    let r = run(&["check", "good", "--format", "json"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "[]\n"));
}

#[test]
fn check_reports_a_missing_file() {
    let r = run(&["check", "good", "missing.toml"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stdout.starts_with("error: cannot read `missing.toml`: "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with(
        "  = help: check the path and its permissions\n\nerror: the rule set did not load: 1 error\n"
    ));
}

// --- lint ----------------------------------------------------------------------------

#[test]
fn lint_finds_what_loads_but_cannot_work() {
    let r = run(&["lint", "lint.toml"]);
    assert_eq!(r.code, Some(1), "errors exit 1: {r:?}");
    assert_golden("lint.txt", &r.stdout);
    assert_eq!(
        r.stderr,
        "error: 2 errors, 7 warnings in 4 rules, 2 FAQ entries, 2 tests in 1 file\n"
    );
}

#[test]
fn lint_json_has_severities() {
    let r = run(&["lint", "lint.toml", "--format", "json"]);
    let v = json(&r.stdout);
    let severities: Vec<&str> = v
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|d| d["severity"].as_str())
        .collect();
    assert_eq!(severities.iter().filter(|s| **s == "error").count(), 2);
    assert_eq!(severities.iter().filter(|s| **s == "warning").count(), 7);
}

#[test]
fn lint_warnings_exit_0_unless_denied() {
    let r = run(&["lint", "unused-var.toml"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(
        r.stdout,
        "\
warning: variable `phone` is used nowhere
 --> unused-var.toml:2:1
  |
2 | phone = \"0300 123 4567\"
  | ^^^^^ used by no reply or answer
  = in [vars]
  = help: use it in a reply as {{phone}}, or remove it

"
    );
    assert_eq!(
        r.stderr,
        "warning: 1 warning in 0 rules, 1 FAQ entry, 1 test in 1 file\n"
    );
    let r = run(&["lint", "unused-var.toml", "--deny-warnings"]);
    assert_eq!(r.code, Some(1));
}

#[test]
fn lint_a_clean_rule_set() {
    let r = run(&["lint", "good"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "ok: no problems in 2 rules, 2 FAQ entries, 5 tests in 2 files\n"
    );
}

#[test]
fn lint_of_a_broken_rule_set_prints_its_load_errors() {
    let r = run(&["lint", "broken.toml", "broken-more.toml"]);
    assert_eq!(r.code, Some(1));
    assert_golden("check-broken.txt", &r.stdout);
}

#[test]
fn lint_the_bundled_example_is_clean() {
    let council = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/council");
    let r = run(&["lint", council.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "", "{}", r.stdout);
}

// --- test ----------------------------------------------------------------------------

#[test]
fn test_passes() {
    let r = run(&["test", "before.toml"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "6 passed, 0 failed\n");
}

#[test]
fn test_shows_each_failure_and_counts_labelled_cases() {
    let r = run(&["test", "failing.toml", "--cases", "cases.jsonl"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stdout,
        "\
FAILED failing.toml:13:11: \"my bin wasn't emptied\"
    expected `missed-bin`, got no suggestion (decision no_answer)
FAILED failing.toml:17:11: \"my bin was missed\"
    expected decision suggest, got rule `missed-bin` (score 1.00, decision auto_reply)
FAILED failing.toml:22:11: \"my bin was missed again\"
    expected the reply to contain \"sorry\", got \"Sorry! Report a missed bin online.\"
FAILED cases.jsonl:4:1: \"my bin was missed on monday\"
    expected `collection-day` (no rule or FAQ entry has this id), got rule `missed-bin` (score 1.00, decision auto_reply)
FAILED cases.jsonl:5:1: \"my bin was missed on tuesday\"
    expected decision no_answer, got rule `missed-bin` (score 1.00, decision auto_reply)
FAILED cases.jsonl:6:1: \"hello\"
    expected `missed-bin`, got no suggestion (decision no_answer)
3 passed, 6 failed
"
    );
}

#[test]
fn test_of_a_broken_rule_set_exits_2_with_its_diagnostics() {
    let r = run(&["test", "broken.toml"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert!(r
        .stderr
        .ends_with("error: the rule set did not load: 4 errors\n"));
}

#[test]
fn test_cases_must_be_labelled_json() {
    let r = run(&["test", "good", "--cases", "messages.jsonl"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: messages.jsonl:4: not a labelled message (expected value at column 1); \
         expected {\"text\": ..., \"label\": ...}\n"
    );
}

// --- suggest -------------------------------------------------------------------------

const STREAM: &str = "when is bin day
{\"text\": \"I can smell gas\", \"channel\": \"twitter\"}
{\"text\": 
{\"txt\": \"no text key\"}

plain words about nothing
{\"text\": \"my bin was missed\", \"author\": {\"name\": \"Sam\"}}
where is order #1234567
";

#[test]
fn suggest_streams_one_line_per_input_line_and_survives_bad_lines() {
    let r = run_with(&["suggest", "before.toml"], Some(STREAM), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "");
    assert_golden("suggest.jsonl", &r.stdout);
    let lines: Vec<serde_json::Value> = r.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 8, "one output line per input line");
    assert_eq!(lines[0]["suggestions"][0]["id"], "bin-day");
    assert_eq!(lines[1]["decision"], "escalate");
    assert_eq!(
        lines[2],
        json(r#"{"error": "invalid JSON: EOF while parsing a value at column 9", "line": 3}"#)
    );
    assert_eq!(lines[3]["line"], 4);
    assert!(lines[3]["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("not a message: missing field `text`")));
    assert_eq!(lines[4]["decision"], "no_answer", "an empty line");
    assert_eq!(lines[5]["decision"], "no_answer");
    assert_eq!(
        lines[6]["suggestions"][0]["reply"],
        "Sorry about that, Sam. Report a missed bin at https://example.gov.uk/bins."
    );
    assert_eq!(
        lines[7]["suggestions"][0]["reply"],
        "We're checking order 1234567 for you."
    );
}

#[test]
fn suggest_one_message_from_the_argument() {
    let r = run(&["suggest", "good", "My wheelie-bin wasn't emptied!"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 1);
    let v = json(&r.stdout);
    assert_eq!(v["decision"], "auto_reply");
    assert_eq!(v["suggestions"][0]["id"], "missed-bin");
    assert_eq!(v["suggestions"][0]["evidence"][0]["span"], json("[3, 14]"));

    // Several rule paths, then the message.
    let r = run(&[
        "suggest",
        "good/settings.toml",
        "good/waste.toml",
        "I can smell gas",
    ]);
    assert_eq!(json(&r.stdout)["decision"], "escalate", "{r:?}");
}

#[test]
fn suggest_with_a_default_channel() {
    let r = run_with(
        &["suggest", "good", "--channel", "twitter"],
        Some("bin day?\n{\"text\": \"bin day?\", \"channel\": \"email\"}\n"),
        &[],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 2);
}

#[test]
fn suggest_with_a_mistyped_rule_file_is_an_error_not_a_message() {
    let r = run(&["suggest", "good", "wsate.toml"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.starts_with("error: cannot read `wsate.toml`"),
        "{r:?}"
    );
}

// --- explain -------------------------------------------------------------------------

#[test]
fn explain_shows_what_fired_what_almost_fired_and_why() {
    let r = run(&[
        "explain",
        "explain.toml",
        "--channel",
        "email",
        "My new wheelie bin wasn't emptied, can I order one?",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "");
    assert_eq!(
        r.stdout,
        r#"message: "My new wheelie bin wasn't emptied, can I order one?"
read as: my new wheelie bin wasnt emptied can i order one
channel: email

rules that fired:
  new-bin (priority 0)
    ✓ when.all "new bin" at 3..18 ("new wheelie bin")
    ✓ when.any "order" at 41..46

rules that almost fired:
  missed-bin (priority 10)
    ✓ when.all "bin" at 7..18 ("wheelie bin")
    ✓ when.any "wasn't emptied" at 19..33
    ✗ blocked by when.none "new bin" at 3..18
  bin-social (priority 0)
    ✓ when.any "bin" at 7..18 ("wheelie bin")
    ✗ channel is email, rule wants twitter, facebook
  order-status (priority 0)
    ✓ when.all "order" at 41..46
    ✗ when.regex pattern '#(?P<order>\d{6,})' did not match

faq candidates:
  none

thresholds: suggest 0.35, auto-reply 0.85, auto-reply margin 0.10

decision: auto_reply
  top suggestion rule `new-bin` fired, score 1.00 ≥ auto_reply_threshold 0.85 and has no runner-up
  reply (rule `new-bin`): "Order a new bin at https://example.gov.uk/bins."
"#
    );
}

#[test]
fn explain_says_why_a_rule_is_not_sent_unattended() {
    let r = run(&[
        "explain",
        "explain.toml",
        "--channel",
        "twitter",
        "bin day? and where is order #123456",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let from = r.stdout.find("rules that fired:").unwrap_or(0);
    assert_eq!(
        &r.stdout[from..],
        r##"rules that fired:
  bin-social (priority 0)
    ✓ when.any "bin" at 0..3
  order-status (priority 0)
    ✓ when.all "order" at 22..27
    ✓ when.regex '#(?P<order>\d{6,})' at 28..35 ("#123456")

rules that almost fired:
  missed-bin (priority 10)
    ✓ when.all "bin" at 0..3
    ✗ no when.any phrase found ("missed", "not collected", "wasn't emptied")
  new-bin (priority 0)
    ✓ when.any "order" at 22..27
    ✗ when.all phrase "new bin" not found

faq candidates:
  none

thresholds: suggest 0.35, auto-reply 0.85, auto-reply margin 0.10

decision: suggest
  top suggestion rule `bin-social` scored 1.00, not sent unattended because it has auto_reply = false; rule `order-status` of the same priority (0) fired too
  reply (rule `bin-social`): "Send us your postcode in a direct message and we'll look into it."
"##
    );

    let r = run(&["explain", "explain.toml", "hello"]);
    assert!(
        r.stdout.ends_with(
            "\ndecision: no_answer\n  no rule fired, and the rule set has no FAQ entries\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn explain_json_agrees_with_suggest() {
    let message = r#"{"text": "I smell gas, my bin was missed", "author": {"name": "Sam"}}"#;
    let r = run(&["explain", "explain.toml", message, "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 1);
    let v = json(&r.stdout);
    assert_eq!(v["normalised"], "i smell gas my bin was missed");
    assert_eq!(v["decision"], "escalate");
    assert_eq!(
        v["reason"],
        "rule `emergency` escalates: it matched \"smell gas\" at 2..11"
    );
    assert_eq!(
        v["fired"],
        json(
            r#"[
            {"id": "emergency", "priority": 100, "escalate": true,
             "matched": [{"condition": "when.any", "what": "smell gas", "span": [2, 11]}]},
            {"id": "missed-bin", "priority": 10,
             "matched": [{"condition": "when.all", "what": "bin", "span": [16, 19]},
                         {"condition": "when.any", "what": "missed", "span": [24, 30]}]}
        ]"#
        )
    );
    assert_eq!(
        v["thresholds"],
        json(
            r#"{"suggest_threshold": 0.35, "auto_reply_threshold": 0.85, "auto_reply_margin": 0.1,
                "faq_temperature": 0.7}"#
        )
    );
    // The outcome is exactly what `suggest` gives for the same message.
    let s = run_with(&["suggest", "explain.toml"], Some(message), &[]);
    assert_eq!(v["outcome"], json(&s.stdout));
}

#[test]
fn explain_faq_candidates_name_their_closest_question_and_words() {
    // FAQ scores depend on the trained model: check the shape, not the figures.
    let r = run(&["explain", "good", "which day are bins collected?"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("\nfaq candidates:\n  bin-day (score "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("    closest question: \""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\"collected\" at 19..28"), "{}", r.stdout);
    assert!(r
        .stdout
        .contains("\nthresholds: suggest 0.35, auto-reply 0.85, auto-reply margin 0.10\n"));
    assert!(
        r.stdout.contains("\n  top suggestion faq `bin-day` "),
        "{}",
        r.stdout
    );

    let r = run(&["explain", "good", "which day are bins collected?", "--json"]);
    let v = json(&r.stdout);
    let faq = v["faq"].as_array().expect("an array");
    assert!(!faq.is_empty() && faq.len() <= 5);
    assert_eq!(faq[0]["id"], "bin-day");
    assert!(faq[0]["question"].is_string());
    assert!(faq[0]["evidence"]
        .as_array()
        .is_some_and(|e| e.iter().any(|w| w["span"] == json("[19, 28]"))));
    let s = run(&["suggest", "good", "which day are bins collected?"]);
    assert_eq!(v["outcome"], json(&s.stdout));
    assert_eq!(v["decision"], v["outcome"]["decision"]);
}

#[test]
fn explain_colours_when_asked() {
    let args = [
        "explain",
        "explain.toml",
        "--channel",
        "email",
        "my new bin was missed, order #123456",
    ];
    let plain = run(&args).stdout;
    assert!(!plain.contains('\x1b'), "piped output is plain");
    let mut coloured_args = args.to_vec();
    coloured_args.extend(["--color", "always"]);
    let r = run(&coloured_args);
    assert!(r.stdout.starts_with("\x1b[1mmessage:\x1b[0m \"my new bin"));
    assert!(r
        .stdout
        .contains("\n  \x1b[1mmissed-bin\x1b[0m (priority 10)\n"));
    assert!(r.stdout.contains("    \x1b[1;32m✓\x1b[0m when.all \"bin\""));
    assert!(r
        .stdout
        .contains("    \x1b[1;33m✗\x1b[0m blocked by when.none"));
    assert!(r
        .stdout
        .contains("\x1b[1mdecision:\x1b[0m \x1b[1msuggest\x1b[0m\n"));
    let stripped = [
        "\x1b[0m",
        "\x1b[1m",
        "\x1b[1;31m",
        "\x1b[1;32m",
        "\x1b[1;33m",
    ]
    .iter()
    .fold(r.stdout.clone(), |s, code| s.replace(code, ""));
    assert_eq!(stripped, plain);
}

#[test]
fn explain_needs_a_message_after_the_rules() {
    let r = run(&["explain", "explain.toml"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: give the rule files, then the message to explain\n"
    );
    let r = run(&["explain", "explain.toml", "good"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: the last argument, `good`, is a rule path, not a message: give the message to \
         explain after the rule files\n"
    );
    let r = run(&["explain", "broken.toml", "bin day?"]);
    assert_eq!(r.code, Some(2));
    assert!(r
        .stderr
        .ends_with("error: the rule set did not load: 4 errors\n"));
}

// --- diff ----------------------------------------------------------------------------

#[test]
fn diff_groups_the_messages_whose_outcome_changes() {
    let r = run(&["diff", "before.toml", "after.toml", "messages.jsonl"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout,
        "\
bin-day → holiday-collections (suggest → auto_reply): 4 messages, 2 now right, 0 now wrong
    line 1: \"is bin day moved by the bank holiday\"
    line 2: \"bin day over christmas?\"
    line 3: \"collection day at christmas\"
    … and 1 more
bin-day (suggest → auto_reply): 1 message
    line 6: \"when is bin day\"
council-tax → (none) (auto_reply → no_answer): 1 message, 0 now right, 1 now wrong
    line 5: \"how do I pay council tax\"
6 of 10 messages change, in 3 groups, 2 now right, 1 now wrong (1 unreadable line skipped)
"
    );
    assert_eq!(
        r.stderr,
        "warning: messages.jsonl:9: skipped: not a message: invalid type: integer `42`, expected \
         a string (a message is {\"text\": \"...\", \"channel\": ..., \"author\": {...}, \
         \"fields\": {...}})\n"
    );
}

#[test]
fn diff_json_lists_every_changed_message() {
    let r = run(&[
        "diff",
        "before.toml",
        "after.toml",
        "messages.jsonl",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v = json(&r.stdout);
    assert_eq!(v["messages"], 10);
    assert_eq!(v["changed"], 6);
    assert_eq!(v["groups"][0]["messages"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["skipped"], 1);
    let first = &v["groups"][0];
    assert_eq!(
        first["old"],
        json(r#"{"top": "bin-day", "decision": "suggest"}"#)
    );
    assert_eq!(
        first["new"],
        json(r#"{"top": "holiday-collections", "decision": "auto_reply"}"#)
    );
    assert_eq!(first["messages"][0]["line"], 1);
    assert_eq!(first["messages"][0]["label"], "holiday-collections");
    assert_eq!(first["messages"][0]["old_score"], 1.0);
    assert_eq!(first["messages"][2]["label"], serde_json::Value::Null);
}

#[test]
fn diff_of_the_same_rules_changes_nothing() {
    let r = run_with(
        &["diff", "before.toml", "before.toml", "-"],
        Some("bin day\nsmell gas\n"),
        &[],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "no outcome changes in 2 messages\n");
}

// --- help and the older commands -----------------------------------------------------

#[test]
fn every_command_has_help_with_an_example() {
    for command in [
        "check",
        "lint",
        "test",
        "suggest",
        "explain",
        "diff",
        "import",
        "import-faq",
        "eval",
        "report",
    ] {
        let r = run(&[command, "--help"]);
        assert_eq!(r.code, Some(0), "{command}: {r:?}");
        assert!(
            r.stdout.contains("Example"),
            "{command} --help has no example:\n{}",
            r.stdout
        );
    }
}

#[test]
fn import_and_eval_still_work() {
    let r = run(&["import", "cases.jsonl"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("[[faq]]"));
    // The unlabelled messages become out-of-scope examples, which `check` counts.
    assert!(r.stdout.contains("[out_of_scope]"));
    let imported =
        std::env::temp_dir().join(format!("replykit-import-{}.toml", std::process::id()));
    std::fs::write(&imported, &r.stdout).expect("writable temp dir");
    let check = run(&["check", imported.to_str().expect("UTF-8 temp path")]);
    let _ = std::fs::remove_file(&imported);
    assert_eq!(check.code, Some(0), "{check:?}");
    assert_eq!(
        check.stderr,
        "ok: 0 rules, 2 FAQ entries, 2 out-of-scope examples, 0 tests in 1 file\n"
    );
    let r = run(&["eval", "good", "cases.jsonl", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(json(&r.stdout)["messages"], 5);
}

#[test]
fn import_faq_writes_a_rule_set_that_checks_and_says_what_it_left_out() {
    // Issue 10: every fixture page imports and passes `replykit check`.
    let pages = dir().join("../faqpage");
    for name in [
        "council-jsonld.html",
        "council-microdata.html",
        "council-details.html",
        "council-dl.html",
        "council-headings.html",
        "council.md",
        "council.csv",
    ] {
        let page = pages.join(name);
        let page = page.to_str().expect("UTF-8 path");
        let r = run(&["import-faq", page, "--url", "https://example.gov.uk/faq"]);
        assert_eq!(r.code, Some(0), "{name}: {r:?}");
        assert!(
            r.stderr.contains(": 6 entries from "),
            "{name}: {}",
            r.stderr
        );
        let imported = std::env::temp_dir().join(format!(
            "replykit-import-faq-{}-{name}.toml",
            std::process::id()
        ));
        std::fs::write(&imported, &r.stdout).expect("writable temp dir");
        let check = run(&["check", imported.to_str().expect("UTF-8 temp path")]);
        let _ = std::fs::remove_file(&imported);
        assert_eq!(check.code, Some(0), "{name}: {check:?}");
        assert_eq!(
            check.stderr, "ok: 0 rules, 6 FAQ entries, 0 tests in 1 file\n",
            "{name}"
        );
    }
    let r = run(&[
        "import-faq",
        pages.join("council-headings.html").to_str().expect("UTF-8"),
    ]);
    assert!(
        r.stderr
            .contains("  left out heading \"Contact us\": not a question"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("note: no --url"), "{}", r.stderr);
    // A page with nothing to read: status 2, and how to fix it.
    let r = run(&["import-faq", "cases.jsonl", "--format", "html"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("no FAQ entries found (as HTML)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("help: "), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn import_takes_the_share_of_traffic_no_entry_answers() {
    // Issue #9: thresholds keep auto-replies right when this much is about other topics.
    let r = run(&["import", "cases.jsonl", "--unknown-share", "0.2"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("auto_reply_threshold = "), "{}", r.stdout);
    let r = run(&["import", "cases.jsonl", "--unknown-share", "1.5"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("--unknown-share must be from 0 to 0.95, not 1.5"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

// --- report (issue 11) ---------------------------------------------------------------

#[test]
fn report_markdown_covers_every_section() {
    let r = run(&["report", "report.toml", "history.jsonl"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    // Piped stderr: no progress bar.
    assert_eq!(r.stderr, "");
    assert_golden("report.md", &r.stdout);
}

#[test]
fn report_json_lists_every_line_of_every_cluster() {
    let r = run(&["report", "report.toml", "history.jsonl", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let report = json(&r.stdout);
    assert_eq!(report["messages"], 19);
    assert_eq!(report["period"], "day");
    assert_eq!(report["coverage"]["overall"]["no_answer"], 11);
    let clusters = report["unanswered"]["clusters"]
        .as_array()
        .expect("clusters");
    let lines: Vec<&serde_json::Value> = clusters.iter().map(|c| &c["lines"]).collect();
    assert_eq!(
        lines,
        [
            &serde_json::json!([13, 15, 16, 19, 20, 21]),
            &serde_json::json!([4, 6, 7, 10, 14])
        ]
    );
    assert_eq!(clusters[0]["id"], "cycle-lane");
    assert_eq!(clusters[0]["trend"], "new");
    // Bad lines are listed, never fatal; an unreadable time keeps the message.
    assert_eq!(report["bad_lines"]["count"], 2);
    assert_eq!(report["bad_lines"]["lines"][0]["line"], 8);
    assert_eq!(report["bad_lines"]["lines"][1]["line"], 18);
    assert_eq!(report["unreadable_timestamps"], 1);
    assert_eq!(report["rule_use"]["never_fired"], serde_json::json!([]));
    assert_eq!(report["escalations"][0]["rule"], "emergency");
    assert_eq!(report["escalations"][0]["total"], 2);
}

#[test]
fn report_is_the_same_answered_line_by_line_on_one_thread_and_in_chunks_on_two() {
    let report = |threads: &str, history: &str, stdin: Option<&str>| {
        let env = [("RAYON_NUM_THREADS", threads)];
        let r = run_with(&["report", "report.toml", history, "--json"], stdin, &env);
        assert_eq!(r.code, Some(0), "{r:?}");
        r.stdout
    };
    let one = report("1", "history.jsonl", None);
    assert_eq!(json(&one)["messages"], 19);
    assert_eq!(one, report("2", "history.jsonl", None));
    // Blank lines count in no figure but keep the line numbers; bad ones are listed.
    let history = "\n{\"text\": \"the cycle lane\"}\n  \n{\"text\": 3}\nthe cycle lane again\n";
    let one = report("1", "-", Some(history));
    let bad = &json(&one)["bad_lines"];
    assert_eq!(json(&one)["messages"], 2);
    assert_eq!(bad["count"], 1);
    assert_eq!(bad["lines"][0]["line"], 4);
    assert_eq!(one, report("2", "-", Some(history)));
}

#[test]
fn report_of_an_empty_history_is_an_empty_report() {
    let r = run_with(&["report", "report.toml", "-", "--json"], Some(""), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let report = json(&r.stdout);
    assert_eq!(report["messages"], 0);
    assert_eq!(report["unanswered"]["clusters"], serde_json::json!([]));
    assert_eq!(
        report["rule_use"]["never_fired"].as_array().map(Vec::len),
        Some(5)
    );
    let r = run_with(&["report", "report.toml", "-"], Some(""), &[]);
    assert_eq!(r.stdout, "# Listening report\n\n0 messages.\n\n");
}

/// Chromium's binary, if installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

#[test]
fn report_html_loads_in_a_headless_browser_with_its_charts_and_no_console_errors() {
    let dir = std::env::temp_dir().join(format!("replykit-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("writable temp dir");
    let page = dir.join("report.html");
    let r = run(&[
        "report",
        "report.toml",
        "history.jsonl",
        "--html",
        page.to_str().expect("UTF-8 temp path"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "", "--html alone prints nothing");
    let html = std::fs::read_to_string(&page).expect("the page is written");
    for forbidden in ["<script", "src=", "href=\"http", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "the page fetches something: {forbidden}"
        );
    }
    let Some(chromium) = chromium() else {
        println!(
            "SKIPPED: the headless-browser check of the report page: `chromium` is not \
             installed (.ci/run installs it with apt-get)"
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&dir);
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed:\n{log}");
    // Console messages (errors, CSP violations) are logged as `CONSOLE(line)`.
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    for chart in [
        "chart-decisions",
        "chart-coverage",
        "chart-unanswered",
        "chart-rule-use",
    ] {
        assert!(
            dom.contains(&format!("<svg id=\"{chart}\"")),
            "{chart} missing from the loaded page"
        );
    }
    assert!(dom.contains("<rect"), "charts have bars");
}

/// Waits for the next stderr line of a `--watch` process that starts with one of
/// `prefixes`, giving every line read on the way.
fn wait_for(lines: &std::sync::mpsc::Receiver<String>, prefixes: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) => {
                let done = prefixes.iter().any(|p| line.starts_with(p));
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(e) => panic!("no {prefixes:?} on stderr ({e}); saw {seen:?}"),
        }
    }
}

/// Issue 13: `suggest --watch` answers, reloads an edited file, keeps the working
/// rules when an edit breaks it, and loses no line in between.
#[test]
fn suggest_watch_reloads_without_losing_a_line() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let dir = std::env::temp_dir().join(format!("replykit-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("rules.toml");
    let rule = |id: &str, word: &str| {
        format!("[[rule]]\nid = \"{id}\"\nwhen.any = [\"{word}\"]\nreply = \"{id} reply\"\n")
    };
    std::fs::write(&file, rule("old", "hello")).expect("write");

    let mut child = Command::new(env!("CARGO_BIN_EXE_replykit"))
        .args(["suggest", "--watch"])
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("replykit runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let (send, errors) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let mut ask = |text: &str| -> String {
        writeln!(stdin, "{text}").expect("write a line");
        stdin.flush().expect("flush");
        let mut answer = String::new();
        stdout.read_line(&mut answer).expect("read an answer");
        answer
    };

    assert!(ask("hello").contains("\"id\":\"old\""));
    // A new rule: reloaded, and the next line gets it.
    std::fs::write(&file, rule("old", "hello") + &rule("new", "goodbye")).expect("write");
    let seen = wait_for(&errors, &["reloaded:"]);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("reloaded: 2 rules, 0 FAQ entries")
    );
    assert!(ask("goodbye").contains("\"id\":\"new\""));
    // A broken file: reported, and the rules in use stay.
    std::fs::write(&file, "[[rule]]\nid = \"new\"\n").expect("write");
    let seen = wait_for(&errors, &["kept the previous rules"]);
    assert!(seen.iter().any(|l| l.starts_with("error:")), "{seen:?}");
    assert!(ask("goodbye").contains("\"id\":\"new\""));
    assert!(ask("hello").contains("\"id\":\"old\""));
    drop(stdin);
    let status = child.wait().expect("replykit ends");
    assert!(status.success());
    let _ = reader.join();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue #15, point 8: a message that names an existing folder was read as a path;
/// `--message` says which argument is the message.
#[test]
fn suggest_message_flag_takes_a_message_that_names_a_folder() {
    // `good` is a folder: read as rules too, and no message is answered.
    let r = run(&["suggest", "good", "good"]);
    assert!(r.stdout.is_empty(), "{r:?}");
    let r = run(&["suggest", "good", "--message", "good"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(json(&r.stdout)["decision"], "no_answer", "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 1);
}

/// Issue #15, point 6: a typo in a key (`recieved_at`) was silently ignored, and the
/// host's clock used. The outcome names it, with a hint.
#[test]
fn suggest_names_keys_no_message_carries() {
    let line = r#"{"text": "hello", "recieved_at": "2026-12-02T10:00:00Z"}"#;
    let r = run_with(&["suggest", "good"], Some(&format!("{line}\n")), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        json(&r.stdout)["unreadable"],
        serde_json::json!(["unknown key \"recieved_at\" (did you mean \"received_at\"?)"])
    );
}

/// Issue #15, point 7: spans are byte offsets, which Python and JavaScript hosts
/// mis-slice; `--offsets` counts them as those languages index strings.
#[test]
fn suggest_offsets_count_as_the_host_slices() {
    let text = "😡😡 refund please";
    let span = |unit: &str| {
        let r = run(&[
            "suggest",
            "../open/rail.toml",
            "--offsets",
            unit,
            "--message",
            text,
        ]);
        assert_eq!(r.code, Some(0), "{r:?}");
        json(&r.stdout)["suggestions"][0]["evidence"][0]["span"].clone()
    };
    assert_eq!(span("bytes"), serde_json::json!([9, 15]));
    assert_eq!(span("chars"), serde_json::json!([3, 9])); // Python: text[3:9] == "refund"
    assert_eq!(span("utf16"), serde_json::json!([5, 11])); // JavaScript
}

/// Issue 15, point 3: the JSON-lines contract is published as JSON Schemas generated
/// from the types, and real lines meet them: every message line below is valid, and
/// every outcome `suggest` writes for them (escalations, notices, suppressed repeats,
/// unreadable values, ids) is too. A line that breaks the contract is refused.
#[test]
fn suggest_lines_meet_the_published_schemas() {
    let schema = |of: &str| {
        let r = run(&["schema", of]);
        assert_eq!(r.code, Some(0), "{r:?}");
        let schema = json(&r.stdout);
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{of}: {e}"))
    };
    let (message, outcome) = (schema("message"), schema("outcome"));
    let lines = [
        r#"{"id": 7, "text": "I can smell gas on Elm Street", "channel": "twitter"}"#,
        r#"{"id": "m-2", "text": "my bin wasn't emptied", "author": {"id": 12345, "name": "Sam"}}"#,
        r#"{"text": "when is bin day", "received_at": "2026-12-05T23:30:00Z", "channel": "facebook"}"#,
        r#"{"text": "my bin was missed again", "author": {"id": "sam"}, "received_at": "2026-12-02T22:00:00Z", "history": [{"id": "out-of-hours", "variation": 0, "at": "2026-12-02T21:30:00Z"}]}"#,
        r#"{"text": "pothole", "fields": {"ward": "north", "priority": 2, "vip": true, "none": null}, "from_us": false, "automated": true}"#,
        r#"{"text": "hello", "received_at": "yesterday", "history": null}"#,
    ];
    for line in lines {
        let value = json(line);
        if let Err(e) = message.validate(&value) {
            panic!("message line {line}: {e}");
        }
    }
    let input = lines.join("\n") + "\n";
    let r = run_with(&["suggest", "../../../examples/council"], Some(&input), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let outcomes: Vec<serde_json::Value> = r.stdout.lines().map(json).collect();
    assert_eq!(outcomes.len(), lines.len());
    for o in &outcomes {
        if let Err(e) = outcome.validate(o) {
            panic!("outcome {o}: {e}");
        }
    }
    // The lines above reach the parts of the contract the schema describes.
    let has = |key: &str| outcomes.iter().any(|o| o.get(key).is_some());
    for key in ["id", "escalation", "notice", "suppressed", "unreadable"] {
        assert!(has(key), "no outcome has {key}: {outcomes:?}");
    }
    // The schema refuses what the contract does not allow.
    assert!(message.validate(&json(r#"{"text": 5}"#)).is_err());
    assert!(outcome
        .validate(&json(r#"{"decision": "maybe", "suggestions": []}"#))
        .is_err());
}

/// A reader that stops early (`replykit eval … | head -1`) ends the command quietly:
/// a closed pipe is not a panic.
#[test]
fn eval_and_schema_end_quietly_when_the_reader_goes_away() {
    for args in [
        &["eval", "good", "cases.jsonl"][..],
        &["schema", "outcome"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_replykit"))
            .args(args)
            .current_dir(dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the replykit binary runs");
        // Close the read end before the command writes (it loads its rules first).
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("replykit finishes");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
