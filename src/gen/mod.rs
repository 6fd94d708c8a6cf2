//! The synthetic register: a complete, deterministic register of realistic shape, for
//! tests, benchmarks and the demo.
//!
//! Same options, same bytes: one ChaCha8 stream drives every choice, in a fixed order.
//! Households are 2–6 persons with valid resident IDs (check character right, birth date
//! and sex agreeing with the ID), ages and school statuses that fit, incomes spread around
//! the poverty line (some exactly on it, some one fen under), dangerous and renovated
//! houses, relocations with and without keys, deceased members, dibao and 特困 persons,
//! and unregistered households for 漏评 checks. Villages and counties get populations,
//! collective and rural incomes around their thresholds (some exactly on them).
//!
//! `faults` plants the data faults of DOMAIN.md ("Data quality") at a rate, and records in
//! [`Fault`]s which row got which, so tests can check that each is found.

pub mod faults;

use std::collections::HashMap;

use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::register::convert::days_from_ymd;
use crate::register::resident_id;

pub use faults::Fault;

/// The thresholds the generated values are spread around, taken from a rule pack's
/// parameters for the year (so `gen` never carries numbers of its own).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub poverty_line: f64,
    pub village_collective_income_min: f64,
    pub village_incidence_max: f64,
    pub county_incidence_max: f64,
    pub county_rural_income_target: f64,
}

impl Thresholds {
    /// The thresholds from a pack's parameters for a year; an error names the one missing.
    pub fn from_pack(
        pack: &crate::rules::Pack,
        values: &std::collections::HashMap<String, f64>,
    ) -> Result<Thresholds, crate::Error> {
        let get = |name: &str| {
            values.get(name).copied().ok_or_else(|| {
                crate::Error::Evaluation(format!(
                    "{}: gen needs the parameter `{name}`",
                    pack.dir.join("parameters.toml").display()
                ))
            })
        };
        Ok(Thresholds {
            poverty_line: get("poverty_line")?,
            village_collective_income_min: get("village_collective_income_min")?,
            village_incidence_max: get("village_incidence_max")?,
            county_incidence_max: get("county_incidence_max")?,
            county_rural_income_target: get("county_rural_income_target")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub households: usize,
    pub seed: u64,
    pub year: i32,
    /// Counties; default one per 20,000 households, at least one.
    pub counties: Option<usize>,
    /// Share of rows that get a planted data fault (0 = a clean register).
    pub faults: f64,
    pub thresholds: Thresholds,
    /// Index of the first county generated (to make a large register one county at a time).
    pub first_county: usize,
}

/// A generated register: one frame per table with canonical English headers and codes as
/// text (as exports have them), plus the planted faults.
pub struct Generated {
    pub persons: DataFrame,
    pub households: DataFrame,
    pub villages: DataFrame,
    pub counties: DataFrame,
    pub faults: Vec<Fault>,
}

/// Real Hunan county codes and names (poor counties of the 2014 list), used first.
const COUNTIES: &[(&str, &str)] = &[
    ("433127", "永顺县"),
    ("433130", "龙山县"),
    ("433122", "泸溪县"),
    ("433123", "凤凰县"),
    ("433124", "花垣县"),
    ("433125", "保靖县"),
    ("433126", "古丈县"),
    ("430524", "隆回县"),
    ("430527", "绥宁县"),
    ("430528", "新宁县"),
    ("430529", "城步苗族自治县"),
    ("431224", "溆浦县"),
    ("431225", "会同县"),
    ("431226", "麻阳苗族自治县"),
    ("431228", "芷江侗族自治县"),
    ("431229", "靖州苗族侗族自治县"),
    ("431230", "通道侗族自治县"),
    ("430822", "桑植县"),
    ("431322", "新化县"),
    ("430626", "平江县"),
    ("431026", "汝城县"),
    ("431028", "安仁县"),
    ("431027", "桂东县"),
    ("430923", "安化县"),
    ("431126", "宁远县"),
    ("431129", "江华瑶族自治县"),
];

/// Column builders for persons.
#[derive(Default)]
pub(crate) struct PersonCols {
    pub person_id: Vec<String>,
    pub household_id: Vec<String>,
    pub name: Vec<String>,
    pub relation: Vec<&'static str>,
    pub sex: Vec<&'static str>,
    pub birth_date: Vec<Option<i32>>,
    pub school_status: Vec<&'static str>,
    pub schooling_exempt: Vec<Option<&'static str>>,
    pub health: Vec<&'static str>,
    pub disability_grade: Vec<i64>,
    pub labour: Vec<&'static str>,
    pub work_months: Vec<i64>,
    pub medical_insurance: Vec<&'static str>,
    pub serious_illness_insurance: Vec<bool>,
    pub pension_insurance: Vec<bool>,
    pub dibao: Vec<bool>,
    pub tekun: Vec<bool>,
    /// Not written: age at 31 Dec of the year, for shaping and planting faults.
    pub age: Vec<i32>,
}

#[derive(Default)]
pub(crate) struct HouseholdCols {
    pub household_id: Vec<String>,
    pub village_code: Vec<String>,
    pub registered: Vec<bool>,
    pub attribute: Vec<&'static str>,
    pub status: Vec<Option<&'static str>>,
    pub identified_year: Vec<Option<i64>>,
    pub exit_year: Vec<Option<i64>>,
    pub main_cause: Vec<&'static str>,
    pub wage_income: Vec<f64>,
    pub operating_income: Vec<f64>,
    pub property_income: Vec<f64>,
    pub transfer_income: Vec<f64>,
    pub operating_cost: Vec<f64>,
    pub reported_per_capita_income: Vec<f64>,
    pub food_secure: Vec<bool>,
    pub clothing_secure: Vec<bool>,
    pub house_safety: Vec<&'static str>,
    pub house_renovated: Vec<bool>,
    pub relocated: Vec<bool>,
    pub relocation_keys: Vec<bool>,
    pub water_safe: Vec<bool>,
    pub medical_costs: Vec<f64>,
    pub education_costs: Vec<f64>,
    pub last_year_income: Vec<f64>,
    pub owns_car: Vec<bool>,
    pub owns_commercial_housing: Vec<bool>,
    pub runs_company: Vec<bool>,
    pub public_employee: Vec<bool>,
    pub helper_assigned: Vec<bool>,
    /// Not written: the rows of its members in the person columns.
    pub members: Vec<std::ops::Range<usize>>,
}

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "彭", "向", "田", "龙", "石", "谭"];
const GIVEN: &[&str] =
    &["华", "军", "秀英", "桂兰", "建国", "小红", "明", "丽", "强", "芳", "志勇", "玉梅", "德贵", "春花"];

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Generate a register.
pub fn generate(o: &GenOptions) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    let n_counties = o.counties.unwrap_or(o.households.div_ceil(20_000)).max(1);
    let line = o.thresholds.poverty_line;
    let y = o.year;

    let mut p = PersonCols::default();
    let mut h = HouseholdCols::default();
    let mut id_seq: HashMap<(usize, i32), u32> = HashMap::new();

    // Village rows, filled once each village's households exist.
    let mut v_code = vec![];
    let mut v_name = vec![];
    let mut v_county = vec![];
    let mut v_poor = vec![];
    let mut v_pop = vec![];
    let mut v_income = vec![];
    let mut v_flags: [Vec<bool>; 6] = Default::default();
    let mut c_code = vec![];
    let mut c_name = vec![];
    let mut c_poor: Vec<Option<&str>> = vec![];
    let mut c_pop = vec![];
    let mut c_income = vec![];
    let mut c_rates: [Vec<Option<f64>>; 3] = Default::default();

    for k in 0..n_counties {
        let c = k + o.first_county;
        let (code, name) = match COUNTIES.get(c) {
            Some((code, name)) => (code.to_string(), name.to_string()),
            None => (format!("43{:02}{:02}", 14 + c / 79, 21 + c % 79), format!("模拟县{c}")),
        };
        let hh_here = o.households / n_counties + usize::from(k < o.households % n_counties);
        let n_villages = hh_here.div_ceil(60).max(1);
        let mut county_remaining = 0i64;
        for v in 0..n_villages {
            let vcode = format!("{code}{:03}{:03}", 100 + v / 20, 201 + v % 20);
            let hh_in_village = hh_here / n_villages + usize::from(v < hh_here % n_villages);
            let mut remaining = 0i64;
            let mut living_total = 0i64;
            for k in 0..hh_in_village {
                let hid = format!("{vcode}{:04}", k + 1);
                let (rem, living) = household(&mut rng, o, c, &hid, &vcode, &code, &mut h, &mut p, &mut id_seq);
                remaining += rem;
                living_total += living;
            }
            county_remaining += remaining;
            let target = if rng.random_bool(0.1) {
                o.thresholds.village_incidence_max
            } else {
                o.thresholds.village_incidence_max * rng.random_range(0.2..2.5)
            };
            let pop = if remaining > 0 { (remaining as f64 / target).round() as i64 } else { living_total * 3 + 100 };
            v_code.push(vcode);
            v_name.push(format!("{}村", GIVEN[v % GIVEN.len()]));
            v_county.push(code.clone());
            v_poor.push(rng.random_bool(0.6));
            v_pop.push(pop.max(1));
            let min = o.thresholds.village_collective_income_min;
            v_income.push(if rng.random_bool(0.1) {
                min
            } else {
                (min * rng.random_range(0.4..2.0) / 100.0).round() * 100.0
            });
            for f in v_flags.iter_mut() {
                f.push(rng.random_bool(0.96));
            }
        }
        let target = if rng.random_bool(0.2) {
            o.thresholds.county_incidence_max
        } else {
            o.thresholds.county_incidence_max * rng.random_range(0.3..2.0)
        };
        c_code.push(code);
        c_name.push(name);
        c_poor.push(match rng.random_range(0..10) {
            0..=5 => Some("national"),
            6..=7 => Some("provincial"),
            _ => None,
        });
        c_pop.push(((county_remaining.max(1) as f64) / target).round() as i64);
        let t = o.thresholds.county_rural_income_target;
        c_income.push(if rng.random_bool(0.2) { t } else { (t * rng.random_range(0.85..1.2)).round() });
        let assessed = rng.random_bool(0.7);
        c_rates[0].push(assessed.then(|| round4(rng.random_range(0.0..0.04))));
        c_rates[1].push(assessed.then(|| round4(rng.random_range(0.0..0.04))));
        c_rates[2].push(assessed.then(|| round4(rng.random_range(0.85..0.99))));
    }

    let mut faults = vec![];
    if o.faults > 0.0 {
        faults = faults::plant(&mut rng, o, &mut h, &mut p, line);
    }

    let villages = df_or_empty(vec![
        Column::new("village_code".into(), v_code),
        Column::new("village_name".into(), v_name),
        Column::new("county_code".into(), v_county),
        Column::new("poor_village".into(), v_poor),
        Column::new("registered_population".into(), v_pop),
        Column::new("collective_income".into(), v_income),
        Column::new("road_access".into(), &v_flags[0]),
        Column::new("safe_water".into(), &v_flags[1]),
        Column::new("electricity".into(), &v_flags[2]),
        Column::new("school_access".into(), &v_flags[3]),
        Column::new("clinic".into(), &v_flags[4]),
        Column::new("social_insurance".into(), &v_flags[5]),
    ]);
    let counties = df_or_empty(vec![
        Column::new("county_code".into(), c_code),
        Column::new("county_name".into(), c_name),
        Column::new("poor_county".into(), c_poor),
        Column::new("rural_population".into(), c_pop),
        Column::new("rural_disposable_income".into(), c_income),
        Column::new("wrong_exit_rate".into(), &c_rates[0]),
        Column::new("missed_rate".into(), &c_rates[1]),
        Column::new("recognition_rate".into(), &c_rates[2]),
    ]);
    let _ = y;
    Generated { persons: person_frame(p), households: household_frame(h), villages, counties, faults }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn df_or_empty(cols: Vec<Column>) -> DataFrame {
    let height = cols.first().map(|c| c.len()).unwrap_or(0);
    DataFrame::new(height, cols).unwrap_or_default()
}

fn person_frame(p: PersonCols) -> DataFrame {
    let birth = Int32Chunked::new("birth_date".into(), p.birth_date).into_date().into_column();
    df_or_empty(vec![
        Column::new("person_id".into(), p.person_id),
        Column::new("household_id".into(), p.household_id),
        Column::new("name".into(), p.name),
        Column::new("relation".into(), p.relation),
        Column::new("sex".into(), p.sex),
        birth,
        Column::new("school_status".into(), p.school_status),
        Column::new("schooling_exempt".into(), p.schooling_exempt),
        Column::new("health".into(), p.health),
        Column::new("disability_grade".into(), p.disability_grade),
        Column::new("labour".into(), p.labour),
        Column::new("work_months".into(), p.work_months),
        Column::new("medical_insurance".into(), p.medical_insurance),
        Column::new("serious_illness_insurance".into(), p.serious_illness_insurance),
        Column::new("pension_insurance".into(), p.pension_insurance),
        Column::new("dibao".into(), p.dibao),
        Column::new("tekun".into(), p.tekun),
    ])
}

fn household_frame(h: HouseholdCols) -> DataFrame {
    df_or_empty(vec![
        Column::new("household_id".into(), h.household_id),
        Column::new("village_code".into(), h.village_code),
        Column::new("registered".into(), h.registered),
        Column::new("attribute".into(), h.attribute),
        Column::new("status".into(), h.status),
        Column::new("identified_year".into(), h.identified_year),
        Column::new("exit_year".into(), h.exit_year),
        Column::new("main_cause".into(), h.main_cause),
        Column::new("wage_income".into(), h.wage_income),
        Column::new("operating_income".into(), h.operating_income),
        Column::new("property_income".into(), h.property_income),
        Column::new("transfer_income".into(), h.transfer_income),
        Column::new("operating_cost".into(), h.operating_cost),
        Column::new("reported_per_capita_income".into(), h.reported_per_capita_income),
        Column::new("food_secure".into(), h.food_secure),
        Column::new("clothing_secure".into(), h.clothing_secure),
        Column::new("house_safety".into(), h.house_safety),
        Column::new("house_renovated".into(), h.house_renovated),
        Column::new("relocated".into(), h.relocated),
        Column::new("relocation_keys".into(), h.relocation_keys),
        Column::new("water_safe".into(), h.water_safe),
        Column::new("medical_costs".into(), h.medical_costs),
        Column::new("education_costs".into(), h.education_costs),
        Column::new("last_year_income".into(), h.last_year_income),
        Column::new("owns_car".into(), h.owns_car),
        Column::new("owns_commercial_housing".into(), h.owns_commercial_housing),
        Column::new("runs_company".into(), h.runs_company),
        Column::new("public_employee".into(), h.public_employee),
        Column::new("helper_assigned".into(), h.helper_assigned),
    ])
}

/// A resident ID for a person of the county, unique in the register: the sequence counts
/// up per (county, birth date), odd for men.
pub(crate) fn new_id(
    id_seq: &mut HashMap<(usize, i32), u32>,
    county: usize,
    region: &str,
    mut birth: (i32, u32, u32),
    male: bool,
) -> (String, i32) {
    loop {
        let Some(days) = days_from_ymd(birth.0, birth.1, birth.2) else {
            birth.2 = 1;
            continue;
        };
        let n = id_seq.entry((county, days)).or_insert(0);
        if *n < 499 {
            // Men take odd sequence numbers (1, 3, …), women even (2, 4, …).
            let seq = *n * 2 + if male { 1 } else { 2 };
            *n += 1;
            return (resident_id::make(region, birth.0, birth.1, birth.2, seq), days);
        }
        birth.2 = if birth.2 >= 28 { 1 } else { birth.2 + 1 };
    }
}

/// One household and its members. Returns (remaining-poor persons, living persons).
#[allow(clippy::too_many_arguments)]
fn household(
    rng: &mut ChaCha8Rng,
    o: &GenOptions,
    county: usize,
    hid: &str,
    vcode: &str,
    region: &str,
    h: &mut HouseholdCols,
    p: &mut PersonCols,
    id_seq: &mut HashMap<(usize, i32), u32>,
) -> (i64, i64) {
    let y = o.year;
    let line = o.thresholds.poverty_line;
    let registered = rng.random_bool(0.85);
    let status = if registered {
        Some(match rng.random_range(0..100) {
            0..=19 => "04",
            20..=34 => "05",
            35..=89 => "03",
            _ => "02",
        })
    } else {
        None
    };
    let attribute = match rng.random_range(0..10) {
        0..=6 => "01",
        7..=8 => "02",
        _ => "03",
    };
    // 2–6 persons, about 3.2 on average (a county register's 3 persons per household).
    let size = [2usize, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6][rng.random_range(0..20)];
    let start = p.person_id.len();
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let head_age: i32 = rng.random_range(24..=78);
    let head_male = rng.random_bool(0.8);
    let mut has_student = false;
    let mut has_sick = false;
    let mut has_disabled = false;
    let mut living = 0i64;
    for m in 0..size {
        let (relation, male, age) = match m {
            0 => ("01", head_male, head_age),
            1 if head_age > 22 => ("02", !head_male, (head_age + rng.random_range(-5..=5)).max(18)),
            _ => {
                if head_age >= 55 && rng.random_bool(0.5) {
                    let male = rng.random_bool(0.5);
                    (if male { "07" } else { "08" }, male, rng.random_range(0..=17))
                } else if head_age <= 50 && rng.random_bool(0.2) {
                    let male = rng.random_bool(0.5);
                    (if male { "11" } else { "12" }, male, (head_age + rng.random_range(20..=30)).min(99))
                } else {
                    let male = rng.random_bool(0.52);
                    (if male { "03" } else { "04" }, male, (head_age - rng.random_range(20..=34)).max(0))
                }
            }
        };
        let birth_year = y - age;
        let birth = (birth_year, rng.random_range(1..=12u32), rng.random_range(1..=28u32));
        let (pid, days) = new_id(id_seq, county, region, birth, male);
        // The head is alive, so a clean household always has a living member.
        let health = if m == 0 {
            ["01", "01", "01", "01", "01", "01", "02", "03", "04"][rng.random_range(0..9)]
        } else {
            match rng.random_range(0..100) {
                0..=74 => "01",
                75..=86 => "02",
                87..=91 => "03",
                92..=96 => "04",
                _ => "05",
            }
        };
        let school = school_status(rng, age);
        if health != "05" {
            living += 1;
            has_student |= school != "01";
            has_sick |= health == "02" || health == "03";
            has_disabled |= health == "04";
        }
        let exempt = if school == "01" && (6..=15).contains(&age) && rng.random_bool(0.4) {
            Some(if health == "01" { "01" } else { "02" })
        } else {
            None
        };
        let labour = if health == "03" || health == "04" {
            "03"
        } else if (16..=60).contains(&age) {
            if rng.random_bool(0.3) { "02" } else { "01" }
        } else {
            "04"
        };
        let work_months = if labour == "01" || labour == "02" {
            if rng.random_bool(0.5) { rng.random_range(1..=12) } else { 0 }
        } else {
            0
        };
        let insurance = if age == 0 && rng.random_bool(0.5) {
            "04"
        } else {
            match rng.random_range(0..100) {
                0..=91 => "01",
                92..=95 => "02",
                96..=97 => "03",
                _ => "05",
            }
        };
        p.person_id.push(pid);
        p.household_id.push(hid.to_string());
        p.name.push(format!("{surname}{}", GIVEN[rng.random_range(0..GIVEN.len())]));
        p.relation.push(relation);
        p.sex.push(if male { "1" } else { "2" });
        p.birth_date.push(if rng.random_bool(0.9) { Some(days) } else { None });
        p.school_status.push(school);
        p.schooling_exempt.push(exempt);
        p.health.push(health);
        p.disability_grade.push(if health == "04" { rng.random_range(1..=4) } else { 0 });
        p.labour.push(labour);
        p.work_months.push(work_months);
        p.medical_insurance.push(insurance);
        p.serious_illness_insurance.push(rng.random_bool(0.95));
        p.pension_insurance.push(age >= 16 && rng.random_bool(0.9));
        p.dibao.push(if attribute == "02" { m == 0 || rng.random_bool(0.7) } else { rng.random_bool(0.03) });
        p.tekun.push(attribute == "03" && rng.random_bool(0.8));
        p.age.push(age);
    }

    // Income around the line: remaining poor mostly under it, exited mostly over it,
    // some exactly on it and some one fen under (the boundary cases of DOMAIN.md).
    let factor = match status {
        Some("04") | Some("02") => rng.random_range(0.5..1.1),
        Some(_) => rng.random_range(0.95..2.5),
        None => rng.random_range(0.9..4.0),
    };
    let roll = rng.random_range(0..100);
    let (wage, operating, property, transfer, cost) = if roll < 3 {
        (line * living as f64, 0.0, 0.0, 0.0, 0.0)
    } else if roll < 5 {
        (line * living as f64 - 0.01, 0.0, 0.0, 0.0, 0.0)
    } else {
        let net = round2(line * factor * living as f64);
        let cost = round2(net * rng.random_range(0.0..0.3));
        let gross = net + cost;
        let wage = round2(gross * rng.random_range(0.3..0.7));
        let operating = round2(gross * rng.random_range(0.1..0.3));
        let property = round2(gross * 0.02);
        let transfer = round2(gross - wage - operating - property);
        (wage, operating, property, transfer, cost)
    };
    let net = wage + operating + property + transfer - cost;
    let per_capita = if living > 0 { net / living as f64 } else { 0.0 };
    let cause = if has_sick && rng.random_bool(0.5) {
        "01"
    } else if has_disabled && rng.random_bool(0.5) {
        "02"
    } else if has_student && rng.random_bool(0.3) {
        "03"
    } else {
        ["04", "05", "06", "07", "08", "09", "10", "11"][rng.random_range(0..8)]
    };
    let house_safety = match rng.random_range(0..100) {
        0..=84 => "01",
        85..=92 => "02",
        _ => "03",
    };
    let relocated = rng.random_bool(0.08);
    h.household_id.push(hid.to_string());
    h.village_code.push(vcode.to_string());
    h.registered.push(registered);
    h.attribute.push(attribute);
    h.status.push(status);
    h.identified_year.push(registered.then(|| rng.random_range(2014..=2016)));
    h.exit_year.push(match status {
        Some("05") => Some(y as i64),
        Some("03") | Some("02") => Some(rng.random_range(2016..y.max(2017)) as i64),
        _ => None,
    });
    h.main_cause.push(cause);
    h.wage_income.push(wage);
    h.operating_income.push(operating);
    h.property_income.push(property);
    h.transfer_income.push(transfer);
    h.operating_cost.push(cost);
    h.reported_per_capita_income.push(round2(per_capita));
    h.food_secure.push(rng.random_bool(0.97));
    h.clothing_secure.push(rng.random_bool(0.97));
    h.house_safety.push(house_safety);
    h.house_renovated.push(house_safety != "01" && rng.random_bool(0.6));
    h.relocated.push(relocated);
    h.relocation_keys.push(relocated && rng.random_bool(0.75));
    h.water_safe.push(rng.random_bool(0.95));
    h.medical_costs.push(if has_sick {
        round2(rng.random_range(500.0..20_000.0))
    } else {
        round2(rng.random_range(0.0..800.0))
    });
    h.education_costs.push(if has_student { round2(rng.random_range(300.0..6_000.0)) } else { 0.0 });
    h.last_year_income.push(round2(net * if rng.random_bool(0.1) { 1.6 } else { rng.random_range(0.8..1.2) }));
    h.owns_car.push(rng.random_bool(0.01));
    h.owns_commercial_housing.push(rng.random_bool(0.01));
    h.runs_company.push(rng.random_bool(0.005));
    h.public_employee.push(rng.random_bool(0.005));
    h.helper_assigned.push(registered && rng.random_bool(0.98));
    h.members.push(start..p.person_id.len());
    let remaining = if matches!(status, Some("04") | Some("02")) { living } else { 0 };
    (remaining, living)
}

/// A school status that fits the age (at 31 Dec of the year).
fn school_status(rng: &mut ChaCha8Rng, age: i32) -> &'static str {
    match age {
        ..=2 => "01",
        3..=5 => ["01", "02"][usize::from(rng.random_bool(0.7))],
        6..=15 if rng.random_bool(0.02) => "01",
        6..=11 => "03",
        12 => "04",
        13 => "05",
        14 => "06",
        15 => ["07", "06"][usize::from(rng.random_bool(0.5))],
        16..=18 => match rng.random_range(0..4) {
            0 => ["07", "08", "09"][(age - 16) as usize],
            1 => ["10", "11", "12"][(age - 16) as usize],
            2 => "07",
            _ => "01",
        },
        19..=22 if rng.random_bool(0.2) => ["13", "14", "15", "16"][rng.random_range(0..4)],
        _ => "01",
    }
}

/// Generate a register one county at a time and write it as one register per county,
/// `dir/<county code>/…` (what `check` reads county by county), so that memory is bounded
/// by one county. Each county has its own random stream (the seed and the county's index),
/// so the result does not depend on how many counties come before it in a run. Written
/// completely or not at all. Returns (households, persons, counties, faults).
pub fn write_by_county(
    o: &GenOptions,
    dir: &std::path::Path,
    format: crate::register::Format,
) -> Result<(usize, usize, usize, usize), crate::Error> {
    let n_counties = o.counties.unwrap_or(o.households.div_ceil(20_000)).max(1);
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let tmp = dir.join(format!(".tuopin-partial-{}", std::process::id()));
    let result = (|| {
        let mut totals = (0, 0, 0, 0);
        let mut codes = vec![];
        for c in 0..n_counties {
            let households = o.households / n_counties + usize::from(c < o.households % n_counties);
            let part = GenOptions {
                households,
                seed: o.seed.wrapping_mul(1_000_003).wrapping_add(c as u64),
                counties: Some(1),
                first_county: o.first_county + c,
                ..*o
            };
            let mut g = generate(&part);
            let code = g
                .counties
                .column("county_code")
                .ok()
                .and_then(|s| s.str().ok().and_then(|s| s.get(0).map(str::to_string)))
                .unwrap_or_else(|| format!("county{c}"));
            totals.0 += g.households.height();
            totals.1 += g.persons.height();
            totals.2 += 1;
            totals.3 += g.faults.len();
            write(&mut g, &tmp.join(&code), format)?;
            codes.push(code);
        }
        for code in &codes {
            let to = dir.join(code);
            if std::fs::symlink_metadata(&to).is_ok() {
                // Only a county folder that an earlier `gen` wrote (it holds gen's manifest)
                // is replaced; anything else of that name is the user's.
                if !crate::report::staging::written_by(&to, "gen") {
                    return Err(crate::Error::Output(crate::report::staging::Refusal::NotOurs { file: to }));
                }
                std::fs::remove_dir_all(&to).map_err(|e| crate::Error::io(&to, e))?;
            }
            std::fs::rename(tmp.join(code), &to).map_err(|e| crate::Error::io(&to, e))?;
        }
        Ok(totals)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Write a generated register into `dir` (completely or not at all): one file per table,
/// and `faults.csv` when faults were planted.
pub fn write(
    g: &mut Generated,
    dir: &std::path::Path,
    format: crate::register::Format,
) -> Result<Vec<std::path::PathBuf>, crate::Error> {
    use crate::report::{Staging, write_csv_rows, write_frame};
    let mut staging = Staging::begin(dir, "gen", Default::default())?;
    for (stem, df) in [
        ("persons", &mut g.persons),
        ("households", &mut g.households),
        ("villages", &mut g.villages),
        ("counties", &mut g.counties),
    ] {
        write_frame(&mut staging, stem, df, format, crate::messages::Lang::Zh)?;
    }
    if !g.faults.is_empty() {
        write_csv_rows(&mut staging, "faults.csv", &g.faults)?;
    }
    staging.commit()
}
