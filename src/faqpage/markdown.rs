//! FAQ entries in Markdown: a heading per question (`#` or underlined), its text below,
//! read with a CommonMark parser (links and emphasis become their text; a `#` line in
//! a code block is not a heading).

use super::headings::{self, flush, Block};
use super::text::{heading_anchor, tidy, Blocks};
use super::{Page, Shape};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Reads a Markdown FAQ. A heading's anchor is its `{#id}` when it has one, else the
/// one GitHub and most renderers give it.
pub(super) fn read(text: &str) -> Page {
    let mut out = Vec::new();
    let mut blocks = Blocks::default();
    let mut heading: Option<(String, Option<String>)> = None;
    let options = Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_TABLES;
    let mut html_depth = 0usize;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                flush(&mut blocks, &mut out);
                heading = Some((String::new(), id.map(|i| i.to_string())));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((text, id)) = heading.take() {
                    let text = tidy(&text);
                    let anchor = id.or_else(|| Some(heading_anchor(&text)));
                    out.push(Block::Heading { text, anchor });
                }
            }
            Event::Start(Tag::HtmlBlock) => html_depth += 1,
            Event::End(TagEnd::HtmlBlock) => html_depth = html_depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if html_depth == 0 => match &mut heading {
                Some((h, _)) => h.push_str(&t),
                None => blocks.push(&t),
            },
            Event::SoftBreak => match &mut heading {
                Some((h, _)) => h.push(' '),
                None => blocks.push(" "),
            },
            Event::HardBreak
            | Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_),
            ) => blocks.end(),
            Event::Start(Tag::Item | Tag::Paragraph | Tag::CodeBlock(_)) => blocks.end(),
            _ => {}
        }
    }
    flush(&mut blocks, &mut out);
    let (entries, skipped) = headings::entries(out);
    Page {
        shape: Shape::Markdown,
        entries,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_links_code_and_lists() {
        let page = read(
            "# Council FAQ\n\nIntro.\n\n## How do I pay my council tax? {#tax}\n\n\
             Pay [online](https://x.gov.uk/pay) or by **direct debit**.\n\n\
             - by card\n- by phone\n\n\
             Where is it?\n-----------\n\n```\n# not a heading\n```\n",
        );
        assert_eq!(page.entries.len(), 2, "{page:?}");
        let tax = &page.entries[0];
        assert_eq!(tax.question, "How do I pay my council tax?");
        assert_eq!(tax.anchor.as_deref(), Some("tax"));
        assert_eq!(
            tax.answer,
            "Pay online or by direct debit.\nby card\nby phone"
        );
        assert_eq!(page.entries[1].question, "Where is it?");
        assert_eq!(page.entries[1].anchor.as_deref(), Some("where-is-it"));
        assert_eq!(page.entries[1].answer, "# not a heading");
        // "Council FAQ" has text (Intro.) but asks nothing, while others do.
        assert_eq!(page.skipped.len(), 1);
    }
}
