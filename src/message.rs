//! The input: a message as a host passes it in.

use crate::conversation::Sent;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// An incoming message. Only `text` is required.
///
/// The JSON form, as a host in any language sends it:
///
/// ```
/// let msg: replykit::Message = serde_json::from_str(r#"{
///     "text": "my bin wasn't emptied", "channel": "twitter",
///     "author": {"id": "12345", "name": "Sam", "handle": "@sam"},
///     "received_at": "2026-12-02T22:00:00+00:00", "fields": {"account": "resident"},
///     "history": [{"id": "bin-day", "variation": 0, "at": "2026-12-01T09:10:00+00:00"}]
/// }"#)?;
/// assert_eq!(msg.author.as_ref().and_then(|a| a.name.as_deref()), Some("Sam"));
/// assert_eq!(msg.history[0].id, "bin-day");
/// assert!(!msg.from_us && !msg.automated);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The host's own id for the message, a string or a number: the outcome carries it
    /// back ([`Outcome::id`](crate::Outcome::id)), so a host need not rely on order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<MessageId>,
    /// The message text, as received.
    pub text: String,
    /// Where it came from, such as `twitter`, `facebook`, `email`, `webchat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    /// When it was received, as RFC 3339 text with an offset
    /// (`2026-12-02T22:00:00+00:00` or `2026-12-02T22:00:00Z`). It decides office hours
    /// and cooldowns; when absent, the host's clock is used. Text that is not such a
    /// timestamp is treated as absent and listed in [`Outcome::unreadable`](crate::Outcome::unreadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// Custom fields from the host (account type, ward, ...). In JSON, numbers and
    /// booleans are taken as their text.
    #[serde(
        default,
        deserialize_with = "fields_as_text",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, crate::schema::FieldValue>")
    )]
    pub fields: BTreeMap<String, String>,
    /// Recent replies sent to this author, oldest first: which rule or FAQ entry,
    /// which variation, when. It drives `cooldown`, `once_per_conversation` and the
    /// choice of variation (see the crate docs, "Conversation memory").
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<Sent>>"))]
    pub history: Vec<Sent>,
    /// Sent by the organisation itself (a colleague's reply, our own post): never
    /// auto-replied, and no notice.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_us: bool,
    /// Sent by another automaton (an auto-responder, a bot): never auto-replied, and no
    /// notice, so that two automata never answer each other in a loop.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automated: bool,
}

/// The author of a message.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Author {
    /// The author's id on the channel. In JSON, a number is taken as its text
    /// (`{"id": 12345}`, as many platforms send it).
    #[serde(
        default,
        deserialize_with = "id_as_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<MessageId>"))]
    pub id: Option<String>,
    /// The author's display name, usable in replies as `{{author.name}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The author's handle, such as `@sam`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

impl Author {
    /// An author with a display name.
    pub fn named(name: impl Into<String>) -> Author {
        Author {
            name: Some(name.into()),
            ..Author::default()
        }
    }

    /// An author with an id on the channel (the key of their conversation memory).
    ///
    /// ```
    /// let sam = replykit::Author::from_id("12345");
    /// assert_eq!(sam.id.as_deref(), Some("12345"));
    /// ```
    pub fn from_id(id: impl Into<String>) -> Author {
        Author {
            id: Some(id.into()),
            ..Author::default()
        }
    }

    /// An author with a handle, such as `@sam`.
    pub fn from_handle(handle: impl Into<String>) -> Author {
        Author {
            handle: Some(handle.into()),
            ..Author::default()
        }
    }

    /// The value of `id`, `name` or `handle`, as rule conditions (`when.author.name`)
    /// and templates (`{{author.name}}`) name them; `None` for another key.
    ///
    /// ```
    /// let sam = replykit::Author::named("Sam");
    /// assert_eq!(sam.get("name"), Some("Sam"));
    /// assert_eq!(sam.get("handle"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "id" => self.id.as_deref(),
            "name" => self.name.as_deref(),
            "handle" => self.handle.as_deref(),
            _ => None,
        }
    }
}

impl Message {
    /// The keys a message carries in JSON. A line with any other key is still read
    /// (the key is ignored), and `replykit suggest` names it in the outcome's
    /// [`unreadable`](crate::Outcome::unreadable), with [`closest_key`](Self::closest_key)'s
    /// hint: a typo such as `recieved_at` would otherwise go unseen.
    pub const KEYS: &'static [&'static str] = &[
        "id",
        "text",
        "channel",
        "author",
        "received_at",
        "fields",
        "history",
        "from_us",
        "automated",
    ];

    /// For a key no message carries, the one it most likely meant.
    ///
    /// ```
    /// assert_eq!(replykit::Message::closest_key("recieved_at"), Some("received_at"));
    /// assert_eq!(replykit::Message::closest_key("colour"), None);
    /// ```
    pub fn closest_key(key: &str) -> Option<&'static str> {
        crate::config::walk::closest(key, Self::KEYS)
    }

    /// A message with only its text.
    ///
    /// ```
    /// let msg = replykit::Message::new("when is my bin collected?");
    /// assert_eq!(msg.text, "when is my bin collected?");
    /// ```
    pub fn new(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            ..Message::default()
        }
    }

    /// Sets the channel.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Message {
        self.channel = Some(channel.into());
        self
    }

    /// Sets the author.
    pub fn with_author(mut self, author: Author) -> Message {
        self.author = Some(author);
        self
    }

    /// Sets a custom field.
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Message {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// Sets when it was received (RFC 3339 text with an offset).
    ///
    /// ```
    /// let msg = replykit::Message::new("hello?").with_received_at("2026-12-05T21:30:00Z");
    /// assert_eq!(msg.received_at.as_deref(), Some("2026-12-05T21:30:00Z"));
    /// ```
    pub fn with_received_at(mut self, at: impl Into<String>) -> Message {
        self.received_at = Some(at.into());
        self
    }

    /// Adds a reply this author had before (oldest first).
    ///
    /// ```
    /// use replykit::{Message, Sent};
    /// let msg = Message::new("thanks!").with_sent(Sent::new("thanks", 1, "2026-12-05T21:30:00Z"));
    /// assert_eq!(msg.history.len(), 1);
    /// ```
    pub fn with_sent(mut self, sent: Sent) -> Message {
        self.history.push(sent);
        self
    }

    /// Marks it as sent by the organisation itself: never auto-replied.
    pub fn marked_from_us(mut self) -> Message {
        self.from_us = true;
        self
    }

    /// Marks it as sent by another automaton: never auto-replied.
    pub fn marked_automated(mut self) -> Message {
        self.automated = true;
        self
    }

    /// The key a [`ConversationStore`](crate::ConversationStore) files this author
    /// under: the author's id, or their handle when there is no id.
    ///
    /// ```
    /// use replykit::{Author, Message};
    /// let author = Author::from_handle("@sam");
    /// assert_eq!(Message::new("hi").with_author(author).author_key(), Some("@sam"));
    /// assert_eq!(Message::new("hi").author_key(), None);
    /// ```
    pub fn author_key(&self) -> Option<&str> {
        let author = self.author.as_ref()?;
        author
            .id
            .as_deref()
            .or(author.handle.as_deref())
            .filter(|k| !k.is_empty())
    }
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Sent>, D::Error> {
    Ok(Option::<Vec<Sent>>::deserialize(d)?.unwrap_or_default())
}

/// A host's id for a message: a string or a whole number, given back as it came.
///
/// ```
/// let msg: replykit::Message = serde_json::from_str(r#"{"id": 42, "text": "hi"}"#)?;
/// assert_eq!(msg.id, Some(replykit::MessageId::Unsigned(42)));
/// assert_eq!(serde_json::to_string(&msg.id)?, "42");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum MessageId {
    /// `"m-42"`.
    Text(String),
    /// `42`.
    Unsigned(u64),
    /// `-42`.
    Signed(i64),
}

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageId::Text(s) => f.write_str(s),
            MessageId::Unsigned(n) => write!(f, "{n}"),
            MessageId::Signed(n) => write!(f, "{n}"),
        }
    }
}

/// An author id as text: a JSON string, or a whole number's digits; `null` is absent.
fn id_as_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<MessageId>::deserialize(d)?.map(|id| id.to_string()))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FieldValue {
    /// `null`: the field has no value (issue 13: it rejected the whole message).
    Null(()),
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

fn fields_as_text<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, FieldValue>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| {
            let text = match v {
                FieldValue::Null(()) => return None,
                FieldValue::Text(s) => s,
                FieldValue::Integer(i) => i.to_string(),
                FieldValue::Float(f) => f.to_string(),
                FieldValue::Bool(b) => b.to_string(),
            };
            Some((k, text))
        })
        .collect())
}

#[cfg(test)]
mod keys_tests {
    use super::*;

    #[test]
    fn keys_are_the_keys_a_full_message_has() {
        let mut message = Message::new("hi").with_author(Author::named("Sam"));
        message.id = Some(MessageId::Unsigned(1));
        message.channel = Some("email".into());
        message.received_at = Some("2026-12-02T10:00:00Z".into());
        message.fields.insert("ward".into(), "north".into());
        message
            .history
            .push(Sent::new("a", 0, "2026-12-01T10:00:00Z"));
        message.from_us = true;
        message.automated = true;
        let json = serde_json::to_value(&message).unwrap_or_default();
        let mut keys: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        let mut known = Message::KEYS.to_vec();
        known.sort_unstable();
        assert_eq!(keys, known);
    }
}
