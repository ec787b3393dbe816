//! What the engine knows about a message besides its text: when it came (and so whether
//! the office is open), what its author had before, and how long a reply its channel
//! takes.

use crate::config::{HoursCondition, RuleSet};
use crate::conversation::{Sent, MAX_HISTORY};
use crate::hours::{parse_timestamp, OfficeHours};
use crate::message::Message;
use crate::outcome::Suppression;
use jiff::{SignedDuration, Timestamp};
use std::sync::OnceLock;
use std::time::Duration;

/// A reply the author had, as read from the history.
#[derive(Debug)]
struct Past {
    id: String,
    variation: usize,
    /// `None` when the history did not say, or said it unreadably.
    at: Option<Timestamp>,
}

/// The situation of one message.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    office: Option<&'a OfficeHours>,
    /// The message's time, when anything needs it: `received_at`, or the host's clock.
    now: Option<Timestamp>,
    /// Whether the office is open at `now`; `None` without office hours.
    open: Option<bool>,
    /// Oldest first.
    past: Vec<Past>,
    /// Message values that could not be read.
    pub(crate) unreadable: Vec<String>,
    /// The channel's `max_length`.
    pub(crate) limit: Option<usize>,
    next_open: OnceLock<Option<String>>,
}

impl<'a> Context<'a> {
    /// Reads the message's time, history (after `stored`, from the host's store) and
    /// channel; `office`: the engine's office hours, if the rule set uses them.
    pub(crate) fn new(
        set: &'a RuleSet,
        office: Option<&'a OfficeHours>,
        message: &Message,
        stored: Vec<Sent>,
    ) -> Context<'a> {
        let mut unreadable = Vec::new();
        let received = message.received_at.as_deref().and_then(|text| {
            let at = parse_timestamp(text);
            if at.is_none() {
                unreadable.push("received_at".to_string());
            }
            at
        });
        // The store's entries, then the message's; each named for `unreadable`.
        let all = stored
            .iter()
            .enumerate()
            .map(|(i, s)| ("store", i, s))
            .chain(
                message
                    .history
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ("history", i, s)),
            );
        let skip = (stored.len() + message.history.len()).saturating_sub(MAX_HISTORY);
        let past: Vec<Past> = all
            .skip(skip)
            .map(|(source, i, s)| {
                let at = s.at.as_deref().and_then(|text| {
                    let at = parse_timestamp(text);
                    if at.is_none() {
                        unreadable.push(format!("{source}[{i}].at"));
                    }
                    at
                });
                Past {
                    id: s.id.clone(),
                    variation: s.variation,
                    at,
                }
            })
            .collect();
        let now =
            (office.is_some() || !past.is_empty()).then(|| received.unwrap_or_else(Timestamp::now));
        let open = office.zip(now).map(|(o, now)| o.is_open(now));
        let limit = match message.channel.as_deref() {
            Some(c) if !set.channels.is_empty() => set
                .channels
                .get(&c.trim().to_lowercase())
                .and_then(|c| c.max_length),
            _ => None,
        };
        Context {
            office,
            now,
            open,
            past,
            unreadable,
            limit,
            next_open: OnceLock::new(),
        }
    }

    /// Whether a rule's office-hours condition holds (a rule without one always holds).
    pub(crate) fn hours_hold(&self, condition: Option<HoursCondition>) -> bool {
        match (condition, self.open) {
            (None, _) => true,
            (Some(HoursCondition::Inside), Some(open)) => open,
            (Some(HoursCondition::Outside), Some(open)) => !open,
            // Loading refuses hours conditions without [hours]; hold nothing.
            (Some(_), None) => false,
        }
    }

    /// `{{next_open}}`, computed the first time a reply asks for it.
    pub(crate) fn next_open(&self) -> Option<&str> {
        self.next_open
            .get_or_init(|| {
                let (office, now) = (self.office?, self.now?);
                office.next_open_text(now)
            })
            .as_deref()
    }

    /// How many different ids the history holds: at most that many candidates can be
    /// held back.
    pub(crate) fn history_ids(&self) -> usize {
        let mut ids: Vec<&str> = self.past.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }

    /// Whether the history holds back a reply with this id, why, and (for a cooldown
    /// with a known time) until when.
    pub(crate) fn suppression(
        &self,
        id: &str,
        cooldown: Option<Duration>,
        once_per_conversation: bool,
    ) -> Option<(Suppression, Option<String>)> {
        if cooldown.is_none() && !once_per_conversation {
            return None;
        }
        let mut had = self.past.iter().filter(|p| p.id == id).peekable();
        had.peek()?;
        if once_per_conversation {
            return Some((Suppression::OncePerConversation, None));
        }
        let cooldown = SignedDuration::try_from(cooldown?).ok()?;
        // An entry without a readable time counts as just sent: holding back one reply
        // too many is better than sending it twice.
        let mut latest: Option<Timestamp> = None;
        for p in had {
            match p.at {
                None => return Some((Suppression::Cooldown, None)),
                Some(at) => latest = latest.max(Some(at)),
            }
        }
        let until = latest?.checked_add(cooldown).ok()?;
        let now = self.now?;
        (now < until).then(|| (Suppression::Cooldown, Some(until.to_string())))
    }

    /// The variations of `id` the author had, and the one they had last.
    pub(crate) fn variations_had(&self, id: &str) -> (Vec<usize>, Option<usize>) {
        let mut seen = Vec::new();
        let mut last: Option<&Past> = None;
        for p in self.past.iter().filter(|p| p.id == id) {
            seen.push(p.variation);
            // The last: the latest `at`; among equal or unknown times, the later entry
            // (this one: the history is read oldest first).
            if last.is_none_or(|l| l.at <= p.at) {
                last = Some(p);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        (seen, last.map(|l| l.variation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_times_are_named_and_count_as_just_sent() {
        let set = RuleSet::from_toml("t.toml", "").expect("an empty rule set loads");
        let mut message = Message::new("hi").with_received_at("not a time");
        message.history = vec![
            Sent::new("a", 0, "2026-12-02T10:00:00Z"),
            Sent::new("a", 1, "yesterday"),
        ];
        let ctx = Context::new(&set, None, &message, vec![]);
        assert_eq!(ctx.unreadable, ["received_at", "history[1].at"]);
        assert_eq!(
            ctx.suppression("a", Some(Duration::from_secs(60)), false),
            Some((Suppression::Cooldown, None))
        );
        assert_eq!(
            ctx.suppression("b", Some(Duration::from_secs(60)), false),
            None
        );
        assert_eq!(ctx.variations_had("a"), (vec![0, 1], Some(0)));
    }
}
