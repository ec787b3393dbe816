//! Text handling: folding messages into comparable words, stemming, stop words and
//! synonym groups.
//!
//! Every word keeps the byte span it came from in the original text, so evidence can
//! always point back into what the host passed in.

mod fold;
mod hash;
mod language;
mod names;
mod phrase_trie;
mod word_filter;

pub(crate) use fold::{tokenize, tokenize_into, Tokens};
#[cfg(feature = "report")]
pub(crate) use hash::FastSet;
pub(crate) use hash::{FastMap, FxHasher};
pub(crate) use language::{Language, NEGATION_SCOPE};
mod analyzer;
pub(crate) use analyzer::{Analyzer, AnalyzerBuilder, ClassifierWord, StemTok, WordTok};
pub(crate) use phrase_trie::{StemId, WordId};
