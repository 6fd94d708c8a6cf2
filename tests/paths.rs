//! `--paths` prints the plan the run executes: planned from the register's own columns, so a
//! rule reading an optional column the register lacks says it reads unknown there, while
//! `lint --paths` (no register) plans with every column present.

mod common;

use std::fs::File;

use polars::prelude::*;

/// The demo register with the persons table's `schooling_exempt` column removed.
fn demo_without_schooling_exempt() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("fixtures/demo"), dir.path());
    let path = dir.path().join("persons.parquet");
    let mut df = ParquetReader::new(File::open(&path).unwrap()).finish().unwrap();
    assert!(df.column("schooling_exempt").is_ok(), "the demo has the column");
    df = df.drop("schooling_exempt").unwrap();
    ParquetWriter::new(File::create(&path).unwrap()).finish(&mut df).unwrap();
    dir
}

fn line_of<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.split(|c: char| c.is_whitespace() || c == ':' || c == '（' || c == '：').any(|w| w == id))
        .unwrap_or("")
}

#[test]
fn check_paths_name_the_columns_the_register_lacks_and_lint_paths_do_not() {
    let data = demo_without_schooling_exempt();
    let out = tempfile::tempdir().unwrap();
    let args = |lang: &'static str| {
        let (d, o) = (data.path().to_str().unwrap().to_string(), out.path().to_str().unwrap().to_string());
        let o = common::tuopin(&["--lang", lang, "check", "--paths", "--data", &d, "--out", &o]);
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let en = args("en");
    assert_eq!(
        line_of(&en, "person.education_assured"),
        "  compiled    person.education_assured (the register has no schooling_exempt column: read as unknown on every row)"
    );
    // Rules that do not read it say nothing more.
    assert_eq!(line_of(&en, "person.age"), "  compiled    person.age");
    let zh = args("zh");
    assert_eq!(
        line_of(&zh, "person.education_assured"),
        "  编译  person.education_assured（登记册没有 控辍保学豁免 列，每行按未知计）"
    );

    // Without a register, the plan takes every column as present.
    let lint = common::tuopin(&["--lang", "en", "lint", "--paths"]);
    let lint = String::from_utf8_lossy(&lint.stdout).to_string();
    assert_eq!(line_of(&lint, "person.education_assured"), "  compiled    person.education_assured");
}

#[test]
fn the_paths_reported_are_the_plan_that_ran() {
    let data = demo_without_schooling_exempt();
    let aliases = tuopin::register::Aliases::builtin();
    let pack = tuopin::rules::load(&common::hunan(), &aliases).unwrap();
    let values = pack.values_for_year(2020).unwrap();
    let opts =
        tuopin::register::LoadOptions { encoding: Default::default(), aliases: aliases.clone(), skip_invalid: false };
    let loaded = tuopin::register::load(data.path(), &[], &opts).unwrap();
    let plan = tuopin::eval::Plan::for_register(&pack, 2020, &values, &loaded.register, tuopin::eval::Engine::Auto);
    let outcomes = tuopin::eval::evaluate_plan(&pack, &plan, &loaded.register, 2020, values.clone(), &|_| {}).unwrap();
    assert_eq!(outcomes.paths, plan.paths);
    let rule = pack.rules.iter().position(|r| r.id == "person.education_assured").unwrap();
    let p = plan.paths.iter().find(|p| p.rule == rule).unwrap();
    assert_eq!(p.absent_fields, vec!["schooling_exempt"]);
    let without = tuopin::eval::Plan::without_register(&pack, 2020, &values);
    assert!(without.paths.iter().all(|p| p.absent_fields.is_empty()));
}
