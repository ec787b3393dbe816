//! Reloading without downtime: a new engine is built from changed rule files while the
//! old one keeps answering, then swapped in atomically.

use crate::{Engine, LoadError, RuleSet};
use arc_swap::ArcSwap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// The engine for a set of rule files and folders, rebuilt when they change.
///
/// Readers call [`Reloader::engine`] for each message (or batch): it never blocks and
/// never waits for a reload, and the engine it gives stays valid however many reloads
/// follow. [`Reloader::reload_if_changed`] (or the thread [`Reloader::watch`] starts)
/// notices changed files, builds a new engine from them, and swaps it in only when the
/// whole rule set loads and builds: a rule set with errors never replaces a working one,
/// and its errors are returned ([`ReloadEvent::Failed`]).
///
/// Changes are found by polling each file's modification time and size (and each
/// folder's list of `*.toml` files), not by file-system notifications: polling needs no
/// platform back-end or extra dependency, works where notifications do not (network
/// file systems, bind mounts into containers, editors that save by renaming), and costs
/// one `stat` per file per poll.
///
/// ```
/// use replykit::{Message, ReloadEvent, Reloader};
///
/// let dir = std::env::temp_dir().join(format!("replykit-reload-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = dir.join("rules.toml");
/// std::fs::write(&file, "[[rule]]\nid = 'hi'\nwhen.any = ['hello']\nreply = 'Hi!'\n")?;
///
/// let reloader = Reloader::new(&[&file])?;
/// assert_eq!(reloader.engine().suggest(&Message::new("hello")).suggestions[0].reply, "Hi!");
///
/// // A broken edit is reported and the working rules stay.
/// std::fs::write(&file, "[[rule]]\nid = 'hi'\n")?;
/// assert!(matches!(reloader.reload_if_changed(), Some(ReloadEvent::Failed(_))));
/// assert_eq!(reloader.engine().suggest(&Message::new("hello")).suggestions[0].reply, "Hi!");
///
/// // A good edit replaces them.
/// std::fs::write(&file, "[[rule]]\nid = 'hi'\nwhen.any = ['hello']\nreply = 'Hello there!'\n")?;
/// assert!(matches!(reloader.reload_if_changed(), Some(ReloadEvent::Reloaded { rules: 1, .. })));
/// assert_eq!(reloader.engine().suggest(&Message::new("hello")).suggestions[0].reply, "Hello there!");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Reloader {
    paths: Vec<PathBuf>,
    current: ArcSwap<Engine>,
    /// The files as last read (whether or not they loaded).
    seen: Mutex<Stamps>,
}

/// What a reload did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ReloadEvent {
    /// The new rule set loaded and built, and is in use.
    Reloaded {
        /// Its rules.
        rules: usize,
        /// Its FAQ entries.
        faqs: usize,
    },
    /// The changed files did not load or build; the previous engine is still in use.
    Failed(LoadError),
}

/// Each file's path, modification time and size, in path order.
type Stamps = Vec<(PathBuf, Option<(SystemTime, u64)>)>;

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The stamps of the files the paths name: a file itself, a folder's `*.toml` entries.
fn stamps(paths: &[PathBuf]) -> Stamps {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
                    {
                        let s = stamp(&p);
                        out.push((p, s));
                    }
                }
            }
            Err(_) => out.push((path.clone(), stamp(path))),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn build(paths: &[PathBuf]) -> Result<Engine, LoadError> {
    Engine::from_rule_set(RuleSet::from_paths(paths)?)
}

impl Reloader {
    /// Loads the rule files and folders (as [`RuleSet::from_paths`]) and builds the
    /// first engine.
    pub fn new<P: AsRef<Path>>(paths: &[P]) -> Result<Reloader, LoadError> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let seen = stamps(&paths);
        let engine = build(&paths)?;
        Ok(Reloader {
            paths,
            current: ArcSwap::from_pointee(engine),
            seen: Mutex::new(seen),
        })
    }

    /// The engine in use: lock-free, never waits for a reload.
    pub fn engine(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// When a file changed since the last look (or appeared, or went), builds a new
    /// engine and swaps it in, or keeps the old one and says why. `None` when nothing
    /// changed. A failed rule set is not tried again until a file changes again.
    pub fn reload_if_changed(&self) -> Option<ReloadEvent> {
        let now = stamps(&self.paths);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if *seen == now {
                return None;
            }
            *seen = now;
        }
        Some(match build(&self.paths) {
            Ok(engine) => {
                let set = engine.rule_set();
                let event = ReloadEvent::Reloaded {
                    rules: set.rules().len(),
                    faqs: set.faqs().len(),
                };
                self.current.store(Arc::new(engine));
                event
            }
            Err(e) => ReloadEvent::Failed(e),
        })
    }

    /// Starts a thread that looks for changes every `interval` and reloads, passing
    /// each [`ReloadEvent`] to `on_event`. It stops when the returned [`Watch`] is
    /// dropped (or [`Watch::stop`]ped).
    pub fn watch(
        self: &Arc<Self>,
        interval: Duration,
        mut on_event: impl FnMut(ReloadEvent) + Send + 'static,
    ) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let reloader = Arc::clone(self);
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                std::thread::park_timeout(interval);
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                if let Some(event) = reloader.reload_if_changed() {
                    on_event(event);
                }
            }
        });
        Watch {
            stop,
            thread: Some(thread),
        }
    }
}

/// The thread started by [`Reloader::watch`]; dropping it stops the thread.
#[derive(Debug)]
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watch {
    /// Stops watching and waits for the thread to end.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.finish();
    }
}
