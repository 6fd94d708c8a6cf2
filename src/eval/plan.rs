//! The plan of a run, built once from the pack, the year's parameters and the register's
//! columns before any row is evaluated: per level, the rules in dependency order, which of
//! them translate to polars expressions (and why the others run row by row), the
//! aggregations each level reads with their types, and the type of every number rule (the
//! type its column is written with, on either path and in every county). `--paths` prints
//! this plan; evaluation executes it; a county-by-county run writes every county's columns
//! with its types.

use std::collections::HashMap;

use super::Engine;
use super::compiled::{self, LevelContext, RulePath, Translated, Ty, Why};
use crate::register::{Register, Table};
use crate::rules::{AggUse, Pack, RuleKind};

/// One level's part of the plan.
pub struct LevelPlan {
    pub table: Table,
    /// The level's rules in dependency order.
    pub order: Vec<usize>,
    /// The aggregations the level's rules read, each once, with their result types (`Err`
    /// when the compiled path cannot compute one: the row path does).
    pub aggregations: Vec<(AggUse, Result<Ty, Why>)>,
    /// The rules that run as one polars plan (none under `--engine rows`).
    pub compiled: Vec<(usize, Translated)>,
}

/// The plan of a whole run.
pub struct Plan {
    pub levels: Vec<LevelPlan>,
    /// Which path each rule runs on, in the pack's rule order.
    pub paths: Vec<RulePath>,
    /// The type of every number rule: its translation's where it translates, whatever path
    /// it runs on (so that both paths write the same columns), else a decimal.
    pub number_types: HashMap<usize, Ty>,
    /// Whether the `reasons` of each level are worked out (`diff` compares outcomes only).
    pub reasons: bool,
    /// The rules whose outcomes the caller reads as values, by rule index (`None`: all). A
    /// compiled 是/否 rule not wanted, and read by no rule or aggregation that runs row by
    /// row, is left out of [`LevelOutcome::results`](super::LevelOutcome) and kept as its
    /// polars column in `columns` (`validate` reads the quality pack's checks that way).
    pub wanted: Option<Vec<bool>>,
}

impl Plan {
    /// The rules that must keep their outcomes as values: every rule when all are wanted;
    /// else the wanted ones and those read row by row (by a rule on that path, or by an
    /// aggregation on that path).
    pub fn kept(&self, pack: &Pack) -> Vec<bool> {
        let Some(wanted) = &self.wanted else { return vec![true; pack.rules.len()] };
        let mut keep: Vec<bool> = (0..pack.rules.len()).map(|r| wanted.get(r).copied().unwrap_or(true)).collect();
        for p in self.paths.iter().filter(|p| p.row_by_row.is_some()) {
            for d in pack.rules[p.rule].rule_deps() {
                keep[d] = true;
            }
        }
        for lp in &self.levels {
            for (a, ty) in &lp.aggregations {
                if let (Err(_), Some(crate::rules::Ref::Rule(t))) = (ty, &a.target) {
                    keep[*t] = true;
                }
            }
        }
        keep
    }

    /// The plan for a register: a rule reading an optional column the register lacks reads
    /// unknown, which can change its path and type.
    pub fn for_register(pack: &Pack, year: i32, params: &HashMap<String, f64>, reg: &Register, mode: Engine) -> Plan {
        Plan::build(pack, year, params, &|t| reg.table(t).map(|lt| lt.present.as_slice()), mode)
    }

    /// The plan without a register (`lint --paths`): every optional column taken as present.
    pub fn without_register(pack: &Pack, year: i32, params: &HashMap<String, f64>) -> Plan {
        Plan::build(pack, year, params, &|_| None, Engine::Auto)
    }

    /// `present`: the canonical columns a level's file has (`None`: assume all).
    pub fn build<'r>(
        pack: &Pack,
        year: i32,
        params: &HashMap<String, f64>,
        present: &dyn Fn(Table) -> Option<&'r [&'static str]>,
        mode: Engine,
    ) -> Plan {
        let mut number_types: HashMap<usize, Ty> = HashMap::new();
        let mut levels = vec![];
        let mut paths = vec![];
        for table in Table::ALL {
            let order = pack.order.get(&table).cloned().unwrap_or_default();
            let aggregations: Vec<(AggUse, Result<Ty, Why>)> = compiled::level_aggregations(pack, &order)
                .into_iter()
                .map(|a| {
                    let ty = compiled::aggregation_type(&a, &|t| number_types.get(&t).copied());
                    (a, ty)
                })
                .collect();
            let cx =
                LevelContext { pack, level: table, year, params, present: present(table), aggregations: &aggregations };
            let (translated, level_paths) = compiled::plan_level(&cx, &order);
            for &r in &order {
                if pack.rules[r].kind == RuleKind::Value {
                    let ty = translated.iter().find(|(t, _)| *t == r).map(|(_, t)| t.ty).unwrap_or(Ty::Float);
                    number_types.insert(r, ty);
                }
            }
            let compiled = match mode {
                Engine::Auto => {
                    paths.extend(level_paths);
                    translated
                }
                Engine::Rows => {
                    paths.extend(level_paths.into_iter().map(|p| RulePath {
                        row_by_row: Some(Why::EngineRows),
                        ty: None,
                        ..p
                    }));
                    vec![]
                }
            };
            levels.push(LevelPlan { table, order, aggregations, compiled });
        }
        paths.sort_by_key(|p| p.rule);
        Plan { levels, paths, number_types, reasons: true, wanted: None }
    }

    pub fn level(&self, t: Table) -> Option<&LevelPlan> {
        self.levels.iter().find(|l| l.table == t)
    }
}
