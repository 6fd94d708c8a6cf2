//! Phase timings on stderr when `TUOPIN_TIMING` is set: where a long run spends its time.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Print the seconds since the first call, with what just finished (only with `TUOPIN_TIMING`).
pub fn lap(what: &str) {
    let start = START.get_or_init(|| std::env::var_os("TUOPIN_TIMING").map(|_| Instant::now()));
    if let Some(s) = start {
        // Resident memory now (Linux), to see which phase holds what.
        let rss = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|m| m.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map(|pages| format!("  [{} MB]", pages * 4096 / 1_000_000))
            .unwrap_or_default();
        eprintln!("[timing] {:7.2} s  {what}{rss}", s.elapsed().as_secs_f64());
    }
}
