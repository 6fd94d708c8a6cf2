//! Each command's job end to end, one module per command (`check`, `explain`, `diff`,
//! `validate`, `sample`, `estimate`, `gen`, `lint`, `load`, `cases` for `test`): load the packs and the register, stop on input errors
//! (or set rows aside), evaluate, and write the results. `main.rs` only parses arguments and
//! prints what these return.

pub mod cases;
mod check;
mod diff;
mod estimate;
mod explain;
mod fields;
mod generate;
mod lint;
mod load;
mod sample;
mod validate;

use std::path::Path;

pub use check::{ByCounty, CheckOptions, CheckResult, county_folders, run, run_by_county};
pub use diff::run_diff;
pub use estimate::{Estimated, run_estimate};
pub use explain::{
    Evaluated, Explained, county_of_code, evaluate_household_county, explain_in, run_explain, write_explain_html,
};
pub use fields::run_fields;
pub use generate::{GenRequest, Generated, run_gen};
pub use lint::{Linted, run_lint};
pub use load::{TableRead, run_load};
pub use sample::{Drawn, per_county, run_sample, sampling_frame};
pub use validate::{AssessInputs, Assessment, Validation, assess_register, run_validate};

use crate::Error;
use crate::register::{self, Aliases, LoadOptions, Register, Table};
use crate::rules::{self, Pack};

/// Load and check a pack, with its parameters for the year.
pub fn load_pack(
    dir: &Path,
    year: i32,
    aliases: &Aliases,
) -> Result<(Pack, std::collections::HashMap<String, f64>), Error> {
    let pack = rules::load(dir, aliases).map_err(Error::Rules)?;
    let values = pack.values_for_year(year).map_err(Error::Rules)?;
    Ok((pack, values))
}

/// Load a register for a command that cannot go on without every row (`explain`, `diff`,
/// `validate`, `sample`): its input errors stop the command (they are returned).
pub fn load_register(data: &Path, opts: &LoadOptions) -> Result<Register, Error> {
    let loaded = register::load(data, &[Table::Persons, Table::Households], opts)?;
    if !loaded.errors.is_empty() {
        return Err(Error::InputErrors(loaded.errors));
    }
    Ok(loaded.register)
}

/// The default load options with an alias table.
pub(crate) fn load_options(aliases: &Aliases) -> LoadOptions {
    LoadOptions { aliases: aliases.clone(), ..Default::default() }
}
