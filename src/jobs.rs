//! Each command's job end to end (`check`, `explain`, `diff`, `validate`, `sample`,
//! `estimate`): load the register and the packs, stop on input errors (or
//! set rows aside), evaluate, and write the results. `main.rs` only parses arguments and
//! prints what this returns.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::eval::{self, Outcomes};
use crate::messages::Lang;
use crate::register::{self, Aliases, Encoding, Format, InputError, LoadOptions, Table};
use crate::report::{self, Staging, summary::RunInfo};
use crate::rules::{self, Pack};

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub data: PathBuf,
    pub rules: PathBuf,
    pub year: i32,
    pub out: PathBuf,
    pub format: Format,
    pub skip_invalid: bool,
    pub encoding: Encoding,
    pub aliases: Option<PathBuf>,
    pub lang: Lang,
    /// Compiled where possible, or every rule per row.
    pub engine: eval::Engine,
}

/// How a check ended.
pub enum CheckResult {
    /// The register had input errors and `--skip-invalid` was not given: nothing but the
    /// error list was written.
    InputErrors { errors: Vec<InputError>, written: Vec<PathBuf> },
    /// Rules were evaluated and written.
    Done {
        pack: Box<Pack>,
        outcomes: Outcomes,
        /// Input errors whose rows were set aside (`--skip-invalid`).
        input_errors: Vec<InputError>,
        set_aside: Vec<(Table, usize)>,
        written: Vec<PathBuf>,
    },
}

/// Load and check a pack, with its parameters for the year.
pub fn load_pack(
    dir: &Path,
    year: i32,
    aliases: &Aliases,
) -> Result<(Pack, std::collections::HashMap<String, f64>), Error> {
    let pack = rules::load(dir, aliases).map_err(Error::Rules)?;
    let values = pack.values_for_year(year).map_err(Error::Rules)?;
    Ok((pack, values))
}

pub fn run(o: &CheckOptions, progress: &(dyn Fn(u64) + Sync), on_loaded: &dyn Fn(u64)) -> Result<CheckResult, Error> {
    crate::timing::lap("start");
    let aliases = Aliases::with_file(o.aliases.as_deref())?;
    // The pack is checked first: a broken script is reported before a long load.
    let (pack, values) = load_pack(&o.rules, o.year, &aliases)?;
    // From here on a failure leaves no earlier result standing as if it were current.
    let mut staging = Staging::begin(&o.out, "check", report::Inputs { folders: &[o.data.as_path()], files: &[] })?;
    let opts = LoadOptions { encoding: o.encoding, aliases: aliases.clone(), skip_invalid: o.skip_invalid };
    let loaded = register::load(&o.data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() && !o.skip_invalid {
        report::write_csv_rows(&mut staging, "input_errors.csv", &report::input_error_rows(&loaded.errors, o.lang))?;
        let written = staging.commit()?;
        return Ok(CheckResult::InputErrors { errors: loaded.errors, written });
    }
    let reg = loaded.register;
    on_loaded(Table::ALL.iter().map(|t| reg.rows(*t) as u64).sum());
    let outcomes = eval::evaluate_with(&pack, &reg, o.year, values, &aliases, progress, o.engine)?;
    crate::timing::lap("evaluated");

    let set_aside: Vec<(Table, usize)> = reg.set_aside.iter().map(|(t, v)| (*t, v.len())).collect();
    let info = RunInfo {
        data: o.data.display().to_string(),
        rules: o.rules.display().to_string(),
        set_aside: set_aside.iter().map(|(t, n)| (t.name().to_string(), *n)).collect(),
        input_errors: loaded.errors.len(),
    };
    report::write_check(&mut staging, &pack, &outcomes, o.format, o.lang, &info)?;
    if !loaded.errors.is_empty() {
        write_set_aside(&mut staging, &loaded.errors, &reg.set_aside, o.lang)?;
    }
    let written = staging.commit()?;
    crate::timing::lap("written");
    Ok(CheckResult::Done { pack: Box::new(pack), outcomes, input_errors: loaded.errors, set_aside, written })
}

/// How a county-by-county check ended.
pub struct ByCounty {
    pub pack: Box<Pack>,
    /// Parts evaluated (counties).
    pub parts: usize,
    /// The merged `summary.json` counts: (rows, rule name → true count) per level.
    pub totals: std::collections::BTreeMap<&'static str, (usize, std::collections::BTreeMap<String, Option<u64>>)>,
    pub rule_errors: Vec<eval::RowError>,
    pub input_errors: Vec<InputError>,
    pub set_aside: Vec<(Table, usize)>,
    pub written: Vec<PathBuf>,
}

/// A register given county by county: a folder with no table files of its own whose
/// subfolders are registers (one county each), in name order. `None` for a plain register.
pub fn county_folders(dir: &Path) -> Option<Vec<PathBuf>> {
    let has_tables =
        |d: &Path| Table::ALL.iter().any(|t| matches!(register::source::find_table_file(d, t.name()), Ok(Some(_))));
    if !dir.is_dir() || has_tables(dir) {
        return None;
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && has_tables(p))
        .collect();
    subs.sort();
    if subs.is_empty() { None } else { Some(subs) }
}

/// `check` one county at a time, with memory bounded by the largest county: for a register
/// given as one folder per county ([`county_folders`]), or for one register split by county
/// after loading (`--by-county`). Village and county results are complete within a county,
/// so the parts are independent. Each level's results are appended to one Parquet file per
/// level as the counties finish; the summary adds up. Input errors in any part stop the
/// run as in [`run`] (every part is still read, so that all errors are listed).
pub fn run_by_county(
    o: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
    on_county: &dyn Fn(usize, usize),
) -> Result<Result<ByCounty, CheckResult>, Error> {
    use polars::prelude::{DataType, ParquetCompression, ParquetWriter};
    if o.format != Format::Parquet {
        return Err(Error::Usage(match o.lang {
            Lang::Zh => "按县检查时结果写为 Parquet（--format parquet）".to_string(),
            Lang::En => "county by county, results are written as Parquet (--format parquet)".to_string(),
        }));
    }
    crate::timing::lap("start");
    let aliases = Aliases::with_file(o.aliases.as_deref())?;
    let (pack, values) = load_pack(&o.rules, o.year, &aliases)?;
    // Every part's columns get the same types: a compiled value rule's own, else Float64.
    let types: std::collections::HashMap<usize, eval::compiled::Ty> = eval::compiled::plan_pack(&pack, o.year, &values)
        .into_iter()
        .filter_map(|p| p.ty.map(|t| (p.rule, t)))
        .collect();
    let opts = LoadOptions { encoding: o.encoding, aliases: aliases.clone(), skip_invalid: o.skip_invalid };
    let required = [Table::Persons, Table::Households];

    let part_info = report::summary::RunInfo::default();
    let mut staging = Staging::begin(&o.out, "check", report::Inputs { folders: &[o.data.as_path()], files: &[] })?;
    let mut writers: Vec<(Table, polars::io::parquet::write::BatchedWriter<std::fs::File>)> = vec![];
    let mut summary: Option<report::summary::Summary> = None;
    let mut input_errors: Vec<InputError> = vec![];
    let mut rule_errors = vec![];
    let mut set_aside: std::collections::BTreeMap<Table, Vec<String>> = Default::default();
    let mut parts = 0;

    // The closure borrows the writers and totals until the parts are done.
    {
        let mut evaluate_part = |reg: crate::register::Register| -> Result<(), Error> {
            for (t, keys) in &reg.set_aside {
                set_aside.entry(*t).or_default().extend(keys.iter().cloned());
            }
            let outcomes = eval::evaluate_with(&pack, &reg, o.year, values.clone(), &aliases, progress, o.engine)?;
            for level in &outcomes.levels {
                let mut df = report::level_frame(&pack, level)?;
                for (r, _) in &level.results {
                    let rule = &pack.rules[*r];
                    if rule.kind == rules::RuleKind::Value {
                        let dtype = match types.get(r) {
                            Some(eval::compiled::Ty::Int) => DataType::Int64,
                            _ => DataType::Float64,
                        };
                        let c = df.column(&rule.name)?.cast(&dtype)?;
                        df.with_column(c)?;
                    }
                }
                // One file per level, opened by the first county that has the level.
                if !writers.iter().any(|(t, _)| *t == level.table) {
                    let (_, file) = staging.file(&format!("{}.parquet", level.table.name()))?;
                    let w =
                        ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).batched(df.schema())?;
                    writers.push((level.table, w));
                }
                // The batched writer cuts record batches by chunk: all columns must agree.
                df.align_chunks_par();
                for (_, w) in writers.iter_mut().filter(|(t, _)| *t == level.table) {
                    w.write_batch(&df)?;
                }
            }
            let s = report::summary::build(&pack, &outcomes, &part_info);
            match summary.as_mut() {
                Some(all) => all.merge(s),
                None => summary = Some(s),
            }
            rule_errors.extend(outcomes.errors);
            parts += 1;
            crate::timing::lap(&format!("county {parts}"));
            Ok(())
        };

        match county_folders(&o.data) {
            Some(folders) => {
                for (i, folder) in folders.iter().enumerate() {
                    let loaded = register::load(folder, &required, &opts)?;
                    input_errors.extend(loaded.errors);
                    if input_errors.is_empty() || o.skip_invalid {
                        evaluate_part(loaded.register)?;
                    }
                    on_county(i + 1, folders.len());
                }
            }
            None => {
                let loaded = register::load(&o.data, &required, &opts)?;
                input_errors.extend(loaded.errors);
                if input_errors.is_empty() || o.skip_invalid {
                    let split = register::CountySplit::new(&loaded.register);
                    for i in 0..split.codes.len() {
                        evaluate_part(split.part(&loaded.register, i))?;
                        on_county(i + 1, split.codes.len());
                    }
                }
            }
        }
    }
    if !input_errors.is_empty() && !o.skip_invalid {
        drop(writers);
        staging.discard()?;
        report::write_csv_rows(&mut staging, "input_errors.csv", &report::input_error_rows(&input_errors, o.lang))?;
        let written = staging.commit()?;
        return Ok(Err(CheckResult::InputErrors { errors: input_errors, written }));
    }
    for (_, w) in &writers {
        w.finish()?;
    }
    drop(writers);
    rule_errors.sort_by(|a, b| (a.level, &a.rule, &a.key).cmp(&(b.level, &b.rule, &b.key)));
    let info = report::summary::RunInfo {
        data: o.data.display().to_string(),
        rules: o.rules.display().to_string(),
        set_aside: set_aside.iter().map(|(t, v)| (t.name().to_string(), v.len())).collect(),
        input_errors: input_errors.len(),
    };
    let mut totals = std::collections::BTreeMap::new();
    if let Some(mut s) = summary {
        s.run = &info;
        s.rule_errors = rule_errors.len();
        for (name, level) in &s.levels {
            let yes = level.rules.iter().map(|(r, rs)| (r.clone(), rs.total.yes)).collect();
            totals.insert(*name, (level.rows, yes));
        }
        let (path, mut file) = staging.file("summary.json")?;
        let text = serde_json::to_string_pretty(&s).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        use std::io::Write;
        file.write_all(text.as_bytes()).and_then(|_| file.write_all(b"\n")).map_err(|e| Error::io(&path, e))?;
    }
    if !rule_errors.is_empty() {
        report::write_csv_rows(&mut staging, "rule_errors.csv", &rule_errors)?;
    }
    if !input_errors.is_empty() {
        write_set_aside(&mut staging, &input_errors, &set_aside, o.lang)?;
    }
    let written = staging.commit()?;
    crate::timing::lap("written");
    Ok(Ok(ByCounty {
        pack: Box::new(pack),
        parts,
        totals,
        rule_errors,
        input_errors,
        set_aside: set_aside.iter().map(|(t, v)| (*t, v.len())).collect(),
        written,
    }))
}

/// Under `--skip-invalid`: the input errors and the keys of the rows set aside.
fn write_set_aside(
    staging: &mut Staging,
    errors: &[InputError],
    set_aside: &std::collections::BTreeMap<Table, Vec<String>>,
    lang: Lang,
) -> Result<(), Error> {
    report::write_csv_rows(staging, "input_errors.csv", &report::input_error_rows(errors, lang))?;
    let rows: Vec<SetAsideRow> = set_aside
        .iter()
        .flat_map(|(t, keys)| keys.iter().map(move |k| SetAsideRow { table: t.name(), key: k.clone() }))
        .collect();
    report::write_csv_rows(staging, "set_aside.csv", &rows)
}

#[derive(serde::Serialize)]
struct SetAsideRow {
    table: &'static str,
    key: String,
}

/// A register evaluated with a pack, for the commands that read outcomes (`explain`,
/// `test`, `diff`).
pub struct Evaluated {
    pub pack: Pack,
    pub register: crate::register::Register,
    pub outcomes: Outcomes,
}

/// Load a pack and a register and evaluate only the county of one household (village and
/// county results are complete within a county), for `explain`. Input errors stop it.
pub fn evaluate_household_county(
    data: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
    encoding: Encoding,
    household_id: &str,
) -> Result<Evaluated, Error> {
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let opts = LoadOptions { encoding, aliases: aliases.clone(), skip_invalid: false };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Err(Error::InputErrors(loaded.errors));
    }
    let county = loaded.register.table(Table::Households).and_then(|h| {
        let ids = h.frame.column("household_id").ok()?.str().ok()?;
        let villages = h.frame.column("village_code").ok()?.str().ok()?;
        ids.iter()
            .zip(villages.iter())
            .find(|(id, _)| *id == Some(household_id))
            .and_then(|(_, v)| v?.get(..6).map(str::to_string))
    });
    let register = match county {
        Some(c) => loaded.register.county(&c),
        None => loaded.register,
    };
    let outcomes = eval::evaluate(&pack, &register, year, values, aliases, &|_| {})?;
    Ok(Evaluated { pack, register, outcomes })
}

/// `diff`: evaluate one register with two packs (or one pack at two years) and write the
/// changes (`diff.xlsx`, `changes.csv`) to `out`. Input errors stop it (they are returned).
#[allow(clippy::too_many_arguments)]
pub fn run_diff(
    data: &Path,
    base: &Path,
    base_year: i32,
    new: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
    lang: Lang,
) -> Result<(crate::report::diff::Diff, Vec<PathBuf>), Error> {
    let (base_pack, base_values) = load_pack(base, base_year, aliases)?;
    let (new_pack, new_values) = load_pack(new, year, aliases)?;
    let mut staging = Staging::begin(out, "diff", report::Inputs { folders: &[data], files: &[] })?;
    let opts = LoadOptions { aliases: aliases.clone(), ..Default::default() };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Err(Error::InputErrors(loaded.errors));
    }
    let b = eval::evaluate(&base_pack, &loaded.register, base_year, base_values, aliases, &|_| {})?;
    let n = eval::evaluate(&new_pack, &loaded.register, year, new_values, aliases, &|_| {})?;
    let d = crate::report::diff::diff(&base_pack, &b, &new_pack, &n);
    let (path, _) = staging.file("diff.xlsx")?;
    crate::report::diff::write_xlsx(&d, &path, lang)?;
    report::write_csv_rows(&mut staging, "changes.csv", &d.changes)?;
    let written = staging.commit()?;
    Ok((d, written))
}

/// A register checked for quality and evaluated for eligibility: what `validate` reports and
/// `sample` draws from.
pub struct Assessment {
    pub pack: Pack,
    pub register: crate::register::Register,
    pub outcomes: Outcomes,
    pub findings: Vec<crate::quality::Finding>,
    pub bunching: Vec<crate::quality::Bunching>,
    pub risk: Vec<crate::quality::HouseholdRisk>,
}

/// Load a register, evaluate the eligibility pack and the quality pack over it, and collect
/// the findings (rules and built-in checks), income bunching and the risk score.
pub fn assess_register(
    data: &Path,
    quality: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
) -> Result<Assessment, Error> {
    use crate::quality;
    let (qpack, qvalues) = load_pack(quality, year, aliases)?;
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let bunching_rule = match (
        values.get("poverty_line"),
        qvalues.get("bunching_band"),
        qvalues.get("bunching_min_households"),
        qvalues.get("bunching_ratio"),
    ) {
        (Some(&line), Some(&band), Some(&min_households), Some(&ratio)) => {
            Some(crate::quality::BunchingRule { line, band, min_households, ratio })
        }
        _ => None,
    };
    let opts = LoadOptions { aliases: aliases.clone(), ..Default::default() };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Err(Error::InputErrors(loaded.errors));
    }
    let reg = loaded.register;
    let q = eval::evaluate(&qpack, &reg, year, qvalues, aliases, &|_| {})?;
    let h = eval::evaluate(&pack, &reg, year, values, aliases, &|_| {})?;
    let mut findings = quality::rule_findings(&qpack, &reg, &q);
    findings.extend(quality::duplicate_persons(&reg));
    let bunching = bunching_rule.map(|r| quality::bunching(&pack, &reg, &h, r)).unwrap_or_default();
    findings.extend(bunching.iter().filter(|b| b.flagged).map(quality::bunching_finding));
    findings.sort_by(|a, b| (&a.county, a.table, &a.key, &a.check).cmp(&(&b.county, b.table, &b.key, &b.check)));
    let risk = quality::risk(&pack, &h, &findings);
    Ok(Assessment { pack, register: reg, outcomes: h, findings, bunching, risk })
}

/// What `validate` found.
pub struct Validation {
    pub findings: Vec<crate::quality::Finding>,
    pub summary: crate::quality::QualitySummary,
    pub risk: Vec<crate::quality::HouseholdRisk>,
    pub written: Vec<PathBuf>,
}

/// `validate`: the quality checks and the risk score over a register, written to `out`.
pub fn run_validate(
    data: &Path,
    quality: &Path,
    rules_dir: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
) -> Result<Validation, Error> {
    let mut staging = Staging::begin(out, "validate", report::Inputs { folders: &[data], files: &[] })?;
    let a = assess_register(data, quality, rules_dir, year, aliases)?;
    let summary = crate::quality::summarise(&a.findings, &a.bunching);
    report::write_csv_rows(&mut staging, "findings.csv", &a.findings)?;
    report::write_csv_rows(&mut staging, "risk.csv", &a.risk)?;
    report::write_csv_rows(&mut staging, "bunching.csv", &a.bunching)?;
    let (path, mut file) = staging.file("quality_summary.json")?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("validate.xlsx")?;
    crate::quality::write_xlsx(&a.findings, &summary, &a.bunching, &path)?;
    let written = staging.commit()?;
    Ok(Validation { findings: a.findings, summary, risk: a.risk, written })
}

/// A drawn sample and the files written.
pub type Drawn = (Vec<crate::inspect::sample::Sampled>, Vec<PathBuf>);

/// `sample`: evaluate the register (verdicts and risk), draw the inspection sample, and write
/// `sample.csv`, `sample.parquet`, `sample.xlsx` (Chinese headers, with blank columns for the field teams) and
/// `results_template.csv` to `out`.
pub fn run_sample(
    data: &Path,
    rules_dir: &Path,
    quality: &Path,
    year: i32,
    o: &crate::inspect::sample::SampleOptions,
    out: &Path,
    aliases: &Aliases,
) -> Result<Drawn, Error> {
    let mut staging = Staging::begin(out, "sample", report::Inputs { folders: &[data], files: &[] })?;
    let a = assess_register(data, quality, rules_dir, year, aliases)?;
    let (units, villages) = sampling_frame(&a);
    let drawn = crate::inspect::sample::draw(&units, &villages, o);
    report::write_csv_rows(&mut staging, "sample.csv", &drawn)?;
    let mut frame = crate::inspect::sample_frame(&drawn)?;
    report::write_frame(&mut staging, "sample", &mut frame, Format::Parquet, Lang::Zh)?;
    let template: Vec<[String; 4]> =
        drawn.iter().map(|s| [s.household_id.clone(), String::new(), String::new(), String::new()]).collect();
    let (path, file) = staging.file("results_template.csv")?;
    let mut w = csv::Writer::from_writer(file);
    let io = |e: csv::Error| Error::io(&path, std::io::Error::other(e));
    w.write_record(["household_id", "wrong_exit", "missed_persons", "approves"]).map_err(io)?;
    for row in &template {
        w.write_record(row).map_err(io)?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("sample.xlsx")?;
    crate::inspect::write_sample_xlsx(&drawn, &path)?;
    let written = staging.commit()?;
    Ok((drawn, written))
}

/// `estimate`: read a sample (`sample.csv`) and the field results, estimate each county's
/// rates against the pack's thresholds for `year`, and write `estimates.csv` and
/// `estimates.json` to `out`.
pub fn run_estimate(
    sample_file: &Path,
    results_file: &Path,
    rules_dir: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
    lang: Lang,
) -> Result<(Vec<crate::inspect::estimate::CountyEstimate>, Vec<PathBuf>), Error> {
    use crate::inspect::estimate;
    let (_pack, values) = load_pack(rules_dir, year, aliases)?;
    let get = |k: &str| {
        values
            .get(k)
            .copied()
            .ok_or_else(|| Error::Usage(format!("{}: no parameter `{k}` for {year}", rules_dir.display())))
    };
    let t = estimate::Thresholds {
        wrong_exit_rate_max: get("county_wrong_exit_rate_max")?,
        missed_rate_max: get("county_missed_rate_max")?,
        recognition_min: get("county_recognition_min")?,
    };
    let mut staging =
        Staging::begin(out, "estimate", report::Inputs { folders: &[], files: &[sample_file, results_file] })?;
    let sample = crate::inspect::read_sample(sample_file)?;
    let results = crate::inspect::read_results(results_file, aliases, lang)?;
    let est = estimate::estimate(&sample, &results, t);
    let rows: Vec<crate::inspect::EstimateRow> = est.iter().flat_map(crate::inspect::EstimateRow::of).collect();
    report::write_csv_rows(&mut staging, "estimates.csv", &rows)?;
    let (path, mut file) = staging.file("estimates.json")?;
    let text = serde_json::to_string_pretty(&est).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let written = staging.commit()?;
    Ok((est, written))
}

/// The households and villages a sample is drawn from, with each household's verdicts and
/// risk (a risk household: a wrong-exit, missed or wrong-inclusion flag, or a data error).
pub fn sampling_frame(a: &Assessment) -> (Vec<crate::inspect::sample::Unit>, Vec<crate::inspect::sample::Village>) {
    use crate::inspect::sample::{Unit, Village};
    let (pack, reg, h) = (&a.pack, &a.register, &a.outcomes);
    let risk: std::collections::HashMap<&str, &crate::quality::HouseholdRisk> =
        a.risk.iter().map(|r| (r.household_id.as_str(), r)).collect();
    let Some(hl) = h.level(Table::Households) else { return (vec![], vec![]) };
    let Some(ht) = reg.table(Table::Households) else { return (vec![], vec![]) };
    let rule = |name: &str| pack.rule_index(Table::Households, name).and_then(|r| hl.values(r));
    let size = rule("size");
    let meets = rule("meets_exit_standard");
    let registered = crate::eval::fields::FieldData::extract(ht, Table::Households, "registered");
    let status = crate::eval::fields::FieldData::extract(ht, Table::Households, "status");
    let villages_of = hl.extra_key();
    let units: Vec<Unit> = (0..hl.len())
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
