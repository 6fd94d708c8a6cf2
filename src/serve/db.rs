//! The studio's SQLite database, one file beside the pack folder (`<pack>.studio.sqlite`):
//! accounts (Argon2id hashes), sessions, and the audit log, which is append-only (the
//! database itself refuses to change or delete a line of it).

use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{Connection, OptionalExtension, params};

use crate::Error;

/// What a person may do in the studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Read, explain, preview.
    Viewer,
    /// Also drafts and test cases.
    Editor,
    /// Also publish and restore (not a draft of their own alone).
    Approver,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" | "查看" => Some(Role::Viewer),
            "editor" | "编辑" => Some(Role::Editor),
            "approver" | "审批" => Some(Role::Approver),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
        }
    }
}

/// The database file of a pack folder: beside it, named after it.
pub fn path_for(rules: &Path) -> PathBuf {
    let name = rules.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "rules".into());
    rules.with_file_name(format!("{name}.studio.sqlite"))
}

fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::io(path, std::io::Error::other(e))
}

/// An open studio database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS draft_files (
    path TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    note TEXT NOT NULL,
    pack_hash TEXT NOT NULL,
    files TEXT NOT NULL,
    impact TEXT NOT NULL,
    authors TEXT NOT NULL,
    restored_from INTEGER
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub detail: String,
}

/// A file changed in the draft (the shared work in progress, not yet published).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DraftFile {
    pub path: String,
    pub text: String,
    /// Who saved it last.
    pub author: String,
    pub updated: String,
}

/// A published version of the pack.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Version {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub note: String,
    pub pack_hash: String,
    /// What changed on the register when it was published (JSON).
    pub impact: serde_json::Value,
    /// Who wrote the draft it came from.
    pub authors: Vec<String>,
    pub restored_from: Option<i64>,
}

/// Seconds since 1970.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A time as people read it (UTC+8, the time in Hunan): `2026-12-01 15:04:05`.
pub fn local_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs + 8 * 3600, 0)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, Error> {
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        conn.execute_batch(SCHEMA).map_err(|e| db_error(path, e))?;
        Ok(Db { conn, path: path.to_path_buf() })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        db_error(&self.path, e)
    }

    pub fn user_count(&self) -> Result<usize, Error> {
        self.conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// Add an account, or set a new password and role for an existing one.
    pub fn set_user(&self, name: &str, role: Role, password: &str) -> Result<(), Error> {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::Usage(e.to_string()))?
            .to_string();
        self.conn
            .execute(
                "INSERT INTO users (name, role, hash, created) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET role = excluded.role, hash = excluded.hash",
                params![name, role.name(), hash, local_time(now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The role of an account whose password is right.
    pub fn verify(&self, name: &str, password: &str) -> Result<Option<Role>, Error> {
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT role, hash FROM users WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((role, hash)) = row else {
            // The same work for an unknown name as for a wrong password.
            let _ = Argon2::default().hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng));
            return Ok(None);
        };
        let ok = PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        Ok(if ok { Role::parse(&role) } else { None })
    }

    pub fn role_of(&self, name: &str) -> Result<Option<Role>, Error> {
        let role: Option<String> = self
            .conn
            .query_row("SELECT role FROM users WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(role.as_deref().and_then(Role::parse))
    }

    /// A new session of `user` for `hours`: (token, CSRF token).
    pub fn new_session(&self, user: &str, hours: i64) -> Result<(String, String), Error> {
        let (token, csrf) = (super::versions::random_token(), super::versions::random_token());
        self.conn
            .execute(
                "INSERT INTO sessions (token, user, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
                params![token, user, csrf, now() + hours * 3600],
            )
            .map_err(|e| self.err(e))?;
        Ok((token, csrf))
    }

    /// The user and CSRF token of a live session.
    pub fn session(&self, token: &str) -> Result<Option<(String, String)>, Error> {
        self.conn
            .query_row(
                "SELECT user, csrf FROM sessions WHERE token = ?1 AND expires > ?2",
                params![token, now()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn end_session(&self, token: &str) -> Result<(), Error> {
        self.conn.execute("DELETE FROM sessions WHERE token = ?1", [token]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Add a line to the audit log.
    pub fn audit(&self, user: &str, action: &str, detail: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO audit (at, user, action, detail) VALUES (?1, ?2, ?3, ?4)",
                params![local_time(now()), user, action, detail],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The last `n` lines of the audit log, newest first.
    pub fn audit_lines(&self, n: usize) -> Result<Vec<AuditLine>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT id, at, user, action, detail FROM audit ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([n as i64], |r| {
                Ok(AuditLine { id: r.get(0)?, at: r.get(1)?, user: r.get(2)?, action: r.get(3)?, detail: r.get(4)? })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    pub fn draft_files(&self) -> Result<Vec<DraftFile>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT path, text, author, updated FROM draft_files ORDER BY path")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(DraftFile { path: r.get(0)?, text: r.get(1)?, author: r.get(2)?, updated: r.get(3)? })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    pub fn draft_file(&self, path: &str) -> Result<Option<DraftFile>, Error> {
        self.conn
            .query_row("SELECT path, text, author, updated FROM draft_files WHERE path = ?1", [path], |r| {
                Ok(DraftFile { path: r.get(0)?, text: r.get(1)?, author: r.get(2)?, updated: r.get(3)? })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn save_draft(&self, path: &str, text: &str, author: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO draft_files (path, text, author, updated) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(path) DO UPDATE SET text = excluded.text, author = excluded.author, updated = excluded.updated",
                params![path, text, author, local_time(now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn discard_draft(&self, path: Option<&str>) -> Result<(), Error> {
        match path {
            Some(p) => self.conn.execute("DELETE FROM draft_files WHERE path = ?1", [p]),
            None => self.conn.execute("DELETE FROM draft_files", []),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Record a published version; returns its number.
    #[allow(clippy::too_many_arguments)]
    pub fn add_version(
        &self,
        user: &str,
        note: &str,
        pack_hash: &str,
        files: &super::versions::Files,
        impact: &serde_json::Value,
        authors: &[String],
        restored_from: Option<i64>,
    ) -> Result<i64, Error> {
        let files = serde_json::to_string(files).map_err(|e| Error::Evaluation(e.to_string()))?;
        let authors = serde_json::to_string(authors).map_err(|e| Error::Evaluation(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO versions (at, user, note, pack_hash, files, impact, authors, restored_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![local_time(now()), user, note, pack_hash, files, impact.to_string(), authors, restored_from],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn version_of(r: &rusqlite::Row) -> rusqlite::Result<Version> {
        let impact: String = r.get(5)?;
        let authors: String = r.get(6)?;
        Ok(Version {
            id: r.get(0)?,
            at: r.get(1)?,
            user: r.get(2)?,
            note: r.get(3)?,
            pack_hash: r.get(4)?,
            impact: serde_json::from_str(&impact).unwrap_or(serde_json::Value::Null),
            authors: serde_json::from_str(&authors).unwrap_or_default(),
            restored_from: r.get(7)?,
        })
    }

    /// Every published version, newest first.
    pub fn versions(&self) -> Result<Vec<Version>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, at, user, note, pack_hash, impact, authors, restored_from FROM versions ORDER BY id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], Self::version_of).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A version with its files.
    pub fn version(&self, id: i64) -> Result<Option<(Version, super::versions::Files)>, Error> {
        let row: Option<(Version, String)> = self
            .conn
            .query_row(
                "SELECT id, at, user, note, pack_hash, impact, authors, restored_from, files FROM versions WHERE id = ?1",
                [id],
                |r| Ok((Self::version_of(r)?, r.get(8)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.map(|(v, files)| (v, serde_json::from_str(&files).unwrap_or_default())))
    }

    /// Run a statement against the audit log (for the test that it is append-only).
    #[cfg(test)]
    fn try_execute(&self, sql: &str) -> Result<usize, String> {
        self.conn.execute(sql, []).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_and_the_audit_log_cannot_be_changed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.sqlite")).unwrap();
        db.set_user("王芳", Role::Editor, "correct horse").unwrap();
        assert_eq!(db.verify("王芳", "correct horse").unwrap(), Some(Role::Editor));
        assert_eq!(db.verify("王芳", "wrong").unwrap(), None);
        assert_eq!(db.verify("李明", "correct horse").unwrap(), None);
        let stored: String = db.conn.query_row("SELECT hash FROM users", [], |r| r.get(0)).unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("correct horse"), "{stored}");
        db.audit("王芳", "login", "").unwrap();
        assert!(db.try_execute("UPDATE audit SET user = 'x'").unwrap_err().contains("append-only"));
        assert!(db.try_execute("DELETE FROM audit").unwrap_err().contains("append-only"));
        assert_eq!(db.audit_lines(10).unwrap().len(), 1);
    }
}
