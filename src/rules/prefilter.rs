//! The regex prefilter: which rule patterns can match a message, found in one pass.
//!
//! Running each rule's pattern on every message would cost one scan per pattern. The
//! prefilter instead finds, in one scan, the patterns that *can* match; only those run
//! in full (for their captures). It has two parts:
//!
//! * **Literals.** Most patterns must start with some literal text (`\border\s*\d+`
//!   starts with "order"). Those prefixes, for every such pattern, go into one
//!   Aho-Corasick automaton (ASCII case-insensitive), so a message is scanned once for
//!   all of them, whatever the number of patterns. Two letters fold to ASCII from
//!   outside it, as the regex crate folds them: `ſ` (U+017F) to `s` and the Kelvin sign
//!   (U+212A) to `k`; the automaton holds those spellings too, so that "please ſtop"
//!   cannot dodge `\bstop\b` (issue 13).
//! * **The rest** go into one [`RegexSet`]. Unicode word boundaries (`\b`) stop the
//!   regex crate's fast DFA engines at the first non-ASCII byte of a message (a "£" or
//!   "–" made a set hundreds of times slower), so the set is built from *widened*
//!   patterns with word-boundary assertions removed: a widened pattern matches wherever
//!   the original does, so the set remains a sound prefilter.
//!
//! A literal's patterns are confirmed once per message, at its first occurrence, by one
//! search of its exact patterns from there to the end of the text: at most one pass
//! over the message per literal that occurs in it, however often it occurs. (An
//! anchored search at every occurrence ran to the end of the text for each one with
//! `order.*x`, which made a message of "order order order ..." quadratic; issue 13.) A
//! candidate from the set is confirmed by the rule's pattern.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};

/// The most bytes the set of patterns without a literal prefix may compile to
/// (256 MiB).
pub const MAX_REGEX_SET_BYTES: usize = 256 << 20;

/// The lazy DFA cache for the set, per thread using it (16 MiB): big enough that a few
/// hundred patterns do not thrash it.
const DFA_CACHE_BYTES: usize = 16 << 20;

/// Prefix literals shorter than this would match too often to filter anything.
const MIN_LITERAL_LEN: usize = 2;

/// A pattern that can match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    /// The pattern's index.
    pub(crate) pattern: usize,
    /// Where a match starts, when known (a pattern confirmed from its literal).
    pub(crate) start: Option<usize>,
}

/// Finds the patterns that can match a text.
#[derive(Debug)]
pub(crate) struct Prefilter {
    literals: Option<AhoCorasick>,
    /// automaton pattern (a spelling of a literal) → literal.
    spellings: Vec<usize>,
    /// literal → whether its matches must start at a word boundary.
    boundary: Vec<bool>,
    /// literal → its patterns, exactly, in one regex whose search from the literal's
    /// first occurrence says which of them match.
    confirm: Vec<regex_automata::meta::Regex>,
    /// literal → the patterns it starts.
    literal_patterns: Vec<Vec<usize>>,
    rest: Option<RegexSet>,
    /// set index → pattern.
    rest_patterns: Vec<usize>,
}

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

/// ASCII letters that a non-ASCII character folds to under Unicode simple case folding
/// (what the regex crate's `(?i)` uses), with that character.
const FOLDS_FROM_OUTSIDE_ASCII: [(u8, char); 2] = [(b'k', '\u{212A}'), (b's', '\u{17F}')];

/// A literal with more letters that fold from outside ASCII than this is cut before
/// the next one, to bound its spellings to 2^3.
const MAX_FOLDING_LETTERS: usize = 3;

/// The spellings of a lower-cased ASCII literal that an ASCII case-insensitive scan
/// must look for so that it finds whatever `(?i)` matches.
fn spellings(literal: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in literal.chars() {
        let outside = FOLDS_FROM_OUTSIDE_ASCII
            .iter()
            .find(|(ascii, _)| char::from(*ascii) == c)
            .map(|(_, other)| *other);
        match outside {
            Some(other) => {
                let mut more = out.clone();
                for s in &mut out {
                    s.push(c);
                }
                for s in &mut more {
                    s.push(other);
                }
                out.extend(more);
            }
            None => {
                for s in &mut out {
                    s.push(c);
                }
            }
        }
    }
    out
}

/// The literal cut before its `MAX_FOLDING_LETTERS + 1`th letter that folds from
/// outside ASCII (a prefix of a prefix is still a prefix of every match).
fn cut_folding(literal: &str) -> &str {
    let mut seen = 0;
    for (i, b) in literal.bytes().enumerate() {
        if FOLDS_FROM_OUTSIDE_ASCII.iter().any(|(a, _)| *a == b) {
            seen += 1;
            if seen > MAX_FOLDING_LETTERS {
                return literal.get(..i).unwrap_or("");
            }
        }
    }
    literal
}

/// The lower-cased ASCII literals one of which starts every match of `pattern`, when
/// there are such (matching case-insensitively, as rules do). Parsing case-sensitively
/// keeps the set small; a case-insensitive scan then covers every case (with the
/// [`spellings`] that fold from outside ASCII). A pattern whose prefixes are unknown,
/// too short or not ASCII gets `None`.
fn prefixes(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(literals.len());
    for lit in literals {
        let bytes = lit.as_bytes();
        if !bytes.is_ascii() {
            return None;
        }
        let lower = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        let cut = cut_folding(&lower);
        if cut.len() < MIN_LITERAL_LEN {
            return None;
        }
        out.push(cut.to_string());
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// Whether every match of the pattern starts at a word boundary (it opens with `\b`).
fn opens_with_word_boundary(pattern: &str) -> bool {
    fn opens(hir: &Hir) -> bool {
        match hir.kind() {
            HirKind::Look(look) => matches!(
                look,
                Look::WordUnicode
                    | Look::WordAscii
                    | Look::WordStartUnicode
                    | Look::WordStartAscii
                    | Look::WordStartHalfUnicode
                    | Look::WordStartHalfAscii
            ),
            HirKind::Concat(subs) => subs.first().is_some_and(opens),
            HirKind::Capture(c) => opens(&c.sub),
            _ => false,
        }
    }
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .is_ok_and(|hir| opens(&hir))
}

impl Prefilter {
    /// Builds the prefilter for the rules' patterns.
    pub(crate) fn build(patterns: &[String]) -> Result<Prefilter, String> {
        Prefilter::build_within(patterns, MAX_REGEX_SET_BYTES)
    }

    /// Builds the prefilter; the literal patterns' confirming automata may take at
    /// most `limit` bytes together (each takes about 10 KB, mostly for Unicode classes
    /// such as `\d` and `\s`: 40,000 rules took 2.2 GB outside any limit; issue 13).
    fn build_within(patterns: &[String], limit: usize) -> Result<Prefilter, String> {
        let mut literals: Vec<String> = Vec::new();
        let mut literal_patterns: Vec<Vec<usize>> = Vec::new();
        let mut rest: Vec<String> = Vec::new();
        let mut rest_patterns = Vec::new();
        for (p, pattern) in patterns.iter().enumerate() {
            match prefixes(pattern) {
                Some(lits) => {
                    for lit in lits {
                        match literals.iter().position(|l| *l == lit) {
                            Some(i) => {
                                if let Some(ps) = literal_patterns.get_mut(i) {
                                    ps.push(p);
                                }
                            }
                            None => {
                                literals.push(lit);
                                literal_patterns.push(vec![p]);
                            }
                        }
                    }
                }
                None => {
                    rest.push(widened_pattern(pattern));
                    rest_patterns.push(p);
                }
            }
        }
        // A literal that starts with a word character and whose patterns all open with
        // `\b` cannot start a match right after a word character ("ref" in "prefer").
        let boundary: Vec<bool> = literals
            .iter()
            .zip(&literal_patterns)
            .map(|(lit, ps)| {
                lit.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && ps
                        .iter()
                        .all(|&p| patterns.get(p).is_some_and(|p| opens_with_word_boundary(p)))
            })
            .collect();
        let mut confirm = Vec::with_capacity(literals.len());
        let mut confirm_bytes = 0usize;
        for ps in &literal_patterns {
            let group: Vec<&str> = ps
                .iter()
                .filter_map(|&p| patterns.get(p).map(String::as_str))
                .collect();
            let re = regex_automata::meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().case_insensitive(true))
                .configure(
                    regex_automata::meta::Config::new().match_kind(regex_automata::MatchKind::All),
                )
                .build_many(&group)
                .map_err(|e| format!("the rules' regular expressions could not be indexed: {e}"))?;
            confirm_bytes = confirm_bytes.saturating_add(re.memory_usage());
            if confirm_bytes > limit {
                return Err(format!(
                    "the rules' regular expressions together are too big to compile: more than \
                     {limit} bytes; use fewer `when.regex` patterns, or smaller ones (`[0-9]` \
                     rather than `\\d`, which is every Unicode digit)"
                ));
            }
            confirm.push(re);
        }
        let mut all_spellings: Vec<String> = Vec::new();
        let mut spellings_of: Vec<usize> = Vec::new();
        for (i, lit) in literals.iter().enumerate() {
            for spelling in spellings(lit) {
                all_spellings.push(spelling);
                spellings_of.push(i);
            }
        }
        let literals = if literals.is_empty() {
            None
        } else {
            // A DFA: literals are few (one or two per pattern), and it is the fastest
            // automaton for an overlapping scan.
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&all_spellings)
                .map_err(|e| format!("the rules' regular expressions could not be indexed: {e}"))?;
            Some(ac)
        };
        let rest = if rest.is_empty() {
            None
        } else {
            let set = RegexSetBuilder::new(&rest)
                .size_limit(MAX_REGEX_SET_BYTES)
                .dfa_size_limit(DFA_CACHE_BYTES)
                .build()
                .map_err(|e| {
                    format!("the rules' regular expressions together are too big to compile: {e}")
                })?;
            Some(set)
        };
        Ok(Prefilter {
            boundary,
            literals,
            spellings: spellings_of,
            confirm,
            literal_patterns,
            rest,
            rest_patterns,
        })
    }

    /// The patterns that can match `text`, ascending, each once: literal patterns
    /// confirmed, with where their first match starts; the others unconfirmed.
    pub(crate) fn candidates(&self, text: &str) -> Vec<Candidate> {
        self.candidates_and_searches(text).0
    }

    /// [`Prefilter::candidates`], and how many confirming searches it ran (at most one
    /// per literal, whatever the text).
    fn candidates_and_searches(&self, text: &str) -> (Vec<Candidate>, usize) {
        let mut searches = 0;
        let mut out: Vec<Candidate> = Vec::new();
        if let Some(ac) = &self.literals {
            // Literals whose patterns were searched for already.
            let mut searched = vec![false; self.confirm.len()];
            for m in ac.find_overlapping_iter(text) {
                let Some(&lit) = self.spellings.get(m.pattern().as_usize()) else {
                    continue;
                };
                let (Some(patterns), Some(re), Some(false)) = (
                    self.literal_patterns.get(lit),
                    self.confirm.get(lit),
                    searched.get(lit).copied(),
                ) else {
                    continue;
                };
                // After an ASCII letter, digit or `_` (a word character however `\b` is
                // read), a literal that must start at a boundary cannot.
                let after_word = m.start() > 0
                    && text
                        .as_bytes()
                        .get(m.start() - 1)
                        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
                if after_word && self.boundary.get(lit) == Some(&true) {
                    continue;
                }
                if let Some(s) = searched.get_mut(lit) {
                    *s = true;
                }
                // Which of the literal's patterns match from its first occurrence on:
                // one search for all of them, once per message.
                let input = regex_automata::Input::new(text).range(m.start()..);
                let mut matched = regex_automata::PatternSet::new(re.pattern_len());
                re.which_overlapping_matches(&input, &mut matched);
                searches += 1;
                for pid in matched.iter() {
                    if let Some(&p) = patterns.get(pid.as_usize()) {
                        out.push(Candidate {
                            pattern: p,
                            start: Some(m.start()),
                        });
                    }
                }
            }
        }
        if let Some(set) = &self.rest {
            let hits = set.matches(text);
            out.extend(hits.into_iter().filter_map(|i| {
                Some(Candidate {
                    pattern: *self.rest_patterns.get(i)?,
                    start: None,
                })
            }));
        }
        // A pattern with several literals may be found from each: keep its first.
        out.sort_unstable();
        out.dedup_by_key(|c| c.pattern);
        (out, searches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(patterns: &[&str], text: &str) -> Vec<usize> {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let prefilter = Prefilter::build(&patterns).unwrap_or_else(|e| panic!("{e}"));
        prefilter
            .candidates(text)
            .into_iter()
            .map(|c| c.pattern)
            .collect()
    }

    #[test]
    fn literal_prefixes_and_the_rest() {
        let patterns = [
            r"\border\s*#?(?P<order>\d{6,})\b",
            r"^hello$",
            r"\d{3}-\d{4}",
            r"(?:ref|case)\s*\d+",
        ];
        assert_eq!(prefixes(patterns[0]), Some(vec!["order".to_string()]));
        assert_eq!(prefixes(patterns[2]), None);
        assert_eq!(candidates(&patterns, "ORDER 1234567"), [0]);
        assert!(candidates(&patterns, "reorder 1234567").is_empty()); // confirmed: no `\b`
        assert_eq!(
            candidates(&patterns, "£5 – Order #123456 or CASE 9"),
            [0, 3]
        );
        assert_eq!(candidates(&patterns, "Hello"), [1]);
        assert_eq!(candidates(&patterns, "call 555-1234"), [2]);
        assert!(candidates(&patterns, "say hello").is_empty());
        assert!(candidates(&patterns, "goodbye").is_empty());
        assert!(opens_with_word_boundary(patterns[0]));
        assert!(!opens_with_word_boundary(patterns[2]));
        let bounded = [r"\bcase\s*\d+"];
        assert!(candidates(&bounded, "precase 12").is_empty()); // inside a word
        assert_eq!(candidates(&bounded, "é case 12"), [0]);
        assert_eq!(candidates(&bounded, "_x case12"), [0]);
        assert_eq!(candidates(&patterns, "precase 12"), [3]); // no `\b`: inside a word is fine
    }

    /// Issue 13: an anchored confirmation at each occurrence of "order" ran to the end
    /// of the text for `order.*x`, so "order order ..." was quadratic (1 MB: 167 s).
    #[test]
    fn one_confirming_search_per_literal_whatever_the_text() {
        let patterns = [
            r"order.*x".to_string(),
            r"ab.*x".to_string(),
            r"ba.*x".to_string(),
        ];
        let prefilter = Prefilter::build(&patterns).unwrap_or_else(|e| panic!("{e}"));
        for n in [10, 10_000] {
            let (found, searches) = prefilter.candidates_and_searches(&"order ".repeat(n));
            assert!(found.is_empty());
            assert_eq!(searches, 1, "{n}");
            let (found, searches) = prefilter.candidates_and_searches(&"ab".repeat(n));
            assert!(found.is_empty());
            assert_eq!(searches, 2, "{n}");
        }
        let (found, _) = prefilter.candidates_and_searches(&format!("{}x", "order ".repeat(100)));
        let first = Candidate {
            pattern: 0,
            start: Some(0),
        };
        assert_eq!(found, [first]);
    }

    #[test]
    fn confirming_automata_count_against_the_limit() {
        let patterns =
            |n: usize| -> Vec<String> { (0..n).map(|i| format!(r"w{i}x\s*(?P<n>\d+)")).collect() };
        assert!(Prefilter::build_within(&patterns(5), 1 << 20).is_ok());
        let err = Prefilter::build_within(&patterns(200), 1 << 20).err();
        assert!(err.is_some_and(|e| e.contains("too big")));
    }

    #[test]
    fn spellings_that_fold_from_outside_ascii() {
        assert_eq!(spellings("ok"), ["ok", "o\u{212A}"]);
        assert_eq!(spellings("ask").len(), 4);
        assert_eq!(cut_folding("sksks"), "sks");
        // Every character that `(?i)` folds to an ASCII letter is ASCII or listed.
        let letters: Vec<(u8, regex::Regex)> = (b'a'..=b'z')
            .map(|a| {
                let re = regex::Regex::new(&format!("(?i)^{}$", char::from(a)));
                (a, re.unwrap_or_else(|e| panic!("{e}")))
            })
            .collect();
        let any = regex::Regex::new("(?i)^[a-z]$").unwrap_or_else(|e| panic!("{e}"));
        let mut buf = [0; 4];
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let text = c.encode_utf8(&mut buf);
            if !any.is_match(text) {
                continue;
            }
            for (a, re) in &letters {
                if re.is_match(text) {
                    assert!(
                        FOLDS_FROM_OUTSIDE_ASCII.contains(&(*a, c)),
                        "{c:?} folds to {}",
                        char::from(*a)
                    );
                }
            }
        }
    }

    #[test]
    fn non_ascii_prefixes_go_to_the_set() {
        assert_eq!(prefixes("été"), None);
        assert_eq!(candidates(&["été"], "ÉTÉ"), [0]);
    }
}
