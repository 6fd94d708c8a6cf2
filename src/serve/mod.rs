//! The studio: `tuopin serve` holds one pack and one register in memory and answers a JSON
//! API (and the page that uses it) on an HTTP port. Who may do what is in [`auth`]; the
//! accounts, sessions and the audit log are in [`db`].
//!
//! - `GET  /api/session` — who is here, their role, the CSRF token for changes
//! - `POST /api/login`, `POST /api/logout`
//! - `GET  /api/pack` — the pack's rules (by level, title, kind, source, path, what each reads)
//!   and parameters by year
//! - `POST /api/evaluate` — one household given as a test case: every rule's outcome and the
//!   reasons, as `check` gives them for that household's rows
//! - `POST /api/lint` — one rule file's source: the diagnostics of `lint`
//! - `GET  /api/explain/{code}` — the document of `explain --json`
//! - `GET  /api/audit` — the audit log, newest first
//! - `GET  /api/file?path=` — a file to edit (the draft's, else the published one) and its hash
//! - `POST /api/draft/file` — save a file into the draft (409 if someone changed it meanwhile)
//! - `POST /api/draft/discard`, `GET /api/draft`
//! - `POST /api/cases` — run the draft's test cases
//! - `GET  /api/impact?county=` — the draft against the published pack over the register;
//!   `GET /api/impact/diff.xlsx?county=` the same as the diff workbook
//! - `POST /api/publish` — publish the draft with a note (approvers; two people)
//! - `GET  /api/versions`, `/api/versions/{id}`, `/api/versions/{a}/compare/{b}`;
//!   `POST /api/versions/{id}/restore`

pub mod api;
pub mod auth;
pub mod db;
mod http;
mod page;
pub mod versions;
mod work;
pub mod workspace;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::Error;
use crate::messages::{Lang, studio as msg};
use crate::register::{Aliases, Register};
use crate::rules::Pack;

/// How `tuopin serve` was started.
pub struct ServeOptions {
    pub rules: PathBuf,
    pub data: PathBuf,
    pub year: i32,
    pub bind: String,
    pub port: u16,
    pub lang: Lang,
}

/// The pack in force: the published version, as loaded and as files.
pub struct Published {
    pub pack: Pack,
    pub files: versions::Files,
    /// Its number in the version history.
    pub version: i64,
    pub hash: String,
}

/// Everything the server holds.
pub struct Studio {
    pub rules: PathBuf,
    pub year: i32,
    pub published: RwLock<Arc<Published>>,
    pub register: Arc<Register>,
    pub db: Mutex<db::Db>,
    /// Loopback with no accounts: one local user with every right.
    pub local: bool,
    pub logins: auth::Attempts,
    /// The register's last few counties, split out for `explain` (most recent last).
    pub parts: Mutex<Vec<(String, Arc<Register>)>>,
}

/// How many counties split out of the register the studio keeps for `explain`.
const KEPT_PARTS: usize = 4;

impl Studio {
    pub fn pack(&self) -> Arc<Published> {
        self.published.read().map(|p| p.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// One county of the register, split out once and kept (the split reads every row:
    /// 0.2 s at 1,000,000 households).
    pub fn county(&self, code: &str) -> Arc<Register> {
        if let Ok(parts) = self.parts.lock()
            && let Some((_, p)) = parts.iter().find(|(c, _)| c == code)
        {
            return p.clone();
        }
        let part = Arc::new(self.register.county(code));
        if let Ok(mut parts) = self.parts.lock() {
            parts.retain(|(c, _)| c != code);
            parts.push((code.to_string(), part.clone()));
            if parts.len() > KEPT_PARTS {
                parts.remove(0);
            }
        }
        part
    }
}

/// Whether an address is this machine only.
pub fn is_loopback(bind: &str) -> bool {
    match bind.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bind == "localhost",
    }
}

/// Load the pack and the register, open the database, refuse an open address without
/// accounts. Nothing is listening yet.
pub fn prepare(o: &ServeOptions) -> Result<Studio, Error> {
    let aliases = Aliases::builtin();
    let (pack, _) = crate::jobs::load_pack(&o.rules, o.year, &aliases)?;
    let files = versions::read_pack(&o.rules)?;
    let hash = versions::pack_hash(&files);
    let db = db::Db::open(&db::path_for(&o.rules))?;
    // The folder is the source of truth: a first start, or a pack changed outside the
    // studio, is recorded as a version of its own.
    let version = match db.versions()?.first() {
        Some(v) if v.pack_hash == hash => v.id,
        last => {
            let note = msg::version_found(o.lang, last.is_none());
            let id = db.add_version("tuopin serve", &note, &hash, &files, &serde_json::Value::Null, &[], None)?;
            db.audit("tuopin serve", "version_recorded", &format!("v{id} {hash}"))?;
            id
        }
    };
    let accounts = db.user_count()?;
    let loopback = is_loopback(&o.bind);
    if !loopback && accounts == 0 {
        return Err(Error::Usage(msg::refuse_open_address(o.lang, &o.bind, &o.rules.display().to_string())));
    }
    let opts = crate::register::LoadOptions { aliases: pack.aliases.clone(), ..Default::default() };
    let register = crate::jobs::load_register(&o.data, &opts)?;
    Ok(Studio {
        rules: o.rules.clone(),
        year: o.year,
        published: RwLock::new(Arc::new(Published { pack, files, version, hash })),
        register: Arc::new(register),
        db: Mutex::new(db),
        local: loopback && accounts == 0,
        logins: auth::Attempts::default(),
        parts: Mutex::new(vec![]),
    })
}

/// Serve until the process is stopped; `on_listening` is told the address (with the port
/// the system chose for port 0).
pub fn serve(o: &ServeOptions, on_listening: impl FnOnce(SocketAddr, &Studio)) -> Result<(), Error> {
    let studio = Arc::new(prepare(o)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::io(Path::new(&o.bind), e))?;
    runtime.block_on(async move {
        let addr = format!("{}:{}", o.bind, o.port);
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| Error::io(Path::new(&addr), e))?;
        let local = listener.local_addr().map_err(|e| Error::io(Path::new(&addr), e))?;
        on_listening(local, &studio);
        let app = api::router(studio.clone());
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .map_err(|e| Error::io(Path::new(&addr), e))
    })
}
