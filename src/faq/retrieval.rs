//! FAQ matching without a classifier: which entries' words a message uses.
//!
//! **Ranking** (BM25): each entry is one document of two fields, its example questions
//! and, at a discount ([`ANSWER_FIELD`]), its answer texts and `context`. A message word
//! adds its rarity among the entries, saturating with how often the entry uses it and
//! discounted for an entry with many words. An entry's score is that sum as a share of
//! the most the message's words could add to any entry (each used without limit);
//! message words the rule set never uses count in that most (at [`UNSEEN_WEIGHT`]), so
//! a message that is mostly about something else scores low. Where the cosine of the
//! entry's closest question (below) is higher, the score is that cosine, so a message
//! that is one of an entry's questions scores 1; each score is kept below the one ranked
//! above it, so the order is BM25's. On a development split of CLINC150's training
//! messages (the last fifth of each label's, retrieval forced, default thresholds) this
//! auto-replied 40.2 % of messages, 97.0 % of them right, top-1 82.3 %; a share of what
//! the words would add to an entry of average length (or of the best entry's sum) gave
//! 63.3 % at 92.9 %, the same top-1. Terms are added rarest first; once the words left
//! cannot lift an entry no word has touched into the top `limit`, only the entries
//! already touched are finished (MaxScore), so a common word does not cost a pass over
//! thousands of entries. The accumulator is kept per thread and reused.
//!
//! **Explaining** (TF-IDF): each example question is a vector of stems, weighted by
//! rarity with sublinear term frequency and normalised to unit length; an entry's
//! closest question to a message is the one with the highest cosine similarity.
//!
//! Stop words are ignored unless a text has nothing else. Synonyms are folded before
//! weighting, and a likely typo of a known word counts as that word, at a discount.

use std::cell::RefCell;

use super::FaqScore;
use crate::config::Faq;
use crate::outcome::{Evidence, EvidenceKind};
use crate::text::{tokenize, Analyzer, StemId, StemTok};

/// How much a typo counts, compared with the word it stands for.
const TYPO_WEIGHT: f64 = 0.8;
/// How much a message word that the rule set never uses counts, compared with the
/// rarest word it does use.
const UNSEEN_WEIGHT: f64 = 0.5;
/// BM25's term-frequency saturation: low, so an entry's score rests on which message
/// words it uses more than on how often (chosen on generated FAQs, with a seed other
/// than the bench's: top-1 0.866 with 0.5 against 0.855 with BM25's usual 1.2 at
/// 1,000 entries, 0.821 against 0.798 at 10,000).
const K1: f64 = 0.5;
/// BM25's length normalisation (0: none, 1: full).
const B: f64 = 0.75;
/// How much a word of an entry's answer texts counts in ranking, against the same word
/// in one of its example questions.
const ANSWER_FIELD: f64 = 0.5;
/// The relative slack of MaxScore's comparisons, far above f32 rounding: pruning never
/// drops an entry that a full pass would rank in the top `limit`.
const PRUNE_SLACK: f32 = 1e-4;

/// How much of a message an FAQ entry explains (see [`FaqIndex::explained`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Explained {
    /// The rarity-weighted share of the message's topic words the entry uses, 0 to 1.
    pub(crate) share: f64,
    /// Where the topic words the entry does not use are, in message order.
    pub(crate) unexplained: Vec<crate::Span>,
}

/// Lists of items in one buffer: list `i` is `items[ends[i - 1]..ends[i]]`.
#[derive(Debug)]
struct Lists<T> {
    ends: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            ends: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Lists<T> {
    /// Room for `lists` lists of `items` items in all.
    fn with_capacity(lists: usize, items: usize) -> Self {
        Lists {
            ends: Vec::with_capacity(lists),
            items: Vec::with_capacity(items),
        }
    }

    /// Gives back the room that growing left unused.
    fn shrink_to_fit(&mut self) {
        self.ends.shrink_to_fit();
        self.items.shrink_to_fit();
    }

    /// Appends the next list.
    fn push(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.ends.push(self.items.len() as u32);
    }

    fn of(&self, list: usize) -> Option<&[T]> {
        let end = *self.ends.get(list)? as usize;
        let start = match list.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.items.get(start..end)
    }

    /// The lists, in order.
    fn iter(&self) -> impl Iterator<Item = &[T]> {
        (0..self.ends.len()).map(|i| self.of(i).unwrap_or(&[]))
    }
}

impl Lists<u32> {
    /// Whether sorted list `list` holds `stem`.
    fn has(&self, list: usize, stem: u32) -> bool {
        self.of(list)
            .is_some_and(|stems| stems.binary_search(&stem).is_ok())
    }
}

/// The entries using each stem, with the stem's BM25 weight in each, in one buffer.
#[derive(Debug, Default)]
struct Postings {
    /// Stem `t`'s postings are `entries[starts[t]..starts[t + 1]]` (and `impacts` alike),
    /// entries ascending.
    starts: Vec<u32>,
    entries: Vec<u32>,
    impacts: Vec<f32>,
    /// Stem → its highest impact.
    max_impact: Vec<f32>,
}

impl Postings {
    fn of(&self, stem: u32) -> (&[u32], &[f32]) {
        let t = stem as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(t), self.starts.get(t + 1)) else {
            return (&[], &[]);
        };
        let range = start as usize..end as usize;
        (
            self.entries.get(range.clone()).unwrap_or(&[]),
            self.impacts.get(range).unwrap_or(&[]),
        )
    }
}

/// A term of an entry's example question (its stem is where it is listed, see
/// [`FaqIndex::entry_terms`]).
#[derive(Clone, Copy, Debug)]
struct QuestionTerm {
    /// The question's index in its entry.
    question: u32,
    /// The stem's weight in the question's unit-length TF-IDF vector.
    weight: f32,
}

/// The FAQ index.
#[derive(Debug)]
pub(crate) struct FaqIndex {
    /// entry → the terms of its example questions, by stem (in the order of
    /// `entry_vocabulary`), then question: a message finds its words' questions with
    /// a search per word, not a pass over every question of the entry.
    entry_terms: Lists<QuestionTerm>,
    /// entry → where each stem of its `entry_vocabulary` starts in its `entry_terms`.
    entry_term_starts: Lists<u32>,
    /// stem → the entries using it, for ranking.
    postings: Postings,
    /// stem → its rarity among the questions and answer texts, each a document.
    idf: Vec<f32>,
    /// The idf of a word no document has.
    unseen_idf: f32,
    /// stem → its rarity among the entries (each one document), for ranking.
    rank_idf: Vec<f32>,
    /// The ranking idf of a word no entry has.
    rank_unseen_idf: f32,
    entries: usize,
    /// entry → its number of example questions.
    entry_questions: Vec<u32>,
    /// entry → the stems of its example questions.
    entry_vocabulary: Lists<u32>,
    /// stem → whether an example question uses it.
    question_stems: Vec<bool>,
    /// stem → whether an entry's answer text (`context`) uses it and no question does.
    context_stems: Vec<bool>,
    /// entry → the stems of its answer text (`context`).
    entry_context: Lists<u32>,
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

/// A stem's count in one of the rule set's own texts, as the index keeps it while it is
/// built (a 50,000-entry FAQ has 800,000 of them, for its questions alone). Every word
/// of the rule set is in its vocabulary, so none is read as a typo: a count is a whole
/// number, or a half for an answer word (see [`ANSWER_FIELD`]), which `f32` holds
/// exactly, in half the room of `f64`.
#[derive(Clone, Copy, Debug)]
struct Count {
    stem: u32,
    count: f32,
}

/// Term counts of the rule set's own texts, as the index keeps them (see [`Count`]).
fn kept(counts: TermCounts) -> impl Iterator<Item = Count> {
    counts.into_iter().map(|(stem, count)| {
        debug_assert_eq!(f64::from(count as f32), count, "a count f32 cannot hold");
        Count {
            stem,
            count: count as f32,
        }
    })
}

fn term_counts(stems: &[StemTok]) -> TermCounts {
    let counts: Vec<(u32, f64)> = counted(stems)
        .filter(|s| s.id != StemId::UNKNOWN)
        .map(|s| (s.id.number(), if s.typo { TYPO_WEIGHT } else { 1.0 }))
        .collect();
    merge_counts(counts)
}

/// Sums the counts of each term, in term order: a sort, not a search per term, which
/// was quadratic in the distinct words of an example (issue 13: 200,000 words, 18 s).
fn merge_counts(mut counts: Vec<(u32, f64)>) -> TermCounts {
    counts.sort_by_key(|c| c.0);
    // In place: each count added to the first of its term's, in order.
    counts.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
        }
        same
    });
    counts
}

fn sublinear(tf: f64) -> f64 {
    if tf <= 0.0 {
        0.0
    } else {
        1.0 + tf.ln().max(0.0)
    }
}

/// The inverse document frequency among `n` documents, smoothed: a stem in `df` of them
/// weighs `ln((n + 1) / (df + 1)) + 1`, at least 1.
fn idf_formula(n: usize) -> impl Fn(u32) -> f64 {
    let n = n as f64;
    move |df| ((n + 1.0) / (f64::from(df) + 1.0)).ln() + 1.0
}

/// A set of stems as a flag per stem id.
fn flags(stems: impl IntoIterator<Item = u32>, count: usize) -> Vec<bool> {
    let mut out = vec![false; count];
    for t in stems {
        if let Some(f) = out.get_mut(t as usize) {
            *f = true;
        }
    }
    out
}

/// An entry's terms for ranking: its questions' and, at [`ANSWER_FIELD`], its answer
/// texts' term counts (BM25F term frequencies), sorted by stem.
fn fields(questions: TermCounts, answers: TermCounts) -> TermCounts {
    let weighted = questions
        .into_iter()
        .chain(answers.into_iter().map(|(t, c)| (t, c * ANSWER_FIELD)));
    merge_counts(weighted.collect())
}

/// The postings of every stem, from each entry's term counts and its length.
fn postings(entries: &Lists<Count>, lengths: &[f64], idf: &[f32]) -> Postings {
    let stems = idf.len();
    let average = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
    let average = if average > 0.0 { average } else { 1.0 };
    let mut starts = vec![0u32; stems + 1];
    for c in &entries.items {
        if let Some(s) = starts.get_mut(c.stem as usize + 1) {
            *s += 1;
        }
    }
    for t in 0..stems {
        let before = starts.get(t).copied().unwrap_or(0);
        if let Some(s) = starts.get_mut(t + 1) {
            *s += before;
        }
    }
    let total = starts.last().copied().unwrap_or(0) as usize;
    let (mut ids, mut impacts) = (vec![0u32; total], vec![0f32; total]);
    let mut max_impact = vec![0f32; stems];
    let mut next = starts.clone();
    for (e, (terms, length)) in entries.iter().zip(lengths).enumerate() {
        let norm = K1 * (1.0 - B + B * length / average);
        for &Count { stem, count } in terms {
            let (t, tf) = (stem as usize, f64::from(count));
            let (Some(slot), Some(&idf)) = (next.get_mut(t), idf.get(t)) else {
                continue;
            };
            let impact = (f64::from(idf) * tf * (K1 + 1.0) / (tf + norm)) as f32;
            let at = *slot as usize;
            *slot += 1;
            if let (Some(i), Some(w)) = (ids.get_mut(at), impacts.get_mut(at)) {
                *i = e as u32;
                *w = impact;
            }
            if let Some(m) = max_impact.get_mut(t) {
                *m = m.max(impact);
            }
        }
    }
    Postings {
        starts,
        entries: ids,
        impacts,
        max_impact,
    }
}

/// What ranking reads, from each entry's term counts (which it drops before it
/// returns): the postings, each stem's rarity among the entries, and that of a word no
/// entry has.
fn ranking(ranked: Lists<Count>, stem_count: usize) -> (Postings, Vec<f32>, f32) {
    let mut entry_df = vec![0u32; stem_count];
    for c in &ranked.items {
        if let Some(d) = entry_df.get_mut(c.stem as usize) {
            *d += 1;
        }
    }
    let lengths: Vec<f64> = ranked
        .iter()
        .map(|terms| terms.iter().map(|c| f64::from(c.count)).sum())
        .collect();
    let rank_idf_of = idf_formula(ranked.ends.len());
    let rank_idf: Vec<f32> = entry_df.iter().map(|&d| rank_idf_of(d) as f32).collect();
    (
        postings(&ranked, &lengths, &rank_idf),
        rank_idf,
        rank_idf_of(0) as f32,
    )
}

/// A message word in ranking: its stem, weight and the most it can add to an entry.
#[derive(Clone, Copy, Debug)]
struct QueryTerm {
    stem: u32,
    weight: f32,
    most: f32,
}

/// What ranking reuses from one message to the next on a thread: the accumulator
/// (zero everywhere between messages) and the entries a message touched.
#[derive(Debug, Default)]
struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl FaqIndex {
    pub(crate) fn build(faqs: &[Faq], analyzer: &Analyzer) -> FaqIndex {
        let stem_count = analyzer.stem_count();
        // Document frequencies over the questions and answer texts, each a document.
        let mut df = vec![0u32; stem_count];
        let mut documents = 0usize;
        let mut count = |terms: &TermCounts| {
            documents += 1;
            for (t, _) in terms {
                if let Some(d) = df.get_mut(*t as usize) {
                    *d += 1;
                }
            }
        };
        // Each question's term counts, and each entry's for ranking.
        let mut questions: Lists<Count> = Lists::default();
        let mut ranked: Lists<Count> = Lists::default();
        // How many distinct stems the entries' questions have, each entry's counted apart.
        let mut vocabulary = 0usize;
        let mut entry_negates = vec![false; faqs.len()];
        let mut entry_questions: Vec<(u32, u32)> = Vec::with_capacity(faqs.len());
        for (e, faq) in faqs.iter().enumerate() {
            let mut pooled: Vec<(u32, f64)> = Vec::new();
            let first = questions.ends.len() as u32;
            for question in &faq.questions {
                let tokens = tokenize(question);
                if (0..tokens.len()).any(|i| analyzer.is_negation(tokens.word(i))) {
                    if let Some(n) = entry_negates.get_mut(e) {
                        *n = true;
                    }
                }
                let counts = term_counts(&analyzer.stems(&tokens));
                count(&counts);
                pooled.extend_from_slice(&counts);
                questions.push(kept(counts));
            }
            entry_questions.push((
                if faq.questions.is_empty() { 0 } else { first },
                faq.questions.len() as u32,
            ));
            let mut answers: Vec<(u32, f64)> = Vec::new();
            let texts = faq.answer.replies.iter().map(|a| a.source());
            for text in texts.chain(faq.context.as_deref()) {
                let counts = term_counts(&analyzer.stems(&tokenize(text)));
                count(&counts);
                answers.extend_from_slice(&counts);
            }
            let pooled = merge_counts(pooled);
            vocabulary += pooled.len();
            ranked.push(kept(fields(pooled, merge_counts(answers))));
        }
        // The lists below are the index's and sized to fit, as are these while they last:
        // growth by doubling would leave up to half of each unused.
        questions.shrink_to_fit();
        ranked.shrink_to_fit();
        // Ranking's part first: its entries' term counts are not kept past it.
        let (postings, rank_idf, rank_unseen_idf) = ranking(ranked, stem_count);
        let idf_of = idf_formula(documents);
        let idf: Vec<f32> = df.iter().map(|&d| idf_of(d) as f32).collect();
        // One term for each stem of each question.
        let mut entry_terms: Lists<QuestionTerm> =
            Lists::with_capacity(faqs.len(), questions.items.len());
        let mut entry_term_starts: Lists<u32> = Lists::with_capacity(faqs.len(), vocabulary);
        let mut entry_vocabulary: Lists<u32> = Lists::with_capacity(faqs.len(), vocabulary);
        for &(first, count) in &entry_questions {
            // (stem, term)
            let mut terms: Vec<(u32, QuestionTerm)> = (0..count)
                .flat_map(|q| {
                    let counts = questions.of((first + q) as usize).unwrap_or_default();
                    unit_vector(counts, &idf)
                        .into_iter()
                        .map(move |(stem, weight)| {
                            (
                                stem,
                                QuestionTerm {
                                    question: q,
                                    weight,
                                },
                            )
                        })
                })
                .collect();
            terms.sort_unstable_by_key(|(stem, t)| (*stem, t.question));
            let (mut stems, mut starts) = (Vec::new(), Vec::new());
            for (i, (stem, _)) in terms.iter().enumerate() {
                if stems.last() != Some(stem) {
                    stems.push(*stem);
                    starts.push(i as u32);
                }
            }
            entry_terms.push(terms.into_iter().map(|(_, t)| t));
            entry_term_starts.push(starts);
            entry_vocabulary.push(stems);
        }
        drop(questions);
        let entry_questions: Vec<u32> = entry_questions.iter().map(|&(_, n)| n).collect();
        let question_stems = flags(entry_vocabulary.items.iter().copied(), stem_count);
        let mut entry_context: Lists<u32> = Lists::default();
        for faq in faqs {
            match faq.context.as_deref() {
                Some(c) => entry_context.push(
                    term_counts(&analyzer.stems(&tokenize(c)))
                        .into_iter()
                        .map(|(t, _)| t),
                ),
                None => entry_context.push([]),
            }
        }
        let context_stems = flags(
            entry_context
                .items
                .iter()
                .copied()
                .filter(|&t| !question_stems.get(t as usize).copied().unwrap_or(false)),
            stem_count,
        );
        FaqIndex {
            postings,
            rank_idf,
            rank_unseen_idf,
            entry_terms,
            entry_term_starts,
            question_stems,
            context_stems,
            entry_context,
            idf,
            unseen_idf: idf_of(0) as f32,
            entries: faqs.len(),
            entry_questions,
            entry_vocabulary,
            entry_negates,
        }
    }

    /// The message's weighted, unit-length term vector (unseen words count towards its
    /// length only), or `None` when it has no words.
    pub(crate) fn message_vector(&self, stems: &[StemTok]) -> Option<Vec<(u32, f64)>> {
        let unknown = counted(stems).filter(|s| s.id == StemId::UNKNOWN).count() as f64;
        // The counts made into weights, then unit length, in place.
        let mut weighted = term_counts(stems);
        for (t, w) in weighted.iter_mut() {
            let idf = self
                .idf
                .get(*t as usize)
                .copied()
                .unwrap_or(self.unseen_idf);
            *w = sublinear(*w) * f64::from(idf);
        }
        let unseen = f64::from(self.unseen_idf) * UNSEEN_WEIGHT;
        let norm =
            (weighted.iter().map(|(_, w)| w * w).sum::<f64>() + unknown * unseen * unseen).sqrt();
        (norm > 0.0).then(|| {
            weighted.iter_mut().for_each(|(_, w)| *w /= norm);
            weighted
        })
    }

    /// The entries scoring above zero, best first (ties to the earlier entry), at most
    /// `limit`.
    pub(crate) fn score(&self, stems: &[StemTok], limit: usize) -> Vec<FaqScore> {
        if self.entries == 0 || limit == 0 {
            return Vec::new();
        }
        // The message's words, and what each adds to an entry of average length that
        // uses it once (the most it can add is K1 + 1 times that).
        let unknown = counted(stems).filter(|s| s.id == StemId::UNKNOWN).count() as f64;
        let mut reference = unknown * f64::from(self.rank_unseen_idf) * UNSEEN_WEIGHT;
        let mut terms: Vec<QueryTerm> = Vec::new();
        for (t, tf) in term_counts(stems) {
            let idf = (self.rank_idf.get(t as usize).copied()).unwrap_or(self.rank_unseen_idf);
            let weight = sublinear(tf);
            reference += weight * f64::from(idf);
            let most = self
                .postings
                .max_impact
                .get(t as usize)
                .copied()
                .unwrap_or(0.0);
            if most > 0.0 {
                let weight = weight as f32;
                terms.push(QueryTerm {
                    stem: t,
                    weight,
                    most: weight * most,
                });
            }
        }
        if reference <= 0.0 || terms.is_empty() {
            return Vec::new();
        }
        // The most telling words first.
        terms.sort_by(|a, b| b.most.total_cmp(&a.most).then(a.stem.cmp(&b.stem)));
        let ranked = SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.rank(&terms, limit, &mut scratch),
            Err(_) => self.rank(&terms, limit, &mut Scratch::default()),
        });
        // A share of the most the words could add (each used without limit), or the
        // cosine of the entry's closest question if higher (a message that is one of
        // an entry's questions scores 1), kept below the score of the entry ranked
        // above it: the order is BM25's.
        let scale = reference * (K1 + 1.0);
        let message = self.message_vector(stems);
        let mut above = f64::INFINITY;
        ranked
            .into_iter()
            .map(|(entry, s)| {
                let cosine = message
                    .as_deref()
                    .and_then(|m| self.best_question(m, entry as usize))
                    .map_or(0.0, |(_, c)| c);
                let score = (f64::from(s) / scale).max(cosine).min(1.0).min(above);
                above = score.next_down();
                FaqScore {
                    entry: entry as usize,
                    score,
                }
            })
            .collect()
    }

    /// The `limit` best entries for `terms` (most telling first), best first, with
    /// their BM25 scores. Leaves `scratch.scores` zero.
    fn rank(&self, terms: &[QueryTerm], limit: usize, scratch: &mut Scratch) -> Vec<(u32, f32)> {
        if scratch.scores.len() < self.entries {
            scratch.scores.resize(self.entries, 0.0);
        }
        let Scratch { scores, touched } = scratch;
        touched.clear();
        // rest[i]: the most the words from i on can add to any entry.
        let mut rest = vec![0f32; terms.len() + 1];
        for i in (0..terms.len()).rev() {
            let (Some(&after), Some(term)) = (rest.get(i + 1), terms.get(i)) else {
                continue;
            };
            if let Some(r) = rest.get_mut(i) {
                *r = after + term.most;
            }
        }
        // The k-th best score is looked at again only once the words left can add
        // half as much as when it was last looked at.
        let mut check_below = f32::INFINITY;
        // The score an entry must reach to be in the top `limit`, once known.
        let mut threshold: Option<f32> = None;
        for (i, term) in terms.iter().enumerate() {
            let left = rest.get(i).copied().unwrap_or(0.0);
            // Once the words left could not lift an untouched entry into the top
            // `limit`, only the touched entries that could still get there are finished.
            if threshold.is_none() && touched.len() >= limit && left <= check_below {
                check_below = left / 2.0;
                let kth = kth_best(touched, scores, limit) * (1.0 - PRUNE_SLACK);
                if left < kth {
                    threshold = Some(kth);
                }
            }
            let (entries, impacts) = self.postings.of(term.stem);
            let Some(threshold) = threshold else {
                for (&e, &impact) in entries.iter().zip(impacts) {
                    if let Some(slot) = scores.get_mut(e as usize) {
                        if *slot == 0.0 {
                            touched.push(e);
                        }
                        *slot += term.weight * impact;
                    }
                }
                continue;
            };
            // Entries that can no longer reach the top leave the running.
            touched.retain(|&e| {
                let slot = scores.get_mut(e as usize);
                match slot {
                    Some(slot) if *slot + left >= threshold => true,
                    Some(slot) => {
                        *slot = 0.0;
                        false
                    }
                    None => false,
                }
            });
            // The word, for the entries still running: looked up for each when they
            // are few, else one pass over its postings.
            let depth = (usize::BITS - entries.len().leading_zeros()) as usize;
            if touched.len().saturating_mul(depth) < entries.len() {
                for &e in touched.iter() {
                    if let (Ok(at), Some(slot)) =
                        (entries.binary_search(&e), scores.get_mut(e as usize))
                    {
                        *slot += term.weight * impacts.get(at).copied().unwrap_or(0.0);
                    }
                }
            } else {
                for (&e, &impact) in entries.iter().zip(impacts) {
                    if let Some(slot) = scores.get_mut(e as usize) {
                        if *slot != 0.0 {
                            *slot += term.weight * impact;
                        }
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, f32)> = touched
            .iter()
            .map(|&e| {
                let slot = scores.get_mut(e as usize);
                (e, slot.map(std::mem::take).unwrap_or(0.0))
            })
            .collect();
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit - 1, order);
            ranked.truncate(limit);
        }
        ranked.sort_by(order);
        ranked
    }

    /// The number of FAQ entries.
    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    /// Whether the message shares a topic word (not a stop word) with any example
    /// question or answer text (`context`).
    pub(crate) fn shares_topic_word(&self, stems: &[StemTok]) -> bool {
        let has = |flags: &[bool], t: u32| flags.get(t as usize).copied().unwrap_or(false);
        stems.iter().any(|s| {
            !s.stop
                && s.id != StemId::UNKNOWN
                && (has(&self.question_stems, s.id.number())
                    || has(&self.context_stems, s.id.number()))
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
        if entry >= self.entries {
            return vec![false; spans.len()];
        }
        // The message's stems by where they start: one search per span, not a pass.
        let mut by_start: Vec<&StemTok> = stems.iter().collect();
        by_start.sort_by_key(|s| s.span.start);
        spans
            .iter()
            .map(|span| {
                let from = by_start.partition_point(|s| s.span.start < span.start);
                by_start
                    .get(from..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|s| s.span.start == span.start)
                    .any(|s| {
                        s.span == *span
                            && self.entry_context.has(entry, s.id.number())
                            && !self.entry_vocabulary.has(entry, s.id.number())
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
        let vocabulary = self.entry_vocabulary.of(entry)?;
        let negates = self.entry_negates.get(entry).copied().unwrap_or(false);
        let (mut total, mut known) = (0.0f64, 0.0f64);
        let mut unexplained = Vec::new();
        for s in stems.iter().filter(|s| !s.stop) {
            let idf = match self.idf.get(s.id.index()) {
                Some(&idf) if s.id != StemId::UNKNOWN => f64::from(idf),
                _ => f64::from(self.unseen_idf),
            };
            // Squared, as in the message's TF-IDF vector: the share is that of the
            // vector's squared length that lies in the entry's words.
            let weight = idf * idf;
            let uses = s.id != StemId::UNKNOWN && vocabulary.binary_search(&s.id.number()).is_ok();
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
        let Some(question) = self.closest_question(stems, entry) else {
            return (None, Vec::new());
        };
        let q = question as u32;
        let evidence = counted(stems)
            .filter(|s| {
                s.id != StemId::UNKNOWN
                    && self
                        .stem_terms(entry, s.id.number())
                        .binary_search_by_key(&q, |t| t.question)
                        .is_ok()
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
        (Some(question), evidence)
    }

    /// The terms of an entry's questions that have its `k`-th stem (of
    /// `entry_vocabulary`), by question.
    fn terms_at(&self, entry: usize, k: usize) -> &[QuestionTerm] {
        let (Some(terms), Some(starts)) =
            (self.entry_terms.of(entry), self.entry_term_starts.of(entry))
        else {
            return &[];
        };
        let start = starts.get(k).map_or(terms.len(), |&s| s as usize);
        let end = starts.get(k + 1).map_or(terms.len(), |&s| s as usize);
        terms.get(start..end).unwrap_or_default()
    }

    /// The terms of an entry's questions that have `stem`, by question.
    fn stem_terms(&self, entry: usize, stem: u32) -> &[QuestionTerm] {
        match self
            .entry_vocabulary
            .of(entry)
            .map(|stems| stems.binary_search(&stem))
        {
            Some(Ok(k)) => self.terms_at(entry, k),
            _ => &[],
        }
    }

    /// An entry's closest example question to the message (its index in the entry):
    /// the one with the highest cosine, among those that share a word with it; ties go
    /// to the earlier question.
    pub(crate) fn closest_question(&self, stems: &[StemTok], entry: usize) -> Option<usize> {
        let message = self.message_vector(stems)?;
        self.closest_to(&message, entry)
    }

    /// [`closest_question`](Self::closest_question) to a message vector (see
    /// [`message_vector`](Self::message_vector)).
    pub(crate) fn closest_to(&self, message: &[(u32, f64)], entry: usize) -> Option<usize> {
        self.best_question(message, entry)
            .map(|(question, _)| question)
    }

    /// The entry's question with the highest cosine to a message vector (its index in
    /// the entry, and the cosine), among those that share a word with it; ties go to
    /// the earlier question.
    fn best_question(&self, message: &[(u32, f64)], entry: usize) -> Option<(usize, f64)> {
        let count = *self.entry_questions.get(entry)? as usize;
        let vocabulary = self.entry_vocabulary.of(entry)?;
        // question → its dot product with the message, each summed in stem order.
        let mut dots = vec![0.0f64; count];
        let sums = dots.as_mut_slice();
        let mut from = 0;
        for &(stem, weight) in message {
            // Both sorted by stem: each search starts where the last one ended.
            let rest = vocabulary.get(from..).unwrap_or_default();
            from += rest.partition_point(|&s| s < stem);
            if vocabulary.get(from) != Some(&stem) {
                continue;
            }
            add_terms(sums, self.terms_at(entry, from), weight);
        }
        // (question, cosine): the first highest above zero. Weights are positive: a
        // question sharing no word has a zero cosine. The highest found four lanes at a
        // time (the same value in any order), then its first question.
        let mut lanes = [0.0f64; 4];
        let mut quads = dots.chunks_exact(4);
        for quad in &mut quads {
            for (most, &c) in lanes.iter_mut().zip(quad) {
                if c > *most {
                    *most = c;
                }
            }
        }
        let most =
            (lanes.iter().chain(quads.remainder()))
                .fold(0.0f64, |most, &c| if c > most { c } else { most });
        if most > 0.0 {
            return dots.iter().position(|&c| c == most).map(|q| (q, most));
        }
        None
    }
}

/// Adds `weight` times each term's weight to its question's sum (a loop of its own, so
/// that the sums' place and length stay in registers).
#[inline(never)]
fn add_terms(sums: &mut [f64], terms: &[QuestionTerm], weight: f64) {
    for t in terms {
        if let Some(d) = sums.get_mut(t.question as usize) {
            *d += weight * f64::from(t.weight);
        }
    }
}

/// The unit-length TF-IDF vector (sublinear term frequency) of a text's term counts;
/// empty when it has none.
fn unit_vector(terms: &[Count], idf: &[f32]) -> Vec<(u32, f32)> {
    let weighted: Vec<(u32, f64)> = terms
        .iter()
        .map(|&Count { stem, count }| {
            let idf = idf.get(stem as usize).copied().unwrap_or(1.0);
            (stem, sublinear(f64::from(count)) * f64::from(idf))
        })
        .collect();
    let norm = weighted.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm > 0.0 {
        weighted
            .iter()
            .map(|&(t, w)| (t, (w / norm) as f32))
            .collect()
    } else {
        Vec::new()
    }
}

/// The `k`-th highest score among the touched entries (`k` at most their number).
fn kth_best(touched: &[u32], scores: &[f32], k: usize) -> f32 {
    let mut values: Vec<f32> = touched
        .iter()
        .map(|&e| scores.get(e as usize).copied().unwrap_or(0.0))
        .collect();
    let Some(at) = k.checked_sub(1).filter(|&at| at < values.len()) else {
        return 0.0;
    };
    values.select_nth_unstable_by(at, |a, b| b.total_cmp(a));
    values.get(at).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{AnalyzerBuilder, Language};

    /// A word of a made-up vocabulary (letters only, no stemmer suffix).
    fn word(i: usize) -> String {
        let letters = b"bdgkmptvz";
        let mut w = String::from("q");
        let mut n = i;
        loop {
            w.push(char::from(letters[n % letters.len()]));
            w.push('o');
            n /= letters.len();
            if n == 0 {
                break;
            }
        }
        w.push('x');
        w
    }

    /// `n` entries; entry `e` asks about words `e`, `e + 1`, ... and shares its common
    /// words (small numbers) with many others.
    fn index(n: usize) -> (FaqIndex, Analyzer) {
        let mut toml = String::new();
        for e in 0..n {
            let q1 = format!(
                "{} {} {}",
                word(e % 7),
                word(100 + e),
                word(100 + (e * 3) % n)
            );
            let q2 = format!("{} {}", word(e % 5), word(100 + e));
            let answer = format!("{} {}", word(100 + (e * 7) % n), word(e % 11));
            toml.push_str(&format!(
                "[[faq]]\nid = \"faq-{e}\"\nquestions = [\"{q1}\", \"{q2}\"]\nanswer = \"{answer}\"\n"
            ));
        }
        let set = match crate::RuleSet::from_toml("t.toml", &toml) {
            Ok(set) => set,
            Err(e) => panic!("{e}"),
        };
        let mut b = AnalyzerBuilder::new(Language::english());
        for faq in set.faqs() {
            for q in &faq.questions {
                b.add_typo_targets(q);
            }
            for a in &faq.answer.replies {
                b.add_text(a.source());
            }
        }
        let analyzer = b.build();
        (FaqIndex::build(set.faqs(), &analyzer), analyzer)
    }

    fn ranked(
        index: &FaqIndex,
        analyzer: &Analyzer,
        text: &str,
        limit: usize,
    ) -> Vec<(usize, f64)> {
        let stems = analyzer.stems(&tokenize(text));
        index
            .score(&stems, limit)
            .into_iter()
            .map(|s| (s.entry, s.score))
            .collect()
    }

    #[test]
    fn pruning_keeps_the_exhaustive_top_entries() {
        let (index, analyzer) = index(400);
        for m in 0..60 {
            let text = format!(
                "{} {} {} {}",
                word(m % 7),
                word(m % 5),
                word(100 + (m * 13) % 400),
                word(m % 11)
            );
            let all = ranked(&index, &analyzer, &text, 400);
            for limit in [1, 3, 10] {
                let top = ranked(&index, &analyzer, &text, limit);
                assert_eq!(top.len(), limit.min(all.len()), "{text}");
                for (a, b) in top.iter().zip(&all) {
                    // Same entries in the same order, same scores.
                    assert_eq!(a.0, b.0, "{text}: {top:?} against {:?}", &all[..limit]);
                    assert!((a.1 - b.1).abs() < 1e-6, "{text}");
                }
            }
        }
    }

    #[test]
    fn the_accumulator_is_clean_between_messages_and_indexes() {
        let (big, big_analyzer) = index(300);
        let (small, small_analyzer) = index(20);
        let text = format!("{} {}", word(3), word(103));
        let first = ranked(&big, &big_analyzer, &text, 5);
        let other = ranked(&small, &small_analyzer, &text, 5);
        assert_eq!(ranked(&big, &big_analyzer, &text, 5), first);
        assert_eq!(ranked(&small, &small_analyzer, &text, 5), other);
        assert_eq!(first.first().map(|s| s.0), Some(3));
        assert!(first.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(first.iter().all(|s| s.1 > 0.0 && s.1 <= 1.0));
    }

    #[test]
    fn words_the_faq_never_uses_lower_the_score() {
        let (index, analyzer) = index(50);
        let plain = ranked(&index, &analyzer, &word(110), 1);
        let padded = ranked(
            &index,
            &analyzer,
            &format!("{} zzyzzx qqwwrr", word(110)),
            1,
        );
        assert_eq!(plain.first().map(|s| s.0), Some(10));
        assert_eq!(padded.first().map(|s| s.0), Some(10));
        assert!(padded[0].1 < plain[0].1, "{padded:?} {plain:?}");
    }

    /// The cosine of a message and an example question, from their words: sublinear
    /// term counts times idf, unit length (the message's unseen words count towards
    /// its length).
    fn cosine_by_definition(
        index: &FaqIndex,
        analyzer: &Analyzer,
        message: &str,
        question: &str,
    ) -> f64 {
        let vector = |text: &str| -> (std::collections::BTreeMap<u32, f64>, f64) {
            let stems = analyzer.stems(&tokenize(text));
            let mut counts = std::collections::BTreeMap::new();
            let mut unseen = 0.0;
            for s in counted(&stems) {
                if s.id == StemId::UNKNOWN {
                    unseen += 1.0;
                } else {
                    *counts.entry(s.id.number()).or_insert(0.0) +=
                        if s.typo { TYPO_WEIGHT } else { 1.0 };
                }
            }
            let weights: std::collections::BTreeMap<u32, f64> = counts
                .into_iter()
                .map(|(t, tf)| (t, sublinear(tf) * f64::from(index.idf[t as usize])))
                .collect();
            let extra = unseen * (f64::from(index.unseen_idf) * UNSEEN_WEIGHT).powi(2);
            (weights, extra)
        };
        let (m, m_extra) = vector(message);
        let (q, _) = vector(question);
        let norm = |v: &std::collections::BTreeMap<u32, f64>, extra: f64| {
            (v.values().map(|w| w * w).sum::<f64>() + extra).sqrt()
        };
        let dot: f64 = m.iter().filter_map(|(t, w)| Some(w * q.get(t)?)).sum();
        dot / (norm(&m, m_extra) * norm(&q, 0.0))
    }

    #[test]
    fn the_closest_question_has_the_highest_cosine() {
        let (index, analyzer) = index(30);
        let set_questions = |e: usize| {
            [
                format!(
                    "{} {} {}",
                    word(e % 7),
                    word(100 + e),
                    word(100 + (e * 3) % 30)
                ),
                format!("{} {}", word(e % 5), word(100 + e)),
            ]
        };
        // Short and long messages, with words of several entries and unseen words.
        let mut messages: Vec<String> = (0..30)
            .map(|m| {
                format!(
                    "{} {} zzqx {}",
                    word(m % 5),
                    word(100 + (m * 3) % 30),
                    word(m % 7)
                )
            })
            .collect();
        messages.push(
            (0..200)
                .map(|i| word(i % 140))
                .collect::<Vec<_>>()
                .join(" "),
        );
        for message in &messages {
            let stems = analyzer.stems(&tokenize(message));
            for e in 0..30 {
                let cosines: Vec<f64> = set_questions(e)
                    .iter()
                    .map(|q| cosine_by_definition(&index, &analyzer, message, q))
                    .collect();
                let best = cosines.iter().enumerate().filter(|(_, c)| **c > 0.0).fold(
                    None,
                    |best: Option<(usize, f64)>, (q, &c)| match best {
                        Some((_, b)) if c <= b + 1e-12 => best,
                        _ => Some((q, c)),
                    },
                );
                let found = index
                    .message_vector(&stems)
                    .and_then(|m| index.best_question(&m, e));
                assert_eq!(
                    found.map(|f| f.0),
                    best.map(|b| b.0),
                    "{message} / entry {e}"
                );
                if let (Some(f), Some(b)) = (found, best) {
                    assert!(
                        (f.1 - b.1).abs() < 1e-6,
                        "{message} / entry {e}: {f:?} {b:?}"
                    );
                }
            }
        }
    }
}
