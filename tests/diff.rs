//! `diff` on a register designed by hand: transitions to and from unknown, numbers that
//! change, counts per county and per village, rules added and removed, and `--base-year`.
//! Every expected count is worked out below from the households' values, not from `check`.

mod common;

use std::path::Path;

use common::Case;
use tuopin::messages::Lang;
use tuopin::register::Aliases;
use tuopin::report::diff::{Diff, Transitions};

const V1: &str = "433127100201";
const V2: &str = "433127100202";
const V3: &str = "433130100201";

/// Eight households in three villages of two counties (2020 line 4000, 2018 line 3200;
/// drinking water joins the standard in 2019), written as CSV into `reg` of a new temporary
/// folder.
fn register() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("reg");
    std::fs::create_dir_all(dir).unwrap();
    let case = Case::new()
        .village(&[("village_code", V2)])
        .village(&[("village_code", V3)])
        // A: 3,500 a head: above the 2018 line, below the 2020 one.
        .household_of("A", 2, &[("wage_income", "7000")])
        // B: water not safe; C: water unknown.
        .household_of("B", 2, &[("water_safe", "false")])
        .household_of("C", 1, &[("water_safe", "")])
        .household_of("D", 1, &[("village_code", V2), ("water_safe", "")])
        .household_of("E", 3, &[("village_code", V2), ("wage_income", "10500")])
        .household_of("F", 2, &[("village_code", V3), ("water_safe", "false")])
        .household_of("G", 1, &[("village_code", V3), ("wage_income", "")])
        // H: 4,050 a head, above 4,000 and below 4,100.
        .household_of("H", 2, &[("wage_income", "8100")]);
    case.write(dir);
    // A second county for V3: the first county's row with its code changed.
    let p = dir.join("counties.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let first = text.lines().nth(1).unwrap().replace("433127", "433130");
    std::fs::write(&p, format!("{text}{first}\n")).unwrap();
    tmp
}

fn t(true_to_false: u64, false_to_true: u64, to_unknown: u64, from_unknown: u64, changed: u64) -> Transitions {
    Transitions { true_to_false, false_to_true, to_unknown, from_unknown, changed }
}

fn rule<'a>(d: &'a Diff, id: &str) -> &'a tuopin::report::diff::RuleDiff {
    d.rules.iter().find(|r| r.rule == id).unwrap_or_else(|| panic!("no {id}"))
}

fn run(dir: &Path, base: &Path, base_year: i32, new: &Path, year: i32) -> Diff {
    let out = dir.join(format!("out-{base_year}-{year}"));
    let (d, _) =
        tuopin::jobs::run_diff(&dir.join("reg"), base, base_year, new, year, &out, &Aliases::builtin(), Lang::En)
            .unwrap();
    d
}

#[test]
fn between_two_years_every_kind_of_change_is_counted_where_it_happened() {
    let tmp = register();
    let hunan = common::hunan();
    let d = run(tmp.path(), &hunan, 2018, &hunan, 2020);

    // Water: B and F go from true (2018, not yet in the standard) to false; C and D to unknown.
    let w = rule(&d, "household.water_assured");
    assert_eq!(w.total, t(2, 0, 2, 0, 0));
    assert_eq!(w.by_county["433127"], t(1, 0, 2, 0, 0));
    assert_eq!(w.by_county["433130"], t(1, 0, 0, 0, 0));
    assert_eq!(w.by_village[V1], t(1, 0, 1, 0, 0));
    assert_eq!(w.by_village[V2], t(0, 0, 1, 0, 0));
    assert_eq!(w.by_village[V3], t(1, 0, 0, 0, 0));
    // Income: A and E (3,500 a head) fall below the 2020 line; G's income is unknown both years.
    let i = rule(&d, "household.income_above_line");
    assert_eq!(i.total, t(2, 0, 0, 0, 0));
    assert_eq!((i.by_village[V1], i.by_village[V2]), (t(1, 0, 0, 0, 0), t(1, 0, 0, 0, 0)));
    assert!(!i.by_county.contains_key("433130"));
    // Every person's age is two years more: 14 persons, all with a birth date.
    assert_eq!(rule(&d, "person.age").total, t(0, 0, 0, 0, 14));
    // A number rule is said as known/unknown, not as 是/否 (it has no 否).
    let text = tuopin::report::diff::render(&d, Lang::Zh);
    assert!(text.contains("：14 行结果变化；已知 14 → 14，未知 0 → 0\n"), "{text}");
    // And every changed row is listed once with both outcomes.
    let listed = d.changes.iter().filter(|c| &*c.rule == "household.water_assured").count();
    assert_eq!(listed, 4);
    let c = d.changes.iter().find(|c| &*c.rule == "household.water_assured" && c.key == "C").unwrap();
    assert_eq!((c.base.as_deref(), c.new.as_deref(), &*c.village), (Some("true"), None, V1));

    // The other way round, to unknown becomes from unknown.
    let back = run(tmp.path(), &hunan, 2020, &hunan, 2018);
    assert_eq!(rule(&back, "household.water_assured").total, t(0, 2, 0, 2, 0));
    assert_eq!(rule(&back, "person.age").total, t(0, 0, 0, 0, 14));
    assert!(back.added.is_empty() && back.removed.is_empty());
}

#[test]
fn between_two_packs_rules_added_removed_and_a_raised_line() {
    let tmp = register();
    let (_t, new) = common::hunan_copy();
    let edit = |rel: &str, from: &str, to: &str| common::edit(&new, rel, from, to);
    // The line rises to 4,100; a rule is added; the wrong-inclusion flag is removed.
    edit("parameters.toml", "2020 = 4000 }", "2020 = 4100 }");
    std::fs::write(
        new.join("household/high_wage.rhai"),
        "// id: household.high_wage\n// 标题: 工资性收入较高\n// 来源: tests\n// 类型: 判断\nwage_income > 8200\n",
    )
    .unwrap();
    std::fs::remove_file(new.join("household/wrong_inclusion_risk.rhai")).unwrap();
    edit("pack.toml", ", \"wrong_inclusion_risk\"", "");
    let d = run(tmp.path(), &common::hunan(), 2020, &new, 2020);
    assert_eq!(d.added, vec!["household.high_wage"]);
    assert_eq!(d.removed, vec!["household.wrong_inclusion_risk"]);
    // H (4,050 a head) falls below 4,100; A and E were below already; the others have
    // 10,000 or 20,000 a head, and G's income is unknown.
    let i = rule(&d, "household.income_above_line");
    assert_eq!(i.total, t(1, 0, 0, 0, 0));
    assert_eq!(i.by_village[V1], t(1, 0, 0, 0, 0));
    assert_eq!(i.by_county.len(), 1);
    // So H no longer meets the exit standard.
    assert_eq!(rule(&d, "household.meets_exit_standard").total, t(1, 0, 0, 0, 0));
    assert!(d.rules.iter().all(|r| r.rule != "household.high_wage"));
    // What changed in the pack, and the counts before and after: at 4,000, B, C, D, F and H
    // are above the line, A and E below, G unknown; at 4,100 H joins those below.
    assert_eq!(d.params.len(), 1);
    let p = &d.params[0];
    assert_eq!(
        (p.name.as_str(), p.label.as_str(), p.base, p.new),
        ("poverty_line", "扶贫标准", Some(4000.0), Some(4100.0))
    );
    let tally = |yes, no, unknown| tuopin::report::diff::Tally { yes, no, unknown };
    assert_eq!((i.before, i.after), (tally(5, 2, 1), tally(4, 3, 1)));
    // The added rule's outcomes are counted: G's wage is empty (unknown), the other 7 known.
    let (_, title, t) = &d.added_outcomes[0];
    assert_eq!((title.as_str(), t.unknown, t.yes + t.no), ("工资性收入较高", 1, 7));
    assert!(d.edited.is_empty(), "no rule's script was edited");
    let text = tuopin::report::diff::render(&d, Lang::Zh);
    assert!(text.contains("参数 扶贫标准（2020）：4,000 → 4,100 元/人·年"), "{text}");
    assert!(text.contains("人均纯收入达到扶贫标准：1 行结果变化；是 5 → 4，否 2 → 3，未知 1 → 1"), "{text}");
    assert!(d.changes.iter().all(|c| &*c.rule != "household.wrong_inclusion_risk"));
}

/// A level sheet of diff.xlsx holds the first 100,000 changed rows and says where the rest
/// are; changes.csv holds every one.
#[test]
fn a_large_diff_keeps_its_workbook_to_the_first_rows_and_points_to_the_csv() {
    use calamine::{Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("register");
    let o = common::tuopin(&["gen", "--households", "40000", "--seed", "7", "--out", data.to_str().unwrap()]);
    assert!(o.status.success());
    let out = dir.path().join("diff");
    let o = common::tuopin(&[
        "diff",
        "--base",
        "rules/hunan",
        "--new",
        "rules/hunan",
        "--base-year",
        "2019",
        "--year",
        "2020",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = common::read_csv(&out.join("changes.csv"));
    let person_changes = csv.iter().filter(|r| r["level"] == "person").count();
    assert!(person_changes > 100_000, "{person_changes}");
    let mut book: Xlsx<_> = calamine::open_workbook(out.join("diff.xlsx")).unwrap();
    let sheet = book.worksheet_range("人员").unwrap();
    assert_eq!(sheet.height(), 100_002, "header, 100,000 rows, the note");
    let note = sheet.get((100_001, 0)).unwrap().to_string();
    let more = person_changes - 100_000;
    assert_eq!(
        note,
        format!(
            "……为便于在 Excel 中查看，本表只列出前 100,000 行；另有 {} 行，完整清单见 changes.csv",
            tuopin::messages::book::thousands(more as u64)
        )
    );
    // changes.csv, worked out from `check` at each year instead: every rule column whose
    // text differs between the two years' results is a change, level by level and rule by
    // rule, in the rows' order (person.age alone changes for every person: its rows are put
    // into text in several pieces, which must join up in order).
    let mut expected = vec![];
    let results = |year: &str| {
        let out = dir.path().join(format!("check-{year}"));
        let o = common::tuopin(&[
            "check",
            "--data",
            data.to_str().unwrap(),
            "--year",
            year,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (before, after) = (results("2019"), results("2020"));
    // The same text for the same outcome ("" unknown; a number however it is written).
    let same = |a: &str, b: &str| a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y);
    for (level, file, keys) in [
        ("person", "persons.csv", &["person_id", "household_id"][..]),
        ("household", "households.csv", &["household_id", "village_code"][..]),
        ("village", "villages.csv", &["village_code"][..]),
        ("county", "counties.csv", &["county_code"][..]),
    ] {
        let (b, n) = (common::read_csv(&before.join(file)), common::read_csv(&after.join(file)));
        assert_eq!(b.len(), n.len(), "{file}");
        let mut rules: Vec<&String> =
            n[0].keys().filter(|c| !keys.contains(&c.as_str()) && *c != "reasons" && b[0].contains_key(*c)).collect();
        rules.sort();
        for rule in rules {
            for (rb, rn) in b.iter().zip(&n) {
                assert_eq!(rb[keys[0]], rn[keys[0]]);
                if !same(&rb[rule], &rn[rule]) {
                    expected.push((
                        level,
                        format!("{level}.{rule}"),
                        rn[keys[0]].clone(),
                        rb[rule].clone(),
                        rn[rule].clone(),
                    ));
                }
            }
        }
    }
    let mut got: Vec<_> = csv
        .iter()
        .map(|r| (r["level"].as_str(), r["rule"].clone(), r["key"].clone(), r["base"].clone(), r["new"].clone()))
        .collect();
    // changes.csv lists a level's rules in the pack's order; here they are by name.
    let order = |v: &mut Vec<(&str, String, String, String, String)>| {
        v.sort_by_key(|x| (["person", "household", "village", "county"].iter().position(|l| *l == x.0), x.1.clone()))
    };
    order(&mut expected);
    order(&mut got);
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert!(g.0 == e.0 && g.1 == e.1 && g.2 == e.2 && same(&g.3, &e.3) && same(&g.4, &e.4), "{g:?} != {e:?}");
    }
}
