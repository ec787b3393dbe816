//! A trie over word ids: finds every listed phrase in a sequence of words.
//!
//! Rule phrases and synonym phrases are sequences of word ids. Walking the trie from
//! each word of a message finds every phrase that starts there in one step per word of
//! the phrase, and most walks end after the first step (the word starts no phrase),
//! which is an array read. This is the "hash of word n-grams" approach: its cost grows
//! with the message, not with the number of phrases.

use super::FastMap;
use std::marker::PhantomData;

/// The number of a word or a stem that the rule set never uses (inside [`WordId`] and
/// [`StemId`] only: outside this module, those types' `UNKNOWN` say it).
const UNKNOWN: u32 = u32::MAX;

/// No value.
const NONE: u32 = u32::MAX;

/// A number of the vocabulary's (a word's or a stem's): the type, its `UNKNOWN`, and
/// its trie key, written once for both.
macro_rules! vocabulary_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(u32);

        impl $name {
            #[doc = concat!("A ", $what, " the rule set never uses.")]
            pub(crate) const UNKNOWN: $name = $name(UNKNOWN);

            #[doc = concat!("The ", $what, " numbered `n` (the vocabulary numbers them from 0).")]
            pub(super) const fn new(n: u32) -> $name {
                $name(n)
            }

            /// Its number (for `UNKNOWN`, one that nothing in the vocabulary has).
            pub(crate) fn number(self) -> u32 {
                self.0
            }

            /// Its number, as an index into the vocabulary's lists.
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl TrieKey for $name {
            fn key(self) -> u32 {
                self.number()
            }
        }
    };
}

vocabulary_id!(
    /// A word of the vocabulary, by number: a word of the rule set's phrases, questions
    /// or answers, or a synonym group (which reads as one word).
    WordId,
    "word"
);

vocabulary_id!(
    /// A stem of the vocabulary, by number: the stem of a word the rule set uses, or a
    /// synonym group (which reads as one stem).
    StemId,
    "stem"
);

/// What a trie's phrases are sequences of: [`WordId`]s or [`StemId`]s.
pub(crate) trait TrieKey: Copy {
    /// The key's number; an unknown word's or stem's is in no phrase.
    fn key(self) -> u32;
}

#[cfg(test)]
impl TrieKey for u32 {
    fn key(self) -> u32 {
        self
    }
}

/// A trie from sequences of word (or stem) ids to a value (a phrase id).
#[derive(Clone, Debug)]
pub(crate) struct PhraseTrie<K> {
    /// The root's children, indexed by word id (0: none).
    root: Vec<u32>,
    /// `(node << 32 | word)` → child node, below the root. The root is node 0.
    edges: FastMap<u64, u32>,
    /// Which keys of `edges` may be there: most steps below the root lead nowhere, and
    /// this small filter says so without a (cache-missing) look-up in the map.
    maybe_edges: EdgeFilter,
    /// node → the value of the phrase ending there, or [`NONE`].
    values: Vec<u32>,
    phrases: usize,
    longest: usize,
    key: PhantomData<fn(K)>,
}

impl<K> Default for PhraseTrie<K> {
    fn default() -> PhraseTrie<K> {
        PhraseTrie {
            root: Vec::new(),
            edges: FastMap::default(),
            maybe_edges: EdgeFilter::default(),
            values: Vec::new(),
            phrases: 0,
            longest: 0,
            key: PhantomData,
        }
    }
}

impl<K: TrieKey> PhraseTrie<K> {
    /// Adds a phrase; returns the value already stored for the same phrase, if any
    /// (which is kept).
    pub(crate) fn insert(&mut self, words: &[K], value: u32) -> Option<u32> {
        if self.values.is_empty() {
            self.values.push(NONE); // the root
        }
        let mut node = 0u32;
        for &w in words {
            node = match self.child(node, w) {
                Some(child) => child,
                None => {
                    let w = w.key();
                    let child = self.values.len() as u32;
                    self.values.push(NONE);
                    if node == 0 {
                        let i = w as usize;
                        if self.root.len() <= i {
                            self.root.resize(i + 1, 0);
                        }
                        if let Some(slot) = self.root.get_mut(i) {
                            *slot = child;
                        }
                    } else {
                        let key = (u64::from(node) << 32) | u64::from(w);
                        self.edges.insert(key, child);
                        self.maybe_edges.insert(key, &self.edges);
                    }
                    child
                }
            };
        }
        self.longest = self.longest.max(words.len());
        match self.values.get_mut(node as usize) {
            Some(old) if *old != NONE => Some(*old),
            Some(slot) => {
                *slot = value;
                self.phrases += 1;
                None
            }
            None => None,
        }
    }

    /// The value stored for a phrase, if it was added.
    pub(crate) fn get(&self, words: &[K]) -> Option<u32> {
        let mut node = 0u32;
        for &w in words {
            node = self.child(node, w)?;
        }
        self.value(node).filter(|_| !words.is_empty())
    }

    /// The number of distinct phrases.
    pub(crate) fn len(&self) -> usize {
        self.phrases
    }

    #[inline]
    fn child(&self, node: u32, word: K) -> Option<u32> {
        let word = word.key();
        if word == UNKNOWN {
            return None;
        }
        if node == 0 {
            return self.root.get(word as usize).copied().filter(|&c| c != 0);
        }
        let key = (u64::from(node) << 32) | u64::from(word);
        if !self.maybe_edges.may_hold(key) {
            return None;
        }
        self.edges.get(&key).copied()
    }

    #[inline]
    fn value(&self, node: u32) -> Option<u32> {
        self.values
            .get(node as usize)
            .copied()
            .filter(|&v| v != NONE)
    }

    /// The longest phrase starting at `words[start]`: `(len, value)`.
    pub(crate) fn longest_at(&self, words: &[K], start: usize) -> Option<(usize, u32)> {
        let mut node = 0u32;
        let mut best = None;
        for (len, &w) in words.get(start..)?.iter().enumerate().take(self.longest) {
            match self.child(node, w) {
                Some(child) => node = child,
                None => break,
            }
            if let Some(v) = self.value(node) {
                best = Some((len + 1, v));
            }
        }
        best
    }
}

/// A one-hash Bloom filter over edge keys, about 8 bits per edge: it answers "no such
/// edge" for about seven of eight absent keys.
#[derive(Clone, Debug, Default)]
struct EdgeFilter {
    bits: Vec<u64>,
    /// log2 of the number of bits (0 while empty).
    log2: u32,
}

impl EdgeFilter {
    #[inline]
    fn bit(&self, key: u64) -> u64 {
        // Fibonacci hashing: the top `log2` bits of the product.
        key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.log2)
    }

    /// Adds `key`, one of `edges` (whose keys are all added again when it grows).
    fn insert(&mut self, key: u64, edges: &FastMap<u64, u32>) {
        let wanted = (edges.len() * 8).next_power_of_two().max(64);
        if (wanted as u64) > (self.bits.len() as u64) * 64 {
            self.log2 = wanted.trailing_zeros();
            self.bits = vec![0; wanted / 64];
            for &k in edges.keys() {
                self.set(k);
            }
        } else {
            self.set(key);
        }
    }

    fn set(&mut self, key: u64) {
        let b = self.bit(key);
        if let Some(word) = self.bits.get_mut((b / 64) as usize) {
            *word |= 1 << (b % 64);
        }
    }

    #[inline]
    fn may_hold(&self, key: u64) -> bool {
        if self.log2 == 0 {
            return false;
        }
        let b = self.bit(key);
        self.bits
            .get((b / 64) as usize)
            .is_some_and(|word| word & (1 << (b % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_phrases() {
        let mut trie = PhraseTrie::<u32>::default();
        assert_eq!(trie.insert(&[1], 10), None);
        assert_eq!(trie.insert(&[1, 2], 11), None);
        assert_eq!(trie.insert(&[2, 3], 12), None);
        assert_eq!(trie.insert(&[1, 2], 99), Some(11));
        assert_eq!(trie.len(), 3);
        assert_eq!(trie.longest_at(&[0, 1, 2, 3, UNKNOWN, 1], 1), Some((2, 11)));
        assert_eq!(trie.longest_at(&[0, 1, 2, 3, UNKNOWN, 1], 5), Some((1, 10)));
        assert_eq!(trie.longest_at(&[0, 1, 2, 3, UNKNOWN, 1], 4), None);
        assert_eq!(trie.longest_at(&[1, 2, 3], 0), Some((2, 11)));
        assert_eq!(trie.longest_at(&[1, 2, 3], 9), None);
        assert_eq!(trie.longest_at(&[7], 0), None);
    }

    #[test]
    fn the_edge_filter_keeps_every_edge_as_it_grows() {
        let mut trie = PhraseTrie::<u32>::default();
        for w in 1..2_000u32 {
            trie.insert(&[w, w + 1, w + 2], w);
        }
        for w in 1..2_000u32 {
            assert_eq!(trie.get(&[w, w + 1, w + 2]), Some(w));
        }
        assert_eq!(trie.get(&[1, 3]), None);
    }
}
