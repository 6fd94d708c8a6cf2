//! `validate`: the data-quality checks and each household's risk score.

use std::path::{Path, PathBuf};

use super::{load_options, load_pack, load_register};
use crate::Error;
use crate::eval::{self, Outcomes};
use crate::messages::Lang;
use crate::register::Aliases;
use crate::report::{self, Staging};
use crate::rules::Pack;

/// A register checked for quality and evaluated for eligibility: what `validate` reports and
/// `sample` draws from.
pub struct Assessment {
    pub pack: Pack,
    pub register: crate::register::Register,
    pub outcomes: Outcomes,
    pub findings: Vec<crate::quality::Finding>,
    pub bunching: Vec<crate::quality::Bunching>,
    pub risk: Vec<crate::quality::HouseholdRisk>,
    /// The quality pack's checks by name, with their titles.
    pub titles: std::collections::BTreeMap<String, String>,
}

/// What `validate` and `sample` read: the register, the quality pack and the eligibility
/// pack, for a year.
#[derive(Debug, Clone, Copy)]
pub struct AssessInputs<'a> {
    pub data: &'a Path,
    pub quality: &'a Path,
    pub rules: &'a Path,
    pub year: i32,
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
    let reg = load_register(data, &load_options(&pack.aliases))?;
    crate::timing::lap("register loaded");
    // The checks are read from their polars columns (findings), not as a value per row
    // (1M households: 17 person and 12 household rules, 1 GB of values otherwise).
    let mut plan = eval::Plan::for_register(&qpack, year, &qvalues, &reg, eval::Engine::Auto);
    plan.wanted = Some(vec![false; qpack.rules.len()]);
    let q = eval::evaluate_plan(&qpack, &plan, &reg, year, qvalues, &|_| {})?;
    crate::timing::lap("quality pack evaluated");
    // The quality outcomes are turned into findings and let go before the eligibility pack
    // runs, so that the two packs' outcomes are never held at once (peak memory).
    let mut findings = quality::rule_findings(&qpack, &reg, &q);
    drop(q);
    crate::timing::lap("rule findings");
    // No reasons: neither validate's nor sample's outputs say them; values only for the
    // household rules read below and by `sample` (the others keep their columns).
    let mut plan = eval::Plan::for_register(&pack, year, &values, &reg, eval::Engine::Auto);
    plan.reasons = false;
    plan.wanted = Some(
        pack.rules
            .iter()
            .map(|r| {
                r.level == crate::register::Table::Households
                    && crate::quality::ASSESSMENT_READS.contains(&r.name.as_str())
            })
            .collect(),
    );
    // The same person in two households is looked for while the pack runs (it reads only
    // the register; alone it is mostly one thread's work: 1M households, 0.3 s).
    let (h, duplicates) = rayon::join(
        || eval::evaluate_plan(&pack, &plan, &reg, year, values, &|_| {}),
        || quality::duplicate_persons(&reg),
    );
    let h = h?;
    findings.extend(duplicates);
    crate::timing::lap("eligibility pack evaluated, duplicate persons");
    let bunching = bunching_rule.map(|r| quality::bunching(&pack, &reg, &h, r)).unwrap_or_default();
    findings.extend(bunching.iter().filter(|b| b.flagged).map(quality::bunching_finding));
    crate::timing::lap("bunching");
    findings.sort_by(|a, b| (&a.county, a.table, &a.key, &a.check).cmp(&(&b.county, b.table, &b.key, &b.check)));
    crate::timing::lap("findings sorted");
    let risk = quality::risk(&pack, &h, &findings);
    crate::timing::lap("risk");
    let titles =
        qpack.rules.iter().filter(|r| !r.title.is_empty()).map(|r| (r.name.clone(), r.title.clone())).collect();
    Ok(Assessment { pack, register: reg, outcomes: h, findings, bunching, risk, titles })
}

/// What `validate` found.
pub struct Validation {
    /// The counts per check, by the check's title (by name in English), for the terminal.
    pub by_title: std::collections::BTreeMap<String, u64>,
    pub findings: Vec<crate::quality::Finding>,
    pub summary: crate::quality::QualitySummary,
    pub risk: Vec<crate::quality::HouseholdRisk>,
    pub written: Vec<PathBuf>,
}

/// `validate`: the quality checks and the risk score over a register, written to `out`.
pub fn run_validate(i: AssessInputs<'_>, out: &Path, aliases: &Aliases, lang: Lang) -> Result<Validation, Error> {
    let mut staging = Staging::begin(out, "validate", report::Inputs { folders: &[i.data], files: &[] })?;
    let a = assess_register(i.data, i.quality, i.rules, i.year, aliases)?;
    let summary = crate::quality::summarise(&a.findings, &a.bunching);
    crate::timing::lap("assessed");
    report::write_csv_rows(&mut staging, "findings.csv", &report::quality::finding_rows(&a.findings, lang))?;
    crate::timing::lap("findings.csv");
    report::write_csv_rows(&mut staging, "bunching.csv", &a.bunching)?;
    let (path, mut file) = staging.file("quality_summary.json")?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("validate.xlsx")?;
    let (risk_path, risk_file) = staging.file("risk.csv")?;
    // County and village names (no head of household is named).
    let names = report::workbook::Names::of_households(&a.register, &Default::default());
    let book = report::quality::ValidateBook {
        findings: &a.findings,
        summary: &summary,
        bunching: &a.bunching,
        risk: &a.risk,
        titles: &a.titles,
        aliases,
        names: &names,
    };
    // risk.csv (a row per household) is written while the workbook is.
    let (risk, xlsx) = std::thread::scope(|s| {
        let risk = s.spawn(|| report::write_csv_rows_to(&risk_path, risk_file, &a.risk));
        let xlsx = report::quality::write_validate_xlsx(&book, &path, lang);
        (risk.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), xlsx)
    });
    risk?;
    xlsx?;
    crate::timing::lap("validate.xlsx, risk.csv");
    let written = staging.commit()?;
    let by_title = summary
        .by_check
        .iter()
        .map(|(c, n)| (report::quality::check_title(lang, &a.titles, c).to_string(), *n))
        .collect();
    Ok(Validation { findings: a.findings, summary, risk: a.risk, written, by_title })
}
