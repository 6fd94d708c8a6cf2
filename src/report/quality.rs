//! The workbooks of `validate` (for the village cadres who fix the records) and `sample` (for
//! the field teams), and the rows of `findings.csv`, in the user's language.

use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::inspect::sample::Sampled;
use crate::messages::{self, Lang, quality as msg};
use crate::quality::{Bunching, Finding, QualitySummary};
use crate::rules::FindingSeverity;

/// A finding as a row of `findings.csv`.
#[derive(Serialize)]
pub struct FindingRow<'a> {
    pub check: &'a str,
    pub severity: FindingSeverity,
    pub table: &'static str,
    pub key: &'a str,
    pub column: &'a str,
    pub value: Option<&'a str>,
    pub message: String,
    pub household_id: &'a str,
    pub county: &'a str,
}

pub fn finding_rows(findings: &[Finding], lang: Lang) -> Vec<FindingRow<'_>> {
    findings
        .iter()
        .map(|f| FindingRow {
            check: &f.check,
            severity: f.severity,
            table: f.table,
            key: &f.key,
            column: &f.column,
            value: f.value.as_deref(),
            message: msg::note(lang, &f.note),
            household_id: &f.household_id,
            county: &f.county,
        })
        .collect()
}

/// `validate.xlsx`: the findings, the counts per check and per county, and the villages with
/// bunched incomes.
pub fn write_validate_xlsx(
    findings: &[Finding],
    summary: &QualitySummary,
    bunching: &[Bunching],
    path: &Path,
    lang: Lang,
) -> Result<(), Error> {
    let words = msg::validate_book(lang);
    let mut book = super::workbook();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(words.findings)?;
    for (c, h) in words.findings_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let limit = super::XLSX_MAX_ROWS - 2;
    for (i, f) in findings.iter().take(limit).enumerate() {
        let r = i as u32 + 1;
        let note = msg::note(lang, &f.note);
        let cells = [
            f.check.as_str(),
            msg::severity(lang, f.severity == FindingSeverity::Error),
            f.table,
            &f.key,
            &f.column,
            f.value.as_deref().unwrap_or(""),
            &note,
            &f.household_id,
            &f.county,
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *v)?;
        }
    }
    if findings.len() > limit {
        sheet.write_string(limit as u32 + 1, 0, msg::more_findings(lang, findings.len() - limit))?;
    }
    sheet.autofilter(0, 0, findings.len().min(limit).max(1) as u32, 8)?;
    sheet.set_freeze_panes(1, 0)?;

    let sheet = book.add_worksheet();
    sheet.set_name(words.by_check)?;
    for (c, h) in words.by_check_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (check, n)) in summary.by_check.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, check)?;
        sheet.write_number(i as u32 + 1, 1, *n as f64)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name(words.by_county)?;
    for (c, h) in words.by_county_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1u32;
    for (county, checks) in &summary.by_county {
        for (check, n) in checks {
            sheet.write_string(r, 0, county)?;
            sheet.write_string(r, 1, check)?;
            sheet.write_number(r, 2, *n as f64)?;
            r += 1;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name(words.bunching)?;
    for (c, h) in words.bunching_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, b) in bunching.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &b.village_code)?;
        sheet.write_string(r, 1, &b.county)?;
        sheet.write_number(r, 2, b.exited as f64)?;
        sheet.write_number(r, 3, b.just_above as f64)?;
        sheet.write_number(r, 4, b.just_below as f64)?;
        sheet.write_number(r, 5, b.share_above)?;
        sheet.write_number(r, 6, b.share_below)?;
        sheet.write_string(r, 7, msg::yes_no(lang, b.flagged))?;
    }
    book.save(path)?;
    Ok(())
}

/// `sample.xlsx` as the field teams print it: verdicts as 是/否/未知, and three blank columns
/// to fill in (核实错退, 核实漏评人数, 群众认可).
pub fn write_sample_xlsx(sample: &[Sampled], path: &Path, lang: Lang) -> Result<(), Error> {
    let words = msg::sample_book(lang);
    let mut book = super::workbook();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(words.sheet)?;
    for (c, h) in words.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let yes_no = |v: Option<bool>| messages::outcome(lang, v);
    for (i, s) in sample.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = [
            s.county.as_str(),
            &s.village_code,
            msg::village_stratum(lang, s.village_stratum == "poor"),
            &s.household_id,
            msg::household_stratum(lang, s.household_stratum == "registered"),
            msg::risk_stratum(lang, s.risk_stratum == "risk"),
            s.status.as_deref().unwrap_or(""),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string(r, c as u16, *t)?;
        }
        sheet.write_number(r, 7, s.size as f64)?;
        sheet.write_number(r, 8, s.risk_score as f64)?;
        sheet.write_string(r, 9, yes_no(s.meets_exit_standard))?;
        sheet.write_string(r, 10, yes_no(s.wrong_exit_risk))?;
        sheet.write_string(r, 11, yes_no(s.missed_risk))?;
        sheet.write_number(r, 12, s.weight)?;
    }
    sheet.autofilter(0, 0, sample.len().max(1) as u32, words.headers.len() as u16 - 1)?;
    sheet.set_freeze_panes(1, 0)?;
    book.save(path)?;
    Ok(())
}
