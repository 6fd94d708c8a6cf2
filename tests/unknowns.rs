//! Unknown at every operator and aggregation, against answers written down by hand from the
//! rule language's definition (README, "What the language guarantees": a comparison or
//! arithmetic with unknown is unknown; `false and unknown` is false, `true or unknown` is
//! true; an `if` on unknown makes the rule unknown; `all` is false as soon as one member is
//! false, `any` true as soon as one is true, and otherwise unknown when a member is unknown
//! or set aside), on both engines. Agreement between the engines alone would not catch a
//! slip both make; these tables would.

mod common;

use std::path::Path;

use common::Case;
use tuopin::eval::{Engine, Value};
use tuopin::register::{self, Aliases, LoadOptions, Table};

/// A pack of one rule per operator.
fn pack(dir: &Path) {
    std::fs::create_dir_all(dir.join("household")).unwrap();
    std::fs::create_dir_all(dir.join("person")).unwrap();
    std::fs::write(dir.join("pack.toml"), "name = \"unknown at every operator (tests)\"\nyears = [2014, 2020]\n")
        .unwrap();
    std::fs::write(
        dir.join("parameters.toml"),
        "[line]\ntitle = \"t\"\nsource = \"tests\"\nvalues = { 2014 = 4000 }\n",
    )
    .unwrap();
    let rules: &[(&str, &str, &str)] = &[
        ("person/disabled", "判断", "disability_grade > 0"),
        ("person/grade", "数值", "disability_grade"),
        ("person/named_after_m", "判断", "name > \"M\""),
        ("household/if_on_unknown", "数值", "if food_secure { 1 } else { 2 }"),
        ("household/not_in", "判断", "house_safety !in [\"02\", \"03\"]"),
        ("household/negated", "数值", "-wage_income"),
        ("household/absolute", "数值", "abs(wage_income - 6000)"),
        ("household/bool_equals", "判断", "food_secure == true"),
        ("household/first_known_of", "数值", "first_known(wage_income, 7)"),
        ("household/and_false", "判断", "food_secure and false"),
        ("household/or_true", "判断", "food_secure or true"),
        ("household/and_true", "判断", "food_secure and true"),
        ("household/not_unknown", "判断", "not(food_secure)"),
        ("household/over_line", "判断", "wage_income >= param(\"line\")"),
        ("household/known", "判断", "is_known(wage_income)"),
        ("household/any_disabled", "判断", "any_member(\"disabled\")"),
        ("household/all_disabled", "判断", "all_members(\"disabled\")"),
        ("household/count_disabled", "数值", "count_members(\"disabled\")"),
        ("household/sum_grades", "数值", "sum_members(\"grade\")"),
        ("household/members", "数值", "count_members()"),
    ];
    for (path, kind, body) in rules {
        let (level, name) = path.split_once('/').unwrap();
        let text = format!("// id: {level}.{name}\n// 标题: t\n// 来源: tests\n// 类型: {kind}\n{body}\n");
        std::fs::write(dir.join(format!("{path}.rhai")), text).unwrap();
    }
}

const U: Value = Value::Unknown;
const T: Value = Value::Bool(true);
const F: Value = Value::Bool(false);

fn evaluate(case: &Case, skip_invalid: bool, engine: Engine) -> (tuopin::rules::Pack, tuopin::eval::Outcomes) {
    let dir = tempfile::tempdir().unwrap();
    let pack_dir = dir.path().join("pack");
    pack(&pack_dir);
    let reg = dir.path().join("reg");
    std::fs::create_dir_all(&reg).unwrap();
    case.write(&reg);
    let aliases = Aliases::builtin();
    let (pack, values) = tuopin::jobs::load_pack(&pack_dir, 2020, &aliases).unwrap();
    let loaded =
        register::load(&reg, &[], &LoadOptions { aliases: aliases.clone(), skip_invalid, ..Default::default() })
            .unwrap();
    assert_eq!(loaded.errors.is_empty(), !skip_invalid, "{:?}", loaded.errors);
    let out = tuopin::eval::evaluate_with(&pack, &loaded.register, 2020, values, &|_| {}, engine).unwrap();
    assert!(out.errors.is_empty(), "{engine:?}: {:?}", out.errors);
    (pack, out)
}

fn value(p: &tuopin::rules::Pack, o: &tuopin::eval::Outcomes, level: Table, key: &str, rule: &str) -> Value {
    let idx = p.rule_index(level, rule).unwrap();
    let l = o.level(level).unwrap();
    let row = (0..l.len()).find(|&i| l.key(i) == key).unwrap_or_else(|| panic!("no {key}"));
    l.values(idx).unwrap()[row]
}

#[test]
fn every_operator_with_an_unknown_input_gives_the_written_answer_on_both_engines() {
    let case = Case::new()
        // Every input known.
        .household("HK", &[("wage_income", "5000"), ("food_secure", "true"), ("house_safety", "01")])
        .person("HK", &[("relation", "01"), ("disability_grade", "0"), ("name", "张三")])
        .person("HK", &[("relation", "02"), ("disability_grade", "2"), ("name", "Alice")])
        // Every input unknown; members: unknown and false.
        .household("HU", &[("wage_income", ""), ("food_secure", ""), ("house_safety", "")])
        .person("HU", &[("relation", "01"), ("disability_grade", ""), ("name", "")])
        .person("HU", &[("relation", "02"), ("disability_grade", "0")])
        // Members: unknown and true.
        .household("HT", &[])
        .person("HT", &[("relation", "01"), ("disability_grade", "")])
        .person("HT", &[("relation", "02"), ("disability_grade", "3")]);
    #[rustfmt::skip]
    let expected: &[(&str, Value, Value, Value)] = &[
        // rule                 HK (known)             HU (unknown)   HT
        ("if_on_unknown",       Value::Int(1),         U,             Value::Int(1)),
        ("not_in",              T,                     U,             T),
        ("negated",             Value::Float(-5000.0), U,             Value::Float(-20000.0)),
        ("absolute",            Value::Float(1000.0),  U,             Value::Float(14000.0)),
        ("bool_equals",         T,                     U,             T),
        ("first_known_of",      Value::Float(5000.0),  Value::Int(7), Value::Float(20000.0)),
        ("and_false",           F,                     F,             F),
        ("or_true",             T,                     T,             T),
        ("and_true",            T,                     U,             T),
        ("not_unknown",         F,                     U,             F),
        ("over_line",           T,                     U,             T),
        ("known",               T,                     F,             T),
        ("any_disabled",        T,                     U,             T),
        ("all_disabled",        F,                     F,             U),
        ("count_disabled",      Value::Int(1),         U,             U),
        ("sum_grades",          Value::Int(2),         U,             U),
        ("members",             Value::Int(2),         Value::Int(2), Value::Int(2)),
    ];
    for engine in [Engine::Auto, Engine::Rows] {
        let (p, o) = evaluate(&case, false, engine);
        for (rule, hk, hu, ht) in expected {
            for (key, want) in [("HK", hk), ("HU", hu), ("HT", ht)] {
                let got = value(&p, &o, Table::Households, key, rule);
                let same = match (got, *want) {
                    (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => a as f64 == b,
                    (a, b) => a == b,
                };
                assert!(same, "{engine:?} {rule} {key}: {got:?}, expected {want:?}");
            }
        }
        // Text `>` with an unknown name is unknown; "张三" sorts after "M", "Alice" before.
        let persons = o.level(Table::Persons).unwrap();
        let idx = p.rule_index(Table::Persons, "named_after_m").unwrap();
        let got: Vec<Value> = persons.values(idx).unwrap().to_vec();
        assert_eq!(got[..3], [T, F, U], "{engine:?}: HK's two members, then HU's first");
    }
}

#[test]
fn a_member_set_aside_makes_aggregates_unknown_unless_a_known_member_decides() {
    // HP: a known member who is not disabled, and a member with a wrong health code (set
    // aside under --skip-invalid). HQ: a disabled member and a member set aside.
    let case = Case::new()
        .household("HP", &[])
        .person("HP", &[("relation", "01"), ("disability_grade", "0")])
        .person("HP", &[("relation", "02"), ("health", "09")])
        .household("HQ", &[])
        .person("HQ", &[("relation", "01"), ("disability_grade", "1")])
        .person("HQ", &[("relation", "02"), ("health", "09")]);
    #[rustfmt::skip]
    let expected: &[(&str, Value, Value)] = &[
        // all: false wins over the member set aside; any: true wins.
        ("all_disabled",   F, U),
        ("any_disabled",   U, T),
        ("count_disabled", U, U),
        ("sum_grades",     U, U),
        ("members",        U, U),
    ];
    for engine in [Engine::Auto, Engine::Rows] {
        let (p, o) = evaluate(&case, true, engine);
        for (rule, hp, hq) in expected {
            assert_eq!(value(&p, &o, Table::Households, "HP", rule), *hp, "{engine:?} {rule} HP");
            assert_eq!(value(&p, &o, Table::Households, "HQ", rule), *hq, "{engine:?} {rule} HQ");
        }
    }
}
