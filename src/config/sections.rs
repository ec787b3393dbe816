//! A rule file read as a series of small TOML documents rather than one tree.
//!
//! toml's document tree takes many times the size of the text it is read from: 419 MB
//! for 100,000 generated rules in 12 MB of TOML, 170 MB for a FAQ of 50,000 entries in
//! 15 MB. Yet each `[[rule]]`, `[[faq]]` and `[[test]]` entry is a document of its own:
//! the file is cut before such header lines, into pieces of entries of one kind of a
//! few kilobytes each ([`PIECE_BYTES`]), and each piece is parsed, read and dropped in
//! turn, so that the tree held at any time is a few dozen entries'.
//!
//! Cutting is only a shortcut, never a second reading of TOML: wherever a piece does not
//! stand on its own — a header line inside a multi-line string, a table such as
//! `[settings]` written after the first entry, `rule` keys before it, a syntax error
//! anywhere — what was read is dropped and the whole file is read as one document, as
//! it always was. The result is the same either way; only memory differs.

use std::ops::Range;
use toml::de::{DeTable, Error};
use toml::Spanned;

/// A piece is cut at the first entry's header after this many bytes: entries of a
/// kind are read a few dozen at a time (each parse has a cost of its own, a fifth of
/// reading 100,000 rules one at a time), and the tree held stays small.
const PIECE_BYTES: usize = 8 * 1024;

/// The keys whose entries may be read as documents of their own.
const ENTRY_KEYS: &[&str] = &["rule", "faq", "test"];

/// Reads `text` as TOML, calling `visit` with a fresh state on each document (the
/// pieces in file order, or the whole file) and where that document starts in `text`.
///
/// Returns the state, or toml's errors (spans in `text`) when the file is not valid TOML.
pub(crate) fn read<S>(
    text: &str,
    fresh: impl Fn() -> S,
    mut visit: impl FnMut(&mut S, &DeTable<'_>, usize),
) -> Result<S, Vec<Error>> {
    let cuts = cuts(text);
    if !cuts.is_empty() {
        let mut state = fresh();
        if read_pieces(text, &cuts, &mut state, &mut visit) {
            return Ok(state);
        }
    }
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut state = fresh();
    visit(&mut state, doc.get_ref(), 0);
    Ok(state)
}

/// The byte range in the file of a value or key of a document that starts at `base`
/// (toml's spans count from the start of the text it parsed).
pub(crate) fn span_in_file<T>(v: &Spanned<T>, base: usize) -> Range<usize> {
    let r = v.span();
    r.start + base..r.end + base
}

/// Reads the head (all before the first cut) and then each piece; `false` as soon as
/// one does not stand on its own.
fn read_pieces<S>(
    text: &str,
    cuts: &[(usize, &str)],
    state: &mut S,
    visit: &mut impl FnMut(&mut S, &DeTable<'_>, usize),
) -> bool {
    let first = cuts.first().map_or(text.len(), |&(at, _)| at);
    let Some(head) = parse(text, 0..first) else {
        return false;
    };
    if head
        .iter()
        .any(|(k, _)| ENTRY_KEYS.contains(&k.get_ref().as_ref()))
    {
        return false;
    }
    visit(state, &head, 0);
    drop(head);
    for (i, &(start, key)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(text.len(), |&(at, _)| at);
        let Some(doc) = parse(text, start..end) else {
            return false;
        };
        let only_its_key = doc.len() == 1 && doc.iter().all(|(k, _)| k.get_ref().as_ref() == key);
        if !only_its_key {
            return false;
        }
        visit(state, &doc, start);
    }
    true
}

/// One piece as a document, if it is valid TOML on its own.
fn parse(text: &str, range: Range<usize>) -> Option<DeTable<'_>> {
    let piece = text.get(range)?;
    let (doc, errors) = DeTable::parse_recoverable(piece);
    errors.is_empty().then(|| doc.into_inner())
}

/// Where each line that is an entry's header (`[[rule]]`, `[[faq]]` or `[[test]]`,
/// with optional blanks and a comment) starts, and its key.
fn cuts(text: &str) -> Vec<(usize, &'static str)> {
    let mut cuts = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(key) = header(line) {
            // The entry joins the piece before when that is of its kind and short.
            let joins = cuts
                .last()
                .is_some_and(|&(at, k)| k == key && start - at < PIECE_BYTES);
            if !joins {
                cuts.push((start, key));
            }
        }
        start += line.len();
    }
    cuts
}

/// The key of an entry's header line.
fn header(line: &str) -> Option<&'static str> {
    let rest = line.trim_start_matches([' ', '\t']).strip_prefix("[[")?;
    let close = rest.find("]]")?;
    let name = rest.get(..close)?.trim_matches([' ', '\t']);
    let after = rest.get(close + 2..)?.trim_matches([' ', '\t', '\r', '\n']);
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    ENTRY_KEYS.iter().copied().find(|&k| k == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::de::DeValue;

    /// The top-level keys of each document `read` visits, with its start.
    fn documents(text: &str) -> Result<Vec<(usize, Vec<String>)>, usize> {
        read(text, Vec::new, |docs, doc, base| {
            let keys = doc.iter().map(|(k, _)| k.get_ref().to_string()).collect();
            docs.push((base, keys));
        })
        .map_err(|errors| errors.len())
    }

    #[test]
    fn header_lines() {
        assert_eq!(header("[[rule]]\n"), Some("rule"));
        assert_eq!(header("  [[ faq ]]  # about bins\r\n"), Some("faq"));
        assert_eq!(header("[[test]]"), Some("test"));
        assert_eq!(header("[[rule.when]]\n"), None);
        assert_eq!(header("[[rules]]\n"), None);
        assert_eq!(header("[rule]\n"), None);
        assert_eq!(header("[[rule]] x = 1\n"), None);
        assert_eq!(header("x = \"[[rule]]\"\n"), None);
    }

    #[test]
    fn each_entry_is_read_on_its_own() {
        let text = "[settings]\nlanguage = \"en\"\n\n[[rule]]\nid = \"a\"\n[rule.when]\nany = [\"x\"]\n\n[[faq]]\nid = \"b\"\n";
        let docs = documents(text).unwrap();
        let rule = text.find("[[rule]]").unwrap();
        let faq = text.find("[[faq]]").unwrap();
        assert_eq!(
            docs,
            vec![
                (0, vec!["settings".to_string()]),
                (rule, vec!["rule".to_string()]),
                (faq, vec!["faq".to_string()]),
            ]
        );
    }

    /// Entries of one kind are read a piece of about `PIECE_BYTES` at a time.
    #[test]
    fn entries_of_a_kind_are_read_together() {
        let entry =
            |n: usize| format!("[[rule]]\nid = \"r{n}\"\nreply = \"{}\"\n", "x".repeat(100));
        let text: String = (0..200).map(entry).collect();
        let docs = documents(&text).unwrap();
        // The head (empty), then pieces of rules, each starting at a header.
        assert!(
            docs.len() > 2 && docs.len() < 10,
            "{} documents",
            docs.len()
        );
        for (start, keys) in docs.iter().skip(1) {
            assert!(text[*start..].starts_with("[[rule]]"));
            assert_eq!(keys, &["rule"]);
        }
        let mut ids = 0;
        read(
            &text,
            || (),
            |_, doc, _| {
                if let Some(DeValue::Array(items)) = doc.get("rule").map(|v| v.get_ref()) {
                    ids += items.len();
                }
            },
        )
        .unwrap();
        assert_eq!(ids, 200);
    }

    /// Wherever a piece does not stand alone, the file is read whole, once.
    #[test]
    fn pieces_that_do_not_stand_alone_mean_the_whole_file() {
        let whole = |text: &str| Ok(vec![(0, documents_whole(text))]);
        // a header line inside a multi-line string, where a piece is cut
        let text = "[[rule]]\nid = \"a\"\nreply = \"\"\"\n[[faq]]\n\"\"\"\n";
        assert_eq!(documents(text), whole(text));
        let long = "x".repeat(PIECE_BYTES);
        let text = format!("[[rule]]\nid = \"a\"\nreply = \"\"\"{long}\n[[rule]]\n\"\"\"\n");
        assert_eq!(documents(&text), whole(&text));
        // a table after the first entry
        let text = "[[rule]]\nid = \"a\"\n[settings]\nlanguage = \"en\"\n";
        assert_eq!(documents(text), whole(text));
        // an entry's key before the first entry
        let text = "rule.x = 1\n[[faq]]\nid = \"a\"\n";
        assert_eq!(documents(text), whole(text));
        let text = "rule = []\n[[rule]]\nid = \"a\"\n";
        assert!(documents(text).is_err());
        // no entries at all
        let text = "[settings]\nlanguage = \"en\"\n";
        assert_eq!(documents(text), whole(text));
    }

    fn documents_whole(text: &str) -> Vec<String> {
        let (doc, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty());
        doc.get_ref()
            .iter()
            .map(|(k, _)| k.get_ref().to_string())
            .collect()
    }

    /// A syntax error in any piece gives the whole file's errors, with spans in it.
    #[test]
    fn errors_are_the_whole_files() {
        let text = "[[rule]]\nid = \"a\"\n\n[[rule]]\nid = \n";
        let Err(errors) = read(text, || (), |_, _, _| {}) else {
            panic!("read an invalid file");
        };
        let span = errors[0].span().unwrap();
        assert!(span.start > text.find("id = \n").unwrap(), "{span:?}");
    }
}
