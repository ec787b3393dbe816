//! How coarse the groups of what nothing answers are: read off the rule set's own FAQ.
//!
//! Whether "what is my interest rate" and "find the interest rate for my checking
//! account" are one topic or two depends on the organisation, and thresholds fixed in
//! advance get it right for one and wrong for the next: as a history grows, each
//! topic's sub-phrasings reach the size of a cluster and a topic breaks into several.
//! The rule set already says how fine this organisation's topics are: each FAQ entry
//! is one topic, and its questions are the ways people ask it. So before the report
//! groups its messages, the entries' questions are grouped the same way (steps 1 to 5
//! of the clustering), then merged again at each of [`LEVELS`] (step 6); the level
//! whose groups agree best with the entries — the V-measure with homogeneity weighing
//! twice completeness ([`BETA`]), groups smaller than the smallest reported cluster
//! counting as one "other" — is the one the report uses, and none when no level beats
//! the groups as they were split.
//!
//! Only entries with at least twice the smallest cluster's size of questions take
//! part (an entry of three questions cannot show how a topic of fifty messages
//! holds together), and only when there are at least [`MIN_ENTRIES`] of them;
//! otherwise the report does not merge again. At most [`MAX_QUESTIONS`] questions are
//! read, the same number from each entry, taken in turns across entries so that, as
//! in a history, no topic arrives all at once.

use super::cluster::{self, Grouping, Params, Scale};
use super::report::Granularity;
use super::terms::{TermId, Vocabulary};
use crate::config::Faq;
use crate::text::FastMap;

/// The similarities (centroid cosines, highest first) at which groups may merge again.
pub(crate) const LEVELS: [f32; 7] = [0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3];

/// How much more homogeneity counts than completeness in choosing (the V-measure's
/// β): a cluster that mixes two topics hides one from the author, while a topic in two
/// clusters only makes two stubs to merge. Chosen on the development splits (README,
/// "Listening"): with 1 (plain NMI), more unknown topics were lost in mixed clusters.
const BETA: f64 = 0.5;

/// The fewest entries (each with enough questions) to choose from.
pub const MIN_ENTRIES: usize = 10;

/// The most questions read to choose the granularity; this bounds its time and
/// memory whatever the size of the FAQ.
pub const MAX_QUESTIONS: usize = 20_000;

/// Chooses the level at which the report's groups merge again, from `faqs`' questions
/// grouped with `params` (whose `regroup` is ignored) and read by `vocabulary` (a
/// fresh one, with the rule set's language).
pub(crate) fn choose(
    faqs: &[Faq],
    mut vocabulary: Vocabulary,
    scale: Scale,
    params: Params,
) -> Granularity {
    let enough = 2 * params.min_size;
    let entries: Vec<&Faq> = faqs
        .iter()
        .filter(|f| f.questions.len() >= enough)
        .collect();
    if entries.len() < MIN_ENTRIES {
        return Granularity {
            entries: entries.len(),
            ..Granularity::default()
        };
    }
    let each = (MAX_QUESTIONS / entries.len()).max(enough);
    let mut docs: Vec<Box<[TermId]>> = Vec::new();
    let mut truth: Vec<u32> = Vec::new();
    'turns: for turn in 0..each {
        for (e, faq) in entries.iter().enumerate() {
            let Some(question) = faq.questions.get(turn) else {
                continue;
            };
            if docs.len() >= MAX_QUESTIONS {
                break 'turns;
            }
            let mut words: Box<[TermId]> = vocabulary.read(question).into();
            words.sort_unstable();
            docs.push(words);
            truth.push(e as u32);
        }
    }
    drop(vocabulary);
    let refs: Vec<&[TermId]> = docs.iter().map(|d| &d[..]).collect();
    let split = cluster::group(
        &refs,
        scale,
        Params {
            regroup: None,
            ..params
        },
    );
    let mut best = (None, agreement(&truth, &split, params.min_size));
    for (&level, grouping) in LEVELS
        .iter()
        .zip(cluster::regroup(&refs, scale, &split, &LEVELS))
    {
        let nmi = agreement(&truth, &grouping, params.min_size);
        if nmi > best.1 {
            best = (Some(level), nmi);
        }
    }
    Granularity {
        regroup: best.0,
        entries: entries.len(),
        questions: docs.len(),
        agreement: Some(best.1),
    }
}

/// NMI of a grouping against the true labels, groups smaller than `min_size` and the
/// ungrouped counting as one group.
fn agreement(truth: &[u32], grouping: &Grouping, min_size: usize) -> f64 {
    let other = u32::MAX;
    let mut found = vec![other; truth.len()];
    for (g, group) in grouping.groups.iter().enumerate() {
        if group.members.len() >= min_size {
            for &m in &group.members {
                if let Some(f) = found.get_mut(m) {
                    *f = g as u32;
                }
            }
        }
    }
    v_measure(truth, &found, BETA)
}

/// The V-measure of a grouping `b` against true labels `a`: the weighted harmonic mean
/// of homogeneity (each group holds one label) and completeness (each label is in one
/// group), `beta` below 1 weighing homogeneity more; with `beta` 1 it is the
/// normalised mutual information (arithmetic mean of the entropies). 1 when the two
/// agree up to names, 0 when they are independent.
pub(crate) fn v_measure(a: &[u32], b: &[u32], beta: f64) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 1.0;
    }
    let mut ca: FastMap<u32, u64> = FastMap::default();
    let mut cb: FastMap<u32, u64> = FastMap::default();
    let mut cab: FastMap<(u32, u32), u64> = FastMap::default();
    for (&x, &y) in a.iter().zip(b) {
        *ca.entry(x).or_default() += 1;
        *cb.entry(y).or_default() += 1;
        *cab.entry((x, y)).or_default() += 1;
    }
    let n = n as f64;
    let entropy = |c: &FastMap<u32, u64>| -> f64 {
        c.values()
            .map(|&v| {
                let p = v as f64 / n;
                -p * p.ln()
            })
            .sum()
    };
    let (ha, hb) = (entropy(&ca), entropy(&cb));
    let mi: f64 = cab
        .iter()
        .map(|(&(x, y), &v)| {
            let (nx, ny) = (
                ca.get(&x).copied().unwrap_or(1) as f64,
                cb.get(&y).copied().unwrap_or(1) as f64,
            );
            v as f64 / n * (v as f64 * n / (nx * ny)).ln()
        })
        .sum();
    let homogeneity = if ha == 0.0 { 1.0 } else { mi / ha };
    let completeness = if hb == 0.0 { 1.0 } else { mi / hb };
    let denominator = beta * homogeneity + completeness;
    if denominator == 0.0 {
        0.0
    } else {
        (1.0 + beta) * homogeneity * completeness / denominator
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;
    use crate::RuleSet;

    /// A made-up word for each number (letters only, so each is one word).
    fn word(prefix: &str, n: usize) -> String {
        let letters = b"bcdfghjklmnpqrstvwz";
        let mut w = prefix.to_string();
        let mut n = n;
        loop {
            w.push(char::from(letters[n % letters.len()]));
            n /= letters.len();
            if n == 0 {
                return w;
            }
        }
    }

    /// `entries` FAQ entries of `per_entry` questions each. Each entry's questions
    /// share two words of their own (the topic); half of them add one pair of
    /// phrasing words and half another; each adds a word from a pool common to all.
    fn faq(entries: usize, per_entry: usize) -> RuleSet {
        let mut toml = String::new();
        for e in 0..entries {
            toml.push_str(&format!(
                "[[faq]]\nid = \"e{e}\"\nanswer = \"a\"\nquestions = [\n"
            ));
            for q in 0..per_entry {
                let family = q % 2;
                toml.push_str(&format!(
                    "  \"{} {} {} {} {}\",\n",
                    word("tum", e),
                    word("dal", e),
                    word("fex", 2 * e + family),
                    word("gor", 2 * e + family),
                    word("pil", (q * 7 + e) % 13),
                ));
            }
            toml.push_str("]\n");
        }
        match RuleSet::from_toml("faq.toml", &toml) {
            Ok(set) => set,
            Err(e) => panic!("{e}"),
        }
    }

    fn chosen(set: &RuleSet, params: Params) -> Granularity {
        choose(
            &set.faqs,
            Vocabulary::new(Language::english()),
            &|_| 1.0,
            params,
        )
    }

    #[test]
    fn entries_split_by_phrasing_are_merged_again() {
        let params = Params::default();
        let set = faq(12, 20);
        let g = chosen(&set, params);
        assert_eq!((g.entries, g.questions), (12, 240), "{g:?}");
        // Split alone, each entry falls into its two phrasings; merging again brings
        // them together.
        let regroup = g.regroup.expect("a level");
        assert!(LEVELS.contains(&regroup), "{g:?}");
        assert!(g.agreement.is_some_and(|a| a > 0.9), "{g:?}");
    }

    #[test]
    fn too_few_entries_or_questions_choose_nothing() {
        let params = Params::default();
        let few = chosen(&faq(MIN_ENTRIES - 1, 20), params);
        assert_eq!(
            (few.regroup, few.entries, few.questions),
            (None, MIN_ENTRIES - 1, 0)
        );
        let short = chosen(&faq(20, 2 * params.min_size - 1), params);
        assert_eq!(
            (short.regroup, short.entries, short.agreement),
            (None, 0, None)
        );
    }

    #[test]
    fn nmi_of_the_same_split_and_of_independent_ones() {
        let nmi = |a: &[u32], b: &[u32]| v_measure(a, b, 1.0);
        assert!((nmi(&[0, 0, 1, 1], &[7, 7, 3, 3]) - 1.0).abs() < 1e-12);
        assert!(nmi(&[0, 1, 0, 1], &[0, 0, 1, 1]).abs() < 1e-12);
        let partial = nmi(&[0, 0, 1, 1], &[0, 0, 0, 1]);
        assert!(partial > 0.0 && partial < 1.0, "{partial}");
    }
}
