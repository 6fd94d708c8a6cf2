//! A demo-sized register that has unknowns, as real ones do (the demo has none): an optional
//! column absent, and empty cells in incomes, food security, house safety, health, disability
//! and birth dates. Through the end-to-end paths: `summary.json` against the result tables,
//! `explain` against `check` for every household, and a county-by-county check against a
//! plain one.

mod common;

use std::path::{Path, PathBuf};

/// Blank every `every`-th cell of a column (offset `at`), or drop the column (`every` 0).
fn blank(file: &Path, column: &str, every: usize, at: usize) {
    if every == 0 {
        return common::edit_csv_column(file, column, None);
    }
    common::edit_csv_column(file, column, Some(&|i, v| if i % every == at { String::new() } else { v.to_string() }));
}

fn register(root: &Path) -> PathBuf {
    let dir = root.join("reg");
    let o = common::tuopin(&[
        "gen",
        "--households",
        "2000",
        "--counties",
        "2",
        "--seed",
        "2020",
        "--format",
        "csv",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let h = dir.join("households.csv");
    let p = dir.join("persons.csv");
    blank(&h, "wage_income", 17, 3);
    blank(&h, "food_secure", 23, 5);
    blank(&h, "house_safety", 29, 7);
    blank(&h, "water_safe", 31, 11);
    blank(&h, "last_year_income", 0, 0); // an optional column absent: monitoring reads it
    blank(&p, "health", 41, 2);
    blank(&p, "disability_grade", 13, 1);
    blank(&p, "birth_date", 7, 4);
    blank(&p, "medical_insurance", 37, 9);
    dir
}

#[test]
fn a_register_with_unknowns_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = register(tmp.path());

    // explain agrees with check on every household, unknowns included.
    assert_eq!(common::explain_agrees_with_check(&reg, &common::hunan()), 2000);

    // summary.json counts exactly the true, false and unknown cells of the tables.
    let out = tmp.path().join("out");
    let o =
        common::tuopin(&["check", "--data", reg.to_str().unwrap(), "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let households = common::read_csv(&out.join("households.csv"));
    let mut unknown_somewhere = 0;
    for (rule, counts) in summary["levels"]["household"]["rules"].as_object().unwrap() {
        let cells: Vec<&str> = households.iter().map(|h| h[rule.as_str()].as_str()).collect();
        let total = &counts["total"];
        let empty = cells.iter().filter(|c| c.is_empty()).count() as u64;
        unknown_somewhere += usize::from(empty > 0);
        assert_eq!(total["unknown"].as_u64(), Some(empty), "{rule}: unknown");
        if let Some(yes) = total.get("true") {
            assert_eq!(yes.as_u64(), Some(cells.iter().filter(|c| **c == "true").count() as u64), "{rule}: true");
            assert_eq!(total["false"].as_u64(), Some(cells.iter().filter(|c| **c == "false").count() as u64), "{rule}");
        } else {
            assert_eq!(total["known"].as_u64(), Some(cells.len() as u64 - empty), "{rule}: known");
        }
    }
    assert!(unknown_somewhere >= 10, "the register reaches unknown in {unknown_somewhere} household rules");

    // County by county gives the same tables and summary as one pass.
    let plain = tmp.path().join("plain");
    let split = tmp.path().join("split");
    for (dir, extra) in [(&plain, None), (&split, Some("--by-county"))] {
        let mut args = vec!["check", "--data", reg.to_str().unwrap(), "--out", dir.to_str().unwrap()];
        args.extend(extra);
        let o = common::tuopin(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let strip = |d: &Path| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
        v
    };
    assert_eq!(strip(&plain), strip(&split));
    for t in ["persons", "households", "villages", "counties"] {
        let read = |d: &Path| {
            let f = std::fs::File::open(d.join(format!("{t}.parquet"))).unwrap();
            use polars::prelude::SerReader;
            polars::prelude::ParquetReader::new(f).finish().unwrap()
        };
        assert!(read(&plain).equals_missing(&read(&split)), "{t}");
    }
}
