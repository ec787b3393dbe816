//! FAQ matching: which entry answers a message, and how sure that is.
//!
//! Two models, chosen at build time by the size of the FAQ:
//!
//! * **A classifier** (the usual case): a multinomial logistic regression trained at
//!   build time on the entries' example questions and the words of their ids (see
//!   [`id_examples`]) and, as weaker evidence, their answer texts (`context`, see
//!   [`CONTEXT_WEIGHT`]), over words, Snowball stems, stem bigrams and character 2–4-grams
//!   (which see past typos), weighted by how few entries share a feature. Training is
//!   single-threaded and seeded: the same rule set always gives the same model. An
//!   entry's score is the model's probability that it is the right answer, calibrated
//!   by `settings.faq_temperature`, so thresholds mean the same across rule sets.
//!   Message words the FAQ never uses make every score less sure. The rule set's
//!   `[out_of_scope]` examples, messages no entry answers, are one more class: the
//!   probability it takes is left to no entry.
//! * **Retrieval**, when there is nothing to tell apart (a single entry and no
//!   out-of-scope examples) or the FAQ is too big to train in about three seconds (see
//!   [`MAX_TRAINING_COST`]): entries are ranked by BM25 over their questions and, at a
//!   discount, their answer texts; an entry's score is its BM25 score as a share of the
//!   most the message's words could add to any entry, or the cosine similarity of its
//!   closest question where higher (order kept).
//!
//! Either way, each suggestion names the example question closest to the message and
//! the message words that carried its score.

mod classifier;
mod features;
mod retrieval;
#[cfg(feature = "toolkit")]
mod thresholds;

use std::collections::HashMap;

use crate::config::{Faq, Settings};
use crate::outcome::{Evidence, EvidenceKind};
use crate::text::{tokenize, Analyzer, ClassifierWord, StemTok, Tokens};
use classifier::Model;
pub(crate) use classifier::TrainConfig;
pub(crate) use retrieval::Explained;
use retrieval::FaqIndex;
#[cfg(feature = "toolkit")]
use thresholds::choose_thresholds;
#[cfg(feature = "toolkit")]
pub(crate) use thresholds::ThresholdOptions;

/// The most training work (SGD updates × entries) the classifier may take; a bigger FAQ
/// is matched by retrieval instead. About three seconds on one core of a small machine.
pub const MAX_TRAINING_COST: usize = 40_000_000;

/// The least share of a message's topic words (weighted by rarity) that an FAQ entry's
/// example questions must use for the entry to be sent unattended: below it, most of
/// what the message says is unknown to the entry (see
/// [`Suggestion::explained`](crate::Suggestion::explained)).
pub const MIN_EXPLAINED_SHARE: f64 = 0.5;

/// One scored FAQ entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FaqScore {
    pub(crate) entry: usize,
    pub(crate) score: f64,
}

/// What [`FaqModel::score`] read of a message, kept to explain its entries without
/// reading it again.
#[derive(Debug)]
pub(crate) struct Features {
    /// The classifier's features.
    classifier: classifier::Features,
    /// The explanations (see [`FaqModel::explain`]) of the ranked entries that will
    /// most likely be shown: those at or above the suggestion threshold, at most as
    /// many as are shown. Made with the scores, while the message's words are at hand,
    /// and for all of them in one pass over the features.
    explained: Vec<(usize, Option<usize>, Vec<Evidence>)>,
}

/// The FAQ model of an engine.
pub(crate) struct FaqModel {
    retrieval: FaqIndex,
    /// Trained on the entries' questions and ids, plus, when the rule set has
    /// `[out_of_scope]` examples, one more class for them (after the entries').
    classifier: Option<Model>,
    /// entry → how much its retrieval share moves the classifier's probability (see
    /// [`RETRIEVAL_WEIGHT`]); empty when no entry has so few questions that it would.
    retrieval_weights: Vec<f32>,
    /// The rule set's `suggest_threshold` and `max_suggestions`: which ranked entries
    /// will likely be explained (see [`Features::likely`]).
    shown: (f64, usize),
}

/// How much retrieval (BM25 over an entry's questions and answer text, see
/// [`retrieval`]) weighs beside the classifier, for an entry with one example question:
/// its probability is multiplied by `exp(weight × score)` (`score`: the entry's
/// retrieval score, 0 to 1, as a FAQ too big for the classifier is scored), then all
/// are normalised again. Divided by the entry's number of questions, like
/// [`CONTEXT_WEIGHT`]: a classifier knows little of an entry from one or two questions,
/// and word overlap with its questions and answer says more; with dozens it knows more
/// than word overlap. Chosen on the development halves of StackFAQ (top-1 77.1 % →
/// 78.2 %, `scripts/stackfaq.py --split dev`) and of the few-shot protocols of
/// `scripts/open_intent.py --dev` (top-1 up at one, five and ten examples per label,
/// auto-replies as right); 5 cost CLINC150's five-example auto-replies a point of
/// precision. Every entry is scored (the best 10 only: 77.9 %), which costs a third
/// more time per message on the bundled council set. The threshold search
/// ([`choose_thresholds_for`]) does not see it: its folds have no retrieval index.
const RETRIEVAL_WEIGHT: f32 = 3.0;

/// An entry with this many example questions or more gets no retrieval weight (see
/// [`RETRIEVAL_WEIGHT`]; it would be at most 0.15, a factor of at most 1.16 on its
/// probability); when no entry gets any (a FAQ built from labelled history, say),
/// messages are not ranked by retrieval at all, at no cost.
const RETRIEVAL_MAX_QUESTIONS: usize = 20;

/// entry → its retrieval weight, or empty when no entry has one (see
/// [`RETRIEVAL_MAX_QUESTIONS`]).
fn retrieval_weights(faqs: &[Faq]) -> Vec<f32> {
    let weights: Vec<f32> = faqs
        .iter()
        .map(|faq| match faq.questions.len() {
            n if n >= RETRIEVAL_MAX_QUESTIONS => 0.0,
            n => RETRIEVAL_WEIGHT / n.max(1) as f32,
        })
        .collect();
    if weights.iter().all(|&w| w == 0.0) {
        return Vec::new();
    }
    weights
}

impl std::fmt::Debug for FaqModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaqModel")
            .field(
                "classifier",
                &self
                    .classifier
                    .as_ref()
                    .map(|m| (m.n_labels(), m.n_features())),
            )
            .finish_non_exhaustive()
    }
}

/// The training configuration for a rule set's language.
pub(crate) fn train_config(analyzer: &Analyzer) -> TrainConfig {
    let mut cfg = TrainConfig::default();
    cfg.features.stemmer = analyzer.algorithm();
    cfg
}

/// The classifier's words for a text, synonyms folded.
pub(crate) fn words_of(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    let stems = analyzer.stems(&tokens);
    analyzer
        .classifier_words(&tokens, &stems)
        .into_iter()
        .map(|w| w.word.to_string())
        .collect()
}

/// Training examples made of entry ids, which the classifier learns from like one more
/// example question each: authors name entries for what they answer (`bin-day`,
/// `card_arrival`), and with few example questions those words matter. Any character
/// other than a letter or digit separates an id's words; words without a letter, and
/// words found in more than half of the ids (`faq` in `faq-17`), tell no entry apart
/// and are left out, so opaque ids add nothing. So is the id of an entry with a single
/// example question (`questions`: words and entry) that uses all the id's words, as an
/// id slugged from it (`how-do-i-pay-my-council-tax`) does: that second copy of a lone
/// question cost 4 points of top-1 on StackFAQ (issue 10). With more questions, an id
/// that repeats their words still helps (5 examples per label, descriptive ids:
/// BANKING77 top-1 2 points lower without it).
pub(crate) fn id_examples<S: AsRef<str>>(
    analyzer: &Analyzer,
    ids: &[S],
    questions: &[(Vec<String>, usize)],
) -> Vec<(Vec<String>, usize)> {
    // entry → (its number of questions, their words)
    let mut known: HashMap<usize, (usize, std::collections::HashSet<&str>)> = HashMap::new();
    for (words, e) in questions {
        let (count, used) = known.entry(*e).or_default();
        *count += 1;
        used.extend(words.iter().map(String::as_str));
    }
    let words: Vec<Vec<String>> = ids
        .iter()
        .map(|id| {
            let text: String = id
                .as_ref()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect();
            let mut words = words_of(analyzer, &text);
            words.retain(|w| w.chars().any(char::is_alphabetic));
            words
        })
        .collect();
    let mut ids_with: HashMap<&str, usize> = HashMap::new();
    for id in &words {
        let mut seen: Vec<&str> = id.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *ids_with.entry(w).or_default() += 1;
        }
    }
    let common =
        |w: &String| ids.len() >= 3 && 2 * ids_with.get(w.as_str()).unwrap_or(&0) > ids.len();
    words
        .iter()
        .enumerate()
        .map(|(e, id)| {
            (
                id.iter()
                    .filter(|w| !common(w))
                    .cloned()
                    .collect::<Vec<_>>(),
                e,
            )
        })
        .filter(|(id, e)| {
            let copy = known.get(e).is_some_and(|(count, used)| {
                *count == 1 && id.iter().all(|w| used.contains(w.as_str()))
            });
            !id.is_empty() && !copy
        })
        .collect()
}

/// What the classifier learns from: the one owner of a FAQ's training set, read by
/// [`FaqModel::build`] and by the threshold search ([`choose_thresholds_for`]), so that
/// thresholds are chosen on exactly the features the engine will score with.
pub(crate) struct TrainingSet {
    /// Every example question, labelled with its entry's index.
    questions: Vec<(Vec<String>, usize)>,
    /// The entries' ids (see [`id_examples`]): trained, never held out.
    ids: Vec<(Vec<String>, usize)>,
    /// The `[out_of_scope]` examples that have words: one more class.
    out_of_scope: Vec<Vec<String>>,
    /// The entries' answer texts (see [`context_example`]), with their weights.
    contexts: Vec<((Vec<String>, usize), f32)>,
    entries: usize,
}

impl TrainingSet {
    pub(crate) fn of(faqs: &[Faq], out_of_scope: &[String], analyzer: &Analyzer) -> TrainingSet {
        let ids: Vec<&str> = faqs.iter().map(|faq| faq.answer.id.as_str()).collect();
        let questions: Vec<(Vec<String>, usize)> = faqs
            .iter()
            .enumerate()
            .flat_map(|(e, faq)| {
                faq.questions
                    .iter()
                    .map(move |q| (words_of(analyzer, q), e))
            })
            .collect();
        TrainingSet {
            ids: id_examples(analyzer, &ids, &questions),
            out_of_scope: out_of_scope
                .iter()
                .map(|m| words_of(analyzer, m))
                .filter(|words| !words.is_empty())
                .collect(),
            contexts: faqs
                .iter()
                .enumerate()
                .filter_map(|(e, faq)| {
                    let (words, weight) = context_example(faq, analyzer)?;
                    Some(((words, e), weight))
                })
                .collect(),
            questions,
            entries: faqs.len(),
        }
    }

    /// The number of classes: the entries, and one for out-of-scope examples if any.
    fn classes(&self) -> usize {
        self.entries + usize::from(!self.out_of_scope.is_empty())
    }

    /// How many examples training sees.
    fn len(&self) -> usize {
        self.questions.len() + self.ids.len() + self.out_of_scope.len() + self.contexts.len()
    }
}

#[cfg(feature = "toolkit")]
/// Chooses the thresholds and calibration of a FAQ by cross-validation on its own
/// training set (see [`choose_thresholds`]); `None` when there is nothing to train (no
/// entries, a single class, or a FAQ too big for the classifier).
pub(crate) fn choose_thresholds_for(
    faqs: &[Faq],
    out_of_scope: &[String],
    analyzer: &Analyzer,
    options: &ThresholdOptions,
) -> Option<thresholds::Chosen> {
    // Answer texts (`context`) are left out of the search: a rule set whose thresholds
    // come from labelled history has none (`import-faq` writes its own, see
    // `faqpage::PAGE_SUGGEST_THRESHOLD`).
    let set = TrainingSet::of(faqs, out_of_scope, analyzer);
    let cfg = train_config(analyzer);
    if set.entries == 0 || set.classes() < 2 || !trainable(set.classes(), set.len(), &cfg) {
        return None;
    }
    let examples: Vec<(Vec<String>, Option<usize>)> = set
        .questions
        .into_iter()
        .map(|(words, e)| (words, Some(e)))
        .chain(set.out_of_scope.into_iter().map(|words| (words, None)))
        .collect();
    Some(choose_thresholds(
        &examples,
        &set.ids,
        set.entries,
        &cfg,
        options,
    ))
}

/// How much an entry's answer text (`context`) weighs in training, against one example
/// question: weaker evidence, and weaker still the more example questions the entry has
/// (it is divided by their number). Chosen on half of StackFAQ's queries
/// (`scripts/stackfaq.py`): top-1 rose from 74.0 % to 77.1 % with any weight from 0.2 to
/// 0.5; one example of the whole text beat one per sentence.
const CONTEXT_WEIGHT: f32 = 0.3;
/// The most words of an entry's answer text that matching reads: the opening of an
/// answer says what it is about, and the rest costs training time.
const MAX_CONTEXT_WORDS: usize = 300;

/// An entry's answer text (`context`) as one training example, and its weight (see
/// [`CONTEXT_WEIGHT`]); `None` without one, or when it has no words.
fn context_example(faq: &Faq, analyzer: &Analyzer) -> Option<(Vec<String>, f32)> {
    let mut words = words_of(analyzer, faq.context.as_deref()?);
    words.truncate(MAX_CONTEXT_WORDS);
    let weight = CONTEXT_WEIGHT / faq.questions.len().max(1) as f32;
    (!words.is_empty()).then_some((words, weight))
}

/// Whether a FAQ of `entries` entries and `examples` questions is small enough to train.
pub(crate) fn trainable(entries: usize, examples: usize, cfg: &TrainConfig) -> bool {
    let updates = (cfg.epochs * examples).max(cfg.min_updates);
    updates.saturating_mul(entries) <= MAX_TRAINING_COST
}

impl FaqModel {
    pub(crate) fn build(
        faqs: &[Faq],
        out_of_scope: &[String],
        analyzer: &Analyzer,
        settings: &Settings,
    ) -> FaqModel {
        let retrieval = FaqIndex::build(faqs, analyzer);
        let cfg = train_config(analyzer);
        // Training only grows with more examples and classes: a FAQ whose questions
        // alone are too many to train is matched by retrieval, without reading its
        // training set (at 50,000 entries, most of the engine's memory).
        let questions = faqs.iter().map(|faq| faq.questions.len()).sum();
        if !trainable(faqs.len(), questions, &cfg) {
            return FaqModel {
                retrieval,
                classifier: None,
                retrieval_weights: Vec::new(),
                shown: (settings.suggest_threshold, settings.max_suggestions),
            };
        }
        let set = TrainingSet::of(faqs, out_of_scope, analyzer);
        let (entries, classes) = (set.entries, set.classes());
        // A classifier needs at least two classes to tell apart: with one, its
        // probability is always 1.
        let trains = entries >= 1 && classes >= 2 && trainable(classes, set.len(), &cfg);
        let (contexts, context_weights): (Vec<_>, Vec<f32>) = set.contexts.into_iter().unzip();
        let mut examples: Vec<(Vec<String>, usize)> = set
            .questions
            .into_iter()
            .chain(set.ids)
            .chain(set.out_of_scope.into_iter().map(|words| (words, entries)))
            .collect();
        // Every example weighs 1 but the answer texts, which come last.
        let mut weights = vec![1.0; examples.len()];
        examples.extend(contexts);
        weights.extend(context_weights);
        let classifier = trains.then(|| {
            Model::train_weighted(&examples, &weights, classes, &cfg)
                .with_temperature(settings.faq_temperature as f32)
        });
        FaqModel {
            retrieval,
            // Read only beside a classifier (`score` returns before, without one).
            retrieval_weights: retrieval_weights(faqs),
            classifier,
            shown: (settings.suggest_threshold, settings.max_suggestions),
        }
    }

    /// The `limit` best entries, best first, and what the message's features were (to
    /// explain the scores without computing them again). See
    /// [`grounded`](Self::grounded) for when an answer may rest on them.
    pub(crate) fn score(
        &self,
        tokens: &Tokens,
        stems: &[StemTok],
        analyzer: &Analyzer,
        limit: usize,
    ) -> (Vec<FaqScore>, Option<Features>) {
        let Some(model) = &self.classifier else {
            return (self.retrieval.score(stems, limit), None);
        };
        let words = analyzer.classifier_words(tokens, stems);
        if words.is_empty() || limit == 0 {
            return (Vec::new(), None);
        }
        let (plain, unseen) = split(&words);
        let (mut probs, features) = model.predict_features(&plain, &unseen);
        self.weigh_retrieval(stems, &mut probs);
        // The out-of-scope class, if any, is no answer.
        probs.truncate(self.retrieval.entries());
        let ranked = best(&probs, limit);
        let scores: Vec<FaqScore> = ranked
            .into_iter()
            .map(|(entry, p)| FaqScore {
                entry,
                score: f64::from(p).clamp(0.0, 1.0),
            })
            .collect();
        let (threshold, most) = self.shown;
        let likely: Vec<usize> = scores
            .iter()
            .filter(|s| s.score >= threshold)
            .take(most)
            .map(|s| s.entry)
            .collect();
        let mut explained = Vec::with_capacity(likely.len());
        if !likely.is_empty() {
            let mut all = Vec::new();
            model.contributions_of_labels(&features, &likely, &mut all);
            let message = self.retrieval.message_vector(stems);
            let n = features.n_words();
            for (k, &entry) in likely.iter().enumerate() {
                let question =
                    (message.as_deref()).and_then(|m| self.retrieval.closest_to(m, entry));
                let contributions = all.get(k * n..(k + 1) * n).unwrap_or_default();
                explained.push((entry, question, carried_by(&words, contributions)));
            }
        }
        let features = Features {
            classifier: features,
            explained,
        };
        (scores, Some(features))
    }

    /// Moves the classifier's probabilities (the entries', then the out-of-scope
    /// class's, if any) towards the entries retrieval ranks high, each by its weight
    /// (see [`RETRIEVAL_WEIGHT`]), and normalises them again.
    fn weigh_retrieval(&self, stems: &[StemTok], probs: &mut [f32]) {
        if self.retrieval_weights.is_empty() {
            return;
        }
        let mut moved = false;
        for s in self.retrieval.score(stems, self.retrieval.entries()) {
            let (Some(p), Some(&w)) = (probs.get_mut(s.entry), self.retrieval_weights.get(s.entry))
            else {
                continue;
            };
            *p *= (w * s.score as f32).exp();
            moved = true;
        }
        let total: f32 = probs.iter().sum();
        if moved && total > 0.0 {
            probs.iter_mut().for_each(|p| *p /= total);
        }
    }

    /// Whether an FAQ answer can rest on the message at all: it must share a topic word
    /// (a word that is not a function word) with some example question or answer text
    /// (`context`). Otherwise it is
    /// out of scope however the probabilities fall: with few entries, a softmax is
    /// confident about anything. A decision rule, like a threshold: ranking ignores it.
    pub(crate) fn grounded(&self, stems: &[StemTok]) -> bool {
        self.classifier.is_none() || self.retrieval.shares_topic_word(stems)
    }

    /// How much of the message an entry explains: the rarity-weighted share of the
    /// message's topic words its example questions use. An auto-reply needs at least
    /// [`MIN_EXPLAINED_SHARE`]. `None` for a message of stop words only.
    pub(crate) fn explained(&self, stems: &[StemTok], entry: usize) -> Option<Explained> {
        self.retrieval.explained(stems, entry)
    }

    /// Which of an entry's evidence words come from its answer text (`context`) and
    /// from none of its questions: answer words that carried its score.
    pub(crate) fn answer_words(
        &self,
        stems: &[StemTok],
        entry: usize,
        evidence: &[Evidence],
    ) -> Vec<Evidence> {
        let spans: Vec<crate::Span> = evidence.iter().map(|e| e.span).collect();
        let only = self.retrieval.only_in_context(stems, entry, &spans);
        evidence
            .iter()
            .zip(only)
            .filter(|(_, only)| *only)
            .map(|(e, _)| e.clone())
            .collect()
    }

    /// Why an entry scored: its example question closest to the message, and the
    /// message words that carried the score.
    pub(crate) fn explain(
        &self,
        tokens: &Tokens,
        stems: &[StemTok],
        analyzer: &Analyzer,
        entry: usize,
    ) -> (Option<usize>, Vec<Evidence>) {
        self.explain_with(None, tokens, stems, analyzer, entry)
    }

    /// [`explain`](Self::explain), reusing the features [`score`](Self::score) gave.
    pub(crate) fn explain_with(
        &self,
        features: Option<&Features>,
        tokens: &Tokens,
        stems: &[StemTok],
        analyzer: &Analyzer,
        entry: usize,
    ) -> (Option<usize>, Vec<Evidence>) {
        let Some(model) = &self.classifier else {
            return self.retrieval.closest(stems, analyzer, entry);
        };
        if let Some((_, question, evidence)) =
            features.and_then(|f| f.explained.iter().find(|(e, _, _)| *e == entry))
        {
            return (*question, evidence.clone());
        }
        let question = self.retrieval.closest_question(stems, entry);
        let words = analyzer.classifier_words(tokens, stems);
        let contributions = match features {
            Some(features) => model.contributions_of(&features.classifier, entry),
            None => {
                let (plain, unseen) = split(&words);
                model.contributions(&plain, &unseen, entry)
            }
        };
        (question, carried_by(&words, &contributions))
    }
}

/// The `limit` best (entry, probability) pairs, best first (ties: the lower entry
/// first). A total order, so any way of finding them gives the same list.
fn best(probs: &[f32], limit: usize) -> Vec<(usize, f32)> {
    let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if limit > BEST_BY_INSERTION {
        let mut ranked: Vec<(usize, f32)> = probs.iter().copied().enumerate().collect();
        if ranked.len() > limit {
            // Only the best `limit` need sorting.
            ranked.select_nth_unstable_by(limit - 1, order);
            ranked.truncate(limit);
        }
        ranked.sort_by(order);
        return ranked;
    }
    // A few places: one pass, each probability compared with the worst kept, as
    // `f32::total_cmp` compares (an integer key); a later entry that ties with it
    // ranks after it.
    let key = |p: f32| {
        let bits = p.to_bits() as i32;
        bits ^ (((bits >> 31) as u32) >> 1) as i32
    };
    if limit == 0 {
        return Vec::new();
    }
    let mut ranked: Vec<(usize, f32)> = Vec::with_capacity(limit + 1);
    let mut worst = i32::MIN;
    for (entry, &p) in probs.iter().enumerate() {
        let item = (entry, p);
        if ranked.len() == limit && key(p) <= worst {
            continue;
        }
        let at = ranked.partition_point(|kept| order(kept, &item) == std::cmp::Ordering::Less);
        ranked.insert(at, item);
        ranked.truncate(limit);
        if let Some(last) = ranked.last() {
            worst = key(last.1);
        }
    }
    ranked
}

/// Up to this many best entries are kept by insertion, more by selection.
const BEST_BY_INSERTION: usize = 16;

/// The words and their "stem unseen" hints, as the classifier takes them.
fn split<'t>(words: &[ClassifierWord<'t>]) -> (Vec<&'t str>, Vec<bool>) {
    (
        words.iter().map(|w| w.word).collect(),
        words.iter().map(|w| w.unseen).collect(),
    )
}

/// The message words that raised an entry's score, in message order.
fn carried_by(words: &[ClassifierWord<'_>], contributions: &[f32]) -> Vec<Evidence> {
    let total: f32 = contributions.iter().filter(|c| **c > 0.0).sum();
    let mut out: Vec<Evidence> = Vec::new();
    for (
        ClassifierWord {
            word, span, stop, ..
        },
        &c,
    ) in words.iter().zip(contributions)
    {
        // Topic words carrying at least a tenth of the positive evidence.
        if !stop && c > 0.0 && c >= 0.1 * total && !out.iter().any(|e| e.span == *span) {
            out.push(Evidence {
                what: (*word).to_string(),
                span: *span,
                kind: EvidenceKind::Word,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{AnalyzerBuilder, Language};

    /// Two entries whose questions share no word with "can I set up a direct debit":
    /// only the answer text of one of them does.
    fn council(with_context: bool) -> crate::RuleSet {
        let context = |text: &str| {
            if with_context {
                format!("context = {text:?}")
            } else {
                String::new()
            }
        };
        let toml = format!(
            "[settings]\nsuggest_threshold = 0.1\n\
             [[faq]]\nid = \"faq-1\"\nquestions = [\"How do I pay my council tax?\"]\n\
             answer = \"See the tax page.\"\n{}\n\
             [[faq]]\nid = \"faq-2\"\nquestions = [\"When is my bin collected?\"]\n\
             answer = \"See the bins page.\"\n{}\n",
            context("Set up a direct debit online, or pay by card over the phone."),
            context("Bins are emptied weekly; find your day by postcode."),
        );
        match crate::RuleSet::from_toml("council.toml", &toml) {
            Ok(set) => set,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn best_by_insertion_is_best_by_sorting() {
        let probs = [0.1, 0.3, 0.3, f32::NAN, 0.0, -0.0, 0.3, 0.9, 0.1, 1e-9];
        let mut sorted: Vec<(usize, f32)> = probs.iter().copied().enumerate().collect();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for limit in 0..=probs.len() + 1 {
            let got = best(&probs, limit);
            let want = &sorted[..limit.min(probs.len())];
            assert_eq!(got.len(), want.len(), "limit {limit}");
            for (g, w) in got.iter().zip(want) {
                assert_eq!((g.0, g.1.to_bits()), (w.0, w.1.to_bits()), "limit {limit}");
            }
        }
        let many: Vec<f32> = (0..100).map(|i| ((i * 37) % 11) as f32).collect();
        assert_eq!(best(&many, 40).len(), 40);
        assert!(best(&many, 40).windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn answer_text_carries_a_suggestion_the_questions_do_not() {
        let message = crate::Message::new("can I set up a direct debit");
        let engine = |with| crate::Engine::new(&council(with)).map_err(|e| e.to_string());
        let with = engine(true).map(|e| e.suggest(&message));
        let top = with.as_ref().ok().and_then(|o| o.suggestions.first());
        assert_eq!(top.map(|s| s.id.as_str()), Some("faq-1"), "{with:?}");
        // Answer words are weaker evidence: never enough to send it unattended.
        assert!(with.is_ok_and(|o| o.decision == crate::Decision::Suggest));
        let without = engine(false).map(|e| e.suggest(&message).decision);
        assert_eq!(without, Ok(crate::Decision::NoAnswer));
    }

    #[test]
    fn retrieval_weighs_on_entries_with_few_questions_only() {
        let mut faqs = council(true).faqs().to_vec();
        assert_eq!(
            retrieval_weights(&faqs),
            [RETRIEVAL_WEIGHT, RETRIEVAL_WEIGHT]
        );
        faqs[0].questions.push("council tax payment".into());
        assert_eq!(
            retrieval_weights(&faqs),
            [RETRIEVAL_WEIGHT / 2.0, RETRIEVAL_WEIGHT]
        );
        // With 20 questions each, no entry gets any: retrieval is not run at all.
        for faq in &mut faqs {
            faq.questions = (0..20).map(|i| format!("question {i}")).collect();
        }
        assert!(retrieval_weights(&faqs).is_empty());
    }

    #[test]
    fn retrieval_raises_the_entry_whose_question_and_answer_the_message_uses() {
        let set = council(true);
        let analyzer = crate::engine::analyzer_for(&set);
        let build = || FaqModel::build(set.faqs(), &[], &analyzer, &set.settings);
        let (with, mut without) = (build(), build());
        without.retrieval_weights.clear();
        let tokens = tokenize("pay my council tax by direct debit");
        let stems = analyzer.stems(&tokens);
        let top = |model: &FaqModel| {
            let (scores, _) = model.score(&tokens, &stems, &analyzer, 2);
            scores.first().map(|s| (s.entry, s.score))
        };
        let (Some((0, p_with)), Some((0, p_without))) = (top(&with), top(&without)) else {
            panic!("faq-1 first: {:?} {:?}", top(&with), top(&without));
        };
        assert!(p_with > p_without, "{p_with} against {p_without}");
    }

    #[test]
    fn answer_text_weighs_less_the_more_questions_an_entry_has() {
        let analyzer = AnalyzerBuilder::new(Language::english()).build();
        let mut faq = council(true).faqs()[0].clone();
        let one = context_example(&faq, &analyzer).map(|(_, w)| w);
        faq.questions.push("council tax payment".into());
        let two = context_example(&faq, &analyzer).map(|(_, w)| w);
        assert_eq!(one, Some(CONTEXT_WEIGHT));
        assert_eq!(two, Some(CONTEXT_WEIGHT / 2.0));
        faq.context = Some("...".into());
        assert_eq!(context_example(&faq, &analyzer), None);
    }

    #[test]
    fn descriptive_ids_become_examples_and_opaque_ones_do_not() {
        let analyzer = AnalyzerBuilder::new(Language::english()).build();
        let examples = id_examples(&analyzer, &["bin-day", "card_arrival", "x"], &[]);
        let words: Vec<(Vec<&str>, usize)> = examples
            .iter()
            .map(|(w, e)| (w.iter().map(String::as_str).collect(), *e))
            .collect();
        assert_eq!(
            words,
            [
                (vec!["bin", "day"], 0),
                (vec!["card", "arrival"], 1),
                (vec!["x"], 2)
            ]
        );
        // Numbers, and a word most ids share, tell no entry apart.
        assert!(id_examples(&analyzer, &["faq-1", "faq-2", "faq-3", "faq-4"], &[]).is_empty());
        assert_eq!(
            id_examples(&analyzer, &["faq-1", "faq-2", "faq-3", "faq-refunds"], &[]),
            [(vec!["refunds".to_string()], 3)]
        );
        // An id that copies its entry's lone question adds nothing (issue 10); one with a
        // word of its own does, and so does one over several questions.
        let question = words_of(&analyzer, "How do I pay my council tax?");
        let ids = [
            "how-do-i-pay-my-council-tax",
            "council-tax-by-card",
            "payment-options",
        ];
        let questions = [
            (question.clone(), 0),
            (question.clone(), 1),
            (question.clone(), 2),
            (words_of(&analyzer, "what are the payment options"), 2),
        ];
        let examples = id_examples(&analyzer, &ids, &questions);
        let entries: Vec<usize> = examples.iter().map(|(_, e)| *e).collect();
        assert_eq!(entries, [1, 2]);
    }
}
