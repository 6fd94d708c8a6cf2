//! Data quality before any verdict is trusted: `tuopin validate`.
//!
//! Most checks are rules in `rules/quality/` (a predicate that is true when the fault is
//! present, with `严重程度` and `字段` header lines), so staff can add their own. What the rule
//! language cannot express is built in here: the same person in two households (within a
//! county and across counties), and incomes bunched just above the line per village.
//!
//! Each finding names its check, severity, table, row key, column, value and a note (a
//! structured [`Note`], said in the user's language by `report::quality`). A risk score per household orders the households most likely to be counted
//! against the county first (see [`risk`]).

use crate::messages::quality::Note;
use crate::register::hierarchy::county_of_village;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::eval::fields::FieldData;
use crate::eval::{Outcomes, Value, Values};
use crate::register::{Register, Table};
use crate::rules::{FindingSeverity, Pack};

/// One fault found in one row (`findings.csv` writes it through `report::finding_rows`, which
/// says its note in the user's language).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: String,
    pub severity: FindingSeverity,
    pub table: &'static str,
    pub key: String,
    pub column: String,
    pub value: Option<String>,
    pub note: Note,
    /// The household the row belongs to (itself for a household), and its county.
    pub household_id: String,
    pub county: String,
}

/// Findings of the quality pack's checks: every row where a check with a severity is true.
pub fn rule_findings(pack: &Pack, register: &Register, outcomes: &Outcomes) -> Vec<Finding> {
    let mut out = vec![];
    for level in &outcomes.levels {
        let Some(lt) = register.table(level.table) else { continue };
        // A person's household, read for the few rows with a finding (not copied for all).
        let household_ids = (level.table == Table::Persons)
            .then(|| level.extra_keys.first().and_then(|c| c.str().ok().cloned()))
            .flatten();
        // Each column read once, whatever the number of checks that name it (eight person
        // checks name the resident ID: 3.2M texts each).
        let mut columns: HashMap<String, FieldData> = HashMap::new();
        for (r, rule) in pack.rules.iter().enumerate().filter(|(_, x)| x.level == level.table) {
            let Some(severity) = rule.severity else { continue };
            // The rows where the check is true: from its values, or from its column when
            // it was kept as one.
            let found: Vec<usize> = match (level.values(r), level.columns.get(&r).and_then(|c| c.bool().ok())) {
                (Some(vals), _) => (0..vals.len()).filter(|&i| vals[i] == Value::Bool(true)).collect(),
                (None, Some(b)) => b.iter().enumerate().filter(|(_, v)| *v == Some(true)).map(|(i, _)| i).collect(),
                (None, None) => continue,
            };
            if found.is_empty() {
                continue;
            }
            let column = rule.column.clone().unwrap_or_else(|| level.table.key().to_string());
            let data = columns.entry(column.clone()).or_insert_with(|| FieldData::extract(lt, level.table, &column));
            for row in found {
                let value = {
                    let d = data.dynamic(row);
                    if d.is_unit() { None } else { Some(d.to_string()) }
                };
                let household_id = match (&household_ids, level.table) {
                    (Some(h), _) => h.get(row).unwrap_or_default().to_string(),
                    (None, Table::Households) => level.key(row).to_string(),
                    _ => String::new(),
                };
                let note = Note::Check { title: rule.title.clone(), column: column.clone(), value: value.clone() };
                out.push(Finding {
                    check: rule.name.clone(),
                    severity,
                    table: level.table.name(),
                    key: level.key(row).to_string(),
                    column: column.clone(),
                    value,
                    note,
                    household_id,
                    county: level.county_of(row).to_string(),
                });
            }
        }
    }
    out
}

/// The same person (resident ID) in two or more households: `person_in_two_households`,
/// reported on every row of that person, saying whether the households are in one county.
pub fn duplicate_persons(register: &Register) -> Vec<Finding> {
    let Some(p) = register.table(Table::Persons) else { return vec![] };
    let (Ok(ids), Ok(hids)) = (
        p.frame.column("person_id").and_then(|c| c.str().cloned()),
        p.frame.column("household_id").and_then(|c| c.str().cloned()),
    ) else {
        return vec![];
    };
    // Every (person, row), sorted by a hash of the person: one person's rows lie together,
    // and sorting numbers is quick. (A map of 3.2 million entries, each with its own list,
    // took 3.6 s at 1,000,000 households; sorting the IDs themselves 0.4 s.) Rows whose
    // hashes agree are then told apart by their IDs.
    let all: Vec<Option<&str>> = ids.iter().collect();
    let mut hashed: Vec<(u64, u32)> = {
        use rayon::prelude::*;
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let state = BuildHasherDefault::<DefaultHasher>::default();
        all.par_iter().enumerate().filter_map(|(row, id)| Some((state.hash_one((*id)?), row as u32))).collect()
    };
    {
        use rayon::prelude::*;
        hashed.par_sort_unstable();
    }
    let hid = |row: u32| hids.get(row as usize);
    // The people in more than one household, with their rows.
    let mut rows_of: Vec<(&str, Vec<(usize, &str)>)> = vec![];
    for same_hash in hashed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        let mut rows: Vec<(&str, u32)> = same_hash.iter().filter_map(|&(_, r)| Some((all[r as usize]?, r))).collect();
        rows.sort_unstable();
        for run in rows.chunk_by(|a, b| a.0 == b.0) {
            let first = run.iter().find_map(|(_, r)| hid(*r));
            if run.len() < 2 || run.iter().all(|(_, r)| hid(*r).is_none_or(|h| Some(h) == first)) {
                continue;
            }
            rows_of.push((run[0].0, run.iter().filter_map(|(_, r)| Some((*r as usize, hid(*r)?))).collect()));
        }
    }
    rows_of.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // The villages of the households concerned only.
    let wanted: std::collections::HashSet<&str> =
        rows_of.iter().flat_map(|(_, rs)| rs.iter().map(|(_, h)| *h)).collect();
    let village_of: HashMap<String, String> = register
        .table(Table::Households)
        .filter(|_| !wanted.is_empty())
        .and_then(|h| {
            let a = h.frame.column("household_id").ok()?.str().ok()?.clone();
            let b = h.frame.column("village_code").ok()?.str().ok()?.clone();
            Some(
                a.iter()
                    .zip(b.iter())
                    .filter_map(|(x, y)| Some((x?, y?)))
                    .filter(|(x, _)| wanted.contains(x))
                    .map(|(x, y)| (x.to_string(), y.to_string()))
                    .collect(),
            )
        })
        .unwrap_or_default();
    let county = |h: &str| village_of.get(h).map(|v| county_of_village(v)).unwrap_or("").to_string();
    let mut out = vec![];
    for (id, rows) in rows_of {
        let mut households: Vec<&str> = rows.iter().map(|(_, h)| *h).collect();
        households.sort();
        households.dedup();
        if households.len() < 2 {
            continue;
        }
        let counties: std::collections::BTreeSet<String> = households.iter().map(|h| county(h)).collect();
        for (_, h) in &rows {
            let others: Vec<&str> = households.iter().copied().filter(|o| o != h).collect();
            out.push(Finding {
                check: "person_in_two_households".to_string(),
                severity: FindingSeverity::Error,
                table: "persons",
                key: id.to_string(),
                column: "person_id".to_string(),
                value: Some(id.to_string()),
                note: Note::SamePerson {
                    across_counties: counties.len() > 1,
                    others: others.iter().map(|o| o.to_string()).collect(),
                },
                household_id: h.to_string(),
                county: county(h),
            });
        }
    }
    out
}

/// Incomes bunched just above the line in one village (数字脱贫 signal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bunching {
    pub village_code: String,
    pub county: String,
    /// Exited registered households (status 05 or 03) with a known per-capita income.
    pub exited: u64,
    /// Of them, per capita in [line, (1 + band) × line).
    pub just_above: u64,
    /// Of them, per capita in [(1 − band) × line, line).
    pub just_below: u64,
    pub share_above: f64,
    pub share_below: f64,
    pub flagged: bool,
}

/// How bunching is judged (the quality pack's `bunching_*` parameters).
#[derive(Debug, Clone, Copy)]
pub struct BunchingRule {
    pub line: f64,
    /// The band above and below the line, as a share of it (0.05).
    pub band: f64,
    /// At least this many households just above the line (3).
    pub min_households: f64,
    /// The share just above must exceed this multiple of the share just below (2).
    pub ratio: f64,
}

/// The share of exited households within the band above the line, per village, against the
/// share within the band below; flagged as the rule says.
pub fn bunching(pack: &Pack, register: &Register, outcomes: &Outcomes, rule: BunchingRule) -> Vec<Bunching> {
    let line = rule.line;
    let (Some(hl), Some(h)) = (outcomes.level(Table::Households), register.table(Table::Households)) else {
        return vec![];
    };
    let Some(pc) = pack.rule_index(Table::Households, "per_capita_net_income").and_then(|r| hl.values(r)) else {
        return vec![];
    };
    let status = FieldData::extract(h, Table::Households, "status");
    let registered = FieldData::extract(h, Table::Households, "registered");
    let villages = h.frame.column("village_code").ok().and_then(|c| c.str().ok().cloned());
    let mut per: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for (row, pc_row) in pc.iter().enumerate().take(hl.len()) {
        let exited = matches!(status.dynamic(row).to_string().as_str(), "05" | "03")
            && registered.dynamic(row).as_bool() == Ok(true);
        let Some(v) = pc_row.as_f64() else { continue };
        if !exited {
            continue;
        }
        let village = villages.as_ref().and_then(|c| c.get(row)).unwrap_or("").to_string();
        let e = per.entry(village).or_default();
        e.0 += 1;
        if v >= line && v < line * (1.0 + rule.band) {
            e.1 += 1;
        } else if v >= line * (1.0 - rule.band) && v < line {
            e.2 += 1;
        }
    }
    per.into_iter()
        .map(|(village_code, (exited, above, below))| {
            let share = |n: u64| if exited == 0 { 0.0 } else { n as f64 / exited as f64 };
            let (share_above, share_below) = (share(above), share(below));
            Bunching {
                county: county_of_village(&village_code).to_string(),
                village_code,
                exited,
                just_above: above,
                just_below: below,
                share_above,
                share_below,
                flagged: above as f64 >= rule.min_households && share_above > rule.ratio * share_below,
            }
        })
        .collect()
}

/// The finding for a village flagged for bunched incomes.
pub fn bunching_finding(b: &Bunching) -> Finding {
    Finding {
        check: "income_bunching".into(),
        severity: FindingSeverity::Warning,
        table: "villages",
        key: b.village_code.clone(),
        column: "per_capita_net_income".into(),
        value: Some(format!("{:.1}% / {:.1}%", b.share_above * 100.0, b.share_below * 100.0)),
        note: Note::Bunching {
            above: b.just_above,
            share_above: b.share_above,
            below: b.just_below,
            share_below: b.share_below,
        },
        household_id: String::new(),
        county: b.county.clone(),
    }
}

/// A household's risk of being counted against the county, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdRisk {
    pub household_id: String,
    pub village_code: String,
    pub county: String,
    pub wrong_exit_risk: Option<bool>,
    pub missed_risk: Option<bool>,
    pub wrong_inclusion_risk: Option<bool>,
    pub monitor: Option<bool>,
    pub data_errors: u64,
    pub data_warnings: u64,
    pub risk_score: u64,
}

/// The eligibility pack's household rules that `validate` and `sample` read as values (the
/// others are evaluated but kept as columns only, `Plan::wanted`): the risk flags below
/// ([`risk`]), income for [`bunching`], size and the exit standard for `sample`'s frame. A
/// rule read from the assessment's outcomes must be listed here, or it reads as absent.
pub const ASSESSMENT_READS: [&str; 7] = [
    "wrong_exit_risk",
    "missed_risk",
    "wrong_inclusion_risk",
    "monitor",
    "per_capita_net_income",
    "size",
    "meets_exit_standard",
];

/// Points of the risk score. An inspector counts wrong exits and missed households against
/// the county, so those weigh most; wrong inclusion next; a household under monitoring, or
/// with faulty records (which an inspector cannot verify), adds less. Unknown counts as half.
pub const RISK_POINTS: [(&str, u64); 4] =
    [("wrong_exit_risk", 40), ("missed_risk", 40), ("wrong_inclusion_risk", 30), ("monitor", 10)];
pub const POINTS_PER_ERROR: u64 = 5;
pub const POINTS_PER_WARNING: u64 = 1;

/// The risk score of every household, highest first (ties by household number).
pub fn risk(pack: &Pack, outcomes: &Outcomes, findings: &[Finding]) -> Vec<HouseholdRisk> {
    let Some(hl) = outcomes.level(Table::Households) else { return vec![] };
    let flag = |name: &str| pack.rule_index(Table::Households, name).and_then(|r| hl.values(r));
    let mut faults: polars::prelude::PlHashMap<&str, (u64, u64)> = Default::default();
    for f in findings {
        let e = faults.entry(f.household_id.as_str()).or_default();
        match f.severity {
            FindingSeverity::Error => e.0 += 1,
            FindingSeverity::Warning => e.1 += 1,
        }
    }
    let villages = hl.extra_key();
    // Each flag's values looked up once, not once per household.
    let points: Vec<(Option<&Values>, u64)> = RISK_POINTS.iter().map(|(name, p)| (flag(name), *p)).collect();
    let [wrong_exit, missed, wrong_inclusion, monitor] =
        ["wrong_exit_risk", "missed_risk", "wrong_inclusion_risk", "monitor"].map(flag);
    let get = |v: Option<&Values>, row: usize| v.and_then(|v| v[row].as_bool());
    // Each household's score in parallel, sorted as (score, row), and only then each
    // household's row of text, in that order (sorting the finished rows moved 1M rows of
    // three strings each).
    use rayon::prelude::*;
    let mut scored: Vec<(u64, usize, u64, u64)> = (0..hl.len())
        .into_par_iter()
        .map(|row| {
            let mut score2 = 0u64; // in half points, so that unknown counts as half
            for (values, points) in &points {
                score2 += match values.map(|v| v[row]).unwrap_or_default() {
                    Value::Bool(true) => 2 * points,
                    Value::Unknown => *points,
                    _ => 0,
                };
            }
            let (errors, warnings) = faults.get(hl.key(row)).copied().unwrap_or_default();
            score2 += 2 * (errors * POINTS_PER_ERROR + warnings * POINTS_PER_WARNING);
            (score2.div_ceil(2), row, errors, warnings)
        })
        .collect();
    scored.par_sort_by(|a, b| b.0.cmp(&a.0).then_with(|| hl.key(a.1).cmp(hl.key(b.1))));
    scored
        .into_par_iter()
        .map(|(risk_score, row, data_errors, data_warnings)| HouseholdRisk {
            household_id: hl.key(row).to_string(),
            village_code: villages.get(row).cloned().unwrap_or_default(),
            county: hl.county_of(row).to_string(),
            wrong_exit_risk: get(wrong_exit, row),
            missed_risk: get(missed, row),
            wrong_inclusion_risk: get(wrong_inclusion, row),
            monitor: get(monitor, row),
            data_errors,
            data_warnings,
            risk_score,
        })
        .collect()
}

/// Counts of findings per check and severity, and per county.
#[derive(Debug, Default, Serialize)]
pub struct QualitySummary {
    pub by_check: BTreeMap<String, u64>,
    pub by_county: BTreeMap<String, BTreeMap<String, u64>>,
    pub errors: u64,
    pub warnings: u64,
    pub villages_with_bunching: Vec<String>,
}

pub fn summarise(findings: &[Finding], bunching: &[Bunching]) -> QualitySummary {
    let mut s = QualitySummary::default();
    for f in findings {
        *s.by_check.entry(f.check.clone()).or_default() += 1;
        *s.by_county.entry(f.county.clone()).or_default().entry(f.check.clone()).or_default() += 1;
        match f.severity {
            FindingSeverity::Error => s.errors += 1,
            FindingSeverity::Warning => s.warnings += 1,
        }
    }
    s.villages_with_bunching = bunching.iter().filter(|b| b.flagged).map(|b| b.village_code.clone()).collect();
    s
}
