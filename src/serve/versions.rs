//! A pack as a set of files (path → text), its hash, which files the studio lets people
//! edit, and writing a new version into the pack folder all at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use blake2::{Blake2b512, Digest};

use crate::Error;

/// 32 random bytes from the operating system, as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A pack's files: path relative to the pack folder (with `/`) → text.
pub type Files = BTreeMap<String, String>;

/// Every file of a pack folder (UTF-8 text; nothing else belongs in a pack).
pub fn read_pack(dir: &Path) -> Result<Files, Error> {
    fn walk(root: &Path, dir: &Path, out: &mut Files) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else if kind.is_file() {
                let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                out.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok(())
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// The BLAKE2b hash of a pack's files (names and texts), its first 16 bytes as hex: the
/// same files, the same hash.
pub fn pack_hash(files: &Files) -> String {
    let mut h = Blake2b512::new();
    for (path, text) in files {
        h.update(path.as_bytes());
        h.update([0]);
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of one text, to tell whether a file changed since someone opened it.
pub fn text_hash(text: &str) -> String {
    let mut files = Files::new();
    files.insert(String::new(), text.to_string());
    pack_hash(&files)
}

/// Whether a file name stays inside the pack and is one people edit in the studio: a rule
/// (`person/…`, `household/…`, `village/…`, `county/…` `.rhai`), the parameters
/// (`parameters.toml`), or a test-case file (`tests/….toml`).
pub fn editable(path: &str) -> bool {
    if path == "parameters.toml" {
        return true;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let [folder, name] = parts.as_slice() else { return false };
    let ext = match *folder {
        "person" | "household" | "village" | "county" => ".rhai",
        "tests" => ".toml",
        _ => return false,
    };
    name.ends_with(ext)
        && name.len() > ext.len()
        && !name.starts_with('.')
        && !name.contains(['\\', ':', '\0'])
        && name.chars().all(|c| !c.is_control())
}

/// Write files into a new folder.
pub fn write_files(dir: &Path, files: &Files) -> Result<(), Error> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.with_file_name(format!(".{name}.{what}-{}", &random_token()[..12]))
}

/// Replace the pack folder's contents with `files` at once: the new version is written
/// completely beside it, then the folders are swapped by renaming; a failure leaves the
/// old version in place.
pub fn replace_pack(dir: &Path, files: &Files) -> Result<(), Error> {
    let new = sibling(dir, "new");
    if let Err(e) = write_files(&new, files) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(e);
    }
    let old = sibling(dir, "old");
    std::fs::rename(dir, &old).map_err(|e| {
        let _ = std::fs::remove_dir_all(&new);
        Error::io(dir, e)
    })?;
    if let Err(e) = std::fs::rename(&new, dir) {
        let _ = std::fs::rename(&old, dir);
        let _ = std::fs::remove_dir_all(&new);
        return Err(Error::io(dir, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rule_parameter_and_case_files_inside_the_pack_are_editable() {
        for ok in ["household/x.rhai", "person/年龄.rhai", "parameters.toml", "tests/income.toml"] {
            assert!(editable(ok), "{ok}");
        }
        for bad in [
            "../x.rhai",
            "household/../../etc/passwd",
            "/etc/passwd",
            "household/x.toml",
            "pack.toml",
            "household/.rhai",
            "household/sub/x.rhai",
            "tests/x.rhai",
            "household\\..\\x.rhai",
            "household/.hidden.rhai",
            "",
        ] {
            assert!(!editable(bad), "{bad}");
        }
    }

    #[test]
    fn a_pack_is_replaced_whole_and_its_hash_follows_its_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        let mut a = Files::new();
        a.insert("pack.toml".into(), "name = 'a'\n".into());
        a.insert("household/x.rhai".into(), "1".into());
        write_files(&dir, &a).unwrap();
        assert_eq!(read_pack(&dir).unwrap(), a);
        let mut b = a.clone();
        b.remove("household/x.rhai");
        b.insert("household/y.rhai".into(), "2".into());
        replace_pack(&dir, &b).unwrap();
        assert_eq!(read_pack(&dir).unwrap(), b);
        // Nothing left beside it.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        assert_ne!(pack_hash(&a), pack_hash(&b));
        assert_eq!(pack_hash(&a), pack_hash(&a.clone()));
        // A name and a text cannot trade bytes.
        let (mut c, mut d) = (Files::new(), Files::new());
        c.insert("ab".into(), "c".into());
        d.insert("a".into(), "bc".into());
        assert_ne!(pack_hash(&c), pack_hash(&d));
    }
}
