//! A set of words, each with its id, for the look-ups every message word makes.

/// Finds a word's id (a [`WordId`](super::WordId) or a [`StemId`](super::StemId)) with
/// one hash of the word: a Bloom filter (about 8 bits per word, at most 256 KiB; two
/// bits of one 64-bit word per word, so one read) answers "absent" for most message
/// words without touching the table; the
/// others are looked up in an open-addressing table keyed by that same hash (half
/// empty, so a probe is about one place), and checked against the word's text.
///
/// A place is 4 bytes, the number of a word in a list of them (12 bytes each), whose
/// texts are in one buffer: half empty costs little. A FAQ of 50,000 entries has over
/// half a million typo targets: their places and list take 14.7 MB, where 16-byte
/// slots took 33.5 MB (the text, 3.9 MB, is the same).
#[derive(Clone, Debug)]
pub(super) struct WordFilter<I> {
    bits: Vec<u64>,
    mask: u64,
    /// [`EMPTY`], or 1 + the number of a word in `words`.
    places: Vec<u32>,
    /// The words, in the order they came.
    words: Vec<Held<I>>,
    /// Every word's text, one after another, in the same order.
    text: String,
}

impl<I> Default for WordFilter<I> {
    fn default() -> Self {
        WordFilter {
            bits: Vec::new(),
            mask: 0,
            places: Vec::new(),
            words: Vec::new(),
            text: String::new(),
        }
    }
}

/// A place of [`WordFilter`] that holds no word.
const EMPTY: u32 = 0;

/// A word in [`WordFilter`]: the high half of its hash, its id, and where its text ends
/// (it starts where the word before it ends).
#[derive(Clone, Copy, Debug)]
struct Held<I> {
    tag: u32,
    id: I,
    end: u32,
}

impl<I: Copy> WordFilter<I> {
    /// Whether the filter holds no word.
    pub(super) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Gives back the room that growing left unused in the list of words and their
    /// text (the table of places is sized by the words it can hold).
    pub(super) fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
        self.text.shrink_to_fit();
    }

    /// The hash bits a word keeps to tell words apart before reading their text.
    #[inline]
    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// The Bloom filter's word for a hash, and the two bits of it the hash sets: the
    /// word and the first bit from the low bits of the hash (up to 21), the second from
    /// the six above those (with a second bit, 3.3 % of the unknown words of the peer
    /// workload of issue 14 pass at 10,000 rules, 4.7 % at 100,000).
    #[inline]
    fn bloom(&self, h: u64) -> (usize, u64) {
        let b = h & self.mask;
        ((b / 64) as usize, 1 << (b % 64) | 1 << ((h >> 21) % 64))
    }

    /// The first place to probe for a hash (other bits than the Bloom filter's).
    #[inline]
    fn home(&self, h: u64) -> usize {
        (h.rotate_left(24) as usize) & self.places.len().wrapping_sub(1)
    }

    /// Adds `word` unless it is there already (the first id given stays), growing the
    /// table to keep it at most half full.
    pub(super) fn add(&mut self, word: &str, id: I) {
        if self.find(word).is_some() {
            return;
        }
        if (self.words.len() + 1) * 2 > self.places.len() {
            self.grow();
        }
        self.insert(word, id);
    }

    /// Doubles the table (and the Bloom filter, up to its cap: eight bits per word the
    /// table can hold), placing every word again.
    fn grow(&mut self) {
        let places = (self.places.len() * 2).max(16);
        self.places = vec![EMPTY; places];
        let bits = (places * 4).next_power_of_two().clamp(64, 1 << 21);
        self.bits = vec![0; bits / 64];
        self.mask = bits as u64 - 1;
        for (number, place) in (0..self.words.len()).zip(1u32..) {
            let h = word_hash(self.text_of(number));
            self.place(h, place);
        }
    }

    fn insert(&mut self, word: &str, id: I) {
        // The words of a rule set come from its files, far below 4 GiB of text.
        let (Ok(end), Ok(place)) = (
            u32::try_from(self.text.len() + word.len()),
            u32::try_from(self.words.len() + 1),
        ) else {
            return;
        };
        self.text.push_str(word);
        let h = word_hash(word.as_bytes());
        self.words.push(Held {
            tag: Self::tag(h),
            id,
            end,
        });
        self.place(h, place);
    }

    /// Marks a word's hash in the Bloom filter and puts its place value in the first
    /// empty place.
    fn place(&mut self, h: u64, value: u32) {
        let (word, set) = self.bloom(h);
        if let Some(bits) = self.bits.get_mut(word) {
            *bits |= set;
        }
        // Linear probing; at most half the places are used, so an empty one is found.
        let mask = self.places.len().wrapping_sub(1);
        let mut i = self.home(h);
        while let Some(free) = self.places.get_mut(i) {
            if *free == EMPTY {
                *free = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of a word, if the filter holds it.
    #[inline]
    pub(super) fn find(&self, word: &str) -> Option<I> {
        self.find_hashed(word_hash(word.as_bytes()), word)
    }

    /// The id of a word whose [`word_hash`] is `h`, if the filter holds it.
    ///
    /// The Bloom filter's answer is inlined where this is called: most words stop
    /// there, without a call (the table's probe is a function of its own).
    #[inline(always)]
    pub(super) fn find_hashed(&self, h: u64, word: &str) -> Option<I> {
        let (word_of, set) = self.bloom(h);
        let maybe = self.bits.get(word_of).is_some_and(|bits| bits & set == set);
        if !maybe {
            return None;
        }
        self.probe(h, word)
    }

    /// The table's part of [`find_hashed`](Self::find_hashed), for a word the Bloom
    /// filter may hold.
    #[inline(never)]
    fn probe(&self, h: u64, word: &str) -> Option<I> {
        let mask = self.places.len().wrapping_sub(1);
        let mut i = self.home(h);
        // Two words with one hash sit in two places: the text tells them apart.
        while let Some(&place) = self.places.get(i) {
            let number = place.checked_sub(1)?;
            let number = number as usize;
            if let Some(held) = self.words.get(number) {
                if held.tag == Self::tag(h) && same_bytes(self.text_of(number), word.as_bytes()) {
                    return Some(held.id);
                }
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// The text of the word numbered `number`.
    #[inline]
    fn text_of(&self, number: usize) -> &[u8] {
        let start = number
            .checked_sub(1)
            .and_then(|before| self.words.get(before))
            .map_or(0, |w| w.end as usize);
        let end = self.words.get(number).map_or(start, |w| w.end as usize);
        self.text.as_bytes().get(start..end).unwrap_or_default()
    }
}

/// The hash a [`WordFilter`] keys a word by: Fx over its bytes, eight at a time as
/// little-endian words (the last padded with zeros), its high bits spread down.
pub(super) fn word_hash(word: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = super::FxHasher::default();
    h.write(word);
    spread(h.finish())
}

/// [`word_hash`] of `bytes[start..end]`, the same value, reading the last part of the
/// word as one 8-byte load where `bytes` goes on that far (the bytes past `end`
/// masked off) instead of byte by byte.
#[inline]
pub(super) fn word_hash_within(bytes: &[u8], start: usize, end: usize) -> u64 {
    use std::hash::Hasher;
    let Some(word) = bytes.get(start..end) else {
        return word_hash(&[]);
    };
    let whole = word.len() / 8 * 8;
    let mut h = super::FxHasher::default();
    if let Some(head) = word.get(..whole) {
        h.write(head);
    }
    let rest = word.len() - whole;
    if rest == 0 {
        return spread(h.finish());
    }
    let from = start + whole;
    match bytes.get(from..from + 8) {
        Some(chunk) => {
            // `rest` is 1 to 7 bytes: the low `rest` bytes of the load.
            let mask = (1u64 << (8 * rest)) - 1;
            h.write_u64(u64::from_le_bytes(word8(chunk)) & mask);
        }
        None => h.write(word.get(whole..).unwrap_or_default()),
    }
    spread(h.finish())
}

/// Spreads a hash's high bits down: Fx leaves the low bits weak.
#[inline]
fn spread(x: u64) -> u64 {
    x ^ (x >> 29) ^ (x >> 47)
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
        let mut filter: WordFilter<u32> = WordFilter::default();
        assert_eq!(filter.find("word"), None);
        let words: Vec<String> = (0..5_000).map(|i| format!("w{i}x")).collect();
        for (i, w) in words.iter().enumerate() {
            filter.add(w, i as u32);
        }
        filter.add("w7x", 99_999);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(filter.find(w), Some(i as u32), "{w}");
        }
        assert_eq!(filter.find("w5000x"), None);
        assert_eq!(filter.words.len(), words.len());
        assert!(filter.places.len() >= 2 * words.len(), "at most half full");
    }

    /// A word's hash read from within a longer buffer is the hash of the word alone,
    /// wherever it sits, whatever follows it.
    #[test]
    fn word_hash_within_a_buffer_is_the_words_hash() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789 the end";
        for start in 0..text.len() {
            for end in start..=text.len() {
                assert_eq!(
                    word_hash_within(text, start, end),
                    word_hash(&text[start..end]),
                    "{start}..{end}"
                );
            }
        }
    }
}
