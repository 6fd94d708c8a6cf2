//! The inspection sample and the error-rate estimates: reproducible, honouring strata and
//! sizes, and (by simulation over many seeds) unbiased for a planted wrong-exit rate, with
//! confidence intervals that cover it.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

use tuopin::inspect::estimate::{self, FieldResult, Thresholds};
use tuopin::inspect::sample::{self, SampleOptions, Sampled};
use tuopin::register::Aliases;

fn assessment(households: &str, counties: &str, seed: &str) -> (tempfile::TempDir, tuopin::jobs::Assessment) {
    let reg = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args([
            "gen",
            "--households",
            households,
            "--counties",
            counties,
            "--seed",
            seed,
            "--out",
            reg.path().to_str().unwrap(),
        ])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(o.status.success());
    let a = common::assess(reg.path());
    (reg, a)
}

const T: Thresholds = Thresholds { wrong_exit_rate_max: 0.02, missed_rate_max: 0.02, recognition_min: 0.9 };

#[test]
fn the_sample_is_reproducible_and_honours_strata_and_sizes() {
    let (_reg, a) = assessment("12000", "2", "21");
    let (units, villages) = tuopin::jobs::sampling_frame(&a);
    let o = SampleOptions { seed: 7, villages_per_county: 29, households_per_village: 10, risk_weight: 2.0 };
    let s1 = sample::draw(&units, &villages, &o);
    let s2 = sample::draw(&units, &villages, &o);
    assert_eq!(s1, s2, "same seed, same sample");
    assert_ne!(s1, sample::draw(&units, &villages, &SampleOptions { seed: 8, ..o.clone() }));

    let poor: HashMap<&str, bool> = villages.iter().map(|v| (v.village_code.as_str(), v.poor)).collect();
    let mut per_county: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut per_village: BTreeMap<&str, Vec<&Sampled>> = BTreeMap::new();
    for s in &s1 {
        per_village.entry(&s.village_code).or_default().push(s);
    }
    for (v, hs) in &per_village {
        let e = per_county.entry(&v[..6]).or_default();
        if poor[v] {
            e.0 += 1
        } else {
            e.1 += 1
        }
        // 10 households, 5 registered and 5 unregistered when the village has them.
        let available_reg = units.iter().filter(|u| u.village_code == *v && u.registered).count();
        let available_unreg = units.iter().filter(|u| u.village_code == *v && !u.registered).count();
        let reg = hs.iter().filter(|s| s.household_stratum == "registered").count();
        assert_eq!(hs.len(), 10.min(available_reg + available_unreg), "{v}");
        let expected_reg =
            if available_unreg >= 5 { 5.min(available_reg) } else { (10 - available_unreg).min(available_reg) };
        assert_eq!(reg, expected_reg, "{v}");
        // Weights are the inverse of the inclusion probabilities, and sum, within a village
        // stratum, to the stratum's size.
        for s in hs.iter() {
            assert!((s.weight * s.village_probability * s.household_probability - 1.0).abs() < 1e-9);
        }
    }
    for (county, (p, np)) in &per_county {
        assert_eq!(p + np, 29, "{county}: 29 villages");
        assert_eq!((*p, *np), (19, 10), "{county}: poor and non-poor about 2:1");
    }
}

/// A fixed pseudo-random number in 0..1000 for a household and a purpose.
fn hashed(u: &sample::Unit, salt: u8) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in u.household_id.bytes().chain([salt]) {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    h % 1000
}

/// A planted truth: each exited registered household is a wrong exit with a chance that is
/// much higher for households the rules flag (so over-sampling them would bias an
/// unweighted estimate), decided by a hash of its number so the population is fixed.
fn planted_wrong(u: &sample::Unit) -> bool {
    hashed(u, 0) < if u.wrong_exit_risk == Some(true) { 300 } else { 15 }
}

/// Missed persons in an unregistered household: more often where the rules flag a missed risk.
fn planted_missed(u: &sample::Unit) -> f64 {
    let p = if u.missed_risk == Some(true) { 300 } else { 20 };
    if hashed(u, 1) < p { (1 + hashed(u, 2) % 2).min(u.size.max(1) as u64) as f64 } else { 0.0 }
}

/// Disapproval: more common among risk households.
fn planted_approves(u: &sample::Unit) -> bool {
    hashed(u, 3) >= if u.risky { 250 } else { 60 }
}

/// Over many samples: the mean of the estimates, their spread, the mean estimated standard
/// error, and how often the 95 % interval covered the truth.
struct Sim {
    estimates: Vec<f64>,
    ses: Vec<f64>,
    covered: usize,
}

impl Sim {
    fn add(&mut self, r: &estimate::RateEstimate, truth: f64) {
        self.estimates.push(r.estimate.unwrap());
        self.ses.push(r.standard_error.unwrap());
        self.covered += usize::from(r.ci_low.unwrap() <= truth && truth <= r.ci_high.unwrap());
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    /// Unbiased within three Monte Carlo errors; the estimated standard error within 25 % of
    /// the spread actually seen (intervals neither too narrow nor too wide); coverage near 95 %.
    fn check(&self, name: &str, truth: f64) {
        let n = self.estimates.len() as f64;
        let m = Sim::mean(&self.estimates);
        let sd = (self.estimates.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se = Sim::mean(&self.ses);
        let coverage = self.covered as f64 / n;
        println!("{name}: truth {truth:.4}; mean {m:.4} (sd {sd:.4}); mean SE {se:.4}; coverage {coverage:.3}");
        assert!((m - truth).abs() < 3.0 * sd / n.sqrt(), "{name}: mean {m} vs truth {truth}");
        assert!(se > 0.75 * sd && se < 1.25 * sd, "{name}: mean standard error {se} against spread {sd}");
        assert!((0.85..=0.99).contains(&coverage), "{name}: 95 % intervals covered the truth in {coverage}");
    }
}

#[test]
fn the_weighted_estimates_of_planted_rates_are_unbiased_across_seeds() {
    let (_reg, a) = assessment("30000", "1", "33");
    let (units, villages) = tuopin::jobs::sampling_frame(&a);
    let ratio =
        |domain: &dyn Fn(&sample::Unit) -> bool, y: &dyn Fn(&sample::Unit) -> f64, x: &dyn Fn(&sample::Unit) -> f64| {
            let (n, d) = units.iter().filter(|u| domain(u)).fold((0.0, 0.0), |(n, d), u| (n + y(u), d + x(u)));
            n / d
        };
    let exited = |u: &sample::Unit| u.registered && matches!(u.status.as_deref(), Some("05") | Some("03"));
    let size = |u: &sample::Unit| u.size as f64;
    let truth_wrong = ratio(&exited, &|u| if planted_wrong(u) { u.size as f64 } else { 0.0 }, &size);
    let truth_missed = ratio(&|u| !u.registered, &planted_missed, &size);
    let truth_recognition = ratio(&|_| true, &|u| f64::from(u8::from(planted_approves(u))), &|_| 1.0);
    assert!(truth_wrong > 0.02 && truth_wrong < 0.2, "{truth_wrong}");
    assert!(truth_missed > 0.005 && truth_missed < 0.2, "{truth_missed}");
    assert!(truth_recognition > 0.7 && truth_recognition < 0.97, "{truth_recognition}");
    let by_id: HashMap<&str, &sample::Unit> = units.iter().map(|u| (u.household_id.as_str(), u)).collect();

    let seeds = 200;
    let new = || Sim { estimates: vec![], ses: vec![], covered: 0 };
    let (mut wrong, mut missed, mut recognition, mut naive) = (new(), new(), new(), vec![]);
    for seed in 0..seeds {
        let o = SampleOptions { seed, villages_per_county: 29, households_per_village: 10, risk_weight: 3.0 };
        let s = sample::draw(&units, &villages, &o);
        let results: HashMap<String, FieldResult> = s
            .iter()
            .map(|x| {
                let u = by_id[x.household_id.as_str()];
                let r = FieldResult {
                    wrong_exit: Some(planted_wrong(u)),
                    missed_persons: Some(planted_missed(u)),
                    approves: Some(planted_approves(u)),
                };
                (x.household_id.clone(), r)
            })
            .collect();
        let e = &estimate::estimate(&s, &results, T)[0];
        wrong.add(&e.wrong_exit_rate, truth_wrong);
        missed.add(&e.missed_rate, truth_missed);
        recognition.add(&e.recognition_rate, truth_recognition);
        // The same sample without its weights.
        let (n, d) = s
            .iter()
            .filter(|x| x.household_stratum == "registered" && matches!(x.status.as_deref(), Some("05") | Some("03")))
            .fold((0.0, 0.0), |(n, d), x| {
                (
                    n + if results[&x.household_id].wrong_exit == Some(true) { x.size as f64 } else { 0.0 },
                    d + x.size as f64,
                )
            });
        naive.push(n / d);
    }
    wrong.check("wrong-exit rate", truth_wrong);
    missed.check("missed rate", truth_missed);
    recognition.check("recognition", truth_recognition);
    // Without the design weights the over-sampled risk households bias the estimate upwards.
    let n = seeds as f64;
    let m = Sim::mean(&wrong.estimates);
    println!("wrong-exit rate without the weights: mean {:.4}", Sim::mean(&naive));
    let sd = (wrong.estimates.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(
        Sim::mean(&naive) - truth_wrong > 5.0 * sd / n.sqrt(),
        "naive {} vs truth {truth_wrong}",
        Sim::mean(&naive)
    );
}

#[test]
fn estimate_reads_field_results_and_gives_a_verdict() {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args(["sample", "--seed", "1", "--out", out.path().to_str().unwrap()])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every household approves, nobody was missed, no wrong exits: every county passes with
    // rates 0 and recognition 1.
    let template = std::fs::read_to_string(out.path().join("results_template.csv")).unwrap();
    let filled: String = template
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!("{}否,0,是\n", l.trim_end_matches(",,,").to_string() + ",")
            }
        })
        .collect();
    std::fs::write(out.path().join("results.csv"), filled).unwrap();
    let sample_csv = out.path().join("sample.csv");
    let results = out.path().join("results.csv");
    let est_out = out.path().join("est");
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args([
            "--lang",
            "en",
            "estimate",
            "--sample",
            sample_csv.to_str().unwrap(),
            "--results",
            results.to_str().unwrap(),
            "--out",
            est_out.to_str().unwrap(),
        ])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("county 433127\n  wrong-exit rate: 0.00% (95% CI 0.00% – 0.00%), probability of breaking the threshold 0.00%"), "{text}");
    assert!(
        text.contains("  point estimates: passes; probability all three meet their thresholds 100.00%\n"),
        "{text}"
    );
    // Every bad cell is named with its row (as Excel shows it) and column, all at once, and
    // so is a household that is not in the sample.
    let sampled = template.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    std::fs::write(
        &results,
        format!("户编号,核实错退,核实漏评人数\n{sampled},也许,1\n9999999999999999,否,0\n{sampled},否,-2\n"),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tuopin"))
        .args([
            "estimate",
            "--sample",
            sample_csv.to_str().unwrap(),
            "--results",
            results.to_str().unwrap(),
            "--out",
            est_out.to_str().unwrap(),
        ])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "an error in data");
    let err = String::from_utf8_lossy(&o.stderr);
    let r = results.display();
    for line in [
        format!("{r} 有 4 处需要更正，未作估计："),
        format!("{r} 第 2 行 列 核实错退：“也许”应为 是/否"),
        format!("{r} 第 3 行：户编号 9999999999999999 不在抽样名单中"),
        format!("{r} 第 4 行 列 核实漏评人数：“-2”应为人数（不小于0）"),
        format!("{r} 第 4 行：户编号 {sampled} 与第 2 行重复"),
    ] {
        assert!(err.contains(&line), "{line}\n{err}");
    }
}

/// A sheet's cells as text rows.
fn sheet_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    calamine::Data::String(s) => s.clone(),
                    calamine::Data::Float(f) => f.to_string(),
                    calamine::Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_field_teams_fill_sample_xlsx_and_estimate_reads_it_back() {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["sample", "--seed", "1", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    // 29 villages per county are asked for by default; each demo county has 17.
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("县 433127：抽取 17 个村、170 户（要求每县 29 个村，本县只有 17 个村可抽）"), "{said}");
    // As a person would: open sample.xlsx, fill 核实错退 / 核实漏评人数 / 群众认可 for the
    // first 30 households of each county only, save (here: the same cells into a new file).
    let rows = sheet_rows(&out.path().join("sample.xlsx"));
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    let (county, wrong, missed, approves) = (col("县"), col("核实错退"), col("核实漏评人数"), col("群众认可"));
    // Names carried from the register, codes as labels.
    let first = &rows[1];
    assert_eq!((first[county].as_str(), first[col("县名")].as_str()), ("433127", "永顺县"));
    assert!(rows[1..].iter().all(|r| !r[col("户主姓名")].is_empty() && !r[col("村名")].is_empty()));
    assert!(rows[1..].iter().any(|r| r[col("脱贫状态")] == "03 历史已脱贫"), "status by its label");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut filled: std::collections::BTreeMap<String, usize> = Default::default();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
        if r == 0 {
            continue;
        }
        let n = filled.entry(row[county].clone()).or_default();
        if *n < 30 {
            *n += 1;
            sheet.write_string(r as u32, wrong as u16, "否").unwrap();
            sheet.write_number(r as u32, missed as u16, 0).unwrap();
            sheet.write_string(r as u32, approves as u16, "是").unwrap();
        }
    }
    let xlsx = out.path().join("filled.xlsx");
    book.save(&xlsx).unwrap();
    let o = common::tuopin(&[
        "estimate",
        "--sample",
        out.path().join("sample.csv").to_str().unwrap(),
        "--results",
        xlsx.to_str().unwrap(),
        "--out",
        out.path().join("est").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // 17 villages × 10 households per demo county: 170 sampled, 30 filled, 140 without.
    assert!(text.contains("县 433127：抽样 170 户，已填写核实结果 30 户；另有 140 户没有结果，不计入估计"), "{text}");
    assert!(text.contains("县 433130：抽样 170 户，已填写核实结果 30 户；另有 140 户没有结果，不计入估计"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("est/estimates.json")).unwrap()).unwrap();
    assert_eq!(json[0]["recognition_rate"]["households"], 30, "only the filled rows count");
    // The estimates as a Chinese workbook: every filled household approves, so 100 %.
    let est = sheet_rows(&out.path().join("est/estimates.xlsx"));
    assert_eq!(est[0][..4], ["县", "指标", "有核实结果的样本户", "估计值"]);
    let recognition = est.iter().find(|r| r[0] == "433127" && r[1] == "群众认可度").unwrap();
    assert_eq!((recognition[2].as_str(), recognition[3].as_str()), ("30", "1"));

    // A household typed in that is not in the sample (a row added under the list) is refused,
    // named with its row as Excel shows it; nothing is estimated.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    let extra = rows.len() as u32;
    sheet.write_string(extra, col("户编号") as u16, "4331279999999999").unwrap();
    sheet.write_string(extra, approves as u16, "是").unwrap();
    let bad = out.path().join("bad.xlsx");
    book.save(&bad).unwrap();
    let o = common::tuopin(&[
        "estimate",
        "--sample",
        out.path().join("sample.csv").to_str().unwrap(),
        "--results",
        bad.to_str().unwrap(),
        "--out",
        out.path().join("est2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("第 {} 行：户编号 4331279999999999 不在抽样名单中", extra + 1)), "{err}");
    assert!(!out.path().join("est2/estimates.csv").exists());
}

#[test]
fn the_sample_in_parquet_reads_back_as_the_csv_one() {
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&["sample", "--seed", "3", "--risk-weight", "2", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    let from_csv = tuopin::inspect::read_sample(&out.path().join("sample.csv")).unwrap();
    let from_parquet = tuopin::inspect::read_sample(&out.path().join("sample.parquet")).unwrap();
    assert_eq!(from_csv.len(), 340, "17 villages × 10 households in each of the 2 demo counties");
    assert_eq!(from_csv, from_parquet);
    // estimate reads either.
    let results = out.path().join("results.csv");
    std::fs::write(&results, "household_id,approves\n").unwrap();
    for f in ["sample.csv", "sample.parquet"] {
        let e = tuopin::jobs::run_estimate(
            &out.path().join(f),
            &results,
            &common::hunan(),
            2020,
            &out.path().join("e"),
            &Aliases::builtin(),
            tuopin::messages::Lang::En,
        )
        .unwrap()
        .estimates;
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].recognition_rate.households, 0);
    }
}
