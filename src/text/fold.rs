//! Folding text into words: case, accents, character width, apostrophes, punctuation.
//!
//! A word is a run of letters and digits after folding. Everything else (spaces,
//! punctuation, symbols such as `£`, emoji) separates words, except apostrophes and
//! invisible format characters, which are dropped inside a word ("wasn't" → `wasnt`,
//! "soft\u{AD}hyphen" → `softhyphen`). Folding applies Unicode compatibility
//! decomposition (so full-width `ＢＩＮ` and ligatures fold), drops combining marks
//! (accents), and lower-cases. Ideographs (Chinese, Japanese kana) have no spaces
//! between words, so each stands as a word of its own.

use crate::span::Span;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The words of a text, folded, each with its span in the original text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tokens {
    buf: String,
    words: Vec<(u32, u32, Span)>,
}

impl Tokens {
    /// The number of words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// The folded text of word `i`, or `""` when out of range.
    pub(crate) fn word(&self, i: usize) -> &str {
        match self.words.get(i) {
            Some(&(s, e, _)) => self.buf.get(s as usize..e as usize).unwrap_or(""),
            None => "",
        }
    }

    /// The span in the original text of word `i`.
    pub(crate) fn span(&self, i: usize) -> Span {
        self.words.get(i).map(|w| w.2).unwrap_or_default()
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

    fn end_word(&mut self, open: Option<Open>, text_end: usize) {
        if let Some(open) = open {
            if self.buf.len() > open.buf_start {
                // The buffer and the text are bounded by the caller (see
                // `max_message_bytes`), far below u32::MAX; saturate regardless.
                let s = u32::try_from(open.buf_start).unwrap_or(u32::MAX);
                let e = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
                self.words
                    .push((s, e, Span::new(open.text_start, text_end)));
            }
        }
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

/// Splits `text` into folded words with their spans in `text`.
pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens {
        buf: String::with_capacity(text.len()),
        words: Vec::with_capacity(text.len() / 4 + 1),
    };
    let mut open: Option<Open> = None;
    let mut last_end = 0;
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_alphanumeric() {
            // The fast path: a run of ASCII letters and digits, lower-cased in one go.
            let run = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if open.is_none() {
                open = Some(out.start_word(at));
            }
            // Copied and lower-cased in one pass: for words this short, a library copy
            // call costs more than the bytes.
            if let Some(slice) = bytes.get(at..at + run) {
                out.buf
                    .extend(slice.iter().map(|&c| char::from(c.to_ascii_lowercase())));
            }
            at += run;
            last_end = at;
            // Most words end at a space or a punctuation mark: end the word here.
            if let Some(&next) = bytes.get(at) {
                if next.is_ascii() && next != b'\'' {
                    out.end_word(open.take(), last_end);
                    at += 1;
                }
            }
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
    out
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

    #[test]
    fn spans_point_into_the_original() {
        let text = "Ｍｙ  café’s BIN";
        let tokens = tokenize(text);
        let spans: Vec<&str> = (0..tokens.len()).map(|i| &text[tokens.span(i)]).collect();
        assert_eq!(spans, ["Ｍｙ", "café’s", "BIN"]);
        assert_eq!(tokens.word(1), "cafes");
    }
}
