//! Shared by the benchmarks: peak memory of this process, reset between measurements.

#![allow(dead_code)]

/// Peak resident memory (VmHWM) of this process, in MiB.
pub fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// Reset the peak to the current size (Linux: write 5 to clear_refs).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Households from the first argument that is a number, else the default.
pub fn size_arg(default: usize) -> usize {
    std::env::args().skip(1).find_map(|a| a.replace('_', "").parse().ok()).unwrap_or(default)
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    format!("{} threads, {cpu}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}
