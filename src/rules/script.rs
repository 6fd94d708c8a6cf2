//! The rule language: what a rule script may say, as the loader and the analyses read it.
//!
//! Rhai with three-valued `and`/`or` (且/或) as custom operators, `&&`, `||`, `!`, `eval`
//! and modules refused, bounded sizes, and the names scripts call: `param("…")`/`参数("…")`
//! and the aggregation forms `all_members("…")`, `count_members()`, `sum_households("…")`, ….
//! Parsing only: the runtime the scripts run in (unknown values, Kleene tables, exact
//! numbers) is `eval::sandbox`.

use rhai::Engine;

use crate::register::Table;

/// An aggregation over the rows of a lower level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AggFn {
    /// Kleene `and` of a predicate (true when there are none).
    All,
    /// Kleene `or` of a predicate (false when there are none).
    Any,
    /// Number of rows where a predicate is true; with no argument, the number of rows.
    Count,
    /// Sum of a value.
    Sum,
}

/// The names scripts call aggregations by: (English, Chinese, function, rows it reads).
pub const AGGREGATIONS: &[(&str, &str, AggFn, Table)] = &[
    ("all_members", "所有成员", AggFn::All, Table::Persons),
    ("any_member", "任一成员", AggFn::Any, Table::Persons),
    ("count_members", "成员人数", AggFn::Count, Table::Persons),
    ("sum_members", "成员合计", AggFn::Sum, Table::Persons),
    ("all_households", "所有农户", AggFn::All, Table::Households),
    ("any_household", "任一农户", AggFn::Any, Table::Households),
    ("count_households", "农户数", AggFn::Count, Table::Households),
    ("sum_households", "农户合计", AggFn::Sum, Table::Households),
    ("all_villages", "所有村", AggFn::All, Table::Villages),
    ("any_village", "任一村", AggFn::Any, Table::Villages),
    ("count_villages", "村数", AggFn::Count, Table::Villages),
    ("sum_villages", "村合计", AggFn::Sum, Table::Villages),
];

pub const PARAM_FNS: [&str; 2] = ["param", "参数"];

/// The rule language's syntax: an engine that parses rule scripts (custom `and`/`or`
/// operators and their Chinese forms; `&&`, `||`, `!`, `eval` refused) with the sandbox's
/// limits, and runs nothing. `eval::sandbox` adds the functions scripts call.
pub fn syntax() -> Engine {
    let mut e = Engine::new();
    e.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    e.disable_symbol("eval");
    e.disable_symbol("&&");
    e.disable_symbol("||");
    e.disable_symbol("!");
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    e.set_max_call_levels(16);
    e.set_max_expr_depths(64, 32);
    e.set_max_string_size(10_000);
    e.set_max_array_size(10_000);
    e.set_max_map_size(1_000);
    // The string interner sits behind one lock shared by every thread (`sync`): with it,
    // `let` lines serialised the workers (measured: person rules 5.1 s on 2 threads, no
    // faster than on 1). Rule scripts gain nothing from interning.
    e.set_max_strings_interned(0);
    e.set_max_variables(100);
    e.set_fast_operators(false);
    e.set_optimization_level(rhai::OptimizationLevel::None);

    // Three-valued logic. Custom operators take both sides evaluated, which Kleene needs.
    for (word, prec) in [("and", 60u8), ("且", 60), ("or", 30), ("或", 30)] {
        // Registering a fixed, valid identifier as an operator cannot fail.
        let _ = e.register_custom_operator(word, prec);
    }
    e
}

/// The most names a rule may define with `let` (or `const`). A scope holds at most 100
/// variables when the rule runs (`eval::sandbox::engine`: the fields it reads count too), so a rule past
/// this could never run; and Rhai's parser looks each name up among every name defined
/// before it, so a script of thousands of `let` lines parses in quadratic time.
pub const MAX_LETS: usize = 100;

/// The line and column of the first `let` past [`MAX_LETS`], found by the tokenizer alone
/// (linear in the script's length), or `None` when the script defines few enough names.
pub fn too_many_lets(engine: &Engine, text: &str) -> Option<(usize, usize)> {
    let inputs = [text];
    let (tokens, _) = engine.lex(inputs.iter());
    let mut n = 0;
    for (token, pos) in tokens {
        if matches!(token, rhai::Token::EOF | rhai::Token::LexError(_)) {
            break;
        }
        if matches!(token, rhai::Token::Let | rhai::Token::Const) {
            n += 1;
            if n > MAX_LETS {
                return Some((pos.line().unwrap_or(1), pos.position().unwrap_or(1)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_refuses_rhai_logic_and_eval() {
        let e = syntax();
        assert!(e.compile("a && b").is_err());
        assert!(e.compile("a || b").is_err());
        assert!(e.compile("eval(\"1\")").is_err());
        assert!(e.compile("a 且 b 或 非(c)").is_ok());
    }

    #[test]
    fn too_many_lets_finds_the_101st() {
        let e = syntax();
        let lets = |n: usize| (0..n).map(|i| format!("let v{i} = {i};\n")).collect::<String>() + " 1";
        assert_eq!(too_many_lets(&e, &lets(100)), None);
        assert_eq!(too_many_lets(&e, &lets(101)), Some((101, 1)));
    }
}
