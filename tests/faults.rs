//! The fault suite: the program used as a hostile user would, through the real binary.
//!
//! Registers in every format are mutated (seeded, so every run mutates the same way):
//! truncated, bytes flipped, re-encoded, odd numbers and dates in cells, broken or sparse
//! XLSX, odd Parquet types (decimals, unsigned 64-bit, extreme dates, padded text), and
//! file-system oddities (a folder, a broken link, a circle of links, a pipe where a table
//! should be). Each goes through `load`, `check` (both engines), `validate` and `explain`.
//! Hostile rule scripts go through `lint`, `check` (both engines) and `explain`. After every
//! run:
//! - the process exited with 0, 1 or 2: no panic, no abort;
//! - an error names a file of the register (or the rule);
//! - every input file is byte for byte as it was;
//! - the output folder holds a complete set of outputs (exactly the files the run's
//!   manifest lists) or none, no staging folder, and the user's own file in it untouched;
//! - where both engines ran a script, they gave the same summary and the same row errors.
//!
//! `TUOPIN_FAULT_SOAK=N` runs N times as many mutations per kind (the CI run uses 1).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn soak() -> usize {
    std::env::var("TUOPIN_FAULT_SOAK").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run the binary in English (the assertions read its messages).
fn tuopin(args: &[&str]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(args)
        .args(["--lang", "en"])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the binary starts");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let Some(code) = out.status.code() else {
        panic!("tuopin {args:?} was killed by a signal (an abort?)\n{stderr}");
    };
    Ran { code, stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr }
}

const USER_FILE: &str = "my-notes.csv";
const USER_BYTES: &[u8] = b"the user's own file\n";

fn fresh_out(root: &Path, name: &str) -> PathBuf {
    let out = root.join(name);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(USER_FILE), USER_BYTES).unwrap();
    out
}

/// The output folder holds exactly what its manifests list (a complete set) or nothing of
/// ours, no staging folder, and the user's file as it was.
fn assert_outputs_whole(out: &Path, what: &str) {
    assert_eq!(std::fs::read(out.join(USER_FILE)).unwrap(), USER_BYTES, "{what}: the user's file");
    let mut listed: Vec<String> = vec![];
    let mut present: Vec<String> = vec![];
    for e in std::fs::read_dir(out).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tuopin-partial-"), "{what}: a staging folder was left: {name}");
        if name.starts_with(".tuopin-") && name.ends_with(".json") {
            let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(&name)).unwrap()).unwrap();
            for f in m["files"].as_array().unwrap() {
                listed.push(f["name"].as_str().unwrap().to_string());
            }
        } else if name != USER_FILE {
            present.push(name);
        }
    }
    listed.sort();
    present.sort();
    assert_eq!(present, listed, "{what}: the files present are exactly the run's listed outputs");
}

fn assert_sane(r: &Ran, what: &str) {
    assert!((0..=2).contains(&r.code), "{what}: exit status {}\n{}", r.code, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{what}: panicked\n{}", r.stderr);
}

/// An error (exit 1) names a file of the register.
fn assert_names_a_file(r: &Ran, reg: &Path, what: &str) {
    if r.code == 1 {
        let reg = reg.display().to_string();
        assert!(
            r.stderr.contains(&reg) || r.stdout.contains(&reg),
            "{what}: the error names no file of {reg}\n{}",
            r.stderr
        );
    }
}

/// Every command over a (possibly broken) register, with all the checks above.
fn run_all_commands(reg: &Path, work: &Path, what: &str) {
    let before = common::snapshot(reg);
    let data = reg.to_str().unwrap();
    let r = tuopin(&["load", "--data", data]);
    assert_sane(&r, &format!("{what}: load"));
    assert_names_a_file(&r, reg, &format!("{what}: load"));
    let loads_clean = r.code == 0;
    for engine in ["auto", "rows"] {
        let out = fresh_out(work, &format!("out-{engine}"));
        let r = tuopin(&["check", "--data", data, "--out", out.to_str().unwrap(), "--engine", engine]);
        let w = format!("{what}: check --engine {engine}");
        assert_sane(&r, &w);
        assert_names_a_file(&r, reg, &w);
        assert_outputs_whole(&out, &w);
    }
    let out = fresh_out(work, "out-validate");
    let r = tuopin(&["validate", "--data", data, "--out", out.to_str().unwrap()]);
    assert_sane(&r, &format!("{what}: validate"));
    assert_outputs_whole(&out, &format!("{what}: validate"));
    let r = tuopin(&["explain", "4331271002010001", "--data", data]);
    assert_sane(&r, &format!("{what}: explain"));
    if loads_clean {
        assert_ne!(r.code, 2, "{what}: explain of a clean register\n{}", r.stderr);
    }
    assert_eq!(common::snapshot(reg), before, "{what}: an input file was changed");
}

/// A small clean register in a format, written by `tuopin gen`.
fn base_register(root: &Path, format: &str, seed: u64) -> PathBuf {
    let dir = root.join(format!("base-{format}-{seed}"));
    let r = tuopin(&[
        "gen",
        "--households",
        "30",
        "--seed",
        &seed.to_string(),
        "--out",
        dir.to_str().unwrap(),
        "--format",
        format,
    ]);
    assert_eq!(r.code, 0, "gen: {}", r.stderr);
    dir
}

fn copy_register(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_file() && !name.starts_with('.') {
            std::fs::copy(&p, to.join(&name)).unwrap();
        }
    }
}

const TABLES: [&str; 4] = ["persons", "households", "villages", "counties"];

/// Cells a person might type, or an export might hold.
const ODD_CELLS: &[&str] = &[
    "",
    " ",
    "  01 ",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-0",
    "9223372036854775808",
    "18446744073709551615",
    "-9223372036854775809",
    "0x10",
    "１２",
    "2020-02-30",
    "99999-01-01",
    "0000-00-00",
    "1.5",
    "4.33127E+17",
    "是否",
    "\u{feff}01",
    "x\ny",
    "\"",
    "7",
    "-3",
];

#[test]
fn mutated_registers_never_panic_never_touch_inputs_and_write_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut rng = ChaCha8Rng::seed_from_u64(2020);
    let n = soak();
    let mut cases = 0;
    for format in ["csv", "parquet", "xlsx", "ndjson"] {
        // `gen` writes no NDJSON: the real-world NDJSON export stands in.
        let base = match format {
            "ndjson" => common::repo().join("fixtures/real-world/ndjson"),
            _ => base_register(root, format, 7),
        };
        let ext = format;
        for k in 0..(2 * n) {
            // Truncated at a random byte, and bytes flipped.
            for kind in ["truncate", "flip"] {
                let reg = root.join(format!("{format}-{kind}-{k}"));
                copy_register(&base, &reg);
                let table = TABLES[rng.random_range(0..TABLES.len())];
                let file = reg.join(format!("{table}.{ext}"));
                let mut bytes = std::fs::read(&file).unwrap();
                if kind == "truncate" {
                    let cut = rng.random_range(0..bytes.len());
                    bytes.truncate(cut);
                } else {
                    for _ in 0..rng.random_range(1..8) {
                        let i = rng.random_range(0..bytes.len());
                        bytes[i] ^= 1 << rng.random_range(0..8);
                    }
                }
                std::fs::write(&file, bytes).unwrap();
                run_all_commands(&reg, root, &format!("{format} {kind} {table} #{k}"));
                cases += 1;
            }
        }
    }
    // Odd cells in CSV, and encodings.
    let base = base_register(root, "csv", 8);
    for k in 0..(6 * n) {
        let reg = root.join(format!("odd-{k}"));
        copy_register(&base, &reg);
        let table = TABLES[rng.random_range(0..2)];
        let file = reg.join(format!("{table}.csv"));
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for _ in 0..3 {
            let row = rng.random_range(1..lines.len());
            let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
            let c = rng.random_range(0..cells.len());
            let v = ODD_CELLS[rng.random_range(0..ODD_CELLS.len())];
            cells[c] = if v.contains(['"', '\n', ',']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.into() };
            lines[row] = cells.join(",");
        }
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        run_all_commands(&reg, root, &format!("odd cells #{k}"));
        cases += 1;
    }
    for (k, encoding) in ["utf16", "latin1-garbage", "bom-twice"].iter().enumerate() {
        let reg = root.join(format!("enc-{k}"));
        copy_register(&base, &reg);
        let file = reg.join("households.csv");
        let text = std::fs::read_to_string(&file).unwrap();
        let bytes: Vec<u8> = match *encoding {
            "utf16" => text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
            "latin1-garbage" => text.bytes().map(|b| if b == b'0' { 0xE9 } else { b }).collect(),
            _ => [b"\xEF\xBB\xBF\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        };
        std::fs::write(&file, bytes).unwrap();
        run_all_commands(&reg, root, &format!("encoding {encoding}"));
        cases += 1;
    }
    // File-system oddities where a table should be.
    #[cfg(unix)]
    for oddity in ["folder", "dangling", "loop", "fifo", "empty"] {
        let reg = root.join(format!("fs-{oddity}"));
        copy_register(&base, &reg);
        let file = reg.join("villages.csv");
        std::fs::remove_file(&file).unwrap();
        match oddity {
            "folder" => std::fs::create_dir(&file).unwrap(),
            "dangling" => std::os::unix::fs::symlink(reg.join("nowhere.csv"), &file).unwrap(),
            "loop" => {
                std::os::unix::fs::symlink(reg.join("b.lnk"), &file).unwrap();
                std::os::unix::fs::symlink(&file, reg.join("b.lnk")).unwrap();
            }
            "fifo" => {
                let ok = Command::new("mkfifo").arg(&file).status().is_ok_and(|s| s.success());
                assert!(ok, "mkfifo");
            }
            _ => std::fs::write(&file, b"").unwrap(),
        }
        run_all_commands(&reg, root, &format!("villages.csv is a {oddity}"));
        let r = tuopin(&["load", "--data", reg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{oddity}: load must fail\n{}", r.stderr);
        let shown = file.display().to_string();
        assert!(r.stderr.contains(&format!("{shown}: cannot read")), "{oddity}: {}", r.stderr);
        cases += 1;
    }
    assert!(cases >= 30 * n, "{cases} cases");
}

/// A copy of the Hunan pack with one more household rule.
fn pack_with(root: &Path, name: &str, kind: &str, body: &str) -> PathBuf {
    let pack = root.join(format!("pack-{name}"));
    let _ = std::fs::remove_dir_all(&pack);
    common::copy_dir(&common::hunan(), &pack);
    let text = format!("// id: household.zz_hostile\n// 标题: 测试\n// 来源: 测试\n// 类型: {kind}\n{body}\n");
    std::fs::write(pack.join("household/zz_hostile.rhai"), text).unwrap();
    pack
}

/// Scripts a careless or hostile author might write: each must be refused at load time with
/// the rule named, or run with its faults reported per row, the same way on both engines.
const HOSTILE: &[(&str, &str)] = &[
    ("数值", "9223372036854775807 + 1"),
    ("数值", "-9223372036854775807 - 2"),
    ("数值", "9223372036854775807 * 2"),
    ("数值", "let m = -9223372036854775807 - 1; -m"),
    ("数值", "let m = -9223372036854775807 - 1; abs(m)"),
    ("数值", "count_members() * 4611686018427387904"),
    ("数值", "if count_members() > 100 { 9223372036854775807 + 1 } else { 1 }"),
    ("数值", "wage_income * 1e308 * 10.0"),
    ("数值", "let x = wage_income * 1e308 * 10.0; x - x"),
    ("判断", "wage_income * 1e308 * 10.0 > 0"),
    ("数值", "wage_income / 0"),
    ("判断", "if () { true } else { false }"),
    ("判断", "if wage_income > 1000 { true }"),
    ("判断", "loop { }"),
    ("判断", "let x = 0; while true { x += 1; } x > 0"),
    ("数值", "let s = \"x\"; for i in 0..100000 { s += s; } 1"),
    ("判断", "let a = []; for i in 0..1000000 { a.push(i); } true"),
    ("判断", "fn f(x) { f(x + 1) } f(1) > 0"),
    ("判断", "((((((((((((((((((((((((((((((((((((((((((true))))))))))))))))))))))))))))))))))))))))))"),
    ("判断", "wage_income && food_secure"),
    ("判断", "eval(\"true\")"),
    ("判断", "import \"x\" as y; true"),
    ("判断", "\"x\" - 1 > 0"),
    ("判断", "house_safety == 1"),
    ("判断", "no_such_field > 0"),
    ("判断", "all_members(\"no_such_rule\")"),
    ("判断", "param(\"no_such_parameter\") > 0"),
    ("数值", "\"text\""),
    ("判断", "42"),
    ("判断", "#{a: 1}"),
    ("判断", "[1, 2, 3]"),
    ("判断", "zz_hostile"),
    ("判断", "let x = "),
    ("判断", "并且"),
    ("数值", "wage_income.to_string().len()"),
    ("判断", "throw \"boom\""),
    ("数值", "9223372036854775808"),
];

#[test]
fn hostile_scripts_are_refused_or_reported_alike_on_both_engines() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let reg = base_register(root, "parquet", 11);
    let before = common::snapshot(&reg);
    for (i, (kind, body)) in HOSTILE.iter().enumerate().cycle().take(HOSTILE.len() * soak()) {
        let what = format!("script #{i} `{body}`");
        let pack = pack_with(root, &i.to_string(), kind, body);
        let rules = pack.to_str().unwrap();
        let lint = tuopin(&["lint", "--rules", rules]);
        assert_sane(&lint, &format!("{what}: lint"));
        let mut summaries = vec![];
        for engine in ["auto", "rows"] {
            let out = fresh_out(root, &format!("hostile-{engine}"));
            let r = tuopin(&[
                "check",
                "--data",
                reg.to_str().unwrap(),
                "--rules",
                rules,
                "--engine",
                engine,
                "--out",
                out.to_str().unwrap(),
            ]);
            let w = format!("{what}: check --engine {engine}");
            assert_sane(&r, &w);
            assert_outputs_whole(&out, &w);
            if lint.code == 1 && format!("{}{}", lint.stdout, lint.stderr).contains("zz_hostile") {
                // Refused at load time: the rule is named, nothing is evaluated.
                assert_eq!(r.code, 1, "{w}\n{}", r.stderr);
                assert!(r.stderr.contains("zz_hostile.rhai"), "{w}: names the rule\n{}", r.stderr);
                continue;
            }
            let Ok(summary) = std::fs::read(out.join("summary.json")) else {
                panic!("{w}: no summary (exit {})\n{}\nlint:\n{}", r.code, r.stderr, lint.stderr);
            };
            let mut summary: serde_json::Value = serde_json::from_slice(&summary).unwrap();
            summary.as_object_mut().unwrap().remove("run");
            let errors = std::fs::read_to_string(out.join("rule_errors.csv")).unwrap_or_default();
            let mut error_lines: Vec<&str> = errors.lines().collect();
            error_lines.sort();
            summaries.push((r.code, summary, error_lines.join("\n")));
        }
        if let [a, b] = summaries.as_slice() {
            assert_eq!(a.0, b.0, "{what}: exit status differs between engines");
            assert_eq!(a.2, b.2, "{what}: row errors differ between engines");
            assert_eq!(a.1, b.1, "{what}: outcomes differ between engines");
        }
        let r = tuopin(&["explain", "4331271002010001", "--data", reg.to_str().unwrap(), "--rules", rules]);
        assert_sane(&r, &format!("{what}: explain"));
    }
    assert_eq!(common::snapshot(&reg), before, "an input file was changed");
}
