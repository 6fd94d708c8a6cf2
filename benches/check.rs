//! `tuopin check --engine rows` (every rule row by row in the Rhai sandbox, the path rules
//! outside the compiled subset take) with the Hunan pack (year 2020) over generated
//! registers read from Parquet, outputs written: 100,000 and 1,000,000 households by default (give other sizes
//! as arguments). Prints wall time, households per second and peak memory per size, and the
//! scaling ratio between sizes measured in this one run. Target for the per-row evaluator on
//! the 2-core machine: 1,000,000 households in 20 s or less.

#[path = "common.rs"]
mod common;

use std::path::Path;

fn main() {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-check-{}", std::process::id()));
    let mut rates = vec![];
    for &n in &sizes {
        let data = root.join(format!("reg{n}"));
        // The register is made by the CLI (release build) so that this process measures
        // only the check.
        common::gen_register(n, &data);
        let o = common::check_options(&data, &root.join(format!("out{n}")), tuopin::eval::Engine::Rows);
        let (secs, peak, _) = common::timed_check(&o);
        let rate = n as f64 / secs;
        rates.push((n, secs, rate));
        println!("check --engine rows {n:>9} households: {secs:7.2} s, {rate:9.0} households/s, peak {peak:6.0} MiB");
        let _ = std::fs::remove_dir_all(&data);
        let _ = std::fs::remove_dir_all(root.join(format!("out{n}")));
    }
    if let (Some(first), Some(last)) = (rates.first(), rates.last())
        && rates.len() > 1
    {
        println!(
            "scaling: {}× the households took {:.2}× the time (throughput ratio {:.2})",
            last.0 / first.0,
            last.1 / first.1,
            last.2 / first.2
        );
    }
    if let Some(&(n, secs, _)) = rates.iter().find(|(n, ..)| *n == 1_000_000) {
        println!("target: 1,000,000 households in 20 s; measured {secs:.2} s = {:.2} of the target ({n})", secs / 20.0);
    }
    let _ = std::fs::remove_dir_all(Path::new(&root));
}
