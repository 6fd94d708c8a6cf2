//! The Hunan pack at its thresholds, both sides, and with inputs null: each expected value
//! is worked out by hand from DOMAIN.md's rule catalogue (year 2020 unless stated: poverty
//! line 4000; 2019: 3400).

mod common;

use common::{Case, VILLAGE};
use tuopin::eval::Value;
use tuopin::register::Table;

const P: Table = Table::Persons;
const H: Table = Table::Households;
const V: Table = Table::Villages;
const C: Table = Table::Counties;

#[test]
fn income_above_line_at_the_line_one_yuan_and_one_fen_under_and_null() {
    let r = Case::new()
        .household_of("H1", 3, &[("wage_income", "12000")]) // 4000 exactly
        .household_of("H2", 3, &[("wage_income", "11997")]) // 3999 per person
        .household_of("H3", 3, &[("wage_income", "11999.99")]) // 3 × line − 0.01
        .household_of("H4", 3, &[("wage_income", "")])
        .household_of("H5", 2, &[("wage_income", "6000"), ("operating_income", "3000"), ("operating_cost", "1000")])
        .run(2020);
    assert_eq!(r.tri(H, "H1", "income_above_line"), Some(true));
    assert_eq!(r.tri(H, "H2", "income_above_line"), Some(false));
    assert_eq!(r.tri(H, "H3", "income_above_line"), Some(false));
    assert_eq!(r.household("H3", "per_capita_net_income"), Value::Float(11999.99 / 3.0));
    assert_eq!(r.tri(H, "H4", "income_above_line"), None);
    assert_eq!(r.household("H4", "net_income"), Value::Unknown);
    assert_eq!(r.household("H5", "net_income"), Value::Float(8000.0));
    assert_eq!(r.tri(H, "H5", "income_above_line"), Some(true));
}

#[test]
fn the_line_in_force_is_the_years() {
    let case = Case::new().household_of("H1", 2, &[("wage_income", "6800")]); // 3400 each
    assert_eq!(case.run(2019).tri(H, "H1", "income_above_line"), Some(true));
    assert_eq!(case.run(2020).tri(H, "H1", "income_above_line"), Some(false));
    assert_eq!(case.run(2014).tri(H, "H1", "income_above_line"), Some(true));
}

#[test]
fn size_counts_living_members_only_and_zero_size_is_unknown_income() {
    let r = Case::new()
        .household("H1", &[("wage_income", "8000")])
        .person("H1", &[])
        .person("H1", &[("relation", "02"), ("sex", "2")])
        .person("H1", &[("relation", "11"), ("health", "05")])
        .household("H2", &[])
        .person("H2", &[("health", "05")])
        .run(2020);
    assert_eq!(r.household("H1", "size"), Value::Int(2));
    assert_eq!(r.tri(H, "H1", "income_above_line"), Some(true));
    assert_eq!(r.household("H2", "size"), Value::Int(0));
    assert_eq!(r.household("H2", "per_capita_net_income"), Value::Unknown);
    // No living members: the assured rules hold vacuously.
    assert_eq!(r.tri(H, "H2", "education_assured"), Some(true));
    assert_eq!(r.tri(H, "H2", "medical_assured"), Some(true));
}

#[test]
fn age_at_31_december_from_birth_date_or_the_id() {
    let r = Case::new()
        .household("H1", &[])
        .person("H1", &[("person_id", "A1"), ("birth_date", "2014-12-31")])
        .person("H1", &[("person_id", "A2"), ("birth_date", "2015-01-01")])
        .person("H1", &[("person_id", common::resident_id("2010-05-05", 11).as_str()), ("birth_date", "")])
        .person("H1", &[("person_id", "433127201013450011"), ("birth_date", "")])
        .person("H1", &[("person_id", "A5"), ("birth_date", "2021-03-01")])
        .run(2020);
    assert_eq!(r.value(P, "A1", "age"), Value::Int(6));
    assert_eq!(r.value(P, "A2", "age"), Value::Int(5));
    assert_eq!(r.value(P, &common::resident_id("2010-05-05", 11), "age"), Value::Int(10));
    assert_eq!(r.value(P, "433127201013450011", "age"), Value::Unknown, "month 13 is no date");
    assert_eq!(r.value(P, "A5", "age"), Value::Int(-1));
}

#[test]
fn education_at_ages_5_6_15_16_with_exemptions_and_nulls() {
    let p = |id: &str, birth: &'static str, school: &'static str, exempt: &'static str| {
        (id.to_string(), birth, school, exempt)
    };
    let people = [
        p("E5", "2015-06-01", "01", ""),   // age 5: outside
        p("E6", "2014-12-31", "01", ""),   // age 6, not in school: false
        p("E6s", "2014-01-01", "02", ""),  // age 6, preschool: true
        p("E15", "2005-07-07", "01", ""),  // age 15, not in school: false
        p("E16", "2004-07-07", "01", ""),  // age 16: outside
        p("X1", "2010-01-01", "01", "01"), // 送教上门
        p("X2", "2010-01-01", "01", "02"), // unfit to study
        p("N1", "2010-01-01", "", ""),     // school status null in school age: unknown
        p("N2", "1990-01-01", "", ""),     // null, but adult: true
        p("N3", "", "03", ""),             // age unknown (bad ID below), in school: true
        p("N4", "", "01", ""),             // age unknown, not in school: unknown
    ];
    let mut case = Case::new().household("H1", &[]);
    for (id, birth, school, exempt) in &people {
        let pid = if birth.is_empty() { format!("{id}-no-date") } else { id.clone() };
        case = case.person(
            "H1",
            &[("person_id", &pid), ("birth_date", birth), ("school_status", school), ("schooling_exempt", exempt)],
        );
    }
    let r = case.run(2020);
    let e = |id: &str| r.tri(P, id, "education_assured");
    assert_eq!(e("E5"), Some(true));
    assert_eq!(e("E6"), Some(false));
    assert_eq!(e("E6s"), Some(true));
    assert_eq!(e("E15"), Some(false));
    assert_eq!(e("E16"), Some(true));
    assert_eq!(e("X1"), Some(true));
    assert_eq!(e("X2"), Some(true));
    assert_eq!(e("N1"), None);
    assert_eq!(e("N2"), Some(true));
    assert_eq!(e("N3-no-date"), Some(true));
    assert_eq!(e("N4-no-date"), None);
    // The household: one false member decides false, whatever the unknowns.
    assert_eq!(r.tri(H, "H1", "education_assured"), Some(false));
}

#[test]
fn medical_insurance_codes_and_the_household_and_of_living_members() {
    let r = Case::new()
        .household("H1", &[])
        .person("H1", &[("person_id", "M1"), ("medical_insurance", "03")])
        .household("H2", &[])
        .person("H2", &[("person_id", "M2"), ("medical_insurance", "04")])
        .person("H2", &[("person_id", "M3"), ("medical_insurance", "03"), ("health", "05")])
        .household("H3", &[])
        .person("H3", &[("person_id", "M4"), ("medical_insurance", "")])
        .person("H3", &[("person_id", "M5"), ("medical_insurance", "05")])
        .run(2020);
    assert_eq!(r.tri(P, "M1", "medical_assured"), Some(false));
    assert_eq!(r.tri(P, "M2", "medical_assured"), Some(true));
    assert_eq!(r.tri(P, "M3", "medical_assured"), Some(false), "computed for the deceased too");
    assert_eq!(r.tri(P, "M4", "medical_assured"), None);
    assert_eq!(r.tri(H, "H1", "medical_assured"), Some(false));
    assert_eq!(r.tri(H, "H2", "medical_assured"), Some(true), "the deceased member is not read");
    assert_eq!(r.tri(H, "H3", "medical_assured"), None);
}

#[test]
fn housing_water_and_no_worries() {
    let r = Case::new()
        .household_of("D", 1, &[("house_safety", "02"), ("house_renovated", "false")])
        .household_of("R", 1, &[("house_safety", "03"), ("house_renovated", "true")])
        .household_of("K", 1, &[("house_safety", "03"), ("relocated", "true"), ("relocation_keys", "true")])
        .household_of("NK", 1, &[("house_safety", "03"), ("relocated", "true"), ("relocation_keys", "false")])
        .household_of("U", 1, &[("house_safety", "")])
        .household_of("W", 1, &[("water_safe", "false")])
        .household_of("F", 1, &[("food_secure", ""), ("clothing_secure", "false")])
        .household_of("G", 1, &[("food_secure", ""), ("clothing_secure", "true")])
        .run(2020);
    assert_eq!(r.tri(H, "D", "housing_assured"), Some(false));
    assert_eq!(r.tri(H, "R", "housing_assured"), Some(true));
    assert_eq!(r.tri(H, "K", "housing_assured"), Some(true));
    assert_eq!(r.tri(H, "NK", "housing_assured"), Some(false));
    assert_eq!(r.tri(H, "U", "housing_assured"), None);
    assert_eq!(r.tri(H, "W", "water_assured"), Some(false));
    assert_eq!(r.tri(H, "F", "no_worries"), Some(false));
    assert_eq!(r.tri(H, "G", "no_worries"), None);
    // Before 2019 drinking water is not part of the standard.
    let before = Case::new().household_of("W", 1, &[("water_safe", "false")]).run(2018);
    assert_eq!(before.tri(H, "W", "water_assured"), Some(true));
}

#[test]
fn exit_wrong_exit_missed_and_wrong_inclusion() {
    let r = Case::new()
        .household_of("OK04", 1, &[("status", "04")])
        .household_of("OK02", 1, &[("status", "02")])
        .household_of("OK05", 1, &[("status", "05")])
        .household_of("BAD03", 1, &[("status", "03"), ("water_safe", "false")])
        .household_of("UNK05", 1, &[("status", "05"), ("water_safe", "")])
        .household_of("UNREG", 1, &[("registered", "false"), ("status", ""), ("house_safety", "03")])
        .household_of("CAR", 1, &[("owns_car", "true")])
        .household_of("CARU", 1, &[("registered", "false"), ("status", ""), ("owns_car", "true")])
        .run(2020);
    assert_eq!(r.tri(H, "OK04", "exit_eligible"), Some(true));
    assert_eq!(r.tri(H, "OK02", "exit_eligible"), Some(true));
    assert_eq!(r.tri(H, "OK05", "exit_eligible"), Some(false));
    assert_eq!(r.tri(H, "OK05", "wrong_exit_risk"), Some(false));
    assert_eq!(r.tri(H, "BAD03", "wrong_exit_risk"), Some(true));
    assert_eq!(r.tri(H, "UNK05", "wrong_exit_risk"), None);
    assert_eq!(r.tri(H, "UNREG", "missed_risk"), Some(true));
    assert_eq!(r.tri(H, "UNREG", "exit_eligible"), Some(false), "an unregistered null status is not unknown here");
    assert_eq!(r.tri(H, "OK04", "missed_risk"), Some(false));
    assert_eq!(r.tri(H, "CAR", "wrong_inclusion_risk"), Some(true));
    assert_eq!(r.tri(H, "CARU", "wrong_inclusion_risk"), Some(false));
    // The other exclusion columns are blank for the rest: unknown, never false.
    assert_eq!(r.tri(H, "OK04", "wrong_inclusion_risk"), None);
}

#[test]
fn monitoring_at_one_and_a_half_lines_and_a_30_percent_drop() {
    let base = [("status", "03"), ("medical_costs", "0"), ("education_costs", "0"), ("last_year_income", "")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let r = Case::new()
        .household_of("LOW", 1, &with(&[("wage_income", "5999.99")]))
        .household_of("AT", 1, &with(&[("wage_income", "6000")]))
        .household_of("POOR", 1, &with(&[("wage_income", "5000"), ("status", "04")]))
        .household_of("DROP", 1, &with(&[("wage_income", "69999.99"), ("last_year_income", "100000")]))
        .household_of("EDGE", 1, &with(&[("wage_income", "70000"), ("last_year_income", "100000")]))
        .household_of(
            "RIGID",
            1,
            &with(&[
                ("wage_income", "9000"),
                ("last_year_income", "9000"),
                ("medical_costs", "8000"),
                ("education_costs", "1000.01"),
            ]),
        )
        .household_of("ZERO", 1, &with(&[("wage_income", "9000"), ("last_year_income", "0")]))
        .run(2020);
    assert_eq!(r.tri(H, "LOW", "monitor"), Some(true));
    // At 6000 the income test fails; last year's income is unknown, so the other tests are too.
    assert_eq!(r.tri(H, "AT", "monitor"), None);
    assert_eq!(r.tri(H, "POOR", "monitor"), Some(false), "not yet exited: not monitored");
    assert_eq!(r.tri(H, "DROP", "monitor"), Some(true));
    assert_eq!(r.tri(H, "EDGE", "monitor"), Some(false), "a drop of exactly 30 % is not more than 30 %");
    assert_eq!(r.tri(H, "RIGID", "monitor"), Some(true));
    assert_eq!(r.tri(H, "ZERO", "monitor"), Some(false), "last year 0: no drop test, no division error");
}

/// A village whose remaining poor are `poor` persons (households of 4 living members, the
/// last one smaller) under a population of 1000.
fn village_with(poor: usize, village: &[(&str, &str)]) -> Case {
    let mut c = Case::new().village(village);
    let mut left = poor;
    let mut i = 0;
    while left > 0 {
        let n = left.min(4);
        c = c.household_of(&format!("P{i}"), n, &[("status", "04")]);
        left -= n;
        i += 1;
    }
    c.household_of("X", 3, &[("status", "03")])
}

#[test]
fn village_exit_at_two_percent_and_forty_thousand_yuan() {
    let at = village_with(20, &[("village_code", VILLAGE)]).run(2020);
    assert_eq!(at.value(V, VILLAGE, "remaining_poor"), Value::Int(20));
    assert_eq!(at.value(V, VILLAGE, "incidence"), Value::Float(0.02));
    assert_eq!(at.tri(V, VILLAGE, "exit_eligible"), Some(true));
    let over = village_with(21, &[("village_code", VILLAGE)]).run(2020);
    assert_eq!(over.tri(V, VILLAGE, "exit_eligible"), Some(false));
    let income_at = village_with(5, &[("village_code", VILLAGE), ("collective_income", "40000")]).run(2020);
    assert_eq!(income_at.tri(V, VILLAGE, "exit_eligible"), Some(true));
    let income_under = village_with(5, &[("village_code", VILLAGE), ("collective_income", "39999")]).run(2020);
    assert_eq!(income_under.tri(V, VILLAGE, "exit_eligible"), Some(false));
    let no_pop = village_with(5, &[("village_code", VILLAGE), ("registered_population", "")]).run(2020);
    assert_eq!(no_pop.value(V, VILLAGE, "incidence"), Value::Unknown);
    assert_eq!(no_pop.tri(V, VILLAGE, "exit_eligible"), None);
    let zero_pop = village_with(5, &[("village_code", VILLAGE), ("registered_population", "0")]).run(2020);
    assert_eq!(zero_pop.value(V, VILLAGE, "incidence"), Value::Unknown);
    let not_poor = village_with(5, &[("village_code", VILLAGE), ("poor_village", "false")]).run(2020);
    assert_eq!(not_poor.tri(V, VILLAGE, "exit_eligible"), Some(false));
}

#[test]
fn county_exit_thresholds_strict_and_inclusive() {
    let run = |county: &[(&str, &str)]| village_with(20, &[]).county(county).run(2020);
    let base = [
        ("rural_population", "1000"),
        ("rural_disposable_income", "10000"),
        ("wrong_exit_rate", "0.0199"),
        ("missed_rate", "0.0199"),
        ("recognition_rate", "0.9"),
    ];
    let with = |k: &'static str, v: &'static str| {
        let mut b: Vec<(&str, &str)> = base.to_vec();
        b.retain(|(x, _)| *x != k);
        b.push((k, v));
        b
    };
    let at = run(&base);
    assert_eq!(at.value(C, "433127", "remaining_poor"), Value::Int(20));
    assert_eq!(at.value(C, "433127", "incidence"), Value::Float(0.02));
    assert_eq!(at.tri(C, "433127", "exit_eligible"), Some(true));
    assert_eq!(run(&with("rural_population", "999")).tri(C, "433127", "exit_eligible"), Some(false));
    assert_eq!(run(&with("rural_disposable_income", "9999")).tri(C, "433127", "exit_eligible"), Some(false));
    assert_eq!(run(&with("wrong_exit_rate", "0.02")).tri(C, "433127", "exit_eligible"), Some(false));
    assert_eq!(run(&with("missed_rate", "0.02")).tri(C, "433127", "exit_eligible"), Some(false));
    assert_eq!(run(&with("recognition_rate", "0.8999")).tri(C, "433127", "exit_eligible"), Some(false));
    assert_eq!(run(&with("recognition_rate", "")).tri(C, "433127", "exit_eligible"), None);
    assert_eq!(run(&with("poor_county", "")).tri(C, "433127", "exit_eligible"), Some(false));
    // 2019's target is 9333.
    let y2019 = village_with(20, &[]).county(&with("rural_disposable_income", "9333")).run(2019);
    assert_eq!(y2019.tri(C, "433127", "exit_eligible"), Some(true));
}
