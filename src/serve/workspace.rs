//! Copies of the pack folder to try a change in (lint a rule as it is typed) without
//! touching the pack itself.

use std::path::{Path, PathBuf};

use crate::rules::diagnostic::Diagnostic;

/// A folder of its own under the system's temporary folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("tuopin-studio-{}", super::db::random_token()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copy a pack folder (its files and subfolders; links are not followed).
pub fn copy_pack(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_pack(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Lint the pack with one rule file (`level/name.rhai`, already checked to stay inside the
/// pack) replaced by `source`: (errors, warnings), with files named relative to the pack.
pub fn lint_with(rules: &Path, path: &str, source: &str) -> Result<(Vec<Diagnostic>, Vec<Diagnostic>), crate::Error> {
    let scratch = Scratch::new().map_err(|e| crate::Error::io(&std::env::temp_dir(), e))?;
    let dir = scratch.0.join("pack");
    copy_pack(rules, &dir).map_err(|e| crate::Error::io(rules, e))?;
    let file = dir.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| crate::Error::io(parent, e))?;
    }
    std::fs::write(&file, source).map_err(|e| crate::Error::io(&file, e))?;
    let (mut errors, mut warnings) = crate::rules::lint::run(&dir, &crate::register::Aliases::builtin());
    let prefix = format!("{}/", dir.display());
    for d in errors.iter_mut().chain(warnings.iter_mut()) {
        if let Some(rest) = d.file.strip_prefix(&prefix) {
            d.file = rest.to_string();
        }
    }
    Ok((errors, warnings))
}
