//! Input errors: what the loader finds wrong with a register before any rule runs.
//!
//! The list is exactly the one in `DOMAIN.md` ("Exact meanings", input errors). Each error
//! carries its file, 1-based data row (the header is not counted), column, the value as
//! written, and the problem; `messages::input` holds what can be wrong (the vocabulary
//! of problems) and says it in words.

use serde::Serialize;

pub use crate::messages::input::{Expected, NotAFile, Problem};

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

impl InputError {
    /// The error as one line in the user's language.
    pub fn say(&self, lang: crate::messages::Lang) -> String {
        crate::messages::input_error(
            lang,
            &self.file,
            self.row,
            self.column.as_deref(),
            self.value.as_deref(),
            &self.problem,
        )
    }
}
