//! `summary.json`: per level and rule, how many rows came out true, false and unknown (or,
//! for value rules, known and unknown), in total and per county. Maps are ordered, so the
//! same inputs give the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::{Outcomes, Value};
use crate::rules::{Pack, RuleKind};

/// Counts of one rule over some rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    #[serde(rename = "true", skip_serializing_if = "Option::is_none")]
    pub yes: Option<u64>,
    #[serde(rename = "false", skip_serializing_if = "Option::is_none")]
    pub no: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known: Option<u64>,
    pub unknown: u64,
}

impl Counts {
    fn add(&mut self, kind: RuleKind, v: Value) {
        match (kind, v) {
            (_, Value::Unknown) => self.unknown += 1,
            (RuleKind::Predicate, Value::Bool(true)) => *self.yes.get_or_insert(0) += 1,
            (RuleKind::Predicate, _) => *self.no.get_or_insert(0) += 1,
            (RuleKind::Value, _) => *self.known.get_or_insert(0) += 1,
        }
    }

    /// Add another part's counts (a county checked on its own).
    pub fn merge(&mut self, o: &Counts) {
        let add = |a: &mut Option<u64>, b: Option<u64>| {
            if let Some(b) = b {
                *a.get_or_insert(0) += b;
            }
        };
        add(&mut self.yes, o.yes);
        add(&mut self.no, o.no);
        add(&mut self.known, o.known);
        self.unknown += o.unknown;
    }

    fn new(kind: RuleKind) -> Counts {
        match kind {
            RuleKind::Predicate => Counts { yes: Some(0), no: Some(0), known: None, unknown: 0 },
            RuleKind::Value => Counts { yes: None, no: None, known: Some(0), unknown: 0 },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RuleSummary {
    pub title: String,
    pub kind: RuleKind,
    pub total: Counts,
    pub by_county: BTreeMap<String, Counts>,
}

#[derive(Debug, Serialize)]
pub struct LevelSummary {
    pub rows: usize,
    pub rules: BTreeMap<String, RuleSummary>,
}

/// Facts about the run recorded beside the counts.
#[derive(Debug, Default, Serialize)]
pub struct RunInfo {
    pub data: String,
    pub rules: String,
    /// Rows set aside under `--skip-invalid`, per table.
    pub set_aside: BTreeMap<String, usize>,
    pub input_errors: usize,
}

#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub tuopin_version: &'static str,
    pub pack: &'a str,
    pub year: i32,
    #[serde(flatten)]
    pub run: &'a RunInfo,
    pub rule_errors: usize,
    pub levels: BTreeMap<&'static str, LevelSummary>,
}

pub fn build<'a>(pack: &'a Pack, outcomes: &Outcomes, run: &'a RunInfo) -> Summary<'a> {
    let mut levels = BTreeMap::new();
    for level in &outcomes.levels {
        // Rules counted in parallel (each its own pass over the rows).
        use rayon::prelude::*;
        let counted: Vec<(String, RuleSummary)> = level
            .results
            .par_iter()
            .map(|(r, vals)| {
                let rule = &pack.rules[*r];
                let mut total = Counts::new(rule.kind);
                // Counted by county index first: one string per county, not per row.
                let mut per_code: Vec<Counts> = vec![Counts::new(rule.kind); level.county_codes.len() + 1];
                for (i, v) in vals.iter().enumerate() {
                    total.add(rule.kind, *v);
                    let c = level.county.get(i).map(|&c| c as usize).filter(|&c| c < level.county_codes.len());
                    per_code[c.unwrap_or(level.county_codes.len())].add(rule.kind, *v);
                }
                let mut by_county: BTreeMap<String, Counts> = BTreeMap::new();
                for (c, counts) in per_code.into_iter().enumerate() {
                    if counts.unknown + counts.yes.unwrap_or(0) + counts.no.unwrap_or(0) + counts.known.unwrap_or(0) > 0
                    {
                        by_county.insert(level.county_codes.get(c).cloned().unwrap_or_default(), counts);
                    }
                }
                (rule.name.clone(), RuleSummary { title: rule.title.clone(), kind: rule.kind, total, by_county })
            })
            .collect();
        let rules: BTreeMap<String, RuleSummary> = counted.into_iter().collect();
        levels.insert(level.table.level(), LevelSummary { rows: level.len(), rules });
    }
    Summary {
        tuopin_version: env!("CARGO_PKG_VERSION"),
        pack: &pack.manifest.name,
        year: outcomes.year,
        run,
        rule_errors: outcomes.errors.len(),
        levels,
    }
}

impl Summary<'_> {
    /// Add the summary of another part of the register (county by county, the parts share
    /// no rows): counts add up, per-county counts are gathered.
    pub fn merge(&mut self, other: Summary) {
        self.rule_errors += other.rule_errors;
        for (name, level) in other.levels {
            let Some(mine) = self.levels.get_mut(name) else {
                self.levels.insert(name, level);
                continue;
            };
            mine.rows += level.rows;
            for (rule, rs) in level.rules {
                match mine.rules.get_mut(&rule) {
                    Some(m) => {
                        m.total.merge(&rs.total);
                        for (county, c) in rs.by_county {
                            m.by_county.entry(county).and_modify(|x| x.merge(&c)).or_insert(c);
                        }
                    }
                    None => {
                        mine.rules.insert(rule, rs);
                    }
                }
            }
        }
    }
}

/// A village's or county's main verdict counted among the poor rows only (a non-poor
/// village has no exit to make): 是/否/未知 in all, per county, and the poor rows' number.
#[derive(Debug, Clone, PartialEq)]
pub struct AmongPoor {
    pub table: crate::register::Table,
    pub poor: usize,
    pub total: (u64, u64, u64),
    pub by_county: BTreeMap<String, (u64, u64, u64)>,
}

pub fn among_poor(pack: &Pack, reg: &crate::register::Register, outcomes: &Outcomes) -> Vec<AmongPoor> {
    use crate::register::Table;
    let mut out = vec![];
    for t in [Table::Villages, Table::Counties] {
        let (Some(poor), Some(level), Some(r)) =
            (crate::register::hierarchy::poor_rows(reg, t), outcomes.level(t), pack.main_rule(t))
        else {
            continue;
        };
        let Some(vals) = level.values(r).filter(|v| v.len() == poor.len()) else { continue };
        let mut a = AmongPoor { table: t, poor: 0, total: (0, 0, 0), by_county: BTreeMap::new() };
        for (i, (v, p)) in vals.iter().zip(&poor).enumerate() {
            if !p {
                continue;
            }
            a.poor += 1;
            let c = a.by_county.entry(level.county_of(i).to_string()).or_default();
            for k in [&mut a.total, c] {
                match v.as_bool() {
                    Some(true) => k.0 += 1,
                    Some(false) => k.1 += 1,
                    None => k.2 += 1,
                }
            }
        }
        out.push(a);
    }
    out
}
