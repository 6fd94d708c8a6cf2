//! A policy officer writing rules alone (issue 14): labels in scripts, parameters over time,
//! the dictionary, fields a pack declares, Chinese messages, exports as systems write them,
//! and a binary that stands alone. The officer's own mistakes are the cases.

mod common;

use std::path::Path;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn write_rule(pack: &Path, rel: &str, body: &str) {
    let id = rel.trim_end_matches(".rhai").replace('/', ".");
    std::fs::write(pack.join(rel), format!("// id: {id}\n// 标题: 测试规则\n// 来源: 测试\n{body}\n")).unwrap();
}

/// `check` as CSV into a new folder, with `args` added; stops the test if it fails.
fn check_csv(args: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut all = vec!["check", "--format", "csv", "--out", out.path().to_str().unwrap()];
    all.extend_from_slice(args);
    let o = common::tuopin(&all);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    out
}

/// Persons of a small register, their health code as the register holds it.
fn health_case() -> common::Case {
    common::Case::new()
        .household("H1", &[])
        .person("H1", &[("health", "03")])
        .person("H1", &[("relation", "03"), ("health", "患有大病")])
        .person("H1", &[("relation", "03"), ("health", "01")])
        .household("H2", &[])
        .person("H2", &[("health", "04")])
        .person("H2", &[("relation", "03"), ("health", "02")])
}

/// `check` with an engine, as CSV: person_id → the rule's cell.
fn person_column(data: &Path, pack: &Path, engine: &str, rule: &str) -> Vec<(String, String)> {
    let out = check_csv(&["--data", data.to_str().unwrap(), "--rules", pack.to_str().unwrap(), "--engine", engine]);
    let health: std::collections::HashMap<String, String> = common::read_csv(&data.join("persons.csv"))
        .into_iter()
        .map(|r| (r["person_id"].clone(), r["health"].clone()))
        .collect();
    let mut rows: Vec<(String, String)> = common::read_csv(&out.path().join("persons.csv"))
        .into_iter()
        .map(|r| (health[&r["person_id"]].replace("患有大病", "03"), r[rule].clone()))
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_code_field_compared_with_its_label_means_the_code_on_both_engines() {
    let (_t, pack) = common::hunan_copy();
    write_rule(&pack, "person/ill.rhai", "健康状况 == \"患有大病\"");
    write_rule(&pack, "person/ill_or_disabled.rhai", "健康状况 in [\"患有大病\", \"04\"] and 健康状况 != \"健康\"");
    common::edit(&pack, "pack.toml", "[outputs]\n", "[outputs]\nperson = [\"ill\", \"ill_or_disabled\"]\n");
    let data = tempfile::tempdir().unwrap();
    health_case().write(data.path());
    // Expected by hand: health 03 → ill; 03 or 04 → ill_or_disabled.
    let t = |h: &str, v: &str| (h.to_string(), v.to_string());
    for engine in ["auto", "rows"] {
        assert_eq!(
            person_column(data.path(), &pack, engine, "ill"),
            vec![t("01", "false"), t("02", "false"), t("03", "true"), t("03", "true"), t("04", "false")],
            "{engine}"
        );
        assert_eq!(
            person_column(data.path(), &pack, engine, "ill_or_disabled"),
            vec![t("01", "false"), t("02", "false"), t("03", "true"), t("03", "true"), t("04", "true")],
            "{engine}"
        );
    }
}

#[test]
fn text_that_is_not_a_code_or_label_and_a_number_are_load_errors_in_both_languages() {
    let (_t, pack) = common::hunan_copy();
    write_rule(&pack, "person/ill.rhai", "健康状况 == 3 or 健康状况 in [\"01\", \"大病\"]");
    common::edit(&pack, "pack.toml", "[outputs]\n", "[outputs]\nperson = [\"ill\"]\n");
    let p = pack.to_str().unwrap();
    let zh = common::tuopin(&["lint", "--rules", p]);
    assert_eq!(zh.status.code(), Some(1));
    let zh = stdout(&zh).replace(p, "PACK");
    assert!(zh.contains("PACK/person/ill.rhai:4:9: `健康状况` 是代码字段，不能与数字 3 比较\n"), "{zh}");
    assert!(
        zh.contains("PACK/person/ill.rhai:4:29: `健康状况` 是代码字段，“大病” 既不是它的代码也不是它的标签；这样比较永远不成立\n"),
        "{zh}"
    );
    assert!(zh.contains("01 健康、02 长期慢性病、03 患有大病、04 残疾、05 死亡"), "{zh}");
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p])).replace(p, "PACK");
    assert!(
        en.contains("PACK/person/ill.rhai:4:9: `健康状况` is a code field and cannot be compared with the number 3\n"),
        "{en}"
    );
    assert!(en.contains("\"大病\" is neither one of its codes nor one of its labels"), "{en}");
    // `check` refuses the pack: nothing runs, nothing is silently false.
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--rules", p, "--out", out.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.path().join("o").exists());
}

/// The Hunan pack extended to 2025 with a monitoring line that starts in 2021, read by a
/// guarded rule and by an unguarded one.
fn pack_to_2025() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, pack) = common::hunan_copy();
    common::edit(&pack, "pack.toml", "years = [2014, 2020]", "years = [2014, 2025]");
    let params = std::fs::read_to_string(pack.join("parameters.toml")).unwrap();
    std::fs::write(
        pack.join("parameters.toml"),
        format!("{params}\n[monitor_line]\nalias = \"监测标准\"\ntitle = \"防止返贫监测收入线\"\nunit = \"元/人·年\"\nsource = \"测试\"\nvalues = {{ 2021 = 5000 }}\n"),
    )
    .unwrap();
    write_rule(&pack, "household/below_monitor.rhai", "年度 >= 2021 且 人均纯收入 < 参数(\"监测标准\")");
    write_rule(&pack, "household/below_monitor2.rhai", "人均纯收入 < 参数(\"监测标准\")");
    common::edit(
        &pack,
        "pack.toml",
        "household = [\"exit_eligible\"]",
        "household = [\"exit_eligible\", \"below_monitor\", \"below_monitor2\"]",
    );
    std::fs::write(
        pack.join("tests/monitor.toml"),
        "[[case]]\nname = \"2021年人均4666.67元，低于监测线5000元\"\nyear = 2021\nhousehold = { wage_income = 14000 }\nmembers = 3\n[case.expect.household]\nbelow_monitor = true\nbelow_monitor2 = true\n\n\
         [[case]]\nname = \"2020年监测线尚未实行\"\nyear = 2020\nhousehold = { wage_income = 14000 }\nmembers = 3\n[case.expect.household]\nbelow_monitor = false\nbelow_monitor2 = \"unknown\"\n",
    )
    .unwrap();
    (t, pack)
}

#[test]
fn a_parameter_that_starts_in_2021_is_unknown_before_and_a_guarded_rule_is_simply_false() {
    let (_t, pack) = pack_to_2025();
    let p = pack.to_str().unwrap();
    // lint: the unguarded rule is warned about for 2014–2020; the guard's 2021 is not a
    // threshold (no W001); the two year-by-year parameters carried past 2020 are named.
    let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
    let heads: Vec<&str> = zh.lines().filter(|l| l.starts_with("PACK")).collect();
    assert_eq!(heads.len(), 3, "{zh}");
    assert!(
        heads[0].starts_with(
            "PACK/household/below_monitor2.rhai:4:9: 警告[W006]: 参数 `monitor_line` 在 2014–2020 年没有数值"
        ),
        "{zh}"
    );
    assert!(
        heads[1].contains("警告[W007]: 参数 `poverty_line` 逐年设定，最后一个数值是 2020 年的，将沿用到 2025 年"),
        "{zh}"
    );
    assert!(heads[2].contains("`county_rural_income_target`"), "{zh}");
    assert!(zh.contains("写 2021 = \"none\""), "{zh}");
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p]));
    assert!(en.contains("warning[W006]: the parameter `monitor_line` has no value in 2014–2020"), "{en}");
    // The cases, all years, then one year.
    let all = common::tuopin(&["test", "--rules", p]);
    assert!(stdout(&all).contains("通过 67 个案例，失败 0 个"), "{}", stdout(&all));
    let y2021 = stdout(&common::tuopin(&["test", "--rules", p, "--year", "2021"]));
    assert!(y2021.contains("通过 1 个案例，失败 0 个\n（另有 66 个案例属于 2021 年以外的年度，未运行）"), "{y2021}");
    // On the demo register, both engines: false before 2021 for the guarded rule, unknown for
    // the other; from 2021 both are the comparison with 5,000.
    for engine in ["auto", "rows"] {
        for (year, guarded_before) in [("2019", true), ("2025", false)] {
            let out = check_csv(&["--rules", p, "--year", year, "--engine", engine]);
            let rows = common::read_csv(&out.path().join("households.csv"));
            assert_eq!(rows.len(), 2000);
            for r in &rows {
                let income: Option<f64> = r["per_capita_net_income"].parse().ok();
                let expected = match (guarded_before, income) {
                    (true, _) => ("false".to_string(), String::new()),
                    (false, Some(v)) => ((v < 5000.0).to_string(), (v < 5000.0).to_string()),
                    (false, None) => (String::new(), String::new()),
                };
                assert_eq!((r["below_monitor"].clone(), r["below_monitor2"].clone()), expected, "{engine} {year}");
            }
        }
    }
    // A year outside the pack says where the years are set.
    let o = common::tuopin(&["check", "--rules", p, "--year", "2026", "--out", "/tmp/never-written-2026"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o).replace(p, "PACK");
    assert!(e.contains("2026 年不在本规则包覆盖的年度内（2014–2025）"), "{e}");
    assert!(e.contains("规则包的年度在 PACK/pack.toml 的 years = [2014, 2025] 中设定"), "{e}");
    let e = stderr(&common::tuopin(&["--lang", "en", "test", "--rules", p, "--year", "2013"]));
    assert!(e.contains("the pack's years are set in") && e.contains("(years = [2014, 2025])"), "{e}");
}

#[test]
fn a_parameter_may_end_and_an_unknown_word_is_refused() {
    let (_t, pack) = pack_to_2025();
    common::edit(&pack, "parameters.toml", "values = { 2021 = 5000 }", "values = { 2021 = 5000, 2024 = \"none\" }");
    let p = pack.to_str().unwrap();
    let zh = stdout(&common::tuopin(&["lint", "--rules", p]));
    assert!(zh.contains("参数 `monitor_line` 在 2014–2020、2024–2025 年没有数值"), "{zh}");
    common::edit(&pack, "parameters.toml", "2024 = \"none\"", "2024 = \"停止\"");
    let zh = stdout(&common::tuopin(&["lint", "--rules", p]));
    assert!(zh.contains("参数 `monitor_line` 的 2024 年数值 “停止” 不是数字"), "{zh}");
    assert!(zh.contains("写 \"none\"（或 \"无\"）"), "{zh}");
}

#[test]
fn the_dictionary_lists_fields_rules_and_parameters_in_both_languages_and_as_a_workbook() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("词典.xlsx");
    let o = common::tuopin(&["fields", "--level", "农户", "--year", "2019", "--xlsx", book.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zh = stdout(&o);
    assert!(zh.starts_with("规则包：湖南省精准扶贫 · 建档立卡脱贫退出标准 · 2019 年\n\n【农户】字段（29）\n  户编号（household_id）  编号  必填\n"), "{zh}");
    assert!(zh.contains("  住房安全等级（house_safety）  代码  必填  01 安全、02 C级危房、03 D级危房\n"), "{zh}");
    assert!(zh.contains("  车辆（owns_car）  是/否  可选\n"), "{zh}");
    assert!(zh.contains("【农户】规则（16）\n"), "{zh}");
    assert!(zh.contains("  人均纯收入达到扶贫标准（income_above_line）  判断  中文名：收入达标  来源："), "{zh}");
    // The poverty line in force in 2019 (3,400), with its unit; the year of water's entry as a year.
    assert!(zh.contains("  扶贫标准（poverty_line）  3,400 元/人·年  来源："), "{zh}");
    assert!(zh.contains("  饮水安全纳入标准年度（water_in_standard_from）  2019 年  来源："), "{zh}");
    assert!(!zh.contains("【人员】"), "{zh}");
    assert!(book.exists());
    let en = stdout(&common::tuopin(&["--lang", "en", "fields", "--level", "person"]));
    assert!(en.contains("[person] fields (17)\n"), "{en}");
    assert!(
        en.contains("  health (健康状况)  code  required  01 健康, 02 长期慢性病, 03 患有大病, 04 残疾, 05 死亡\n"),
        "{en}"
    );
    let bad = common::tuopin(&["fields", "--level", "乡"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("没有层级“乡”"), "{}", stderr(&bad));
}

#[test]
fn a_misspelt_name_gets_the_closest_chinese_or_english_name_and_an_aggregated_condition_a_person_rule() {
    let (_t, pack) = common::hunan_copy();
    write_rule(
        &pack,
        "household/t1.rhai",
        "人均纯收人 > 0 and wage_incom > 0 and 任一成员(健康状况 == \"患有大病\") and 任一成员(\"健康状况\") and 任一成员(\"健康壮况\")",
    );
    let p = pack.to_str().unwrap();
    let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
    assert!(zh.contains("PACK/household/t1.rhai:4:1: 未知的名称 `人均纯收人`：不是农户层的字段、规则或参数\n"), "{zh}");
    assert!(zh.contains("  = 是不是 人均纯收入？\n"), "{zh}");
    assert!(zh.contains("  = 是不是 wage_income？\n"), "{zh}");
    assert!(zh.contains("`任一成员` 需要一个带引号的人员规则或字段名，不能直接写条件\n"), "{zh}");
    assert!(zh.contains("请先把条件写成一条人员规则，例如 person/serious_illness.rhai：`健康状况 == \"患有大病\"`，再在这里写 任一成员(\"serious_illness\")"), "{zh}");
    assert!(zh.contains("`任一成员(\"健康状况\")` 汇总的是人员的代码字段 `健康状况`"), "{zh}");
    assert!(zh.contains("  = 是不是 健康状况？"), "{zh}");
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p])).replace(p, "PACK");
    assert!(en.contains("  = did you mean 人均纯收入?\n"), "{en}");
    assert!(en.contains("`任一成员` takes the quoted name of a person rule or field, not a condition"), "{en}");
}

#[test]
fn help_and_argument_errors_are_chinese_by_default_and_english_with_lang_en() {
    let o = common::tuopin(&["check", "--help"]);
    assert!(o.status.success());
    let zh = stdout(&o);
    assert!(zh.starts_with("按规则包检查登记数据，每个层级写出一张结果表\n\n用法：tuopin check [选项]\n"), "{zh}");
    assert!(zh.contains("--year <年度>") && zh.contains("评估的年度（默认：2020）"), "{zh}");
    assert!(zh.contains("-h, --help") && zh.contains("显示帮助"), "{zh}");
    assert!(zh.contains("示例：tuopin check"), "{zh}");
    for cmd in [
        "explain", "diff", "validate", "sample", "estimate", "test", "fields", "lint", "load", "gen", "init", "serve",
        "user",
    ] {
        let h = stdout(&common::tuopin(&[cmd, "--help"]));
        assert!(h.contains("用法：tuopin ") && h.contains("显示帮助") && !h.contains("Usage:"), "{cmd}: {h}");
        assert!(!h.contains("Print help") && !h.contains("[default"), "{cmd}: {h}");
    }
    let en = stdout(&common::tuopin(&["--lang", "en", "check", "--help"]));
    assert!(en.contains("Usage: tuopin check [OPTIONS]") && en.contains("Year evaluated [default: 2020]"), "{en}");

    let o = common::tuopin(&["check", "--format", "excel"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "--format <格式> 不能取值 “excel”；可选：parquet、csv、ndjson、xlsx\n运行 tuopin check --help 查看用法\n"
    );
    let o = common::tuopin(&["--lang", "en", "check", "--format", "excel"]);
    assert!(stderr(&o).starts_with("invalid value 'excel' for '--format <FORMAT>'"), "{}", stderr(&o));
    let e = stderr(&common::tuopin(&["check", "--yeer", "2020"]));
    assert!(e.starts_with("没有选项 “--yeer”；是不是 --year？"), "{e}");
    let e = stderr(&common::tuopin(&["chek"]));
    assert!(e.starts_with("没有命令 “chek”；是不是 check？"), "{e}");
    let e = stderr(&common::tuopin(&["sample"]));
    assert!(e.starts_with("缺少必需的 --seed <种子>"), "{e}");
}

#[test]
fn file_errors_say_what_happened_in_chinese() {
    let e = stderr(&common::tuopin(&["check", "--rules", "/nonexistent-pack", "--out", "/tmp/never-written-x"]));
    assert!(e.contains("/nonexistent-pack/pack.toml: 无法读取规则包清单：文件或文件夹不存在"), "{e}");
    assert!(!e.contains("os error"), "{e}");
    let e = stderr(&common::tuopin(&["estimate", "--sample", "/nonexistent.csv", "--results", "/nonexistent2.csv"]));
    assert!(e.contains("/nonexistent.csv：无法读写：文件或文件夹不存在"), "{e}");
    let e = stderr(&common::tuopin(&["--lang", "en", "check", "--rules", "/nonexistent-pack"]));
    assert!(e.contains("No such file or directory"), "{e}");
}

/// `lint` of a Hunan copy whose parameters.toml has `from` replaced by `to`.
fn lint_with_parameters(from: &str, to: &str, lang: &str) -> String {
    let (_t, pack) = common::hunan_copy();
    common::edit(&pack, "parameters.toml", from, to);
    let p = pack.to_str().unwrap();
    let o = common::tuopin(&["--lang", lang, "lint", "--rules", p]);
    assert_eq!(o.status.code(), Some(1));
    stdout(&o).replace(p, "PACK")
}

#[test]
fn toml_mistakes_are_said_with_what_to_write_instead() {
    let line = "values = { 2014 = 2736, 2015 = 2855, 2016 = 2952, 2017 = 3026, 2018 = 3200, 2019 = 3400, 2020 = 4000 }";
    let zh = lint_with_parameters(line, "values = { 2014 = 2736, 2020 = 4,100 }", "zh");
    assert!(zh.starts_with("PACK/parameters.toml:9:38: 数字 4,100 带了千位分隔符\n"), "{zh}");
    assert!(
        zh.contains("  = 数字不能带千位分隔符：写 4100，不写 4,100；应写成：values = { 2014 = 2736, 2020 = 4100 }\n"),
        "{zh}"
    );
    let en = lint_with_parameters(line, "values = { 2014 = 2736, 2020 = 4,100 }", "en");
    assert!(en.contains("the number 4,100 has a thousands separator"), "{en}");
    let zh = lint_with_parameters(line, "values = { 2014 = 2736， 2020 = 4100 }", "zh");
    assert!(zh.starts_with("PACK/parameters.toml:9:30: 这一行用了全角逗号“，”\n"), "{zh}");
    assert!(zh.contains("应写成：values = { 2014 = 2736, 2020 = 4100 }"), "{zh}");
    let zh = lint_with_parameters(line, "values = { 2014 = 2736, 2021年 = 4100 }", "zh");
    assert!(zh.starts_with("PACK/parameters.toml:9:29: 年度 2021年 多了“年”字\n"), "{zh}");
    assert!(zh.contains("年度只写数字：写 2021 = …，不写 2021年 = …"), "{zh}");
    let en = lint_with_parameters(line, "values = { 2014 = 2736, 2021年 = 4100 }", "en");
    assert!(en.contains("write the year as a number: 2021 = …, not 2021年 = …"), "{en}");
    // pack.toml too.
    let (_t, pack) = common::hunan_copy();
    common::edit(&pack, "pack.toml", "years = [2014, 2020]", "years = [2014， 2025]");
    let zh = stdout(&common::tuopin(&["lint", "--rules", pack.to_str().unwrap()]));
    assert!(zh.contains("这一行用了全角逗号“，”") && zh.contains("应写成：years = [2014, 2025]"), "{zh}");
}

#[test]
fn script_syntax_errors_suggest_the_rule_language_s_words() {
    let (_t, pack) = common::hunan_copy();
    let p = pack.to_str().unwrap();
    for (body, zh_head, zh_hint, en_head) in [
        (
            "不愁吃 并且 不愁穿",
            "4:5: “并且” 不是规则语言的词",
            "  = 请写 且：",
            "`并且` is not a word of the rule language",
        ),
        ("不愁吃 && 不愁穿", "4:5: “&&” 不是规则语言的词", "  = 请写 且：", "`&&` is not a word of the rule language"),
        (
            "不愁吃 或者 不愁穿",
            "4:5: “或者” 不是规则语言的词",
            "  = 请写 或：",
            "`或者` is not a word of the rule language",
        ),
        ("人均纯收入 ＞= 3", "4:7: “＞” 是全角符号", "  = 请写半角的 >", "“＞” is a full-width symbol"),
        (
            "不愁吃 不愁穿",
            "4:5: 这里多了一个词“不愁穿”，或者它前面少了运算符",
            "  = 两个条件之间要写 且、或",
            "`不愁穿` here is a word too many",
        ),
    ] {
        write_rule(&pack, "household/t.rhai", body);
        let zh = stdout(&common::tuopin(&["lint", "--rules", p])).replace(p, "PACK");
        assert!(zh.starts_with(&format!("PACK/household/t.rhai:{zh_head}\n")), "{zh}");
        assert!(zh.contains(zh_hint), "{zh}");
        let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p]));
        assert!(en.contains(en_head), "{en}");
    }
}

#[test]
fn an_unrecognised_header_is_named_with_how_to_map_it() {
    let data = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("fixtures/real-world/bom-csv"), data.path());
    let h = data.path().join("households.csv");
    let text = std::fs::read_to_string(&h).unwrap().replacen("wage_income", "务工收入", 1);
    std::fs::write(&h, text).unwrap();
    let d = data.path().to_str().unwrap();
    let o = common::tuopin(&["load", "--data", d]);
    assert_eq!(o.status.code(), Some(1));
    let zh = stdout(&o) + stderr(&o).as_str();
    assert!(
        zh.contains(
            "列 wage_income (工资性收入): 缺少必需的列；文件中有未识别的表头：务工收入。若“务工收入”就是这一列"
        ),
        "{zh}"
    );
    assert!(zh.contains("{\"headers\": {\"households\": {\"wage_income\": \"务工收入\"}}}"), "{zh}");
    // The file the message describes, written as it says, makes the register load.
    let aliases = data.path().join("对照.json");
    std::fs::write(&aliases, "{\"headers\": {\"households\": {\"wage_income\": \"务工收入\"}}}").unwrap();
    let o = common::tuopin(&["load", "--data", d, "--aliases", aliases.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let en = common::tuopin(&["--lang", "en", "load", "--data", d]);
    assert!((stdout(&en) + stderr(&en).as_str()).contains("the file has headers that name no column: 务工收入"));
}

#[test]
fn a_binary_copied_elsewhere_runs_from_an_empty_folder_and_init_writes_a_pack_that_passes_its_tests() {
    // The binary alone, away from the repository (as `cargo install` leaves it).
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join("tuopin");
    std::fs::copy(env!("CARGO_BIN_EXE_tuopin"), &bin).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| std::process::Command::new(&bin).args(args).current_dir(empty.path()).output().unwrap();
    let o = run(&["check", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stdout(&o);
    assert!(
        said.starts_with("湖南省精准扶贫 · 建档立卡脱贫退出标准（内置湖南规则包） · 2020 年 · 登记数据 内置演示数据\n"),
        "{said}"
    );
    // The same outcomes as the repository's pack and demo named explicitly.
    let reference = tempfile::tempdir().unwrap();
    let r = common::tuopin(&[
        "check",
        "--rules",
        "rules/hunan",
        "--data",
        "fixtures/demo",
        "--format",
        "csv",
        "--out",
        reference.path().to_str().unwrap(),
    ]);
    assert!(r.status.success());
    assert!(stdout(&r).starts_with("湖南省精准扶贫 · 建档立卡脱贫退出标准 · 2020 年 · 登记数据 fixtures/demo\n"));
    for t in ["persons", "households", "villages", "counties"] {
        let a = std::fs::read(empty.path().join("out").join(format!("{t}.csv"))).unwrap();
        let b = std::fs::read(reference.path().join(format!("{t}.csv"))).unwrap();
        assert!(a == b, "{t}.csv differs");
    }
    // validate and sample say it too.
    let v = stdout(&run(&["validate", "--out", "v"]));
    assert!(v.starts_with("规则包 内置湖南规则包 · 2020 年 · 登记数据 内置演示数据\n"), "{v}");
    let en = stdout(&run(&["--lang", "en", "check", "--out", "en"]));
    assert!(en.contains("(the built-in Hunan pack) · 2020 · register the built-in demo register"), "{en}");

    // init: an editable copy that passes its own tests; a folder with files is refused.
    let o = run(&["init", "我的规则包"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("已把湖南规则包（"), "{}", stdout(&o));
    let pack = empty.path().join("我的规则包");
    assert!(pack.join("pack.toml").is_file() && pack.join("tests/defaults.toml").is_file());
    let o = run(&["test", "--rules", "我的规则包"]);
    assert!(o.status.success() && stdout(&o).contains("通过 65 个案例，失败 0 个"), "{}", stdout(&o));
    assert_eq!(stderr(&o), "规则包 我的规则包\n");
    assert_eq!(stderr(&run(&["lint"])), "规则包 内置湖南规则包\n");
    let o = run(&["--lang", "en", "init", "my-pack"]);
    assert!(stdout(&o).starts_with("wrote the Hunan pack ("), "{}", stdout(&o));
    let before = common::snapshot(&pack);
    let o = run(&["init", "我的规则包"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("已存在且不是空文件夹，未写入任何文件"), "{}", stderr(&o));
    assert_eq!(common::snapshot(&pack), before);
}

/// The small register of `fixtures/real-world/bom-csv` as the national system exports it:
/// one person-level sheet with a title row and a date row above the Chinese header, each
/// member's row carrying the household's columns, codes as labels where the export uses
/// them; villages and counties as their own workbooks.
fn write_flat_register(dir: &Path, disagree: bool) {
    let src = common::repo().join("fixtures/real-world/bom-csv");
    let aliases = tuopin::register::Aliases::builtin();
    let persons = common::read_csv(&src.join("persons.csv"));
    let households = common::read_csv(&src.join("households.csv"));
    // Every column of both files, the household key once.
    let header = |f: &str| {
        let text = std::fs::read_to_string(src.join(f)).unwrap();
        text.trim_start_matches('\u{feff}').lines().next().unwrap().split(',').map(str::to_string).collect::<Vec<_>>()
    };
    let p_cols = header("persons.csv");
    let h_cols: Vec<String> = header("households.csv").into_iter().filter(|c| c != "household_id").collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2020年建档立卡贫困人口明细表").unwrap();
    sheet.write_string(1, 0, "导出日期：2020-12-01　导出单位：永顺县扶贫办").unwrap();
    let mut c = 0u16;
    for col in &p_cols {
        sheet.write_string(2, c, aliases.header(tuopin::register::Table::Persons, col).unwrap()).unwrap();
        c += 1;
    }
    for col in &h_cols {
        sheet.write_string(2, c, aliases.header(tuopin::register::Table::Households, col).unwrap()).unwrap();
        c += 1;
    }
    for (i, p) in persons.iter().enumerate() {
        let r = i as u32 + 3;
        let h = households.iter().find(|h| h["household_id"].trim() == p["household_id"].trim()).unwrap();
        let mut c = 0u16;
        for col in &p_cols {
            sheet.write_string(r, c, p[col].trim()).unwrap();
            c += 1;
        }
        for col in &h_cols {
            let col = col.as_str();
            let mut v = h[col].trim().to_string();
            if col == "status" {
                // The export writes the status by its label.
                v = aliases.label(tuopin::register::CodeList::Status, &v).unwrap().to_string();
            }
            if disagree && i == 1 && col == "wage_income" {
                v = "99999".into();
            }
            sheet.write_string(r, c, &v).unwrap();
            c += 1;
        }
    }
    book.save(dir.join("persons.xlsx")).unwrap();
    for t in ["villages", "counties"] {
        std::fs::copy(common::repo().join(format!("fixtures/real-world/xlsx/{t}.xlsx")), dir.join(format!("{t}.xlsx")))
            .unwrap();
    }
}

/// `check` as CSV: every level's table, rows sorted.
fn outcomes(data: &Path) -> Vec<Vec<String>> {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "check",
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    ["persons", "households", "villages", "counties"]
        .iter()
        .map(|t| {
            let text = std::fs::read_to_string(out.path().join(format!("{t}.csv"))).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort();
            lines
        })
        .collect()
}

#[test]
fn a_flat_person_sheet_with_title_rows_gives_the_outcomes_of_the_four_tables() {
    let four = outcomes(&common::repo().join("fixtures/real-world/bom-csv"));
    // The committed fixture, and one written here the same way.
    assert_eq!(outcomes(&common::repo().join("fixtures/real-world/flat-xlsx")), four);
    let dir = tempfile::tempdir().unwrap();
    write_flat_register(dir.path(), false);
    assert_eq!(outcomes(dir.path()), four);
    assert_eq!(four[1].len(), 4, "three households and the header");

    // A member who disagrees with the household's first row on a household column is an
    // input error at the member's Excel row, naming the earlier row and its value.
    let dir = tempfile::tempdir().unwrap();
    write_flat_register(dir.path(), true);
    let d = dir.path().to_str().unwrap();
    let o = common::tuopin(&["load", "--data", d]);
    assert_eq!(o.status.code(), Some(1));
    let zh = stdout(&o) + stderr(&o).as_str();
    let file = dir.path().join("persons.xlsx").display().to_string();
    assert!(
        zh.contains(&format!(
            "{file} 第 5 行 列 工资性收入 值 “99999”: 同一户的成员在这一户级列上填写不一致：第 4 行填的是 “"
        )),
        "{zh}"
    );
    let en = common::tuopin(&["--lang", "en", "load", "--data", d]);
    assert!(
        (stdout(&en) + stderr(&en).as_str())
            .contains("members of one household disagree on this household column: row 4 has")
    );
}

/// Writes `fixtures/real-world/flat-xlsx` (run by hand: `cargo test --release --test
/// authoring -- --ignored write_the_flat_fixture`).
#[test]
#[ignore]
fn write_the_flat_fixture() {
    let dir = common::repo().join("fixtures/real-world/flat-xlsx");
    std::fs::create_dir_all(&dir).unwrap();
    write_flat_register(&dir, false);
}

/// A Hunan copy declaring `debt` (a number) and `broadband` (a code) for households, with a
/// rule reading both; and the bom-csv register with those columns under their Chinese
/// headers, `cells` giving (debt, broadband) per household in file order.
fn declared_fields_case(cells: [(&str, &str); 3]) -> (tempfile::TempDir, std::path::PathBuf, tempfile::TempDir) {
    let (t, pack) = common::hunan_copy();
    std::fs::write(
        pack.join("fields.toml"),
        "[households.debt]\ntitle = \"家庭负债\"\nheaders = [\"负债金额\"]\ntype = \"number\"\noptional = true\n\n\
         [households.broadband]\ntitle = \"宽带入户\"\ntype = \"code\"\ncodes = { \"01\" = \"已通\", \"02\" = \"未通\" }\noptional = true\n",
    )
    .unwrap();
    write_rule(&pack, "household/debt_ok.rhai", "家庭负债 <= 家庭纯收入 且 宽带入户 == \"已通\"");
    common::edit(&pack, "pack.toml", "household = [\"exit_eligible\"]", "household = [\"exit_eligible\", \"debt_ok\"]");
    let data = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("fixtures/real-world/bom-csv"), data.path());
    let h = data.path().join("households.csv");
    let text = std::fs::read_to_string(&h).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0].push_str(",家庭负债,宽带入户");
    for (i, (debt, broadband)) in cells.iter().enumerate() {
        lines[i + 1].push_str(&format!(",{debt},{broadband}"));
    }
    std::fs::write(&h, lines.join("\n") + "\n").unwrap();
    (t, pack, data)
}

#[test]
fn a_field_the_pack_declares_is_read_under_its_chinese_header_and_used_on_both_engines() {
    // Net incomes of the three households (fixtures/make_fixtures.py): 10,000, 8,000, unknown.
    let (_t, pack, data) = declared_fields_case([("5000", "已通"), ("20000", "01"), ("", "未通")]);
    for engine in ["auto", "rows"] {
        let out = check_csv(&[
            "--rules",
            pack.to_str().unwrap(),
            "--data",
            data.path().to_str().unwrap(),
            "--engine",
            engine,
        ]);
        let rows = common::read_csv(&out.path().join("households.csv"));
        let got: Vec<(&str, &str)> = rows.iter().map(|r| (r["household_id"].as_str(), r["debt_ok"].as_str())).collect();
        // 5,000 ≤ 10,000 and 已通; 20,000 > 8,000; unknown debt but 未通 is false either way.
        assert_eq!(
            got,
            vec![("4331271002010001", "true"), ("4331271002010002", "false"), ("4331271002010003", "false")],
            "{engine}"
        );
    }
    // The dictionary lists them, marked as the pack's own.
    let zh = stdout(&common::tuopin(&["fields", "--rules", pack.to_str().unwrap(), "--level", "household"]));
    assert!(zh.contains("  家庭负债（debt）  数值  可选（规则包新增）\n"), "{zh}");
    assert!(zh.contains("  宽带入户（broadband）  代码  可选（规则包新增）  01 已通、02 未通\n"), "{zh}");
    // explain shows what the rule read.
    let e = stdout(&common::tuopin(&[
        "explain",
        "4331271002010002",
        "--rules",
        pack.to_str().unwrap(),
        "--data",
        data.path().to_str().unwrap(),
    ]));
    assert!(e.contains("读取 家庭负债 (字段 debt) = 20,000"), "{e}");
}

#[test]
fn a_declared_field_s_bad_cells_are_input_errors_and_a_bad_declaration_is_refused() {
    let (_t, pack, data) = declared_fields_case([("五千元", "已通"), ("20000", "半通"), ("", "")]);
    let o = common::tuopin(&["load", "--data", data.path().to_str().unwrap()]);
    // `load` knows no pack: the extra headers are simply not read.
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "check",
        "--rules",
        pack.to_str().unwrap(),
        "--data",
        data.path().to_str().unwrap(),
        "--out",
        out.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let zh = stdout(&o) + stderr(&o).as_str();
    assert!(zh.contains("households.csv 第 2 行 列 家庭负债 值 “五千元”: 应为数字"), "{zh}");
    assert!(zh.contains("households.csv 第 3 行 列 宽带入户 值 “半通”: 应为以下之一：01 已通, 02 未通"), "{zh}");

    let p = pack.to_str().unwrap();
    for (toml, zh_msg) in [
        (
            "[households.wage_income]\ntitle = \"务工收入\"\ntype = \"number\"\n",
            "`wage_income` 已是农户层的内置字段，规则包不能重新定义它",
        ),
        (
            "[households.loan]\ntitle = \"工资性收入\"\ntype = \"number\"\n",
            "字段 `loan` 的表头“工资性收入”已经表示字段 `wage_income`",
        ),
        ("[households.loan]\ntitle = \"贷款\"\ntype = \"money\"\n", "字段 `loan` 的类型 “money” 未知"),
        ("[households.loan]\ntitle = \"贷款\"\ntype = \"code\"\n", "代码字段 `loan` 没有列出代码"),
        (
            "[households.\"贷款\"]\ntitle = \"贷款\"\ntype = \"number\"\n",
            "字段名 `贷款` 只能用小写英文字母、数字和下划线",
        ),
        ("[farms.loan]\ntitle = \"贷款\"\ntype = \"number\"\n", "fields.toml 中的 `farms` 不是登记数据的表"),
    ] {
        std::fs::write(pack.join("fields.toml"), toml).unwrap();
        let o = common::tuopin(&["lint", "--rules", p]);
        assert_eq!(o.status.code(), Some(1), "{toml}");
        assert!(stdout(&o).contains(zh_msg), "{}", stdout(&o));
    }
    std::fs::write(pack.join("fields.toml"), "[households.wage_income]\ntitle = \"务工收入\"\ntype = \"number\"\n")
        .unwrap();
    let en = stdout(&common::tuopin(&["--lang", "en", "lint", "--rules", p]));
    assert!(
        en.contains("`wage_income` is a built-in field of the household level; a pack may not redefine it"),
        "{en}"
    );
}
