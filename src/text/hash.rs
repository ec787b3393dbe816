//! A small, fast, non-cryptographic hasher for the engine's internal maps.
//!
//! Keys are words and small integers derived from trusted rule sets and from message
//! words; a message can only make lookups, never insertions, so hash flooding cannot
//! grow a table. This is the well-known "Fx" hash of rustc.

use std::collections::HashMap;
#[cfg(feature = "report")]
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`] (the listening report's).
#[cfg(feature = "report")]
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The rustc "Fx" hasher: one multiply and rotate per word of input.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The rest as a little-endian word padded with zeros, without the library
            // call a copy of a variable length makes (most words are this short).
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            self.add(word);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of bytes is the hash of their little-endian words, the last one padded
    /// with zeros: variations chosen by it must not move when the code does.
    #[test]
    fn the_tail_is_a_zero_padded_word() {
        let text = b"abcdefghijklm";
        let mut h = FxHasher::default();
        h.write(text);
        let mut reference = FxHasher::default();
        reference.add(u64::from_le_bytes(*b"abcdefgh"));
        reference.add(u64::from_le_bytes(*b"ijklm\0\0\0"));
        assert_eq!(h.finish(), reference.finish());
        let mut short = FxHasher::default();
        short.write(b"ab");
        assert_eq!(short.finish(), (0x6261u64).wrapping_mul(SEED));
    }
}
