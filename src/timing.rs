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
        // CPU seconds so far in user space and in the kernel (Linux, 1/100 s): the kernel's
        // share is mostly zeroing fresh pages, the part of a run that varies most.
        let cpu = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|st| {
                let after = st.rsplit_once(')')?.1;
                let f: Vec<&str> = after.split_whitespace().collect();
                Some(format!(
                    "  [user {:.2} sys {:.2}]",
                    f.get(11)?.parse::<f64>().ok()? / 100.0,
                    f.get(12)?.parse::<f64>().ok()? / 100.0
                ))
            })
            .unwrap_or_default();
        eprintln!("[timing] {:7.2} s  {what}{rss}{cpu}", s.elapsed().as_secs_f64());
    }
}
