//! The rule engine: load-time checks with their exact diagnostics, the sandbox, order
//! independence of three-valued logic, and identical output whatever the thread count.

mod common;

use std::path::Path;
use std::process::Command;

use common::Case;
use tuopin::register::{Aliases, Table};

fn write(pack: &Path, rel: &str, text: &str) {
    std::fs::write(pack.join(rel), text).unwrap();
}

/// The diagnostics of loading a pack (for `year`), with the pack folder shown as `PACK`.
fn diagnostics(pack: &Path, year: i32) -> String {
    match tuopin::jobs::load_pack(pack, year, &Aliases::builtin()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string().replace(&pack.display().to_string(), "PACK"),
    }
}

const HEADER: &str = "// id: household.extra\n// 标题: 测试\n// 来源: test\n// 类型: 判断\n";

#[test]
fn an_unknown_name_is_reported_with_line_column_caret_and_a_suggestion() {
    let (_t, pack) = common::hunan_copy();
    write(&pack, "household/extra.rhai", &format!("{HEADER}wage_incme > 0\n"));
    assert_eq!(
        diagnostics(&pack, 2020),
        "PACK/household/extra.rhai:5:1: unknown name `wage_incme`: not a field, rule or parameter of the household level\n\
         5 | wage_incme > 0\n    ^\n  = did you mean wage_income?\n"
    );
}

#[test]
fn syntax_errors_point_at_the_operator_and_explain_and_or() {
    let (_t, pack) = common::hunan_copy();
    write(&pack, "household/extra.rhai", &format!("{HEADER}food_secure && water_safe\n"));
    let d = diagnostics(&pack, 2020);
    assert!(d.starts_with("PACK/household/extra.rhai:5:13: `&&` is not a word of the rule language\n"), "{d}");
    assert!(d.contains("5 | food_secure && water_safe\n                ^\n"), "{d}");
    assert!(d.ends_with("  = write and: the rule language's logic words are and (且), or (或), not(…) (非(…)), which give 未知 when a value is missing\n"), "{d}");
}

#[test]
fn a_circle_of_rules_is_named() {
    let (_t, pack) = common::hunan_copy();
    write(&pack, "household/a.rhai", "// id: household.a\n// 类型: 判断\nb\n");
    write(&pack, "household/b.rhai", "// id: household.b\n// 类型: 判断\na\n");
    let d = diagnostics(&pack, 2020);
    assert_eq!(
        d,
        "PACK/household/a.rhai: rules depend on each other in a circle: household.a → household.b → household.a\n  = break the circle: one of these rules must not read the next\n"
    );
}

#[test]
fn reading_a_higher_level_or_a_lower_one_without_aggregation_is_refused() {
    let (_t, pack) = common::hunan_copy();
    write(&pack, "household/extra.rhai", &format!("{HEADER}collective_income > 0 and dibao and health == \"01\"\n"));
    let d = diagnostics(&pack, 2020);
    assert!(d.contains("PACK/household/extra.rhai:5:1: `collective_income` belongs to the village level, above this household rule\n"), "{d}");
    assert!(
        d.contains("PACK/household/extra.rhai:5:27: `dibao` belongs to the person level, below this household rule\n"),
        "{d}"
    );
    assert!(d.contains("  = read it through an aggregation, e.g. all_members(\"dibao\")\n"), "{d}");
    // A code field cannot be aggregated as it is: write a person rule first.
    assert!(
        d.contains(
            "PACK/household/extra.rhai:5:37: `health` is a code field of the person level, below this household rule\n"
        ),
        "{d}"
    );
    assert!(d.contains("  = write a person rule first, e.g. person/has_condition.rhai: `health == \"患有大病\"`, then write any_member(\"has_condition\") here\n"), "{d}");
}

#[test]
fn a_year_outside_the_pack_a_parameter_not_yet_begun_and_an_unknown_parameter() {
    let (_t, pack) = common::hunan_copy();
    let d = diagnostics(&pack, 2013);
    assert_eq!(
        d,
        "PACK/pack.toml: year 2013 is outside the years this pack covers (2014–2020)\n  = the pack's years are set in PACK/pack.toml (years = [2014, 2020]): to evaluate 2013, extend them there and give the parameters values for the new years; otherwise give --year between 2014 and 2020\n"
    );
    // A parameter that begins in 2016 is unknown before: the pack loads for 2014, and lint
    // names each rule that reads it unguarded.
    let params = std::fs::read_to_string(pack.join("parameters.toml")).unwrap();
    write(&pack, "parameters.toml", &params.replace("values = { 2014 = 2736, 2015 = 2855, ", "values = { "));
    assert_eq!(diagnostics(&pack, 2014), "");
    let (errors, warnings) = tuopin::rules::lint::run(&pack, &Aliases::builtin());
    assert!(errors.is_empty());
    let w006: Vec<String> = warnings
        .iter()
        .filter(|w| w.code == Some("W006"))
        .map(|w| format!("{}:{}", w.file.replace(&pack.display().to_string(), "PACK"), w.line))
        .collect();
    assert_eq!(w006.len(), 2, "{w006:?}");
    assert!(w006.iter().any(|w| w.starts_with("PACK/household/income_above_line.rhai")), "{w006:?}");
    assert!(w006.iter().any(|w| w.starts_with("PACK/household/monitor.rhai")), "{w006:?}");
    assert!(warnings.iter().all(|w| w.code != Some("W006") || w.message.en.contains("has no value in 2014–2015")));
    write(&pack, "household/extra.rhai", &format!("{HEADER}wage_income > param(\"poverty_lin\")\n"));
    let d = diagnostics(&pack, 2020);
    assert!(d.starts_with("PACK/household/extra.rhai:5:21: no parameter `poverty_lin` in parameters.toml\n"), "{d}");
}

#[test]
fn an_unknown_parameter_key_names_its_file_and_line() {
    let (_t, pack) = common::hunan_copy();
    let params = std::fs::read_to_string(pack.join("parameters.toml")).unwrap();
    write(&pack, "parameters.toml", &params.replacen("unit = \"元/人·年\"", "units = \"元/人·年\"", 1));
    let d = diagnostics(&pack, 2020);
    assert!(d.starts_with("PACK/parameters.toml:7:1: unknown field `units`"), "{d}");
}

fn run_rule(body: &str, kind: &str) -> tuopin::eval::Outcomes {
    let (_t, pack) = common::hunan_copy();
    write(&pack, "household/extra.rhai", &format!("// id: household.extra\n// 类型: {kind}\n{body}\n"));
    common::run_pack(&Case::new().household_of("H1", 1, &[]), &pack, 2020).outcomes
}

#[test]
fn the_sandbox_stops_endless_loops_huge_strings_and_deep_nesting_with_their_errors() {
    let errs = run_rule("loop { }", "判断").errors;
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].rule.as_str(), errs[0].key.as_str()), ("household.extra", "H1"));
    assert_eq!(errs[0].say(tuopin::messages::Lang::En), "stopped after 200000 operations (an endless loop?)");

    let errs = run_rule("let s = \"0123456789\"; while true { s += s; } true", "判断").errors;
    assert_eq!(errs[0].say(tuopin::messages::Lang::En), "Length of string too large");

    let (_t, pack) = common::hunan_copy();
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    write(&pack, "household/extra.rhai", &format!("// id: household.extra\n// 类型: 数值\n{deep} > 0\n"));
    let d = diagnostics(&pack, 2020);
    assert!(d.contains("extra.rhai:3:") && d.contains("syntax error: Expression exceeds maximum complexity"), "{d}");

    write(&pack, "household/extra.rhai", "// id: household.extra\n// 类型: 数值\nfn f(x) { f(x) } f(1)\n");
    let d = diagnostics(&pack, 2020);
    assert!(d.contains("rule `household.extra` defines a function"), "{d}");
    write(&pack, "household/extra.rhai", "// id: household.extra\n// 类型: 数值\nimport \"x\" as y; 1\n");
    assert!(!diagnostics(&pack, 2020).is_empty() || !run_rule("import \"x\" as y; 1", "数值").errors.is_empty());
}

#[test]
fn a_runtime_type_error_is_reported_per_row_and_the_batch_goes_on() {
    let out = run_rule("wage_income + \"元\" > 0", "判断");
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].say(tuopin::messages::Lang::En), "cannot compare text with a number (`>`)");
    // The other rules ran.
    let households = out.level(Table::Households).unwrap();
    assert_eq!(households.len(), 1);
}

#[test]
fn a_verdict_does_not_depend_on_the_order_of_conditions() {
    let (_t, pack) = common::hunan_copy();
    write(
        &pack,
        "household/reversed.rhai",
        "// id: household.reversed\n// 类型: 判断\nwater_assured and housing_assured and medical_assured and education_assured and no_worries and income_above_line\n",
    );
    write(
        &pack,
        "household/either.rhai",
        "// id: household.either\n// 类型: 判断\nfood_secure or water_safe or house_renovated\n",
    );
    write(
        &pack,
        "household/either_rev.rhai",
        "// id: household.either_rev\n// 类型: 判断\nhouse_renovated or water_safe or food_secure\n",
    );
    let case = Case::new()
        .household_of("A", 2, &[("water_safe", ""), ("food_secure", "false")])
        .household_of("B", 2, &[("water_safe", ""), ("wage_income", "")])
        .household_of("C", 2, &[("house_safety", ""), ("food_secure", "")])
        .household_of("D", 2, &[("food_secure", "true"), ("water_safe", "")])
        .household_of("E", 2, &[]);
    let r = common::run_pack(&case, &pack, 2020);
    for h in ["A", "B", "C", "D", "E"] {
        assert_eq!(r.tri(Table::Households, h, "reversed"), r.tri(Table::Households, h, "meets_exit_standard"), "{h}");
        assert_eq!(r.tri(Table::Households, h, "either"), r.tri(Table::Households, h, "either_rev"), "{h}");
    }
    assert_eq!(r.tri(Table::Households, "A", "reversed"), Some(false), "false and unknown is false");
    assert_eq!(r.tri(Table::Households, "B", "reversed"), None);
    assert_eq!(r.tri(Table::Households, "D", "either"), Some(true), "true or unknown is true");
    assert_eq!(r.tri(Table::Households, "C", "either"), Some(true));
}

#[test]
fn chinese_names_for_fields_rules_parameters_and_operators() {
    let (_t, pack) = common::hunan_copy();
    write(
        &pack,
        "household/zh.rhai",
        "// id: household.zh\n// 类型: 判断\n人均纯收入 >= 参数(\"扶贫标准\") 且 非(不愁吃 == false) 且 所有成员(\"基本医疗有保障\")\n",
    );
    let case = Case::new().household_of("OK", 2, &[("wage_income", "8000")]).household_of(
        "LOW",
        2,
        &[("wage_income", "7999")],
    );
    let r = common::run_pack(&case, &pack, 2020);
    assert_eq!(r.tri(Table::Households, "OK", "zh"), Some(true));
    assert_eq!(r.tri(Table::Households, "LOW", "zh"), Some(false));
}

#[test]
fn same_output_bytes_whatever_the_thread_count() {
    let repo = common::repo();
    let mut outs = vec![];
    for threads in ["1", "2", "3"] {
        let out = tempfile::tempdir().unwrap();
        let status = Command::new(env!("CARGO_BIN_EXE_tuopin"))
            .args(["check", "--out", out.path().to_str().unwrap()])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(&repo)
            .status()
            .unwrap();
        assert!(status.success());
        let files: Vec<(String, Vec<u8>)> =
            ["persons.parquet", "households.parquet", "villages.parquet", "counties.parquet", "summary.json"]
                .iter()
                .map(|f| (f.to_string(), std::fs::read(out.path().join(f)).unwrap()))
                .collect();
        outs.push(files);
    }
    assert!(outs[0] == outs[1] && outs[1] == outs[2]);
}
