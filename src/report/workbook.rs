//! The result workbook a county office can hand on (`check --format xlsx`, or `--report`
//! beside Parquet or CSV): a summary sheet first (the run's facts, totals per level with every
//! flag and unknown count, the counties side by side, a chart of households by outcome per
//! county), then one sheet per level (县, 村, 农户, 人员).
//!
//! Level sheets put the keys and the names carried from the register first (head of household,
//! village, county), then the level's main verdict and its reason, the risk flags, the other
//! published results and the remaining rules. Headers are the rules' titles (names with
//! `--lang en`), codes are written as their labels, verdicts as 是/否/未知, money with two
//! decimals, shares as percentages (by the rule's `单位`). Each sheet has a frozen header,
//! filters and column widths. Rows are written in order with constant memory, so a sheet of a
//! million households needs no more memory than a few rows.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet};

use super::excel::XLSX_MAX_ROWS;
use super::summary::{RunInfo, Summary};
use crate::Error;
use crate::eval::{LevelOutcome, Outcomes, Value, Values};
use crate::messages::book::{self as words, Column as C};
use crate::messages::{self, Lang};
use crate::register::{Aliases, CodeList, LoadedTable, Register, Table};
use crate::rules::{Pack, RuleKind};

/// Everything the workbook is written from.
pub struct Results<'a> {
    pub pack: &'a Pack,
    pub outcomes: &'a Outcomes,
    pub register: &'a Register,
    pub summary: &'a Summary<'a>,
    pub info: &'a RunInfo,
    pub lang: Lang,
    pub aliases: &'a Aliases,
    /// Names carried from the register, built once for the workbook and the page.
    pub names: &'a Names,
    /// The format of the full tables written beside the workbook (`check --report`), or
    /// `None` when the workbook is the result (`--format xlsx`). Beside full tables, a level
    /// sheet keeps to its first [`super::excel::XLSX_DETAIL_ROWS`] rows and says where the
    /// rest are.
    pub beside: Option<crate::register::Format>,
}

/// Write the workbook to `path`.
pub fn write(path: &Path, r: &Results) -> Result<(), Error> {
    let mut book = super::excel::workbook();
    let names = r.names;
    summary_sheet(&mut book, r, names)?;
    for t in [Table::Counties, Table::Villages, Table::Households, Table::Persons] {
        if let Some(level) = r.outcomes.level(t) {
            level_sheet(&mut book, r, level, names)?;
        }
    }
    book.save(path)?;
    Ok(())
}

/// Names carried from the register: counties and villages by code, heads of household by
/// household.
fn with_code(name: Option<&String>, code: &str) -> String {
    match name {
        Some(n) => format!("{n}（{code}）"),
        None => code.to_string(),
    }
}

pub struct Names {
    pub(super) county: HashMap<String, String>,
    pub(super) village: HashMap<String, String>,
    pub(super) head: HashMap<String, String>,
}

impl Names {
    /// A county by its name with its code (`永顺县（433127）`), the code alone when unnamed.
    pub fn county_with_code(&self, code: &str) -> String {
        with_code(self.county.get(code), code)
    }

    /// A village by its name with its code (`华村（433127100201）`).
    pub fn village_with_code(&self, code: &str) -> String {
        with_code(self.village.get(code), code)
    }

    pub fn of(reg: &Register) -> Names {
        Names::of_some(reg, None)
    }

    /// The names, with heads of household only for `households` (a sample of a few hundred
    /// out of a million: the whole map took 1.1 s at 1,000,000 households).
    pub fn of_households(reg: &Register, households: &std::collections::HashSet<&str>) -> Names {
        Names::of_some(reg, Some(households))
    }

    fn of_some(reg: &Register, only: Option<&std::collections::HashSet<&str>>) -> Names {
        let pairs = |t: Table, key: &str, name: &str| -> HashMap<String, String> {
            let Some(lt) = reg.table(t) else { return HashMap::new() };
            let (Some(k), Some(n)) = (text(lt, key), text(lt, name)) else { return HashMap::new() };
            k.iter()
                .zip(n.iter())
                .filter_map(|(k, n)| Some((k?.to_string(), n?.to_string())))
                .filter(|(_, n)| !n.is_empty())
                .collect()
        };
        let mut head = HashMap::new();
        if let Some(p) = reg.table(Table::Persons).filter(|_| only.is_none_or(|o| !o.is_empty()))
            && let (Some(h), Some(n), Some(rel)) = (text(p, "household_id"), text(p, "name"), code(p, "relation"))
        {
            // The head of household is the member whose relation is 01 (户主).
            for ((h, n), rel) in h.iter().zip(n.iter()).zip(rel.iter()) {
                if let (Some(h), Some(n), Some(0)) = (h, n, rel)
                    && only.is_none_or(|o| o.contains(h))
                {
                    head.entry(h.to_string()).or_insert_with(|| n.to_string());
                }
            }
        }
        Names {
            county: pairs(Table::Counties, "county_code", "county_name"),
            village: pairs(Table::Villages, "village_code", "village_name"),
            head,
        }
    }

    pub(super) fn county(&self, code: &str) -> &str {
        self.county.get(code).map_or("", String::as_str)
    }
}

fn text<'a>(lt: &'a LoadedTable, col: &str) -> Option<&'a StringChunked> {
    lt.frame.column(col).ok()?.str().ok()
}

fn code<'a>(lt: &'a LoadedTable, col: &str) -> Option<&'a UInt8Chunked> {
    lt.frame.column(col).ok()?.u8().ok()
}

fn bold() -> Format {
    Format::new().set_bold()
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color("#DDEBF7").set_text_wrap().set_align(FormatAlign::Center)
}

/// The display width of a text, counting a Chinese character as two.
fn width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum()
}

pub(super) fn when() -> String {
    let t = super::excel::source_date_epoch()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .unwrap_or_else(chrono::Utc::now);
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A rule's title in the user's language (its name in English, titles being Chinese).
fn title(pack: &Pack, r: usize, lang: Lang) -> &str {
    let rule = &pack.rules[r];
    match lang {
        Lang::Zh if !rule.title.is_empty() => &rule.title,
        _ => &rule.name,
    }
}

/// The rules of a level in the order a reader wants them: the main verdict, the flags, the
/// other published results, then the rest in the pack's order.
fn rule_order(pack: &Pack, level: &LevelOutcome) -> Vec<usize> {
    let t = level.table;
    let mut order: Vec<usize> = pack.main_rule(t).into_iter().collect();
    order.extend(pack.flag_rules(t));
    let outputs = pack.manifest.outputs.get(t.level()).cloned().unwrap_or_default();
    order.extend(outputs.iter().filter_map(|n| pack.rule_index(t, n)));
    for (r, _) in &level.results {
        if !order.contains(r) {
            order.push(*r);
        }
    }
    order.retain(|r| level.values(*r).is_some());
    order
}

fn summary_sheet(book: &mut Workbook, r: &Results, names: &Names) -> Result<(), Error> {
    let lang = r.lang;
    let sheet = book.add_worksheet();
    sheet.set_name(words::summary_sheet(lang))?;
    let b = bold();
    sheet.write_string_with_format(
        0,
        0,
        words::title(lang, &r.pack.manifest.name, r.outcomes.year),
        &Format::new().set_bold().set_font_size(14),
    )?;
    let set_aside: usize = r.info.set_aside.values().sum();
    let facts = words::facts(lang);
    let values = [
        r.outcomes.year.to_string(),
        format!("{}（{}）", r.pack.manifest.name, r.info.rules),
        r.info.data.clone(),
        when(),
        words::thousands(r.info.input_errors as u64),
        words::thousands(set_aside as u64),
        words::thousands(r.summary.rule_errors as u64),
    ];
    for (i, (k, v)) in facts.iter().zip(values).enumerate() {
        sheet.write_string_with_format(2 + i as u32, 0, *k, &b)?;
        sheet.write_string(2 + i as u32, 1, v)?;
    }

    // Totals per level: every verdict (是/否/未知), main verdict and flags first.
    let (heading, heads) = words::totals_heading(lang);
    let mut row = 10u32;
    sheet.write_string_with_format(row, 0, heading, &Format::new().set_bold().set_font_size(12))?;
    row += 1;
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *h, &header_format())?;
    }
    row += 1;
    let count = super::excel::count_format();
    // A village's or county's exit verdict is counted among the poor ones only.
    let among_poor = super::summary::among_poor(r.pack, r.register, r.outcomes);
    let poor_of = |t: Table| among_poor.iter().find(|a| a.table == t);
    for t in [Table::Counties, Table::Villages, Table::Households, Table::Persons] {
        let Some(level) = r.outcomes.level(t) else { continue };
        let Some(ls) = r.summary.levels.get(t.level()) else { continue };
        let main = r.pack.main_rule(t);
        for rule in rule_order(r.pack, level) {
            let p = &r.pack.rules[rule];
            if p.kind != RuleKind::Predicate {
                continue;
            }
            let Some(rs) = ls.rules.get(&p.name) else { continue };
            let (yes, no, unknown, label) = match poor_of(t).filter(|_| main == Some(rule)) {
                Some(a) => (a.total.0, a.total.1, a.total.2, words::level_poor(lang, t.level(), ls.rows, a.poor)),
                None => (
                    rs.total.yes.unwrap_or(0),
                    rs.total.no.unwrap_or(0),
                    rs.total.unknown,
                    words::level_rows(lang, t.level(), ls.rows),
                ),
            };
            sheet.write_string(row, 0, &label)?;
            sheet.write_string(row, 1, title(r.pack, rule, lang))?;
            sheet.write_number_with_format(row, 2, yes as f64, &count)?;
            sheet.write_number_with_format(row, 3, no as f64, &count)?;
            sheet.write_number_with_format(row, 4, unknown as f64, &count)?;
            row += 1;
        }
    }

    // The counties side by side: households, the household verdict and flags, villages and
    // the county's own verdict.
    row += 1;
    let (heading, fixed) = words::by_county_heading(lang);
    sheet.write_string_with_format(row, 0, heading, &Format::new().set_bold().set_font_size(12))?;
    row += 1;
    let header_row = row;
    let households = r.summary.levels.get("household");
    let main = r.pack.main_rule(Table::Households).filter(|&m| r.pack.rules[m].kind == RuleKind::Predicate);
    let mut cols: Vec<(String, usize, Option<bool>)> = vec![];
    if let Some(m) = main {
        for o in [Some(true), Some(false), None] {
            cols.push((words::outcome_column(lang, title(r.pack, m, lang), o), m, o));
        }
    }
    for f in r.pack.flag_rules(Table::Households) {
        for o in [Some(true), None] {
            cols.push((words::outcome_column(lang, title(r.pack, f, lang), o), f, o));
        }
    }
    let village_main = r.pack.main_rule(Table::Villages);
    let county_main = r.pack.main_rule(Table::Counties);
    let mut heads: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    heads.extend(cols.iter().map(|(h, ..)| h.clone()));
    if let Some(m) = village_main {
        for o in [Some(true), Some(false), None] {
            heads.push(words::outcome_column(lang, title(r.pack, m, lang), o));
        }
    }
    if let Some(m) = county_main {
        heads.push(title(r.pack, m, lang).to_string());
    }
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, h, &header_format())?;
    }
    row += 1;
    let mut counties: Vec<String> =
        households.map(|h| h.rules.values().flat_map(|rs| rs.by_county.keys().cloned()).collect()).unwrap_or_default();
    counties.sort();
    counties.dedup();
    counties.retain(|c| !c.is_empty());
    let first_data = row;
    let county_level = r.outcomes.level(Table::Counties);
    for code in &counties {
        sheet.write_string(row, 0, code)?;
        sheet.write_string(row, 1, names.county(code))?;
        let n = households
            .and_then(|h| h.rules.values().next())
            .and_then(|rs| rs.by_county.get(code))
            .map(|c| c.yes.unwrap_or(0) + c.no.unwrap_or(0) + c.known.unwrap_or(0) + c.unknown)
            .unwrap_or(0);
        sheet.write_number_with_format(row, 2, n as f64, &count)?;
        let mut c = 3u16;
        for (_, rule, o) in &cols {
            let counts =
                households.and_then(|h| h.rules.get(&r.pack.rules[*rule].name)).and_then(|rs| rs.by_county.get(code));
            let v = counts.map(|k| match o {
                Some(true) => k.yes.unwrap_or(0),
                Some(false) => k.no.unwrap_or(0),
                None => k.unknown,
            });
            sheet.write_number_with_format(row, c, v.unwrap_or(0) as f64, &count)?;
            c += 1;
        }
        if village_main.is_some() {
            // Among the county's poor villages.
            let k = poor_of(Table::Villages).and_then(|a| a.by_county.get(code)).copied().unwrap_or_default();
            for v in [k.0, k.1, k.2] {
                sheet.write_number_with_format(row, c, v as f64, &count)?;
                c += 1;
            }
        }
        if let (Some(m), Some(cl)) = (county_main, county_level) {
            let i = (0..cl.len()).find(|&i| cl.key(i) == code);
            let v = i.and_then(|i| cl.values(m).map(|v| v[i]));
            let said = match v {
                Some(Value::Bool(b)) => messages::outcome(lang, Some(b)),
                _ => messages::outcome(lang, None),
            };
            sheet.write_string(row, c, said)?;
        }
        row += 1;
    }
    let last_data = row.saturating_sub(1);
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 48)?;
    for c in 2..heads.len().max(5) as u16 {
        sheet.set_column_width(c, 14)?;
    }
    sheet.set_row_height(header_row, 45)?;

    // A stacked column chart of the household verdict per county.
    if let Some(m) = main
        && !counties.is_empty()
    {
        let name = words::summary_sheet(lang);
        let mut chart = Chart::new(ChartType::ColumnStacked);
        let colours = ["#70AD47", "#C00000", "#A6A6A6"];
        for k in 0..3u16 {
            let col = 3 + k;
            chart
                .add_series()
                .set_name((name, header_row, col))
                .set_categories((name, first_data, 1, last_data, 1))
                .set_values((name, first_data, col, last_data, col))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new()
                        .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(colours[k as usize])),
                );
        }
        chart.title().set_name(&words::chart_title(lang, title(r.pack, m, lang)));
        chart.y_axis().set_name(words::households_axis(lang));
        chart.set_width(720).set_height(380);
        sheet.insert_chart(1, 6, &chart)?;
    }
    Ok(())
}

/// The non-rule columns of a level, as (header, width, cells by row).
type Lead = (String, f64, Vec<String>);

fn lead_columns(r: &Results, level: &LevelOutcome, names: &Names) -> Vec<Lead> {
    let lang = r.lang;
    let n = level.len();
    let keys: Vec<String> = (0..n).map(|i| level.key(i).to_string()).collect();
    let lt = r.register.table(level.table);
    // The register's rows are the outcome's rows, in order (checked on the keys).
    let same_rows = lt.is_some_and(|lt| {
        text(lt, level.table.key())
            .is_some_and(|k| k.len() == n && k.iter().zip(&keys).all(|(a, b)| a == Some(b.as_str())))
    });
    let label_of = |col: &str, list: CodeList| -> Option<Vec<String>> {
        let lt = lt.filter(|_| same_rows)?;
        let c = code(lt, col)?;
        Some(
            c.iter()
                .map(|v| {
                    v.and_then(|i| list.codes().get(i as usize))
                        .map(|code| r.aliases.label(list, code).map_or_else(|| code.to_string(), str::to_string))
                        .unwrap_or_default()
                })
                .collect(),
        )
    };
    let county_of = |i: usize| level.county_of(i).to_string();
    let mut out: Vec<Lead> = vec![];
    let h = |c: C| words::column(lang, c).to_string();
    match level.table {
        Table::Persons => {
            out.push((h(C::PersonId), 21.0, keys.clone()));
            if let Some(names_col) = lt.filter(|_| same_rows).and_then(|lt| text(lt, "name")) {
                out.push((h(C::Name), 10.0, names_col.iter().map(|v| v.unwrap_or("").to_string()).collect()));
            }
            out.push((h(C::HouseholdId), 18.0, level.extra_key()));
        }
        Table::Households => {
            out.push((h(C::HouseholdId), 18.0, keys.clone()));
            out.push((h(C::Head), 10.0, keys.iter().map(|k| names.head.get(k).cloned().unwrap_or_default()).collect()));
            let villages = level.extra_key();
            out.push((
                h(C::Village),
                16.0,
                villages.iter().map(|v| names.village.get(v).cloned().unwrap_or_default()).collect(),
            ));
            out.push((h(C::County), 14.0, (0..n).map(|i| names.county(&county_of(i)).to_string()).collect()));
            if let Some(s) = label_of("status", CodeList::Status) {
                out.push((h(C::Status), 12.0, s));
            }
        }
        Table::Villages => {
            out.push((h(C::VillageCode), 15.0, keys.clone()));
            out.push((
                h(C::Village),
                16.0,
                keys.iter().map(|v| names.village.get(v).cloned().unwrap_or_default()).collect(),
            ));
            out.push((h(C::County), 14.0, (0..n).map(|i| names.county(&county_of(i)).to_string()).collect()));
            if let Some(p) =
                lt.filter(|_| same_rows).and_then(|lt| lt.frame.column("poor_village").ok()?.bool().ok().cloned())
            {
                out.push((h(C::PoorVillage), 8.0, p.iter().map(|v| messages::outcome(lang, v).to_string()).collect()));
            }
        }
        Table::Counties => {
            out.push((h(C::CountyCode), 10.0, keys.clone()));
            out.push((h(C::County), 14.0, keys.iter().map(|k| names.county(k).to_string()).collect()));
            if let Some(s) = label_of("poor_county", CodeList::PoorCounty) {
                out.push((h(C::PoorCounty), 12.0, s));
            }
        }
    }
    out
}

/// The number format of a number rule, by its unit.
fn number_format(unit: Option<&str>, whole: bool) -> Format {
    match unit {
        Some("元") => Format::new().set_num_format("#,##0.00"),
        Some("%") => Format::new().set_num_format("0.00%"),
        _ if whole => Format::new().set_num_format("#,##0"),
        _ => Format::new().set_num_format("#,##0.00"),
    }
}

fn level_sheet(book: &mut Workbook, r: &Results, level: &LevelOutcome, names: &Names) -> Result<(), Error> {
    let lang = r.lang;
    let sheet_name = words::level_sheet(lang, level.table.level());
    let shown = match r.beside {
        Some(_) => level.len().min(super::excel::XLSX_DETAIL_ROWS),
        None => level.len(),
    };
    if r.beside.is_none() && level.len() + 1 > XLSX_MAX_ROWS {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        sheet.write_string(0, 0, words::too_many_rows(lang, level.len()))?;
        return Ok(());
    }
    let sheet: &mut Worksheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name)?;
    let lead = lead_columns(r, level, names);
    let order = rule_order(r.pack, level);
    let main = r.pack.main_rule(level.table).filter(|m| order.first() == Some(m));
    let reasons = main
        .and_then(|_| super::reasons::Sayer::new(r.pack, level, r.outcomes.year, lang, r.aliases, Some(r.register)));

    // Headers and widths.
    let hf = header_format();
    let mut c = 0u16;
    for (h, w, _) in &lead {
        sheet.write_string_with_format(0, c, h, &hf)?;
        sheet.set_column_width(c, w.max(width(h) + 2.0))?;
        c += 1;
    }
    let mut rule_cols: Vec<(usize, u16)> = vec![];
    let mut reason_col = None;
    for (k, &rule) in order.iter().enumerate() {
        let t = title(r.pack, rule, lang);
        sheet.write_string_with_format(0, c, t, &hf)?;
        sheet.set_column_width(c, (width(t) / 2.0 + 2.0).clamp(10.0, 24.0))?;
        rule_cols.push((rule, c));
        c += 1;
        if k == 0 && reasons.is_some() {
            sheet.write_string_with_format(0, c, words::column(lang, C::Reasons), &hf)?;
            sheet.set_column_width(c, 60.0)?;
            reason_col = Some(c);
            c += 1;
        }
    }
    let last_col = c.saturating_sub(1);
    sheet.set_row_height(0, 45)?;
    let formats: Vec<Format> = order
        .iter()
        .map(|&rule| {
            let whole = matches!(level.number_types.get(&rule), Some(crate::eval::compiled::Ty::Int));
            number_format(r.pack.rules[rule].unit.as_deref(), whole)
        })
        .collect();
    let values: Vec<&Values> = order.iter().map(|&rule| level.values(rule).unwrap_or(Values::EMPTY)).collect();

    // Rows, in order (constant memory).
    for i in 0..shown {
        let row = i as u32 + 1;
        for (c, (_, _, cells)) in lead.iter().enumerate() {
            if let Some(v) = cells.get(i).filter(|v| !v.is_empty()) {
                sheet.write_string(row, c as u16, v)?;
            }
        }
        for (k, (rule, c)) in rule_cols.iter().enumerate() {
            let v = values[k].get(i).copied().unwrap_or_default();
            match (r.pack.rules[*rule].kind, v) {
                (_, Value::Bool(b)) => {
                    sheet.write_string(row, *c, messages::outcome(lang, Some(b)))?;
                }
                (RuleKind::Predicate, Value::Unknown) => {
                    sheet.write_string(row, *c, messages::outcome(lang, None))?;
                }
                (_, Value::Int(x)) => {
                    sheet.write_number_with_format(row, *c, x as f64, &formats[k])?;
                }
                (_, Value::Float(x)) => {
                    sheet.write_number_with_format(row, *c, x, &formats[k])?;
                }
                (RuleKind::Value, Value::Unknown) => {}
            }
            if k == 0
                && let (Some(rc), Some(sayer)) = (reason_col, &reasons)
            {
                let text = sayer.row(i);
                if !text.is_empty() {
                    sheet.write_string(row, rc, text.as_ref())?;
                }
            }
        }
    }
    if let Some(format) = r.beside.filter(|_| shown < level.len()) {
        let file = format!("{}.{}", level.table.name(), format.extension());
        sheet.write_string(shown as u32 + 1, 0, words::first_rows_only(lang, shown, level.len() - shown, &file))?;
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, shown.max(1) as u32, last_col)?;
    Ok(())
}
