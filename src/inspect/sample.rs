//! Drawing the inspection sample (see the module documentation of `inspect`).

use crate::register::hierarchy::county_of_village;
use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A household that can be drawn.
#[derive(Debug, Clone)]
pub struct Unit {
    pub household_id: String,
    pub village_code: String,
    pub registered: bool,
    pub status: Option<String>,
    /// Living members.
    pub size: i64,
    /// A risk household: a wrong-exit, missed or wrong-inclusion flag, or a data error.
    pub risky: bool,
    pub risk_score: u64,
    pub meets_exit_standard: Option<bool>,
    pub wrong_exit_risk: Option<bool>,
    pub missed_risk: Option<bool>,
}

/// A village that can be drawn (villages with no households count too).
#[derive(Debug, Clone)]
pub struct Village {
    pub village_code: String,
    pub poor: bool,
}

#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub seed: u64,
    pub villages_per_county: usize,
    pub households_per_village: usize,
    pub risk_weight: f64,
}

/// One sampled household with its design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampled {
    pub county: String,
    pub village_code: String,
    /// `poor` or `non-poor`.
    pub village_stratum: String,
    pub household_id: String,
    /// `registered` or `unregistered`.
    pub household_stratum: String,
    /// `risk` or `other`.
    pub risk_stratum: String,
    pub status: Option<String>,
    pub size: i64,
    pub risk_score: u64,
    pub meets_exit_standard: Option<bool>,
    pub wrong_exit_risk: Option<bool>,
    pub missed_risk: Option<bool>,
    pub village_probability: f64,
    pub household_probability: f64,
    pub weight: f64,
}

/// The allocation of `n` places between two strata of sizes `a` and `b`, with `a`'s share
/// weighted by `wa` (rounded, each capped at its size, shortfalls moved across).
fn allocate(n: usize, a: usize, b: usize, wa: f64) -> (usize, usize) {
    let n = n.min(a + b);
    let share = if a == 0 {
        0.0
    } else if b == 0 {
        1.0
    } else {
        wa * a as f64 / (wa * a as f64 + b as f64)
    };
    let mut na = ((n as f64) * share).round() as usize;
    na = na.min(a);
    let mut nb = (n - na).min(b);
    if na + nb < n {
        na = (n - nb).min(a);
    }
    nb = nb.min(n - na);
    (na, nb)
}

/// A seeded stream per (seed, stratum name), so a stratum's draw does not depend on the
/// others (adding a county does not change another county's sample).
fn rng_for(seed: u64, stratum: &str) -> ChaCha8Rng {
    // FNV-1a of the stratum name, mixed with the seed.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in stratum.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ h.rotate_left(17))
}

fn draw_n<T: Clone>(items: &[T], n: usize, seed: u64, stratum: &str) -> Vec<T> {
    let mut v = items.to_vec();
    v.shuffle(&mut rng_for(seed, stratum));
    v.truncate(n);
    v
}

/// Draw the sample. Units and villages may come in any order; the result is sorted by
/// county, village and household.
pub fn draw(units: &[Unit], villages: &[Village], o: &SampleOptions) -> Vec<Sampled> {
    let mut by_county: BTreeMap<String, Vec<&Village>> = BTreeMap::new();
    let mut all_villages: Vec<&Village> = villages.iter().collect();
    all_villages.sort_by(|a, b| a.village_code.cmp(&b.village_code));
    all_villages.dedup_by(|a, b| a.village_code == b.village_code);
    for v in all_villages {
        by_county.entry(county_of_village(&v.village_code).to_string()).or_default().push(v);
    }
    let mut by_village: BTreeMap<&str, Vec<&Unit>> = BTreeMap::new();
    for u in units {
        by_village.entry(u.village_code.as_str()).or_default().push(u);
    }
    for list in by_village.values_mut() {
        list.sort_by(|a, b| a.household_id.cmp(&b.household_id));
    }
    let mut out = vec![];
    for (county, villages) in &by_county {
        let poor: Vec<&Village> = villages.iter().copied().filter(|v| v.poor).collect();
        let other: Vec<&Village> = villages.iter().copied().filter(|v| !v.poor).collect();
        let (n_poor, n_other) = allocate(
            o.villages_per_county,
            poor.len(),
            other.len(),
            2.0 * other.len() as f64 / poor.len().max(1) as f64,
        );
        for (stratum, pool, n) in [("poor", &poor, n_poor), ("non-poor", &other, n_other)] {
            if n == 0 {
                continue;
            }
            let p_village = n as f64 / pool.len() as f64;
            for v in draw_n(pool, n, o.seed, &format!("{county}/{stratum}")) {
                let units = by_village.get(v.village_code.as_str()).cloned().unwrap_or_default();
                let reg: Vec<&Unit> = units.iter().copied().filter(|u| u.registered).collect();
                let unreg: Vec<&Unit> = units.iter().copied().filter(|u| !u.registered).collect();
                let (n_reg, n_unreg) = allocate(
                    o.households_per_village,
                    reg.len(),
                    unreg.len(),
                    unreg.len() as f64 / reg.len().max(1) as f64,
                );
                for (hstratum, hpool, hn) in [("registered", &reg, n_reg), ("unregistered", &unreg, n_unreg)] {
                    let risky: Vec<&Unit> = hpool.iter().copied().filter(|u| u.risky).collect();
                    let plain: Vec<&Unit> = hpool.iter().copied().filter(|u| !u.risky).collect();
                    let (n_risky, n_plain) = allocate(hn, risky.len(), plain.len(), o.risk_weight.max(0.0));
                    for (rstratum, rpool, rn) in [("risk", &risky, n_risky), ("other", &plain, n_plain)] {
                        if rn == 0 {
                            continue;
                        }
                        let p_household = rn as f64 / rpool.len() as f64;
                        let name = format!("{}/{hstratum}/{rstratum}", v.village_code);
                        for u in draw_n(rpool, rn, o.seed, &name) {
                            out.push(Sampled {
                                county: county.clone(),
                                village_code: v.village_code.clone(),
                                village_stratum: stratum.to_string(),
                                household_id: u.household_id.clone(),
                                household_stratum: hstratum.to_string(),
                                risk_stratum: rstratum.to_string(),
                                status: u.status.clone(),
                                size: u.size,
                                risk_score: u.risk_score,
                                meets_exit_standard: u.meets_exit_standard,
                                wrong_exit_risk: u.wrong_exit_risk,
                                missed_risk: u.missed_risk,
                                village_probability: p_village,
                                household_probability: p_household,
                                weight: 1.0 / (p_village * p_household),
                            });
                        }
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.county, &a.village_code, &a.household_id).cmp(&(&b.county, &b.village_code, &b.household_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_weighted_capped_and_moves_shortfalls() {
        assert_eq!(allocate(10, 50, 50, 1.0), (5, 5));
        assert_eq!(allocate(10, 10, 90, 3.0), (3, 7), "3×10/(3×10+90) = 0.25 of 10, rounded");
        assert_eq!(allocate(10, 2, 90, 1.0), (0, 10), "0.2 rounds to 0");
        assert_eq!(allocate(10, 2, 3, 1.0), (2, 3), "all when there are fewer");
        assert_eq!(allocate(10, 100, 4, 0.01), (6, 4), "b would get 8 of 10 but has 4: the shortfall moves to a");
        assert_eq!(allocate(10, 100, 4, 1.0), (10, 0), "proportional: 100/104 of 10 rounds to 10");
        assert_eq!(allocate(29, 40, 20, 1.0), (19, 10), "2:1 villages: weight 2×20/40 = 1 gives 29×40/60");
    }
}
