//! The compiled path: rule scripts translated into polars expressions and evaluated by
//! polars' lazy engine, one plan per level.
//!
//! Staff write Rhai; most rules use a small part of it: names (fields, rules of the same
//! level, `year`, `unknown`), literals, `param("…")`, arithmetic, comparisons, `and`/`or`/
//! `not`, `let`, `if`/`else`, `x in ["04", …]`, `is_known`, `first_known`, `year_of`,
//! `birth_date_from_id`, `abs`, and the aggregations over a lower level. [`translate`] turns
//! such a script into one polars [`Expr`]; a script using anything else (a loop, a `switch`,
//! text arithmetic, a function the translation does not know) is not rejected: it runs on
//! the per-row rayon path, and `--paths` says why.
//!
//! Semantics are those of the per-row path (`rules::script`), exactly:
//! - **Unknown is null.** polars' `&`, `|` and `not` on booleans follow Kleene's tables,
//!   as `and`/`or`/`not` do; arithmetic and comparisons with a null are null.
//! - **Types are checked before running.** Every expression gets a type (是/否, whole
//!   number, number, code, text, date, unknown). A combination the per-row path would stop
//!   on with a row error (comparing a code with a number, adding to text) does not
//!   translate, so such rules run per row and report their errors there.
//! - **Numbers**: a whole number with a whole number stays whole (`+ - *`), anything with a
//!   fractional number is a float; `/` always divides as floats and a zero divisor gives
//!   unknown; comparisons are exact.
//! - **Codes** are compared as their index in the code list (a text that is no code of the
//!   list never matches).
//! - **`if` on unknown**: the per-row path cannot take a branch, and the whole rule is
//!   unknown on that row. Each translated expression carries a "poison" condition, the rows
//!   where an `if` it reached had an unknown condition; the rule is null there.
//! - **Aggregations** are a `group_by` of the children on their parent's row, joined back:
//!   only living members count, a parent with a child set aside (`--skip-invalid`) is
//!   unknown, and no children give `true`, `false`, 0 and 0 for all, any, count and sum.

use std::collections::HashMap;

use polars::prelude::*;
use rhai::{Expr as R, Stmt};

use super::{Value, Values};
use crate::messages::row::RowProblem;
use crate::register::{CodeList, Kind, Table};
use crate::rules::script::{AGGREGATIONS, AggFn, PARAM_FNS};
use crate::rules::{AggUse, Pack, Ref, Rule, RuleKind};

/// The type of a translated expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Float,
    Code(CodeList),
    Text,
    Date,
    /// Always unknown (`()`, `unknown`).
    Unit,
}

impl Ty {
    pub fn dtype(self) -> DataType {
        match self {
            Ty::Bool | Ty::Unit => DataType::Boolean,
            Ty::Int => DataType::Int64,
            Ty::Float => DataType::Float64,
            Ty::Code(_) => DataType::UInt8,
            Ty::Text => DataType::String,
            Ty::Date => DataType::Date,
        }
    }

    pub fn of_kind(k: Kind) -> Ty {
        match k {
            Kind::Code(list) => Ty::Code(list),
            Kind::Bool => Ty::Bool,
            Kind::Number => Ty::Float,
            Kind::Int(_) => Ty::Int,
            Kind::Date => Ty::Date,
            Kind::Key | Kind::Text | Kind::DigitKey(_) | Kind::Listed(_) => Ty::Text,
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }
}

/// Why a rule runs row by row (shown by `--paths` in the user's language: the texts are
/// in `messages::row_by_row_reason`, through `report::row_by_row_reason`).
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// A construct outside the compiled subset.
    Uses(Construct),
    /// A name or call the load-time analysis did not resolve (as written).
    Unresolved(String),
    /// Reads a rule of the level (its id) that runs row by row.
    ReadsRowByRow(String),
    /// An operation or function (as written) given values of kinds it does not take: the
    /// per-row path reports each such row as an error.
    Kinds(String, Vec<Ty>),
    /// A verdict rule (判断) that does not give true/false, or a number rule (数值) that
    /// does not give a number.
    RuleGives(RuleKind, Ty),
    /// A function the translation does not know, with its number of arguments.
    Function(String, usize),
    /// `check --engine rows`.
    EngineRows,
    /// polars refused the level's plan (not expected); the whole level ran row by row.
    PlanFailed(String),
}

/// Constructs outside the compiled subset (a vocabulary of `messages`, which says them).
pub use crate::messages::Construct;

/// A translated expression: its value, its type, and the rows where an `if` it reached had
/// an unknown condition (the rule is unknown there).
#[derive(Clone)]
struct C {
    e: Expr,
    ty: Ty,
    poison: Option<Expr>,
    /// A whole number known to lie within ±2^31 on every row (a literal, the year, a year
    /// of a date): the sum, difference or product of two such cannot overflow 64 bits, so
    /// it needs no 128-bit check.
    small: bool,
}

fn null_of(ty: Ty) -> Expr {
    lit(NULL).cast(ty.dtype())
}

fn either(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.or(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl C {
    fn new(e: Expr, ty: Ty) -> C {
        C { e, ty, poison: None, small: false }
    }

    fn unit() -> C {
        C::new(null_of(Ty::Unit), Ty::Unit)
    }

    /// The value as a boolean expression (unknown is a null boolean).
    fn boolean(&self, op: &str) -> Result<Expr, Why> {
        match self.ty {
            Ty::Bool => Ok(self.e.clone()),
            Ty::Unit => Ok(null_of(Ty::Bool)),
            other => Err(Why::Kinds(format!("`{op}`"), vec![other])),
        }
    }

    fn float(&self) -> Expr {
        if self.ty == Ty::Float { self.e.clone() } else { self.e.clone().cast(DataType::Float64) }
    }
}

/// The column holding a rule's result while its level is evaluated.
pub fn rule_column(rule: usize) -> String {
    format!("__rule{rule}")
}

/// A fractional rule's result as the rules reading it see it: unknown where not finite.
pub fn read_column(rule: usize) -> String {
    format!("__read{rule}")
}

/// The column marking the rows where a rule's whole-number arithmetic overflowed.
pub fn fault_column(rule: usize) -> String {
    format!("__fault{rule}")
}

pub fn agg_column(k: usize) -> String {
    format!("__agg{k}")
}

/// What the translation of one level needs besides the scripts.
pub struct LevelContext<'a> {
    pub pack: &'a Pack,
    pub level: Table,
    pub year: i32,
    pub params: &'a HashMap<String, f64>,
    /// Canonical columns the level's file has (`None`: assume all).
    pub present: Option<&'a [&'static str]>,
    /// The aggregations the level's rules use, in column order, with their result types
    /// (`Err` when the aggregated values cannot be typed for the compiled path).
    pub aggregations: &'a [(AggUse, Result<Ty, Why>)],
}

/// A rule of the level translated: its expression (already cast to its output type).
pub struct Translated {
    pub expr: Expr,
    pub ty: Ty,
    /// The rows where a whole-number operation overflowed (the per-row path stops the rule
    /// there with an error): the rule is unknown there, and each such row is a row error.
    pub fault: Option<Expr>,
    /// Columns the rule reads that are a function of a register column (a resident ID's
    /// birth date…): (name, expression), computed once for all the level's rules.
    pub helpers: Vec<(String, Expr)>,
}

struct Translator<'a, 'b> {
    cx: &'b LevelContext<'a>,
    rule: &'b Rule,
    /// Types of the level's rules translated so far.
    rule_types: &'b HashMap<usize, Ty>,
    vars: Vec<(String, C)>,
    /// Conditions of the `if` branches being translated: an operation inside one runs, on
    /// the per-row path, only where they hold.
    guards: Vec<Expr>,
    /// Rows where a whole-number operation reached overflows.
    faults: Vec<Expr>,
    /// Shared function columns this rule reads (see [`Translated::helpers`]).
    helpers: Vec<(String, Expr)>,
}

impl Translator<'_, '_> {
    /// Record that `overflow` (a boolean expression) marks a failed operation, where the
    /// enclosing branches run.
    fn fault(&mut self, overflow: Expr) {
        let mut cond = overflow.fill_null(lit(false));
        for g in &self.guards {
            cond = cond.and(g.clone());
        }
        self.faults.push(cond);
    }

    /// A resident-ID function of a value: of a register column, a column computed once for
    /// the level (three quality checks read the birth date in the ID: one pass over the IDs,
    /// not three); of anything else, the function itself.
    fn on_resident_id(&mut self, name: &str, e: Expr) -> Expr {
        let Expr::Column(c) = &e else { return udf::on_resident_id(name, e) };
        let helper = format!("__{name}__{c}");
        if !self.helpers.iter().any(|(h, _)| *h == helper) {
            self.helpers.push((helper.clone(), udf::on_resident_id(name, e.clone())));
        }
        col(helper)
    }

    /// A whole-number operation computed in 128 bits, so that an overflow of the 64-bit
    /// result is seen (and recorded as a fault) instead of wrapping; the result is unknown there.
    fn whole(&mut self, wide: Expr) -> Expr {
        let max = lit(i64::MAX).cast(DataType::Int128);
        let min = lit(i64::MIN).cast(DataType::Int128);
        self.fault(wide.clone().gt(max).or(wide.clone().lt(min)));
        wide.cast(DataType::Int64)
    }
}

/// Translate one rule, given the types of the level's rules already translated (a rule
/// reading a rule that was not translated is not translated either).
pub fn translate(cx: &LevelContext, rule: &Rule, rule_types: &HashMap<usize, Ty>) -> Result<Translated, Why> {
    let mut t = Translator { cx, rule, rule_types, vars: vec![], guards: vec![], faults: vec![], helpers: vec![] };
    let c = t.block(rule.ast.statements())?;
    let ty = match (rule.kind, c.ty) {
        (RuleKind::Predicate, Ty::Bool | Ty::Unit) => Ty::Bool,
        (RuleKind::Value, Ty::Int | Ty::Float) => c.ty,
        (RuleKind::Value, Ty::Unit) => Ty::Float,
        (kind, other) => return Err(Why::RuleGives(kind, other)),
    };
    let value = c.e.cast(ty.dtype());
    let expr = match c.poison {
        Some(p) => when(p.fill_null(lit(false))).then(null_of(ty)).otherwise(value),
        None => value,
    };
    let fault = t.faults.into_iter().reduce(|a, b| a.or(b));
    Ok(Translated { expr, ty, fault, helpers: t.helpers })
}

/// Add a level's translated rules to its plan, in order, as the columns [`rule_column`]
/// (unknown where the rule's whole-number arithmetic overflowed: its [`fault_column`],
/// computed once) and, for a fractional rule, [`read_column`]: its value where finite, the
/// one its readers see (a result that is not finite is an error of the rule that made it,
/// and unknown to the rules reading it, as on the per-row path).
pub fn with_rules(mut lf: LazyFrame, translated: &[(usize, Translated)]) -> LazyFrame {
    // The shared function columns first, each once.
    let mut helpers: Vec<&(String, Expr)> = vec![];
    for h in translated.iter().flat_map(|(_, t)| &t.helpers) {
        if !helpers.iter().any(|x| x.0 == h.0) {
            helpers.push(h);
        }
    }
    if !helpers.is_empty() {
        lf = lf.with_columns(helpers.iter().map(|(name, e)| e.clone().alias(name.as_str())).collect::<Vec<_>>());
    }
    for (r, t) in translated {
        let mut value = t.expr.clone();
        if let Some(f) = &t.fault {
            lf = lf.with_column(f.clone().alias(fault_column(*r)));
            value = when(col(fault_column(*r))).then(null_of(t.ty)).otherwise(value);
        }
        lf = lf.with_column(value.alias(rule_column(*r)));
        if t.ty == Ty::Float {
            let c = col(rule_column(*r));
            // (polars orders NaN above every number: NaN ≤ MAX is false.)
            let finite = c.clone().lt_eq(lit(f64::MAX)).and(c.clone().gt_eq(lit(-f64::MAX)));
            lf = lf.with_column(when(finite).then(c).otherwise(null_of(Ty::Float)).alias(read_column(*r)));
        }
    }
    lf
}

/// The columns of a level's plan to collect: each rule's value and, where its arithmetic can
/// overflow, its fault mask.
pub fn rule_outputs(translated: &[(usize, Translated)]) -> Vec<Expr> {
    let mut keep: Vec<Expr> = translated.iter().map(|(r, _)| col(rule_column(*r))).collect();
    keep.extend(translated.iter().filter(|(_, t)| t.fault.is_some()).map(|(r, _)| col(fault_column(*r))));
    keep
}

fn statement(s: &Stmt) -> Construct {
    match s {
        Stmt::Switch(..) => Construct::Switch,
        Stmt::While(..) | Stmt::Do(..) => Construct::Loop,
        Stmt::For(..) => Construct::ForLoop,
        Stmt::Assignment(..) => Construct::Assignment,
        Stmt::TryCatch(..) => Construct::TryCatch,
        Stmt::BreakLoop(..) => Construct::BreakContinue,
        Stmt::Return(..) => Construct::Return,
        Stmt::Import(..) | Stmt::Export(..) => Construct::ImportExport,
        _ => Construct::OtherStatement,
    }
}

fn expression(e: &R) -> Construct {
    match e {
        R::StringConstant(..) | R::InterpolatedString(..) | R::CharConstant(..) => Construct::TextOutsideComparison,
        R::Array(..) | R::DynamicConstant(..) => Construct::ListOutsideIn,
        R::Map(..) => Construct::Map,
        R::Index(..) => Construct::Indexing,
        R::Dot(..) | R::MethodCall(..) | R::Property(..) => Construct::MethodOrProperty,
        R::Coalesce(..) => Construct::Coalesce,
        R::And(..) | R::Or(..) => Construct::AndAndOrOr,
        _ => Construct::OtherExpression,
    }
}

impl Translator<'_, '_> {
    fn block(&mut self, stmts: &[Stmt]) -> Result<C, Why> {
        let saved = self.vars.len();
        let mut last = C::unit();
        let mut poison = None;
        for s in stmts {
            let c = match s {
                Stmt::Noop(_) => C::unit(),
                Stmt::Var(x, ..) => {
                    let mut v = self.expr(&x.1)?;
                    poison = either(poison, v.poison.take());
                    self.vars.push((x.0.name.to_string(), v));
                    C::unit()
                }
                Stmt::Expr(e) => self.expr(e)?,
                Stmt::FnCall(call, _) => self.call(call)?,
                Stmt::If(fc, _) => self.branch(&fc.expr, fc.body.statements(), fc.branch.statements())?,
                Stmt::Block(b) => self.block(b.statements())?,
                other => return Err(Why::Uses(statement(other))),
            };
            last = c;
            poison = either(poison, last.poison.take());
        }
        self.vars.truncate(saved);
        last.poison = poison;
        Ok(last)
    }

    fn branch(&mut self, cond: &R, body: &[Stmt], other: &[Stmt]) -> Result<C, Why> {
        let c = self.expr(cond)?;
        let k = c.e.clone();
        let on = |x: Expr| if c.ty == Ty::Bool { x.fill_null(lit(false)) } else { lit(false) };
        self.guards.push(on(k.clone()));
        let yes = self.block(body);
        self.guards.pop();
        self.guards.push(on(k.not()));
        let no = self.block(other);
        self.guards.pop();
        let (yes, no) = (yes?, no?);
        let ty = unify(yes.ty, no.ty)?;
        let cast = |x: &C| if x.ty == Ty::Unit { null_of(ty) } else { x.e.clone().cast(ty.dtype()) };
        match c.ty {
            Ty::Bool => {
                let k = c.e.clone();
                let mut poison = either(c.poison.clone(), Some(k.clone().is_null()));
                if let Some(p) = yes.poison.clone() {
                    poison = either(poison, Some(k.clone().fill_null(lit(false)).and(p)));
                }
                if let Some(p) = no.poison.clone() {
                    poison = either(poison, Some(k.clone().not().fill_null(lit(false)).and(p)));
                }
                let small = [&yes, &no].iter().all(|x| x.small || x.ty == Ty::Unit);
                Ok(C { e: when(k).then(cast(&yes)).otherwise(cast(&no)), ty, poison, small })
            }
            // `if ()`: the per-row path stops the rule on every row.
            Ty::Unit => Ok(C { e: null_of(ty), ty, poison: Some(lit(true)), small: false }),
            other => Err(Why::Kinds("`if`".to_string(), vec![other])),
        }
    }

    fn expr(&mut self, e: &R) -> Result<C, Why> {
        match e {
            R::BoolConstant(b, _) => Ok(C::new(lit(*b), Ty::Bool)),
            R::IntegerConstant(i, _) => Ok(C { small: i.unsigned_abs() < 1 << 31, ..C::new(lit(*i), Ty::Int) }),
            R::FloatConstant(f, _) => Ok(C::new(lit(**f), Ty::Float)),
            R::Unit(_) => Ok(C::unit()),
            R::Variable(x, ..) => self.name(&x.1),
            R::FnCall(call, _) => self.call(call),
            R::Stmt(block) => self.block(block.statements()),
            other => Err(Why::Uses(expression(other))),
        }
    }

    fn name(&self, name: &str) -> Result<C, Why> {
        if let Some((_, c)) = self.vars.iter().rev().find(|(n, _)| n == name) {
            return Ok(C { small: c.small, ..C::new(c.e.clone(), c.ty) });
        }
        let Some((_, r)) = self.rule.reads.iter().find(|(n, _)| n == name) else {
            return Err(Why::Unresolved(name.to_string()));
        };
        match r {
            Ref::Field(f) => {
                let Some(spec) = self.cx.pack.aliases.column(self.cx.level, f) else {
                    return Err(Why::Unresolved(f.to_string()));
                };
                let ty = Ty::of_kind(spec.kind);
                if self.cx.present.is_some_and(|p| !p.contains(f)) {
                    return Ok(C::new(null_of(ty), ty));
                }
                Ok(C::new(col(*f), ty))
            }
            // A fractional rule is read through its finite-or-unknown column ([`with_rules`]).
            Ref::Rule(j) => match self.rule_types.get(j) {
                Some(Ty::Float) => Ok(C::new(col(read_column(*j)), Ty::Float)),
                Some(ty) => Ok(C::new(col(rule_column(*j)), *ty)),
                None => Err(Why::ReadsRowByRow(self.cx.pack.rules[*j].id.clone())),
            },
            Ref::Year => Ok(C { small: true, ..C::new(lit(self.cx.year as i64), Ty::Int) }),
            Ref::Unknown => Ok(C::unit()),
        }
    }

    fn call(&mut self, call: &rhai::FnCallExpr) -> Result<C, Why> {
        let name = call.name.as_str();
        let args = call.args.as_slice();
        if let Some(&(en, ..)) = AGGREGATIONS.iter().find(|(en, zh, ..)| *en == name || *zh == name) {
            let arg = match args {
                [] => String::new(),
                [R::StringConstant(s, _)] => s.to_string(),
                _ => return Err(Why::Uses(Construct::UnquotedArgument)),
            };
            let found = self.cx.aggregations.iter().enumerate().find(|(_, (a, _))| a.func == en && a.arg == arg);
            return match found {
                Some((k, (_, Ok(ty)))) => Ok(C::new(col(agg_column(k)), *ty)),
                Some((_, (_, Err(why)))) => Err(why.clone()),
                None => Err(Why::Unresolved(format!("{name}(\"{arg}\")"))),
            };
        }
        if PARAM_FNS.contains(&name) {
            return match args {
                [R::StringConstant(s, _)] => match self.cx.params.get(s.as_str()) {
                    Some(v) => Ok(C::new(lit(*v), Ty::Float)),
                    // Checked at load: a parameter with no value this year is unknown.
                    None => Ok(C::new(null_of(Ty::Float), Ty::Float)),
                },
                _ => Err(Why::Uses(Construct::UnquotedArgument)),
            };
        }
        match (name, args) {
            ("and" | "且" | "or" | "或", [a, b]) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let (x, y) = (a.boolean(name)?, b.boolean(name)?);
                let e = if matches!(name, "and" | "且") { x.and(y) } else { x.or(y) };
                Ok(C { e, ty: Ty::Bool, poison: either(a.poison, b.poison), small: false })
            }
            ("not" | "非" | "!", [a]) => {
                let a = self.expr(a)?;
                Ok(C { e: a.boolean(name)?.not(), ty: Ty::Bool, poison: a.poison, small: false })
            }
            ("==" | "!=" | ">" | ">=" | "<" | "<=", [a, b]) => self.compare(name, a, b),
            ("+" | "-" | "*" | "/", [a, b]) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                if a.ty == Ty::Int && b.ty == Ty::Int && name != "/" && !(a.small && b.small) {
                    let (x, y) = (a.e.clone().cast(DataType::Int128), b.e.clone().cast(DataType::Int128));
                    let wide = match name {
                        "+" => x + y,
                        "-" => x - y,
                        _ => x * y,
                    };
                    let e = self.whole(wide);
                    return Ok(C { e, ty: Ty::Int, poison: either(a.poison, b.poison), small: false });
                }
                arithmetic(name, a, b)
            }
            ("-" | "+", [a]) => {
                let a = self.expr(a)?;
                match a.ty {
                    Ty::Unit => Ok(C { ty: Ty::Unit, ..a }),
                    Ty::Int | Ty::Float if name == "+" => Ok(a),
                    Ty::Int => {
                        let e = self.whole(lit(0i64).cast(DataType::Int128) - a.e.clone().cast(DataType::Int128));
                        Ok(C { e, ..a })
                    }
                    Ty::Float => Ok(C { e: a.e * lit(-1.0), ..a }),
                    other => Err(Why::Kinds(format!("`{name}`"), vec![other])),
                }
            }
            ("contains", [list, x]) => self.membership(list, x),
            ("is_known" | "已知", [a]) => {
                let a = self.expr(a)?;
                let e = if a.ty == Ty::Unit { lit(false) } else { a.e.is_not_null() };
                Ok(C { e, ty: Ty::Bool, poison: a.poison, small: false })
            }
            ("first_known", [a, b]) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let ty = match (a.ty, b.ty) {
                    (x, y) if x == y => x,
                    (Ty::Unit, y) => y,
                    (x, Ty::Unit) => x,
                    (x, y) => return Err(Why::Kinds("`first_known`".to_string(), vec![x, y])),
                };
                let poison = either(a.poison.clone(), b.poison.clone());
                if a.ty == Ty::Unit {
                    return Ok(C { poison, ..b });
                }
                let a_small = a.small;
                let e = when(a.e.clone().is_not_null()).then(a.e).otherwise(b.e.cast(ty.dtype()));
                Ok(C { e, ty, poison, small: a_small && b.small })
            }
            ("abs", [a]) => {
                let a = self.expr(a)?;
                match a.ty {
                    Ty::Unit => Ok(a),
                    Ty::Int => {
                        let x = a.e.clone().cast(DataType::Int128);
                        let zero = lit(0i64).cast(DataType::Int128);
                        let e = self.whole(when(x.clone().lt(zero.clone())).then(zero - x.clone()).otherwise(x));
                        Ok(C { e, ..a })
                    }
                    Ty::Float => {
                        let zero = lit(0.0);
                        let e = when(a.e.clone().lt(zero.clone())).then(zero - a.e.clone()).otherwise(a.e.clone());
                        Ok(C { e, ..a })
                    }
                    other => Err(Why::Kinds("`abs`".to_string(), vec![other])),
                }
            }
            ("year_of", [a]) => {
                let a = self.expr(a)?;
                match a.ty {
                    Ty::Unit => Ok(a),
                    Ty::Date => Ok(C { e: udf::year_of(a.e), ty: Ty::Int, poison: a.poison, small: true }),
                    other => Err(Why::Kinds("`year_of`".to_string(), vec![other])),
                }
            }
            // The sex a resident ID gives, as a code of the sex list (compared with `sex`).
            ("id_sex", [a]) => {
                let a = self.expr(a)?;
                let ty = Ty::Code(crate::register::CodeList::Sex);
                match a.ty {
                    Ty::Unit => Ok(C { e: null_of(ty), ty, poison: a.poison, small: false }),
                    Ty::Text => Ok(C { e: self.on_resident_id(name, a.e), ty, poison: a.poison, small: false }),
                    other => Err(Why::Kinds(format!("`{name}`"), vec![other])),
                }
            }
            ("birth_date_from_id" | "id_well_formed" | "id_check_ok", [a]) => {
                let a = self.expr(a)?;
                let ty = if name == "birth_date_from_id" { Ty::Date } else { Ty::Bool };
                match a.ty {
                    Ty::Unit => Ok(C { e: null_of(ty), ty, poison: a.poison, small: false }),
                    Ty::Text => Ok(C { e: self.on_resident_id(name, a.e), ty, poison: a.poison, small: false }),
                    other => Err(Why::Kinds(format!("`{name}`"), vec![other])),
                }
            }
            _ => Err(Why::Function(name.to_string(), args.len())),
        }
    }

    /// `a op b` where either side may be quoted text compared with a code or text.
    fn compare(&mut self, op: &str, a: &R, b: &R) -> Result<C, Why> {
        match (a, b) {
            (x, R::StringConstant(s, _)) => {
                let x = self.expr(x)?;
                compare_text(op, x, s)
            }
            (R::StringConstant(s, _), x) => {
                let x = self.expr(x)?;
                compare_text(flip(op), x, s)
            }
            (a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let poison = either(a.poison.clone(), b.poison.clone());
                if a.ty == Ty::Unit || b.ty == Ty::Unit {
                    return Ok(C { e: null_of(Ty::Bool), ty: Ty::Bool, poison, small: false });
                }
                let (x, y) = match (a.ty, b.ty) {
                    (Ty::Int, Ty::Int) | (Ty::Text, Ty::Text) | (Ty::Date, Ty::Date) => (a.e, b.e),
                    (x, y) if x.numeric() && y.numeric() => (a.float(), b.float()),
                    (Ty::Bool, Ty::Bool) if matches!(op, "==" | "!=") => (a.e, b.e),
                    (Ty::Code(l), Ty::Code(m)) if l == m && matches!(op, "==" | "!=") => (a.e, b.e),
                    (x, y) => return Err(Why::Kinds(format!("`{op}`"), vec![x, y])),
                };
                Ok(C { e: comparison(op, x, y), ty: Ty::Bool, poison, small: false })
            }
        }
    }

    fn membership(&mut self, list: &R, x: &R) -> Result<C, Why> {
        let texts: Vec<String> = match list {
            R::Array(items, _) => items
                .iter()
                .map(|i| match i {
                    R::StringConstant(s, _) => Ok(s.to_string()),
                    _ => Err(Why::Uses(Construct::InNotCodeList)),
                })
                .collect::<Result<_, _>>()?,
            R::DynamicConstant(d, _) => match d.read_lock::<rhai::Array>() {
                Some(a) => a
                    .iter()
                    .map(|v| v.read_lock::<rhai::ImmutableString>().map(|s| s.to_string()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(Why::Uses(Construct::InNotCodeList))?,
                None => return Err(Why::Uses(Construct::InNotCodeList)),
            },
            _ => return Err(Why::Uses(Construct::InNotCodeList)),
        };
        let x = self.expr(x)?;
        let e = match x.ty {
            Ty::Unit => null_of(Ty::Bool),
            Ty::Code(codes) => {
                // A text that is no code of the list matches nothing: compared with an index
                // no code has, it is false on known rows and unknown on unknown ones.
                let mut e = x.e.clone().eq(lit(NO_CODE));
                for t in &texts {
                    if let Some(i) = codes.index_of(t) {
                        e = e.or(x.e.clone().eq(lit(i as i32)));
                    }
                }
                e
            }
            Ty::Text => {
                let mut e = when(x.e.clone().is_null()).then(null_of(Ty::Bool)).otherwise(lit(false));
                for t in &texts {
                    e = e.or(x.e.clone().eq(lit(t.as_str())));
                }
                e
            }
            other => return Err(Why::Kinds("`in`".to_string(), vec![other])),
        };
        Ok(C { e, ty: Ty::Bool, poison: x.poison, small: false })
    }
}

/// An index no code list uses.
const NO_CODE: i32 = 255;

fn flip(op: &str) -> &str {
    match op {
        ">" => "<",
        ">=" => "<=",
        "<" => ">",
        "<=" => ">=",
        other => other,
    }
}

fn comparison(op: &str, x: Expr, y: Expr) -> Expr {
    match op {
        "==" => x.eq(y),
        "!=" => x.neq(y),
        ">" => x.gt(y),
        ">=" => x.gt_eq(y),
        "<" => x.lt(y),
        _ => x.lt_eq(y),
    }
}

fn compare_text(op: &str, x: C, text: &str) -> Result<C, Why> {
    let e = match x.ty {
        Ty::Unit => null_of(Ty::Bool),
        Ty::Code(codes) if matches!(op, "==" | "!=") => {
            comparison(op, x.e.clone(), lit(codes.index_of(text).map(i32::from).unwrap_or(NO_CODE)))
        }
        Ty::Text => comparison(op, x.e.clone(), lit(text)),
        Ty::Code(_) => return Err(Why::Uses(Construct::OrderedCodes)),
        other => return Err(Why::Kinds(format!("`{op}`"), vec![other, Ty::Text])),
    };
    Ok(C { e, ty: Ty::Bool, poison: x.poison, small: false })
}

fn arithmetic(op: &str, a: C, b: C) -> Result<C, Why> {
    let poison = either(a.poison.clone(), b.poison.clone());
    if a.ty == Ty::Unit || b.ty == Ty::Unit {
        return Ok(C { poison, ..C::unit() });
    }
    if !a.ty.numeric() || !b.ty.numeric() {
        return Err(Why::Kinds(format!("`{op}`"), vec![a.ty, b.ty]));
    }
    let (e, ty) = match op {
        "/" => {
            let d = b.float();
            (when(d.clone().eq(lit(0.0))).then(null_of(Ty::Float)).otherwise(a.float() / d), Ty::Float)
        }
        _ if a.ty == Ty::Int && b.ty == Ty::Int => (
            match op {
                "+" => a.e + b.e,
                "-" => a.e - b.e,
                _ => a.e * b.e,
            },
            Ty::Int,
        ),
        _ => (
            match op {
                "+" => a.float() + b.float(),
                "-" => a.float() - b.float(),
                _ => a.float() * b.float(),
            },
            Ty::Float,
        ),
    };
    Ok(C { e, ty, poison, small: false })
}

fn unify(a: Ty, b: Ty) -> Result<Ty, Why> {
    match (a, b) {
        (x, y) if x == y => Ok(x),
        (Ty::Unit, y) => Ok(y),
        (x, Ty::Unit) => Ok(x),
        (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => Ok(Ty::Float),
        (x, y) => Err(Why::Kinds("`if … else …`".to_string(), vec![x, y])),
    }
}

/// Functions evaluated column by column inside the plan (polars is built without its
/// string and calendar features; these are the same functions the per-row path calls).
mod udf {
    use polars::prelude::*;
    use rayon::prelude::*;

    use crate::register::convert::year_of_days;
    use crate::register::resident_id;

    /// `f` over every value of a column, in pieces on all threads (a column of millions is
    /// otherwise one thread's work while the other waits: 3.2M resident IDs took 0.1 s).
    fn par_map<A, T, O>(
        ca: &ChunkedArray<A>,
        f: impl Fn(Option<<A as PolarsDataType>::Physical<'_>>) -> Option<O> + Sync,
    ) -> ChunkedArray<T>
    where
        A: PolarsDataType,
        T: PolarsDataType<IsNested = FalseT, IsObject = FalseT>,
        ChunkedArray<T>: FromIterator<Option<O>>,
    {
        const PIECE: usize = 1 << 16;
        let n = ca.len();
        let pieces = n.div_ceil(PIECE).clamp(1, 4 * rayon::current_num_threads());
        let each = n.div_ceil(pieces).max(1);
        let parts: Vec<ChunkedArray<T>> = (0..pieces)
            .into_par_iter()
            .map(|k| {
                let part = ca.slice((k * each) as i64, each.min(n.saturating_sub(k * each)));
                part.iter().map(&f).collect()
            })
            .collect();
        // The pieces' arrays become the column's chunks, in order (no copy).
        ChunkedArray::from_chunk_iter(PlSmallStr::EMPTY, parts.iter().flat_map(|p| p.downcast_iter().cloned()))
    }

    pub fn year_of(e: Expr) -> Expr {
        e.map(
            |c: Column| {
                let days = c.cast(&DataType::Int32)?;
                let out: Int64Chunked = par_map(days.i32()?, |d| d.map(|d| year_of_days(d) as i64));
                Ok(out.with_name(c.name().clone()).into_column())
            },
            |_, f| Ok(Field::new(f.name().clone(), DataType::Int64)),
        )
    }

    pub fn on_resident_id(func: &str, e: Expr) -> Expr {
        match func {
            "birth_date_from_id" => e.map(
                |c: Column| {
                    let out: Int32Chunked = par_map(c.str()?, |s| s.and_then(resident_id::birth_date));
                    Ok(out.with_name(c.name().clone()).into_date().into_column())
                },
                |_, f| Ok(Field::new(f.name().clone(), DataType::Date)),
            ),
            "id_sex" => e.map(
                |c: Column| {
                    let sex = crate::register::CodeList::Sex;
                    let out: UInt8Chunked =
                        par_map(c.str()?, |s| s.and_then(resident_id::sex).and_then(|x| sex.index_of(x)));
                    Ok(out.with_name(c.name().clone()).into_column())
                },
                |_, f| Ok(Field::new(f.name().clone(), DataType::UInt8)),
            ),
            "id_well_formed" => e.map(
                |c: Column| {
                    let out: BooleanChunked = par_map(c.str()?, |s| s.map(resident_id::well_formed));
                    Ok(out.with_name(c.name().clone()).into_column())
                },
                |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
            ),
            _ => e.map(
                |c: Column| {
                    let out: BooleanChunked = par_map(c.str()?, |s| s.map(resident_id::check_ok));
                    Ok(out.with_name(c.name().clone()).into_column())
                },
                |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
            ),
        }
    }
}

/// Which path each rule of a pack runs on, and why a rule is not compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct RulePath {
    pub rule: usize,
    /// `None`: compiled. `Some(why)`: per row.
    pub row_by_row: Option<Why>,
    /// The result type of a compiled rule.
    pub ty: Option<Ty>,
    /// Optional fields the rule reads that the register does not have: read as unknown on
    /// every row (none when planned without a register).
    pub absent_fields: Vec<&'static str>,
}

/// The result type of an aggregation, or why it cannot be compiled. `lower` gives the
/// type of a rule of the level below (`None`: it ran row by row, values of either kind).
pub fn aggregation_type(a: &AggUse, lower: &dyn Fn(usize) -> Option<Ty>) -> Result<Ty, Why> {
    let field_ty = |_: &str| a.kind.map(Ty::of_kind);
    match a.agg {
        AggFn::All | AggFn::Any | AggFn::Count => match &a.target {
            Some(Ref::Field(f)) if field_ty(f) != Some(Ty::Bool) => {
                Err(Why::Kinds(format!("`{}`", a.func), vec![field_ty(f).unwrap_or(Ty::Unit)]))
            }
            _ if a.agg == AggFn::Count => Ok(Ty::Int),
            _ => Ok(Ty::Bool),
        },
        AggFn::Sum => match &a.target {
            Some(Ref::Rule(t)) => Ok(match lower(*t) {
                Some(Ty::Int) => Ty::Int,
                _ => Ty::Float,
            }),
            Some(Ref::Field(f)) => match field_ty(f) {
                Some(Ty::Int) => Ok(Ty::Int),
                Some(Ty::Float) => Ok(Ty::Float),
                Some(other) => Err(Why::Kinds(format!("`{}`", a.func), vec![other])),
                None => Err(Why::Unresolved(f.to_string())),
            },
            _ => Err(Why::Uses(Construct::UnquotedArgument)),
        },
    }
}

/// The aggregations a level's rules use, each once, in first-use order.
pub fn level_aggregations(pack: &Pack, order: &[usize]) -> Vec<AggUse> {
    let mut out: Vec<AggUse> = vec![];
    for &r in order {
        for a in &pack.rules[r].aggregates {
            if !out.iter().any(|b| b.func == a.func && b.arg == a.arg) {
                out.push(a.clone());
            }
        }
    }
    out
}

/// Translate a level's rules in dependency order: which compile (with their expressions
/// and types) and why the others do not.
pub fn plan_level(cx: &LevelContext, order: &[usize]) -> (Vec<(usize, Translated)>, Vec<RulePath>) {
    let mut types: HashMap<usize, Ty> = HashMap::new();
    let mut compiled = vec![];
    let mut paths = vec![];
    for &r in order {
        let rule = &cx.pack.rules[r];
        let mut absent_fields: Vec<&'static str> =
            rule.fields().filter(|f| cx.present.is_some_and(|p| !p.contains(f))).collect();
        absent_fields.dedup();
        match translate(cx, rule, &types) {
            Ok(t) => {
                types.insert(r, t.ty);
                paths.push(RulePath { rule: r, row_by_row: None, ty: Some(t.ty), absent_fields });
                compiled.push((r, t));
            }
            Err(why) => paths.push(RulePath { rule: r, row_by_row: Some(why), ty: None, absent_fields }),
        }
    }
    (compiled, paths)
}

/// One aggregation's children, ready for the `group_by`.
pub struct Children {
    /// Per child row: the parent's row (null: no parent, or not counted).
    pub parent: IdxCa,
    /// The values aggregated (`None` for `count_…()`), typed as the aggregation's input.
    pub values: Vec<Option<Column>>,
}

/// The aggregation columns of a level: a `group_by` of the children on the parent row,
/// joined back onto `frame` (which must hold `__row`, the row index, and `__partial`).
pub fn with_aggregations(
    frame: LazyFrame,
    aggregations: &[(AggUse, Result<Ty, Why>)],
    children: &HashMap<Table, Children>,
    rows: usize,
) -> PolarsResult<LazyFrame> {
    let mut frame = frame;
    for over in [Table::Persons, Table::Households, Table::Villages] {
        let used: Vec<usize> = (0..aggregations.len()).filter(|&k| aggregations[k].0.over == over).collect();
        if used.is_empty() {
            continue;
        }
        let Some(ch) = children.get(&over) else {
            return Err(PolarsError::ComputeError(format!("no {} rows to aggregate", over.level()).into()));
        };
        let mut cols: Vec<Column> = vec![ch.parent.clone().with_name("__parent".into()).into_column()];
        let mut stats: Vec<Expr> = vec![len().alias("__n")];
        for &k in &used {
            let (a, _) = &aggregations[k];
            let v = format!("__v{k}");
            if let Some(Some(values)) = ch.values.get(k) {
                cols.push(values.clone().with_name(v.as_str().into()));
                let t = col(v.as_str());
                stats.push(t.clone().is_null().cast(DataType::UInt32).sum().alias(format!("__null{k}")));
                match a.agg {
                    AggFn::All => {
                        stats.push(t.not().cast(DataType::UInt32).sum().alias(format!("__stat{k}")));
                    }
                    AggFn::Any | AggFn::Count => {
                        stats.push(t.cast(DataType::UInt32).sum().alias(format!("__stat{k}")));
                    }
                    AggFn::Sum => stats.push(t.sum().alias(format!("__stat{k}"))),
                }
            }
        }
        frame = match counted_per_parent(&used, aggregations, ch, rows)? {
            // Counts and whole sums per parent, in one pass over the children each, added as
            // columns of the level (1M households, 3.2M members, the quality pack's ten
            // aggregations: 1.5 s as a group_by and a join).
            Some(counted) => frame
                .with_columns(counted.into_iter().map(|c| lit(c.take_materialized_series())).collect::<Vec<Expr>>()),
            None => {
                let height = ch.parent.len();
                let grouped = DataFrame::new(height, cols)?
                    .lazy()
                    .filter(col("__parent").is_not_null())
                    .group_by([col("__parent")])
                    .agg(stats);
                frame.left_join(grouped, col("__row"), col("__parent"))
            }
        };
        let mut finals = vec![];
        for &k in &used {
            let (a, ty) = &aggregations[k];
            let Ok(ty) = ty else { continue };
            let has = |name: String| col(name).fill_null(lit(0u32)).gt(lit(0u32));
            let unknown = col("__partial").or(has(format!("__null{k}")));
            let stat = format!("__stat{k}");
            let e = match (a.agg, ch.values.get(k).is_some_and(Option::is_some)) {
                (AggFn::All, _) => {
                    when(has(stat)).then(lit(false)).when(unknown).then(null_of(Ty::Bool)).otherwise(lit(true))
                }
                (AggFn::Any, _) => {
                    when(has(stat)).then(lit(true)).when(unknown).then(null_of(Ty::Bool)).otherwise(lit(false))
                }
                (AggFn::Count, true) => {
                    when(unknown).then(null_of(Ty::Int)).otherwise(col(stat).fill_null(lit(0u32)).cast(DataType::Int64))
                }
                (AggFn::Count, false) => when(col("__partial"))
                    .then(null_of(Ty::Int))
                    .otherwise(col("__n").fill_null(lit(0u32)).cast(DataType::Int64)),
                (AggFn::Sum, _) => {
                    let zero = if *ty == Ty::Int { lit(0i64) } else { lit(0.0) };
                    when(unknown).then(null_of(*ty)).otherwise(col(stat).cast(ty.dtype()).fill_null(zero))
                }
            };
            finals.push(e.cast(ty.dtype()).alias(agg_column(k)));
        }
        frame = frame.with_columns(finals);
        let drop: Vec<String> = std::iter::once("__n".to_string())
            .chain(used.iter().flat_map(|k| [format!("__null{k}"), format!("__stat{k}")]))
            .collect();
        frame = frame.drop(by_name(drop.iter().map(String::as_str), false, false));
    }
    Ok(frame)
}

/// The `__n`, `__null{k}` and `__stat{k}` columns of [`with_aggregations`] for a level of
/// `rows` rows, counted directly: children per parent, null values per parent, and per
/// parent the falses (`all`), the trues (`any`, `count`) or the sum of whole numbers
/// (`sum`); 0 for a parent without children, as the join's nulls filled with 0 read.
/// `None` when an aggregation sums fractions (left to polars' own summation).
fn counted_per_parent(
    used: &[usize],
    aggregations: &[(AggUse, Result<Ty, Why>)],
    ch: &Children,
    rows: usize,
) -> PolarsResult<Option<Vec<Column>>> {
    use rayon::prelude::*;
    let parent = ch.parent.rechunk();
    let Some(parent) = parent.cont_slice().ok().filter(|_| ch.parent.null_count() == 0) else { return Ok(None) };
    if parent.iter().any(|&p| p as usize >= rows) {
        return Ok(None);
    }
    let mut jobs = vec![];
    for &k in used {
        let Some(Some(values)) = ch.values.get(k) else { continue };
        match (aggregations[k].0.agg, values.dtype()) {
            (AggFn::All | AggFn::Any | AggFn::Count, DataType::Boolean) => jobs.push((k, values)),
            (AggFn::Sum, DataType::Int64) => jobs.push((k, values)),
            _ => return Ok(None),
        }
    }
    let mut n = vec![0u32; rows];
    for &p in parent {
        n[p as usize] += 1;
    }
    let counted: Vec<PolarsResult<[Column; 2]>> = jobs
        .par_iter()
        .map(|&(k, values)| {
            let mut nulls = vec![0u32; rows];
            let stat = match aggregations[k].0.agg {
                AggFn::Sum => {
                    let v = values.i64()?.rechunk();
                    let mut sum = vec![0i64; rows];
                    for (&p, v) in parent.iter().zip(v.iter()) {
                        match v {
                            Some(v) => sum[p as usize] = sum[p as usize].wrapping_add(v),
                            None => nulls[p as usize] += 1,
                        }
                    }
                    Column::new(format!("__stat{k}").into(), sum)
                }
                agg => {
                    let v = values.bool()?.rechunk();
                    let counted = agg != AggFn::All;
                    let mut stat = vec![0u32; rows];
                    for (&p, v) in parent.iter().zip(v.iter()) {
                        match v {
                            Some(v) if v == counted => stat[p as usize] += 1,
                            Some(_) => {}
                            None => nulls[p as usize] += 1,
                        }
                    }
                    Column::new(format!("__stat{k}").into(), stat)
                }
            };
            Ok([Column::new(format!("__null{k}").into(), nulls), stat])
        })
        .collect();
    let mut out = vec![Column::new("__n".into(), n)];
    for c in counted {
        out.extend(c?);
    }
    Ok(Some(out))
}

/// The aggregation column `k` of a collected level frame.
pub fn aggregation_column(df: &DataFrame, k: usize) -> Option<&Column> {
    df.column(&agg_column(k)).ok()
}

/// A collected result column as outcomes; a number that is not finite is an error of its
/// row (as on the per-row path) and unknown.
pub fn values_of(c: &Column, mut on_error: impl FnMut(usize, RowProblem)) -> Values {
    let s = c.as_materialized_series();
    let n = s.len();
    // 是/否: one byte a row, straight from the values and validity bitmaps.
    if s.dtype() == &DataType::Boolean {
        let Ok(ca) = s.bool() else { return Values::unknown(n) };
        let mut out: Vec<u8> = Vec::with_capacity(n);
        for a in ca.downcast_iter() {
            let values = a.values().iter();
            match a.validity() {
                None => out.extend(values.map(u8::from)),
                Some(b) => out.extend(values.zip(b.iter()).map(|(v, ok)| if ok { u8::from(v) } else { 2 })),
            }
        }
        return Values::Bools(out);
    }
    let mut out: Vec<Value> = Vec::with_capacity(n);
    // Chunk by chunk, over the values and the validity bitmap (no per-row Option).
    fn fill<T: Copy>(
        out: &mut Vec<Value>,
        values: &[T],
        validity: Option<impl Iterator<Item = bool>>,
        f: impl Fn(T) -> Value,
    ) {
        match validity {
            None => out.extend(values.iter().map(|v| f(*v))),
            Some(b) => out.extend(values.iter().zip(b).map(|(v, ok)| if ok { f(*v) } else { Value::Unknown })),
        }
    }
    match s.dtype() {
        DataType::Int64 => match s.i64() {
            Ok(ca) => {
                for a in ca.downcast_iter() {
                    fill(&mut out, a.values(), a.validity().map(|b| b.iter()), Value::Int);
                }
            }
            Err(_) => out.resize(n, Value::Unknown),
        },
        // Compiled number rules are Int64 or Float64 already: no cast (no polars work) on
        // the usual path, which runs inside the caller's parallel conversion.
        _ => match if s.dtype() == &DataType::Float64 { Ok(s.clone()) } else { s.cast(&DataType::Float64) } {
            Ok(f) => match f.f64() {
                Ok(ca) => {
                    for a in ca.downcast_iter() {
                        fill(&mut out, a.values(), a.validity().map(|b| b.iter()), Value::Float);
                    }
                    for (i, v) in out.iter_mut().enumerate() {
                        if let Value::Float(x) = *v
                            && !x.is_finite()
                        {
                            on_error(i, RowProblem::NotFinite(x));
                            *v = Value::Unknown;
                        }
                    }
                }
                Err(_) => out.resize(n, Value::Unknown),
            },
            Err(_) => out.resize(n, Value::Unknown),
        },
    }
    Values::Mixed(out)
}
