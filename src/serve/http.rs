//! What every route of the studio shares: the shared state's type, answers and errors as
//! JSON, the request body read with its limit, blocking work off the async threads, and the
//! audit log's line for an event.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use super::Studio;
use super::auth::ApiError;
use crate::messages::{Lang, studio as msg};

/// The largest request body accepted (a rule file, a household with its members).
pub const BODY_LIMIT: usize = 256 * 1024;

pub type Shared = Arc<Studio>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

pub type Answer = Result<Response, ApiError>;

pub fn ok(v: Json) -> Answer {
    Ok(axum::Json(v).into_response())
}

pub fn internal(lang: Lang, e: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, msg::internal(lang, &e.to_string()))
}

/// The body as JSON, with 413 past the limit and 400 for what is not JSON.
pub fn body_json<T: serde::de::DeserializeOwned>(body: &Bytes, lang: Lang) -> Result<T, ApiError> {
    if body.len() > BODY_LIMIT {
        return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, msg::too_large(lang, BODY_LIMIT / 1024)));
    }
    serde_json::from_slice(body).map_err(|e| ApiError(StatusCode::BAD_REQUEST, msg::bad_json(lang, &e.to_string())))
}

/// Run blocking work (evaluation, linting) off the async threads.
pub async fn blocking<T: Send + 'static>(lang: Lang, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| internal(lang, e))
}

/// The studio's database. It is locked only while a statement runs; a request that failed
/// while holding it leaves it unusable until the studio is restarted, which is said.
pub fn db(st: &Studio, lang: Lang) -> Result<std::sync::MutexGuard<'_, super::db::Db>, ApiError> {
    st.db.lock().map_err(|_| internal(lang, msg::db_unusable(lang)))
}

pub fn record(st: &Studio, user: &str, action: &str, detail: &str) {
    if let Ok(db) = st.db.lock() {
        let _ = db.audit(user, action, detail);
    }
}
