//! Rule sets in `testdata/rules/`, each with its own `[[test]]` cases: the format,
//! folding and matching, decisions, templates.

#![cfg(feature = "toolkit")]

use replykit::{Engine, RuleSet};
use std::path::Path;

#[test]
fn every_rule_table_passes_its_own_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/rules");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/testdata/rules exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let mut report = String::new();
    let mut total = 0;
    for path in paths {
        let rules = RuleSet::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!rules.tests().is_empty(), "{} has no tests", path.display());
        let result = Engine::new(&rules)
            .unwrap_or_else(|e| panic!("{e}"))
            .run_tests();
        total += result.results.len();
        if result.failed() > 0 {
            report.push_str(&result.to_string());
        }
    }
    assert!(report.is_empty(), "{report}");
    assert!(total >= 40, "only {total} table cases");
}
