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
    let opts = LoadOptions { encoding, aliases: pack.aliases.clone(), skip_invalid: false };
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

/// The county of a code as the register's files write it: a household's (by its village),
/// a village's, or a county code itself; `None` when no file has it.
fn locate(data: &Path, opts: &LoadOptions, id: &str) -> Option<String> {
    use crate::register::{only, source};
    let known = |h: &str| Table::ALL.iter().any(|t| opts.aliases.column_for_header(*t, h).is_some());
    let raw = |t: Table| {
        let (path, format) = source::find_table_file(data, t.name()).ok()??;
        source::read(&path, format, opts.encoding, &known).ok()
    };
    if let Some(h) = raw(Table::Households)
        && let Some((_, village)) = only::find(&h, Table::Households, "household_id", id, "village_code", &opts.aliases)
    {
        return village.map(|v| county_of_village(&v).to_string());
    }
    for t in [Table::Villages, Table::Counties] {
        let Some(r) = raw(t) else { continue };
        if only::find(&r, t, t.key(), id, t.key(), &opts.aliases).is_some() {
            return Some(if t == Table::Villages { county_of_village(id).to_string() } else { id.to_string() });
        }
    }
    None
}

/// What `explain` found for a code.
pub enum Explained {
    Household(Box<crate::report::explain::Explanation>),
    Area(Box<crate::report::explain::AreaExplanation>),
}

/// `explain`: why a household, a village or a county came out as it did (`None` if the
/// register has none with that code). Only the county concerned is evaluated.
pub fn run_explain(
    data: &Path,
    rules_dir: &Path,
    year: i32,
    aliases: &Aliases,
    id: &str,
    lang: crate::messages::Lang,
) -> Result<Option<Explained>, Error> {
    let (pack, values) = load_pack(rules_dir, year, aliases)?;
    let opts = LoadOptions { encoding: Encoding::Auto, aliases: pack.aliases.clone(), skip_invalid: false };
    // Only the county concerned is read, typed and checked (found from the files as
    // written); a code not found reads the whole register, which then says so.
    let loaded = match locate(data, &opts, id) {
        Some(county) => {
            let loaded = crate::register::load_county(data, &[Table::Persons, Table::Households], &opts, &county)?;
            if !loaded.errors.is_empty() {
                return Err(Error::InputErrors(loaded.errors));
            }
            loaded.register
        }
        None => load_register(data, &opts)?,
    };
    explain_in(&pack, values, year, &loaded, id, lang)
}

/// What `explain` says of a code in a register already loaded (`tuopin serve` holds one):
/// only the code's county is evaluated. `None` if the register has no such code.
pub fn explain_in(
    pack: &Pack,
    values: std::collections::HashMap<String, f64>,
    year: i32,
    loaded: &crate::register::Register,
    id: &str,
    lang: crate::messages::Lang,
) -> Result<Option<Explained>, Error> {
    use crate::report::explain as ex;
    let has = |t: Table, col: &str| {
        loaded
            .table(t)
            .and_then(|lt| lt.frame.column(col).ok()?.str().ok().map(|c| c.iter().any(|v| v == Some(id))))
            .unwrap_or(false)
    };
    let (table, county) = if has(Table::Households, "household_id") {
        let village = loaded.table(Table::Households).and_then(|h| {
            let ids = h.frame.column("household_id").ok()?.str().ok()?;
            let villages = h.frame.column("village_code").ok()?.str().ok()?;
            ids.iter().zip(villages.iter()).find(|(x, _)| *x == Some(id)).and_then(|(_, v)| v.map(str::to_string))
        });
        (Table::Households, village.map(|v| county_of_village(&v).to_string()))
    } else if has(Table::Villages, "village_code") {
        (Table::Villages, Some(county_of_village(id).to_string()))
    } else if has(Table::Counties, "county_code") {
        (Table::Counties, Some(id.to_string()))
    } else {
        return Ok(None);
    };
    let part;
    let register = match county {
        // A register that is that county already (the studio keeps counties split) is used
        // as it is.
        Some(c) if !only_county(loaded, &c) => {
            part = loaded.county(&c);
            &part
        }
        _ => loaded,
    };
    let outcomes = eval::evaluate(pack, register, year, values, &|_| {})?;
    Ok(match table {
        Table::Households => ex::explain(pack, register, &outcomes, id).map(|mut e| {
            e.conclusion = ex::conclusion(pack, register, &outcomes, table, id, lang, &pack.aliases);
            Explained::Household(Box::new(e))
        }),
        _ => ex::explain_area(pack, register, &outcomes, table, id, lang, &pack.aliases)
            .map(|e| Explained::Area(Box::new(e))),
    })
}

/// Whether every household, village and county of a register is of county `c`.
pub fn only_county(reg: &crate::register::Register, c: &str) -> bool {
    let all = |t: Table, col: &str, county: &dyn Fn(&str) -> &str| {
        reg.table(t).is_none_or(|lt| match lt.frame.column(col).ok().and_then(|x| x.str().ok()) {
            Some(v) => v.iter().all(|x| x.is_some_and(|x| county(x) == c)),
            None => lt.frame.height() == 0,
        })
    };
    all(Table::Households, "village_code", &county_of_village)
        && all(Table::Villages, "village_code", &county_of_village)
        && all(Table::Counties, "county_code", &|x| x)
}

/// The county of a code in a register: a household's (by its village), a village's, or a
/// county code itself; `None` when the register has no such code.
pub fn county_of_code(reg: &crate::register::Register, id: &str) -> Option<String> {
    let column = |t: Table, col: &str| reg.table(t).and_then(|lt| lt.frame.column(col).ok()?.str().ok().cloned());
    if let (Some(ids), Some(villages)) =
        (column(Table::Households, "household_id"), column(Table::Households, "village_code"))
        && let Some(i) = ids.iter().position(|x| x == Some(id))
    {
        return villages.get(i).map(|v| county_of_village(v).to_string());
    }
    if column(Table::Villages, "village_code").is_some_and(|v| v.iter().any(|x| x == Some(id))) {
        return Some(county_of_village(id).to_string());
    }
    column(Table::Counties, "county_code").filter(|v| v.iter().any(|x| x == Some(id))).map(|_| id.to_string())
}

/// Write an explanation's printable page (`<code>.html`) into `out`, all or nothing.
pub fn write_explain_html(
    text: &str,
    id: &str,
    data: &Path,
    out: &Path,
    lang: crate::messages::Lang,
) -> Result<Vec<std::path::PathBuf>, Error> {
    use crate::report::{self, Staging};
    let mut staging = Staging::begin(out, "explain", report::Inputs { folders: &[data], files: &[] })?;
    let name: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let (path, mut file) = staging.file(&format!("{name}.html"))?;
    std::io::Write::write_all(&mut file, report::explain::to_html(text, lang).as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    staging.commit()
}
