//! Registers as people produce them (fixtures/real-world), broken registers with their
//! exact errors (fixtures/bad), and inputs never modified.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use polars::prelude::*;
use tuopin::messages::Lang;
use tuopin::register::{self, Aliases, LoadOptions, Table};

fn load(dir: &str) -> register::Loaded {
    let opts = LoadOptions { aliases: Aliases::builtin(), ..Default::default() };
    register::load(&common::repo().join(dir), &[], &opts).unwrap()
}

fn frame(l: &register::Loaded, t: Table) -> DataFrame {
    l.register.table(t).unwrap().frame.clone()
}

fn code(l: &register::Loaded, t: Table, col: &str, row: usize) -> Option<&'static str> {
    let list = match t.column(col).unwrap().kind {
        register::Kind::Code(list) => list,
        _ => panic!("{col} is not a code"),
    };
    frame(l, t).column(col).unwrap().u8().unwrap().get(row).map(|i| list.codes()[i as usize])
}

fn num(l: &register::Loaded, t: Table, col: &str, row: usize) -> Option<f64> {
    frame(l, t).column(col).unwrap().f64().unwrap().get(row)
}

fn boolean(l: &register::Loaded, t: Table, col: &str, row: usize) -> Option<bool> {
    frame(l, t).column(col).unwrap().bool().unwrap().get(row)
}

fn text(l: &register::Loaded, t: Table, col: &str, row: usize) -> Option<String> {
    frame(l, t).column(col).unwrap().str().unwrap().get(row).map(str::to_string)
}

/// The values every form of the real-world register must load to (fixtures/make_fixtures.py).
fn assert_the_register(l: &register::Loaded, form: &str) {
    assert_eq!(l.errors, vec![], "{form}");
    let p = Table::Persons;
    let h = Table::Households;
    assert_eq!(frame(l, p).height(), 7, "{form}");
    assert_eq!(text(l, p, "person_id", 0).as_deref(), Some("433127197503080111"), "{form}");
    assert_eq!(text(l, p, "name", 1).as_deref(), Some("向秀英"), "{form}");
    assert_eq!(code(l, p, "sex", 1), Some("2"), "{form}");
    assert_eq!(code(l, p, "health", 1), Some("03"), "{form}: 患有大病");
    assert_eq!(code(l, p, "labour", 1), Some("03"), "{form}: 丧失劳动力");
    assert_eq!(code(l, p, "relation", 4), Some("08"), "{form}: 之孙女");
    assert_eq!(code(l, p, "schooling_exempt", 4), Some("01"), "{form}: 送教上门");
    assert_eq!(code(l, p, "schooling_exempt", 0), None, "{form}");
    assert_eq!(code(l, p, "medical_insurance", 3), Some("03"), "{form}: 未参保");
    assert_eq!(boolean(l, p, "dibao", 1), Some(true), "{form}");
    let birth =
        frame(l, p).column("birth_date").unwrap().as_materialized_series().to_physical_repr().i32().unwrap().get(4);
    assert_eq!(birth, register::convert::days_from_ymd(2014, 12, 31), "{form}");
    let birth_null = frame(l, p).column("birth_date").unwrap().is_null().get(5);
    assert_eq!(birth_null, Some(true), "{form}");
    let grades = frame(l, p).column("disability_grade").unwrap().i64().unwrap().iter().collect::<Vec<_>>();
    assert_eq!(grades, vec![Some(0), Some(0), Some(0), Some(2), None, Some(0), Some(0)], "{form}");

    assert_eq!(frame(l, h).height(), 3, "{form}");
    assert_eq!(code(l, h, "status", 0), Some("04"), "{form}");
    assert_eq!(code(l, h, "attribute", 1), Some("02"), "{form}: 低保贫困户");
    assert_eq!(code(l, h, "house_safety", 1), Some("03"), "{form}: D级危房");
    assert_eq!(num(l, h, "operating_income", 0), Some(3000.5), "{form}");
    assert_eq!(num(l, h, "operating_cost", 0), Some(1000.5), "{form}");
    assert_eq!(num(l, h, "reported_per_capita_income", 0), Some(3333.33), "{form}");
    assert_eq!(boolean(l, h, "house_renovated", 1), Some(true), "{form}");
    assert_eq!(boolean(l, h, "water_safe", 1), Some(false), "{form}");
    assert_eq!(num(l, Table::Villages, "collective_income", 0), Some(40000.0), "{form}");
    assert_eq!(code(l, Table::Counties, "poor_county", 0), Some("national"), "{form}: 国家级贫困县");
    assert_eq!(num(l, Table::Counties, "recognition_rate", 0), Some(0.95), "{form}");
}

#[test]
fn gbk_csv_with_chinese_headers_and_labels() {
    let l = load("fixtures/real-world/gbk-csv");
    assert_the_register(&l, "gbk");
    // The unregistered household: 否, with its status left empty.
    assert_eq!(boolean(&l, Table::Households, "registered", 2), Some(false));
    assert_eq!(code(&l, Table::Households, "status", 2), None);
    assert_eq!(num(&l, Table::Households, "operating_income", 2), None);
}

#[test]
fn xlsx_with_dates_and_numbers() {
    assert_the_register(&load("fixtures/real-world/xlsx"), "xlsx");
}

#[test]
fn pyarrow_parquet_with_small_integers_categoricals_and_nulls() {
    assert_the_register(&load("fixtures/real-world/pyarrow-parquet"), "parquet");
}

#[test]
fn ndjson_lines() {
    assert_the_register(&load("fixtures/real-world/ndjson"), "ndjson");
}

#[test]
fn utf8_bom_csv_padded_cells_and_no_registered_column() {
    let l = load("fixtures/real-world/bom-csv");
    assert_the_register(&l, "bom");
    // Without a `registered` column every household is registered.
    let reg: Vec<Option<bool>> =
        frame(&l, Table::Households).column("registered").unwrap().bool().unwrap().iter().collect();
    assert_eq!(reg, vec![Some(true); 3]);
}

#[test]
fn every_form_loads_to_the_same_frames() {
    let gbk = load("fixtures/real-world/gbk-csv");
    for form in ["xlsx", "pyarrow-parquet", "ndjson"] {
        let other = load(&format!("fixtures/real-world/{form}"));
        for t in Table::ALL {
            assert!(
                frame(&gbk, t).equals_missing(&frame(&other, t)),
                "{form} {t}:\n{:?}\n{:?}",
                frame(&gbk, t),
                frame(&other, t)
            );
        }
    }
}

/// The errors of a broken register, in English, one line each.
fn errors_of(dir: &str, lang: Lang) -> Vec<String> {
    let l = load(dir);
    l.errors.iter().map(|e| e.say(lang)).collect()
}

#[test]
fn broken_registers_give_their_exact_errors() {
    let cases: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        (
            "unknown-code",
            vec![
                "persons.csv row 3 column health value `06`: expected one of 01 健康, 02 长期慢性病, 03 患有大病, 04 残疾, 05 死亡",
            ],
        ),
        ("wrong-type", vec!["households.csv row 2 column wage_income value `6千`: expected a number"]),
        ("null-key", vec!["persons.csv row 4 column person_id: key is empty; every row must have one"]),
        (
            "null-status",
            vec![
                "households.csv row 3 column status: `status` is empty in a registered household; expected 02, 03, 04 or 05",
            ],
        ),
        (
            "duplicate-household",
            vec![
                "households.csv row 4 column household_id value `4331271002010001`: duplicates row 2",
                "persons.csv row 7 column household_id value `4331271002010003`: not found in the households table",
                "persons.csv row 8 column household_id value `4331271002010003`: not found in the households table",
            ],
        ),
        (
            "duplicate-member",
            vec![
                "persons.csv row 4 column person_id value `433127197503080111`: the same person twice in one household (see also row 2)",
            ],
        ),
        (
            "missing-household",
            vec!["persons.csv row 8 column household_id value `4331271002010009`: not found in the households table"],
        ),
        (
            "missing-village",
            vec!["households.csv row 3 column village_code value `433127100202`: not found in the villages table"],
        ),
        (
            "bad-poor-county",
            vec![
                "counties.csv row 2 column poor_county value `市级`: expected one of national 国家级贫困县, provincial 省级贫困县",
            ],
        ),
        ("missing-column", vec!["households.csv column status (脱贫状态): required column is missing"]),
        ("malformed-row", vec!["households.csv row 3: malformed row (18 fields where the header has 19)"]),
    ]);
    for (name, expected) in cases {
        let dir = format!("fixtures/bad/{name}");
        let root = common::repo().join(&dir).display().to_string();
        let got: Vec<String> =
            errors_of(&dir, Lang::En).into_iter().map(|e| e.replacen(&format!("{root}/"), "", 1)).collect();
        assert_eq!(got, expected, "{name}");
    }
    let zh: Vec<String> = errors_of("fixtures/bad/unknown-code", Lang::Zh);
    assert!(
        zh[0].ends_with(
            "persons.csv 第 3 行 列 health 值 “06”: 应为以下之一：01 健康, 02 长期慢性病, 03 患有大病, 04 残疾, 05 死亡"
        ),
        "{}",
        zh[0]
    );
}

fn tuopin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tuopin")).args(args).current_dir(common::repo()).output().unwrap()
}

#[test]
fn check_stops_on_input_errors_writes_no_tables_and_touches_no_input() {
    let fixtures = common::repo().join("fixtures");
    let before = common::snapshot(&fixtures);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = tuopin(&["--lang", "en", "check", "--data", "fixtures/bad/unknown-code", "--out", o]);
    assert_eq!(r.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("The register has 1 input error(s):"), "{stderr}");
    assert!(stderr.contains("row 3 column health value `06`"), "{stderr}");
    let mut written: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with(".tuopin-"))
        .collect();
    written.sort();
    assert_eq!(written, vec!["input_errors.csv"]);

    // --skip-invalid goes on without the person in error; their household's size is unknown.
    let r = tuopin(&[
        "--lang",
        "en",
        "check",
        "--data",
        "fixtures/bad/unknown-code",
        "--out",
        o,
        "--format",
        "csv",
        "--skip-invalid",
    ]);
    assert_eq!(r.status.code(), Some(1));
    let persons = std::fs::read_to_string(out.path().join("persons.csv")).unwrap();
    assert_eq!(persons.lines().count(), 1 + 6, "7 persons less the one in error");
    let households = std::fs::read_to_string(out.path().join("households.csv")).unwrap();
    let h1: Vec<&str> = households.lines().find(|l| l.starts_with("4331271002010001")).unwrap().split(',').collect();
    let header: Vec<&str> = households.lines().next().unwrap().split(',').collect();
    let col = |name: &str| h1[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("size"), "", "a household with a member set aside has an unknown size");
    assert_eq!(col("per_capita_net_income"), "");
    let set_aside = std::fs::read_to_string(out.path().join("set_aside.csv")).unwrap();
    // Every CSV starts with the UTF-8 byte-order mark, so that Excel reads it as UTF-8.
    assert_eq!(set_aside, "\u{feff}table,key\npersons,433127197807210122\n");
    assert!(persons.starts_with('\u{feff}') && households.starts_with('\u{feff}'));

    for dir in ["fixtures/real-world/gbk-csv", "fixtures/real-world/xlsx", "fixtures/demo"] {
        let r = tuopin(&["check", "--data", dir, "--out", o]);
        assert_eq!(r.status.code(), Some(0), "{dir}: {}", String::from_utf8_lossy(&r.stderr));
        let r = tuopin(&["load", "--data", dir]);
        assert_eq!(r.status.code(), Some(0));
    }
    assert!(common::snapshot(&fixtures) == before, "a command modified a file under fixtures/");
}

#[test]
fn skip_invalid_makes_village_and_county_aggregates_unknown() {
    // Household 1's wage is not a number: it and its three members are set aside, so the
    // village's and county's remaining poor and incidence are unknown, not computed without it.
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = common::tuopin(&[
        "check",
        "--data",
        "fixtures/bad/wrong-type",
        "--out",
        o,
        "--format",
        "csv",
        "--skip-invalid",
    ]);
    assert_eq!(r.status.code(), Some(1));
    let households = common::read_csv(&out.path().join("households.csv"));
    assert_eq!(
        households.iter().map(|h| h["household_id"].as_str()).collect::<Vec<_>>(),
        vec!["4331271002010002", "4331271002010003"]
    );
    let village = &common::read_csv(&out.path().join("villages.csv"))[0];
    assert_eq!(
        (village["remaining_poor"].as_str(), village["incidence"].as_str(), village["exit_eligible"].as_str()),
        ("", "", "")
    );
    let county = &common::read_csv(&out.path().join("counties.csv"))[0];
    assert_eq!((county["remaining_poor"].as_str(), county["incidence"].as_str()), ("", ""));
    let set_aside = std::fs::read_to_string(out.path().join("set_aside.csv")).unwrap();
    assert_eq!(set_aside.lines().filter(|l| l.starts_with("persons,")).count(), 3);
    assert!(set_aside.contains("households,4331271002010001\n"));
}

#[test]
fn xlsx_results_say_yes_no_unknown() {
    use calamine::{Data, Reader};
    let out = tempfile::tempdir().unwrap();
    let r = common::tuopin(&[
        "check",
        "--data",
        "fixtures/real-world/gbk-csv",
        "--out",
        out.path().to_str().unwrap(),
        "--format",
        "xlsx",
    ]);
    assert_eq!(r.status.code(), Some(0));
    let mut book = calamine::open_workbook_auto(out.path().join("results.xlsx")).unwrap();
    let range = book.worksheet_range("农户").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    // H1: income 3333.33 per person, under the line; H3 (unregistered) has an unknown net
    // income (operating income empty).
    assert_eq!(rows[1][col("人均纯收入达到扶贫标准")], "否");
    assert_eq!(rows[1][col("不愁吃、不愁穿（两不愁）")], "是");
    assert_eq!(rows[3][col("人均纯收入达到扶贫标准")], "未知");
    assert_eq!(rows[3][col("家庭纯收入")], "");
    assert_eq!(rows[1][col("原因")], "人均纯收入 3,333.33 元，低于 扶贫标准 4,000 元，差 666.67 元");
    assert_eq!(
        rows[3][col("原因")],
        "人均纯收入达到扶贫标准：未知（缺 生产经营性收入）；不愁穿：否；风险：漏评风险（非建档立卡户未达到脱贫标准）"
    );
    // The terminal summary, in both languages.
    let words = |out: &[u8], line: usize| -> Vec<String> {
        String::from_utf8_lossy(out).lines().nth(line).unwrap_or("").split_whitespace().map(str::to_string).collect()
    };
    // The run first (pack, year, register), then each level's verdicts with 是/否/未知.
    assert!(words(&r.stdout, 0).ends_with(&[
        "2020".into(),
        "年".into(),
        "·".into(),
        "登记数据".into(),
        "fixtures/real-world/gbk-csv".into()
    ]));
    assert_eq!(words(&r.stdout, 1), vec!["农户", "3", "户"]);
    assert_eq!(words(&r.stdout, 4), vec!["错退风险（已脱贫户未达到脱贫标准）", "是", "1", "否", "2", "未知", "0"]);
    // H2 and H3 have no car etc. recorded: 错评风险 is unknown for two households.
    assert_eq!(words(&r.stdout, 6)[5..], ["未知", "2"]);
    let en = common::tuopin(&[
        "--lang",
        "en",
        "check",
        "--data",
        "fixtures/real-world/gbk-csv",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(words(&en.stdout, 1), vec!["3", "households"]);
    assert_eq!(words(&en.stdout, 2), vec!["exit_eligible", "yes", "0", "no", "3", "unknown", "0"]);
}

#[test]
fn no_result_of_an_earlier_run_is_left_beside_the_current_one() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let names = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| !n.starts_with(".tuopin-"))
            .collect();
        v.sort();
        v
    };
    std::fs::write(out.path().join("notes.txt"), "mine").unwrap();
    assert_eq!(
        common::tuopin(&["check", "--data", "fixtures/real-world/gbk-csv", "--out", o, "--format", "csv"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        names(out.path()),
        vec!["counties.csv", "households.csv", "notes.txt", "persons.csv", "summary.json", "villages.csv"]
    );
    // A run stopped by input errors leaves only its error list (and the user's own file).
    assert_eq!(common::tuopin(&["check", "--data", "fixtures/bad/unknown-code", "--out", o]).status.code(), Some(1));
    assert_eq!(names(out.path()), vec!["input_errors.csv", "notes.txt"]);
    // A clean run afterwards removes the stale error list.
    assert_eq!(common::tuopin(&["check", "--data", "fixtures/real-world/gbk-csv", "--out", o]).status.code(), Some(0));
    assert_eq!(
        names(out.path()),
        vec![
            "counties.parquet",
            "households.parquet",
            "notes.txt",
            "persons.parquet",
            "summary.json",
            "villages.parquet"
        ]
    );
}

#[test]
fn an_id_stored_as_an_excel_number_is_an_error_not_a_wrong_key() {
    // Copy the XLSX register, then rewrite persons.xlsx with the first ID typed as a number.
    let dir = tempfile::tempdir().unwrap();
    for t in ["households", "villages", "counties"] {
        std::fs::copy(
            common::repo().join(format!("fixtures/real-world/xlsx/{t}.xlsx")),
            dir.path().join(format!("{t}.xlsx")),
        )
        .unwrap();
    }
    let persons = common::read_csv(&common::repo().join("fixtures/bad/unknown-code/persons.csv"));
    let headers = [
        "person_id",
        "household_id",
        "relation",
        "sex",
        "school_status",
        "health",
        "labour",
        "medical_insurance",
        "dibao",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, p) in persons.iter().enumerate() {
        for (c, h) in headers.iter().enumerate() {
            let v = if *h == "health" { "01".to_string() } else { p[*h].clone() };
            if r == 0 && *h == "person_id" {
                sheet.write_number(1, 0, v.parse::<f64>().unwrap()).unwrap();
            } else {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    book.save(dir.path().join("persons.xlsx")).unwrap();
    let l =
        register::load(dir.path(), &[], &LoadOptions { aliases: Aliases::builtin(), ..Default::default() }).unwrap();
    let lines: Vec<String> = l.errors.iter().map(|e| e.say(Lang::En)).collect();
    let root = dir.path().display().to_string();
    assert_eq!(
        lines.iter().map(|l| l.replace(&format!("{root}/"), "")).collect::<Vec<_>>(),
        vec![
            "persons.xlsx row 2 column person_id value `433127197503080100`: a number longer than the 15 digits Excel keeps, so its last digits are lost; format the column as text and enter it again"
        ]
    );
}

#[test]
fn every_command_stops_on_input_errors_the_same_way() {
    for args in [
        vec!["--lang", "en", "validate", "--data", "fixtures/bad/unknown-code", "--out", "/tmp/tuopin-never-validate"],
        vec!["--lang", "en", "explain", "4331271002010001", "--data", "fixtures/bad/unknown-code"],
        vec![
            "--lang",
            "en",
            "sample",
            "--seed",
            "1",
            "--data",
            "fixtures/bad/unknown-code",
            "--out",
            "/tmp/tuopin-never-sample",
        ],
    ] {
        let o = common::tuopin(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 3, "{err}");
        assert_eq!(lines[0], "The register has 1 input error(s):");
        assert!(lines[1].ends_with("persons.csv row 3 column health value `06`: expected one of 01 健康, 02 长期慢性病, 03 患有大病, 04 残疾, 05 死亡"), "{err}");
        assert_eq!(lines[2], "No rule was run. Correct the errors above and run again.");
    }
    assert!(!std::path::Path::new("/tmp/tuopin-never-validate").exists());
    assert!(!std::path::Path::new("/tmp/tuopin-never-sample").exists());
}

/// A register whose code and text columns are stored as categories (pandas `category`,
/// polars `Categorical`: Arrow dictionaries in the file's schema) loads to the same frames as
/// the same register stored as text (such columns are read as text).
#[test]
fn parquet_with_categories_loads_as_the_same_register() {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::repo().join("fixtures/demo");
    for t in Table::ALL {
        let file = std::fs::File::open(demo.join(format!("{}.parquet", t.name()))).unwrap();
        let mut df = ParquetReader::new(file).finish().unwrap();
        let text: Vec<String> =
            df.columns().iter().filter(|c| c.dtype() == &DataType::String).map(|c| c.name().to_string()).collect();
        for name in &text {
            let cat = df.column(name).unwrap().cast(&DataType::from_categories(Categories::global())).unwrap();
            df.with_column(cat).unwrap();
        }
        assert!(text.is_empty() || df.columns().iter().any(|c| matches!(c.dtype(), DataType::Categorical(..))));
        let out = std::fs::File::create(dir.path().join(format!("{}.parquet", t.name()))).unwrap();
        ParquetWriter::new(out).with_row_group_size(Some(700)).finish(&mut df).unwrap();
    }
    let plain = load("fixtures/demo");
    let opts = LoadOptions { aliases: Aliases::builtin(), ..Default::default() };
    let categories = register::load(dir.path(), &[], &opts).unwrap();
    assert!(categories.errors.is_empty(), "{:?}", categories.errors);
    for t in Table::ALL {
        assert!(frame(&plain, t).equals_missing(&frame(&categories, t)), "{t}");
    }
}
