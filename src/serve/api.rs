//! The studio's HTTP routes. Every answer is JSON; an error is `{"error": message}` in the
//! request's language with its status (400 bad request, 401 not logged in, 403 not allowed
//! or no CSRF token, 404, 413 too large, 422 data errors, 429 too many logins).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value as Json, json};

use super::Studio;
use super::auth::{self, ApiError, User};
use super::db::Role;
use crate::eval::Value;
use crate::jobs::cases::{Fields, canonical, household_tables};
use crate::messages::{Lang, studio as msg};
use crate::register::Table;

/// The largest request body accepted (a rule file, a household with its members).
pub const BODY_LIMIT: usize = 256 * 1024;

pub(super) type Shared = Arc<Studio>;

pub fn router(st: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/session", get(session))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/pack", get(pack))
        .route("/api/evaluate", post(evaluate))
        .route("/api/lint", post(lint))
        .route("/api/explain/{code}", get(explain))
        .route("/api/audit", get(audit))
        .route("/api/file", get(super::work::file))
        .route("/api/draft", get(super::work::show_draft))
        .route("/api/draft/file", post(super::work::save))
        .route("/api/draft/discard", post(super::work::discard))
        .route("/api/cases", post(super::work::run_cases))
        .route("/api/impact", get(super::work::impact))
        .route("/api/impact/diff.xlsx", get(super::work::impact_xlsx))
        .route("/api/publish", post(super::work::publish))
        .route("/api/versions", get(super::work::list))
        .route("/api/versions/{id}", get(super::work::one))
        .route("/api/versions/{a}/compare/{b}", get(super::work::compare_versions))
        .route("/api/versions/{id}/restore", post(super::work::restore))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(st)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

pub(super) type Answer = Result<Response, ApiError>;

pub(super) fn ok(v: Json) -> Answer {
    Ok(axum::Json(v).into_response())
}

pub(super) fn internal(lang: Lang, e: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, msg::internal(lang, &e.to_string()))
}

/// The body as JSON, with 413 past the limit and 400 for what is not JSON.
pub(super) fn body_json<T: serde::de::DeserializeOwned>(body: &Bytes, lang: Lang) -> Result<T, ApiError> {
    if body.len() > BODY_LIMIT {
        return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, msg::too_large(lang, BODY_LIMIT / 1024)));
    }
    serde_json::from_slice(body).map_err(|e| ApiError(StatusCode::BAD_REQUEST, msg::bad_json(lang, &e.to_string())))
}

/// Run blocking work (evaluation, linting) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    lang: Lang,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| internal(lang, e))
}

pub(super) fn record(st: &Studio, user: &str, action: &str, detail: &str) {
    if let Ok(db) = st.db.lock() {
        let _ = db.audit(user, action, detail);
    }
}

async fn page() -> Response {
    let mut r = super::page::HTML.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

async fn session(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::who(&st, &headers, lang)?;
    if user.csrf.is_some() {
        return ok(json!({ "user": user.name, "role": user.role_name(), "csrf": user.csrf, "local": st.local }));
    }
    // The local user gets a session here, so that changes carry a CSRF token too.
    let (token, csrf) = {
        let db = st.db.lock().map_err(|_| internal(lang, "db"))?;
        db.new_session(&user.name, auth::SESSION_HOURS).map_err(|e| internal(lang, e))?
    };
    let mut r = axum::Json(json!({ "user": user.name, "role": user.role_name(), "csrf": csrf, "local": st.local }))
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&token)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
struct LoginBody {
    name: String,
    password: String,
}

async fn login(
    State(st): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let b: LoginBody = body_json(&body, lang)?;
    let keys = [format!("name:{}", b.name), format!("addr:{}", peer.ip())];
    if let Some(minutes) = st.logins.blocked(&keys) {
        record(&st, &b.name, "login_refused", &format!("rate limit, from {}", peer.ip()));
        return Err(ApiError(StatusCode::TOO_MANY_REQUESTS, msg::too_many_logins(lang, minutes)));
    }
    let st2 = st.clone();
    let (name, password) = (b.name.clone(), b.password);
    let verified = blocking(lang, move || {
        st2.db.lock().map_err(|_| "db".to_string())?.verify(&name, &password).map_err(|e| e.to_string())
    })
    .await?
    .map_err(|e| internal(lang, e))?;
    let Some(role) = verified else {
        st.logins.failed(&keys);
        record(&st, &b.name, "login_failed", &format!("from {}", peer.ip()));
        return Err(ApiError(StatusCode::UNAUTHORIZED, msg::wrong_login(lang)));
    };
    st.logins.succeeded(&keys[0]);
    let (token, csrf) = {
        let db = st.db.lock().map_err(|_| internal(lang, "db"))?;
        db.new_session(&b.name, auth::SESSION_HOURS).map_err(|e| internal(lang, e))?
    };
    record(&st, &b.name, "login", &format!("from {}", peer.ip()));
    let mut r =
        axum::Json(json!({ "user": b.name, "role": role.name(), "csrf": csrf, "local": false })).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&token)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

async fn logout(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::for_change(&st, &headers, lang, Role::Viewer)?;
    if let Some(t) = &user.token {
        let db = st.db.lock().map_err(|_| internal(lang, "db"))?;
        db.end_session(t).map_err(|e| internal(lang, e))?;
    }
    record(&st, &user.name, "logout", "");
    let mut r = axum::Json(json!({ "ok": true })).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::cleared_cookie()) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The pack: rules by level with what they read, and parameters by year.
async fn pack(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    auth::who(&st, &headers, lang)?;
    let published = st.pack();
    let p = &published.pack;
    let values = p.values_for_year(st.year).unwrap_or_default();
    let plan = crate::eval::Plan::for_register(p, st.year, &values, &st.register, crate::eval::Engine::Auto);
    let rules: Vec<Json> = p
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let path = plan.paths.iter().find(|x| x.rule == i);
            json!({
                "id": r.id,
                "name": r.name,
                "alias": r.alias,
                "level": r.level.level(),
                "title": r.title,
                "kind": match r.kind { crate::rules::RuleKind::Predicate => "predicate", crate::rules::RuleKind::Value => "value" },
                "source": r.source,
                "file": r.file,
                "text": r.text,
                "compiled": path.is_some_and(|x| x.row_by_row.is_none()),
                "row_by_row_why": path.and_then(|x| x.row_by_row.as_ref()).map(|w| crate::report::row_by_row_reason(lang, w)),
                "reads_rules": r.rule_deps().map(|d| p.rules[d].id.clone()).collect::<Vec<_>>(),
                "reads_fields": r.fields().collect::<Vec<_>>(),
                "params": r.params,
            })
        })
        .collect();
    let params: Vec<Json> = p
        .params
        .params
        .values()
        .map(|x| {
            json!({
                "name": x.name,
                "alias": x.alias,
                "title": x.title,
                "unit": x.unit,
                "source": x.source,
                "values": x.values.iter().map(|(y, v)| (y.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    ok(json!({
        "name": p.manifest.name,
        "years": p.manifest.years,
        "year": st.year,
        "households": st.register.rows(Table::Households),
        "rules": rules,
        "params": params,
    }))
}

/// A JSON cell as a register file would hold it (`null`: an empty cell, the column present).
fn cell(v: &Json) -> Option<Result<toml::Value, ()>> {
    match v {
        Json::Null => Some(Ok(toml::Value::String(String::new()))),
        Json::String(s) => Some(Ok(toml::Value::String(s.clone()))),
        Json::Bool(b) => Some(Ok(toml::Value::Boolean(*b))),
        Json::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(toml::Value::Integer(i)),
            (None, Some(f)) => Ok(toml::Value::Float(f)),
            _ => Err(()),
        }),
        _ => Some(Err(())),
    }
}

fn fields(v: Option<&Json>, what: &str, lang: Lang) -> Result<Fields, ApiError> {
    let bad = || ApiError(StatusCode::BAD_REQUEST, msg::bad_field(lang, what, &expected_object(lang)));
    let Some(v) = v else { return Ok(Fields::new()) };
    let obj = v.as_object().ok_or_else(bad)?;
    let mut out = Fields::new();
    for (k, x) in obj {
        match cell(x) {
            None => {}
            Some(Ok(t)) => {
                out.insert(k.clone(), t);
            }
            Some(Err(())) => {
                return Err(ApiError(
                    StatusCode::BAD_REQUEST,
                    msg::bad_field(lang, &format!("{what}.{k}"), &expected_value(lang)),
                ));
            }
        }
    }
    Ok(out)
}

fn expected_object(lang: Lang) -> String {
    match lang {
        Lang::Zh => "对象（字段名: 值）".into(),
        Lang::En => "an object (field: value)".into(),
    }
}

fn expected_value(lang: Lang) -> String {
    match lang {
        Lang::Zh => "文字、数字、true/false 或 null".into(),
        Lang::En => "text, a number, true/false or null".into(),
    }
}

pub(super) fn value_json(v: Value) -> Json {
    match v {
        Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
    }
}

/// One household, given as a test case is: every person and household rule's outcome and
/// the household's reasons, as `check` gives them for its rows.
async fn evaluate(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    auth::who(&st, &headers, lang)?;
    let b: Json = body_json(&body, lang)?;
    let published = st.pack();
    let p = &published.pack;
    let year = match b.get("year") {
        None | Some(Json::Null) => st.year,
        Some(y) => y
            .as_i64()
            .map(|y| y as i32)
            .ok_or_else(|| ApiError(StatusCode::BAD_REQUEST, msg::bad_field(lang, "year", "整数")))?,
    };
    let [from, to] = p.manifest.years;
    if year < from || year > to {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::year_outside(lang, year, from, to)));
    }
    let c = |t: Table, f: Fields| canonical(&p.aliases, t, &f);
    let household = c(Table::Households, fields(b.get("household"), "household", lang)?);
    let members: Vec<Fields> = match b.get("members") {
        None | Some(Json::Null) => vec![],
        Some(Json::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, m)| fields(Some(m), &format!("members[{i}]"), lang).map(|f| c(Table::Persons, f)))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError(StatusCode::BAD_REQUEST, msg::bad_field(lang, "members", "[…]"))),
    };
    let village = c(Table::Villages, fields(b.get("village"), "village", lang)?);
    let county = c(Table::Counties, fields(b.get("county"), "county", lang)?);
    let tables = household_tables(household, members, village, county);
    let published = published.clone();
    let answer = blocking(lang, move || -> Result<Json, ApiError> {
        let p = &published.pack;
        let opts = crate::register::LoadOptions { aliases: p.aliases.clone(), ..Default::default() };
        let loaded = crate::register::load_text(tables.tables, &opts).map_err(|e| internal(lang, e))?;
        if !loaded.errors.is_empty() {
            let said: Vec<String> = loaded.errors.iter().map(|e| e.say(lang)).collect();
            return Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{}：{}", msg::input_errors(lang), said.join("；")),
            ));
        }
        let values =
            p.values_for_year(year).map_err(|ds| internal(lang, crate::rules::diagnostic::render_all(&ds, lang)))?;
        let outcomes =
            crate::eval::evaluate(p, &loaded.register, year, values, &|_| {}).map_err(|e| internal(lang, e))?;
        let rules_of = |t: Table, row: usize| -> serde_json::Map<String, Json> {
            let Some(l) = outcomes.level(t) else { return Default::default() };
            l.results
                .iter()
                .map(|(r, v)| (p.rules[*r].name.clone(), value_json(v.get(row).copied().unwrap_or_default())))
                .collect()
        };
        let hl = outcomes.level(Table::Households);
        let h_row = hl.and_then(|l| (0..l.len()).find(|&i| l.key(i) == tables.household_id));
        let reasons = match (hl, h_row) {
            (Some(l), Some(row)) => {
                crate::report::reasons::Sayer::new(p, l, year, lang, &p.aliases, Some(&loaded.register))
                    .map(|s| s.row(row).into_owned())
            }
            _ => None,
        };
        let members: Vec<Json> = tables
            .person_ids
            .iter()
            .map(|id| {
                let row = outcomes.level(Table::Persons).and_then(|l| (0..l.len()).find(|&i| l.key(i) == id));
                json!({ "person_id": id, "rules": row.map(|r| rules_of(Table::Persons, r)).unwrap_or_default() })
            })
            .collect();
        let errors: Vec<Json> = outcomes
            .errors
            .iter()
            .map(|e| json!({ "rule": e.rule, "level": e.level, "key": e.key, "message": e.say(lang) }))
            .collect();
        Ok(json!({
            "year": year,
            "household_id": tables.household_id,
            "household": h_row.map(|r| rules_of(Table::Households, r)).unwrap_or_default(),
            "reasons": reasons,
            "members": members,
            "rule_errors": errors,
        }))
    })
    .await??;
    ok(answer)
}

#[derive(serde::Deserialize)]
struct LintBody {
    path: String,
    source: String,
}

/// One rule file's source linted in a copy of the pack: the diagnostics `lint` gives.
async fn lint(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    auth::who(&st, &headers, lang)?;
    let b: LintBody = body_json(&body, lang)?;
    if !super::versions::editable(&b.path) {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::path_refused(lang, &b.path)));
    }
    // The pack as the draft has it, with this file as typed.
    let draft = st.db.lock().map_err(|_| internal(lang, "db"))?.draft_files().map_err(|e| internal(lang, e))?;
    let mut files = super::workspace::with_draft(&st.pack().files, &draft);
    files.insert(b.path.clone(), b.source);
    let found = blocking(lang, move || super::workspace::lint_files(&files)).await?;
    let (errors, warnings) = found.map_err(|e| internal(lang, e))?;
    let said = |d: &crate::rules::diagnostic::Diagnostic| {
        json!({
            "file": d.file,
            "line": d.line,
            "col": d.col,
            "severity": match d.severity { crate::rules::diagnostic::Severity::Error => "error", _ => "warning" },
            "code": d.code,
            "message": d.message.get(lang),
            "hint": d.hint.as_ref().map(|h| h.get(lang)),
            "text": d.render(lang),
        })
    };
    ok(json!({
        "errors": errors.iter().map(said).collect::<Vec<_>>(),
        "warnings": warnings.iter().map(said).collect::<Vec<_>>(),
    }))
}

/// `explain --json` of a household, village or county of the loaded register. Viewers see
/// resident IDs masked.
async fn explain(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    UrlPath(code): UrlPath<String>,
) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::who(&st, &headers, lang)?;
    let published = st.pack();
    let (st2, code2) = (st.clone(), code.clone());
    let doc = blocking(lang, move || -> Result<Option<Json>, crate::Error> {
        let p = &published.pack;
        let values = p.values_for_year(st2.year).map_err(crate::Error::Rules)?;
        let e = crate::jobs::explain_in(p, values, st2.year, &st2.register, &code2, lang)?;
        let to = |v: Result<Json, serde_json::Error>| v.map_err(|e| crate::Error::Evaluation(e.to_string()));
        Ok(match e {
            None => None,
            Some(crate::jobs::Explained::Household(h)) => Some(to(serde_json::to_value(h.as_ref()))?),
            Some(crate::jobs::Explained::Area(a)) => Some(to(serde_json::to_value(a.as_ref()))?),
        })
    })
    .await?
    .map_err(|e| internal(lang, e))?;
    let Some(mut doc) = doc else {
        return Err(ApiError(StatusCode::NOT_FOUND, msg::not_found(lang, &code)));
    };
    if user.role == Some(Role::Viewer) {
        mask_ids(&mut doc);
    }
    ok(doc)
}

/// Every resident ID in a document shown as its first 6 and last 4 characters.
pub fn mask_ids(v: &mut Json) {
    match v {
        Json::String(s) if crate::register::resident_id::well_formed(s) => {
            *s = format!("{}********{}", &s[..6], &s[14..]);
        }
        Json::Array(a) => a.iter_mut().for_each(mask_ids),
        Json::Object(o) => o.values_mut().for_each(mask_ids),
        _ => {}
    }
}

async fn audit_log(st: &Studio, user: &User, lang: Lang) -> Answer {
    auth::need(user, Role::Viewer, lang)?;
    let lines = st.db.lock().map_err(|_| internal(lang, "db"))?.audit_lines(500).map_err(|e| internal(lang, e))?;
    ok(json!({ "lines": lines }))
}

async fn audit(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::who(&st, &headers, lang)?;
    audit_log(&st, &user, lang).await
}
