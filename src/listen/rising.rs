//! Rising terms: how many messages of the latest week hold each term, against the
//! messages before it, tested with Dunning's log-likelihood ratio.
//!
//! The latest week is only known at the end, and messages need not come in time
//! order, so each term keeps its total and a ring of the last [`WINDOW`] days' counts
//! (relative to the newest day seen); when the newest day moves on, days that fall out
//! of the ring are forgotten (their messages stay in the totals). Memory: one count per
//! term, plus a ring and up to [`EXAMPLES`] examples per term of the latest week.

use super::terms::{TermId, Vocabulary};
use crate::text::FastMap;

/// Days in the latest period.
pub(crate) const WINDOW: usize = 7;

/// Examples kept per term of the latest week.
pub(crate) const EXAMPLES: usize = 3;

#[derive(Debug, Default)]
struct Recent {
    days: [u32; WINDOW],
    /// `(day, text)`, at most [`EXAMPLES`].
    examples: Vec<(i32, Box<str>)>,
}

/// Counts of messages holding each term, overall and per recent day.
#[derive(Debug, Default)]
pub(crate) struct RisingCounter {
    newest: Option<i32>,
    oldest: Option<i32>,
    totals: Vec<u32>,
    recent: FastMap<TermId, Recent>,
    messages: u64,
    recent_days: [u64; WINDOW],
}

fn slot(day: i32) -> usize {
    day.rem_euclid(WINDOW as i32) as usize
}

/// A rising term before rendering.
#[derive(Debug)]
pub(crate) struct Rise {
    pub(crate) term: TermId,
    pub(crate) recent: u64,
    pub(crate) earlier: u64,
    pub(crate) g2: f64,
    pub(crate) examples: Vec<Box<str>>,
}

/// The outcome of the test.
#[derive(Debug, Default)]
pub(crate) struct Rises {
    /// First and last day of the latest week; `None` when the history is too short.
    pub(crate) window: Option<(i32, i32)>,
    pub(crate) recent_messages: u64,
    pub(crate) earlier_messages: u64,
    pub(crate) terms: Vec<Rise>,
}

/// Dunning's G² for `a` of `n1` against `b` of `n2`.
pub(crate) fn g2(a: u64, n1: u64, b: u64, n2: u64) -> f64 {
    let (a, b) = (a.min(n1), b.min(n2));
    let without = (n1 + n2 - a - b) as f64;
    let cells = [
        (a as f64, n1 as f64, (a + b) as f64),
        ((n1 - a) as f64, n1 as f64, without),
        (b as f64, n2 as f64, (a + b) as f64),
        ((n2 - b) as f64, n2 as f64, without),
    ];
    let total = (n1 + n2) as f64;
    if total == 0.0 {
        return 0.0;
    }
    2.0 * cells
        .iter()
        .map(|&(observed, row, column)| {
            let expected = row * column / total;
            if observed > 0.0 && expected > 0.0 {
                observed * (observed / expected).ln()
            } else {
                0.0
            }
        })
        .sum::<f64>()
}

impl RisingCounter {
    fn advance(&mut self, day: i32) {
        let Some(newest) = self.newest else {
            self.newest = Some(day);
            return;
        };
        if day <= newest {
            return;
        }
        let gone = i64::from(day) - i64::from(newest);
        let clear: Vec<usize> = if gone >= WINDOW as i64 {
            (0..WINDOW).collect()
        } else {
            (newest + 1..=day).map(slot).collect()
        };
        for &s in &clear {
            if let Some(d) = self.recent_days.get_mut(s) {
                *d = 0;
            }
        }
        let first_kept = day - WINDOW as i32 + 1;
        self.recent.retain(|_, r| {
            for &s in &clear {
                if let Some(d) = r.days.get_mut(s) {
                    *d = 0;
                }
            }
            r.examples.retain(|(d, _)| *d >= first_kept);
            r.days.iter().any(|&d| d > 0)
        });
        self.newest = Some(day);
    }

    /// Counts a message with a time (its day) and its terms.
    pub(crate) fn add(&mut self, day: i32, terms: &[TermId], text: &str) {
        self.advance(day);
        self.messages += 1;
        self.oldest = Some(self.oldest.map_or(day, |o| o.min(day)));
        for t in terms {
            if self.totals.len() <= t.index() {
                self.totals.resize(t.index() + 1, 0);
            }
            if let Some(c) = self.totals.get_mut(t.index()) {
                *c += 1;
            }
        }
        let newest = self.newest.unwrap_or(day);
        if day <= newest - WINDOW as i32 {
            return;
        }
        if let Some(d) = self.recent_days.get_mut(slot(day)) {
            *d += 1;
        }
        // Made when a term first needs an example.
        let mut example: Option<Box<str>> = None;
        for &t in terms {
            let r = self.recent.entry(t).or_default();
            if let Some(d) = r.days.get_mut(slot(day)) {
                *d += 1;
            }
            if r.examples.len() >= EXAMPLES {
                continue;
            }
            let example = example.get_or_insert_with(|| super::shorten(text));
            // Distinct examples only (the same message is often sent many times).
            if r.examples.iter().all(|(_, e)| e != example) {
                r.examples.push((day, example.clone()));
            }
        }
    }

    /// Terms of the latest week at or above `bar` (G²) and in at least `min_count`
    /// messages, rising at least twofold, most significant first.
    pub(crate) fn rises(&self, bar: f64, min_count: u64, vocabulary: &Vocabulary) -> Rises {
        let (Some(newest), Some(oldest)) = (self.newest, self.oldest) else {
            return Rises::default();
        };
        if i64::from(newest) - i64::from(oldest) + 1 < 2 * WINDOW as i64 {
            return Rises::default();
        }
        let recent_messages: u64 = self.recent_days.iter().sum();
        let earlier_messages = self.messages.saturating_sub(recent_messages);
        let mut terms = Vec::new();
        for (&term, r) in &self.recent {
            let recent: u64 = r.days.iter().map(|&d| u64::from(d)).sum();
            let total = self.totals.get(term.index()).map_or(0, |&c| u64::from(c));
            let earlier = total.saturating_sub(recent);
            if recent < min_count || recent_messages == 0 || earlier_messages == 0 {
                continue;
            }
            let recent_rate = recent as f64 / recent_messages as f64;
            // Half a message's worth of smoothing, so a term new this week can rise.
            let earlier_rate = (earlier as f64 + 0.5) / earlier_messages as f64;
            if recent_rate < 2.0 * earlier_rate {
                continue;
            }
            let g2 = g2(recent, recent_messages, earlier, earlier_messages);
            if g2 >= bar {
                terms.push(Rise {
                    term,
                    recent,
                    earlier,
                    g2,
                    examples: r.examples.iter().map(|(_, t)| t.clone()).collect(),
                });
            }
        }
        // Ties go to phrases, which then cover their words.
        terms.sort_by(|a, b| {
            b.g2.total_cmp(&a.g2)
                .then_with(|| {
                    let phrase = |t: TermId| vocabulary.parts(t).is_some();
                    phrase(b.term).cmp(&phrase(a.term))
                })
                .then_with(|| vocabulary.shown(a.term).cmp(vocabulary.shown(b.term)))
        });
        Rises {
            window: Some((newest - WINDOW as i32 + 1, newest)),
            recent_messages,
            earlier_messages,
            terms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g2_is_zero_for_equal_rates_and_grows_with_the_difference() {
        assert!(g2(10, 100, 100, 1000).abs() < 1e-9);
        assert!(g2(30, 100, 100, 1000) > 20.0);
        assert_eq!(g2(0, 0, 0, 0), 0.0);
    }

    #[test]
    fn days_falling_out_of_the_week_are_forgotten() {
        let v = Vocabulary::new(crate::text::Language::english());
        let mut c = RisingCounter::default();
        let t = [TermId(0)];
        for day in 0..30 {
            c.add(day, &t, "x");
        }
        for _ in 0..40 {
            c.add(29, &[TermId(0), TermId(1)], "the new thing");
        }
        let r = c.rises(10.0, 5, &v);
        assert_eq!(r.window, Some((23, 29)));
        assert_eq!(r.recent_messages, 47);
        assert_eq!(r.earlier_messages, 23);
        assert_eq!(r.terms.len(), 1);
        assert_eq!(r.terms[0].term, TermId(1));
        assert_eq!((r.terms[0].recent, r.terms[0].earlier), (40, 0));
    }
}
