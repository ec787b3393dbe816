//! The regex prefilter: every rule pattern, widened, in one set.
//!
//! Running each rule's pattern on every message would cost one scan per pattern. The
//! patterns instead go into one [`RegexSet`], which finds in one scan which of them
//! can match; only those rules' own patterns then run, for their captures.
//!
//! Unicode word boundaries (`\b`) stop the regex crate's fast DFA engines at the first
//! non-ASCII byte of a message, sending the whole set to its slowest engine (a "£" or
//! "–" in a message made the set hundreds of times slower). The set is therefore
//! built from *widened* patterns, with word-boundary assertions removed: a widened
//! pattern matches wherever the original does (and sometimes where it does not), so
//! the set is a sound prefilter, and each candidate's exact pattern decides.

use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};

/// The most bytes the combined prefilter set may compile to (256 MiB).
pub const MAX_REGEX_SET_BYTES: usize = 256 << 20;

/// The lazy DFA cache for the set, per thread using it (16 MiB): big enough that a few
/// hundred patterns do not thrash it.
const DFA_CACHE_BYTES: usize = 16 << 20;

fn is_word_boundary(look: Look) -> bool {
    !matches!(
        look,
        Look::Start | Look::End | Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF
    )
}

/// The pattern with every word-boundary assertion replaced by "always".
fn widen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(look) if is_word_boundary(*look) => Hir::empty(),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(widen(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(widen(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(widen).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(widen).collect()),
        _ => hir.clone(),
    }
}

/// The widened form of a (case-insensitive) rule pattern, as a pattern for the set.
fn widened_pattern(pattern: &str) -> String {
    let parsed = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(pattern);
    match parsed {
        Ok(hir) => widen(&hir).to_string(),
        // Patterns were compiled at load time, so this does not happen; the original
        // pattern (case-insensitive) is a correct, if slower, fallback.
        Err(_) => format!("(?i:{pattern})"),
    }
}

/// Builds the prefilter set for the patterns.
pub(crate) fn build(patterns: &[String]) -> Result<RegexSet, String> {
    let widened: Vec<String> = patterns.iter().map(|p| widened_pattern(p)).collect();
    RegexSetBuilder::new(&widened)
        .size_limit(MAX_REGEX_SET_BYTES)
        .dfa_size_limit(DFA_CACHE_BYTES)
        .build()
        .map_err(|e| format!("the rules' regular expressions together are too big to compile: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_drops_word_boundaries_only() {
        let set = build(&[
            r"\border\s*#?(?P<order>\d{6,})\b".to_string(),
            r"^hello$".to_string(),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(set.is_match("ORDER 1234567"));
        assert!(set.is_match("reorder 1234567")); // wider than the original
        assert!(set.is_match("£5 – order #123456"));
        assert!(!set.is_match("order 12"));
        assert!(set.is_match("Hello"));
        assert!(!set.is_match("say hello"));
    }
}
