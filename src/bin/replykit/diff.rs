//! `replykit diff`: what a change to the rules does to real messages.

use crate::input::{open, parse_line, Label, Lines};
use crate::render::plural;
use crate::{load, Failure};
use replykit::{Decision, Engine, Message, Outcome};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// How many example messages a group shows (without `--all`).
const EXAMPLES: usize = 3;
/// Example messages longer than this many characters are cut.
const EXAMPLE_CHARS: usize = 120;

/// What a message got from one rule set: its top answer and the decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
struct Answer {
    /// The top suggestion's id; `None` when the decision is `no_answer`.
    top: Option<String>,
    decision: Decision,
}

impl Answer {
    fn of(outcome: &Outcome) -> Answer {
        Answer {
            top: outcome
                .top()
                .filter(|_| outcome.decision != Decision::NoAnswer)
                .map(|s| s.id.clone()),
            decision: outcome.decision,
        }
    }

    /// Whether it is what the label asks for.
    fn right(&self, label: &Option<String>) -> bool {
        match label {
            Some(label) => self.top.as_deref() == Some(replykit::import::label_id(label).as_str()),
            None => self.decision == Decision::NoAnswer,
        }
    }
}

/// One message whose outcome changed.
#[derive(Debug, Serialize)]
struct Changed {
    line: usize,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Label,
    old_score: Option<f64>,
    new_score: Option<f64>,
}

/// Messages that changed in the same way.
#[derive(Debug, Serialize)]
struct Group {
    old: Answer,
    new: Answer,
    count: usize,
    /// Labelled messages that were answered wrongly and now are answered rightly.
    now_right: usize,
    /// Labelled messages that were answered rightly and now are not.
    now_wrong: usize,
    messages: Vec<Changed>,
}

/// The whole comparison.
#[derive(Debug, Serialize)]
struct Report {
    messages: usize,
    changed: usize,
    skipped: usize,
    now_right: usize,
    now_wrong: usize,
    groups: Vec<Group>,
}

fn load_both(old: &Path, new: &Path) -> Result<(Engine, Engine), Failure> {
    let (a, b) = (
        load::load(&[old.to_path_buf()]),
        load::load(&[new.to_path_buf()]),
    );
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a.engine, b.engine)),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(Failure::Load(a))
        }
        (Err(d), _) | (_, Err(d)) => Err(Failure::Load(d)),
    }
}

/// How many messages are read before both rule sets answer them together (on every
/// core, see `Engine::suggest_batch`).
const CHUNK: usize = 1024;

fn compare(old: &Engine, new: &Engine, messages: &Path, all: bool) -> Result<Report, Failure> {
    let mut lines = Lines::new(open(messages)?);
    let mut groups: HashMap<(Answer, Answer), Group> = HashMap::new();
    let (mut total, mut skipped, mut n) = (0, 0, 0);
    loop {
        let raws = lines
            .next_lines(CHUNK)
            .map_err(|e| format!("cannot read `{}`: {e}", messages.display()))?;
        if raws.is_empty() {
            break;
        }
        // The chunk's messages, with their line numbers and labels.
        let mut chunk: Vec<Message> = Vec::with_capacity(CHUNK);
        let mut about: Vec<(usize, Label)> = Vec::with_capacity(CHUNK);
        for raw in raws {
            n += 1;
            if raw.as_ref().is_some_and(|b| b.trim_ascii().is_empty()) {
                continue;
            }
            match parse_line(&raw) {
                Ok((message, label)) => {
                    chunk.push(message);
                    about.push((n, label));
                }
                Err(e) => {
                    eprintln!("warning: {}:{n}: skipped: {e}", messages.display());
                    skipped += 1;
                }
            }
        }
        total += chunk.len();
        let (olds, news) = (old.suggest_batch(&chunk), new.suggest_batch(&chunk));
        for (((message, (line, label)), a), b) in chunk.into_iter().zip(about).zip(olds).zip(news) {
            let (was, now) = (Answer::of(&a), Answer::of(&b));
            if was == now {
                continue;
            }
            let score = |o: &Outcome| {
                o.top()
                    .filter(|_| o.decision != Decision::NoAnswer)
                    .map(|s| s.score)
            };
            let group = groups
                .entry((was.clone(), now.clone()))
                .or_insert_with(|| Group {
                    old: was.clone(),
                    new: now.clone(),
                    count: 0,
                    now_right: 0,
                    now_wrong: 0,
                    messages: Vec::new(),
                });
            group.count += 1;
            if let Some(label) = &label {
                match (was.right(label), now.right(label)) {
                    (false, true) => group.now_right += 1,
                    (true, false) => group.now_wrong += 1,
                    _ => {}
                }
            }
            if all || group.messages.len() < EXAMPLES {
                group.messages.push(Changed {
                    line,
                    old_score: score(&a),
                    new_score: score(&b),
                    text: message.text,
                    label,
                });
            }
        }
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by(|x, y| {
        let key = |g: &Group| {
            (
                g.old.top.clone(),
                g.new.top.clone(),
                g.old.decision.as_str(),
                g.new.decision.as_str(),
            )
        };
        y.count.cmp(&x.count).then_with(|| key(x).cmp(&key(y)))
    });
    Ok(Report {
        messages: total,
        changed: groups.iter().map(|g| g.count).sum(),
        skipped,
        now_right: groups.iter().map(|g| g.now_right).sum(),
        now_wrong: groups.iter().map(|g| g.now_wrong).sum(),
        groups,
    })
}

/// `bin-day → missed-bin (suggest → auto_reply)`.
fn heading(g: &Group) -> String {
    let top = |a: &Answer| a.top.clone().unwrap_or_else(|| "(none)".into());
    let tops = if g.old.top == g.new.top {
        top(&g.old)
    } else {
        format!("{} → {}", top(&g.old), top(&g.new))
    };
    let decisions = if g.old.decision == g.new.decision {
        g.old.decision.to_string()
    } else {
        format!("{} → {}", g.old.decision, g.new.decision)
    };
    format!("{tops} ({decisions})")
}

fn cut(text: &str) -> String {
    if text.chars().count() <= EXAMPLE_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(EXAMPLE_CHARS).collect();
    cut.push('…');
    cut
}

fn right_wrong(now_right: usize, now_wrong: usize) -> String {
    if now_right + now_wrong == 0 {
        String::new()
    } else {
        format!(", {now_right} now right, {now_wrong} now wrong")
    }
}

fn print(out: &mut impl Write, r: &Report, all: bool) -> std::io::Result<()> {
    for g in &r.groups {
        writeln!(
            out,
            "{}: {}{}",
            heading(g),
            plural(g.count, "message", "messages"),
            right_wrong(g.now_right, g.now_wrong)
        )?;
        for m in &g.messages {
            writeln!(out, "    line {}: {:?}", m.line, cut(&m.text))?;
        }
        if !all && g.count > g.messages.len() {
            writeln!(out, "    … and {} more", g.count - g.messages.len())?;
        }
    }
    let skipped = if r.skipped > 0 {
        format!(
            " ({} skipped)",
            plural(r.skipped, "unreadable line", "unreadable lines")
        )
    } else {
        String::new()
    };
    if r.changed == 0 {
        writeln!(
            out,
            "no outcome changes in {}{skipped}",
            plural(r.messages, "message", "messages")
        )
    } else {
        writeln!(
            out,
            "{} of {} change, in {}{}{skipped}",
            r.changed,
            plural(r.messages, "message", "messages"),
            plural(r.groups.len(), "group", "groups"),
            right_wrong(r.now_right, r.now_wrong)
        )
    }
}

/// Runs both rule sets over the messages and prints the changes.
pub(crate) fn run(
    old: &Path,
    new: &Path,
    messages: &Path,
    json: bool,
    all: bool,
) -> Result<ExitCode, Failure> {
    let (a, b) = load_both(old, new)?;
    let report = compare(&a, &b, messages, all || json)?;
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string(&report).map_err(|e| format!("cannot write JSON: {e}"))?;
        writeln!(out, "{text}")?;
    } else {
        print(&mut out, &report, all)?;
    }
    Ok(ExitCode::SUCCESS)
}
