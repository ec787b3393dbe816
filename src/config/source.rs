//! Source files and the positions of byte offsets in them.

use crate::error::{Diagnostic, Location, Severity};
use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

/// Bytes per block of the character-count table.
const BLOCK: usize = 256;

/// One loaded TOML text and where its lines start.
///
/// Locations share the text (an `Arc`), and a column is found from a table of character
/// counts per [`BLOCK`] bytes, so a location costs the same on a line of 100 bytes as on
/// a line of 10 MB (issue 13: 20,000 phrases on one line made 20,000 copies of it).
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    pub(crate) name: Arc<str>,
    pub(crate) text: Arc<str>,
    line_starts: Vec<usize>,
    /// For each block, the characters in the text before it.
    chars_before_block: Vec<usize>,
    /// The line of the last location: a file is read from start to end, so the next
    /// location is most often on the same line or a few lines on (a search of the
    /// whole table is a chain of cache misses in a large file).
    last_line: Cell<usize>,
}

fn count_chars(bytes: &[u8]) -> usize {
    // A character starts at every byte that is not a UTF-8 continuation byte.
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl SourceFile {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text: Arc<str> = Arc::from(text.into());
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_before_block = Vec::with_capacity(text.len() / BLOCK + 1);
        let mut total = 0;
        for block in text.as_bytes().chunks(BLOCK) {
            chars_before_block.push(total);
            total += count_chars(block);
        }
        chars_before_block.push(total);
        SourceFile {
            name: Arc::from(name.into()),
            text,
            line_starts,
            chars_before_block,
            last_line: Cell::new(0),
        }
    }

    /// The number of characters before byte `at` (at most `BLOCK` bytes counted).
    fn chars_before(&self, at: usize) -> usize {
        let block = at / BLOCK;
        let before = self.chars_before_block.get(block).copied().unwrap_or(0);
        let rest = self
            .text
            .as_bytes()
            .get(block * BLOCK..at)
            .map_or(0, count_chars);
        before + rest
    }

    /// The index of the line holding byte `at`: looked for from the last location's
    /// line a few lines on, then in the whole table.
    fn line_of(&self, at: usize) -> usize {
        let hint = self.last_line.get();
        let starts_after = |line: usize| self.line_starts.get(line + 1).is_none_or(|&s| s > at);
        let near = (hint..hint + 8)
            .take_while(|&line| self.line_starts.get(line).is_some_and(|&s| s <= at))
            .find(|&line| starts_after(line));
        let line = near.unwrap_or_else(|| match self.line_starts.binary_search(&at) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        });
        self.last_line.set(line);
        line
    }

    /// The line, column and line of a byte range.
    pub(crate) fn location(&self, span: Range<usize>) -> Location {
        let start = span.start.min(self.text.len());
        let end = span.end.clamp(start, self.text.len());
        let line_index = self.line_of(start);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let mut line_end = self
            .line_starts
            .get(line_index + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1))
            .max(line_start);
        if self.text.as_bytes().get(line_end.wrapping_sub(1)) == Some(&b'\r')
            && line_end > line_start
        {
            line_end -= 1;
        }
        // Most lines are short: their characters are counted directly; a long line's
        // through the table, so that a column costs at most `2 * BLOCK` bytes read.
        let column = if start - line_start <= BLOCK {
            self.text
                .as_bytes()
                .get(line_start..start)
                .map_or(0, count_chars)
        } else {
            self.chars_before(start) - self.chars_before(line_start)
        } + 1;
        Location::new(
            Arc::clone(&self.name),
            line_index + 1,
            column,
            crate::Span::new(start, end),
            Arc::clone(&self.text),
            crate::Span::new(line_start, line_end),
        )
    }
}

/// Collects diagnostics for one file, read one TOML document at a time.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    /// Where the document being read starts in the file: toml's spans count from the
    /// document's start (see `sections`).
    pub(crate) base: usize,
}

impl Sink<'_> {
    /// The byte range in the file of a value or key of the document being read. Every
    /// span taken from toml passes through here, so that what is reported and kept
    /// points into the file whichever piece of it was parsed.
    pub(crate) fn span<T>(&self, v: &Spanned<T>) -> Range<usize> {
        super::sections::span_in_file(v, self.base)
    }

    /// Where a value or key of the document being read is written.
    pub(crate) fn location<T>(&self, v: &Spanned<T>) -> Location {
        self.file.location(self.span(v))
    }

    /// Reports an error at `span`.
    pub(crate) fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> Report<'_> {
        let location = Some(self.file.location(span));
        self.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location,
            label: String::new(),
            context: None,
            secondary: None,
            help: None,
        });
        // The push above guarantees a last element.
        Report {
            diagnostic: self.diagnostics.last_mut(),
        }
    }
}

/// A just-reported diagnostic, to add a label, context and help to.
pub(crate) struct Report<'a> {
    diagnostic: Option<&'a mut Diagnostic>,
}

impl Report<'_> {
    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        if let Some(d) = self.diagnostic.as_deref_mut() {
            d.label = label.into();
        }
        self
    }

    pub(crate) fn context(mut self, context: Option<&str>) -> Self {
        if let Some(d) = self.diagnostic.as_deref_mut() {
            d.context = context.map(str::to_string);
        }
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        if let Some(d) = self.diagnostic.as_deref_mut() {
            d.help = Some(help.into());
        }
        self
    }
}

impl Location {
    /// The place of the byte range `span` in a file's `text` named `file`: its 1-based
    /// line and column (in characters). For a host that reports problems of its own in
    /// the crate's format.
    ///
    /// ```
    /// let at = replykit::Location::in_text("rules.toml", "[[rule]]\nid = 'x'\n", 14..17);
    /// assert_eq!((at.line, at.column), (2, 6));
    /// assert_eq!(at.source_line(), "id = 'x'");
    /// ```
    pub fn in_text(
        file: impl Into<String>,
        text: impl Into<String>,
        span: std::ops::Range<usize>,
    ) -> Location {
        SourceFile::new(file, text).location(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let f = SourceFile::new("a.toml", "x = 1\r\nné = 'é'\n");
        let l = f.location(10..13);
        assert_eq!((l.line, l.column), (2, 3));
        assert_eq!(l.source_line(), "né = 'é'");
        let end = f.location(999..1000);
        assert_eq!(end.line, 3);
        // A line longer than a block, counted through the table.
        let text = format!("a = 1\nb = '{}x'\n", "é".repeat(300));
        let x = text.find('x').unwrap();
        let l = SourceFile::new("a.toml", text).location(x..x + 1);
        assert_eq!((l.line, l.column), (2, 306));
    }

    /// Locations asked for in any order (forwards, backwards, far on) find their line.
    #[test]
    fn lines_in_any_order() {
        let text: String = (0..100).map(|n| format!("k{n} = {n}\n")).collect();
        let f = SourceFile::new("a.toml", text.as_str());
        let at = |n: usize| text.find(&format!("k{n} ")).unwrap();
        for n in [0, 1, 2, 9, 10, 50, 49, 99, 3, 3, 98, 0] {
            assert_eq!(f.location(at(n)..at(n) + 1).line, n + 1, "k{n}");
        }
        assert_eq!(f.location(text.len()..text.len()).line, 101);
    }
}
