//! The benches' reader of labelled data (`data/SET/*.jsonl`, see data/README.md).

use replykit::eval::Labelled;

/// The labelled messages of `data/{path}`; panics with the file's name on any error.
pub fn read(path: &str) -> Vec<Labelled> {
    let full = format!("{}/data/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{full}: {e}")))
        .collect()
}
