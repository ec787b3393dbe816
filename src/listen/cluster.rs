//! Grouping messages that nothing answers, without being told how many groups there
//! are.
//!
//! Each message is a sparse TF-IDF vector over its stems and stem pairs (binary term
//! frequency; the IDF is taken over the messages being grouped; stems in only one
//! message are dropped, as they make no message closer to another). Then:
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
//! 5. **Splitting** ([`Params::splits`] levels): each group of at least twice
//!    `min_size` messages is grouped again by steps 1 to 4, with the IDF taken over
//!    its own messages — so the words all of them share ("top up") weigh little and
//!    the words that tell them apart ("limit", "cheque", "reverted") decide. The
//!    group is replaced by its parts when at least two parts reach `min_size` and
//!    those parts hold at least half of its messages; otherwise it stays whole (a
//!    group about one thing breaks into crumbs smaller than `min_size`).
//! 6. **Merging again** ([`Params::regroup`], when set): groups whose centroids, in the
//!    whole set's terms, are at least that similar are merged, most similar first (as
//!    in step 3), so that the sub-phrasings of one topic that splitting or the leader
//!    pass left apart come together (on CLINC150's dev split, four clusters of "what
//!    is my interest rate" phrasings). The level is read off the rule set's own FAQ
//!    (`granularity`).
//!
//! The number of groups comes out of the thresholds. The cost is linear in the number
//! of messages times the groups that share a stem with each, once per splitting
//! level; 100,000 short messages take a few seconds on one core (see
//! `benches/listen.rs`). With the `parallel` feature, the per-message steps
//! (refinement, stragglers) and the splitting of different groups run on rayon's
//! pool; the result is the same. The vectors are built on one thread, into one array.

use super::terms::TermId;
use crate::batch::map_each;
use crate::text::FastMap;

/// The most rounds of agglomeration (each merges a group at most once).
const MAX_MERGE_ROUNDS: usize = 16;

/// The most stems a centroid keeps for refinement and agglomeration.
pub(crate) const CENTROID_TERMS: usize = 96;

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
    /// Levels of splitting (step 5 of the module docs).
    pub(crate) splits: usize,
    /// Groups merge again at this similarity of their centroids in the whole set's
    /// terms, after splitting (step 6 of the module docs); `None`: not at all.
    pub(crate) regroup: Option<f32>,
}

impl Default for Params {
    fn default() -> Params {
        // Chosen on the development splits of `scripts/listen_quality.py --dev`
        // (README, "Listening", says what each gave): a lower `join` gives larger,
        // less pure clusters; `attach` 0.1 (was 0.2) puts fewer messages in "other";
        // two levels of splitting (was none) break up clusters held together by one
        // shared phrase; 96 centroid terms (was 48) helped a little; `keep` and
        // `merge` barely matter between 0.4 and 0.6.
        Params {
            join: 0.3,
            keep: 0.1,
            merge: 0.5,
            rounds: 3,
            min_size: 5,
            attach: 0.1,
            splits: 2,
            regroup: None,
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

/// A term's weight before IDF (stems and stem pairs alike, in the report).
pub(crate) type Scale<'a> = &'a (dyn Fn(TermId) -> f32 + Sync);

/// Dense ids for the terms of `docs` (0, 1, … in order of first use, for terms in at
/// least two of them), so that the work on a few messages is sized by their own
/// terms, not by the whole vocabulary.
fn dense(docs: &[&[TermId]]) -> FastMap<TermId, u32> {
    // Each term's document count and order of first use, in one pass.
    let mut seen: FastMap<TermId, (u32, u32)> = FastMap::default();
    for doc in docs {
        for &t in doc.iter() {
            let next = seen.len() as u32;
            seen.entry(t).or_insert((0, next)).0 += 1;
        }
    }
    let mut shared: Vec<(u32, TermId)> = seen
        .into_iter()
        .filter(|&(_, (df, _))| df >= 2)
        .map(|(t, (_, first))| (first, t))
        .collect();
    shared.sort_unstable();
    shared
        .into_iter()
        .enumerate()
        .map(|(i, (_, t))| (t, i as u32))
        .collect()
}

/// The messages' TF-IDF vectors over dense ids, unit length (empty for a message with
/// no shared stem), one after another in one array: one allocation for all of them
/// rather than one per message, which at hundreds of thousands of messages is most of
/// the clustering's memory.
struct Vectors {
    /// Message `i`'s vector is `entries[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    entries: Vec<(u32, f32)>,
    /// The number of dense term ids: every entry's id is below it.
    terms: usize,
}

impl Vectors {
    fn new(docs: &[&[TermId]], ids: &FastMap<TermId, u32>, scale: Scale) -> Vectors {
        let mut df = vec![0u32; ids.len()];
        let mut starts = Vec::with_capacity(docs.len() + 1);
        starts.push(0);
        // Each shared term's scale first, multiplied by its IDF once every count is in.
        let mut entries = Vec::with_capacity(docs.iter().map(|d| d.len()).sum());
        for doc in docs {
            for t in doc.iter() {
                if let Some(&i) = ids.get(t) {
                    if let Some(d) = df.get_mut(i as usize) {
                        *d += 1;
                        entries.push((i, scale(*t)));
                    }
                }
            }
            starts.push(entries.len());
        }
        let n = docs.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        for w in starts.windows(2) {
            let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
                continue;
            };
            if let Some(v) = entries.get_mut(a..b) {
                for (i, x) in v.iter_mut() {
                    *x *= idf.get(*i as usize).copied().unwrap_or(1.0);
                }
                normalize(v);
            }
        }
        Vectors {
            starts,
            entries,
            terms: ids.len(),
        }
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Message `i`'s vector (empty beyond the last).
    fn get(&self, i: usize) -> &[(u32, f32)] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[(u32, f32)]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// `f` of each message's vector, on rayon's pool with the `parallel` feature.
    fn map_each<S, R: Send>(
        &self,
        init: impl Fn() -> S + Sync + Send,
        f: impl Fn(&mut S, usize, &[(u32, f32)]) -> R + Sync + Send,
    ) -> Vec<R> {
        let messages = self.starts.get(..self.len()).unwrap_or(&[]);
        map_each(messages, init, |state, i, _| f(state, i, self.get(i)))
    }
}

fn normalize(v: &mut [(u32, f32)]) {
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
    /// The groups touched, in order of first touch: `touched[..n]` of a call, the rest
    /// room written ahead (at most the groups and one list more).
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
    ///
    /// Every weight is positive and far above `f32`'s smallest (a message's TF-IDF
    /// weights, unit length; a centroid's, sums of its members' weights, unit length),
    /// so no product is zero and a group is touched exactly when its sum is not zero. Each entry's group is written to `touched` and kept only when
    /// its sum was zero: no branch on whether the group is new, which is about even
    /// odds and so often mispredicted.
    fn best<'p>(
        &mut self,
        v: &[(u32, f32)],
        postings: impl Fn(u32) -> &'p [(u32, f32)],
        groups: usize,
        norm: impl Fn(u32) -> f32,
        skip: Option<u32>,
    ) -> Option<(u32, f32)> {
        if self.acc.len() < groups {
            self.acc.resize(groups, 0.0);
        }
        let mut n = 0;
        for &(t, w) in v {
            let list = postings(t);
            // Room for every entry of this list beyond the groups already touched.
            let room = n + list.len();
            if self.touched.len() < room {
                self.touched.resize(room, 0);
            }
            let touched = self.touched.get_mut(n..room).unwrap_or(&mut []);
            let mut k = 0;
            for &(g, gw) in list {
                if let Some(a) = self.acc.get_mut(g as usize) {
                    if let Some(slot) = touched.get_mut(k) {
                        *slot = g;
                    }
                    k += usize::from(*a == 0.0);
                    *a += w * gw;
                }
            }
            n += k;
        }
        let touched = self.touched.get(..n).unwrap_or(&[]);
        let mut best: Option<(u32, f32)> = None;
        for &g in touched {
            let a = self.acc.get(g as usize).copied().unwrap_or(0.0);
            if Some(g) != skip {
                let s = a / norm(g);
                // Ties go to the older (lower-numbered) group.
                if best.is_none_or(|(bg, bs)| s > bs || (s == bs && g < bg)) {
                    best = Some((g, s));
                }
            }
        }
        for &g in touched {
            if let Some(a) = self.acc.get_mut(g as usize) {
                *a = 0.0;
            }
        }
        best
    }
}

/// Leader pass: groups by first arrival; returns each message's group (or `None`).
fn leaders(vectors: &Vectors, vocabulary: usize, join: f32) -> Vec<Option<u32>> {
    // term → (group, summed weight); per group, term → position in that posting list.
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocabulary];
    let mut positions: Vec<FastMap<u32, u32>> = Vec::new();
    let mut norms2: Vec<f32> = Vec::new();
    // `norms2`'s square roots (at least 1e-9), kept beside it rather than taken for
    // every group a message touches.
    let mut norms: Vec<f32> = Vec::new();
    let mut scores = Scores::new();
    let mut assigned = Vec::with_capacity(vectors.len());
    for v in vectors.iter() {
        if v.is_empty() {
            assigned.push(None);
            continue;
        }
        let best = scores.best(
            v,
            |t| postings.get(t as usize).map_or(&[][..], Vec::as_slice),
            norms2.len(),
            |g| norms.get(g as usize).copied().unwrap_or(1.0),
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
                norms.push(0.0f32.sqrt().max(1e-9));
                ((positions.len() - 1) as u32, 0.0)
            }
        };
        if let (Some(pos), Some(n2)) = (
            positions.get_mut(group as usize),
            norms2.get_mut(group as usize),
        ) {
            *n2 += 2.0 * dot + 1.0;
            if let Some(n) = norms.get_mut(group as usize) {
                *n = n2.sqrt().max(1e-9);
            }
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
///
/// Each group's members are taken in message order (a counting sort) and summed into
/// one dense array, so that each term's weights are added in the same order as one
/// message after another would add them.
fn centroids(vectors: &Vectors, assigned: &[Option<u32>], groups: usize) -> Vec<Vector> {
    centroids_where(vectors, assigned, groups, |_| true)
}

/// [`centroids`] of the groups `wanted` accepts; the others' are left empty.
fn centroids_where(
    vectors: &Vectors,
    assigned: &[Option<u32>],
    groups: usize,
    wanted: impl Fn(usize) -> bool,
) -> Vec<Vector> {
    // `starts[g]..starts[g + 1]` of `order` are group `g`'s members.
    let mut starts = vec![0usize; groups + 1];
    for g in assigned.iter().flatten() {
        if let Some(s) = starts.get_mut(*g as usize + 1) {
            *s += 1;
        }
    }
    for g in 1..starts.len() {
        let before = starts.get(g - 1).copied().unwrap_or(0);
        if let Some(s) = starts.get_mut(g) {
            *s += before;
        }
    }
    let mut next = starts.clone();
    let mut order = vec![0usize; starts.last().copied().unwrap_or(0)];
    for (i, g) in assigned.iter().enumerate() {
        let Some(at) = g.and_then(|g| next.get_mut(g as usize)) else {
            continue;
        };
        if let Some(slot) = order.get_mut(*at) {
            *slot = i;
        }
        *at += 1;
    }
    let mut sum = vec![0.0f32; vectors.terms];
    // The group that last touched each term: it is in `touched` when that is this one.
    let mut seen = vec![u32::MAX; vectors.terms];
    let mut touched: Vec<u32> = Vec::new();
    (0..groups)
        .map(|g| {
            let members = match (starts.get(g), starts.get(g + 1)) {
                (Some(&a), Some(&b)) if wanted(g) => order.get(a..b).unwrap_or(&[]),
                _ => &[],
            };
            for &m in members {
                for &(t, w) in vectors.get(m) {
                    if let (Some(s), Some(by)) = (sum.get_mut(t as usize), seen.get_mut(t as usize))
                    {
                        if *by != g as u32 {
                            *by = g as u32;
                            *s = 0.0;
                            touched.push(t);
                        }
                        *s += w;
                    }
                }
            }
            let mut c: Vector = touched
                .drain(..)
                .map(|t| (t, sum.get(t as usize).copied().unwrap_or(0.0)))
                .collect();
            c.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            c.truncate(CENTROID_TERMS);
            normalize(&mut c);
            c
        })
        .collect()
}

/// The centroids' inverted index: term → (group, weight), each term's list in group
/// order, all lists in one array.
struct Index {
    /// Term `t`'s list is `entries[starts[t]..starts[t + 1]]`.
    starts: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl Index {
    fn new(centroids: &[Vector], vocabulary: usize) -> Index {
        // Each term's list length, then where each list starts (a counting sort).
        let mut starts = vec![0usize; vocabulary + 1];
        for &(t, _) in centroids.iter().flatten() {
            if let Some(s) = starts.get_mut(t as usize + 1) {
                *s += 1;
            }
        }
        let mut total = 0usize;
        for s in starts.iter_mut() {
            total += *s;
            *s = total;
        }
        let mut next = starts.clone();
        let mut entries = vec![(0u32, 0.0f32); total];
        for (g, c) in centroids.iter().enumerate() {
            for &(t, w) in c {
                if let Some(at) = next.get_mut(t as usize) {
                    if let Some(slot) = entries.get_mut(*at) {
                        *slot = (g as u32, w);
                    }
                    *at += 1;
                }
            }
        }
        Index { starts, entries }
    }

    /// Term `t`'s list (empty for a term beyond the vocabulary).
    fn list(&self, t: u32) -> &[(u32, f32)] {
        match (self.starts.get(t as usize), self.starts.get(t as usize + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// One refinement round: each message to its most similar centroid, or none.
fn reassign(
    vectors: &Vectors,
    centroids: &[Vector],
    vocabulary: usize,
    keep: f32,
) -> Vec<Option<(u32, f32)>> {
    let postings = Index::new(centroids, vocabulary);
    vectors.map_each(Scores::new, |scores, _, v| {
        scores
            .best(v, |t| postings.list(t), centroids.len(), |_| 1.0, None)
            .filter(|&(_, s)| s >= keep)
    })
}

/// Renumbers groups densely (dropping empty ones), in order of first member.
fn compact(assigned: &mut [Option<u32>]) -> usize {
    renumber(assigned).len()
}

/// [`compact`], giving each new group's old number.
fn renumber(assigned: &mut [Option<u32>]) -> Vec<u32> {
    // One slot per group number, up to the largest.
    let bound = assigned.iter().flatten().map(|&g| g as usize + 1).max();
    let mut new = vec![u32::MAX; bound.unwrap_or(0)];
    let mut old = Vec::new();
    for g in assigned.iter_mut().flatten() {
        if let Some(n) = new.get_mut(*g as usize) {
            if *n == u32::MAX {
                *n = old.len() as u32;
                old.push(*g);
            }
            *g = *n;
        }
    }
    old
}

/// Agglomeration rounds at `merge` until nothing merges (at most
/// [`MAX_MERGE_ROUNDS`]), renumbering the groups after each ([`compact`]); `c` holds
/// the groups' centroids before and after. After a round only the groups that grew
/// are summed again: the others have the same members, so the same centroid.
fn merge_rounds(
    vectors: &Vectors,
    assigned: &mut [Option<u32>],
    c: &mut Vec<Vector>,
    vocabulary: usize,
    merge: f32,
) {
    for _ in 0..MAX_MERGE_ROUNDS {
        let grew = agglomerate(assigned, c, vocabulary, merge);
        let old = renumber(assigned);
        let grown: Vec<bool> = old.iter().map(|g| grew.binary_search(g).is_ok()).collect();
        let mut fresh = centroids_where(vectors, assigned, old.len(), |g| {
            grown.get(g).copied().unwrap_or(true)
        });
        for (g, centroid) in fresh.iter_mut().enumerate() {
            if !grown.get(g).copied().unwrap_or(true) {
                if let Some(kept) = old.get(g).and_then(|&o| c.get_mut(o as usize)) {
                    std::mem::swap(centroid, kept);
                }
            }
        }
        *c = fresh;
        if grew.is_empty() {
            return;
        }
    }
}

/// One agglomeration round: merges the most similar pairs of centroids at or above
/// `merge`, each group at most once. Returns the groups that took another in, in
/// order (none when nothing merged).
fn agglomerate(
    assigned: &mut [Option<u32>],
    centroids: &[Vector],
    vocabulary: usize,
    merge: f32,
) -> Vec<u32> {
    let postings = Index::new(centroids, vocabulary);
    let best = map_each(centroids, Scores::new, |scores, g, c| {
        let lists = |t| postings.list(t);
        scores.best(c, lists, centroids.len(), |_| 1.0, Some(g as u32))
    });
    let mut pairs: Vec<(f32, u32, u32)> = Vec::new();
    for (g, best) in best.into_iter().enumerate() {
        let g = g as u32;
        if let Some((other, s)) = best.filter(|&(_, s)| s >= merge) {
            pairs.push((s, g.min(other), g.max(other)));
        }
    }
    pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    pairs.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    let mut into: Vec<Option<u32>> = vec![None; centroids.len()];
    let mut used = vec![false; centroids.len()];
    let mut grew = Vec::new();
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
            grew.push(a);
        }
    }
    for g in assigned.iter_mut().flatten() {
        if let Some(&Some(target)) = into.get(*g as usize) {
            *g = target;
        }
    }
    grew.sort_unstable();
    grew
}

/// Breaks up the groups smaller than `params.min_size`: each of their messages (and
/// each message in no group) joins the most similar larger group at `params.attach`.
fn attach_stragglers(
    vectors: &Vectors,
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
    let postings = Index::new(&c, vocabulary);
    let current: &[Option<u32>] = assigned;
    let attached = vectors.map_each(Scores::new, |scores, i, v| {
        if current.get(i).copied().flatten().is_some_and(large) {
            return None;
        }
        scores
            .best(v, |t| postings.list(t), c.len(), |_| 1.0, None)
            .filter(|&(_, sim)| sim >= params.attach)
    });
    for ((a, s), found) in assigned.iter_mut().zip(similarity.iter_mut()).zip(attached) {
        if let Some((g, sim)) = found {
            *a = Some(g);
            *s = sim;
        }
    }
}

/// Groups the documents (each its term ids, each once): steps 1 to 5 of the module
/// docs.
pub(crate) fn group(docs: &[&[TermId]], scale: Scale, params: Params) -> Grouping {
    let grouping = split_group(docs, scale, params);
    match params.regroup {
        Some(at) => regroup(docs, scale, &grouping, &[at])
            .pop()
            .unwrap_or(grouping),
        None => grouping,
    }
}

/// Step 6 of the module docs at each of `levels` (highest first), one grouping per
/// level: the groups of `grouping` whose centroids, in the terms of all of `docs`,
/// are at least that similar are merged, most similar first, each level going on from
/// the one before. The messages in no group stay there.
pub(crate) fn regroup(
    docs: &[&[TermId]],
    scale: Scale,
    grouping: &Grouping,
    levels: &[f32],
) -> Vec<Grouping> {
    // The whole set's vectors again, as the first `group_once` built them: keeping those
    // through the splitting would hold them at the clustering's peak of memory.
    let ids = dense(docs);
    let vocabulary = ids.len();
    let vectors = Vectors::new(docs, &ids, scale);
    drop(ids);
    let mut assigned: Vec<Option<u32>> = vec![None; docs.len()];
    for (g, group) in grouping.groups.iter().enumerate() {
        for &m in &group.members {
            if let Some(a) = assigned.get_mut(m) {
                *a = Some(g as u32);
            }
        }
    }
    let mut groups = grouping.groups.len();
    let mut c = centroids(&vectors, &assigned, groups);
    let mut out = Vec::with_capacity(levels.len());
    for &merge in levels {
        merge_rounds(&vectors, &mut assigned, &mut c, vocabulary, merge);
        groups = c.len();
        // Each message's similarity to its group's centroid, so that the closest
        // come first, as in `group_once`.
        let weights: Vec<FastMap<u32, f32>> =
            c.iter().map(|c| c.iter().copied().collect()).collect();
        let similarity: Vec<f32> = assigned
            .iter()
            .enumerate()
            .map(|(i, g)| match g.and_then(|g| weights.get(g as usize)) {
                Some(w) => vectors
                    .get(i)
                    .iter()
                    .filter_map(|(t, v)| w.get(t).map(|cw| v * cw))
                    .sum(),
                None => 0.0,
            })
            .collect();
        out.push(grouping_of(&assigned, &similarity, groups));
    }
    out
}

fn split_group(docs: &[&[TermId]], scale: Scale, params: Params) -> Grouping {
    let whole = group_once(docs, scale, params);
    if params.splits == 0 {
        return whole;
    }
    let deeper = Params {
        splits: params.splits - 1,
        ..params
    };
    let parts = map_each(
        &whole.groups,
        || (),
        |_, _, g| {
            if g.members.len() < 2 * params.min_size {
                return None;
            }
            let own: Vec<&[TermId]> = g
                .members
                .iter()
                .filter_map(|&m| docs.get(m).copied())
                .collect();
            let parts = split_group(&own, scale, deeper);
            let large = parts
                .groups
                .iter()
                .filter(|p| p.members.len() >= params.min_size);
            let (count, held) = large.fold((0, 0), |(c, h), p| (c + 1, h + p.members.len()));
            (count >= 2 && 2 * held >= g.members.len()).then_some(parts)
        },
    );
    let mut out = Grouping {
        groups: Vec::new(),
        ungrouped: whole.ungrouped,
    };
    for (g, parts) in whole.groups.into_iter().zip(parts) {
        let Some(parts) = parts else {
            out.groups.push(g);
            continue;
        };
        // Back from indices into the group to indices into `docs`.
        let back = |i: &usize| g.members.get(*i).copied();
        out.ungrouped
            .extend(parts.ungrouped.iter().filter_map(back));
        for p in parts.groups {
            out.groups.push(Group {
                members: p.members.iter().filter_map(back).collect(),
            });
        }
    }
    out.ungrouped.sort_unstable();
    largest_first(&mut out.groups);
    out
}

fn largest_first(groups: &mut [Group]) {
    // Each group's first member found once, not at each comparison.
    groups.sort_by_cached_key(|g| {
        (
            std::cmp::Reverse(g.members.len()),
            g.members.iter().min().copied(),
        )
    });
}

/// Steps 1 to 4 of the module docs.
fn group_once(docs: &[&[TermId]], scale: Scale, params: Params) -> Grouping {
    let ids = dense(docs);
    let vocabulary = ids.len();
    let vectors = Vectors::new(docs, &ids, scale);
    drop(ids);
    let mut assigned = leaders(&vectors, vocabulary, params.join);
    let mut groups = compact(&mut assigned);
    let mut similarity: Vec<f32> = vec![0.0; vectors.len()];
    // Refinement rounds from `c`, the centroids of the groups as they are; gives the
    // number of groups after.
    //
    // `c` is always the centroids of `assigned` as it stands (given so, or summed at
    // the start of a round), so a round that leaves every message where it was ends
    // the refinement: the next would sum the same centroids and assign the same, bit
    // for bit.
    let mut before: Vec<Option<u32>> = Vec::new();
    let mut refine = |assigned: &mut Vec<Option<u32>>, mut c: Vec<Vector>, rounds: usize| {
        let mut groups = c.len();
        for round in 0..rounds {
            if round > 0 {
                c = centroids(&vectors, assigned, groups);
            }
            before.clone_from(assigned);
            let next = reassign(&vectors, &c, vocabulary, params.keep);
            for ((a, s), n) in assigned.iter_mut().zip(similarity.iter_mut()).zip(next) {
                *a = n.map(|(g, _)| g);
                *s = n.map_or(0.0, |(_, s)| s);
            }
            groups = compact(assigned);
            if *assigned == before {
                break;
            }
        }
        groups
    };
    let c = centroids(&vectors, &assigned, groups);
    groups = refine(&mut assigned, c, params.rounds);
    // `refine` left the groups numbered in order of first member, so renumbering
    // after a round that merges nothing changes nothing.
    let mut c = centroids(&vectors, &assigned, groups);
    merge_rounds(&vectors, &mut assigned, &mut c, vocabulary, params.merge);
    // `merge_rounds` leaves `c` as the centroids of the groups it leaves.
    groups = refine(&mut assigned, c, 1);
    attach_stragglers(
        &vectors,
        &mut assigned,
        &mut similarity,
        groups,
        vocabulary,
        params,
    );
    grouping_of(&assigned, &similarity, groups)
}

/// The grouping that `assigned` (each message's group, of `groups`) describes: each
/// group's members closest to its centroid (`similarity`) first, the largest groups
/// first, and the messages in none.
fn grouping_of(assigned: &[Option<u32>], similarity: &[f32], groups: usize) -> Grouping {
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
            // Members are distinct, so this order is total: an unstable sort gives it.
            m.sort_unstable_by(|&a, &b| {
                let (sa, sb) = (
                    similarity.get(a).copied().unwrap_or(0.0),
                    similarity.get(b).copied().unwrap_or(0.0),
                );
                sb.total_cmp(&sa).then(a.cmp(&b))
            });
            Group { members: m }
        })
        .collect();
    largest_first(&mut groups);
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
        let g = group(&refs, &|_| 1.0, Params::default());
        assert_eq!(g.groups.len(), 2, "{g:?}");
        assert_eq!(g.groups[0].members.len(), 20);
        assert!(g.groups[0].members.iter().all(|&m| m % 2 == 0));
        assert_eq!(g.ungrouped, [40]);
    }

    #[test]
    fn splitting_separates_topics_held_together_by_a_shared_phrase() {
        // 30 messages share terms 0..4 (as "top up" is shared by several BANKING77
        // intents), and each third adds three terms of its own; 60 more are about two
        // unrelated topics. Against the whole set, the shared terms are rare enough to
        // hold the 30 together (cosine 0.37 between thirds); among the 30, they are
        // common and the thirds fall apart (0.24, below `join`).
        let mut docs = Vec::new();
        for i in 0..30u32 {
            let own = 10 + 3 * (i % 3);
            docs.push(ids(&[0, 1, 2, 3, own, own + 1, own + 2]));
            docs.push(ids(&[40, 41, 42, 43]));
            docs.push(ids(&[50, 51, 52, 53]));
        }
        let refs: Vec<&[TermId]> = docs.iter().map(Vec::as_slice).collect();
        let shared = |g: &Grouping| -> Vec<usize> {
            let mut sizes: Vec<usize> = g
                .groups
                .iter()
                .filter(|g| g.members.iter().all(|&m| m % 3 == 0))
                .map(|g| g.members.len())
                .collect();
            sizes.sort_unstable();
            sizes
        };
        let whole = group(
            &refs,
            &|_| 1.0,
            Params {
                splits: 0,
                ..Params::default()
            },
        );
        assert_eq!(shared(&whole), [30], "{whole:?}");
        let split = group(&refs, &|_| 1.0, Params::default());
        assert_eq!(shared(&split), [10, 10, 10], "{split:?}");
        for g in &split.groups {
            let third = |m: usize| (m / 3) % 3;
            let first = g.members.first().map(|&m| (m % 3, third(m)));
            assert!(
                g.members
                    .iter()
                    .all(|&m| m % 3 != 0 || Some((0, third(m))) == first),
                "{g:?}"
            );
        }
        // The two unrelated topics stay whole.
        assert_eq!(split.groups.len(), 5, "{split:?}");
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn the_same_groups_on_one_thread_and_on_four() {
        // Seven topics of three words each, out of six per topic, picked by a
        // xorshift generator, with two words shared by all.
        let mut x: u32 = 12_345;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let docs: Vec<Vec<TermId>> = (0..700u32)
            .map(|i| {
                let topic = 10 * (i % 7);
                let mut d: Vec<u32> = (0..3).map(|_| topic + next() % 6).collect();
                d.extend([100, 101 + next() % 2]);
                d.sort_unstable();
                d.dedup();
                ids(&d)
            })
            .collect();
        let refs: Vec<&[TermId]> = docs.iter().map(Vec::as_slice).collect();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            let g = pool.install(|| group(&refs, &|_| 1.0, Params::default()));
            let groups: Vec<Vec<usize>> = g.groups.into_iter().map(|g| g.members).collect();
            (groups, g.ungrouped)
        };
        let one = on(1);
        assert!(one.0.len() >= 7, "{one:?}");
        assert_eq!(one, on(4));
    }

    #[test]
    fn nothing_to_group() {
        let g = group(&[], &|_| 1.0, Params::default());
        assert!(g.groups.is_empty() && g.ungrouped.is_empty());
    }
}
