//! `tuopin diff`: two versions of a rule pack (or one pack at two years) over one register,
//! and what changes.
//!
//! For every rule both versions have, each row's outcome is compared: true→false,
//! false→true, to unknown, from unknown, or (for a number) changed. Counts are kept per rule
//! in total, per county and per village; every changed row is listed with both outcomes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::eval::{Outcomes, Value};
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

#[derive(Debug, Clone, Serialize)]
pub struct RuleDiff {
    pub rule: String,
    pub title: String,
    pub total: Transitions,
    pub by_county: BTreeMap<String, Transitions>,
    pub by_village: BTreeMap<String, Transitions>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub level: &'static str,
    pub key: String,
    pub village: String,
    pub county: String,
    pub rule: String,
    pub base: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    pub rules: Vec<RuleDiff>,
    pub changes: Vec<Change>,
    /// Rules only in the new pack, and only in the base pack.
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

fn cell(v: Value) -> Option<String> {
    match v {
        Value::Unknown => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
    }
}

/// The village of each row of a level ("" for counties).
fn villages(outcomes: &Outcomes, t: Table) -> Vec<String> {
    let Some(l) = outcomes.level(t) else { return vec![] };
    match t {
        Table::Households => l.extra_key(),
        Table::Villages => (0..l.len()).map(|i| l.key(i).to_string()).collect(),
        Table::Counties => vec![String::new(); l.len()],
        Table::Persons => {
            let Some(h) = outcomes.level(Table::Households) else { return vec![String::new(); l.len()] };
            let hv = h.extra_key();
            let index: std::collections::HashMap<&str, usize> = (0..h.len()).map(|i| (h.key(i), i)).collect();
            let hids = l.extra_key();
            hids.iter()
                .map(|hid| index.get(hid.as_str()).and_then(|&i| hv.get(i).cloned()).unwrap_or_default())
                .collect()
        }
    }
}

/// Compare two evaluations of one register.
pub fn diff(base_pack: &Pack, base: &Outcomes, new_pack: &Pack, new: &Outcomes) -> Diff {
    let mut d = Diff::default();
    for r in &new_pack.rules {
        if base_pack.rule(&r.id).is_none() {
            d.added.push(r.id.clone());
        }
    }
    for r in &base_pack.rules {
        if new_pack.rule(&r.id).is_none() {
            d.removed.push(r.id.clone());
        }
    }
    for t in Table::ALL {
        let (Some(bl), Some(nl)) = (base.level(t), new.level(t)) else { continue };
        let village = villages(new, t);
        for (ni, nrule) in new_pack.rules.iter().enumerate().filter(|(_, r)| r.level == t) {
            let Some(bi) = base_pack.rules.iter().position(|r| r.id == nrule.id) else { continue };
            let (Some(bv), Some(nv)) = (bl.values(bi), nl.values(ni)) else { continue };
            let mut rd = RuleDiff {
                rule: nrule.id.clone(),
                title: nrule.title.clone(),
                total: Transitions::default(),
                by_county: BTreeMap::new(),
                by_village: BTreeMap::new(),
            };
            for row in 0..nl.len().min(bl.len()) {
                let (b, n) = (bv[row], nv[row]);
                if rd.total.add(b, n) {
                    let county = nl.county_of(row).to_string();
                    let v = village.get(row).cloned().unwrap_or_default();
                    rd.by_county.entry(county.clone()).or_default().add(b, n);
                    if !v.is_empty() {
                        rd.by_village.entry(v.clone()).or_default().add(b, n);
                    }
                    d.changes.push(Change {
                        level: t.level(),
                        key: nl.key(row).to_string(),
                        village: v,
                        county,
                        rule: nrule.id.clone(),
                        base: cell(b),
                        new: cell(n),
                    });
                }
            }
            d.rules.push(rd);
        }
    }
    d
}

/// The terminal summary: one line per rule whose outcomes changed.
pub fn render(d: &Diff, lang: Lang) -> String {
    let mut out = String::new();
    for r in d.rules.iter().filter(|r| r.total.total() > 0) {
        out.push_str(&messages::diff_line(lang, &r.rule, &r.title, r.total.counts()));
        out.push('\n');
    }
    if d.rules.iter().all(|r| r.total.total() == 0) {
        out.push_str(messages::diff_nothing(lang));
        out.push('\n');
    }
    for id in &d.added {
        out.push_str(&messages::diff_added(lang, id));
        out.push('\n');
    }
    for id in &d.removed {
        out.push_str(&messages::diff_removed(lang, id));
        out.push('\n');
    }
    out
}

/// The XLSX report: a summary sheet (per rule and county, and per village) and one sheet
/// of changed rows per level, which staff can open and filter.
pub fn write_xlsx(d: &Diff, path: &Path, lang: Lang) -> Result<(), Error> {
    let mut book = crate::report::workbook();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let h = messages::diff_headers(lang);
    {
        let sheet = book.add_worksheet();
        sheet.set_name(h.summary_sheet)?;
        let heads =
            [h.rule, h.title, h.area, h.true_to_false, h.false_to_true, h.to_unknown, h.from_unknown, h.changed];
        for (c, t) in heads.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *t, &bold)?;
        }
        let mut row = 1u32;
        for r in d.rules.iter().filter(|r| r.total.total() > 0) {
            let areas = std::iter::once((h.all.to_string(), r.total))
                .chain(r.by_county.iter().map(|(c, t)| (format!("{} {c}", h.county), *t)))
                .chain(r.by_village.iter().map(|(v, t)| (format!("{} {v}", h.village), *t)));
            for (area, t) in areas {
                sheet.write_string(row, 0, &r.rule)?;
                sheet.write_string(row, 1, &r.title)?;
                sheet.write_string(row, 2, &area)?;
                for (c, n) in
                    [t.true_to_false, t.false_to_true, t.to_unknown, t.from_unknown, t.changed].iter().enumerate()
                {
                    sheet.write_number(row, 3 + c as u16, *n as f64)?;
                }
                row += 1;
            }
        }
        sheet.autofilter(0, 0, row.saturating_sub(1).max(1), 7)?;
        sheet.set_freeze_panes(1, 0)?;
    }
    for t in Table::ALL {
        let rows: Vec<&Change> = d.changes.iter().filter(|c| c.level == t.level()).collect();
        if rows.is_empty() {
            continue;
        }
        let sheet = book.add_worksheet();
        sheet.set_name(t.name())?;
        for (c, title) in [h.key, h.village, h.county, h.rule, h.base, h.new].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &bold)?;
        }
        let limit = super::XLSX_MAX_ROWS - 2;
        for (i, ch) in rows.iter().take(limit).enumerate() {
            let r = i as u32 + 1;
            let show = |v: &Option<String>| match v.as_deref() {
                None => messages::outcome(lang, None).to_string(),
                Some("true") => messages::outcome(lang, Some(true)).to_string(),
                Some("false") => messages::outcome(lang, Some(false)).to_string(),
                Some(n) => n.to_string(),
            };
            for (c, v) in
                [ch.key.clone(), ch.village.clone(), ch.county.clone(), ch.rule.clone(), show(&ch.base), show(&ch.new)]
                    .iter()
                    .enumerate()
            {
                sheet.write_string(r, c as u16, v)?;
            }
        }
        if rows.len() > limit {
            sheet.write_string(limit as u32 + 1, 0, messages::diff_truncated(lang, rows.len() - limit))?;
        }
        sheet.autofilter(0, 0, rows.len().min(limit) as u32, 5)?;
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save(path)?;
    Ok(())
}
