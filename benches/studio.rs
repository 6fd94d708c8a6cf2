//! The studio with a large register loaded: `cargo bench --bench studio [households]`
//! (1,000,000 by default, in 10 counties of about 100,000). Starts `tuopin serve` on the
//! register as a user would and asks it over HTTP on loopback, as the page does:
//! - `evaluate` of 200 households spread over the register (each as its fields and members),
//! - `lint` of a rule as typed (20 times),
//! - `explain` of a household (10 times),
//! - the impact of a one-parameter draft (the 2020 poverty line 4,000 → 4,100) over one
//!   county, three times, and over the whole register once.
//!
//! Targets (issue 16): evaluate in milliseconds, lint as one types, the county's impact in
//! about a second. Prints each request's median, 95th percentile and worst, and the machine.

#[path = "common.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use polars::prelude::SerReader;
use serde_json::{Value as Json, json};

fn quantiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95), *v.last().unwrap())
}

fn main() {
    let n = common::size_arg(1_000_000);
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-studio-{}", std::process::id()));
    let data = root.join("register");
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["gen", "--households", &n.to_string(), "--seed", "7", "--counties", "10", "--out"])
        .arg(&data)
        .output()
        .expect("gen");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rules = root.join("hunan");
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin")).arg("init").arg(&rules).output().expect("init");
    assert!(o.status.success());

    let started = Instant::now();
    let mut server = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["serve", "--port", "0", "--rules"])
        .arg(&rules)
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server stopped");
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_string();
        }
    };
    let loaded = started.elapsed().as_secs_f64();
    std::thread::spawn(move || for _ in out.lines() {});
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let session = agent.get(format!("{url}/api/session")).call().unwrap();
    let cookie = session.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let csrf = session.into_body().read_json::<Json>().unwrap()["csrf"].as_str().unwrap().to_string();
    let get = |path: &str| -> (f64, Json) {
        let t = Instant::now();
        let mut r = agent.get(format!("{url}{path}")).header("Cookie", &cookie).call().unwrap();
        let v: Json = r.body_mut().read_json().unwrap_or(Json::Null);
        assert!(r.status().is_success(), "{path}: {v}");
        (t.elapsed().as_secs_f64(), v)
    };
    let post = |path: &str, body: &Json| -> (f64, Json) {
        let t = Instant::now();
        let mut r = agent
            .post(format!("{url}{path}"))
            .header("Cookie", &cookie)
            .header("X-CSRF-Token", &csrf)
            .send_json(body)
            .unwrap();
        let v: Json = r.body_mut().read_json().unwrap_or(Json::Null);
        assert!(r.status().is_success(), "{path}: {v}");
        (t.elapsed().as_secs_f64(), v)
    };

    // Households spread over the register: the k-th of every n/200.
    let (_, pack) = get("/api/pack");
    let counties: Vec<String> =
        pack["counties"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect();
    let ids: Vec<String> = {
        let f = std::fs::File::open(data.join("households.parquet")).unwrap();
        let df = polars::prelude::ParquetReader::new(f).finish().unwrap();
        let ids = df.column("household_id").unwrap().str().unwrap().clone();
        (0..200).map(|k| ids.get(k * ids.len() / 200).unwrap().to_string()).collect()
    };
    let mut evaluate = vec![];
    for id in &ids {
        let (_, h) = get(&format!("/api/household/{id}"));
        let (secs, v) =
            post("/api/evaluate", &json!({"year": 2020, "household": h["household"], "members": h["members"]}));
        assert!(v["household"]["exit_eligible"].is_boolean(), "{v}");
        evaluate.push(secs);
    }
    let rule = std::fs::read_to_string(rules.join("household/income_above_line.rhai")).unwrap();
    let lint: Vec<f64> = (0..20)
        .map(|k| {
            post("/api/lint", &json!({"path": "household/income_above_line.rhai", "source": format!("{rule}\n// {k}")}))
                .0
        })
        .collect();
    let explain: Vec<f64> = ids.iter().take(10).map(|id| get(&format!("/api/explain/{id}")).0).collect();

    // The draft: one parameter changed.
    let (_, f) = get("/api/file?path=parameters.toml");
    let text = f["text"].as_str().unwrap().replace("2020 = 4000 }", "2020 = 4100 }");
    post("/api/draft/file", &json!({"path": "parameters.toml", "text": text, "base": f["hash"]}));
    let county = &counties[0];
    let mut impact = vec![];
    let mut households = 0;
    for _ in 0..3 {
        let (secs, v) = get(&format!("/api/impact?county={county}"));
        households = v["households"].as_u64().unwrap();
        impact.push(secs);
    }
    let (whole, v) = get("/api/impact");
    let changed = v["changed_rows"].as_u64().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&root);

    println!("register: {n} households in {} counties; loaded and listening in {loaded:.1} s", counties.len());
    println!("request (loopback HTTP, wall time)            median     p95   worst   target");
    let row = |what: &str, v: Vec<f64>, target: &str| {
        let (m, p, w) = quantiles(v);
        println!("{what:<45} {:>6.1} ms {:>6.1} {:>6.1}   {target}", m * 1e3, p * 1e3, w * 1e3);
    };
    row("evaluate one household (200)", evaluate, "milliseconds");
    row("lint a rule as typed (20)", lint, "as one types");
    row("explain a household (10)", explain, "");
    row(&format!("impact of one parameter, county {county} ({households} households, 3)"), impact, "about 1 s");
    println!("impact of one parameter, whole register: {:.2} s ({changed} household rows changed)", whole);
}
