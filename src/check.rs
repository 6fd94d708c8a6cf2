//! The `check` job end to end: load the register and the pack, stop on input errors (or
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
    let aliases = Aliases::with_file(o.aliases.as_deref())?;
    // The pack is checked first: a broken script is reported before a long load.
    let (pack, values) = load_pack(&o.rules, o.year, &aliases)?;
    let opts = LoadOptions { encoding: o.encoding, aliases: aliases.clone(), skip_invalid: o.skip_invalid };
    let loaded = register::load(&o.data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() && !o.skip_invalid {
        let mut staging = Staging::begin(&o.out)?;
        report::write_csv_rows(&mut staging, "input_errors.csv", &report::input_error_rows(&loaded.errors, o.lang))?;
        let written = staging.commit()?;
        return Ok(CheckResult::InputErrors { errors: loaded.errors, written });
    }
    let reg = loaded.register;
    on_loaded(Table::ALL.iter().map(|t| reg.rows(*t) as u64).sum());
    let outcomes = eval::evaluate(&pack, &reg, o.year, values, &aliases, progress)?;

    let set_aside: Vec<(Table, usize)> = reg.set_aside.iter().map(|(t, v)| (*t, v.len())).collect();
    let info = RunInfo {
        data: o.data.display().to_string(),
        rules: o.rules.display().to_string(),
        set_aside: set_aside.iter().map(|(t, n)| (t.name().to_string(), *n)).collect(),
        input_errors: loaded.errors.len(),
    };
    let mut staging = Staging::begin(&o.out)?;
    report::write_check(&mut staging, &pack, &outcomes, o.format, o.lang, &info)?;
    if !loaded.errors.is_empty() {
        report::write_csv_rows(&mut staging, "input_errors.csv", &report::input_error_rows(&loaded.errors, o.lang))?;
        let rows: Vec<SetAsideRow> = reg
            .set_aside
            .iter()
            .flat_map(|(t, keys)| keys.iter().map(move |k| SetAsideRow { table: t.name(), key: k.clone() }))
            .collect();
        report::write_csv_rows(&mut staging, "set_aside.csv", &rows)?;
    }
    let written = staging.commit()?;
    Ok(CheckResult::Done { pack: Box::new(pack), outcomes, input_errors: loaded.errors, set_aside, written })
}

#[derive(serde::Serialize)]
struct SetAsideRow {
    table: &'static str,
    key: String,
}

/// A result, or the register's input errors that stopped the command.
pub type OrInputErrors<T> = Result<T, Vec<InputError>>;

/// A register evaluated with a pack, for the commands that read outcomes (`explain`,
/// `test`, `diff`).
pub struct Evaluated {
    pub pack: Pack,
    pub register: crate::register::Register,
    pub outcomes: Outcomes,
}

/// Load a pack and a register and evaluate; input errors stop it (they are returned).
pub fn evaluate_register(
    data: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
    encoding: Encoding,
) -> Result<OrInputErrors<Evaluated>, Error> {
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let opts = LoadOptions { encoding, aliases: aliases.clone(), skip_invalid: false };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Ok(Err(loaded.errors));
    }
    let outcomes = eval::evaluate(&pack, &loaded.register, year, values, aliases, &|_| {})?;
    Ok(Ok(Evaluated { pack, register: loaded.register, outcomes }))
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
) -> Result<OrInputErrors<(crate::report::diff::Diff, Vec<PathBuf>)>, Error> {
    let (base_pack, base_values) = load_pack(base, base_year, aliases)?;
    let (new_pack, new_values) = load_pack(new, year, aliases)?;
    let opts = LoadOptions { aliases: aliases.clone(), ..Default::default() };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Ok(Err(loaded.errors));
    }
    let b = eval::evaluate(&base_pack, &loaded.register, base_year, base_values, aliases, &|_| {})?;
    let n = eval::evaluate(&new_pack, &loaded.register, year, new_values, aliases, &|_| {})?;
    let d = crate::report::diff::diff(&base_pack, &b, &new_pack, &n);
    let mut staging = Staging::begin(out)?;
    let (path, _) = staging.file("diff.xlsx")?;
    crate::report::diff::write_xlsx(&d, &path, lang)?;
    report::write_csv_rows(&mut staging, "changes.csv", &d.changes)?;
    let written = staging.commit()?;
    Ok(Ok((d, written)))
}

/// What `validate` found.
pub struct Validation {
    pub findings: Vec<crate::quality::Finding>,
    pub summary: crate::quality::QualitySummary,
    pub risk: Vec<crate::quality::HouseholdRisk>,
    pub written: Vec<PathBuf>,
}

/// `validate`: the quality pack's checks and the built-in ones over a register, the risk
/// score of every household (from the Hunan pack's flags and the faults), written to `out`.
pub fn run_validate(
    data: &Path,
    quality: &Path,
    rules_dir: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
) -> Result<OrInputErrors<Validation>, Error> {
    use crate::quality;
    let (qpack, qvalues) = load_pack(quality, year, aliases)?;
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let line = values.get("poverty_line").copied();
    let opts = LoadOptions { aliases: aliases.clone(), ..Default::default() };
    let loaded = register::load(data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() {
        return Ok(Err(loaded.errors));
    }
    let reg = loaded.register;
    let q = eval::evaluate(&qpack, &reg, year, qvalues, aliases, &|_| {})?;
    let h = eval::evaluate(&pack, &reg, year, values, aliases, &|_| {})?;
    let mut findings = quality::rule_findings(&qpack, &reg, &q);
    findings.extend(quality::duplicate_persons(&reg));
    let bunching = line.map(|l| quality::bunching(&pack, &reg, &h, l)).unwrap_or_default();
    for b in bunching.iter().filter(|b| b.flagged) {
        findings.push(quality::Finding {
            check: "income_bunching".into(),
            severity: crate::rules::FindingSeverity::Warning,
            table: "villages",
            key: b.village_code.clone(),
            column: "per_capita_net_income".into(),
            value: Some(format!("{:.1}% / {:.1}%", b.share_above * 100.0, b.share_below * 100.0)),
            message: format!(
                "已脱贫户人均纯收入扎堆在扶贫标准线上5%以内：线上 {} 户（{:.1}%），线下 {} 户（{:.1}%）",
                b.just_above,
                b.share_above * 100.0,
                b.just_below,
                b.share_below * 100.0
            ),
            household_id: String::new(),
            county: b.county.clone(),
        });
    }
    findings.sort_by(|a, b| (&a.county, a.table, &a.key, &a.check).cmp(&(&b.county, b.table, &b.key, &b.check)));
    let summary = quality::summarise(&findings, &bunching);
    let risk = quality::risk(&pack, &h, &findings);

    let mut staging = Staging::begin(out)?;
    report::write_csv_rows(&mut staging, "findings.csv", &findings)?;
    report::write_csv_rows(&mut staging, "risk.csv", &risk)?;
    report::write_csv_rows(&mut staging, "bunching.csv", &bunching)?;
    let (path, mut file) = staging.file("quality_summary.json")?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("validate.xlsx")?;
    quality::write_xlsx(&findings, &summary, &bunching, &path)?;
    let written = staging.commit()?;
    Ok(Ok(Validation { findings, summary, risk, written }))
}
