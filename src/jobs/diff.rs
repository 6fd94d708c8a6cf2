//! `diff`: two packs (or one pack at two years) over one register.

use std::path::{Path, PathBuf};

use super::{load_options, load_pack, load_register};
use crate::Error;
use crate::eval;
use crate::messages::Lang;
use crate::register::Aliases;
use crate::report::{self, Staging};

/// `diff`: evaluate one register with two packs (or one pack at two years) and write the
/// changes (`diff.xlsx`, `changes.csv`) to `out`. Input errors stop it (they are returned).
#[allow(clippy::too_many_arguments)]
pub fn run_diff(
    data: &Path,
    base: &Path,
    base_year: i32,
    new: &Path,
    year: i32,
    out: &Path,
    aliases: &Aliases,
    lang: Lang,
) -> Result<(crate::report::diff::Diff, Vec<PathBuf>), Error> {
    let (base_pack, base_values) = load_pack(base, base_year, aliases)?;
    let (new_pack, new_values) = load_pack(new, year, aliases)?;
    let mut staging = Staging::begin(out, "diff", report::Inputs { folders: &[data], files: &[] })?;
    // Read with the new pack's declared fields (a field only the base pack declares reads
    // as absent: its rules come out unknown).
    let register = load_register(data, &load_options(&new_pack.aliases))?;
    crate::timing::lap("register loaded");
    let b = eval::evaluate(&base_pack, &register, base_year, base_values, &|_| {})?;
    crate::timing::lap("base evaluated");
    let n = eval::evaluate(&new_pack, &register, year, new_values, &|_| {})?;
    crate::timing::lap("new evaluated");
    let d = crate::report::diff::diff(&base_pack, &b, &new_pack, &n);
    crate::timing::lap("compared");
    let (path, _) = staging.file("diff.xlsx")?;
    crate::report::diff::write_xlsx(&d, &register, &path, lang)?;
    crate::timing::lap("diff.xlsx");
    report::write_csv_rows(&mut staging, "changes.csv", &d.changes)?;
    crate::timing::lap("changes.csv");
    let written = staging.commit()?;
    Ok((d, written))
}
