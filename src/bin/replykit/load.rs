//! Reading rule files and folders given on the command line into one rule set.

use replykit::{Diagnostic, Engine, RuleSet, Severity};
use std::path::PathBuf;

/// A loaded rule set, the texts it came from, and its engine.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// `(file name, text)` of every file read, in order.
    pub(crate) sources: Vec<(String, String)>,
    /// The engine built from it.
    pub(crate) engine: Engine,
    /// Warnings from reading the files (entries of a folder that were skipped).
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// The rule set.
    pub(crate) fn set(&self) -> &RuleSet {
        self.engine.rule_set()
    }

    /// `19 rules, 53 FAQ entries, 87 tests in 12 files`, with the `[out_of_scope]`
    /// examples after the entries when there are any.
    pub(crate) fn summary(&self) -> String {
        use crate::render::plural;
        let set = self.set();
        let out_of_scope = match set.out_of_scope().len() {
            0 => String::new(),
            n => format!(
                ", {}",
                plural(n, "out-of-scope example", "out-of-scope examples")
            ),
        };
        format!(
            "{}, {}{out_of_scope}, {} in {}",
            plural(set.rules().len(), "rule", "rules"),
            plural(set.faqs().len(), "FAQ entry", "FAQ entries"),
            plural(set.tests().len(), "test", "tests"),
            plural(self.sources.len(), "file", "files"),
        )
    }
}

/// Reads every file the paths name (a file named twice is read once) and loads them as
/// one rule set, then builds its engine. On failure, every problem found.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Loaded, Vec<Diagnostic>> {
    let (sources, mut diagnostics) = replykit::read_rule_files(paths);
    let loaded = RuleSet::from_sources(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let set = match loaded {
        Ok(set) => set,
        Err(e) => {
            diagnostics.extend(e.into_diagnostics());
            return Err(diagnostics);
        }
    };
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(diagnostics);
    }
    // The engine keeps the set itself: no copy (for tens of thousands of rules, a copy
    // is most of the memory and a fifth of the loading time).
    match Engine::from_rule_set(set) {
        Ok(engine) => Ok(Loaded {
            sources,
            engine,
            warnings: diagnostics,
        }),
        Err(e) => Err(e.into_diagnostics()),
    }
}

/// Loads, or fails with the diagnostics (for commands that need a working rule set).
/// Warnings about what was not read (a pipe or a folder named `x.toml` in a folder of
/// rules) go to stderr.
pub(crate) fn load_or_fail(paths: &[PathBuf]) -> Result<Loaded, crate::Failure> {
    let loaded = load(paths).map_err(crate::Failure::Load)?;
    for w in &loaded.warnings {
        eprint!("{w}");
    }
    Ok(loaded)
}
