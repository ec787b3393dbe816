//! The listening report (issue 11): its cost against `suggest` alone over the same
//! messages, and clustering 100,000 messages that nothing answers.
//!
//! Messages are CLINC150's test texts resampled, with timestamps spread over a year
//! (`tests/fixtures/history.rs`); the rule set is one FAQ entry per CLINC150 training
//! label (default thresholds, so the bench starts in seconds). Each timed loop checks
//! its answer: every message is counted, and the clusters are there.
//!
//! The one-million-message figure (and its memory) is measured with the
//! command on a generated file; see the README, "Listening".
//!
//! With the `parallel` feature, every timed loop runs in a rayon pool of one thread
//! (one core), and clustering also in a pool of two, for the speed-up:
//!
//!     cargo bench --features report --bench listen      # one core
//!     cargo bench --features parallel --bench listen    # one core and two threads

#[path = "../tests/fixtures/history.rs"]
mod fixtures;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use replykit::eval::Labelled;
use replykit::listen::Listener;
use replykit::{Engine, RuleSet};
use std::hint::black_box;
use std::time::Duration;

/// `f` on `threads` of rayon's threads (the `parallel` feature); on this thread
/// without it, where `threads` must be 1.
fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "parallel")]
    {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
            .install(f)
    }
    #[cfg(not(feature = "parallel"))]
    {
        assert_eq!(threads, 1);
        f()
    }
}

fn clinc_engine() -> Engine {
    let full = format!("{}/data/clinc150/train.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    let train: Vec<Labelled> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let toml = replykit::import::rule_set_toml(&train, &replykit::import::Thresholds::default());
    let rules = RuleSet::from_toml("clinc.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(&rules).unwrap_or_else(|e| panic!("{e}"))
}

fn report_against_suggest(c: &mut Criterion) {
    let base = fixtures::texts("data/clinc150/test.jsonl");
    let engine = clinc_engine();
    let n = 20_000;
    let messages = fixtures::history(&base, n, 365, None, 1);
    let mut group = c.benchmark_group("listen");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(n as u64));
    group.bench_function("suggest_alone", |b| {
        b.iter(|| {
            let answered = messages
                .iter()
                .filter(|m| !black_box(engine.suggest(m)).suggestions.is_empty())
                .count();
            assert!(answered > n / 2, "{answered} of {n} answered");
        })
    });
    group.bench_function("report", |b| {
        b.iter(|| {
            on_threads(1, || {
                let mut listener = Listener::new(&engine);
                for m in &messages {
                    listener.suggest(m);
                }
                let report = listener.finish();
                assert_eq!(report.messages, n as u64);
                assert_eq!(report.periods.len(), 53);
                assert!(!report.unanswered.clusters.is_empty());
                report
            })
        })
    });
    group.finish();
}

fn clustering_100k(c: &mut Criterion) {
    let base = fixtures::texts("data/clinc150/test.jsonl");
    // No rule or entry: every message is unanswered, so all 100,000 are clustered.
    let engine =
        Engine::new(&RuleSet::from_toml("empty.toml", "").unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    let n = 100_000;
    let messages = fixtures::history(&base, n, 365, None, 2);
    let mut group = c.benchmark_group("listen");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .throughput(Throughput::Elements(n as u64));
    let listener = || {
        let mut listener = Listener::new(&engine);
        for m in &messages {
            listener.suggest(m);
        }
        listener
    };
    let finish = |listener: Listener, threads: usize| {
        on_threads(threads, || {
            let report = listener.finish();
            assert_eq!(report.unanswered.messages, n as u64);
            // CLINC150 has 150 intents (and out-of-scope ones): many clusters, not one.
            assert!(report.unanswered.clusters.len() >= 50);
            report
        })
    };
    // The whole report: reading the messages, then clustering them (in `finish`).
    group.bench_function("cluster_100k_unanswered", |b| {
        b.iter(|| finish(listener(), 1))
    });
    // `finish` alone (the clustering, and what the report says of each cluster), on
    // one thread and on two: the speed-up of the `parallel` feature.
    let per_iteration = criterion::BatchSize::PerIteration;
    group.bench_function("finish_100k_1_thread", |b| {
        b.iter_batched(listener, |l| finish(l, 1), per_iteration)
    });
    if cfg!(feature = "parallel") {
        group.bench_function("finish_100k_2_threads", |b| {
            b.iter_batched(listener, |l| finish(l, 2), per_iteration)
        });
    }
    group.finish();
}

criterion_group!(benches, report_against_suggest, clustering_100k);
criterion_main!(benches);
