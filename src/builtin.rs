//! What the binary carries: the Hunan pack (with its test cases), the quality pack and the
//! demo register, embedded at build time (`build.rs`). A run that names no `--rules`,
//! `--quality` or `--data` uses them, wherever the binary is and whatever folder it is run
//! from; `tuopin init DIR` writes an editable copy of the pack.
//!
//! The loaders read folders, so the embedded files are written once into a folder of the
//! system's temporary directory named by a hash of their contents (written beside it and
//! renamed, so a folder that exists is complete), and read from there.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::messages::Lang;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

const PACK: &str = "rules/hunan";
const QUALITY: &str = "rules/quality";
const DEMO: &str = "fixtures/demo";

/// The folder the embedded files are written to.
fn root() -> PathBuf {
    std::env::temp_dir().join(format!("tuopin-{}-{}", env!("CARGO_PKG_VERSION"), embedded::HASH))
}

/// The embedded files, written out if they are not yet.
fn materialized() -> Result<PathBuf, Error> {
    let root = root();
    if root.is_dir() {
        return Ok(root);
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let part = root.with_extension(format!("part-{}-{nanos}", std::process::id()));
    write_files(&part, "")?;
    if std::fs::rename(&part, &root).is_err() {
        // Another run wrote it first: theirs is complete, ours goes.
        let _ = std::fs::remove_dir_all(&part);
        if !root.is_dir() {
            return Err(Error::io(&root, std::io::Error::other("cannot write the built-in files")));
        }
    }
    Ok(root)
}

/// Write the embedded files under `prefix` into `dir`, keeping their paths below it.
fn write_files(dir: &Path, prefix: &str) -> Result<(), Error> {
    for (rel, bytes) in embedded::FILES {
        let Some(rest) = rel.strip_prefix(prefix) else { continue };
        let target = dir.join(rest.trim_start_matches('/'));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?;
    }
    Ok(())
}

/// The built-in Hunan pack.
pub fn pack() -> Result<PathBuf, Error> {
    Ok(materialized()?.join(PACK))
}

/// The built-in data-quality pack.
pub fn quality() -> Result<PathBuf, Error> {
    Ok(materialized()?.join(QUALITY))
}

/// The built-in demo register.
pub fn demo() -> Result<PathBuf, Error> {
    Ok(materialized()?.join(DEMO))
}

/// Whether a path is one of the built-in folders.
pub fn is_builtin(p: &Path) -> bool {
    p.starts_with(root())
}

/// A folder as a run names it: the built-in ones by what they are.
pub fn label(p: &Path, lang: Lang) -> String {
    let rel = p.strip_prefix(root()).ok().map(|r| r.to_string_lossy().replace('\\', "/"));
    match rel.as_deref() {
        Some(DEMO) => crate::messages::authoring::builtin_demo(lang).to_string(),
        Some(PACK) => crate::messages::authoring::builtin_pack(lang).to_string(),
        Some(QUALITY) => crate::messages::authoring::builtin_quality(lang).to_string(),
        _ => p.display().to_string(),
    }
}

/// `tuopin init DIR`: an editable copy of the Hunan pack with its test cases, in a folder
/// that does not exist or is empty (nothing of the user's is overwritten). Written beside
/// the folder and renamed, so it is whole or absent. Returns the files written.
pub fn init(dir: &Path, lang: Lang) -> Result<usize, Error> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next().is_none();
        if !empty {
            return Err(Error::Usage(crate::messages::authoring::init_not_empty(lang, dir)));
        }
        std::fs::remove_dir(dir).map_err(|e| Error::io(dir, e))?;
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let part = parent.join(format!(
        ".{}.part-{}",
        dir.file_name().map_or("pack".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&part);
    let written = write_files(&part, PACK).and_then(|_| std::fs::rename(&part, dir).map_err(|e| Error::io(dir, e)));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&part);
        return Err(e);
    }
    Ok(embedded::FILES.iter().filter(|(rel, _)| rel.starts_with(PACK)).count())
}
