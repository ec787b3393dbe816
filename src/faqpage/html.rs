//! FAQ entries on an HTML page, parsed as a browser parses it (html5ever, through
//! `scraper`): schema.org `FAQPage` in JSON-LD or microdata, `<details>`/`<summary>`,
//! `<dt>`/`<dd>`, or headings followed by their text, the first shape that gives any
//! entry.

use super::headings::{self, flush, Block};
use super::text::{tidy, Blocks};
use super::{Entry, Page, Shape, Skipped};
use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

/// Elements whose text is not the page's content.
const HIDDEN: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "object",
];

/// Elements that start a new line of text.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The elements a CSS selector picks (written here, so it always parses).
fn select<'a>(root: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    match Selector::parse(css) {
        Ok(selector) => root.select(&selector).collect(),
        Err(_) => Vec::new(),
    }
}

/// A subtree's text as blocks, in order: with `headings`, headings come out as
/// [`Block::Heading`]; otherwise as text like any block. `except` (a `<summary>`, say)
/// and hidden elements are left out. Walked without recursion.
fn walk(root: NodeRef<'_, Node>, except: Option<NodeId>, headings: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let mut blocks = Blocks::default();
    let mut heading: Option<(String, Option<String>)> = None;
    let mut hidden = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if hidden > 0 || Some(node.id()) == except {
                    hidden += usize::from(node.value().is_element());
                    continue;
                }
                match node.value() {
                    Node::Text(text) => match &mut heading {
                        Some((h, _)) => h.push_str(text),
                        None => blocks.push(text),
                    },
                    Node::Element(e) if HIDDEN.contains(&e.name()) => hidden += 1,
                    Node::Element(e) if headings && is_heading(e.name()) => {
                        flush(&mut blocks, &mut out);
                        let anchor = ElementRef::wrap(node).and_then(heading_anchor);
                        heading = Some((String::new(), anchor));
                    }
                    Node::Element(e) if BLOCK.contains(&e.name()) => blocks.end(),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if hidden > 0 {
                    hidden -= usize::from(node.value().is_element());
                    continue;
                }
                match node.value() {
                    Node::Element(e) if headings && is_heading(e.name()) => {
                        if let Some((text, anchor)) = heading.take() {
                            out.push(Block::Heading {
                                text: tidy(&text),
                                anchor,
                            });
                        }
                    }
                    Node::Element(e) if BLOCK.contains(&e.name()) => blocks.end(),
                    _ => {}
                }
            }
        }
    }
    flush(&mut blocks, &mut out);
    out
}

/// A subtree's text, blocks one a line, without `except`.
fn text_of(element: ElementRef<'_>, except: Option<NodeId>) -> String {
    let lines: Vec<String> = walk(*element, except, false)
        .into_iter()
        .filter_map(|b| match b {
            Block::Text(t) => Some(t),
            Block::Heading { .. } => None,
        })
        .collect();
    lines.join("\n")
}

/// A heading's anchor: its id, a named or id'd link inside it, or the id of the
/// section it heads (when it is that element's first child element).
fn heading_anchor(heading: ElementRef<'_>) -> Option<String> {
    if let Some(id) = heading.value().id() {
        return Some(id.to_string());
    }
    let inner = select(heading, "a[id], a[name]").into_iter().find_map(|a| {
        a.value()
            .id()
            .or_else(|| a.value().attr("name"))
            .map(str::to_string)
    });
    inner.or_else(|| {
        let parent = heading.parent().and_then(ElementRef::wrap)?;
        let first = parent.child_elements().next()?;
        (first.id() == heading.id())
            .then(|| parent.value().id().map(str::to_string))
            .flatten()
    })
}

/// An element's id, or else that of its nearest ancestor with one.
fn nearest_id(element: ElementRef<'_>) -> Option<String> {
    element.value().id().map(str::to_string).or_else(|| {
        element
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find_map(|a| a.value().id().map(str::to_string))
    })
}

/// A reader of one shape: the entries it found, and what it left out.
type Reader = fn(ElementRef<'_>) -> (Vec<Entry>, Vec<Skipped>);

/// Reads the page.
pub(super) fn read(text: &str) -> Page {
    let doc = Html::parse_document(text);
    let root = doc.root_element();
    let readers: [(Shape, Reader); 5] = [
        (Shape::JsonLd, json_ld),
        (Shape::Microdata, microdata),
        (Shape::Details, details),
        (Shape::DefinitionList, definition_lists),
        (Shape::Headings, |root| {
            headings::entries(walk(*root, None, true))
        }),
    ];
    let mut skipped = Vec::new();
    for (shape, reader) in readers {
        let (entries, mut left_out) = reader(root);
        skipped.append(&mut left_out);
        if !entries.is_empty() {
            return Page {
                shape,
                entries,
                skipped,
            };
        }
    }
    Page {
        shape: Shape::Headings,
        entries: Vec::new(),
        skipped,
    }
}

/// An entry, or why not: both a question and an answer are needed.
fn entry(
    question: String,
    answer: String,
    anchor: Option<String>,
    what: impl FnOnce() -> String,
    skipped: &mut Vec<Skipped>,
) -> Option<Entry> {
    let why = if question.is_empty() {
        "the question is empty"
    } else if answer.is_empty() {
        "the answer is empty"
    } else {
        return Some(Entry {
            question,
            answer,
            anchor,
            url: None,
        });
    };
    skipped.push(Skipped {
        what: what(),
        why: why.into(),
    });
    None
}

/// schema.org `FAQPage` in `<script type="application/ld+json">`.
fn json_ld(root: ElementRef<'_>) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let scripts = select(root, r#"script[type="application/ld+json"]"#);
    for (n, script) in scripts.into_iter().enumerate() {
        let raw: String = script.text().collect();
        let value: Value = match serde_json::from_str(&raw) {
            Ok(v) => v,
            Err(e) => {
                skipped.push(Skipped {
                    what: format!("JSON-LD script {}", n + 1),
                    why: format!("not valid JSON ({e})"),
                });
                continue;
            }
        };
        for question in faq_questions(&value) {
            let name = question.get("name").and_then(Value::as_str).unwrap_or("");
            let answer = one(question.get("acceptedAnswer"))
                .or_else(|| one(question.get("suggestedAnswer")))
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("");
            // Answer texts may hold HTML.
            let answer_doc = Html::parse_fragment(answer);
            let answer = text_of(answer_doc.root_element(), None);
            let question_text = tidy(&html_text(name));
            let anchor = ["url", "@id"]
                .iter()
                .filter_map(|k| question.get(*k).and_then(Value::as_str))
                .find_map(|u| u.split_once('#').map(|(_, a)| a.to_string()))
                .filter(|a| !a.is_empty())
                .or_else(|| anchor_on_page(root, &question_text));
            let what = || format!("JSON-LD question {:?}", tidy(name));
            entries.extend(entry(question_text, answer, anchor, what, &mut skipped));
        }
    }
    (entries, skipped)
}

/// The text of a bit of HTML (a JSON-LD name may hold some).
fn html_text(fragment: &str) -> String {
    let doc = Html::parse_fragment(fragment);
    doc.root_element().text().collect()
}

/// A value, or the first of an array of them.
fn one(value: Option<&Value>) -> Option<&Value> {
    match value? {
        Value::Array(items) => items.first(),
        v => Some(v),
    }
}

/// The `Question`s of every `FAQPage` in a JSON-LD value (at the top, in an array or
/// in `@graph`).
fn faq_questions(value: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => {
                let is_faq = match map.get("@type") {
                    Some(Value::String(t)) => t.ends_with("FAQPage"),
                    Some(Value::Array(ts)) => ts
                        .iter()
                        .any(|t| t.as_str().is_some_and(|t| t.ends_with("FAQPage"))),
                    _ => false,
                };
                if is_faq {
                    match map.get("mainEntity") {
                        Some(Value::Array(qs)) => out.extend(qs.iter()),
                        Some(q @ Value::Object(_)) => out.push(q),
                        _ => {}
                    }
                } else if let Some(graph) = map.get("@graph") {
                    stack.push(graph);
                }
            }
            _ => {}
        }
    }
    out
}

/// The anchor of the element on the page that shows a question (a heading, summary,
/// term or button with its text): its id or its nearest ancestor's.
fn anchor_on_page(root: ElementRef<'_>, question: &str) -> Option<String> {
    select(
        root,
        "h1, h2, h3, h4, h5, h6, summary, dt, button, a, strong",
    )
    .into_iter()
    .find(|e| tidy(&e.text().collect::<String>()) == question)
    .and_then(nearest_id)
}

/// schema.org `Question`s in microdata.
fn microdata(root: ElementRef<'_>) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for question in select(root, r#"[itemtype*="schema.org/Question"]"#) {
        let name = select(question, r#"[itemprop="name"]"#).into_iter().next();
        let name_text = name
            .map(|n| match n.value().attr("content") {
                Some(c) => tidy(c),
                None => tidy(&n.text().collect::<String>()),
            })
            .unwrap_or_default();
        let answer = select(question, r#"[itemprop="acceptedAnswer"]"#)
            .into_iter()
            .next();
        let answer_text = answer
            .map(
                |a| match select(a, r#"[itemprop="text"]"#).into_iter().next() {
                    Some(t) => text_of(t, None),
                    None => text_of(a, None),
                },
            )
            .unwrap_or_default();
        let anchor = question
            .value()
            .id()
            .or_else(|| name.and_then(|n| n.value().id()))
            .map(str::to_string);
        let what = || format!("microdata question {name_text:?}");
        entries.extend(entry(
            name_text.clone(),
            answer_text,
            anchor,
            what,
            &mut skipped,
        ));
    }
    (entries, skipped)
}

/// `<details>` with a `<summary>`: the summary asks, the rest answers.
fn details(root: ElementRef<'_>) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for details in select(root, "details") {
        let summary = details
            .child_elements()
            .find(|c| c.value().name() == "summary");
        let question = summary
            .map(|s| tidy(&s.text().collect::<String>()))
            .unwrap_or_default();
        if !select(details, "details").is_empty() {
            skipped.push(Skipped {
                what: format!("<details> {question:?}"),
                why: "it holds other <details>: a section, whose questions are read one by one"
                    .into(),
            });
            continue;
        }
        let answer = text_of(details, summary.map(|s| s.id()));
        let anchor = details
            .value()
            .id()
            .or_else(|| summary.and_then(|s| s.value().id()))
            .map(str::to_string);
        let what = || format!("<details> {question:?}");
        entries.extend(entry(question.clone(), answer, anchor, what, &mut skipped));
    }
    (entries, skipped)
}

/// `<dt>` questions and the `<dd>`s after them.
fn definition_lists(root: ElementRef<'_>) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for list in select(root, "dl") {
        let mut pairs: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
        for child in list.child_elements() {
            match child.value().name() {
                "dt" => pairs.push((
                    tidy(&child.text().collect::<String>()),
                    heading_anchor(child).or_else(|| child.value().id().map(str::to_string)),
                    Vec::new(),
                )),
                "dd" => {
                    if let Some(last) = pairs.last_mut() {
                        last.2.push(text_of(child, None));
                    }
                }
                _ => {}
            }
        }
        for (question, anchor, answers) in pairs {
            let what = || format!("<dt> {question:?}");
            let answer = answers.join("\n");
            entries.extend(entry(question.clone(), answer, anchor, what, &mut skipped));
        }
    }
    (entries, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_in_a_graph_with_html_answers_and_anchors_from_the_page() {
        let page = read(
            r##"<html><head><script type="application/ld+json">
            {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},
              {"@type": "FAQPage", "mainEntity": [
                {"@type": "Question", "name": "Can I recycle glass?",
                 "acceptedAnswer": {"@type": "Answer", "text": "<p>Yes, in the <b>green</b> box.</p><p>Not window glass.</p>"}},
                {"@type": "Question", "name": "Where is the tip?", "url": "https://x.gov.uk/faq#tip",
                 "acceptedAnswer": [{"@type": "Answer", "text": "Mill Lane."}]},
                {"@type": "Question", "name": "Empty?"}
              ]}]}
            </script><script type="application/ld+json">{not json</script></head>
            <body><section id="glass"><h2>Can I recycle glass?</h2></section></body></html>"##,
        );
        assert_eq!(page.shape, Shape::JsonLd);
        assert_eq!(page.entries.len(), 2);
        assert_eq!(
            page.entries[0].answer,
            "Yes, in the green box.\nNot window glass."
        );
        assert_eq!(page.entries[0].anchor.as_deref(), Some("glass"));
        assert_eq!(page.entries[1].anchor.as_deref(), Some("tip"));
        let skipped: Vec<String> = page.skipped.iter().map(ToString::to_string).collect();
        assert!(skipped
            .iter()
            .any(|s| s.starts_with("JSON-LD script 2: not valid JSON")));
        assert!(skipped
            .iter()
            .any(|s| s == "JSON-LD question \"Empty?\": the answer is empty"));
    }

    #[test]
    fn hidden_text_and_nested_details() {
        let page = read(
            r#"<nav>Home | Bins</nav>
            <details id="bins"><summary>Bins</summary>
              <details id="day"><summary>When is my bin collected?</summary>
                Weekly.<script>track()</script><br>Check by postcode.</details>
            </details><footer>© Council</footer>"#,
        );
        assert_eq!(page.shape, Shape::Details);
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].answer, "Weekly.\nCheck by postcode.");
        assert_eq!(page.entries[0].anchor.as_deref(), Some("day"));
        assert_eq!(page.skipped.len(), 1);
    }

    #[test]
    fn deeply_nested_markup_does_not_overflow_the_stack() {
        // The parser's time grows with size times depth: a few thousand levels (no
        // real page nests so deep) keep the test quick.
        let deep = format!(
            "<h2>Why?</h2>{}Because.{}",
            "<div>".repeat(3_000),
            "</div>".repeat(3_000)
        );
        let page = read(&deep);
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].answer, "Because.");
    }
}
