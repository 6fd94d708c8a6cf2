//! The result workbook (`check --format xlsx`, `check --report`): sheet names, the summary's
//! facts and per-county table, the chart, names carried from the register, labels for codes,
//! titles as headers, in both languages. Expected values are worked out by hand from
//! `fixtures/real-world/bom-csv` (three households of 民主村, 永顺县):
//! - H1 4331271002010001: head 彭德贵 (relation 01), status 04 未脱贫, net income
//!   6000 + 3000.5 + 0 + 2000 − 1000.5 = 10000 over 3 living members = 3333.33 < 4000.
//! - H2 4331271002010002: head 田桂兰; H3 4331271002010003: head 龙建国 (unregistered).

mod common;

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader};

/// Each sheet of a workbook as rows of text (numbers as Rust prints them).
fn sheets(path: &Path) -> (Vec<String>, HashMap<String, Vec<Vec<String>>>) {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let names = book.sheet_names().to_vec();
    let mut out = HashMap::new();
    for n in &names {
        let range = book.worksheet_range(n).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = vec![vec![String::new(); (range.end().map_or(0, |e| e.1) + 1) as usize]; r0 as usize];
        for r in range.rows() {
            let mut row = vec![String::new(); c0 as usize];
            row.extend(r.iter().map(|c| match c {
                Data::String(s) => s.clone(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Empty => String::new(),
                other => other.to_string(),
            }));
            rows.push(row);
        }
        out.insert(n.clone(), rows);
    }
    (names, out)
}

fn check_xlsx(lang: &str, out: &Path) {
    let o = common::tuopin(&[
        "--lang",
        lang,
        "check",
        "--data",
        "fixtures/real-world/bom-csv",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The row of a sheet whose first cell is `key`, as header → cell.
fn row_of<'a>(rows: &'a [Vec<String>], key: &str) -> HashMap<&'a str, &'a str> {
    let row = rows.iter().find(|r| r.first().is_some_and(|c| c == key)).unwrap_or_else(|| panic!("no row {key}"));
    rows[0].iter().map(String::as_str).zip(row.iter().map(String::as_str)).collect()
}

#[test]
fn the_chinese_workbook_reads_as_a_county_office_would_hand_it_on() {
    let out = tempfile::tempdir().unwrap();
    check_xlsx("zh", out.path());
    let path = out.path().join("results.xlsx");
    let (names, s) = sheets(&path);
    assert_eq!(names, ["汇总", "县", "村", "农户", "人员"]);
    // No per-level files: the one workbook.
    assert!(!out.path().join("households.xlsx").exists());
    // A native chart (the zip's directory names its part).
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"), "no chart");

    let h = &s["农户"];
    assert_eq!(
        h[0][..7],
        ["户编号", "户主姓名", "村名", "县名", "脱贫状态", "达到脱贫标准（一超过、两不愁、三保障）", "原因"]
    );
    let h1 = row_of(h, "4331271002010001");
    assert_eq!((h1["户主姓名"], h1["村名"], h1["县名"], h1["脱贫状态"]), ("彭德贵", "民主村", "永顺县", "未脱贫"));
    assert_eq!(h1["达到脱贫标准（一超过、两不愁、三保障）"], "否");
    // The failed condition with the values read: 10000 / 3 = 3,333.33 below 4,000, by 666.67.
    assert_eq!(h1["原因"], "人均纯收入 3,333.33 元，低于 扶贫标准 4,000 元，差 666.67 元");
    let pc: f64 = h1["人均纯收入（按家庭人口计算）"].parse().unwrap();
    assert!((pc - 10000.0 / 3.0).abs() < 1e-9, "{pc}");
    assert_eq!(h1["家庭人口（在世成员数）"], "3");
    assert_eq!(row_of(h, "4331271002010002")["户主姓名"], "田桂兰");
    assert_eq!(row_of(h, "4331271002010003")["户主姓名"], "龙建国");

    let v = row_of(&s["村"], "433127100201");
    assert_eq!((v["村名"], v["县名"], v["贫困村"]), ("民主村", "永顺县", "是"));
    // Remaining poor: H1's 3 living members (status 04); H2 exited (05), H3 unregistered.
    // 3 of 50 registered residents = 6 %, above the 2 % line; income 40,000 meets 40,000.
    assert_eq!(v["原因"], "贫困发生率 6%，高于 贫困村贫困发生率上限 2%");
    let c = row_of(&s["县"], "433127");
    assert_eq!((c["县名"], c["贫困县类别"]), ("永顺县", "国家级贫困县"));
    // 3 of 100 rural residents = 3 %; income 10,500 ≥ 10,000 and the three rates pass.
    assert_eq!(c["原因"], "贫困发生率 3%，高于 贫困县贫困发生率上限 2%");
    let p = row_of(&s["人员"], "433127197503080111");
    assert_eq!((p["姓名"], p["户编号"]), ("彭德贵", "4331271002010001"));

    // The summary: the run's facts, the totals, the counties side by side.
    let sum = &s["汇总"];
    assert!(sum[0][0].ends_with("2020 年检查结果"), "{}", sum[0][0]);
    let fact = |label: &str| sum.iter().find(|r| r[0] == label).map(|r| r[1].clone()).unwrap();
    assert_eq!(fact("评估年度"), "2020");
    assert_eq!(fact("登记数据"), "fixtures/real-world/bom-csv");
    assert_eq!(fact("输入错误"), "0");
    let total =
        sum.iter().find(|r| r[0] == "农户（3 户）" && r[1] == "达到脱贫标准（一超过、两不愁、三保障）").unwrap();
    let yes_no_unknown: u32 = total[2..5].iter().map(|c| c.parse::<u32>().unwrap()).sum();
    assert_eq!(yes_no_unknown, 3, "every household counted once: {total:?}");
    // 民主村 is poor (poor_village true) and cannot exit (6 % > 2 %): counted among poor villages.
    let v = sum.iter().find(|r| r[1] == "贫困村可退出").unwrap();
    assert_eq!(v[0..5], ["村（1 个，其中贫困村 1 个）", "贫困村可退出", "0", "1", "0"]);
    let county = sum.iter().position(|r| r[0] == "433127").unwrap();
    assert_eq!((sum[county][1].as_str(), sum[county][2].as_str()), ("永顺县", "3"));
}

#[test]
fn the_english_workbook_uses_rule_names_and_english_sheets() {
    let out = tempfile::tempdir().unwrap();
    check_xlsx("en", out.path());
    let (names, s) = sheets(&out.path().join("results.xlsx"));
    assert_eq!(names, ["Summary", "Counties", "Villages", "Households", "Persons"]);
    let h1 = row_of(&s["Households"], "4331271002010001");
    assert_eq!((h1["head of household"], h1["meets_exit_standard"]), ("彭德贵", "no"));
    assert_eq!(
        h1["reasons"],
        "per_capita_net_income 3,333.33 yuan is below poverty_line 4,000 yuan (short by 666.67 yuan)"
    );
    assert_eq!(row_of(&s["Counties"], "433127")["reasons"], "incidence 3% is above county_incidence_max 2%");
}

#[test]
fn report_adds_the_workbook_beside_parquet() {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--report", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.path().join("households.parquet").exists());
    let (names, s) = sheets(&out.path().join("results.xlsx"));
    assert_eq!(names[0], "汇总");
    // The demo's 2,000 households, one row each under the header.
    assert_eq!(s["农户"].len(), 2001);
}

#[test]
fn the_terminal_totals_count_only_poor_villages_and_agree_county_by_county() {
    use polars::prelude::*;
    // Independently: the demo's poor villages (the register) and their verdicts (villages.csv).
    let file = std::fs::File::open(common::repo().join("fixtures/demo/villages.parquet")).unwrap();
    let reg = ParquetReader::new(file).finish().unwrap();
    let codes = reg.column("village_code").unwrap().cast(&DataType::String).unwrap();
    let poor = reg.column("poor_village").unwrap().cast(&DataType::Boolean).unwrap();
    let poor: HashMap<String, bool> = codes
        .str()
        .unwrap()
        .iter()
        .zip(poor.bool().unwrap().iter())
        .map(|(c, p)| (c.unwrap().to_string(), p == Some(true)))
        .collect();
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--format", "csv", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let villages = common::read_csv(&out.path().join("villages.csv"));
    let among_poor = |v: &str| villages.iter().filter(|r| poor[&r["village_code"]] && r["exit_eligible"] == v).count();
    let (yes, no) = (among_poor("true"), among_poor("false"));
    let n_poor = poor.values().filter(|&&p| p).count();
    assert!(n_poor < villages.len(), "the demo has non-poor villages");
    assert_eq!(yes + no, n_poor);
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let line = |text: &str| -> String {
        let l = text.lines().find(|l| l.trim_start().starts_with("贫困村可退出")).unwrap().to_string();
        l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(line(&stdout), format!("是 {yes} 否 {no} 未知 0"), "{stdout}");
    assert!(stdout.contains(&format!("（贫困村 {n_poor} 个，")), "{stdout}");
    // County by county, the same counts.
    let by = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--by-county", "--out", by.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(line(&String::from_utf8_lossy(&o.stdout)), format!("是 {yes} 否 {no} 未知 0"));
}

/// Beside the full Parquet tables (`--report`), a level sheet keeps to its first 100,000
/// rows and says where the rest are; the Parquet table holds them all.
#[test]
fn beside_full_tables_a_level_sheet_keeps_to_its_first_rows() {
    use calamine::{Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("register");
    let o = common::tuopin(&["gen", "--households", "110000", "--seed", "5", "--out", data.to_str().unwrap()]);
    assert!(o.status.success());
    let out = dir.path().join("out");
    let o = common::tuopin(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap(), "--report"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut book: Xlsx<_> = calamine::open_workbook(out.join("results.xlsx")).unwrap();
    let sheet = book.worksheet_range("农户").unwrap();
    assert_eq!(sheet.height(), 100_002, "header, 100,000 households, the note");
    assert_eq!(
        sheet.get((100_001, 0)).unwrap().to_string(),
        "……为便于在 Excel 中查看，本表只列出前 100,000 行；另有 10,000 行，完整结果见 households.parquet"
    );
}
