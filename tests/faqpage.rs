//! An FAQ page made into a rule set (feature `toolkit`, issue 10): the council FAQ in
//! `testdata/faqpage/`, written in every shape the reader takes, imports, loads without
//! a problem, and answers its own questions.

#![cfg(feature = "toolkit")]

use replykit::faqpage::{self, Format, Options, Shape};
use replykit::{Decision, Engine, Message, RuleSet};
use std::path::{Path, PathBuf};

const URL: &str = "https://northbridge.example.gov.uk/faq";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata/faqpage")
        .join(name)
}

/// The fixture's page, read in the format its name says, and its rule set.
fn import(name: &str) -> (faqpage::Page, RuleSet) {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let format = Format::of_path(&path).expect("a known extension");
    let page = faqpage::read(&text, format).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = faqpage::rule_set_toml(&page, &Options::default().url(URL));
    let rules = RuleSet::from_toml(name, &written.text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        rules.warnings().is_empty(),
        "{name}: {:?}",
        rules.warnings()
    );
    (page, rules)
}

const SHAPES: [(&str, Shape); 7] = [
    ("council-jsonld.html", Shape::JsonLd),
    ("council-microdata.html", Shape::Microdata),
    ("council-details.html", Shape::Details),
    ("council-dl.html", Shape::DefinitionList),
    ("council-headings.html", Shape::Headings),
    ("council.md", Shape::Markdown),
    ("council.csv", Shape::Csv),
];

#[test]
fn every_shape_imports_and_answers_its_own_questions() {
    for (name, shape) in SHAPES {
        let (page, rules) = import(name);
        assert_eq!(page.shape, shape, "{name}");
        assert_eq!(rules.faqs().len(), 6, "{name}: {:?}", page.skipped);
        let engine = Engine::new(&rules).expect("builds");
        for faq in rules.faqs() {
            assert!(faq.context.is_some(), "{name}: {}", faq.answer.id);
            let question = &faq.questions[0];
            let outcome = engine.suggest(&Message::new(question.as_str()));
            assert_ne!(outcome.decision, Decision::NoAnswer, "{name}: {question}");
            assert_eq!(
                outcome.suggestions[0].id, faq.answer.id,
                "{name}: {question}"
            );
        }
    }
}

#[test]
fn the_same_page_gives_the_same_entries_in_every_html_shape() {
    let reference = import("council-jsonld.html").0.entries;
    for name in [
        "council-microdata.html",
        "council-details.html",
        "council-dl.html",
        "council-headings.html",
    ] {
        let entries = import(name).0.entries;
        assert_eq!(entries, reference, "{name}");
    }
    // Anchors from the page: the JSON-LD questions are found in its sections.
    assert_eq!(reference[0].anchor.as_deref(), Some("bin-day"));
}

#[test]
fn replies_are_the_opening_and_the_link_to_the_section() {
    let (_, rules) = import("council-headings.html");
    let bins = &rules.faqs()[0];
    assert_eq!(bins.answer.id, "when-is-my-bin-collected");
    assert_eq!(
        bins.answer.replies[0].source(),
        format!(
            "Household bins are emptied once a week, on the same day each week. \
             Enter your postcode on our bin collection page to find your day. {URL}#bin-day"
        )
    );
    // A CSV row's own link replaces the page's; rows without one link to the page.
    let (_, rules) = import("council.csv");
    let reply = |i: usize| rules.faqs()[i].answer.replies[0].source().to_string();
    assert!(reply(0).ends_with(" https://northbridge.example.gov.uk/bin-day"));
    assert!(reply(1).ends_with(&format!(" {URL}")));
    // Every reply fits the tightest limit asked for.
    let text = std::fs::read_to_string(fixture("council.md")).expect("fixture");
    let page = faqpage::read(&text, Format::Markdown).expect("reads");
    for max in [60, 100, 160] {
        let written = faqpage::rule_set_toml(&page, &Options::default().url(URL).max_length(max));
        let rules = RuleSet::from_toml("council.md", &written.text).expect("loads");
        for faq in rules.faqs() {
            let reply = faq.answer.replies[0].source();
            assert!(reply.chars().count() <= max, "{max}: {reply}");
            assert!(reply.contains(URL), "{max}: {reply}");
        }
    }
}

#[test]
fn what_is_left_out_is_said() {
    let (page, _) = import("council-headings.html");
    let skipped: Vec<String> = page.skipped.iter().map(ToString::to_string).collect();
    // The page title (a paragraph under it, but no question), the section titles and
    // "Contact us".
    assert!(
        skipped.contains(&"heading \"Bins and recycling\": no text under it before the next heading (a section title?)".to_string()),
        "{skipped:#?}"
    );
    assert!(skipped
        .iter()
        .any(|s| s.starts_with("heading \"Contact us\": not a question")));
    let (page, _) = import("council.csv");
    assert_eq!(
        page.skipped
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["CSV line 14: the question (first column) is empty"]
    );
    let err = faqpage::read("<p>Nothing here.</p>", Format::Html).map(|p| p.entries.len());
    assert!(
        matches!(err, Err(faqpage::ReadError::NoEntries { .. })),
        "{err:?}"
    );
}

#[test]
fn answer_words_find_the_entry_the_questions_do_not() {
    let (_, rules) = import("council-details.html");
    let engine = Engine::new(&rules).expect("builds");
    // Each message's topic words are only in the answer of the entry it is about.
    for (message, id) in [
        (
            "can I put glass jars out?",
            "what-can-i-put-in-my-recycling-box",
        ),
        (
            "can I pay at the post office",
            "how-do-i-pay-my-council-tax",
        ),
        (
            "do you repair dangerous holes in the road",
            "how-do-i-report-a-pothole",
        ),
    ] {
        let outcome = engine.suggest(&Message::new(message));
        assert_eq!(
            outcome.suggestions.first().map(|s| s.id.as_str()),
            Some(id),
            "{message}: {outcome:?}"
        );
        // Suggested for a person to check, never sent: the question does not explain it.
        assert_eq!(outcome.decision, Decision::Suggest, "{message}");
    }
}
