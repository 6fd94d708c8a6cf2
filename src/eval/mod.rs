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

pub mod compiled;
pub mod fields;
pub mod reasons;

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::{Column, NewChunkedArray, PlHashMap, StringChunked};
use rayon::prelude::*;
use rhai::{Dynamic, Scope};

use crate::register::{CodeList, Register, Table};
use crate::rules::script::{self, AggFn, AggTable};
use crate::rules::{Pack, Ref, RuleKind};
use fields::FieldData;

/// A rule's outcome on one row: 是/否, a number, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Value {
    #[default]
    Unknown,
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn to_dynamic(self) -> Dynamic {
        match self {
            Value::Unknown => Dynamic::UNIT,
            Value::Bool(b) => Dynamic::from_bool(b),
            Value::Int(i) => Dynamic::from_int(i),
            Value::Float(f) => Dynamic::from_float(f),
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        if let Value::Bool(b) = self { Some(b) } else { None }
    }

    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// A runtime error of one rule on one row: counted and reported, never a silent default
/// (the row's outcome is unknown and the run's exit status says errors occurred).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowError {
    pub rule: String,
    pub level: &'static str,
    pub key: String,
    pub message: String,
}

/// The outcomes of one level.
pub struct LevelOutcome {
    pub table: Table,
    /// The key of each row (`person_id`, `household_id`, …), as loaded.
    pub keys: StringChunked,
    /// Extra key columns written before the rules (a person's household, a household's
    /// village).
    pub extra_keys: Vec<Column>,
    /// The county of each row (an index into `county_codes`, [`NO_COUNTY`] if none), for
    /// per-county summaries.
    pub county: Vec<u32>,
    /// Every county code of the register, as the first 6 digits of its village codes.
    pub county_codes: Vec<String>,
    /// (rule index, one value per row), in the pack's rule order.
    pub results: Vec<(usize, Vec<Value>)>,
    /// Why the level's main verdict came out as it did, per row (when the pack names one).
    pub reasons: Option<Vec<String>>,
    /// The compiled rules' results as polars produced them, by rule (the same outcomes as
    /// `results`; kept so that writers and the level above need not rebuild the columns).
    /// Absent for a rule with row errors.
    pub columns: HashMap<usize, Column>,
    /// The type of each number rule of the level (whole or not), which its column takes.
    pub number_types: HashMap<usize, compiled::Ty>,
}

/// A compiled column as outcomes, with the row errors found converting it.
type Converted = (Vec<Value>, Vec<(usize, String)>);

/// No county known for a row (a person whose household is missing).
pub const NO_COUNTY: u32 = u32::MAX;

impl LevelOutcome {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of row `i`.
    pub fn key(&self, i: usize) -> &str {
        self.keys.get(i).unwrap_or("")
    }

    /// The first extra key of every row as text: a person's household, a household's village
    /// (empty for levels without one).
    pub fn extra_key(&self) -> Vec<String> {
        self.extra_keys
            .first()
            .and_then(|c| c.str().ok().map(|s| s.iter().map(|v| v.unwrap_or("").to_string()).collect()))
            .unwrap_or_else(|| vec![String::new(); self.len()])
    }

    /// The county code of row `i` ("" if none).
    pub fn county_of(&self, i: usize) -> &str {
        self.county.get(i).and_then(|&c| self.county_codes.get(c as usize)).map(String::as_str).unwrap_or("")
    }

    pub fn values(&self, rule: usize) -> Option<&[Value]> {
        self.results.iter().find(|(r, _)| *r == rule).map(|(_, v)| v.as_slice())
    }
}

/// Everything `check` computed.
pub struct Outcomes {
    pub year: i32,
    pub levels: Vec<LevelOutcome>,
    pub errors: Vec<RowError>,
    /// The aggregations each level's rules read, per row (for `explain`).
    pub aggregates: Vec<(Table, Arc<AggTable>)>,
    /// Which path each rule ran on (in the pack's rule order).
    pub paths: Vec<compiled::RulePath>,
}

/// How rules are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Rules the compiled path translates run as polars expressions; the others per row.
    #[default]
    Auto,
    /// Every rule per row (the reference the compiled path is tested against).
    Rows,
}

impl Outcomes {
    pub fn level(&self, t: Table) -> Option<&LevelOutcome> {
        self.levels.iter().find(|l| l.table == t)
    }
}

/// How rows of a lower level belong to rows of a higher one.
struct Links {
    /// Per person row: its household row.
    person_household: Vec<Option<usize>>,
    /// Per person row: living (health is not 05; null counts as living).
    person_living: Vec<bool>,
    /// Per household row: its village row, its county row.
    household_village: Vec<Option<usize>>,
    household_county: Vec<Option<usize>>,
    /// Per village row: its county row.
    village_county: Vec<Option<usize>>,
    /// County codes (first 6 digits of village codes), sorted, and their indexes.
    county_codes: Vec<String>,
    code_index: HashMap<String, u32>,
    /// Per household and per village row: index of its county code.
    household_code: Vec<u32>,
    village_code: Vec<u32>,
}

/// A text column of a table (empty when the table or column is absent). Cloning a
/// column is cheap: the values are shared, not copied.
fn str_column(reg: &Register, t: Table, col: &str) -> StringChunked {
    reg.table(t)
        .and_then(|lt| lt.frame.column(col).ok())
        .and_then(|c| c.str().ok().cloned())
        .unwrap_or_else(|| StringChunked::from_slice_options(col.into(), &[] as &[Option<&str>]))
}

fn index_of(keys: &StringChunked) -> PlHashMap<&str, usize> {
    keys.iter().enumerate().filter_map(|(i, k)| k.map(|k| (k, i))).collect()
}

/// `f` of every key, computed once per run of equal keys (children come grouped by parent
/// in exports, so most lookups are skipped); a null key gives `None`.
fn by_runs<'a, T: Copy>(keys: &'a StringChunked, f: impl Fn(&'a str) -> Option<T>) -> Vec<Option<T>> {
    let mut last: Option<(&str, Option<T>)> = None;
    keys.iter()
        .map(|k| {
            let k = k?;
            match last {
                Some((l, v)) if l == k => v,
                _ => {
                    let v = f(k);
                    last = Some((k, v));
                    v
                }
            }
        })
        .collect()
}

fn links(reg: &Register) -> Links {
    let v_codes = str_column(reg, Table::Villages, "village_code");
    let v_index = index_of(&v_codes);
    let c_codes = str_column(reg, Table::Counties, "county_code");
    let c_index = index_of(&c_codes);
    let county_of = |v: &str| v.get(..6).and_then(|c| c_index.get(c).copied());

    // The key checks found each member's household row; found again only when rows were
    // set aside or the register was filtered.
    let found = |t: Table| {
        let lt = reg.table(t)?;
        let rows = lt.parent_rows.as_ref().filter(|r| r.len() == lt.frame.height())?;
        Some(rows.iter().map(|r| r.map(|r| r as usize)).collect::<Vec<_>>())
    };
    let person_household = found(Table::Persons).unwrap_or_else(|| {
        let hh_ids = str_column(reg, Table::Households, "household_id");
        let hh_index = index_of(&hh_ids);
        by_runs(&str_column(reg, Table::Persons, "household_id"), |h| hh_index.get(h).copied())
    });
    let dead = CodeList::Health.index_of("05");
    let person_living = match reg
        .table(Table::Persons)
        .and_then(|t| t.frame.column("health").ok())
        .and_then(|c| c.u8().ok().cloned())
    {
        Some(h) => h.iter().map(|v| v.is_none() || v != dead).collect(),
        None => vec![true; reg.rows(Table::Persons)],
    };
    let hh_villages = str_column(reg, Table::Households, "village_code");
    let household_village =
        found(Table::Households).unwrap_or_else(|| by_runs(&hh_villages, |v| v_index.get(v).copied()));
    let household_county = by_runs(&hh_villages, county_of);
    let village_county = v_codes.iter().map(|v| v.and_then(county_of)).collect();
    let mut county_codes: Vec<String> = by_runs(&hh_villages, |v| Some(v.get(..6).unwrap_or(v)))
        .into_iter()
        .flatten()
        .chain(v_codes.iter().flatten().map(|v| v.get(..6).unwrap_or(v)))
        .chain(c_codes.iter().flatten())
        .collect::<std::collections::BTreeSet<&str>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    county_codes.shrink_to_fit();
    let code_index: HashMap<String, u32> =
        county_codes.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect();
    let code_of =
        |v: Option<&str>| v.and_then(|v| code_index.get(v.get(..6).unwrap_or(v)).copied()).unwrap_or(NO_COUNTY);
    let household_code =
        by_runs(&hh_villages, |v| Some(code_of(Some(v)))).into_iter().map(|c| c.unwrap_or(NO_COUNTY)).collect();
    let village_code = v_codes.iter().map(code_of).collect();
    Links {
        county_codes,
        code_index,
        household_code,
        village_code,
        person_household,
        person_living,
        household_village,
        household_county,
        village_county,
    }
}

/// Evaluate a pack over a register for a year, compiled where possible. `progress` is told
/// each finished chunk of rows.
pub fn evaluate(
    pack: &Pack,
    register: &Register,
    year: i32,
    params: HashMap<String, f64>,
    aliases: &crate::register::Aliases,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Outcomes, crate::Error> {
    evaluate_with(pack, register, year, params, aliases, progress, Engine::Auto)
}

/// [`evaluate`] on a chosen path.
pub fn evaluate_with(
    pack: &Pack,
    register: &Register,
    year: i32,
    params: HashMap<String, f64>,
    aliases: &crate::register::Aliases,
    progress: &(dyn Fn(u64) + Sync),
    mode: Engine,
) -> Result<Outcomes, crate::Error> {
    let params = Arc::new(params);
    let engine = script::engine(params.clone());
    let mut paths: Vec<compiled::RulePath> = vec![];
    // The type of every number rule: from its translation where it translates (whatever
    // path it runs on, so that both paths write the same column types), else from its
    // values once it has run. Sums over a rule, and its column, follow it.
    let mut number_types: HashMap<usize, compiled::Ty> = HashMap::new();
    let lap = crate::timing::lap;
    lap("evaluation starts");
    let links = links(register);
    lap("links between levels");
    let mut levels: Vec<LevelOutcome> = vec![];
    let mut errors = vec![];
    let mut aggregates = vec![];
    for table in Table::ALL {
        let Some(lt) = register.table(table) else {
            continue;
        };
        let order = pack.order.get(&table).cloned().unwrap_or_default();
        let n = lt.frame.height();
        let keys: StringChunked = match lt.frame.column(table.key()).and_then(|c| c.str().cloned()) {
            Ok(k) => k.rechunk().into_owned(),
            Err(_) => StringChunked::from_slice_options(table.key().into(), &vec![None::<&str>; n]),
        };

        // The compiled part of the level: one polars plan.
        let level_aggs = compiled::level_aggregations(pack, &order);
        let agg_types: Vec<(crate::rules::AggUse, Result<compiled::Ty, compiled::Why>)> = level_aggs
            .iter()
            .map(|a| (a.clone(), compiled::aggregation_type(a, &|t| number_types.get(&t).copied())))
            .collect();
        let mut known: HashMap<usize, Vec<Value>> = HashMap::new();
        let mut known_columns: HashMap<usize, Column> = HashMap::new();
        let mut known_aggs: HashMap<usize, Vec<Value>> = HashMap::new();
        // The level's rules translated, on either engine: their types are the column types.
        let cx = compiled::LevelContext {
            pack,
            level: table,
            year,
            params: &params,
            present: Some(&lt.present),
            aggregations: &agg_types,
        };
        let (translated, plan_paths) = compiled::plan_level(&cx, &order);
        for (r, t) in &translated {
            if pack.rules[*r].kind == crate::rules::RuleKind::Value {
                number_types.insert(*r, t.ty);
            }
        }
        let mut level_paths: Vec<compiled::RulePath> = match mode {
            Engine::Rows => order
                .iter()
                .map(|&rule| compiled::RulePath { rule, row_by_row: Some(compiled::Why::EngineRows), ty: None })
                .collect(),
            Engine::Auto => {
                let mut level_paths = plan_paths;
                if !translated.is_empty() {
                    let run = run_compiled(&translated, &agg_types, table, lt, register, &links, &levels);
                    lap(&format!("{} polars plan", table.level()));
                    match run {
                        Ok(df) => {
                            // Columns looked up here; their values converted in parallel
                            // (plain memory reads, no polars call inside).
                            let mut columns: Vec<(Option<usize>, usize, &Column)> = vec![];
                            for (r, _) in &translated {
                                columns.push((Some(*r), *r, df.column(&compiled::rule_column(*r))?));
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
                                    errs.extend(rows.map(|(row, _)| (row, compiled::OVERFLOW.to_string())));
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
                            for p in level_paths.iter_mut() {
                                p.row_by_row.get_or_insert_with(|| compiled::Why::PlanFailed(e.to_string()));
                            }
                        }
                    }
                }
                level_paths
            }
        };
        lap(&format!("{} compiled rules", table.level()));

        // Fields the level's rules read, extracted once (the per-row rules read them, and
        // `reasons` names the unknown ones).
        let rows_order: Vec<usize> = order.iter().copied().filter(|r| !known.contains_key(r)).collect();
        let mut field_data: HashMap<&'static str, FieldData> = HashMap::new();
        for &r in &rows_order {
            for f in pack.rules[r].fields() {
                field_data.entry(f).or_insert_with(|| FieldData::extract(lt, table, f));
            }
        }
        lap(&format!("{} fields (rayon threads {})", table.level(), rayon::current_num_threads()));
        let aggs =
            Arc::new(aggregate_level(pack, &level_aggs, table, register, &links, &levels, known_aggs, &number_types)?);

        aggregates.push((table, aggs.clone()));
        let (row_results, errs) = if rows_order.is_empty() {
            progress(n as u64);
            (vec![], vec![])
        } else {
            evaluate_rows(&engine, pack, &rows_order, &known, table, n, &keys, &field_data, &aggs, year, progress)
        };
        errors.extend(errs);
        let mut row_results = rows_order.iter().copied().zip(row_results).collect::<HashMap<usize, Vec<Value>>>();
        // A number rule that ran row by row is whole when all its values are, as its
        // column is written; a sum over it above is then whole too.
        for (r, vals) in &row_results {
            if pack.rules[*r].kind == crate::rules::RuleKind::Value && !number_types.contains_key(r) {
                let whole = vals.iter().all(|v| matches!(v, Value::Int(_) | Value::Unknown));
                number_types.insert(*r, if whole { compiled::Ty::Int } else { compiled::Ty::Float });
            }
        }
        let results: Vec<Vec<Value>> = order
            .iter()
            .map(|r| known.remove(r).or_else(|| row_results.remove(r)).unwrap_or_else(|| vec![Value::Unknown; n]))
            .collect();
        level_paths.sort_by_key(|p| p.rule);
        paths.extend(level_paths);
        lap(&format!("{} rules", table.level()));

        let county: Vec<u32> = match table {
            Table::Persons => links
                .person_household
                .iter()
                .map(|h| h.and_then(|h| links.household_code.get(h).copied()).unwrap_or(NO_COUNTY))
                .collect(),
            Table::Households => links.household_code.clone(),
            Table::Villages => links.village_code.clone(),
            Table::Counties => {
                keys.iter().map(|k| k.and_then(|k| links.code_index.get(k).copied()).unwrap_or(NO_COUNTY)).collect()
            }
        };
        let extra_keys: Vec<Column> = match table {
            Table::Persons => lt.frame.column("household_id").ok().cloned().into_iter().collect(),
            Table::Households => lt.frame.column("village_code").ok().cloned().into_iter().collect(),
            _ => vec![],
        };
        // Results in the pack's rule order (files sorted), not dependency order.
        let mut by_rule: Vec<(usize, Vec<Value>)> = order.iter().copied().zip(results).collect();
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
        outcome.reasons = reasons::for_level(pack, &outcome, &reasons::null_masks(pack, lt, table), aliases);
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
    links: &Links,
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
    let mut lf = df.lazy().with_row_index("__row", None);
    if !aggs.is_empty() {
        let children = children_of(aggs, table, register, links, done)?;
        crate::timing::lap(&format!("{} aggregation inputs", table.level()));
        lf = compiled::with_aggregations(lf, aggs, &children)?;
    }
    lf = compiled::with_rules(lf, translated);
    let mut keep = compiled::rule_outputs(translated);
    keep.extend((0..aggs.len()).filter(|&k| aggs[k].1.is_ok()).map(|k| col(compiled::agg_column(k))));
    lf.select(keep).collect()
}

/// The rows a level's aggregations read, per lower table: each child's parent row (null when
/// it has none or does not count: a deceased member) and the values aggregated.
fn children_of(
    aggs: &[(crate::rules::AggUse, Result<compiled::Ty, compiled::Why>)],
    table: Table,
    register: &Register,
    links: &Links,
    done: &[LevelOutcome],
) -> polars::prelude::PolarsResult<HashMap<Table, compiled::Children>> {
    use polars::prelude::*;
    let mut out = HashMap::new();
    for over in [Table::Persons, Table::Households, Table::Villages] {
        if !aggs.iter().any(|(a, _)| a.over == over) {
            continue;
        }
        let (parent, include): (&[Option<usize>], Option<&[bool]>) = match (over, table) {
            (Table::Persons, Table::Households) => (&links.person_household, Some(&links.person_living)),
            (Table::Households, Table::Villages) => (&links.household_village, None),
            (Table::Households, Table::Counties) => (&links.household_county, None),
            (Table::Villages, Table::Counties) => (&links.village_county, None),
            _ => {
                return Err(PolarsError::ComputeError(
                    format!("{} rows cannot be aggregated for a {} rule", over.level(), table.level()).into(),
                ));
            }
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
        let mut values = vec![];
        for (a, ty) in aggs {
            let (Ok(ty), true) = (ty, a.over == over) else {
                values.push(None);
                continue;
            };
            let input = if a.agg == script::AggFn::Sum { *ty } else { compiled::Ty::Bool };
            let name = PlSmallStr::from("v");
            let column = match &a.target {
                Some(Ref::Rule(t))
                    if let Some(c) = done.iter().find(|l| l.table == over).and_then(|l| l.columns.get(t)) =>
                {
                    Some(c.cast(&input.dtype())?.with_name(name))
                }
                Some(Ref::Rule(t)) => {
                    let vals = done.iter().find(|l| l.table == over).and_then(|l| l.values(*t)).unwrap_or(&[]);
                    let c = match input {
                        compiled::Ty::Bool => Column::new(name, vals.iter().map(|v| v.as_bool()).collect::<Vec<_>>()),
                        compiled::Ty::Int => Column::new(
                            name,
                            vals.iter()
                                .map(|v| if let Value::Int(i) = v { Some(*i) } else { None })
                                .collect::<Vec<_>>(),
                        ),
                        _ => Column::new(name, vals.iter().map(|v| v.as_f64()).collect::<Vec<_>>()),
                    };
                    Some(if c.len() == rows { c } else { Column::full_null(c.name().clone(), rows, &input.dtype()) })
                }
                Some(Ref::Field(f)) => Some(match register.table(over) {
                    Some(t) if t.present.contains(f) => t.frame.column(f)?.cast(&input.dtype())?,
                    _ => Column::full_null(name, rows, &input.dtype()),
                }),
                _ => None,
            };
            let column = match (column, &take) {
                (Some(c), Some(idx)) => Some(c.take(idx)?),
                (c, _) => c,
            };
            values.push(column);
        }
        out.insert(over, compiled::Children { parent, values });
    }
    Ok(out)
}

const CHUNK: usize = 2048;

#[allow(clippy::too_many_arguments)]
fn evaluate_rows(
    engine: &rhai::Engine,
    pack: &Pack,
    order: &[usize],
    known: &HashMap<usize, Vec<Value>>,
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
        Known(&'a [Value]),
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
            || (Scope::new(), script::Runner::new(engine)),
            |(scope, runner), &(start, end)| {
                script::set_aggregates(Some(aggs.clone()));
                let mut cols: Vec<Vec<Value>> = vec![Vec::with_capacity(end - start); plans.len()];
                let mut errs = vec![];
                let mut row_vals: Vec<Value> = vec![Value::Unknown; plans.len()];
                for row in start..end {
                    script::set_row(row);
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
                            Err(e) if script::is_unknown_condition(&e) => Value::Unknown,
                            Err(e) => {
                                errs.push(row_error(plan.rule, table, keys, row, runtime_message(&e)));
                                Value::Unknown
                            }
                        };
                        row_vals[k] = v;
                        cols[k].push(v);
                    }
                }
                script::set_aggregates(None);
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

fn row_error(rule: &crate::rules::Rule, table: Table, keys: &StringChunked, row: usize, message: String) -> RowError {
    RowError { rule: rule.id.clone(), level: table.level(), key: keys.get(row).unwrap_or("").to_string(), message }
}

fn runtime_message(e: &rhai::EvalAltResult) -> String {
    use rhai::EvalAltResult as E;
    match e {
        E::ErrorTooManyOperations(_) => {
            format!("stopped after {} operations (an endless loop?)", script::MAX_OPERATIONS)
        }
        E::ErrorStackOverflow(_) | E::ErrorTooManyModules(_) => "calls nested too deeply".to_string(),
        E::ErrorDataTooLarge(what, _) => format!("{what} too large"),
        E::ErrorRuntime(v, _) => v.to_string(),
        E::ErrorArithmetic(m, _) if m.to_lowercase().contains("overflow") => compiled::OVERFLOW.to_string(),
        // Rhai names the function with its argument types: `+ (f64, string)`.
        E::ErrorFunctionNotFound(signature, _) => format!(
            "no function `{signature}`: check the function's name, and that its values are of the kinds it takes (a number and text cannot be added)"
        ),
        other => {
            let s = other.to_string();
            s.split(" (line ").next().unwrap_or(&s).to_string()
        }
    }
}

/// A script's result as an outcome of the rule's kind.
fn to_value(d: &Dynamic, kind: RuleKind) -> Result<Value, String> {
    if d.is_unit() {
        return Ok(Value::Unknown);
    }
    match kind {
        RuleKind::Predicate => d
            .as_bool()
            .map(Value::Bool)
            .map_err(|t| format!("a 判断 rule must give true/false/unknown, but gave a {t}")),
        RuleKind::Value => {
            if let Ok(i) = d.as_int() {
                Ok(Value::Int(i))
            } else if let Ok(f) = d.as_float() {
                if f.is_finite() { Ok(Value::Float(f)) } else { Err(format!("the result {f} is not a finite number")) }
            } else {
                Err(format!("a 数值 rule must give a number or unknown, but gave a {}", d.type_name()))
            }
        }
    }
}

/// Compute every aggregation the level's rules use, one value per row of the level.
#[allow(clippy::too_many_arguments)]
fn aggregate_level(
    pack: &Pack,
    level_aggs: &[crate::rules::AggUse],
    table: Table,
    register: &Register,
    links: &Links,
    done: &[LevelOutcome],
    mut computed: HashMap<usize, Vec<Value>>,
    types: &HashMap<usize, compiled::Ty>,
) -> Result<AggTable, crate::Error> {
    let mut out = AggTable::default();
    let n_parents = register.rows(table);
    let partial: Vec<bool> = register.table(table).map(|t| t.partial.clone()).unwrap_or_default();
    for (k, a) in level_aggs.iter().enumerate() {
        {
            if let Some(values) = computed.remove(&k) {
                out.entries.push((a.func.to_string(), a.arg.clone(), values));
                continue;
            }
            let user = pack.rules.iter().find(|r| r.aggregates.iter().any(|b| b.func == a.func && b.arg == a.arg));
            let rule_id = user.map(|r| r.id.as_str()).unwrap_or("");
            // Children of which parent, and whether each counts.
            let (parent, include): (&[Option<usize>], Vec<bool>) = match (a.over, table) {
                (Table::Persons, Table::Households) => (&links.person_household, links.person_living.clone()),
                (Table::Households, Table::Villages) => {
                    (&links.household_village, vec![true; links.household_village.len()])
                }
                (Table::Households, Table::Counties) => {
                    (&links.household_county, vec![true; links.household_county.len()])
                }
                (Table::Villages, Table::Counties) => (&links.village_county, vec![true; links.village_county.len()]),
                (over, _) => {
                    return Err(crate::Error::Evaluation(format!(
                        "rule {}: {}(\"{}\") reads {} rows, which a {} rule cannot aggregate",
                        rule_id,
                        a.func,
                        a.arg,
                        over.level(),
                        table.level()
                    )));
                }
            };
            let child_values: Option<Vec<Value>> = match &a.target {
                None => None,
                Some(Ref::Rule(t)) => Some(
                    done.iter()
                        .find(|l| l.table == a.over)
                        .and_then(|l| l.values(*t))
                        .map(<[Value]>::to_vec)
                        .unwrap_or_else(|| vec![Value::Unknown; register.rows(a.over)]),
                ),
                Some(Ref::Field(f)) => match register.table(a.over) {
                    Some(lt) => Some(FieldData::extract(lt, a.over, f).values().map_err(|kind| {
                        crate::Error::Evaluation(format!(
                            "rule {}: {}(\"{}\") cannot aggregate a {kind} field",
                            rule_id, a.func, a.arg
                        ))
                    })?),
                    None => Some(vec![]),
                },
                Some(_) => None,
            };
            let mut values = aggregate(a.agg, parent, &include, child_values.as_deref(), n_parents, &partial);
            // A sum of money is money even over no rows: 0.0, not 0.
            let float = match &a.target {
                Some(Ref::Rule(t)) => types.get(t) == Some(&compiled::Ty::Float),
                Some(Ref::Field(f)) => a.over.column(f).is_some_and(|c| c.kind == crate::register::Kind::Number),
                _ => false,
            };
            if a.agg == AggFn::Sum && float {
                for v in values.iter_mut() {
                    if let Value::Int(i) = *v {
                        *v = Value::Float(i as f64);
                    }
                }
            }
            out.entries.push((a.func.to_string(), a.arg.clone(), values));
        }
    }
    Ok(out)
}

/// One aggregation over children grouped by parent, in Kleene terms. A partial parent
/// (a child set aside) holds one more, unknown, child.
pub fn aggregate(
    agg: AggFn,
    parent: &[Option<usize>],
    include: &[bool],
    values: Option<&[Value]>,
    n: usize,
    partial: &[bool],
) -> Vec<Value> {
    #[derive(Clone, Copy)]
    struct Acc {
        any_false: bool,
        any_true: bool,
        any_unknown: bool,
        count: i64,
        isum: i64,
        fsum: f64,
        float: bool,
    }
    let mut acc =
        vec![
            Acc { any_false: false, any_true: false, any_unknown: false, count: 0, isum: 0, fsum: 0.0, float: false };
            n
        ];
    for (i, p) in parent.iter().enumerate() {
        let Some(p) = *p else { continue };
        if !include.get(i).copied().unwrap_or(true) {
            continue;
        }
        let a = &mut acc[p];
        match values.map(|v| v.get(i).copied().unwrap_or_default()) {
            None => a.count += 1,
            Some(Value::Unknown) => a.any_unknown = true,
            Some(Value::Bool(true)) => {
                a.any_true = true;
                a.count += 1;
            }
            Some(Value::Bool(false)) => a.any_false = true,
            Some(Value::Int(x)) => {
                a.isum += x;
                a.fsum += x as f64;
            }
            Some(Value::Float(x)) => {
                a.float = true;
                a.fsum += x;
            }
        }
    }
    acc.iter()
        .enumerate()
        .map(|(p, a)| {
            let unknown = a.any_unknown || partial.get(p).copied().unwrap_or(false);
            match agg {
                AggFn::All if a.any_false => Value::Bool(false),
                AggFn::Any if a.any_true => Value::Bool(true),
                AggFn::All | AggFn::Any if unknown => Value::Unknown,
                AggFn::All => Value::Bool(true),
                AggFn::Any => Value::Bool(false),
                _ if unknown => Value::Unknown,
                AggFn::Count => Value::Int(a.count),
                AggFn::Sum if a.float => Value::Float(a.fsum),
                AggFn::Sum => Value::Int(a.isum),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_follow_kleene_and_partial_parents_are_unknown() {
        use Value::*;
        let parent = [Some(0), Some(0), Some(1), Some(1), Some(2)];
        let include = [true, true, true, false, true];
        let vals = [Bool(true), Unknown, Bool(false), Unknown, Bool(true)];
        let no_partial = [false, false, false, false];
        assert_eq!(
            aggregate(AggFn::All, &parent, &include, Some(&vals), 4, &no_partial),
            vec![Unknown, Bool(false), Bool(true), Bool(true)]
        );
        assert_eq!(
            aggregate(AggFn::Any, &parent, &include, Some(&vals), 4, &no_partial),
            vec![Bool(true), Bool(false), Bool(true), Bool(false)]
        );
        assert_eq!(
            aggregate(AggFn::Count, &parent, &include, None, 4, &no_partial),
            vec![Int(2), Int(1), Int(1), Int(0)]
        );
        let partial = [false, false, true, false];
        assert_eq!(aggregate(AggFn::All, &parent, &include, Some(&vals), 4, &partial)[2], Unknown);
        assert_eq!(aggregate(AggFn::Count, &parent, &include, None, 4, &partial)[2], Unknown);
        let nums = [Int(2), Float(0.5), Int(3), Int(100), Unknown];
        assert_eq!(
            aggregate(AggFn::Sum, &parent, &include, Some(&nums), 4, &no_partial),
            vec![Float(2.5), Int(3), Unknown, Int(0)]
        );
    }
}
