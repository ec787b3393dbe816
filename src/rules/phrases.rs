//! The rule phrases, laid out for matching: a trie over word ids whose nodes keep their
//! children side by side.
//!
//! A message is matched by walking from each of its words. Most walks stop at the
//! first word (it starts no phrase: one read of an array indexed by word id); the rest
//! step to a child among the node's children, which sit together in one array: a few
//! are scanned, more are a small open-addressing table of their own (a common word
//! starts hundreds of phrases in a large rule set, and a binary search over them was a
//! chain of ten dependent reads). The nodes a workload walks through again and again
//! (those of common words) stay in the cache, however many rules there are: one hash
//! map of all edges spread each node's edges over the whole table and cost a cache
//! miss at every step below the first word (issue 14: 100,000 rules). Each edge
//! carries its word, its child's phrase and its child's children in 16 bytes, so a
//! step reads one place.

use crate::text::{FxHasher, WordId};

/// No phrase ends at a node.
const NONE: u32 = u32::MAX;

/// An empty slot of a node's table of children (no word has this number: it is
/// `WordId::UNKNOWN`'s).
const EMPTY: u32 = u32::MAX;

/// A node with at most this many children keeps them in a list, scanned; one with more
/// keeps them in a table of a power of two slots, at least twice as many (so a table
/// always has more than `SCANNED` slots, and the two kinds are told apart by size).
const SCANNED: usize = 8;

/// The slot a word hashes to in a table of `2^log2` slots (Fibonacci hashing).
fn slot(word: u32, log2: u32) -> usize {
    (word.wrapping_mul(0x9E37_79B9) >> (32 - log2)) as usize
}

/// A node, as its parent's edge (or the root's slot for its word) holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    /// The phrase ending here, or [`NONE`].
    phrase: u32,
    /// Its children: `edges[first..first + count]`, a list (`count <= SCANNED`) or a
    /// table with [`EMPTY`] slots.
    first: u32,
    count: u32,
}

impl Node {
    const EMPTY: Node = Node {
        phrase: NONE,
        first: 0,
        count: 0,
    };

    fn phrase(self) -> Option<u32> {
        (self.phrase != NONE).then_some(self.phrase)
    }
}

/// A child: its word ([`EMPTY`] for an empty slot of a table) and the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    word: u32,
    node: Node,
}

impl Edge {
    const EMPTY: Edge = Edge {
        word: EMPTY,
        node: Node::EMPTY,
    };
}

/// Phrases being added: each distinct word sequence gets the next number.
///
/// The words of every phrase sit one after another in one buffer, and a table of
/// phrase numbers (open addressing, at most half full) finds a sequence again: no
/// allocation per phrase (with 100,000 rules, a boxed key per phrase and a hash map
/// of them were a fifth of building the index).
#[derive(Debug, Default)]
pub(super) struct PhrasesBuilder {
    /// Every phrase's words, in phrase order.
    words: Vec<WordId>,
    /// phrase number → where its words end in `words` (they start where the one
    /// before ends).
    ends: Vec<u32>,
    /// `2^n` slots, each a phrase's hash (its high half) and number, or [`EMPTY`].
    slots: Vec<(u32, u32)>,
}

impl PhrasesBuilder {
    /// The number of `words` (the next free one when they are new), and whether they
    /// are new. `words` must not be empty nor hold [`WordId::UNKNOWN`].
    pub(super) fn add(&mut self, words: &[WordId]) -> (u32, bool) {
        // A rule set holds far fewer than 2^32 phrases or words (see
        // `limits::MAX_ENTRIES`).
        let count = u32::try_from(self.ends.len()).unwrap_or(NONE);
        if 2 * (self.ends.len() + 1) > self.slots.len() {
            self.grow();
        }
        let tag = hash(words);
        let mask = self.slots.len() - 1;
        let mut i = tag as usize & mask;
        loop {
            match self.slots.get(i) {
                Some(&(_, id)) if id == EMPTY => break,
                Some(&(t, id)) if t == tag && self.phrase(id) == words => return (id, false),
                Some(_) => i = (i + 1) & mask,
                None => break,
            }
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = (tag, count);
        }
        self.words.extend_from_slice(words);
        self.ends
            .push(u32::try_from(self.words.len()).unwrap_or(NONE));
        (count, true)
    }

    /// The words of phrase `id`.
    fn phrase(&self, id: u32) -> &[WordId] {
        let i = id as usize;
        let end = self.ends.get(i).map_or(0, |&e| e as usize);
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before).map_or(0, |&e| e as usize),
            None => 0,
        };
        self.words.get(start..end).unwrap_or_default()
    }

    /// Twice the slots (at least 64), every phrase placed again.
    fn grow(&mut self) {
        let size = (2 * self.slots.len()).max(64);
        let mut slots = vec![(0, EMPTY); size];
        for &(tag, id) in self.slots.iter().filter(|s| s.1 != EMPTY) {
            let mut i = tag as usize & (size - 1);
            while slots.get(i).is_some_and(|s| s.1 != EMPTY) {
                i = (i + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = (tag, id);
            }
        }
        self.slots = slots;
    }

    /// The phrases, laid out for matching.
    pub(super) fn build(self) -> Phrases {
        let mut phrases: Vec<(&[WordId], u32)> = (0..self.ends.len() as u32)
            .map(|id| (self.phrase(id), id))
            .collect();
        phrases.sort_unstable();
        let mut out = Phrases::default();
        let width = phrases
            .iter()
            .filter_map(|(words, _)| words.first())
            .map(|w| w.index() + 1)
            .max()
            .unwrap_or(0);
        out.root = vec![Node::EMPTY; width];
        out.longest = phrases.iter().map(|(w, _)| w.len()).max().unwrap_or(0);
        // The root's children: one group of phrases per first word.
        let mut groups = Vec::new();
        group_by_word(&phrases, 0, &mut groups);
        for (word, range) in groups {
            let node = out.fill(phrases.get(range).unwrap_or_default(), 1);
            if let Some(slot) = out.root.get_mut(word.index()) {
                *slot = node;
            }
        }
        out
    }
}

/// The hash of a word sequence (Fx), folded to 32 bits.
fn hash(words: &[WordId]) -> u32 {
    use std::hash::{Hash, Hasher};
    let mut h = FxHasher::default();
    words.hash(&mut h);
    let h = h.finish();
    // The high bits are the best mixed.
    (h >> 32) as u32 ^ h as u32
}

/// The runs of `phrases` (sorted, all longer than `depth`) sharing the word at `depth`.
fn group_by_word(
    phrases: &[(&[WordId], u32)],
    depth: usize,
    out: &mut Vec<(WordId, std::ops::Range<usize>)>,
) {
    out.clear();
    let mut start = 0;
    while let Some((words, _)) = phrases.get(start) {
        let Some(&word) = words.get(depth) else {
            start += 1;
            continue;
        };
        let len = phrases
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|(w, _)| w.get(depth) == Some(&word))
            .count();
        out.push((word, start..start + len));
        start += len;
    }
}

/// Every rule phrase, by number, laid out for matching (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Phrases {
    /// word id → the node of the phrases starting with that word.
    root: Vec<Node>,
    /// Below the root: each node's children, side by side.
    edges: Vec<Edge>,
    longest: usize,
}

impl Phrases {
    /// The node for `phrases` (sorted, sharing their first `depth` words): the phrase
    /// of exactly those words, if one, and the children below, laid out.
    fn fill(&mut self, phrases: &[(&[WordId], u32)], depth: usize) -> Node {
        let mut node = Node::EMPTY;
        let rest = match phrases.first() {
            Some((words, id)) if words.len() == depth => {
                node.phrase = *id;
                phrases.get(1..).unwrap_or_default()
            }
            _ => phrases,
        };
        let mut groups = Vec::new();
        group_by_word(rest, depth, &mut groups);
        if groups.is_empty() {
            return node;
        }
        // The children side by side first (a list, or a table), then each one's own
        // children.
        let first = self.edges.len();
        let (size, log2) = if groups.len() <= SCANNED {
            (groups.len(), 0)
        } else {
            let size = (2 * groups.len()).next_power_of_two();
            (size, size.trailing_zeros())
        };
        node.first = u32::try_from(first).unwrap_or(NONE);
        node.count = u32::try_from(size).unwrap_or(0);
        self.edges.resize(first + size, Edge::EMPTY);
        let mut places = Vec::with_capacity(groups.len());
        for (i, (word, _)) in groups.iter().enumerate() {
            let mut place = if log2 == 0 {
                i
            } else {
                slot(word.number(), log2)
            };
            // Linear probing: the table is at most half full.
            while self
                .edges
                .get(first + place)
                .is_some_and(|e| e.word != EMPTY)
            {
                place = (place + 1) & (size - 1);
            }
            if let Some(e) = self.edges.get_mut(first + place) {
                e.word = word.number();
            }
            places.push(first + place);
        }
        for ((_, range), place) in groups.into_iter().zip(places) {
            let child = self.fill(rest.get(range).unwrap_or_default(), depth + 1);
            if let Some(e) = self.edges.get_mut(place) {
                e.node = child;
            }
        }
        node
    }

    /// The child of `node` for `word`.
    #[inline]
    fn child(&self, node: Node, word: WordId) -> Option<Node> {
        let first = node.first as usize;
        let edges = self.edges.get(first..first + node.count as usize)?;
        let word = word.number();
        if word == EMPTY {
            return None;
        }
        if edges.len() <= SCANNED {
            return edges.iter().find(|e| e.word == word).map(|e| e.node);
        }
        let mask = edges.len() - 1;
        let mut i = slot(word, edges.len().trailing_zeros());
        loop {
            match edges.get(i) {
                Some(e) if e.word == word => return Some(e.node),
                Some(e) if e.word == EMPTY => return None,
                None => return None,
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// The number of a phrase, if it is one of the index's.
    pub(super) fn get(&self, words: &[WordId]) -> Option<u32> {
        let (first, rest) = words.split_first()?;
        let mut node = *self.root.get(first.index())?;
        for &w in rest {
            node = self.child(node, w)?;
        }
        node.phrase()
    }

    /// Calls `found(start, len, phrase)` for every phrase occurring in `items` (read
    /// as word ids by `id`), overlapping ones included, in order of start then length.
    #[inline]
    pub(super) fn for_each_match<T>(
        &self,
        items: &[T],
        id: impl Fn(&T) -> WordId,
        mut found: impl FnMut(usize, usize, u32),
    ) {
        for (start, item) in items.iter().enumerate() {
            // `UNKNOWN` is past the end of the root.
            let Some(&node) = self.root.get(id(item).index()) else {
                continue;
            };
            let mut node = node;
            if let Some(p) = node.phrase() {
                found(start, 1, p);
            }
            let mut len = 1;
            while node.count > 0 && len < self.longest {
                let Some(next) = items.get(start + len) else {
                    break;
                };
                match self.child(node, id(next)) {
                    Some(child) => node = child,
                    None => break,
                }
                len += 1;
                if let Some(p) = node.phrase() {
                    found(start, len, p);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Analyzer, AnalyzerBuilder, Language};

    /// An analyzer knowing the words `w0` to `w999` (`x` is unknown).
    fn analyzer() -> Analyzer {
        let mut b = AnalyzerBuilder::new(Language::english());
        let words: Vec<String> = (0..1_000).map(|n| format!("w{n}")).collect();
        b.add_text(&words.join(" "));
        b.build()
    }

    fn ws(a: &Analyzer, ns: &[u32]) -> Vec<WordId> {
        let text: Vec<String> = ns.iter().map(|n| format!("w{n}")).collect();
        let words = a.phrase_words(&text.join(" "));
        assert!(!words.contains(&WordId::UNKNOWN));
        words
    }

    #[test]
    fn finds_overlapping_phrases() {
        let a = analyzer();
        let mut b = PhrasesBuilder::default();
        assert_eq!(b.add(&ws(&a, &[1])), (0, true));
        assert_eq!(b.add(&ws(&a, &[1, 2])), (1, true));
        assert_eq!(b.add(&ws(&a, &[2, 3])), (2, true));
        assert_eq!(b.add(&ws(&a, &[1, 2])), (1, false));
        assert_eq!(b.add(&ws(&a, &[4, 2, 3])), (3, true));
        let phrases = b.build();
        let mut found = Vec::new();
        let words = a.phrase_words("w0 w1 w2 w3 x w1 w4 w2 w3");
        phrases.for_each_match(&words, |&w| w, |s, l, v| found.push((s, l, v)));
        let expected = [
            (1, 1, 0),
            (1, 2, 1),
            (2, 2, 2),
            (5, 1, 0),
            (6, 3, 3),
            (7, 2, 2),
        ];
        assert_eq!(found, expected);
        assert_eq!(phrases.get(&ws(&a, &[4, 2, 3])), Some(3));
        assert_eq!(phrases.get(&ws(&a, &[4, 2])), None);
        assert_eq!(phrases.get(&ws(&a, &[9])), None);
        assert_eq!(phrases.get(&[]), None);
    }

    /// Many children are a table, a few a list: both find every child.
    #[test]
    fn every_child_of_a_long_list_is_found() {
        let a = analyzer();
        let mut b = PhrasesBuilder::default();
        for n in 0..400u32 {
            b.add(&ws(&a, &[7, 999 - 2 * n]));
            b.add(&ws(&a, &[n, 7, n]));
        }
        let phrases = b.build();
        for n in 0..400u32 {
            assert!(phrases.get(&ws(&a, &[7, 999 - 2 * n])).is_some(), "{n}");
            assert!(phrases.get(&ws(&a, &[n, 7, n])).is_some(), "{n}");
            assert_eq!(phrases.get(&ws(&a, &[7, 998 - 2 * n])), None, "{n}");
        }
        let mut found = Vec::new();
        let words = ws(&a, &[3, 7, 3, 7, 993]);
        phrases.for_each_match(&words, |&w| w, |s, l, _| found.push((s, l)));
        assert_eq!(found, [(0, 3), (3, 2)]); // [w3 w7 w3], [w7 w993]
    }
}
