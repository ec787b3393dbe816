//! The rule set for an FAQ page: one `[[faq]]` per entry, and settings for a rule set
//! with no message history.

use super::text::{sentences, slug};
use super::{Page, Skipped};
use crate::toml_text::{first_free, toml_string};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// The `suggest_threshold` written for an FAQ page, which has no labelled traffic to
/// choose one from. A page's entries have one question each, so a rephrasing is seldom
/// matched with the confidence that many examples give: the default (0.35) left most
/// rephrasings of covered questions unanswered. Chosen on the dev half of StackFAQ's
/// queries (`scripts/stackfaq.py --split dev`): 91.8 % of them get a suggestion at 0.1,
/// 82.7 % at 0.15, against the 85 % wanted. Auto-replies keep the default thresholds
/// (100 % precision there, 16.5 % of queries), and an entry is never sent unattended
/// for a message its question does not explain.
pub const PAGE_SUGGEST_THRESHOLD: f64 = 0.1;

/// How [`rule_set_toml`] writes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The page's address: replies link to `url#anchor` (or `url` where the entry has
    /// no anchor). Without it, replies link only where an entry has its own link.
    pub url: Option<String>,
    /// The longest reply, in characters: the tightest `max_length` of the channels you
    /// answer on. Default 280 (X/Twitter).
    pub max_length: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            url: None,
            max_length: 280,
        }
    }
}

impl Options {
    /// Sets [`url`](Self::url).
    pub fn url(mut self, url: impl Into<String>) -> Options {
        self.url = Some(url.into());
        self
    }

    /// Sets [`max_length`](Self::max_length) (at least 40).
    ///
    /// ```
    /// let options = replykit::faqpage::Options::default().max_length(160);
    /// assert_eq!(options.max_length, 160);
    /// ```
    pub fn max_length(mut self, chars: usize) -> Options {
        self.max_length = chars.max(MIN_LENGTH);
        self
    }
}

/// The least room for the answer's opening that a link to the page section may leave;
/// with less, the link is to the page.
const MIN_OPENING: usize = 20;

/// The shortest reply limit [`Options::max_length`] takes.
const MIN_LENGTH: usize = 40;

/// A written rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// The rule-set TOML.
    pub text: String,
    /// How many `[[faq]]` entries it has.
    pub entries: usize,
    /// Entries of the page left out, and why (duplicates, questions with no words).
    pub skipped: Vec<Skipped>,
}

/// Writes the rule set for a page (see the [module](super) docs).
///
/// ```
/// use replykit::faqpage::{read, rule_set_toml, Format, Options};
///
/// let csv = "question,answer\nCan I pay by card?,\"Yes. Card payments are taken online, day or night.\"\n";
/// let page = read(csv, Format::Csv)?;
/// let written = rule_set_toml(&page, &Options::default().url("https://example.gov.uk/pay").max_length(50));
/// let rules = replykit::RuleSet::from_toml("pay.toml", &written.text)?;
/// let faq = &rules.faqs()[0];
/// assert_eq!(faq.answer.replies[0].source(), "Yes. https://example.gov.uk/pay");
/// assert!(faq.context.as_deref().is_some_and(|c| c.contains("day or night")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rule_set_toml(page: &Page, options: &Options) -> Written {
    let mut out = String::new();
    let mut skipped = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut questions: HashMap<String, String> = HashMap::new();
    let mut entries = 0;
    for entry in &page.entries {
        let question = crate::import::example(&entry.question);
        if crate::text::tokenize(question).len() == 0 {
            skipped.push(Skipped {
                what: format!("question {question:?}"),
                why: "it has no words".into(),
            });
            continue;
        }
        let key = question.to_lowercase();
        if let Some(first) = questions.get(&key) {
            skipped.push(Skipped {
                what: format!("question {question:?}"),
                why: format!("the same question as entry `{first}`, kept"),
            });
            continue;
        }
        let base = Some(slug(question))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "entry".to_string());
        let id = first_free(base, |id| used.contains(id));
        used.insert(id.clone());
        questions.insert(key, id.clone());
        // The entry's own link, or the page's section, or (when that leaves too little
        // room) the page.
        let links: Vec<String> = match (&entry.url, options.url.as_deref()) {
            (Some(own), _) => vec![own.clone()],
            (None, Some(url)) => {
                let page = url.split('#').next().unwrap_or(url).to_string();
                match &entry.anchor {
                    Some(anchor) => vec![format!("{page}#{anchor}"), page],
                    None => vec![url.to_string()],
                }
            }
            (None, None) => Vec::new(),
        };
        let link = links
            .iter()
            .find(|l| l.chars().count() + 1 + MIN_OPENING <= options.max_length)
            .or(links.last());
        let reply = reply(&entry.answer, link.map(String::as_str), options.max_length);
        let _ = writeln!(out, "\n[[faq]]");
        let _ = writeln!(out, "id = {}", toml_string(&id));
        let _ = writeln!(out, "questions = [{}]", toml_string(question));
        let _ = writeln!(out, "answer = {}", toml_string(&reply));
        let _ = writeln!(out, "context = {}", toml_string(&entry.answer));
        entries += 1;
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# An FAQ page made into a rule set: {entries} entries, read from {}.",
        page.shape
    );
    let _ = writeln!(
        text,
        "# Each answer is the opening of the page's answer (at most {} characters, with the",
        options.max_length
    );
    let _ = writeln!(
        text,
        "# link); `context` keeps the whole answer, which matching reads and which is never"
    );
    let _ = writeln!(
        text,
        "# sent. Read the answers through, and add questions the way people ask them.\n"
    );
    let _ = writeln!(text, "[settings]");
    let _ = writeln!(
        text,
        "# No message history to choose thresholds from: suggest from a low score, so that"
    );
    let _ = writeln!(
        text,
        "# most rephrasings of a question get a suggestion; auto-replies keep the defaults."
    );
    let _ = writeln!(text, "suggest_threshold = {PAGE_SUGGEST_THRESHOLD}");
    text.push_str(&out);
    Written {
        text,
        entries,
        skipped,
    }
}

/// Makes text safe in a reply template: `{{` and `}}` would be read as a slot.
fn literal(text: &str) -> String {
    text.replace("{{", "{ {").replace("}}", "} }")
}

/// A reply of at most `max` characters: the answer's opening sentence (and the next,
/// when both fit), then the link. A first sentence too long is cut at a word, with `…`.
fn reply(answer: &str, link: Option<&str>, max: usize) -> String {
    let link = link.map(literal);
    let room = max.saturating_sub(link.as_ref().map_or(0, |l| l.chars().count() + 1));
    let mut opening = String::new();
    for (n, sentence) in sentences(answer).into_iter().take(2).enumerate() {
        let sentence = literal(sentence);
        let joined = if opening.is_empty() {
            sentence.clone()
        } else {
            format!("{opening} {sentence}")
        };
        if joined.chars().count() <= room {
            opening = joined;
        } else if n == 0 {
            opening = cut(&sentence, room);
            break;
        } else {
            break;
        }
    }
    match link {
        Some(link) if opening.is_empty() => link,
        Some(link) => format!("{opening} {link}"),
        None => opening,
    }
}

/// `text` cut to at most `room` characters at a word boundary, ending in `…`.
fn cut(text: &str, room: usize) -> String {
    if room < 2 {
        return String::new();
    }
    let head: String = text.chars().take(room - 1).collect();
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if i > 0 => head.get(..i).unwrap_or(&head),
        _ => &head,
    };
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_whitespace() || c == ',')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_fit_the_limit_with_the_link() {
        let link = "https://example.gov.uk/faq#bins";
        let answer = "Bins are emptied weekly. Check your day online. Garden waste is fortnightly.";
        assert_eq!(
            reply(answer, Some(link), 280),
            format!("Bins are emptied weekly. Check your day online. {link}")
        );
        assert_eq!(
            reply(answer, Some(link), 60),
            format!("Bins are emptied weekly. {link}")
        );
        let cut_reply = reply(answer, Some(link), 50);
        assert_eq!(cut_reply, format!("Bins are emptied… {link}"));
        assert!(cut_reply.chars().count() <= 50);
        for max in 40..120 {
            assert!(reply(answer, Some(link), max).chars().count() <= max);
            assert!(reply(answer, None, max).chars().count() <= max);
        }
        assert_eq!(reply("Call {{us}}.", None, 280), "Call { {us} }.");
    }

    #[test]
    fn ids_are_unique_and_duplicates_are_said() {
        let page = Page {
            shape: super::super::Shape::Csv,
            entries: ["Where is it?", "Where is it", "where is it?", "?!"]
                .iter()
                .map(|q| super::super::Entry {
                    question: q.to_string(),
                    answer: "Here.".into(),
                    anchor: None,
                    url: None,
                })
                .collect(),
            skipped: Vec::new(),
        };
        let written = rule_set_toml(&page, &Options::default());
        let rules = crate::RuleSet::from_toml("t.toml", &written.text).map_err(|e| e.to_string());
        let ids: Vec<String> = rules
            .map(|r| r.faqs().iter().map(|f| f.answer.id.clone()).collect())
            .unwrap_or_default();
        assert_eq!(ids, ["where-is-it", "where-is-it-2"]);
        let why: Vec<String> = written.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            why,
            [
                "question \"where is it?\": the same question as entry `where-is-it`, kept",
                "question \"?!\": it has no words"
            ]
        );
    }
}
