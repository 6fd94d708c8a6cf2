//! `load`: read a register and report what was read, without evaluating anything.

use std::path::Path;

use crate::Error;
use crate::register::{self, Aliases, Encoding, InputError, LoadOptions, Table};

/// A table read: which, how many rows were kept, and from which file.
pub struct TableRead {
    pub table: Table,
    pub rows: usize,
    pub file: String,
}

/// Load a register with every check, keeping nothing aside: the tables read and the input
/// errors found.
pub fn run_load(
    data: &Path,
    encoding: Encoding,
    aliases_file: Option<&Path>,
) -> Result<(Vec<TableRead>, Vec<InputError>), Error> {
    let opts = LoadOptions { encoding, aliases: Aliases::with_file(aliases_file)?, skip_invalid: false };
    let loaded = register::load(data, &[], &opts)?;
    let tables = Table::ALL
        .into_iter()
        .filter_map(|t| {
            let lt = loaded.register.table(t)?;
            Some(TableRead { table: t, rows: lt.frame.height(), file: lt.file.clone() })
        })
        .collect();
    Ok((tables, loaded.errors))
}
