//! The studio (`tuopin serve`) as a real server on a loopback port, asked over HTTP: its
//! answers against the commands' (`check`, `lint`, `explain --json`) and who may do what.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use polars::prelude::*;
use serde_json::{Value as Json, json};

/// A `tuopin serve` process on a port the system chose, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
    rules: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo() -> PathBuf {
    common::repo().join("fixtures/demo")
}

/// `tuopin user add NAME --role ROLE --rules DIR`, the password on standard input.
fn add_user(rules: &Path, name: &str, role: &str, password: &str) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["user", "add", name, "--role", role, "--rules"])
        .arg(rules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Start a studio on a copy of the Hunan pack and the demo register, with these accounts
/// (name, role, password) set up first.
fn start(users: &[(&str, &str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("hunan");
    common::copy_dir(&common::hunan(), &rules);
    for (n, r, p) in users {
        add_user(&rules, n, r, p);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["serve", "--port", "0", "--rules"])
        .arg(&rules)
        .arg("--data")
        .arg(demo())
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server stopped before listening");
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_string();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    Server { child, url, _dir: dir, rules }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// A client with its own session cookie and CSRF token.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
    csrf: Option<String>,
}

impl Client {
    fn new(s: &Server) -> Client {
        Client { agent: agent(), base: s.url.clone(), cookie: None, csrf: None }
    }

    fn take_session(&mut self, r: &ureq::http::Response<ureq::Body>) {
        if let Some(c) = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            self.cookie = c.split(';').next().map(str::to_string);
        }
    }

    fn get(&mut self, path: &str) -> (u16, Json) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let mut r = req.call().unwrap();
        self.take_session(&r);
        (r.status().as_u16(), r.body_mut().read_json().unwrap_or(Json::Null))
    }

    fn post(&mut self, path: &str, body: &Json) -> (u16, Json) {
        self.post_raw(path, &body.to_string(), true)
    }

    fn post_raw(&mut self, path: &str, body: &str, with_csrf: bool) -> (u16, Json) {
        let mut req = self.agent.post(format!("{}{path}", self.base)).header("Content-Type", "application/json");
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        if with_csrf && let Some(t) = &self.csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let mut r = req.send(body).unwrap();
        self.take_session(&r);
        (r.status().as_u16(), r.body_mut().read_json().unwrap_or(Json::Null))
    }

    fn login(&mut self, name: &str, password: &str) -> (u16, Json) {
        let (s, j) = self.post_raw("/api/login", &json!({"name": name, "password": password}).to_string(), false);
        if s == 200 {
            self.csrf = j["csrf"].as_str().map(str::to_string);
        }
        (s, j)
    }
}

fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

/// A cell of the register's files as JSON, as a form would send it.
fn cell_json(v: AnyValue) -> Json {
    match v {
        AnyValue::Null => Json::Null,
        AnyValue::Boolean(b) => json!(b),
        AnyValue::String(s) => json!(s),
        AnyValue::StringOwned(s) => json!(s.as_str()),
        AnyValue::Int64(i) => json!(i),
        AnyValue::Int32(i) => json!(i),
        AnyValue::UInt8(i) => json!(i),
        AnyValue::Float64(f) => json!(f),
        AnyValue::Float32(f) => json!(f),
        AnyValue::Date(d) => {
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(d as i64);
            json!(date.format("%Y-%m-%d").to_string())
        }
        other => panic!("a cell of type {other:?} in the demo register"),
    }
}

fn row_json(df: &DataFrame, row: usize) -> serde_json::Map<String, Json> {
    df.columns().iter().map(|c| (c.name().to_string(), cell_json(c.get(row).unwrap()))).collect()
}

/// A result cell of `check` against the studio's answer: same 是/否/unknown, same number.
fn same(cell: AnyValue, v: &Json) -> bool {
    match (cell, v) {
        (AnyValue::Null, Json::Null) => true,
        (AnyValue::Boolean(b), Json::Bool(x)) => b == *x,
        (AnyValue::Int64(i), Json::Number(n)) => n.as_i64() == Some(i),
        (AnyValue::Float64(f), Json::Number(n)) => n.as_f64() == Some(f),
        _ => false,
    }
}

#[test]
fn evaluate_agrees_with_check_for_every_household_of_the_demo() {
    let s = start(&[]);
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "check",
        "--data",
        demo().to_str().unwrap(),
        "--rules",
        s.rules.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (households, persons) =
        (read_parquet(&demo().join("households.parquet")), read_parquet(&demo().join("persons.parquet")));
    let (h_out, p_out) =
        (read_parquet(&out.path().join("households.parquet")), read_parquet(&out.path().join("persons.parquet")));
    let key = |df: &DataFrame, c: &str| -> Vec<String> {
        df.column(c).unwrap().str().unwrap().iter().map(|v| v.unwrap_or("").to_string()).collect()
    };
    let (hids, member_of, pids) =
        (key(&households, "household_id"), key(&persons, "household_id"), key(&persons, "person_id"));
    let (h_out_ids, p_out_ids) = (key(&h_out, "household_id"), key(&p_out, "person_id"));
    let h_rules: Vec<String> = h_out
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| !["household_id", "village_code", "reasons"].contains(&c.as_str()))
        .collect();
    let p_rules: Vec<String> = p_out
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| !["person_id", "household_id"].contains(&c.as_str()))
        .collect();
    assert!(h_rules.len() >= 10 && !p_rules.is_empty(), "{h_rules:?} {p_rules:?}");

    let mut c = Client::new(&s);
    let mut compared = (0, 0);
    for (h, hid) in hids.iter().enumerate() {
        let rows: Vec<usize> = (0..member_of.len()).filter(|&i| member_of[i] == *hid).collect();
        let body = json!({
            "year": 2020,
            "household": row_json(&households, h),
            "members": rows.iter().map(|&i| row_json(&persons, i)).collect::<Vec<_>>(),
        });
        let (status, got) = c.post("/api/evaluate", &body);
        assert_eq!(status, 200, "{hid}: {got}");
        let out_row = h_out_ids.iter().position(|x| x == hid).unwrap();
        for r in &h_rules {
            let cell = h_out.column(r).unwrap().get(out_row).unwrap();
            assert!(
                same(cell.clone(), &got["household"][r]),
                "household {hid} rule {r}: check {cell:?}, studio {}",
                got["household"][r]
            );
        }
        let reasons = h_out.column("reasons").unwrap().get(out_row).unwrap();
        assert_eq!(cell_json(reasons), got["reasons"], "household {hid}");
        for (k, &i) in rows.iter().enumerate() {
            let member = &got["members"][k];
            assert_eq!(member["person_id"], json!(pids[i]));
            let out_row = p_out_ids.iter().position(|x| *x == pids[i]).unwrap();
            for r in &p_rules {
                let cell = p_out.column(r).unwrap().get(out_row).unwrap();
                assert!(
                    same(cell.clone(), &member["rules"][r]),
                    "person {} rule {r}: check {cell:?}, studio {}",
                    pids[i],
                    member["rules"][r]
                );
            }
            compared.1 += 1;
        }
        compared.0 += 1;
    }
    assert_eq!(compared.0, hids.len());
    assert_eq!(compared.1, pids.len());
}
