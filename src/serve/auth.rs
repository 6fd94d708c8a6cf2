//! Who is asking and what they may do: the session cookie (HttpOnly, SameSite=Strict), the
//! CSRF token every change must carry, the roles, and the login rate limit.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderMap, StatusCode};

use super::Studio;
use super::db::{Role, now};
use crate::messages::{Lang, studio as msg};

/// The session cookie's name.
pub const COOKIE: &str = "tuopin_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per name, and per client address, within [`WINDOW_SECS`].
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    /// `None`: the local user (loopback, no accounts), who has every right.
    pub role: Option<Role>,
    /// The CSRF token of the session (`None` without a session).
    pub csrf: Option<String>,
    pub token: Option<String>,
}

impl User {
    pub fn role_name(&self) -> &'static str {
        self.role.map(Role::name).unwrap_or("local")
    }

    pub fn may(&self, needed: Role) -> bool {
        self.role.is_none_or(|r| r >= needed)
    }
}

/// An API error: a status and a message in the request's language, sent as
/// `{"error": message}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

/// The language a request asks for: `?lang=en`, else `Accept-Language` starting with `en`,
/// else Chinese.
pub fn lang_of(headers: &HeaderMap, query: Option<&str>) -> Lang {
    if let Some(q) = query {
        for pair in q.split('&') {
            match pair {
                "lang=en" => return Lang::En,
                "lang=zh" => return Lang::Zh,
                _ => {}
            }
        }
    }
    let accept = headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
}

/// The session token in the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value of a new session (the browser sends it back to this site only,
/// and no script can read it).
pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", SESSION_HOURS * 3600)
}

pub fn cleared_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// Who is asking: the user of a live session; without one, the local user when the studio
/// runs on loopback with no accounts, else 401.
pub fn who(st: &Studio, headers: &HeaderMap, lang: Lang) -> Result<User, ApiError> {
    let internal = |e: crate::Error| ApiError(StatusCode::INTERNAL_SERVER_ERROR, msg::internal(lang, &e.to_string()));
    if let Some(token) = session_token(headers) {
        let db = st.db.lock().map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, msg::db_unusable(lang)))?;
        if let Some((name, csrf)) = db.session(&token).map_err(internal)? {
            let role = if st.local { None } else { db.role_of(&name).map_err(internal)? };
            if st.local || role.is_some() {
                return Ok(User { name, role, csrf: Some(csrf), token: Some(token) });
            }
        }
    }
    if st.local {
        return Ok(User { name: msg::local_user(lang), role: None, csrf: None, token: None });
    }
    Err(ApiError(StatusCode::UNAUTHORIZED, msg::login_required(lang)))
}

/// Who is asking, for a change: they must have `needed` and the request must carry their
/// session's CSRF token in `X-CSRF-Token` (a page of another site cannot read it).
pub fn for_change(st: &Studio, headers: &HeaderMap, lang: Lang, needed: Role) -> Result<User, ApiError> {
    let user = who(st, headers, lang)?;
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    match (&user.csrf, sent) {
        (Some(c), Some(s)) if constant_time_eq(c.as_bytes(), s.as_bytes()) => {}
        _ => return Err(ApiError(StatusCode::FORBIDDEN, msg::csrf_missing(lang))),
    }
    need(&user, needed, lang)?;
    Ok(user)
}

/// 403 unless the user's role reaches `needed`.
pub fn need(user: &User, needed: Role, lang: Lang) -> Result<(), ApiError> {
    if user.may(needed) {
        Ok(())
    } else {
        Err(ApiError(StatusCode::FORBIDDEN, msg::not_allowed(lang, user.role_name(), needed.name())))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failed logins by user name and by client address, to refuse guessing.
#[derive(Default)]
pub struct Attempts {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl Attempts {
    /// Minutes to wait when `keys` (the name, the address) failed too often lately.
    pub fn blocked(&self, keys: &[String]) -> Option<i64> {
        let t = now();
        let mut f = self.failures.lock().ok()?;
        let mut wait = None;
        for k in keys {
            let list = f.entry(k.clone()).or_default();
            list.retain(|at| t - at < WINDOW_SECS);
            if list.len() >= MAX_FAILURES {
                let first = list.iter().min().copied().unwrap_or(t);
                let secs = WINDOW_SECS - (t - first);
                wait = Some(wait.unwrap_or(0).max((secs + 59) / 60));
            }
        }
        wait
    }

    pub fn failed(&self, keys: &[String]) {
        if let Ok(mut f) = self.failures.lock() {
            for k in keys {
                f.entry(k.clone()).or_default().push(now());
            }
        }
    }

    pub fn succeeded(&self, name_key: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(name_key);
        }
    }
}
