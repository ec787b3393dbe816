//! The input: a message as a host passes it in.

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
///     "received_at": "2026-12-02T22:00:00+00:00", "fields": {"account": "resident"}
/// }"#)?;
/// assert_eq!(msg.author.as_ref().and_then(|a| a.name.as_deref()), Some("Sam"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The message text, as received.
    pub text: String,
    /// Where it came from, such as `twitter`, `facebook`, `email`, `webchat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    /// When it was received, as RFC 3339 text (`2026-12-02T22:00:00+00:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// Custom fields from the host (account type, ward, ...). In JSON, numbers and
    /// booleans are taken as their text.
    #[serde(
        default,
        deserialize_with = "fields_as_text",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub fields: BTreeMap<String, String>,
}

/// The author of a message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Author {
    /// The author's id on the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
}

impl Message {
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
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FieldValue {
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
        .map(|(k, v)| {
            let text = match v {
                FieldValue::Text(s) => s,
                FieldValue::Integer(i) => i.to_string(),
                FieldValue::Float(f) => f.to_string(),
                FieldValue::Bool(b) => b.to_string(),
            };
            (k, text)
        })
        .collect())
}
