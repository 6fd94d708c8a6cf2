//! `tuopin diff`: two versions of a rule pack (or one pack at two years) over one register,
//! and what changes.
//!
//! For every rule both versions have, each row's outcome is compared: true→false,
//! false→true, to unknown, from unknown, or (for a number) changed. Counts are kept per rule
//! in total, per county and per village; every changed row is listed with both outcomes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::eval::{Outcomes, Value, Values};
use crate::messages::{self, Lang};
use crate::register::Table;
use crate::rules::Pack;

/// How many rows changed, by direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Transitions {
    pub true_to_false: u64,
    pub false_to_true: u64,
    pub to_unknown: u64,
    pub from_unknown: u64,
    /// A number that changed (both known).
    pub changed: u64,
}

impl Transitions {
    /// true→false, false→true, to unknown, from unknown, number changed.
    pub fn counts(&self) -> [u64; 5] {
        [self.true_to_false, self.false_to_true, self.to_unknown, self.from_unknown, self.changed]
    }

    pub fn total(&self) -> u64 {
        self.true_to_false + self.false_to_true + self.to_unknown + self.from_unknown + self.changed
    }

    fn add(&mut self, base: Value, new: Value) -> bool {
        let slot = match (base, new) {
            (Value::Bool(true), Value::Bool(false)) => &mut self.true_to_false,
            (Value::Bool(false), Value::Bool(true)) => &mut self.false_to_true,
            (Value::Unknown, Value::Unknown) => return false,
            (b, Value::Unknown) if b != Value::Unknown => &mut self.to_unknown,
            (Value::Unknown, _) => &mut self.from_unknown,
            (b, n) if b.as_f64().is_some() && b.as_f64() != n.as_f64() => &mut self.changed,
            _ => return false,
        };
        *slot += 1;
        true
    }
}

/// How many rows of a rule came out 是, 否 and 未知 (a number rule: known and unknown, as
/// 是 and 未知).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub yes: u64,
    pub no: u64,
    pub unknown: u64,
}

impl Tally {
    fn of(vals: &Values) -> Tally {
        let mut t = Tally::default();
        for v in vals {
            match v {
                Value::Bool(false) => t.no += 1,
                Value::Unknown => t.unknown += 1,
                _ => t.yes += 1,
            }
        }
        t
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleDiff {
    /// The level (`person`, `household`, …).
    pub level: &'static str,
    /// The rule's index in the base pack and in the new pack.
    #[serde(skip)]
    pub index: (usize, usize),
    pub rule: String,
    pub title: String,
    /// A number rule (its known values are tallied as `yes`).
    pub number: bool,
    /// The rule's outcomes under the base and the new version.
    pub before: Tally,
    pub after: Tally,
    pub total: Transitions,
    pub by_county: BTreeMap<String, Transitions>,
    pub by_village: BTreeMap<String, Transitions>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub level: &'static str,
    pub key: String,
    /// Shared by every change of the village, county or rule (millions of rows change
    /// between two years: one copy of each name, not one per row).
    pub village: std::sync::Arc<str>,
    pub county: std::sync::Arc<str>,
    pub rule: std::sync::Arc<str>,
    pub base: Option<std::borrow::Cow<'static, str>>,
    pub new: Option<std::borrow::Cow<'static, str>>,
}

/// A parameter whose value differs between the two versions (for the years compared).
#[derive(Debug, Clone, Serialize)]
pub struct ParamChange {
    pub name: String,
    /// Its Chinese name (or its name).
    pub label: String,
    pub unit: Option<String>,
    pub base: Option<f64>,
    pub new: Option<f64>,
}

/// A changed row, compactly: the rule (its index in [`Diff::rules`]) and the row of its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub rule: u32,
    pub row: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    pub rules: Vec<RuleDiff>,
    /// The first [`XLSX_DETAIL_ROWS`](super::excel::XLSX_DETAIL_ROWS) changed rows of each
    /// level, in words (what the workbook lists).
    pub changes: Vec<Change>,
    /// Every changed row, by rule then row: `changes.csv` says them all ([`write_changes`]).
    /// 3.4 M rows change between 2019 and 2020 on 1,000,000 households; kept as two numbers
    /// each (27 MB) instead of a row of text each (~400 MB).
    #[serde(skip)]
    pub changed: Vec<Changed>,
    /// Where each row of a level lies: its village and county (indices into `places`).
    #[serde(skip)]
    places: Places,
    /// Rules only in the new pack, and only in the base pack.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Rules in both whose script differs.
    pub edited: Vec<String>,
    /// The parameters that differ.
    pub params: Vec<ParamChange>,
    /// The outcomes of each added rule: (id, title, tally).
    pub added_outcomes: Vec<(String, String, Tally)>,
    /// The years compared.
    pub years: (i32, i32),
}

fn cell(v: Value) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    match v {
        Value::Unknown => None,
        Value::Bool(true) => Some(Cow::Borrowed("true")),
        Value::Bool(false) => Some(Cow::Borrowed("false")),
        Value::Int(i) => Some(Cow::Owned(i.to_string())),
        Value::Float(f) => Some(Cow::Owned(f.to_string())),
    }
}

/// The village and county of every row of each level, as indices into one list of names
/// (each name once; "" for none, index 0).
#[derive(Debug, Clone, Default)]
struct Places {
    names: Vec<std::sync::Arc<str>>,
    index: HashMap<String, u32>,
    /// Per level (persons, households, villages, counties): (village, county) of each row.
    of_level: Vec<(Table, Vec<u32>, Vec<u32>)>,
}

impl Places {
    /// `person_household`: each member's household row (the register's hierarchy).
    fn of(outcomes: &Outcomes, person_household: &[Option<u32>]) -> Places {
        let mut p = Places::default();
        p.name("");
        let households = outcomes.level(Table::Households);
        let household_villages: Vec<u32> =
            match households.and_then(|h| h.extra_keys.first()).and_then(|c| c.str().ok()) {
                Some(v) => p.names_of(v),
                None => vec![0; households.map_or(0, |h| h.len())],
            };
        for l in &outcomes.levels {
            let villages = match l.table {
                Table::Households => household_villages.clone(),
                Table::Villages => p.names_of(&l.keys),
                Table::Counties => vec![0; l.len()],
                Table::Persons if person_household.len() == l.len() => person_household
                    .iter()
                    .map(|h| h.and_then(|h| household_villages.get(h as usize).copied()).unwrap_or(0))
                    .collect(),
                Table::Persons => vec![0; l.len()],
            };
            let codes: Vec<u32> = l.county_codes.iter().map(|c| p.name(c)).collect();
            let counties = (0..l.len())
                .map(|i| l.county.get(i).and_then(|&c| codes.get(c as usize)).copied().unwrap_or(0))
                .collect();
            p.of_level.push((l.table, villages, counties));
        }
        p
    }

    /// The index of a name, added if new.
    fn name(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.names.push(std::sync::Arc::from(s));
        self.index.insert(s.to_string(), (self.names.len() - 1) as u32);
        (self.names.len() - 1) as u32
    }

    /// The index of each text of a column (rows come grouped by village: a run of equal
    /// texts is looked up once).
    fn names_of(&mut self, texts: &polars::prelude::StringChunked) -> Vec<u32> {
        let mut last: Option<(&str, u32)> = None;
        texts
            .iter()
            .map(|t| {
                let t = t.unwrap_or("");
                match last {
                    Some((k, i)) if k == t => i,
                    _ => {
                        let i = self.name(t);
                        last = Some((t, i));
                        i
                    }
                }
            })
            .collect()
    }

    fn level(&self, t: Table) -> Option<(&[u32], &[u32])> {
        self.of_level.iter().find(|(l, ..)| *l == t).map(|(_, v, c)| (v.as_slice(), c.as_slice()))
    }
}

/// Compare two evaluations of one register: what changed in the pack (rules added,
/// removed or edited; parameters whose value for the years compared differs), and in the
/// outcomes.
/// `person_household`: each member's household row in the register (its hierarchy).
pub fn diff(
    base_pack: &Pack,
    base: &Outcomes,
    new_pack: &Pack,
    new: &Outcomes,
    person_household: &[Option<u32>],
) -> Diff {
    let mut d = Diff { years: (base.year, new.year), ..Diff::default() };
    for (i, r) in new_pack.rules.iter().enumerate() {
        match base_pack.rule(&r.id) {
            None => {
                d.added.push(r.id.clone());
                if let Some(v) = new.level(r.level).and_then(|l| l.values(i)) {
                    d.added_outcomes.push((r.id.clone(), r.title.clone(), Tally::of(v)));
                }
            }
            Some(b) if b.text.trim() != r.text.trim() => d.edited.push(r.id.clone()),
            Some(_) => {}
        }
    }
    for r in &base_pack.rules {
        if new_pack.rule(&r.id).is_none() {
            d.removed.push(r.id.clone());
        }
    }
    let names: std::collections::BTreeSet<&String> =
        base_pack.params.params.keys().chain(new_pack.params.params.keys()).collect();
    for name in names {
        let (bp, np) = (base_pack.params.params.get(name), new_pack.params.params.get(name));
        let b = bp.and_then(|p| p.value_in(base.year, base_pack.manifest.years[1]));
        let n = np.and_then(|p| p.value_in(new.year, new_pack.manifest.years[1]));
        if b != n {
            let p = np.or(bp);
            d.params.push(ParamChange {
                name: name.clone(),
                label: p.and_then(|p| p.alias.clone()).unwrap_or_else(|| name.clone()),
                unit: p.and_then(|p| p.unit.clone()),
                base: b,
                new: n,
            });
        }
    }
    // Per county and village, counted by index (names looked up once, at the end).
    d.places = Places::of(new, person_household);
    let places = &d.places;
    let limit = super::excel::XLSX_DETAIL_ROWS;
    for t in Table::ALL {
        let (Some(bl), Some(nl)) = (base.level(t), new.level(t)) else { continue };
        let Some((villages, counties)) = places.level(t) else { continue };
        // The rules of the level in both packs, with their values in each.
        let pairs: Vec<(usize, usize, &crate::rules::Rule, &Values, &Values)> = new_pack
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.level == t)
            .filter_map(|(ni, nrule)| {
                let bi = base_pack.rules.iter().position(|r| r.id == nrule.id)?;
                Some((ni, bi, nrule, bl.values(bi)?, nl.values(ni)?))
            })
            .collect();
        // Each rule compared on its own, in parallel.
        let compared: Vec<(RuleDiff, Vec<u32>)> = {
            use rayon::prelude::*;
            pairs
                .par_iter()
                .map(|&(ni, bi, nrule, bv, nv)| {
                    compare_rule(nrule, (bi, ni), (bv, nv), (villages, counties), &places.names)
                })
                .collect()
        };
        // In the packs' order: the changed rows, and the first `limit` of the level in words.
        let mut listed = 0;
        for ((rule, rows), &(.., bv, nv)) in compared.into_iter().zip(&pairs) {
            let k = d.rules.len() as u32;
            d.changed.extend(rows.iter().map(|&row| Changed { rule: k, row }));
            let rule_id: std::sync::Arc<str> = std::sync::Arc::from(rule.rule.as_str());
            for &row in rows.iter().take(limit - listed) {
                let row = row as usize;
                let (v, c) = (villages[row] as usize, counties[row] as usize);
                d.changes.push(Change {
                    level: t.level(),
                    key: nl.key(row).to_string(),
                    village: places.names[v].clone(),
                    county: places.names[c].clone(),
                    rule: rule_id.clone(),
                    base: cell(bv[row]),
                    new: cell(nv[row]),
                });
            }
            listed += rows.len().min(limit - listed);
            d.rules.push(rule);
        }
    }
    d
}

/// One rule's comparison over its level's rows: its counts (in all, per county, per village)
/// and the rows that changed. `places`: each row's village and county, indices into `names`.
fn compare_rule(
    rule: &crate::rules::Rule,
    index: (usize, usize),
    (bv, nv): (&Values, &Values),
    (villages, counties): (&[u32], &[u32]),
    names: &[std::sync::Arc<str>],
) -> (RuleDiff, Vec<u32>) {
    let mut total = Transitions::default();
    let mut by_county = vec![Transitions::default(); names.len()];
    let mut by_village = vec![Transitions::default(); names.len()];
    let mut rows = vec![];
    let mut count = |row: usize, b: Value, n: Value| {
        if total.add(b, n) {
            let (v, c) = (villages[row] as usize, counties[row] as usize);
            by_county[c].add(b, n);
            if v != 0 {
                by_village[v].add(b, n);
            }
            rows.push(row as u32);
        }
    };
    let len = bv.len().min(nv.len());
    match (bv, nv) {
        // 是/否 rules (most): a row changed exactly when its byte differs.
        (Values::Bools(bb), Values::Bools(nb)) => {
            for (row, (b, n)) in bb[..len].iter().zip(&nb[..len]).enumerate() {
                if b != n {
                    count(row, Values::OF_BYTE[*b as usize], Values::OF_BYTE[*n as usize]);
                }
            }
        }
        _ => (0..len).for_each(|row| count(row, bv[row], nv[row])),
    }
    let named = |counts: Vec<Transitions>| -> BTreeMap<String, Transitions> {
        counts.into_iter().enumerate().filter(|(_, t)| t.total() > 0).map(|(i, t)| (names[i].to_string(), t)).collect()
    };
    let diff = RuleDiff {
        level: rule.level.level(),
        index,
        rule: rule.id.clone(),
        title: rule.title.clone(),
        number: rule.kind == crate::rules::RuleKind::Value,
        before: Tally::of(bv),
        after: Tally::of(nv),
        total,
        by_county: named(by_county),
        by_village: named(by_village),
    };
    (diff, rows)
}

/// Write every changed row as CSV (`changes.csv`): level, key, village, county, rule, base
/// and new outcome, from the two evaluations. Rows are put into text a batch at a time, the
/// pieces of a batch in parallel, and written in order (3.4 M rows between 2019 and 2020 at
/// 1,000,000 households; a batch holds at most a few tens of MB of text).
pub fn write_changes(d: &Diff, base: &Outcomes, new: &Outcomes, mut w: impl std::io::Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    const PIECE: usize = 1 << 16;
    let batch = 4 * rayon::current_num_threads().max(1);
    let writer = |out: Vec<u8>| csv::WriterBuilder::new().has_headers(false).from_writer(out);
    let mut header = writer(vec![]);
    header.write_record(["level", "key", "village", "county", "rule", "base", "new"])?;
    w.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    // The changes come rule by rule: each piece lies within one rule.
    let pieces: Vec<&[Changed]> =
        d.changed.chunk_by(|a, b| a.rule == b.rule).flat_map(|run| run.chunks(PIECE)).collect();
    let text = |v: Value| cell(v).unwrap_or_default();
    let piece = |run: &[Changed]| -> std::io::Result<Vec<u8>> {
        let mut w = writer(Vec::with_capacity(run.len() * 64));
        let Some(first) = run.first() else { return Ok(vec![]) };
        let r = &d.rules[first.rule as usize];
        let Some(t) = Table::from_level(r.level) else { return Ok(vec![]) };
        let (Some(bl), Some(nl)) = (base.level(t), new.level(t)) else { return Ok(vec![]) };
        let (bv, nv) = (bl.values(r.index.0).unwrap_or(Values::EMPTY), nl.values(r.index.1).unwrap_or(Values::EMPTY));
        let (villages, counties) = d.places.level(t).unwrap_or((&[], &[]));
        let name = |of: &[u32], row: usize| &*d.places.names[of.get(row).copied().unwrap_or(0) as usize];
        for c in run {
            let row = c.row as usize;
            let (b, n) = (bv.get(row).copied().unwrap_or_default(), nv.get(row).copied().unwrap_or_default());
            let place = (name(villages, row), name(counties, row));
            w.write_record([r.level, nl.key(row), place.0, place.1, &r.rule, &text(b), &text(n)])?;
        }
        w.into_inner().map_err(|e| e.into_error())
    };
    for group in pieces.chunks(batch) {
        let texts: Vec<std::io::Result<Vec<u8>>> = group.par_iter().map(|run| piece(run)).collect();
        for t in texts {
            w.write_all(&t?)?;
        }
    }
    w.flush()
}

/// How many rows of a level changed (in every rule).
pub fn changed_rows(d: &Diff, t: Table) -> usize {
    d.rules.iter().filter(|r| r.level == t.level()).map(|r| r.total.total() as usize).sum()
}

/// The terminal summary: what changed in the pack, then per rule whose outcomes changed the
/// rows changed, the counts before and after, and the transitions; an added rule's outcomes.
pub fn render(d: &Diff, lang: Lang) -> String {
    let mut out = String::new();
    for p in &d.params {
        out.push_str(&messages::diff_param(lang, &p.label, d.years, p.base, p.new, p.unit.as_deref()));
        out.push('\n');
    }
    for id in &d.edited {
        out.push_str(&messages::diff_edited(lang, id));
        out.push('\n');
    }
    for r in d.rules.iter().filter(|r| r.total.total() > 0) {
        let (b, a) = (r.before, r.after);
        let name = if lang == Lang::Zh { &r.title } else { &r.rule };
        out.push_str(&messages::diff_rule(
            lang,
            name,
            r.total.total(),
            [b.yes, b.no, b.unknown],
            [a.yes, a.no, a.unknown],
            r.number,
        ));
        out.push('\n');
        out.push_str("    ");
        out.push_str(&messages::diff_transitions(lang, r.total.counts()));
        out.push('\n');
    }
    if d.rules.iter().all(|r| r.total.total() == 0) && d.added.is_empty() && d.removed.is_empty() {
        out.push_str(messages::diff_nothing(lang));
        out.push('\n');
    }
    for id in &d.added {
        out.push_str(&messages::diff_added(lang, id));
        if let Some((_, title, t)) = d.added_outcomes.iter().find(|(i, ..)| i == id) {
            out.push_str(&messages::diff_added_outcomes(lang, title, [t.yes, t.no, t.unknown]));
        }
        out.push('\n');
    }
    for id in &d.removed {
        out.push_str(&messages::diff_removed(lang, id));
        out.push('\n');
    }
    out
}

/// The XLSX report for a leader: 汇总 (per rule: rows changed, before → after, the
/// transitions; in all and per county, by name), 参数与规则 (what changed in the pack), 各县变化
/// (rows changed per county for each changed rule, with a chart), 按村 (per village), and one
/// sheet of changed rows per level (农户, 村, …), which staff can open and filter.
pub fn write_xlsx(d: &Diff, register: &crate::register::Register, path: &Path, lang: Lang) -> Result<(), Error> {
    use rust_xlsxwriter::{Chart, ChartType, Format};
    let mut book = super::excel::workbook();
    let bold = Format::new().set_bold().set_background_color("#DDEBF7").set_text_wrap();
    let count = super::excel::count_format();
    let h = messages::diff_headers(lang);
    // Counties and villages by name; no head of household is named here.
    let names = super::workbook::Names::of_households(register, &Default::default());
    let county_name = |c: &str| names.county_with_code(c);
    let village_name = |v: &str| names.village_with_code(v);
    let changed: Vec<&RuleDiff> = d.rules.iter().filter(|r| r.total.total() > 0).collect();
    let heads = [
        h.title,
        h.area,
        h.rows_changed,
        h.before_after,
        h.true_to_false,
        h.false_to_true,
        h.to_unknown,
        h.from_unknown,
        h.changed,
        h.rule,
    ];
    let write_row = |sheet: &mut rust_xlsxwriter::Worksheet,
                     row: u32,
                     r: &RuleDiff,
                     area: &str,
                     t: &Transitions,
                     before_after: &str|
     -> Result<(), Error> {
        sheet.write_string(row, 0, &r.title)?;
        sheet.write_string(row, 1, area)?;
        sheet.write_number_with_format(row, 2, t.total() as f64, &count)?;
        sheet.write_string(row, 3, before_after)?;
        for (c, n) in t.counts().iter().enumerate() {
            sheet.write_number_with_format(row, 4 + c as u16, *n as f64, &count)?;
        }
        sheet.write_string(row, 9, &r.rule)?;
        Ok(())
    };
    {
        let sheet = book.add_worksheet();
        sheet.set_name(h.summary_sheet)?;
        for (c, t) in heads.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *t, &bold)?;
        }
        let mut row = 1u32;
        for r in &changed {
            let ba = messages::diff_before_after(
                lang,
                [r.before.yes, r.before.no, r.before.unknown],
                [r.after.yes, r.after.no, r.after.unknown],
                r.number,
            );
            write_row(sheet, row, r, h.all, &r.total, &ba)?;
            row += 1;
            for (c, t) in &r.by_county {
                write_row(sheet, row, r, &format!("{} {}", h.county, county_name(c)), t, "")?;
                row += 1;
            }
        }
        sheet.autofilter(0, 0, row.saturating_sub(1).max(1), 9)?;
        sheet.set_freeze_panes(1, 1)?;
        for (c, w) in [36, 24, 10, 30, 8, 8, 8, 12, 8, 28].iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
    }
    {
        // What changed in the pack.
        let sheet = book.add_worksheet();
        sheet.set_name(h.pack_sheet)?;
        let mut row = 0u32;
        for p in &d.params {
            sheet.write_string(
                row,
                0,
                messages::diff_param(lang, &p.label, d.years, p.base, p.new, p.unit.as_deref()),
            )?;
            row += 1;
        }
        for id in &d.edited {
            sheet.write_string(row, 0, messages::diff_edited(lang, id))?;
            row += 1;
        }
        for id in &d.added {
            let mut t = messages::diff_added(lang, id);
            if let Some((_, title, x)) = d.added_outcomes.iter().find(|(i, ..)| i == id) {
                t.push_str(&messages::diff_added_outcomes(lang, title, [x.yes, x.no, x.unknown]));
            }
            sheet.write_string(row, 0, t)?;
            row += 1;
        }
        for id in &d.removed {
            sheet.write_string(row, 0, messages::diff_removed(lang, id))?;
            row += 1;
        }
        if row == 0 {
            sheet.write_string(0, 0, messages::diff_pack_same(lang))?;
        }
        sheet.set_column_width(0, 90)?;
    }
    if !changed.is_empty() {
        // Rows changed per county, one column per changed rule (up to 8), with a chart.
        let sheet = book.add_worksheet();
        sheet.set_name(h.by_county_sheet)?;
        let shown: Vec<&&RuleDiff> = changed.iter().take(8).collect();
        let mut counties: Vec<&String> = shown.iter().flat_map(|r| r.by_county.keys()).collect();
        counties.sort();
        counties.dedup();
        sheet.write_string_with_format(0, 0, h.county, &bold)?;
        for (k, r) in shown.iter().enumerate() {
            sheet.write_string_with_format(0, k as u16 + 1, &r.title, &bold)?;
        }
        for (i, c) in counties.iter().enumerate() {
            sheet.write_string(i as u32 + 1, 0, county_name(c))?;
            for (k, r) in shown.iter().enumerate() {
                let n = r.by_county.get(*c).map_or(0, Transitions::total);
                sheet.write_number_with_format(i as u32 + 1, k as u16 + 1, n as f64, &count)?;
            }
        }
        sheet.set_column_width(0, 24)?;
        sheet.set_row_height(0, 45)?;
        if !counties.is_empty() {
            let mut chart = Chart::new(ChartType::Column);
            let last = counties.len() as u32;
            for k in 0..shown.len() as u16 {
                chart
                    .add_series()
                    .set_name((h.by_county_sheet, 0, k + 1))
                    .set_categories((h.by_county_sheet, 1, 0, last, 0))
                    .set_values((h.by_county_sheet, 1, k + 1, last, k + 1));
            }
            chart.title().set_name(h.chart_title);
            chart.set_width(720).set_height(360);
            sheet.insert_chart(last + 2, 0, &chart)?;
        }
    }
    if changed.iter().any(|r| !r.by_village.is_empty()) {
        // The long sheets are written a row at a time (constant memory, inline strings).
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(h.by_village_sheet)?;
        for (c, t) in heads.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *t, &bold)?;
        }
        let mut row = 1u32;
        let total: usize = changed.iter().map(|r| r.by_village.len()).sum();
        'rules: for r in &changed {
            for (v, t) in &r.by_village {
                if row as usize > super::excel::XLSX_DETAIL_ROWS {
                    break 'rules;
                }
                write_row(sheet, row, r, &format!("{} {}", h.village, village_name(v)), t, "")?;
                row += 1;
            }
        }
        if total > super::excel::XLSX_DETAIL_ROWS {
            sheet.write_string(
                row,
                0,
                messages::diff_truncated(lang, super::excel::XLSX_DETAIL_ROWS, total - super::excel::XLSX_DETAIL_ROWS),
            )?;
        }
        sheet.autofilter(0, 0, row.saturating_sub(1).max(1), 9)?;
        sheet.set_freeze_panes(1, 1)?;
        sheet.set_column_width(0, 36)?;
        sheet.set_column_width(1, 30)?;
    }
    for t in Table::ALL {
        let rows: Vec<&Change> = d.changes.iter().filter(|c| c.level == t.level()).collect();
        if rows.is_empty() {
            continue;
        }
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(messages::book::level_sheet(lang, t.level()))?;
        for (c, title) in [h.key, h.village, h.county, h.rule, h.base, h.new].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &bold)?;
        }
        let limit = super::excel::XLSX_DETAIL_ROWS;
        for (i, ch) in rows.iter().take(limit).enumerate() {
            let r = i as u32 + 1;
            let show = |v: &Option<std::borrow::Cow<str>>| match v.as_deref() {
                None => messages::outcome(lang, None).to_string(),
                Some("true") => messages::outcome(lang, Some(true)).to_string(),
                Some("false") => messages::outcome(lang, Some(false)).to_string(),
                Some(n) => n.to_string(),
            };
            let title = d.rules.iter().find(|x| *x.rule == *ch.rule).map_or(ch.rule.to_string(), |x| x.title.clone());
            for (c, v) in [
                ch.key.clone(),
                village_name(&ch.village),
                county_name(&ch.county),
                title,
                show(&ch.base),
                show(&ch.new),
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string(r, c as u16, v)?;
            }
        }
        let all = changed_rows(d, t);
        if all > limit {
            sheet.write_string(limit as u32 + 1, 0, messages::diff_truncated(lang, limit, all - limit))?;
        }
        sheet.autofilter(0, 0, rows.len().min(limit) as u32, 5)?;
        sheet.set_freeze_panes(1, 0)?;
        for (c, w) in [20, 22, 18, 36, 8, 8].iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
    }
    book.save(path)?;
    Ok(())
}
