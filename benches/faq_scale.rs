//! Big FAQs and long messages: replykit's FAQ retrieval against a plain BM25 index.
//!
//! * `faq_scale/suggest/N`: `Engine::suggest` over 2,000 held-out rephrasings with a
//!   generated FAQ of N entries (1,000, 10,000 and 50,000; 3–5 questions each, a
//!   Zipf-like vocabulary; see `support/faqgen.rs`). FAQs this big are matched by
//!   retrieval, not by the classifier.
//! * `faq_scale/baseline_bm25/N`: the peer, in the same run: a plain BM25 index of
//!   the same entries (`support/bm25.rs`), its top 3 for each message.
//! * `long_messages/suggest_council/S` and `long_messages/suggest_faq10k/S`:
//!   `Engine::suggest` on messages of S = 1, 4 and 16 KB, with the bundled council
//!   rule set (rules and a classifier FAQ) and with the 10,000-entry FAQ (retrieval);
//!   `long_messages/baseline_bm25/S`, the peer on the same messages. Throughput is in
//!   bytes: time linear in length shows as the same bytes/s at every size.
//!
//! Before timing, each size prints top-1 (the share of rephrasings whose first answer is
//! the entry they were made from) of both, and the timed closures check that they
//! still count the same right answers, so a fast wrong result fails.
//!
//! `REPLYKIT_FAQ_SCALE_REPEAT=R` (and `REPLYKIT_FAQ_SCALE_PEER=1` for the peer) only
//! builds each size and runs its loop R times, for `perf stat -e task-clock` (CPU time)
//! on a busy machine. `REPLYKIT_FAQ_SCALE_SIZES=1000,10000` picks the sizes (empty: none, long messages
//! only); `REPLYKIT_FAQ_SCALE_WRITE=PATH`
//! writes the 50,000-entry FAQ as a rule file to PATH and exits (for measuring the
//! memory of loading and building it, e.g. with `/usr/bin/time -v` and the `suggest`
//! example).

use criterion::{Criterion, SamplingMode, Throughput};
use replykit::{Engine, Message, RuleSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;
#[path = "support/bm25.rs"]
mod bm25;
#[path = "support/faqgen.rs"]
mod faqgen;
use bm25::Bm25;

/// Held-out rephrasings per size.
const QUERIES: usize = 2_000;
/// Suggestions per message, of both.
const TOP: usize = 3;
const SEED: u64 = 14;
const SIZES: &[usize] = &[1_000, 10_000, 50_000];

fn sizes() -> Vec<usize> {
    match std::env::var("REPLYKIT_FAQ_SCALE_SIZES") {
        Ok(list) => list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().unwrap_or_else(|e| panic!("{s}: {e}")))
            .collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn engine_of(toml: &str) -> Engine {
    let rules = RuleSet::from_toml("faq.toml", toml).unwrap_or_else(|e| panic!("{e}"));
    Engine::from_rule_set(rules).unwrap_or_else(|e| panic!("{e}"))
}

/// The BM25 peer over the same entries.
fn bm25_of(faq: &faqgen::Faq) -> Bm25 {
    let docs: Vec<Vec<&str>> = faq
        .entries
        .iter()
        .map(|e| {
            e.questions
                .iter()
                .map(String::as_str)
                .chain([e.answer.as_str()])
                .collect()
        })
        .collect();
    Bm25::build(&docs)
}

/// How many messages get their own entry first, from replykit.
fn right_replykit(engine: &Engine, messages: &[Message], faq: &faqgen::Faq) -> usize {
    messages
        .iter()
        .zip(&faq.queries)
        .filter(|(m, q)| {
            let outcome = engine.suggest(black_box(m));
            outcome
                .top()
                .is_some_and(|s| s.id == faq.entries[q.entry].id)
        })
        .count()
}

/// How many messages get their own entry first, from the peer.
fn right_bm25(index: &Bm25, scratch: &mut bm25::Scratch, faq: &faqgen::Faq) -> usize {
    faq.queries
        .iter()
        .filter(|q| {
            let hits = index.search(black_box(&q.text), TOP, scratch);
            hits.first().is_some_and(|&(d, _)| d as usize == q.entry)
        })
        .count()
}

/// The generator's seed for a size: `REPLYKIT_FAQ_SCALE_SEED` (a development seed, for
/// choosing settings on other data than the figures are reported on) or the bench's own.
fn seed(n: usize) -> u64 {
    let base = std::env::var("REPLYKIT_FAQ_SCALE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    base + n as u64
}

fn bench_size(c: &mut Criterion, n: usize) {
    let faq = faqgen::generate(n, QUERIES, seed(n));
    let toml = faqgen::to_toml(&faq);
    let start = Instant::now();
    let engine = engine_of(&toml);
    let build = start.elapsed();
    let start = Instant::now();
    let index = bm25_of(&faq);
    let build_bm25 = start.elapsed();
    let messages: Vec<Message> = faq
        .queries
        .iter()
        .map(|q| Message::new(q.text.as_str()))
        .collect();
    let mut scratch = index.scratch();
    let ours = right_replykit(&engine, &messages, &faq);
    let theirs = right_bm25(&index, &mut scratch, &faq);
    eprintln!(
        "faq_scale/{n}: top-1 replykit {:.3}, bm25 {:.3}; build (load + Engine) {:.3} s, bm25 {:.3} s",
        ours as f64 / QUERIES as f64,
        theirs as f64 / QUERIES as f64,
        build.as_secs_f64(),
        build_bm25.as_secs_f64(),
    );

    let mut group = c.benchmark_group("faq_scale");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(if n >= 50_000 { 20 } else { 8 }))
        .throughput(Throughput::Elements(QUERIES as u64));
    group.bench_function(format!("suggest/{n}"), |b| {
        b.iter(|| assert_eq!(right_replykit(&engine, &messages, &faq), ours))
    });
    group.bench_function(format!("baseline_bm25/{n}"), |b| {
        b.iter(|| assert_eq!(right_bm25(&index, &mut scratch, &faq), theirs))
    });
    group.finish();
}

/// Everyday words that pad a long message between the questions it carries.
const FILLER: &[&str] = &[
    "hello",
    "thanks",
    "again",
    "about",
    "yesterday",
    "morning",
    "neighbour",
    "street",
    "house",
    "week",
    "because",
    "really",
    "since",
    "last",
    "month",
    "nobody",
    "called",
    "back",
    "please",
    "also",
    "and",
    "the",
    "our",
    "there",
    "was",
    "still",
    "waiting",
    "letter",
    "said",
    "would",
    "sorted",
    "soon",
    "family",
    "children",
    "work",
    "weekend",
];

/// `count` messages of about `bytes` bytes each (never more): sentences of filler
/// words, and every so often one of `questions`.
fn long_messages(questions: &[&str], bytes: usize, count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            let mut text = String::with_capacity(bytes);
            loop {
                let sentence = if rng.percent(20) {
                    rng.pick(questions).to_string()
                } else {
                    let words: Vec<&str> =
                        (0..rng.range(6, 14)).map(|_| rng.word(FILLER)).collect();
                    format!("{}.", words.join(" "))
                };
                if text.len() + sentence.len() + 1 > bytes {
                    break;
                }
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&sentence);
            }
            text
        })
        .collect()
}

fn bench_long_messages(c: &mut Criterion) {
    let council = RuleSet::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council"))
        .unwrap_or_else(|e| panic!("{e}"));
    let council = Engine::from_rule_set(council).unwrap_or_else(|e| panic!("{e}"));
    let council_questions: Vec<&str> = council
        .rule_set()
        .faqs()
        .iter()
        .flat_map(|f| f.questions.iter().map(String::as_str))
        .collect();
    let faq = faqgen::generate(10_000, 0, SEED);
    let big = engine_of(&faqgen::to_toml(&faq));
    let index = bm25_of(&faq);
    let mut scratch = index.scratch();
    let big_questions: Vec<&str> = faq
        .entries
        .iter()
        .take(200)
        .flat_map(|e| e.questions.iter().map(String::as_str))
        .collect();

    let mut group = c.benchmark_group("long_messages");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for kb in [1usize, 4, 16] {
        let bytes = kb * 1024;
        for (name, engine, questions) in [
            ("suggest_council", &council, &council_questions),
            ("suggest_faq10k", &big, &big_questions),
        ] {
            let texts = long_messages(questions, bytes, 20, SEED + kb as u64);
            let messages: Vec<Message> = texts.iter().map(|t| Message::new(t.as_str())).collect();
            let total: usize = texts.iter().map(String::len).sum();
            let answered = messages
                .iter()
                .filter(|m| engine.suggest(m).top().is_some())
                .count();
            group.throughput(Throughput::Bytes(total as u64));
            group.bench_function(format!("{name}/{kb}KB"), |b| {
                b.iter(|| {
                    let n = messages
                        .iter()
                        .filter(|m| engine.suggest(black_box(m)).top().is_some())
                        .count();
                    assert_eq!(n, answered);
                })
            });
            if name == "suggest_faq10k" {
                let hits: usize = texts
                    .iter()
                    .map(|t| index.search(t, TOP, &mut scratch).len())
                    .sum();
                group.bench_function(format!("baseline_bm25/{kb}KB"), |b| {
                    b.iter(|| {
                        let n: usize = texts
                            .iter()
                            .map(|t| index.search(black_box(t), TOP, &mut scratch).len())
                            .sum();
                        assert_eq!(n, hits);
                    })
                });
            }
        }
    }
    group.finish();
}

/// For timing by CPU time on a busy machine (`perf stat -e task-clock`): builds each
/// size, then runs replykit's loop `repeat` times if `REPLYKIT_FAQ_SCALE_PEER` is unset,
/// else the peer's.
fn repeat_only(repeat: usize) {
    let peer = std::env::var_os("REPLYKIT_FAQ_SCALE_PEER").is_some();
    for n in sizes() {
        let faq = faqgen::generate(n, QUERIES, seed(n));
        let messages: Vec<Message> = faq
            .queries
            .iter()
            .map(|q| Message::new(q.text.as_str()))
            .collect();
        let mut right = 0;
        if peer {
            let index = bm25_of(&faq);
            let mut scratch = index.scratch();
            for _ in 0..repeat {
                right += right_bm25(&index, &mut scratch, &faq);
            }
        } else {
            let engine = engine_of(&faqgen::to_toml(&faq));
            for _ in 0..repeat {
                right += right_replykit(&engine, &messages, &faq);
            }
        }
        eprintln!("{n}: {right} right");
    }
}

fn main() {
    if let Ok(path) = std::env::var("REPLYKIT_FAQ_SCALE_WRITE") {
        let faq = faqgen::generate(50_000, 0, SEED + 50_000);
        std::fs::write(&path, faqgen::to_toml(&faq)).unwrap_or_else(|e| panic!("{path}: {e}"));
        return;
    }
    if let Ok(repeat) = std::env::var("REPLYKIT_FAQ_SCALE_REPEAT") {
        repeat_only(repeat.parse().unwrap_or_else(|e| panic!("{repeat}: {e}")));
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    for n in sizes() {
        bench_size(&mut c, n);
    }
    bench_long_messages(&mut c);
    c.final_summary();
}
