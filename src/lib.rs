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
* [`ConversationMemory`] (or the host's own [`ConversationStore`]): what each author
  already had, so that nobody gets the same reply twice (see "Conversation memory").
* [`Reloader`]: the engine for a set of rule files, rebuilt in the background when they
  change and swapped in atomically; a rule set with errors never replaces a working
  one, and readers never block (`replykit suggest RULES --watch` uses it).

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
answer, from a classifier trained on the example questions (and the words of the entry's
id, such as `bin-day`, and, as weaker evidence weighted most where an entry has few
questions, its `context`: the full answer text of an FAQ page) when the engine is built
(words, stems, stem pairs and character n-grams; deterministic, seeded training),
calibrated by `faq_temperature` so that a threshold means the same across rule sets:
of the messages scoring 0.9, about nine in ten are answered right, in traffic where
messages about topics no entry covers are as common as the rest (that is how
[`import::choose_thresholds`] chooses it). A softmax is sure of *some* entry however
little the message has to do with it, so the score alone does not say whether the entry
explains the message: [`Suggestion::explained`] does (the share of the message's topic
words the entry's questions use), and an auto-reply needs both (see "Decisions").
`[out_of_scope]` examples (messages no entry answers) are learnt as a class of their own,
which takes probability from every entry for messages like them.
A FAQ too big to train in about three seconds ([`MAX_TRAINING_COST`](limits::MAX_TRAINING_COST)) is matched by
retrieval instead: BM25 over the entries (their questions, and their answer texts at a
discount), the score being the share of the most the message's words could add to any
entry (so words the FAQ never uses lower it), or the cosine similarity of the entry's
closest example question where that is higher.

`replykit import` (the `cli` feature) and [`import::choose_thresholds`] choose
`suggest_threshold`, `auto_reply_threshold` and `faq_temperature` from a team's labelled
history by cross-validation that leaves whole labels out as well as messages, so that
the thresholds see messages about topics no entry covers, in the same words.

# Decisions

First, a rule with `when.outside_hours` / `when.inside_hours` fires only at those times,
and rules and FAQ entries that the author's history holds back (`cooldown`,
`once_per_conversation`) are set aside, listed in [`Outcome::suppressed`]; the next
candidates take their places. Then:

1. An escalating rule fired: `escalate`, whatever else matched; [`Outcome::escalation`]
   names the rule and why. Escalating rules always rank first.
2. Nothing scored at least `suggest_threshold`: `no_answer`, with no suggestions.
3. The top suggestion scored at least `auto_reply_threshold` (for an FAQ entry, a
   threshold below 1: an FAQ score of 1 is a probability rounded up, so
   `auto_reply_threshold = 1` sends no FAQ answer unattended), it allows auto-reply, its
   reply lacks no message value and fits the channel, the message is neither
   [`from_us`](Message::from_us) nor [`automated`](Message::automated), and it is a
   clear winner: a rule is, unless another rule of the same priority fired too (a rule
   is its author's explicit choice, so FAQ matches do not make it ambiguous); an FAQ
   entry is when the runner-up entry scored at least `auto_reply_margin` less, and
   when it explains the message: its example questions use at least half
   ([`MIN_EXPLAINED_SHARE`]) of the message's topic words, weighted by rarity
   ([`Suggestion::explained`]), so that a message mostly about something else ("can I
   bring my dog on the train" against an entry about bikes) is never sent an answer
   unattended, however sure the classifier is: `auto_reply`.
4. Otherwise `suggest`.

Ties are broken deterministically: rules before FAQ entries, higher priority, more
conditions met, then rule-set order. The same message (with the same history) always
gets the same outcome, and the same reply variation. A rule set with `[hours]` reads
the message's `received_at`; a message without one is read at the host's clock, so
pass `received_at` wherever the outcome must be reproducible.

# Office hours

`[hours]` gives the weekly opening times, closed dates and one-off changed hours, read in
`settings.timezone` (an IANA name such as `Europe/London`, checked at load): opening
times are wall-clock times, so they follow daylight saving. The message's
`received_at` (RFC 3339 with an offset) says when it came; without it, the host's clock.
Text that is not such a timestamp is treated as absent and named in
[`Outcome::unreadable`].

A rule with `when.outside_hours = true` (or `when.inside_hours = true`) and text
conditions is an ordinary rule that fires only at those times. A rule with an
office-hours condition and **no** text condition is a *notice*: it applies to every
message at those times, and comes out as [`Outcome::notice`], beside the suggestions
rather than among them. That is what a small team wants at 2am: the FAQ answer to the
question (auto-replied when it is sure), plus "a person will be back at 8:30am on Monday
29 December" — and for a question nothing answers, the notice alone, while the message
waits for a person. A notice never outranks or hides an answer, and it does not change
the decision; [`Notice::auto_reply`] says whether it is safe to send unattended. Give it
a `cooldown` so that someone who sends five messages in the night hears it once.

`{{next_open}}` in a reply is the next opening after the message's time, in the rule
set's zone: `8:30am on Tuesday 29 December` (`9am` on the hour, `12pm` for noon; the year
is added when it is not the message's year). It is English.

```
use replykit::{Decision, Engine, Message, RuleSet};

let rules = RuleSet::from_toml("council.toml", r#"
    [settings]
    timezone = "Europe/London"

    [hours]
    mon-fri = "08:30-17:00"
    closed = ["2026-12-25", "2026-12-28"]
    2026-12-24 = "08:30-12:30"

    [[rule]]
    id = "out-of-hours"
    when.outside_hours = true
    cooldown = "12h"
    reply = "Thanks for your message. A person will be back at {{next_open}}."

    [[faq]]
    id = "bin-day"
    questions = ["When is my bin collected?", "what day do you empty the bins"]
    answer = "Find your collection day at https://example.gov.uk/bins."
"#)?;
let engine = Engine::new(&rules)?;

// Christmas Eve, 2pm: after the half day.
let message = Message::new("when is my bin collected?").with_received_at("2026-12-24T14:00:00Z");
let outcome = engine.suggest(&message);
assert_eq!(outcome.decision, Decision::AutoReply);
assert_eq!(outcome.suggestions[0].id, "bin-day");
let notice = outcome.notice.expect("closed");
assert_eq!(notice.reply, "Thanks for your message. A person will be back at 8:30am on Tuesday 29 December.");
assert!(notice.auto_reply);
# Ok::<(), replykit::LoadError>(())
```

# Conversation memory

The engine remembers nothing: the host says what the author already had, either in the
message's [`history`](Message::history) (`[{"id": "bin-day", "variation": 0, "at":
"2026-12-02T22:00:00Z"}]`, oldest first — how hosts in other languages do it) or from a
store passed to [`Engine::suggest_with`]: the bounded in-memory [`ConversationMemory`],
or any [`ConversationStore`] over the host's own database, keyed by
[`Message::author_key`]. The host records what it actually sent.

* `cooldown = "24h"` on a rule or FAQ entry: not suggested again to an author who had it
  less than that long ago. An entry whose `at` is missing or unreadable counts as just
  sent (holding back one reply too many beats sending it twice); an unreadable `at` is
  named in [`Outcome::unreadable`].
* `once_per_conversation = true`: not suggested again to an author whose history holds
  it. What a conversation is, is the host's to say, by the history it passes (or by
  [`ConversationMemory::forget`]).
* A held-back rule or entry is listed in [`Outcome::suppressed`] with the [`Suppression`]
  reason (and, for a cooldown, `until` when), and the next candidate takes its place.
  Escalating rules cannot be held back.
* Loop protection: a message marked [`from_us`](Message::from_us) (a colleague's reply,
  our own post) or [`automated`](Message::automated) (an auto-responder, a bot) is never
  `auto_reply` — at most `suggest`, or `escalate` — and gets no notice, so two automata
  never answer each other.
* Variations: the variation is chosen by a hash of the message text and the id, among
  those the author never had; once they had them all, among all but the one they had
  last. Without history, the same message always gets the same variation; with it, an
  author hears every variation before any repeats, and never the same one twice in a
  row.

The engine reads the last [`MAX_HISTORY`](limits::MAX_HISTORY) entries; [`ConversationMemory`] keeps the last
[`MAX_REMEMBERED`](limits::MAX_REMEMBERED) replies of each of its `capacity` authors.

# Channel limits

`[channels.twitter] max_length = 280` bounds the replies on a channel, in characters.
A reply that overflows is flagged ([`Suggestion::too_long`], with its length and the
limit), never cut, and never auto-replied; when another variation fits, that one is
chosen instead. A rule restricted to a channel (`when.channel`) whose reply cannot fit
even with every message value empty is a load error.

# Untrusted input

Message text is untrusted: any text, empty or huge, binary-ish, right-to-left, emoji or
zero-width joiners, gives an outcome without panicking (a property test and three
fuzz targets in `fuzz/` check it).

* A message longer than `max_message_bytes` (default 16 KiB, at most 1 MiB) is matched
  on its first `max_message_bytes` bytes, cut at a character boundary, and the outcome
  says `truncated: true`.
* Work per message is linear in its length (times, for regexes, the number of distinct
  literal prefixes that occur in it): phrase matching walks a trie from each word; a
  regex whose matches start with a literal is confirmed by one search from that
  literal's first occurrence, however often it occurs; the other regexes run as one
  set; all are the `regex` crate's, which never backtracks. The prefilter folds case
  as the regex does (`ſ` is an `s`, the Kelvin sign a `k`), so it cannot be dodged.
* Text inserted into replies from the message (regex captures, author names, fields)
  is stripped of control characters, line and paragraph separators and bidirectional
  marks, overrides and isolates, and cut to [`MAX_INSERTED_CHARS`](limits::MAX_INSERTED_CHARS) characters.
* Of a message's `history` (and the store's), only the last [`MAX_HISTORY`](limits::MAX_HISTORY) entries are
  read; `received_at` and `at` longer than 100 bytes are unreadable.
* Scoring reuses scratch space kept per thread that calls `suggest` (a thread-local,
  never freed while the thread lives, sized by the largest engine and the longest
  message that thread has served): about 24 bytes per feature of the FAQ classifier
  and 4 per known word, 8 bytes per entry of a FAQ matched by retrieval, and buffers as
  long as the longest message read (at most `max_message_bytes`).
* [`ConversationMemory`] keeps a 128-bit keyed hash of each author key, never the key:
  at most `capacity` authors × ([`MAX_REMEMBERED`](limits::MAX_REMEMBERED) replies + about 100 bytes), whatever
  the keys' length.

Rule sets may come from a web form, so they are bounded too, and loading one costs
time and memory linear in its size:

| what | bound |
|---|---|
| one file | [`MAX_FILE_BYTES`](limits::MAX_FILE_BYTES) (16 MiB), read with that cap whatever size the file reports; only regular files are opened (a named pipe or a device is an error, not a hang) |
| rules and FAQ entries | [`MAX_ENTRIES`](limits::MAX_ENTRIES) |
| one FAQ example question or `[out_of_scope]` example | [`MAX_EXAMPLE_BYTES`](limits::MAX_EXAMPLE_BYTES) (4 KiB) |
| one `when.regex` pattern | [`MAX_REGEX_BYTES`](limits::MAX_REGEX_BYTES) compiled |
| all `when.regex` patterns | [`MAX_REGEX_SET_BYTES`](limits::MAX_REGEX_SET_BYTES) for the set of those without a literal prefix, and the same again for the confirming automata of those with one (about 10 KB each for a pattern like `\border\s*\d+`: Unicode `\d` and `\s` are large) |
| a phrase, a reply, a variable | within the file's bound; each costs memory linear in its length (a diagnostic's location shares the file's text rather than copying its line) |
| a word | typo tolerance only for words of 5 to 40 bytes |

A file is parsed one `[[rule]]`, `[[faq]]` or `[[test]]` entry at a time, so the TOML
tree held while loading is one entry's, not the file's (many times the file's size);
a file whose layout does not allow it (a table such as `[settings]` after its first
entry, a header line inside a multi-line string) is parsed whole, with the same result.

Each check that compares entries does so by sorting or hashing, never pair by pair
(`[hours]` overlaps are at most one error per line), and "did you mean" hints stop
after a fixed amount of work. `benches/hostile.rs` runs the worst cases found so far
at two sizes.

# How the crate is built

Layers, each reading only those before it:

| layer | modules | holds |
|---|---|---|
| config | `hours`, `template`, then `config` (answer, load, parse, validate, walk) | office hours and times; reply templates; a rule set read from TOML, every problem as a [`Diagnostic`], rules and FAQ entries each holding an [`Answer`] |
| text | `text` (fold, analyzer, phrase trie), `span` | how text is read: folding, word ids with synonyms, stems, typo targets |
| rules, faq | `rules` (phrase index, regex prefilter), `faq` (classifier, retrieval) | which rules fire; which FAQ entries answer, and how sure |
| engine | `engine`, `context`, `conversation`, `trace`, `batch` | one decision per message, optionally noted for `explain`; many messages on every core ([`Engine::suggest_batch`], feature `parallel`) |
| outcome | `outcome`, `explain`, `paint` | what the host gets, and why, in words |

Beside them: the authors' toolkit (`lint`, `import`, `eval`, `labelled`, `testcase`, `faqpage`, the
threshold search in `faq::thresholds`) behind the `toolkit` feature, the listening report
(`listen`) behind `report`, and the `replykit` command (`src/bin`) behind `cli`.

A message's way through [`Engine::suggest`]: `engine` cuts it to `max_message_bytes`
and `text` tokenizes it once; the analyzer gives word ids (synonyms folded) and stems.
`rules` walks the phrase trie over the word ids and runs the regex prefilter, then
checks each candidate rule's conditions (`RuleIndex::fire`); `faq` scores the
entries from the stems and words (`FaqModel::score`). Each candidate points at its
rule's or entry's [`Answer`]. `engine` ranks the candidates, drops what office hours
(compiled when the engine is built), the FAQ's grounding and the author's history
(`context`, read from each candidate's answer) rule out, and
takes the decision: an escalating rule escalates; otherwise the top suggestion is sent
unattended exactly when its auto-reply gate holds (the rule's or entry's
`auto_reply`, loop protection, [`Suggestion`]'s own blockers, the threshold and the
runner-up). The replies are rendered from `template`s, and `outcome` is what comes
back. [`Engine::explain`] runs the same code with a recorder that notes every check
(`trace`), so an explanation cannot disagree with the outcome.

# Crate features

* `toolkit`: the authors' toolkit — [`lint`], [`import`] (labelled history to a rule
  set, and the cross-validated threshold search), [`eval`],
  [`Engine::run_tests`] for a rule set's `[[test]]` cases (which load either way), and
  [`faqpage`] (an FAQ page you already have, HTML, Markdown or CSV, made into a rule
  set, its answers kept as `context` for matching), and [`Outcome::write_json`] (an
  outcome's JSON line, the bytes serde_json writes, without serde's machinery).
* `report`: `replykit::listen`, reports over a message history (coverage, clusters of
  what nothing answers, rising terms) as serde values, Markdown and self-contained HTML.
* `parallel`: batches on every core, with rayon: [`Engine::suggest_batch`],
  [`eval`], and the listening report's clustering (the results are the same as on
  one core).
* `schema`: [`schema`], JSON Schemas of a message line and an outcome line, generated
  from the types with schemars.
* `cli`: the `replykit` command-line tool (enables `toolkit`, `report`, `schema` and
  `parallel`: `eval`, `diff` and `report` answer their messages on every core).

Without features, the crate is the engine alone: load a rule set, build an
[`Engine`], [`suggest`](Engine::suggest) and [`explain`](Engine::explain).
*/

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod batch;
mod config;
mod context;
mod conversation;
mod engine;
mod error;
#[cfg(feature = "toolkit")]
pub mod eval;
pub mod explain;
mod faq;
#[cfg(feature = "toolkit")]
pub mod faqpage;
mod hours;
#[cfg(feature = "toolkit")]
pub mod import;
#[cfg(feature = "toolkit")]
mod labelled;
#[cfg(feature = "toolkit")]
pub mod lint;
#[cfg(feature = "report")]
pub mod listen;
mod message;
mod outcome;
pub mod paint;
mod reload;
mod rules;
#[cfg(feature = "schema")]
pub mod schema;
mod span;
mod template;
#[cfg(feature = "toolkit")]
mod testcase;
mod text;
#[cfg(any(feature = "toolkit", feature = "report"))]
mod toml_text;
mod trace;

/// The bounds on what a rule set and a message may cost (see "Untrusted input" above):
/// every limit in one place, each defined beside the code it bounds.
pub mod limits {
    pub use crate::config::{MAX_ENTRIES, MAX_EXAMPLE_BYTES, MAX_FILE_BYTES, MAX_REGEX_BYTES};
    pub use crate::conversation::{MAX_HISTORY, MAX_REMEMBERED};
    pub use crate::faq::MAX_TRAINING_COST;
    pub use crate::rules::MAX_REGEX_SET_BYTES;
    pub use crate::template::MAX_INSERTED_CHARS;
}

pub use config::{
    read_rule_files, Answer, Channel, Conditions, Faq, HoursCondition, HoursLine, Pattern, Phrase,
    Rule, RuleSet, Settings, TestCase, Thresholds,
};
pub use conversation::{ConversationMemory, ConversationStore, Sent};
pub use engine::Engine;
pub use error::{Diagnostic, LoadError, Location, Severity};
pub use faq::MIN_EXPLAINED_SHARE;
pub use message::{Author, Message, MessageId};
pub use outcome::{
    Decision, Escalation, Evidence, EvidenceKind, Kind, Notice, Outcome, Ranked, Suggestion,
    Suppressed, Suppression, TooLong, UnknownDecision,
};
pub use reload::{ReloadEvent, Reloader, Watch};
pub use span::{Offsets, Span};
pub use template::Template;
#[cfg(feature = "toolkit")]
pub use testcase::{TestReport, TestResult};

/// The README's examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod testoibits {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    /// Usable after a panic elsewhere: no interior mutability that a panic could leave
    /// half-done (a host may catch a panic of its own around `suggest`).
    fn assert_unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}

    #[test]
    fn public_types_are_unwind_safe() {
        assert_unwind_safe::<Engine>();
        assert_unwind_safe::<RuleSet>();
        assert_unwind_safe::<LoadError>();
        assert_unwind_safe::<Message>();
        assert_unwind_safe::<Outcome>();
        assert_unwind_safe::<ConversationMemory>();
        assert_unwind_safe::<Settings>();
        assert_unwind_safe::<Answer>();
        assert_unwind_safe::<Diagnostic>();
        assert_unwind_safe::<explain::Explanation>();
        assert_unwind_safe::<Reloader>();
    }

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<Engine>();
        assert_send_sync::<RuleSet>();
        assert_send_sync::<LoadError>();
        assert_send_sync::<Message>();
        assert_send_sync::<MessageId>();
        assert_send_sync::<Offsets>();
        assert_send_sync::<Outcome>();
        assert_send_sync::<ConversationMemory>();
        assert_send_sync::<Sent>();
        assert_send_sync::<Settings>();
        assert_send_sync::<Rule>();
        assert_send_sync::<Faq>();
        assert_send_sync::<Answer>();
        assert_send_sync::<TestCase>();
        assert_send_sync::<Diagnostic>();
        assert_send_sync::<Location>();
        assert_send_sync::<Author>();
        assert_send_sync::<Suggestion>();
        assert_send_sync::<Evidence>();
        assert_send_sync::<Escalation>();
        assert_send_sync::<Ranked>();
        assert_send_sync::<Span>();
        assert_send_sync::<Template>();
        assert_send_sync::<explain::Explanation>();
        assert_send_sync::<Reloader>();
        assert_send_sync::<ReloadEvent>();
        assert_send_sync::<Watch>();
        #[cfg(feature = "toolkit")]
        {
            assert_send_sync::<TestReport>();
            assert_send_sync::<TestResult>();
            assert_send_sync::<eval::EvalReport>();
            assert_send_sync::<eval::Labelled>();
            assert_send_sync::<import::Thresholds>();
        }
        #[cfg(feature = "report")]
        {
            assert_send_sync::<listen::Listener>();
            assert_send_sync::<listen::ListenerBuilder>();
            assert_send_sync::<listen::Report>();
        }
    }
}
