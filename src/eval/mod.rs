//! Evaluation: running a checked rule pack over a loaded register, level by level.
//!
//! Order: persons → households → villages → counties. Before a level runs, the
//! aggregations its scripts use (`all_members("…")`, `sum_households("…")`, …) are computed
//! here in Rust from the finished level below, honouring DOMAIN.md: only living members
//! count, and a parent with a row set aside (`--skip-invalid`) has one extra unknown element
//! in every aggregate. Then the level's rows are split into chunks evaluated in parallel with
//! rayon; each worker reuses one Rhai `Scope`, pushing only the names a rule reads. No
//! polars call happens inside the parallel region. Results are assembled in row order, so
//! the output does not depend on the number of threads.

mod aggregate;
pub mod compiled;
pub mod fields;
mod outcome;
pub mod plan;
pub mod reasons;
mod rows;
pub mod sandbox;

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::{Column, NewChunkedArray, StringChunked};
use rayon::prelude::*;

use crate::register::hierarchy::Hierarchy;
use crate::register::{Register, Table};
use crate::rules::script::AggFn;
use crate::rules::{Pack, Ref};
pub use aggregate::aggregate;
use aggregate::aggregate_level;
use fields::FieldData;
pub use outcome::{LevelOutcome, NO_COUNTY, Outcomes, RowError, Value, Values};
pub use plan::Plan;
use rows::{evaluate_rows, row_error};

/// How rules are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Rules the compiled path translates run as polars expressions; the others per row.
    #[default]
    Auto,
    /// Every rule per row (the reference the compiled path is tested against).
    Rows,
}

/// A compiled column as outcomes, with the row errors found converting it.
type Converted = (Values, Vec<(usize, crate::messages::row::RowProblem)>);

/// Evaluate a pack over a register for a year, compiled where possible. `progress` is told
/// each finished chunk of rows.
pub fn evaluate(
    pack: &Pack,
    register: &Register,
    year: i32,
    params: HashMap<String, f64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Outcomes, crate::Error> {
    evaluate_with(pack, register, year, params, progress, Engine::Auto)
}

/// [`evaluate`] on a chosen path: plans the run for the register, then runs the plan.
pub fn evaluate_with(
    pack: &Pack,
    register: &Register,
    year: i32,
    params: HashMap<String, f64>,
    progress: &(dyn Fn(u64) + Sync),
    mode: Engine,
) -> Result<Outcomes, crate::Error> {
    let plan = Plan::for_register(pack, year, &params, register, mode);
    evaluate_plan(pack, &plan, register, year, params, progress)
}

/// Run a [`Plan`] (built for this register's columns) over the register.
pub fn evaluate_plan(
    pack: &Pack,
    plan: &Plan,
    register: &Register,
    year: i32,
    params: HashMap<String, f64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Outcomes, crate::Error> {
    let params = Arc::new(params);
    let engine = sandbox::engine(params.clone());
    let mut paths: Vec<compiled::RulePath> = plan.paths.clone();
    let number_types = &plan.number_types;
    let kept = plan.kept(pack);
    let lap = crate::timing::lap;
    lap("evaluation starts");
    let links = Hierarchy::of(register);
    lap("links between levels");
    let mut levels: Vec<LevelOutcome> = vec![];
    let mut errors = vec![];
    let mut aggregates = vec![];
    for table in Table::ALL {
        let (Some(lt), Some(lp)) = (register.table(table), plan.level(table)) else {
            continue;
        };
        let order = &lp.order;
        let n = lt.frame.height();
        let keys: StringChunked = match lt.frame.column(table.key()).and_then(|c| c.str().cloned()) {
            // The register's column itself, in its pieces (a rechunked copy of 3.2M members'
            // IDs was 51 MB of fresh memory).
            Ok(k) => k,
            Err(_) => StringChunked::from_slice_options(table.key().into(), &vec![None::<&str>; n]),
        };

        // The compiled part of the level: one polars plan.
        let agg_types = &lp.aggregations;
        let level_aggs: Vec<crate::rules::AggUse> = agg_types.iter().map(|(a, _)| a.clone()).collect();
        let translated = &lp.compiled;
        let mut known: HashMap<usize, Values> = HashMap::new();
        let mut known_columns: HashMap<usize, Column> = HashMap::new();
        let mut known_aggs: HashMap<usize, Values> = HashMap::new();
        let mut columns_only: std::collections::HashSet<usize> = Default::default();
        if !translated.is_empty() {
            let run = run_compiled(translated, agg_types, table, lt, register, &links, &levels);
            lap(&format!("{} polars plan", table.level()));
            match run {
                Ok(df) => {
                    // Columns looked up here; their values converted in parallel
                    // (plain memory reads, no polars call inside).
                    let mut columns: Vec<(Option<usize>, usize, &Column)> = vec![];
                    for (r, _) in translated {
                        let c = df.column(&compiled::rule_column(*r))?;
                        // A 是/否 rule no one reads as values keeps its column only.
                        // A 是/否 rule no one reads as values keeps its column only (unless a
                        // row overflowed: it then takes the usual path, with its errors).
                        let faulty = || {
                            df.column(&compiled::fault_column(*r))
                                .ok()
                                .and_then(|f| f.bool().ok().map(|f| f.any()))
                                .unwrap_or(false)
                        };
                        if !kept[*r] && c.dtype() == &polars::prelude::DataType::Boolean && !faulty() {
                            known_columns.insert(*r, c.clone().with_name(pack.rules[*r].name.as_str().into()));
                            columns_only.insert(*r);
                            continue;
                        }
                        columns.push((Some(*r), *r, c));
                    }
                    for k in 0..agg_types.len() {
                        if let Some(c) = compiled::aggregation_column(&df, k) {
                            columns.push((None, k, c));
                        }
                    }
                    let converted: Vec<Converted> = columns
                        .par_iter()
                        .map(|(_, _, c)| {
                            let mut errs = vec![];
                            let vals = compiled::values_of(c, |row, message| errs.push((row, message)));
                            (vals, errs)
                        })
                        .collect();
                    for ((rule, k, c), (vals, errs)) in columns.into_iter().zip(converted) {
                        let Some(r) = rule else {
                            known_aggs.insert(k, vals);
                            continue;
                        };
                        let rule = &pack.rules[r];
                        // Overflows, besides the non-finite results `values_of` found
                        // (the level's errors are sorted once, at the end).
                        let mut errs = errs;
                        if let Ok(f) = df.column(&compiled::fault_column(r)).and_then(|c| c.bool().cloned()) {
                            let rows = f.iter().enumerate().filter(|(_, v)| *v == Some(true));
                            errs.extend(rows.map(|(row, _)| (row, crate::messages::row::RowProblem::Overflow)));
                        }
                        if errs.is_empty() {
                            known_columns.insert(r, c.clone().with_name(rule.name.as_str().into()));
                        }
                        errors.extend(errs.into_iter().map(|(row, m)| row_error(rule, table, &keys, row, m)));
                        known.insert(r, vals);
                    }
                }
                // A plan polars cannot run (never expected) falls back, whole.
                Err(e) => {
                    for p in paths.iter_mut().filter(|p| order.contains(&p.rule)) {
                        p.row_by_row.get_or_insert_with(|| compiled::Why::PlanFailed(e.to_string()));
                    }
                }
            }
        }
        lap(&format!("{} compiled rules", table.level()));

        // Fields the level's rules read, extracted once (the per-row rules read them, and
        // `reasons` names the unknown ones).
        let rows_order: Vec<usize> =
            order.iter().copied().filter(|r| !known.contains_key(r) && !columns_only.contains(r)).collect();
        let mut field_data: HashMap<&'static str, FieldData> = HashMap::new();
        for &r in &rows_order {
            for f in pack.rules[r].fields() {
                field_data.entry(f).or_insert_with(|| FieldData::extract(lt, table, f));
            }
        }
        lap(&format!("{} fields (rayon threads {})", table.level(), rayon::current_num_threads()));
        let aggs =
            Arc::new(aggregate_level(pack, &level_aggs, table, register, &links, &levels, known_aggs, number_types)?);

        aggregates.push((table, aggs.clone()));
        let (row_results, errs) = if rows_order.is_empty() {
            progress(n as u64);
            (vec![], vec![])
        } else {
            evaluate_rows(&engine, pack, &rows_order, &known, table, n, &keys, &field_data, &aggs, year, progress)
        };
        errors.extend(errs);
        let mut row_results = rows_order
            .iter()
            .copied()
            .zip(row_results)
            .map(|(r, v)| (r, Values::from_vec(v)))
            .collect::<HashMap<usize, Values>>();
        let order: Vec<usize> = order.iter().copied().filter(|r| !columns_only.contains(r)).collect();
        let results: Vec<Values> = order
            .iter()
            .map(|r| known.remove(r).or_else(|| row_results.remove(r)).unwrap_or_else(|| Values::unknown(n)))
            .collect();
        lap(&format!("{} rules", table.level()));

        let county: Vec<u32> = links.county_rows(register, table);
        let extra_keys: Vec<Column> = match table {
            Table::Persons => lt.frame.column("household_id").ok().cloned().into_iter().collect(),
            Table::Households => lt.frame.column("village_code").ok().cloned().into_iter().collect(),
            _ => vec![],
        };
        // Results in the pack's rule order (files sorted), not dependency order.
        let mut by_rule: Vec<(usize, Values)> = order.iter().copied().zip(results).collect();
        by_rule.sort_by_key(|(r, _)| *r);
        let mut outcome = LevelOutcome {
            table,
            keys,
            extra_keys,
            county,
            county_codes: links.county_codes.clone(),
            results: by_rule,
            reasons: None,
            columns: known_columns,
            number_types: order.iter().filter_map(|r| number_types.get(r).map(|t| (*r, *t))).collect(),
        };
        if plan.reasons {
            outcome.reasons = reasons::for_level(pack, &outcome, &reasons::null_masks(pack, lt, table));
        }
        lap(&format!("{} keys+reasons", table.level()));
        levels.push(outcome);
    }
    errors.sort_by(|a, b| (a.level, &a.rule, &a.key).cmp(&(b.level, &b.rule, &b.key)));
    paths.sort_by_key(|p| p.rule);
    Ok(Outcomes { year, levels, errors, aggregates, paths })
}

/// Run a level's compiled rules as one polars plan: the level's frame with its row index
/// and partial flags, the aggregation columns joined on, then every rule as a column.
fn run_compiled(
    translated: &[(usize, compiled::Translated)],
    aggs: &[(crate::rules::AggUse, Result<compiled::Ty, compiled::Why>)],
    table: Table,
    lt: &crate::register::LoadedTable,
    register: &Register,
    links: &Hierarchy,
    done: &[LevelOutcome],
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let n = lt.frame.height();
    let partial = if lt.partial.len() == n {
        BooleanChunked::from_slice("__partial".into(), &lt.partial)
    } else {
        BooleanChunked::full("__partial".into(), false, n)
    };
    let mut df = lt.frame.clone();
    df.with_column(partial.into_column())?;
    let mut keep = compiled::rule_outputs(translated);
    keep.extend((0..aggs.len()).filter(|&k| aggs[k].1.is_ok()).map(|k| col(compiled::agg_column(k))));
    if aggs.is_empty() {
        // Every compiled rule reads its own row only, and polars runs each step of a plan
        // over a whole column on one thread: a level without aggregations (the members) is
        // run in slices of rows, one per thread, and the slices' results put end to end
        // (3.2M members: 0.15 → 0.08 s).
        const SLICE_FROM: usize = 1 << 18;
        let slices = if n >= SLICE_FROM { rayon::current_num_threads().clamp(1, 8) } else { 1 };
        let df = df.with_row_index("__row".into(), None)?;
        let each = n.div_ceil(slices).max(1);
        let parts: Vec<PolarsResult<DataFrame>> = {
            use rayon::prelude::*;
            (0..slices)
                .into_par_iter()
                .map(|k| {
                    let part = df.slice((k * each) as i64, each);
                    compiled::with_rules(part.lazy(), translated).select(keep.clone()).collect()
                })
                .collect()
        };
        let mut parts = parts.into_iter();
        let mut out = parts.next().unwrap_or_else(|| Ok(DataFrame::empty()))?;
        for part in parts {
            out.vstack_mut_owned(part?)?;
        }
        return Ok(out);
    }
    let mut lf = df.lazy().with_row_index("__row", None);
    let children = children_of(aggs, table, register, links, done)?;
    crate::timing::lap(&format!("{} aggregation inputs", table.level()));
    lf = compiled::with_aggregations(lf, aggs, &children, n)?;
    lf = compiled::with_rules(lf, translated);
    lf.select(keep).collect()
}

/// The rows a level's aggregations read, per lower table: each child's parent row (null when
/// it has none or does not count: a deceased member) and the values aggregated.
fn children_of(
    aggs: &[(crate::rules::AggUse, Result<compiled::Ty, compiled::Why>)],
    table: Table,
    register: &Register,
    links: &Hierarchy,
    done: &[LevelOutcome],
) -> polars::prelude::PolarsResult<HashMap<Table, compiled::Children>> {
    use polars::prelude::*;
    let mut out = HashMap::new();
    for over in [Table::Persons, Table::Households, Table::Villages] {
        if !aggs.iter().any(|(a, _)| a.over == over) {
            continue;
        }
        let Some((parent, include)) = links.parents(over, table) else {
            return Err(PolarsError::ComputeError(
                format!("{} rows cannot be aggregated for a {} rule", over.level(), table.level()).into(),
            ));
        };
        // Only the children that count (with a parent; living, for members), so that the
        // parent column has no nulls: when children come grouped by parent (as exports list
        // members by household) it is sorted, and polars groups it without hashing.
        let rows = parent.len();
        let counted: Vec<IdxSize> = (0..rows)
            .filter(|&i| parent[i].is_some() && include.is_none_or(|inc| inc.get(i).copied().unwrap_or(true)))
            .map(|i| i as IdxSize)
            .collect();
        let mut parent_rows: IdxCa =
            counted.iter().map(|&i| parent[i as usize].unwrap_or(0) as IdxSize).collect::<NoNull<IdxCa>>().into_inner();
        if parent_rows.iter().zip(parent_rows.iter().skip(1)).all(|(a, b)| a <= b) {
            parent_rows.set_sorted_flag(polars::series::IsSorted::Ascending);
        }
        let take = (counted.len() != rows).then(|| IdxCa::from_vec("take".into(), counted));
        let parent = parent_rows;
        // Each aggregation's values read, cast and gathered on its own (in parallel: the
        // quality pack reads ten of 3.2M members each).
        let one =
            |(a, ty): &(crate::rules::AggUse, Result<compiled::Ty, compiled::Why>)| -> PolarsResult<Option<Column>> {
                let (Ok(ty), true) = (ty, a.over == over) else {
                    return Ok(None);
                };
                let input = if a.agg == AggFn::Sum { *ty } else { compiled::Ty::Bool };
                let name = PlSmallStr::from("v");
                let column = match &a.target {
                    Some(Ref::Rule(t))
                        if let Some(c) = done.iter().find(|l| l.table == over).and_then(|l| l.columns.get(t)) =>
                    {
                        Some(c.cast(&input.dtype())?.with_name(name))
                    }
                    Some(Ref::Rule(t)) => {
                        let vals =
                            done.iter().find(|l| l.table == over).and_then(|l| l.values(*t)).unwrap_or(Values::EMPTY);
                        let c = match input {
                            compiled::Ty::Bool => {
                                Column::new(name, vals.iter().map(|v| v.as_bool()).collect::<Vec<_>>())
                            }
                            compiled::Ty::Int => Column::new(
                                name,
                                vals.iter()
                                    .map(|v| if let Value::Int(i) = v { Some(*i) } else { None })
                                    .collect::<Vec<_>>(),
                            ),
                            _ => Column::new(name, vals.iter().map(|v| v.as_f64()).collect::<Vec<_>>()),
                        };
                        Some(if c.len() == rows {
                            c
                        } else {
                            Column::full_null(c.name().clone(), rows, &input.dtype())
                        })
                    }
                    Some(Ref::Field(f)) => Some(match register.table(over) {
                        Some(t) if t.present.contains(f) => t.frame.column(f)?.cast(&input.dtype())?,
                        _ => Column::full_null(name, rows, &input.dtype()),
                    }),
                    _ => None,
                };
                Ok(match (column, &take) {
                    (Some(c), Some(idx)) => Some(c.take(idx)?),
                    (c, _) => c,
                })
            };
        let values = {
            use rayon::prelude::*;
            aggs.par_iter().map(one).collect::<PolarsResult<Vec<Option<Column>>>>()?
        };
        out.insert(over, compiled::Children { parent, values });
    }
    Ok(out)
}
