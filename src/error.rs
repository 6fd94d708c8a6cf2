//! The error that stops a command, and how it is said.

use std::path::{Path, PathBuf};

/// Errors that stop a command before or after the register is read. Problems with the
/// register's contents are [`crate::register::errors::InputError`]s, collected rather than returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
    #[error("{file}:{line}: {message}")]
    Config { file: String, line: usize, message: String },
    #[error("{0}")]
    Polars(#[from] polars::prelude::PolarsError),
    #[error("{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Usage(String),
    /// Rule-pack errors found at load time (shown in English here; the CLI renders them in
    /// the user's language).
    #[error("{}", crate::rules::diagnostic::render_all(.0, crate::messages::Lang::En))]
    Rules(Vec<crate::rules::diagnostic::Diagnostic>),
    /// The register has input errors (DOMAIN.md, Exact meanings): the command stopped before
    /// evaluating anything. The CLI lists them.
    #[error("the register has {} input error(s)", .0.len())]
    InputErrors(Vec<crate::register::errors::InputError>),
    /// A data file other than the register (a sample, field results) that cannot be used;
    /// the message names the file, row and column.
    #[error("{0}")]
    Data(String),
    /// A problem running rules that is not tied to a file position.
    #[error("{0}")]
    Evaluation(String),
    /// An output folder or file refused so that no input and no file of the user's is
    /// touched (bad usage: exit status 2).
    #[error("{}", .0.say(crate::messages::Lang::En))]
    Output(crate::report::refusal::Refusal),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}

impl Error {
    /// The error in the user's language.
    pub fn say(&self, lang: crate::messages::Lang) -> String {
        use crate::messages::stop;
        let said = match self {
            Error::NotAFolder(p) => Some(stop::not_a_folder(lang, p)),
            Error::Io { path, source } => stop::io(lang, path, source),
            Error::Config { file, line, message } => stop::config(lang, file, *line, message),
            Error::Polars(e) => stop::polars(lang, e),
            Error::Xlsx(e) => stop::xlsx(lang, e),
            Error::Output(r) => Some(r.say(lang)),
            _ => None,
        };
        said.unwrap_or_else(|| self.to_string())
    }
}
