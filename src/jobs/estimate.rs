//! `estimate`: each county's error rates from the field results of a sample.

use std::path::{Path, PathBuf};

use super::load_pack;
use crate::Error;
use crate::messages::Lang;
use crate::register::Aliases;
use crate::report::{self, Staging};

/// What `estimate` found: each county's estimates, its coverage (households sampled, with
/// a field result), and the files written.
pub struct Estimated {
    pub estimates: Vec<crate::inspect::estimate::CountyEstimate>,
    pub coverage: std::collections::BTreeMap<String, (usize, usize)>,
    pub written: Vec<PathBuf>,
}

/// `estimate`: read a sample (`sample.csv`) and the field results, estimate each county's
/// rates against the pack's thresholds for `year`, and write `estimates.csv` and
/// `estimates.json` to `out`.
pub fn run_estimate(
    sample_file: &Path,
    results_file: &Path,
    rules_dir: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
    lang: Lang,
) -> Result<Estimated, Error> {
    use crate::inspect::estimate;
    let (_pack, values) = load_pack(rules_dir, year, aliases)?;
    let get = |k: &str| {
        values.get(k).copied().ok_or_else(|| {
            Error::Usage(crate::messages::missing_parameter(lang, &rules_dir.display().to_string(), k, year))
        })
    };
    let t = estimate::Thresholds {
        wrong_exit_rate_max: get("county_wrong_exit_rate_max")?,
        missed_rate_max: get("county_missed_rate_max")?,
        recognition_min: get("county_recognition_min")?,
    };
    let mut staging =
        Staging::begin(out, "estimate", report::Inputs { folders: &[], files: &[sample_file, results_file] })?;
    let sample = crate::inspect::read_sample(sample_file)?;
    let ids: std::collections::HashSet<&str> = sample.iter().map(|s| s.household_id.as_str()).collect();
    let results = crate::inspect::read_results(results_file, aliases, lang, &ids)?;
    let est = estimate::estimate(&sample, &results, t);
    // Per county: households sampled, and those with at least one field result.
    let mut coverage: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for s in &sample {
        let c = coverage.entry(s.county.clone()).or_default();
        c.0 += 1;
        if results
            .get(&s.household_id)
            .is_some_and(|r| r.wrong_exit.is_some() || r.missed_persons.is_some() || r.approves.is_some())
        {
            c.1 += 1;
        }
    }
    let rows: Vec<crate::inspect::EstimateRow> = est.iter().flat_map(crate::inspect::EstimateRow::of).collect();
    report::write_csv_rows(&mut staging, "estimates.csv", &rows)?;
    let (path, mut file) = staging.file("estimates.json")?;
    let text = serde_json::to_string_pretty(&est).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let (path, _) = staging.file("estimates.xlsx")?;
    report::quality::write_estimates_xlsx(&est, &path, lang)?;
    let written = staging.commit()?;
    Ok(Estimated { estimates: est, coverage, written })
}
