//! A set of words, each with its id, for the look-ups every message word makes.

use super::phrase_trie::WordId;

/// Finds a word's id with one hash of the word: a one-hash Bloom filter (about 8 bits
/// per word, at most 256 KiB) answers "absent" for most message words without touching
/// the table; the others are looked up in an open-addressing table keyed by that same
/// hash (half empty, so a probe is about one slot), and checked against the word's
/// text, which the table keeps in one buffer.
#[derive(Clone, Debug, Default)]
pub(super) struct WordFilter {
    bits: Vec<u64>,
    mask: u64,
    slots: Vec<Slot>,
    /// The words held.
    len: usize,
    /// Every word, one after another (a slot points into it).
    text: String,
}

/// A word in [`WordFilter`]: the high half of its hash, its id, and where its text is
/// (16 bytes: a FAQ of 50,000 entries has over half a million typo targets).
#[derive(Clone, Copy, Debug)]
struct Slot {
    tag: u32,
    /// [`WordId::UNKNOWN`] for an empty slot.
    id: WordId,
    start: u32,
    len: u32,
}

const EMPTY: Slot = Slot {
    tag: 0,
    id: WordId::UNKNOWN,
    start: 0,
    len: 0,
};

impl WordFilter {
    /// Whether the filter holds no word.
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn hash(word: &str) -> u64 {
        Self::hash_bytes(word.as_bytes())
    }

    fn hash_bytes(word: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h = super::FxHasher::default();
        h.write(word);
        // Spread the high bits down: Fx leaves the low bits weak.
        let x = h.finish();
        x ^ (x >> 29) ^ (x >> 47)
    }

    /// The hash bits a slot keeps to tell words apart before reading their text.
    #[inline]
    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// The first slot to probe for a hash (other bits than the Bloom filter's).
    #[inline]
    fn home(&self, h: u64) -> usize {
        (h.rotate_left(24) as usize) & self.slots.len().wrapping_sub(1)
    }

    /// Adds `word` unless it is there already (the first id given stays), growing the
    /// table to keep it at most half full.
    pub(super) fn add(&mut self, word: &str, id: WordId) {
        if self.find(word) != WordId::UNKNOWN {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.insert(word, id);
    }

    /// Doubles the table (and the Bloom filter, up to its cap: eight bits per word the
    /// table can hold), placing every word again.
    fn grow(&mut self) {
        let slots = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots]);
        let bits = (slots * 4).next_power_of_two().clamp(64, 1 << 21);
        self.bits = vec![0; bits / 64];
        self.mask = bits as u64 - 1;
        for slot in old.into_iter().filter(|s| s.id != WordId::UNKNOWN) {
            let h = Self::hash_bytes(self.slot_text(&slot));
            self.place(h, slot);
        }
    }

    fn insert(&mut self, word: &str, id: WordId) {
        // The words of a rule set come from its files, far below 4 GiB of text.
        let (Ok(start), Ok(len)) = (u32::try_from(self.text.len()), u32::try_from(word.len()))
        else {
            return;
        };
        self.text.push_str(word);
        self.len += 1;
        let h = Self::hash(word);
        let slot = Slot {
            tag: Self::tag(h),
            id,
            start,
            len,
        };
        self.place(h, slot);
    }

    /// Marks a word's hash in the Bloom filter and puts its slot in the first free place.
    fn place(&mut self, h: u64, slot: Slot) {
        let b = h & self.mask;
        if let Some(bits) = self.bits.get_mut((b / 64) as usize) {
            *bits |= 1 << (b % 64);
        }
        // Linear probing; at most half the slots are used, so an empty one is found.
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.home(h);
        while let Some(free) = self.slots.get_mut(i) {
            if free.id == WordId::UNKNOWN {
                *free = slot;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of a word, or [`WordId::UNKNOWN`].
    #[inline]
    pub(super) fn find(&self, word: &str) -> WordId {
        let h = Self::hash(word);
        let b = h & self.mask;
        let maybe = self
            .bits
            .get((b / 64) as usize)
            .is_some_and(|slot| slot & (1 << (b % 64)) != 0);
        if !maybe {
            return WordId::UNKNOWN;
        }
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.home(h);
        // Two words with one hash sit in two slots: the text tells them apart.
        while let Some(slot) = self.slots.get(i) {
            if slot.id == WordId::UNKNOWN {
                return WordId::UNKNOWN;
            }
            if slot.tag == Self::tag(h)
                && slot.len as usize == word.len()
                && same_bytes(self.slot_text(slot), word.as_bytes())
            {
                return slot.id;
            }
            i = (i + 1) & mask;
        }
        WordId::UNKNOWN
    }

    #[inline]
    fn slot_text(&self, slot: &Slot) -> &[u8] {
        let start = slot.start as usize;
        self.text
            .as_bytes()
            .get(start..start + slot.len as usize)
            .unwrap_or_default()
    }
}

/// Whether two byte strings of the same length are equal, eight bytes at a time (a
/// library call costs more than the comparison for words this short).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut ac = a.chunks_exact(8);
    let mut bc = b.chunks_exact(8);
    for (x, y) in (&mut ac).zip(&mut bc) {
        if u64::from_le_bytes(word8(x)) != u64::from_le_bytes(word8(y)) {
            return false;
        }
    }
    ac.remainder()
        .iter()
        .zip(bc.remainder())
        .all(|(x, y)| x == y)
}

#[inline]
fn word8(chunk: &[u8]) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Filled one word at a time, the table grows and keeps the first id of a word.
    #[test]
    fn word_filter_grows_and_keeps_the_first_id() {
        let mut filter = WordFilter::default();
        assert_eq!(filter.find("word"), WordId::UNKNOWN);
        let words: Vec<String> = (0..5_000).map(|i| format!("w{i}x")).collect();
        for (i, w) in words.iter().enumerate() {
            filter.add(w, WordId::new(i as u32));
        }
        filter.add("w7x", WordId::new(99_999));
        for (i, w) in words.iter().enumerate() {
            assert_eq!(filter.find(w), WordId::new(i as u32), "{w}");
        }
        assert_eq!(filter.find("w5000x"), WordId::UNKNOWN);
        assert_eq!(filter.len, words.len());
        assert!(filter.slots.len() >= 2 * filter.len, "at most half full");
    }
}
