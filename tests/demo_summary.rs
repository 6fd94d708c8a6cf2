//! The demo register's summary.json against an independent computation: the Parquet files
//! are read with polars directly (not through tuopin's loader) and every rule is computed
//! again here in plain Rust from DOMAIN.md, with its own three-valued helpers.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::process::Command;

use polars::prelude::*;

type Tri = Option<bool>;

fn and(xs: &[Tri]) -> Tri {
    if xs.contains(&Some(false)) {
        Some(false)
    } else if xs.contains(&None) {
        None
    } else {
        Some(true)
    }
}

fn not(x: Tri) -> Tri {
    x.map(|b| !b)
}

fn read(name: &str) -> DataFrame {
    ParquetReader::new(File::open(common::repo().join("fixtures/demo").join(format!("{name}.parquet"))).unwrap())
        .finish()
        .unwrap()
}

fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
}
fn bools(df: &DataFrame, c: &str) -> Vec<Option<bool>> {
    df.column(c).unwrap().bool().unwrap().iter().collect()
}
fn nums(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

#[derive(Default, Debug, PartialEq)]
struct Count {
    t: u64,
    f: u64,
    u: u64,
}

impl Count {
    fn add(&mut self, v: Tri) {
        match v {
            Some(true) => self.t += 1,
            Some(false) => self.f += 1,
            None => self.u += 1,
        }
    }
}

/// (rule, county) → counts; county "" is the total.
type Counts = BTreeMap<(String, String), Count>;

fn tally(counts: &mut Counts, rule: &str, county: &str, v: Tri) {
    counts.entry((rule.to_string(), county.to_string())).or_default().add(v);
    counts.entry((rule.to_string(), String::new())).or_default().add(v);
}

#[test]
fn demo_summary_counts_match_an_independent_computation() {
    const Y: i32 = 2020;
    const LINE: f64 = 4000.0;
    let persons = read("persons");
    let households = read("households");
    let villages = read("villages");
    let counties = read("counties");
    let mut counts: Counts = BTreeMap::new();

    // Persons.
    let pid = strs(&persons, "person_id");
    let phh = strs(&persons, "household_id");
    let birth: Vec<Option<i32>> = persons
        .column("birth_date")
        .unwrap()
        .as_materialized_series()
        .to_physical_repr()
        .i32()
        .unwrap()
        .iter()
        .collect();
    let school = strs(&persons, "school_status");
    let exempt = strs(&persons, "schooling_exempt");
    let health = strs(&persons, "health");
    let insurance = strs(&persons, "medical_insurance");
    let hh_ids = strs(&households, "household_id");
    let hh_village = strs(&households, "village_code");
    let county_of_hh: HashMap<String, String> = hh_ids
        .iter()
        .zip(&hh_village)
        .map(|(h, v)| (h.clone().unwrap(), v.clone().unwrap()[..6].to_string()))
        .collect();
    // Per household: (education, medical) of living members, and living count.
    let mut members: HashMap<String, (Vec<Tri>, Vec<Tri>, i64)> = HashMap::new();
    for i in 0..persons.height() {
        // Age at 31 Dec: the year minus the birth year (days since 1970 → civil year).
        let birth_year = match birth[i] {
            Some(days) => {
                // Exact civil year: count years from 1970.
                let mut y = 1970;
                let mut d = days as i64;
                loop {
                    let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 366 } else { 365 };
                    if d < len {
                        break y;
                    }
                    d -= len;
                    y += 1;
                }
            }
            None => pid[i].as_ref().unwrap()[6..10].parse().unwrap(),
        };
        let age = Y - birth_year;
        let s = school[i].as_deref().unwrap();
        let education: Tri =
            if !(6..=15).contains(&age) || s != "01" || exempt[i].is_some() { Some(true) } else { Some(false) };
        let medical: Tri = Some(insurance[i].as_deref() != Some("03"));
        let county = county_of_hh[phh[i].as_ref().unwrap()].clone();
        tally(&mut counts, "person.education_assured", &county, education);
        tally(&mut counts, "person.medical_assured", &county, medical);
        let e = members.entry(phh[i].clone().unwrap()).or_default();
        if health[i].as_deref() != Some("05") {
            e.0.push(education);
            e.1.push(medical);
            e.2 += 1;
        }
    }

    // Households.
    let registered = bools(&households, "registered");
    let status = strs(&households, "status");
    let income: Vec<[Option<f64>; 5]> = {
        let cols: Vec<Vec<Option<f64>>> =
            ["wage_income", "operating_income", "property_income", "transfer_income", "operating_cost"]
                .iter()
                .map(|c| nums(&households, c))
                .collect();
        (0..households.height()).map(|i| [cols[0][i], cols[1][i], cols[2][i], cols[3][i], cols[4][i]]).collect()
    };
    let food = bools(&households, "food_secure");
    let clothing = bools(&households, "clothing_secure");
    let house = strs(&households, "house_safety");
    let renovated = bools(&households, "house_renovated");
    let relocated = bools(&households, "relocated");
    let keys = bools(&households, "relocation_keys");
    let water = bools(&households, "water_safe");
    let mut remaining_by_village: HashMap<String, i64> = HashMap::new();
    for i in 0..households.height() {
        let id = hh_ids[i].clone().unwrap();
        let county = &county_of_hh[&id];
        let (edu, med, size) = members.get(&id).cloned().unwrap_or_default();
        let [w, o, p, t, c] = income[i].map(|x| x.unwrap());
        let net = w + o + p + t - c;
        let income_ok: Tri = if size == 0 { None } else { Some(net / size as f64 >= LINE) };
        let housing = Some(
            house[i].as_deref() == Some("01") || renovated[i].unwrap() || (relocated[i].unwrap() && keys[i].unwrap()),
        );
        let meets = and(&[income_ok, and(&[food[i], clothing[i]]), and(&edu), and(&med), housing, water[i]]);
        let reg = registered[i].unwrap();
        let st = status[i].as_deref();
        let poor = reg && matches!(st, Some("04") | Some("02"));
        tally(&mut counts, "household.income_above_line", county, income_ok);
        tally(&mut counts, "household.meets_exit_standard", county, meets);
        tally(&mut counts, "household.exit_eligible", county, and(&[Some(poor), meets]));
        tally(
            &mut counts,
            "household.wrong_exit_risk",
            county,
            and(&[Some(reg && matches!(st, Some("05") | Some("03"))), not(meets)]),
        );
        tally(&mut counts, "household.missed_risk", county, and(&[Some(!reg), not(meets)]));
        if poor {
            *remaining_by_village.entry(hh_village[i].clone().unwrap()).or_default() += size;
        }
    }

    // Villages and counties.
    let vcode = strs(&villages, "village_code");
    let vpop = nums(&villages, "registered_population");
    let vincome = nums(&villages, "collective_income");
    let vpoor = bools(&villages, "poor_village");
    let flags: Vec<Vec<Option<bool>>> =
        ["road_access", "safe_water", "electricity", "school_access", "clinic", "social_insurance"]
            .iter()
            .map(|c| bools(&villages, c))
            .collect();
    let mut remaining_by_county: HashMap<String, i64> = HashMap::new();
    for i in 0..villages.height() {
        let code = vcode[i].clone().unwrap();
        let remaining = remaining_by_village.get(&code).copied().unwrap_or(0);
        *remaining_by_county.entry(code[..6].to_string()).or_default() += remaining;
        let incidence = remaining as f64 / vpop[i].unwrap();
        let mut parts = vec![vpoor[i], Some(incidence <= 0.02), Some(vincome[i].unwrap() >= 40000.0)];
        parts.extend(flags.iter().map(|f| f[i]));
        tally(&mut counts, "village.exit_eligible", &code[..6], and(&parts));
    }
    let ccode = strs(&counties, "county_code");
    let cpoor = strs(&counties, "poor_county");
    let cpop = nums(&counties, "rural_population");
    let cincome = nums(&counties, "rural_disposable_income");
    let rates: Vec<Vec<Option<f64>>> =
        ["wrong_exit_rate", "missed_rate", "recognition_rate"].iter().map(|c| nums(&counties, c)).collect();
    for i in 0..counties.height() {
        let code = ccode[i].clone().unwrap();
        let incidence = remaining_by_county.get(&code).copied().unwrap_or(0) as f64 / cpop[i].unwrap();
        let v = and(&[
            Some(cpoor[i].is_some()),
            Some(incidence <= 0.02),
            Some(cincome[i].unwrap() >= 10000.0),
            rates[0][i].map(|r| r < 0.02),
            rates[1][i].map(|r| r < 0.02),
            rates[2][i].map(|r| r >= 0.90),
        ]);
        tally(&mut counts, "county.exit_eligible", &code, v);
    }

    // Run check and compare.
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["check", "--out", out.path().to_str().unwrap()])
        .current_dir(common::repo())
        .status()
        .unwrap();
    assert!(status.success());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap()).unwrap();
    let mut compared = 0;
    for ((rule, county), expected) in &counts {
        let (level, name) = rule.split_once('.').unwrap();
        let r = &summary["levels"][level]["rules"][name];
        let c = if county.is_empty() { &r["total"] } else { &r["by_county"][county] };
        let got = Count {
            t: c["true"].as_u64().unwrap(),
            f: c["false"].as_u64().unwrap(),
            u: c["unknown"].as_u64().unwrap(),
        };
        assert_eq!(&got, expected, "{rule} in {}", if county.is_empty() { "total" } else { county });
        compared += 1;
    }
    assert_eq!(compared, 9 * 3, "9 rules, in total and in each of the 2 counties");
    // The demo is not degenerate: every household verdict takes both values.
    for rule in [
        "household.meets_exit_standard",
        "household.exit_eligible",
        "household.wrong_exit_risk",
        "household.missed_risk",
        "household.income_above_line",
    ] {
        let c = &counts[&(rule.to_string(), String::new())];
        assert!(c.t > 0 && c.f > 0, "{rule}: {c:?}");
    }
}
