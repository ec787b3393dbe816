//! Conversation memory (issue #5): cooldowns, once per conversation, suppressed
//! suggestions, loop protection, variation rotation, and hosts' stores.

use replykit::{
    Author, ConversationMemory, Decision, Engine, Kind, Message, RuleSet, Sent, Suppression,
};
use std::collections::HashMap;

const RULES: &str = r#"
[[rule]]
id = "thanks"
when.any = ["thanks", "thank you"]
cooldown = "24h"
reply = ["You're welcome!", "Any time!", "Glad we could help!"]

[[rule]]
id = "welcome"
priority = 5
when.any = ["hello"]
once_per_conversation = true
reply = "Hello! How can we help?"

[[rule]]
id = "hello-generic"
when.any = ["hello"]
reply = "Hi there."

[[rule]]
id = "emergency"
priority = 100
when.any = ["gas leak"]
escalate = true
reply = "Call the emergency line now."
"#;

fn engine() -> Engine {
    let rules = RuleSet::from_toml("conversation.toml", RULES).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

fn sam() -> Author {
    Author::from_id("sam")
}

fn top_id(outcome: &replykit::Outcome) -> Option<&str> {
    outcome.top().map(|s| s.id.as_str())
}

#[test]
fn a_cooldown_holds_a_reply_back_until_it_expires() {
    let e = engine();
    let had = Sent::new("thanks", 0, "2026-12-02T09:00:00Z");
    let soon = Message::new("thanks!")
        .with_received_at("2026-12-02T15:00:00Z")
        .with_sent(had.clone());
    let outcome = e.suggest(&soon);
    assert_eq!(outcome.decision, Decision::NoAnswer);
    assert_eq!(outcome.suppressed.len(), 1);
    let s = &outcome.suppressed[0];
    assert_eq!(
        (s.kind, s.id.as_str(), s.reason, s.until.as_deref()),
        (
            Kind::Rule,
            "thanks",
            Suppression::Cooldown,
            Some("2026-12-03T09:00:00Z")
        )
    );
    let later = Message::new("thanks!")
        .with_received_at("2026-12-03T09:00:00Z")
        .with_sent(had);
    let outcome = e.suggest(&later);
    assert_eq!(top_id(&outcome), Some("thanks"));
    assert!(outcome.suppressed.is_empty());
}

#[test]
fn a_history_entry_without_a_readable_time_counts_as_just_sent() {
    let e = engine();
    let mut message = Message::new("thanks!").with_received_at("2026-12-02T15:00:00Z");
    let mut undated = Sent::new("thanks", 0, "");
    undated.at = None;
    message.history = vec![undated];
    assert_eq!(e.suggest(&message).suppressed[0].until, None);
    message.history = vec![Sent::new("thanks", 0, "last tuesday")];
    let outcome = e.suggest(&message);
    assert_eq!(outcome.unreadable, ["history[0].at"]);
    assert_eq!(outcome.suppressed[0].reason, Suppression::Cooldown);
}

#[test]
fn once_per_conversation_gives_way_to_the_next_candidate() {
    let e = engine();
    let first = Message::new("hello").with_author(sam());
    assert_eq!(top_id(&e.suggest(&first)), Some("welcome"));
    let memory = ConversationMemory::new(10);
    memory.record("sam", Sent::new("welcome", 0, "2026-01-01T00:00:00Z"));
    // Years later it is still held back: once means once.
    let again = Message::new("hello again")
        .with_author(sam())
        .with_received_at("2030-01-01T00:00:00Z");
    let outcome = e.suggest_with(&again, &memory);
    assert_eq!(top_id(&outcome), Some("hello-generic"));
    assert_eq!(outcome.decision, Decision::AutoReply);
    assert_eq!(outcome.suppressed[0].id, "welcome");
    assert_eq!(
        outcome.suppressed[0].reason,
        Suppression::OncePerConversation
    );
    // A new conversation: the host forgets the old one.
    memory.forget("sam");
    assert_eq!(top_id(&e.suggest_with(&again, &memory)), Some("welcome"));
    // Another author is not affected.
    let other = Message::new("hello").with_author(Author::from_id("kim"));
    memory.record("sam", Sent::new("welcome", 0, "2026-01-01T00:00:00Z"));
    assert_eq!(top_id(&e.suggest_with(&other, &memory)), Some("welcome"));
}

#[test]
fn escalations_are_never_held_back() {
    let e = engine();
    let message = Message::new("gas leak on my street")
        .with_received_at("2026-12-02T15:00:00Z")
        .with_sent(Sent::new("emergency", 0, "2026-12-02T14:59:00Z"));
    assert_eq!(e.suggest(&message).decision, Decision::Escalate);
}

#[test]
fn messages_from_us_or_another_automaton_are_never_auto_replied() {
    let e = engine();
    let plain = Message::new("thank you");
    assert_eq!(e.suggest(&plain).decision, Decision::AutoReply);
    let ours = e.suggest(&plain.clone().marked_from_us());
    assert_eq!(ours.decision, Decision::Suggest);
    assert_eq!(
        top_id(&ours),
        Some("thanks"),
        "still suggested for a person"
    );
    let bot = e.suggest(&plain.clone().marked_automated());
    assert_eq!(bot.decision, Decision::Suggest);
    // An escalation still escalates: a person looks, nothing is sent.
    let alarm = Message::new("gas leak!").marked_automated();
    assert_eq!(e.suggest(&alarm).decision, Decision::Escalate);
    // Through JSON.
    let m: Message = serde_json::from_str(r#"{"text": "thank you", "automated": true}"#)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(e.suggest(&m).decision, Decision::Suggest);
}

#[test]
fn loop_protection_withholds_the_notice_too() {
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
        reply = "We're closed until {{next_open}}."
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let night = Message::new("I am out of the office").with_received_at("2026-12-05T22:00:00Z");
    assert!(e.suggest(&night).notice.is_some());
    assert!(e
        .suggest(&night.clone().marked_automated())
        .notice
        .is_none());
    assert!(e.suggest(&night.marked_from_us()).notice.is_none());
}

#[test]
fn variations_rotate_for_an_author_and_never_repeat_the_last_one() {
    let e = engine();
    let memory = ConversationMemory::new(10);
    let mut got = Vec::new();
    for day in 1..=9 {
        let at = format!("2026-12-{day:02}T12:00:00Z");
        let message = Message::new("thanks!")
            .with_author(sam())
            .with_received_at(at.clone());
        let outcome = e.suggest_with(&message, &memory);
        let top = outcome.top().unwrap_or_else(|| panic!("{outcome:?}"));
        // The same message with the same history always gets the same variation.
        assert_eq!(
            e.suggest_with(&message, &memory).top().map(|s| s.variation),
            Some(top.variation)
        );
        memory.record("sam", Sent::new(&top.id, top.variation, at));
        got.push(top.variation);
    }
    let mut first_three = got[..3].to_vec();
    first_three.sort_unstable();
    assert_eq!(
        first_three,
        [0, 1, 2],
        "every variation before a repeat: {got:?}"
    );
    assert!(
        got.windows(2).all(|w| w[0] != w[1]),
        "never the same twice in a row: {got:?}"
    );
}

#[test]
fn without_history_the_variation_depends_only_on_the_message() {
    let e = engine();
    let v = |text: &str| e.suggest(&Message::new(text)).top().map(|s| s.variation);
    assert_eq!(v("thanks a lot"), v("thanks a lot"));
    let spread: std::collections::BTreeSet<_> = [
        "thanks",
        "thank you",
        "thanks!!",
        "many thanks",
        "thanks again",
        "thanks x",
    ]
    .into_iter()
    .filter_map(v)
    .collect();
    assert!(spread.len() > 1, "different messages spread: {spread:?}");
}

#[test]
fn a_hosts_own_store_and_the_message_history_are_both_read() {
    let e = engine();
    let mut store: HashMap<String, Vec<Sent>> = HashMap::new();
    store.insert(
        "@sam".into(),
        vec![Sent::new("thanks", 2, "2026-12-02T09:00:00Z")],
    );
    // No author id: the handle is the key.
    let message = Message::new("thanks")
        .with_author(Author::from_handle("@sam"))
        .with_received_at("2026-12-02T10:00:00Z");
    let outcome = e.suggest_with(&message, &store);
    assert_eq!(outcome.suppressed[0].id, "thanks");
    // A message without an author reads no store.
    let anonymous = Message::new("thanks").with_received_at("2026-12-02T10:00:00Z");
    assert!(e.suggest_with(&anonymous, &store).suppressed.is_empty());
}

#[test]
fn history_crosses_the_json_boundary() {
    let e = engine();
    let m: Message = serde_json::from_str(
        r#"{"text": "thanks", "received_at": "2026-12-02T10:00:00Z",
            "history": [{"id": "thanks", "variation": 1, "at": "2026-12-02T09:00:00+00:00"}]}"#,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let json = serde_json::to_value(e.suggest(&m)).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(json["decision"], "no_answer");
    assert_eq!(
        json["suppressed"],
        serde_json::json!([{"kind": "rule", "id": "thanks", "reason": "cooldown",
                             "until": "2026-12-03T09:00:00Z"}])
    );
    // `history: null` is no history; a message with none serialises without it.
    let m: Message = serde_json::from_str(r#"{"text": "hi", "history": null}"#)
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(m.history.is_empty());
    let back = serde_json::to_string(&m).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(back, r#"{"text":"hi"}"#);
}

#[test]
fn a_huge_history_is_read_up_to_its_bound() {
    let e = engine();
    let mut message = Message::new("thanks").with_received_at("2026-12-02T10:00:00Z");
    message.history = (0..100_000)
        .map(|i| Sent::new(format!("other-{i}"), i, "bad time"))
        .collect();
    let outcome = e.suggest(&message);
    assert_eq!(top_id(&outcome), Some("thanks"));
    assert_eq!(outcome.unreadable.len(), replykit::limits::MAX_HISTORY);
}
