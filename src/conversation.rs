//! Conversation memory, owned by the host: which replies an author has had, and when.
//!
//! The engine stays pure: it remembers nothing between messages. The host tells it what
//! it knows, either in the message itself ([`Message::history`](crate::Message::history),
//! which is how hosts in other languages do it through JSON) or from a store it passes
//! to [`Engine::suggest_with`](crate::Engine::suggest_with): any type that implements
//! [`ConversationStore`], such as the bounded in-memory [`ConversationMemory`].

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

/// The most history entries the engine reads for one message (the most recent ones:
/// the last of the message's `history`, after those of the store).
pub const MAX_HISTORY: usize = 100;

/// The most replies [`ConversationMemory`] keeps for one author (the most recent).
pub const MAX_REMEMBERED: usize = 32;

/// One reply sent to an author: which rule or FAQ entry, which variation, and when.
///
/// In JSON: `{"id": "missed-bin", "variation": 0, "at": "2026-12-02T22:00:00+00:00"}`;
/// only `id` is required. `at` is RFC 3339 text with an offset; an entry without a
/// readable `at` counts as just sent (see the crate docs, "Conversation memory").
///
/// ```
/// let sent: replykit::Sent = serde_json::from_str(
///     r#"{"id": "bin-day", "variation": 1, "at": "2026-12-02T22:00:00Z"}"#,
/// )?;
/// assert_eq!(sent, replykit::Sent::new("bin-day", 1, "2026-12-02T22:00:00Z"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sent {
    /// The id of the rule or FAQ entry whose reply was sent.
    pub id: String,
    /// Which variation of the reply (0 for the first).
    #[serde(default)]
    pub variation: usize,
    /// When it was sent, as RFC 3339 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl Sent {
    /// A reply sent at `at` (RFC 3339 text such as `2026-12-02T22:00:00Z`).
    pub fn new(id: impl Into<String>, variation: usize, at: impl Into<String>) -> Sent {
        Sent {
            id: id.into(),
            variation,
            at: Some(at.into()),
        }
    }
}

/// A host's record of the replies sent to each author, read by
/// [`Engine::suggest_with`](crate::Engine::suggest_with).
///
/// The key is the author's id, or their handle when the message has no author id
/// (see [`Message::author_key`](crate::Message::author_key)). Implement it over the
/// host's own store (a database table, a cache); [`ConversationMemory`] is a small
/// in-memory one. The engine only reads: the host records what it actually sent.
///
/// ```
/// use replykit::{ConversationStore, Sent};
///
/// /// Replies kept in the host's own table, newest last.
/// struct Table(Vec<(String, Sent)>);
///
/// impl ConversationStore for Table {
///     fn recent(&self, author: &str) -> Vec<Sent> {
///         self.0.iter().filter(|(a, _)| a == author).map(|(_, s)| s.clone()).collect()
///     }
/// }
///
/// let table = Table(vec![("12345".into(), Sent::new("bin-day", 0, "2026-12-02T22:00:00Z"))]);
/// assert_eq!(table.recent("12345").len(), 1);
/// ```
pub trait ConversationStore {
    /// The replies sent to `author`, oldest first. The engine reads the last
    /// [`MAX_HISTORY`].
    fn recent(&self, author: &str) -> Vec<Sent>;
}

impl<S: ConversationStore + ?Sized> ConversationStore for &S {
    fn recent(&self, author: &str) -> Vec<Sent> {
        (**self).recent(author)
    }
}

impl ConversationStore for HashMap<String, Vec<Sent>> {
    fn recent(&self, author: &str) -> Vec<Sent> {
        self.get(author).cloned().unwrap_or_default()
    }
}

impl ConversationStore for BTreeMap<String, Vec<Sent>> {
    fn recent(&self, author: &str) -> Vec<Sent> {
        self.get(author).cloned().unwrap_or_default()
    }
}

/// A bounded in-memory [`ConversationStore`] for simple hosts: the last
/// [`MAX_REMEMBERED`] replies of each of at most `capacity` authors. When it is full,
/// recording for a new author forgets the author recorded least recently.
///
/// It is `Send + Sync` and records through `&self`, so one memory can be shared by every
/// thread that suggests and sends.
///
/// Author keys come from the public (anyone can pick a megabyte-long id), so the memory
/// keeps a 128-bit keyed hash of each key, never the key itself: its size is bounded by
/// `capacity` × ([`MAX_REMEMBERED`] replies + about 100 bytes), whatever the keys
/// (issue 13). The hash keys are random per memory, so nobody can choose an id that
/// collides with someone else's. It forgets everything when the process ends; hosts
/// that need more implement [`ConversationStore`] over their own store.
///
/// ```
/// use replykit::{Author, ConversationMemory, Engine, Message, RuleSet, Sent};
///
/// let rules = RuleSet::from_toml("t.toml", r#"
///     [[rule]]
///     id = "thanks"
///     when.any = ["thanks", "thank you"]
///     cooldown = "24h"
///     reply = "You're welcome!"
/// "#)?;
/// let engine = Engine::new(&rules)?;
/// let memory = ConversationMemory::new(10_000);
///
/// let author = Author::from_id("12345");
/// let message = Message::new("thanks!")
///     .with_author(author.clone())
///     .with_received_at("2026-12-02T22:00:00Z");
/// let outcome = engine.suggest_with(&message, &memory);
/// let top = outcome.top().expect("a reply");
/// // The host sends the reply, then records it.
/// memory.record("12345", Sent::new(&top.id, top.variation, "2026-12-02T22:00:00Z"));
///
/// // An hour later the same author says thanks again: the reply is held back.
/// let again = Message::new("thank you")
///     .with_author(author)
///     .with_received_at("2026-12-02T23:00:00Z");
/// let outcome = engine.suggest_with(&again, &memory);
/// assert!(outcome.suggestions.is_empty());
/// assert_eq!(outcome.suppressed[0].id, "thanks");
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Debug)]
pub struct ConversationMemory {
    capacity: usize,
    /// Two independently keyed hashers, for a 128-bit [`AuthorHash`].
    hashers: [RandomState; 2],
    inner: Mutex<Memory>,
}

/// An author key, hashed: a fixed size whatever the key's length.
type AuthorHash = u128;

#[derive(Debug, Default)]
struct Memory {
    /// Increases with every recording; orders authors by when they were last recorded.
    tick: u64,
    authors: HashMap<AuthorHash, (u64, VecDeque<Sent>)>,
    /// tick → author, oldest first, for forgetting the least recently recorded.
    order: BTreeMap<u64, AuthorHash>,
}

impl ConversationMemory {
    /// A memory for at most `capacity` authors (at least 1).
    pub fn new(capacity: usize) -> ConversationMemory {
        ConversationMemory {
            capacity: capacity.max(1),
            hashers: [RandomState::new(), RandomState::new()],
            inner: Mutex::new(Memory::default()),
        }
    }

    fn hash(&self, author: &str) -> AuthorHash {
        let [a, b] = &self.hashers;
        (u128::from(a.hash_one(author)) << 64) | u128::from(b.hash_one(author))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        // A panic elsewhere while holding the lock leaves the data consistent (every
        // change is a single insert or remove), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a reply sent to `author`.
    pub fn record(&self, author: &str, sent: Sent) {
        let author = self.hash(author);
        let mut m = self.lock();
        m.tick += 1;
        let tick = m.tick;
        let previous = m.authors.get(&author).map(|(t, _)| *t);
        if let Some(t) = previous {
            m.order.remove(&t);
        } else if m.authors.len() >= self.capacity {
            if let Some((_, oldest)) = m.order.pop_first() {
                m.authors.remove(&oldest);
            }
        }
        m.order.insert(tick, author);
        let entry = m
            .authors
            .entry(author)
            .or_insert_with(|| (tick, VecDeque::new()));
        entry.0 = tick;
        entry.1.push_back(sent);
        while entry.1.len() > MAX_REMEMBERED {
            entry.1.pop_front();
        }
    }

    /// Forgets everything sent to `author`, as when their conversation is closed.
    pub fn forget(&self, author: &str) {
        let author = self.hash(author);
        let mut m = self.lock();
        if let Some((tick, _)) = m.authors.remove(&author) {
            m.order.remove(&tick);
        }
    }

    /// How many authors it remembers.
    pub fn len(&self) -> usize {
        self.lock().authors.len()
    }

    /// Whether it remembers no one.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ConversationStore for ConversationMemory {
    fn recent(&self, author: &str) -> Vec<Sent> {
        let author = self.hash(author);
        self.lock()
            .authors
            .get(&author)
            .map(|(_, sent)| sent.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_bounded_and_forgets_the_least_recent_author() {
        let memory = ConversationMemory::new(2);
        for i in 0..(MAX_REMEMBERED + 5) {
            memory.record("a", Sent::new("x", i, "2026-12-02T22:00:00Z"));
        }
        assert_eq!(memory.recent("a").len(), MAX_REMEMBERED);
        assert_eq!(memory.recent("a")[0].variation, 5);
        memory.record("b", Sent::new("x", 0, "2026-12-02T22:00:00Z"));
        memory.record("a", Sent::new("y", 0, "2026-12-02T22:00:00Z"));
        memory.record("c", Sent::new("x", 0, "2026-12-02T22:00:00Z"));
        assert_eq!(memory.len(), 2);
        assert!(
            memory.recent("b").is_empty(),
            "b was recorded least recently"
        );
        assert!(!memory.recent("a").is_empty());
        memory.forget("a");
        assert!(memory.recent("a").is_empty());
        assert_eq!(memory.len(), 1);
    }
}
