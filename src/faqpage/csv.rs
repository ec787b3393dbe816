//! FAQ entries in CSV: `question,answer[,url]` rows, with or without that header line.

use super::text::tidy;
use super::{Entry, Page, ReadError, Shape, Skipped};

/// Reads a CSV FAQ. A row's `url`, when given, is its link, in place of the page's.
pub(super) fn read(text: &str) -> Result<Page, ReadError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        // The line the row starts on, as an editor counts (quoted line breaks too).
        let line = record.position().map_or(n + 1, |p| {
            // The reader may place a row before the line break that ends the last.
            let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            let (before, after) = text.split_at_checked(start).unwrap_or((text, ""));
            let breaks = after
                .chars()
                .take_while(|c| matches!(c, '\r' | '\n'))
                .filter(|c| *c == '\n')
                .count();
            before.matches('\n').count() + breaks + 1
        });
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        if n == 0 && field(0).eq_ignore_ascii_case("question") {
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let (question, answer) = (tidy(field(0)), field(1));
        // Paragraphs one a line, as the other readers give them.
        let answer: Vec<String> = answer.lines().map(tidy).filter(|l| !l.is_empty()).collect();
        let why = if question.is_empty() {
            "the question (first column) is empty"
        } else if answer.is_empty() {
            "the answer (second column) is empty"
        } else {
            let url = Some(field(2).to_string()).filter(|u| !u.is_empty());
            entries.push(Entry {
                question,
                answer: answer.join("\n"),
                anchor: None,
                url,
            });
            continue;
        };
        skipped.push(Skipped {
            what: format!("CSV line {line}"),
            why: why.into(),
        });
    }
    Ok(Page {
        shape: Shape::Csv,
        entries,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_quotes_urls_and_empty_answers() {
        let page = read(
            "Question,Answer,URL\n\
             \"Can I pay by card, or cash?\",\"Card only.\nNo cash.\",https://x.gov.uk/pay#card\n\
             ,\n\
             Where is the tip?,\n\
             When is it open?,Daily.\n",
        )
        .map_err(|e| e.to_string());
        let page = page.as_ref().map(|p| (&p.entries, &p.skipped));
        let Ok((entries, skipped)) = page else {
            panic!("{page:?}");
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].question, "Can I pay by card, or cash?");
        assert_eq!(entries[0].answer, "Card only.\nNo cash.");
        assert_eq!(entries[0].url.as_deref(), Some("https://x.gov.uk/pay#card"));
        assert_eq!(entries[1].url, None);
        assert_eq!(
            skipped[0].to_string(),
            "CSV line 5: the answer (second column) is empty"
        );
    }
}
