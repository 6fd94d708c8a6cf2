//! Writing an output folder safely: complete or not at all, and never a byte of anything
//! that is not ours.
//!
//! A user's output folder is theirs. It may hold their own files (a `persons.csv` they made),
//! the results of other commands, or — by a slip of `--out` — the very register being read.
//! So a run:
//!
//! 1. refuses an output folder that is, or lies inside, a register folder it reads, and an
//!    input file that an earlier run of the same command wrote there;
//! 2. writes every file into a hidden staging folder `.tuopin-partial-<pid>-<nanos>` inside
//!    the output folder (same file system, so the final step is a rename);
//! 3. at the start, moves the files that its *previous* run wrote (proved by a manifest
//!    `.tuopin-<command>.json` listing each file with its size and modification time) into
//!    the staging folder, so that whatever happens next — an error, a panic, a kill — no
//!    earlier result is left standing as if it were current. A file of that name whose size
//!    or time no longer matches (the user replaced it) is not ours and is left alone;
//! 4. refuses to write a file whose name is taken by a file that is not ours;
//! 5. on commit, writes the new manifest and then renames every file into place; a failure
//!    part-way takes back the files already moved, so the folder holds all of a run's
//!    outputs or none of them.
//!
//! Staging folders of dead processes (a killed run) are removed by the next run in the same
//! output folder.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::Error;

const PARTIAL: &str = ".tuopin-partial-";

pub use super::refusal::Refusal;

/// One file of a run, as the manifest records it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    size: u64,
    /// Modification time, nanoseconds since the Unix epoch (kept by a rename).
    modified_ns: u128,
}

#[derive(Serialize, Deserialize, Default)]
struct Manifest {
    /// What this file is, for a person who opens it.
    about: String,
    command: String,
    files: Vec<Entry>,
}

impl Manifest {
    fn path(out: &Path, job: &str) -> PathBuf {
        out.join(format!(".tuopin-{job}.json"))
    }

    /// The manifest of the last run of `job` in `out`; none (nothing is proved ours) when it
    /// is missing or unreadable.
    fn read(out: &Path, job: &str) -> Manifest {
        std::fs::read(Self::path(out, job)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Whether `out/name` is exactly the file this manifest lists (a regular file, not a link,
    /// of the recorded size and time).
    fn proves(&self, out: &Path, name: &str) -> bool {
        let Some(e) = self.files.iter().find(|e| e.name == name) else { return false };
        entry(&out.join(name), name).is_some_and(|now| now == *e)
    }
}

/// Whether `folder` holds the manifest of a run of `job` (`gen --by-county` replaces only the
/// county folders it wrote itself).
pub fn written_by(folder: &Path, job: &str) -> bool {
    folder.is_dir() && Manifest::path(folder, job).is_file()
}

/// The manifest entry of a regular file (links and folders have none).
fn entry(path: &Path, name: &str) -> Option<Entry> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.file_type().is_file() {
        return None;
    }
    let modified_ns = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some(Entry { name: name.to_string(), size: m.len(), modified_ns })
}

/// A path made absolute and free of links and of `.`/`..`, as the system would resolve it
/// (an output folder may not exist yet: its missing parts are taken as written).
fn resolved(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    let mut cur = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                cur.pop();
            }
            Component::CurDir => {}
            other => {
                cur.push(other.as_os_str());
                // An existing part may be a link: follow it, as `..` after it must.
                if let Ok(real) = cur.canonicalize() {
                    cur = real;
                }
            }
        }
    }
    cur
}

/// Whether a process is running (a staging folder's owner). Where this cannot be told
/// (no `/proc`), a staging folder counts as stale after six hours.
fn alive(pid: u32, folder: &Path) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    std::fs::metadata(folder)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age.as_secs() < 6 * 3600)
}

/// Remove the staging folders of runs that died (killed, or the machine lost power).
fn remove_stale(out: &Path) {
    let Ok(dir) = std::fs::read_dir(out) else { return };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PARTIAL) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let path = e.path();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if let Some(pid) = pid
            && is_dir
            && pid != std::process::id()
            && !alive(pid, &path)
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// What a run reads: register folders (the output folder may not be one of them, nor lie
/// inside one) and single files (a sample, field results).
#[derive(Default, Clone, Copy)]
pub struct Inputs<'a> {
    pub folders: &'a [&'a Path],
    pub files: &'a [&'a Path],
}

/// An output folder being written: files land in a staging folder until `commit`.
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    job: String,
    files: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Start writing the outputs of `job` (`check`, `validate`, …) into `out`. Refuses an
    /// output folder that is or lies inside a register folder of `inputs`; moves the previous
    /// run's outputs of this job out of sight (see the module's doc).
    pub fn begin(out: &Path, job: &str, inputs: Inputs) -> Result<Staging, Error> {
        let out_abs = resolved(out);
        for folder in inputs.folders {
            let reg = resolved(folder);
            if out_abs.starts_with(&reg) {
                return Err(Error::Output(Refusal::OutputIsRegister {
                    out: out.to_path_buf(),
                    register: folder.to_path_buf(),
                }));
            }
        }
        // Nothing is created until there is something to write (a run stopped by input
        // errors before writing leaves no empty folder behind).
        remove_stale(out);
        let manifest = Manifest::read(out, job);
        let ours: Vec<&Entry> = manifest.files.iter().filter(|e| manifest.proves(out, &e.name)).collect();
        for file in inputs.files {
            let f = resolved(file);
            if ours.iter().any(|e| resolved(&out.join(&e.name)) == f) {
                return Err(Error::Output(Refusal::InputIsOutput { file: file.to_path_buf() }));
            }
        }
        let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let tmp = out.join(format!("{PARTIAL}{}-{nanos}", std::process::id()));
        let previous = tmp.join("previous");
        let staging = Staging { out: out.to_path_buf(), tmp, job: job.to_string(), files: vec![], committed: false };
        if !ours.is_empty() {
            std::fs::create_dir_all(&previous).map_err(|e| Error::io(&staging.tmp, e))?;
        }
        // From here on, dropping `staging` (an error, a panic) removes the previous results too.
        for e in ours {
            let from = out.join(&e.name);
            std::fs::rename(&from, previous.join(&e.name)).map_err(|err| Error::io(&from, err))?;
        }
        let m = Manifest::path(out, job);
        if m.exists() {
            std::fs::remove_file(&m).map_err(|e| Error::io(&m, e))?;
        }
        Ok(staging)
    }

    /// Forget every file staged so far (a run that turned out to have input errors writes
    /// only their list).
    pub fn discard(&mut self) -> Result<(), Error> {
        for name in self.files.drain(..) {
            let p = self.tmp.join(&name);
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
        Ok(())
    }

    /// A file to write in the staging folder; it becomes `<out>/<name>` on commit. Refused
    /// when a file of that name in the output folder is not ours.
    pub fn file(&mut self, name: &str) -> Result<(PathBuf, File), Error> {
        let target = self.out.join(name);
        if std::fs::symlink_metadata(&target).is_ok() {
            return Err(Error::Output(Refusal::NotOurs { file: target }));
        }
        std::fs::create_dir_all(&self.tmp).map_err(|e| Error::io(&self.tmp, e))?;
        let p = self.tmp.join(name);
        let f = File::create(&p).map_err(|e| Error::io(&p, e))?;
        if !self.files.iter().any(|f| f == name) {
            self.files.push(name.to_string());
        }
        Ok((p, f))
    }

    /// Put every staged file in place: first the manifest naming them, then one rename each.
    /// If a rename fails, the files already moved are taken back and the manifest removed, so
    /// the folder holds none of this run's outputs. Returns the final paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, Error> {
        // Another run may have written into the folder meanwhile: replace only what its
        // manifest proves it wrote.
        let current = Manifest::read(&self.out, &self.job);
        for name in &self.files {
            let target = self.out.join(name);
            if std::fs::symlink_metadata(&target).is_ok() && !current.proves(&self.out, name) {
                return Err(Error::Output(Refusal::NotOurs { file: target }));
            }
        }
        let mut entries = vec![];
        for name in &self.files {
            let p = self.tmp.join(name);
            entries.push(entry(&p, name).ok_or_else(|| Error::io(&p, std::io::Error::other("staged file vanished")))?);
        }
        let manifest = Manifest {
            about: "tuopin: the files its last run of this command wrote in this folder (the next run replaces \
                    only these) · tuopin 上次在此文件夹写入的文件，下次运行只替换这些文件"
                .to_string(),
            command: self.job.clone(),
            files: entries,
        };
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::io(&self.tmp, std::io::Error::other(e)))?;
        std::fs::create_dir_all(&self.tmp).map_err(|e| Error::io(&self.tmp, e))?;
        let staged_manifest = self.tmp.join("manifest.json");
        let final_manifest = Manifest::path(&self.out, &self.job);
        std::fs::write(&staged_manifest, text).map_err(|e| Error::io(&staged_manifest, e))?;
        std::fs::rename(&staged_manifest, &final_manifest).map_err(|e| Error::io(&final_manifest, e))?;
        let done = put_in_place(&self.files, &self.tmp, &self.out, &final_manifest, |a, b| std::fs::rename(a, b))?;
        let _ = std::fs::remove_dir_all(&self.tmp);
        self.committed = true;
        Ok(done)
    }
}

/// Rename each staged file into the output folder with `rename`; if one fails (a file locked
/// by Excel on Windows, a folder in the way), move back those already moved and remove the
/// manifest, so none of the run's files is left in place.
fn put_in_place(
    files: &[String],
    tmp: &Path,
    out: &Path,
    manifest: &Path,
    mut rename: impl FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<Vec<PathBuf>, Error> {
    let mut done: Vec<PathBuf> = vec![];
    for name in files {
        let from = tmp.join(name);
        let to = out.join(name);
        if let Err(e) = rename(&from, &to) {
            for (moved, n) in done.iter().zip(files) {
                if std::fs::rename(moved, tmp.join(n)).is_err() {
                    let _ = std::fs::remove_file(moved);
                }
            }
            let _ = std::fs::remove_file(manifest);
            return Err(Error::io(&to, e));
        }
        done.push(to);
    }
    Ok(done)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn write(staging: &mut Staging, name: &str, text: &str) {
        let (_, mut f) = staging.file(name).unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
    }

    #[test]
    fn a_failed_rename_takes_back_every_file_already_moved() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let tmp = out.join(".stage");
        std::fs::create_dir_all(&tmp).unwrap();
        let files: Vec<String> = ["a.csv", "b.csv", "c.csv"].map(String::from).to_vec();
        for f in &files {
            std::fs::write(tmp.join(f), f).unwrap();
        }
        let manifest = out.join(".tuopin-check.json");
        std::fs::write(&manifest, "{}").unwrap();
        // The third rename fails, as a file locked by Excel would.
        let mut n = 0;
        let r = put_in_place(&files, &tmp, out, &manifest, |a, b| {
            n += 1;
            if n == 3 { Err(std::io::Error::other("locked")) } else { std::fs::rename(a, b) }
        });
        assert!(matches!(r, Err(Error::Io { ref path, .. }) if path.ends_with("c.csv")), "{r:?}");
        assert_eq!(names(out), vec![".stage"], "none of the run's files, and no manifest");
        assert_eq!(names(&tmp), vec!["a.csv", "b.csv", "c.csv"]);
    }

    #[test]
    fn only_files_the_manifest_proves_ours_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let mut s = Staging::begin(out, "check", Inputs::default()).unwrap();
        write(&mut s, "persons.csv", "first run");
        write(&mut s, "summary.json", "{}");
        s.commit().unwrap();
        assert_eq!(names(out), vec![".tuopin-check.json", "notes.txt", "persons.csv", "summary.json"]);

        // The user replaces summary.json with their own file: it is no longer ours.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("summary.json"), "the user's own").unwrap();
        let mut s = Staging::begin(out, "check", Inputs::default()).unwrap();
        // The earlier persons.csv was ours, and is out of sight as soon as the run begins.
        assert!(!out.join("persons.csv").exists());
        write(&mut s, "persons.csv", "second run");
        let refused = s.file("summary.json").map(|_| ()).unwrap_err();
        assert!(matches!(refused, Error::Output(Refusal::NotOurs { .. })), "{refused:?}");
        drop(s);
        assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), "the user's own");
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(!out.join("persons.csv").exists(), "a failed run leaves no earlier result standing");
        assert_eq!(names(out), vec!["notes.txt", "summary.json"], "no staging folder, no manifest");
    }

    #[test]
    fn the_register_folder_is_never_an_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("reg");
        std::fs::create_dir_all(&reg).unwrap();
        for out in [reg.clone(), reg.join("."), reg.join("results/2020"), dir.path().join("x/../reg")] {
            let inputs = [reg.as_path()];
            let r = Staging::begin(&out, "check", Inputs { folders: &inputs, files: &[] });
            assert!(matches!(r, Err(Error::Output(Refusal::OutputIsRegister { .. }))), "{}", out.display());
        }
        assert_eq!(names(&reg), Vec::<String>::new(), "nothing created in the register");
        let inputs = [reg.as_path()];
        assert!(Staging::begin(&dir.path().join("out"), "check", Inputs { folders: &inputs, files: &[] }).is_ok());
    }

    #[test]
    fn staging_folders_of_dead_runs_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        // No process has this id (Linux pids stop well below it).
        let stale = out.join(".tuopin-partial-4000000000-17");
        std::fs::create_dir_all(stale.join("previous")).unwrap();
        std::fs::write(stale.join("persons.parquet"), vec![0u8; 1000]).unwrap();
        let own = out.join(format!(".tuopin-partial-{}-1", std::process::id()));
        std::fs::create_dir_all(&own).unwrap();
        let s = Staging::begin(out, "check", Inputs::default()).unwrap();
        assert!(!stale.exists());
        assert!(own.exists(), "a live process's staging folder is left alone");
        drop(s);
    }
}
