//! What every workbook tuopin writes shares: a reproducible creation time and Excel's row
//! limit, the format of a count. A leaf of `report`, so that the workbook writers and `report` itself can use it
//! without importing each other.

/// A new workbook. Its recorded creation time is `SOURCE_DATE_EPOCH` (seconds since
/// 1970, the reproducible-builds convention) when that is set, so that a rerun writes the
/// same bytes; otherwise the current time. (The zip entries carry no time.)
pub fn workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    // Deflate at level 1: a workbook of 100,000-row sheets spent most of its time
    // compressing at the default level 6, for a file about a fifth smaller.
    book.set_zip_compression_level(1);
    if let Some(t) = source_date_epoch()
        && let Ok(when) = rust_xlsxwriter::ExcelDateTime::from_timestamp(t)
    {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    }
    book
}

/// A count as people write it: whole, with thousands separators (3,199,048).
pub fn count_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_num_format("#,##0")
}

/// `SOURCE_DATE_EPOCH`, when set to a whole number of seconds.
pub fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok())
}

/// Excel's row limit, header included.
pub const XLSX_MAX_ROWS: usize = 1_048_576;

/// The most detail rows a workbook written for people holds in one sheet (a list of changed
/// rows, of findings, of households by risk); the rest are in the CSV beside it, and the
/// sheet says so in its last row. Past this a workbook is slow to write and to open, and no
/// one reads it row by row.
pub const XLSX_DETAIL_ROWS: usize = 100_000;
