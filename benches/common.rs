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

/// `check` options for a benchmark: the Hunan pack, 2020, Parquet out.
pub fn check_options(
    data: &std::path::Path,
    out: &std::path::Path,
    engine: tuopin::eval::Engine,
) -> tuopin::jobs::CheckOptions {
    tuopin::jobs::CheckOptions {
        data: data.to_path_buf(),
        rules: std::path::PathBuf::from("rules/hunan"),
        year: 2020,
        out: out.to_path_buf(),
        format: tuopin::register::Format::Parquet,
        skip_invalid: false,
        encoding: tuopin::register::Encoding::Auto,
        aliases: None,
        lang: tuopin::messages::Lang::En,
        engine,
        report: false,
    }
}

/// Generate a register of `n` households (seed 7) with the release CLI, so that the
/// benchmark process measures only what it runs itself.
pub fn gen_register(n: usize, dir: &std::path::Path) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["gen", "--households", &n.to_string(), "--seed", "7", "--out"])
        .arg(dir)
        .output()
        .expect("gen");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

/// Run `check` and measure it: (seconds, peak MiB, outcomes). Panics on input or rule errors.
pub fn timed_check(o: &tuopin::jobs::CheckOptions) -> (f64, f64, tuopin::eval::Outcomes) {
    reset_peak();
    let start = std::time::Instant::now();
    let result = tuopin::jobs::run(o, &|_| {}, &|_| {}).expect("check");
    let secs = start.elapsed().as_secs_f64();
    let peak = peak_mib();
    let tuopin::jobs::CheckResult::Done { outcomes, .. } = result else {
        panic!("the generated register has input errors")
    };
    assert!(outcomes.errors.is_empty());
    (secs, peak, outcomes)
}
