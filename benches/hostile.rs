//! The worst cases of issue 13's adversarial trial, each at two sizes four times
//! apart: time (criterion) and peak memory (printed before each group, from a counting
//! allocator) should grow about four times, not sixteen. Every timed closure checks its
//! answer, so a fast wrong result fails instead of looking good.
//!
//! * `locations`: a rule with 5,000 / 20,000 phrases on one line (finding 1).
//! * `hours`: 250 / 1,000 overlapping ranges on one day (finding 2).
//! * `regex`: `order.*x` on "order order ..." of 64 KiB / 256 KiB (finding 3).
//! * `faq_words`: an answer of 25,000 / 100,000 distinct words (finding 4).
//! * `hints`: 1,000 / 4,000 unknown variables among as many known ones (finding 5).
//!
//! Run with `cargo bench --bench hostile`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use replykit::{Decision, Engine, Message, RuleSet};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn add(bytes: isize) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` once and prints the peak memory above what was live before it.
fn report_peak<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    eprintln!("peak memory {what}: {:.1} MB", peak as f64 / 1e6);
    out
}

fn phrases_on_one_line(n: usize) -> String {
    let phrases: Vec<String> = (0..n).map(|i| format!("\"p{i}\"")).collect();
    format!(
        "[[rule]]\nid = \"x\"\nreply = \"r\"\nwhen.any = [{}]\n",
        phrases.join(", ")
    )
}

fn hours(n: usize) -> String {
    let list = vec!["\"09:00-10:00\""; n].join(", ");
    format!("[settings]\ntimezone = \"Europe/London\"\n[hours]\nmon = [{list}]\n")
}

fn distinct_words_answer(n: usize) -> String {
    let words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
    format!(
        "[[faq]]\nid = \"a\"\nquestions = [\"when is bin day\", \"bin collection\"]\nanswer = \"{}\"\n\
         [[faq]]\nid = \"b\"\nquestions = [\"how do I pay council tax\"]\nanswer = \"Online.\"\n",
        words.join(" ")
    )
}

fn unknown_variables(n: usize) -> String {
    let mut text = String::from("[vars]\n");
    for i in 0..n {
        text.push_str(&format!("variable_{i:05} = \"x\"\n"));
    }
    let slots: Vec<String> = (0..n).map(|i| format!("{{{{variablx_{i:05}}}}}")).collect();
    text.push_str(&format!(
        "[[rule]]\nid = \"r\"\nwhen.any = [\"a\"]\nreply = \"{}\"\n",
        slots.join(" ")
    ));
    text
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("locations");
    for n in [5_000, 20_000] {
        let text = phrases_on_one_line(n);
        let _ = report_peak(&format!("locations/{n}"), || {
            RuleSet::from_toml("a.toml", &text)
        });
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| assert!(RuleSet::from_toml("a.toml", black_box(text)).is_ok()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("hours");
    for n in [250, 1_000] {
        let text = hours(n);
        let _ = report_peak(&format!("hours/{n}"), || {
            RuleSet::from_toml("h.toml", &text)
        });
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let errors = RuleSet::from_toml("h.toml", black_box(text))
                    .err()
                    .map(|e| e.diagnostics().len());
                assert_eq!(errors, Some(n - 1));
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("hints");
    group.sample_size(10);
    for n in [1_000, 4_000] {
        let text = unknown_variables(n);
        let _ = report_peak(&format!("hints/{n}"), || {
            RuleSet::from_toml("v.toml", &text)
        });
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let errors = RuleSet::from_toml("v.toml", black_box(text))
                    .err()
                    .map(|e| e.diagnostics().len());
                assert_eq!(errors, Some(n));
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("faq_words");
    group.sample_size(10);
    for n in [25_000, 100_000] {
        let text = distinct_words_answer(n);
        let build = || {
            let rules = RuleSet::from_toml("f.toml", &text).map_err(|e| e.to_string())?;
            Engine::new(&rules).map_err(|e| e.to_string())
        };
        let _ = report_peak(&format!("faq_words/{n}"), build);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| assert!(build().is_ok()))
        });
    }
    group.finish();
}

fn matching(c: &mut Criterion) {
    let rules = RuleSet::from_toml(
        "r.toml",
        "[settings]\nmax_message_bytes = 1048576\n\
         [[rule]]\nid = \"order\"\nwhen.regex = ['order.*x', 'ab.*x', 'ba.*x']\nreply = \"r\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("regex");
    for kib in [64, 256] {
        let message = Message::new("order ".repeat(kib * 1024 / 6));
        report_peak(&format!("regex/{kib}KiB"), || engine.suggest(&message));
        group.bench_with_input(BenchmarkId::from_parameter(kib), &message, |b, m| {
            b.iter(|| assert_eq!(engine.suggest(black_box(m)).decision, Decision::NoAnswer))
        });
    }
    group.finish();
}

criterion_group!(benches, loading, matching);
criterion_main!(benches);
