//! `estimate`: each county's error rates from the field results of a sample.

use std::path::{Path, PathBuf};

use super::load_pack;
use crate::Error;
use crate::messages::Lang;
use crate::register::Aliases;
use crate::report::{self, Staging};

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
) -> Result<(Vec<crate::inspect::estimate::CountyEstimate>, Vec<PathBuf>), Error> {
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
    let results = crate::inspect::read_results(results_file, aliases, lang)?;
    let est = estimate::estimate(&sample, &results, t);
    let rows: Vec<crate::inspect::EstimateRow> = est.iter().flat_map(crate::inspect::EstimateRow::of).collect();
    report::write_csv_rows(&mut staging, "estimates.csv", &rows)?;
    let (path, mut file) = staging.file("estimates.json")?;
    let text = serde_json::to_string_pretty(&est).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    let written = staging.commit()?;
    Ok((est, written))
}
