//! The tools for staff who edit rules: a copy of the Hunan pack is edited the way staff do
//! (raise the poverty line, drop a condition, make a typo) and `lint`, `test` and `diff`
//! must report exactly what changed, in Chinese and in English.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The base pack's household results on the demo register.
fn base_households() -> Vec<HashMap<String, String>> {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--format", "csv", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    common::read_csv(&out.path().join("households.csv"))
}

#[test]
fn the_shipped_pack_is_clean_and_its_cases_pass() {
    let o = common::tuopin(&["--lang", "en", "lint", "--deny-warnings"]);
    assert_eq!(stdout(&o), "0 error(s), 0 warning(s)\n");
    assert_eq!(o.status.code(), Some(0));
    let o = common::tuopin(&["--lang", "en", "test"]);
    assert_eq!(stdout(&o), "65 passed, 0 failed\n");
    let o = common::tuopin(&["test"]);
    assert_eq!(stdout(&o), "通过 65 个案例，失败 0 个\n");
}

#[test]
fn raising_the_poverty_line() {
    let (_t, pack) = common::hunan_copy();
    common::edit(&pack, "parameters.toml", "2020 = 4000 }", "2020 = 4200 }");
    let p = pack.to_str().unwrap();

    // lint: nothing to say about a changed value.
    assert_eq!(stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p])), "0 error(s), 0 warning(s)\n");

    // test: the cases that sit exactly on 4000 (and on 1.5 × 4000 for monitoring) now fail.
    let o = common::tuopin(&["--lang", "en", "test", "--rules", p]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('✗'))
        .map(|l| l.split_once(' ').unwrap().1.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        failed,
        vec![
            "三口之家人均纯收入恰好等于扶贫标准",
            "四项收入减经营支出",
            "已故成员不计入家庭人口",
            "监测：恰好1.5倍标准（6000）且无其他情形，不监测"
        ]
    );
    assert!(text.contains("    household.income_above_line: expected yes, got no\n        per_capita_net_income = 4000.0\n        param(\"poverty_line\") = 4200.0\n"), "{text}");
    assert!(text.ends_with("61 passed, 4 failed\n"), "{text}");

    // diff: exactly the households with 4000 ≤ per capita < 4200 stop passing the income test.
    let expected = base_households()
        .iter()
        .filter(|h| h["per_capita_net_income"].parse::<f64>().is_ok_and(|v| (4000.0..4200.0).contains(&v)))
        .count();
    assert!(expected > 0);
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "--lang",
        "en",
        "diff",
        "--base",
        "rules/hunan",
        "--new",
        p,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The rule, its rows changed and counts before → after, then its transitions.
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("household.income_above_line: {expected} rows changed; yes ")))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        lines[at + 1],
        format!("    true→false {expected}, false→true 0, to unknown 0, from unknown 0, number changed 0")
    );
    assert!(lines.contains(&"parameter 扶贫标准 (2020): 4,000 → 4,200 元/人·年"), "{text}");
    let changes = common::read_csv(&out.path().join("changes.csv"));
    assert_eq!(changes.iter().filter(|c| c["rule"] == "household.income_above_line").count(), expected);
    assert!(
        changes
            .iter()
            .filter(|c| c["rule"] == "household.income_above_line")
            .all(|c| c["base"] == "true" && c["new"] == "false")
    );
    // The report opens and has a sheet per level with changes.
    let sheets = calamine_sheets(&out.path().join("diff.xlsx"));
    assert_eq!(
        sheets,
        vec!["summary", "pack", "by county", "by village", "Households"],
        "the line changes no village outcome (no Villages sheet)"
    );
}

fn calamine_sheets(p: &Path) -> Vec<String> {
    use calamine::Reader;
    calamine::open_workbook_auto(p).unwrap().sheet_names().to_vec()
}

#[test]
fn dropping_a_condition() {
    let (_t, pack) = common::hunan_copy();
    common::edit(&pack, "household/meets_exit_standard.rhai", " and water_assured", "");
    let p = pack.to_str().unwrap();

    // lint: the water rule is now read by nothing.
    let o = common::tuopin(&["--lang", "en", "lint", "--rules", p]);
    let text = stdout(&o).replace(p, "PACK");
    assert_eq!(
        text,
        "PACK/household/water_assured.rhai:1:1: warning[W003]: rule `household.water_assured` is read by no other rule and is not a main verdict, flag or output in pack.toml\n\
         1 | // id: household.water_assured\n    ^\n  = list it under [outputs] in pack.toml, or remove it\n\n\
         0 error(s), 1 warning(s)\n"
    );
    assert_eq!(o.status.code(), Some(0), "warnings alone do not fail");
    assert_eq!(common::tuopin(&["lint", "--rules", p, "--deny-warnings"]).status.code(), Some(1));
    let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
    assert!(zh.starts_with("PACK/household/water_assured.rhai:1:1: 警告[W003]: 规则 `household.water_assured` 既没有被其他规则引用，也不是 pack.toml 中的结论、风险标记或输出\n"), "{zh}");
    assert!(zh.ends_with("0 个错误，1 个警告\n"), "{zh}");

    // test: the cases that relied on the water condition fail.
    let text = stdout(&common::tuopin(&["--lang", "en", "test", "--rules", p]));
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('✗'))
        .map(|l| l.split_once(' ').unwrap().1.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        failed,
        vec![
            "饮水不安全（2020年）：没有保障，不达标",
            "历史已脱贫户饮水不安全：错退风险",
            "新脱贫户饮水安全空白：错退风险未知"
        ]
    );

    // diff: households failing only on water now meet the standard.
    let households = base_households();
    let only_water = households
        .iter()
        .filter(|h| {
            h["water_assured"] == "false"
                && ["income_above_line", "no_worries", "education_assured", "medical_assured", "housing_assured"]
                    .iter()
                    .all(|c| h[*c] == "true")
        })
        .count();
    assert!(only_water > 0);
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "--lang",
        "en",
        "diff",
        "--base",
        "rules/hunan",
        "--new",
        p,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("household.meets_exit_standard: {only_water} rows changed; yes ")))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        lines[at + 1],
        format!("    true→false 0, false→true {only_water}, to unknown 0, from unknown 0, number changed 0")
    );
    assert!(lines.contains(&"rule edited: household.meets_exit_standard"), "{text}");
}

#[test]
fn a_typo_is_an_error_for_lint_test_and_diff_in_both_languages() {
    let (_t, pack) = common::hunan_copy();
    common::edit(&pack, "household/no_worries.rhai", "and clothing_secure", "and clothing_secur");
    let p = pack.to_str().unwrap();
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p])).replace(p, "PACK");
    assert_eq!(
        en,
        "PACK/household/no_worries.rhai:6:17: unknown name `clothing_secur`: not a field, rule or parameter of the household level\n\
         6 | food_secure and clothing_secur\n                    ^\n  = did you mean clothing_secure?\n\n\
         1 error(s), 0 warning(s)\n"
    );
    let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
    assert_eq!(
        zh,
        "PACK/household/no_worries.rhai:6:17: 未知的名称 `clothing_secur`：不是农户层的字段、规则或参数\n\
         6 | food_secure and clothing_secur\n                    ^\n  = 是不是 clothing_secure？\n\n\
         1 个错误，0 个警告\n"
    );
    for args in
        [vec!["test", "--rules", p], vec!["diff", "--base", "rules/hunan", "--new", p, "--out", "/tmp/never-written"]]
    {
        let mut full = vec!["--lang", "en"];
        full.extend(args.iter());
        let o = common::tuopin(&full);
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr).replace(p, "PACK");
        assert!(err.starts_with("The rule pack has errors; no rule was run:\nPACK/household/no_worries.rhai:6:17: unknown name `clothing_secur`"), "{err}");
    }
    assert!(!Path::new("/tmp/never-written").exists());
}

#[test]
fn warnings_for_numbers_unused_parameters_and_missing_sources() {
    let (_t, pack) = common::hunan_copy();
    std::fs::write(
        pack.join("household/extra.rhai"),
        "// id: household.extra\n// 类型: 判断\nhouse_safety == \"03\" or wage_income > 3000 or house_safety in [\"01\", \"安全\"]\n",
    )
    .unwrap();
    common::edit(&pack, "pack.toml", "household = [\"exit_eligible\"]", "household = [\"exit_eligible\", \"extra\"]");
    let params = std::fs::read_to_string(pack.join("parameters.toml")).unwrap();
    std::fs::write(
        pack.join("parameters.toml"),
        format!("{params}\n[unused_threshold]\ntitle = \"t\"\nsource = \"s\"\nvalues = {{ 2014 = 1 }}\n"),
    )
    .unwrap();
    let p = pack.to_str().unwrap();
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p])).replace(p, "PACK");
    let heads: Vec<&str> = en.lines().filter(|l| l.starts_with("PACK")).collect();
    assert_eq!(
        heads,
        vec![
            "PACK/household/extra.rhai:1:1: warning[W004]: rule `household.extra` has no source",
            "PACK/household/extra.rhai:3:39: warning[W001]: the number 3000 is written in the script; it should be a parameter",
            format!(
                "PACK/parameters.toml:{}:1: warning[W002]: no rule uses the parameter `unused_threshold`",
                params.lines().count() + 2
            )
            .as_str(),
        ]
    );
    let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
    assert!(
        zh.contains("PACK/household/extra.rhai:3:39: 警告[W001]: 规则中直接写了数字 3000，它应该是一个参数\n"),
        "{zh}"
    );
    assert!(zh.contains("警告[W002]: 没有任何规则使用参数 `unused_threshold`\n"), "{zh}");
    assert!(zh.contains("警告[W004]: 规则 `household.extra` 没有注明来源\n"), "{zh}");
    assert!(zh.ends_with("0 个错误，3 个警告\n"), "{zh}");
}
