//! The studio (`tuopin serve`) as a real server on a loopback port, asked over HTTP: its
//! answers against the commands' (`check`, `lint`, `explain --json`) and who may do what.

mod common;

use std::path::{Path, PathBuf};
use std::process::Child;

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

/// Start a studio on a copy of the Hunan pack and the demo register, with these accounts
/// (name, role, password) set up first.
fn start(users: &[(&str, &str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("hunan");
    common::copy_dir(&common::hunan(), &rules);
    for (n, r, p) in users {
        common::add_studio_user(&rules, n, r, p);
    }
    let (child, url) = common::start_studio(&rules, &demo(), dir.path());
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

/// A household, a village and the county of the demo.
const HOUSEHOLD: &str = "4331271002010001";
const VILLAGE: &str = "433127100201";
const COUNTY: &str = "433127";

#[test]
fn lint_and_explain_answer_as_the_commands_do() {
    let s = start(&[]);
    let mut c = Client::new(&s);
    // A typo in a new rule, as an officer would type it.
    let source = "// id: household.typo\n// 标题: 试\n// 来源: 试\n人均纯收人 > 3000\n";
    let (status, got) = c.post("/api/lint", &json!({"path": "household/typo.rhai", "source": source}));
    assert_eq!(status, 200, "{got}");
    let errors = got["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{got}");
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["col"].as_u64()), (Some(4), Some(1)));
    assert!(errors[0]["message"].as_str().unwrap().contains("人均纯收人"), "{got}");
    assert_eq!(errors[0]["hint"], json!("是不是 人均纯收入？"));
    // The command on a copy of the pack with the same file says the same.
    let copy = tempfile::tempdir().unwrap();
    let pack = copy.path().join("p");
    common::copy_dir(&s.rules, &pack);
    std::fs::write(pack.join("household/typo.rhai"), source).unwrap();
    let o = common::tuopin(&["lint", "--rules", pack.to_str().unwrap()]);
    let cli = String::from_utf8_lossy(&o.stdout).replace(&format!("{}/", pack.display()), "");
    for d in errors.iter().chain(got["warnings"].as_array().unwrap()) {
        assert!(cli.contains(d["text"].as_str().unwrap()), "{cli}\n---\n{}", d["text"]);
    }
    assert!(
        cli.contains(&format!("{} 个错误，{} 个警告", errors.len(), got["warnings"].as_array().unwrap().len())),
        "{cli}"
    );
    // Fixed, it is clean.
    let (_, fixed) =
        c.post("/api/lint", &json!({"path": "household/typo.rhai", "source": source.replace("纯收人", "纯收入")}));
    assert_eq!(fixed["errors"], json!([]), "{fixed}");

    for code in [HOUSEHOLD, VILLAGE, COUNTY] {
        let o = common::tuopin(&[
            "explain",
            code,
            "--json",
            "--data",
            demo().to_str().unwrap(),
            "--rules",
            s.rules.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cli: Json = serde_json::from_slice(&o.stdout).unwrap();
        let (status, api) = c.get(&format!("/api/explain/{code}"));
        assert_eq!(status, 200);
        assert_eq!(api, cli, "{code}");
    }
    let (status, e) = c.get("/api/explain/4331279999999999");
    assert_eq!(status, 404);
    assert_eq!(e["error"], json!("登记数据中没有代码为 4331279999999999 的户、村或县"));
}

/// The resident IDs of the demo household's members, as the register has them.
const MEMBER_IDS: [&str; 2] = ["433127199012100017", "433127198910050029"];

/// Whether a document holds a member's whole resident ID.
fn has_resident_id(text: &str) -> bool {
    MEMBER_IDS.iter().any(|id| text.contains(id))
}

#[test]
fn who_may_do_what_with_sessions_csrf_conflicts_and_two_people_to_publish() {
    let s = start(&[
        ("赵强", "viewer", "viewer-pass-1"),
        ("王芳", "editor", "editor-pass-1"),
        ("陈静", "editor", "editor-pass-2"),
        ("李明", "approver", "approver-pass-1"),
    ]);
    // No session: 401, in the request's language.
    let mut anon = Client::new(&s);
    let (status, e) = anon.get("/api/pack");
    assert_eq!((status, e["error"].as_str()), (401, Some("请先登录")));
    assert_eq!(anon.get("/api/pack?lang=en").1["error"], json!("Please log in first"));
    assert_eq!(anon.post("/api/evaluate", &json!({})).0, 401);
    let (status, e) = anon.login("王芳", "wrong");
    assert_eq!((status, e["error"].as_str()), (401, Some("用户名或密码不对")));

    // The viewer reads and explains, with resident IDs masked, and changes nothing.
    let mut viewer = Client::new(&s);
    let (status, who) = viewer.login("赵强", "viewer-pass-1");
    assert_eq!((status, who["role"].as_str()), (200, Some("viewer")));
    assert_eq!(viewer.get("/api/pack").0, 200);
    let (status, doc) = viewer.get(&format!("/api/explain/{HOUSEHOLD}"));
    assert_eq!(status, 200);
    assert!(!has_resident_id(&doc.to_string()) && doc.to_string().contains("433127********"), "{doc}");
    let (_, f) = viewer.get("/api/file?path=parameters.toml");
    let body = json!({"path": "parameters.toml", "text": "x", "base": f["hash"]});
    let (status, e) = viewer.post("/api/draft/file", &body);
    assert_eq!((status, e["error"].as_str()), (403, Some("您的角色（查看）不能做这件事，需要“编辑”角色")));

    // An editor sees IDs whole; a change without the CSRF token is refused.
    let mut editor = Client::new(&s);
    let (status, _) = editor.login("王芳", "editor-pass-1");
    assert_eq!(status, 200);
    assert!(has_resident_id(&editor.get(&format!("/api/explain/{HOUSEHOLD}")).1.to_string()));
    let (_, f) = editor.get("/api/file?path=parameters.toml");
    let text = f["text"].as_str().unwrap().replace("2020 = 4000 }", "2020 = 4100 }");
    assert_ne!(text, f["text"].as_str().unwrap());
    let save = json!({"path": "parameters.toml", "text": text, "base": f["hash"]});
    let (status, e) = editor.post_raw("/api/draft/file", &save.to_string(), false);
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].as_str().unwrap().contains("防伪令牌"), "{e}");
    // File names cannot leave the pack.
    for path in ["../pack.toml", "household/../../../etc/passwd", "/etc/passwd", "pack.toml", "household/x.sh"] {
        let (status, e) = editor.post("/api/draft/file", &json!({"path": path, "text": "1", "base": ""}));
        assert_eq!(status, 400, "{path}: {e}");
        let (status, _) = editor.get(&format!("/api/file?path={}", path.replace('/', "%2F")));
        assert_eq!(status, 400, "{path}");
    }
    // Two editors open the same file; the second to save gets a conflict, not an overwrite.
    let mut other = Client::new(&s);
    other.login("陈静", "editor-pass-2");
    let (_, f2) = other.get("/api/file?path=parameters.toml");
    assert_eq!(f2["hash"], f["hash"]);
    let (status, saved) = editor.post("/api/draft/file", &save);
    assert_eq!(status, 200, "{saved}");
    let theirs = json!({"path": "parameters.toml", "text": f2["text"].as_str().unwrap().replace("2019 = 3400", "2019 = 3500"), "base": f2["hash"]});
    let (status, e) = other.post("/api/draft/file", &theirs);
    assert_eq!(status, 409, "{e}");
    assert!(e["error"].as_str().unwrap().contains("已被 王芳 于"), "{e}");
    let (_, now) = other.get("/api/file?path=parameters.toml");
    assert_eq!(now["text"], json!(text), "the first save stands");

    // The draft's impact, as the page shows it and as the diff workbook.
    let (status, impact) = editor.get(&format!("/api/impact?county={COUNTY}"));
    assert_eq!(status, 200, "{impact}");
    let exit = impact["rules"].as_array().unwrap().iter().find(|r| r["rule"] == "household.exit_eligible").unwrap();
    assert!(
        exit["true_to_false"].as_u64().unwrap() > 0 && exit["after"]["yes"].as_u64() < exit["before"]["yes"].as_u64(),
        "{exit}"
    );
    let mut r = agent()
        .get(format!("{}/api/impact/diff.xlsx?county={COUNTY}", s.url))
        .header("Cookie", editor.cookie.as_deref().unwrap())
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.body_mut().with_config().limit(50 << 20).read_to_vec().unwrap();
    let path = s._dir.path().join("diff.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheets = calamine::Reader::sheet_names(&book);
    let first = calamine::Reader::worksheet_range(&mut book, &sheets[0]).unwrap();
    assert!(first.cells().any(|(_, _, c)| c.to_string().contains("可脱贫退出")), "{sheets:?}");

    // Editors cannot publish; an approver publishes the editor's draft.
    let (status, _) = editor.post("/api/publish", &json!({"note": "扶贫标准提高"}));
    assert_eq!(status, 403);
    let mut approver = Client::new(&s);
    approver.login("李明", "approver-pass-1");
    let (status, e) = approver.post("/api/publish", &json!({"note": " "}));
    assert_eq!(status, 400, "{e}");
    let (status, v) = approver.post("/api/publish", &json!({"note": "扶贫标准 2020 年提高到 4,100 元"}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], json!(2));
    let on_disk = std::fs::read_to_string(s.rules.join("parameters.toml")).unwrap();
    assert!(on_disk.contains("2020 = 4100 }"), "the pack folder holds the published version");
    let (_, versions) = approver.get("/api/versions");
    let latest = &versions["versions"][0];
    assert_eq!((latest["id"].as_i64(), latest["user"].as_str()), (Some(2), Some("李明")));
    assert_eq!(latest["authors"], json!(["王芳"]));
    assert!(latest["impact"]["changed_rows"].as_u64().unwrap() > 0, "{latest}");
    assert_eq!(approver.get("/api/draft").1["files"], json!([]), "the draft is cleared");

    // An approver cannot publish a draft of their own alone.
    let (_, f) = approver.get("/api/file?path=parameters.toml");
    let own = json!({"path": "parameters.toml", "text": f["text"].as_str().unwrap().replace("2020 = 4100 }", "2020 = 4200 }"), "base": f["hash"]});
    assert_eq!(approver.post("/api/draft/file", &own).0, 200);
    let (status, e) = approver.post("/api/publish", &json!({"note": "自己改自己发"}));
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].as_str().unwrap().contains("两个人"), "{e}");

    // Versions compare and restore (as a new version).
    let (_, cmp) = approver.get("/api/versions/1/compare/2");
    assert_eq!(cmp["changed"].as_array().unwrap().len(), 1, "{cmp}");
    assert_eq!(cmp["changed"][0]["path"], json!("parameters.toml"));
    assert_eq!(editor.post("/api/versions/1/restore", &json!({"note": "退回"})).0, 403);
    let (status, v) = approver.post("/api/versions/1/restore", &json!({"note": "退回原标准"}));
    assert_eq!((status, v["version"].as_i64()), (200, Some(3)), "{v}");
    let restored = std::fs::read_to_string(s.rules.join("parameters.toml")).unwrap();
    assert_eq!(restored, std::fs::read_to_string(common::hunan().join("parameters.toml")).unwrap());

    // The audit log has it all, in order, for every role to see.
    let (_, log) = viewer.get("/api/audit");
    let actions: Vec<(&str, &str)> = log["lines"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|l| (l["user"].as_str().unwrap(), l["action"].as_str().unwrap()))
        .filter(|(_, a)| !a.starts_with("login") && *a != "user_saved" && *a != "version_recorded")
        .collect();
    assert_eq!(
        actions,
        [
            ("王芳", "draft_saved"),
            ("李明", "published"),
            ("李明", "draft_saved"),
            ("李明", "publish_refused"),
            ("李明", "restored"),
        ]
    );

    // Too large a request; then logging out ends the session (with the CSRF token only).
    let big = format!("{{\"household\": {{\"name\": \"{}\"}}}}", "x".repeat(300 * 1024));
    assert_eq!(editor.post_raw("/api/evaluate", &big, true).0, 413);
    assert_eq!(editor.post_raw("/api/logout", "{}", false).0, 403);
    assert_eq!(editor.post("/api/logout", &json!({})).0, 200);
    assert_eq!(editor.get("/api/pack").0, 401);
}

#[test]
fn the_session_cookie_is_httponly_and_samesite_and_logins_are_rate_limited() {
    let s = start(&[("王芳", "editor", "editor-pass-1")]);
    let r = agent()
        .post(format!("{}/api/login", s.url))
        .header("Content-Type", "application/json")
        .send(json!({"name": "王芳", "password": "editor-pass-1"}).to_string())
        .unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let mut c = Client::new(&s);
    for _ in 0..5 {
        assert_eq!(c.login("王芳", "guess").0, 401);
    }
    let (status, e) = c.login("王芳", "editor-pass-1");
    assert_eq!(status, 429, "{e}");
    assert!(e["error"].as_str().unwrap().starts_with("登录失败次数过多，请 15 分钟后再试"), "{e}");
}

#[test]
fn an_open_address_needs_accounts() {
    let (_t, pack) = common::hunan_copy();
    let o = common::tuopin(&["serve", "--bind", "0.0.0.0", "--port", "0", "--rules", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("不在本机地址（0.0.0.0）上启动") && e.contains("tuopin user add"), "{e}");
}
