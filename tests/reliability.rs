//! The defects a fault test found (issue 10), one test each: every test here failed before
//! its fix. The broad sweep over mutated files and hostile scripts is `tests/faults.rs`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use tuopin::register::{self, Aliases, LoadOptions, Table};

fn tuopin(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tuopin"));
    c.args(args).args(["--lang", "en"]).env_remove("SOURCE_DATE_EPOCH").envs(env.iter().copied());
    let o = c.current_dir(common::repo()).output().unwrap();
    let code = o.status.code().expect("exited, not killed");
    (code, String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A copy of the demo register in a temporary folder.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("register");
    common::copy_dir(&common::repo().join("fixtures/demo"), &reg);
    (tmp, reg)
}

fn read_parquet(p: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(p).unwrap()).finish().unwrap()
}

fn write_parquet(p: &Path, mut df: DataFrame) {
    ParquetWriter::new(std::fs::File::create(p).unwrap()).finish(&mut df).unwrap();
}

fn load(dir: &Path) -> register::Loaded {
    let opts = LoadOptions { aliases: Aliases::builtin(), ..Default::default() };
    register::load(dir, &[], &opts).unwrap()
}

// 1. The output folder.

#[test]
fn check_into_the_register_folder_is_refused_and_touches_nothing() {
    let (_t, reg) = demo_copy();
    let before = common::snapshot(&reg);
    let r = reg.to_str().unwrap();
    for format in ["csv", "parquet", "xlsx"] {
        let (code, _, err) = tuopin(&["check", "--data", r, "--out", r, "--format", format], &[]);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(err.contains("is (or lies inside) the register folder"), "{err}");
        assert_eq!(common::snapshot(&reg), before, "{format}: the register is as it was");
    }
    // Inside the register folder, too (a folder per county is read recursively).
    let sub = reg.join("results");
    let (code, _, _) = tuopin(&["check", "--data", r, "--out", sub.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(!sub.exists());
}

#[test]
fn a_users_file_named_like_an_output_is_left_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let mine = "姓名,备注\n张三,my own table\n";
    std::fs::write(out.path().join("persons.csv"), mine).unwrap();
    std::fs::write(out.path().join("input_errors.csv"), "mine too").unwrap();
    // Parquet results do not need the name: the run goes ahead and leaves the files alone.
    let (code, _, err) = tuopin(&["check", "--out", o], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.path().join("persons.parquet").exists());
    // CSV results would replace persons.csv: refused, and the file stays.
    let (code, _, err) = tuopin(&["check", "--out", o, "--format", "csv"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("persons.csv exists and was not written by tuopin"), "{err}");
    assert_eq!(std::fs::read_to_string(out.path().join("persons.csv")).unwrap(), mine);
    assert_eq!(std::fs::read_to_string(out.path().join("input_errors.csv")).unwrap(), "mine too");
    // The refused run left no earlier result that could pass for current.
    assert!(!out.path().join("persons.parquet").exists());
    assert!(!out.path().join("summary.json").exists());
    // A run stopped by input errors would write input_errors.csv: the user's is kept.
    let (code, _, _) = tuopin(&["check", "--data", "fixtures/bad/unknown-code", "--out", o], &[]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read_to_string(out.path().join("input_errors.csv")).unwrap(), "mine too");
}

// 2. Decimal columns, and an overflowing literal on the compiled path.

#[test]
fn decimal_money_columns_are_read_as_numbers() {
    let (_t, reg) = demo_copy();
    let file = reg.join("households.parquet");
    let df = read_parquet(&file);
    let plain = load(&reg);
    let mut with_decimals = df.clone();
    for c in ["wage_income", "operating_income", "operating_cost"] {
        let d = df.column(c).unwrap().cast(&DataType::Decimal(18, 2)).unwrap();
        with_decimals.with_column(d).unwrap();
    }
    write_parquet(&file, with_decimals);
    let loaded = load(&reg);
    assert_eq!(loaded.errors, vec![]);
    let h = |l: &register::Loaded, c: &str| {
        l.register.table(Table::Households).unwrap().frame.column(c).unwrap().f64().unwrap().clone()
    };
    for c in ["wage_income", "operating_income", "operating_cost"] {
        // The demo's amounts have two decimals: the decimal column holds them exactly.
        let (a, b) = (h(&plain, c), h(&loaded, c));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x.unwrap() - y.unwrap()).abs() < 1e-6, "{c}: {x:?} {y:?}");
        }
    }
    let out = tempfile::tempdir().unwrap();
    let (code, _, err) =
        tuopin(&["check", "--data", reg.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
}

/// A pack with one more household rule.
fn pack_with_rules(rules: &[(&str, &str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let (t, pack) = common::hunan_copy();
    for (name, kind, body) in rules {
        let text = format!("// id: household.{name}\n// 标题: t\n// 来源: t\n// 类型: {kind}\n{body}\n");
        std::fs::write(pack.join(format!("household/{name}.rhai")), text).unwrap();
    }
    (t, pack)
}

fn household_column(out: &Path, col: &str) -> Vec<String> {
    common::read_csv(&out.join("households.csv")).into_iter().map(|r| r[col].clone()).collect()
}

#[test]
fn overflow_and_infinity_are_row_errors_alike_on_both_engines() {
    // On the demo: 2,000 households, each with at least one living member.
    let (_t, pack) = pack_with_rules(&[
        ("overflow", "数值", "9223372036854775807 + 1"),
        ("scaled", "数值", "count_members() * 4611686018427387904"),
        ("infinite", "数值", "(wage_income + 1.0) * 1e308 * 10.0"),
        ("reads_infinite", "判断", "infinite > 0"),
    ]);
    let households = 2000;
    let reg = load(&common::repo().join("fixtures/demo"));
    let persons = &reg.register.table(Table::Persons).unwrap().frame;
    // Living members per household, counted independently of the evaluator.
    let mut living: BTreeMap<String, i64> = BTreeMap::new();
    let ids = persons.column("household_id").unwrap().str().unwrap().clone();
    let health = persons.column("health").unwrap().u8().unwrap().clone();
    for (id, h) in ids.iter().zip(health.iter()) {
        // health is stored as the index in its code list: 4 is 05 (deceased).
        if h != Some(4) {
            *living.entry(id.unwrap().to_string()).or_default() += 1;
        }
    }
    // 4611686018427387904 × n overflows for n ≥ 2 (and is exact for n = 1).
    let scaled_overflows = living.values().filter(|&&n| n >= 2).count();
    let mut all = vec![];
    for engine in ["auto", "rows"] {
        let out = tempfile::tempdir().unwrap();
        let (code, _, err) = tuopin(
            &[
                "check",
                "--rules",
                pack.to_str().unwrap(),
                "--engine",
                engine,
                "--format",
                "csv",
                "--out",
                out.path().to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(code, 1, "{engine}: rule errors exit 1\n{err}");
        let errors = common::read_csv(&out.path().join("rule_errors.csv"));
        let count =
            |rule: &str, msg: &str| errors.iter().filter(|e| e["rule"] == rule && e["message"].contains(msg)).count();
        assert_eq!(count("household.overflow", "overflow"), households, "{engine}");
        assert_eq!(count("household.scaled", "overflow"), scaled_overflows, "{engine}");
        assert_eq!(count("household.infinite", "not a finite number"), households, "{engine}");
        assert_eq!(count("household.reads_infinite", ""), 0, "{engine}: reading an error is unknown, not an error");
        assert_eq!(errors.len(), 2 * households + scaled_overflows, "{engine}");
        assert!(household_column(out.path(), "overflow").iter().all(String::is_empty), "{engine}");
        assert!(household_column(out.path(), "reads_infinite").iter().all(String::is_empty), "{engine}");
        let scaled = household_column(out.path(), "scaled");
        assert_eq!(
            scaled.iter().filter(|v| v.as_str() == "4611686018427387904").count(),
            households - scaled_overflows
        );
        let mut lines: Vec<String> =
            errors.iter().map(|e| format!("{} {} {}", e["rule"], e["key"], e["message"])).collect();
        lines.sort();
        all.push((lines, scaled));
    }
    assert_eq!(all[0], all[1], "both engines give the same errors and outcomes");
}

// 3. A far-away cell in a workbook.

fn counties_xlsx(path: &Path, stray: (u32, u16)) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 5]; 3] = [
        ["county_code", "county_name", "poor_county", "rural_population", "rural_disposable_income"],
        ["433127", "永顺县", "national", "400000", "9000"],
        ["433130", "龙山县", "national", "450000", "9100"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    sheet.write_string(stray.0, stray.1, "x").unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_stray_cell_far_away_in_a_workbook_is_an_error_naming_the_cell() {
    let (_t, reg) = demo_copy();
    std::fs::remove_file(reg.join("counties.parquet")).unwrap();
    for (stray, cell) in [((1_048_575, 16_383), "XFD1048576"), ((200_000, 99), "CV200001")] {
        counties_xlsx(&reg.join("counties.xlsx"), stray);
        let loaded = load(&reg);
        let e: Vec<String> = loaded.errors.iter().map(|e| e.say(tuopin::messages::Lang::En)).collect();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].ends_with(&format!(
            "counties.xlsx column {cell} value `x`: this cell lies outside the table (its column has no header) and cannot be read; delete it or give the column a header"
        )), "{e:?}");
    }
    // With the `x` in the header row instead (a column this tool does not know), it loads,
    // with both counties.
    counties_xlsx(&reg.join("counties.xlsx"), (0, 5));
    let loaded = load(&reg);
    assert_eq!(loaded.errors, vec![]);
    assert_eq!(loaded.register.table(Table::Counties).unwrap().frame.height(), 2);
}

// 5 and 6. A failed run leaves nothing that looks current; dead runs' staging is cleaned.

#[test]
fn a_killed_runs_staging_folder_is_removed_by_the_next_run() {
    let out = tempfile::tempdir().unwrap();
    let stale = out.path().join(".tuopin-partial-4000000001-5");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("persons.parquet"), vec![7u8; 4096]).unwrap();
    let (code, _, err) = tuopin(&["check", "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!stale.exists());
}

// 7 and 8. Rule packs.

fn lint(pack: &Path) -> (i32, String) {
    let (code, out, err) = tuopin(&["lint", "--rules", pack.to_str().unwrap()], &[]);
    (code, format!("{out}{err}"))
}

#[test]
fn mistakes_in_a_pack_are_load_errors_with_file_and_line() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "parameters.toml",
            "2020 = 4000 }",
            "2020 = nan }",
            "parameters.toml:4:1: parameter `poverty_line`: the value NaN for 2020 is not a finite number",
        ),
        ("parameters.toml", "2020 = 4000 }", "2020 = inf }", "the value inf for 2020 is not a finite number"),
        (
            "parameters.toml",
            "2020 = 4000 }",
            "2020 = 4000, 2030 = 5000 }",
            "parameter `poverty_line` has a value for 2030, but the pack covers 2014–2020",
        ),
        (
            "pack.toml",
            "household = \"meets_exit_standard\"",
            "household = \"no_such_rule\"",
            "pack.toml:9:13: [main]: the household level has no rule `no_such_rule`",
        ),
        (
            "pack.toml",
            "\"monitor\"]",
            "\"monitor\", \"no_such_flag\"]",
            "[flags]: the household level has no rule `no_such_flag`",
        ),
        (
            "pack.toml",
            "household = \"meets_exit_standard\"",
            "household = \"per_capita_net_income\"",
            "[main]: household.per_capita_net_income is a number rule and cannot be a main verdict",
        ),
        (
            "pack.toml",
            "village = \"exit_eligible\"",
            "villages = \"exit_eligible\"",
            "`villages` in [main] is not a level",
        ),
        ("pack.toml", "years = [2014, 2020]", "years = [-5, 2020]", "pack.toml:5:10: -5 is not a usable year"),
        (
            "pack.toml",
            "years = [2014, 2020]",
            "years = [2014, 2017, 2020]",
            "`years` takes exactly two years (the first and the last), found 3",
        ),
        (
            "pack.toml",
            "years = [2014, 2020]",
            "years = [2020, 2014]",
            "the first year 2020 of `years` is after the last 2014",
        ),
    ];
    for (file, from, to, expected) in cases {
        let (_t, pack) = common::hunan_copy();
        common::edit(&pack, file, from, to);
        let (code, text) = lint(&pack);
        assert_eq!(code, 1, "{to}: {text}");
        assert!(text.contains(expected), "{to}: expected `{expected}` in\n{text}");
    }
    // A rule with a header and no expression.
    let (_t, pack) = pack_with_rules(&[("empty", "判断", "")]);
    let (code, text) = lint(&pack);
    assert_eq!(code, 1);
    assert!(text.contains("household/empty.rhai:5:1: rule household.empty has a header but no expression"), "{text}");
}

#[test]
fn oversized_scripts_and_scripts_with_thousands_of_names_are_refused_before_parsing() {
    // 20,000 `let` lines: Rhai's parser looks every name up among all defined before it
    // (quadratic); this one is refused by size before it is read.
    let lets = |n: usize| -> String {
        let mut s = String::from("let v0 = 1;\n");
        for i in 1..n {
            s.push_str(&format!("let v{i} = v{};\n", i - 1));
        }
        s.push_str(&format!("v{}", n - 1));
        s
    };
    let (_t, pack) = pack_with_rules(&[("huge", "数值", &lets(20_000))]);
    let (code, text) = lint(&pack);
    assert_eq!(code, 1);
    assert!(text.contains("household/huge.rhai: the file has 397848 bytes, over the limit of 262144 bytes"), "{text}");
    // Under the size limit but with more names than a rule's scope can hold: refused at the
    // 101st `let`, found by the tokenizer (linear), before the parser runs.
    let (_t, pack) = pack_with_rules(&[("many", "数值", &lets(12_000))]);
    let (code, text) = lint(&pack);
    assert_eq!(code, 1);
    assert!(
        text.contains("household/many.rhai:105:1: a rule may define at most 100 names with `let`; this is name 101"),
        "{text}"
    );
    let (_t, pack) = pack_with_rules(&[("hundred", "数值", &lets(100))]);
    let (code, text) = lint(&pack);
    assert_eq!(code, 0, "{text}");
}

// 10 and 11. One range check and one trimming, whatever the format.

#[test]
fn parquet_values_get_the_same_range_checks_and_trimming_as_csv() {
    let (_t, reg) = demo_copy();
    let file = reg.join("persons.parquet");
    let df = read_parquet(&file);
    let n = df.height();
    let mut df2 = df.clone();
    // disability_grade 7 (DOMAIN.md: 0–4), as the small unsigned integer pandas writes.
    let grades: Vec<Option<u8>> = (0..n).map(|i| Some(if i == 3 { 7 } else { 0 })).collect();
    df2.with_column(Column::new("disability_grade".into(), grades)).unwrap();
    // work_months as unsigned 64-bit, the last row at the type's maximum.
    let months: Vec<Option<u64>> = (0..n).map(|i| Some(if i == n - 1 { u64::MAX } else { 3 })).collect();
    df2.with_column(Column::new("work_months".into(), months)).unwrap();
    // A birth date at the type's limit.
    let births = df.column("birth_date").unwrap().as_materialized_series().to_physical_repr();
    let mut births: Vec<Option<i32>> = births.i32().unwrap().iter().collect();
    births[5] = Some(i32::MAX);
    df2.with_column(Int32Chunked::new("birth_date".into(), births).into_date().into_column()).unwrap();
    // IDs with spaces around them, as typed.
    let ids: Vec<Option<String>> = df
        .column("person_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| v.map(|v| if i % 3 == 0 { format!(" {v} ") } else { v.to_string() }))
        .collect();
    df2.with_column(Column::new("person_id".into(), ids)).unwrap();
    write_parquet(&file, df2);
    let loaded = load(&reg);
    let errors: Vec<String> = loaded.errors.iter().map(|e| e.say(tuopin::messages::Lang::En)).collect();
    let shown = file.display().to_string();
    assert_eq!(
        errors,
        vec![
            format!("{shown} row 4 column disability_grade value `7`: expected a whole number from 0 to 4"),
            format!(
                "{shown} row 6 column birth_date value `{}`: expected a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31",
                i32::MAX
            ),
            format!("{shown} row {n} column work_months value `18446744073709551615`: expected a whole number"),
        ]
    );
    // The padded IDs are trimmed, as in CSV: no ID among them is malformed.
    let persons = &loaded.register.table(Table::Persons).unwrap().frame;
    let ids = persons.column("person_id").unwrap().str().unwrap();
    assert!(ids.iter().all(|v| v.is_some_and(|v| v.len() == 18 && v.trim() == v)));
}

// 12. Reproducible workbooks.

#[test]
fn source_date_epoch_makes_workbooks_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let env = [("SOURCE_DATE_EPOCH", "1606780800")];
    let (code, _, err) = tuopin(&["check", "--format", "xlsx", "--out", a.path().to_str().unwrap()], &env);
    assert_eq!(code, 0, "{err}");
    // A second apart: the clock has moved, the recorded time has not.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, _, err) = tuopin(&["check", "--format", "xlsx", "--out", b.path().to_str().unwrap()], &env);
    assert_eq!(code, 0, "{err}");
    let name = "results.xlsx";
    assert_eq!(std::fs::read(a.path().join(name)).unwrap(), std::fs::read(b.path().join(name)).unwrap(), "{name}");
}
