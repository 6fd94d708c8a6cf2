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
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "check",
        "--data",
        data.to_str().unwrap(),
        "--rules",
        pack.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--format",
        "csv",
        "--engine",
        engine,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
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
    assert!(en.contains("PACK/person/ill.rhai:4:9: `健康状况` is a code field and cannot be compared with the number 3\n"), "{en}");
    assert!(en.contains("\"大病\" is neither one of its codes nor one of its labels"), "{en}");
    // `check` refuses the pack: nothing runs, nothing is silently false.
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["check", "--rules", p, "--out", out.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.path().join("o").exists());
}
