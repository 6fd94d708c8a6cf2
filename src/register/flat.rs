//! A flat person-level export: one sheet (or file) with a row per person, the household's
//! columns repeated on every member's row, as the information systems export it. When a
//! register's persons file has household columns and the register has no households file,
//! the file is read as both tables: the person columns as persons, and the household
//! columns, one row per household (its first member's row), as households. Members of one
//! household that disagree on a household column are input errors at the member's row
//! (an empty cell is not a disagreement: some exports fill household columns on the
//! head's row only).

use std::collections::HashMap;

use polars::prelude::DataType;

use super::aliases::Aliases;
use super::errors::{InputError, Problem};
use super::schema::Table;
use super::source::{RawColumn, RawTable, RowLines, TextColumn};

/// A header that names a household column other than the key, and no person column.
fn household_only(aliases: &Aliases, h: &str) -> bool {
    aliases.column_for_header(Table::Households, h).is_some_and(|c| c != "household_id")
        && aliases.column_for_header(Table::Persons, h).is_none()
}

/// Whether a persons file carries household columns.
pub fn is_flat(raw: &RawTable, aliases: &Aliases) -> bool {
    raw.headers.iter().any(|h| household_only(aliases, h))
}

/// A column's cells as text (a typed column, from Parquet, is written out as text).
fn text_of(col: RawColumn, n: usize) -> TextColumn {
    match col {
        RawColumn::Text(t) => t,
        RawColumn::Typed(c) => {
            let mut t = TextColumn::default();
            match c.cast(&DataType::String) {
                Ok(s) => match s.str() {
                    Ok(ca) => ca.iter().for_each(|v| t.push(v)),
                    Err(_) => (0..n).for_each(|_| t.push(None)),
                },
                Err(_) => (0..n).for_each(|_| t.push(None)),
            }
            t
        }
    }
}

/// The name the household part of a flat file is shown by in messages.
pub fn household_part(file: &str) -> String {
    format!("{file}（农户信息）")
}

/// A household gathered from its members' rows: its first member's data row, its key, and
/// per household column the first member's row that filled it and its value.
type Household = (usize, Option<String>, Vec<Option<(usize, String)>>);

/// Split a flat persons file into its persons part and its households part.
pub fn split(raw: RawTable, aliases: &Aliases, errors: &mut Vec<InputError>) -> (RawTable, RawTable) {
    let n = raw.n_rows;
    let key = raw.headers.iter().position(|h| aliases.column_for_header(Table::Persons, h) == Some("household_id"));
    let columns: Vec<TextColumn> = raw.columns.into_iter().map(|c| text_of(c, n)).collect();
    let household_cols: Vec<usize> =
        (0..raw.headers.len()).filter(|&i| household_only(aliases, &raw.headers[i])).collect();

    // Households in order of first appearance.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut households: Vec<Household> = vec![];
    if let Some(k) = key {
        for row in 0..n {
            let Some(id) = columns[k].get(row) else { continue };
            let h = *index.entry(id.to_string()).or_insert_with(|| {
                households.push((row + 1, Some(id.to_string()), vec![None; household_cols.len()]));
                households.len() - 1
            });
            for (j, &c) in household_cols.iter().enumerate() {
                let Some(v) = columns[c].get(row) else { continue };
                match &households[h].2[j] {
                    None => households[h].2[j] = Some((row + 1, v.to_string())),
                    Some((first, w)) if w != v => errors.push(InputError {
                        file: raw.file.clone(),
                        row: Some(row + 1),
                        column: Some(raw.headers[c].clone()),
                        value: Some(v.to_string()),
                        problem: Problem::HouseholdDisagrees(*first, w.clone()),
                    }),
                    Some(_) => {}
                }
            }
        }
    }

    let mut h_headers = vec![raw.headers[key.unwrap_or(0)].clone()];
    h_headers.extend(household_cols.iter().map(|&c| raw.headers[c].clone()));
    let mut h_columns = vec![TextColumn::default(); h_headers.len()];
    let mut h_lines = RowLines::default();
    for (i, (first_row, id, cells)) in households.iter().enumerate() {
        h_lines.note(i + 1, raw.lines.line(*first_row));
        h_columns[0].push(id.as_deref());
        for (j, cell) in cells.iter().enumerate() {
            h_columns[j + 1].push(cell.as_ref().map(|(_, v)| v.as_str()));
        }
    }
    let households_raw = RawTable {
        file: household_part(&raw.file),
        headers: h_headers,
        columns: h_columns.into_iter().map(RawColumn::Text).collect(),
        n_rows: households.len(),
        errors: vec![],
        lines: h_lines,
    };
    // The persons part keeps every column but the household ones.
    let keep: Vec<usize> = (0..raw.headers.len()).filter(|i| !household_cols.contains(i)).collect();
    let mut columns: Vec<Option<TextColumn>> = columns.into_iter().map(Some).collect();
    let persons_raw = RawTable {
        file: raw.file,
        headers: keep.iter().map(|&i| raw.headers[i].clone()).collect(),
        columns: keep.iter().map(|&i| RawColumn::Text(columns[i].take().unwrap_or_default())).collect(),
        n_rows: n,
        errors: raw.errors,
        lines: raw.lines,
    };
    (persons_raw, households_raw)
}
