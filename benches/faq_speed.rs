//! How fast the FAQ classifier answers, against a floor measured in the same run.
//!
//! The rule sets are made from CLINC150's and BANKING77's training messages as
//! `replykit import` makes them, with the default thresholds (the threshold search
//! changes no ranking, and takes a minute). The messages are their test splits.
//!
//! * `faq_speed/suggest/SET`: `Engine::suggest` over every test message (reading,
//!   classifier, ranking, rendering and evidence included). It checks the number of
//!   in-scope messages whose top suggestion is their label against the count taken
//!   before timing, so a change that alters answers fails here.
//! * `faq_speed/baseline_rules_only/SET`: the floor, the same messages through an
//!   engine with one rule and no FAQ (reading the text: truncation, folding, words).
//! * `faq_speed/long/suggest` and `faq_speed/long/baseline_rules_only`: the same on
//!   messages of 2 KB (e-mails made of consecutive CLINC150 test messages), in bytes
//!   per second.
//! * `faq_speed/build/clinc150`: `RuleSet::from_toml` and `Engine::new` (training the
//!   classifier) from CLINC150's 15,100 training messages, and
//!   `faq_speed/build_baseline_parse/clinc150`, its floor: `RuleSet::from_toml` alone.
//!
//! `scripts/faq_speed.sh` compares the rate with fastText's bare predict; for that it
//! runs this binary with `REPLYKIT_FAQ_SPEED_PASSES=N` set, which skips criterion and
//! prints, for each set, `SET messages seconds top1` (the thread's CPU time for N
//! passes of `suggest` over the test messages) and `build-SET 1 seconds 0` (the
//! thread's CPU time of one build), and `long-clinc150 bytes seconds 0` for the 2 KB
//! messages. `REPLYKIT_FAQ_SPEED_ONLY` (a comma-separated list of `build`, `clinc150`,
//! `long` and `banking77`) keeps only those lines, for a profiler: with `long` alone,
//! nearly all the time is `suggest` on the 2 KB messages.
//!
//! `REPLYKIT_FAQ_SPEED_DUMP=FILE` skips criterion and writes, for every test and
//! validation message of both sets and for joined messages of 0.3 to 8 KB, its outcome
//! as JSON, the bits of its ranked scores (`Engine::rank`, 10 entries) and its
//! explanation: run it before and after a change and `cmp` the files to check that no
//! answer moved.

use criterion::{criterion_group, Criterion, SamplingMode, Throughput};
use replykit::import::{label_id, rule_set_toml};
use replykit::{Engine, Message, RuleSet, Thresholds};
use std::hint::black_box;
use std::time::Duration;

/// Bytes of a long message.
const LONG_BYTES: usize = 2048;
/// Long messages per timed batch.
const LONG_MESSAGES: usize = 200;

#[path = "support/labelled.rs"]
mod labelled;
#[path = "support/thread_cpu.rs"]
mod thread_cpu;
use labelled::read;

/// A data set's engine, its test messages and their labels as entry ids.
struct Set {
    name: &'static str,
    toml: String,
    engine: Engine,
    messages: Vec<Message>,
    labels: Vec<Option<String>>,
}

impl Set {
    fn load(name: &'static str) -> Set {
        let train = read(&format!("{name}/train.jsonl"));
        let test = read(&format!("{name}/test.jsonl"));
        let toml = rule_set_toml(&train, &Thresholds::default());
        let rules = RuleSet::from_toml("imported.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
        Set {
            name,
            toml,
            engine,
            messages: test.iter().map(|t| Message::new(t.text.as_str())).collect(),
            labels: test
                .iter()
                .map(|t| t.label.as_deref().map(label_id))
                .collect(),
        }
    }

    /// In-scope messages whose top suggestion is their label, with `engine`.
    fn right(&self, engine: &Engine) -> usize {
        self.messages
            .iter()
            .zip(&self.labels)
            .filter(|(m, label)| {
                let outcome = engine.suggest(black_box(m));
                label
                    .as_deref()
                    .is_some_and(|l| outcome.top().is_some_and(|s| s.id == l))
            })
            .count()
    }

    fn in_scope(&self) -> usize {
        self.labels.iter().filter(|l| l.is_some()).count()
    }
}

/// An engine with one rule and no FAQ: what reading a message costs.
fn rules_only() -> Engine {
    let toml = "[[rule]]\nid = \"r\"\nwhen.any = [\"zzqx\"]\nreply = \"ok\"\n";
    let rules = RuleSet::from_toml("rules.toml", toml).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

/// Messages of about [`LONG_BYTES`]: consecutive test messages joined into sentences.
fn long_messages(set: &Set) -> Vec<Message> {
    let mut out = Vec::with_capacity(LONG_MESSAGES);
    let mut texts = set.messages.iter().map(|m| m.text.as_str()).cycle();
    while out.len() < LONG_MESSAGES {
        let mut text = String::with_capacity(LONG_BYTES + 200);
        while text.len() < LONG_BYTES {
            let next = texts.next().unwrap_or("hello");
            if text.len() + next.len() + 2 > LONG_BYTES && !text.is_empty() {
                break;
            }
            text.push_str(next);
            text.push_str(". ");
        }
        out.push(Message::new(text));
    }
    out
}

fn bench_set(c: &mut Criterion, set: &Set, baseline: &Engine) {
    let expected = set.right(&set.engine);
    let share = expected as f64 / set.in_scope() as f64;
    // Far below today's figures: a guard against a broken engine, not a quality bar.
    assert!(share > 0.8, "{}: top-1 {share:.3}", set.name);
    let mut group = c.benchmark_group("faq_speed");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(set.messages.len() as u64));
    group.bench_function(format!("suggest/{}", set.name), |b| {
        b.iter(|| assert_eq!(set.right(&set.engine), expected))
    });
    group.bench_function(format!("baseline_rules_only/{}", set.name), |b| {
        b.iter(|| assert_eq!(set.right(baseline), 0))
    });
    group.finish();
}

fn bench_long(c: &mut Criterion, set: &Set, baseline: &Engine) {
    let messages = long_messages(set);
    let bytes: usize = messages.iter().map(|m| m.text.len()).sum();
    let suggested = |engine: &Engine| {
        messages
            .iter()
            .filter(|m| engine.suggest(black_box(m)).top().is_some())
            .count()
    };
    let expected = suggested(&set.engine);
    assert!(expected > 0, "no long message got a suggestion");
    let mut group = c.benchmark_group("faq_speed");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("long/suggest", |b| {
        b.iter(|| assert_eq!(suggested(&set.engine), expected))
    });
    group.bench_function("long/baseline_rules_only", |b| {
        b.iter(|| assert_eq!(suggested(baseline), 0))
    });
    group.finish();
}

fn bench_build(c: &mut Criterion, set: &Set) {
    let entries = set.engine.rule_set().faqs().len();
    let mut group = c.benchmark_group("faq_speed");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function(format!("build/{}", set.name), |b| {
        b.iter(|| {
            let rules = RuleSet::from_toml("imported.toml", black_box(&set.toml))
                .unwrap_or_else(|e| panic!("{e}"));
            let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(engine.rule_set().faqs().len(), entries);
            engine
        })
    });
    // The floor: reading the same file, which the build above includes.
    group.bench_function(format!("build_baseline_parse/{}", set.name), |b| {
        b.iter(|| {
            let rules = RuleSet::from_toml("imported.toml", black_box(&set.toml))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(rules.faqs().len(), entries);
            rules
        })
    });
    group.finish();
}

fn faq_speed(c: &mut Criterion) {
    let baseline = rules_only();
    let clinc = Set::load("clinc150");
    bench_set(c, &clinc, &baseline);
    bench_long(c, &clinc, &baseline);
    bench_build(c, &clinc);
    let banking = Set::load("banking77");
    bench_set(c, &banking, &baseline);
}

/// This thread's CPU time in seconds.
fn thread_cpu() -> f64 {
    thread_cpu::thread_cpu_ns() as f64 * 1e-9
}

/// `REPLYKIT_FAQ_SPEED_PASSES=N`: `SET messages seconds top1` for N passes of each set,
/// `build-SET 1 seconds 0`, the CPU time of one build, and `long-clinc150 bytes seconds
/// 0` for N passes over the 2 KB messages.
fn plain(passes: usize) {
    let only = std::env::var("REPLYKIT_FAQ_SPEED_ONLY").ok();
    let wanted = |part: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|p| p.trim() == part))
    };
    for name in ["clinc150", "banking77"] {
        let long = name == "clinc150" && wanted("long");
        if !(wanted(name) || long) {
            continue;
        }
        let set = Set::load(name);
        if wanted("build") {
            let start = thread_cpu();
            let rules =
                RuleSet::from_toml("imported.toml", &set.toml).unwrap_or_else(|e| panic!("{e}"));
            black_box(Engine::new(&rules).unwrap_or_else(|e| panic!("{e}")));
            println!("build-{name} 1 {:.6} 0", thread_cpu() - start);
        }
        if wanted(name) {
            let top1 = set.right(&set.engine) as f64 / set.in_scope() as f64;
            let start = thread_cpu();
            for _ in 0..passes {
                black_box(set.right(&set.engine));
            }
            let seconds = thread_cpu() - start;
            println!(
                "{name} {} {seconds:.6} {top1:.6}",
                set.messages.len() * passes
            );
        }
        if long {
            let messages = long_messages(&set);
            let bytes: usize = messages.iter().map(|m| m.text.len()).sum();
            let start = thread_cpu();
            for _ in 0..passes {
                for m in &messages {
                    black_box(set.engine.suggest(black_box(m)));
                }
            }
            let seconds = thread_cpu() - start;
            println!("long-{name} {} {seconds:.6} 0", bytes * passes);
        }
    }
}

/// `REPLYKIT_FAQ_SPEED_DUMP=FILE`: every outcome, ranking and explanation of the sets'
/// messages, a line each, to compare before and after a change.
fn dump(path: &str) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = std::io::BufWriter::new(file);
    for name in ["clinc150", "banking77"] {
        let set = Set::load(name);
        let mut messages = set.messages.clone();
        if name == "clinc150" {
            let val = read("clinc150/val.jsonl");
            messages.extend(val.iter().map(|t| Message::new(t.text.as_str())));
        }
        // Joined messages of 0.3 to 8 KB.
        let mut texts = set.messages.iter().map(|m| m.text.as_str()).cycle();
        for i in 0..600 {
            let bytes = 300 + (i * 7919) % 7900;
            let mut text = String::new();
            while text.len() < bytes {
                text.push_str(texts.next().unwrap_or("hello"));
                text.push_str(". ");
            }
            messages.push(Message::new(text));
        }
        for m in &messages {
            let outcome = set.engine.suggest(m);
            let ranked: Vec<String> = set
                .engine
                .rank(m, 10)
                .iter()
                .map(|r| format!("{}={:016x}", r.id, r.score.to_bits()))
                .collect();
            let why = set.engine.explain(m);
            let line = serde_json::to_string(&outcome).unwrap_or_else(|e| panic!("{e}"));
            let why = serde_json::to_string(&why).unwrap_or_else(|e| panic!("{e}"));
            writeln!(out, "{name}\t{line}\t{}\t{why}", ranked.join(" "))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
}

criterion_group!(benches, faq_speed);

fn main() {
    if let Ok(path) = std::env::var("REPLYKIT_FAQ_SPEED_DUMP") {
        return dump(&path);
    }
    match std::env::var("REPLYKIT_FAQ_SPEED_PASSES") {
        Ok(passes) => plain(passes.parse().unwrap_or(5)),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
