//! A trie over word ids: finds every listed phrase in a sequence of words.
//!
//! Rule phrases and synonym phrases are sequences of word ids. Walking the trie from
//! each word of a message finds every phrase that starts there in as many hash lookups
//! as the phrase has words, and most walks end after one lookup (the word starts no
//! phrase). This is the "hash of word n-grams" approach: its cost grows with the
//! message, not with the number of phrases.

use super::FastMap;

/// The id of a word that is in no phrase.
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// A trie from word-id sequences to a value (a phrase id).
#[derive(Clone, Debug, Default)]
pub(crate) struct PhraseTrie {
    /// `(node << 32 | word)` → child node. The root is node 0.
    edges: FastMap<u64, u32>,
    /// node → the value of the phrase ending there.
    values: FastMap<u32, u32>,
    nodes: u32,
    longest: usize,
}

impl PhraseTrie {
    /// Adds a phrase; returns the value already stored for the same phrase, if any
    /// (which is kept).
    pub(crate) fn insert(&mut self, words: &[u32], value: u32) -> Option<u32> {
        let mut node = 0u32;
        for &w in words {
            let key = (u64::from(node) << 32) | u64::from(w);
            node = match self.edges.get(&key) {
                Some(&child) => child,
                None => {
                    self.nodes += 1;
                    self.edges.insert(key, self.nodes);
                    self.nodes
                }
            };
        }
        self.longest = self.longest.max(words.len());
        match self.values.get(&node) {
            Some(&old) => Some(old),
            None => {
                self.values.insert(node, value);
                None
            }
        }
    }

    /// The number of distinct phrases.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    #[inline]
    fn child(&self, node: u32, word: u32) -> Option<u32> {
        if word == UNKNOWN {
            return None;
        }
        self.edges
            .get(&((u64::from(node) << 32) | u64::from(word)))
            .copied()
    }

    /// Calls `found(start, len, value)` for every phrase occurring in `words`,
    /// overlapping ones included, in order of start then length.
    pub(crate) fn for_each_match(&self, words: &[u32], mut found: impl FnMut(usize, usize, u32)) {
        if self.values.is_empty() {
            return;
        }
        for start in 0..words.len() {
            let mut node = 0u32;
            for (len, &w) in words[start..].iter().enumerate().take(self.longest) {
                match self.child(node, w) {
                    Some(child) => node = child,
                    None => break,
                }
                if let Some(&v) = self.values.get(&node) {
                    found(start, len + 1, v);
                }
            }
        }
    }

    /// The longest phrase starting at `words[start]`: `(len, value)`.
    pub(crate) fn longest_at(&self, words: &[u32], start: usize) -> Option<(usize, u32)> {
        let mut node = 0u32;
        let mut best = None;
        for (len, &w) in words.get(start..)?.iter().enumerate().take(self.longest) {
            match self.child(node, w) {
                Some(child) => node = child,
                None => break,
            }
            if let Some(&v) = self.values.get(&node) {
                best = Some((len + 1, v));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_phrases() {
        let mut trie = PhraseTrie::default();
        assert_eq!(trie.insert(&[1], 10), None);
        assert_eq!(trie.insert(&[1, 2], 11), None);
        assert_eq!(trie.insert(&[2, 3], 12), None);
        assert_eq!(trie.insert(&[1, 2], 99), Some(11));
        let mut found = Vec::new();
        trie.for_each_match(&[0, 1, 2, 3, UNKNOWN, 1], |s, l, v| found.push((s, l, v)));
        assert_eq!(found, [(1, 1, 10), (1, 2, 11), (2, 2, 12), (5, 1, 10)]);
        assert_eq!(trie.longest_at(&[1, 2, 3], 0), Some((2, 11)));
        assert_eq!(trie.longest_at(&[1, 2, 3], 9), None);
    }
}
