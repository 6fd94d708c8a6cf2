//! `explain`: one household's county evaluated, and the household's explanation built from it.

use crate::register::hierarchy::county_of_village;
use std::path::Path;

use super::{load_pack, load_register};
use crate::Error;
use crate::eval::{self, Outcomes};
use crate::register::{Aliases, Encoding, LoadOptions, Table};
use crate::rules::Pack;

/// A register evaluated with a pack, for the commands that read outcomes (`explain`,
/// `test`, `diff`).
pub struct Evaluated {
    pub pack: Pack,
    pub register: crate::register::Register,
    pub outcomes: Outcomes,
}

/// Load a pack and a register and evaluate only the county of one household (village and
/// county results are complete within a county), for `explain`. Input errors stop it.
pub fn evaluate_household_county(
    data: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
    encoding: Encoding,
    household_id: &str,
) -> Result<Evaluated, Error> {
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let opts = LoadOptions { encoding, aliases: aliases.clone(), skip_invalid: false };
    let loaded = load_register(data, &opts)?;
    let county = loaded.table(Table::Households).and_then(|h| {
        let ids = h.frame.column("household_id").ok()?.str().ok()?;
        let villages = h.frame.column("village_code").ok()?.str().ok()?;
        ids.iter()
            .zip(villages.iter())
            .find(|(id, _)| *id == Some(household_id))
            .and_then(|(_, v)| v.map(|v| county_of_village(v).to_string()))
    });
    let register = match county {
        Some(c) => loaded.county(&c),
        None => loaded,
    };
    let outcomes = eval::evaluate(&pack, &register, year, values, &|_| {})?;
    Ok(Evaluated { pack, register, outcomes })
}

/// `explain`: why a household came out as it did (`None` if the register has no such
/// household).
pub fn run_explain(
    data: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
    household_id: &str,
) -> Result<Option<crate::report::explain::Explanation>, Error> {
    let ev = evaluate_household_county(data, rules_dir, year, aliases, Encoding::Auto, household_id)?;
    Ok(crate::report::explain::explain(&ev.pack, &ev.register, &ev.outcomes, household_id))
}
