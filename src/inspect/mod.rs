//! Verification before inspection: drawing the sample the exit assessment would draw, and
//! estimating the error rates from what the field teams found.
//!
//! **Design** (`sample`). Per county, villages are stratified into poor and non-poor and
//! drawn by simple random sampling without replacement, about 2:1 (`--villages-per-county`,
//! 29 by default, as in the 2017 national assessment); a stratum short of villages gives its
//! places to the other. Within each sampled village, households are stratified into
//! registered and unregistered (half and half, shortfalls moved across), and each of those
//! into risk and other households; `--risk-weight W` over-samples the risk households (their
//! share of the allocation is W times their share of the stratum). Every draw is simple
//! random sampling within its stratum, so each household's inclusion probability is known
//! exactly, π = (n_v / N_v) × (n_s / N_s), and its design weight is 1/π. Same seed, same
//! sample.
//!
//! **Estimates** (`estimate`). Each rate is a ratio of weighted totals (persons for the
//! wrong-exit and missed rates, households for recognition): R = Σ w·y / Σ w·x over the
//! rate's domain. Its variance is estimated by linearisation with villages as primary units
//! within (county, village stratum) strata: z = w·(y − R·x)/X̂ summed per village, and
//! V = Σ_h n_h/(n_h − 1) Σ_j (z_hj − z̄_h)². The 95 % interval is R ± 1.96·√V, and the chance
//! that the rate breaks its threshold is taken from the normal distribution N(R, V).

pub mod estimate;
pub mod sample;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::register::Aliases;
use estimate::{CountyEstimate, FieldResult};
use sample::Sampled;

/// Read a sample written by `sample` (`sample.csv` or `sample.parquet`).
pub fn read_sample(path: &Path) -> Result<Vec<Sampled>, Error> {
    if path.extension().is_some_and(|e| e == "parquet") {
        return read_sample_parquet(path);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = crate::register::source::decode(&bytes, crate::register::Encoding::Auto)
        .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut out = vec![];
    for (i, row) in r.deserialize::<Sampled>().enumerate() {
        out.push(row.map_err(|e| Error::Data(format!("{} row {}: {e}", path.display(), i + 1)))?);
    }
    Ok(out)
}

/// Read the field results: the `sample.xlsx` that `sample` wrote, filled in by the field
/// teams, or a CSV (UTF-8 or GBK) with `household_id` (户编号), `wrong_exit` (核实错退),
/// `missed_persons` (核实漏评人数) and `approves` (群众认可); booleans as 是/否, true/false or
/// 1/0, empty for not surveyed. Every bad cell is reported at once, each with its row as
/// Excel shows it and its column; so is a household that is not in the sample (`sample`:
/// the sampled IDs) or that appears twice.
pub fn read_results(
    path: &Path,
    aliases: &Aliases,
    lang: crate::messages::Lang,
    sample: &std::collections::HashSet<&str>,
) -> Result<HashMap<String, FieldResult>, Error> {
    use crate::messages::results as msg;
    let file = path.display().to_string();
    let (headers, rows) = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        read_sheet(path)?
    } else {
        read_csv_rows(path)?
    };
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let id = find(&["household_id", "户编号"]).ok_or_else(|| Error::Data(msg::no_id_column(lang, &file)))?;
    let (wrong, missed, approves) =
        (find(&["wrong_exit", "核实错退"]), find(&["missed_persons", "核实漏评人数"]), find(&["approves", "群众认可"]));
    let mut out = HashMap::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut errors: Vec<String> = vec![];
    for (row, cells) in &rows {
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|v| v.trim()).filter(|v| !v.is_empty());
        let column_name = |c: Option<usize>| c.and_then(|c| headers.get(c)).cloned().unwrap_or_default();
        let mut boolean = |c: Option<usize>| -> Option<bool> {
            let v = cell(c)?;
            let b = aliases.boolean(v);
            if b.is_none() {
                errors.push(msg::not_yes_no(lang, &file, *row, &column_name(c), v));
            }
            b
        };
        let (w, a) = (boolean(wrong), boolean(approves));
        let missed_persons = cell(missed).and_then(|v| {
            let n = v.parse::<f64>().ok().filter(|n| *n >= 0.0 && n.fract() == 0.0);
            if n.is_none() {
                errors.push(msg::not_a_count(lang, &file, *row, &column_name(missed), v));
            }
            n
        });
        let Some(hid) = cell(Some(id)) else { continue };
        if !sample.contains(hid) {
            errors.push(msg::not_in_sample(lang, &file, *row, hid));
            continue;
        }
        if let Some(first) = first_row.get(hid) {
            errors.push(msg::twice(lang, &file, *row, hid, *first));
            continue;
        }
        first_row.insert(hid.to_string(), *row);
        out.insert(hid.to_string(), FieldResult { wrong_exit: w, missed_persons, approves: a });
    }
    if !errors.is_empty() {
        return Err(Error::Data(format!("{}\n{}", msg::bad_cells(lang, &file, errors.len()), errors.join("\n"))));
    }
    Ok(out)
}

/// The cells of a table as text, with each data row's number as Excel or an editor shows it.
type TextRows = (Vec<String>, Vec<(usize, Vec<String>)>);

fn read_csv_rows(path: &Path) -> Result<TextRows, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = crate::register::source::decode(&bytes, crate::register::Encoding::Auto)
        .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
    let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> =
        r.headers().map_err(|e| Error::Data(format!("{}: {e}", path.display())))?.iter().map(str::to_string).collect();
    let mut rows = vec![];
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
        let line = rec.position().map_or(rows.len() + 2, |p| p.line() as usize);
        rows.push((line, rec.iter().map(str::to_string).collect()));
    }
    Ok((headers, rows))
}

/// The first sheet of a workbook: the header is the first row naming 户编号 (or
/// `household_id`); whole numbers are written without decimals.
fn read_sheet(path: &Path) -> Result<TextRows, Error> {
    use calamine::{Data, Reader};
    let unreadable = |e: String| Error::Data(format!("{}: {e}", path.display()));
    let mut book = calamine::open_workbook_auto(path).map_err(|e| unreadable(e.to_string()))?;
    let Some(sheet) = book.sheet_names().first().cloned() else { return Ok((vec![], vec![])) };
    let range = book.worksheet_range(&sheet).map_err(|e| unreadable(e.to_string()))?;
    let (r0, _) = range.start().unwrap_or((0, 0));
    let text = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    let all: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    // No such row: no headers, and the caller says the 户编号 column is missing.
    let Some(header) = all.iter().position(|r| r.iter().any(|h| h == "户编号" || h == "household_id")) else {
        return Ok((vec![], vec![]));
    };
    let rows = all.iter().enumerate().skip(header + 1).map(|(i, r)| (r0 as usize + i + 1, r.clone())).collect();
    Ok((all[header].clone(), rows))
}

/// One row of `estimates.csv`: a county and one of its rates. It repeats the fields of
/// [`estimate::RateEstimate`] because the csv crate cannot write `#[serde(flatten)]`.
#[derive(Debug, Serialize)]
pub struct EstimateRow {
    pub county: String,
    pub rate: &'static str,
    pub households: usize,
    pub estimate: Option<f64>,
    pub standard_error: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub probability_breaks: Option<f64>,
    /// Village strata with a single sampled village (no variance counted for them).
    pub single_village_strata: usize,
    /// Villages with results in the rate's domain.
    pub villages: usize,
    pub county_passes: Option<bool>,
    pub probability_passes: Option<f64>,
}

impl EstimateRow {
    pub fn of(c: &CountyEstimate) -> Vec<EstimateRow> {
        [
            ("wrong_exit_rate", &c.wrong_exit_rate),
            ("missed_rate", &c.missed_rate),
            ("recognition_rate", &c.recognition_rate),
        ]
        .into_iter()
        .map(|(rate, e)| EstimateRow {
            county: c.county.clone(),
            rate,
            households: e.households,
            estimate: e.estimate,
            standard_error: e.standard_error,
            ci_low: e.ci_low,
            ci_high: e.ci_high,
            probability_breaks: e.probability_breaks,
            single_village_strata: e.single_village_strata,
            villages: e.villages,
            county_passes: c.passes,
            probability_passes: c.probability_passes,
        })
        .collect()
    }
}

/// The sample as a frame (for `sample.parquet`), one column per field of [`Sampled`].
pub fn sample_frame(sample: &[Sampled]) -> Result<polars::prelude::DataFrame, Error> {
    use polars::prelude::*;
    let s = |f: fn(&Sampled) -> String| sample.iter().map(f).collect::<Vec<String>>();
    let columns = vec![
        Column::new("county".into(), s(|x| x.county.clone())),
        Column::new("village_code".into(), s(|x| x.village_code.clone())),
        Column::new("village_stratum".into(), s(|x| x.village_stratum.clone())),
        Column::new("household_id".into(), s(|x| x.household_id.clone())),
        Column::new("household_stratum".into(), s(|x| x.household_stratum.clone())),
        Column::new("risk_stratum".into(), s(|x| x.risk_stratum.clone())),
        Column::new("status".into(), sample.iter().map(|x| x.status.clone()).collect::<Vec<_>>()),
        Column::new("size".into(), sample.iter().map(|x| x.size).collect::<Vec<_>>()),
        Column::new("risk_score".into(), sample.iter().map(|x| x.risk_score as i64).collect::<Vec<_>>()),
        Column::new("meets_exit_standard".into(), sample.iter().map(|x| x.meets_exit_standard).collect::<Vec<_>>()),
        Column::new("wrong_exit_risk".into(), sample.iter().map(|x| x.wrong_exit_risk).collect::<Vec<_>>()),
        Column::new("missed_risk".into(), sample.iter().map(|x| x.missed_risk).collect::<Vec<_>>()),
        Column::new("village_probability".into(), sample.iter().map(|x| x.village_probability).collect::<Vec<_>>()),
        Column::new("household_probability".into(), sample.iter().map(|x| x.household_probability).collect::<Vec<_>>()),
        Column::new("weight".into(), sample.iter().map(|x| x.weight).collect::<Vec<_>>()),
    ];
    Ok(DataFrame::new(sample.len(), columns)?)
}

/// Read a sample written as Parquet by `sample`.
fn read_sample_parquet(path: &Path) -> Result<Vec<Sampled>, Error> {
    use polars::prelude::*;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let df = ParquetReader::new(file).finish()?;
    let text = |c: &str| -> Result<Vec<Option<String>>, Error> {
        Ok(df.column(c)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let int = |c: &str| -> Result<Vec<Option<i64>>, Error> {
        Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.iter().collect())
    };
    let float = |c: &str| -> Result<Vec<Option<f64>>, Error> {
        Ok(df.column(c)?.cast(&DataType::Float64)?.f64()?.iter().collect())
    };
    let boolean = |c: &str| -> Result<Vec<Option<bool>>, Error> { Ok(df.column(c)?.bool()?.iter().collect()) };
    let (county, village, vs, hid, hs, rs, status) = (
        text("county")?,
        text("village_code")?,
        text("village_stratum")?,
        text("household_id")?,
        text("household_stratum")?,
        text("risk_stratum")?,
        text("status")?,
    );
    let (size, score) = (int("size")?, int("risk_score")?);
    let (meets, wrong, missed) =
        (boolean("meets_exit_standard")?, boolean("wrong_exit_risk")?, boolean("missed_risk")?);
    let (pv, ph, w) = (float("village_probability")?, float("household_probability")?, float("weight")?);
    Ok((0..df.height())
        .map(|i| Sampled {
            county: county[i].clone().unwrap_or_default(),
            village_code: village[i].clone().unwrap_or_default(),
            village_stratum: vs[i].clone().unwrap_or_default(),
            household_id: hid[i].clone().unwrap_or_default(),
            household_stratum: hs[i].clone().unwrap_or_default(),
            risk_stratum: rs[i].clone().unwrap_or_default(),
            status: status[i].clone(),
            size: size[i].unwrap_or(0),
            risk_score: score[i].unwrap_or(0).max(0) as u64,
            meets_exit_standard: meets[i],
            wrong_exit_risk: wrong[i],
            missed_risk: missed[i],
            village_probability: pv[i].unwrap_or(0.0),
            household_probability: ph[i].unwrap_or(0.0),
            weight: w[i].unwrap_or(0.0),
        })
        .collect())
}
