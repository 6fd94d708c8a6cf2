//! `tuopin check` against a hand-written polars pipeline, on one register, in one command.
//!
//! `cargo bench --bench pipeline [households]` (1,000,000 by default): generates a register
//! as Parquet (`tuopin gen`), then, twice and in alternating order, each in a fresh process
//! of this benchmark (so that neither inherits the other's heap, and peak memory is each
//! one's own):
//! 1. `tuopin check` with the Hunan pack for 2020 (compiled path), outputs written;
//! 2. [`hand_written`]: the same person, household, village and county outcomes written
//!    directly as polars lazy expressions by someone who knows the rules, outputs written.
//!
//! It then checks that both produced identical outcomes, rule by rule, row by row, and
//! prints wall time, households per second and peak memory of every run, and the ratio of
//! the best times.
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

use std::path::Path;
use std::time::Instant;

use hand_written::{YEAR, compare, hand_written};

const ROUNDS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--part") {
        // A child: run one pipeline, print "seconds peak-MiB compiled-rules".
        let (part, data, out) = (&args[i + 1], Path::new(&args[i + 2]), Path::new(&args[i + 3]));
        let (secs, peak, compiled) = if part == "check" {
            let o = common::check_options(data, out, tuopin::eval::Engine::Auto);
            let (secs, peak, outcomes) = common::timed_check(&o);
            (secs, peak, outcomes.paths.iter().filter(|p| p.row_by_row.is_none()).count())
        } else {
            common::reset_peak();
            let start = Instant::now();
            hand_written(data, out).expect("hand-written pipeline");
            (start.elapsed().as_secs_f64(), common::peak_mib(), 0)
        };
        println!("{secs} {peak} {compiled}");
        return;
    }
    let n = common::size_arg(1_000_000);
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-pipeline-{}", std::process::id()));
    let data = root.join("register");
    common::gen_register(n, &data);

    let exe = std::env::current_exe().expect("this benchmark's path");
    let run = |part: &str| -> (f64, f64, usize) {
        let out = std::process::Command::new(&exe)
            .args(["--part", part])
            .arg(&data)
            .arg(root.join(part))
            .output()
            .expect("a run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{part}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Vec<&str> = text.split_whitespace().collect();
        let num = |i: usize| v.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(f64::NAN);
        (num(0), num(1), num(2) as usize)
    };
    let mut check = vec![];
    let mut hand = vec![];
    let mut compiled = 0;
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 { ["check", "hand"] } else { ["hand", "check"] };
        for part in order {
            let r = run(part);
            if part == "check" {
                compiled = r.2;
                check.push(r);
            } else {
                hand.push(r);
            }
        }
    }
    let compared = compare(&root.join("check"), &root.join("hand"));

    println!("register: {n} households, Hunan pack, year {YEAR}, Parquet in, Parquet out");
    println!("rules compiled: {compiled} of 25; outcomes identical for {compared} rule columns");
    for (what, runs) in [("tuopin check", &check), ("hand-written polars", &hand)] {
        for (secs, peak, _) in runs.iter() {
            println!("{what:<20} {secs:7.2} s  {:>11.0} households/s  peak {peak:6.0} MiB", n as f64 / secs);
        }
    }
    let best = |runs: &[(f64, f64, usize)]| runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let (c, h) = (best(&check), best(&hand));
    println!("best of {ROUNDS}: tuopin check {c:.2} s, hand-written {h:.2} s");
    println!("ratio: tuopin check takes {:.2}× the hand-written pipeline's time (target ≤ 1.5)", c / h);
    if n == 1_000_000 {
        println!("target: 1,000,000 households in 3 s; measured {c:.2} s");
    }
    let _ = std::fs::remove_dir_all(&root);
}
