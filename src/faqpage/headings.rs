//! Headings followed by their text, in HTML or Markdown alike: which headings are
//! questions, and what their answers are.

use super::text::Blocks;
use super::{Entry, Skipped};

/// A piece of a page, in page order.
#[derive(Debug)]
pub(crate) enum Block {
    /// A heading, tidied, and its anchor.
    Heading {
        text: String,
        anchor: Option<String>,
    },
    /// A paragraph, list item, table cell or other text.
    Text(String),
}

/// Ends the text gathered so far: its blocks join `out`, one [`Block::Text`] a line.
pub(crate) fn flush(blocks: &mut Blocks, out: &mut Vec<Block>) {
    let text = std::mem::take(blocks).finish();
    out.extend(text.lines().map(|l| Block::Text(l.to_string())));
}

/// The entries of a page read as headings followed by their text: each heading's
/// answer is the text up to the next heading, of any level. A heading with no text
/// under it (a section title over question headings) is skipped, and so, when some
/// headings end in a question mark, is every heading that does not.
pub(crate) fn entries(blocks: Vec<Block>) -> (Vec<Entry>, Vec<Skipped>) {
    let mut sections: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
    for block in blocks {
        match block {
            Block::Heading { text, anchor } => sections.push((text, anchor, Vec::new())),
            Block::Text(text) => {
                if let Some(last) = sections.last_mut() {
                    last.2.push(text);
                }
            }
        }
    }
    let mut skipped = Vec::new();
    let with_text: Vec<_> = sections
        .into_iter()
        .filter(|(question, _, text)| {
            if text.is_empty() && !question.is_empty() {
                skipped.push(Skipped {
                    what: format!("heading {question:?}"),
                    why: "no text under it before the next heading (a section title?)".into(),
                });
            }
            !text.is_empty() && !question.is_empty()
        })
        .collect();
    let asks = |q: &str| q.trim_end().ends_with('?');
    let questions = with_text.iter().filter(|(q, _, _)| asks(q)).count();
    let mut entries = Vec::new();
    for (question, anchor, text) in with_text {
        if questions > 0 && !asks(&question) {
            skipped.push(Skipped {
                what: format!("heading {question:?}"),
                why: format!(
                    "not a question: {questions} other headings end in a question mark, \
                     this one does not"
                ),
            });
            continue;
        }
        entries.push(Entry {
            question,
            answer: text.join("\n"),
            anchor,
            url: None,
        });
    }
    (entries, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(text: &str) -> Block {
        Block::Heading {
            text: text.into(),
            anchor: None,
        }
    }

    #[test]
    fn section_titles_and_statements_are_skipped_when_questions_are_asked() {
        let (entries, skipped) = entries(vec![
            Block::Text("Welcome.".into()),
            heading("Bins"),
            heading("When is my bin collected?"),
            Block::Text("Weekly.".into()),
            Block::Text("Check by postcode.".into()),
            heading("Contact us"),
            Block::Text("Call 0300.".into()),
        ]);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].answer, "Weekly.\nCheck by postcode.");
        let why: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        assert_eq!(why.len(), 2);
        assert!(why[0].starts_with("heading \"Bins\": no text"), "{why:?}");
        assert!(why[1].starts_with("heading \"Contact us\": not a question"));
    }

    #[test]
    fn without_question_marks_every_heading_with_text_is_an_entry() {
        let (entries, skipped) = entries(vec![
            heading("Bin collections"),
            Block::Text("Weekly.".into()),
            heading("Council tax"),
            Block::Text("Pay online.".into()),
        ]);
        assert_eq!(entries.len(), 2);
        assert!(skipped.is_empty());
    }
}
