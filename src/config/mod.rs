//! The rule set: what rule authors write in TOML, loaded and validated.
//!
//! See `docs/format.md` for the format. Loading reads every file, checks everything it
//! can (types, unknown keys, ids, regexes, templates, thresholds, references) and
//! either gives a complete [`RuleSet`] or a [`LoadError`] listing every problem.

mod answer;
mod load;
pub use answer::Answer;
pub use load::read_rule_files;
mod duration;
mod parse;
pub(crate) mod sections;
pub(crate) mod source;
mod validate;
pub(crate) mod walk;

use crate::error::{LoadError, Location};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::hours::HoursLine;
pub(crate) use source::SourceFile;

/// The most bytes one rule-set file may have (16 MiB). A larger file is a load error.
pub const MAX_FILE_BYTES: usize = 16 << 20;
/// The most rules plus FAQ entries a rule set may have (1,000,000).
pub const MAX_ENTRIES: usize = 1_000_000;
/// The most compiled size of one `when.regex` pattern, in bytes (1 MiB): a pattern
/// over it (such as `\w{1000}{1000}`) is a load error.
pub const MAX_REGEX_BYTES: usize = 1 << 20;
/// The most bytes of one FAQ example question or `[out_of_scope]` example (4 KiB). A
/// longer example is a load error: an example is a way people ask, and training cost
/// grows with its length.
pub const MAX_EXAMPLE_BYTES: usize = 4 << 10;

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
/// assert_eq!(rules.faqs()[0].answer.id, "bin-day");
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(crate) settings: Settings,
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) synonyms: Vec<Vec<String>>,
    pub(crate) hours: Vec<HoursLine>,
    /// Whether a rule or a reply uses office hours (`when.outside_hours`,
    /// `{{next_open}}`, ...): only then does the engine compile `[hours]` and read the
    /// clock for each message.
    pub(crate) uses_hours: bool,
    pub(crate) channels: BTreeMap<String, Channel>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) faqs: Vec<Faq>,
    pub(crate) out_of_scope: Vec<String>,
    pub(crate) tests: Vec<TestCase>,
    pub(crate) warnings: Vec<crate::Diagnostic>,
}

/// `[settings]`: thresholds and limits. See `docs/format.md` for each key.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [settings]
///     auto_reply_threshold = 0.9
/// "#)?;
/// let settings = rules.settings();
/// assert_eq!(settings.auto_reply_threshold, 0.9);
/// assert_eq!(settings.language, "en"); // the default
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// `language`: the stemmer and stop words, as a code such as `en`.
    pub language: String,
    /// `timezone`: the IANA time-zone name for office hours, such as `Europe/London`.
    /// Checked when the rule set loads: an unknown name is a load error.
    pub timezone: String,
    /// `max_suggestions`: how many suggestions an outcome carries at most.
    pub max_suggestions: usize,
    /// `suggest_threshold`: suggestions below this score are dropped.
    pub suggest_threshold: f64,
    /// `auto_reply_threshold`: the lowest score that may be sent unattended. At 1, no
    /// FAQ answer is (an FAQ score of 1 is a probability rounded up); rules still are.
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

/// The four settings that decide what is suggested and what is sent unattended, as
/// [`Settings`] holds them, [`explain`](crate::Engine::explain) reports them and the
/// authors' toolkit chooses them (`replykit::import`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Thresholds {
    /// `suggest_threshold`: suggestions below this score are dropped.
    pub suggest_threshold: f64,
    /// `auto_reply_threshold`: the lowest score that may be sent unattended.
    pub auto_reply_threshold: f64,
    /// `auto_reply_margin`: how far an FAQ entry must lead the runner-up to be sent
    /// unattended.
    pub auto_reply_margin: f64,
    /// `faq_temperature`: the calibration of FAQ scores.
    pub faq_temperature: f64,
}

impl Default for Thresholds {
    /// The defaults of `[settings]`.
    fn default() -> Thresholds {
        Settings::default().thresholds()
    }
}

impl Settings {
    /// The thresholds of these settings.
    ///
    /// ```
    /// let t = replykit::Settings::default().thresholds();
    /// assert!(t.suggest_threshold < t.auto_reply_threshold);
    /// ```
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            suggest_threshold: self.suggest_threshold,
            auto_reply_threshold: self.auto_reply_threshold,
            auto_reply_margin: self.auto_reply_margin,
            faq_temperature: self.faq_temperature,
        }
    }
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

/// `when.outside_hours = true` or `when.inside_hours = true`: a rule that holds only
/// outside (or inside) the office hours of `[hours]`, at the message's `received_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HoursCondition {
    /// `when.inside_hours = true`: only while the office is open.
    Inside,
    /// `when.outside_hours = true`: only while the office is closed.
    Outside,
}

/// A `[channels.NAME]` table: what a channel allows.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [channels.twitter]
///     max_length = 280
/// "#)?;
/// assert_eq!(rules.channels()["twitter"].max_length, Some(280));
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Channel {
    /// `max_length`: the longest reply the channel takes, in characters (Unicode
    /// scalar values). A longer rendered reply is flagged `too_long` and never
    /// auto-replied; a rule restricted to the channel whose reply can never fit is a
    /// load error.
    pub max_length: Option<usize>,
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
    /// The compiled pattern (case-insensitive unless it says `(?-i)`); see
    /// [`Pattern::is_match`].
    pub(crate) regex: regex::Regex,
    /// Where it was written.
    pub location: Location,
}

impl Pattern {
    /// Whether the pattern matches somewhere in `text`, as a rule reads it.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
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
    /// `when.outside_hours` / `when.inside_hours`: the office must be closed (open)
    /// when the message is received.
    pub hours: Option<HoursCondition>,
}

impl Conditions {
    /// Whether these conditions read the message text: `when.any`, `when.all` or
    /// `when.regex`.
    pub(crate) fn reads_text(&self) -> bool {
        !(self.any.is_empty() && self.all.is_empty() && self.regex.is_empty())
    }

    /// Whether a rule with these conditions is a notice (see [`Rule::is_notice`]): an
    /// hours condition and no text condition.
    pub(crate) fn is_notice(&self) -> bool {
        self.hours.is_some() && !self.reads_text()
    }
}

/// A `[[rule]]`: conditions and a reply.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [[rule]]
///     id = "emergency"
///     priority = 100
///     when.any = ["gas leak", "smell gas"]
///     escalate = true
///     reply = "Call the emergency line now."
/// "#)?;
/// let rule = &rules.rules()[0];
/// assert_eq!((rule.answer.id.as_str(), rule.priority, rule.escalate), ("emergency", 100, true));
/// assert_eq!(rule.when.any.len(), 2);
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Rule {
    /// Its id, its `reply` and the reply's variations, tags, and when it may be sent.
    pub answer: Answer,
    /// Higher wins when several rules fire.
    pub priority: i64,
    /// When it fires.
    pub when: Conditions,
    /// A person must handle messages it fires on.
    pub escalate: bool,
}

impl Rule {
    /// Whether this rule is a notice: it has an hours condition and no text condition
    /// (`when.any`, `when.all`, `when.regex`), so it applies to every message at those
    /// times and is given as [`Outcome::notice`](crate::Outcome::notice), beside the
    /// answer rather than instead of it.
    ///
    /// ```
    /// use replykit::{HoursCondition, RuleSet};
    ///
    /// let rules = RuleSet::from_toml("t.toml", r#"
    ///     [settings]
    ///     timezone = "Europe/London"
    ///     [hours]
    ///     mon-fri = "08:30-17:00"
    ///
    ///     [[rule]]
    ///     id = "out-of-hours"
    ///     when.outside_hours = true
    ///     reply = "We're back at {{next_open}}."
    ///
    ///     [[rule]]
    ///     id = "anyone-there"
    ///     when.any = ["anyone there"]
    ///     when.outside_hours = true
    ///     reply = "Not right now, sorry."
    /// "#)?;
    /// let (notice, rule) = (&rules.rules()[0], &rules.rules()[1]);
    /// assert_eq!(notice.when.hours, Some(HoursCondition::Outside));
    /// assert!(notice.is_notice());
    /// assert!(!rule.is_notice());
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn is_notice(&self) -> bool {
        self.when.is_notice()
    }
}

/// A `[[faq]]` entry: example questions and an answer.
///
/// ```
/// let rules = replykit::RuleSet::from_toml("t.toml", r#"
///     [[faq]]
///     id = "bin-day"
///     questions = ["When is my bin collected?", "bin collection day"]
///     answer = ["Find your collection day online.", "Collection days are online."]
///     context = "Bins are emptied once a week. Enter your postcode to see your day."
/// "#)?;
/// let faq = &rules.faqs()[0];
/// assert_eq!(faq.answer.id, "bin-day");
/// assert_eq!(faq.questions.len(), 2);
/// assert_eq!(faq.answer.replies[1].source(), "Collection days are online."); // a variation
/// assert!(faq.context.as_deref().is_some_and(|c| c.contains("postcode"))); // never sent
/// assert!(faq.answer.auto_reply); // the default
/// # Ok::<(), replykit::LoadError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Faq {
    /// Its id, its `answer` and the answer's variations, tags, and when it may be sent.
    pub answer: Answer,
    /// Ways people ask this.
    pub questions: Vec<String>,
    /// `context`: the full answer text (as on the FAQ page the entry came from), which
    /// matching reads as weaker evidence than the example questions, weighted most where
    /// an entry has few of them. Never sent, never rendered.
    pub context: Option<String>,
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
    /// `notice`: `Some(Some(id))` when the outcome's notice should come from rule `id`,
    /// `Some(None)` (`notice = false`) when there should be none, `None` when the test
    /// does not say.
    pub notice: Option<Option<String>>,
    /// `notice_contains`: text the notice's reply should contain.
    pub notice_contains: Option<String>,
    /// `suppressed`: ids the outcome should report as suppressed.
    pub suppressed: Vec<String>,
    /// Where the test was written (its `message`).
    pub location: Location,
    /// Where its `expect` was written.
    pub(crate) expect_location: Option<Location>,
    /// The line of its `[[test]]` header, which names it in diagnostics.
    pub(crate) header_line: usize,
    /// Where its `notice` was written.
    pub(crate) notice_location: Option<Location>,
    /// Where each of `suppressed` was written.
    pub(crate) suppressed_locations: Vec<Location>,
}

impl RuleSet {
    /// The answer of a rule or an FAQ entry, by its kind and index.
    pub(crate) fn answer(&self, kind: crate::Kind, index: usize) -> Option<&Answer> {
        match kind {
            crate::Kind::Rule => self.rules.get(index).map(|r| &r.answer),
            crate::Kind::Faq => self.faqs.get(index).map(|f| &f.answer),
        }
    }

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
        load::load_paths(&[path])
    }

    /// Loads one rule set from several files or folders (see
    /// [`read_rule_files`](crate::read_rule_files)); ids are unique across all of them.
    pub fn from_paths<P: AsRef<Path>>(paths: &[P]) -> Result<RuleSet, LoadError> {
        load::load_paths(paths)
    }

    /// The warnings of a rule set that loaded: what did not stop it loading but should
    /// be seen, such as entries of a folder that were skipped (a named pipe, a broken
    /// link, a folder named `*.toml`). Empty for most rule sets.
    pub fn warnings(&self) -> &[crate::Diagnostic] {
        &self.warnings
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

    /// The `[channels.NAME]` tables, by lower-cased name.
    pub fn channels(&self) -> &BTreeMap<String, Channel> {
        &self.channels
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The FAQ entries, in file order.
    pub fn faqs(&self) -> &[Faq] {
        &self.faqs
    }

    /// `[out_of_scope] examples`: messages that no FAQ entry answers, in file order.
    /// The FAQ classifier learns them as one more class, so messages like them score
    /// low for every entry.
    pub fn out_of_scope(&self) -> &[String] {
        &self.out_of_scope
    }

    /// The test cases, in file order.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }
}
