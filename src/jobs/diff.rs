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
    crate::timing::lap("start");
    let (base_pack, base_values) = load_pack(base, base_year, aliases)?;
    let (new_pack, new_values) = load_pack(new, year, aliases)?;
    crate::timing::lap("packs loaded");
    let mut staging = Staging::begin(out, "diff", report::Inputs { folders: &[data], files: &[] })?;
    // Read with the new pack's declared fields (a field only the base pack declares reads
    // as absent: its rules come out unknown).
    let register = load_register(data, &load_options(&new_pack.aliases))?;
    crate::timing::lap("register loaded");
    // Outcomes only: the reasons of each row are not compared.
    let outcomes = |pack: &crate::rules::Pack, year: i32, values| {
        let mut plan = eval::Plan::for_register(pack, year, &values, &register, eval::Engine::Auto);
        plan.reasons = false;
        eval::evaluate_plan(pack, &plan, &register, year, values, &|_| {})
    };
    let b = outcomes(&base_pack, base_year, base_values)?;
    crate::timing::lap("base evaluated");
    let n = outcomes(&new_pack, year, new_values)?;
    crate::timing::lap("new evaluated");
    let links = crate::register::hierarchy::Hierarchy::of(&register);
    let d = crate::report::diff::diff(&base_pack, &b, &new_pack, &n, &links.person_household);
    crate::timing::lap("compared");
    // The workbook and the CSV are written at the same time (the CSV's text is made in
    // parallel too): each waits on its own work, not on the other's.
    let (xlsx, _) = staging.file("diff.xlsx")?;
    let (csv, file) = staging.file("changes.csv")?;
    let (book, rows) = std::thread::scope(|s| {
        let book = s.spawn(|| {
            let r = crate::report::diff::write_xlsx(&d, &register, &xlsx, lang);
            crate::timing::lap("diff.xlsx");
            r
        });
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let rows = std::io::Write::write_all(&mut w, report::UTF8_BOM)
            .and_then(|_| crate::report::diff::write_changes(&d, &b, &n, &mut w))
            .and_then(|_| std::io::Write::flush(&mut w))
            .map_err(|e| Error::io(&csv, e));
        crate::timing::lap("changes.csv");
        (book.join(), rows)
    });
    // A panic in the workbook's thread is the program's fault: it goes on as one.
    book.unwrap_or_else(|p| std::panic::resume_unwind(p))?;
    rows?;
    let written = staging.commit()?;
    Ok((d, written))
}
