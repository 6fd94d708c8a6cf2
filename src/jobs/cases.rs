//! `tuopin test`: example cases kept in the pack (`tests/*.toml`), written by the staff
//! who edit the rules.
//!
//! ```toml
//! [[case]]
//! name = "三口之家人均纯收入恰好等于扶贫标准"
//! year = 2020
//! household = { wage_income = 12000 }
//! members = 3                       # three default members, or a list of tables
//!
//! [case.expect.household]
//! income_above_line = true
//! per_capita_net_income = 4000
//! ```
//!
//! Fields may be English or Chinese names; codes as codes or labels; an empty string is an
//! empty cell (unknown). Expected values: true/false (or 是/否), "unknown" (未知), or a number.
//! `tests/defaults.toml` gives the complete default household, member, village and county
//! that cases change; a file's own `[defaults]` adds to them. Each case is loaded through
//! the same typing and key checks as a register file, then evaluated with the pack.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::eval::Value;
use crate::messages::case as msgs;
use crate::register::{self, Aliases, LoadOptions, Table};
use crate::rules::{Pack, diagnostic::line_col};

pub type Fields = BTreeMap<String, toml::Value>;

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Defaults {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    household: Fields,
    #[serde(default)]
    member: Fields,
    #[serde(default)]
    village: Fields,
    #[serde(default)]
    county: Fields,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Members {
    Count(usize),
    List(Vec<Fields>),
}

impl Default for Members {
    fn default() -> Members {
        Members::Count(1)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    household: Fields,
    #[serde(default)]
    members: Vec<Fields>,
    #[serde(default)]
    village: Fields,
    #[serde(default)]
    county: Fields,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    household: Fields,
    #[serde(default)]
    members: Members,
    #[serde(default)]
    village: Fields,
    #[serde(default)]
    county: Fields,
    #[serde(default)]
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    defaults: Option<Defaults>,
    #[serde(default)]
    case: Vec<Case>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub rule: String,
    pub expected: Value,
    pub actual: Value,
    /// What the rule read, for a household rule (`name = value` lines).
    pub trail: Vec<String>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub file: String,
    pub line: usize,
    pub name: String,
    /// The year it ran for.
    pub year: i32,
    pub failures: Vec<Failure>,
    /// A problem that kept the case from running (a bad field, an unknown rule).
    pub error: Option<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

fn cell(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) if s.trim().is_empty() => None,
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        other => Some(other.to_string()),
    }
}

fn expected(v: &toml::Value) -> Option<Value> {
    match v {
        toml::Value::Boolean(b) => Some(Value::Bool(*b)),
        toml::Value::Integer(i) => Some(Value::Float(*i as f64)),
        toml::Value::Float(f) => Some(Value::Float(*f)),
        toml::Value::String(s) => match s.as_str() {
            "unknown" | "未知" => Some(Value::Unknown),
            "是" => Some(Value::Bool(true)),
            "否" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

fn same(expected: Value, actual: Value) -> bool {
    match (expected, actual) {
        (Value::Float(e), a) => a.as_f64() == Some(e),
        (e, a) => e == a,
    }
}

fn merged(base: &Fields, over: &Fields) -> Fields {
    let mut m = base.clone();
    m.extend(over.iter().map(|(k, v)| (k.clone(), v.clone())));
    m
}

/// The same fields under canonical names (a Chinese header and the English name are one key).
pub fn canonical(aliases: &Aliases, t: Table, f: &Fields) -> Fields {
    f.iter()
        .map(|(k, v)| (aliases.column_for_header(t, k).map(str::to_string).unwrap_or_else(|| k.clone()), v.clone()))
        .collect()
}

fn table(t: Table, name: String, rows: Vec<Fields>) -> register::TextTable {
    let mut headers: Vec<String> = vec![];
    for r in &rows {
        for k in r.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
    }
    let cells = rows.iter().map(|r| headers.iter().map(|h| r.get(h).and_then(cell)).collect()).collect();
    (t, name, headers, cells)
}

fn get_str(f: &Fields, key: &str) -> Option<String> {
    f.get(key).and_then(cell)
}

/// One household as register tables: its row, its members' rows, and its village's and
/// county's when given (fields under canonical names). A household without an ID is `H1`; a
/// member without a relation is the head (first) or a child; a member without an ID gets a
/// resident ID made from their birth date (or `P1`, `P2`, …).
pub struct HouseholdTables {
    pub tables: Vec<register::TextTable>,
    pub household_id: String,
    pub person_ids: Vec<String>,
}

/// `name` names each table in its input errors (`case households`, `请求中的农户`).
pub fn household_tables(
    mut household: Fields,
    members: Vec<Fields>,
    village: Fields,
    county: Fields,
    name: &dyn Fn(Table) -> String,
) -> HouseholdTables {
    let hid = get_str(&household, "household_id").unwrap_or_else(|| "H1".to_string());
    household.insert("household_id".into(), toml::Value::String(hid.clone()));
    if !household.contains_key("village_code")
        && let Some(v) = village.get("village_code")
    {
        household.insert("village_code".into(), v.clone());
    }
    let mut persons = vec![];
    for (i, mut p) in members.into_iter().enumerate() {
        p.insert("household_id".into(), toml::Value::String(hid.clone()));
        if !p.contains_key("relation") {
            p.insert("relation".into(), toml::Value::String(if i == 0 { "01" } else { "03" }.into()));
        }
        if !p.contains_key("person_id") {
            let birth = get_str(&p, "birth_date").unwrap_or_else(|| "1980-01-01".into());
            let digits: String = birth.chars().filter(char::is_ascii_digit).collect();
            let (y, mo, da) = (digits.get(0..4), digits.get(4..6), digits.get(6..8));
            let id = match (
                y.and_then(|s| s.parse().ok()),
                mo.and_then(|s| s.parse().ok()),
                da.and_then(|s| s.parse().ok()),
            ) {
                (Some(y), Some(mo), Some(da)) => register::resident_id::make("433127", y, mo, da, 2 * i as u32 + 1),
                _ => format!("P{}", i + 1),
            };
            p.insert("person_id".into(), toml::Value::String(id));
        }
        persons.push(p);
    }
    let person_ids: Vec<String> = persons.iter().map(|p| get_str(p, "person_id").unwrap_or_default()).collect();
    let mut tables = vec![
        table(Table::Households, name(Table::Households), vec![household]),
        table(Table::Persons, name(Table::Persons), persons),
    ];
    if !village.is_empty() {
        tables.push(table(Table::Villages, name(Table::Villages), vec![village]));
    }
    if !county.is_empty() {
        tables.push(table(Table::Counties, name(Table::Counties), vec![county]));
    }
    HouseholdTables { tables, household_id: hid, person_ids }
}

/// Run every case file in `<pack>/tests`. Files and cases in name order.
/// `tuopin test`: load the pack in `rules` (stopping on its errors) and run its cases.
pub fn run_pack(rules: &Path, lang: crate::messages::Lang, year: Option<i32>) -> Result<Cases, crate::Error> {
    let aliases = Aliases::builtin();
    let pack = crate::rules::load(rules, &aliases).map_err(crate::Error::Rules)?;
    if let Some(y) = year {
        pack.values_for_year(y).map_err(crate::Error::Rules)?;
    }
    let results = run(&pack, lang)?;
    let (results, other_years): (Vec<CaseResult>, Vec<CaseResult>) =
        results.into_iter().partition(|r| year.is_none_or(|y| r.year == y));
    Ok(Cases { results, other_years: other_years.len() })
}

/// The cases run, and how many were for other years than the one asked for.
pub struct Cases {
    pub results: Vec<CaseResult>,
    pub other_years: usize,
}

/// Run the cases of a loaded pack (`tests/*.toml` in its folder).
/// The pack's alias table (with the fields it declares) reads the cases' field names.
pub fn run(pack: &Pack, lang: crate::messages::Lang) -> Result<Vec<CaseResult>, crate::Error> {
    let dir = pack.dir.join("tests");
    let base: Defaults = match std::fs::read_to_string(dir.join("defaults.toml")) {
        Ok(text) => toml::from_str(&text).map_err(|e| toml_error(&dir.join("defaults.toml"), &text, &e))?,
        Err(_) => Defaults::default(),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| crate::Error::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("defaults.toml"))
        .collect();
    files.sort();
    let mut values_by_year: HashMap<i32, HashMap<String, f64>> = HashMap::new();
    let mut results = vec![];
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
        let file: CaseFile = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
        let d = match &file.defaults {
            Some(own) => Defaults {
                year: own.year.or(base.year),
                household: merged(&base.household, &own.household),
                member: merged(&base.member, &own.member),
                village: merged(&base.village, &own.village),
                county: merged(&base.county, &own.county),
            },
            None => base.clone(),
        };
        let case_lines: Vec<usize> =
            text.lines().enumerate().filter(|(_, l)| l.trim() == "[[case]]").map(|(i, _)| i + 1).collect();
        for (k, case) in file.case.iter().enumerate() {
            let mut r = CaseResult {
                file: path.display().to_string(),
                line: case_lines.get(k).copied().unwrap_or(0),
                name: case.name.clone(),
                year: case_year(pack, &d, case),
                failures: vec![],
                error: None,
            };
            match run_case(pack, &d, case, &mut values_by_year, lang) {
                Ok(f) => r.failures = f,
                Err(e) => r.error = Some(e),
            }
            results.push(r);
        }
    }
    Ok(results)
}

/// The year a case runs for: its own, its file's, the defaults', or the pack's last year.
fn case_year(pack: &Pack, d: &Defaults, case: &Case) -> i32 {
    case.year.or(d.year).unwrap_or(pack.manifest.years[1])
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> crate::Error {
    let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    crate::Error::Rules(vec![crate::rules::Diagnostic::at(
        &path.display().to_string(),
        text,
        line,
        col,
        crate::messages::pack::toml_error(e.message(), text.lines().nth(line.saturating_sub(1)).unwrap_or_default()),
    )])
}

fn run_case(
    pack: &Pack,
    d: &Defaults,
    case: &Case,
    values_by_year: &mut HashMap<i32, HashMap<String, f64>>,
    lang: crate::messages::Lang,
) -> Result<Vec<Failure>, String> {
    let year = case_year(pack, d, case);
    let c = |t: Table, f: &Fields| canonical(&pack.aliases, t, f);
    let household = merged(&c(Table::Households, &d.household), &c(Table::Households, &case.household));
    let village = merged(&c(Table::Villages, &d.village), &c(Table::Villages, &case.village));
    let county = merged(&c(Table::Counties, &d.county), &c(Table::Counties, &case.county));
    let member_rows: Vec<Fields> = match &case.members {
        Members::Count(n) => vec![Fields::new(); *n],
        Members::List(l) => l.clone(),
    };
    let members: Vec<Fields> =
        member_rows.iter().map(|m| merged(&c(Table::Persons, &d.member), &c(Table::Persons, m))).collect();
    let HouseholdTables { tables, household_id: hid, person_ids } =
        household_tables(household, members, village.clone(), county.clone(), &|t| format!("case {}", t.name()));
    let loaded = register::load_text(tables, &LoadOptions { aliases: pack.aliases.clone(), ..Default::default() })
        .map_err(|e| e.to_string())?;
    if !loaded.errors.is_empty() {
        let lines: Vec<String> = loaded.errors.iter().map(|e| e.say(lang)).collect();
        return Err(lines.join("; "));
    }
    let values = match values_by_year.get(&year) {
        Some(v) => v.clone(),
        None => {
            let v = pack.values_for_year(year).map_err(|ds| crate::rules::diagnostic::render_all(&ds, lang))?;
            values_by_year.insert(year, v.clone());
            v
        }
    };
    let outcomes = crate::eval::evaluate(pack, &loaded.register, year, values, &|_| {}).map_err(|e| e.to_string())?;

    // Expectations: (level, row key, name, expected).
    let mut checks: Vec<(Table, String, &String, &toml::Value)> = vec![];
    checks.extend(case.expect.household.iter().map(|(k, v)| (Table::Households, hid.clone(), k, v)));
    for (i, m) in case.expect.members.iter().enumerate() {
        let id = person_ids.get(i).cloned().ok_or_else(|| msgs::member_index(lang, i, person_ids.len()))?;
        checks.extend(m.iter().map(|(k, v)| (Table::Persons, id.clone(), k, v)));
    }
    let vcode = get_str(&village, "village_code").unwrap_or_default();
    let ccode = get_str(&county, "county_code").unwrap_or_default();
    checks.extend(case.expect.village.iter().map(|(k, v)| (Table::Villages, vcode.clone(), k, v)));
    checks.extend(case.expect.county.iter().map(|(k, v)| (Table::Counties, ccode.clone(), k, v)));
    let mut failures = vec![];
    for (level, key, name, want) in checks {
        let rule = pack.rule_index(level, name).ok_or_else(|| msgs::unknown_rule(lang, level.level(), name))?;
        let want = expected(want).ok_or_else(|| msgs::bad_expectation(lang, name, &want.to_string()))?;
        let l = outcomes.level(level).ok_or_else(|| msgs::no_row(lang, level.level(), &key))?;
        let row = (0..l.len()).find(|&i| l.key(i) == key).ok_or_else(|| msgs::no_row(lang, level.level(), &key))?;
        let got = l.values(rule).map(|v| v[row]).unwrap_or_default();
        if !same(want, got) {
            let trail = if level == Table::Households {
                crate::report::explain::explain(pack, &loaded.register, &outcomes, &hid)
                    .and_then(|e| e.rules.into_iter().find(|r| r.rule == pack.rules[rule].id))
                    .map(|t| {
                        let mut lines: Vec<String> =
                            t.reads.iter().map(|r| format!("{} = {}", r.name, r.value)).collect();
                        lines.extend(t.aggregates.iter().map(|a| format!("{} = {}", a.call, a.value)));
                        lines.extend(
                            t.parameters
                                .iter()
                                .map(|p| format!("param(\"{}\") = {}", p.name, serde_json::Value::from(p.value))),
                        );
                        lines
                    })
                    .unwrap_or_default()
            } else {
                vec![]
            };
            failures.push(Failure { rule: pack.rules[rule].id.clone(), expected: want, actual: got, trail });
        }
    }
    Ok(failures)
}
