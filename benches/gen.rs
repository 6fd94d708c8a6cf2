//! `tuopin gen` at scale: 1,000,000 households by default (`cargo bench --bench gen -- 200000`
//! for another size). Target: well under a minute on the 2-core machine, a few GB at most;
//! the output must load back.

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::time::Instant;

use tuopin::register::{self, Format, Table};

fn main() {
    let households = common::size_arg(1_000_000);
    let dir = tempfile_dir();
    let aliases = register::Aliases::builtin();
    let (pack, values) = tuopin::jobs::load_pack(Path::new("rules/hunan"), 2020, &aliases).expect("rules/hunan");
    let thresholds = tuopin::r#gen::Thresholds::from_pack(&pack, &values).expect("thresholds");
    common::reset_peak();
    let start = Instant::now();
    let mut g = tuopin::r#gen::generate(&tuopin::r#gen::GenOptions {
        households,
        seed: 7,
        year: 2020,
        counties: None,
        faults: 0.0,
        thresholds,
        first_county: 0,
    });
    tuopin::r#gen::write(&mut g, &dir, Format::Parquet).expect("write");
    let secs = start.elapsed().as_secs_f64();
    let peak = common::peak_mib();
    println!("machine: {}", common::machine());
    println!(
        "gen {households} households ({} persons) to Parquet: {secs:.2} s, {:.0} households/s, peak {peak:.0} MiB; {:.2} of the 60 s target",
        g.persons.height(),
        households as f64 / secs,
        secs / 60.0
    );
    drop(g);
    common::reset_peak();
    let start = Instant::now();
    let loaded = register::load(&dir, &[Table::Persons, Table::Households], &Default::default()).expect("load");
    assert!(loaded.errors.is_empty(), "the generated register must load back without errors");
    assert_eq!(loaded.register.rows(Table::Households), households);
    println!("load back: {:.2} s, peak {:.0} MiB", start.elapsed().as_secs_f64(), common::peak_mib());
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("tuopin-bench-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}
