/*!
replykit suggests canned answers to incoming customer messages.

Rule authors describe answers ([`Faq`] entries with example questions) and situations
([`Rule`]s with phrase and pattern conditions, some of which must go to a person) in
TOML; the crate loads and validates them into a [`RuleSet`], compiles that into an
[`Engine`], and for each [`Message`] returns an [`Outcome`]: a [`Decision`]
(`auto_reply`, `suggest`, `escalate`, `no_answer`) and ranked [`Suggestion`]s, each with
its rendered reply, a score from 0 to 1, tags and the [`Evidence`] that explains it.

It is a pure library: it sends nothing, stores nothing and calls no network.

# Overview

* [`RuleSet`]: the TOML files, loaded and validated. Loading collects *every* problem as
  a [`Diagnostic`] with file, line, column, rule id and a hint; a rule set with errors
  never half-loads ([`LoadError`]).
* [`Engine`]: built once from a rule set; immutable, `Send + Sync`, cheap to clone.
* [`Message`] in, [`Outcome`] out; both serialise to and from JSON with serde.

# Example: suggest a reply

```
use replykit::{Decision, Engine, Message, RuleSet};

let rules = RuleSet::from_toml("council.toml", r#"
    [vars]
    bins_url = "https://example.gov.uk/bins"

    [synonyms]
    bin = ["wheelie bin", "dustbin"]

    [[rule]]
    id = "missed-bin"
    when.all = ["bin"]
    when.any = ["missed", "not collected", "wasn't emptied"]
    reply = "Sorry about that, {{author.name | \"there\"}}. Report a missed bin at {{bins_url}}."

    [[faq]]
    id = "bin-day"
    questions = ["When is my bin collected?", "what day do you empty the bins"]
    answer = "Find your collection day at {{bins_url}}."
"#)?;
let engine = Engine::new(&rules)?;

let outcome = engine.suggest(&Message::new("My wheelie-bin wasn't emptied!"));
assert_eq!(outcome.decision, Decision::AutoReply);
let top = &outcome.suggestions[0];
assert_eq!(top.reply, "Sorry about that, there. Report a missed bin at https://example.gov.uk/bins.");
// Evidence spans point into the original text.
assert_eq!(&"My wheelie-bin wasn't emptied!"[top.evidence[0].span], "wheelie-bin");
# Ok::<(), replykit::LoadError>(())
```

# Example: errors, all at once

```
let err = replykit::RuleSet::from_toml("waste.toml", r#"
[[rule]]
id = "missed-bin"
when.any = ["missed"]
reply = "Report it at {{bins_ulr}}."

[[faq]]
id = "missed-bin"
questions = []
answer = "..."
"#).unwrap_err();
let positions: Vec<String> = err.diagnostics().iter().map(|d| d.position()).collect();
assert_eq!(positions, ["waste.toml:5:23", "waste.toml:8:6", "waste.toml:9:13"]);
println!("{err}"); // rendered like a compiler: source line, carets, `help:`
```

# Matching

Text is folded before matching: case, accents, full-width forms, curly apostrophes,
punctuation and spacing do not matter, and matching is on whole words ("bin" matches
"BIN!" and "wheelie-bin", never "cabinet"). `[synonyms]` groups are folded to one word
everywhere.

* **Rules** match exact words (after folding): list the forms you mean. Every phrase of
  every rule is in one index over word ids, and every pattern in one regex set, so the
  cost of a message does not grow with the number of rules.
* **FAQ entries** match word forms (Snowball stems), paraphrases the examples cover,
  and typos (character n-grams); see "Scores".

# Scores

A rule that fires scores 1. An FAQ entry's score is the probability that it is the right
answer, from a classifier trained on the example questions when the engine is built
(words, stems, stem pairs and character n-grams; deterministic, seeded training),
calibrated by `faq_temperature` so that a threshold means the same across rule sets:
of the messages scoring 0.9, about nine in ten are answered right. Message words the FAQ
never uses make every score less sure, so a message about something else scores low.
A FAQ too big to train in about three seconds ([`MAX_TRAINING_COST`]) is matched by
retrieval instead: the TF-IDF cosine similarity of the message to the entry's closest
example question.

`replykit import` (the `cli` feature) and [`import::choose_thresholds`] choose
`suggest_threshold`, `auto_reply_threshold` and `faq_temperature` from a team's labelled
history by cross-validation.

# Decisions

1. An escalating rule fired: `escalate`, whatever else matched; [`Outcome::escalation`]
   names the rule and why. Escalating rules always rank first.
2. Nothing scored at least `suggest_threshold`: `no_answer`, with no suggestions.
3. The top suggestion scored at least `auto_reply_threshold`, it allows auto-reply, its
   reply lacks no message value, and it is a clear winner: a rule is, unless another
   rule of the same priority fired too (a rule is its author's explicit choice, so FAQ
   matches do not make it ambiguous); an FAQ entry is when the runner-up entry scored at
   least `auto_reply_margin` less: `auto_reply`.
4. Otherwise `suggest`.

Ties are broken deterministically: rules before FAQ entries, higher priority, more
conditions met, then rule-set order. The same message always gets the same outcome, and
the same reply variation.

# Untrusted input

Message text is untrusted: any text, empty or huge, binary-ish, right-to-left, emoji or
zero-width joiners, gives an outcome without panicking.

* A message longer than `max_message_bytes` (default 16 KiB, at most 1 MiB) is matched
  on its first `max_message_bytes` bytes, cut at a character boundary, and the outcome
  says `truncated: true`.
* Text inserted into replies from the message (regex captures, author names, fields)
  is stripped of control and bidirectional-override characters and cut to
  [`MAX_INSERTED_CHARS`] characters.
* Work per message is linear in its length: phrase matching walks a trie from each
  word, and regexes are the `regex` crate's, which never backtrack.

Rule sets may come from a web form, so they are bounded too: a file over
[`MAX_FILE_BYTES`], more than [`MAX_ENTRIES`] rules and entries, a pattern compiling to
more than [`MAX_REGEX_BYTES`], or patterns together over [`MAX_REGEX_SET_BYTES`] are
load errors.
*/

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod config;
mod engine;
mod error;
pub mod eval;
mod faq;
pub mod import;
pub mod lint;
mod message;
mod outcome;
mod rules;
mod span;
mod template;
mod testcase;
mod text;

pub use config::{
    Conditions, Faq, HoursLine, Pattern, Phrase, Rule, RuleSet, Settings, TestCase, MAX_ENTRIES,
    MAX_FILE_BYTES, MAX_REGEX_BYTES,
};
pub use engine::Engine;
pub use error::{Diagnostic, LoadError, Location, Severity};
pub use faq::MAX_TRAINING_COST;
pub use message::{Author, Message};
pub use outcome::{
    Decision, Escalation, Evidence, EvidenceKind, Kind, Outcome, Ranked, Suggestion,
};
pub use rules::MAX_REGEX_SET_BYTES;
pub use span::Span;
pub use template::{Template, MAX_INSERTED_CHARS};
pub use testcase::{TestReport, TestResult};

/// The README's examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod testoibits {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<Engine>();
        assert_send_sync::<RuleSet>();
        assert_send_sync::<LoadError>();
        assert_send_sync::<Message>();
        assert_send_sync::<Outcome>();
        assert_send_sync::<TestReport>();
    }
}
