//! Channel limits (issue #5): `[channels.NAME] max_length`; overflowing replies are
//! flagged, never cut, never auto-replied.

use replykit::{Author, Decision, Engine, Message, RuleSet, TooLong};

const RULES: &str = r#"
[channels.twitter]
max_length = 60

[[rule]]
id = "greeting"
when.any = ["hello"]
reply = "Hello {{author.name | \"there\"}}, thanks for getting in touch with the council today."

[[rule]]
id = "hi"
when.any = ["hi"]
reply = "Hi {{author.name | \"there\"}}, how can we help?"

[[rule]]
id = "pothole"
when.any = ["pothole"]
reply = ["Thanks for telling us about the pothole: report it online and we will fix it.",
         "Report potholes online, please."]
"#;

fn engine() -> Engine {
    let rules = RuleSet::from_toml("channels.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_overflowing_reply_is_flagged_whole_and_not_auto_replied() {
    let e = engine();
    let message = Message::new("hello").with_channel("TWITTER");
    let outcome = e.suggest(&message);
    let top = outcome.top().expect("a suggestion");
    let expected = "Hello there, thanks for getting in touch with the council today.";
    assert_eq!(top.reply, expected, "never cut");
    let too_long: Option<TooLong> = top.too_long;
    assert_eq!(
        too_long.map(|t| (t.length, t.limit)),
        Some((expected.chars().count(), 60))
    );
    assert_eq!(outcome.decision, Decision::Suggest);
    let json = serde_json::to_value(&outcome).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        json["suggestions"][0]["too_long"],
        serde_json::json!({"length": expected.chars().count(), "limit": 60})
    );
    // Elsewhere it fits.
    let outcome = e.suggest(&Message::new("hello").with_channel("email"));
    assert_eq!(outcome.decision, Decision::AutoReply);
    assert_eq!(outcome.top().and_then(|s| s.too_long), None);
}

#[test]
fn a_variation_that_fits_is_preferred() {
    let e = engine();
    for text in [
        "pothole",
        "a pothole!",
        "pothole on Mill Lane",
        "big pothole",
    ] {
        let outcome = e.suggest(&Message::new(text).with_channel("twitter"));
        let top = outcome.top().expect("a suggestion");
        assert_eq!(top.variation, 1, "{text}");
        assert_eq!(top.too_long, None);
        assert_eq!(outcome.decision, Decision::AutoReply);
    }
}

#[test]
fn message_values_can_push_a_reply_over() {
    let e = engine();
    let short = Message::new("hi")
        .with_channel("twitter")
        .with_author(Author::named("Al"));
    assert!(e
        .suggest(&short)
        .top()
        .is_some_and(|s| s.too_long.is_none()));
    let long = Message::new("hi")
        .with_channel("twitter")
        .with_author(Author::named(
            "Bartholomew Fotheringay-Phipps of Little Snoring",
        ));
    assert!(e.suggest(&long).top().is_some_and(|s| s.too_long.is_some()));
}

#[test]
fn a_reply_restricted_to_a_channel_must_fit_it() {
    let err = RuleSet::from_toml(
        "t.toml",
        r#"
        [channels.sms]
        max_length = 20
        [[rule]]
        id = "r"
        when.any = ["x"]
        when.channel = ["sms"]
        reply = "This reply is far too long for a text message."
        "#,
    )
    .expect_err("too long for sms");
    assert_eq!(err.diagnostics()[0].message, "reply is too long for `sms`");
}

/// Issue #15, point 2: a `[[test]]` expecting an auto-reply on a channel whose limit
/// the reply overflows says that is why.
#[cfg(feature = "toolkit")]
#[test]
fn a_test_expecting_an_auto_reply_says_the_reply_was_too_long() {
    let rules = RuleSet::from_toml(
        "channels.toml",
        &format!(
            "{RULES}\n[[test]]\nmessage = \"hello\"\nchannel = \"twitter\"\nexpect = \"greeting\"\n\
             decision = \"auto_reply\"\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = Engine::new(&rules)
        .unwrap_or_else(|e| panic!("{e}"))
        .run_tests();
    assert_eq!(report.failed(), 1, "{report}");
    let text = report.to_string();
    assert!(
        text.contains(
            "expected decision auto_reply, got rule `greeting` (score 1.00, decision suggest): \
             not sent unattended because its reply is 64 characters, over the channel's \
             max_length 60"
        ),
        "{text}"
    );
}
