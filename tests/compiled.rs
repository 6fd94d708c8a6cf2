//! The compiled path against the per-row path: many random registers, built to hit every
//! code of every list, nulls in every nullable column, absent optional columns, values on
//! and beside every threshold, deceased members, households without members, villages
//! without households, and rows set aside (`--skip-invalid`) so that parents are partial.
//! For the Hunan pack and for a test pack that uses every construct of the compiled subset
//! (`tests/packs/constructs`), both paths must give the same outcome for every rule and row,
//! the same aggregates and the same row errors.

mod common;

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tuopin::eval::{Engine, Outcomes, Value, evaluate_with};
use tuopin::register::{self, Aliases, CodeList, Kind, LoadOptions, Register, Table, TextTable};
use tuopin::rules::Pack;

const SEEDS: u64 = 150;

fn constructs() -> std::path::PathBuf {
    common::repo().join("tests/packs/constructs")
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

/// A cell of a column, drawn to hit the values rules care about.
fn cell(rng: &mut ChaCha8Rng, table: Table, name: &str, kind: Kind) -> Option<String> {
    if rng.random_bool(0.1) {
        return None;
    }
    let s = match kind {
        Kind::Code(list) => {
            // Now and then a text that is no code of the list: an input error, set aside.
            if rng.random_bool(0.01) { "ZZ".to_string() } else { pick(rng, list.codes()).to_string() }
        }
        // Mostly true, so that long conjunctions (a village's seven conditions) are met now and then.
        Kind::Bool => pick(rng, &["true", "true", "true", "false"]).to_string(),
        Kind::Number => match (table, name) {
            (Table::Households, "wage_income") => {
                pick(rng, &["0", "4000", "8000", "11999.99", "12000", "12000.01", "16000", "-50", "3999.99"])
            }
            (Table::Households, _) => pick(rng, &["0", "0.01", "100", "4000", "2000.5"]),
            (Table::Villages, _) => pick(rng, &["0", "39999.99", "40000", "40000.01", "120000"]),
            (Table::Counties, "rural_disposable_income") => pick(rng, &["9999.99", "10000", "10000.01", "0"]),
            (Table::Counties, "recognition_rate") => pick(rng, &["0.89", "0.9", "0.95"]),
            (Table::Counties, _) => pick(rng, &["0", "0.0199", "0.02", "0.0201"]),
            _ => "1",
        }
        .to_string(),
        Kind::Int(_) => match (table, name) {
            (Table::Persons, "disability_grade") => pick(rng, &["0", "1", "4"]),
            (Table::Persons, _) => pick(rng, &["0", "6", "12", "13", "-1"]),
            (Table::Households, _) => pick(rng, &["2014", "2016", "2020", "0"]),
            (Table::Villages, "registered_population") => pick(rng, &["0", "1", "3", "50", "100", "5000"]),
            (Table::Counties, "rural_population") => pick(rng, &["0", "5", "40", "1000", "100000"]),
            _ => pick(rng, &["2016", "2020"]),
        }
        .to_string(),
        Kind::Date => {
            pick(rng, &["2005-01-01", "2005-12-31", "2014-12-31", "2015-01-01", "1960-06-30", "2020-12-31"]).to_string()
        }
        Kind::Text => pick(rng, &["张三", "李四", "王五", "阿", "李"]).to_string(),
        // A field a pack declares with codes: the code, its label, or neither (an input error).
        Kind::Listed(pairs) => {
            let (code, label) = pairs[rng.random_range(0..pairs.len())];
            if rng.random_bool(0.01) { "ZZ".to_string() } else { pick(rng, &[code, label]).to_string() }
        }
        Kind::Key | Kind::DigitKey(_) => return None,
    };
    Some(s)
}

/// A random register as text tables (the loader types and checks them as it does files),
/// with the fields `aliases` declares (the constructs pack's) under their Chinese headers.
fn random_register(seed: u64, aliases: &Aliases) -> Vec<TextTable> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let counties = ["430101", "430102", "430103"];
    // The third county has no villages; one village has no households.
    let villages: Vec<String> =
        (0..rng.random_range(2..6)).map(|i| format!("{}{:06}", counties[i % 2], 100 + i)).collect();
    let n_households = rng.random_range(10..40);
    let mut tables = vec![];
    let mut table = |t: Table, rows: Vec<HashMap<&'static str, Option<String>>>, rng: &mut ChaCha8Rng| {
        // Optional columns are sometimes absent from the file (every row reads unknown).
        let mut headers: Vec<&'static str> = vec![];
        for c in aliases.columns(t) {
            let keep = if c.name == "registered" { 0.9 } else { 0.8 };
            if !c.optional || c.key || rng.random_bool(keep) {
                headers.push(c.name);
            }
        }
        let cells = rows.iter().map(|r| headers.iter().map(|h| r.get(h).cloned().flatten()).collect()).collect();
        // A declared field's column is headed as exports head it: by its Chinese title.
        let written = headers
            .iter()
            .map(|h| match aliases.is_declared(t, h) {
                true => aliases.header(t, h).unwrap_or(h).to_string(),
                false => h.to_string(),
            })
            .collect();
        tables.push((t, format!("{}.csv", t.name()), written, cells));
    };
    let rows_of = |t: Table, keys: Vec<(&'static str, String)>, rng: &mut ChaCha8Rng| {
        let mut r: HashMap<&'static str, Option<String>> = HashMap::new();
        for c in aliases.columns(t) {
            r.insert(c.name, cell(rng, t, c.name, c.kind));
        }
        for (k, v) in keys {
            r.insert(k, Some(v));
        }
        r
    };
    let county_rows = counties.iter().map(|c| rows_of(Table::Counties, vec![("county_code", c.to_string())], &mut rng));
    let county_rows: Vec<_> = county_rows.collect();
    let village_rows: Vec<_> = villages
        .iter()
        .map(|v| {
            let keys = vec![("village_code", v.clone()), ("county_code", v[..6].to_string())];
            rows_of(Table::Villages, keys, &mut rng)
        })
        .collect();
    let mut household_rows = vec![];
    let mut person_rows = vec![];
    let mut seq = 0;
    for h in 0..n_households {
        let id = format!("H{seed}-{h}");
        // The last village gets no households.
        let village = if rng.random_bool(0.02) {
            "430101999999".to_string()
        } else {
            villages[rng.random_range(0..villages.len().saturating_sub(1).max(1))].clone()
        };
        let mut r = rows_of(Table::Households, vec![("household_id", id.clone()), ("village_code", village)], &mut rng);
        // registered: null only rarely (an input error).
        if r.get("registered").cloned().flatten().is_none() && rng.random_bool(0.8) {
            r.insert("registered", Some("true".into()));
        }
        household_rows.push(r);
        for _ in 0..rng.random_range(0..6) {
            seq += 1;
            let y = *[2005, 2006, 2014, 2015, 1960].get(rng.random_range(0..5)).unwrap_or(&2005);
            let valid = register::resident_id::make("430101", y, rng.random_range(1..13), rng.random_range(1..29), seq);
            // Valid IDs mostly; also a wrong check character, a lower-case x, an impossible
            // birth date (30 February) and no ID form at all.
            let pid = match rng.random_range(0..10) {
                0 => format!("X{seq}"),
                1 => format!("{}{}", &valid[..17], if valid.ends_with('1') { '2' } else { '1' }),
                2 => format!("{}x", &valid[..17]),
                3 => format!("{}19990230{}", &valid[..6], &valid[14..]),
                _ => valid,
            };
            person_rows.push(rows_of(Table::Persons, vec![("person_id", pid), ("household_id", id.clone())], &mut rng));
        }
    }
    table(Table::Counties, county_rows, &mut rng);
    table(Table::Villages, village_rows, &mut rng);
    table(Table::Households, household_rows, &mut rng);
    table(Table::Persons, person_rows, &mut rng);
    tables
}

fn load_random(seed: u64, aliases: &Aliases) -> Register {
    let opts = LoadOptions { skip_invalid: true, aliases: aliases.clone(), ..Default::default() };
    register::load_text(random_register(seed, aliases), &opts).expect("typed").register
}

fn pack(dir: &std::path::Path) -> Pack {
    tuopin::rules::load(dir, &Aliases::builtin()).unwrap_or_else(|d| panic!("{d:?}"))
}

fn run(pack: &Pack, reg: &Register, year: i32, engine: Engine) -> Outcomes {
    let values = pack.values_for_year(year).expect("parameters");
    evaluate_with(pack, reg, year, values, &|_| {}, engine).expect("evaluated")
}

/// Equal outcomes: the same kind and value. A whole number equals the same float (the
/// per-row path keeps `Int` where both branches of an `if` meet as a float). Sums of
/// floats are compared to 1e-9 relative: polars sums with Kahan's compensation, the
/// per-row path adds in row order.
fn same(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => x as f64 == y,
        _ => a == b,
    }
}

/// Assert both paths agree; records, per rule id, which of true/false/unknown were seen.
/// Returns the number of row errors (the same on both).
fn assert_agree(pack: &Pack, reg: &Register, year: i32, seen: &mut HashMap<String, [bool; 3]>, what: &str) -> usize {
    let rows = run(pack, reg, year, Engine::Rows);
    let auto = run(pack, reg, year, Engine::Auto);
    assert_eq!(rows.errors, auto.errors, "{what}: row errors");
    for (lr, la) in rows.levels.iter().zip(&auto.levels) {
        assert_eq!(lr.table, la.table);
        for ((r, vr), (r2, va)) in lr.results.iter().zip(&la.results) {
            assert_eq!(r, r2);
            let id = &pack.rules[*r].id;
            for (i, (x, y)) in vr.iter().zip(va).enumerate() {
                assert!(same(*x, *y), "{what}: {id} row {i} ({}): per row {x:?}, compiled {y:?}", lr.key(i));
                let s = seen.entry(id.clone()).or_default();
                match x {
                    Value::Bool(true) => s[0] = true,
                    Value::Bool(false) => s[1] = true,
                    Value::Unknown => s[2] = true,
                    _ => {
                        s[0] = true;
                        s[1] = true;
                    }
                }
            }
        }
        assert_eq!(lr.reasons, la.reasons, "{what}: {} reasons", lr.table);
        // The result files have the same columns and types.
        let schema = |l| {
            tuopin::report::level_frame(pack, l, 2020, tuopin::messages::Lang::Zh, &Aliases::builtin(), None)
                .expect("frame")
                .schema()
                .clone()
        };
        assert_eq!(schema(lr), schema(la), "{what}: {} columns", lr.table);
    }
    for ((tr, ar), (ta, aa)) in rows.aggregates.iter().zip(&auto.aggregates) {
        assert_eq!(tr, ta);
        for ((f, arg, vr), (f2, arg2, va)) in ar.entries.iter().zip(&aa.entries) {
            assert_eq!((f, arg), (f2, arg2));
            for (i, (x, y)) in vr.iter().zip(va).enumerate() {
                assert!(same(*x, *y), "{what}: {f}(\"{arg}\") row {i}: per row {x:?}, compiled {y:?}");
            }
        }
    }
    rows.errors.len()
}

#[test]
fn both_paths_agree_on_random_registers_for_the_hunan_pack_and_the_constructs_pack() {
    let hunan = pack(&common::hunan());
    let constructs = pack(&constructs());
    let mut seen_hunan = HashMap::new();
    let mut seen_constructs = HashMap::new();
    // Whole-number overflow and non-finite results, in branches and read by other rules.
    let faults = pack(&common::repo().join("tests/packs/faults"));
    let mut seen_faults = HashMap::new();
    // The data-quality checks (resident-ID functions, dates, households' members).
    let quality = pack(&common::repo().join("rules/quality"));
    let mut seen_quality = HashMap::new();
    let mut fault_errors = 0;
    let mut partial_parents = 0;
    for seed in 0..SEEDS {
        // Read with the fields the constructs pack declares (`debt`, `coop`).
        let reg = load_random(seed, &constructs.aliases);
        partial_parents += Table::ALL
            .iter()
            .filter_map(|t| reg.table(*t))
            .map(|t| t.partial.iter().filter(|p| **p).count())
            .sum::<usize>();
        // 2014 and 2018: water is not yet in the standard; 2019 and 2020: it is. Each year
        // has its own poverty line.
        let year = [2018, 2020, 2014, 2020, 2019, 2020][seed as usize % 6];
        assert_agree(&hunan, &reg, year, &mut seen_hunan, &format!("hunan seed {seed}"));
        assert_agree(&constructs, &reg, year, &mut seen_constructs, &format!("constructs seed {seed}"));
        assert_agree(&quality, &reg, year, &mut seen_quality, &format!("quality seed {seed}"));
        let rows = assert_agree(&faults, &reg, year, &mut seen_faults, &format!("faults seed {seed}"));
        fault_errors += rows;
    }
    // Overflow and non-finite results occurred, and were reported alike.
    assert!(fault_errors > 100, "{fault_errors} row errors from the faults pack");
    // The registers are not trivial: partial parents occur, and every Hunan predicate was
    // seen true, false and unknown (a test that never meets unknown proves nothing about it).
    assert!(partial_parents > 0, "no row was set aside");
    for (id, s) in &seen_hunan {
        assert_eq!(*s, [true, true, true], "{id}: true/false/unknown seen");
    }
    // The rules reading the fields the pack declares (`debt` by its Chinese header, `coop`
    // by a label) met every outcome on both paths.
    for id in ["person.in_coop", "household.debt_ok"] {
        assert_eq!(seen_constructs.get(id), Some(&[true, true, true]), "{id}");
    }
    let all_three = seen_constructs.values().filter(|s| **s == [true, true, true]).count();
    assert!(all_three * 10 >= seen_constructs.len() * 8, "{all_three} of {} constructs rules", seen_constructs.len());
}

#[test]
fn every_hunan_rule_compiles_and_unsupported_constructs_fall_back_with_a_reason() {
    let hunan = pack(&common::hunan());
    let values = hunan.values_for_year(2020).unwrap();
    let plan = tuopin::eval::Plan::without_register(&hunan, 2020, &values).paths;
    assert_eq!(plan.len(), 25);
    for p in &plan {
        assert_eq!(p.row_by_row, None, "{}", hunan.rules[p.rule].id);
    }

    let constructs = pack(&constructs());
    let values = constructs.values_for_year(2020).unwrap();
    let plan = tuopin::eval::Plan::without_register(&constructs, 2020, &values).paths;
    let row_by_row: Vec<(String, String)> = plan
        .iter()
        .filter_map(|p| {
            let why = p.row_by_row.as_ref().map(|w| tuopin::report::row_by_row_reason(tuopin::messages::Lang::En, w));
            why.map(|w| (constructs.rules[p.rule].id.clone(), w))
        })
        .collect();
    let expected = [
        ("person.loop_fallback", "uses a `for` loop"),
        ("household.kind_mismatch", "`==` given a code and a number (an error on each row, row by row)"),
        ("household.reads_fallback", "reads household.switch_fallback, which runs row by row"),
        ("household.switch_fallback", "uses `switch`"),
    ];
    assert_eq!(row_by_row, expected.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    assert_eq!(plan.len() - row_by_row.len(), 50);
}

/// The fallback rules give the right answer in a mixed run: computed here from the raw
/// columns, independently of both evaluators.
#[test]
fn rules_outside_the_subset_give_the_right_answer_on_the_fallback_path() {
    let constructs = pack(&constructs());
    let rule = |id: &str| constructs.rules.iter().position(|r| r.id == id).unwrap();
    let code_text = |reg: &Register, t: Table, c: &str, list: CodeList| -> Vec<Option<&'static str>> {
        match reg.table(t).and_then(|lt| lt.frame.column(c).ok()) {
            Some(col) => col.u8().unwrap().iter().map(|v| v.map(|i| list.codes()[i as usize])).collect(),
            None => vec![None; reg.rows(t)],
        }
    };
    let mut checked = [0usize; 3];
    for seed in 0..SEEDS {
        // Read with the fields the constructs pack declares (`debt`, `coop`).
        let reg = load_random(seed, &constructs.aliases);
        let out = run(&constructs, &reg, 2020, Engine::Auto);
        let persons = out.level(Table::Persons).unwrap();
        let relation = code_text(&reg, Table::Persons, "relation", CodeList::Relation);
        for (i, v) in persons.values(rule("person.loop_fallback")).unwrap().iter().enumerate() {
            let expected = relation[i].map(|r| Value::Bool(r == "01" || r == "02")).unwrap_or(Value::Unknown);
            assert_eq!(*v, expected, "seed {seed} person {}", persons.key(i));
            checked[0] += 1;
        }
        for (i, v) in persons.values(rule("person.sex_from_id")).unwrap().iter().enumerate() {
            let digit = persons.key(i).as_bytes().get(16).copied().filter(u8::is_ascii_digit);
            let expected = digit.map(|d| Value::Bool((d - b'0') % 2 == 1)).unwrap_or(Value::Unknown);
            assert_eq!(*v, expected, "seed {seed} person {}", persons.key(i));
        }
        let households = out.level(Table::Households).unwrap();
        let status = code_text(&reg, Table::Households, "status", CodeList::Status);
        let members = households.values(rule("household.members")).unwrap();
        let switch = households.values(rule("household.switch_fallback")).unwrap();
        let reads = households.values(rule("household.reads_fallback")).unwrap();
        for i in 0..households.len() {
            let expected = match status[i] {
                Some("04") => 1,
                Some("02") => 2,
                _ => 0,
            };
            assert_eq!(switch[i], Value::Int(expected), "seed {seed} household {}", households.key(i));
            // Reads a per-row rule and a compiled one.
            let expected_reads = match members[i] {
                Value::Int(m) => Value::Bool(expected > 0 && m > 0),
                _ if expected == 0 => Value::Bool(false),
                _ => Value::Unknown,
            };
            assert_eq!(reads[i], expected_reads, "seed {seed} household {}", households.key(i));
            checked[1 + usize::from(expected > 0)] += 1;
        }
    }
    assert!(checked.iter().all(|&n| n > 50), "{checked:?}");
}

/// `lint --paths` and `check --paths` print each rule's path, and why a rule runs row by row.
#[test]
fn the_paths_flag_lists_each_rule_and_why() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tuopin")).args(args).output().expect("tuopin runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let constructs = constructs();
    let lint = run(&["lint", "--rules", constructs.to_str().unwrap(), "--paths", "--lang", "en"]);
    assert!(lint.contains("Rule paths: 50 compiled to polars expressions, 4 row by row\n"), "{lint}");
    let zh = run(&["lint", "--rules", constructs.to_str().unwrap(), "--paths"]);
    assert!(zh.contains("  逐行  household.switch_fallback：用了`switch`\n"), "{zh}");
    assert!(zh.contains("  逐行  household.kind_mismatch：`==` 用于代码与数值（逐行执行时每行报错）\n"), "{zh}");
    assert!(lint.contains("  compiled    household.per_head_ok\n"), "{lint}");
    assert!(lint.contains("  row by row  household.switch_fallback: uses `switch`\n"), "{lint}");
    assert!(lint.contains("  row by row  person.loop_fallback: uses a `for` loop\n"), "{lint}");

    let tmp = tempfile::tempdir().unwrap();
    let demo = common::repo().join("fixtures/demo");
    let out = tmp.path().join("out");
    let args = ["check", "--data", demo.to_str().unwrap(), "--out", out.to_str().unwrap(), "--paths"];
    let check = run(&args);
    assert!(check.contains("规则执行方式：编译为 polars 表达式 25 条，逐行解释执行 0 条\n"), "{check}");
    assert!(check.contains("  编译  household.exit_eligible\n"), "{check}");
    let rows = run(&[&args[..], &["--engine", "rows", "--lang", "en"]].concat());
    assert!(rows.contains("Rule paths: 0 compiled to polars expressions, 25 row by row\n"), "{rows}");
    assert!(rows.contains("  row by row  county.incidence: --engine rows\n"), "{rows}");
}
