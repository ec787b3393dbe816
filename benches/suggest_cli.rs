//! `replykit suggest` over 100,000 JSON lines, run as a process the way a CRM runs it.
//!
//! ```text
//! cargo bench --features cli --bench suggest_cli
//! ```
//!
//! The input is generated once into `CARGO_TARGET_TMPDIR`: the bundled council rule
//! set's own `[[test]]` messages, over and over, as JSON lines (with their channel and
//! author) and, for messages without either, every other time as plain text lines; one
//! line in a thousand is broken JSON, which must get `{"error": ..., "line": N}` on its
//! line without stopping the stream.
//!
//! * `suggest_cli/100k_lines`: the whole run, from starting the process (loading the
//!   rule set and training its FAQ model) to the last output line, reported as lines
//!   per second.
//! * `suggest_cli/1_line`: the same with one input line, the fixed cost of a run.
//! * `suggest_cli/rules_10k/process`: issue 14's rule workload (10,000 generated rules,
//!   100,000 messages of ~400 bytes as JSON lines, see `support/rules_workload.rs`)
//!   through `replykit suggest`, its output written to a file (timed from the start of
//!   the process to its exit; the output is checked untimed), against, in the same
//!   run:
//!   * `suggest_cli/rules_10k/in_process`: what an embedder does with the same
//!     messages (load the rule file, build the engine, `Engine::suggest` each one);
//!   * `suggest_cli/rules_10k/in_process_json`: the same, reading each message from
//!     its JSON line and writing each outcome as a JSON line (to a sink) with
//!     serde_json, as an embedder would (the command reads `{"text": ...}` lines and
//!     writes its outcomes without serde, see `Outcome::write_json`).
//!
//! `REPLYKIT_CLI_ROUNDS=N` skips criterion and runs the rule workload in N rounds, each
//! round the library (`in_process`, as above) then the command (`process`), and, when
//! `REPLYKIT_CLI_OLD` names another `replykit` binary (an older build, say), that one
//! too, back to back. It prints each run's CPU time (the library's: this thread's; a
//! command's: the process's, every thread, user and system, from `getrusage`) and wall
//! time, each command's rate against the library's in that round, and the medians.
//!
//! Every run is checked inside the timed code, as in `benches/engine.rs`: exit status
//! 0, exactly one output line per input line, and on each line the top suggestion the
//! test expects (or `no_answer`, or the error), so a fast wrong run fails instead of
//! looking good.

use criterion::{criterion_group, Criterion, SamplingMode, Throughput};
use replykit::{Decision, Engine, Message, RuleSet};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/rng.rs"]
mod rng;
#[path = "support/rules_workload.rs"]
mod rules_workload;
#[path = "support/thread_cpu.rs"]
mod thread_cpu;

const LINES: usize = 100_000;
/// One line in this many is broken JSON.
const BROKEN_EVERY: usize = 1_000;
const COUNCIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");
const REPLYKIT: &str = env!("CARGO_BIN_EXE_replykit");

/// What an output line must say.
#[derive(Clone, Debug)]
enum Expect {
    /// The top suggestion's id.
    Top(String),
    /// `"decision":"no_answer"`.
    NoAnswer,
    /// `{"error": ..., "line": N}`.
    Error,
}

/// The input lines and what each must get.
struct Input {
    path: PathBuf,
    expected: Vec<Expect>,
}

/// The council's test messages that say what they expect, as input lines.
fn known_messages() -> Vec<(String, String, Expect)> {
    let set = RuleSet::from_path(COUNCIL).expect("the council rule set loads");
    set.tests()
        .iter()
        .filter_map(|t| {
            let expect = match (&t.expect, t.decision) {
                (_, Some(Decision::NoAnswer)) => Expect::NoAnswer,
                (Some(id), _) => Expect::Top(id.clone()),
                (None, _) => return None,
            };
            let json = serde_json::to_string(&t.message).expect("a message serialises");
            let plain = t.message.channel.is_none()
                && t.message.author.is_none()
                && t.message.fields.is_empty()
                && !t.message.text.contains(['\n', '\r'])
                && !t.message.text.trim_start().starts_with('{');
            let text = if plain {
                t.message.text.clone()
            } else {
                json.clone()
            };
            Some((json, text, expect))
        })
        .collect()
}

/// Writes `lines` input lines to `name` in the bench's scratch folder.
fn generate(name: &str, lines: usize) -> Input {
    let known = known_messages();
    assert!(known.len() > 50, "the council tests give known messages");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let mut out = BufWriter::new(File::create(&path).expect("a writable scratch folder"));
    let mut expected = Vec::with_capacity(lines);
    for n in 0..lines {
        if n % BROKEN_EVERY == BROKEN_EVERY - 1 {
            writeln!(out, "{{\"text\": ").expect("writes");
            expected.push(Expect::Error);
            continue;
        }
        let (json, text, expect) = &known[n % known.len()];
        // Plain-text messages alternate between plain and JSON lines.
        let line = if (n / known.len()).is_multiple_of(2) {
            text
        } else {
            json
        };
        writeln!(out, "{line}").expect("writes");
        expected.push(expect.clone());
    }
    out.flush().expect("writes");
    Input { path, expected }
}

/// The id of the first suggestion on an outcome line, read without parsing the JSON
/// (the first `"id":` of an outcome is its top suggestion's).
fn top_id(line: &str) -> Option<&str> {
    let rest = &line[line.find("\"id\":\"")? + 6..];
    rest.get(..rest.find('"')?)
}

fn check(line: &str, expect: &Expect) -> bool {
    match expect {
        Expect::Top(id) => {
            !line.starts_with("{\"decision\":\"no_answer\"") && top_id(line) == Some(id)
        }
        Expect::NoAnswer => line.starts_with("{\"decision\":\"no_answer\""),
        Expect::Error => line.starts_with("{\"error\":"),
    }
}

/// What `replykit suggest RULES < INPUT` writes; the run must succeed.
fn suggest_output(rules: &Path, input: &Path) -> String {
    let stdin = File::open(input).expect("the input exists");
    let mut child = Command::new(REPLYKIT)
        .arg("suggest")
        .arg(rules)
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the replykit binary runs");
    let mut output = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut output)
        .expect("UTF-8 output");
    let status = child.wait().expect("replykit finishes");
    assert!(status.success(), "replykit suggest failed: {status}");
    output
}

/// Runs `replykit suggest` on the input file and checks every output line.
fn run(input: &Input) -> usize {
    let output = suggest_output(Path::new(COUNCIL), &input.path);
    let mut lines = 0;
    for (n, line) in output.lines().enumerate() {
        let expect = input.expected.get(n).expect("no more output than input");
        assert!(
            check(line, expect),
            "line {}: expected {expect:?}, got {line}",
            n + 1
        );
        lines += 1;
    }
    assert_eq!(
        lines,
        input.expected.len(),
        "one output line per input line"
    );
    lines
}

/// The rule workload's files: the rule set, and its messages as JSON lines.
struct RulesInput {
    rules: PathBuf,
    lines: PathBuf,
    messages: Vec<String>,
    /// How many suggestions the messages get in all.
    suggestions: usize,
}

const RULES: usize = 10_000;
const RULE_MESSAGES: usize = 100_000;

fn rules_input() -> RulesInput {
    let work = rules_workload::workload(RULES, RULE_MESSAGES);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let rules = dir.join("rules-10k.toml");
    std::fs::write(&rules, rules_workload::rules_toml(&work.rules)).expect("writes");
    let lines = dir.join("rules-10k.jsonl");
    let mut out = BufWriter::new(File::create(&lines).expect("a writable scratch folder"));
    for m in &work.messages {
        serde_json::to_writer(&mut out, &Message::new(m.as_str())).expect("writes");
        out.write_all(b"\n").expect("writes");
    }
    out.flush().expect("writes");
    let engine = engine_of(&rules);
    let suggestions = work
        .messages
        .iter()
        .map(|m| engine.suggest(&Message::new(m.as_str())).suggestions.len())
        .sum();
    RulesInput {
        rules,
        lines,
        messages: work.messages,
        suggestions,
    }
}

fn engine_of(rules: &Path) -> Engine {
    let set = RuleSet::from_path(rules).expect("the generated rules load");
    Engine::from_rule_set(set).expect("the generated rules build")
}

/// `replykit suggest` over the workload's JSON lines, its output written to a file as a
/// host writing to disk would have it: how long the process took, from its start to
/// its exit. Its output is checked afterwards, untimed: a line per message, and the
/// engine's number of suggestions (counted by their `"kind":"rule"`; evidence has
/// other kinds). Reading the output through a pipe inside the timed code would time
/// this bench's reader too.
/// What an embedder does: load and build, then `suggest` each message (the count of
/// suggestions checked).
fn in_process(input: &RulesInput) {
    let engine = engine_of(&input.rules);
    let count: usize = input
        .messages
        .iter()
        .map(|m| engine.suggest(&Message::new(m.as_str())).suggestions.len())
        .sum();
    assert_eq!(count, input.suggestions);
}

fn run_rules(input: &RulesInput) -> Duration {
    run_rules_with(REPLYKIT, input)
}

/// [`run_rules`] with the `replykit` binary at `replykit`.
fn run_rules_with(replykit: &str, input: &RulesInput) -> Duration {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules-10k-out.jsonl");
    let start = Instant::now();
    let status = Command::new(replykit)
        .arg("suggest")
        .arg(&input.rules)
        .stdin(Stdio::from(
            File::open(&input.lines).expect("the input exists"),
        ))
        .stdout(Stdio::from(
            File::create(&out).expect("a writable scratch folder"),
        ))
        .stderr(Stdio::null())
        .status()
        .expect("the replykit binary runs");
    let took = start.elapsed();
    assert!(status.success(), "replykit suggest failed: {status}");
    let output = std::fs::read_to_string(&out).expect("UTF-8 output");
    assert_eq!(output.lines().count(), RULE_MESSAGES, "a line per message");
    let suggestions = output.matches("\"kind\":\"rule\"").count();
    assert_eq!(suggestions, input.suggestions);
    took
}

fn bench(c: &mut Criterion) {
    let rules = rules_input();
    let mut group = c.benchmark_group("suggest_cli/rules_10k");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(RULE_MESSAGES as u64));
    group.bench_function("process", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| run_rules(&rules)).sum())
    });
    group.bench_function("in_process", |b| b.iter(|| in_process(&rules)));
    group.bench_function("in_process_json", |b| {
        b.iter(|| {
            let engine = engine_of(&rules.rules);
            let lines = std::fs::read_to_string(&rules.lines).expect("reads");
            let mut sink = BufWriter::new(std::io::sink());
            let mut count = 0;
            for line in lines.lines() {
                let message: Message = serde_json::from_str(line).expect("a message");
                let outcome = engine.suggest(&message);
                count += outcome.suggestions.len();
                serde_json::to_writer(&mut sink, &outcome).expect("writes");
                sink.write_all(b"\n").expect("writes");
            }
            assert_eq!(count, rules.suggestions);
        })
    });
    group.finish();

    let big = generate("suggest-100k.jsonl", LINES);
    let one = generate("suggest-1.jsonl", 1);
    let mut group = c.benchmark_group("suggest_cli");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("100k_lines", |b| b.iter(|| run(&big)));
    group.throughput(Throughput::Elements(1));
    group.bench_function("1_line", |b| b.iter(|| run(&one)));
    group.finish();
}

/// `struct rusage` on 64-bit Linux: user and system time, then fourteen counters.
#[repr(C)]
struct Rusage {
    user: [i64; 2],
    system: [i64; 2],
    counters: [i64; 14],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

/// `RUSAGE_CHILDREN`: the children that ended and were waited for.
const RUSAGE_CHILDREN: i32 = -1;

/// The CPU time, user and system, of this process's children that ended, in seconds.
fn children_cpu() -> f64 {
    let mut usage = Rusage {
        user: [0; 2],
        system: [0; 2],
        counters: [0; 14],
    };
    // SAFETY: `usage` is a valid `struct rusage` for the call to write, and
    // RUSAGE_CHILDREN is a `who` Linux defines.
    let rc = unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_CHILDREN)");
    let seconds = |t: [i64; 2]| t[0] as f64 + t[1] as f64 * 1e-6;
    seconds(usage.user) + seconds(usage.system)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `REPLYKIT_CLI_ROUNDS=N`: the library and the command (and `REPLYKIT_CLI_OLD`) in
/// turn, N rounds.
fn rounds(n: usize) {
    let input = rules_input();
    let mut commands = vec![("process", REPLYKIT.to_string())];
    if let Ok(old) = std::env::var("REPLYKIT_CLI_OLD") {
        commands.push(("process_old", old));
    }
    let mut rates = vec![Vec::new(); commands.len() * 2];
    for round in 1..=n {
        let (wall, cpu) = (Instant::now(), thread_cpu::thread_cpu_ns());
        in_process(&input);
        let library_cpu = (thread_cpu::thread_cpu_ns() - cpu) as f64 * 1e-9;
        let library_wall = wall.elapsed().as_secs_f64();
        println!("round {round}: in_process cpu {library_cpu:.3} s, wall {library_wall:.3} s");
        for (i, (name, binary)) in commands.iter().enumerate() {
            let cpu = children_cpu();
            let wall = run_rules_with(binary, &input).as_secs_f64();
            let cpu = children_cpu() - cpu;
            let (by_cpu, by_wall) = (library_cpu / cpu, library_wall / wall);
            println!(
                "round {round}: {name} cpu {cpu:.3} s ({by_cpu:.3}x), wall {wall:.3} s ({by_wall:.3}x)"
            );
            rates[2 * i].push(by_cpu);
            rates[2 * i + 1].push(by_wall);
        }
    }
    for (i, (name, _)) in commands.iter().enumerate() {
        println!(
            "{name}: median rate against the library {:.3}x cpu, {:.3}x wall",
            median(rates[2 * i].clone()),
            median(rates[2 * i + 1].clone())
        );
    }
}

criterion_group!(suggest_cli, bench);

fn main() {
    match std::env::var("REPLYKIT_CLI_ROUNDS") {
        Ok(n) => rounds(n.parse().unwrap_or(5)),
        Err(_) => {
            suggest_cli();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
