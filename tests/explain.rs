//! `explain` agrees with `check` on every household of the demo register, and its JSON
//! document has the documented shape.

mod common;

use std::collections::HashMap;
use std::process::Command;

use serde_json::Value as Json;
use tuopin::register::Aliases;

/// A CSV cell against an explanation value: `true`/`false`/empty, or a number.
fn same(cell: &str, v: &Json) -> bool {
    match v {
        Json::Null => cell.is_empty(),
        Json::Bool(b) => cell == b.to_string(),
        Json::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
        _ => false,
    }
}

#[test]
fn explain_agrees_with_check_on_every_demo_household() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["check", "--format", "csv", "--out", out.path().to_str().unwrap()])
        .current_dir(common::repo())
        .status()
        .unwrap();
    assert!(status.success());
    let households = common::read_csv(&out.path().join("households.csv"));
    let persons = common::read_csv(&out.path().join("persons.csv"));
    let villages = common::read_csv(&out.path().join("villages.csv"));

    // explain evaluates only the household's county: do the same, once per county.
    let aliases = Aliases::builtin();
    let (pack, values) = tuopin::jobs::load_pack(&common::hunan(), 2020, &aliases).unwrap();
    let loaded = tuopin::register::load(&common::repo().join("fixtures/demo"), &[], &Default::default()).unwrap();
    let mut by_county = std::collections::BTreeMap::new();
    for c in ["433127", "433130"] {
        let register = loaded.register.county(c);
        let outcomes = tuopin::eval::evaluate(&pack, &register, 2020, values.clone(), &aliases, &|_| {}).unwrap();
        by_county.insert(c.to_string(), (register, outcomes));
    }
    assert_eq!(households.len(), 2000);
    for h in &households {
        let id = &h["household_id"];
        let (register, outcomes) = &by_county[&h["village_code"][..6]];
        let e = tuopin::report::explain::explain(&pack, register, outcomes, id).unwrap();
        assert_eq!(&e.village_code, &h["village_code"]);
        for r in &e.rules {
            let column = r.rule.strip_prefix("household.").unwrap();
            assert!(same(&h[column], &r.value), "{id} {column}: check {:?}, explain {}", h[column], r.value);
        }
        assert_eq!(e.rules.len(), h.len() - 3, "every household rule is explained");
        // The members are exactly the persons check wrote for this household, with the same outcomes.
        let members: Vec<&HashMap<String, String>> = persons.iter().filter(|p| &p["household_id"] == id).collect();
        assert_eq!(e.members.len(), members.len(), "{id}");
        for (m, p) in e.members.iter().zip(&members) {
            assert_eq!(&m.person_id, &p["person_id"]);
            for o in &m.outcomes {
                let column = o.rule.strip_prefix("person.").unwrap();
                assert!(same(&p[column], &o.value), "{id} {} {column}", m.person_id);
            }
        }
        let v = villages.iter().find(|v| v["village_code"] == h["village_code"]).unwrap();
        for o in &e.village.as_ref().unwrap().outcomes {
            assert!(same(&v[o.rule.strip_prefix("village.").unwrap()], &o.value));
        }
    }
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
    assert_eq!(String::from_utf8_lossy(&missing.stderr), "the register has no household 999\n");
}
