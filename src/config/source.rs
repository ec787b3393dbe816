//! Source files and the positions of byte offsets in them.

use crate::error::{Diagnostic, Location, Severity};
use std::ops::Range;

/// One loaded TOML text and where its lines start.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    pub(crate) name: String,
    pub(crate) text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The line, column and line text of a byte range.
    pub(crate) fn location(&self, span: Range<usize>) -> Location {
        let start = span.start.min(self.text.len());
        let end = span.end.clamp(start, self.text.len());
        let line_index = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let line_end = self
            .line_starts
            .get(line_index + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1));
        let line_text = self
            .text
            .get(line_start..line_end.max(line_start))
            .unwrap_or("");
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let column = self
            .text
            .get(line_start..start)
            .map_or(1, |before| before.chars().count() + 1);
        Location {
            file: self.name.clone(),
            line: line_index + 1,
            column,
            span: crate::Span::new(start, end),
            source_line: line_text.to_string(),
        }
    }
}

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
}

impl Sink<'_> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let f = SourceFile::new("a.toml", "x = 1\r\nné = 'é'\n");
        let l = f.location(10..13);
        assert_eq!((l.line, l.column), (2, 3));
        assert_eq!(l.source_line, "né = 'é'");
        let end = f.location(999..1000);
        assert_eq!(end.line, 3);
    }
}
