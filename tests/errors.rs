//! Exact rendered diagnostics for broken rule files.
//!
//! A file may hold several sources separated by `# --- file: NAME` lines, to test
//! problems that span files.

use replykit::RuleSet;
use std::path::Path;

fn sources(name: &str, text: &str) -> Vec<(String, String)> {
    let mut out = vec![(name.to_string(), String::new())];
    for line in text.split_inclusive('\n') {
        if let Some(next) = line.trim_end().strip_prefix("# --- file: ") {
            out.push((next.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
        }
    }
    out
}

#[test]
fn broken_files_render_every_problem_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/errors");
    let bless = std::env::var_os("REPLYKIT_BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/testdata/errors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected at least 10 broken files, found {}",
        paths.len()
    );
    let mut mismatches = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name")
            .to_string();
        let text = std::fs::read_to_string(&path).expect("readable file");
        let sources = sources(&name, &text);
        let result = RuleSet::from_sources(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        let rendered = match result {
            Ok(_) => panic!("{name} loaded, but it is broken on purpose"),
            Err(e) => e.to_string() + "\n",
        };
        let expected_path = path.with_extension("txt");
        if bless {
            std::fs::write(&expected_path, &rendered).expect("writable testdata");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            mismatches.push(format!(
                "--- {name}: expected\n{expected}\n--- got\n{rendered}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_broken_file_never_half_loads() {
    let text = "[[faq]]\nid = 'ok'\nquestions = ['fine']\nanswer = 'Fine.'\n\n[[faq]]\nid = 'broken'\nquestions = []\nanswer = 'x'\n";
    assert!(RuleSet::from_toml("a.toml", text).is_err());
}

#[test]
fn diagnostics_carry_file_line_column_and_rule() {
    let err = RuleSet::from_toml(
        "waste.toml",
        "[[rule]]\nid = 'r1'\nwhen.any = ['x']\nreply = '{{nope}}'\n",
    )
    .expect_err("unknown variable");
    let d = &err.diagnostics()[0];
    let loc = d.location.as_ref().expect("a location");
    assert_eq!((&*loc.file, loc.line, loc.column), ("waste.toml", 4, 10));
    assert_eq!(d.context.as_deref(), Some("rule `r1`"));
    assert!(d.help.is_some());
}

/// Issue #15, point 9: `fn main() -> Result<(), Box<dyn Error>>` with `?` on a
/// `LoadError` prints its `Debug`, which must be the rendered diagnostics, not a dump.
#[test]
fn a_load_error_debugs_as_it_displays() {
    fn load() -> Result<replykit::RuleSet, Box<dyn std::error::Error>> {
        Ok(replykit::RuleSet::from_toml(
            "bad.toml",
            "[[rule]]\nid = \"x\"\n",
        )?)
    }
    let Err(err) = load() else {
        panic!("the rule set has errors")
    };
    let debug = format!("{err:?}");
    assert_eq!(debug, err.to_string());
    assert!(debug.contains("bad.toml:2:"), "{debug}");
    assert!(!debug.contains("Diagnostic {"), "{debug}");
}
