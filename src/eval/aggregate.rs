//! Aggregations over the level below, computed in Rust for the per-row path (`all_members`,
//! `sum_households`, …), honouring DOMAIN.md: only living members count, and a parent with
//! a row set aside (`--skip-invalid`) has one extra unknown element in every aggregate.

use std::collections::HashMap;

use super::fields::FieldData;
use super::sandbox::AggTable;
use super::{LevelOutcome, Value, Values, compiled};
use crate::register::hierarchy::Hierarchy;
use crate::register::{Register, Table};
use crate::rules::script::AggFn;
use crate::rules::{Pack, Ref};

/// Compute every aggregation the level's rules use, one value per row of the level.
#[allow(clippy::too_many_arguments)]
pub(super) fn aggregate_level(
    pack: &Pack,
    level_aggs: &[crate::rules::AggUse],
    table: Table,
    register: &Register,
    links: &Hierarchy,
    done: &[LevelOutcome],
    mut computed: HashMap<usize, Values>,
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
            let Some((parent, include)) = links.parents(a.over, table) else {
                return Err(crate::Error::Evaluation(format!(
                    "rule {}: {}(\"{}\") reads {} rows, which a {} rule cannot aggregate",
                    rule_id,
                    a.func,
                    a.arg,
                    a.over.level(),
                    table.level()
                )));
            };
            // No list: every child counts (`aggregate` takes a missing entry as counted).
            let include = include.unwrap_or(&[]);
            let child_values: Option<Vec<Value>> = match &a.target {
                None => None,
                Some(Ref::Rule(t)) => Some(
                    done.iter()
                        .find(|l| l.table == a.over)
                        .and_then(|l| l.values(*t))
                        .map(Values::to_vec)
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
            let mut values = aggregate(a.agg, parent, include, child_values.as_deref(), n_parents, &partial);
            // A sum of money is money even over no rows: 0.0, not 0.
            let float = match &a.target {
                Some(Ref::Rule(t)) => types.get(t) == Some(&compiled::Ty::Float),
                Some(Ref::Field(_)) => a.kind == Some(crate::register::Kind::Number),
                _ => false,
            };
            if a.agg == AggFn::Sum && float {
                for v in values.iter_mut() {
                    if let Value::Int(i) = *v {
                        *v = Value::Float(i as f64);
                    }
                }
            }
            out.entries.push((a.func.to_string(), a.arg.clone(), Values::from_vec(values)));
        }
    }
    Ok(out)
}

/// One aggregation over children grouped by parent, in Kleene terms. A partial parent
/// (a child set aside) holds one more, unknown, child.
pub fn aggregate(
    agg: AggFn,
    parent: &[Option<u32>],
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
        let a = &mut acc[p as usize];
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
