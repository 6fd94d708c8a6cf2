//! `fields`: the dictionary of a pack and the register it reads, for a level or all four.

use std::path::Path;

use crate::Error;
use crate::register::{Aliases, Table};
use crate::rules::{self, dictionary::Dictionary};

/// The dictionary of the pack in `dir` for `year` (the pack's last year when not given).
pub fn run_fields(dir: &Path, aliases: &Aliases, year: Option<i32>, levels: &[Table]) -> Result<Dictionary, Error> {
    let pack = rules::load(dir, aliases).map_err(Error::Rules)?;
    let year = year.unwrap_or(pack.manifest.years[1]);
    pack.values_for_year(year).map_err(Error::Rules)?;
    Ok(rules::dictionary::build(&pack, &pack.aliases, year, levels))
}
