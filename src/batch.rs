//! Work over many items at once: on every core with the `parallel` feature (rayon's
//! work-stealing pool), on the calling thread without. Results come back in input
//! order either way, so what is computed never depends on the feature or on the
//! number of threads; only how long it takes does.
//!
//! The one owner of that choice: [`Engine::suggest_batch`], `eval`, and the listening
//! report's clustering all go through [`map_each`].

use crate::{Engine, Message, Outcome};

/// `f` over `items` with a state made by `init` for each worker (a scratch buffer
/// reused from one item to the next), in order: on rayon's pool with the `parallel`
/// feature, on this thread without. `f` is also given the item's index.
#[cfg(feature = "parallel")]
pub(crate) fn map_each<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize, &T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    items
        .par_iter()
        .enumerate()
        .map_init(init, |s, (i, t)| f(s, i, t))
        .collect()
}

/// `f` over `items` with a state made by `init`, in order, on this thread (the
/// `parallel` feature is off).
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_each<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize, &T) -> R + Sync + Send,
) -> Vec<R> {
    let mut state = init();
    items
        .iter()
        .enumerate()
        .map(|(i, t)| f(&mut state, i, t))
        .collect()
}

/// `f` over `items`, in order (see [`map_each`]).
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    map_each(items, || (), |(), _, t| f(t))
}

impl Engine {
    /// [`suggest`](Engine::suggest) for every message, the outcomes in the messages'
    /// order: on every core with the `parallel` feature, on this thread without. The
    /// outcomes are exactly those of calling `suggest` on each message in turn (the
    /// engine keeps no state between messages; conversation state is
    /// [`suggest_with`](Engine::suggest_with)'s, which has no batch form because each
    /// message may depend on the one before).
    ///
    /// For replaying a history, evaluating a labelled file or comparing two rule sets;
    /// a service answering one message at a time calls `suggest`.
    ///
    /// ```
    /// use replykit::{Decision, Engine, Message, RuleSet};
    ///
    /// let rules = RuleSet::from_toml("bins.toml", r#"
    ///     [[rule]]
    ///     id = "bin-day"
    ///     when.any = ["bin day"]
    ///     reply = "See the bins page."
    /// "#)?;
    /// let engine = Engine::new(&rules)?;
    /// let messages = [Message::new("when is bin day?"), Message::new("hello")];
    /// let outcomes = engine.suggest_batch(&messages);
    /// assert_eq!(outcomes.len(), 2);
    /// assert_eq!(outcomes[0].top().map(|s| s.id.as_str()), Some("bin-day"));
    /// assert_eq!(outcomes[1].decision, Decision::NoAnswer);
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn suggest_batch(&self, messages: &[Message]) -> Vec<Outcome> {
        map(messages, |m| self.suggest(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order_and_each_worker_reuses_its_state() {
        let items: Vec<usize> = (0..10_000).collect();
        let out = map_each(&items, Vec::new, |seen: &mut Vec<usize>, i, &x| {
            seen.push(x);
            (i, x * 2, seen.len())
        });
        assert!(out
            .iter()
            .enumerate()
            .all(|(k, &(i, x2, _))| i == k && x2 == 2 * k));
        // Some worker handled more than one item with the same state.
        assert!(out.iter().any(|&(_, _, len)| len > 1));
        assert_eq!(map(&items, |x| x + 1).last(), Some(&10_000));
    }
}
