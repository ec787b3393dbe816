//! The rule-matching workload of issue 14, generated (seeded SplitMix64, no `rand`): N
//! rules of 1–5 phrases of 1–3 words, and messages of 54–2,100 characters (tweets,
//! chats and e-mails of everyday words) into 30% of which one to three rule phrases are
//! put (in varied case, some wrapped in punctuation), and into 10% a near miss (a rule
//! word with letters glued on, which must not match). Every phrase holds at least one
//! made-up word that the background text never uses. Shared by `rules_scale` and
//! `suggest_cli` (a module of each; `#[path]` with `support/rng.rs` as `rng`).

/// `max_suggestions` of the generated rule set (the most allowed): a message with more
/// rules than this shows this many.
pub const MAX_SUGGESTIONS: usize = 20;

use super::rng::Rng;
use std::collections::HashSet;
use std::fmt::Write as _;

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
pub struct Workload {
    pub rules: Vec<Vec<String>>,
    pub messages: Vec<String>,
}

/// `n` rules and `messages` messages, seeded: the same workload at every call.
pub fn workload(n: usize, messages: usize) -> Workload {
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
    let messages = (0..messages).map(|_| message(&mut rng, &rules)).collect();
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
pub fn rules_toml(rules: &[Vec<String>]) -> String {
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
