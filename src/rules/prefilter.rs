//! The regex prefilter: which rule patterns can match a message, found in one pass.
//!
//! Running each rule's pattern on every message would cost one scan per pattern. The
//! prefilter instead finds, in one scan, the patterns that *can* match; only those run
//! in full (for their captures). It has two parts:
//!
//! * **Literals.** Most patterns must start with some literal text (`\border\s*\d+`
//!   starts with "order"). Those prefixes, for every such pattern, go into one
//!   Aho-Corasick automaton (ASCII case-insensitive), so a message is scanned once for
//!   all of them, whatever the number of patterns.
//! * **The rest** go into one [`RegexSet`]. Unicode word boundaries (`\b`) stop the
//!   regex crate's fast DFA engines at the first non-ASCII byte of a message (a "£" or
//!   "–" made a set hundreds of times slower), so the set is built from *widened*
//!   patterns with word-boundary assertions removed: a widened pattern matches wherever
//!   the original does, so the set remains a sound prefilter.
//!
//! A literal candidate is confirmed at once by an *anchored* search of its exact
//! pattern where the literal starts: a miss costs a few bytes of scanning, not a pass
//! over the message. A candidate from the set is confirmed by the rule's pattern.

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

/// A pattern that can match: the pattern, and where a match starts when known.
pub(crate) type Candidate = (usize, Option<usize>);

/// Finds the patterns that can match a text.
#[derive(Debug)]
pub(crate) struct Prefilter {
    literals: Option<AhoCorasick>,
    /// literal → whether its matches must start at a word boundary.
    boundary: Vec<bool>,
    /// literal → its patterns, exactly, in one regex for anchored searches that say
    /// which of them match where the literal starts.
    anchored: Vec<regex_automata::meta::Regex>,
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

/// The lower-cased ASCII literals one of which starts every match of `pattern`, when
/// there are such (matching case-insensitively, as rules do). Parsing case-sensitively
/// keeps the set small; a case-insensitive scan then covers every case. A pattern
/// whose prefixes are unknown, too short or not ASCII gets `None`.
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
        if bytes.len() < MIN_LITERAL_LEN || !bytes.is_ascii() {
            return None;
        }
        out.push(String::from_utf8_lossy(bytes).to_ascii_lowercase());
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
        let mut anchored = Vec::with_capacity(literals.len());
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
            anchored.push(re);
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
                .build(&literals)
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
            anchored,
            literal_patterns,
            rest,
            rest_patterns,
        })
    }

    /// The patterns that can match `text`, ascending, each once: literal patterns
    /// confirmed, with where their first match starts; the others unconfirmed.
    pub(crate) fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        if let Some(ac) = &self.literals {
            for m in ac.find_overlapping_iter(text) {
                let lit = m.pattern().as_usize();
                let (Some(patterns), Some(re)) =
                    (self.literal_patterns.get(lit), self.anchored.get(lit))
                else {
                    continue;
                };
                if patterns.iter().all(|p| out.iter().any(|c| c.0 == *p)) {
                    continue;
                }
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
                // Which of the literal's patterns match where it starts: one anchored
                // search for all of them.
                let input = regex_automata::Input::new(text)
                    .range(m.start()..)
                    .anchored(regex_automata::Anchored::Yes);
                let mut matched = regex_automata::PatternSet::new(re.pattern_len());
                re.which_overlapping_matches(&input, &mut matched);
                for pid in matched.iter() {
                    if let Some(&p) = patterns.get(pid.as_usize()) {
                        if !out.iter().any(|c| c.0 == p) {
                            out.push((p, Some(m.start())));
                        }
                    }
                }
            }
        }
        if let Some(set) = &self.rest {
            let hits = set.matches(text);
            out.extend(
                hits.into_iter()
                    .filter_map(|i| Some((*self.rest_patterns.get(i)?, None))),
            );
        }
        out.sort_unstable();
        out
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
            .map(|c| c.0)
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

    #[test]
    fn non_ascii_prefixes_go_to_the_set() {
        assert_eq!(prefixes("été"), None);
        assert_eq!(candidates(&["été"], "ÉTÉ"), [0]);
    }
}
