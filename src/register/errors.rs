//! Input errors: what the loader finds wrong with a register before any rule runs.
//!
//! The list is exactly the one in `DOMAIN.md` ("Exact meanings", input errors). Each error
//! carries its file, 1-based data row (the header is not counted), column, the value as
//! written, and the problem; `messages` says it in words.

use serde::Serialize;

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputError {
    /// The file as the user named it (relative to the register folder where possible).
    pub file: String,
    /// 1-based data row, header excluded; `None` for a problem with the whole file.
    pub row: Option<usize>,
    /// The column as written in the file's header (or the canonical name if absent).
    pub column: Option<String>,
    /// The cell as written.
    pub value: Option<String>,
    pub problem: Problem,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Problem {
    /// The file cannot be opened or parsed at all.
    Unreadable(String),
    /// A row that cannot be split into the header's columns.
    Malformed(String),
    /// A required column is absent.
    MissingColumn,
    /// Two headers name the same canonical column (the other header given).
    DuplicateColumn(String),
    /// A value of the wrong type, or not one of the column's codes (what was expected).
    WrongValue(String),
    /// A null `person_id`, `household_id`, `village_code` or `county_code`.
    NullKey,
    /// A null `registered` where that column exists.
    NullRegistered,
    /// A null `status` in a registered household.
    NullStatus,
    /// A key seen before in the same table (the row where first seen).
    DuplicateKey(usize),
    /// The same `person_id` twice in one household (the row where first seen).
    DuplicateMember(usize),
    /// A person whose household, a household whose village, or a village whose county is
    /// missing from the given table (that table's name).
    MissingParent(&'static str),
    /// A table the command needs is not in the register folder.
    MissingTable,
    /// A whole number stored by Excel with more digits than it keeps (an ID typed as a number).
    TooLongForExcel,
    /// A value in a sheet's column that has no header (the column is the cell's reference).
    OutsideTable,
    /// The table's name is taken by something that is not a readable file.
    NotAFile(NotAFile),
}

/// What stands where a table file should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NotAFile {
    Folder,
    /// A link to nothing, or a circle of links.
    BrokenLink,
    /// A pipe, a socket or a device.
    Special,
}

impl InputError {
    pub fn file(file: &str, problem: Problem) -> InputError {
        InputError { file: file.to_string(), row: None, column: None, value: None, problem }
    }

    pub fn cell(file: &str, row: usize, column: &str, value: Option<&str>, problem: Problem) -> InputError {
        InputError {
            file: file.to_string(),
            row: Some(row),
            column: Some(column.to_string()),
            value: value.map(str::to_string),
            problem,
        }
    }
}
