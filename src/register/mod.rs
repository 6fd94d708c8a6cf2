//! Reading a register: a folder holding some of `persons`, `households`, `villages` and
//! `counties`, each as Parquet, CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), NDJSON or XLSX,
//! with English or Chinese headers and codes or their Chinese labels.
//!
//! Loading goes file → raw table (`source`) → typed frame (`convert`) → cross-table checks
//! (keys, duplicates, missing parents; here). Every input error of `DOMAIN.md` is collected,
//! not just the first. With `skip_invalid`, the rows in error and the rows that depend on
//! them are set aside, and each kept row records whether something below it was set aside
//! (`partial`), so that every aggregate that would have counted those rows is unknown.
//! Input files are only ever opened for reading.

pub mod aliases;
pub mod convert;
pub mod errors;
pub mod flat;
pub mod hierarchy;
pub mod only;
pub mod resident_id;
pub mod schema;
pub mod source;

use std::collections::BTreeMap;

// foldhash-keyed maps from polars: the key checks hash millions of IDs.
type HashMap<K, V> = PlHashMap<K, V>;
type HashSet<K> = PlHashSet<K>;
use std::path::Path;

use polars::prelude::*;

pub use aliases::Aliases;
pub use errors::{InputError, Problem};
pub use schema::{CodeList, ColumnSpec, Kind, Table};
pub use source::{Encoding, Format};

/// One table of a loaded register.
#[derive(Clone)]
pub struct LoadedTable {
    /// The file it came from, as shown in messages.
    pub file: String,
    /// The rows kept, in file order, with canonical typed columns.
    pub frame: DataFrame,
    /// Canonical columns the file had.
    pub present: Vec<&'static str>,
    /// Per kept row: a row below it (a member, a household, a village) was set aside.
    pub partial: Vec<bool>,
    /// Per row of persons and households: the row of its household or village, as found
    /// by the key checks (`None` once rows are set aside or the table is filtered).
    pub parent_rows: Option<Vec<Option<u32>>>,
}

/// A register in memory.
#[derive(Clone, Default)]
pub struct Register {
    pub tables: BTreeMap<Table, LoadedTable>,
    /// Keys of the rows set aside under `--skip-invalid`, per table (row number when the
    /// key itself is missing).
    pub set_aside: BTreeMap<Table, Vec<String>>,
}

impl Register {
    pub fn table(&self, t: Table) -> Option<&LoadedTable> {
        self.tables.get(&t)
    }

    pub fn rows(&self, t: Table) -> usize {
        self.tables.get(&t).map(|l| l.frame.height()).unwrap_or(0)
    }

    /// Free the columns of `t` that `keep` does not name (its key columns, its own key and
    /// its parent's, always stay). `present` is left as the file had it: a column freed here
    /// was in the file, and whoever asks for it later gets no column (an error or "-"), never
    /// a silent unknown taken for the file's.
    pub fn free_columns(&mut self, t: Table, keep: &dyn Fn(&str) -> bool) {
        let Some(lt) = self.tables.get_mut(&t) else { return };
        let key = |c: &str| t.columns().iter().any(|s| s.key && s.name == c);
        let gone: Vec<PlSmallStr> = lt
            .frame
            .get_column_names()
            .into_iter()
            .filter(|c| !key(c.as_str()) && !keep(c.as_str()))
            .cloned()
            .collect();
        lt.frame = lt.frame.drop_many(gone);
    }
}

/// How to load.
#[derive(Clone, Default)]
pub struct LoadOptions {
    pub encoding: Encoding,
    pub aliases: Aliases,
    pub skip_invalid: bool,
}

/// The result of loading: the register (rows in error set aside) and every input error.
pub struct Loaded {
    pub register: Register,
    pub errors: Vec<InputError>,
}

/// Load a register folder. `required` tables missing are input errors.
pub fn load(dir: &Path, required: &[Table], opts: &LoadOptions) -> Result<Loaded, crate::Error> {
    load_some(dir, required, opts, None)
}

/// Load one county of a register folder (`explain`): the other counties' rows are left out
/// before they are typed and checked (see [`only`]). A register whose persons file carries
/// the households' columns is read whole.
pub fn load_county(dir: &Path, required: &[Table], opts: &LoadOptions, county: &str) -> Result<Loaded, crate::Error> {
    load_some(dir, required, opts, Some(county))
}

fn load_some(dir: &Path, required: &[Table], opts: &LoadOptions, county: Option<&str>) -> Result<Loaded, crate::Error> {
    if !dir.is_dir() {
        return Err(crate::Error::NotAFolder(dir.to_path_buf()));
    }
    let known = |h: &str| Table::ALL.iter().any(|t| opts.aliases.column_for_header(*t, h).is_some());
    // For one county: its households first, and their IDs to keep their members by.
    let mut county_households: Option<(source::RawTable, std::collections::HashSet<String>)> = None;
    let read_of_county =
        |path: &Path, format: Format, table: Table, county: &str, ids: &std::collections::HashSet<String>| match format
        {
            Format::Parquet => only::read_parquet_of_county(path, table, county, ids, &opts.aliases)
                .map_or_else(|| source::read(path, format, opts.encoding, &known), Ok),
            _ => source::read(path, format, opts.encoding, &known),
        };
    if let Some(c) = county
        && let Ok(Some((path, format))) = source::find_table_file(dir, Table::Households.name())
        && let Ok(raw) = read_of_county(&path, format, Table::Households, c, &Default::default())
        && let Some(keep) = only::rows_of_county(&raw, Table::Households, c, &Default::default(), &opts.aliases)
    {
        let raw = only::keep_rows(raw, &keep);
        let ids = only::cells(&raw, Table::Households, "household_id", &opts.aliases)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        county_households = Some((raw, ids));
    }
    let mut errors = vec![];
    let mut typed: BTreeMap<Table, (String, convert::Typed)> = BTreeMap::new();
    let mut lines: HashMap<String, source::RowLines> = HashMap::new();
    // The household part of a flat person-level file, read with the persons.
    let mut flat_households: Option<source::RawTable> = None;
    for table in Table::ALL {
        if let (Table::Households, Some(raw)) = (table, flat_households.take()) {
            let file = raw.file.clone();
            lines.insert(file.clone(), raw.lines.clone());
            if let Some(t) = convert::type_table(raw, table, &opts.aliases, &mut errors) {
                typed.insert(table, (file, t));
            }
            continue;
        }
        let found = match source::find_table_file(dir, table.name()) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let Some((path, format)) = found else {
            if required.contains(&table) {
                errors.push(InputError::file(
                    &dir.join(format!("{}.{{parquet,csv,ndjson,xlsx}}", table.name())).display().to_string(),
                    Problem::MissingTable,
                ));
            }
            continue;
        };
        let read = match (table, county_households.as_mut()) {
            (Table::Households, Some((raw, _))) => Ok(std::mem::replace(raw, source::RawTable::empty())),
            (t, Some((_, ids))) if t != Table::Counties => {
                read_of_county(&path, format, t, county.unwrap_or_default(), ids)
            }
            _ => source::read(&path, format, opts.encoding, &known),
        };
        let raw = match read {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        // One county: the other counties' rows go before anything is typed.
        let raw = match (county, &county_households, table) {
            (Some(c), Some((_, ids)), t) if t != Table::Households => {
                match only::rows_of_county(&raw, t, c, ids, &opts.aliases) {
                    Some(keep) => only::keep_rows(raw, &keep),
                    None => raw,
                }
            }
            _ => raw,
        };
        crate::timing::lap(&format!("read {}", table.name()));
        let raw = if table == Table::Persons
            && flat::is_flat(&raw, &opts.aliases)
            && matches!(source::find_table_file(dir, Table::Households.name()), Ok(None))
        {
            let (persons, households) = flat::split(raw, &opts.aliases, &mut errors);
            flat_households = Some(households);
            persons
        } else {
            raw
        };
        let file = raw.file.clone();
        lines.insert(file.clone(), raw.lines.clone());
        if let Some(t) = convert::type_table(raw, table, &opts.aliases, &mut errors) {
            typed.insert(table, (file, t));
        }
        crate::timing::lap(&format!("typed {}", table.name()));
    }
    let register = cross_check(typed, &mut errors, opts.skip_invalid)?;
    crate::timing::lap("key checks");
    // Rows as the user's editor shows them (the checks above count data rows).
    for e in &mut errors {
        if let Some(l) = lines.get(&e.file) {
            e.row = e.row.map(|r| l.line(r));
            if let Problem::DuplicateKey(first)
            | Problem::DuplicateMember(first)
            | Problem::HouseholdDisagrees(first, _) = &mut e.problem
            {
                *first = l.line(*first);
            }
        }
    }
    errors.sort_by(|a, b| (a.file.as_str(), a.row, &a.column).cmp(&(b.file.as_str(), b.row, &b.column)));
    Ok(Loaded { register, errors })
}

/// A table given as text, as a case file or a form writes it: (table, name shown in
/// messages, headers, rows of cells; `None` or an empty cell is null).
pub type TextTable = (Table, String, Vec<String>, Vec<Vec<Option<String>>>);

/// Load a register given as text tables, with the same typing and key checks as files.
pub fn load_text(tables: Vec<TextTable>, opts: &LoadOptions) -> Result<Loaded, crate::Error> {
    let mut errors = vec![];
    let mut typed: BTreeMap<Table, (String, convert::Typed)> = BTreeMap::new();
    for (table, file, headers, rows) in tables {
        let mut columns = vec![source::TextColumn::default(); headers.len()];
        for row in &rows {
            for (i, c) in columns.iter_mut().enumerate() {
                c.push(row.get(i).and_then(|v| v.as_deref()));
            }
        }
        let raw = source::RawTable {
            file: file.clone(),
            headers,
            columns: columns.into_iter().map(source::RawColumn::Text).collect(),
            n_rows: rows.len(),
            errors: vec![],
            lines: source::RowLines::default(),
        };
        if let Some(t) = convert::type_table(raw, table, &opts.aliases, &mut errors) {
            typed.insert(table, (file, t));
        }
    }
    let register = cross_check(typed, &mut errors, opts.skip_invalid)?;
    Ok(Loaded { register, errors })
}

fn str_col<'a>(t: &'a convert::Typed, name: &str) -> Option<&'a StringChunked> {
    t.frame.column(name).ok().and_then(|c| c.str().ok())
}

/// Key checks across rows and tables, then setting aside rows in error and their dependents.
fn cross_check(
    mut typed: BTreeMap<Table, (String, convert::Typed)>,
    errors: &mut Vec<InputError>,
    skip_invalid: bool,
) -> Result<Register, crate::Error> {
    // A households table without `registered` is a register export: every row is registered.
    if let Some((_, t)) = typed.get_mut(&Table::Households)
        && !t.present.contains(&"registered")
    {
        let all = BooleanChunked::full("registered".into(), true, t.frame.height());
        t.frame.with_column(all.into_column())?;
        t.present.push("registered");
    }
    // Per-row checks that need more than one cell: null keys, null registered/status.
    for (table, (file, t)) in typed.iter_mut() {
        let header = |t: &convert::Typed, c: &str| {
            t.written_header.iter().find(|(n, _)| *n == c).map(|(_, h)| h.clone()).unwrap_or_else(|| c.to_string())
        };
        for spec in table.columns().iter().filter(|c| c.key) {
            let Ok(col) = t.frame.column(spec.name) else {
                continue;
            };
            let h = header(t, spec.name);
            for (row, null) in col.is_null().iter().enumerate() {
                if null == Some(true) && !t.bad[row] {
                    t.bad[row] = true;
                    errors.push(InputError::cell(file, row + 1, &h, None, Problem::NullKey));
                }
            }
        }
        if *table == Table::Households {
            let registered = t.frame.column("registered").ok().and_then(|c| c.bool().ok().cloned());
            let status_null: Vec<bool> = match t.frame.column("status") {
                Ok(c) => c.is_null().iter().map(|v| v == Some(true)).collect(),
                Err(_) => vec![false; t.frame.height()],
            };
            let (hr, hs) = (header(t, "registered"), header(t, "status"));
            for (row, &no_status) in status_null.iter().enumerate() {
                if t.bad[row] {
                    continue;
                }
                let reg = match &registered {
                    Some(r) => r.get(row),
                    None => Some(true),
                };
                match reg {
                    None => {
                        t.bad[row] = true;
                        errors.push(InputError::cell(file, row + 1, &hr, None, Problem::NullRegistered));
                    }
                    Some(true) if no_status => {
                        t.bad[row] = true;
                        errors.push(InputError::cell(file, row + 1, &hs, None, Problem::NullStatus));
                    }
                    _ => {}
                }
            }
        }
    }

    crate::timing::lap("key checks: nulls");
    // Duplicate keys in their own table. The key → first row maps are kept: they are also
    // how children find their parent below.
    let parent_tables = [Table::Households, Table::Villages, Table::Counties];
    let key_columns: Vec<Option<StringChunked>> =
        parent_tables.iter().map(|t| typed.get(t).and_then(|(_, lt)| str_col(lt, t.key()).cloned())).collect();
    let mut key_rows: BTreeMap<Table, KeyIndex> = BTreeMap::new();
    for (&table, keys) in parent_tables.iter().zip(&key_columns) {
        let Some((file, t)) = typed.get_mut(&table) else {
            continue;
        };
        let Some(keys) = keys else {
            continue;
        };
        let header =
            t.written_header.iter().find(|(n, _)| *n == table.key()).map(|(_, h)| h.clone()).unwrap_or_default();
        let (index, duplicates) = KeyIndex::new(keys);
        for (row, k, f) in duplicates {
            t.bad[row] = true;
            t.bad[f] = true;
            errors.push(InputError::cell(file, row + 1, &header, Some(k), Problem::DuplicateKey(f + 1)));
        }
        key_rows.insert(table, index);
    }
    crate::timing::lap("key checks: duplicate keys");
    // The same person twice in one household, and each child's parent row: found at the
    // same time (1M households: 0.12 s one after the other), then reported in this order
    // (a member already in error is not reported again for a missing household).
    let links: [(Table, &str, Table, usize); 3] = [
        (Table::Persons, "household_id", Table::Households, usize::MAX),
        (Table::Households, "village_code", Table::Villages, usize::MAX),
        (Table::Villages, "village_code", Table::Counties, 6),
    ];
    let members = typed
        .get(&Table::Persons)
        .and_then(|(_, t)| Some((str_col(t, "person_id")?.clone(), str_col(t, "household_id")?.clone())));
    let references: Vec<Option<StringChunked>> =
        links.iter().map(|(child, col, ..)| typed.get(child).and_then(|(_, t)| str_col(t, col).cloned())).collect();
    let (duplicates, found) = {
        use rayon::prelude::*;
        rayon::join(
            || match &members {
                Some((pid, hid)) => duplicate_members(pid, hid, key_rows.get(&Table::Households)),
                None => vec![],
            },
            || {
                links
                    .par_iter()
                    .zip(&references)
                    .map(|((_, _, parent, prefix), refs)| {
                        Some(parent_rows(refs.as_ref()?, key_rows.get(parent)?, *prefix))
                    })
                    .collect::<Vec<_>>()
            },
        )
    };
    if let Some((file, t)) = typed.get_mut(&Table::Persons) {
        let header =
            t.written_header.iter().find(|(n, _)| *n == "person_id").map(|(_, h)| h.clone()).unwrap_or_default();
        for (row, p, f) in duplicates {
            t.bad[row] = true;
            errors.push(InputError::cell(file, row + 1, &header, Some(p), Problem::DuplicateMember(f + 1)));
        }
    }
    crate::timing::lap("key checks: duplicate members");
    // Parents that are missing from a given table.
    for (((child, col, parent, prefix), refs), rows) in links.into_iter().zip(&references).zip(found) {
        let (Some(refs), Some(rows), Some((file, t))) = (refs, rows, typed.get_mut(&child)) else {
            continue;
        };
        let header = t.written_header.iter().find(|(n, _)| *n == col).map(|(_, h)| h.clone()).unwrap_or_default();
        for (row, found) in rows.iter().enumerate() {
            if found.is_none()
                && !t.bad[row]
                && let Some(r) = refs.get(row)
            {
                t.bad[row] = true;
                errors.push(InputError::cell(file, row + 1, &header, Some(r), Problem::MissingParent(parent.name())));
            }
        }
        // Each child's parent row is kept for evaluation (valid while no row is set aside).
        if prefix == usize::MAX {
            t.parent_rows = Some(rows);
        }
    }

    crate::timing::lap("key checks: missing parents");
    if !skip_invalid && !errors.is_empty() {
        // Nothing is set aside: the caller stops on the errors, and reports what it read.
        for (_, t) in typed.values_mut() {
            t.bad.iter_mut().for_each(|b| *b = false);
        }
    }
    Ok(assemble(typed))
}

/// Where each key of a table is (its first row). Children are usually listed in the order
/// of their parents, so a lookup first tries the row after the last one found; only then
/// the hash map (or, when the keys strictly increase, a binary search, and no map at all).
/// On 1M households / 3.2M members this replaced a million random hash-table probes.
struct KeyIndex<'a> {
    keys: Vec<Option<&'a str>>,
    /// `None` when the keys strictly increase.
    map: Option<HashMap<&'a str, usize>>,
}

impl<'a> KeyIndex<'a> {
    /// The index, and the rows repeating a key seen before: (row, key, first row).
    fn new(column: &'a StringChunked) -> (KeyIndex<'a>, Vec<(usize, &'a str, usize)>) {
        let keys: Vec<Option<&str>> = column.iter().collect();
        let sorted = keys.windows(2).all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a < b))
            && keys.first().is_none_or(Option::is_some);
        if sorted {
            return (KeyIndex { keys, map: None }, vec![]);
        }
        let mut first: HashMap<&str, usize> = HashMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut duplicates = vec![];
        for (row, k) in keys.iter().enumerate() {
            let Some(k) = *k else { continue };
            match first.get(k) {
                Some(&f) => duplicates.push((row, k, f)),
                None => {
                    first.insert(k, row);
                }
            }
        }
        (KeyIndex { keys, map: Some(first) }, duplicates)
    }

    /// The row of `key`; `hint` is the row found last, updated.
    fn get(&self, key: &str, hint: &mut usize) -> Option<usize> {
        let found = if self.keys.get(*hint + 1).copied().flatten() == Some(key) {
            Some(*hint + 1)
        } else if self.keys.get(*hint).copied().flatten() == Some(key) {
            Some(*hint)
        } else {
            match &self.map {
                Some(m) => m.get(key).copied(),
                None => self.keys.binary_search_by(|k| k.unwrap_or("").cmp(key)).ok(),
            }
        };
        if let Some(f) = found {
            *hint = f;
        }
        found
    }

    fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Each child's parent row by its reference (the first `prefix` characters of it when
/// `prefix` is not `usize::MAX`); `None` for a null reference or a parent not found.
/// Children usually come grouped by parent: the last answer is reused.
fn parent_rows(refs: &StringChunked, parents: &KeyIndex, prefix: usize) -> Vec<Option<u32>> {
    let mut last: Option<(&str, Option<u32>)> = None;
    let mut hint = 0;
    refs.iter()
        .map(|r| {
            let r = r?;
            let key = if prefix == usize::MAX { r } else { r.get(..prefix).unwrap_or(r) };
            let found = match last {
                Some((k, found)) if k == key => found,
                _ => parents.get(key, &mut hint).map(|r| r as u32),
            };
            last = Some((key, found));
            found
        })
        .collect()
}

/// Rows repeating a (household, person) pair seen before: (row, person, first row).
///
/// Exports list a household's members together, so each run of rows with one household is
/// checked on its own (a few members, compared directly) and only the run's household is
/// hashed. When a household's rows are not all in one run, every row is hashed by pair.
/// Measured on 3.2M persons: 0.43 s hashing every pair, 0.12 s by runs.
fn duplicate_members<'a>(
    pid: &'a StringChunked,
    hid: &'a StringChunked,
    households: Option<&KeyIndex>,
) -> Vec<(usize, &'a str, usize)> {
    let mut found = vec![];
    // Households whose run was seen: by household row where the household exists, else
    // by id. The rows are read as they come (a copy of 3.2M pairs was 100 MB).
    let mut seen_rows = vec![false; households.map(KeyIndex::len).unwrap_or(0)];
    let mut seen_ids: HashSet<&str> = HashSet::default();
    let mut hint = 0;
    let mut grouped = true;
    // The current run: its household and its members so far (row, person).
    let mut run_household: Option<Option<&str>> = None;
    let mut run: Vec<(usize, &str)> = vec![];
    for (row, (h, p)) in hid.iter().zip(pid.iter()).enumerate() {
        if run_household != Some(h) {
            run_household = Some(h);
            run.clear();
            if let Some(h) = h {
                let again = match households.and_then(|k| k.get(h, &mut hint)) {
                    Some(r) => std::mem::replace(&mut seen_rows[r], true),
                    None => !seen_ids.insert(h),
                };
                if again {
                    grouped = false;
                    break;
                }
            }
        }
        if let (Some(_), Some(p)) = (h, p) {
            if let Some(&(first, _)) = run.iter().find(|(_, q)| *q == p) {
                found.push((row, p, first));
            }
            run.push((row, p));
        }
    }
    if grouped {
        return found;
    }
    found.clear();
    let mut first: HashMap<(&str, &str), usize> = HashMap::with_capacity_and_hasher(pid.len(), Default::default());
    for (row, (h, p)) in hid.iter().zip(pid.iter()).enumerate() {
        let (Some(h), Some(p)) = (h, p) else { continue };
        match first.get(&(h, p)) {
            Some(&f) => found.push((row, p, f)),
            None => {
                first.insert((h, p), row);
            }
        }
    }
    found
}

/// Set aside the rows in error and the rows depending on them; mark partial parents.
fn assemble(typed: BTreeMap<Table, (String, convert::Typed)>) -> Register {
    // Nothing to set aside (every row of a register that passed its checks): the tables as
    // they are, without looking up 4 million keys in empty sets (1M households: 0.05 s).
    if typed.values().all(|(_, t)| !t.bad.contains(&true)) {
        let mut register = Register::default();
        for (table, (file, t)) in typed {
            let partial = vec![false; t.frame.height()];
            let (frame, present, parent_rows) = (t.frame, t.present, t.parent_rows);
            register.tables.insert(table, LoadedTable { file, frame, present, partial, parent_rows });
        }
        return register;
    }
    // Keys set aside, top down: counties → villages → households → persons.
    let keys_of_bad = |table: Table| -> HashSet<String> {
        let Some((_, t)) = typed.get(&table) else {
            return HashSet::default();
        };
        let Some(keys) = str_col(t, table.key()) else {
            return HashSet::default();
        };
        keys.iter().zip(&t.bad).filter(|(_, b)| **b).filter_map(|(k, _)| k.map(str::to_string)).collect()
    };
    let bad_counties = keys_of_bad(Table::Counties);
    let mut bad_villages = keys_of_bad(Table::Villages);
    let mut bad_households = keys_of_bad(Table::Households);
    let county_of = |v: &str| hierarchy::county_of_village(v).to_string();

    let mut keep: BTreeMap<Table, Vec<bool>> = BTreeMap::new();
    if let Some((_, t)) = typed.get(&Table::Villages)
        && let Some(codes) = str_col(t, "village_code")
    {
        let k: Vec<bool> = codes
            .iter()
            .zip(&t.bad)
            .map(|(c, b)| {
                !*b && c.is_some_and(|c| {
                    !bad_counties.contains(hierarchy::county_of_village(c)) && !bad_villages.contains(c)
                })
            })
            .collect();
        for (c, kept) in codes.iter().zip(&k) {
            if let (Some(c), false) = (c, kept) {
                bad_villages.insert(c.to_string());
            }
        }
        keep.insert(Table::Villages, k);
    }
    if let Some((_, t)) = typed.get(&Table::Households)
        && let (Some(ids), Some(codes)) = (str_col(t, "household_id"), str_col(t, "village_code"))
    {
        let k: Vec<bool> = ids
            .iter()
            .zip(codes.iter())
            .zip(&t.bad)
            .map(|((id, v), b)| {
                !*b && id.is_some_and(|id| !bad_households.contains(id))
                    && v.is_some_and(|v| {
                        !bad_villages.contains(v) && !bad_counties.contains(hierarchy::county_of_village(v))
                    })
            })
            .collect();
        for (id, kept) in ids.iter().zip(&k) {
            if let (Some(id), false) = (id, kept) {
                bad_households.insert(id.to_string());
            }
        }
        keep.insert(Table::Households, k);
    }
    // Households with a member set aside.
    let mut partial_households: HashSet<String> = HashSet::default();
    if let Some((_, t)) = typed.get(&Table::Persons)
        && let Some(hids) = str_col(t, "household_id")
    {
        let k: Vec<bool> =
            hids.iter().zip(&t.bad).map(|(h, b)| !*b && h.is_some_and(|h| !bad_households.contains(h))).collect();
        for (h, kept) in hids.iter().zip(&k) {
            if let (Some(h), false) = (h, kept) {
                partial_households.insert(h.to_string());
            }
        }
        keep.insert(Table::Persons, k);
    }
    if let Some((_, t)) = typed.get(&Table::Counties)
        && let Some(codes) = str_col(t, "county_code")
    {
        keep.insert(
            Table::Counties,
            codes.iter().zip(&t.bad).map(|(c, b)| !*b && c.is_some_and(|c| !bad_counties.contains(c))).collect(),
        );
    }

    // Villages and counties with something set aside below them.
    let mut partial_villages: HashSet<String> = HashSet::default();
    if let Some((_, t)) = typed.get(&Table::Households)
        && let (Some(ids), Some(codes)) = (str_col(t, "household_id"), str_col(t, "village_code"))
    {
        for (id, v) in ids.iter().zip(codes.iter()) {
            if let (Some(id), Some(v)) = (id, v)
                && (bad_households.contains(id) || partial_households.contains(id))
            {
                partial_villages.insert(v.to_string());
            }
        }
    }
    let partial_counties: HashSet<String> =
        partial_villages.iter().chain(bad_villages.iter()).map(|v| county_of(v)).collect();

    let dropped = |t: Table| keep.get(&t).is_some_and(|k| k.iter().any(|kept| !kept));
    let parent_rows_valid: Vec<Table> = [(Table::Persons, Table::Households), (Table::Households, Table::Villages)]
        .into_iter()
        .filter(|(child, parent)| !dropped(*child) && !dropped(*parent))
        .map(|(child, _)| child)
        .collect();
    let mut register = Register::default();
    for (table, (file, t)) in typed {
        let k = keep.remove(&table).unwrap_or_else(|| vec![true; t.frame.height()]);
        let removed: Vec<String> = match str_col(&t, table.key()) {
            Some(keys) => keys
                .iter()
                .zip(&k)
                .enumerate()
                .filter(|(_, (_, kept))| !**kept)
                .map(|(row, (key, _))| key.map(str::to_string).unwrap_or_else(|| format!("#{}", row + 1)))
                .collect(),
            None => vec![],
        };
        let frame = if removed.is_empty() {
            t.frame
        } else {
            let mask = BooleanChunked::from_iter_values("keep".into(), k.iter().copied());
            match t.frame.filter(&mask) {
                Ok(f) => f,
                Err(_) => continue,
            }
        };
        let parent_set: Option<&HashSet<String>> = match table {
            Table::Households => Some(&partial_households),
            Table::Villages => Some(&partial_villages),
            Table::Counties => Some(&partial_counties),
            Table::Persons => None,
        };
        let partial = match (parent_set, frame.column(table.key()).ok().and_then(|c| c.str().ok())) {
            (Some(set), Some(keys)) if !set.is_empty() => {
                keys.iter().map(|k| k.is_some_and(|k| set.contains(k))).collect()
            }
            _ => vec![false; frame.height()],
        };
        if !removed.is_empty() {
            register.set_aside.insert(table, removed);
        }
        let parent_rows = if parent_rows_valid.contains(&table) { t.parent_rows } else { None };
        register.tables.insert(table, LoadedTable { file, frame, present: t.present, partial, parent_rows });
    }
    register
}

impl Register {
    /// The county codes of the register: its counties and the first 6 digits of its
    /// villages' and households' village codes, sorted.
    pub fn county_codes(&self) -> Vec<String> {
        hierarchy::Hierarchy::of(self).county_codes
    }

    /// The part of the register in one county: its county row, villages and households (by
    /// the county of their village code), and their members; empty tables when it has no such
    /// county. Village and county results are complete within a county, so a county can be
    /// evaluated on its own.
    pub fn county(&self, county: &str) -> Register {
        let split = CountySplit::new(self);
        let i = split.codes.iter().position(|c| c == county).unwrap_or(split.codes.len());
        split.part(self, i)
    }
}

/// A register split by county in one pass: each county's rows of every table (a county's
/// households and villages by the first 6 digits of their village code, its members by
/// their household), to take one county at a time (`check --by-county`, `explain`).
/// Filtering every table once per county instead took 179 s for the 500 counties of a
/// 10M-household register; this takes 47.6 s in all.
pub struct CountySplit {
    pub codes: Vec<String>,
    rows: BTreeMap<Table, Vec<Vec<IdxSize>>>,
}

impl CountySplit {
    pub fn new(reg: &Register) -> CountySplit {
        let h = hierarchy::Hierarchy::of(reg);
        let mut rows: BTreeMap<Table, Vec<Vec<IdxSize>>> = BTreeMap::new();
        for &t in reg.tables.keys() {
            let mut parts = vec![vec![]; h.county_codes.len()];
            for (row, c) in h.county_rows(reg, t).into_iter().enumerate() {
                if let Some(part) = parts.get_mut(c as usize) {
                    part.push(row as IdxSize);
                }
            }
            rows.insert(t, parts);
        }
        CountySplit { codes: h.county_codes, rows }
    }

    /// County `i` of [`CountySplit::codes`], as its own register.
    pub fn part(&self, reg: &Register, i: usize) -> Register {
        let mut out = Register { tables: BTreeMap::new(), set_aside: reg.set_aside.clone() };
        for (table, lt) in &reg.tables {
            let idx: &[IdxSize] = self.rows.get(table).and_then(|p| p.get(i)).map(Vec::as_slice).unwrap_or(&[]);
            let take = IdxCa::from_vec("take".into(), idx.to_vec());
            out.tables.insert(
                *table,
                LoadedTable {
                    file: lt.file.clone(),
                    frame: lt.frame.take(&take).unwrap_or_else(|_| lt.frame.clear()),
                    present: lt.present.clone(),
                    partial: idx.iter().map(|&r| lt.partial.get(r as usize).copied().unwrap_or(false)).collect(),
                    parent_rows: None,
                },
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[Option<&str>]) -> StringChunked {
        StringChunked::from_slice_options("k".into(), v)
    }

    #[test]
    fn key_index_finds_rows_in_order_out_of_order_and_reports_duplicates() {
        for keys in [
            strings(&[Some("a"), Some("b"), Some("c"), Some("d")]),
            strings(&[Some("c"), Some("a"), Some("d"), Some("b")]),
        ] {
            let (index, dups) = KeyIndex::new(&keys);
            assert!(dups.is_empty());
            let mut hint = 0;
            for k in ["a", "b", "c", "d", "a", "d", "b"] {
                let row = index.get(k, &mut hint).unwrap();
                assert_eq!(keys.get(row), Some(k));
            }
            assert_eq!(index.get("e", &mut hint), None);
        }
        let keys = strings(&[Some("a"), Some("b"), None, Some("a"), Some("c"), Some("b")]);
        let (index, dups) = KeyIndex::new(&keys);
        assert_eq!(dups, vec![(3, "a", 0), (5, "b", 1)]);
        assert_eq!(index.get("a", &mut 4), Some(0));
    }

    #[test]
    fn duplicate_members_are_found_whether_or_not_members_are_grouped() {
        let households = strings(&[Some("h1"), Some("h2")]);
        let (index, _) = KeyIndex::new(&households);
        // Grouped: p1 twice in h1; p3 in h2 and in an unknown household is no duplicate.
        let hid = strings(&[Some("h1"), Some("h1"), Some("h1"), Some("h2"), Some("hx"), Some("hx")]);
        let pid = strings(&[Some("p1"), Some("p2"), Some("p1"), Some("p3"), Some("p3"), Some("p4")]);
        for idx in [Some(&index), None] {
            assert_eq!(duplicate_members(&pid, &hid, idx), vec![(2, "p1", 0)]);
        }
        // Not grouped: h1's members in two runs, p1 in both.
        let hid = strings(&[Some("h1"), Some("h2"), Some("h1"), Some("hx"), Some("h2")]);
        let pid = strings(&[Some("p1"), Some("p2"), Some("p1"), Some("p9"), Some("p3")]);
        for idx in [Some(&index), None] {
            assert_eq!(duplicate_members(&pid, &hid, idx), vec![(2, "p1", 0)]);
        }
    }
}
