//! The Rhai runtime rule scripts run in: a sandbox with the rule language's semantics.
//!
//! What this module changes about plain Rhai, and why:
//! - **Unknown is `()`** and flows through everything: a comparison or arithmetic with an
//!   unknown operand is unknown (Rhai would say `() >= 4000` is false, or fail).
//! - **Three-valued logic**: `and`, `or` (and 且, 或) and `not(x)` (非) follow Kleene's
//!   tables, so a verdict never depends on the order of conditions. Rhai's `&&`, `||` and
//!   `!` are disabled, since they cannot carry unknown; the parser then points at them.
//! - **Exact numbers**: float comparisons are exact (Rhai tolerates an epsilon by default)
//!   and `/` always divides exactly (`7 / 2` is 3.5, as a policy reader expects); dividing
//!   by zero is unknown (DOMAIN.md: no members, no population), never infinity.
//! - **Sandbox**: no modules, no `eval`, no printing; operations, call depth, string,
//!   array and map sizes are bounded, so an endless loop stops with an error in well
//!   under a second.
//! - **Plain names**: `param("poverty_line")` / `参数("扶贫标准")` for parameters, and the
//!   aggregation forms `all_members("…")`, `count_members()`, `sum_households("…")`, … which
//!   read values the evaluator has already computed for the level below.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString};

use super::Value;
use crate::messages::row::{Kind, RowProblem};
use crate::rules::script::{AGGREGATIONS, PARAM_FNS};

/// The operation budget of one rule on one row. Real rules use well under a hundred.
pub const MAX_OPERATIONS: u64 = 200_000;

/// Values of the aggregations a level's scripts use, one per row of the level, keyed by
/// the function name and argument exactly as written in the script.
#[derive(Default)]
pub struct AggTable {
    pub entries: Vec<(String, String, super::Values)>,
}

impl AggTable {
    pub fn get(&self, func: &str, arg: &str, row: usize) -> Option<Value> {
        self.entries.iter().find(|(f, a, _)| f == func && a == arg).and_then(|(_, _, v)| v.get(row).copied())
    }
}

thread_local! {
    /// The aggregations of the level being evaluated on this thread, and the current row.
    static CURRENT: RefCell<(Option<Arc<AggTable>>, usize)> = const { RefCell::new((None, 0)) };
}

/// Set the aggregation table for this thread (once per chunk).
pub fn set_aggregates(table: Option<Arc<AggTable>>) {
    CURRENT.with(|c| c.borrow_mut().0 = table);
}

/// Set the row being evaluated on this thread.
pub fn set_row(row: usize) {
    CURRENT.with(|c| c.borrow_mut().1 = row);
}

fn aggregate(func: &str, arg: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    CURRENT.with(|c| {
        let c = c.borrow();
        match c.0.as_ref().and_then(|t| t.get(func, arg, c.1)) {
            Some(v) => Ok(v.to_dynamic()),
            None => Err(raise(RowProblem::NotAvailable { func: func.to_string(), arg: arg.to_string() })),
        }
    })
}

fn tri(v: &Dynamic, op: &str) -> Result<Option<bool>, Box<EvalAltResult>> {
    if v.is_unit() {
        Ok(None)
    } else if let Ok(b) = v.as_bool() {
        Ok(Some(b))
    } else {
        Err(raise(RowProblem::NeedsTrueFalse { op: op.to_string(), found: kind_of(v) }))
    }
}

fn from_tri(v: Option<bool>) -> Dynamic {
    match v {
        Some(b) => Dynamic::from_bool(b),
        None => Dynamic::UNIT,
    }
}

/// Kleene and.
pub fn kleene_and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene or.
pub fn kleene_or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// A binary operator over numbers where either side may be unknown.
fn register_numeric_op(engine: &mut Engine, op: &'static str, f: fn(f64, f64) -> Result<Dynamic, Box<EvalAltResult>>) {
    // Every combination of FLOAT, INT and () is registered, so that no built-in (with its
    // epsilon, its integer division, or its `() >= 4000 == false`) is ever reached.
    engine.register_fn(op, move |a: f64, b: f64| f(a, b));
    engine.register_fn(op, move |a: f64, b: i64| f(a, b as f64));
    engine.register_fn(op, move |a: i64, b: f64| f(a as f64, b));
    engine.register_fn(op, move |_: (), _: Dynamic| Dynamic::UNIT);
    engine.register_fn(op, move |_: Dynamic, _: ()| Dynamic::UNIT);
    engine.register_fn(op, move |_: (), _: ()| Dynamic::UNIT);
}

/// Build the sandboxed engine: the rule language's syntax (`rules::script::syntax`) with the
/// functions scripts call. `params` maps every parameter name and alias to its value for the
/// year evaluated.
pub fn engine(params: Arc<HashMap<String, f64>>) -> Engine {
    let mut e = crate::rules::script::syntax();
    e.set_max_operations(MAX_OPERATIONS);
    for word in ["and", "且"] {
        e.register_fn(word, |a: Dynamic, b: Dynamic| -> Result<Dynamic, Box<EvalAltResult>> {
            Ok(from_tri(kleene_and(tri(&a, "and")?, tri(&b, "and")?)))
        });
    }
    for word in ["or", "或"] {
        e.register_fn(word, |a: Dynamic, b: Dynamic| -> Result<Dynamic, Box<EvalAltResult>> {
            Ok(from_tri(kleene_or(tri(&a, "or")?, tri(&b, "or")?)))
        });
    }
    // `x !in [...]` is parsed as `!` applied to `contains`; unknown stays unknown.
    e.register_fn("!", |_: ()| Dynamic::UNIT);
    for word in ["not", "非"] {
        e.register_fn(word, |a: Dynamic| -> Result<Dynamic, Box<EvalAltResult>> {
            Ok(from_tri(tri(&a, "not")?.map(|b| !b)))
        });
    }

    // Comparisons: exact for numbers, unknown in → unknown out, and an error (never a
    // silent false, as plain Rhai gives) for values that cannot be compared.
    // The typed pairs scripts use most resolve directly; everything else goes through
    // `compare` (measured: typed pairs save 3 s on a 1M-household check).
    macro_rules! typed_comparisons {
        ($($op:tt),*) => {$(
            e.register_fn(stringify!($op), |a: f64, b: f64| a $op b);
            e.register_fn(stringify!($op), |a: f64, b: i64| a $op (b as f64));
            e.register_fn(stringify!($op), |a: i64, b: f64| (a as f64) $op b);
            e.register_fn(stringify!($op), |a: i64, b: i64| a $op b);
            e.register_fn(stringify!($op), |a: ImmutableString, b: ImmutableString| a.as_str() $op b.as_str());
            e.register_fn(stringify!($op), |a: Dynamic, b: Dynamic| compare(stringify!($op), &a, &b));
        )*};
    }
    typed_comparisons!(>=, >, <=, <, ==, !=);
    register_numeric_op(&mut e, "+", |a, b| Ok(Dynamic::from_float(a + b)));
    register_numeric_op(&mut e, "-", |a, b| Ok(Dynamic::from_float(a - b)));
    register_numeric_op(&mut e, "*", |a, b| Ok(Dynamic::from_float(a * b)));
    register_numeric_op(&mut e, "/", divide);
    e.register_fn("/", |a: i64, b: i64| divide(a as f64, b as f64));
    for op in ["+", "-"] {
        e.register_fn(op, |_: ()| Dynamic::UNIT);
    }
    // `x in [...]` with an unknown x is unknown; a code in a list of codes is compared
    // natively (the generic `contains` dispatches one `==` call per element).
    e.register_fn("contains", |_: &mut rhai::Array, _: ()| Dynamic::UNIT);
    e.register_fn("contains", |list: &mut rhai::Array, x: ImmutableString| {
        list.iter().any(|v| v.read_lock::<ImmutableString>().is_some_and(|s| *s == x))
    });

    // Unknown handling and dates.
    e.register_fn("is_known", |v: Dynamic| !v.is_unit());
    e.register_fn("已知", |v: Dynamic| !v.is_unit());
    e.register_fn("first_known", |a: Dynamic, b: Dynamic| if a.is_unit() { b } else { a });
    e.register_fn("birth_date_from_id", |id: Dynamic| -> Dynamic {
        match id.into_immutable_string() {
            Ok(s) => match crate::register::resident_id::birth_date(&s) {
                Some(d) => Dynamic::from(ImmutableString::from(crate::register::convert::date_text(d))),
                None => Dynamic::UNIT,
            },
            Err(_) => Dynamic::UNIT,
        }
    });
    // Resident IDs (GB 11643-1999), for data-quality rules: the loader's functions.
    use crate::register::resident_id;
    let id_text = |id: &Dynamic| id.read_lock::<ImmutableString>().map(|s| s.to_string());
    e.register_fn("id_well_formed", move |id: Dynamic| -> Dynamic {
        id_text(&id).map_or(Dynamic::UNIT, |s| Dynamic::from_bool(resident_id::well_formed(&s)))
    });
    e.register_fn("id_check_ok", move |id: Dynamic| -> Dynamic {
        id_text(&id).map_or(Dynamic::UNIT, |s| Dynamic::from_bool(resident_id::check_ok(&s)))
    });
    e.register_fn("id_sex", move |id: Dynamic| -> Dynamic {
        match id_text(&id).as_deref().and_then(resident_id::sex) {
            Some(s) => Dynamic::from(ImmutableString::from(s)),
            None => Dynamic::UNIT,
        }
    });
    e.register_fn("abs", |x: f64| x.abs());
    e.register_fn("abs", |_: ()| Dynamic::UNIT);
    e.register_fn("year_of", |d: Dynamic| -> Dynamic {
        match d.into_immutable_string() {
            Ok(s) => match s.get(..4).and_then(|y| y.parse::<i64>().ok()) {
                Some(y) => Dynamic::from_int(y),
                None => Dynamic::UNIT,
            },
            Err(_) => Dynamic::UNIT,
        }
    });

    // Parameters for the year. Every name was checked when the pack loaded; one without a
    // value this year (not yet begun, or ended) is unknown.
    for name in PARAM_FNS {
        let params = params.clone();
        e.register_fn(name, move |key: ImmutableString| -> Dynamic {
            params.get(key.as_str()).map_or(Dynamic::UNIT, |v| Dynamic::from_float(*v))
        });
    }

    // Aggregations over the level below.
    for &(en, zh, ..) in AGGREGATIONS {
        for name in [en, zh] {
            e.register_fn(name, move |arg: ImmutableString| aggregate(en, &arg));
            e.register_fn(name, move || aggregate(en, ""));
        }
    }
    e
}

/// What a value is, for a staff member.
fn kind_of(v: &Dynamic) -> Kind {
    if v.is_unit() {
        Kind::Unknown
    } else if v.is_int() || v.is_float() {
        Kind::Number
    } else if v.is_string() {
        Kind::Text
    } else if v.is_bool() {
        Kind::TrueFalse
    } else {
        Kind::ListOrMap
    }
}

/// A row error raised from a registered function: the problem travels inside Rhai's runtime
/// error and is taken out again where the row's error is recorded.
fn raise(p: RowProblem) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(Dynamic::from(p), rhai::Position::NONE).into()
}

fn compare(op: &str, a: &Dynamic, b: &Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    use std::cmp::Ordering;
    if a.is_unit() || b.is_unit() {
        return Ok(Dynamic::UNIT);
    }
    let ord: Option<Ordering> = if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        Some(x.cmp(&y))
    } else if let (Some(x), Some(y)) = (number(a), number(b)) {
        x.partial_cmp(&y)
    } else if let (Some(x), Some(y)) = (a.read_lock::<ImmutableString>(), b.read_lock::<ImmutableString>()) {
        Some(x.as_str().cmp(y.as_str()))
    } else if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        if op == "==" || op == "!=" { Some(x.cmp(&y)) } else { None }
    } else {
        None
    };
    let Some(ord) = ord else {
        return Err(raise(RowProblem::CannotCompare { left: kind_of(a), right: kind_of(b), op: op.to_string() }));
    };
    Ok(Dynamic::from_bool(match op {
        ">=" => ord != Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        "<" => ord == Ordering::Less,
        "==" => ord == Ordering::Equal,
        _ => ord != Ordering::Equal,
    }))
}

fn number(v: &Dynamic) -> Option<f64> {
    if let Ok(f) = v.as_float() { Some(f) } else { v.as_int().ok().map(|i| i as f64) }
}

/// A quotient with a zero divisor is unknown: DOMAIN.md defines every zero denominator of
/// the catalogue (household size, population) that way, and with three-valued `and` a guard
/// such as `x > 0 and y / x > t` must not fail when x is 0.
fn divide(a: f64, b: f64) -> Result<Dynamic, Box<EvalAltResult>> {
    if b == 0.0 { Ok(Dynamic::UNIT) } else { Ok(Dynamic::from_float(a / b)) }
}

/// Whether an evaluation error is an `if` (or other condition) on an unknown value, which
/// makes the rule's outcome unknown rather than an error.
pub fn is_unknown_condition(err: &EvalAltResult) -> bool {
    matches!(err, EvalAltResult::ErrorMismatchDataType(expected, actual, _)
        if expected.contains("bool") && actual == "()")
}

/// Per-thread evaluation state reused across rows: Rhai's runtime state and its
/// function-resolution cache, which `Engine::eval_ast_with_scope` would build afresh (and
/// empty) on every call. Rule scripts define no functions, so the cache stays valid across
/// rules. The operation count is reset before each evaluation, so the sandbox's budget is
/// per rule and row.
pub struct Runner {
    global: rhai::GlobalRuntimeState,
    caches: rhai::Caches,
}

impl Runner {
    pub fn new(engine: &Engine) -> Runner {
        Runner { global: engine.new_global_runtime_state(), caches: rhai::Caches::new() }
    }

    #[allow(deprecated)] // the `internals` raw entry point; rhai is pinned to the exact version
    pub fn eval(
        &mut self,
        engine: &Engine,
        scope: &mut rhai::Scope,
        ast: &rhai::AST,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        self.global.num_operations = Default::default();
        engine.eval_statements_raw(&mut self.global, &mut self.caches, scope, ast.statements())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> Dynamic {
        let e = engine(Arc::new(HashMap::from([("poverty_line".to_string(), 4000.0)])));
        e.eval::<Dynamic>(script).unwrap()
    }

    fn tri_of(script: &str) -> Option<bool> {
        let d = run(script);
        if d.is_unit() { None } else { Some(d.as_bool().unwrap()) }
    }

    #[test]
    fn kleene_tables_hold_whatever_the_order() {
        let u = "()";
        for (a, b, and, or) in [
            ("true", u, None, Some(true)),
            ("false", u, Some(false), None),
            (u, u, None, None),
            ("true", "false", Some(false), Some(true)),
        ] {
            assert_eq!(tri_of(&format!("{a} and {b}")), and, "{a} and {b}");
            assert_eq!(tri_of(&format!("{b} and {a}")), and, "{b} and {a}");
            assert_eq!(tri_of(&format!("{a} or {b}")), or, "{a} or {b}");
            assert_eq!(tri_of(&format!("{b} or {a}")), or, "{b} or {a}");
        }
        assert_eq!(tri_of("not(())"), None);
        assert_eq!(tri_of("not(false)"), Some(true));
        assert_eq!(tri_of("true 且 非(false)"), Some(true));
    }

    #[test]
    fn comparisons_are_exact_and_unknown_stays_unknown() {
        assert_eq!(tri_of("3999.9999999999995 >= 4000"), Some(false));
        assert_eq!(tri_of("4000.0 >= 4000"), Some(true));
        assert_eq!(tri_of("(3.0 * 4000.0 - 0.01) / 3 >= param(\"poverty_line\")"), Some(false));
        assert_eq!(tri_of("let x = (); x >= 4000"), None, "variable");
        assert_eq!(tri_of("() >= 4000"), None);
        assert_eq!(tri_of("not(() >= 4000)"), None);
        assert_eq!(tri_of("() in [\"04\", \"02\"]"), None);
        assert_eq!(tri_of("\"04\" in [\"04\", \"02\"]"), Some(true));
        assert_eq!(tri_of("let x = (); not(x in [\"04\"])"), None);
        assert_eq!(tri_of("let x = \"03\"; not(x in [\"04\"])"), Some(true));
        assert_eq!(tri_of("let x = (); x !in [\"04\"]"), None, "Rhai's `!in` too");
        assert_eq!(run("7 / 2").as_float().unwrap(), 3.5);
        assert!(run("() + 1").is_unit());
    }

    #[test]
    fn the_sandbox_refuses_and_stops() {
        let e = engine(Arc::default());
        assert!(e.compile("a && b").is_err());
        assert!(e.compile("eval(\"1\")").is_err());
        let r = e.eval::<Dynamic>("loop { }");
        assert!(matches!(*r.unwrap_err(), EvalAltResult::ErrorTooManyOperations(..)));
        assert!(e.eval::<Dynamic>("1 / 0").unwrap().is_unit());
        assert!(e.eval::<Dynamic>("let x = 0.0; x > 0 and 5.0 / x > 1").unwrap().as_bool() == Ok(false));
        let r = e.eval::<Dynamic>("\"x\" - 1.5");
        assert!(matches!(*r.unwrap_err(), EvalAltResult::ErrorFunctionNotFound(..)));
        assert!(e.eval::<Dynamic>("import \"x\" as y; 1").is_err());
    }

    #[test]
    fn the_sandbox_bounds_arrays_maps_strings_and_variables() {
        let e = engine(Arc::default());
        let too_large = |script: &str| {
            let r = e.eval::<Dynamic>(script);
            matches!(r.as_ref().map_err(|e| &**e), Err(EvalAltResult::ErrorDataTooLarge(..)))
        };
        // At the limits they run; one past, they stop with "too large".
        assert!(e.eval::<Dynamic>("let a = []; for i in 0..10000 { a.push(i); } a.len()").is_ok());
        assert!(too_large("let a = []; for i in 0..10001 { a.push(i); } a.len()"));
        assert!(too_large("let m = #{}; for i in 0..1001 { m[`k${i}`] = i; } m.len()"));
        assert!(too_large("let s = \"0123456789\"; for i in 0..11 { s += s; } s.len()"));
        // 100 variables in scope at once, no more.
        let lets = |n: usize| (0..n).map(|i| format!("let v{i} = {i};")).collect::<String>() + " 1";
        assert!(e.eval::<Dynamic>(&lets(100)).is_ok());
        let r = e.eval::<Dynamic>(&lets(101));
        assert!(matches!(r.as_ref().map_err(|e| &**e), Err(EvalAltResult::ErrorTooManyVariables(..))), "{r:?}");
    }
}
