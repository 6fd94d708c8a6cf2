//! The `reasons` column is built as structured parts and said in the user's language: the
//! same parts in Chinese (titles, the register's Chinese headers) and in English (rule names,
//! field names). Checked part by part against the pack's titles and the alias table.

mod common;

use polars::prelude::*;
use tuopin::messages::Lang;
use tuopin::register::{Aliases, LoadOptions, Table};

#[test]
fn reasons_say_the_same_parts_in_chinese_and_in_english() {
    let aliases = Aliases::builtin();
    let pack = tuopin::rules::load(&common::hunan(), &aliases).unwrap();
    let values = pack.values_for_year(2020).unwrap();
    let opts = LoadOptions { encoding: Default::default(), aliases: aliases.clone(), skip_invalid: false };
    let mut loaded = tuopin::register::load(&common::repo().join("fixtures/demo"), &[], &opts).unwrap();
    // Empty `water_safe` and `wage_income` in every fifth household, so that verdicts
    // come out unknown with fields named.
    let hh = loaded.register.tables.get_mut(&Table::Households).unwrap();
    let n = hh.frame.height();
    let mask: BooleanChunked = (0..n).map(|i| Some(i % 5 == 0)).collect();
    for field in ["water_safe", "wage_income"] {
        let c = hh.frame.column(field).unwrap().as_materialized_series().clone();
        let nulls = Series::full_null(field.into(), n, c.dtype());
        let blanked = nulls.zip_with(&mask, &c).unwrap();
        hh.frame.with_column(blanked.into_column()).unwrap();
    }
    let outcomes = tuopin::eval::evaluate(&pack, &loaded.register, 2020, values, &|_| {}).unwrap();
    let level = outcomes.level(Table::Households).unwrap();
    let column = |lang| {
        let df = tuopin::report::level_frame(&pack, level, 2020, lang, &aliases, None).unwrap();
        df.column("reasons").unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect::<Vec<_>>()
    };
    let (zh, en) = (column(Lang::Zh), column(Lang::En));
    let title_of = |name: &str| {
        let r = pack.rules.iter().find(|r| r.level == Table::Households && r.name == name).expect(name);
        r.title.clone()
    };
    let header = |f: &str| aliases.header(Table::Households, f).unwrap_or(f).to_string();
    let (mut unknown_with_fields, mut failed, mut flags) = (0, 0, 0);
    for (z, e) in zh.iter().zip(&en) {
        let zp: Vec<&str> = if z.is_empty() { vec![] } else { z.split('；').collect() };
        let ep: Vec<&str> = if e.is_empty() { vec![] } else { e.split("; ").collect() };
        assert_eq!(zp.len(), ep.len(), "{z} | {e}");
        for (zp, ep) in zp.iter().zip(&ep) {
            let expected_zh = if let Some(name) = ep.strip_prefix("risk: ") {
                flags += 1;
                format!("风险：{}", title_of(name))
            } else if let Some(name) = ep.strip_suffix(": no") {
                failed += 1;
                format!("{}：否", title_of(name))
            } else if let Some(name) = ep.strip_suffix(": unknown") {
                format!("{}：未知", title_of(name))
            } else {
                let (name, rest) = ep.split_once(": unknown (missing ").expect(ep);
                let fields: Vec<String> = rest.trim_end_matches(')').split(", ").map(header).collect();
                unknown_with_fields += 1;
                format!("{}：未知（缺 {}）", title_of(name), fields.join("、"))
            };
            assert_eq!(*zp, expected_zh, "{e}");
        }
    }
    assert!(unknown_with_fields > 0 && failed > 0 && flags > 0, "{unknown_with_fields} {failed} {flags}");
    assert!(en.iter().any(|e| e.contains("water_safe")), "the blanked field is named");
}
