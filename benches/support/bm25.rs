//! The peer replykit's FAQ retrieval is measured against: a plain BM25 index (Okapi,
//! k1 = 1.2, b = 0.75), one document per FAQ entry (its questions and its answer), as
//! a search library would hold it.
//!
//! Words are ASCII-lower-cased runs of letters and digits, stemmed with the Snowball
//! English stemmer (the one replykit uses), with no stop-word list: BM25's rarity weight
//! does that work. Each posting keeps its precomputed BM25 weight; a query adds them up
//! in a dense accumulator reused from one query to the next, then selects its top k.
//! A word seen once is never stemmed again (a cache of surface forms).
#![allow(dead_code)]

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A BM25 index over documents numbered from 0.
pub struct Bm25 {
    /// Surface word → term.
    words: HashMap<String, u32>,
    /// Stem → term.
    stems: HashMap<String, u32>,
    /// term → (document, BM25 weight).
    postings: Vec<Vec<(u32, f32)>>,
    docs: usize,
    stemmer: Stemmer,
}

/// What a query reuses: the accumulator and the documents it touched.
pub struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
    terms: Vec<u32>,
}

/// Calls `f` on each lower-cased word of `text`.
fn words(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            f(&word);
            word.clear();
        }
    }
    if !word.is_empty() {
        f(&word);
    }
}

impl Bm25 {
    /// Indexes `docs`, each given as its texts (questions and answer).
    pub fn build<S: AsRef<str>>(docs: &[Vec<S>]) -> Bm25 {
        let mut index = Bm25 {
            words: HashMap::new(),
            stems: HashMap::new(),
            postings: Vec::new(),
            docs: docs.len(),
            stemmer: Stemmer::create(Algorithm::English),
        };
        // (document, term, count), and each document's length.
        let mut counts: Vec<HashMap<u32, u32>> = Vec::with_capacity(docs.len());
        let mut lengths: Vec<u32> = Vec::with_capacity(docs.len());
        for texts in docs {
            let mut tf: HashMap<u32, u32> = HashMap::new();
            let mut length = 0u32;
            for text in texts {
                words(text.as_ref(), |w| {
                    let t = index.intern(w);
                    *tf.entry(t).or_default() += 1;
                    length += 1;
                });
            }
            counts.push(tf);
            lengths.push(length);
        }
        let average = lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / docs.len().max(1) as f64;
        let mut df = vec![0u32; index.stems.len()];
        for tf in &counts {
            for &t in tf.keys() {
                df[t as usize] += 1;
            }
        }
        let n = docs.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln())
            .collect();
        index.postings = vec![Vec::new(); index.stems.len()];
        for (d, (tf, &length)) in counts.iter().zip(&lengths).enumerate() {
            let norm = K1 * (1.0 - B + B * length as f32 / average as f32);
            let mut terms: Vec<(&u32, &u32)> = tf.iter().collect();
            terms.sort_unstable();
            for (&t, &c) in terms {
                let c = c as f32;
                let w = idf[t as usize] * c * (K1 + 1.0) / (c + norm);
                index.postings[t as usize].push((d as u32, w));
            }
        }
        index
    }

    /// The term of a word, made at build time.
    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&t) = self.words.get(word) {
            return t;
        }
        let stem = self.stemmer.stem(word).into_owned();
        let next = self.stems.len() as u32;
        let t = *self.stems.entry(stem).or_insert(next);
        self.words.insert(word.to_string(), t);
        t
    }

    /// The term of a query word, if any document has it.
    fn term(&self, word: &str) -> Option<u32> {
        match self.words.get(word) {
            Some(&t) => Some(t),
            None => self.stems.get(self.stemmer.stem(word).as_ref()).copied(),
        }
    }

    /// An empty scratch for this index.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            scores: vec![0.0; self.docs],
            touched: Vec::new(),
            terms: Vec::new(),
        }
    }

    /// The `k` best documents for `query` (score, then lower document first).
    pub fn search(&self, query: &str, k: usize, scratch: &mut Scratch) -> Vec<(u32, f32)> {
        scratch.terms.clear();
        words(query, |w| {
            if let Some(t) = self.term(w) {
                scratch.terms.push(t);
            }
        });
        for &t in &scratch.terms {
            for &(d, w) in &self.postings[t as usize] {
                let slot = &mut scratch.scores[d as usize];
                if *slot == 0.0 {
                    scratch.touched.push(d);
                }
                *slot += w;
            }
        }
        let mut hits: Vec<(u32, f32)> = scratch
            .touched
            .drain(..)
            .map(|d| {
                let s = std::mem::take(&mut scratch.scores[d as usize]);
                (d, s)
            })
            .collect();
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if hits.len() > k && k > 0 {
            hits.select_nth_unstable_by(k - 1, order);
            hits.truncate(k);
        }
        hits.sort_unstable_by(order);
        hits
    }
}
