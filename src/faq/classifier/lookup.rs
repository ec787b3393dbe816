//! A map from feature hashes to small values that answers in one probe.
//!
//! Keys are feature hashes, already well mixed (see `features::hash_kind`), so their
//! bits index the table directly; the table is at most half full, so a look-up
//! usually reads one slot, and each slot holds its key beside its value (one cache
//! line, where a general hash map reads a control byte and then the entry).

/// One slot: a key and its value; `key == EMPTY` marks a free slot.
#[derive(Clone, Copy, Debug)]
struct Slot<V> {
    key: u64,
    value: V,
}

/// The key that marks a free slot. A real key equal to it is kept aside.
const EMPTY: u64 = u64::MAX;

/// An open-addressing map from `u64` feature hashes to `V`, built once.
#[derive(Clone, Debug)]
pub(crate) struct HashTable<V> {
    slots: Vec<Slot<V>>,
    /// The value of the key [`EMPTY`], which no slot can hold.
    empty_key: Option<V>,
    len: usize,
}

impl<V: Copy + Default> HashTable<V> {
    /// A table with room for `n` keys without growing.
    pub(crate) fn with_capacity(n: usize) -> HashTable<V> {
        let size = (2 * n).next_power_of_two().max(8);
        HashTable {
            slots: vec![
                Slot {
                    key: EMPTY,
                    value: V::default(),
                };
                size
            ],
            empty_key: None,
            len: 0,
        }
    }

    /// The number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        // The two low bits of a feature hash are its kind: the others are mixed.
        (key >> 2) as usize & (self.slots.len() - 1)
    }

    /// Sets the value of `key` (replacing any).
    pub(crate) fn insert(&mut self, key: u64, value: V) {
        if key == EMPTY {
            self.len += usize::from(self.empty_key.is_none());
            self.empty_key = Some(value);
            return;
        }
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.key == EMPTY {
                *slot = Slot { key, value };
                self.len += 1;
                return;
            }
            if slot.key == key {
                slot.value = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let mut bigger = HashTable::with_capacity(old.len());
        for slot in old.into_iter().filter(|s| s.key != EMPTY) {
            bigger.insert(slot.key, slot.value);
        }
        self.slots = bigger.slots;
    }

    /// The value of `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<V> {
        if key == EMPTY {
            return self.empty_key;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        // At most half the slots are used: a free one ends every search.
        while let Some(slot) = self.slots.get(i) {
            if slot.key == key {
                return Some(slot.value);
            }
            if slot.key == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut t: HashTable<u32> = HashTable::with_capacity(2);
        // Keys sharing their home slot, the sentinel key, and growth past the start.
        let keys: Vec<u64> = (0..100u64)
            .map(|i| i << 40)
            .chain([EMPTY, 0, 1, 2, 3])
            .collect();
        for (v, &k) in keys.iter().enumerate() {
            t.insert(k, v as u32);
        }
        assert_eq!(t.len(), keys.len() - 1, "0 was inserted twice");
        for (v, &k) in keys.iter().enumerate().skip(1) {
            assert_eq!(t.get(k), Some(v as u32), "{k:#x}");
        }
        assert_eq!(t.get(0), Some(101));
        assert_eq!(t.get(5), None);
        assert_eq!(t.get(EMPTY - 1), None);
    }
}
