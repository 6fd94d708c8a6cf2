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

pub mod api;
pub mod auth;
pub mod db;
mod page;
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

/// The pack in force (the published one) with its parameter values for the studio's year.
pub struct Published {
    pub pack: Pack,
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
}

impl Studio {
    pub fn pack(&self) -> Arc<Published> {
        self.published.read().map(|p| p.clone()).unwrap_or_else(|p| p.into_inner().clone())
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
    let db = db::Db::open(&db::path_for(&o.rules))?;
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
        published: RwLock::new(Arc::new(Published { pack })),
        register: Arc::new(register),
        db: Mutex::new(db),
        local: loopback && accounts == 0,
        logins: auth::Attempts::default(),
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
