//! replykit's integration tests: one binary, tables of cases in `tests/testdata/`.
//!
//! - `errors`: every broken rule file in `testdata/errors/` renders exactly as in its
//!   `.txt` file (set `REPLYKIT_BLESS=1` to rewrite them after a deliberate change).
//! - `rule_tables`: every rule set in `testdata/rules/` passes its own `[[test]]` cases.
//! - `engine`, `robustness`, `bundled_example`: behaviour through the public API.
//! - `office_hours`, `conversation`, `channels`: notices and `{{next_open}}`, cooldowns
//!   and loop protection, channel limits (issue #5).
//! - `open_intent`: messages about what no entry covers, in the same words, are not
//!   auto-replied (issue #9).
//! - `listen`: the listening report through the library (feature `report`, issue 11).
//! - `faqpage`: the council FAQ of `testdata/faqpage/` in every shape the page reader
//!   takes imports, loads and answers its own questions (feature `toolkit`, issue 10).
//! - `cli`: the `replykit` command run as a process on `testdata/cli/` (feature `cli`;
//!   `REPLYKIT_BLESS=1` rewrites its expected outputs too).
//! - `hostile`, `properties`, `reload`: issue 13's findings at two sizes (allocations
//!   counted by `alloc`), property tests of hostile messages, `Reloader` under readers.

mod alloc;
mod bundled_example;
mod channels;
mod cli;
mod conversation;
mod engine;
mod errors;
mod eval;
mod faqpage;
mod hostile;
mod listen;
mod office_hours;
mod open_intent;
mod robustness;
mod rule_tables;

// Issue 13: hostile input and live operation.
mod properties;
mod reload;
