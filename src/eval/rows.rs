//! The per-row path: rules the compiled path does not translate, run as Rhai scripts in the
//! sandbox, chunk by chunk in parallel. Each worker reuses one `Scope`, pushing only the
//! names a rule reads; no polars call happens inside the parallel region, and results are
//! assembled in row order, so they do not depend on the number of threads.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::StringChunked;
use rayon::prelude::*;
use rhai::{Dynamic, Scope};

use super::fields::FieldData;
use super::sandbox::{self, AggTable};
use super::{RowError, Value};
use crate::messages::row::RowProblem;
use crate::register::Table;
use crate::rules::{Pack, Ref, RuleKind};

const CHUNK: usize = 2048;

#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate_rows(
    engine: &rhai::Engine,
    pack: &Pack,
    order: &[usize],
    known: &HashMap<usize, super::Values>,
    table: Table,
    n: usize,
    keys: &StringChunked,
    field_data: &HashMap<&'static str, FieldData>,
    aggs: &Arc<AggTable>,
    year: i32,
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<Vec<Value>>, Vec<RowError>) {
    // Position in `order` of each rule a rule reads, resolved once.
    let pos_in_order: HashMap<usize, usize> = order.iter().enumerate().map(|(p, &r)| (r, p)).collect();
    struct Plan<'a> {
        rule: &'a crate::rules::Rule,
        pushes: Vec<(&'a str, Push<'a>)>,
    }
    enum Push<'a> {
        Field(&'a FieldData),
        Rule(usize),
        Known(&'a super::Values),
        Year,
        Unknown,
    }
    let absent = FieldData::Absent;
    let plans: Vec<Plan> = order
        .iter()
        .map(|&r| {
            let rule = &pack.rules[r];
            let pushes = rule
                .reads
                .iter()
                .map(|(name, re)| {
                    let p = match re {
                        Ref::Field(f) => Push::Field(field_data.get(f).unwrap_or(&absent)),
                        Ref::Rule(j) => match (pos_in_order.get(j), known.get(j)) {
                            (Some(p), _) => Push::Rule(*p),
                            (None, Some(v)) => Push::Known(v),
                            (None, None) => Push::Unknown,
                        },
                        Ref::Year => Push::Year,
                        Ref::Unknown => Push::Unknown,
                    };
                    (name.as_str(), p)
                })
                .collect();
            Plan { rule, pushes }
        })
        .collect();

    let chunks: Vec<(usize, usize)> = (0..n).step_by(CHUNK).map(|s| (s, (s + CHUNK).min(n))).collect();
    let outs: Vec<(Vec<Vec<Value>>, Vec<RowError>)> = chunks
        .par_iter()
        .map_init(
            || (Scope::new(), sandbox::Runner::new(engine)),
            |(scope, runner), &(start, end)| {
                sandbox::set_aggregates(Some(aggs.clone()));
                let mut cols: Vec<Vec<Value>> = vec![Vec::with_capacity(end - start); plans.len()];
                let mut errs = vec![];
                let mut row_vals: Vec<Value> = vec![Value::Unknown; plans.len()];
                for row in start..end {
                    sandbox::set_row(row);
                    for (k, plan) in plans.iter().enumerate() {
                        scope.rewind(0);
                        for (name, push) in &plan.pushes {
                            let v = match push {
                                Push::Field(f) => f.dynamic(row),
                                Push::Rule(p) => row_vals.get(*p).copied().unwrap_or_default().to_dynamic(),
                                Push::Known(v) => v.get(row).copied().unwrap_or_default().to_dynamic(),
                                Push::Year => Dynamic::from_int(year as i64),
                                Push::Unknown => Dynamic::UNIT,
                            };
                            scope.push_dynamic(*name, v);
                        }
                        let v = match runner.eval(engine, scope, &plan.rule.ast) {
                            Ok(d) => match to_value(&d, plan.rule.kind) {
                                Ok(v) => v,
                                Err(msg) => {
                                    errs.push(row_error(plan.rule, table, keys, row, msg));
                                    Value::Unknown
                                }
                            },
                            Err(e) if sandbox::is_unknown_condition(&e) => Value::Unknown,
                            Err(e) => {
                                errs.push(row_error(plan.rule, table, keys, row, runtime_problem(&e)));
                                Value::Unknown
                            }
                        };
                        row_vals[k] = v;
                        cols[k].push(v);
                    }
                }
                sandbox::set_aggregates(None);
                progress((end - start) as u64);
                (cols, errs)
            },
        )
        .collect();
    let mut results: Vec<Vec<Value>> = vec![Vec::with_capacity(n); plans.len()];
    let mut errors = vec![];
    for (cols, errs) in outs {
        for (k, c) in cols.into_iter().enumerate() {
            results[k].extend(c);
        }
        errors.extend(errs);
    }
    (results, errors)
}

pub(super) fn row_error(
    rule: &crate::rules::Rule,
    table: Table,
    keys: &StringChunked,
    row: usize,
    problem: RowProblem,
) -> RowError {
    RowError { rule: rule.id.clone(), level: table.level(), key: keys.get(row).unwrap_or("").to_string(), problem }
}

fn runtime_problem(e: &rhai::EvalAltResult) -> RowProblem {
    use rhai::EvalAltResult as E;
    match e {
        E::ErrorTooManyOperations(_) => RowProblem::TooManyOperations(sandbox::MAX_OPERATIONS),
        E::ErrorStackOverflow(_) | E::ErrorTooManyModules(_) => RowProblem::NestedTooDeeply,
        E::ErrorDataTooLarge(what, _) => RowProblem::TooLarge(what.clone()),
        // A registered function's problem, or the script's own `throw`.
        E::ErrorRuntime(v, _) => match v.clone().try_cast::<RowProblem>() {
            Some(p) => p,
            None => RowProblem::Thrown(v.to_string()),
        },
        E::ErrorArithmetic(m, _) if m.to_lowercase().contains("overflow") => RowProblem::Overflow,
        // Rhai names the function with its argument types: `+ (f64, string)`.
        E::ErrorFunctionNotFound(signature, _) => RowProblem::NoFunction(signature.clone()),
        other => {
            let s = other.to_string();
            RowProblem::Other(s.split(" (line ").next().unwrap_or(&s).to_string())
        }
    }
}

/// A script's result as an outcome of the rule's kind.
fn to_value(d: &Dynamic, kind: RuleKind) -> Result<Value, RowProblem> {
    if d.is_unit() {
        return Ok(Value::Unknown);
    }
    match kind {
        RuleKind::Predicate => d.as_bool().map(Value::Bool).map_err(|t| RowProblem::PredicateGave(t.to_string())),
        RuleKind::Value => {
            if let Ok(i) = d.as_int() {
                Ok(Value::Int(i))
            } else if let Ok(f) = d.as_float() {
                if f.is_finite() { Ok(Value::Float(f)) } else { Err(RowProblem::NotFinite(f)) }
            } else {
                Err(RowProblem::ValueGave(d.type_name().to_string()))
            }
        }
    }
}
