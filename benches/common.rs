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

/// Rewrite a register the way pandas/pyarrow write Parquet, as far as polars' writer can:
/// ZSTD instead of LZ4, four row groups per file instead of one, and (with `dictionary`) the
/// code columns dictionary-encoded (written as categoricals). `tuopin gen` writes LZ4, one
/// row group, codes as plain text. (polars records its string columns as string views in the
/// file's Arrow schema; pyarrow records plain strings. The pages are the same Parquet
/// BYTE_ARRAY either way.)
pub fn rewrite_like_pyarrow(from: &std::path::Path, to: &std::path::Path, dictionary: bool) {
    use polars::prelude::*;
    std::fs::create_dir_all(to).expect("a folder for the rewritten register");
    for t in tuopin::register::Table::ALL {
        let src = from.join(format!("{}.parquet", t.name()));
        let Ok(file) = std::fs::File::open(&src) else { continue };
        let mut df = ParquetReader::new(file).finish().expect("a register file");
        if dictionary {
            for c in t.columns().iter().filter(|c| matches!(c.kind, tuopin::register::Kind::Code(_))) {
                if let Ok(col) = df.column(c.name) {
                    let cat = col.cast(&DataType::from_categories(Categories::global())).expect("codes as categories");
                    df.with_column(cat).expect("replaced");
                }
            }
        }
        let rows = df.height().div_ceil(4).max(1);
        let out = std::fs::File::create(to.join(format!("{}.parquet", t.name()))).expect("writable");
        ParquetWriter::new(out)
            .with_compression(ParquetCompression::Zstd(None))
            .with_row_group_size(Some(rows))
            .finish(&mut df)
            .expect("written");
    }
}

/// Run a command to its end and measure it as a user waits for it: wall time from start to
/// exit (process start-up, reading, writing and freeing included) and peak resident memory,
/// by GNU time. Returns (seconds, peak MiB, stdout).
pub fn timed_process(cmd: &mut std::process::Command) -> (f64, f64, String) {
    let program = cmd.get_program().to_os_string();
    let args: Vec<std::ffi::OsString> = cmd.get_args().map(|a| a.to_os_string()).collect();
    let report = std::env::temp_dir().join(format!("tuopin-bench-time-{}", std::process::id()));
    let start = std::time::Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(&program)
        .args(&args)
        .current_dir(cmd.get_current_dir().unwrap_or(std::path::Path::new(".")))
        .output()
        .expect("/usr/bin/time (GNU time) runs the command");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{:?} failed: {}",
        program,
        String::from_utf8_lossy(&out.stderr)
    );
    let kib: f64 = std::fs::read_to_string(&report)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(f64::NAN);
    let _ = std::fs::remove_file(&report);
    (secs, kib / 1024.0, String::from_utf8_lossy(&out.stdout).to_string())
}
