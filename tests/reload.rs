//! `Reloader` (issue 13): reloads swap in a whole new engine or nothing, while readers
//! on other threads keep answering.

use replykit::{Message, ReloadEvent, Reloader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn rule(reply: &str) -> String {
    format!("[[rule]]\nid = \"hi\"\nwhen.any = [\"hello\"]\nreply = \"{reply}\"\n")
}

#[test]
fn readers_answer_throughout_reloads_and_broken_sets_never_replace_working_ones() {
    let dir = std::env::temp_dir().join(format!("replykit-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("rules.toml");
    std::fs::write(&file, rule("v0")).unwrap_or_else(|e| panic!("{e}"));
    let reloader = Arc::new(Reloader::new(&[&dir]).unwrap_or_else(|e| panic!("{e}")));
    assert!(reloader.reload_if_changed().is_none(), "nothing changed");

    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let reloader = Arc::clone(&reloader);
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut answers = 0usize;
                while !done.load(Ordering::Relaxed) {
                    let outcome = reloader.engine().suggest(&Message::new("hello"));
                    // Always a whole engine: the reply of some good version.
                    let reply = outcome.suggestions.first().map(|s| s.reply.clone());
                    assert!(
                        reply.as_deref().is_some_and(|r| r.starts_with('v')),
                        "{reply:?}"
                    );
                    answers += 1;
                }
                answers
            })
        })
        .collect();

    for v in 1..=10 {
        // Different lengths each time, so a change shows whatever the clock's grain.
        let good = rule(&format!("v{v}{}", " ".repeat(v)));
        std::fs::write(&file, &good).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            reloader.reload_if_changed(),
            Some(ReloadEvent::Reloaded { rules: 1, faqs: 0 })
        ));
        std::fs::write(&file, format!("{good}[[rule]]\nid = \"broken{v}\"\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        match reloader.reload_if_changed() {
            Some(ReloadEvent::Failed(e)) => assert!(!e.diagnostics().is_empty()),
            other => panic!("{other:?}"),
        }
        // Not tried again until a file changes.
        assert!(reloader.reload_if_changed().is_none());
        let reply = &reloader
            .engine()
            .suggest(&Message::new("hello"))
            .suggestions[0]
            .reply;
        assert_eq!(reply.trim_end(), format!("v{v}"));
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap_or_else(|_| panic!("a reader panicked")) > 0);
    }
    // A new file in the folder is a change too.
    std::fs::write(
        dir.join("more.toml"),
        "[[faq]]\nid = \"f\"\nquestions = [\"when is bin day\"]\nanswer = \"Thursday.\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&file, rule("v11")).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        reloader.reload_if_changed(),
        Some(ReloadEvent::Reloaded { rules: 1, faqs: 1 })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
