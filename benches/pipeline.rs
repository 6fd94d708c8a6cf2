//! `tuopin check` against a hand-written polars pipeline, on one register, in one command.
//!
//! `cargo bench --bench pipeline [households]` (1,000,000 by default): generates a register
//! as Parquet (`tuopin gen`: LZ4, one row group, codes as text) and rewrites it the way
//! pandas/pyarrow write Parquet (ZSTD, four row groups, codes dictionary-encoded); then, for
//! each kind, after one untimed run of each (so that both find the register in the page
//! cache), three times and in alternating order, each in a fresh process of this benchmark
//! timed from start to exit by GNU time (so that neither inherits the other's heap, and
//! peak memory is each one's own):
//! 1. `tuopin check` with the Hunan pack for 2020 (compiled path), outputs written;
//! 2. [`hand_written`]: the same person, household, village and county outcomes written
//!    directly as polars lazy expressions by someone who knows the rules, outputs written.
//!
//! It then checks that both produced identical outcomes, rule by rule, row by row, and
//! prints every run's process wall time, peak memory and ratio, and the worst ratio.
//!
//! The hand-written pipeline is what a data engineer would write for this one pack: it
//! reads the files as they are (codes as text), trusts them (no input checks, no `reasons`,
//! no summary) and knows the data is complete (no rows set aside). It is the practical
//! limit for this work on this machine. Two functions are `map` closures in both pipelines
//! because this polars build has no string or calendar features: the birth date in a
//! resident ID, and the year of a date.

#[path = "common.rs"]
mod common;
#[path = "hand_written.rs"]
mod hand_written;

// Both pipelines run in this process with the allocator the `tuopin` binary uses (a data
// engineer's own pipeline would use it too: polars recommends one; Python polars ships one).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;

use hand_written::{YEAR, compare, hand_written};

const ROUNDS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--part") {
        // A child: run one pipeline, print the number of rules compiled. Both pipelines run
        // with the same memory settings as the `tuopin` binary (no transparent huge pages).
        tuopin::no_huge_pages();
        let (part, data, out) = (&args[i + 1], Path::new(&args[i + 2]), Path::new(&args[i + 3]));
        let compiled = if part == "check" {
            let o = common::check_options(data, out, tuopin::eval::Engine::Auto);
            let (_, _, outcomes) = common::timed_check(&o);
            outcomes.paths.iter().filter(|p| p.row_by_row.is_none()).count()
        } else {
            hand_written(data, out).expect("hand-written pipeline");
            0
        };
        println!("{compiled}");
        return;
    }
    let n = common::size_arg(1_000_000);
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-pipeline-{}", std::process::id()));
    let generated = root.join("gen");
    common::gen_register(n, &generated);
    let pyarrow = root.join("pyarrow");
    common::rewrite_like_pyarrow(&generated, &pyarrow, true);

    let exe = std::env::current_exe().expect("this benchmark's path");
    println!("register: {n} households, Hunan pack, year {YEAR}, Parquet in, Parquet out");
    println!("times are process wall times, start to exit, as a user waits; peak is the process's resident peak");
    let mut ratios = vec![];
    for (kind, data) in [
        ("tuopin gen (LZ4, one row group)", &generated),
        ("pyarrow-style (ZSTD, 4 row groups, dictionary codes)", &pyarrow),
    ] {
        let mut check = vec![];
        let mut hand = vec![];
        let mut compiled = String::new();
        // One untimed run of each first: the register just written is read into the page
        // cache by both, and neither pays for the other's writing back to disk.
        for part in ["check", "hand"] {
            let mut cmd = std::process::Command::new(&exe);
            cmd.args(["--part", part]).arg(data).arg(root.join(part));
            common::timed_process(&mut cmd);
        }
        for round in 0..ROUNDS {
            let order = if round % 2 == 0 { ["check", "hand"] } else { ["hand", "check"] };
            for part in order {
                let mut cmd = std::process::Command::new(&exe);
                cmd.args(["--part", part]).arg(data).arg(root.join(part));
                let (secs, peak, out) = common::timed_process(&mut cmd);
                if part == "check" {
                    compiled = out.trim().to_string();
                    check.push((secs, peak));
                } else {
                    hand.push((secs, peak));
                }
            }
        }
        let compared = compare(&root.join("check"), &root.join("hand"));
        println!("\n{kind}: rules compiled {compiled} of 25; outcomes identical for {compared} rule columns");
        for r in 0..ROUNDS {
            let ((c, cp), (h, hp)) = (check[r], hand[r]);
            println!(
                "  round {}: tuopin check {c:6.2} s peak {cp:6.0} MiB | hand-written {h:6.2} s peak {hp:6.0} MiB | ratio {:.2}",
                r + 1,
                c / h
            );
            ratios.push((kind, c / h, cp / hp));
        }
        let best = |runs: &[(f64, f64)]| runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        println!(
            "  best: check {:.2} s, hand-written {:.2} s, ratio {:.2} (target ≤ 1.2)",
            best(&check),
            best(&hand),
            best(&check) / best(&hand)
        );
    }
    let worst = ratios.iter().map(|r| r.1).fold(0.0, f64::max);
    let worst_mem = ratios.iter().map(|r| r.2).fold(0.0, f64::max);
    println!(
        "\nevery run: worst time ratio {worst:.2} (target ≤ 1.2), worst peak-memory ratio {worst_mem:.2} (target ≤ 1.0)"
    );
    // TUOPIN_BENCH_KEEP=1 keeps both registers (to look at a phase with TUOPIN_TIMING=1).
    if std::env::var_os("TUOPIN_BENCH_KEEP").is_some() {
        println!("registers kept in {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
}
