//! Folding text into words: case, accents, character width, apostrophes, punctuation.
//!
//! A word is a run of letters and digits after folding. Everything else (spaces,
//! punctuation, symbols such as `£`, emoji) separates words, except apostrophes and
//! invisible format characters, which are dropped inside a word ("wasn't" → `wasnt`,
//! "soft\u{AD}hyphen" → `softhyphen`). Folding applies Unicode compatibility
//! decomposition (so full-width `ＢＩＮ` and ligatures fold), drops combining marks
//! (accents), and lower-cases. Ideographs (Chinese, Japanese kana) have no spaces
//! between words, so each stands as a word of its own.

use super::word_filter::{word_hash, word_hash_within};
use crate::span::Span;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The words of a text, folded, each with its span in the original text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tokens {
    buf: String,
    words: Vec<Word>,
}

/// A word of [`Tokens`]: its folded text, `buf[start..end]`, the hash the vocabulary
/// keys it by, and its span in the original text.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: u32,
    end: u32,
    hash: u64,
    span: Span,
}

impl Tokens {
    /// No words, holding no memory (for a `const` initialiser).
    pub(crate) const fn new() -> Tokens {
        Tokens {
            buf: String::new(),
            words: Vec::new(),
        }
    }

    /// The bytes the tokens hold room for (their folded text and their words), to
    /// bound what a reused [`Tokens`] keeps.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.buf.capacity() + self.words.capacity() * std::mem::size_of::<Word>()
    }

    /// The number of words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// The folded text of word `i`, or `""` when out of range.
    pub(crate) fn word(&self, i: usize) -> &str {
        match self.words.get(i) {
            Some(w) => self.buf.get(w.start as usize..w.end as usize).unwrap_or(""),
            None => "",
        }
    }

    /// The hash of word `i` that the vocabulary's tables key words by (see
    /// `word_filter::word_hash`), taken as the word was read.
    #[inline]
    pub(crate) fn hash(&self, i: usize) -> u64 {
        self.words.get(i).map_or_else(|| word_hash(&[]), |w| w.hash)
    }

    /// The span in the original text of word `i`.
    pub(crate) fn span(&self, i: usize) -> Span {
        self.words.get(i).map(|w| w.span).unwrap_or_default()
    }

    /// The folded words in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.word(i))
    }

    /// The folded words joined by single spaces.
    pub(crate) fn joined(&self) -> String {
        let mut out = String::with_capacity(self.buf.len() + self.len());
        for (i, w) in self.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
        out
    }

    fn start_word(&mut self, at: usize) -> Open {
        Open {
            buf_start: self.buf.len(),
            text_start: at,
        }
    }

    /// Ends the word being folded onto the end of the buffer, if it has any letters.
    fn end_word(&mut self, open: Option<Open>, text_end: usize) {
        if let Some(open) = open {
            if self.buf.len() > open.buf_start {
                self.push_word(
                    open.buf_start,
                    self.buf.len(),
                    Span::new(open.text_start, text_end),
                );
            }
        }
    }

    /// Adds the word `buf[start..end]`, read from `span` of the text.
    #[inline]
    fn push_word(&mut self, start: usize, end: usize, span: Span) {
        // The buffer and the text are bounded by the caller (see `max_message_bytes`),
        // far below u32::MAX; saturate regardless.
        self.words.push(Word {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
            hash: word_hash_within(self.buf.as_bytes(), start, end),
            span,
        });
    }
}

#[derive(Clone, Copy)]
struct Open {
    buf_start: usize,
    text_start: usize,
}

/// What one character contributes to the folded text.
enum Class {
    /// Part of a word.
    Word,
    /// Dropped without ending the word (apostrophes, soft hyphens, joiners).
    Skip,
    /// Ends the current word.
    Break,
    /// A word on its own (an ideograph).
    Alone,
}

fn class_of(c: char) -> Class {
    match c {
        '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{FF07}' => Class::Skip,
        '\u{00AD}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => Class::Skip,
        _ if is_ideograph(c) => Class::Alone,
        _ if c.is_alphanumeric() || is_combining_mark(c) => Class::Word,
        _ => Class::Break,
    }
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B..
}

/// Pushes the folded form of `c` (assumed part of a word) onto `buf`.
fn push_folded(buf: &mut String, c: char) {
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        for l in d.to_lowercase() {
            match l {
                'ß' => buf.push_str("ss"),
                _ if l.is_alphanumeric() => buf.push(l),
                _ => {}
            }
        }
    });
}

/// Where the run of ASCII letters and digits at `at` ends: eight bytes at a time.
#[inline]
fn ascii_run_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let alnum = ascii_alphanumeric_bytes(u64::from_le_bytes(word));
        // The bytes before the first that is none (in the text's order).
        let run = ((!alnum & HIGH_BITS).trailing_zeros() / 8) as usize;
        at += run;
        if run < 8 {
            return at;
        }
    }
    at + bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count()
}

/// The high bit of each byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is an ASCII letter or digit, all others 0.
#[inline]
fn ascii_alphanumeric_bytes(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte's low seven bits: adding below 0x80 to one never carries into the next.
    let low = x & !HIGH_BITS;
    // The high bit set where a byte (of seven bits) is at least `c`.
    let at_least = |v: u64, c: u8| v + ONES * u64::from(0x80 - c);
    let digit = at_least(low, b'0') & !at_least(low, b'9' + 1);
    let folded = low | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    // Bytes from 0x80 up are no ASCII.
    (digit | letter) & !x & HIGH_BITS
}

/// Splits `text` into folded words with their spans in `text`.
///
/// The folded text starts as one ASCII-lower-cased copy of `text`: a word of ASCII
/// letters and digits (most words) is its own bytes there, with no copy of its own.
/// Other words (accents, apostrophes, other scripts) are folded onto the end of it.
pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens::new();
    tokenize_into(text, &mut out);
    out
}

/// [`tokenize`] into `out`, which is emptied first: its room is used again (the engine
/// reads message after message into the same [`Tokens`]).
pub(crate) fn tokenize_into(text: &str, out: &mut Tokens) {
    out.buf.clear();
    out.words.clear();
    out.buf.reserve(text.len() + text.len() / 4 + 8);
    out.buf.push_str(text);
    out.buf.make_ascii_lowercase();
    out.words.reserve(text.len() / 4 + 1);
    // A word being folded onto the end of the buffer.
    let mut open: Option<Open> = None;
    let mut last_end = 0;
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_alphanumeric() {
            // The fast path: a run of ASCII letters and digits.
            let end = ascii_run_end(bytes, at);
            // Most words end at a space or a punctuation mark; an apostrophe or a
            // character outside ASCII may go on with the word.
            let ends = bytes.get(end).is_none_or(|&n| n.is_ascii() && n != b'\'');
            match open {
                None if ends => out.push_word(at, end, Span::new(at, end)),
                _ => {
                    if open.is_none() {
                        open = Some(out.start_word(at));
                    }
                    if let Some(run) = bytes.get(at..end) {
                        out.buf
                            .extend(run.iter().map(|&c| char::from(c.to_ascii_lowercase())));
                    }
                    if ends {
                        out.end_word(open.take(), end);
                    }
                }
            }
            last_end = end;
            // The byte that ended the run, if it ended the word, is a separator.
            at = if ends { end + 1 } else { end };
            continue;
        }
        if b.is_ascii() {
            if b != b'\'' {
                out.end_word(open.take(), last_end);
            }
            at += 1;
            continue;
        }
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let end = at + c.len_utf8();
        match class_of(c) {
            Class::Word => {
                if open.is_none() {
                    open = Some(out.start_word(at));
                }
                push_folded(&mut out.buf, c);
                last_end = end;
            }
            Class::Skip => {}
            Class::Break => out.end_word(open.take(), last_end),
            Class::Alone => {
                out.end_word(open.take(), last_end);
                let word = out.start_word(at);
                push_folded(&mut out.buf, c);
                out.end_word(Some(word), end);
            }
        }
        at = end;
    }
    out.end_word(open, last_end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text).iter().map(str::to_string).collect()
    }

    #[test]
    fn folds_case_accents_width_and_apostrophes() {
        assert_eq!(
            words("My BIN wasn’t emptied!"),
            ["my", "bin", "wasnt", "emptied"]
        );
        assert_eq!(words("Café ＢＩＮ naïve"), ["cafe", "bin", "naive"]);
        assert_eq!(
            words("wheelie-bin,  £50🗑️fine"),
            ["wheelie", "bin", "50", "fine"]
        );
        assert_eq!(words("Straße"), ["strasse"]);
        assert_eq!(words("垃圾桶"), ["垃", "圾", "桶"]);
        assert!(words("").is_empty());
        assert!(words(" !! 🙂 ").is_empty());
    }

    /// Eight bytes at a time, every byte value in every place is read as
    /// `u8::is_ascii_alphanumeric` reads it.
    #[test]
    fn ascii_alphanumeric_bytes_as_one_by_one() {
        for b in 0..=255u8 {
            for place in 0..8 {
                let mut bytes = *b"a-Z_9 \x80\xff";
                bytes[place] = b;
                let got = ascii_alphanumeric_bytes(u64::from_le_bytes(bytes));
                for (k, byte) in bytes.iter().enumerate() {
                    let bit = got >> (8 * k + 7) & 1 == 1;
                    assert_eq!(bit, byte.is_ascii_alphanumeric(), "{bytes:?} at {k}");
                }
            }
        }
        assert_eq!(ascii_run_end(b"abcdefghijklmnopq rst", 0), 17);
        assert_eq!(ascii_run_end(b"abcdefgh", 0), 8);
        assert_eq!(ascii_run_end(b"x abcdefgh\xc3\xa9", 2), 10);
    }

    /// Tokens read into again hold the new text's words alone.
    #[test]
    fn tokenize_into_used_tokens_is_tokenize() {
        let texts = ["a long first message, Ｍｙ café’s BIN", "bin", "", "x y"];
        let mut tokens = Tokens::new();
        for text in texts {
            tokenize_into(text, &mut tokens);
            let fresh = tokenize(text);
            assert_eq!(tokens.len(), fresh.len(), "{text:?}");
            for i in 0..fresh.len() {
                assert_eq!(tokens.word(i), fresh.word(i));
                assert_eq!(tokens.span(i), fresh.span(i));
                assert_eq!(tokens.hash(i), fresh.hash(i));
            }
        }
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "Ｍｙ  café’s BIN";
        let tokens = tokenize(text);
        let spans: Vec<&str> = (0..tokens.len()).map(|i| &text[tokens.span(i)]).collect();
        assert_eq!(spans, ["Ｍｙ", "café’s", "BIN"]);
        assert_eq!(tokens.word(1), "cafes");
    }
}
