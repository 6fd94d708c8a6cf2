//! Planting the data faults of DOMAIN.md ("Data quality") into a generated register.
//!
//! Each fault keeps the register loadable (faults are for `validate` to find, not input
//! errors) and is recorded with its table, 1-based data row, key and column in the side
//! file `faults.csv`.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{GenOptions, HouseholdCols, PersonCols};
use crate::register::resident_id;

/// One planted fault.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    /// `persons` or `households`.
    pub table: &'static str,
    /// 1-based data row in that table's file.
    pub row: usize,
    /// The row's key (`person_id` or `household_id`).
    pub key: String,
    /// The fault's id, the same id the data-quality check reports.
    pub fault: &'static str,
    pub column: &'static str,
}

/// The faults `gen --faults` plants, by id.
pub const FAULT_IDS: &[&str] = &[
    "id_check_character",
    "id_sex_mismatch",
    "id_birth_date_mismatch",
    "person_in_two_households",
    "no_head",
    "two_heads",
    "head_spouse_same_sex",
    "no_living_member",
    "income_mismatch",
    "income_not_positive",
    "cause_illness_all_healthy",
    "cause_schooling_no_student",
    "cause_disability_none_disabled",
    "dibao_household_no_dibao_member",
    "working_age_without_labour",
    "work_months_out_of_range",
    "no_labour_working_away",
];

pub(super) fn plant(
    rng: &mut ChaCha8Rng,
    o: &GenOptions,
    h: &mut HouseholdCols,
    p: &mut PersonCols,
    line: f64,
) -> Vec<Fault> {
    let mut out = vec![];
    let n_households = h.household_id.len();
    let mut touched = vec![false; n_households];
    for hh in 0..n_households {
        if !rng.random_bool(o.faults.clamp(0.0, 1.0)) || touched[hh] {
            continue;
        }
        // One fault per household keeps each fault's signal clean.
        let kind = FAULT_IDS[rng.random_range(0..FAULT_IDS.len())];
        if plant_one(rng, kind, hh, h, p, line, &mut out, &mut touched) {
            touched[hh] = true;
        }
    }
    out.sort_by(|a, b| (a.table, a.row, a.fault).cmp(&(b.table, b.row, b.fault)));
    out
}

#[allow(clippy::too_many_arguments)]
fn plant_one(
    _rng: &mut ChaCha8Rng,
    kind: &'static str,
    hh: usize,
    h: &mut HouseholdCols,
    p: &mut PersonCols,
    line: f64,
    out: &mut Vec<Fault>,
    touched: &mut [bool],
) -> bool {
    let members = h.members[hh].clone();
    let hid = h.household_id[hh].clone();
    let living: Vec<usize> = members.clone().filter(|&i| p.health[i] != "05").collect();
    let person = |out: &mut Vec<Fault>, ids: &[String], i: usize, column: &'static str| {
        out.push(Fault { table: "persons", row: i + 1, key: ids[i].clone(), fault: kind, column });
    };
    let household = |out: &mut Vec<Fault>, column: &'static str| {
        out.push(Fault { table: "households", row: hh + 1, key: hid.clone(), fault: kind, column });
    };
    let head = members.start;
    match kind {
        "id_check_character" => {
            let id = &mut p.person_id[head];
            let last = id.pop().unwrap_or('0');
            id.push(if last == '1' { '2' } else { '1' });
            person(out, &p.person_id, head, "person_id");
        }
        "id_sex_mismatch" => {
            p.sex[head] = if p.sex[head] == "1" { "2" } else { "1" };
            person(out, &p.person_id, head, "sex");
        }
        "id_birth_date_mismatch" => {
            let Some(d) = resident_id::birth_date(&p.person_id[head]) else {
                return false;
            };
            p.birth_date[head] = Some(d + 400);
            person(out, &p.person_id, head, "birth_date");
        }
        "person_in_two_households" => {
            // The head of the next untouched household is also listed in this one.
            let Some(other) = (hh + 1..h.members.len()).find(|&o| !touched[o]) else {
                return false;
            };
            let src = h.members[other].start;
            touched[other] = true;
            let dst = members.end - 1;
            if dst == head {
                return false;
            }
            p.person_id[dst] = p.person_id[src].clone();
            p.sex[dst] = p.sex[src];
            p.birth_date[dst] = p.birth_date[src];
            p.age[dst] = p.age[src];
            p.relation[dst] = "99";
            person(out, &p.person_id, dst, "person_id");
        }
        "no_head" => {
            p.relation[head] = "99";
            household(out, "relation");
        }
        "two_heads" => {
            // A living member: household rules read only living members (DOMAIN.md).
            let Some(&second) = living.iter().find(|&&i| i != head) else { return false };
            p.relation[second] = "01";
            household(out, "relation");
        }
        "head_spouse_same_sex" => {
            if p.relation[head + 1] != "02" || p.health[head + 1] == "05" {
                return false;
            }
            // Re-issue the spouse's ID for the head's sex, so the ID stays consistent.
            let id = p.person_id[head + 1].clone();
            let seq: u32 = id[14..17].parse().unwrap_or(2);
            let male = p.sex[head] == "1";
            let seq = if male == (seq % 2 == 1) {
                seq
            } else if seq < 999 {
                seq + 1
            } else {
                seq - 1
            };
            let (y, m, d) =
                (id[6..10].parse().unwrap_or(1970), id[10..12].parse().unwrap_or(1), id[12..14].parse().unwrap_or(1));
            p.person_id[head + 1] = resident_id::make(&id[..6], y, m, d, seq);
            p.sex[head + 1] = p.sex[head];
            household(out, "sex");
        }
        "no_living_member" => {
            for i in members {
                p.health[i] = "05";
            }
            household(out, "health");
        }
        "income_mismatch" => {
            h.reported_per_capita_income[hh] = (h.reported_per_capita_income[hh] * 1.5 + 500.0).round();
            household(out, "reported_per_capita_income");
        }
        "income_not_positive" => {
            h.operating_cost[hh] =
                h.wage_income[hh] + h.operating_income[hh] + h.property_income[hh] + h.transfer_income[hh] + line;
            let net = -line;
            h.reported_per_capita_income[hh] = ((net / living.len().max(1) as f64) * 100.0).round() / 100.0;
            household(out, "operating_cost");
        }
        "cause_illness_all_healthy" => {
            for &i in &living {
                p.health[i] = "01";
                p.disability_grade[i] = 0;
            }
            h.main_cause[hh] = "01";
            household(out, "main_cause");
        }
        "cause_schooling_no_student" => {
            if living.iter().any(|&i| p.school_status[i] != "01") {
                return false;
            }
            h.main_cause[hh] = "03";
            household(out, "main_cause");
        }
        "cause_disability_none_disabled" => {
            if living.iter().any(|&i| p.health[i] == "04") {
                return false;
            }
            h.main_cause[hh] = "02";
            household(out, "main_cause");
        }
        "dibao_household_no_dibao_member" => {
            h.attribute[hh] = "02";
            for i in members {
                p.dibao[i] = false;
            }
            household(out, "dibao");
        }
        "working_age_without_labour" => {
            let Some(&i) = living.iter().find(|&&i| (16..=59).contains(&p.age[i]) && p.health[i] == "01") else {
                return false;
            };
            p.labour[i] = "04";
            p.work_months[i] = 0;
            person(out, &p.person_id, i, "labour");
        }
        "work_months_out_of_range" => {
            p.work_months[head] = 13;
            person(out, &p.person_id, head, "work_months");
        }
        "no_labour_working_away" => {
            p.labour[head] = "03";
            p.work_months[head] = 6;
            person(out, &p.person_id, head, "work_months");
        }
        _ => return false,
    }
    true
}
