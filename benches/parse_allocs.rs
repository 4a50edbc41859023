//! Heap allocations made by parsing: `cargo bench --bench parse_allocs`.
//!
//! A counting global allocator (the system allocator, plus two counters) measures the
//! allocations, and the bytes they ask for, of parsing each line of the 1,000-query corpus
//! (`benches/data/parse-corpus.txt`, the result dropped at once); it prints the totals per
//! query. The figure that parse optimisations should move.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use odata_query::Query;

/// The system allocator, counting calls and requested bytes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static FREES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract; the
// counters do not touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; `ptr` was allocated by `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let lines: Vec<&str> = include_str!("data/parse-corpus.txt")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let (allocations, bytes) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    let mut accepted = 0usize;
    // Frees made while parsing, before the result is dropped: allocations that do not
    // end up in the tree.
    let mut transient = 0;
    for line in &lines {
        let frees = FREES.load(Ordering::Relaxed);
        let parsed = black_box(Query::parse(black_box(line)));
        transient += FREES.load(Ordering::Relaxed) - frees;
        if parsed.is_ok() {
            accepted += 1;
        }
        drop(parsed);
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
    let bytes = BYTES.load(Ordering::Relaxed) - bytes;
    let n = lines.len() as f64;
    println!(
        "{{\"queries\":{},\"accepted\":{accepted},\"allocations_per_query\":{:.1},\"transient_per_query\":{:.1},\"bytes_per_query\":{:.0}}}",
        lines.len(),
        allocations as f64 / n,
        transient as f64 / n,
        bytes as f64 / n
    );
}
