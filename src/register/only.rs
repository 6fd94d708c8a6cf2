//! Reading one county of a register (for `explain`): the rows of other counties are left
//! out before typing and key checks, so that explaining one household does not type and
//! check a whole province. Households are kept by their village's county (the first six
//! digits of the village code, DOMAIN.md's Exact meanings), persons by their household,
//! villages by their code, the county by its code. Row numbers in messages stay those of
//! the file.

use std::collections::HashSet;

use polars::prelude::{BooleanChunked, DataType, NewChunkedArray};

use super::aliases::Aliases;
use super::hierarchy::county_of_village;
use super::schema::Table;
use super::source::{RawColumn, RawTable, RowLines, TextColumn};

/// Each cell of the column of `raw` that holds `column` of `table`, as text, in row order;
/// `false` when the table has no such column.
fn each_cell(raw: &RawTable, table: Table, column: &str, aliases: &Aliases, mut f: impl FnMut(Option<&str>)) -> bool {
    let Some(i) = raw.headers.iter().position(|h| aliases.column_for_header(table, h) == Some(column)) else {
        return false;
    };
    match &raw.columns[i] {
        RawColumn::Text(t) => (0..raw.n_rows).for_each(|r| f(t.get(r))),
        RawColumn::Typed(c) => {
            let Ok(s) = c.cast(&DataType::String) else { return false };
            let Ok(ca) = s.str() else { return false };
            ca.iter().for_each(|v| f(v.map(str::trim)));
        }
    }
    true
}

/// The cells of the column of `raw` that holds `column` of `table`, as text.
pub fn cells(raw: &RawTable, table: Table, column: &str, aliases: &Aliases) -> Option<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(raw.n_rows);
    each_cell(raw, table, column, aliases, |c| out.push(c.map(str::to_string))).then_some(out)
}

/// Which rows of a table belong to `county`; `households` are the county's household IDs
/// (for persons). `None` when the table's key column is not found (nothing is left out).
pub fn rows_of_county(
    raw: &RawTable,
    table: Table,
    county: &str,
    households: &HashSet<String>,
    aliases: &Aliases,
) -> Option<Vec<bool>> {
    let column = match table {
        Table::Persons => "household_id",
        Table::Households | Table::Villages => "village_code",
        Table::Counties => "county_code",
    };
    let mut keep = Vec::with_capacity(raw.n_rows);
    let found = each_cell(raw, table, column, aliases, |c| {
        keep.push(c.is_some_and(|v| match table {
            Table::Persons => households.contains(v),
            Table::Households | Table::Villages => county_of_village(v) == county,
            Table::Counties => v == county,
        }))
    });
    found.then_some(keep)
}

/// A Parquet table's rows that may be of `county`, with the filter pushed down to the file
/// (row groups outside are not read): households and villages by the range of the county's
/// village codes, persons by the range of its household IDs (`households`), row numbers
/// those of the file. The exact rows are then kept by [`rows_of_county`]. `None` when the
/// file cannot be read so (the whole file is read instead).
pub fn read_parquet_of_county(
    path: &std::path::Path,
    table: Table,
    county: &str,
    households: &HashSet<String>,
    aliases: &Aliases,
) -> Option<RawTable> {
    let column = match table {
        Table::Persons => "household_id",
        Table::Households | Table::Villages => "village_code",
        Table::Counties => return None,
    };
    use polars::prelude::SerReader;
    let schema = polars::prelude::ParquetReader::new(std::fs::File::open(path).ok()?).schema().ok()?;
    let (header, field) = schema.iter().find(|(h, _)| aliases.column_for_header(table, h) == Some(column))?;
    // A text column, in a file without columns stored as dictionaries (those are read as
    // text by the whole-file reader only).
    use polars::prelude::ArrowDataType as A;
    let dictionaries = schema.iter_values().any(|f| matches!(f.dtype, A::Dictionary(..)));
    if dictionaries || !matches!(field.dtype, A::Utf8 | A::LargeUtf8 | A::Utf8View) {
        return None;
    }
    let header = header.to_string();
    // Every code of the county starts with its six digits: it lies between them and them
    // followed by the highest character.
    let (from, to) = match table {
        Table::Persons => (households.iter().min()?.clone(), households.iter().max()?.clone()),
        _ => (county.to_string(), format!("{county}\u{10FFFF}")),
    };
    super::source::read_parquet_range(path, &header, &from, &to)
}

/// The table with only the rows marked, its row numbers and row errors carried over.
pub fn keep_rows(raw: RawTable, keep: &[bool]) -> RawTable {
    let kept: Vec<usize> = (0..raw.n_rows).filter(|&r| keep.get(r).copied().unwrap_or(false)).collect();
    let mut new_index = vec![None; raw.n_rows];
    let mut lines = RowLines::default();
    for (i, &r) in kept.iter().enumerate() {
        new_index[r] = Some(i + 1);
        lines.note(i + 1, raw.lines.line(r + 1));
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep[..raw.n_rows.min(keep.len())]);
    let columns = raw
        .columns
        .into_iter()
        .map(|c| match c {
            RawColumn::Text(t) => {
                let mut out = TextColumn::default();
                for &r in &kept {
                    out.push(t.get(r));
                }
                RawColumn::Text(out)
            }
            RawColumn::Typed(c) => RawColumn::Typed(c.filter(&mask).unwrap_or(c)),
        })
        .collect();
    let errors = raw
        .errors
        .into_iter()
        .filter_map(|mut e| match e.row {
            None => Some(e),
            Some(r) => {
                e.row = Some(new_index.get(r - 1).copied().flatten()?);
                Some(e)
            }
        })
        .collect();
    RawTable { file: raw.file, headers: raw.headers, columns, n_rows: kept.len(), errors, lines }
}

/// The first row whose `column` holds `value`, and the text of `other` on that row.
pub fn find(
    raw: &RawTable,
    table: Table,
    column: &str,
    value: &str,
    other: &str,
    aliases: &Aliases,
) -> Option<(usize, Option<String>)> {
    let mut row = None;
    let mut i = 0;
    each_cell(raw, table, column, aliases, |c| {
        if row.is_none() && c == Some(value) {
            row = Some(i);
        }
        i += 1;
    });
    let row = row?;
    let mut found = None;
    let mut j = 0;
    each_cell(raw, table, other, aliases, |c| {
        if j == row {
            found = c.map(str::to_string);
        }
        j += 1;
    });
    Some((row, found))
}
