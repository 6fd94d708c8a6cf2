//! Reading one register file, in whatever form people produce it, into a raw table:
//! headers as written and cells as written, before any typing.
//!
//! Text formats (CSV, XLSX, NDJSON) become text columns; Parquet stays a polars frame,
//! since its columns are already typed (pandas/pyarrow integer widths, categoricals,
//! nulls) and `convert` reads them cell by cell with the same rules as text.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::errors::{InputError, Problem};

/// The file formats a register table may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
    Ndjson,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Parquet, Format::Csv, Format::Ndjson, Format::Xlsx];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Xlsx => "xlsx",
        }
    }
}

/// How CSV bytes are decoded. `Auto` tries UTF-8 (with or without BOM), then GB18030,
/// which is a superset of GBK and GB2312 as written by Excel on Chinese Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    #[default]
    Auto,
    Utf8,
    Gbk,
    Gb18030,
}

/// A column of cells as written, stored compactly: one string buffer and the end offset
/// of each cell. An empty cell (after trimming) is null.
#[derive(Debug, Default, Clone)]
pub struct TextColumn {
    buf: String,
    ends: Vec<usize>,
}

impl TextColumn {
    pub fn push(&mut self, cell: Option<&str>) {
        if let Some(c) = cell {
            self.buf.push_str(c.trim());
        }
        self.ends.push(self.buf.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell at `row` (0-based), `None` when empty.
    pub fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        if start == end { None } else { Some(&self.buf[start..end]) }
    }
}

/// The cells of one column.
pub enum RawColumn {
    Text(TextColumn),
    Typed(Column),
}

/// One file, read but not yet typed.
pub struct RawTable {
    /// The file as shown in messages.
    pub file: String,
    pub headers: Vec<String>,
    pub columns: Vec<RawColumn>,
    pub n_rows: usize,
    /// Malformed rows: their cells read as null, and they are reported and set aside.
    pub errors: Vec<InputError>,
    /// Where each data row stands in the file, for messages.
    pub lines: RowLines,
}

impl RawTable {
    /// A table with no file, header or row (what is left where one was taken).
    pub fn empty() -> RawTable {
        RawTable {
            file: String::new(),
            headers: vec![],
            columns: vec![],
            n_rows: 0,
            errors: vec![],
            lines: RowLines::default(),
        }
    }
}

/// Where each data row (numbered from 1 as the loader counts them) stands in its file, as
/// Excel or a text editor shows it: the header is row 1 of a CSV file, so its first record is
/// line 2 (later ones shift past blank lines and cells holding line breaks); an XLSX row is
/// its sheet row; a Parquet or NDJSON row is its record number. Kept as the points where the
/// count jumps, so that an ordinary file costs one entry.
#[derive(Debug, Clone, Default)]
pub struct RowLines {
    /// (data row, its line), by data row.
    breaks: Vec<(usize, usize)>,
}

impl RowLines {
    /// Data row `row` stands on line `line` (rows must be noted in increasing order).
    pub fn note(&mut self, row: usize, line: usize) {
        if self.line(row) != line {
            self.breaks.push((row, line));
        }
    }

    /// The line of data row `row`.
    pub fn line(&self, row: usize) -> usize {
        let i = self.breaks.partition_point(|(r, _)| *r <= row);
        match i.checked_sub(1).map(|i| self.breaks[i]) {
            Some((r, l)) => l + (row - r),
            None => row,
        }
    }
}

/// Find the file for a table in a register folder: `<dir>/<table>.<ext>` for any format.
/// More than one is an error; none is `Ok(None)`.
pub fn find_table_file(dir: &Path, table: &str) -> Result<Option<(PathBuf, Format)>, InputError> {
    // Anything standing at a table's name counts as that table: a folder, a broken link or a
    // pipe there is an error naming it, never "the register has no such table".
    let found: Vec<(PathBuf, Format)> = Format::ALL
        .into_iter()
        .map(|f| (dir.join(format!("{table}.{}", f.extension())), f))
        .filter(|(p, _)| std::fs::symlink_metadata(p).is_ok())
        .collect();
    for (p, _) in &found {
        use super::errors::NotAFile;
        let kind = match std::fs::metadata(p) {
            Err(_) => Some(NotAFile::BrokenLink),
            Ok(m) if m.is_dir() => Some(NotAFile::Folder),
            Ok(m) if !m.is_file() => Some(NotAFile::Special),
            Ok(_) => None,
        };
        if let Some(k) = kind {
            return Err(InputError::file(&display_name(p), Problem::NotAFile(k)));
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => {
            let names: Vec<String> = found.iter().map(|(p, _)| display_name(p)).collect();
            Err(InputError::file(
                &display_name(&found[0].0),
                Problem::Unreadable(format!(
                    "the folder holds {} files for table `{table}` ({}); keep one",
                    names.len(),
                    names.join(", ")
                )),
            ))
        }
    }
}

pub fn display_name(p: &Path) -> String {
    p.display().to_string()
}

/// Read a file of the given format; `known` tells a header the register knows, for finding
/// the header row of a sheet with title rows above it.
pub fn read(
    path: &Path,
    format: Format,
    encoding: Encoding,
    known: &dyn Fn(&str) -> bool,
) -> Result<RawTable, InputError> {
    let name = display_name(path);
    let unreadable = |d: String| InputError::file(&name, Problem::Unreadable(d));
    match format {
        Format::Csv => {
            let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
            let text = decode(&bytes, encoding).map_err(unreadable)?;
            read_csv_text(&name, &text)
        }
        Format::Ndjson => {
            let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
            read_ndjson_text(&name, &text)
        }
        Format::Xlsx => read_xlsx(path, &name, known),
        Format::Parquet => {
            let file = File::open(path).map_err(|e| unreadable(e.to_string()))?;
            let df = read_parquet(path, file).map_err(|e| unreadable(e.to_string()))?;
            let headers = df.get_column_names().iter().map(|s| s.to_string()).collect();
            let n_rows = df.height();
            let columns = df.into_columns().into_iter().map(RawColumn::Typed).collect();
            Ok(RawTable { file: name, headers, columns, n_rows, errors: vec![], lines: RowLines::default() })
        }
    }
}

/// The rows of a Parquet file whose text column `column` (a header of the file) lies in
/// `[from, to]`, read with the filter pushed down to the file: row groups whose statistics
/// lie outside are not read. Row numbers stay those of the file. `None` when the file cannot
/// be scanned so (the caller reads the whole file).
pub fn read_parquet_range(path: &Path, column: &str, from: &str, to: &str) -> Option<RawTable> {
    const ROW: &str = "__tuopin_file_row";
    let args = ScanArgsParquet { row_index: Some(RowIndex { name: ROW.into(), offset: 0 }), ..Default::default() };
    let df = LazyFrame::scan_parquet(PlRefPath::new(path.to_str()?), args)
        .ok()?
        .filter(col(column).gt_eq(lit(from)).and(col(column).lt_eq(lit(to))))
        .collect()
        .ok()?;
    let rows = df.column(ROW).ok()?.idx().ok()?.rechunk();
    let mut lines = RowLines::default();
    for (i, r) in rows.iter().enumerate() {
        lines.note(i + 1, r? as usize + 1);
    }
    let df = df.drop(ROW).ok()?;
    let headers = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let n_rows = df.height();
    let columns = df.into_columns().into_iter().map(RawColumn::Typed).collect();
    Some(RawTable { file: display_name(path), headers, columns, n_rows, errors: vec![], lines })
}

/// A Parquet file as a frame. Columns stored as dictionaries (pandas `category`, pyarrow
/// `dictionary_encode`) are read as text: the file's Arrow schema, which asks for them as
/// categories, is set aside and the Parquet types are read as they are (the pages of a
/// dictionary column are read straight into text; as categories, 3.2M members' codes took
/// 0.4 s more to read). Other files are read with their Arrow schema.
fn read_parquet(path: &Path, file: File) -> polars::prelude::PolarsResult<DataFrame> {
    let mut reader = ParquetReader::new(file);
    let dictionaries = reader.schema()?.iter_values().any(|f| matches!(f.dtype, ArrowDataType::Dictionary(..)));
    if !dictionaries {
        return reader.finish();
    }
    let mut metadata = (**reader.get_metadata()?).clone();
    if let Some(kv) = &mut metadata.key_value_metadata {
        kv.retain(|k| k.key != "ARROW:schema");
    }
    let mut reader = ParquetReader::new(File::open(path)?);
    reader.set_metadata(std::sync::Arc::new(metadata));
    reader.finish()
}

/// Decode CSV bytes. Auto: UTF-8 with its BOM stripped if valid, else GB18030.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    let strip_bom = |b: &[u8]| -> Vec<u8> { b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b).to_vec() };
    match encoding {
        Encoding::Utf8 => String::from_utf8(strip_bom(bytes))
            .map_err(|e| format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to())),
        Encoding::Auto => match String::from_utf8(strip_bom(bytes)) {
            Ok(s) => Ok(s),
            Err(_) => decode(bytes, Encoding::Gb18030)
                .map_err(|e| format!("neither UTF-8 nor GBK/GB18030 ({e}); give --encoding")),
        },
        Encoding::Gbk | Encoding::Gb18030 => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors { Err("bytes that are not GB18030".to_string()) } else { Ok(text.into_owned()) }
        }
    }
}

/// Parse CSV text (already decoded). A row with the wrong number of fields is malformed.
pub fn read_csv_text(name: &str, text: &str) -> Result<RawTable, InputError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| InputError::file(name, Problem::Unreadable(e.to_string())))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(InputError::file(name, Problem::Unreadable("the file has no header row".into())));
    }
    let mut columns = vec![TextColumn::default(); headers.len()];
    let mut errors = vec![];
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    let mut lines = RowLines::default();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) && headers.len() > 1 {
                    // A blank line inside the file: not a record.
                    row -= 1;
                    continue;
                }
                // The record's first line. The reader's position for it may stand on line
                // breaks before it (a blank line, or the `\n` of a CRLF ending, which the
                // reader counts only when it reads on): step over them.
                if let Some(p) = record.position() {
                    let mut line = p.line() as usize;
                    for b in text.as_bytes().iter().skip(p.byte() as usize) {
                        match b {
                            b'\n' => line += 1,
                            b'\r' => {}
                            _ => break,
                        }
                    }
                    lines.note(row, line);
                }
                if record.len() != headers.len() {
                    errors.push(InputError {
                        file: name.to_string(),
                        row: Some(row),
                        column: None,
                        value: None,
                        problem: Problem::Malformed(format!(
                            "{} fields where the header has {}",
                            record.len(),
                            headers.len()
                        )),
                    });
                    // Keep the cells it has (its key is usually among them), so that the rows
                    // depending on it are set aside with it rather than reported as orphans.
                    for (i, c) in columns.iter_mut().enumerate() {
                        c.push(record.get(i));
                    }
                    continue;
                }
                for (c, cell) in columns.iter_mut().zip(record.iter()) {
                    c.push(Some(cell));
                }
            }
            Err(e) => {
                row += 1;
                errors.push(InputError {
                    file: name.to_string(),
                    row: Some(row),
                    column: None,
                    value: None,
                    problem: Problem::Malformed(e.to_string()),
                });
                columns.iter_mut().for_each(|c| c.push(None));
            }
        }
    }
    Ok(RawTable {
        file: name.to_string(),
        headers,
        columns: columns.into_iter().map(RawColumn::Text).collect(),
        n_rows: row,
        errors,
        lines,
    })
}

/// Parse NDJSON: one object per line; the headers are the keys in order of first sight.
pub fn read_ndjson_text(name: &str, text: &str) -> Result<RawTable, InputError> {
    let mut headers: Vec<String> = vec![];
    let mut rows: Vec<Option<serde_json::Map<String, serde_json::Value>>> = vec![];
    let mut errors = vec![];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row = rows.len() + 1;
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(m)) => {
                for k in m.keys() {
                    if !headers.iter().any(|h| h == k.trim()) {
                        headers.push(k.trim().to_string());
                    }
                }
                rows.push(Some(m));
            }
            Ok(_) => {
                errors.push(malformed(name, row, "the line is not a JSON object".into()));
                rows.push(None);
            }
            Err(e) => {
                errors.push(malformed(name, row, e.to_string()));
                rows.push(None);
            }
        }
    }
    let mut columns = vec![TextColumn::default(); headers.len()];
    for (i, row) in rows.iter().enumerate() {
        for (h, col) in headers.iter().zip(columns.iter_mut()) {
            let cell = row.as_ref().and_then(|m| m.iter().find(|(k, _)| k.trim() == h)).map(|(_, v)| v);
            match cell {
                None | Some(serde_json::Value::Null) => col.push(None),
                Some(serde_json::Value::String(s)) => col.push(Some(s)),
                Some(serde_json::Value::Bool(b)) => col.push(Some(if *b { "true" } else { "false" })),
                Some(serde_json::Value::Number(n)) => col.push(Some(&n.to_string())),
                Some(other) => {
                    errors.push(InputError::cell(
                        name,
                        i + 1,
                        h,
                        Some(&other.to_string()),
                        Problem::Malformed("a nested value where a cell was expected".into()),
                    ));
                    col.push(None);
                }
            }
        }
    }
    Ok(RawTable {
        file: name.to_string(),
        headers,
        columns: columns.into_iter().map(RawColumn::Text).collect(),
        n_rows: rows.len(),
        errors,
        lines: RowLines::default(),
    })
}

fn malformed(name: &str, row: usize, detail: String) -> InputError {
    InputError {
        file: name.to_string(),
        row: Some(row),
        column: None,
        value: None,
        problem: Problem::Malformed(detail),
    }
}

/// How many rows with values are looked through for the header of a sheet.
const HEADER_SCAN_ROWS: usize = 20;

/// Read the first worksheet of an XLSX file. The header is the first row in which at least
/// two cells are headers the register knows (`known`): the national system's exports put a
/// title and a date line above it, and those rows are not data. A sheet with no such row in
/// its first [`HEADER_SCAN_ROWS`] rows takes its first row with a value as the header.
///
/// Cells are streamed, never laid out as the sheet's used range: a stray cell at `XFD1048576`
/// would make that range 17 billion cells. Memory follows the cells present. A value in a
/// column with no header is an input error naming its cell (it cannot be read as anything).
fn read_xlsx(path: &Path, name: &str, known: &dyn Fn(&str) -> bool) -> Result<RawTable, InputError> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable = |d: String| InputError::file(name, Problem::Unreadable(d));
    let mut book: Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
    let sheet = book.sheet_names().first().cloned().ok_or_else(|| unreadable("the workbook has no sheet".into()))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(|e| unreadable(e.to_string()))?;

    let mut table = SheetTable {
        name,
        header_row: None,
        headers: vec![],
        columns: vec![],
        errors: vec![],
        n_rows: 0,
        lines: RowLines::default(),
    };
    // Rows seen before the header is found, and the row being gathered.
    let mut before: Vec<SheetRow> = vec![];
    let mut row: Option<SheetRow> = None;
    let is_header = |cells: &[(u32, Data)]| {
        cells.iter().filter(|(_, v)| cell_text(v).is_some_and(|t| known(t.trim()))).count() >= 2
    };
    let finish = |r: SheetRow, before: &mut Vec<SheetRow>, table: &mut SheetTable| {
        if table.header_row.is_some() {
            table.data_row(r);
            return;
        }
        let header_here = is_header(&r.1);
        before.push(r);
        if header_here || before.len() >= HEADER_SCAN_ROWS {
            // The header found, or none found: the first row with a value is the header.
            let at = if header_here { before.len() - 1 } else { 0 };
            let rest = before.split_off(at + 1);
            if let Some(header) = before.pop() {
                table.set_header(header);
            }
            for r in rest {
                table.data_row(r);
            }
            before.clear();
        }
    };
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(e.to_string()))? {
        let (r, c) = cell.get_position();
        let value: Data = cell.get_value().clone().into();
        if matches!(value, Data::Empty) {
            continue;
        }
        match row.as_mut() {
            Some((rr, values)) if *rr == r => values.push((c, value)),
            _ => {
                if let Some(done) = row.take() {
                    if r < done.0 {
                        return Err(unreadable(format!("row {} comes after row {} in the file", r + 1, done.0 + 1)));
                    }
                    finish(done, &mut before, &mut table);
                }
                row = Some((r, vec![(c, value)]));
            }
        }
    }
    if let Some(done) = row.take() {
        finish(done, &mut before, &mut table);
    }
    if table.header_row.is_none() {
        if before.is_empty() {
            return Err(unreadable(format!("sheet `{sheet}` is empty")));
        }
        let rest = before.split_off(1);
        table.set_header(before.remove(0));
        for r in rest {
            table.data_row(r);
        }
    }
    Ok(RawTable {
        file: name.to_string(),
        headers: table.headers.into_iter().map(|(_, h)| h).collect(),
        columns: table.columns.into_iter().map(RawColumn::Text).collect(),
        n_rows: table.n_rows,
        errors: table.errors,
        lines: table.lines,
    })
}

/// A sheet row: its 0-based row number and its cells with values, by 0-based column.
type SheetRow = (u32, Vec<(u32, calamine::Data)>);

/// A worksheet being read as a table: its header (sheet column, text), its columns so far.
struct SheetTable<'a> {
    name: &'a str,
    header_row: Option<u32>,
    headers: Vec<(u32, String)>,
    columns: Vec<TextColumn>,
    errors: Vec<InputError>,
    n_rows: usize,
    lines: RowLines,
}

impl SheetTable<'_> {
    /// The header row: its cells by column, and one column opened per header.
    fn set_header(&mut self, (r, cells): SheetRow) {
        self.header_row = Some(r);
        self.headers = cells.iter().map(|(c, v)| (*c, cell_text(v).unwrap_or_default())).collect();
        self.headers.sort_by_key(|(c, _)| *c);
        self.columns = vec![TextColumn::default(); self.headers.len()];
    }

    /// A row below the header: its cells put in their columns' slots; a cell in a column
    /// with no header is an input error naming the cell (its reference names its place
    /// better than a data-row number would).
    fn data_row(&mut self, (r, cells): SheetRow) {
        let mut values: Vec<Option<calamine::Data>> = vec![None; self.headers.len()];
        for (c, value) in cells {
            match self.headers.binary_search_by_key(&c, |(hc, _)| *hc) {
                Ok(i) => values[i] = Some(value),
                Err(_) => self.errors.push(InputError {
                    file: self.name.to_string(),
                    row: None,
                    column: Some(cell_ref(r, c)),
                    value: cell_text(&value),
                    problem: Problem::OutsideTable,
                }),
            }
        }
        self.push_row(r, values);
    }

    /// One data row's cells, by column slot; a row with no value is skipped.
    fn push_row(&mut self, sheet_row: u32, values: Vec<Option<calamine::Data>>) {
        use calamine::Data;
        if values.iter().all(|v| v.as_ref().is_none_or(|d| matches!(d, Data::Empty))) {
            return;
        }
        self.n_rows += 1;
        self.lines.note(self.n_rows, sheet_row as usize + 1);
        for ((col, cell), (_, header)) in self.columns.iter_mut().zip(values).zip(&self.headers) {
            match cell.unwrap_or(Data::Empty) {
                // Excel keeps 15 significant digits: an 18-digit ID typed as a number has lost
                // its last digits, and no reading of the file can bring them back.
                Data::Float(f) if f.fract() == 0.0 && f.abs() >= EXCEL_EXACT_INTEGER => {
                    let e = InputError::cell(
                        self.name,
                        self.n_rows,
                        header,
                        Some(&float_text(f)),
                        Problem::TooLongForExcel,
                    );
                    self.errors.push(e);
                    col.push(None);
                }
                Data::Error(e) => {
                    let problem = Problem::Malformed("an Excel error value".into());
                    self.errors.push(InputError::cell(self.name, self.n_rows, header, Some(&e.to_string()), problem));
                    col.push(None);
                }
                cell => col.push(cell_text(&cell).as_deref()),
            }
        }
    }
}

/// A cell's reference as Excel shows it (`XFD1048576`), from 0-based row and column.
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = vec![];
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Above this, a whole number stored by Excel (a double) may have lost digits.
const EXCEL_EXACT_INTEGER: f64 = 1e15;

/// An Excel cell as the text a person would read in it.
fn cell_text(c: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match c {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(float_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Some(format!("{y:04}-{m:02}-{day:02}"))
        }
        Data::DateTime(d) => Some(float_text(d.as_f64())),
    }
}

/// A float as written: whole numbers without a fraction (`3.0` → `3`).
pub fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_decode_without_a_flag() {
        let (bytes, _, _) = encoding_rs::GBK.encode("户编号,健康状况\n1,健康\n");
        assert_eq!(decode(&bytes, Encoding::Auto).unwrap(), "户编号,健康状况\n1,健康\n");
        let bom = b"\xEF\xBB\xBFa,b\n";
        assert_eq!(decode(bom, Encoding::Auto).unwrap(), "a,b\n");
        assert!(decode(&bytes, Encoding::Utf8).is_err());
    }

    #[test]
    fn a_short_csv_row_is_malformed_with_its_row_number() {
        let t = read_csv_text("h.csv", "a,b\n1,2\n3\n4,5\n").unwrap();
        assert_eq!(t.n_rows, 3);
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].row, Some(2));
        assert_eq!(t.errors[0].problem, Problem::Malformed("1 fields where the header has 2".into()));
        match &t.columns[1] {
            RawColumn::Text(c) => {
                assert_eq!((c.get(0), c.get(1), c.get(2)), (Some("2"), None, Some("5")))
            }
            RawColumn::Typed(_) => panic!("text expected"),
        }
    }

    #[test]
    fn data_rows_are_numbered_as_an_editor_shows_them() {
        // Line 1 header; data row 1 on line 2; a blank line 3; data row 2 spans lines 4–5
        // (a quoted line break); data row 3 on line 6.
        for text in ["a,b\n1,2\n\n\"x\ny\",3\n4,5\n", "a,b\r\n1,2\r\n\r\n\"x\r\ny\",3\r\n4,5"] {
            let t = read_csv_text("h.csv", text).unwrap();
            assert_eq!(t.n_rows, 3);
            assert_eq!([1, 2, 3].map(|r| t.lines.line(r)), [2, 4, 6], "{text:?}");
        }
        // A Parquet or NDJSON table: the record number.
        assert_eq!(RowLines::default().line(7), 7);
    }
}
