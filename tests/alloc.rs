//! A counting allocator for the tests of memory growth (issue 13): bytes allocated by
//! the current thread, live and at peak, so that tests running side by side do not
//! count each other's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(bytes: isize) {
    // `try_with`: during a thread's teardown the counters may be gone already.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on to the system allocator unchanged; the counters only
// observe the sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What `f` allocated on this thread: the peak above what was live before it, and what
/// was still live after it (its result included), in bytes.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let out = f();
    let peak = PEAK.with(Cell::get) - before;
    let retained = LIVE.with(Cell::get) - before;
    (
        out,
        Usage {
            peak: peak.max(0) as usize,
            retained: retained.max(0) as usize,
        },
    )
}

/// Bytes allocated by a measured call.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// The most bytes live at once, above those live before the call.
    pub peak: usize,
    /// The bytes still live after the call.
    pub retained: usize,
}
