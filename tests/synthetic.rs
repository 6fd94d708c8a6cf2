//! The synthetic register: deterministic, realistic, loadable, and with every planted fault
//! where the side file says it is.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use polars::prelude::*;
use tuopin::register::resident_id;

fn generate(args: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .arg("gen")
        .args(args)
        .args(["--out", out.path().to_str().unwrap()])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    out
}

#[test]
fn same_seed_same_bytes_and_another_seed_differs() {
    for format in ["parquet", "csv"] {
        let a = generate(&["--households", "500", "--seed", "9", "--format", format, "--faults", "0.1"]);
        let b = generate(&["--households", "500", "--seed", "9", "--format", format, "--faults", "0.1"]);
        let c = generate(&["--households", "500", "--seed", "10", "--format", format, "--faults", "0.1"]);
        for f in ["persons", "households", "villages", "counties"] {
            let name = format!("{f}.{format}");
            let (x, y, z) = (
                std::fs::read(a.path().join(&name)).unwrap(),
                std::fs::read(b.path().join(&name)).unwrap(),
                std::fs::read(c.path().join(&name)).unwrap(),
            );
            assert!(x == y, "{name} differs between two runs with one seed");
            if f != "counties" {
                assert!(x != z, "{name} is the same for another seed");
            }
        }
        assert_eq!(
            std::fs::read(a.path().join("faults.csv")).unwrap(),
            std::fs::read(b.path().join("faults.csv")).unwrap()
        );
    }
}

#[test]
fn a_clean_register_is_consistent_and_loads_back() {
    let dir = generate(&["--households", "3000", "--seed", "4", "--format", "csv"]);
    let persons = common::read_csv(&dir.path().join("persons.csv"));
    let households = common::read_csv(&dir.path().join("households.csv"));
    assert_eq!(households.len(), 3000);
    assert!(!dir.path().join("faults.csv").exists());
    // Valid IDs, unique, agreeing with sex and birth date.
    let mut seen = std::collections::HashSet::new();
    for p in &persons {
        let id = &p["person_id"];
        assert!(resident_id::is_valid(id), "{id}");
        assert!(seen.insert(id.clone()), "{id} twice");
        let male = (id.as_bytes()[16] - b'0') % 2 == 1;
        assert_eq!(p["sex"], if male { "1" } else { "2" }, "{id}");
        if !p["birth_date"].is_empty() {
            assert_eq!(p["birth_date"].replace('-', ""), id[6..14], "{id}");
        }
    }
    // 2–6 persons, about 3 on average; every household has a living head.
    let mut size: BTreeMap<&str, usize> = BTreeMap::new();
    let mut heads: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &persons {
        *size.entry(p["household_id"].as_str()).or_default() += 1;
        if p["relation"] == "01" && p["health"] != "05" {
            *heads.entry(p["household_id"].as_str()).or_default() += 1;
        }
    }
    assert!(size.values().all(|n| (2..=6).contains(n)));
    let mean = persons.len() as f64 / households.len() as f64;
    assert!((2.8..3.6).contains(&mean), "{mean}");
    assert!(heads.len() == 3000 && heads.values().all(|&n| n == 1));
    // Some incomes exactly on the line (4000 × living members) and registered and
    // unregistered households both present.
    let on_line = households
        .iter()
        .filter(|h| h["operating_cost"] == "0.0" && h["wage_income"].parse::<f64>().unwrap() % 4000.0 == 0.0)
        .count();
    assert!(on_line > 20, "{on_line}");
    assert!(households.iter().any(|h| h["registered"] == "false"));
    let loaded = tuopin::register::load(dir.path(), &[], &Default::default()).unwrap();
    assert_eq!(loaded.errors, vec![]);
    assert_eq!(loaded.register.rows(tuopin::register::Table::Persons), persons.len());
}

#[test]
fn every_planted_fault_is_where_the_side_file_says() {
    let dir = generate(&["--households", "4000", "--seed", "5", "--format", "csv", "--faults", "0.2"]);
    let persons = common::read_csv(&dir.path().join("persons.csv"));
    let households = common::read_csv(&dir.path().join("households.csv"));
    let faults = common::read_csv(&dir.path().join("faults.csv"));
    let kinds: std::collections::BTreeSet<&str> = faults.iter().map(|f| f["fault"].as_str()).collect();
    assert_eq!(kinds.len(), tuopin::r#gen::faults::FAULT_IDS.len(), "every kind planted: {kinds:?}");
    let members = |hid: &str| persons.iter().filter(move |p| p["household_id"] == hid).collect::<Vec<_>>();
    for f in &faults {
        let row: usize = f["row"].parse().unwrap();
        let (p, h) = (persons.get(row - 1), households.get(row - 1));
        let ok = match f["fault"].as_str() {
            "id_check_character" => !resident_id::is_valid(&p.unwrap()["person_id"]),
            "id_sex_mismatch" => {
                let p = p.unwrap();
                let male = (p["person_id"].as_bytes()[16] - b'0') % 2 == 1;
                p["sex"] != if male { "1" } else { "2" }
            }
            "id_birth_date_mismatch" => {
                let p = p.unwrap();
                p["birth_date"].replace('-', "") != p["person_id"][6..14]
            }
            "person_in_two_households" => {
                persons.iter().filter(|q| q["person_id"] == p.unwrap()["person_id"]).count() == 2
            }
            "no_head" => members(&h.unwrap()["household_id"]).iter().all(|m| m["relation"] != "01"),
            "two_heads" => members(&h.unwrap()["household_id"]).iter().filter(|m| m["relation"] == "01").count() == 2,
            "head_spouse_same_sex" => {
                let m = members(&h.unwrap()["household_id"]);
                let sex = |r: &str| m.iter().find(|x| x["relation"] == r).map(|x| x["sex"].clone());
                sex("01").is_some() && sex("01") == sex("02")
            }
            "no_living_member" => members(&h.unwrap()["household_id"]).iter().all(|m| m["health"] == "05"),
            "income_mismatch" => {
                let h = h.unwrap();
                let net: f64 = ["wage_income", "operating_income", "property_income", "transfer_income"]
                    .iter()
                    .map(|c| h[*c].parse::<f64>().unwrap())
                    .sum::<f64>()
                    - h["operating_cost"].parse::<f64>().unwrap();
                let living = members(&h["household_id"]).iter().filter(|m| m["health"] != "05").count() as f64;
                (net / living - h["reported_per_capita_income"].parse::<f64>().unwrap()).abs() > 1.0
            }
            "income_not_positive" => {
                let h = h.unwrap();
                let net: f64 = ["wage_income", "operating_income", "property_income", "transfer_income"]
                    .iter()
                    .map(|c| h[*c].parse::<f64>().unwrap())
                    .sum::<f64>()
                    - h["operating_cost"].parse::<f64>().unwrap();
                net <= 0.0
            }
            "cause_illness_all_healthy" => {
                h.unwrap()["main_cause"] == "01"
                    && members(&h.unwrap()["household_id"])
                        .iter()
                        .filter(|m| m["health"] != "05")
                        .all(|m| m["health"] == "01")
            }
            "cause_schooling_no_student" => {
                h.unwrap()["main_cause"] == "03"
                    && members(&h.unwrap()["household_id"])
                        .iter()
                        .filter(|m| m["health"] != "05")
                        .all(|m| m["school_status"] == "01")
            }
            "cause_disability_none_disabled" => {
                h.unwrap()["main_cause"] == "02"
                    && members(&h.unwrap()["household_id"])
                        .iter()
                        .filter(|m| m["health"] != "05")
                        .all(|m| m["health"] != "04")
            }
            "dibao_household_no_dibao_member" => {
                h.unwrap()["attribute"] == "02"
                    && members(&h.unwrap()["household_id"]).iter().all(|m| m["dibao"] == "false")
            }
            "working_age_without_labour" => p.unwrap()["labour"] == "04" && p.unwrap()["health"] == "01",
            "work_months_out_of_range" => p.unwrap()["work_months"] == "13",
            "no_labour_working_away" => p.unwrap()["labour"] == "03" && p.unwrap()["work_months"] != "0",
            other => panic!("unknown fault {other}"),
        };
        assert!(ok, "{f:?}");
    }
    // The faulty register still loads: faults are for data quality, not input errors.
    let loaded = tuopin::register::load(dir.path(), &[], &Default::default()).unwrap();
    assert_eq!(loaded.errors, vec![]);
}

#[test]
fn parquet_and_csv_of_one_seed_load_to_the_same_frames() {
    let a = generate(&["--households", "300", "--seed", "6", "--format", "parquet"]);
    let b = generate(&["--households", "300", "--seed", "6", "--format", "csv"]);
    let la = tuopin::register::load(a.path(), &[], &Default::default()).unwrap();
    let lb = tuopin::register::load(b.path(), &[], &Default::default()).unwrap();
    for t in tuopin::register::Table::ALL {
        let (fa, fb): (&DataFrame, &DataFrame) =
            (&la.register.table(t).unwrap().frame, &lb.register.table(t).unwrap().frame);
        assert!(fa.equals_missing(fb), "{t}");
    }
}
