//! Rule matching at scale: replykit against the automaton it must keep pace with.
//!
//! The workload follows the rule-matching spec of issue 14: N rules of 1–5 phrases of
//! 1–3 words (ASCII case-insensitive, whole-word, overlapping occurrences all count),
//! and messages of 54–2,100 characters (tweets, chats and e-mails of everyday words)
//! into 30% of which one to three rule phrases are put (in varied case, some wrapped in
//! punctuation), and into 10% a near miss (a rule word with letters glued on, which
//! must not match). Every phrase holds at least one made-up word that the background
//! text never uses. It is generated here, seeded (SplitMix64, no `rand`).
//!
//! * `rules_scale/suggest/N`: `Engine::suggest` over a batch of messages with N rules
//!   (normalisation, matching, ranking and rendering the suggestions included).
//! * `rules_scale/baseline_aho_corasick/N`: the floor, in the same run: one
//!   overlapping, ASCII-case-insensitive Aho-Corasick automaton over every phrase, a
//!   word-boundary check on each match, and the sorted, deduplicated rule ids.
//! * `rules_scale/build/N`: `RuleSet::from_toml` plus `Engine::new`, and
//!   `rules_scale/build_aho_corasick/N` for the automaton's own build.
//!
//! N is 1,000 and 10,000; set `REPLYKIT_BENCH_100K=1` to add 100,000. Before timing,
//! each N checks that replykit fires every rule the baseline finds, in every message
//! (and more only where punctuation separates a phrase's words: replykit reads words),
//! and the timed closures check their counts.

use aho_corasick::{AhoCorasick, MatchKind};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use replykit::{Engine, Message, RuleSet};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// Messages per timed batch.
const MESSAGES: usize = 2_000;
/// `max_suggestions` of the generated rule set (the most allowed): a message with more
/// rules than this shows this many.
const MAX_SUGGESTIONS: usize = 20;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// Everyday words of the background text (and the common words of phrases).
const COMMON: &[&str] = &[
    "account",
    "address",
    "bill",
    "bin",
    "bins",
    "booking",
    "broken",
    "bus",
    "cancel",
    "card",
    "charge",
    "claim",
    "collection",
    "complaint",
    "council",
    "customer",
    "damage",
    "date",
    "delay",
    "delivery",
    "driver",
    "email",
    "fee",
    "fine",
    "form",
    "garden",
    "green",
    "help",
    "holiday",
    "hours",
    "invoice",
    "issue",
    "journey",
    "late",
    "library",
    "login",
    "meter",
    "missed",
    "monday",
    "notice",
    "online",
    "open",
    "order",
    "parcel",
    "parking",
    "password",
    "payment",
    "permit",
    "platform",
    "pothole",
    "problem",
    "rail",
    "receipt",
    "recycling",
    "refund",
    "renew",
    "repair",
    "report",
    "road",
    "route",
    "service",
    "station",
    "street",
    "support",
    "tax",
    "ticket",
    "train",
    "update",
    "urgent",
    "waste",
    "weekend",
];

/// Glue of sentences: words that are in no phrase.
const GLUE: &[&str] = &[
    "the", "my", "a", "is", "was", "on", "at", "for", "and", "but", "again", "still", "please",
    "today", "why", "how", "can", "you", "me", "it", "this", "week", "not", "been", "we",
];

const CLOSINGS: &[&str] = &[
    "Thanks.",
    "Any update?",
    "Please advise.",
    "Cheers!",
    "Really frustrating.",
];
const GREETINGS: &[&str] = &[
    "Hi,",
    "Hello team,",
    "Dear Sir or Madam,\n\n",
    "hey -",
    "@LocalCouncil",
];
const EXTRAS: &[&str] = &[
    "😡",
    "🙏",
    "#fail",
    "café",
    "£12.50",
    "12:45",
    "ref 123456",
    "“quoted”",
];
const WRAPS: &[(&str, &str)] = &[
    ("#", ""),
    ("(", ")"),
    ("\"", "\""),
    ("", ","),
    ("", "."),
    ("", "?"),
    ("", "!"),
    ("“", "”"),
    ("", "😡"),
    ("@", ""),
    ("-", "-"),
];
const NEAR_SUFFIX: &[&str] = &["s", "es", "ing", "ed", "er", "ly", "x", "2", "99"];
const NEAR_PREFIX: &[&str] = &["re", "un", "pre", "x", "non", "0"];

/// A made-up word of two or three syllables, at least five letters.
fn rare_word(rng: &mut Rng) -> String {
    const ONSET: &[&str] = &[
        "b", "br", "d", "dr", "f", "g", "gr", "k", "kl", "m", "n", "p", "pr", "qu", "s", "st", "t",
        "tr", "v", "z", "zh", "th",
    ];
    const NUCLEUS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"];
    const CODA: &[&str] = &[
        "", "", "b", "k", "l", "m", "n", "r", "s", "t", "x", "nd", "rk",
    ];
    loop {
        let mut w = String::new();
        for _ in 0..rng.range(2, 3) {
            w.push_str(rng.word(ONSET));
            w.push_str(rng.word(NUCLEUS));
            w.push_str(rng.word(CODA));
        }
        if w.len() >= 5 {
            return w;
        }
    }
}

/// The workload: each rule's phrases (lower case), and the messages.
struct Workload {
    rules: Vec<Vec<String>>,
    messages: Vec<String>,
}

fn workload(n: usize) -> Workload {
    let mut rng = Rng(42);
    let mut seen = HashSet::new();
    let mut pool = Vec::new();
    while pool.len() < 60_000 {
        let w = rare_word(&mut rng);
        if !COMMON.contains(&w.as_str()) && seen.insert(w.clone()) {
            pool.push(w);
        }
    }
    let mut rules: Vec<Vec<String>> = Vec::with_capacity(n);
    for i in 0..n {
        let k = rng.range(1, 5);
        let mut phrases: Vec<String> = Vec::new();
        while phrases.len() < k {
            let p = if i > 0 && rng.percent(5) {
                let j = rng.below(i);
                rng.pick(&rules[j]).clone()
            } else {
                let words = match rng.below(100) {
                    0..=39 => 1,
                    40..=79 => 2,
                    _ => 3,
                };
                let mut ws: Vec<String> =
                    (0..words).map(|_| rng.word(COMMON).to_string()).collect();
                let at = rng.below(words);
                ws[at] = rng.pick(&pool).clone();
                if words == 3 && rng.percent(30) {
                    let at = rng.below(words);
                    ws[at] = rng.pick(&pool).clone();
                }
                ws.join(" ")
            };
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        rules.push(phrases);
    }
    let messages = (0..MESSAGES).map(|_| message(&mut rng, &rules)).collect();
    Workload { rules, messages }
}

fn vary_case(rng: &mut Rng, p: &str) -> String {
    match rng.below(10) {
        0..=5 => p.to_string(),
        6 | 7 => p
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| {
                    f.to_ascii_uppercase().to_string() + c.as_str()
                })
            })
            .collect::<Vec<_>>()
            .join(" "),
        8 => p.to_ascii_uppercase(),
        _ => {
            let mut c = p.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        }
    }
}

/// Puts `snippet` between two words of `text` (or at an end).
fn insert(rng: &mut Rng, text: &mut String, snippet: &str) {
    let gaps: Vec<usize> = text.match_indices(' ').map(|(i, _)| i).collect();
    if gaps.is_empty() || rng.percent(5) {
        *text = format!("{snippet} {text}");
    } else {
        let at = *rng.pick(&gaps);
        text.insert_str(at, &format!(" {snippet}"));
    }
}

fn message(rng: &mut Rng, rules: &[Vec<String>]) -> String {
    // Tweets, chats and e-mails: 54–2,100 characters, most of them short.
    let target = match rng.below(10) {
        0..=4 => rng.range(54, 280),
        5..=7 => rng.range(54, 600),
        _ => rng.range(300, 2_000),
    };
    let mut text = String::new();
    if rng.percent(40) {
        text.push_str(rng.word(GREETINGS));
        text.push(' ');
    }
    while text.len() < target {
        let words = rng.range(4, 12);
        for w in 0..words {
            let word = if rng.percent(35) {
                rng.word(COMMON)
            } else {
                rng.word(GLUE)
            };
            if w == 0 {
                let mut c = word.chars();
                if let Some(f) = c.next() {
                    text.push(f.to_ascii_uppercase());
                    text.push_str(c.as_str());
                }
            } else {
                text.push_str(word);
            }
            text.push(' ');
        }
        text.pop();
        text.push_str(if rng.percent(20) { "? " } else { ". " });
        if rng.percent(15) {
            text.push_str(rng.word(EXTRAS));
            text.push(' ');
        }
    }
    text.push_str(rng.word(CLOSINGS));
    if rng.percent(30) {
        for _ in 0..rng.range(1, 3) {
            let rule = rng.pick(rules);
            let phrase: &String = rng.pick(rule);
            let phrase = vary_case(rng, phrase);
            let (open, close) = if rng.percent(30) {
                *rng.pick(WRAPS)
            } else {
                ("", "")
            };
            insert(rng, &mut text, &format!("{open}{phrase}{close}"));
        }
    }
    if rng.percent(10) {
        let rule = rng.pick(rules);
        let mut words: Vec<String> = rng.pick(rule).split(' ').map(str::to_string).collect();
        if rng.percent(50) {
            let last = words.len() - 1;
            words[last].push_str(rng.word(NEAR_SUFFIX));
        } else {
            words[0] = format!("{}{}", rng.word(NEAR_PREFIX), words[0]);
        }
        let near = vary_case(rng, &words.join(" "));
        insert(rng, &mut text, &near);
    }
    text
}

/// The rule set as its author would write it.
fn rules_toml(rules: &[Vec<String>]) -> String {
    let mut out = String::with_capacity(rules.len() * 120);
    let _ = writeln!(out, "[settings]\nmax_suggestions = {MAX_SUGGESTIONS}\n");
    for (i, phrases) in rules.iter().enumerate() {
        let list: Vec<String> = phrases.iter().map(|p| format!("{p:?}")).collect();
        let _ = writeln!(
            out,
            "[[rule]]\nid = \"rule-{i}\"\nwhen.any = [{}]\nreply = \"Reply {i}.\"\n",
            list.join(", ")
        );
    }
    out
}

/// The baseline: every phrase in one overlapping, ASCII-case-insensitive automaton (the
/// crate's own choice of kind, as the peer in issue 14 builds it),
/// matches kept only on word boundaries, then the rules of the matched phrases.
struct Baseline {
    automaton: AhoCorasick,
    /// phrase → the rules that use it
    users: Vec<Vec<u32>>,
}

impl Baseline {
    fn build(rules: &[Vec<String>]) -> Baseline {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut phrases: Vec<&str> = Vec::new();
        let mut users: Vec<Vec<u32>> = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for p in rule {
                let id = *index.entry(p.as_str()).or_insert_with(|| {
                    phrases.push(p);
                    users.push(Vec::new());
                    phrases.len() - 1
                });
                if !users[id].contains(&(r as u32)) {
                    users[id].push(r as u32);
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&phrases)
            .expect("the phrases make an automaton");
        Baseline { automaton, users }
    }

    fn matches(&self, text: &str, out: &mut Vec<u32>) {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let hay = text.as_bytes();
        out.clear();
        for m in self.automaton.find_overlapping_iter(hay) {
            let before = m.start() == 0 || !is_word(hay[m.start() - 1]);
            let after = m.end() == hay.len() || !is_word(hay[m.end()]);
            if before && after {
                out.extend_from_slice(&self.users[m.pattern().as_usize()]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// The rule numbers of an outcome's suggestions, sorted.
fn fired(engine: &Engine, message: &Message) -> Vec<u32> {
    let mut ids: Vec<u32> = engine
        .suggest(message)
        .suggestions
        .iter()
        .filter_map(|s| s.id.strip_prefix("rule-")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![1_000, 10_000];
    if std::env::var_os("REPLYKIT_BENCH_100K").is_some() {
        sizes.push(100_000);
    }
    sizes
}

fn benches(c: &mut Criterion) {
    for n in sizes() {
        let work = workload(n);
        let toml = rules_toml(&work.rules);
        let set = RuleSet::from_toml("rules.toml", &toml).expect("the generated rules load");
        let engine = Engine::from_rule_set(set).expect("the generated rules build");
        let baseline = Baseline::build(&work.rules);
        let messages: Vec<Message> = work
            .messages
            .iter()
            .map(|m| Message::new(m.as_str()))
            .collect();

        // The same answers, message by message, before anything is timed: every rule
        // the automaton finds fires (the first `max_suggestions` of them when there are
        // more). replykit reads words, not characters, so a phrase whose words the
        // text separates by punctuation ("gaissem? rail" for "gaissem rail") fires too:
        // rare, and counted.
        let mut expected = Vec::new();
        let (mut total, mut baseline_total, mut with_rules, mut across) = (0, 0, 0, 0);
        for (m, text) in messages.iter().zip(&work.messages) {
            baseline.matches(text, &mut expected);
            let got = fired(&engine, m);
            if expected.len() <= MAX_SUGGESTIONS {
                let missing: Vec<_> = expected
                    .iter()
                    .filter(|r| !got.contains(r))
                    .map(|&r| (r, &work.rules[r as usize]))
                    .collect();
                assert!(missing.is_empty(), "not fired on {text:?}: {missing:?}");
            } else {
                assert_eq!(got.len(), MAX_SUGGESTIONS, "rules fired on {text:?}");
            }
            across += usize::from(got.iter().any(|r| !expected.contains(r)));
            total += got.len();
            baseline_total += expected.len();
            with_rules += usize::from(!expected.is_empty());
        }
        assert!(
            with_rules > MESSAGES / 5,
            "{with_rules} messages match a rule"
        );
        assert!(
            across <= MESSAGES / 100,
            "{across} messages with more rules"
        );
        eprintln!("{n} rules: {with_rules} of {MESSAGES} messages match; {across} also across punctuation");

        let mut group = c.benchmark_group("rules_scale");
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(MESSAGES as u64));
        group.bench_function(format!("suggest/{n}"), |b| {
            b.iter(|| {
                let count: usize = messages
                    .iter()
                    .map(|m| black_box(engine.suggest(m)).suggestions.len())
                    .sum();
                assert_eq!(count, total);
            })
        });
        group.bench_function(format!("baseline_aho_corasick/{n}"), |b| {
            let mut out = Vec::new();
            b.iter(|| {
                let mut count = 0;
                for text in &work.messages {
                    baseline.matches(black_box(text), &mut out);
                    count += out.len();
                }
                assert_eq!(count, baseline_total);
            })
        });
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("build/{n}"), |b| {
            b.iter(|| {
                let set = RuleSet::from_toml("rules.toml", black_box(&toml)).expect("loads");
                let engine = Engine::from_rule_set(set).expect("builds");
                assert_eq!(engine.rule_set().rules().len(), n);
            })
        });
        group.bench_function(format!("build_aho_corasick/{n}"), |b| {
            b.iter(|| {
                let baseline = Baseline::build(black_box(&work.rules));
                assert!(baseline.users.len() >= n);
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! {
    name = rules_scale;
    config = config();
    targets = benches
}
criterion_main!(rules_scale);
