//! What ranking a fired rule and rendering its suggestion read of the rule, for every
//! rule side by side.
//!
//! With 100,000 rules, each read of a rule's own data is a cache miss, and rendering a
//! suggestion read four places one after another: the rule (its priority), its
//! template, the template's text and its id's text. A card holds the priority and the
//! flags in 24 bytes, and a *plain* rule's id and reply sit one after the other in one
//! buffer, so a plain rule's suggestion reads two places. A plain rule is the common
//! kind: one reply without slots, no tags, no cooldown, not once per conversation
//! (nothing else of the rule is read to suggest it). Replies longer than
//! [`PLAIN_MAX_BYTES`] are read from the rule instead, so that the copy stays small.

use crate::config::Rule;

/// A plain rule's id and reply are copied into the cards only up to this many bytes
/// together.
const PLAIN_MAX_BYTES: usize = 512;

/// One rule's card.
#[derive(Clone, Copy, Debug)]
struct Card {
    priority: i64,
    /// A plain rule's id starts here in `texts`, its reply follows it.
    start: u32,
    id_len: u32,
    reply_len: u32,
    flags: u8,
}

impl Card {
    const ESCALATE: u8 = 1;
    const AUTO_REPLY: u8 = 2;
    const PLAIN: u8 = 4;

    fn has(self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Every rule's card, by its place in the rule set.
#[derive(Debug, Default)]
pub(crate) struct Cards {
    cards: Vec<Card>,
    /// The plain rules' ids and replies, one after another.
    texts: String,
}

/// A rule as ranking and rendering read it (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuleCard<'c> {
    pub(crate) priority: i64,
    pub(crate) escalate: bool,
    pub(crate) auto_reply: bool,
    /// For a plain rule, its id and its one reply.
    pub(crate) plain: Option<Plain<'c>>,
}

/// A plain rule's id and its reply, which renders as written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plain<'c> {
    pub(crate) id: &'c str,
    pub(crate) reply: &'c str,
}

impl Cards {
    pub(crate) fn build(rules: &[Rule]) -> Cards {
        let mut cards = Cards {
            cards: Vec::with_capacity(rules.len()),
            texts: String::new(),
        };
        for rule in rules {
            let answer = &rule.answer;
            let mut card = Card {
                priority: rule.priority,
                start: 0,
                id_len: 0,
                reply_len: 0,
                flags: 0,
            };
            if rule.escalate {
                card.flags |= Card::ESCALATE;
            }
            if answer.auto_reply {
                card.flags |= Card::AUTO_REPLY;
            }
            let reply = match answer.replies.as_slice() {
                [only] => only.as_plain(),
                _ => None,
            };
            let plain = reply.filter(|reply| {
                answer.tags.is_empty()
                    && !answer.may_be_held_back()
                    && answer.id.len() + reply.len() <= PLAIN_MAX_BYTES
            });
            if let Some(reply) = plain {
                let offsets = (
                    u32::try_from(cards.texts.len()),
                    u32::try_from(answer.id.len()),
                    u32::try_from(reply.len()),
                    u32::try_from(cards.texts.len() + answer.id.len() + reply.len()),
                );
                if let (Ok(start), Ok(id_len), Ok(reply_len), Ok(_)) = offsets {
                    cards.texts.push_str(&answer.id);
                    cards.texts.push_str(reply);
                    card.start = start;
                    card.id_len = id_len;
                    card.reply_len = reply_len;
                    card.flags |= Card::PLAIN;
                }
            }
            cards.cards.push(card);
        }
        cards.texts.shrink_to_fit();
        cards
    }

    /// The card of rule number `rule`.
    pub(crate) fn get(&self, rule: usize) -> Option<RuleCard<'_>> {
        let card = *self.cards.get(rule)?;
        let plain = if card.has(Card::PLAIN) {
            let start = card.start as usize;
            let middle = start + card.id_len as usize;
            let end = middle + card.reply_len as usize;
            Some(Plain {
                id: self.texts.get(start..middle)?,
                reply: self.texts.get(middle..end)?,
            })
        } else {
            None
        };
        Some(RuleCard {
            priority: card.priority,
            escalate: card.has(Card::ESCALATE),
            auto_reply: card.has(Card::AUTO_REPLY),
            plain,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSet;

    #[test]
    fn cards_say_what_the_rules_say() {
        let set = RuleSet::from_toml(
            "t.toml",
            r#"
            [vars]
            phone = "0300"
            [[rule]]
            id = "plain"
            when.any = ["a"]
            priority = -3
            reply = "Just text."
            [[rule]]
            id = "slot"
            when.any = ["b"]
            escalate = true
            reply = "Call {{phone}}."
            [[rule]]
            id = "two"
            when.any = ["c"]
            reply = ["One.", "Two."]
            [[rule]]
            id = "tagged"
            when.any = ["d"]
            tags = ["x"]
            auto_reply = false
            reply = "Tagged."
            [[rule]]
            id = "once"
            when.any = ["e"]
            once_per_conversation = true
            reply = "Once."
            "#,
        )
        .expect("loads");
        let cards = Cards::build(set.rules());
        for (i, rule) in set.rules().iter().enumerate() {
            let card = cards.get(i).expect("a card");
            assert_eq!(card.priority, rule.priority);
            assert_eq!(card.escalate, rule.escalate);
            assert_eq!(card.auto_reply, rule.answer.auto_reply);
            match card.plain {
                Some(plain) => {
                    assert_eq!(plain.id, rule.answer.id);
                    assert_eq!(plain.reply, rule.answer.replies[0].source());
                }
                None => assert_ne!(rule.answer.id, "plain"),
            }
        }
        assert!(cards.get(0).and_then(|c| c.plain).is_some());
        assert!(cards.get(5).is_none());
    }
}
