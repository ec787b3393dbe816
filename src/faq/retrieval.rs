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

use super::FaqScore;
use crate::config::Faq;
use crate::outcome::{Evidence, EvidenceKind};
use crate::text::{tokenize, Analyzer, FastMap, FastSet, StemTok, UNKNOWN};

/// How much an answer text counts, compared with an example question.
const ANSWER_WEIGHT: f64 = 0.8;
/// How much a typo counts, compared with the word it stands for.
const TYPO_WEIGHT: f64 = 0.8;
/// How much a message word that the rule set never uses counts, compared with the
/// rarest word it does use.
const UNSEEN_WEIGHT: f64 = 0.5;
/// The document index of an entry's pooled questions.
const POOLED: u32 = u32::MAX - 1;

#[derive(Clone, Debug)]
struct Doc {
    entry: u32,
    /// Index of the question, or `u32::MAX` for the answer.
    question: u32,
    /// (stem, weight), sorted by stem.
    terms: Vec<(u32, f32)>,
}

/// How much of a message an FAQ entry explains (see [`FaqIndex::explained`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Explained {
    /// The rarity-weighted share of the message's topic words the entry uses, 0 to 1.
    pub(crate) share: f64,
    /// Where the topic words the entry does not use are, in message order.
    pub(crate) unexplained: Vec<crate::Span>,
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
    /// entry → stem → the entry's questions using it (document, weight): finding an
    /// entry's closest question touches only the questions that share a word.
    entry_postings: Vec<FastMap<u32, Vec<(u32, f32)>>>,
    /// entry → (its first question's document, its number of questions): an entry's
    /// question documents are consecutive.
    entry_questions: Vec<(u32, u32)>,
    /// The stems of the example questions.
    question_stems: FastSet<u32>,
    /// The stems of the entries' answer texts (`context`) that no question uses.
    context_stems: FastSet<u32>,
    /// entry → the stems of its answer text (`context`).
    entry_context: Vec<FastSet<u32>>,
    /// entry → whether one of its questions has a negation ("my card has not arrived"):
    /// then a negated message word may still be what it is about.
    entry_negates: Vec<bool>,
}

/// The stems of a text that count: topic words, or all words when it has only stop words.
fn counted(stems: &[StemTok]) -> impl Iterator<Item = &StemTok> {
    let all_stop = stems.iter().all(|s| s.stop);
    stems.iter().filter(move |s| all_stop || !s.stop)
}

/// (stem, count) pairs, sorted by stem.
type TermCounts = Vec<(u32, f64)>;

fn term_counts(stems: &[StemTok]) -> TermCounts {
    let counts: Vec<(u32, f64)> = counted(stems)
        .filter(|s| s.id != UNKNOWN)
        .map(|s| (s.id, if s.typo { TYPO_WEIGHT } else { 1.0 }))
        .collect();
    merge_counts(counts)
}

/// Sums the counts of each term, in term order: a sort, not a search per term, which
/// was quadratic in the distinct words of an example (issue 13: 200,000 words, 18 s).
fn merge_counts(mut counts: Vec<(u32, f64)>) -> TermCounts {
    counts.sort_by_key(|c| c.0);
    let mut out: TermCounts = Vec::with_capacity(counts.len());
    for (t, c) in counts {
        match out.last_mut() {
            Some(last) if last.0 == t => last.1 += c,
            _ => out.push((t, c)),
        }
    }
    out
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
        let mut entry_negates = vec![false; faqs.len()];
        for (e, faq) in faqs.iter().enumerate() {
            let mut pooled: Vec<(u32, f64)> = Vec::new();
            for (q, question) in faq.questions.iter().enumerate() {
                let tokens = tokenize(question);
                if (0..tokens.len()).any(|i| analyzer.is_negation(tokens.word(i))) {
                    if let Some(n) = entry_negates.get_mut(e) {
                        *n = true;
                    }
                }
                let stems = analyzer.stems(&tokens);
                let counts = term_counts(&stems);
                pooled.extend_from_slice(&counts);
                raw.push((e as u32, q as u32, counts));
            }
            if faq.questions.len() > 1 {
                raw.push((e as u32, POOLED, merge_counts(pooled)));
            }
            // The answer text (`context`) counts like a reply, at a discount.
            let answers = faq.answer.replies.iter().map(|a| a.source());
            for answer in answers.chain(faq.context.as_deref()) {
                let stems = analyzer.stems(&tokenize(answer));
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
        let question_stems: FastSet<u32> = docs
            .iter()
            .filter(|d| d.question < POOLED)
            .flat_map(|d| d.terms.iter().map(|t| t.0))
            .collect();
        let entry_context: Vec<FastSet<u32>> = faqs
            .iter()
            .map(|faq| match faq.context.as_deref() {
                Some(c) => term_counts(&analyzer.stems(&tokenize(c)))
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect(),
                None => FastSet::default(),
            })
            .collect();
        let context_stems: FastSet<u32> = entry_context
            .iter()
            .flatten()
            .copied()
            .filter(|t| !question_stems.contains(t))
            .collect();
        let mut entry_postings: Vec<FastMap<u32, Vec<(u32, f32)>>> =
            vec![FastMap::default(); faqs.len()];
        let mut entry_questions: Vec<(u32, u32)> = vec![(0, 0); faqs.len()];
        for (d, doc) in docs
            .iter()
            .enumerate()
            .filter(|(_, doc)| doc.question < POOLED)
        {
            if let Some(range) = entry_questions.get_mut(doc.entry as usize) {
                if range.1 == 0 {
                    range.0 = d as u32;
                }
                range.1 += 1;
            }
            if let Some(map) = entry_postings.get_mut(doc.entry as usize) {
                for &(t, w) in &doc.terms {
                    map.entry(t).or_default().push((d as u32, w));
                }
            }
        }
        FaqIndex {
            docs,
            postings,
            question_stems,
            context_stems,
            entry_context,
            idf,
            unseen_idf: idf_of(0) as f32,
            entries: faqs.len(),
            entry_postings,
            entry_questions,
            entry_negates,
        }
    }

    /// The message's weighted, unit-length term vector (unseen words count towards its
    /// length only), or `None` when it has no words.
    fn message_vector(&self, stems: &[StemTok]) -> Option<Vec<(u32, f64)>> {
        let unknown = counted(stems).filter(|s| s.id == UNKNOWN).count() as f64;
        let weighted: Vec<(u32, f64)> = term_counts(stems)
            .iter()
            .map(|&(t, tf)| {
                let idf = self.idf.get(t as usize).copied().unwrap_or(self.unseen_idf);
                (t, sublinear(tf) * f64::from(idf))
            })
            .collect();
        let unseen = f64::from(self.unseen_idf) * UNSEEN_WEIGHT;
        let norm =
            (weighted.iter().map(|(_, w)| w * w).sum::<f64>() + unknown * unseen * unseen).sqrt();
        (norm > 0.0).then(|| weighted.into_iter().map(|(t, w)| (t, w / norm)).collect())
    }

    /// The entries scoring above zero, best first, at most `limit`.
    pub(crate) fn score(&self, stems: &[StemTok], limit: usize) -> Vec<FaqScore> {
        if self.docs.is_empty() || limit == 0 {
            return Vec::new();
        }
        let Some(message) = self.message_vector(stems) else {
            return Vec::new();
        };
        // A dense accumulator: cheaper than a hash map once a common word touches
        // thousands of documents.
        let mut doc_scores = vec![0f32; self.docs.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(t, w) in &message {
            if let Some(list) = self.postings.get(&t) {
                for &(d, dw) in list {
                    if let Some(slot) = doc_scores.get_mut(d as usize) {
                        if *slot == 0.0 {
                            touched.push(d);
                        }
                        *slot += (w * f64::from(dw)) as f32;
                    }
                }
            }
        }
        // Per entry, the best document; ties go to the earlier document.
        touched.sort_unstable();
        let mut best: Vec<(u32, f64)> = Vec::new(); // (entry, score), entries ascending
        for d in touched {
            let (Some(doc), Some(&score)) = (self.docs.get(d as usize), doc_scores.get(d as usize))
            else {
                continue;
            };
            let score = f64::from(score);
            match best.last_mut() {
                Some(last) if last.0 == doc.entry => last.1 = last.1.max(score),
                _ => best.push((doc.entry, score)),
            }
        }
        best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        best.truncate(limit.min(self.entries));
        best.into_iter()
            .map(|(entry, score)| FaqScore {
                entry: entry as usize,
                score: score.min(1.0),
            })
            .collect()
    }

    /// The number of FAQ entries.
    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    /// Whether the message shares a topic word (not a stop word) with any example
    /// question or answer text (`context`).
    pub(crate) fn shares_topic_word(&self, stems: &[StemTok]) -> bool {
        stems.iter().any(|s| {
            !s.stop
                && s.id != UNKNOWN
                && (self.question_stems.contains(&s.id) || self.context_stems.contains(&s.id))
        })
    }

    /// Which of `spans` (message words) are words of an entry's answer text (`context`)
    /// that none of its questions uses.
    pub(crate) fn only_in_context(
        &self,
        stems: &[StemTok],
        entry: usize,
        spans: &[crate::Span],
    ) -> Vec<bool> {
        let (Some(context), Some(questions)) = (
            self.entry_context.get(entry),
            self.entry_postings.get(entry),
        ) else {
            return vec![false; spans.len()];
        };
        spans
            .iter()
            .map(|span| {
                stems.iter().any(|s| {
                    s.span == *span && context.contains(&s.id) && !questions.contains_key(&s.id)
                })
            })
            .collect()
    }

    /// How much of the message an entry explains: the share of its topic words (each
    /// weighted by its squared rarity, as in the TF-IDF vectors, so the share is that of
    /// the message vector's squared length; a word the rule set never uses counts as the
    /// rarest) that the entry's example questions use, from 0 to 1, and
    /// the topic words the entry does not use. A word the message negates ("I don't
    /// need assistance") is not explained by an entry whose questions negate nothing;
    /// a negated word the entry does not use is left out ("..., not a refund"). `None` when the message has no topic
    /// word (only stop words). A message about something else, in some of the same
    /// words ("can I bring my dog on the train" against an entry about bikes), is
    /// explained only in part however its probabilities fall.
    pub(crate) fn explained(&self, stems: &[StemTok], entry: usize) -> Option<Explained> {
        let vocabulary = self.entry_postings.get(entry)?;
        let negates = self.entry_negates.get(entry).copied().unwrap_or(false);
        let (mut total, mut known) = (0.0f64, 0.0f64);
        let mut unexplained = Vec::new();
        for s in stems.iter().filter(|s| !s.stop) {
            let idf = match self.idf.get(s.id as usize) {
                Some(&idf) if s.id != UNKNOWN => f64::from(idf),
                _ => f64::from(self.unseen_idf),
            };
            // Squared, as in the message's TF-IDF vector: the share is that of the
            // vector's squared length that lies in the entry's words.
            let weight = idf * idf;
            let uses = s.id != UNKNOWN && vocabulary.contains_key(&s.id);
            if s.negated && !negates && !uses {
                // "..., not a refund": what the message is not about, and not the
                // entry's either, neither explains nor detracts.
                continue;
            }
            total += weight;
            if uses && (negates || !s.negated) {
                known += weight;
            } else {
                unexplained.push(s.span);
            }
        }
        (total > 0.0).then(|| Explained {
            share: known / total,
            unexplained,
        })
    }

    /// An entry's closest example question to the message, and the message words it
    /// shares with that question.
    pub(crate) fn closest(
        &self,
        stems: &[StemTok],
        analyzer: &Analyzer,
        entry: usize,
    ) -> (Option<usize>, Vec<Evidence>) {
        let Some(doc) = self.closest_doc(stems, entry) else {
            return (None, Vec::new());
        };
        let evidence = counted(stems)
            .filter(|s| s.id != UNKNOWN && doc.terms.binary_search_by_key(&s.id, |t| t.0).is_ok())
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
        (Some(doc.question as usize), evidence)
    }

    /// An entry's closest example question to the message (its index in the entry).
    pub(crate) fn closest_question(&self, stems: &[StemTok], entry: usize) -> Option<usize> {
        self.closest_doc(stems, entry)
            .map(|doc| doc.question as usize)
    }

    /// The entry's question with the highest cosine to the message, among those that
    /// share a word with it; ties go to the earlier question.
    fn closest_doc(&self, stems: &[StemTok], entry: usize) -> Option<&Doc> {
        let message = self.message_vector(stems)?;
        let map = self.entry_postings.get(entry)?;
        let &(first, count) = self.entry_questions.get(entry)?;
        // Cosines accumulate in a dense array over the entry's questions.
        let mut cosines = vec![0f64; count as usize];
        for &(t, w) in &message {
            for &(d, dw) in map.get(&t).map_or(&[][..], Vec::as_slice) {
                if let Some(c) = cosines.get_mut(d.wrapping_sub(first) as usize) {
                    *c += w * f64::from(dw);
                }
            }
        }
        let mut best: Option<(usize, f64)> = None;
        for (q, &c) in cosines.iter().enumerate() {
            // Weights are positive: a question sharing no word has a zero cosine.
            if c > 0.0 && best.is_none_or(|(_, b)| c > b) {
                best = Some((q, c));
            }
        }
        self.docs.get(first as usize + best?.0)
    }
}
