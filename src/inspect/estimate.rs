//! Estimating a county's wrong-exit, missed and recognition rates from the field results of
//! the sample (see the module documentation of `inspect`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::sample::Sampled;

/// What a field team found for one sampled household.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldResult {
    /// An exited household verified as a wrong exit (错退).
    pub wrong_exit: Option<bool>,
    /// Persons verified as missed (漏评) in an unregistered household.
    pub missed_persons: Option<f64>,
    /// The household approves of the poverty work (群众认可).
    pub approves: Option<bool>,
}

/// The thresholds a county's rates are held to.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub wrong_exit_rate_max: f64,
    pub missed_rate_max: f64,
    pub recognition_min: f64,
}

/// One rate's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateEstimate {
    /// Sampled households in the rate's domain with a field result.
    pub households: usize,
    pub estimate: Option<f64>,
    pub standard_error: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The chance that the true rate breaks its threshold (≥ the maximum, or < the minimum).
    pub probability_breaks: Option<f64>,
    /// Village strata of the county with a single sampled village: they add no variance
    /// (there is no spread between villages to measure), so the interval is too narrow by
    /// their share. Reported rather than silently ignored.
    pub single_village_strata: usize,
    /// Villages with results in the rate's domain: under [`FEW_VILLAGES`] the interval is
    /// flagged as resting on too few.
    pub villages: usize,
}

/// A ratio of weighted totals over a domain, with its linearised standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// Households in the domain with a result.
    pub households: usize,
    pub estimate: Option<f64>,
    pub standard_error: Option<f64>,
    /// Strata with one sampled village (they contribute no variance).
    pub single_village_strata: usize,
    /// Villages with at least one household of the domain with a result.
    pub villages: usize,
}

/// Below this many villages with results, a rate's interval rests on too few primary units
/// for the normal approximation; `estimate` says so beside it.
pub const FEW_VILLAGES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyEstimate {
    pub county: String,
    pub wrong_exit_rate: RateEstimate,
    pub missed_rate: RateEstimate,
    pub recognition_rate: RateEstimate,
    /// The exit verdict the point estimates imply (unknown when a rate cannot be estimated).
    pub passes: Option<bool>,
    /// The chance that all three rates meet their thresholds (taken as independent).
    pub probability_passes: Option<f64>,
}

/// The standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))
}

/// A ratio R = Σ w·y / Σ w·x over a domain, with its linearised variance. `units` are the
/// county's sampled households (all of them: a village with none in the domain still counts
/// as a primary unit with zero contribution); `y`/`x` give the domain's values (None = not in
/// the domain or no result).
pub fn ratio(units: &[&Sampled], value: impl Fn(&Sampled) -> Option<(f64, f64)>) -> Ratio {
    let mut ywt = 0.0;
    let mut xwt = 0.0;
    let mut n = 0;
    let mut with_results = std::collections::BTreeSet::new();
    for u in units {
        if let Some((y, x)) = value(u) {
            ywt += u.weight * y;
            xwt += u.weight * x;
            n += 1;
            with_results.insert(u.village_code.as_str());
        }
    }
    let villages = with_results.len();
    if n == 0 || xwt == 0.0 {
        return Ratio { households: n, estimate: None, standard_error: None, single_village_strata: 0, villages };
    }
    let r = ywt / xwt;
    // z per primary unit (village), grouped by stratum (village stratum within the county).
    let mut psu: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for u in units {
        let z = value(u).map(|(y, x)| u.weight * (y - r * x) / xwt).unwrap_or(0.0);
        *psu.entry((u.village_stratum.as_str(), u.village_code.as_str())).or_default() += z;
    }
    let mut strata: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for ((stratum, _), z) in psu {
        strata.entry(stratum).or_default().push(z);
    }
    let mut var = 0.0;
    let mut single = 0;
    for zs in strata.values() {
        let k = zs.len() as f64;
        if zs.len() < 2 {
            single += 1; // one village in the stratum: no within-stratum spread to measure
            continue;
        }
        let mean = zs.iter().sum::<f64>() / k;
        var += k / (k - 1.0) * zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>();
    }
    Ratio {
        households: n,
        estimate: Some(r),
        standard_error: Some(var.sqrt()),
        single_village_strata: single,
        villages,
    }
}

fn rate(x: Ratio, breaks: impl Fn(f64, f64) -> f64) -> RateEstimate {
    let (low, high, p) = match (x.estimate, x.standard_error) {
        (Some(r), Some(se)) => (Some((r - 1.96 * se).max(0.0)), Some((r + 1.96 * se).min(1.0)), Some(breaks(r, se))),
        _ => (None, None, None),
    };
    RateEstimate {
        households: x.households,
        estimate: x.estimate,
        standard_error: x.standard_error,
        ci_low: low,
        ci_high: high,
        probability_breaks: p,
        single_village_strata: x.single_village_strata,
        villages: x.villages,
    }
}

/// P(true rate ≥ max) under N(r, se²); a zero standard error decides it outright.
fn p_at_least(max: f64) -> impl Fn(f64, f64) -> f64 {
    move |r, se| if se == 0.0 { f64::from(u8::from(r >= max)) } else { 1.0 - normal_cdf((max - r) / se) }
}

fn p_below(min: f64) -> impl Fn(f64, f64) -> f64 {
    move |r, se| if se == 0.0 { f64::from(u8::from(r < min)) } else { normal_cdf((min - r) / se) }
}

/// Estimate every county of a sample from its field results (keyed by household number).
pub fn estimate(sample: &[Sampled], results: &HashMap<String, FieldResult>, t: Thresholds) -> Vec<CountyEstimate> {
    let mut by_county: BTreeMap<&str, Vec<&Sampled>> = BTreeMap::new();
    for s in sample {
        by_county.entry(s.county.as_str()).or_default().push(s);
    }
    by_county
        .into_iter()
        .map(|(county, units)| {
            let result = |u: &Sampled| results.get(&u.household_id);
            let exited = |u: &Sampled| {
                u.household_stratum == "registered" && matches!(u.status.as_deref(), Some("05") | Some("03"))
            };
            let wrong = ratio(&units, |u| {
                if !exited(u) {
                    return None;
                }
                let wrong = result(u)?.wrong_exit?;
                Some((if wrong { u.size as f64 } else { 0.0 }, u.size as f64))
            });
            let missed = ratio(&units, |u| {
                if u.household_stratum != "unregistered" {
                    return None;
                }
                Some((result(u)?.missed_persons?, u.size as f64))
            });
            let recognition = ratio(&units, |u| Some((if result(u)?.approves? { 1.0 } else { 0.0 }, 1.0)));
            let wrong = rate(wrong, p_at_least(t.wrong_exit_rate_max));
            let missed = rate(missed, p_at_least(t.missed_rate_max));
            let recognition = rate(recognition, p_below(t.recognition_min));
            let passes = match (wrong.estimate, missed.estimate, recognition.estimate) {
                (Some(a), Some(b), Some(c)) => {
                    Some(a < t.wrong_exit_rate_max && b < t.missed_rate_max && c >= t.recognition_min)
                }
                _ => None,
            };
            let probability_passes =
                match (wrong.probability_breaks, missed.probability_breaks, recognition.probability_breaks) {
                    (Some(a), Some(b), Some(c)) => Some((1.0 - a) * (1.0 - b) * (1.0 - c)),
                    _ => None,
                };
            CountyEstimate {
                county: county.to_string(),
                wrong_exit_rate: wrong,
                missed_rate: missed,
                recognition_rate: recognition,
                passes,
                probability_passes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(village: &str, stratum: &str, weight: f64, size: i64) -> Sampled {
        Sampled {
            county: "433127".into(),
            village_code: village.into(),
            village_stratum: stratum.into(),
            household_id: format!("{village}-{weight}-{size}"),
            household_stratum: "registered".into(),
            risk_stratum: "other".into(),
            status: Some("03".into()),
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

    #[test]
    fn a_ratio_and_its_linearised_variance_by_hand() {
        // Two villages in one stratum, y/x = (2/4 with weight 1) and (0/2 with weight 3):
        // R = (1·2 + 3·0) / (1·4 + 3·2) = 0.2. z = w(y − R·x)/X̂: village A (2 − 0.8)/10 = 0.12,
        // village B 3(0 − 0.4)/10 = −0.12. V = 2/1 · (0.12² + 0.12²) = 0.0576, SE = 0.24.
        let a = unit("A", "poor", 1.0, 4);
        let b = unit("B", "poor", 3.0, 2);
        let units = vec![&a, &b];
        let x = ratio(&units, |u| Some((if u.village_code == "A" { 2.0 } else { 0.0 }, u.size as f64)));
        let (n, r, se) = (x.households, x.estimate, x.standard_error);
        assert_eq!(n, 2);
        assert!((r.unwrap() - 0.2).abs() < 1e-12);
        assert!((se.unwrap() - 0.24).abs() < 1e-12, "{se:?}");
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-9);
        assert_eq!(normal_cdf(0.0), 0.5);
    }
}
