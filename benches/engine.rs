//! Benchmarks for replykit: building an engine, and suggesting replies.
//!
//! Every timed closure checks its answer (the way tantivy's benchmarks do), so a change
//! that makes matching fast by making it wrong fails the run instead of looking good.
//!
//! * `build/*`: `RuleSet::from_toml` (or `from_path`) plus `Engine::new`, for the bundled
//!   council rule set and for a generated set of 10,000 rules and 2,000 FAQ entries
//!   (also split into its two halves, `parse_only` and `engine_new_only`).
//! * `suggest/*`: `Engine::suggest` over a batch of 1,000 messages of about 400 bytes,
//!   reported as messages per second, against the council set, the 10,000 generated
//!   rules alone (`rules10k`; `rules10k_no_regex` is the same rules without their
//!   `when.regex` conditions), and the 10,000 rules with 2,000 FAQ entries.
//! * `batch/*`: the council messages, 20 times over, through `suggest` one at a time
//!   (`one_by_one`, the baseline) and through `Engine::suggest_batch` (`suggest_batch`:
//!   on every core with `--features parallel`, on one without); both must give the
//!   same outcomes.
//! * `suggest/baseline_aho_corasick_rules10k`: the floor to compare rule matching with:
//!   one ASCII-case-insensitive Aho-Corasick automaton over every phrase of the 10,000
//!   rules, run over the same messages with a word-boundary check and no normalisation.
//!
//! The generated data is deterministic (a seeded SplitMix64, no `rand`):
//!
//! * Words are pronounceable nonsense ("brokaiten", "mulesu"), in disjoint pools: rule
//!   words, FAQ words, and words reserved for the ten *target* rules.
//! * Each rule has `when.any` with 2–4 phrases of 1–3 words; 15% also have `when.all`,
//!   10% `when.none`, 2% a `when.regex` (variants of `\bref\s*(?P<ref>\d{6})`), 1%
//!   escalate. Rules `target-0` … `target-9` (priority 100, reserved words only) replace
//!   ten of them.
//! * FAQ entries have 3–5 questions of 5–10 words: a question opening ("how do i",
//!   "where can i", …) and topic words from the entry's own small pool.
//! * Messages: 10% contain a target rule's phrases (that rule must be top), 2% also a
//!   target's `when.none` phrase (that rule must not fire), 6% repeat an FAQ question
//!   (that entry must be top when FAQ entries are loaded, and nothing may answer when
//!   only rules are), and the rest are everyday English words with 5% rule words and
//!   7% FAQ words mixed in (no target rule may be top).

use aho_corasick::{AhoCorasick, MatchKind, PatternID};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};
use replykit::{Decision, Engine, Message, Outcome, RuleSet};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

const RULES: usize = 10_000;
const FAQS: usize = 2_000;
const MESSAGES: usize = 1_000;
const TARGETS: usize = 10;
const MESSAGE_BYTES: usize = 400;
const COUNCIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/council");

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const ONSETS: &[&str] = &[
    "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kl", "st",
    "tr", "sh",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS: &[&str] = &["", "", "", "n", "r", "l", "k", "s"];

/// Everyday words for message filler (separated by spaces). None of them is in a generated rule; the
/// question words among them are in many generated FAQ questions.
const ENGLISH: &str = "\
    the and i my to a of in is it was for on that this with have we our you but not be at \
    are they there from just been so can could would about when how what where why who which \
    again still today yesterday morning evening week month year time home house street road \
    neighbour family children car door garden window outside inside really very quite please \
    thanks help need want know think said told asked called phoned emailed wrote waiting \
    since after before because while never always sometimes often last next every other \
    another same different problem issue question letter online form account number payment \
    pay paid get got find found report reported sorted fixed broken new old big small long \
    short weeks days hours minutes people someone everyone nobody anything something nothing \
    lot bit sure hope hoping grateful appreciate reply soon possible thing things way back \
    here over off up down out around near far along across";

/// Kept out of the generated vocabularies (English words a syllable word could spell).
const AVOID: &[&str] = &[
    "some", "more", "made", "make", "same", "time", "home", "done", "gone", "side", "like", "take",
    "told", "name", "note", "tone", "bone", "line", "mine", "fine", "nine", "sale", "tale", "pole",
    "rule", "role",
];

/// How generated FAQ questions open.
const OPENINGS: &[&str] = &[
    "how do i",
    "how can i",
    "when is my",
    "where can i",
    "what is the",
    "can i",
    "is there a",
    "why has my",
    "who do i contact about",
    "do you",
    "what happens if my",
    "how much is the",
    "where do i find",
];

/// Regex variants; `{kw}` is a rule word. Filler has no digits, so only messages built
/// to match do.
const REGEXES: &[&str] = &[
    r"\b{kw}\s*(?P<ref>\d{6})",
    r"\b{kw}[-\s]*no\.?\s*(?P<ref>\d{6})\b",
    r"\b(?:{kw}|ref)\s*#?(?P<ref>\d{4,8})\b",
    r"\b{kw}\s*(?P<ref>[a-z]{2}\d{6})\b",
];

fn syllable_word(rng: &mut Rng) -> String {
    let mut w = String::new();
    for _ in 0..rng.range(2, 3) {
        w.push_str(rng.pick::<&str>(ONSETS));
        w.push_str(rng.pick::<&str>(VOWELS));
    }
    w.push_str(rng.pick::<&str>(CODAS));
    w
}

/// `n` new words, none already in `used`.
fn vocabulary(rng: &mut Rng, n: usize, used: &mut HashSet<String>) -> Vec<String> {
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let w = syllable_word(rng);
        if used.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

fn words_of(rng: &mut Rng, pool: &[String], n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(pool).as_str());
    }
    out
}

/// A rule phrase: 1 word (40%), 2 (40%) or 3 (20%).
fn phrase(rng: &mut Rng, pool: &[String]) -> String {
    let n = match rng.below(10) {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    words_of(rng, pool, n)
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A target rule: fires only on messages built for it.
struct Target {
    id: String,
    any: [String; 2],
    all: Option<String>,
    none: Option<String>,
    /// The regex's keyword: the message must also have `keyword 123456`.
    regex_keyword: Option<String>,
}

enum Kind {
    /// Has target `k`'s phrases: `target-k` must be top. `phrase` is the `when.any`
    /// phrase used (the baseline must find it).
    Target { k: usize, phrase: String },
    /// Has target `k`'s phrases and its `when.none` phrase: `target-k` must not fire.
    Blocked { k: usize },
    /// An FAQ entry's question, repeated: that entry must be top (when loaded).
    Faq { entry: usize },
    /// Everyday text: no target may be top.
    Generic,
}

struct BenchMessage {
    message: Message,
    kind: Kind,
}

struct Generated {
    rules_toml: String,
    faqs_toml: String,
    targets: Vec<Target>,
    /// Every distinct phrase of every rule (`any`, `all` and `none`).
    phrases: Vec<String>,
    messages: Vec<BenchMessage>,
}

/// Sentences: capitalised, with full stops, question marks and the odd comma.
/// Tokens may be multi-word phrases; punctuation never goes inside one.
fn render(rng: &mut Rng, tokens: &[String]) -> String {
    let mut out = String::new();
    let mut in_sentence = 0;
    let mut sentence_len = rng.range(7, 15);
    for t in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        if in_sentence == 0 {
            let mut chars = t.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(t);
        }
        in_sentence += 1;
        if in_sentence == sentence_len {
            out.push(*rng.pick(&['.', '.', '.', '?', '!']));
            in_sentence = 0;
            sentence_len = rng.range(7, 15);
        } else if rng.percent(6) {
            out.push(',');
        }
    }
    if in_sentence > 0 {
        out.push('.');
    }
    out
}

/// About `MESSAGE_BYTES` of filler with `inserts` at random places. Filler words are
/// English, `rule_pct`% rule words and `faq_pct`% FAQ words.
fn filler_message(
    rng: &mut Rng,
    english: &[&str],
    rule_words: &[String],
    faq_words: &[String],
    rule_pct: usize,
    faq_pct: usize,
    inserts: Vec<String>,
) -> String {
    let mut len: usize = inserts.iter().map(|s| s.len() + 1).sum();
    let mut tokens: Vec<String> = Vec::new();
    // Punctuation adds about one byte in eleven; inserts land at random places.
    while len < MESSAGE_BYTES - 8 {
        let roll = rng.below(100);
        let w = if roll < rule_pct {
            rng.pick(rule_words).clone()
        } else if roll < rule_pct + faq_pct {
            rng.pick(faq_words).clone()
        } else {
            rng.pick(english).to_string()
        };
        len += w.len() + 1;
        tokens.push(w);
    }
    for ins in inserts {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, ins);
    }
    render(rng, &tokens)
}

impl Generated {
    fn new(seed: u64) -> Generated {
        let mut rng = Rng(seed);
        let english: Vec<&str> = ENGLISH.split_whitespace().collect();
        let mut used: HashSet<String> =
            english.iter().chain(AVOID).map(|w| w.to_string()).collect();
        for o in OPENINGS {
            used.extend(o.split(' ').map(str::to_string));
        }
        let rule_words = vocabulary(&mut rng, 12_000, &mut used);
        let faq_words = vocabulary(&mut rng, 4_000, &mut used);
        let reserved = vocabulary(&mut rng, 100, &mut used);
        let mut reserved_iter = reserved.iter().cloned();
        let mut next_reserved = || reserved_iter.next().expect("enough reserved words");

        let targets: Vec<Target> = (0..TARGETS)
            .map(|k| Target {
                id: format!("target-{k}"),
                any: [
                    format!("{} {}", next_reserved(), next_reserved()),
                    next_reserved(),
                ],
                all: (k % 2 == 0).then(&mut next_reserved),
                none: (k % 3 == 0).then(&mut next_reserved),
                regex_keyword: (k == 5 || k == 9).then(&mut next_reserved),
            })
            .collect();

        // Rules.
        let mut rules_toml = String::new();
        let mut phrases: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut note = |p: &String| {
            if seen.insert(p.clone()) {
                phrases.push(p.clone());
            }
        };
        for i in 0..RULES {
            if (i + 1) % (RULES / TARGETS) == 0 {
                let t = &targets[(i + 1) / (RULES / TARGETS) - 1];
                let _ = writeln!(rules_toml, "[[rule]]\nid = \"{}\"\npriority = 100", t.id);
                let _ = writeln!(rules_toml, "when.any = {}", toml_list(&t.any));
                t.any.iter().for_each(&mut note);
                if let Some(all) = &t.all {
                    let _ = writeln!(rules_toml, "when.all = [\"{all}\"]");
                    note(all);
                }
                if let Some(none) = &t.none {
                    let _ = writeln!(rules_toml, "when.none = [\"{none}\"]");
                    note(none);
                }
                match &t.regex_keyword {
                    Some(kw) => {
                        let _ =
                            writeln!(rules_toml, "when.regex = ['\\b{kw}\\s*(?P<ref>\\d{{6}})']");
                        let _ = writeln!(
                            rules_toml,
                            "reply = \"Target {} for reference {{{{ref}}}}.\"\n",
                            t.id
                        );
                    }
                    None => {
                        let _ = writeln!(rules_toml, "reply = \"Target {}.\"\n", t.id);
                    }
                }
                continue;
            }
            let id = format!("rule-{i:05}");
            let _ = writeln!(
                rules_toml,
                "[[rule]]\nid = \"{id}\"\npriority = {}",
                rng.range(0, 50)
            );
            let any: Vec<String> = (0..rng.range(2, 4))
                .map(|_| phrase(&mut rng, &rule_words))
                .collect();
            any.iter().for_each(&mut note);
            let _ = writeln!(rules_toml, "when.any = {}", toml_list(&any));
            if rng.percent(15) {
                let n = rng.range(1, 2);
                let all = vec![words_of(&mut rng, &rule_words, n)];
                all.iter().for_each(&mut note);
                let _ = writeln!(rules_toml, "when.all = {}", toml_list(&all));
            }
            if rng.percent(10) {
                let none: Vec<String> = (0..rng.range(1, 2))
                    .map(|_| {
                        let n = rng.range(1, 2);
                        words_of(&mut rng, &rule_words, n)
                    })
                    .collect();
                none.iter().for_each(&mut note);
                let _ = writeln!(rules_toml, "when.none = {}", toml_list(&none));
            }
            if rng.percent(2) {
                let kw = rng.pick(&rule_words).clone();
                let pattern = rng.pick(REGEXES).replace("{kw}", &kw);
                let _ = writeln!(rules_toml, "when.regex = ['{pattern}']");
                let _ = writeln!(rules_toml, "reply = \"Reply {id}, reference {{{{ref}}}}.\"");
            } else {
                let _ = writeln!(rules_toml, "reply = \"Reply {id}.\"");
            }
            if rng.percent(1) {
                let _ = writeln!(rules_toml, "escalate = true");
            }
            rules_toml.push('\n');
        }

        // FAQ entries.
        let mut faqs_toml = String::new();
        let mut first_questions = Vec::with_capacity(FAQS);
        for f in 0..FAQS {
            let topic: Vec<String> = (0..6).map(|_| rng.pick(&faq_words).clone()).collect();
            let questions: Vec<String> = (0..rng.range(3, 5))
                .map(|_| {
                    let opening = *rng.pick(OPENINGS);
                    let have = opening.split(' ').count();
                    let n = rng.range(5, 10).saturating_sub(have).max(2);
                    format!("{opening} {}", words_of(&mut rng, &topic, n))
                })
                .collect();
            first_questions.push(questions[0].clone());
            let _ = writeln!(
                faqs_toml,
                "[[faq]]\nid = \"faq-{f:04}\"\nquestions = {}",
                toml_list(&questions)
            );
            let _ = writeln!(
                faqs_toml,
                "answer = \"About {}: see page {f}.\"\n",
                words_of(&mut rng, &topic, 3)
            );
        }

        // Messages.
        let mut messages = Vec::with_capacity(MESSAGES);
        let (mut targeted, mut blocked) = (0, 0);
        let blockable: Vec<usize> = (0..TARGETS)
            .filter(|&k| targets[k].none.is_some())
            .collect();
        for i in 0..MESSAGES {
            let slot = i % 50;
            let inserts_for = |rng: &mut Rng, t: &Target, phrase: &str| {
                let mut inserts = vec![phrase.to_string()];
                inserts.extend(t.all.clone());
                if let Some(kw) = &t.regex_keyword {
                    inserts.push(format!("{kw} {:06}", rng.below(1_000_000)));
                }
                inserts
            };
            let (text, kind) = match slot {
                0..=4 => {
                    let k = targeted % TARGETS;
                    let t = &targets[k];
                    let phrase = t.any[(targeted / TARGETS) % 2].clone();
                    targeted += 1;
                    let inserts = inserts_for(&mut rng, t, &phrase);
                    let text =
                        filler_message(&mut rng, &english, &rule_words, &faq_words, 0, 7, inserts);
                    (text, Kind::Target { k, phrase })
                }
                5 => {
                    let k = blockable[blocked % blockable.len()];
                    blocked += 1;
                    let t = &targets[k];
                    let mut inserts = inserts_for(&mut rng, t, &t.any[blocked % 2]);
                    inserts.extend(t.none.clone());
                    let text =
                        filler_message(&mut rng, &english, &rule_words, &faq_words, 0, 7, inserts);
                    (text, Kind::Blocked { k })
                }
                6..=8 => {
                    let entry = rng.below(FAQS);
                    let q = &first_questions[entry];
                    let mut text = String::new();
                    while text.len() < MESSAGE_BYTES - q.len() {
                        let mut chars = q.chars();
                        if let Some(c) = chars.next() {
                            text.extend(c.to_uppercase());
                            text.push_str(chars.as_str());
                        }
                        text.push_str("? ");
                    }
                    (text.trim_end().to_string(), Kind::Faq { entry })
                }
                _ => (
                    filler_message(
                        &mut rng,
                        &english,
                        &rule_words,
                        &faq_words,
                        5,
                        7,
                        Vec::new(),
                    ),
                    Kind::Generic,
                ),
            };
            messages.push(BenchMessage {
                message: Message::new(text),
                kind,
            });
        }

        Generated {
            rules_toml,
            faqs_toml,
            targets,
            phrases,
            messages,
        }
    }

    fn both_toml(&self) -> String {
        format!("{}\n{}", self.rules_toml, self.faqs_toml)
    }

    /// The same rules with their `when.regex` conditions left out: phrase matching alone.
    fn rules_without_regexes(&self) -> String {
        let mut out = String::with_capacity(self.rules_toml.len());
        for line in self
            .rules_toml
            .lines()
            .filter(|l| !l.starts_with("when.regex"))
        {
            out.push_str(
                &line
                    .replace(", reference {{ref}}", "")
                    .replace(" for reference {{ref}}", ""),
            );
            out.push('\n');
        }
        out
    }
}

/// Which generated rule set an engine was built from.
#[derive(Clone, Copy, PartialEq)]
enum Loaded {
    RulesOnly,
    RulesAndFaqs,
}

/// Checks one outcome against what the message was built to get; returns 1 for a
/// message with a known answer (they are counted).
fn check(g: &Generated, loaded: Loaded, i: usize, m: &BenchMessage, out: &Outcome) -> usize {
    let top = out.suggestions.first().map(|s| s.id.as_str());
    match &m.kind {
        Kind::Target { k, .. } => {
            assert_eq!(
                top,
                Some(g.targets[*k].id.as_str()),
                "message {i}: {:?}",
                m.message.text
            );
            assert_ne!(out.decision, Decision::NoAnswer);
            1
        }
        Kind::Blocked { k } => {
            let id = &g.targets[*k].id;
            assert!(
                !out.suggestions.iter().any(|s| &s.id == id),
                "message {i}: {id} fired despite when.none"
            );
            if loaded == Loaded::RulesOnly {
                assert_eq!(out.decision, Decision::NoAnswer, "message {i}");
            }
            1
        }
        Kind::Faq { entry } => {
            match loaded {
                Loaded::RulesOnly => assert_eq!(out.decision, Decision::NoAnswer, "message {i}"),
                Loaded::RulesAndFaqs => {
                    assert_eq!(
                        top,
                        Some(format!("faq-{entry:04}").as_str()),
                        "message {i}: {:?}",
                        m.message.text
                    )
                }
            }
            1
        }
        Kind::Generic => {
            assert!(
                !top.is_some_and(|t| t.starts_with("target-")),
                "message {i}: a target rule fired"
            );
            0
        }
    }
}

fn known_count(g: &Generated) -> usize {
    g.messages
        .iter()
        .filter(|m| !matches!(m.kind, Kind::Generic))
        .count()
}

/// The bundled council rule set's test messages, padded into everyday messages, plus
/// gas-leak reports. Each comes with the rule that must be top and escalate, if any.
fn council_messages(set: &RuleSet) -> Vec<(Message, Option<String>)> {
    const OPENERS: &[&str] = &[
        "Hello,",
        "Good morning.",
        "Hi there,",
        "Dear Sir or Madam,",
        "Hi,",
        "",
    ];
    const CONTEXT: &[&str] = &[
        "I have lived at this address for about twelve years.",
        "I tried ringing earlier today but nobody answered.",
        "My husband said I should write to you directly.",
        "It happened again this morning at around eight.",
        "Sorry if this is the wrong place to ask.",
        "I would be grateful for a quick reply.",
        "We are at number 14, just past the corner shop.",
        "This is the second time I have had to write about this.",
    ];
    const SIGN_OFFS: &[&str] = &[
        "Kind regards, Pat",
        "Many thanks, Jo",
        "Best wishes",
        "Regards, A. Khan",
        "",
    ];
    const GAS: &[&str] = &[
        "I can smell gas in the kitchen and it is getting stronger.",
        "There is a really strong smell of gas on the landing outside flat 3.",
        "I think there is a gas leak by the meter cupboard at the back of the building.",
    ];
    let tests = set.tests();
    assert!(!tests.is_empty(), "the council rule set has tests");
    let mut rng = Rng(7);
    (0..MESSAGES)
        .map(|i| {
            let (mut message, core, expect) = if i % 20 == 0 {
                (
                    Message::new(""),
                    rng.pick(GAS).to_string(),
                    Some("gas-leak".to_string()),
                )
            } else {
                let t = &tests[i % tests.len()];
                let expect = match t.decision {
                    Some(Decision::Escalate) => t.expect.clone(),
                    _ => None,
                };
                (t.message.clone(), t.message.text.clone(), expect)
            };
            let mut text = String::from(*rng.pick(OPENERS));
            let mut push = |s: &str| {
                if !s.is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(s);
                }
            };
            push(&core);
            for _ in 0..rng.range(2, 5) {
                push(rng.pick::<&str>(CONTEXT));
            }
            push(rng.pick::<&str>(SIGN_OFFS));
            message.text = text;
            (message, expect)
        })
        .collect()
}

fn load_council() -> RuleSet {
    RuleSet::from_path(COUNCIL).unwrap_or_else(|e| panic!("{e}"))
}

fn load(origin: &str, toml: &str) -> RuleSet {
    RuleSet::from_toml(origin, toml).unwrap_or_else(|e| panic!("{e}"))
}

fn engine(set: &RuleSet) -> Engine {
    Engine::new(set).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_gas_escalates(engine: &Engine) {
    let out = engine.suggest(&Message::new("I can smell gas"));
    assert_eq!(out.decision, Decision::Escalate);
    assert_eq!(out.suggestions[0].id, "gas-leak");
}

/// The built engine answers a target message with the target rule.
fn assert_target_top(engine: &Engine, g: &Generated) {
    let m = g
        .messages
        .iter()
        .find(|m| matches!(m.kind, Kind::Target { .. }))
        .expect("a target message");
    let out = engine.suggest(&m.message);
    let Kind::Target { k, .. } = m.kind else {
        unreachable!()
    };
    assert_eq!(out.suggestions[0].id, g.targets[k].id);
}

fn bench_build(c: &mut Criterion, g: &Generated) {
    let rules_only = g.rules_toml.clone();
    let both = g.both_toml();
    let mut group = c.benchmark_group("build");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("council", |b| {
        b.iter(|| {
            let set = load_council();
            let engine = engine(&set);
            assert_gas_escalates(&engine);
            engine
        })
    });
    group.bench_function("rules10k", |b| {
        b.iter(|| {
            let set = load("rules.toml", black_box(&rules_only));
            let engine = engine(&set);
            assert_eq!(engine.rule_set().rules().len(), RULES);
            assert_target_top(&engine, g);
            engine
        })
    });
    group.bench_function("rules10k_faqs2k", |b| {
        b.iter(|| {
            let set = load("generated.toml", black_box(&both));
            let engine = engine(&set);
            assert_eq!(
                (
                    engine.rule_set().rules().len(),
                    engine.rule_set().faqs().len()
                ),
                (RULES, FAQS)
            );
            assert_target_top(&engine, g);
            engine
        })
    });
    group.bench_function("parse_only/rules10k_faqs2k", |b| {
        b.iter(|| {
            let set = load("generated.toml", black_box(&both));
            assert_eq!((set.rules().len(), set.faqs().len()), (RULES, FAQS));
            set
        })
    });
    let set = load("generated.toml", &both);
    group.bench_function("engine_new_only/rules10k_faqs2k", |b| {
        b.iter(|| {
            let engine = engine(black_box(&set));
            assert_target_top(&engine, g);
            engine
        })
    });
    group.finish();
}

/// Ten flat samples when one pass over the batch is slow, so that a slow version of the
/// library makes the run slow by seconds, not minutes; twenty otherwise.
fn size_for(group: &mut BenchmarkGroup<'_, WallTime>, pass: Duration) {
    if pass > Duration::from_millis(200) {
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
    } else {
        group.sampling_mode(SamplingMode::Auto).sample_size(20);
    }
}

fn bench_suggest(c: &mut Criterion, g: &Generated) {
    let mut group = c.benchmark_group("suggest");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));

    // (a) The bundled council rule set, everyday messages.
    let council = engine(&load_council());
    let council_batch = council_messages(council.rule_set());
    let escalations = council_batch.iter().filter(|(_, e)| e.is_some()).count();
    let avg = council_batch
        .iter()
        .map(|(m, _)| m.text.len())
        .sum::<usize>()
        / council_batch.len();
    eprintln!(
        "council: {} messages, {avg} bytes on average, {escalations} must escalate",
        council_batch.len()
    );
    group.throughput(Throughput::Elements(council_batch.len() as u64));
    group.bench_function("council", |b| {
        b.iter(|| {
            let mut escalated = 0;
            for (i, (m, expect)) in council_batch.iter().enumerate() {
                let out = council.suggest(black_box(m));
                if let Some(id) = expect {
                    assert_eq!(
                        out.decision,
                        Decision::Escalate,
                        "council message {i}: {:?}",
                        m.text
                    );
                    assert_eq!(
                        &out.suggestions[0].id, id,
                        "council message {i}: {:?}",
                        m.text
                    );
                    escalated += 1;
                }
            }
            assert_eq!(escalated, escalations);
            escalated
        })
    });

    // (b) and (c): the generated rule sets.
    let avg = g
        .messages
        .iter()
        .map(|m| m.message.text.len())
        .sum::<usize>()
        / g.messages.len();
    let known = known_count(g);
    eprintln!(
        "generated: {} messages, {avg} bytes on average, {known} with a known answer",
        g.messages.len()
    );
    group.throughput(Throughput::Elements(g.messages.len() as u64));
    for (name, loaded, toml) in [
        ("rules10k", Loaded::RulesOnly, g.rules_toml.clone()),
        (
            "rules10k_no_regex",
            Loaded::RulesOnly,
            g.rules_without_regexes(),
        ),
        ("rules10k_faqs2k", Loaded::RulesAndFaqs, g.both_toml()),
    ] {
        let engine = engine(&load(name, &toml));
        let start = Instant::now();
        let answered = g
            .messages
            .iter()
            .filter(|m| engine.suggest(&m.message).decision != Decision::NoAnswer)
            .count();
        let pass = start.elapsed();
        eprintln!(
            "{name}: {answered} of {} messages get an answer; one pass {pass:.2?}",
            g.messages.len()
        );
        size_for(&mut group, pass);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut checked = 0;
                for (i, m) in g.messages.iter().enumerate() {
                    let out = engine.suggest(black_box(&m.message));
                    checked += check(g, loaded, i, m, &out);
                }
                assert_eq!(checked, known);
                checked
            })
        });
    }

    // Baseline: bare Aho-Corasick over every rule phrase, with word-boundary checks.
    size_for(&mut group, Duration::ZERO);
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&g.phrases)
        .expect("the automaton builds");
    let ids: HashMap<&str, PatternID> = g
        .phrases
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), PatternID::must(i)))
        .collect();
    let batch: Vec<(&str, Option<PatternID>)> = g
        .messages
        .iter()
        .map(|m| {
            let want = match &m.kind {
                Kind::Target { phrase, .. } => Some(ids[phrase.as_str()]),
                _ => None,
            };
            (m.message.text.as_str(), want)
        })
        .collect();
    let targeted = batch.iter().filter(|(_, w)| w.is_some()).count();
    eprintln!(
        "baseline: {} phrases, automaton {} bytes",
        g.phrases.len(),
        ac.memory_usage()
    );
    group.bench_function("baseline_aho_corasick_rules10k", |b| {
        b.iter(|| {
            let (mut matches, mut found) = (0usize, 0usize);
            for (i, &(text, want)) in batch.iter().enumerate() {
                let bytes = black_box(text).as_bytes();
                let mut seen = false;
                for m in ac.find_overlapping_iter(bytes) {
                    let before = m.start().checked_sub(1).and_then(|s| bytes.get(s));
                    let after = bytes.get(m.end());
                    if before.is_some_and(u8::is_ascii_alphanumeric)
                        || after.is_some_and(u8::is_ascii_alphanumeric)
                    {
                        continue;
                    }
                    matches += 1;
                    seen |= Some(m.pattern()) == want;
                }
                assert!(
                    want.is_none() || seen,
                    "baseline missed the target phrase in message {i}"
                );
                found += usize::from(seen);
            }
            assert_eq!(found, targeted);
            matches
        })
    });
    group.finish();
}

fn bench_batch(c: &mut Criterion) {
    let council = engine(&load_council());
    let messages: Vec<Message> = council_messages(council.rule_set())
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let messages: Vec<Message> = messages
        .iter()
        .cycle()
        .take(20 * messages.len())
        .cloned()
        .collect();
    let expected: Vec<Outcome> = messages.iter().map(|m| council.suggest(m)).collect();
    assert_eq!(council.suggest_batch(&messages), expected);
    let mut group = c.benchmark_group("batch");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(messages.len() as u64));
    let answered = expected
        .iter()
        .filter(|o| o.decision != Decision::NoAnswer)
        .count();
    let count = |outcomes: &[Outcome]| {
        outcomes
            .iter()
            .filter(|o| o.decision != Decision::NoAnswer)
            .count()
    };
    group.bench_function("one_by_one", |b| {
        b.iter(|| {
            let outcomes: Vec<Outcome> = messages
                .iter()
                .map(|m| council.suggest(black_box(m)))
                .collect();
            assert_eq!(count(&outcomes), answered);
        })
    });
    group.bench_function("suggest_batch", |b| {
        b.iter(|| {
            let outcomes = council.suggest_batch(black_box(&messages));
            assert_eq!(count(&outcomes), answered);
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_batch(c);
    let g = Generated::new(0x5EED_2026);
    bench_build(c, &g);
    bench_suggest(c, &g);
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1))
}

criterion_group! {
    name = engine_benches;
    config = config();
    targets = benches
}
criterion_main!(engine_benches);
