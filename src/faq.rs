//! FAQ matching: which entry's example questions a message is closest to.
//!
//! Each example question (and each entry's answer text, at a discount) is a document of
//! stems, weighted by rarity (TF-IDF, sublinear term frequency) and normalised to unit
//! length. A message is read the same way; its score for an entry is the cosine
//! similarity to that entry's closest document: 1 when the message uses the same
//! topic words in the same proportions, 0 when it shares none. Stop words are ignored
//! unless a text has nothing else; message words the rule set never uses still count
//! towards the message's length, so a message that is mostly about something else scores
//! low. Synonyms are folded before weighting, and a likely typo of a known word counts
//! as that word.

use crate::config::Faq;
use crate::outcome::{Evidence, EvidenceKind};
use crate::text::{tokenize, Analyzer, FastMap, StemTok, UNKNOWN};

/// How much an answer text counts, compared with an example question.
const ANSWER_WEIGHT: f64 = 0.8;
/// How much a typo counts, compared with the word it stands for.
const TYPO_WEIGHT: f64 = 0.8;
/// How much a message word that the rule set never uses counts, compared with the
/// rarest word it does use.
const UNSEEN_WEIGHT: f64 = 0.5;
/// The document index of an entry's pooled questions.
const POOLED: u32 = u32::MAX - 1;

/// One scored FAQ entry.
#[derive(Clone, Debug)]
pub(crate) struct FaqScore {
    pub(crate) entry: usize,
    pub(crate) score: f64,
    /// The closest question, or `None` when the answer text was closest.
    pub(crate) question: Option<usize>,
    pub(crate) evidence: Vec<Evidence>,
}

#[derive(Clone, Debug)]
struct Doc {
    entry: u32,
    /// Index of the question, or `u32::MAX` for the answer.
    question: u32,
    /// (stem, weight), sorted by stem.
    terms: Vec<(u32, f32)>,
}

/// The FAQ index.
#[derive(Debug)]
pub(crate) struct FaqIndex {
    docs: Vec<Doc>,
    /// stem → (doc, weight)
    postings: FastMap<u32, Vec<(u32, f32)>>,
    idf: Vec<f32>,
    /// The idf of a word no document has.
    unseen_idf: f32,
    entries: usize,
}

/// The stems of a text that count: topic words, or all words when it has only stop words.
fn counted(stems: &[StemTok]) -> impl Iterator<Item = &StemTok> {
    let all_stop = stems.iter().all(|s| s.stop);
    stems.iter().filter(move |s| all_stop || !s.stop)
}

/// (stem, count) pairs, sorted by stem.
type TermCounts = Vec<(u32, f64)>;

fn term_counts(stems: &[StemTok]) -> TermCounts {
    let mut counts: Vec<(u32, f64)> = Vec::new();
    for s in counted(stems) {
        if s.id == UNKNOWN {
            continue;
        }
        let w = if s.typo { TYPO_WEIGHT } else { 1.0 };
        match counts.iter_mut().find(|c| c.0 == s.id) {
            Some(c) => c.1 += w,
            None => counts.push((s.id, w)),
        }
    }
    counts.sort_by_key(|c| c.0);
    counts
}

fn sublinear(tf: f64) -> f64 {
    if tf <= 0.0 {
        0.0
    } else {
        1.0 + tf.ln().max(0.0)
    }
}

impl FaqIndex {
    pub(crate) fn build(faqs: &[Faq], analyzer: &Analyzer) -> FaqIndex {
        // (entry, question or POOLED or u32::MAX for the answer, term counts)
        let mut raw: Vec<(u32, u32, TermCounts)> = Vec::new();
        for (e, faq) in faqs.iter().enumerate() {
            let mut pooled: Vec<(u32, f64)> = Vec::new();
            for (q, question) in faq.questions.iter().enumerate() {
                let stems = analyzer.stems(&tokenize(question));
                let counts = term_counts(&stems);
                for &(t, c) in &counts {
                    match pooled.iter_mut().find(|p| p.0 == t) {
                        Some(p) => p.1 += c,
                        None => pooled.push((t, c)),
                    }
                }
                raw.push((e as u32, q as u32, counts));
            }
            if faq.questions.len() > 1 {
                pooled.sort_by_key(|p| p.0);
                raw.push((e as u32, POOLED, pooled));
            }
            for answer in &faq.answer {
                let stems = analyzer.stems(&tokenize(answer.source()));
                raw.push((e as u32, u32::MAX, term_counts(&stems)));
            }
        }
        let mut df = vec![0u32; analyzer.stem_count()];
        // Pooled documents repeat their questions' words: they do not count for rarity.
        for (_, _, terms) in raw.iter().filter(|r| r.1 != POOLED) {
            for (t, _) in terms {
                if let Some(d) = df.get_mut(*t as usize) {
                    *d += 1;
                }
            }
        }
        let n = raw.iter().filter(|r| r.1 != POOLED).count() as f64;
        let idf_of = |df: u32| ((n + 1.0) / (f64::from(df) + 1.0)).ln() + 1.0;
        let idf: Vec<f32> = df.iter().map(|&d| idf_of(d) as f32).collect();
        let mut docs = Vec::with_capacity(raw.len());
        let mut postings: FastMap<u32, Vec<(u32, f32)>> = FastMap::default();
        for (d, (entry, question, terms)) in raw.into_iter().enumerate() {
            let weighted: Vec<(u32, f64)> = terms
                .iter()
                .map(|&(t, tf)| {
                    (
                        t,
                        sublinear(tf) * f64::from(idf.get(t as usize).copied().unwrap_or(1.0)),
                    )
                })
                .collect();
            let norm = weighted.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            let scale = if question == u32::MAX {
                ANSWER_WEIGHT
            } else {
                1.0
            };
            let terms: Vec<(u32, f32)> = if norm > 0.0 {
                weighted
                    .iter()
                    .map(|&(t, w)| (t, (w / norm * scale) as f32))
                    .collect()
            } else {
                Vec::new()
            };
            for &(t, w) in &terms {
                postings.entry(t).or_default().push((d as u32, w));
            }
            docs.push(Doc {
                entry,
                question,
                terms,
            });
        }
        FaqIndex {
            docs,
            postings,
            idf,
            unseen_idf: idf_of(0) as f32,
            entries: faqs.len(),
        }
    }

    /// The entries scoring above zero, best first, at most `limit`, each with the words
    /// that carried its score.
    pub(crate) fn score(
        &self,
        stems: &[StemTok],
        analyzer: &Analyzer,
        limit: usize,
    ) -> Vec<FaqScore> {
        if self.docs.is_empty() || limit == 0 {
            return Vec::new();
        }
        let counts = term_counts(stems);
        let unknown = counted(stems).filter(|s| s.id == UNKNOWN).count() as f64;
        let weighted: Vec<(u32, f64)> = counts
            .iter()
            .map(|&(t, tf)| {
                (
                    t,
                    sublinear(tf)
                        * f64::from(self.idf.get(t as usize).copied().unwrap_or(self.unseen_idf)),
                )
            })
            .collect();
        let unseen = f64::from(self.unseen_idf) * UNSEEN_WEIGHT;
        let norm =
            (weighted.iter().map(|(_, w)| w * w).sum::<f64>() + unknown * unseen * unseen).sqrt();
        if norm <= 0.0 {
            return Vec::new();
        }
        let mut doc_scores: FastMap<u32, f64> = FastMap::default();
        for &(t, w) in &weighted {
            if let Some(list) = self.postings.get(&t) {
                for &(d, dw) in list {
                    *doc_scores.entry(d).or_insert(0.0) += w / norm * f64::from(dw);
                }
            }
        }
        // Per entry: the best score of any document, and the closest question (which
        // explains the score); ties go to the earlier document.
        let mut best: FastMap<u32, (f64, u32)> = FastMap::default();
        let mut closest: FastMap<u32, (f64, u32)> = FastMap::default();
        for (d, s) in doc_scores {
            let Some(doc) = self.docs.get(d as usize) else {
                continue;
            };
            let slot = best.entry(doc.entry).or_insert((s, d));
            if s > slot.0 || (s == slot.0 && d < slot.1) {
                *slot = (s, d);
            }
            if doc.question < POOLED {
                let slot = closest.entry(doc.entry).or_insert((s, d));
                if s > slot.0 || (s == slot.0 && d < slot.1) {
                    *slot = (s, d);
                }
            }
        }
        let mut ranked: Vec<(u32, f64, u32)> = best
            .into_iter()
            .map(|(e, (s, d))| (e, s.min(1.0), d))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit.min(self.entries));
        ranked
            .into_iter()
            .filter_map(|(entry, score, d)| {
                let d = closest.get(&entry).map_or(d, |c| c.1);
                let doc = self.docs.get(d as usize)?;
                let evidence = counted(stems)
                    .filter(|s| {
                        s.id != UNKNOWN && doc.terms.binary_search_by_key(&s.id, |t| t.0).is_ok()
                    })
                    .map(|s| Evidence {
                        what: analyzer.stem_name(s.id).to_string(),
                        span: s.span,
                        kind: if s.typo {
                            EvidenceKind::Typo
                        } else {
                            EvidenceKind::Word
                        },
                    })
                    .collect();
                let question = (doc.question < POOLED).then_some(doc.question as usize);
                Some(FaqScore {
                    entry: entry as usize,
                    score,
                    question,
                    evidence,
                })
            })
            .collect()
    }
}
