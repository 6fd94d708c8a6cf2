//! The sampling design, recomputed from the frame's own counts: every household's inclusion
//! probability π = (villages drawn / villages in the stratum) × (households drawn / households
//! in the sub-stratum), the allocation of villages about 2:1 poor to non-poor, of households
//! half registered and half unregistered, and of risk households under `--risk-weight`; and
//! the design weights adding up to the sizes they stand for.

use std::collections::BTreeMap;

use tuopin::inspect::sample::{self, SampleOptions, Sampled, Unit, Village};

/// One county of 12 poor and 30 non-poor villages. Village i holds 8 + i % 5 registered
/// households (1 + i % 4 of them risk households) and 6 + i % 3 unregistered ones (i % 3 risk).
fn frame() -> (Vec<Unit>, Vec<Village>) {
    let mut units = vec![];
    let mut villages = vec![];
    for i in 0..42usize {
        let code = format!("433127{:06}", 100 + i);
        villages.push(Village { village_code: code.clone(), poor: i < 12 });
        let (reg, reg_risk) = (8 + i % 5, 1 + i % 4);
        let (unreg, unreg_risk) = (6 + i % 3, i % 3);
        for k in 0..(reg + unreg) {
            let registered = k < reg;
            let risky = if registered { k < reg_risk } else { k - reg < unreg_risk };
            units.push(Unit {
                household_id: format!("{code}{k:04}"),
                village_code: code.clone(),
                registered,
                status: Some(if registered { "03" } else { "" }.to_string()).filter(|s| !s.is_empty()),
                size: 3,
                risky,
                risk_score: 0,
                meets_exit_standard: None,
                wrong_exit_risk: None,
                missed_risk: None,
            });
        }
    }
    (units, villages)
}

/// `n` places between strata of sizes a and b with a's share weighted by w: round(n·w·a /
/// (w·a + b)), as the README states (before any cap at a stratum's size).
fn share(n: usize, a: usize, b: usize, w: f64) -> usize {
    if a == 0 {
        return 0;
    }
    ((n as f64) * w * a as f64 / (w * a as f64 + b as f64)).round() as usize
}

#[test]
fn every_inclusion_probability_is_recomputed_from_the_stratum_counts() {
    let (units, villages) = frame();
    for (risk_weight, per_county) in [(1.0, 9), (2.0, 9), (3.0, 29)] {
        let o = SampleOptions { seed: 11, villages_per_county: per_county, households_per_village: 10, risk_weight };
        let s = sample::draw(&units, &villages, &o);
        let what = format!("risk weight {risk_weight}, {per_county} villages");

        // Villages: 2:1 poor to non-poor, by the README's weighting (w = 2·30/12 = 5).
        let drawn: BTreeMap<&str, &str> =
            s.iter().map(|x| (x.village_code.as_str(), x.village_stratum.as_str())).collect();
        let n_poor = drawn.values().filter(|v| **v == "poor").count();
        let n_other = drawn.len() - n_poor;
        let expected_poor = share(per_county, 12, 30, 2.0 * 30.0 / 12.0).min(12);
        assert_eq!((n_poor, n_other), (expected_poor, per_county - expected_poor), "{what}");
        // 9 places: 6 poor, 3 non-poor. 29 places: two thirds would be 19 poor, but there are
        // only 12; the other 17 places go to non-poor villages.
        assert_eq!((n_poor, n_other), if per_county == 9 { (6, 3) } else { (12, 17) }, "{what}");

        for x in &s {
            // π_v from the county's village counts.
            let (stratum_size, drawn_in_stratum) =
                if x.village_stratum == "poor" { (12.0, n_poor as f64) } else { (30.0, n_other as f64) };
            assert_eq!(x.village_probability, drawn_in_stratum / stratum_size, "{what}: {}", x.household_id);
            // π_h from the village's sub-stratum counts.
            let in_sub = |u: &Unit| {
                u.village_code == x.village_code
                    && u.registered == (x.household_stratum == "registered")
                    && u.risky == (x.risk_stratum == "risk")
            };
            let sub_size = units.iter().filter(|u| in_sub(u)).count() as f64;
            let sub_drawn = s
                .iter()
                .filter(|y| {
                    y.village_code == x.village_code
                        && y.household_stratum == x.household_stratum
                        && y.risk_stratum == x.risk_stratum
                })
                .count() as f64;
            assert_eq!(x.household_probability, sub_drawn / sub_size, "{what}: {}", x.household_id);
            let pi = x.village_probability * x.household_probability;
            assert!((x.weight - 1.0 / pi).abs() < 1e-9 * x.weight, "{what}: weight of {}", x.household_id);
        }

        // Households: in each drawn village 10 places, half registered and half unregistered;
        // within each half, risk households get round(5·w·A/(w·A + B)).
        let mut by_village: BTreeMap<&str, Vec<&Sampled>> = BTreeMap::new();
        for x in &s {
            by_village.entry(x.village_code.as_str()).or_default().push(x);
        }
        for (code, drawn) in &by_village {
            let i: usize = code[6..].parse::<usize>().unwrap() - 100;
            for (registered, size, risky) in [(true, 8 + i % 5, 1 + i % 4), (false, 6 + i % 3, i % 3)] {
                let stratum = if registered { "registered" } else { "unregistered" };
                let got =
                    |r: &str| drawn.iter().filter(|x| x.household_stratum == stratum && x.risk_stratum == r).count();
                // A sub-stratum short of its share gives it all it has; the rest go across.
                let n_risk = share(5, risky, size - risky, risk_weight).min(risky);
                assert_eq!(got("risk"), n_risk, "{what}: village {code} {stratum} risk");
                assert_eq!(got("other"), 5 - n_risk, "{what}: village {code} {stratum} other");
            }
        }

        // Weights add up to what they stand for: per village stratum, Σ 1/π_v over the drawn
        // villages is the number of villages; per sub-stratum, Σ 1/π_h is its size; and the
        // full weights of a stratum's households estimate its number of households.
        for (stratum, size) in [("poor", 12.0), ("non-poor", 30.0)] {
            let sum: f64 = drawn
                .iter()
                .filter(|(_, st)| **st == stratum)
                .map(|(code, _)| 1.0 / s.iter().find(|x| x.village_code == *code).unwrap().village_probability)
                .sum();
            assert!((sum - size).abs() < 1e-9, "{what}: {stratum} villages {sum}");
        }
        let mut subs: BTreeMap<(&str, &str, &str), f64> = BTreeMap::new();
        for x in &s {
            *subs.entry((&x.village_code, &x.household_stratum, &x.risk_stratum)).or_default() +=
                1.0 / x.household_probability;
        }
        for ((code, stratum, risk), sum) in subs {
            let size = units
                .iter()
                .filter(|u| {
                    u.village_code == code && u.registered == (stratum == "registered") && u.risky == (risk == "risk")
                })
                .count() as f64;
            assert!((sum - size).abs() < 1e-9, "{what}: {code} {stratum} {risk}: {sum} against {size}");
        }
    }
}

#[test]
fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
    let (units, villages) = frame();
    let o = SampleOptions { seed: 5, villages_per_county: 9, households_per_village: 10, risk_weight: 2.0 };
    let a = sample::draw(&units, &villages, &o);
    let mut shuffled = units.clone();
    shuffled.reverse();
    assert_eq!(a, sample::draw(&shuffled, &villages, &o), "the order of the frame does not matter");
    assert_ne!(a, sample::draw(&units, &villages, &SampleOptions { seed: 6, ..o }));
}
