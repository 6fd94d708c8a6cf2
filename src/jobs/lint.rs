//! `lint`: a pack's errors and warnings, and (on request) the plan its rules would run on.

use std::path::Path;

use crate::Error;
use crate::eval::Plan;
use crate::eval::compiled::RulePath;
use crate::register::Aliases;
use crate::rules::{self, Pack, diagnostic::Diagnostic};

/// What `lint` found: errors, warnings, and the pack with its planned paths when they were
/// asked for and the pack loads.
pub struct Linted {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub plan: Option<(Pack, Vec<RulePath>)>,
}

/// Lint a pack; with `paths`, also plan it (without a register: every optional field is
/// assumed present) for `year`, or the last year the pack covers.
pub fn run_lint(dir: &Path, aliases: &Aliases, paths: bool, year: Option<i32>) -> Result<Linted, Error> {
    let (errors, warnings) = rules::lint::run(dir, aliases);
    let mut plan = None;
    if paths
        && errors.is_empty()
        && let Ok(pack) = rules::load(dir, aliases)
    {
        let year = year.unwrap_or(pack.manifest.years[1]);
        let values = pack.values_for_year(year).map_err(Error::Rules)?;
        let p = Plan::without_register(&pack, year, &values).paths;
        plan = Some((pack, p));
    }
    Ok(Linted { errors, warnings, plan })
}
