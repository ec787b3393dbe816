//! JSON Schemas of the JSON-lines contract (feature `schema`): what a message line may
//! carry and what an outcome line carries, generated from the types themselves, so the
//! schema, the docs of each field and the code cannot drift apart.
//!
//! `replykit schema message` and `replykit schema outcome` print them.
//!
//! ```
//! let schema = serde_json::to_value(replykit::schema::outcome()).unwrap();
//! assert!(schema["properties"]["decision"].is_object());
//! assert_eq!(schema["required"], serde_json::json!(["decision", "suggestions"]));
//! ```

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// The schema of a message line, as `replykit suggest` and [`Message`](crate::Message)'s
/// `Deserialize` read it.
pub fn message() -> Schema {
    schemars::schema_for!(crate::Message)
}

/// The schema of an outcome line, as `replykit suggest` writes it and
/// [`Outcome`](crate::Outcome)'s `Serialize` gives it.
pub fn outcome() -> Schema {
    schemars::schema_for!(crate::Outcome)
}

/// A message field's value: text, or a number or boolean taken as its text, or `null`
/// for no value.
pub(crate) struct FieldValue;

impl JsonSchema for FieldValue {
    fn schema_name() -> Cow<'static, str> {
        "FieldValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Text; a number or a boolean is taken as its text, null as no value.",
            "type": ["string", "number", "boolean", "null"]
        })
    }
}

impl JsonSchema for crate::Span {
    fn schema_name() -> Cow<'static, str> {
        "Span".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "[start, end): offsets into the message text, in bytes unless the host asked for characters or UTF-16 units.",
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "minItems": 2,
            "maxItems": 2
        })
    }
}
