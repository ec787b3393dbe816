//! Grouping messages that nothing answers, without being told how many groups there
//! are.
//!
//! Each message is a sparse TF-IDF vector over its stems and stem pairs (binary term
//! frequency; the
//! IDF is taken over the messages being grouped; stems in only one message are
//! dropped, as they make no message closer to another). Then:
//!
//! 1. **Leader pass**: in history order, each message joins the group whose centroid
//!    is most similar (cosine at least [`Params::join`]), or starts a group of its own.
//!    Centroids are found through an inverted index from stems to groups, so a message
//!    touches only the groups that share one of its stems.
//! 2. **Refinement** (spherical k-means, a few rounds): every message moves to its most
//!    similar centroid (each truncated to its heaviest [`CENTROID_TERMS`] stems), or
//!    to no group when none reaches [`Params::keep`].
//! 3. **Agglomeration on centroids**: the most similar pairs of groups (cosine at
//!    least [`Params::merge`]) are merged, most similar first, a group at most once a
//!    round, until no pair is similar enough; then one more refinement round.
//! 4. **Stragglers**: groups smaller than [`Params::min_size`] are broken up, and each
//!    of their messages (and of the messages in no group) joins the most similar
//!    larger group at [`Params::attach`], or stays out ("other" in the report).
//!
//! The number of groups comes out of the thresholds. The cost is linear in the number
//! of messages times the groups that share a stem with each; 100,000 short messages
//! take a few seconds on one core (see `benches/listen.rs`).

use super::terms::TermId;
use crate::text::FastMap;

/// The most stems a centroid keeps for refinement and agglomeration.
pub(crate) const CENTROID_TERMS: usize = 48;

/// Similarity thresholds (cosines).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Params {
    /// A message joins a group in the leader pass at this similarity.
    pub(crate) join: f32,
    /// A message stays in a group at this similarity to its centroid.
    pub(crate) keep: f32,
    /// Two groups merge at this similarity of their centroids.
    pub(crate) merge: f32,
    /// Refinement rounds.
    pub(crate) rounds: usize,
    /// Groups smaller than this are broken up at the end: each of their messages
    /// joins the most similar larger group at [`Params::attach`], or none.
    pub(crate) min_size: usize,
    /// See `min_size`.
    pub(crate) attach: f32,
}

impl Default for Params {
    fn default() -> Params {
        // Chosen on the protocol of `scripts/listen_quality.py` (README, "Listening"):
        // lower thresholds give larger, less pure clusters.
        Params {
            join: 0.3,
            keep: 0.1,
            merge: 0.5,
            rounds: 3,
            min_size: 5,
            attach: 0.2,
        }
    }
}

/// A group: its members (indices of the input), closest to the centroid first.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    pub(crate) members: Vec<usize>,
}

/// The groups, largest first, and the messages in none.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grouping {
    pub(crate) groups: Vec<Group>,
    pub(crate) ungrouped: Vec<usize>,
}

type Vector = Vec<(u32, f32)>;

/// TF-IDF vectors, unit length; empty for a message with no shared stem.
fn vectors(docs: &[&[TermId]], vocabulary: usize, scale: &dyn Fn(TermId) -> f32) -> Vec<Vector> {
    let mut df = vec![0u32; vocabulary];
    for doc in docs {
        for t in doc.iter() {
            if let Some(d) = df.get_mut(t.index()) {
                *d += 1;
            }
        }
    }
    let n = docs.len() as f32;
    docs.iter()
        .map(|doc| {
            let mut v: Vector = doc
                .iter()
                .filter_map(|t| {
                    let d = *df.get(t.index())?;
                    (d >= 2).then(|| (t.0, scale(*t) * (((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)))
                })
                .collect();
            normalize(&mut v);
            v
        })
        .collect()
}

fn normalize(v: &mut Vector) {
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in v.iter_mut() {
            *w /= norm;
        }
    }
}

/// Dot products of one vector with many, through an inverted index.
struct Scores {
    acc: Vec<f32>,
    touched: Vec<u32>,
}

impl Scores {
    fn new() -> Scores {
        Scores {
            acc: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// The best `(group, dot)` for `v` over `postings` (term → (group, weight)),
    /// skipping `skip`; `None` when no group shares a term.
    fn best(
        &mut self,
        v: &Vector,
        postings: &[Vec<(u32, f32)>],
        groups: usize,
        norm: impl Fn(u32) -> f32,
        skip: Option<u32>,
    ) -> Option<(u32, f32)> {
        if self.acc.len() < groups {
            self.acc.resize(groups, 0.0);
        }
        for &(t, w) in v {
            for &(g, gw) in postings.get(t as usize).map_or(&[][..], Vec::as_slice) {
                if let Some(a) = self.acc.get_mut(g as usize) {
                    if *a == 0.0 {
                        self.touched.push(g);
                    }
                    *a += w * gw;
                }
            }
        }
        let mut best: Option<(u32, f32)> = None;
        for &g in &self.touched {
            let a = self.acc.get(g as usize).copied().unwrap_or(0.0);
            if Some(g) != skip {
                let s = a / norm(g);
                // Ties go to the older (lower-numbered) group.
                if best.is_none_or(|(bg, bs)| s > bs || (s == bs && g < bg)) {
                    best = Some((g, s));
                }
            }
        }
        for &g in &self.touched {
            if let Some(a) = self.acc.get_mut(g as usize) {
                *a = 0.0;
            }
        }
        self.touched.clear();
        best
    }
}

/// Leader pass: groups by first arrival; returns each message's group (or `None`).
fn leaders(vectors: &[Vector], vocabulary: usize, join: f32) -> Vec<Option<u32>> {
    // term → (group, summed weight); per group, term → position in that posting list.
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocabulary];
    let mut positions: Vec<FastMap<u32, u32>> = Vec::new();
    let mut norms2: Vec<f32> = Vec::new();
    let mut scores = Scores::new();
    let mut assigned = Vec::with_capacity(vectors.len());
    for v in vectors {
        if v.is_empty() {
            assigned.push(None);
            continue;
        }
        let best = scores.best(
            v,
            &postings,
            norms2.len(),
            |g| norms2.get(g as usize).map_or(1.0, |n| n.sqrt().max(1e-9)),
            None,
        );
        let (group, dot) = match best {
            Some((g, s)) if s >= join => {
                let norm = norms2.get(g as usize).map_or(1.0, |n| n.sqrt());
                (g, s * norm)
            }
            _ => {
                positions.push(FastMap::default());
                norms2.push(0.0);
                ((positions.len() - 1) as u32, 0.0)
            }
        };
        if let (Some(pos), Some(n2)) = (
            positions.get_mut(group as usize),
            norms2.get_mut(group as usize),
        ) {
            *n2 += 2.0 * dot + 1.0;
            for &(t, w) in v {
                let Some(list) = postings.get_mut(t as usize) else {
                    continue;
                };
                match pos.get(&t) {
                    Some(&p) => {
                        if let Some(entry) = list.get_mut(p as usize) {
                            entry.1 += w;
                        }
                    }
                    None => {
                        pos.insert(t, list.len() as u32);
                        list.push((group, w));
                    }
                }
            }
        }
        assigned.push(Some(group));
    }
    assigned
}

/// Unit centroids of the groups, each cut to its heaviest terms; `None` for a group
/// with no member.
fn centroids(vectors: &[Vector], assigned: &[Option<u32>], groups: usize) -> Vec<Vector> {
    let mut sums: Vec<FastMap<u32, f32>> = vec![FastMap::default(); groups];
    for (v, g) in vectors.iter().zip(assigned) {
        if let Some(sum) = g.and_then(|g| sums.get_mut(g as usize)) {
            for &(t, w) in v {
                *sum.entry(t).or_insert(0.0) += w;
            }
        }
    }
    sums.into_iter()
        .map(|sum| {
            let mut c: Vector = sum.into_iter().collect();
            c.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            c.truncate(CENTROID_TERMS);
            normalize(&mut c);
            c
        })
        .collect()
}

fn index(centroids: &[Vector], vocabulary: usize) -> Vec<Vec<(u32, f32)>> {
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocabulary];
    for (g, c) in centroids.iter().enumerate() {
        for &(t, w) in c {
            if let Some(list) = postings.get_mut(t as usize) {
                list.push((g as u32, w));
            }
        }
    }
    postings
}

/// One refinement round: each message to its most similar centroid, or none.
fn reassign(
    vectors: &[Vector],
    centroids: &[Vector],
    vocabulary: usize,
    keep: f32,
) -> Vec<Option<(u32, f32)>> {
    let postings = index(centroids, vocabulary);
    let mut scores = Scores::new();
    vectors
        .iter()
        .map(|v| {
            scores
                .best(v, &postings, centroids.len(), |_| 1.0, None)
                .filter(|&(_, s)| s >= keep)
        })
        .collect()
}

/// Renumbers groups densely (dropping empty ones).
fn compact(assigned: &mut [Option<u32>]) -> usize {
    let mut map: FastMap<u32, u32> = FastMap::default();
    for g in assigned.iter_mut().flatten() {
        let next = map.len() as u32;
        *g = *map.entry(*g).or_insert(next);
    }
    map.len()
}

/// One agglomeration round: merges the most similar pairs of centroids at or above
/// `merge`, each group at most once. Returns whether anything merged.
fn agglomerate(
    assigned: &mut [Option<u32>],
    centroids: &[Vector],
    vocabulary: usize,
    merge: f32,
) -> bool {
    let postings = index(centroids, vocabulary);
    let mut scores = Scores::new();
    let mut pairs: Vec<(f32, u32, u32)> = Vec::new();
    for (g, c) in centroids.iter().enumerate() {
        let g = g as u32;
        if let Some((other, s)) = scores.best(c, &postings, centroids.len(), |_| 1.0, Some(g)) {
            if s >= merge && g < other {
                pairs.push((s, g, other));
            } else if s >= merge {
                pairs.push((s, other, g));
            }
        }
    }
    pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    pairs.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    let mut into: Vec<Option<u32>> = vec![None; centroids.len()];
    let mut used = vec![false; centroids.len()];
    let mut any = false;
    for (_, a, b) in pairs {
        let (ua, ub) = (
            used.get(a as usize).copied().unwrap_or(true),
            used.get(b as usize).copied().unwrap_or(true),
        );
        if ua || ub {
            continue;
        }
        for g in [a, b] {
            if let Some(u) = used.get_mut(g as usize) {
                *u = true;
            }
        }
        if let Some(slot) = into.get_mut(b as usize) {
            *slot = Some(a);
            any = true;
        }
    }
    for g in assigned.iter_mut().flatten() {
        if let Some(&Some(target)) = into.get(*g as usize) {
            *g = target;
        }
    }
    any
}

/// Breaks up the groups smaller than `params.min_size`: each of their messages (and
/// each message in no group) joins the most similar larger group at `params.attach`.
fn attach_stragglers(
    vectors: &[Vector],
    assigned: &mut [Option<u32>],
    similarity: &mut [f32],
    groups: usize,
    vocabulary: usize,
    params: Params,
) {
    let mut sizes = vec![0usize; groups];
    for g in assigned.iter().flatten() {
        if let Some(s) = sizes.get_mut(*g as usize) {
            *s += 1;
        }
    }
    let large = |g: u32| sizes.get(g as usize).is_some_and(|&s| s >= params.min_size);
    let kept: Vec<Option<u32>> = assigned.iter().map(|g| g.filter(|&g| large(g))).collect();
    let mut c = centroids(vectors, &kept, groups);
    for (g, centroid) in c.iter_mut().enumerate() {
        if !large(g as u32) {
            centroid.clear();
        }
    }
    let postings = index(&c, vocabulary);
    let mut scores = Scores::new();
    for ((v, a), s) in vectors
        .iter()
        .zip(assigned.iter_mut())
        .zip(similarity.iter_mut())
    {
        if a.is_some_and(large) {
            continue;
        }
        if let Some((g, sim)) = scores
            .best(v, &postings, c.len(), |_| 1.0, None)
            .filter(|&(_, sim)| sim >= params.attach)
        {
            *a = Some(g);
            *s = sim;
        }
    }
}

/// Groups the documents (each its sorted term ids); `vocabulary` bounds the ids.
pub(crate) fn group(
    docs: &[&[TermId]],
    vocabulary: usize,
    scale: &dyn Fn(TermId) -> f32,
    params: Params,
) -> Grouping {
    let vectors = vectors(docs, vocabulary, scale);
    let mut assigned = leaders(&vectors, vocabulary, params.join);
    let mut groups = compact(&mut assigned);
    let mut similarity: Vec<f32> = vec![0.0; vectors.len()];
    let mut refine = |assigned: &mut Vec<Option<u32>>, groups: usize, rounds: usize| {
        let mut groups = groups;
        for _ in 0..rounds {
            let c = centroids(&vectors, assigned, groups);
            let next = reassign(&vectors, &c, vocabulary, params.keep);
            for ((a, s), n) in assigned.iter_mut().zip(similarity.iter_mut()).zip(next) {
                *a = n.map(|(g, _)| g);
                *s = n.map_or(0.0, |(_, s)| s);
            }
            groups = compact(assigned);
        }
        groups
    };
    groups = refine(&mut assigned, groups, params.rounds);
    for _ in 0..16 {
        let c = centroids(&vectors, &assigned, groups);
        if !agglomerate(&mut assigned, &c, vocabulary, params.merge) {
            break;
        }
        groups = compact(&mut assigned);
    }
    groups = refine(&mut assigned, groups, 1);
    attach_stragglers(
        &vectors,
        &mut assigned,
        &mut similarity,
        groups,
        vocabulary,
        params,
    );
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups];
    let mut ungrouped = Vec::new();
    for (i, g) in assigned.iter().enumerate() {
        match g.and_then(|g| members.get_mut(g as usize)) {
            Some(m) => m.push(i),
            None => ungrouped.push(i),
        }
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|mut m| {
            m.sort_by(|&a, &b| {
                let (sa, sb) = (
                    similarity.get(a).copied().unwrap_or(0.0),
                    similarity.get(b).copied().unwrap_or(0.0),
                );
                sb.total_cmp(&sa).then(a.cmp(&b))
            });
            Group { members: m }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.iter().min().cmp(&b.members.iter().min()))
    });
    Grouping { groups, ungrouped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u32]) -> Vec<TermId> {
        v.iter().map(|&i| TermId(i)).collect()
    }

    #[test]
    fn two_topics_make_two_groups_and_a_stray_goes_nowhere() {
        let mut docs = Vec::new();
        for i in 0..20 {
            // Topic A: terms 0, 1, 2 and a varying fourth; topic B: 10, 11, 12 and
            // another.
            docs.push(ids(&[0, 1, 2, 20 + (i % 3)]));
            docs.push(ids(&[10, 11, 12, 30 + (i % 3)]));
        }
        docs.push(ids(&[50, 51]));
        let refs: Vec<&[TermId]> = docs.iter().map(Vec::as_slice).collect();
        let g = group(&refs, 60, &|_| 1.0, Params::default());
        assert_eq!(g.groups.len(), 2, "{g:?}");
        assert_eq!(g.groups[0].members.len(), 20);
        assert!(g.groups[0].members.iter().all(|&m| m % 2 == 0));
        assert_eq!(g.ungrouped, [40]);
    }

    #[test]
    fn nothing_to_group() {
        let g = group(&[], 0, &|_| 1.0, Params::default());
        assert!(g.groups.is_empty() && g.ungrouped.is_empty());
    }
}
