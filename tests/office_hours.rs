//! Office hours (issue #5): notices, `when.outside_hours` / `when.inside_hours`,
//! `{{next_open}}`, time zones and clock changes. Every message carries its
//! `received_at`, so nothing here depends on the real clock.

use replykit::{Decision, Engine, Message, RuleSet};

const RULES: &str = r#"
[settings]
timezone = "Europe/London"

[hours]
mon-thu = "08:30-17:00"
fri = ["08:30-12:30", "13:30-16:30"]
closed = ["2026-12-25"]
2026-12-24 = "09:00-12:00"

[[rule]]
id = "out-of-hours"
when.outside_hours = true
reply = "We're closed. A person will be back at {{next_open}}."

[[rule]]
id = "anyone-there"
when.any = ["anyone there"]
when.outside_hours = true
reply = "Not right now, sorry: we're back at {{next_open}}."

[[rule]]
id = "busy"
when.any = ["anyone there"]
when.inside_hours = true
reply = "Yes! How can we help?"

[[faq]]
id = "bin-day"
questions = ["When is my bin collected?", "what day do you empty the bins", "bin collection day"]
answer = "Find your collection day online."
"#;

fn engine() -> Engine {
    let rules = RuleSet::from_toml("hours.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

fn at(text: &str, received_at: &str) -> Message {
    Message::new(text).with_received_at(received_at)
}

#[test]
fn at_night_the_answer_comes_with_a_notice_of_when_people_are_back() {
    // Wednesday 2 December 2026, 10pm in London.
    let outcome = engine().suggest(&at("when is my bin collected?", "2026-12-02T22:00:00Z"));
    assert_eq!(outcome.top().map(|s| s.id.as_str()), Some("bin-day"));
    assert_eq!(outcome.decision, Decision::AutoReply, "{outcome:?}");
    let notice = outcome.notice.expect("a notice at night");
    assert_eq!(notice.id, "out-of-hours");
    assert_eq!(
        notice.reply,
        "We're closed. A person will be back at 8:30am on Thursday 3 December."
    );
    assert!(notice.auto_reply);
}

#[test]
fn in_opening_hours_there_is_no_notice() {
    let outcome = engine().suggest(&at("when is my bin collected?", "2026-12-02T10:00:00Z"));
    assert_eq!(outcome.notice, None);
    assert_eq!(outcome.top().map(|s| s.id.as_str()), Some("bin-day"));
}

#[test]
fn a_message_nothing_answers_still_gets_the_notice() {
    let outcome = engine().suggest(&at("hello?", "2026-12-05T10:00:00Z"));
    assert_eq!(outcome.decision, Decision::NoAnswer);
    let notice = outcome.notice.expect("a notice on Saturday");
    assert!(
        notice.reply.ends_with("8:30am on Monday 7 December."),
        "{}",
        notice.reply
    );
}

#[test]
fn hours_conditions_pick_the_rule_for_the_time() {
    let e = engine();
    let night = e.suggest(&at("is anyone there?", "2026-12-02T22:00:00Z"));
    assert_eq!(night.top().map(|s| s.id.as_str()), Some("anyone-there"));
    assert_eq!(night.suggestions.len(), 1, "{night:?}");
    let day = e.suggest(&at("is anyone there?", "2026-12-02T10:00:00Z"));
    assert_eq!(day.top().map(|s| s.id.as_str()), Some("busy"));
    assert_eq!(day.suggestions.len(), 1, "{day:?}");
}

#[test]
fn lunch_breaks_changed_hours_and_closed_dates() {
    let e = engine();
    let next = |t: &str| {
        e.suggest(&at("hello?", t)).notice.map(|n| {
            n.reply
                .replace("We're closed. A person will be back at ", "")
        })
    };
    // Friday lunch: closed from 12:30 to 13:30.
    assert_eq!(
        next("2026-12-04T12:45:00Z").as_deref(),
        Some("1:30pm on Friday 4 December.")
    );
    assert_eq!(next("2026-12-04T14:00:00Z"), None);
    // Christmas Eve opens 09:00-12:00 only; Christmas Day is closed; then a weekend.
    assert_eq!(
        next("2026-12-24T08:45:00Z").as_deref(),
        Some("9am on Thursday 24 December.")
    );
    assert_eq!(next("2026-12-24T11:00:00Z"), None);
    assert_eq!(
        next("2026-12-24T12:00:00Z").as_deref(),
        Some("8:30am on Monday 28 December.")
    );
    // The next opening is in the next year, and says so.
    assert_eq!(
        next("2026-12-31T17:00:00Z").as_deref(),
        Some("8:30am on Friday 1 January 2027.")
    );
}

#[test]
fn opening_times_are_local_and_follow_the_clock_changes() {
    let e = engine();
    let open = |t: &str| e.suggest(&at("hello?", t)).notice.is_none();
    // British Summer Time: 07:45 UTC is 08:45 local, open.
    assert!(open("2026-07-01T07:45:00Z"));
    // Greenwich Mean Time: 07:45 UTC is 07:45 local, closed.
    assert!(!open("2026-12-02T07:45:00Z"));
    // The Monday after the clocks went back (25 October 2026).
    assert!(!open("2026-10-26T08:15:00Z"));
    assert!(open("2026-10-26T08:45:00Z"));
    // The Monday after the clocks went forward (29 March 2026).
    assert!(open("2026-03-30T07:45:00Z"));
    // Any offset: 03:30 in New York on a Thursday is 08:30 in London.
    assert!(open("2026-12-03T03:30:00-05:00"));
    assert!(!open("2026-12-03T03:29:00-05:00"));
}

#[test]
fn an_unreadable_received_at_is_named_and_never_panics() {
    let e = engine();
    for bad in [
        "yesterday",
        "2026-12-02T22:00:00",
        "",
        "2026-13-45T99:99:99Z",
        "\u{0}",
    ] {
        let outcome = e.suggest(&at("when is my bin collected?", bad));
        assert_eq!(outcome.unreadable, ["received_at"], "{bad:?}");
        assert_eq!(outcome.top().map(|s| s.id.as_str()), Some("bin-day"));
    }
    let outcome = e.suggest(&Message::new("when is my bin collected?"));
    assert!(outcome.unreadable.is_empty());
}

#[test]
fn a_notice_with_no_opening_ahead_lacks_next_open_and_is_not_sent_unattended() {
    let rules = RuleSet::from_toml(
        "t.toml",
        r#"
        [settings]
        timezone = "Europe/Paris"
        [hours]
        closed = ["2026-12-25"]
        [[rule]]
        id = "closed"
        when.outside_hours = true
        reply = "Closed until {{next_open}}."
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let notice = engine
        .suggest(&at("hi", "2026-12-02T22:00:00Z"))
        .notice
        .expect("always closed");
    assert_eq!(notice.missing, ["next_open"]);
    assert!(!notice.auto_reply);
}

#[test]
fn notices_respect_channels_and_priority() {
    let rules = RuleSet::from_toml(
        "t.toml",
        r#"
        [settings]
        timezone = "UTC"
        [hours]
        mon-fri = "09:00-17:00"
        [[rule]]
        id = "closed"
        when.outside_hours = true
        reply = "We're closed."
        [[rule]]
        id = "closed-twitter"
        priority = 10
        when.outside_hours = true
        when.channel = ["twitter"]
        reply = "Closed! Back {{next_open}}."
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let night = "2026-12-02T22:00:00Z";
    let id = |m: Message| engine.suggest(&m).notice.map(|n| n.id);
    assert_eq!(
        id(at("hi", night).with_channel("Twitter")).as_deref(),
        Some("closed-twitter")
    );
    assert_eq!(
        id(at("hi", night).with_channel("email")).as_deref(),
        Some("closed")
    );
    assert!(rules.rules()[0].is_notice());
}

#[test]
fn received_at_and_the_notice_cross_the_json_boundary() {
    let message: Message = serde_json::from_str(
        r#"{"text": "when is my bin collected?", "received_at": "2026-12-02T22:00:00+00:00"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outcome = engine().suggest(&message);
    let json = serde_json::to_value(&outcome).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["notice"]["id"], "out-of-hours");
    assert_eq!(json["notice"]["auto_reply"], true);
    assert_eq!(json["notice"]["variation"], 0);
}

/// `replykit suggest` reads `received_at` and `history` from its JSON lines, and its
/// outcomes carry the notice and what was suppressed.
#[cfg(feature = "cli")]
#[test]
fn the_suggest_command_reads_time_and_history_from_json_lines() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let council = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");
    let mut child = Command::new(env!("CARGO_BIN_EXE_replykit"))
        .args(["suggest", council])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let input = concat!(
        r#"{"text": "When is my bin collected?", "received_at": "2026-12-24T14:00:00Z"}"#,
        "\n",
        r#"{"text": "Thanks so much!", "channel": "twitter", "received_at": "2026-12-02T15:00:00Z", "history": [{"id": "thanks", "variation": 0, "at": "2026-12-02T09:00:00Z"}]}"#,
        "\n",
    );
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["suggestions"][0]["id"], "bin-day");
    assert_eq!(lines[0]["notice"]["id"], "out-of-hours");
    let reply = lines[0]["notice"]["reply"].as_str().unwrap_or_default();
    assert!(reply.contains("8:30am on Tuesday 29 December"), "{reply}");
    assert_eq!(lines[1]["decision"], "no_answer");
    assert_eq!(lines[1]["suppressed"][0]["id"], "thanks");
    assert_eq!(lines[1]["suppressed"][0]["reason"], "cooldown");
}
