//! Byte spans into the original message text.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into the original message text.
///
/// Every piece of evidence in an [`Outcome`](crate::Outcome) carries a span, and spans
/// always point into the text the host passed in (never into a normalised copy), so
/// `&message.text[span]` is the exact text that matched. A span serialises as the JSON
/// array `[start, end]`.
///
/// ```
/// use replykit::Span;
///
/// let text = "My BIN wasn't emptied";
/// let span = Span::new(3, 6);
/// assert_eq!(&text[span], "BIN");
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(from = "[usize; 2]", into = "[usize; 2]")]
pub struct Span {
    /// The first byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (half-open).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The number of bytes covered.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The covered text, or `None` when the span is out of bounds or not on character
    /// boundaries of `text`.
    pub fn get(self, text: &str) -> Option<&str> {
        text.get(self.start..self.end)
    }
}

/// The unit a span's offsets count in. Spans are byte offsets ([`Offsets::Bytes`]);
/// hosts whose strings count otherwise convert them with [`Span::in_units`] (or
/// `replykit suggest --offsets`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Offsets {
    /// UTF-8 bytes: Rust, Go, and the spans as the engine gives them.
    #[default]
    Bytes,
    /// Unicode scalar values: Python's `str`, Ruby.
    Chars,
    /// UTF-16 code units: JavaScript, Java, C#.
    Utf16,
}

impl Span {
    /// The same span counted in `unit` in `text` (the message text it points into).
    /// Work is linear in the text before the span's end.
    ///
    /// ```
    /// use replykit::{Offsets, Span};
    ///
    /// let text = "😡😡 refund please";
    /// let span = Span::new(9, 15); // "refund", in bytes
    /// assert_eq!(&text[span], "refund");
    /// assert_eq!(span.in_units(text, Offsets::Chars), Span::new(3, 9)); // Python
    /// assert_eq!(span.in_units(text, Offsets::Utf16), Span::new(5, 11)); // JavaScript
    /// ```
    pub fn in_units(self, text: &str, unit: Offsets) -> Span {
        // The text up to a byte offset, floored to a character boundary.
        let upto = |at: usize| {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            &text[..at]
        };
        let count = |part: &str| match unit {
            Offsets::Bytes => part.len(),
            Offsets::Chars => part.chars().count(),
            Offsets::Utf16 => part.encode_utf16().count(),
        };
        let before = upto(self.start);
        let inside = upto(self.end).get(before.len()..).unwrap_or("");
        let start = count(before);
        Span::new(start, start + count(inside))
    }
}

impl From<[usize; 2]> for Span {
    fn from([start, end]: [usize; 2]) -> Span {
        Span::new(start, end)
    }
}

impl From<Span> for [usize; 2] {
    fn from(span: Span) -> [usize; 2] {
        [span.start, span.end]
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Span {
        Span::new(range.start, range.end)
    }
}

impl std::ops::Index<Span> for str {
    type Output = str;

    /// # Panics
    ///
    /// Like slicing a `str` with a range: when the span is out of bounds or not on
    /// character boundaries. Use [`Span::get`] for a checked version.
    fn index(&self, span: Span) -> &str {
        &self[span.start..span.end]
    }
}
