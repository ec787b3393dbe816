//! The `replykit` command: tools for rule authors and integrators.
//!
//! ```text
//! replykit check RULES...                      load and validate; every problem at once
//! replykit lint RULES...                       mistakes that load but will not work
//! replykit test RULES... [--cases CASES.jsonl] run the [[test]] cases
//! replykit suggest RULES... [MESSAGE]          outcomes as JSON lines (stdin or one message)
//! replykit explain RULES... MESSAGE [--json]   why a message gets its outcome
//! replykit diff OLD NEW MESSAGES.jsonl         what a change does to real messages
//! replykit import LABELLED.jsonl > faq.toml    a rule set from labelled history
//! replykit import-faq PAGE [--url URL]         a rule set from an FAQ page you have
//! replykit eval RULES LABELLED.jsonl [--json]  answer quality on labelled messages
//! replykit report RULES HISTORY.jsonl          what people ask, what nothing answers,
//!     [--html FILE] [--json] [--markdown]      what is rising
//! ```
//!
//! Exit status: 0 when all is well; 1 when the command found problems (`check` and
//! `lint` errors, `test` failures); 2 when it could not do its job (bad arguments, an
//! unreadable input, a rule set that does not load for `test`, `suggest`, `diff`,
//! `eval`, `report`).

mod check;
mod diff;
mod explain;
mod history;
mod import_faq;
mod input;
mod lint;
mod load;
mod render;
mod report;
mod suggest;
mod test_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use replykit::Diagnostic;
use std::path::PathBuf;
use std::process::ExitCode;

/// Suggest canned answers to customer messages: tools for rule authors.
#[derive(Parser, Debug)]
#[command(name = "replykit", version, about)]
#[command(after_help = "\
Examples:
  replykit check rules/
  replykit lint rules/
  replykit test rules/ --cases history.jsonl
  echo 'my bin was missed' | replykit suggest rules/
  replykit explain rules/ \"my new bin wasn't emptied\"
  replykit diff rules-old/ rules/ history.jsonl
  replykit report rules/ history.jsonl --html report.html

Exit status: 0 all is well; 1 problems found (check, lint, test); 2 could not run.")]
struct Cli {
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set), always,
    /// never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Like a compiler: file:line:column, the source line, carets, help.
    Human,
    /// One JSON array of diagnostics, for editors and CI.
    Json,
}

/// Which line's schema to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SchemaOf {
    /// A message line, as `suggest` reads it.
    Message,
    /// An outcome line, as `suggest` writes it.
    Outcome,
}

/// Prints a JSON Schema.
fn schema(of: SchemaOf) -> Result<ExitCode, Failure> {
    let schema = match of {
        SchemaOf::Message => replykit::schema::message(),
        SchemaOf::Outcome => replykit::schema::outcome(),
    };
    let text =
        serde_json::to_string_pretty(&schema).map_err(|e| format!("cannot write JSON: {e}"))?;
    std::io::Write::write_all(
        &mut std::io::stdout().lock(),
        format!("{text}\n").as_bytes(),
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load and validate rule files or folders; print every problem.
    ///
    /// All PATHs (files, or folders whose *.toml files are read in name order) form one
    /// rule set: ids are unique across them. Each problem is printed like a compiler
    /// diagnostic on stdout; a one-line summary goes to stderr. Exit status 0 when the
    /// rule set loads, 1 when it has errors.
    #[command(after_help = "\
Examples:
  replykit check rules/
  replykit check settings.toml waste.toml roads.toml
  replykit check rules/ --format json > problems.json")]
    Check {
        /// Rule files, or folders of them.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Find mistakes that load but will not work.
    ///
    /// Rules that can never fire or are shadowed by another rule, the same phrase in two
    /// rules, FAQ entries with near-duplicate questions, rules and entries no test
    /// expects, replies too long for twitter, variables used nowhere. A rule that can never fire is an error (exit status 1); everything else is a
    /// warning (exit status 0, or 1 with --deny-warnings). A rule set that does not load
    /// prints its load errors, as `check` does.
    #[command(after_help = "\
Examples:
  replykit lint rules/
  replykit lint rules/ --deny-warnings        # for CI
  replykit lint rules/ --format json")]
    Lint {
        /// Rule files, or folders of them.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit with status 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run every [[test]] case of the rule set, and labelled messages from --cases.
    ///
    /// Each failure shows where the test is, its message, what was expected and what
    /// came out. The last line is `N passed, N failed`. Exit status 1 on any failure.
    #[command(after_help = "\
Examples:
  replykit test rules/
  replykit test rules/ --cases history.jsonl

A --cases file has one JSON object per line: {\"text\": \"...\", \"label\": \"<id>\"}, or
\"label\": null for a message that should get no answer (decision no_answer).")]
    Test {
        /// Rule files, or folders of them.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Extra cases: JSON lines of {"text": ..., "label": "<id>" or null}. May be
        /// given more than once.
        #[arg(long, value_name = "CASES.jsonl")]
        cases: Vec<PathBuf>,
    },
    /// Suggest replies: one outcome, as a JSON line, per message.
    ///
    /// With MESSAGE, for that message. Without it, for each line of stdin: a JSON
    /// object ({"text": ..., "channel": ..., "author": {...}, "fields": {...}}) or plain
    /// text; an "id" (a string or a number) comes back on its outcome as it came, and
    /// author ids may be numbers. Output is one JSON outcome per input line, in order,
    /// written out whenever no further input is waiting (so a host that writes a line
    /// and waits gets its answer at once);
    /// a line that starts with `{` but is not a message gets {"error": ..., "line": N}
    /// and the rest go on. An empty line gets the outcome for an empty message, so output
    /// line N always answers input line N. A line longer than 8 MiB (8388608 bytes) gets
    /// {"error": ..., "line": N} without being read; a byte-order mark at the start of a
    /// line is dropped.
    ///
    /// The last argument is the MESSAGE when it is not an existing file or folder (and
    /// does not end in `.toml`); `--message TEXT` gives it whatever it looks like.
    ///
    /// A message line may carry: id, text, channel, author {id, name, handle},
    /// received_at (RFC 3339), fields {...}, history [{id, variation, at}], from_us,
    /// automated. An outcome carries: id, decision (auto_reply, suggest, escalate,
    /// no_answer), suggestions [{kind, id, reply, score, tags, evidence, variation,
    /// escalate, question, missing, too_long, explained}], escalation, truncated,
    /// notice, suppressed, unreadable. `replykit schema message` and `replykit schema
    /// outcome` print each as a JSON Schema, every field with its meaning.
    #[command(override_usage = "replykit suggest [OPTIONS] PATH... [MESSAGE]")]
    #[command(after_help = "\
Examples:
  replykit suggest rules/ \"my bin wasn't emptied\"
  replykit suggest rules/ --channel twitter \"bin day?\"
  printf '%s\\n' 'when is bin day' '{\"text\": \"pothole on Elm St\", \"channel\": \"twitter\"}' \\
    | replykit suggest rules/")]
    Suggest {
        /// Rule files or folders, then optionally the message.
        #[arg(required = true, value_name = "PATH")]
        args: Vec<String>,
        /// The channel of messages that do not give their own (such as `twitter`).
        #[arg(long)]
        channel: Option<String>,
        /// What evidence spans count: `bytes` (UTF-8, the default), `chars` (Unicode
        /// scalar values, as Python slices strings) or `utf16` (as JavaScript does).
        #[arg(long, value_enum, default_value = "bytes", value_name = "UNIT")]
        offsets: OffsetUnit,
        /// The message, whatever it looks like: every argument is then a rule file or
        /// folder (for a message that happens to name a folder, such as `refund`).
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        /// Reload the rules when a rule file changes (checked twice a second), saying
        /// on stderr `reloaded: N rules, M FAQ entries`, or the errors and `kept the
        /// previous rules` when the changed files do not load. Lines are answered
        /// throughout, each with the rules in use when it is read.
        #[arg(long)]
        watch: bool,
    },
    /// Print the JSON Schema of a message line or an outcome line.
    ///
    /// Generated from the library's own types, so every field a line may carry is
    /// there with its meaning, exactly as `suggest` reads and writes them.
    #[command(after_help = "\
Examples:
  replykit schema message > message.schema.json
  replykit schema outcome > outcome.schema.json")]
    Schema {
        /// `message` (what `suggest` reads) or `outcome` (what it writes).
        #[arg(value_enum)]
        of: SchemaOf,
    },
    /// Explain why a message gets its outcome.
    ///
    /// Prints the message as matching reads it (folded words), each rule that fired
    /// and where its phrases or patterns matched, the rules that almost fired (some of
    /// their phrases or patterns matched) and the condition that stopped each, the best
    /// FAQ entries with their scores, closest example questions and the words that
    /// carried them, the thresholds, and the decision with its reason. Spans such as
    /// 3..10 are byte offsets into the message. The decision is always the one `suggest`
    /// gives.
    ///
    /// The last argument is the MESSAGE: plain text, or a JSON message as `suggest`
    /// reads them ({"text": ..., "channel": ...}).
    #[command(override_usage = "replykit explain [OPTIONS] PATH... MESSAGE")]
    #[command(after_help = "\
Examples:
  replykit explain rules/ \"my new bin wasn't emptied\"
  replykit explain rules/ --channel email \"bin day?\"
  replykit explain rules/ '{\"text\": \"pothole on Elm St\", \"channel\": \"twitter\"}' --json")]
    Explain {
        /// Rule files or folders, then the message.
        #[arg(required = true, value_name = "PATH")]
        args: Vec<String>,
        /// The channel of the message, unless it gives its own (such as `twitter`).
        #[arg(long)]
        channel: Option<String>,
        /// Print the explanation as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show what a change to the rules does: every message whose outcome changes.
    ///
    /// Runs the OLD and the NEW rule set over the messages and groups the messages
    /// whose decision or top answer changes, largest group first, with up to 3 example
    /// messages each. Messages are JSON lines ({"text": ...} as for `suggest`, or
    /// labelled {"text": ..., "label": ...}) or plain text lines; `-` reads stdin. For
    /// labelled messages it also counts the changes that make the answer right or
    /// wrong. Exit status 0.
    #[command(after_help = "\
Examples:
  replykit diff rules-before/ rules/ history.jsonl
  replykit diff old-waste.toml waste.toml history.jsonl --json")]
    Diff {
        /// The rule set before the change (a file or a folder).
        old: PathBuf,
        /// The rule set after the change (a file or a folder).
        new: PathBuf,
        /// The messages: JSON lines or plain text lines; `-` for stdin.
        #[arg(value_name = "MESSAGES.jsonl")]
        messages: PathBuf,
        /// Print one JSON object, listing every changed message.
        #[arg(long)]
        json: bool,
        /// List every changed message, not only 3 per group.
        #[arg(long)]
        all: bool,
    },
    /// Turn labelled messages (JSON lines {"text": ..., "label": ...}) into a rule set:
    /// one FAQ entry per label, thresholds chosen from the messages themselves.
    #[command(after_help = "Example:\n  replykit import history.jsonl > faq.toml")]
    Import {
        /// JSON lines, one {"text": ..., "label": ... or null} per line.
        labelled: PathBuf,
        /// The share of your traffic you expect no entry to answer, from 0 to 0.95:
        /// thresholds keep auto-replies right when that much is about other topics,
        /// often in the same words. Lower it only when the labels cover almost
        /// everything people write about.
        #[arg(long, value_name = "SHARE", default_value_t = replykit::import::ImportOptions::default().unknown_share)]
        unknown_share: f64,
    },
    /// Turn an FAQ page you already have (HTML, Markdown or CSV) into a rule set.
    ///
    /// One FAQ entry per question: an id slugged from it, the question, a reply of the
    /// answer's opening sentence or two with the link to the page section (PAGE_URL#anchor
    /// where the page has anchors), and the whole answer as `context`, which matching
    /// reads and which is never sent. HTML is read from schema.org FAQPage (JSON-LD or
    /// microdata), <details>/<summary>, <dt>/<dd>, or headings with their text; Markdown
    /// from its headings; CSV from question,answer[,url] rows. The rule set goes to
    /// stdout; what was read and what was left out, and why, to stderr.
    #[command(after_help = "\
Examples:
  replykit import-faq faq.html --url https://example.gov.uk/faq > faq.toml
  replykit import-faq faq.md --max-length 160 > faq.toml
  replykit import-faq faq.csv > faq.toml && replykit check faq.toml")]
    ImportFaq {
        /// The saved page: .html, .md or .csv (or say which with --format).
        page: PathBuf,
        /// The page's address, for the link in each reply.
        #[arg(long, value_name = "PAGE_URL")]
        url: Option<String>,
        /// The longest reply, in characters: the tightest limit of the channels you
        /// answer on (at least 40).
        #[arg(long, value_name = "CHARS", default_value_t = 280)]
        max_length: usize,
        /// What the file is, when its name does not say.
        #[arg(long, value_enum)]
        format: Option<import_faq::PageFormat>,
    },
    /// Measure a rule set on labelled messages: accuracy, auto-reply precision, and more.
    #[command(after_help = "Example:\n  replykit eval faq.toml test.jsonl --json")]
    Eval {
        /// A rule file or a folder of them.
        rules: PathBuf,
        /// JSON lines, one {"text": ..., "label": ... or null} per line.
        labelled: PathBuf,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Replay a message history through the rules: what gets answered, what nothing
    /// answers (grouped, with a [[faq]] stub for each group), what is rising.
    ///
    /// HISTORY has one message per line, as `suggest` reads them (JSON objects with
    /// `received_at` where known, or plain text); `-` reads stdin. Lines that are not
    /// messages are counted and listed in the report, never fatal; blank lines are
    /// skipped. Line numbers in the report are the file's, from 1. Prints Markdown
    /// unless --json or --html is given; a progress bar goes to stderr on a terminal.
    #[command(after_help = "\
Examples:
  replykit report rules/ history.jsonl
  replykit report rules/ history.jsonl --html report.html
  replykit report rules/ history.jsonl --json > report.json")]
    Report {
        /// The rule set (a file or a folder).
        rules: PathBuf,
        /// The history: JSON lines or plain text lines; `-` for stdin.
        #[arg(value_name = "HISTORY.jsonl")]
        history: PathBuf,
        /// Also write the report as one self-contained HTML page with charts.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Print the report as Markdown (the default when neither --json nor --html is
        /// given).
        #[arg(long)]
        markdown: bool,
    },
}

/// Why a command could not do its job (exit status 2).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A message for stderr.
    Message(String),
    /// A rule set that did not load: its diagnostics.
    Load(Vec<Diagnostic>),
    /// Writing the output failed.
    Io(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Failure {
        Failure::Message(e)
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let color = cli.color;
    match cli.command {
        Command::Check { paths, format } => check::run(&paths, format, color),
        Command::Schema { of } => schema(of),
        Command::Lint {
            paths,
            format,
            deny_warnings,
        } => lint::run(&paths, format, deny_warnings, color),
        Command::Test { paths, cases } => test_cmd::run(&paths, &cases, color),
        Command::Suggest {
            args,
            channel,
            offsets,
            message,
            watch,
        } => suggest::run(
            &args,
            message.as_deref(),
            channel.as_deref(),
            offsets.into(),
            watch,
        ),
        Command::Explain {
            args,
            channel,
            json,
        } => explain::run(&args, channel.as_deref(), json, color),
        Command::Diff {
            old,
            new,
            messages,
            json,
            all,
        } => diff::run(&old, &new, &messages, json, all),
        Command::Import {
            labelled,
            unknown_share,
        } => history::import(&labelled, unknown_share),
        Command::ImportFaq {
            page,
            url,
            max_length,
            format,
        } => import_faq::run(&page, url.as_deref(), max_length, format),
        Command::Eval {
            rules,
            labelled,
            json,
        } => history::eval(&rules, &labelled, json),
        Command::Report {
            rules,
            history,
            html,
            json,
            markdown,
        } => report::run(
            &rules,
            &history,
            report::Outputs {
                html: html.as_deref(),
                json,
                markdown,
            },
        ),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`replykit suggest ... | head`): not an error.
        Err(Failure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Message(e)) => {
            let style = render::Style::stderr(color);
            eprintln!("{}: {e}", style.error("error"));
            ExitCode::from(2)
        }
        Err(Failure::Load(diagnostics)) => {
            let style = render::Style::stderr(color);
            eprint!("{}", render::diagnostics(&diagnostics, &style));
            ExitCode::from(2)
        }
    }
}

/// `--offsets`: what evidence spans count.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OffsetUnit {
    /// UTF-8 bytes.
    Bytes,
    /// Unicode scalar values (Python).
    Chars,
    /// UTF-16 code units (JavaScript).
    Utf16,
}

impl From<OffsetUnit> for replykit::Offsets {
    fn from(unit: OffsetUnit) -> replykit::Offsets {
        match unit {
            OffsetUnit::Bytes => replykit::Offsets::Bytes,
            OffsetUnit::Chars => replykit::Offsets::Chars,
            OffsetUnit::Utf16 => replykit::Offsets::Utf16,
        }
    }
}
