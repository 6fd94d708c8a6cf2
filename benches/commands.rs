//! Every command against `check`, on one generated register, as a user waits for them.
//!
//! `cargo bench --bench commands [households]` (1,000,000 by default): generates a register
//! (`tuopin gen`, seed 7), then runs each command as its own process of the release binary,
//! timed from start to exit by GNU time with its peak resident memory, and prints a table of
//! times, peaks and their ratios to `check`'s (after an untimed `check`; `check` is timed
//! before and after the others, and the mean of the two is the reference), with the targets
//! of issue 15:
//!
//! | command | what runs | target (time, memory) |
//! | --- | --- | --- |
//! | `check` | the Hunan pack, 2020, Parquet out | the reference |
//! | `validate` | quality pack + risk, `validate.xlsx` | ≤ 2× check, ≤ 2× peak |
//! | `diff` | the Hunan pack, 2019 against 2020 on the same register | ≤ 2.5× check, ≤ 2× peak |
//! | `sample` | seed 1, 29 villages per county, 10 households per village | ≤ 2× check, ≤ 2× peak |
//! | `explain` | the register's first household | ≤ 0.3× check |

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::process::Command;

/// The first household of a register (the one `explain` is asked about).
fn first_household(data: &Path) -> String {
    use polars::prelude::*;
    let file = std::fs::File::open(data.join("households.parquet")).expect("households.parquet");
    let df = ParquetReader::new(file).with_slice(Some((0, 1))).finish().expect("read");
    df.column("household_id").expect("household_id").str().expect("text").get(0).expect("a household").to_string()
}

fn main() {
    let n = common::size_arg(1_000_000);
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-commands-{}", std::process::id()));
    let data = root.join("register");
    common::gen_register(n, &data);
    let d = data.to_str().expect("a UTF-8 path");
    let out = |name: &str| root.join(name).to_string_lossy().to_string();
    let household = first_household(&data);
    let bin = env!("CARGO_BIN_EXE_tuopin");
    let commands: Vec<(&str, Vec<String>, f64, f64)> = vec![
        ("check", vec!["check".into(), "--data".into(), d.into(), "--out".into(), out("check")], 1.0, 1.0),
        ("validate", vec!["validate".into(), "--data".into(), d.into(), "--out".into(), out("validate")], 2.0, 2.0),
        (
            "diff",
            [
                "diff",
                "--base",
                "rules/hunan",
                "--new",
                "rules/hunan",
                "--base-year",
                "2019",
                "--year",
                "2020",
                "--data",
                d,
                "--out",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain([out("diff")])
            .collect(),
            2.5,
            2.0,
        ),
        (
            "sample",
            vec![
                "sample".into(),
                "--seed".into(),
                "1".into(),
                "--data".into(),
                d.into(),
                "--out".into(),
                out("sample"),
            ],
            2.0,
            2.0,
        ),
        ("explain", vec!["explain".into(), household.clone(), "--data".into(), d.into()], 0.3, f64::NAN),
    ];
    println!(
        "register: {n} households; every command a process of the release binary, wall time start to exit, peak RSS"
    );
    let run =
        |args: &[String]| common::timed_process(Command::new(bin).args(args).current_dir(env!("CARGO_MANIFEST_DIR")));
    // An untimed `check` first (the register just written is read into the page cache);
    // `check` is timed before and after the others, and their mean is what they are
    // compared with (the machine is shared: its speed drifts within a run).
    run(&commands[0].1);
    let mut rows = vec![];
    for (name, args, target, mem_target) in commands.iter().chain(std::iter::once(&commands[0])) {
        let (secs, peak, _) = run(args);
        rows.push((*name, secs, peak, *target, *mem_target));
    }
    let checks: Vec<(f64, f64)> = rows.iter().filter(|r| r.0 == "check").map(|r| (r.1, r.2)).collect();
    let check_secs = checks.iter().map(|c| c.0).sum::<f64>() / checks.len() as f64;
    let check_peak = checks.iter().map(|c| c.1).sum::<f64>() / checks.len() as f64;
    println!(
        "check before the others and after them: {:.2} s, {:.2} s; compared with their mean {check_secs:.2} s",
        checks[0].0,
        checks[checks.len() - 1].0
    );
    println!(
        "{:<10} {:>8} {:>8} {:>16} {:>9} {:>8} {:>16}",
        "command", "seconds", "× check", "target", "peak MiB", "× check", "target"
    );
    for (name, secs, peak, target, mem_target) in &rows {
        let t = secs / check_secs;
        let m = peak / check_peak;
        let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
        let time_target =
            if *name == "check" { "-".to_string() } else { format!("≤ {target} {}", mark(t <= *target)) };
        let mem = if mem_target.is_nan() || *name == "check" {
            "-".to_string()
        } else {
            format!("≤ {mem_target} {}", mark(m <= *mem_target))
        };
        println!("{name:<10} {secs:>8.2} {t:>8.2} {time_target:>16} {peak:>9.0} {m:>8.2} {mem:>16}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
