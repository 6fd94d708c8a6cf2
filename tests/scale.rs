//! The two engines, and every thread count, at a size where chunks and row groups matter:
//! a register of 6,000 households (about 19,000 persons: ten of the per-row path's 2,048-row
//! chunks) with planted data faults, IDs with wrong or lower-case check characters and
//! impossible birth dates, codes written as labels and as one digit, and empty cells; read
//! from CSV and from Parquet in 1,000-row groups; checked in 2014 and 2019 with the Hunan
//! pack and with the quality pack, on the compiled and the per-row path, with 1, 2 and 4
//! threads for both rayon and polars. Every result table must be the same, byte for byte.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::*;

fn repo() -> PathBuf {
    common::repo()
}

fn tuopin(args: &[&str], threads: usize) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(args)
        .args(["--lang", "en"])
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env("POLARS_MAX_THREADS", threads.to_string())
        .current_dir(repo())
        .output()
        .unwrap();
    (o.status.code().expect("exited"), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Rewrite one column of a CSV file cell by cell.
fn rewrite(file: &Path, column: &str, f: impl Fn(usize, &str) -> String) {
    common::edit_csv_column(file, column, Some(&f));
}

/// The register as exports have it, faults and all.
fn register(root: &Path) -> PathBuf {
    let dir = root.join("csv");
    let (code, err) = tuopin(
        &[
            "gen",
            "--households",
            "6000",
            "--counties",
            "3",
            "--seed",
            "19",
            "--faults",
            "0.05",
            "--format",
            "csv",
            "--out",
            dir.to_str().unwrap(),
        ],
        2,
    );
    assert_eq!(code, 0, "{err}");
    std::fs::remove_file(dir.join("faults.csv")).unwrap();
    let persons = dir.join("persons.csv");
    rewrite(&persons, "person_id", |i, v| match i % 50 {
        // A lower-case check character, and a wrong one.
        7 if v.ends_with('X') => v.replace('X', "x"),
        7 => format!("{}x", &v[..17]),
        19 => format!("{}{}", &v[..17], if v.ends_with('1') { '2' } else { '1' }),
        // An impossible birth date in the ID (30 February).
        31 => format!("{}19990230{}", &v[..6], &v[14..]),
        _ => v.to_string(),
    });
    // With no birth date, age comes from the ID, or is unknown where the ID's date is impossible.
    rewrite(&persons, "birth_date", |i, v| if i % 50 == 31 || i % 13 == 0 { String::new() } else { v.to_string() });
    rewrite(&persons, "health", |i, v| match (i % 40, v) {
        (3, "01") => "健康".into(),
        (5, "02") => "长期慢性病".into(),
        (9, code) => code.trim_start_matches('0').to_string(),
        (11, _) => String::new(),
        _ => v.to_string(),
    });
    rewrite(&persons, "disability_grade", |i, v| if i % 17 == 0 { String::new() } else { v.to_string() });
    let households = dir.join("households.csv");
    rewrite(&households, "status", |i, v| match (i % 30, v) {
        (4, "04") => "未脱贫".into(),
        (6, "03") => "3".into(),
        _ => v.to_string(),
    });
    rewrite(&households, "house_safety", |i, v| if i % 45 == 2 { String::new() } else { v.to_string() });
    rewrite(&households, "wage_income", |i, v| if i % 25 == 1 { String::new() } else { v.to_string() });
    rewrite(&households, "food_secure", |i, v| if i % 33 == 5 { String::new() } else { v.to_string() });
    dir
}

/// The same register as Parquet in 1,000-row groups, every column as text (as a careless
/// export would have it).
fn as_parquet(csv_dir: &Path, root: &Path) -> PathBuf {
    let dir = root.join("parquet");
    std::fs::create_dir_all(&dir).unwrap();
    for t in ["persons", "households", "villages", "counties"] {
        let mut df = CsvReadOptions::default()
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(csv_dir.join(format!("{t}.csv"))))
            .unwrap()
            .finish()
            .unwrap();
        let f = std::fs::File::create(dir.join(format!("{t}.parquet"))).unwrap();
        ParquetWriter::new(f).with_row_group_size(Some(1000)).finish(&mut df).unwrap();
    }
    dir
}

fn tables(out: &Path) -> BTreeMap<String, Vec<u8>> {
    ["persons.csv", "households.csv", "villages.csv", "counties.csv", "rule_errors.csv"]
        .iter()
        .filter_map(|n| std::fs::read(out.join(n)).ok().map(|b| (n.to_string(), b)))
        .collect()
}

#[test]
fn both_engines_and_every_thread_count_write_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let csv = register(root);
    let parquet = as_parquet(&csv, root);
    let quality = repo().join("rules/quality");
    let hunan = repo().join("rules/hunan");
    let mut runs = 0;
    for (pack, year) in [(&hunan, "2014"), (&hunan, "2019"), (&quality, "2020")] {
        let mut reference: Option<BTreeMap<String, Vec<u8>>> = None;
        for (data, engine, threads) in [
            (&csv, "auto", 1),
            (&csv, "auto", 2),
            (&csv, "auto", 4),
            (&csv, "rows", 1),
            (&csv, "rows", 4),
            (&parquet, "auto", 2),
            (&parquet, "rows", 2),
        ] {
            let what = format!("{} {year} {engine} {threads} threads {}", pack.display(), data.display());
            let out = root.join(format!("out-{runs}"));
            runs += 1;
            let (code, err) = tuopin(
                &[
                    "check",
                    "--data",
                    data.to_str().unwrap(),
                    "--rules",
                    pack.to_str().unwrap(),
                    "--year",
                    year,
                    "--engine",
                    engine,
                    "--format",
                    "csv",
                    "--out",
                    out.to_str().unwrap(),
                ],
                threads,
            );
            assert!(code == 0 || code == 1, "{what}: {err}");
            assert!(!err.contains("input error"), "{what}: the register must load cleanly\n{err}");
            let t = tables(&out);
            // One row per register row, in the register's order.
            let lines = |name: &str| t[name].iter().filter(|b| **b == b'\n').count() - 1;
            assert_eq!(lines("households.csv"), 6000, "{what}");
            assert!(lines("persons.csv") > 3 * 6000, "{what}: about 3.2 persons a household");
            match &reference {
                None => reference = Some(t),
                Some(r) => {
                    for (name, bytes) in r {
                        assert!(t.get(name) == Some(bytes), "{what}: {name} differs from the first run");
                    }
                    assert_eq!(r.len(), t.len(), "{what}: the same files");
                }
            }
        }
    }
}
