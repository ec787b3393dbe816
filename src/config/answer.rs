//! What rules and FAQ entries have in common: an answer.

use crate::error::Location;
use crate::template::Template;
use std::time::Duration;

/// What a [`Rule`](crate::Rule) or an [`Faq`](crate::Faq) entry answers with: its id,
/// its reply and the reply's variations, its tags, and when it may be sent. Both hold
/// one, as `answer`; the engine reads a suggestion's reply, tags and repetition limits
/// from it whichever kind of entry the suggestion comes from.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [[rule]]
///     id = "missed-bin"
///     when.any = ["missed bin"]
///     reply = ["Sorry! Report it online.", "Sorry about that: report it online."]
///     cooldown = "1d"
///
///     [[faq]]
///     id = "bin-day"
///     questions = ["When is my bin collected?"]
///     answer = "Find your collection day online."
///     tags = ["waste"]
///     auto_reply = false
/// "#)?;
/// let rule = &rules.rules()[0].answer;
/// assert_eq!(rule.id, "missed-bin");
/// assert_eq!(rule.replies.len(), 2); // a reply and a variation
/// assert_eq!(rule.cooldown, Some(std::time::Duration::from_secs(24 * 3600)));
///
/// let faq = &rules.faqs()[0].answer;
/// assert_eq!(faq.replies[0].source(), "Find your collection day online.");
/// assert_eq!((faq.tags.as_slice(), faq.auto_reply), (&["waste".to_string()][..], false));
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Answer {
    /// `id`: the entry's id, unique in the rule set across rules and FAQ entries.
    pub id: String,
    /// The reply and its variations: a rule's `reply`, an FAQ entry's `answer`.
    pub replies: Vec<Template>,
    /// `tags`: carried into the outcome.
    pub tags: Vec<String>,
    /// `auto_reply`: `false` when it is never sent unattended (default `true`).
    pub auto_reply: bool,
    /// `cooldown`: not suggested again to an author who got it less than this long
    /// ago (from the message's `history`).
    pub cooldown: Option<Duration>,
    /// `once_per_conversation`: not suggested again to an author whose `history`
    /// holds it.
    pub once_per_conversation: bool,
    /// Where its id was written.
    pub location: Location,
}

impl Answer {
    /// Whether an author's history can hold it back (it has a `cooldown` or is
    /// `once_per_conversation`); when not, the engine need not look.
    pub(crate) fn may_be_held_back(&self) -> bool {
        self.cooldown.is_some() || self.once_per_conversation
    }
}
