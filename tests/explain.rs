//! `explain` agrees with `check` on every household of the demo register, and its JSON
//! document has the documented shape.

mod common;

use std::process::Command;

use serde_json::Value as Json;

#[test]
fn explain_agrees_with_check_on_every_demo_household() {
    let n = common::explain_agrees_with_check(&common::repo().join("fixtures/demo"), &common::hunan());
    assert_eq!(n, 2000);
}

#[test]
fn the_json_document_has_a_version_and_the_documented_fields() {
    let out = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["explain", "4331271002010002", "--data", "fixtures/real-world/bom-csv", "--json"])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["household_id"], "4331271002010002");
    assert_eq!(doc["county_code"], "433127");
    // Two members; the household of the fixture has per capita income exactly on the line.
    assert_eq!(doc["members"].as_array().unwrap().len(), 2);
    let rule = |id: &str| doc["rules"].as_array().unwrap().iter().find(|r| r["rule"] == id).unwrap().clone();
    assert_eq!(rule("household.per_capita_net_income")["value"], 4000.0);
    assert_eq!(rule("household.income_above_line")["value"], true);
    let p = &rule("household.income_above_line")["parameters"][0];
    assert_eq!((p["name"].as_str(), p["value"].as_f64()), (Some("poverty_line"), Some(4000.0)));
    // Not in the water standard (water_safe 否 in 2020): not eligible, and the trace says why.
    assert_eq!(rule("household.water_assured")["value"], false);
    assert_eq!(rule("household.water_assured")["reads"][1]["name"], "water_safe");
    assert_eq!(rule("household.water_assured")["reads"][1]["value"], false);
    assert_eq!(doc["village"]["key"], "433127100201");

    let missing = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["--lang", "en", "explain", "999", "--data", "fixtures/real-world/bom-csv"])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&missing.stderr), "no household, village or county 999 in the register\n");
}

fn explain(args: &[&str]) -> (i32, String) {
    let out = common::tuopin(args);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_conclusion_and_its_reasons_come_first_for_a_household_a_village_and_a_county() {
    // fixtures/real-world/bom-csv, worked by hand (see tests/workbook.rs): H1's 10,000 yuan
    // over 3 members is 3,333.33 per person, 666.67 short of 4,000; 民主村 has 3 remaining
    // poor of 50 residents (6 %), 永顺县 3 of 100 (3 %), both above 2 %.
    let data = ["--data", "fixtures/real-world/bom-csv"];
    let (code, text) = explain(&[&["explain", "4331271002010001"], &data[..]].concat());
    assert_eq!(code, 0);
    let first: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        first,
        [
            "农户 4331271002010001 彭德贵",
            "结论：达到脱贫标准（一超过、两不愁、三保障）：否",
            "原因：人均纯收入 3,333.33 元，低于 扶贫标准 4,000 元，差 666.67 元",
        ]
    );
    let (code, text) = explain(&[&["explain", "433127100201"], &data[..]].concat());
    assert_eq!(code, 0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        ["村 433127100201 民主村", "结论：贫困村可退出：否", "原因：贫困发生率 6%，高于 贫困村贫困发生率上限 2%"]
    );
    assert!(lines.contains(&"  村贫困发生率 = 6%"), "{text}");
    assert!(lines.contains(&"  村剩余贫困人口 = 3 人"), "{text}");
    let (_, text) = explain(&[&["--lang", "en", "explain", "433127"], &data[..]].concat());
    assert_eq!(
        text.lines().take(3).collect::<Vec<_>>(),
        ["county 433127 永顺县", "Conclusion: exit_eligible: no", "Why: incidence 3% is above county_incidence_max 2%"]
    );
    let out = common::tuopin(&[&["explain", "433199"], &data[..]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有户编号、村代码或县代码为 433199 的记录"));
}

#[test]
fn a_printable_page_for_the_case_file() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("case");
    let o = common::tuopin(&[
        "explain",
        "433127100201",
        "--data",
        "fixtures/real-world/bom-csv",
        "--html",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(dir.join("433127100201.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<h1>村 433127100201 民主村</h1>"), "{page}");
    assert!(page.contains("<p class=\"c\">结论：贫困村可退出：否</p>"), "{page}");
    assert!(page.contains("<p class=\"r\">原因：贫困发生率 6%，高于 贫困村贫困发生率上限 2%</p>"), "{page}");
    assert!(!page.contains("http"), "nothing fetched");
}

/// `explain` reads only the county concerned: a bad cell in another county does not stop it,
/// one in its own county does, named by the file's own row number.
#[test]
fn explain_reads_only_its_county_and_keeps_the_file_s_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("register");
    let d = data.to_str().unwrap();
    let o = common::tuopin(&[
        "gen",
        "--households",
        "200",
        "--counties",
        "2",
        "--seed",
        "3",
        "--format",
        "csv",
        "--out",
        d,
    ]);
    assert!(o.status.success());
    // The last household of the file (county 433130) gets a wage that is not a number.
    let path = data.join("households.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
    let wage = header.iter().position(|h| *h == "wage_income").unwrap();
    let last = lines.len() - 1;
    let mut cells: Vec<String> = lines[last].split(',').map(str::to_string).collect();
    assert!(cells[1].starts_with("433130"), "{}", lines[last]);
    let bad_id = cells[0].clone();
    cells[wage] = "很多".into();
    lines[last] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let first_id = lines[1].split(',').next().unwrap().to_string();
    assert!(lines[1].split(',').nth(1).unwrap().starts_with("433127"));

    let (code, out) = explain(&["explain", &first_id, "--data", d]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("农户 {first_id}")), "{out}");
    let o = common::tuopin(&["explain", &bad_id, "--data", d]);
    assert_eq!(o.status.code(), Some(1));
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    // The header is row 1: the file's last line is row `last + 1`.
    assert!(said.contains(&format!("households.csv 第 {} 行 列 wage_income 值 “很多”: 应为数字", last + 1)), "{said}");
}

/// The same on Parquet written in row groups, where only the county's rows are read from
/// the file (the filter pushed down to it): the answer is the one of the whole file, and a
/// bad cell in the county is named by its row in the file.
#[test]
fn explain_on_parquet_in_row_groups_reads_its_county_and_keeps_the_file_s_row_numbers() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("register");
    let d = data.to_str().unwrap();
    let o = common::tuopin(&["gen", "--households", "200", "--counties", "2", "--seed", "3", "--out", d]);
    assert!(o.status.success());
    let whole = dir.path().join("whole");
    std::fs::create_dir_all(&whole).unwrap();
    let mut ids = vec![];
    for t in ["persons", "households", "villages", "counties"] {
        let path = data.join(format!("{t}.parquet"));
        std::fs::copy(&path, whole.join(format!("{t}.parquet"))).unwrap();
        let mut df = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
        if t == "households" {
            let key = df.column("household_id").unwrap().str().unwrap().clone();
            ids = key.iter().map(|k| k.unwrap().to_string()).collect();
            // The last household (county 433130) gets a status that is no code.
            let n = df.height();
            let status: StringChunked = df
                .column("status")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, v)| if i + 1 == n { Some("99") } else { v })
                .collect();
            df.with_column(status.with_name("status".into()).into_column()).unwrap();
        }
        let file = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(file).with_row_group_size(Some(30)).finish(&mut df).unwrap();
    }
    let (first, bad) = (ids[0].clone(), ids[ids.len() - 1].clone());
    assert!(first.starts_with("433127") && bad.starts_with("433130"), "{first} {bad}");
    // A household of the first county: the same document as from the untouched files.
    let o = common::tuopin(&["explain", &first, "--data", d, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let w = common::tuopin(&["explain", &first, "--data", whole.to_str().unwrap(), "--json"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&w.stdout));
    // The bad household: its row is the file's last, 200.
    let o = common::tuopin(&["explain", &bad, "--data", d]);
    assert_eq!(o.status.code(), Some(1));
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(said.contains(&format!("households.parquet 第 {} 行 列 status 值 “99”", ids.len())), "{said}");
}
