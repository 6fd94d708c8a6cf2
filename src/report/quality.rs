//! The workbooks of `validate` (for the village cadres who fix the records) and `sample` (for
//! the field teams), and the rows of `findings.csv`, in the user's language.

use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::inspect::sample::Sampled;
use crate::messages::{self, Lang, quality as msg};
use std::collections::BTreeMap;

use crate::quality::{Bunching, Finding, HouseholdRisk, QualitySummary};
use crate::register::{Aliases, Table};
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

/// A check by its title in Chinese (a quality rule's own, or a built-in check's), by its
/// name in English.
pub fn check_title<'a>(lang: Lang, titles: &'a BTreeMap<String, String>, check: &'a str) -> &'a str {
    match lang {
        Lang::Zh => titles.get(check).map(String::as_str).or_else(|| msg::builtin_title(lang, check)).unwrap_or(check),
        Lang::En => check,
    }
}

/// What `validate.xlsx` is written from: the findings and their counts, the villages'
/// income bunching, the households' risk, the quality pack's check titles, and the alias
/// table (Chinese column names).
#[derive(Clone, Copy)]
pub struct ValidateBook<'a> {
    pub findings: &'a [Finding],
    pub summary: &'a QualitySummary,
    pub bunching: &'a [Bunching],
    pub risk: &'a [HouseholdRisk],
    pub titles: &'a BTreeMap<String, String>,
    pub aliases: &'a Aliases,
    /// County and village names, shown beside their codes.
    pub names: &'a super::workbook::Names,
}

/// A cell's value as the sheet shows it: a code by its label in Chinese (`05` → `05 死亡`),
/// a decimal rounded.
fn shown(lang: Lang, aliases: &Aliases, table: Option<Table>, column: &str, v: &str) -> String {
    let list = table.and_then(|t| t.column(column)).and_then(|c| match c.kind {
        crate::register::Kind::Code(list) => Some(list),
        _ => None,
    });
    match (lang, list.and_then(|l| aliases.label(l, v))) {
        (Lang::Zh, Some(label)) => format!("{v} {label}"),
        _ => rounded(v),
    }
}

/// A value as people write it: a decimal rounded to two places (`26540.450000000004` →
/// `26540.45`); anything else as it is.
fn rounded(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if v.contains('.') && x.is_finite() => {
            let s = format!("{x:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => v.to_string(),
    }
}

/// `validate.xlsx`: the findings (checks by title, tables and columns by their Chinese
/// names, values rounded), the counts per check and per county, the villages with bunched
/// incomes, and the households by risk score.
pub fn write_validate_xlsx(v: &ValidateBook, path: &Path, lang: Lang) -> Result<(), Error> {
    let ValidateBook { findings, summary, bunching, risk, titles, aliases, names } = *v;
    // Counties and villages by name with their code, as diff.xlsx shows them.
    let (county, village) = (|c: &str| names.county_with_code(c), |v: &str| names.village_with_code(v));
    let words = msg::validate_book(lang);
    // A check by its title, a table and a column by their Chinese names (names in English).
    let check = |c: &str| check_title(lang, titles, c).to_string();
    let table_of = |t: &str| Table::ALL.into_iter().find(|x| x.name() == t);
    let table_name = |t: &str| match table_of(t) {
        Some(x) if lang == Lang::Zh => messages::book::level_sheet(lang, x.level()).to_string(),
        _ => t.to_string(),
    };
    let column_name = |t: &str, c: &str| match (lang, table_of(t).and_then(|x| aliases.header(x, c))) {
        (Lang::Zh, Some(h)) => h.to_string(),
        _ => c.to_string(),
    };
    let mut book = super::excel::workbook();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    // The two long sheets are written a row at a time (constant memory, inline strings).
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(words.findings)?;
    for (c, h) in words.findings_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let limit = super::excel::XLSX_DETAIL_ROWS;
    for (i, f) in findings.iter().take(limit).enumerate() {
        let r = i as u32 + 1;
        let (check, table, column) = (check(&f.check), table_name(f.table), column_name(f.table, &f.column));
        let value =
            f.value.as_deref().map(|v| shown(lang, aliases, table_of(f.table), &f.column, v)).unwrap_or_default();
        // The note with the column's name and the value as shown beside it.
        let note = match &f.note {
            msg::Note::Check { title, value: Some(_), .. } => msg::note(
                lang,
                &msg::Note::Check { title: title.clone(), column: column.clone(), value: Some(value.clone()) },
            ),
            other => msg::note(lang, other),
        };
        let cells = [
            check.as_str(),
            msg::severity(lang, f.severity == FindingSeverity::Error),
            &table,
            &f.key,
            &column,
            &value,
            &note,
            &f.household_id,
            &county(&f.county),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *v)?;
        }
    }
    if findings.len() > limit {
        sheet.write_string(limit as u32 + 1, 0, msg::more_findings(lang, limit, findings.len() - limit))?;
    }
    sheet.autofilter(0, 0, findings.len().min(limit).max(1) as u32, 8)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(8, 18)?;

    let sheet = book.add_worksheet();
    sheet.set_name(words.by_check)?;
    for (c, h) in words.by_check_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (c, n)) in summary.by_check.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, check(c))?;
        sheet.write_number(i as u32 + 1, 1, *n as f64)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name(words.by_county)?;
    for (c, h) in words.by_county_headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    sheet.set_column_width(0, 18)?;
    let mut r = 1u32;
    for (county_code, checks) in &summary.by_county {
        for (c, n) in checks {
            sheet.write_string(r, 0, county(county_code))?;
            sheet.write_string(r, 1, check(c))?;
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
        sheet.write_string(r, 0, village(&b.village_code))?;
        sheet.write_string(r, 1, county(&b.county))?;
        sheet.write_number(r, 2, b.exited as f64)?;
        sheet.write_number(r, 3, b.just_above as f64)?;
        sheet.write_number(r, 4, b.just_below as f64)?;
        sheet.write_number(r, 5, b.share_above)?;
        sheet.write_number(r, 6, b.share_below)?;
        sheet.write_string(r, 7, msg::yes_no(lang, b.flagged))?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 18)?;
    let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    sheet.set_column_format(5, &percent)?;
    sheet.set_column_format(6, &percent)?;

    // Households by risk, highest first (the order `risk` gives).
    let (name, heads) = msg::risk_sheet(lang);
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, h) in risk.iter().take(limit).enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &h.household_id)?;
        sheet.write_string(r, 1, village(&h.village_code))?;
        sheet.write_string(r, 2, county(&h.county))?;
        for (c, v) in [h.wrong_exit_risk, h.missed_risk, h.wrong_inclusion_risk, h.monitor].iter().enumerate() {
            sheet.write_string(r, 3 + c as u16, messages::outcome(lang, *v))?;
        }
        sheet.write_number(r, 7, h.data_errors as f64)?;
        sheet.write_number(r, 8, h.data_warnings as f64)?;
        sheet.write_number(r, 9, h.risk_score as f64)?;
    }
    if risk.len() > limit {
        sheet.write_string(limit as u32 + 1, 0, msg::more_households(lang, limit, risk.len() - limit))?;
    }
    sheet.autofilter(0, 0, risk.len().min(limit).max(1) as u32, 9)?;
    sheet.set_freeze_panes(1, 1)?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(2, 18)?;
    book.save(path)?;
    Ok(())
}

/// `sample.xlsx` as the field teams print it: names from the register (county, village,
/// head of household), labels for codes, verdicts as 是/否/未知, and the three columns to
/// fill in (核实错退, 核实漏评人数, 群众认可) with drop-downs; A4 landscape, one page wide,
/// the header repeated on every page. `estimate --results` reads it back once filled.
pub fn write_sample_xlsx(
    sample: &[Sampled],
    register: &crate::register::Register,
    aliases: &Aliases,
    path: &Path,
    lang: Lang,
) -> Result<(), Error> {
    use rust_xlsxwriter::{DataValidation, DataValidationRule, Format};
    let words = msg::sample_book(lang);
    let households: std::collections::HashSet<&str> = sample.iter().map(|s| s.household_id.as_str()).collect();
    let names = super::workbook::Names::of_households(register, &households);
    let mut book = super::excel::workbook();
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_text_wrap();
    let fill = Format::new().set_background_color("#FFF2CC").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name(words.sheet)?;
    let widths = [8, 10, 14, 12, 10, 18, 10, 12, 8, 10, 8, 7, 10, 8, 8, 9, 9, 11, 9];
    for (c, h) in words.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, widths[c])?;
    }
    sheet.set_row_height(0, 32)?;
    let yes_no = |v: Option<bool>| messages::outcome(lang, v);
    let status = |s: &Option<String>| match s {
        Some(code) => match (lang, aliases.label(crate::register::CodeList::Status, code)) {
            (Lang::Zh, Some(label)) => format!("{code} {label}"),
            _ => code.clone(),
        },
        None => String::new(),
    };
    for (i, s) in sample.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = [
            s.county.clone(),
            names.county(&s.county).to_string(),
            s.village_code.clone(),
            names.village.get(&s.village_code).cloned().unwrap_or_default(),
            msg::village_stratum(lang, s.village_stratum == "poor").to_string(),
            s.household_id.clone(),
            names.head.get(&s.household_id).cloned().unwrap_or_default(),
            msg::household_stratum(lang, s.household_stratum == "registered").to_string(),
            msg::risk_stratum(lang, s.risk_stratum == "risk").to_string(),
            status(&s.status),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string(r, c as u16, t)?;
        }
        sheet.write_number(r, 10, s.size as f64)?;
        sheet.write_number(r, 11, s.risk_score as f64)?;
        sheet.write_string(r, 12, yes_no(s.meets_exit_standard))?;
        sheet.write_string(r, 13, yes_no(s.wrong_exit_risk))?;
        sheet.write_string(r, 14, yes_no(s.missed_risk))?;
        sheet.write_number_with_format(r, 15, s.weight, &Format::new().set_num_format("0.0"))?;
        for c in 16..19 {
            sheet.write_blank(r, c, &fill)?;
        }
    }
    let last = sample.len().max(1) as u32;
    let choose = DataValidation::new()
        .allow_list_strings(&["是", "否"])?
        .set_input_message(words.yes_no_prompt)?
        .set_error_message(words.yes_no_prompt)?;
    sheet.add_data_validation(1, 16, last, 16, &choose)?;
    sheet.add_data_validation(1, 18, last, 18, &choose)?;
    let count = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_input_message(words.count_prompt)?
        .set_error_message(words.count_prompt)?;
    sheet.add_data_validation(1, 17, last, 17, &count)?;
    sheet.autofilter(0, 0, last, words.headers.len() as u16 - 1)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    book.save(path)?;
    Ok(())
}

/// `estimates.xlsx`: each county's three rates with their intervals and the chance they
/// break their thresholds, as percentages, and the verdict the point estimates imply.
pub fn write_estimates_xlsx(
    est: &[crate::inspect::estimate::CountyEstimate],
    path: &Path,
    lang: Lang,
) -> Result<(), Error> {
    use rust_xlsxwriter::Format;
    let (name, heads) = msg::estimates_book(lang);
    let names = messages::estimate::rate_names(lang);
    let mut book = super::excel::workbook();
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_text_wrap();
    let pct = Format::new().set_num_format("0.00%");
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 1 { 12 } else { 14 })?;
    }
    sheet.set_row_height(0, 48)?;
    let mut row = 1u32;
    for e in est {
        for (k, r) in [&e.wrong_exit_rate, &e.missed_rate, &e.recognition_rate].iter().enumerate() {
            sheet.write_string(row, 0, &e.county)?;
            sheet.write_string(row, 1, names[k])?;
            sheet.write_number(row, 2, r.households as f64)?;
            for (c, v) in [r.estimate, r.standard_error, r.ci_low, r.ci_high, r.probability_breaks].iter().enumerate() {
                if let Some(v) = v {
                    sheet.write_number_with_format(row, 3 + c as u16, *v, &pct)?;
                }
            }
            sheet.write_number(row, 8, r.single_village_strata as f64)?;
            sheet.write_number(row, 11, r.villages as f64)?;
            if k == 0 {
                sheet.write_string(row, 9, messages::outcome(lang, e.passes))?;
                if let Some(p) = e.probability_passes {
                    sheet.write_number_with_format(row, 10, p, &pct)?;
                }
            }
            row += 1;
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofilter(0, 0, row.saturating_sub(1).max(1), 11)?;
    book.save(path)?;
    Ok(())
}
