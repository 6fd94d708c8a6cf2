//! `tuopin`: a rules engine for Hunan's register of poor households (精准扶贫 · 建档立卡).
//!
//! Data flows one way: register files → frames (`register`) → rule evaluation per level
//! (`rules`, `eval`) → result frames → writers (`report`). `gen` makes synthetic registers
//! for tests and benchmarks. `../shared/DOMAIN.md` (copied into the README's references) is
//! the specification of the data and the rules.

pub mod eval;
pub mod r#gen;
pub mod inspect;
pub mod jobs;
pub mod messages;
pub mod quality;
pub mod register;
pub mod report;
pub mod rules;
pub mod timing;

use std::path::{Path, PathBuf};

/// Errors that stop a command before or after the register is read. Problems with the
/// register's contents are [`register::InputError`]s, collected rather than returned.
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
    #[error("{}", rules::diagnostic::render_all(.0, messages::Lang::En))]
    Rules(Vec<rules::Diagnostic>),
    /// The register has input errors (DOMAIN.md, Exact meanings): the command stopped before
    /// evaluating anything. The CLI lists them.
    #[error("the register has {} input error(s)", .0.len())]
    InputErrors(Vec<register::InputError>),
    /// A data file other than the register (a sample, field results) that cannot be used;
    /// the message names the file, row and column.
    #[error("{0}")]
    Data(String),
    /// A problem running rules that is not tied to a file position.
    #[error("{0}")]
    Evaluation(String),
    /// An output folder or file refused so that no input and no file of the user's is
    /// touched (bad usage: exit status 2).
    #[error("{}", messages::error(messages::Lang::En, self))]
    Output(report::staging::Refusal),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}
