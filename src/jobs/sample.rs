//! `sample`: the inspection sample drawn from an assessed register.

use std::path::{Path, PathBuf};

use super::validate::{AssessInputs, Assessment, assess_register};
use crate::Error;
use crate::messages::Lang;
use crate::register::{Aliases, Format, Table};
use crate::report::{self, Staging};

/// A drawn sample, the villages each county had to draw from, and the files written.
pub struct Drawn {
    pub sample: Vec<crate::inspect::sample::Sampled>,
    pub villages_in_county: std::collections::BTreeMap<String, usize>,
    pub written: Vec<PathBuf>,
}

/// `sample`: evaluate the register (verdicts and risk), draw the inspection sample, and write
/// `sample.csv`, `sample.parquet`, `sample.xlsx` (Chinese headers, with blank columns for the field teams) and
/// `results_template.csv` to `out`.
pub fn run_sample(
    i: AssessInputs<'_>,
    o: &crate::inspect::sample::SampleOptions,
    out: &Path,
    aliases: &Aliases,
    lang: Lang,
) -> Result<Drawn, Error> {
    let mut staging = Staging::begin(out, "sample", report::Inputs { folders: &[i.data], files: &[] })?;
    let a = assess_register(i.data, i.quality, i.rules, i.year, aliases)?;
    crate::timing::lap("assessed");
    let (units, villages) = sampling_frame(&a);
    crate::timing::lap("sampling frame");
    let drawn = crate::inspect::sample::draw(&units, &villages, o);
    crate::timing::lap("drawn");
    report::write_csv_rows(&mut staging, "sample.csv", &drawn)?;
    let mut frame = crate::inspect::sample_frame(&drawn)?;
    report::write_frame(&mut staging, "sample", &mut frame, Format::Parquet, lang)?;
    let template: Vec<[String; 4]> =
        drawn.iter().map(|s| [s.household_id.clone(), String::new(), String::new(), String::new()]).collect();
    let (path, mut file) = staging.file("results_template.csv")?;
    std::io::Write::write_all(&mut file, report::UTF8_BOM).map_err(|e| Error::io(&path, e))?;
    let mut w = csv::Writer::from_writer(file);
    let io = |e: csv::Error| Error::io(&path, std::io::Error::other(e));
    w.write_record(["household_id", "wrong_exit", "missed_persons", "approves"]).map_err(io)?;
    for row in &template {
        w.write_record(row).map_err(io)?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("sample.xlsx")?;
    crate::timing::lap("sample files");
    report::quality::write_sample_xlsx(&drawn, &a.register, aliases, &path, lang)?;
    crate::timing::lap("sample.xlsx");
    let written = staging.commit()?;
    let mut villages_in_county: std::collections::BTreeMap<String, usize> = Default::default();
    for v in &villages {
        *villages_in_county
            .entry(crate::register::hierarchy::county_of_village(&v.village_code).to_string())
            .or_default() += 1;
    }
    Ok(Drawn { sample: drawn, villages_in_county, written })
}

/// The households and villages a sample is drawn from, with each household's verdicts and
/// risk (a risk household: a wrong-exit, missed or wrong-inclusion flag, or a data error).
pub fn sampling_frame(a: &Assessment) -> (Vec<crate::inspect::sample::Unit>, Vec<crate::inspect::sample::Village>) {
    use crate::inspect::sample::{Unit, Village};
    let (pack, reg, h) = (&a.pack, &a.register, &a.outcomes);
    let risk: polars::prelude::PlHashMap<&str, &crate::quality::HouseholdRisk> =
        a.risk.iter().map(|r| (r.household_id.as_str(), r)).collect();
    let Some(hl) = h.level(Table::Households) else { return (vec![], vec![]) };
    let Some(ht) = reg.table(Table::Households) else { return (vec![], vec![]) };
    let rule = |name: &str| pack.rule_index(Table::Households, name).and_then(|r| hl.values(r));
    let size = rule("size");
    let meets = rule("meets_exit_standard");
    let registered = crate::eval::fields::FieldData::extract(ht, Table::Households, "registered");
    let status = crate::eval::fields::FieldData::extract(ht, Table::Households, "status");
    let villages_of = hl.extra_key();
    // Each household's unit made in parallel (1M households: 0.7 s one by one).
    use rayon::prelude::*;
    let units: Vec<Unit> = (0..hl.len())
        .into_par_iter()
        .map(|row| {
            let id = hl.key(row);
            let r = risk.get(id);
            let st = status.dynamic(row);
            Unit {
                household_id: id.to_string(),
                village_code: villages_of.get(row).cloned().unwrap_or_default(),
                registered: registered.dynamic(row).as_bool().unwrap_or(false),
                status: if st.is_unit() { None } else { Some(st.to_string()) },
                size: size.and_then(|s| s[row].as_f64()).unwrap_or(0.0) as i64,
                risky: r.is_some_and(|r| {
                    r.wrong_exit_risk == Some(true)
                        || r.missed_risk == Some(true)
                        || r.wrong_inclusion_risk == Some(true)
                        || r.data_errors > 0
                }),
                risk_score: r.map(|r| r.risk_score).unwrap_or(0),
                meets_exit_standard: meets.and_then(|m| m[row].as_bool()),
                wrong_exit_risk: r.and_then(|r| r.wrong_exit_risk),
                missed_risk: r.and_then(|r| r.missed_risk),
            }
        })
        .collect();
    let villages: Vec<Village> = match reg.table(Table::Villages) {
        Some(vt) => {
            let codes = crate::eval::fields::FieldData::extract(vt, Table::Villages, "village_code");
            let poor = crate::eval::fields::FieldData::extract(vt, Table::Villages, "poor_village");
            (0..vt.frame.height())
                .map(|i| Village {
                    village_code: codes.dynamic(i).to_string(),
                    poor: poor.dynamic(i).as_bool().unwrap_or(false),
                })
                .collect()
        }
        None => units.iter().map(|u| Village { village_code: u.village_code.clone(), poor: false }).collect(),
    };
    (units, villages)
}

/// Per county of a drawn sample: (villages, households), for the summary `sample` prints.
pub fn per_county(drawn: &[crate::inspect::sample::Sampled]) -> std::collections::BTreeMap<String, (usize, usize)> {
    let mut per: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut seen = std::collections::BTreeSet::new();
    for s in drawn {
        let e = per.entry(s.county.clone()).or_default();
        e.1 += 1;
        if seen.insert(s.village_code.clone()) {
            e.0 += 1;
        }
    }
    per
}
