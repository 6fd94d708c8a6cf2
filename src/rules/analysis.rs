//! Load-time analysis of rule scripts: what each name means, and in which order rules run.
//!
//! It walks Rhai's AST through the `internals` API, which Rhai marks volatile (the crate
//! pins the exact Rhai version for it); the compiled path (`eval::compiled`) walks it too, to
//! translate scripts, and `script::too_many_lets` reads the token stream.
//!
//! Every variable a script reads is resolved, at the rule's level, to (in this order) a
//! local `let`, `year`, `unknown`,
//! a rule of the same level (by name or Chinese alias), or a field of the level (by
//! canonical name or Chinese header). A name that is a field or rule of another level is
//! reported as such: a higher level may not be read, and a lower level is read through an
//! aggregation (`all_members("…")`). Aggregation and parameter arguments must be quoted
//! names, so that they too are checked here.

use std::collections::BTreeMap;

use rhai::{ASTNode, Expr, Stmt};

use super::diagnostic::Diagnostic;
use super::script::AggFn;
use super::script::{AGGREGATIONS, PARAM_FNS};
use super::{AggUse, Pack, Ref, RuleKind};
use crate::messages::{Msg, authoring, pack as msgs};
use crate::register::{Aliases, Table, aliases::edit_distance};

fn level_rank(t: Table) -> usize {
    match t {
        Table::Persons => 0,
        Table::Households => 1,
        Table::Villages => 2,
        Table::Counties => 3,
    }
}

/// What a name means at a level, if anything.
fn resolve_name(pack: &Pack, aliases: &Aliases, level: Table, name: &str) -> Option<Ref> {
    if let Some(i) = pack.rule_index(level, name) {
        return Some(Ref::Rule(i));
    }
    aliases.field_for_name(level, name).map(Ref::Field)
}

fn pos_of(p: rhai::Position) -> (usize, usize) {
    (p.line().unwrap_or(1), p.position().unwrap_or(1))
}

/// A quoted argument of a call and where it is.
type QuotedArg = Option<(String, (usize, usize))>;

struct Found {
    vars: Vec<(String, (usize, usize))>,
    locals: Vec<String>,
    calls: Vec<(String, Vec<QuotedArg>, (usize, usize))>,
    functions_defined: bool,
}

fn walk(ast: &rhai::AST) -> Found {
    let mut f =
        Found { vars: vec![], locals: vec![], calls: vec![], functions_defined: ast.iter_functions().next().is_some() };
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Variable(x, _, pos))) => f.vars.push((x.1.to_string(), pos_of(*pos))),
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => f.locals.push(x.0.name.to_string()),
            // `for x in …` and `for (x, i) in …` declare their loop variables.
            Some(ASTNode::Stmt(Stmt::For(x, _))) => {
                f.locals.push(x.0.name.to_string());
                if let Some(i) = &x.1 {
                    f.locals.push(i.name.to_string());
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, pos))) => {
                let args = call
                    .args
                    .iter()
                    .map(|a| match a {
                        Expr::StringConstant(s, p) => Some((s.to_string(), pos_of(*p))),
                        _ => None,
                    })
                    .collect();
                f.calls.push((call.name.to_string(), args, pos_of(*pos)));
            }
            _ => {}
        }
        true
    });
    f
}

/// Resolve every rule's names, aggregations and parameters.
pub fn resolve(pack: &mut Pack, aliases: &Aliases, diags: &mut Vec<Diagnostic>) {
    for i in 0..pack.rules.len() {
        let rule = &pack.rules[i];
        let (level, file, text) = (rule.level, pack.dir.join(&rule.file).display().to_string(), rule.text.clone());
        let found = walk(&rule.ast);
        let at = |(line, col): (usize, usize), m: Msg| Diagnostic::at(&file, &text, line, col, m);
        if found.functions_defined {
            diags.push(at((1, 1), msgs::defines_function(&rule.id)));
        }
        let mut reads: Vec<(String, Ref)> = vec![];
        for (name, pos) in &found.vars {
            if found.locals.contains(name) || reads.iter().any(|(n, _)| n == name) {
                continue;
            }
            let r = match name.as_str() {
                "year" | "年度" => Some(Ref::Year),
                "unknown" | "未知" => Some(Ref::Unknown),
                _ => resolve_name(pack, aliases, level, name),
            };
            match r {
                Some(Ref::Rule(j)) if j == i => diags.push(at(*pos, msgs::reads_itself(&rule.id))),
                Some(r) => reads.push((name.clone(), r)),
                None => diags.push(at(*pos, unknown_name(pack, aliases, level, name))),
            }
        }
        let mut aggs = vec![];
        let mut params = vec![];
        for (fname, args, pos) in &found.calls {
            if let Some(&(en, _, agg, over)) = AGGREGATIONS.iter().find(|(en, zh, ..)| en == fname || zh == fname) {
                if level_rank(over) >= level_rank(level) {
                    diags.push(at(*pos, msgs::aggregate_not_below(fname, over.level(), level.level())));
                    continue;
                }
                match args.as_slice() {
                    [] if agg == AggFn::Count => {
                        aggs.push(AggUse { func: en, kind: None, agg, over, arg: String::new(), target: None });
                    }
                    [Some((arg, apos))] => match resolve_name(pack, aliases, over, arg) {
                        // A code is not a yes/no: a condition on it is a rule of its own.
                        Some(Ref::Field(f)) if agg != AggFn::Sum && example_label(aliases, over, f).is_some() => {
                            let label = example_label(aliases, over, f).unwrap_or_default();
                            diags.push(at(*apos, authoring::aggregate_over_code(fname, arg, over.level(), &label)));
                        }
                        Some(t) => {
                            let kind = match &t {
                                Ref::Field(f) => aliases.column(over, f).map(|c| c.kind),
                                _ => None,
                            };
                            aggs.push(AggUse { func: en, kind, agg, over, arg: arg.clone(), target: Some(t) })
                        }
                        None => {
                            let near = suggestions(pack, aliases, over, arg);
                            diags.push(at(*apos, msgs::aggregate_arg_unknown(arg, over.level(), fname).near(&near)));
                        }
                    },
                    _ => diags.push(at(*pos, authoring::aggregate_not_a_name(fname, over.level()))),
                }
            } else if PARAM_FNS.contains(&fname.as_str()) {
                match args.as_slice() {
                    [Some((name, apos))] => match pack.params.get(name) {
                        Some(p) => {
                            if !params.contains(&p.name) {
                                params.push(p.name.clone());
                            }
                        }
                        None => {
                            let names: Vec<&str> = pack.params.params.keys().map(String::as_str).collect();
                            diags.push(at(*apos, msgs::no_parameter(name, &names.join(", "))));
                        }
                    },
                    _ => diags.push(at(*pos, msgs::parameter_args(fname))),
                }
            }
        }
        let rule = &mut pack.rules[i];
        rule.reads = reads;
        rule.aggregates = aggs;
        rule.params = params;
    }
}

/// Why a name is not known at a level, and what to write instead.
fn unknown_name(pack: &Pack, aliases: &Aliases, level: Table, name: &str) -> Msg {
    for other in Table::ALL {
        let Some(target) = resolve_name(pack, aliases, other, name).filter(|_| other != level) else {
            continue;
        };
        let code_label = match target {
            Ref::Field(f) => example_label(aliases, other, f),
            _ => None,
        };
        return if level_rank(other) > level_rank(level) {
            msgs::higher_level(name, other.level(), level.level())
        } else {
            let agg = AGGREGATIONS
                .iter()
                .find(|(.., agg, over)| *over == other && *agg == AggFn::All)
                .map(|a| a.0)
                .unwrap_or("all_members");
            if let Some(label) = code_label {
                let any = AGGREGATIONS
                    .iter()
                    .find(|(.., agg, over)| *over == other && *agg == AggFn::Any)
                    .map(|a| (a.0, a.1))
                    .unwrap_or(("any_member", "任一成员"));
                authoring::lower_level_code(name, other.level(), level.level(), any, &label)
            } else {
                msgs::lower_level(name, other.level(), level.level(), agg)
            }
        };
    }
    if pack.params.get(name).is_some() {
        return msgs::is_parameter(name);
    }
    msgs::unknown_name(name, level.level(), &suggestions(pack, aliases, level, name))
}

/// A label to write in an example condition on a code field (built in or declared): its
/// third code's label where it has one (`患有大病` for health), else its first; `None` when
/// the field holds no codes.
fn example_label(aliases: &Aliases, table: Table, field: &str) -> Option<String> {
    let codes = aliases.code_choices(table, field)?;
    let (code, label) = codes.get(2).or(codes.first()).cloned()?;
    Some(if label.is_empty() { code } else { label })
}

/// The names of a level closest to a misspelt one, across English and Chinese: rule names
/// and Chinese names, field names and every header the field is read under. Within one
/// character for a name of up to three characters, two for longer ones; closest first, at
/// most three.
fn suggestions(pack: &Pack, aliases: &Aliases, level: Table, name: &str) -> Vec<String> {
    let mut candidates: Vec<String> = vec![];
    for r in pack.rules.iter().filter(|r| r.level == level) {
        candidates.push(r.name.clone());
        candidates.extend(r.alias.clone());
    }
    candidates.extend(aliases.names(level));
    let limit = if name.chars().count() <= 3 { 1 } else { 2 };
    let mut near: Vec<(usize, String)> = candidates
        .into_iter()
        .map(|c| (edit_distance(&c, name), c))
        .filter(|(d, c)| *d <= limit && c != name)
        .collect();
    near.sort();
    near.dedup_by(|a, b| a.1 == b.1);
    near.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Order each level's rules so that every rule runs after the rules it reads; report cycles.
pub fn order(pack: &mut Pack, diags: &mut Vec<Diagnostic>) {
    let mut order: BTreeMap<Table, Vec<usize>> = BTreeMap::new();
    for level in Table::ALL {
        let ids: Vec<usize> = (0..pack.rules.len()).filter(|&i| pack.rules[i].level == level).collect();
        let mut done: Vec<usize> = vec![];
        let mut state = vec![0u8; pack.rules.len()]; // 0 new, 1 on stack, 2 done
        for &start in &ids {
            let mut stack: Vec<usize> = vec![];
            visit(pack, start, &mut state, &mut stack, &mut done, diags);
        }
        order.insert(level, done);
    }
    // Aggregation targets that are value rules must be numbers, predicates 是/否.
    for r in &pack.rules {
        for a in &r.aggregates {
            if let Some(Ref::Rule(t)) = a.target {
                let target = &pack.rules[t];
                let wants_pred = matches!(
                    a.agg,
                    super::script::AggFn::All | super::script::AggFn::Any | super::script::AggFn::Count
                );
                if wants_pred != (target.kind == RuleKind::Predicate) {
                    let call = format!("{}(\"{}\")", a.func, a.arg);
                    diags.push(Diagnostic::file(
                        &pack.dir.join(&r.file).display().to_string(),
                        msgs::aggregate_kind(&call, wants_pred, &target.id, target.kind == RuleKind::Predicate),
                    ));
                }
            }
        }
    }
    pack.order = order;
}

fn visit(
    pack: &Pack,
    i: usize,
    state: &mut [u8],
    stack: &mut Vec<usize>,
    done: &mut Vec<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    match state[i] {
        2 => return,
        1 => {
            let from = stack.iter().position(|&s| s == i).unwrap_or(0);
            let mut cycle: Vec<&str> = stack[from..].iter().map(|&s| pack.rules[s].id.as_str()).collect();
            cycle.push(pack.rules[i].id.as_str());
            let r = &pack.rules[i];
            diags
                .push(Diagnostic::file(&pack.dir.join(&r.file).display().to_string(), msgs::cycle(&cycle.join(" → "))));
            return;
        }
        _ => {}
    }
    state[i] = 1;
    stack.push(i);
    let deps: Vec<usize> = pack.rules[i].rule_deps().collect();
    for d in deps {
        visit(pack, d, state, stack, done, diags);
    }
    stack.pop();
    state[i] = 2;
    done.push(i);
}

/// Number literals in a script other than 0 and 1, with their positions (for `lint`). A
/// year compared with the year evaluated (`年度 >= 2021`) is a guard, not a threshold.
pub fn number_literals(ast: &rhai::AST) -> Vec<(String, (usize, usize))> {
    let mut out = vec![];
    ast.walk(&mut |path: &[ASTNode]| {
        let year_guard = path.len() >= 2
            && matches!(&path[path.len() - 2], ASTNode::Expr(Expr::FnCall(call, _))
                if call.args.iter().any(|a| matches!(a, Expr::Variable(x, ..) if matches!(x.1.as_str(), "year" | "年度"))));
        if year_guard {
            return true;
        }
        match path.last() {
            Some(ASTNode::Expr(Expr::IntegerConstant(v, pos))) if *v != 0 && *v != 1 => {
                out.push((v.to_string(), pos_of(*pos)));
            }
            Some(ASTNode::Expr(Expr::FloatConstant(v, pos))) if **v != 0.0 && **v != 1.0 => {
                out.push((v.to_string(), pos_of(*pos)));
            }
            _ => {}
        }
        true
    });
    out
}

/// One side of a comparison a rule makes, for saying why it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(&'static str),
    Rule(usize),
    /// A parameter as written in the script (canonical name or Chinese alias).
    Param(String),
    Number(f64),
}

/// One condition of a rule whose whole body is a conjunction (`a and b and …`): what a
/// reason names when the rule comes out 否 or 未知.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `left op right`, op one of `>=`, `>`, `<=`, `<`, `==`, `!=`.
    Compare { left: Operand, op: String, right: Operand },
    /// A 是/否 field read as is (`road_access`).
    Field(&'static str),
    /// Another rule of the level.
    Rule(usize),
    /// `is_known(field)` (`已知(…)`): the field is filled in.
    Known(&'static str),
    /// Anything else (`not(…)`, `or`, arithmetic on booleans, a block with `let`).
    Other,
}

/// The conditions of a rule whose script is one expression: its top-level `and` split into
/// its parts. A script of several statements is one [`Condition::Other`].
pub fn conditions(rule: &super::Rule) -> Vec<Condition> {
    let stmts = rule.ast.statements();
    let [Stmt::Expr(e)] = stmts else { return vec![Condition::Other] };
    let mut out = vec![];
    conjuncts(rule, e, &mut out);
    out
}

fn conjuncts(rule: &super::Rule, e: &Expr, out: &mut Vec<Condition>) {
    let var = |e: &Expr| -> Option<Ref> {
        let Expr::Variable(x, ..) = e else { return None };
        rule.reads.iter().find(|(n, _)| n.as_str() == x.1.as_str()).map(|(_, r)| r.clone())
    };
    let operand = |e: &Expr| -> Option<Operand> {
        match e {
            Expr::IntegerConstant(i, _) => Some(Operand::Number(*i as f64)),
            Expr::FloatConstant(f, _) => Some(Operand::Number(**f)),
            Expr::FnCall(call, _) if PARAM_FNS.contains(&call.name.as_str()) => match call.args.as_slice() {
                [Expr::StringConstant(s, _)] => Some(Operand::Param(s.to_string())),
                _ => None,
            },
            _ => match var(e)? {
                Ref::Field(f) => Some(Operand::Field(f)),
                Ref::Rule(r) => Some(Operand::Rule(r)),
                _ => None,
            },
        }
    };
    match e {
        Expr::FnCall(call, _) if matches!(call.name.as_str(), "and" | "且") && call.args.len() == 2 => {
            conjuncts(rule, &call.args[0], out);
            conjuncts(rule, &call.args[1], out);
        }
        Expr::FnCall(call, _) if matches!(call.name.as_str(), ">=" | ">" | "<=" | "<" | "==" | "!=") => {
            match (call.args.first().and_then(operand), call.args.get(1).and_then(operand)) {
                (Some(left), Some(right)) => out.push(Condition::Compare { left, op: call.name.to_string(), right }),
                _ => out.push(Condition::Other),
            }
        }
        Expr::FnCall(call, _) if matches!(call.name.as_str(), "is_known" | "已知") && call.args.len() == 1 => out
            .push(match var(&call.args[0]) {
                Some(Ref::Field(f)) => Condition::Known(f),
                _ => Condition::Other,
            }),
        _ => out.push(match var(e) {
            Some(Ref::Field(f)) => Condition::Field(f),
            Some(Ref::Rule(r)) => Condition::Rule(r),
            _ => Condition::Other,
        }),
    }
}

/// Whether `a op b` holds for a comparison operator of the rule language (`>=`, `>`, `<=`,
/// `<`, `==`, `!=`).
pub fn holds<T: PartialOrd>(op: &str, a: T, b: T) -> bool {
    match op {
        ">=" => a >= b,
        ">" => a > b,
        "<=" => a <= b,
        "<" => a < b,
        "==" => a == b,
        _ => a != b,
    }
}

/// The years a rule's own guard excludes: a top-level conjunct comparing the year with a
/// number (`年度 >= 2021 且 …`) that is false in that year. A rule of several statements, or
/// a guard inside `or`, excludes nothing.
pub fn years_excluded(rule: &super::Rule, years: std::ops::RangeInclusive<i32>) -> Vec<i32> {
    let [Stmt::Expr(e)] = rule.ast.statements() else { return vec![] };
    let mut guards: Vec<(String, i64, bool)> = vec![];
    year_guards(rule, e, &mut guards);
    years
        .filter(|&y| {
            guards.iter().any(|(op, n, year_left)| {
                let (a, b) = if *year_left { (y as i64, *n) } else { (*n, y as i64) };
                !holds(op, a, b)
            })
        })
        .collect()
}

fn year_guards(rule: &super::Rule, e: &Expr, out: &mut Vec<(String, i64, bool)>) {
    let is_year = |e: &Expr| match e {
        Expr::Variable(x, ..) => rule.reads.iter().any(|(n, r)| n.as_str() == x.1.as_str() && *r == Ref::Year),
        _ => false,
    };
    let Expr::FnCall(call, _) = e else { return };
    match (call.name.as_str(), call.args.as_slice()) {
        ("and" | "且", [a, b]) => {
            year_guards(rule, a, out);
            year_guards(rule, b, out);
        }
        (op @ (">=" | ">" | "<=" | "<" | "==" | "!="), [a, Expr::IntegerConstant(n, _)]) if is_year(a) => {
            out.push((op.to_string(), *n, true));
        }
        (op @ (">=" | ">" | "<=" | "<" | "==" | "!="), [Expr::IntegerConstant(n, _), b]) if is_year(b) => {
            out.push((op.to_string(), *n, false));
        }
        _ => {}
    }
}

/// Where a rule first reads a parameter (`param("…")` by its name or alias).
pub fn param_position(rule: &super::Rule, name: &str, alias: Option<&str>) -> (usize, usize) {
    let mut at = None;
    rule.ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::FnCall(call, pos))) = path.last()
            && PARAM_FNS.contains(&call.name.as_str())
            && let [Expr::StringConstant(s, _)] = call.args.as_slice()
            && (s.as_str() == name || Some(s.as_str()) == alias)
            && at.is_none()
        {
            at = Some(pos_of(*pos));
        }
        true
    });
    at.unwrap_or((1, 1))
}
