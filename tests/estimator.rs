//! The estimator whose numbers decide a county's exit, worked by hand: two strata, a village
//! with no household in the domain (z = 0), several households per village, a stratum with a
//! single sampled village (reported, not silently varianceless), clamping, the README's
//! P = 0.77 example, the missed and recognition rates, and the verdicts. Every expected value
//! below is written out from the formulas of the README (R = Σwy/Σwx, z = w(y − R·x)/X̂
//! summed per village, V = Σ_strata k/(k−1)·Σ(z_j − z̄)²), not taken from the code.

use std::collections::HashMap;

use tuopin::inspect::estimate::{self, FieldResult, Thresholds, normal_cdf};
use tuopin::inspect::sample::Sampled;

fn unit(id: &str, village: &str, stratum: &str, registered: bool, status: &str, size: i64, weight: f64) -> Sampled {
    Sampled {
        county: "433127".into(),
        village_code: village.into(),
        village_stratum: stratum.into(),
        household_id: id.into(),
        household_stratum: if registered { "registered" } else { "unregistered" }.into(),
        risk_stratum: "other".into(),
        status: if status.is_empty() { None } else { Some(status.into()) },
        size,
        risk_score: 0,
        meets_exit_standard: None,
        wrong_exit_risk: None,
        missed_risk: None,
        village_probability: 1.0,
        household_probability: 1.0 / weight,
        weight,
    }
}

fn result(wrong: Option<bool>, missed: Option<f64>, approves: Option<bool>) -> FieldResult {
    FieldResult { wrong_exit: wrong, missed_persons: missed, approves }
}

const T: Thresholds = Thresholds { wrong_exit_rate_max: 0.02, missed_rate_max: 0.02, recognition_min: 0.90 };

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-12, "{what}: {a} against {b}");
}

/// Σ over strata of k/(k−1)·Σ(z − z̄)², for villages' z given per stratum.
fn v(strata: &[&[f64]]) -> f64 {
    strata
        .iter()
        .filter(|zs| zs.len() > 1)
        .map(|zs| {
            let k = zs.len() as f64;
            let mean = zs.iter().sum::<f64>() / k;
            k / (k - 1.0) * zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>()
        })
        .sum()
}

/// Two strata, four villages. Poor: A (h1 registered exited 4 persons w 2, h2 unregistered
/// 3 persons w 2), B (h3 registered exited 2 persons w 4, h4 registered not exited 5 persons
/// w 4). Non-poor: C (h5 unregistered 2 persons w 6), D (h6 registered exited 3 persons w 6).
fn county() -> (Vec<Sampled>, HashMap<String, FieldResult>) {
    let sample = vec![
        unit("h1", "A", "poor", true, "03", 4, 2.0),
        unit("h2", "A", "poor", false, "", 3, 2.0),
        unit("h3", "B", "poor", true, "05", 2, 4.0),
        unit("h4", "B", "poor", true, "04", 5, 4.0),
        unit("h5", "C", "non-poor", false, "", 2, 6.0),
        unit("h6", "D", "non-poor", true, "03", 3, 6.0),
    ];
    let results = HashMap::from([
        ("h1".to_string(), result(Some(true), None, Some(true))),
        ("h2".to_string(), result(None, Some(1.0), Some(false))),
        ("h3".to_string(), result(Some(false), None, Some(true))),
        ("h4".to_string(), result(None, None, Some(true))),
        ("h5".to_string(), result(None, Some(0.0), Some(true))),
        // h6 verified as no wrong exit, but gave no answer on approval.
        ("h6".to_string(), result(Some(false), None, None)),
    ]);
    (sample, results)
}

#[test]
fn the_three_rates_of_a_county_by_hand() {
    let (sample, results) = county();
    let e = estimate::estimate(&sample, &results, T);
    assert_eq!(e.len(), 1);
    let e = &e[0];

    // Wrong exits, persons of exited registered households: h1 (y 4, x 4, w 2), h3 (y 0,
    // x 2, w 4), h6 (y 0, x 3, w 6). X̂ = 8 + 8 + 18 = 34, R = 8/34. Village C has no
    // household in the domain: z_C = 0, and it still counts in its stratum (k = 2).
    let r = 8.0 / 34.0;
    let za = 2.0 * (4.0 - r * 4.0) / 34.0;
    let zb = 4.0 * (0.0 - r * 2.0) / 34.0;
    let zd = 6.0 * (0.0 - r * 3.0) / 34.0;
    let var = v(&[&[za, zb], &[0.0, zd]]);
    let w = &e.wrong_exit_rate;
    assert_eq!(w.households, 3);
    close(w.estimate.unwrap(), r, "wrong-exit R");
    close(w.standard_error.unwrap(), var.sqrt(), "wrong-exit SE");
    close(w.ci_low.unwrap(), (r - 1.96 * var.sqrt()).max(0.0), "wrong-exit low");
    close(w.ci_high.unwrap(), r + 1.96 * var.sqrt(), "wrong-exit high");
    close(w.probability_breaks.unwrap(), 1.0 - normal_cdf((0.02 - r) / var.sqrt()), "P(wrong ≥ 2%)");
    assert_eq!(w.single_village_strata, 0);
    // The numbers themselves, to four places (worked on paper): R = 0.2353, SE = 0.2662.
    assert_eq!(format!("{:.4} {:.4}", r, var.sqrt()), "0.2353 0.2662");

    // Missed persons among unregistered households: h2 (y 1, x 3, w 2), h5 (y 0, x 2, w 6).
    // X̂ = 6 + 12 = 18, R = 2/18. z_A = 2(1 − 3R)/18, z_C = 6(0 − 2R)/18, z_B = z_D = 0.
    let r = 2.0 / 18.0;
    let za = 2.0 * (1.0 - 3.0 * r) / 18.0;
    let zc = 6.0 * (0.0 - 2.0 * r) / 18.0;
    let var = v(&[&[za, 0.0], &[zc, 0.0]]);
    let m = &e.missed_rate;
    assert_eq!(m.households, 2);
    close(m.estimate.unwrap(), r, "missed R");
    close(m.standard_error.unwrap(), var.sqrt(), "missed SE");
    close(m.probability_breaks.unwrap(), 1.0 - normal_cdf((0.02 - r) / var.sqrt()), "P(missed ≥ 2%)");

    // Recognition, over surveyed households (h6 has no answer): several households per
    // village, summed per village. X̂ = 2+2+4+4+6 = 18, Ŷ = 2+0+4+4+6 = 16, R = 16/18.
    let r = 16.0 / 18.0;
    let za = 2.0 * (1.0 - r) / 18.0 + 2.0 * (0.0 - r) / 18.0;
    let zb = 2.0 * (4.0 * (1.0 - r) / 18.0);
    let zc = 6.0 * (1.0 - r) / 18.0;
    let var = v(&[&[za, zb], &[zc, 0.0]]);
    let g = &e.recognition_rate;
    assert_eq!(g.households, 5);
    close(g.estimate.unwrap(), r, "recognition R");
    close(g.standard_error.unwrap(), var.sqrt(), "recognition SE");
    // Recognition breaks its threshold by falling *below* 90 %.
    close(g.probability_breaks.unwrap(), normal_cdf((0.90 - r) / var.sqrt()), "P(recognition < 90%)");

    // The verdict: the wrong-exit rate is above 2 %, so the county does not pass; the chance
    // that all three hold is the product of the three complements.
    assert_eq!(e.passes, Some(false));
    let p = (1.0 - w.probability_breaks.unwrap())
        * (1.0 - m.probability_breaks.unwrap())
        * (1.0 - g.probability_breaks.unwrap());
    close(e.probability_passes.unwrap(), p, "P(passes)");
}

#[test]
fn a_county_meeting_all_three_thresholds_passes() {
    // Twenty exited registered households, none a wrong exit; ten unregistered with none
    // missed; all approve. Two villages per stratum, so every rate has an interval.
    let mut sample = vec![];
    let mut results = HashMap::new();
    for (i, (village, stratum)) in
        [("A", "poor"), ("B", "poor"), ("C", "non-poor"), ("D", "non-poor")].into_iter().enumerate()
    {
        for k in 0..5 {
            let id = format!("r{i}{k}");
            sample.push(unit(&id, village, stratum, true, "03", 3, 2.0));
            results.insert(id, result(Some(false), None, Some(true)));
        }
        let id = format!("u{i}");
        sample.push(unit(&id, village, stratum, false, "", 4, 2.0));
        results.insert(id, result(None, Some(0.0), Some(true)));
    }
    let e = &estimate::estimate(&sample, &results, T)[0];
    assert_eq!(e.wrong_exit_rate.estimate, Some(0.0));
    assert_eq!(e.missed_rate.estimate, Some(0.0));
    assert_eq!(e.recognition_rate.estimate, Some(1.0));
    // No spread at all: a zero standard error decides each threshold outright.
    assert_eq!(e.wrong_exit_rate.standard_error, Some(0.0));
    assert_eq!(e.wrong_exit_rate.probability_breaks, Some(0.0));
    assert_eq!(e.recognition_rate.probability_breaks, Some(0.0));
    assert_eq!(e.passes, Some(true));
    assert_eq!(e.probability_passes, Some(1.0));
    // Without any field result the rates cannot be estimated, and nor can the verdict.
    let e = &estimate::estimate(&sample, &HashMap::new(), T)[0];
    assert_eq!((e.wrong_exit_rate.households, e.wrong_exit_rate.estimate), (0, None));
    assert_eq!((e.passes, e.probability_passes), (None, None));
}

#[test]
fn a_stratum_with_one_village_adds_no_variance_and_says_so() {
    // Poor: A and B; non-poor: only C. C's z cannot be compared with another village's.
    let sample = vec![
        unit("a", "A", "poor", false, "", 4, 1.0),
        unit("b", "B", "poor", false, "", 2, 3.0),
        unit("c", "C", "non-poor", false, "", 5, 2.0),
    ];
    let results = HashMap::from([
        ("a".to_string(), result(None, Some(2.0), Some(true))),
        ("b".to_string(), result(None, Some(0.0), Some(true))),
        ("c".to_string(), result(None, Some(1.0), Some(true))),
    ]);
    let e = &estimate::estimate(&sample, &results, T)[0];
    // Missed: X̂ = 4 + 6 + 10 = 20, Ŷ = 2 + 0 + 2 = 4, R = 0.2; only the poor stratum
    // contributes: z_A = (2 − 0.8)/20 = 0.06, z_B = 3(0 − 0.4)/20 = −0.06, V = 2·(0.06² + 0.06²).
    let m = &e.missed_rate;
    close(m.estimate.unwrap(), 0.2, "R");
    close(m.standard_error.unwrap(), (2.0f64 * (0.06f64.powi(2) * 2.0)).sqrt(), "SE");
    assert_eq!(m.single_village_strata, 1);
    // Three villages (A, B, C) have results: too few for the interval to be more than rough.
    assert_eq!(m.villages, 3);
    let text = tuopin::report::estimate_lines(tuopin::messages::Lang::En, e);
    assert!(
        text.contains(
            "note: 1 village stratum(s) with a single sampled village add no variance; the interval is too narrow"
        ),
        "{text}"
    );
    let zh = tuopin::report::estimate_lines(tuopin::messages::Lang::Zh, e);
    assert!(zh.contains("注意：1 个村分层只抽到 1 个村"), "{zh}");
    assert!(zh.contains("注意：只有 3 个村有核实结果，置信区间和概率只能作粗略参考"), "{zh}");
    // Recognition breaks its threshold by falling below it, the other two by reaching theirs.
    assert!(
        zh.contains("  群众认可度：")
            && zh.lines().any(|l| l.starts_with("  群众认可度：") && l.contains("低于标准的概率")),
        "{zh}"
    );
    assert!(zh.lines().any(|l| l.starts_with("  漏评率：") && l.contains("超出标准的概率")), "{zh}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("  recognition: ") && l.contains("probability of falling below the threshold")),
        "{text}"
    );
}

#[test]
fn the_readme_example_clamps_its_interval_and_gives_p_0_77() {
    // README: two villages, A (4 persons, 2 missed, weight 1) and B (2 persons, none, weight
    // 3). R = 0.2, SE = 0.24, interval 0.2 ± 0.47 clamped to 0 – 0.67, P(rate ≥ 2 %) = 0.77.
    let sample = vec![unit("a", "A", "poor", false, "", 4, 1.0), unit("b", "B", "poor", false, "", 2, 3.0)];
    let results = HashMap::from([
        ("a".to_string(), result(None, Some(2.0), None)),
        ("b".to_string(), result(None, Some(0.0), None)),
    ]);
    let m = estimate::estimate(&sample, &results, T)[0].missed_rate.clone();
    close(m.estimate.unwrap(), 0.2, "R");
    close(m.standard_error.unwrap(), 0.24, "SE");
    assert_eq!(m.ci_low, Some(0.0), "0.2 − 0.47 is clamped to 0");
    close(m.ci_high.unwrap(), 0.2 + 1.96 * 0.24, "high");
    assert_eq!(format!("{:.2} {:.2}", m.ci_high.unwrap(), m.probability_breaks.unwrap()), "0.67 0.77");
    // And a rate near 1 is clamped at the top.
    let results = HashMap::from([
        ("a".to_string(), result(None, Some(4.0), None)),
        ("b".to_string(), result(None, Some(1.0), None)),
    ]);
    let m = estimate::estimate(&sample, &results, T)[0].missed_rate.clone();
    // R = (4 + 3)/10 = 0.7; z_A = (4 − 2.8)/10 = 0.12, z_B = 3(1 − 1.4)/10 = −0.12: SE 0.24.
    close(m.estimate.unwrap(), 0.7, "R");
    assert_eq!(m.ci_high, Some(1.0), "0.7 + 0.47 is clamped to 1");
}
