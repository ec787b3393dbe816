//! Start from the FAQ page you already have: a saved HTML page, a Markdown file or a CSV
//! made into a rule set (feature `toolkit`; `replykit import-faq` on the command line).
//!
//! [`read`] finds the entries, one question and one answer each, in whichever shape the
//! page has them:
//!
//! * HTML ([`Format::Html`]), read by an HTML5 parser as a browser reads it: schema.org
//!   `FAQPage` in JSON-LD or in microdata (as many public-sector sites publish),
//!   `<details>`/`<summary>`, `<dt>`/`<dd>`, or headings followed by their text — the
//!   first of these shapes that gives any entry (see [`Shape`]);
//! * Markdown ([`Format::Markdown`]): a heading per question, its text below;
//! * CSV ([`Format::Csv`]): `question,answer[,url]`, with or without that header line.
//!
//! Under headings (HTML or Markdown), when some headings end in a question mark only
//! those are questions, so that section titles ("Bins and recycling") are not taken for
//! entries. What is left out is said, with why, in [`Page::skipped`]: never silently.
//!
//! [`rule_set_toml`] writes the rule set: one `[[faq]]` per entry, its id slugged from
//! the question, `questions = [the question]`, a reply short enough for the tightest
//! channel (the opening sentence or two of the answer, then the link to the page
//! section, `PAGE_URL#anchor` where the page has anchors) and the full answer text as
//! `context`, which matching reads and which is never sent; and `[settings]` for a rule
//! set with no message history ([`PAGE_SUGGEST_THRESHOLD`]).
//!
//! Reading is for an author's own pages: the HTML tree is walked without recursion, but
//! the HTML5 tree builder's time grows with a page's size times how deeply its elements
//! nest (published pages nest a few dozen levels; in a debug build, 3,000 nested
//! `<div>`s read in under a second, 100,000 took 14 minutes).
//!
//! # Example: from a saved page to a rule set
//!
//! ```
//! use replykit::faqpage::{self, Format, Options};
//!
//! let html = r#"<h1>Council FAQ</h1>
//!   <details id="bins"><summary>When is my bin collected?</summary>
//!     <p>Bins are emptied once a week. Enter your postcode to find your day.</p></details>
//!   <details id="tax"><summary>How do I pay my council tax?</summary>
//!     <p>Pay online or by direct debit. You can also pay by card over the phone.</p></details>"#;
//! let page = faqpage::read(html, Format::Html)?;
//! assert_eq!(page.shape, faqpage::Shape::Details);
//! assert_eq!(page.entries[0].question, "When is my bin collected?");
//!
//! let options = Options::default().url("https://example.gov.uk/faq");
//! let toml = faqpage::rule_set_toml(&page, &options);
//! let rules = replykit::RuleSet::from_toml("faq.toml", &toml.text)?;
//! let bins = &rules.faqs()[0];
//! assert_eq!(bins.answer.id, "when-is-my-bin-collected");
//! assert_eq!(
//!     bins.answer.replies[0].source(),
//!     "Bins are emptied once a week. Enter your postcode to find your day. \
//!      https://example.gov.uk/faq#bins"
//! );
//!
//! let engine = replykit::Engine::new(&rules)?;
//! let outcome = engine.suggest(&replykit::Message::new("what day are bins emptied?"));
//! assert_eq!(outcome.suggestions[0].id, "when-is-my-bin-collected");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod csv;
mod headings;
mod html;
mod markdown;
mod text;
mod write;

pub use write::{rule_set_toml, Options, Written, PAGE_SUGGEST_THRESHOLD};

use std::path::Path;

/// One question and its answer, as the page has them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The question, whitespace tidied.
    pub question: String,
    /// The whole answer as plain text: its paragraphs and list items one a line.
    pub answer: String,
    /// The id of the page section, for a link `PAGE_URL#anchor`.
    pub anchor: Option<String>,
    /// A link of the entry's own (the `url` column of a CSV, or the question's `url` in
    /// JSON-LD), used instead of the page's.
    pub url: Option<String>,
}

/// Something the reader or the writer left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// What it was: `heading "Contact us"`, `CSV line 7`, ...
    pub what: String,
    /// Why it was left out, in words an author can act on.
    pub why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// What kind of file an FAQ is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// An HTML page (saved from a browser, or fetched).
    Html,
    /// Markdown: a heading per question.
    Markdown,
    /// CSV: `question,answer[,url]`.
    Csv,
}

impl Format {
    /// The format a file name says (`.html`, `.htm`, `.xhtml`, `.md`, `.markdown`,
    /// `.csv`), if it says one.
    ///
    /// ```
    /// use replykit::faqpage::Format;
    /// assert_eq!(Format::of_path("faq.HTML".as_ref()), Some(Format::Html));
    /// assert_eq!(Format::of_path("faq.txt".as_ref()), None);
    /// ```
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" | "xhtml" | "shtml" => Some(Format::Html),
            "md" | "markdown" | "mdown" => Some(Format::Markdown),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format a text looks like: HTML when it starts with a tag, Markdown when a
    /// line starts with `#`, CSV otherwise.
    ///
    /// ```
    /// use replykit::faqpage::Format;
    /// assert_eq!(Format::sniff("  <!doctype html><p>hi"), Format::Html);
    /// assert_eq!(Format::sniff("# FAQ\n## Where?\nHere."), Format::Markdown);
    /// assert_eq!(Format::sniff("question,answer\nWhere?,Here."), Format::Csv);
    /// ```
    pub fn sniff(text: &str) -> Format {
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('<') {
            Format::Html
        } else if text.lines().any(|l| l.starts_with('#')) {
            Format::Markdown
        } else {
            Format::Csv
        }
    }
}

/// Where on the page the entries were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// schema.org `FAQPage` in a `<script type="application/ld+json">`.
    JsonLd,
    /// schema.org `FAQPage` in microdata (`itemtype=".../Question"`).
    Microdata,
    /// `<details>` with a `<summary>` question.
    Details,
    /// `<dt>` questions with `<dd>` answers.
    DefinitionList,
    /// HTML headings followed by their text.
    Headings,
    /// Markdown headings followed by their text.
    Markdown,
    /// CSV rows.
    Csv,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Shape::JsonLd => "JSON-LD FAQPage",
            Shape::Microdata => "microdata FAQPage",
            Shape::Details => "<details>/<summary>",
            Shape::DefinitionList => "<dt>/<dd>",
            Shape::Headings => "headings",
            Shape::Markdown => "Markdown headings",
            Shape::Csv => "CSV",
        })
    }
}

/// The entries of an FAQ, and what was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// Where the entries were found.
    pub shape: Shape,
    /// The entries, in page order.
    pub entries: Vec<Entry>,
    /// What was left out, and why.
    pub skipped: Vec<Skipped>,
}

/// Why an FAQ could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Nothing on the page looks like a question with an answer.
    #[error("no FAQ entries found ({format}){}", skipped_note(.skipped))]
    NoEntries {
        /// What was read as.
        format: &'static str,
        /// What was left out, and why.
        skipped: Vec<Skipped>,
    },
    /// A CSV line that cannot be read (an unclosed quote, bad UTF-8).
    #[error("CSV line {line}: {message}")]
    Csv {
        /// The line, from 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

fn skipped_note(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!("; {} left out, the first: {}", skipped.len(), skipped[0])
    }
}

impl ReadError {
    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            ReadError::NoEntries { .. } => {
                "an FAQ is read from schema.org FAQPage (JSON-LD or microdata), \
                 <details>/<summary>, <dt>/<dd>, or headings with text under them (HTML or \
                 Markdown), or CSV rows of question,answer[,url]; say the format with \
                 --format if the file's name does not"
            }
            ReadError::Csv { .. } => {
                "quote a field that holds a comma, a quote or a line break: \"like, this\""
            }
        }
    }
}

/// Reads the entries of an FAQ in `format`.
///
/// ```
/// use replykit::faqpage::{read, Format, Shape};
///
/// let page = read("## Where do I park?\nIn the car park.\n\n## Opening times\n", Format::Markdown)?;
/// assert_eq!(page.shape, Shape::Markdown);
/// assert_eq!(page.entries.len(), 1);
/// assert_eq!(page.skipped[0].what, "heading \"Opening times\"");
/// # Ok::<(), replykit::faqpage::ReadError>(())
/// ```
pub fn read(text: &str, format: Format) -> Result<Page, ReadError> {
    let text = text.trim_start_matches('\u{feff}');
    let (page, name) = match format {
        Format::Html => (html::read(text), "as HTML"),
        Format::Markdown => (markdown::read(text), "as Markdown"),
        Format::Csv => (csv::read(text)?, "as CSV"),
    };
    if page.entries.is_empty() {
        return Err(ReadError::NoEntries {
            format: name,
            skipped: page.skipped,
        });
    }
    Ok(page)
}
