//! Plain text from a page: tidy whitespace, paragraphs one a line, sentences, slugs.

/// Runs of whitespace made one space, and the ends trimmed.
pub(crate) fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text gathered block by block (paragraphs, list items, table cells): the blocks come
/// out one a line, each tidied, empty ones dropped.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    done: Vec<String>,
    current: String,
}

impl Blocks {
    /// Adds text to the current block.
    pub(crate) fn push(&mut self, text: &str) {
        self.current.push_str(text);
    }

    /// Ends the current block.
    pub(crate) fn end(&mut self) {
        let block = tidy(&self.current);
        self.current.clear();
        if !block.is_empty() {
            self.done.push(block);
        }
    }

    /// The blocks, one a line.
    pub(crate) fn finish(mut self) -> String {
        self.end();
        self.done.join("\n")
    }
}

/// A text's sentences, in order: split after `.`, `?` or `!` followed by whitespace, and
/// at line breaks; each trimmed, empty ones dropped.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = if c == '\n' {
            Some(i)
        } else if matches!(c, '.' | '?' | '!')
            && chars.peek().is_some_and(|(_, n)| n.is_whitespace())
            && !(c == '.' && abbreviation(text.get(start..i).unwrap_or("")))
        {
            Some(i + c.len_utf8())
        } else {
            None
        };
        if let Some(end) = end {
            out.push(text.get(start..end).unwrap_or(""));
            start = end;
        }
    }
    out.push(text.get(start..).unwrap_or(""));
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a text ends in what reads as an abbreviation before a full stop: a single
/// letter ("J. Smith") or a word with a stop inside ("e.g", "i.e").
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    word.chars().count() == 1 || (word.contains('.') && word.chars().count() <= 4)
}

/// The most words of a question that its slug keeps.
const SLUG_WORDS: usize = 8;
/// The most characters of a slug.
const SLUG_CHARS: usize = 60;

/// A question made into an id: its first words, lower case, letters and digits only,
/// joined by `-` ("How do I pay my council tax?" → `how-do-i-pay-my-council-tax`).
/// Empty for a text without letters or digits.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(SLUG_WORDS);
    for word in words {
        let word = word.to_lowercase();
        let extra = word.chars().count() + usize::from(!out.is_empty());
        if !out.is_empty() && out.chars().count() + extra > SLUG_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

/// The anchor GitHub and most Markdown renderers give a heading: lower case, spaces
/// made `-`, punctuation other than `-` and `_` dropped.
pub(crate) fn heading_anchor(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c == ' ' {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_stops_and_line_breaks_only() {
        assert_eq!(
            sentences("Pay online. Or by card (e.g. Visa)!\nCall 0300 123.4567 too"),
            [
                "Pay online.",
                "Or by card (e.g. Visa)!",
                "Call 0300 123.4567 too"
            ]
        );
        assert!(sentences("  \n ").is_empty());
    }

    #[test]
    fn slugs_keep_the_first_words() {
        assert_eq!(
            slug("How do I pay my Council Tax?"),
            "how-do-i-pay-my-council-tax"
        );
        assert_eq!(
            slug("What happens if I don't pay my council tax on time this year"),
            "what-happens-if-i-don-t-pay-my"
        );
        assert_eq!(slug("Café — où ?"), "café-où");
        assert_eq!(slug("???"), "");
    }

    #[test]
    fn blocks_are_lines() {
        let mut b = Blocks::default();
        b.push("  Pay\n online. ");
        b.end();
        b.end();
        b.push("Or by card.");
        assert_eq!(b.finish(), "Pay online.\nOr by card.");
    }

    #[test]
    fn markdown_anchors() {
        assert_eq!(
            heading_anchor("How do I pay my council tax?"),
            "how-do-i-pay-my-council-tax"
        );
        assert_eq!(heading_anchor("Bins & recycling"), "bins--recycling");
    }
}
