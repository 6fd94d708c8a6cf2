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
    assert_eq!(String::from_utf8_lossy(&missing.stderr), "the register has no household 999\n");
}
