//! `check` county by county: a register split into one folder per county, or one register
//! evaluated a county at a time (`--by-county`), gives the same result files as a plain
//! check of the whole register; an input error in any county stops the run.

mod common;

use std::path::{Path, PathBuf};

use polars::prelude::*;
use tuopin::eval::Engine;
use tuopin::jobs::{self, CheckOptions, CheckResult};
use tuopin::messages::Lang;
use tuopin::register::{Encoding, Format};

fn options(data: &Path, out: &Path) -> CheckOptions {
    CheckOptions {
        data: data.to_path_buf(),
        rules: common::hunan(),
        year: 2020,
        out: out.to_path_buf(),
        format: Format::Parquet,
        skip_invalid: false,
        encoding: Encoding::Auto,
        aliases: None,
        lang: Lang::En,
        engine: Engine::Auto,
        report: false,
    }
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

fn write(path: &Path, mut df: DataFrame) {
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut df).unwrap();
}

/// Split the demo register into `dir/<county>/…` with polars, independently of the loader.
fn split_demo(dir: &Path) -> Vec<String> {
    let demo = common::repo().join("fixtures/demo");
    let households = read(&demo.join("households.parquet"));
    let persons = read(&demo.join("persons.parquet"));
    let villages = read(&demo.join("villages.parquet"));
    let counties = read(&demo.join("counties.parquet"));
    let codes: Vec<String> =
        counties.column("county_code").unwrap().str().unwrap().iter().map(|c| c.unwrap().to_string()).collect();
    for code in &codes {
        let sub = dir.join(code);
        std::fs::create_dir_all(&sub).unwrap();
        let in_county = |df: &DataFrame, col: &str| -> DataFrame {
            let mask: BooleanChunked =
                df.column(col).unwrap().str().unwrap().iter().map(|v| v.is_some_and(|v| v.starts_with(code))).collect();
            df.filter(&mask).unwrap()
        };
        let hh = in_county(&households, "village_code");
        let ids: std::collections::HashSet<&str> =
            hh.column("household_id").unwrap().str().unwrap().iter().flatten().collect();
        let mask: BooleanChunked = persons
            .column("household_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|h| h.is_some_and(|h| ids.contains(h)))
            .collect();
        write(&sub.join("persons.parquet"), persons.filter(&mask).unwrap());
        write(&sub.join("households.parquet"), hh.clone());
        write(&sub.join("villages.parquet"), in_county(&villages, "village_code"));
        write(&sub.join("counties.parquet"), in_county(&counties, "county_code"));
    }
    codes
}

fn sorted(dir: &Path, table: &str, key: &str) -> DataFrame {
    read(&dir.join(format!("{table}.parquet"))).sort([key], SortMultipleOptions::default()).unwrap()
}

fn assert_same_results(a: &Path, b: &Path) {
    for (table, key) in [
        ("persons", "person_id"),
        ("households", "household_id"),
        ("villages", "village_code"),
        ("counties", "county_code"),
    ] {
        let (x, y) = (sorted(a, table, key), sorted(b, table, key));
        assert_eq!(x.schema(), y.schema(), "{table}: columns and types");
        assert!(x.equals_missing(&y), "{table}: values");
    }
    let summary = |d: &Path| -> serde_json::Value {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("data");
        v
    };
    assert_eq!(summary(a), summary(b));
}

#[test]
fn a_register_split_by_county_gives_the_same_results_as_the_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let split = tmp.path().join("split");
    let codes = split_demo(&split);
    assert_eq!(codes.len(), 2);
    assert_eq!(jobs::county_folders(&split).map(|f| f.len()), Some(2));
    assert_eq!(jobs::county_folders(&common::repo().join("fixtures/demo")), None);

    let whole = tmp.path().join("whole");
    let CheckResult::Done { outcomes, .. } =
        jobs::run(&options(&common::repo().join("fixtures/demo"), &whole), &|_| {}, &|_| {}).unwrap()
    else {
        panic!("demo has input errors")
    };
    assert_eq!(outcomes.levels.iter().find(|l| l.len() == 2000).map(|l| l.len()), Some(2000));

    let parts = tmp.path().join("parts");
    let seen = std::cell::RefCell::new(vec![]);
    let on_county = |done: usize, total: usize| seen.borrow_mut().push((done, total));
    let Ok(b) = jobs::run_by_county(&options(&split, &parts), &|_| {}, &on_county).unwrap() else {
        panic!("the split register has input errors")
    };
    assert_eq!(b.parts, 2);
    assert_eq!(*seen.borrow(), vec![(1, 2), (2, 2)], "progress by county");
    assert_eq!(b.totals.get("household").map(|t| t.0), Some(2000));
    assert_same_results(&whole, &parts);

    // One register, evaluated a county at a time after loading; written in row groups of
    // 100 rows, so that the loaded frames come in many chunks (a county's rows then do not
    // line up with its result columns' chunks, which the batched writer must not mind).
    let chunked = tmp.path().join("chunked");
    std::fs::create_dir_all(&chunked).unwrap();
    for t in ["persons", "households", "villages", "counties"] {
        let mut df = read(&common::repo().join("fixtures/demo").join(format!("{t}.parquet")));
        let file = std::fs::File::create(chunked.join(format!("{t}.parquet"))).unwrap();
        ParquetWriter::new(file).with_row_group_size(Some(100)).finish(&mut df).unwrap();
    }
    let one = tmp.path().join("one");
    let Ok(b) = jobs::run_by_county(&options(&chunked, &one), &|_| {}, &|_, _| {}).unwrap() else {
        panic!("demo has input errors")
    };
    assert_eq!(b.parts, 2);
    assert_same_results(&whole, &one);
}

#[test]
fn an_input_error_in_one_county_stops_the_run_and_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let split = tmp.path().join("split");
    let codes = split_demo(&split);
    // A wrong status code in the second county's households.
    let file = split.join(&codes[1]).join("households.parquet");
    let mut hh = read(&file);
    let mut status: Vec<Option<String>> =
        hh.column("status").unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect();
    status[3] = Some("07".to_string());
    hh.with_column(Column::new("status".into(), status)).unwrap();
    write(&file, hh);

    let out: PathBuf = tmp.path().join("out");
    let result = jobs::run_by_county(&options(&split, &out), &|_| {}, &|_, _| {}).unwrap();
    let Err(CheckResult::InputErrors { errors, written }) = result else { panic!("expected input errors") };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file, file.display().to_string());
    assert_eq!(errors[0].row, Some(4));
    assert_eq!(errors[0].column.as_deref(), Some("status"));
    assert_eq!(written, vec![out.join("input_errors.csv")]);
    let mut left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with(".tuopin-"))
        .collect();
    left.sort();
    assert_eq!(left, vec!["input_errors.csv"], "no partial results");
}

#[test]
fn gen_by_county_writes_one_loadable_register_per_county() {
    let tmp = tempfile::tempdir().unwrap();
    let (pack, values) =
        jobs::load_pack(&common::hunan(), 2020, &tuopin::register::Aliases::builtin()).expect("pack loads");
    let thresholds = tuopin::r#gen::Thresholds::from_pack(&pack, &values).expect("thresholds");
    let o = tuopin::r#gen::GenOptions {
        households: 301,
        seed: 3,
        year: 2020,
        counties: Some(3),
        faults: 0.0,
        thresholds,
        first_county: 0,
    };
    let (households, _, counties, _) = tuopin::r#gen::write_by_county(&o, tmp.path(), Format::Parquet).unwrap();
    assert_eq!((households, counties), (301, 3));
    let folders = jobs::county_folders(tmp.path()).expect("one folder per county");
    assert_eq!(folders.len(), 3);
    let mut sizes = vec![];
    for f in &folders {
        let loaded = tuopin::register::load(f, &[], &Default::default()).unwrap();
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors.first());
        let codes = loaded.register.county_codes();
        assert_eq!(codes.len(), 1, "{f:?}");
        assert_eq!(f.file_name().unwrap().to_string_lossy(), codes[0]);
        sizes.push(loaded.register.rows(tuopin::register::Table::Households));
    }
    // 301 households over 3 counties: the first county generated gets the extra one.
    sizes.sort();
    assert_eq!(sizes, vec![100, 100, 101]);
}

#[test]
fn paths_county_by_county_are_the_paths_the_counties_ran_on() {
    // The constructs pack has rules on both paths; county by county must report what ran,
    // exactly as a plain check does.
    let paths = |extra: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--lang",
            "en",
            "check",
            "--rules",
            "tests/packs/constructs",
            "--paths",
            "--out",
            out.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = common::tuopin(&args);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("Rule paths") || l.starts_with("  compiled") || l.starts_with("  row by row"))
            .map(str::to_string)
            .collect();
        lines
    };
    let plain = paths(&[]);
    assert_eq!(plain[0], "Rule paths: 50 compiled to polars expressions, 4 row by row");
    assert_eq!(paths(&["--by-county"]), plain);
    // With every rule forced row by row, county by county says so too (a plan made without
    // running would have said "compiled").
    let rows = paths(&["--by-county", "--engine", "rows"]);
    assert_eq!(rows[0], "Rule paths: 0 compiled to polars expressions, 54 row by row");
    assert_eq!(rows, paths(&["--engine", "rows"]));
}

#[test]
fn report_is_refused_county_by_county_rather_than_left_out() {
    let out = tempfile::tempdir().unwrap();
    let o = CheckOptions { report: true, ..options(&common::repo().join("fixtures/demo"), &out.path().join("r")) };
    match jobs::run_by_county(&o, &|_| {}, &|_, _| {}) {
        Err(tuopin::Error::Usage(m)) => assert!(m.contains("--report"), "{m}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a county-by-county run with --report must be refused"),
    }
    assert!(!out.path().join("r").exists(), "nothing written");
}
