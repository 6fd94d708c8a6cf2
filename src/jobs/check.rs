//! `check`: a rule pack over a register, one result table per level, in one pass or county
//! by county.

use std::path::{Path, PathBuf};

use super::load_pack;
use crate::Error;
use crate::eval::{self, Outcomes};
use crate::messages::{CheckTotals, Lang, LevelTotals, TotalLine};
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
    /// Write the result workbook (`results.xlsx`) beside Parquet or CSV results.
    pub report: bool,
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
        /// What the terminal shows at the end.
        totals: Box<CheckTotals>,
    },
}

/// The verdicts of a level in the totals `check` prints: its published outputs
/// (`[outputs]` in `pack.toml`), its main verdict (`[main]`) and its risk flags (`[flags]`),
/// each once.
fn headline_rules(pack: &Pack, level: Table) -> Vec<&str> {
    let m = &pack.manifest;
    let mut out: Vec<&str> = vec![];
    let named = m.outputs.get(level.level()).into_iter().flatten();
    let main = m.main.get(level.level()).into_iter();
    let flags = m.flags.get(level.level()).into_iter().flatten();
    for r in named.chain(main).chain(flags) {
        if !out.contains(&r.as_str()) {
            out.push(r);
        }
    }
    out
}

/// Counts of 是, 否, 未知 of a rule.
pub type Yes = (u64, u64, u64);

/// The totals `check` prints. `rows` gives a level's rows, `counts` a rule's 是/否/未知,
/// `poor` the poor villages or counties when the register says.
fn check_totals_of(
    pack: &Pack,
    o: &CheckOptions,
    rows: &dyn Fn(Table) -> usize,
    counts: &dyn Fn(Table, &str) -> Option<Yes>,
    poor: &dyn Fn(Table) -> Option<usize>,
    rule_errors: usize,
) -> CheckTotals {
    let mut levels = vec![];
    for t in [Table::Households, Table::Villages, Table::Counties] {
        let mut lines = vec![];
        for name in headline_rules(pack, t) {
            let (Some(r), Some((yes, no, unknown))) = (pack.rule_index(t, name), counts(t, name)) else { continue };
            let rule = &pack.rules[r];
            let title = match o.lang {
                Lang::Zh if !rule.title.is_empty() => rule.title.clone(),
                _ => rule.name.clone(),
            };
            lines.push(TotalLine { title, yes, no, unknown });
        }
        levels.push(LevelTotals { level: t.level(), rows: rows(t), poor: poor(t), lines });
    }
    CheckTotals {
        year: o.year,
        pack: match crate::builtin::is_builtin(&pack.dir) {
            true => crate::messages::authoring::builtin_named(o.lang, &pack.manifest.name),
            false => pack.manifest.name.clone(),
        },
        data: crate::builtin::label(&o.data, o.lang),
        levels,
        rule_errors,
    }
}

/// The fields of a level that the pack's rules read, directly or through an aggregation
/// from the level above, with those every run reads (whether a member lives, whether a
/// household is registered and its status).
fn fields_read(pack: &Pack, t: Table) -> Vec<&'static str> {
    let mut read = vec!["health", "registered", "status"];
    for rule in &pack.rules {
        if rule.level == t {
            read.extend(rule.fields());
        }
        for a in rule.aggregates.iter().filter(|a| a.over == t) {
            if let Some(rules::Ref::Field(f)) = a.target {
                read.push(f);
            }
        }
    }
    read
}

fn poor_of(reg: &register::Register, t: Table) -> Option<usize> {
    register::hierarchy::poor_rows(reg, t).map(|p| p.iter().filter(|&&b| b).count())
}

/// The 是/否/未知 of a village's or county's main verdict among its poor rows only.
fn poor_verdicts(pack: &Pack, reg: &register::Register, outcomes: &Outcomes) -> Vec<(Table, Yes)> {
    report::summary::among_poor(pack, reg, outcomes).into_iter().map(|p| (p.table, p.total)).collect()
}

pub fn run(o: &CheckOptions, progress: &(dyn Fn(u64) + Sync), on_loaded: &dyn Fn(u64)) -> Result<CheckResult, Error> {
    crate::timing::lap("start");
    let aliases = Aliases::with_file(o.aliases.as_deref())?;
    // The pack is checked first: a broken script is reported before a long load.
    let (pack, values) = load_pack(&o.rules, o.year, &aliases)?;
    // From here on a failure leaves no earlier result standing as if it were current.
    let mut staging = Staging::begin(&o.out, "check", report::Inputs { folders: &[o.data.as_path()], files: &[] })?;
    // The register is read with the fields the pack declares.
    let opts = LoadOptions { encoding: o.encoding, aliases: pack.aliases.clone(), skip_invalid: o.skip_invalid };
    let loaded = register::load(&o.data, &[Table::Persons, Table::Households], &opts)?;
    if !loaded.errors.is_empty() && !o.skip_invalid {
        report::write_csv_rows(&mut staging, "input_errors.csv", &report::input_error_rows(&loaded.errors, o.lang))?;
        let written = staging.commit()?;
        return Ok(CheckResult::InputErrors { errors: loaded.errors, written });
    }
    let mut reg = loaded.register;
    on_loaded(Table::ALL.iter().map(|t| reg.rows(*t) as u64).sum());
    if !o.report && o.format != Format::Xlsx {
        // Without a workbook (which names heads of household), nothing from here on reads a
        // field no rule reads (rules read only the names they resolve; reasons say those): the
        // members' and households' other columns are freed before the evaluation (1M
        // households: the evaluation holds 100–180 MB less).
        for t in [Table::Persons, Table::Households] {
            let read = fields_read(&pack, t);
            reg.free_columns(t, &|c| read.contains(&c));
        }
    }
    let plan = eval::Plan::for_register(&pack, o.year, &values, &reg, o.engine);
    let outcomes = eval::evaluate_plan(&pack, &plan, &reg, o.year, values, progress)?;
    crate::timing::lap("evaluated");
    let set_aside: Vec<(Table, usize)> = reg.set_aside.iter().map(|(t, v)| (*t, v.len())).collect();
    let info = RunInfo {
        // The built-in register and pack by what they are, not by the folder they are unpacked in.
        data: crate::builtin::label(&o.data, o.lang),
        rules: crate::builtin::label(&o.rules, o.lang),
        set_aside: set_aside.iter().map(|(t, n)| (t.name().to_string(), *n)).collect(),
        input_errors: loaded.errors.len(),
    };
    let w =
        report::Writing { format: o.format, lang: o.lang, aliases: &pack.aliases, register: &reg, workbook: o.report };
    report::write_check(&mut staging, &pack, &outcomes, &w, &info)?;
    if !loaded.errors.is_empty() {
        write_set_aside(&mut staging, &loaded.errors, &reg.set_aside, o.lang)?;
    }
    let written = staging.commit()?;
    crate::timing::lap("written");
    let among_poor = poor_verdicts(&pack, &reg, &outcomes);
    let totals = check_totals_of(
        &pack,
        o,
        &|t| outcomes.level(t).map(|l| l.len()).unwrap_or(0),
        &|t, rule| {
            if pack.manifest.main.get(t.level()).is_some_and(|m| m == rule)
                && let Some((_, c)) = among_poor.iter().find(|(pt, _)| *pt == t)
            {
                return Some(*c);
            }
            let vals = outcomes.level(t)?.values(pack.rule_index(t, rule)?)?;
            let mut c = (0, 0, 0);
            for v in vals {
                match v.as_bool() {
                    Some(true) => c.0 += 1,
                    Some(false) => c.1 += 1,
                    None => c.2 += 1,
                }
            }
            Some(c)
        },
        &|t| poor_of(&reg, t),
        outcomes.errors.len(),
    );
    Ok(CheckResult::Done {
        pack: Box::new(pack),
        outcomes,
        input_errors: loaded.errors,
        set_aside,
        written,
        totals: Box::new(totals),
    })
}

/// How a county-by-county check ended.
pub struct ByCounty {
    pub pack: Box<Pack>,
    /// Parts evaluated (counties).
    pub parts: usize,
    /// The merged `summary.json` counts: (rows, rule name → 是/否/未知 of a verdict) per level.
    pub totals: std::collections::BTreeMap<&'static str, (usize, std::collections::BTreeMap<String, Option<Yes>>)>,
    /// What the terminal shows at the end.
    pub check_totals: CheckTotals,
    pub rule_errors: Vec<eval::RowError>,
    pub input_errors: Vec<InputError>,
    pub set_aside: Vec<(Table, usize)>,
    pub written: Vec<PathBuf>,
    /// The path each rule ran on: compiled, or row by row (and why) if it ran row by row in
    /// any county.
    pub paths: Vec<eval::compiled::RulePath>,
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
    use polars::prelude::DataType;
    if o.format != Format::Parquet {
        return Err(Error::Usage(crate::messages::by_county_parquet_only(o.lang).to_string()));
    }
    if o.report {
        // The workbook and the page need the whole register at once, which a county-by-county
        // run never holds: refused rather than silently left out.
        return Err(Error::Usage(crate::messages::by_county_no_report(o.lang).to_string()));
    }
    crate::timing::lap("start");
    let aliases = Aliases::with_file(o.aliases.as_deref())?;
    let (pack, values) = load_pack(&o.rules, o.year, &aliases)?;
    // The plan is built from the first county's columns and run for every county (a county
    // given as its own folder with other columns gets a plan of its own), and every county's
    // number columns are written with the first plan's types, so that the parts append.
    let mut first_plan: Option<(eval::Plan, Vec<Vec<&'static str>>)> = None;
    let opts = LoadOptions { encoding: o.encoding, aliases: pack.aliases.clone(), skip_invalid: o.skip_invalid };
    let required = [Table::Persons, Table::Households];

    let part_info = report::summary::RunInfo::default();
    let mut staging = Staging::begin(&o.out, "check", report::Inputs { folders: &[o.data.as_path()], files: &[] })?;
    let mut writers: Vec<(Table, polars::io::parquet::write::BatchedWriter<std::fs::File>)> = vec![];
    let mut summary: Option<report::summary::Summary> = None;
    let mut input_errors: Vec<InputError> = vec![];
    let mut rule_errors = vec![];
    let mut set_aside: std::collections::BTreeMap<Table, Vec<String>> = Default::default();
    let mut parts = 0;
    let mut paths: Vec<eval::compiled::RulePath> = vec![];
    let mut poor: std::collections::BTreeMap<Table, usize> = Default::default();
    let mut among_poor: std::collections::BTreeMap<Table, Yes> = Default::default();

    // The closure borrows the writers and totals until the parts are done.
    {
        let mut evaluate_part = |reg: crate::register::Register| -> Result<(), Error> {
            for t in [Table::Villages, Table::Counties] {
                if let Some(n) = poor_of(&reg, t) {
                    *poor.entry(t).or_default() += n;
                }
            }
            let poor_part = |outcomes: &Outcomes| poor_verdicts(&pack, &reg, outcomes);
            for (t, keys) in &reg.set_aside {
                set_aside.entry(*t).or_default().extend(keys.iter().cloned());
            }
            let columns: Vec<Vec<&'static str>> =
                Table::ALL.iter().map(|t| reg.table(*t).map(|lt| lt.present.clone()).unwrap_or_default()).collect();
            let (plan, first_columns) = first_plan.get_or_insert_with(|| {
                (eval::Plan::for_register(&pack, o.year, &values, &reg, o.engine), columns.clone())
            });
            let own_plan;
            let part_plan = if *first_columns == columns {
                &*plan
            } else {
                own_plan = eval::Plan::for_register(&pack, o.year, &values, &reg, o.engine);
                &own_plan
            };
            let outcomes = eval::evaluate_plan(&pack, part_plan, &reg, o.year, values.clone(), progress)?;
            for (t, (y, n, u)) in poor_part(&outcomes) {
                let c = among_poor.entry(t).or_default();
                (c.0, c.1, c.2) = (c.0 + y, c.1 + n, c.2 + u);
            }
            let types = &plan.number_types;
            for level in &outcomes.levels {
                let mut df = report::level_frame(&pack, level, o.year, o.lang, &pack.aliases, Some(&reg))?;
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
                    writers.push((level.table, report::parquet_writer(file, df.schema())?));
                }
                for (_, w) in writers.iter_mut().filter(|(t, _)| *t == level.table) {
                    report::write_row_groups(w, &df)?;
                }
            }
            let s = report::summary::build(&pack, &outcomes, &part_info);
            match summary.as_mut() {
                Some(all) => all.merge(s),
                None => summary = Some(s),
            }
            for p in outcomes.paths {
                match paths.iter_mut().find(|q| q.rule == p.rule) {
                    Some(q) if q.row_by_row.is_none() && p.row_by_row.is_some() => *q = p,
                    Some(_) => {}
                    None => paths.push(p),
                }
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
        // The built-in register and pack by what they are, not by the folder they are unpacked in.
        data: crate::builtin::label(&o.data, o.lang),
        rules: crate::builtin::label(&o.rules, o.lang),
        set_aside: set_aside.iter().map(|(t, v)| (t.name().to_string(), v.len())).collect(),
        input_errors: input_errors.len(),
    };
    let mut totals = std::collections::BTreeMap::new();
    if let Some(mut s) = summary {
        s.run = &info;
        s.rule_errors = rule_errors.len();
        for (name, level) in &s.levels {
            let yes: std::collections::BTreeMap<String, Option<Yes>> = level
                .rules
                .iter()
                .map(|(r, rs)| {
                    let t = &rs.total;
                    (r.clone(), t.yes.zip(t.no).map(|(y, n)| (y, n, t.unknown)))
                })
                .collect();
            totals.insert(*name, (level.rows, yes));
        }
        let (path, mut file) = staging.file("summary.json")?;
        let text = serde_json::to_string_pretty(&s).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        use std::io::Write;
        file.write_all(text.as_bytes()).and_then(|_| file.write_all(b"\n")).map_err(|e| Error::io(&path, e))?;
    }
    if !rule_errors.is_empty() {
        report::write_csv_rows(&mut staging, "rule_errors.csv", &report::rule_error_rows(&rule_errors, o.lang))?;
    }
    if !input_errors.is_empty() {
        write_set_aside(&mut staging, &input_errors, &set_aside, o.lang)?;
    }
    let written = staging.commit()?;
    crate::timing::lap("written");
    let check_totals = check_totals_of(
        &pack,
        o,
        &|t| totals.get(t.level()).map(|(n, _)| *n).unwrap_or(0),
        &|t, rule| {
            if pack.manifest.main.get(t.level()).is_some_and(|m| m == rule)
                && let Some(c) = among_poor.get(&t)
            {
                return Some(*c);
            }
            totals.get(t.level()).and_then(|(_, yes)| yes.get(rule).copied().flatten())
        },
        &|t| poor.get(&t).copied(),
        rule_errors.len(),
    );
    Ok(Ok(ByCounty {
        pack: Box::new(pack),
        parts,
        totals,
        check_totals,
        rule_errors,
        input_errors,
        set_aside: set_aside.iter().map(|(t, v)| (*t, v.len())).collect(),
        written,
        paths,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fields_the_hunan_rules_read_are_kept_for_writing() {
        let (pack, _) = load_pack(Path::new("rules/hunan"), 2020, &Aliases::default()).unwrap();
        let persons = fields_read(&pack, Table::Persons);
        // person/age.rhai reads both birth dates; education and medical read their codes.
        for f in ["birth_date", "person_id", "school_status", "schooling_exempt", "medical_insurance", "health"] {
            assert!(persons.contains(&f), "{f} missing from {persons:?}");
        }
        for f in ["name", "sex", "labour", "work_months", "dibao"] {
            assert!(!persons.contains(&f), "{f} is read by no Hunan rule");
        }
        let households = fields_read(&pack, Table::Households);
        for f in ["wage_income", "operating_cost", "house_safety", "water_safe", "owns_car", "status", "registered"] {
            assert!(households.contains(&f), "{f} missing from {households:?}");
        }
        assert!(!households.contains(&"birth_date"));
    }
}
