//! Copies of the pack folder to try a change in (lint a rule as it is typed) without
//! touching the pack itself.

use std::path::PathBuf;

use super::versions::Files;

use crate::rules::diagnostic::Diagnostic;

/// A folder of its own under the system's temporary folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("tuopin-studio-{}", super::versions::random_token()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A pack's files written into a scratch folder (`<scratch>/pack`), to load, lint or test.
pub fn materialize(files: &Files) -> Result<(Scratch, PathBuf), crate::Error> {
    let scratch = Scratch::new().map_err(|e| crate::Error::io(&std::env::temp_dir(), e))?;
    let dir = scratch.0.join("pack");
    super::versions::write_files(&dir, files)?;
    Ok((scratch, dir))
}

/// The published files with the draft's changes on top.
pub fn with_draft(published: &Files, draft: &[super::db::DraftFile]) -> Files {
    let mut files = published.clone();
    for d in draft {
        files.insert(d.path.clone(), d.text.clone());
    }
    files
}

/// Lint a pack's files: (errors, warnings), with files named relative to the pack.
pub fn lint_files(files: &Files) -> Result<(Vec<Diagnostic>, Vec<Diagnostic>), crate::Error> {
    let (_scratch, dir) = materialize(files)?;
    let (mut errors, mut warnings) = crate::rules::lint::run(&dir, &crate::register::Aliases::builtin());
    let prefix = format!("{}/", dir.display());
    for d in errors.iter_mut().chain(warnings.iter_mut()) {
        if let Some(rest) = d.file.strip_prefix(&prefix) {
            d.file = rest.to_string();
        }
    }
    Ok((errors, warnings))
}
