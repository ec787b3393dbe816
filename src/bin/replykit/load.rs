//! Reading rule files and folders given on the command line into one rule set.

use replykit::{Diagnostic, Engine, RuleSet, MAX_FILE_BYTES};
use std::path::{Path, PathBuf};

/// A loaded rule set, the texts it came from, and its engine.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// `(file name, text)` of every file read, in order.
    pub(crate) sources: Vec<(String, String)>,
    /// The engine built from it.
    pub(crate) engine: Engine,
}

impl Loaded {
    /// The rule set.
    pub(crate) fn set(&self) -> &RuleSet {
        self.engine.rule_set()
    }

    /// `19 rules, 53 FAQ entries, 87 tests in 12 files`.
    pub(crate) fn summary(&self) -> String {
        use crate::render::plural;
        format!(
            "{}, {}, {} in {}",
            plural(self.set().rules().len(), "rule", "rules"),
            plural(self.set().faqs().len(), "FAQ entry", "FAQ entries"),
            plural(self.set().tests().len(), "test", "tests"),
            plural(self.sources.len(), "file", "files"),
        )
    }
}

/// The files a path names: itself, or a folder's `*.toml` files in name order (not
/// descending into sub-folders), as `RuleSet::from_path` reads them.
fn files_of(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::without_location(
                format!("cannot read folder `{}`: {e}", path.display()),
                "check the path and its permissions",
            ));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        diagnostics.push(Diagnostic::without_location(
            format!("no .toml files in folder `{}`", path.display()),
            "point at a folder holding rule files, or at one rule file",
        ));
    }
    files
}

fn read(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let name = path.display();
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES as u64 => {
            diagnostics.push(Diagnostic::without_location(
                format!(
                    "`{name}` is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                    meta.len()
                ),
                "split the rule set into several files",
            ));
            return None;
        }
        Ok(_) => {}
        Err(e) => {
            diagnostics.push(Diagnostic::without_location(
                format!("cannot read `{name}`: {e}"),
                "check the path and its permissions",
            ));
            return None;
        }
    }
    match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => Some(text),
        Ok(Err(e)) => {
            diagnostics.push(Diagnostic::without_location(
                format!(
                    "`{name}` is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                "save the file as UTF-8",
            ));
            None
        }
        Err(e) => {
            diagnostics.push(Diagnostic::without_location(
                format!("cannot read `{name}`: {e}"),
                "check the path and its permissions",
            ));
            None
        }
    }
}

/// Reads every file the paths name (a file named twice is read once) and loads them as
/// one rule set, then builds its engine. On failure, every problem found.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Loaded, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut sources = Vec::new();
    for path in paths {
        for file in files_of(path, &mut diagnostics) {
            let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.insert(identity) {
                continue;
            }
            if let Some(text) = read(&file, &mut diagnostics) {
                sources.push((file.display().to_string(), text));
            }
        }
    }
    let loaded = RuleSet::from_sources(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let set = match loaded {
        Ok(set) => set,
        Err(e) => {
            diagnostics.extend(e.into_diagnostics());
            return Err(diagnostics);
        }
    };
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    match Engine::new(&set) {
        Ok(engine) => Ok(Loaded { sources, engine }),
        Err(e) => Err(e.into_diagnostics()),
    }
}

/// Loads, or fails with the diagnostics (for commands that need a working rule set).
pub(crate) fn load_or_fail(paths: &[PathBuf]) -> Result<Loaded, crate::Failure> {
    load(paths).map_err(crate::Failure::Load)
}
