//! Helpers for the integration tests: small registers written as CSV from defaults plus
//! overrides, run through the real loader and evaluator.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tuopin::eval::{Outcomes, Value};
use tuopin::register::{self, Aliases, LoadOptions, Table};
use tuopin::rules::Pack;

pub const VILLAGE: &str = "433127100201";
pub const COUNTY: &str = "433127";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn hunan() -> PathBuf {
    repo().join("rules/hunan")
}

/// A valid resident ID for a birth date (YYYY-MM-DD) and sequence.
pub fn resident_id(birth: &str, seq: u32) -> String {
    let y: i32 = birth[0..4].parse().unwrap();
    let m: u32 = birth[5..7].parse().unwrap();
    let d: u32 = birth[8..10].parse().unwrap();
    register::resident_id::make(COUNTY, y, m, d, seq)
}

type Row = BTreeMap<String, String>;

fn row(defaults: &[(&str, &str)], overrides: &[(&str, &str)]) -> Row {
    let mut r: Row = defaults.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (k, v) in overrides {
        r.insert(k.to_string(), v.to_string());
    }
    r
}

const HOUSEHOLD: &[(&str, &str)] = &[
    ("village_code", VILLAGE),
    ("registered", "true"),
    ("attribute", "01"),
    ("status", "04"),
    ("main_cause", "09"),
    ("wage_income", "20000"),
    ("operating_income", "0"),
    ("property_income", "0"),
    ("transfer_income", "0"),
    ("operating_cost", "0"),
    ("food_secure", "true"),
    ("clothing_secure", "true"),
    ("house_safety", "01"),
    ("house_renovated", "false"),
    ("relocated", "false"),
    ("relocation_keys", "false"),
    ("water_safe", "true"),
];

const PERSON: &[(&str, &str)] = &[
    ("relation", "01"),
    ("sex", "1"),
    ("birth_date", "1980-01-01"),
    ("school_status", "01"),
    ("health", "01"),
    ("labour", "01"),
    ("medical_insurance", "01"),
    ("dibao", "false"),
];

const VILLAGE_ROW: &[(&str, &str)] = &[
    ("village_code", VILLAGE),
    ("poor_village", "true"),
    ("registered_population", "1000"),
    ("collective_income", "50000"),
    ("road_access", "true"),
    ("safe_water", "true"),
    ("electricity", "true"),
    ("school_access", "true"),
    ("clinic", "true"),
    ("social_insurance", "true"),
];

const COUNTY_ROW: &[(&str, &str)] = &[
    ("county_code", COUNTY),
    ("poor_county", "national"),
    ("rural_population", "10000"),
    ("rural_disposable_income", "12000"),
    ("wrong_exit_rate", "0.01"),
    ("missed_rate", "0.01"),
    ("recognition_rate", "0.95"),
];

/// A small register: one county and one village by default, households and persons added.
#[derive(Default, Clone)]
pub struct Case {
    households: Vec<Row>,
    persons: Vec<Row>,
    villages: Vec<Row>,
    counties: Vec<Row>,
    seq: u32,
}

impl Case {
    pub fn new() -> Case {
        Case { villages: vec![row(VILLAGE_ROW, &[])], counties: vec![row(COUNTY_ROW, &[])], ..Default::default() }
    }

    /// A household `H<n>` with the given fields.
    pub fn household(mut self, id: &str, fields: &[(&str, &str)]) -> Case {
        let mut r = row(HOUSEHOLD, fields);
        r.insert("household_id".into(), id.into());
        self.households.push(r);
        self
    }

    /// A member of household `id` (a valid ID is made unless given).
    pub fn person(mut self, household: &str, fields: &[(&str, &str)]) -> Case {
        self.seq += 2;
        let mut r = row(PERSON, fields);
        r.insert("household_id".into(), household.into());
        if !r.contains_key("person_id") {
            let birth = r.get("birth_date").filter(|b| !b.is_empty()).cloned().unwrap_or("1980-01-01".into());
            r.insert("person_id".into(), resident_id(&birth, self.seq + 1));
        }
        self.persons.push(r);
        self
    }

    /// A household with `n` ordinary living members.
    pub fn household_of(self, id: &str, n: usize, fields: &[(&str, &str)]) -> Case {
        let mut c = self.household(id, fields);
        for i in 0..n {
            c = c.person(id, &[("relation", if i == 0 { "01" } else { "03" })]);
        }
        c
    }

    pub fn village(mut self, fields: &[(&str, &str)]) -> Case {
        let code = fields.iter().find(|(k, _)| *k == "village_code").map(|(_, v)| *v).unwrap_or(VILLAGE);
        self.villages.retain(|v| v["village_code"] != code);
        self.villages.push(row(VILLAGE_ROW, fields));
        self
    }

    pub fn county(mut self, fields: &[(&str, &str)]) -> Case {
        self.counties = vec![row(COUNTY_ROW, fields)];
        self
    }

    /// Write the register as CSV files in `dir`.
    pub fn write(&self, dir: &Path) {
        for (name, rows) in [
            ("households", &self.households),
            ("persons", &self.persons),
            ("villages", &self.villages),
            ("counties", &self.counties),
        ] {
            let mut cols: Vec<String> = vec![];
            for r in rows.iter() {
                for k in r.keys() {
                    if !cols.contains(k) {
                        cols.push(k.clone());
                    }
                }
            }
            let mut w = csv::Writer::from_path(dir.join(format!("{name}.csv"))).unwrap();
            w.write_record(&cols).unwrap();
            for r in rows.iter() {
                w.write_record(cols.iter().map(|c| r.get(c).map(String::as_str).unwrap_or(""))).unwrap();
            }
            w.flush().unwrap();
        }
    }

    /// Load and evaluate with the Hunan pack.
    pub fn run(&self, year: i32) -> Run {
        run_pack(self, &hunan(), year)
    }
}

pub fn run_pack(case: &Case, pack_dir: &Path, year: i32) -> Run {
    let dir = tempfile::tempdir().unwrap();
    case.write(dir.path());
    let aliases = Aliases::builtin();
    let (pack, values) = tuopin::jobs::load_pack(pack_dir, year, &aliases).unwrap();
    let loaded =
        register::load(dir.path(), &[], &LoadOptions { aliases: aliases.clone(), ..Default::default() }).unwrap();
    assert_eq!(loaded.errors, vec![], "the test register must load cleanly");
    let outcomes = tuopin::eval::evaluate(&pack, &loaded.register, year, values, &|_| {}).unwrap();
    Run { pack, outcomes }
}

pub struct Run {
    pub pack: Pack,
    pub outcomes: Outcomes,
}

impl Run {
    /// A rule's value on the row with key `key` of `level`.
    pub fn value(&self, level: Table, key: &str, rule: &str) -> Value {
        let idx = self.pack.rule_index(level, rule).unwrap_or_else(|| panic!("no rule {rule}"));
        let l = self.outcomes.level(level).unwrap();
        let row = (0..l.len()).find(|&i| l.key(i) == key).unwrap_or_else(|| panic!("no row {key}"));
        l.values(idx).unwrap()[row]
    }

    pub fn household(&self, key: &str, rule: &str) -> Value {
        self.value(Table::Households, key, rule)
    }

    pub fn tri(&self, level: Table, key: &str, rule: &str) -> Option<bool> {
        match self.value(level, key, rule) {
            Value::Bool(b) => Some(b),
            Value::Unknown => None,
            other => panic!("{rule} is not a predicate: {other:?}"),
        }
    }
}

/// A CSV file as rows of header → cell.
/// Read a CSV file (a UTF-8 byte-order mark, which tuopin writes for Excel, is skipped).
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(text);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_dir(&p, &target) } else { std::fs::copy(&p, &target).map(|_| ()).unwrap() }
    }
}

/// A copy of the Hunan pack in a temporary folder (keep the TempDir alive).
pub fn hunan_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("hunan");
    copy_dir(&hunan(), &dst);
    (tmp, dst)
}

/// Run the `tuopin` binary from the repository root.
pub fn tuopin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tuopin")).args(args).current_dir(repo()).output().unwrap()
}

/// A CSV cell against an explanation value: `true`/`false`/empty, or a number.
fn same_as_json(cell: &str, v: &serde_json::Value) -> bool {
    use serde_json::Value as Json;
    match v {
        Json::Null => cell.is_empty(),
        Json::Bool(b) => cell == b.to_string(),
        Json::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
        _ => false,
    }
}

/// `explain` of every household of a register against `check`'s tables: each household
/// rule, each member's person rules and the village's verdicts. `explain` evaluates only
/// the household's county, so this does the same, county by county. Returns the number of
/// households compared.
pub fn explain_agrees_with_check(data: &Path, rules: &Path) -> usize {
    let out = tempfile::tempdir().unwrap();
    let o = tuopin(&[
        "check",
        "--data",
        data.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let households = read_csv(&out.path().join("households.csv"));
    let persons = read_csv(&out.path().join("persons.csv"));
    let villages = read_csv(&out.path().join("villages.csv"));
    let aliases = Aliases::builtin();
    let (pack, values) = tuopin::jobs::load_pack(rules, 2020, &aliases).unwrap();
    let loaded = register::load(data, &[], &Default::default()).unwrap();
    let mut by_county = BTreeMap::new();
    for c in loaded.register.county_codes() {
        let register = loaded.register.county(&c);
        let outcomes = tuopin::eval::evaluate(&pack, &register, 2020, values.clone(), &|_| {}).unwrap();
        by_county.insert(c.to_string(), (register, outcomes));
    }
    for h in &households {
        let id = &h["household_id"];
        let (register, outcomes) = &by_county[&h["village_code"][..6]];
        let e = tuopin::report::explain::explain(&pack, register, outcomes, id).unwrap();
        assert_eq!(&e.village_code, &h["village_code"]);
        for r in &e.rules {
            let column = r.rule.strip_prefix("household.").unwrap();
            assert!(same_as_json(&h[column], &r.value), "{id} {column}: check {:?}, explain {}", h[column], r.value);
        }
        assert_eq!(e.rules.len(), h.len() - 3, "every household rule is explained");
        // The members are exactly the persons check wrote for this household, with the same outcomes.
        let members: Vec<&std::collections::HashMap<String, String>> =
            persons.iter().filter(|p| &p["household_id"] == id).collect();
        assert_eq!(e.members.len(), members.len(), "{id}");
        for (m, p) in e.members.iter().zip(&members) {
            assert_eq!(&m.person_id, &p["person_id"]);
            for o in &m.outcomes {
                let column = o.rule.strip_prefix("person.").unwrap();
                assert!(same_as_json(&p[column], &o.value), "{id} {} {column}", m.person_id);
            }
        }
        let v = villages.iter().find(|v| v["village_code"] == h["village_code"]).unwrap();
        for o in &e.village.as_ref().unwrap().outcomes {
            assert!(same_as_json(&v[o.rule.strip_prefix("village.").unwrap()], &o.value));
        }
    }
    households.len()
}

/// A new cell from (data row from 0, old cell).
pub type CellEdit<'a> = &'a dyn Fn(usize, &str) -> String;

/// Rewrite one column of a CSV file cell by cell. `None` as the edit drops the column.
pub fn edit_csv_column(file: &Path, column: &str, f: Option<CellEdit>) {
    let bytes = std::fs::read(file).unwrap();
    let mut r = csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes));
    let headers = r.headers().unwrap().clone();
    let c = headers.iter().position(|h| h == column).unwrap_or_else(|| panic!("{} has no {column}", file.display()));
    let keep = |j: usize| f.is_some() || j != c;
    let rows: Vec<Vec<String>> = r
        .records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap();
            let cells = rec.iter().enumerate().filter(|(j, _)| keep(*j));
            cells.map(|(j, v)| if j == c { f.map_or(String::new(), |f| f(i, v)) } else { v.to_string() }).collect()
        })
        .collect();
    let mut w = csv::Writer::from_path(file).unwrap();
    w.write_record(headers.iter().enumerate().filter(|(j, _)| keep(*j)).map(|(_, h)| h)).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// Replace the first `from` in the file `rel` of a folder (a pack or a register), as staff
/// edit one; the text must be there.
pub fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// Every file under a folder with its bytes (links and special files by what they are), to
/// show that a command changed nothing in it.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let v = if m.file_type().is_symlink() {
                format!("link to {}", std::fs::read_link(&p).unwrap().display()).into_bytes()
            } else if m.is_dir() {
                stack.push(p.clone());
                b"folder".to_vec()
            } else if m.is_file() {
                std::fs::read(&p).unwrap()
            } else {
                b"special".to_vec()
            };
            out.insert(p, v);
        }
    }
    out
}

/// A register assessed as `validate` and `sample` see it: the Hunan and quality packs, 2020.
pub fn assess(dir: &Path) -> tuopin::jobs::Assessment {
    tuopin::jobs::assess_register(dir, &repo().join("rules/quality"), &hunan(), 2020, &Aliases::builtin()).unwrap()
}

/// `tuopin user add NAME --role ROLE --rules DIR`, the password on standard input.
pub fn add_studio_user(rules: &Path, name: &str, role: &str, password: &str) {
    use std::io::Write;
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["user", "add", name, "--role", role, "--rules"])
        .arg(rules)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `tuopin serve` on a port the system chose, run from `cwd`: the process and its address
/// (what it prints after the address is read and dropped, so that it never blocks).
pub fn start_studio(rules: &Path, data: &Path, cwd: &Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["serve", "--port", "0", "--rules"])
        .arg(rules)
        .arg("--data")
        .arg(data)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server stopped before listening");
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in out.lines() {});
    (child, url)
}
