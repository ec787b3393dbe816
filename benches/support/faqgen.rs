//! A generated FAQ for the benches: N entries of 3–5 example questions and an answer,
//! over a Zipf-like vocabulary, and held-out rephrasings to ask it, each labelled with
//! the entry it was made from (so top-1 can be counted). Seeded: the same N and seed
//! always give the same set.
//!
//! Words are made up (consonant–vowel syllables and a final consonant, with no `e`,
//! `s`, `y` or `l`, so that an English stemmer leaves them whole), except for a few
//! English function words that open questions ("how do i", "can you") and the
//! inflections `-s` and `-ing`, which people use freely: a stemmer folds them, a plain
//! word index does not.
//!
//! * Each entry has a topic of 5–8 distinct words drawn from the vocabulary by a
//!   Zipf law (exponent 1), so some topic words are shared by thousands of entries and
//!   most by a few.
//! * A question (or a rephrasing) is 2 function words and 2–4 of its entry's topic
//!   words, a fifth of them inflected, and half the time one background word drawn
//!   from the whole vocabulary by the same law.
//! * An answer names every topic word of its entry, among 4–8 background words.
#![allow(dead_code)]

use super::rng::Rng;

/// Consonants inside a word; vowels; final consonants.
const ONSETS: &[u8] = b"bdfgkmnptvz";
const VOWELS: &[u8] = b"aiou";
const FINALS: &[u8] = b"bkmnptxz";

/// The openings of questions.
const OPENINGS: &[&str] = &[
    "how do i",
    "can you",
    "where is my",
    "what is the",
    "why is my",
    "when will the",
    "i need a",
    "is there a",
    "help with my",
    "how can i",
];

/// One FAQ entry.
pub struct Entry {
    pub id: String,
    pub questions: Vec<String>,
    pub answer: String,
}

/// A held-out message and the index of the entry it was made from.
pub struct Query {
    pub text: String,
    pub entry: usize,
}

/// A generated FAQ and its held-out queries.
pub struct Faq {
    pub entries: Vec<Entry>,
    pub queries: Vec<Query>,
}

/// The made-up word of rank `i`: at least two syllables, then a final consonant.
pub fn word(i: usize) -> String {
    let syllables = ONSETS.len() * VOWELS.len();
    let mut out = String::new();
    let mut n = i;
    let mut count = 0;
    while count < 2 || n > 0 {
        let s = n % syllables;
        n /= syllables;
        out.push(ONSETS[s / VOWELS.len()] as char);
        out.push(VOWELS[s % VOWELS.len()] as char);
        count += 1;
    }
    out.push(FINALS[i.wrapping_mul(7) % FINALS.len()] as char);
    out
}

/// Draws ranks `0..n` with probability proportional to 1 / (rank + 1).
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// A word as people write it: a fifth of the time with `-s` or `-ing`.
fn inflected(rng: &mut Rng, w: &str) -> String {
    match rng.below(10) {
        0 => format!("{w}s"),
        1 => format!("{w}ing"),
        _ => w.to_string(),
    }
}

/// A question or rephrasing about a topic.
fn question(rng: &mut Rng, topic: &[usize], zipf: &Zipf) -> String {
    let mut text = rng.word(OPENINGS).to_string();
    let mut picked: Vec<usize> = topic.to_vec();
    let take = rng.range(2, 4).min(picked.len());
    for k in 0..take {
        let j = k + rng.below(picked.len() - k);
        picked.swap(k, j);
        text.push(' ');
        text.push_str(&inflected(rng, &word(picked[k])));
    }
    if rng.percent(50) {
        text.push(' ');
        text.push_str(&word(zipf.draw(rng)));
    }
    text.push('?');
    text
}

/// The vocabulary's size for `n` entries (it grows with the FAQ, as real ones do).
pub fn vocabulary(n: usize) -> usize {
    5_000 + 2 * n
}

/// `n` entries and `queries` held-out rephrasings of randomly chosen entries.
pub fn generate(n: usize, queries: usize, seed: u64) -> Faq {
    let mut rng = Rng(seed);
    let zipf = Zipf::new(vocabulary(n));
    let mut topics: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut entries = Vec::with_capacity(n);
    for e in 0..n {
        let size = rng.range(5, 8);
        let mut topic: Vec<usize> = Vec::with_capacity(size);
        while topic.len() < size {
            let w = zipf.draw(&mut rng);
            if !topic.contains(&w) {
                topic.push(w);
            }
        }
        let questions = (0..rng.range(3, 5))
            .map(|_| question(&mut rng, &topic, &zipf))
            .collect();
        let mut answer: Vec<String> = topic.iter().map(|&w| word(w)).collect();
        for _ in 0..rng.range(4, 8) {
            let at = rng.below(answer.len() + 1);
            answer.insert(at, word(zipf.draw(&mut rng)));
        }
        entries.push(Entry {
            id: format!("faq-{e}"),
            questions,
            answer: format!("{}.", answer.join(" ")),
        });
        topics.push(topic);
    }
    let queries = (0..queries)
        .map(|_| {
            let entry = rng.below(n);
            Query {
                text: question(&mut rng, &topics[entry], &zipf),
                entry,
            }
        })
        .collect();
    Faq { entries, queries }
}

/// The FAQ as a rule file: every suggestion kept (`suggest_threshold` near zero), so
/// top-1 counts ranking alone.
pub fn to_toml(faq: &Faq) -> String {
    use std::fmt::Write as _;
    let mut toml = String::from(
        "[settings]\nsuggest_threshold = 0.01\nauto_reply_threshold = 0.99\nmax_suggestions = 3\n",
    );
    for e in &faq.entries {
        let _ = write!(toml, "\n[[faq]]\nid = \"{}\"\nquestions = [", e.id);
        for (i, q) in e.questions.iter().enumerate() {
            let _ = write!(toml, "{}\"{q}\"", if i == 0 { "" } else { ", " });
        }
        let _ = writeln!(toml, "]\nanswer = \"{}\"", e.answer);
    }
    toml
}
