//! The rule set: what rule authors write in TOML, loaded and validated.
//!
//! See `docs/format.md` for the format. Loading reads every file, checks everything it
//! can (types, unknown keys, ids, regexes, templates, thresholds, references) and
//! either gives a complete [`RuleSet`] or a [`LoadError`] listing every problem.

mod load;
mod parse;
pub(crate) mod source;
mod validate;
mod walk;

use crate::error::{LoadError, Location};
use crate::template::Template;
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use source::SourceFile;

/// The most bytes one rule-set file may have (16 MiB). A larger file is a load error.
pub const MAX_FILE_BYTES: usize = 16 << 20;
/// The most rules plus FAQ entries a rule set may have (1,000,000).
pub const MAX_ENTRIES: usize = 1_000_000;
/// The most compiled size of one `when.regex` pattern, in bytes (1 MiB): a pattern
/// over it (such as `\w{1000}{1000}`) is a load error.
pub const MAX_REGEX_BYTES: usize = 1 << 20;

/// A loaded, validated rule set: settings, variables, synonyms, rules, FAQ entries and
/// tests, from one or more TOML files.
///
/// Build an [`Engine`](crate::Engine) from it to suggest replies.
///
/// ```
/// use replykit::RuleSet;
///
/// let rules = RuleSet::from_toml("waste.toml", r#"
///     [[faq]]
///     id = "bin-day"
///     questions = ["When is my bin collected?"]
///     answer = "Find your collection day online."
/// "#)?;
/// assert_eq!(rules.faqs()[0].id, "bin-day");
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(crate) settings: Settings,
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) synonyms: Vec<Vec<String>>,
    pub(crate) hours: Vec<HoursLine>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) faqs: Vec<Faq>,
    pub(crate) tests: Vec<TestCase>,
}

/// `[settings]`: thresholds and limits. See `docs/format.md` for each key.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// `language`: the stemmer and stop words, as a code such as `en`.
    pub language: String,
    /// `timezone`: the IANA time-zone name for office hours.
    pub timezone: String,
    /// `max_suggestions`: how many suggestions an outcome carries at most.
    pub max_suggestions: usize,
    /// `suggest_threshold`: suggestions below this score are dropped.
    pub suggest_threshold: f64,
    /// `auto_reply_threshold`: the lowest score that may be sent unattended.
    pub auto_reply_threshold: f64,
    /// `auto_reply_margin`: how far below the top suggestion the runner-up must be for
    /// an auto-reply.
    pub auto_reply_margin: f64,
    /// `max_message_bytes`: longer messages are read up to this many bytes.
    pub max_message_bytes: usize,
    /// `faq_temperature`: the calibration of FAQ scores (below 1 sharpens them, above 1
    /// softens them). `replykit import` chooses it from the examples.
    pub faq_temperature: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            language: "en".into(),
            timezone: "UTC".into(),
            max_suggestions: 3,
            suggest_threshold: 0.35,
            auto_reply_threshold: 0.85,
            auto_reply_margin: 0.1,
            max_message_bytes: 16 * 1024,
            faq_temperature: 0.7,
        }
    }
}

/// One line of `[hours]`: days, and an opening range in minutes after midnight (or
/// closed dates).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HoursLine {
    /// Days (0 = Monday ..= 6 = Sunday) open from `open` to `close` minutes after
    /// midnight.
    Open {
        /// The days this line covers, Monday = 0.
        days: Vec<u8>,
        /// Opening time, minutes after midnight.
        open: u16,
        /// Closing time, minutes after midnight.
        close: u16,
    },
    /// Dates (`YYYY-MM-DD`) on which the office is closed all day.
    Closed(Vec<String>),
}

/// A phrase of a rule condition, as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Phrase {
    /// The phrase as written.
    pub text: String,
    /// Where it was written.
    pub location: Location,
}

/// A `when.regex` pattern, compiled.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Pattern {
    /// The pattern as written.
    pub source: String,
    /// The compiled pattern (case-insensitive unless it says `(?-i)`).
    pub regex: regex::Regex,
    /// Where it was written.
    pub location: Location,
}

/// The conditions of a rule: all that are present must hold.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Conditions {
    /// `when.any`: at least one must occur.
    pub any: Vec<Phrase>,
    /// `when.all`: every one must occur.
    pub all: Vec<Phrase>,
    /// `when.none`: none may occur.
    pub none: Vec<Phrase>,
    /// `when.regex`: at least one must match.
    pub regex: Vec<Pattern>,
    /// `when.channel`: the message's channel must be one of these (lower-cased).
    pub channel: Vec<String>,
    /// `when.author.id|name|handle`: the author's value must be one of these
    /// (lower-cased), keyed by `id`, `name` or `handle`.
    pub author: BTreeMap<String, Vec<String>>,
    /// `when.fields.NAME`: the message field's value must be one of these (lower-cased).
    pub fields: BTreeMap<String, Vec<String>>,
}

/// A `[[rule]]`: conditions and a reply.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Rule {
    /// The rule's id, unique in the rule set.
    pub id: String,
    /// Higher wins when several rules fire.
    pub priority: i64,
    /// When it fires.
    pub when: Conditions,
    /// A person must handle messages it fires on.
    pub escalate: bool,
    /// `false`: never sent unattended.
    pub auto_reply: bool,
    /// The reply and its variations.
    pub reply: Vec<Template>,
    /// Tags carried into the outcome.
    pub tags: Vec<String>,
    /// Where its id was written.
    pub location: Location,
}

/// A `[[faq]]` entry: example questions and an answer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Faq {
    /// The entry's id, unique in the rule set.
    pub id: String,
    /// Ways people ask this.
    pub questions: Vec<String>,
    /// The answer and its variations.
    pub answer: Vec<Template>,
    /// Tags carried into the outcome.
    pub tags: Vec<String>,
    /// `false`: never sent unattended.
    pub auto_reply: bool,
    /// Where its id was written.
    pub location: Location,
}

/// A `[[test]]` case: a message and what should come out.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TestCase {
    /// The message to suggest for.
    pub message: crate::Message,
    /// The id the top suggestion should have.
    pub expect: Option<String>,
    /// The decision expected.
    pub decision: Option<crate::Decision>,
    /// Text the top suggestion's reply should contain.
    pub reply_contains: Option<String>,
    /// Where the test was written (its `message`).
    pub location: Location,
    /// Where its `expect` was written.
    pub(crate) expect_location: Option<Location>,
}

impl RuleSet {
    /// Loads a rule set from one TOML text; `origin` names it in diagnostics.
    pub fn from_toml(origin: &str, toml: &str) -> Result<RuleSet, LoadError> {
        RuleSet::from_sources([(origin, toml)])
    }

    /// Loads a rule set from several TOML texts, `(origin, text)`, merged into one.
    pub fn from_sources<'a, I>(sources: I) -> Result<RuleSet, LoadError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let files = sources
            .into_iter()
            .map(|(name, text)| SourceFile::new(name, text))
            .collect();
        load::load_files(files, Vec::new())
    }

    /// Loads a rule set from a file, or from every `*.toml` file in a folder (in
    /// file-name order, not descending into sub-folders).
    pub fn from_path(path: impl AsRef<Path>) -> Result<RuleSet, LoadError> {
        load::load_path(path.as_ref())
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The variables of `[vars]`.
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The synonym groups: each group's words and phrases, key first.
    pub fn synonyms(&self) -> &[Vec<String>] {
        &self.synonyms
    }

    /// The lines of `[hours]`.
    pub fn hours(&self) -> &[HoursLine] {
        &self.hours
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The FAQ entries, in file order.
    pub fn faqs(&self) -> &[Faq] {
        &self.faqs
    }

    /// The test cases, in file order.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }
}
