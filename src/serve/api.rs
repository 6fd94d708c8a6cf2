//! The studio's HTTP routes. Every answer is JSON; an error is `{"error": message}` in the
//! request's language with its status (400 bad request, 401 not logged in, 403 not allowed
//! or no CSRF token, 404, 413 too large, 422 data errors, 429 too many logins).

use std::net::SocketAddr;

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
use crate::jobs::cases::{Fields, canonical, household_tables};
use crate::messages::{Lang, studio as msg};
use crate::register::Table;

use super::http::{Answer, BODY_LIMIT, Shared, blocking, body_json, db, internal, ok, record};
use crate::report::explain::{dynamic_json, value_json};

pub fn router(st: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/assets/studio.js", get(script))
        .route("/api/session", get(session))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/pack", get(pack))
        .route("/api/evaluate", post(evaluate))
        .route("/api/lint", post(lint))
        .route("/api/explain/{code}", get(explain))
        .route("/api/audit", get(audit))
        .route("/api/find", get(find))
        .route("/api/household/{id}", get(household))
        .route("/api/file", get(super::work::file))
        .route("/api/draft", get(super::work::show_draft))
        .route("/api/draft/file", post(super::work::save))
        .route("/api/draft/discard", post(super::work::discard))
        .route("/api/cases", post(super::work::run_cases).get(super::work::list_cases))
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

async fn script() -> Response {
    let mut r = super::page::SCRIPT.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    r
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
        let db = db(&st, lang)?;
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
        st2.db.lock().map_err(|_| msg::db_unusable(lang))?.verify(&name, &password).map_err(|e| e.to_string())
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
        let db = db(&st, lang)?;
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
        let db = db(&st, lang)?;
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
    // The dictionary, for completion in the editor: fields with their Chinese headers and
    // code labels.
    let dict = crate::rules::dictionary::build(p, &p.aliases, st.year, &[]);
    let fields: Vec<Json> = dict
        .levels
        .iter()
        .flat_map(|l| {
            l.fields.iter().map(move |f| {
                json!({
                    "level": l.level.level(),
                    "name": f.name,
                    "header": f.headers.first().cloned().unwrap_or_else(|| f.name.clone()),
                    "labels": f.codes.iter().map(|(_, label)| label.clone()).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    let names = crate::report::workbook::Names::of_households(&st.register, &Default::default());
    let codes: std::collections::BTreeSet<&str> = st
        .register
        .table(Table::Households)
        .and_then(|h| h.frame.column("village_code").ok()?.str().ok())
        .map(|v| v.iter().flatten().map(crate::register::hierarchy::county_of_village).collect())
        .unwrap_or_default();
    let counties: Vec<Json> = codes.iter().map(|c| json!({ "code": c, "name": names.county_with_code(c) })).collect();
    ok(json!({
        "name": p.manifest.name,
        "version": published.version,
        "hash": published.hash,
        "fields": fields,
        "counties": counties,
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
            .ok_or_else(|| ApiError(StatusCode::BAD_REQUEST, msg::bad_field(lang, "year", &msg::whole_number(lang))))?,
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
    let tables = household_tables(household, members, village, county, &|t| msg::request_table(lang, t.level()));
    let published = published.clone();
    let answer = blocking(lang, move || -> Result<Json, ApiError> {
        let p = &published.pack;
        let opts = crate::register::LoadOptions { aliases: p.aliases.clone(), ..Default::default() };
        let loaded = crate::register::load_text(tables.tables, &opts).map_err(|e| internal(lang, e))?;
        if !loaded.errors.is_empty() {
            let said: Vec<String> = loaded.errors.iter().map(|e| e.say(lang)).collect();
            return Err(ApiError(StatusCode::UNPROCESSABLE_ENTITY, msg::input_errors(lang, &said)));
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
    let draft = db(&st, lang)?.draft_files().map_err(|e| internal(lang, e))?;
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
        let register = match crate::jobs::county_of_code(&st2.register, &code2) {
            Some(c) => st2.county(&c),
            None => st2.register.clone(),
        };
        let e = crate::jobs::explain_in(p, values, st2.year, &register, &code2, lang)?;
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
    let lines = db(st, lang)?.audit_lines(500).map_err(|e| internal(lang, e))?;
    ok(json!({ "lines": lines }))
}

async fn audit(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::who(&st, &headers, lang)?;
    audit_log(&st, &user, lang).await
}

#[derive(serde::Deserialize)]
pub struct FindQuery {
    q: String,
}

/// Households, villages and counties whose code starts with `q` or whose name (the head of
/// household's, the village's, the county's) contains it; at most 20 of each.
async fn find(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    axum::extract::Query(f): axum::extract::Query<FindQuery>,
) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    auth::who(&st, &headers, lang)?;
    let needle = f.q.trim().to_string();
    if needle.is_empty() {
        return ok(json!({ "households": [], "villages": [], "counties": [] }));
    }
    let st2 = st.clone();
    let found = blocking(lang, move || {
        let reg = &st2.register;
        let text = |t: Table, c: &str| reg.table(t).and_then(|lt| lt.frame.column(c).ok()?.str().ok().cloned());
        let matches = |code: Option<&str>, name: Option<&str>| {
            code.is_some_and(|c| c.starts_with(&needle)) || name.is_some_and(|n| n.contains(&needle))
        };
        let names = crate::report::workbook::Names::of_households(reg, &Default::default());
        let mut out = serde_json::Map::new();
        for (t, key, name, label) in [
            (Table::Counties, "county_code", "county_name", "counties"),
            (Table::Villages, "village_code", "village_name", "villages"),
        ] {
            let mut list = vec![];
            if let (Some(k), n) = (text(t, key), text(t, name)) {
                for (i, code) in k.iter().enumerate() {
                    let nm = n.as_ref().and_then(|n| n.get(i));
                    if matches(code, nm) && list.len() < 20 {
                        list.push(json!({ "code": code, "name": nm }));
                    }
                }
            }
            out.insert(label.into(), Json::Array(list));
        }
        // Households by their ID, or by the head of household's name.
        let mut households = vec![];
        let heads: std::collections::HashMap<String, String> = match (
            text(Table::Persons, "household_id"),
            text(Table::Persons, "name"),
            reg.table(Table::Persons).and_then(|p| p.frame.column("relation").ok()?.u8().ok().cloned()),
        ) {
            (Some(h), Some(n), Some(rel)) => h
                .iter()
                .zip(n.iter())
                .zip(rel.iter())
                .filter_map(|((h, n), r)| (r == Some(0)).then(|| Some((h?.to_string(), n?.to_string())))?)
                .filter(|(h, n)| h.starts_with(&needle) || n.contains(&needle))
                .take(200)
                .collect(),
            _ => Default::default(),
        };
        if let (Some(ids), villages) =
            (text(Table::Households, "household_id"), text(Table::Households, "village_code"))
        {
            for (i, id) in ids.iter().enumerate() {
                let Some(id) = id else { continue };
                if (id.starts_with(&needle) || heads.contains_key(id)) && households.len() < 20 {
                    households.push(json!({
                        "code": id,
                        "name": heads.get(id),
                        "village": villages.as_ref().and_then(|v| v.get(i)).map(|v| names.village_with_code(v)),
                    }));
                }
            }
        }
        out.insert("households".into(), Json::Array(households));
        Json::Object(out)
    })
    .await?;
    ok(found)
}

/// The fields of some rows of a table (every field the file had), by canonical name.
fn rows_json(lt: &crate::register::LoadedTable, table: Table, rows: &[usize]) -> Vec<Json> {
    let fields: Vec<(&str, crate::eval::fields::FieldData)> =
        lt.present.iter().map(|f| (*f, crate::eval::fields::FieldData::extract(lt, table, f))).collect();
    rows.iter()
        .map(|&r| Json::Object(fields.iter().map(|(f, d)| (f.to_string(), dynamic_json(&d.dynamic(r)))).collect()))
        .collect()
}

/// One household of the register as a test case has it: its fields and its members'.
async fn household(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    UrlPath(id): UrlPath<String>,
) -> Answer {
    let lang = auth::lang_of(&headers, q.as_deref());
    let user = auth::who(&st, &headers, lang)?;
    let st2 = st.clone();
    let id2 = id.clone();
    let found = blocking(lang, move || -> Option<Json> {
        let reg = &st2.register;
        let h = reg.table(Table::Households)?;
        let ids = h.frame.column("household_id").ok()?.str().ok()?;
        let row = ids.iter().position(|x| x == Some(id2.as_str()))?;
        let one = |lt: &crate::register::LoadedTable, rows: &[usize]| -> crate::register::LoadedTable {
            let idx = polars::prelude::IdxCa::from_vec(
                "i".into(),
                rows.iter().map(|&r| r as polars::prelude::IdxSize).collect(),
            );
            crate::register::LoadedTable {
                file: lt.file.clone(),
                frame: lt.frame.take(&idx).unwrap_or_default(),
                present: lt.present.clone(),
                partial: vec![],
                parent_rows: None,
            }
        };
        let household = rows_json(&one(h, &[row]), Table::Households, &[0]).pop()?;
        let members = match reg.table(Table::Persons) {
            Some(p) => {
                let of = p.frame.column("household_id").ok()?.str().ok()?;
                let rows: Vec<usize> =
                    of.iter().enumerate().filter(|(_, x)| *x == Some(id2.as_str())).map(|(i, _)| i).collect();
                let n = rows.len();
                rows_json(&one(p, &rows), Table::Persons, &(0..n).collect::<Vec<_>>())
            }
            None => vec![],
        };
        Some(json!({ "household": household, "members": members }))
    })
    .await?;
    let Some(mut doc) = found else {
        return Err(ApiError(StatusCode::NOT_FOUND, msg::not_found(lang, &id)));
    };
    if user.role == Some(Role::Viewer) {
        mask_ids(&mut doc);
    }
    ok(doc)
}
