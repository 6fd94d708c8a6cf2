//! The studio's page driven in headless Chromium (through ChromeDriver's WebDriver
//! protocol) as an editor and an approver would use it: open a rule, type a typo and see
//! the diagnostic at its line, fix it, run the cases, change the poverty line and see the
//! impact totals and chart, publish as the editor (refused), publish as the approver, and
//! find the version in the history and the audit log.
//!
//! Needs Chromium and ChromeDriver from the distribution's packages (`apt-get install -y
//! chromium chromium-driver`; `.ci/run` installs them). `TUOPIN_CHROMEDRIVER` names another
//! driver. Without one the test fails, saying so.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value as Json, json};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> PathBuf {
    if let Ok(p) = std::env::var("TUOPIN_CHROMEDRIVER") {
        return PathBuf::from(p);
    }
    for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "no ChromeDriver: install it (apt-get install -y chromium chromium-driver; .ci/run does) or set TUOPIN_CHROMEDRIVER"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A WebDriver session of headless Chromium.
struct Browser {
    agent: ureq::Agent,
    base: String,
    _driver: Killed,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ChromeDriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let root = format!("http://127.0.0.1:{port}");
        // The driver answers once it listens (a few tries).
        let mut tries = 0;
        while agent.get(format!("{root}/status")).call().is_err() {
            tries += 1;
            assert!(tries < 300, "ChromeDriver does not answer on {root}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": std::env::var("TUOPIN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1400,1000", format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let mut r = agent.post(format!("{root}/session")).send_json(&caps).unwrap();
        let v: Json = r.body_mut().read_json().unwrap();
        let id = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        let b = Browser { agent, base: format!("{root}/session/{id}"), _driver: Killed(driver), _profile: profile };
        // The browser waits for elements and for the page's text itself (WebDriver timeouts),
        // so that a slow machine is only slower, never a failure.
        b.call("POST", "/timeouts", json!({ "implicit": 60_000, "script": 120_000 }));
        b
    }

    fn call(&self, method: &str, path: &str, body: Json) -> Json {
        let url = format!("{}{path}", self.base);
        let mut r = match method {
            "GET" => self.agent.get(&url).call().unwrap(),
            _ => self.agent.post(&url).send_json(&body).unwrap(),
        };
        let v: Json = r.body_mut().read_json().unwrap();
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    fn js(&self, script: &str) -> Json {
        self.call("POST", "/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// An element (the driver waits for it to appear).
    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", json!({ "using": "css selector", "value": css }));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/value"), json!({ "text": text }));
    }

    fn clear(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), json!({}));
    }

    fn text(&self, css: &str) -> String {
        let q = serde_json::to_string(css).unwrap();
        self.js(&format!("const e = document.querySelector({q}); return e ? e.innerText : '';"))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The element's text once it contains `want` (the page is asked to tell when it does).
    fn wait_text(&self, css: &str, want: &str) -> String {
        let script = "const [css, want, done] = arguments;\
            const tick = () => { const e = document.querySelector(css); const t = e ? e.innerText : '';\
                                 if (t.includes(want)) done(t); else setTimeout(tick, 100); };\
            tick();";
        let v = self.call("POST", "/execute/async", json!({ "script": script, "args": [css, want] }));
        match v.as_str() {
            Some(t) => t.to_string(),
            None => panic!("{css} never showed {want:?} ({v}); it shows: {}", self.text(css)),
        }
    }

    fn login(&self, url: &str, name: &str, password: &str) {
        self.go(url);
        self.wait_text("#login h2", "登录");
        self.type_into("#username", name);
        self.type_into("#password", password);
        self.click("#loginbtn");
        self.wait_text("#who", name);
    }

    fn tab(&self, name: &str) {
        self.click(&format!("nav button[data-tab={name}]"));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
    }
}

/// `exit_eligible` households that are 是 in `check`'s results with a pack.
fn exit_eligible_yes(rules: &Path) -> usize {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "check",
        "--rules",
        rules.to_str().unwrap(),
        "--data",
        common::repo().join("fixtures/demo").to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    common::read_csv(&out.path().join("households.csv")).iter().filter(|r| r["exit_eligible"] == "true").count()
}

#[test]
fn an_editor_and_an_approver_change_the_poverty_line_in_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("hunan");
    common::copy_dir(&common::hunan(), &rules);
    common::add_studio_user(&rules, "王芳", "editor", "editor-pass-1");
    common::add_studio_user(&rules, "李明", "approver", "approver-pass-1");
    // What the change does, from `check` run with each pack (not from the studio).
    let before = exit_eligible_yes(&rules);
    let edited = dir.path().join("edited");
    common::copy_dir(&rules, &edited);
    common::edit(&edited, "parameters.toml", "2020 = 4000 }", "2020 = 4100 }");
    let after = exit_eligible_yes(&edited);
    assert!(after < before, "raising the line leaves fewer households eligible to exit");

    let (server, url) = common::start_studio(&rules, &common::repo().join("fixtures/demo"), dir.path());
    let _server = Killed(server);

    let b = Browser::start();
    b.login(&url, "王芳", "editor-pass-1");
    // Open a rule and type a typo on a new last line: the diagnostic shows at its line.
    b.tab("edit");
    b.click("div[data-path='household/income_above_line.rhai']");
    assert_eq!(b.wait_text("#editing", "household/income_above_line.rhai"), "household/income_above_line.rhai");
    b.wait_text(".cm-content", "人均纯收入");
    // At the end of the rule's expression: " 且 人均纯收人 > 1" (a typo of 人均纯收入).
    b.click(".cm-content");
    b.type_into(".cm-content", "\u{E009}\u{E010}\u{E009}"); // Ctrl+End
    b.type_into(".cm-content", "\u{E003}"); // Backspace: onto the expression's line
    let typed = " 且 人均纯收人 > 1";
    b.type_into(".cm-content", typed);
    // Where the typo stands, read from the page's lines (1-based line and column).
    let at = b.js("const ls = [...document.querySelectorAll('.cm-line')].map(l => l.textContent);\
         const i = ls.findIndex(l => l.includes('人均纯收人'));\
         return [i + 1, [...ls[i].slice(0, ls[i].indexOf('人均纯收人'))].length + 1];");
    let (line, col) = (at[0].as_u64().unwrap(), at[1].as_u64().unwrap());
    let d = b.wait_text("#diagnostics", "人均纯收人");
    assert!(
        d.contains(&format!("household/income_above_line.rhai:{line}:{col}: 未知的名称 `人均纯收人`")),
        "{line}:{col}\n{d}"
    );
    assert!(d.contains("是不是 人均纯收入"), "{d}");
    // The editor marks the name itself.
    b.wait_text(".cm-lintRange-error", "人均纯收人");
    // Fix it: the diagnostic goes.
    for _ in 0..typed.chars().count() {
        b.type_into(".cm-content", "\u{E003}"); // Backspace
    }
    b.wait_text("#diagnostics", "没有错误或警告");

    // The cases pass.
    b.tab("cases");
    b.click("#runcases");
    let sum = b.wait_text("#casesum", "未通过");
    assert!(sum.contains("未通过 0"), "{sum}");

    // Change the poverty line for 2020 in the parameter table.
    b.tab("pack");
    let cell = "input.cell[data-param='poverty_line'][data-year='2020']";
    b.clear(cell);
    b.type_into(cell, "4100\u{E004}"); // Tab: the change is saved
    b.wait_text("#parammsg", "已保存到草稿");

    // Its impact: totals as `check` counts them, and the chart by county.
    b.tab("impact");
    b.click("#impactbtn");
    let totals = b.wait_text("#totals", "可脱贫退出");
    let row = totals.lines().find(|l| l.starts_with("可脱贫退出")).unwrap().to_string();
    assert!(
        row.contains(&format!("{} / ", before)) && row.contains(&format!("\t{} / ", after)),
        "{row}: {before} → {after}"
    );
    b.wait_text("#impactparams", "4,000 → 4,100");
    let canvas = b.js("const c = document.querySelector('#chart canvas'); return c ? [c.width, c.height] : null;");
    assert!(canvas[0].as_u64().unwrap() > 300 && canvas[1].as_u64().unwrap() > 200, "{canvas}");
    let names = b.js("return window.impactChart.getOption().xAxis[0].data;");
    assert!(names.as_array().unwrap().iter().any(|n| n == "永顺县（433127）"), "{names}");
    let lost: u64 = b
        .js("return window.impactChart.getOption().series[0].data;")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(lost as usize, before - after, "the chart's households that stop being eligible");

    // The editor cannot publish.
    b.tab("publish");
    b.wait_text("#draft", "parameters.toml");
    b.type_into("#pubnote", "扶贫标准 2020 年提高到 4,100 元");
    b.click("#publishbtn");
    b.wait_text("#pubmsg", "不能做这件事");

    // The approver publishes; the version is in the history and in the audit log.
    b.click("#logout");
    b.login(&url, "李明", "approver-pass-1");
    b.tab("publish");
    b.wait_text("#draft", "王芳");
    b.type_into("#pubnote", "扶贫标准 2020 年提高到 4,100 元");
    b.click("#publishbtn");
    b.wait_text("#pubmsg", "已发布为第 2 版");
    let history = b.wait_text("#versions", "v2（当前）");
    assert!(
        history.contains("扶贫标准 2020 年提高到 4,100 元") && history.contains("李明") && history.contains("王芳"),
        "{history}"
    );
    let audit = b.wait_text("#audit", "发布");
    assert!(audit.lines().any(|l| l.contains("李明") && l.contains("发布") && l.contains("v2")), "{audit}");
    assert!(
        audit.lines().any(|l| l.contains("王芳") && l.contains("保存草稿") && l.contains("parameters.toml")),
        "{audit}"
    );
    assert!(std::fs::read_to_string(rules.join("parameters.toml")).unwrap().contains("2020 = 4100 }"));
}
