//! The register's hierarchy, in one place: person → household → village → county, which
//! rows of a level belong to which row above, the county of a village (the first six digits
//! of its code, GB/T 2260), and which members are living (DOMAIN.md: only living members
//! count in a household's aggregates). The key checks, the county split and evaluation all
//! read it from here.

use std::collections::HashMap;

use polars::prelude::{NewChunkedArray, PlHashMap, StringChunked};

use super::{CodeList, Register, Table};

/// Each child's parent row, and (for members) whether each child counts.
pub type Parents<'a> = (&'a [Option<u32>], Option<&'a [bool]>);

/// No county known for a row (a person whose household is missing).
pub const NO_COUNTY: u32 = u32::MAX;

/// The county code of a village code: its first six digits (the whole code if shorter, which
/// the loader never lets through: village codes are twelve digits).
pub fn county_of_village(village_code: &str) -> &str {
    village_code.get(..6).unwrap_or(village_code)
}

/// A member counts as living unless their health is 05 (deceased); unknown health counts.
pub fn is_living(health_code: Option<u8>) -> bool {
    health_code.is_none() || health_code != CodeList::Health.index_of("05")
}

/// How rows of a lower level belong to rows of a higher one.
pub struct Hierarchy {
    /// Per person row: its household row.
    pub person_household: Vec<Option<u32>>,
    /// Per person row: living (health is not 05; null counts as living).
    pub person_living: Vec<bool>,
    /// Per household row: its village row, its county row.
    pub household_village: Vec<Option<u32>>,
    pub household_county: Vec<Option<u32>>,
    /// Per village row: its county row.
    pub village_county: Vec<Option<u32>>,
    /// County codes (first 6 digits of village codes), sorted, and their indexes.
    pub county_codes: Vec<String>,
    pub code_index: HashMap<String, u32>,
    /// Per household and per village row: index of its county code.
    pub household_code: Vec<u32>,
    pub village_code: Vec<u32>,
}

/// A text column of a table (empty when the table or column is absent). Cloning a
/// column is cheap: the values are shared, not copied.
fn str_column(reg: &Register, t: Table, col: &str) -> StringChunked {
    reg.table(t)
        .and_then(|lt| lt.frame.column(col).ok())
        .and_then(|c| c.str().ok().cloned())
        .unwrap_or_else(|| StringChunked::from_slice_options(col.into(), &[] as &[Option<&str>]))
}

fn index_of(keys: &StringChunked) -> PlHashMap<&str, u32> {
    keys.iter().enumerate().filter_map(|(i, k)| k.map(|k| (k, i as u32))).collect()
}

/// `f` of every key, computed once per run of equal keys (children come grouped by parent
/// in exports, so most lookups are skipped); a null key gives `None`.
fn by_runs<'a, T: Copy>(keys: &'a StringChunked, f: impl Fn(&'a str) -> Option<T>) -> Vec<Option<T>> {
    let mut last: Option<(&str, Option<T>)> = None;
    keys.iter()
        .map(|k| {
            let k = k?;
            match last {
                Some((l, v)) if l == k => v,
                _ => {
                    let v = f(k);
                    last = Some((k, v));
                    v
                }
            }
        })
        .collect()
}

impl Hierarchy {
    /// The links of a loaded register (the key checks' parent rows where they still hold).
    pub fn of(reg: &Register) -> Hierarchy {
        let v_codes = str_column(reg, Table::Villages, "village_code");
        let v_index = index_of(&v_codes);
        let c_codes = str_column(reg, Table::Counties, "county_code");
        let c_index = index_of(&c_codes);
        let county_of = |v: &str| c_index.get(county_of_village(v)).copied();

        // The key checks found each member's household row; found again only when rows were
        // set aside or the register was filtered.
        let found = |t: Table| {
            let lt = reg.table(t)?;
            let rows = lt.parent_rows.as_ref().filter(|r| r.len() == lt.frame.height())?;
            Some(rows.clone())
        };
        // The members' links (3.2M rows for 1M households) are found while the households'
        // are, on the other thread.
        let members = || {
            let person_household = found(Table::Persons).unwrap_or_else(|| {
                let hh_ids = str_column(reg, Table::Households, "household_id");
                let hh_index = index_of(&hh_ids);
                by_runs(&str_column(reg, Table::Persons, "household_id"), |h| hh_index.get(h).copied())
            });
            let person_living = match reg
                .table(Table::Persons)
                .and_then(|t| t.frame.column("health").ok())
                .and_then(|c| c.u8().ok().cloned())
            {
                Some(h) => h.iter().map(is_living).collect(),
                None => vec![true; reg.rows(Table::Persons)],
            };
            (person_household, person_living)
        };
        let households = || {
            let hh_villages = str_column(reg, Table::Households, "village_code");
            let household_village =
                found(Table::Households).unwrap_or_else(|| by_runs(&hh_villages, |v| v_index.get(v).copied()));
            let household_county = by_runs(&hh_villages, county_of);
            let village_county = v_codes.iter().map(|v| v.and_then(county_of)).collect();
            let mut county_codes: Vec<String> = by_runs(&hh_villages, |v| Some(county_of_village(v)))
                .into_iter()
                .flatten()
                .chain(v_codes.iter().flatten().map(county_of_village))
                .chain(c_codes.iter().flatten())
                .collect::<std::collections::BTreeSet<&str>>()
                .into_iter()
                .map(str::to_string)
                .collect();
            county_codes.shrink_to_fit();
            let code_index: HashMap<String, u32> =
                county_codes.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect();
            let code_of =
                |v: Option<&str>| v.and_then(|v| code_index.get(county_of_village(v)).copied()).unwrap_or(NO_COUNTY);
            let household_code =
                by_runs(&hh_villages, |v| Some(code_of(Some(v)))).into_iter().map(|c| c.unwrap_or(NO_COUNTY)).collect();
            let village_code = v_codes.iter().map(code_of).collect();
            Hierarchy {
                county_codes,
                code_index,
                household_code,
                village_code,
                person_household: vec![],
                person_living: vec![],
                household_village,
                household_county,
                village_county,
            }
        };
        let ((person_household, person_living), households) = rayon::join(members, households);
        Hierarchy { person_household, person_living, ..households }
    }
}

impl Hierarchy {
    /// Which row above each row of `over` belongs to, and (for members) whether it counts,
    /// for a `table` rule aggregating `over`'s rows; `None` when `table` cannot aggregate them.
    pub fn parents(&self, over: Table, table: Table) -> Option<Parents<'_>> {
        Some(match (over, table) {
            (Table::Persons, Table::Households) => (&self.person_household, Some(&self.person_living)),
            (Table::Households, Table::Villages) => (&self.household_village, None),
            (Table::Households, Table::Counties) => (&self.household_county, None),
            (Table::Villages, Table::Counties) => (&self.village_county, None),
            _ => return None,
        })
    }

    /// Per row of `table`, the index of its county in [`Hierarchy::county_codes`]
    /// ([`NO_COUNTY`] if none).
    pub fn county_rows(&self, reg: &Register, table: Table) -> Vec<u32> {
        match table {
            Table::Persons => self
                .person_household
                .iter()
                .map(|h| h.and_then(|h| self.household_code.get(h as usize).copied()).unwrap_or(NO_COUNTY))
                .collect(),
            Table::Households => self.household_code.clone(),
            Table::Villages => self.village_code.clone(),
            Table::Counties => str_column(reg, Table::Counties, "county_code")
                .iter()
                .map(|k| k.and_then(|k| self.code_index.get(k).copied()).unwrap_or(NO_COUNTY))
                .collect(),
        }
    }
}

/// Which rows of a village or county table are poor (`poor_village` true, `poor_county`
/// given): the rows a village's or county's exit verdict applies to. `None` for other
/// tables, or when the column is absent.
pub fn poor_rows(reg: &super::Register, t: Table) -> Option<Vec<bool>> {
    let lt = reg.table(t)?;
    match t {
        Table::Villages => {
            Some(lt.frame.column("poor_village").ok()?.bool().ok()?.iter().map(|v| v == Some(true)).collect())
        }
        Table::Counties => Some(lt.frame.column("poor_county").ok()?.u8().ok()?.iter().map(|v| v.is_some()).collect()),
        _ => None,
    }
}
