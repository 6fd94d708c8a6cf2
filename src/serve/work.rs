//! Changing the standards in the studio: the draft (files saved by editors, with a clear
//! conflict when two change the same file), its test cases, its impact on the register
//! against the published pack, publishing (two people) and the version history (compare,
//! restore as a new version).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value as Json, json};

use super::auth::{self, ApiError};
use super::db::Role;
use super::http::{Answer, Shared, blocking, body_json, db, internal, ok, record};
use super::versions::{self, Files};
use super::workspace;
use super::{Published, Studio};
use crate::messages::{Lang, studio as msg};
use crate::register::Table;
use crate::report::explain::value_json;
use crate::rules::Pack;

fn db_err(lang: Lang) -> impl Fn(crate::Error) -> ApiError {
    move |e| internal(lang, e)
}

fn draft(st: &Studio, lang: Lang) -> Result<Vec<super::db::DraftFile>, ApiError> {
    db(st, lang)?.draft_files().map_err(db_err(lang))
}

fn lang_of(headers: &HeaderMap, q: &Option<String>) -> Lang {
    auth::lang_of(headers, q.as_deref())
}

#[derive(serde::Deserialize)]
pub struct PathQuery {
    path: String,
}

/// A file to edit: the draft's text if the draft has it, else the published one (empty for
/// a new file), with the hash to send back when saving.
pub async fn file(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    Query(p): Query<PathQuery>,
) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    if !versions::editable(&p.path) {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::path_refused(lang, &p.path)));
    }
    let d = db(&st, lang)?.draft_file(&p.path).map_err(db_err(lang))?;
    let published = st.pack().files.get(&p.path).cloned();
    let text = d.as_ref().map(|d| d.text.clone()).or(published.clone()).unwrap_or_default();
    ok(json!({
        "path": p.path,
        "text": text,
        "hash": versions::text_hash(&text),
        "in_draft": d.is_some(),
        "author": d.as_ref().map(|d| d.author.clone()),
        "updated": d.as_ref().map(|d| d.updated.clone()),
        "published": published,
    }))
}

#[derive(serde::Deserialize)]
struct SaveBody {
    path: String,
    text: String,
    /// The hash of the text the editor started from.
    base: String,
}

/// Save a file into the draft. Someone else's save (or a publication) since the editor
/// opened it is a 409 conflict naming who and when; nothing is overwritten.
pub async fn save(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Answer {
    let lang = lang_of(&headers, &q);
    let user = auth::for_change(&st, &headers, lang, Role::Editor)?;
    let b: SaveBody = body_json(&body, lang)?;
    if !versions::editable(&b.path) {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::path_refused(lang, &b.path)));
    }
    {
        let db = db(&st, lang)?;
        let current = db.draft_file(&b.path).map_err(db_err(lang))?;
        let now_text = current.as_ref().map(|d| d.text.clone()).or_else(|| st.pack().files.get(&b.path).cloned());
        if versions::text_hash(now_text.as_deref().unwrap_or("")) != b.base {
            let m = match &current {
                Some(d) => msg::conflict(lang, &b.path, &d.author, &d.updated),
                None => msg::conflict_published(lang, &b.path),
            };
            return Err(ApiError(StatusCode::CONFLICT, m));
        }
        db.save_draft(&b.path, &b.text, &user.name).map_err(db_err(lang))?;
        db.audit(&user.name, "draft_saved", &b.path).map_err(db_err(lang))?;
    }
    ok(json!({ "path": b.path, "hash": versions::text_hash(&b.text) }))
}

#[derive(serde::Deserialize)]
struct DiscardBody {
    path: Option<String>,
}

/// Drop one file's change from the draft, or the whole draft.
pub async fn discard(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Answer {
    let lang = lang_of(&headers, &q);
    let user = auth::for_change(&st, &headers, lang, Role::Editor)?;
    let b: DiscardBody = body_json(&body, lang)?;
    let db = db(&st, lang)?;
    db.discard_draft(b.path.as_deref()).map_err(db_err(lang))?;
    db.audit(&user.name, "draft_discarded", b.path.as_deref().unwrap_or("*")).map_err(db_err(lang))?;
    ok(json!({ "ok": true }))
}

/// The draft: each changed file with its published text, and who wrote it.
pub async fn show_draft(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let d = draft(&st, lang)?;
    let published = st.pack();
    let mut authors: Vec<String> = d.iter().map(|f| f.author.clone()).collect();
    authors.sort();
    authors.dedup();
    let files: Vec<Json> = d
        .iter()
        .map(|f| {
            json!({
                "path": f.path, "author": f.author, "updated": f.updated, "text": f.text,
                "published": published.files.get(&f.path),
            })
        })
        .collect();
    ok(json!({ "files": files, "authors": authors, "version": published.version }))
}

/// Load a pack from its files (in a scratch folder); its errors rendered for people.
fn load_files(files: &Files, lang: Lang) -> Result<(Pack, workspace::Scratch), ApiError> {
    let (scratch, dir) = workspace::materialize(files).map_err(|e| internal(lang, e))?;
    match crate::rules::load(&dir, &crate::register::Aliases::builtin()) {
        Ok(p) => Ok((p, scratch)),
        Err(ds) => {
            let prefix = format!("{}/", dir.display());
            let text = crate::rules::diagnostic::render_all(&ds, lang).replace(&prefix, "");
            Err(ApiError(StatusCode::UNPROCESSABLE_ENTITY, msg::draft_broken(lang, &text)))
        }
    }
}

/// The draft's test cases as data, file by file (`[defaults]` and each `[[case]]`: inputs and
/// expected outcomes), for the page to show as forms; a file TOML cannot read is named with
/// its error.
pub async fn list_cases(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let files = workspace::with_draft(&st.pack().files, &draft(&st, lang)?);
    let list: Vec<Json> = files
        .iter()
        .filter(|(p, _)| p.starts_with("tests/") && p.ends_with(".toml"))
        .map(|(path, text)| match toml::from_str::<toml::Value>(text) {
            Ok(v) => json!({ "file": path, "content": serde_json::to_value(&v).unwrap_or(Json::Null) }),
            Err(e) => json!({ "file": path, "error": e.message() }),
        })
        .collect();
    ok(json!({ "files": list }))
}

/// Run the draft's test cases.
pub async fn run_cases(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let files = workspace::with_draft(&st.pack().files, &draft(&st, lang)?);
    let results = blocking(lang, move || -> Result<Json, ApiError> {
        let (pack, _scratch) = load_files(&files, lang)?;
        let results = crate::jobs::cases::run(&pack, lang).map_err(|e| internal(lang, e))?;
        let prefix = format!("{}/", pack.dir.display());
        let list: Vec<Json> = results
            .iter()
            .map(|r| {
                json!({
                    "file": r.file.replace(&prefix, ""),
                    "line": r.line,
                    "name": r.name,
                    "year": r.year,
                    "passed": r.passed(),
                    "error": r.error,
                    "failures": r.failures.iter().map(|f| json!({
                        "rule": f.rule,
                        "expected": value_json(f.expected),
                        "actual": value_json(f.actual),
                        "trail": f.trail,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let passed = results.iter().filter(|r| r.passed()).count();
        Ok(json!({ "cases": list, "passed": passed, "failed": results.len() - passed }))
    })
    .await??;
    ok(results)
}

/// The register, or one county of it.
fn part_of(st: &Studio, county: Option<&str>, lang: Lang) -> Result<Option<crate::register::Register>, ApiError> {
    let Some(c) = county.filter(|c| !c.is_empty()) else { return Ok(None) };
    let part = st.register.county(c);
    if part.rows(Table::Households) == 0 {
        return Err(ApiError(StatusCode::NOT_FOUND, msg::no_county(lang, c)));
    }
    Ok(Some(part))
}

/// Both packs over a register, compared (outcomes only, no reasons).
fn compare(
    base: &Pack,
    new: &Pack,
    register: &crate::register::Register,
    year: i32,
    lang: Lang,
) -> Result<crate::report::diff::Diff, ApiError> {
    let outcomes = |pack: &Pack| -> Result<crate::eval::Outcomes, ApiError> {
        let values = pack.values_for_year(year).map_err(|ds| {
            ApiError(StatusCode::UNPROCESSABLE_ENTITY, crate::rules::diagnostic::render_all(&ds, lang))
        })?;
        let mut plan = crate::eval::Plan::for_register(pack, year, &values, register, crate::eval::Engine::Auto);
        plan.reasons = false;
        crate::eval::evaluate_plan(pack, &plan, register, year, values, &|_| {}).map_err(|e| internal(lang, e))
    };
    let (b, n) = (outcomes(base)?, outcomes(new)?);
    let links = crate::register::hierarchy::Hierarchy::of(register);
    Ok(crate::report::diff::diff(base, &b, new, &n, &links.person_household))
}

/// What a comparison says, for the page and for a version's record.
fn impact_json(d: &crate::report::diff::Diff, register: &crate::register::Register, rows: usize, lang: Lang) -> Json {
    // An outcome as people read it: 是/否/未知, or the number.
    let said = |v: Option<&str>| -> String {
        match v {
            Some("true") => crate::messages::outcome(lang, Some(true)).to_string(),
            Some("false") => crate::messages::outcome(lang, Some(false)).to_string(),
            None | Some("") => crate::messages::outcome(lang, None).to_string(),
            Some(n) => n.to_string(),
        }
    };
    // County and village names only (heads of household took a second at 1,000,000).
    let names = crate::report::workbook::Names::of_households(register, &Default::default());
    let tally = |t: &crate::report::diff::Tally| json!({ "yes": t.yes, "no": t.no, "unknown": t.unknown });
    let rules: Vec<Json> = d
        .rules
        .iter()
        .filter(|r| r.total.changed > 0 || r.before.yes != r.after.yes || r.before.no != r.after.no)
        .map(|r| {
            json!({
                "level": r.level,
                "rule": r.rule,
                "title": r.title,
                "number": r.number,
                "before": tally(&r.before),
                "after": tally(&r.after),
                "changed": r.total.total(),
                "true_to_false": r.total.true_to_false,
                "false_to_true": r.total.false_to_true,
                "to_unknown": r.total.to_unknown,
                "from_unknown": r.total.from_unknown,
                "by_county": r.by_county.iter().map(|(c, t)| json!({
                    "county": c, "name": names.county_with_code(c), "changed": t.total(),
                    "true_to_false": t.true_to_false, "false_to_true": t.false_to_true,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let changes: Vec<Json> = d
        .changes
        .iter()
        .filter(|c| c.level == Table::Households.level())
        .take(rows)
        .map(|c| {
            json!({
                "key": c.key, "village": names.village_with_code(&c.village), "county": names.county_with_code(&c.county),
                "rule": c.rule.as_ref(), "before": said(c.base.as_deref()), "after": said(c.new.as_deref()),
            })
        })
        .collect();
    let params: Vec<Json> = d
        .params
        .iter()
        .map(|p| json!({ "name": p.name, "label": p.label, "unit": p.unit, "before": p.base, "after": p.new }))
        .collect();
    json!({
        "rules": rules,
        "changes": changes,
        "changed_rows": crate::report::diff::changed_rows(d, Table::Households),
        "params": params,
        "edited": d.edited, "added": d.added, "removed": d.removed,
        "households": register.rows(Table::Households),
    })
}

#[derive(serde::Deserialize, Default)]
pub struct CountyQuery {
    county: Option<String>,
}

/// The draft compared with the published pack over the loaded register (or one county),
/// then `then` with the comparison, the register compared and a scratch folder; run off the
/// async threads.
async fn with_impact<T: Send + 'static>(
    st: Shared,
    headers: HeaderMap,
    q: Option<String>,
    county: Option<String>,
    then: impl FnOnce(
        &crate::report::diff::Diff,
        &crate::register::Register,
        &workspace::Scratch,
        Lang,
    ) -> Result<T, ApiError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let published = st.pack();
    let files = workspace::with_draft(&published.files, &draft(&st, lang)?);
    blocking(lang, move || -> Result<T, ApiError> {
        let (new, scratch) = load_files(&files, lang)?;
        let part = part_of(&st, county.as_deref(), lang)?;
        let register = part.as_ref().unwrap_or(&st.register);
        let d = compare(&published.pack, &new, register, st.year, lang)?;
        then(&d, register, &scratch, lang)
    })
    .await?
}

/// The draft against the published pack over the loaded register (or one county).
pub async fn impact(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    Query(c): Query<CountyQuery>,
) -> Answer {
    let started = std::time::Instant::now();
    let county = c.county.clone();
    let answer = with_impact(st, headers, q, c.county, move |d, register, _, lang| {
        let mut j = impact_json(d, register, 500, lang);
        j["seconds"] = json!((started.elapsed().as_secs_f64() * 100.0).round() / 100.0);
        j["county"] = json!(county);
        Ok(j)
    })
    .await?;
    ok(answer)
}

/// The impact as the diff workbook (`diff.xlsx`), to download.
pub async fn impact_xlsx(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    Query(c): Query<CountyQuery>,
) -> Answer {
    let bytes = with_impact(st, headers, q, c.county, |d, register, scratch, lang| {
        let path = scratch.0.join("diff.xlsx");
        crate::report::diff::write_xlsx(d, register, &path, lang).map_err(|e| internal(lang, e))?;
        std::fs::read(&path).map_err(|e| internal(lang, e))
    })
    .await?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    r.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"diff.xlsx\""));
    Ok(r)
}

#[derive(serde::Deserialize)]
struct NoteBody {
    note: String,
}

/// Make `files` the published pack: checked to load, written into the pack folder at once,
/// recorded as a version with its impact on the register, and loaded in memory.
fn make_published(
    st: &Studio,
    files: Files,
    user: &str,
    note: &str,
    authors: &[String],
    restored_from: Option<i64>,
    lang: Lang,
) -> Result<i64, ApiError> {
    let (loaded, _scratch) = load_files(&files, lang)?;
    let old = st.pack();
    let d = compare(&old.pack, &loaded, &st.register, st.year, lang)?;
    let impact = impact_json(&d, &st.register, 20, lang);
    versions::replace_pack(&st.rules, &files).map_err(|e| internal(lang, e))?;
    // The pack as it now is on disk (its files name the pack folder, not the scratch one).
    let (pack, _) = crate::jobs::load_pack(&st.rules, st.year, &crate::register::Aliases::builtin())
        .map_err(|e| internal(lang, e))?;
    let hash = versions::pack_hash(&files);
    let id = {
        let db = db(st, lang)?;
        let id = db.add_version(user, note, &hash, &files, &impact, authors, restored_from).map_err(db_err(lang))?;
        let what = match restored_from {
            Some(r) => format!("v{id} ← v{r} {hash}: {note}"),
            None => format!("v{id} {hash}: {note}"),
        };
        db.audit(user, if restored_from.is_some() { "restored" } else { "published" }, &what).map_err(db_err(lang))?;
        id
    };
    let new = Arc::new(Published { pack, files, version: id, hash });
    match st.published.write() {
        Ok(mut p) => *p = new,
        Err(p) => *p.into_inner() = new,
    }
    Ok(id)
}

/// Publish the draft (approvers; not a draft written by the publisher alone).
pub async fn publish(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Answer {
    let lang = lang_of(&headers, &q);
    let user = auth::for_change(&st, &headers, lang, Role::Approver)?;
    let b: NoteBody = body_json(&body, lang)?;
    if b.note.trim().is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::note_required(lang)));
    }
    let d = draft(&st, lang)?;
    if d.is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::draft_empty(lang)));
    }
    let mut authors: Vec<String> = d.iter().map(|f| f.author.clone()).collect();
    authors.sort();
    authors.dedup();
    // Two people for a change to the standards (the local user is one person with every right).
    if !st.local && authors == [user.name.clone()] {
        record(&st, &user.name, "publish_refused", "four eyes");
        return Err(ApiError(StatusCode::FORBIDDEN, msg::four_eyes(lang, &user.name)));
    }
    let files = workspace::with_draft(&st.pack().files, &d);
    let st2 = st.clone();
    let note = b.note.trim().to_string();
    let id = blocking(lang, move || -> Result<i64, ApiError> {
        let id = make_published(&st2, files, &user.name, &note, &authors, None, lang)?;
        db(&st2, lang)?.discard_draft(None).map_err(db_err(lang))?;
        Ok(id)
    })
    .await??;
    ok(json!({ "version": id }))
}

/// Every published version, newest first.
pub async fn list(State(st): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let v = db(&st, lang)?.versions().map_err(db_err(lang))?;
    ok(json!({ "versions": v, "current": st.pack().version }))
}

fn version_files(st: &Studio, id: i64, lang: Lang) -> Result<(super::db::Version, Files), ApiError> {
    db(st, lang)?
        .version(id)
        .map_err(db_err(lang))?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, msg::no_version(lang, id)))
}

/// One version with its files.
pub async fn one(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    UrlPath(id): UrlPath<i64>,
) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let (v, files) = version_files(&st, id, lang)?;
    ok(json!({ "version": v, "files": files }))
}

/// What differs between two versions, file by file.
pub async fn compare_versions(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    UrlPath((a, b)): UrlPath<(i64, i64)>,
) -> Answer {
    let lang = lang_of(&headers, &q);
    auth::who(&st, &headers, lang)?;
    let ((_, fa), (_, fb)) = (version_files(&st, a, lang)?, version_files(&st, b, lang)?);
    let mut paths: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    paths.sort();
    paths.dedup();
    let changed: Vec<Json> = paths
        .into_iter()
        .filter(|p| fa.get(*p) != fb.get(*p))
        .map(|p| json!({ "path": p, "a": fa.get(p), "b": fb.get(p) }))
        .collect();
    ok(json!({ "a": a, "b": b, "changed": changed }))
}

/// Publish an earlier version's files again, as a new version (approvers).
pub async fn restore(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    UrlPath(id): UrlPath<i64>,
    body: Bytes,
) -> Answer {
    let lang = lang_of(&headers, &q);
    let user = auth::for_change(&st, &headers, lang, Role::Approver)?;
    let b: NoteBody = body_json(&body, lang)?;
    if b.note.trim().is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, msg::note_required(lang)));
    }
    let (_, files) = version_files(&st, id, lang)?;
    let st2 = st.clone();
    let note = msg::restored_note(lang, id, b.note.trim());
    let new = blocking(lang, move || {
        make_published(&st2, files, &user.name, &note, std::slice::from_ref(&user.name), Some(id), lang)
    })
    .await??;
    ok(json!({ "version": new }))
}
