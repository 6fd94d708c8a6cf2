//! Why an output folder or file is refused ([`crate::report::staging`] decides; the error
//! carries it). A file of its own so that the crate's error type can hold it without a
//! circle through the staging code, which returns that error.

use std::path::PathBuf;

/// Why an output folder or file was refused (said by [`Refusal::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The output folder is the register folder read by this run, or inside it.
    OutputIsRegister { out: PathBuf, register: PathBuf },
    /// A file this run reads is one that an earlier run of this command wrote in the output
    /// folder (it would be moved away as a stale result).
    InputIsOutput { file: PathBuf },
    /// A file of the name this run would write is there and was not written by tuopin.
    NotOurs { file: PathBuf },
}

impl Refusal {
    /// The refusal in the user's language.
    pub fn say(&self, lang: crate::messages::Lang) -> String {
        use crate::messages::stop;
        match self {
            Refusal::OutputIsRegister { out, register } => stop::output_is_register(lang, out, register),
            Refusal::InputIsOutput { file } => stop::input_is_output(lang, file),
            Refusal::NotOurs { file } => stop::not_ours(lang, file),
        }
    }
}
