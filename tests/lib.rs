//! replykit's integration tests: one binary, tables of cases in `tests/testdata/`.
//!
//! - `errors`: every broken rule file in `testdata/errors/` renders exactly as in its
//!   `.txt` file (set `REPLYKIT_BLESS=1` to rewrite them after a deliberate change).
//! - `rule_tables`: every rule set in `testdata/rules/` passes its own `[[test]]` cases.
//! - `engine`, `robustness`, `bundled_example`: behaviour through the public API.
//! - `cli`: the `replykit` command run as a process on `testdata/cli/` (feature `cli`;
//!   `REPLYKIT_BLESS=1` rewrites its expected outputs too).

mod bundled_example;
mod cli;
mod engine;
mod errors;
mod robustness;
mod rule_tables;
