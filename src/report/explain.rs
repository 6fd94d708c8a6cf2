//! `tuopin explain`: the whole reasoning for one household, from the very outcomes `check`
//! computes (one evaluation, then this reads it).
//!
//! The JSON form (`--json`) is a stable document for filing with an inspection record:
//!
//! ```text
//! { "version": 1, "pack", "year", "household_id", "village_code", "county_code",
//!   "members": [ { "person_id", "name", "relation", "living",
//!                  "outcomes": [ { "rule", "title", "value" } ] } ],
//!   "rules":   [ { "rule", "title", "kind", "source", "value",
//!                  "reads": [ { "name", "refers_to", "value" } ],
//!                  "aggregates": [ { "call", "value" } ],
//!                  "parameters": [ { "name", "alias", "value", "unit", "source" } ] } ],
//!   "village": { "key", "outcomes": [...] } | null, "county": { ... } | null }
//! ```
//!
//! `value` is true / false / null (unknown) for a verdict, a number or null for a value; the
//! household `rules` are listed in dependency order (a rule after those it reads).

use crate::register::hierarchy::county_of_village;
use serde::Serialize;
use serde_json::Value as Json;

use crate::eval::fields::FieldData;
use crate::eval::{Outcomes, Value};
use crate::messages::{self, Lang};
use crate::register::{CodeList, Register, Table};
use crate::rules::{Pack, Ref, RuleKind};

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, PartialEq)]
pub struct Outcome {
    pub rule: String,
    pub title: String,
    pub value: Json,
    /// A number rule's unit (`元`, `%`, `人`), for showing its value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Member {
    pub person_id: String,
    pub name: Option<String>,
    pub relation: Option<String>,
    pub living: bool,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Serialize)]
pub struct Read {
    /// The name as the script writes it.
    pub name: String,
    /// `field wage_income`, `rule household.size`, `year` or `unknown`.
    pub refers_to: String,
    pub value: Json,
}

#[derive(Debug, Serialize)]
pub struct AggregateRead {
    pub call: String,
    pub value: Json,
}

#[derive(Debug, Serialize)]
pub struct ParameterUse {
    pub name: String,
    pub alias: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct RuleTrace {
    pub rule: String,
    pub title: String,
    pub kind: RuleKind,
    pub source: String,
    pub value: Json,
    pub reads: Vec<Read>,
    pub aggregates: Vec<AggregateRead>,
    pub parameters: Vec<ParameterUse>,
}

#[derive(Debug, Serialize)]
pub struct LevelVerdicts {
    pub key: String,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Serialize)]
pub struct Explanation {
    pub version: u32,
    pub pack: String,
    pub year: i32,
    pub household_id: String,
    pub village_code: String,
    pub county_code: String,
    pub members: Vec<Member>,
    pub rules: Vec<RuleTrace>,
    pub village: Option<LevelVerdicts>,
    pub county: Option<LevelVerdicts>,
    /// The household's main verdict and why, in the language asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
}

/// A row's main verdict and its reason, said first.
#[derive(Debug, Serialize)]
pub struct Conclusion {
    pub level: &'static str,
    pub key: String,
    /// The county's or village's name, or the head of household's.
    pub name: Option<String>,
    pub verdict_title: String,
    pub verdict: Json,
    pub reason: String,
}

/// A village or county explained: its conclusion, then every rule's outcome.
#[derive(Debug, Serialize)]
pub struct AreaExplanation {
    pub version: u32,
    pub pack: String,
    pub year: i32,
    pub conclusion: Conclusion,
    pub outcomes: Vec<Outcome>,
}

/// The conclusion of row `key` of a level: its main verdict and the reason, with the
/// values read (see `report::reasons`).
pub fn conclusion(
    pack: &Pack,
    register: &Register,
    outcomes: &Outcomes,
    table: Table,
    key: &str,
    lang: Lang,
    aliases: &crate::register::Aliases,
) -> Option<Conclusion> {
    let row = row_of(outcomes, table, key)?;
    let level = outcomes.level(table)?;
    let main = pack.main_rule(table)?;
    let rule = &pack.rules[main];
    let names = super::workbook::Names::of(register);
    let name = match table {
        Table::Households => names.head.get(key).cloned(),
        Table::Villages => names.village.get(key).cloned(),
        Table::Counties => names.county.get(key).cloned(),
        Table::Persons => None,
    };
    let reason = super::reasons::Sayer::new(pack, level, outcomes.year, lang, aliases, Some(register))
        .map(|s| s.row(row).to_string())
        .unwrap_or_default();
    Some(Conclusion {
        level: table.level(),
        key: key.to_string(),
        name,
        verdict_title: match lang {
            Lang::Zh if !rule.title.is_empty() => rule.title.clone(),
            _ => rule.name.clone(),
        },
        verdict: value_json(level.values(main)?.get(row).copied().unwrap_or_default()),
        reason,
    })
}

/// Explain a village or a county. `None` if the register has no such row.
pub fn explain_area(
    pack: &Pack,
    register: &Register,
    outcomes: &Outcomes,
    table: Table,
    key: &str,
    lang: Lang,
    aliases: &crate::register::Aliases,
) -> Option<AreaExplanation> {
    let row = row_of(outcomes, table, key)?;
    Some(AreaExplanation {
        version: VERSION,
        pack: pack.manifest.name.clone(),
        year: outcomes.year,
        conclusion: conclusion(pack, register, outcomes, table, key, lang, aliases)?,
        outcomes: level_outcomes(pack, outcomes, table, row),
    })
}

/// The conclusion as the first lines of an explanation.
fn render_conclusion(c: &Conclusion, lang: Lang) -> String {
    let l = messages::explain_labels(lang);
    let what = match c.level {
        "household" => l.household,
        "village" => l.village,
        _ => l.county,
    };
    let name = c.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
    let mut out = format!("{what} {}{name}\n", c.key);
    out.push_str(&messages::explain_conclusion(lang, &c.verdict_title, &show(lang, &c.verdict)));
    out.push('\n');
    if !c.reason.is_empty() {
        out.push_str(&messages::explain_reason(lang, &c.reason));
        out.push('\n');
    }
    out
}

/// A village or county explanation as text: the conclusion, then each rule's outcome.
pub fn render_area(e: &AreaExplanation, lang: Lang) -> String {
    let l = messages::explain_labels(lang);
    let mut out = render_conclusion(&e.conclusion, lang);
    out.push_str(&format!("\n{} {} · {}\n", l.year, e.year, e.pack));
    for o in &e.outcomes {
        let v = match (&o.value, o.unit.as_deref()) {
            (Json::Number(n), unit) => super::reasons::shown(n.as_f64().unwrap_or(f64::NAN), unit, lang),
            (v, _) => show(lang, v),
        };
        out.push_str(&format!("  {} = {v}\n", o.title));
    }
    out
}

pub fn value_json(v: Value) -> Json {
    match v {
        Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Int(i) => Json::from(i),
        Value::Float(f) => serde_json::Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null),
    }
}

/// A field's value as JSON (codes as their code, dates as text, empty as `null`).
pub fn dynamic_json(d: &rhai::Dynamic) -> Json {
    if d.is_unit() {
        Json::Null
    } else if let Ok(b) = d.as_bool() {
        Json::Bool(b)
    } else if let Ok(i) = d.as_int() {
        Json::from(i)
    } else if let Ok(f) = d.as_float() {
        serde_json::Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null)
    } else {
        Json::String(d.to_string())
    }
}

/// The row of a key in a level's outcomes.
fn row_of(outcomes: &Outcomes, t: Table, key: &str) -> Option<usize> {
    let l = outcomes.level(t)?;
    (0..l.len()).find(|&i| l.key(i) == key)
}

fn level_outcomes(pack: &Pack, outcomes: &Outcomes, t: Table, row: usize) -> Vec<Outcome> {
    let Some(l) = outcomes.level(t) else {
        return vec![];
    };
    l.results
        .iter()
        .map(|(r, vals)| Outcome {
            rule: pack.rules[*r].id.clone(),
            title: pack.rules[*r].title.clone(),
            value: value_json(vals[row]),
            unit: pack.rules[*r].unit.clone(),
        })
        .collect()
}

/// Explain one household. `None` if the register has no such household.
pub fn explain(pack: &Pack, register: &Register, outcomes: &Outcomes, household_id: &str) -> Option<Explanation> {
    let h_row = row_of(outcomes, Table::Households, household_id)?;
    let households = register.table(Table::Households)?;
    let village_code = households.frame.column("village_code").ok()?.str().ok()?.get(h_row).unwrap_or("").to_string();
    let county_code = county_of_village(&village_code).to_string();

    // Members: every person row of the household, in register order.
    let mut members = vec![];
    if let (Some(persons), Some(pl)) = (register.table(Table::Persons), outcomes.level(Table::Persons)) {
        let hids = persons.frame.column("household_id").ok()?.str().ok()?.clone();
        let names = FieldData::extract(persons, Table::Persons, "name");
        let relation = FieldData::extract(persons, Table::Persons, "relation");
        let health = persons.frame.column("health").ok().and_then(|c| c.u8().ok().cloned());
        let dead = CodeList::Health.index_of("05");
        for (row, h) in hids.iter().enumerate() {
            if h != Some(household_id) {
                continue;
            }
            let text = |d: rhai::Dynamic| {
                if d.is_unit() { None } else { Some(d.to_string()) }
            };
            members.push(Member {
                person_id: pl.key(row).to_string(),
                name: text(names.dynamic(row)),
                relation: text(relation.dynamic(row)),
                living: health.as_ref().and_then(|h| h.get(row)).is_none_or(|c| Some(c) != dead),
                outcomes: level_outcomes(pack, outcomes, Table::Persons, row),
            });
        }
    }

    // Household rules in dependency order, with what each read.
    let hl = outcomes.level(Table::Households)?;
    let aggs = outcomes.aggregates.iter().find(|(t, _)| *t == Table::Households).map(|(_, a)| a.clone());
    let mut rules = vec![];
    for &r in pack.order.get(&Table::Households).map(Vec::as_slice).unwrap_or(&[]) {
        let rule = &pack.rules[r];
        let reads = rule
            .reads
            .iter()
            .map(|(name, re)| {
                let (refers_to, value) = match re {
                    Ref::Field(f) => (
                        format!("field {f}"),
                        dynamic_json(&FieldData::extract(households, Table::Households, f).dynamic(h_row)),
                    ),
                    Ref::Rule(j) => (
                        format!("rule {}", pack.rules[*j].id),
                        value_json(hl.values(*j).map(|v| v[h_row]).unwrap_or_default()),
                    ),
                    Ref::Year => ("year".to_string(), Json::from(outcomes.year)),
                    Ref::Unknown => ("unknown".to_string(), Json::Null),
                };
                Read { name: name.clone(), refers_to, value }
            })
            .collect();
        let aggregates = rule
            .aggregates
            .iter()
            .map(|a| AggregateRead {
                call: if a.arg.is_empty() { format!("{}()", a.func) } else { format!("{}(\"{}\")", a.func, a.arg) },
                value: value_json(aggs.as_ref().and_then(|t| t.get(a.func, &a.arg, h_row)).unwrap_or_default()),
            })
            .collect();
        let [_, last] = pack.manifest.years;
        let parameters = rule
            .params
            .iter()
            .filter_map(|name| pack.params.params.get(name))
            .filter_map(|p| {
                Some(ParameterUse {
                    name: p.name.clone(),
                    alias: p.alias.clone(),
                    value: p.value_in(outcomes.year, last)?,
                    unit: p.unit.clone(),
                    source: p.source_in(outcomes.year).to_string(),
                })
            })
            .collect();
        rules.push(RuleTrace {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            kind: rule.kind,
            source: rule.source.clone(),
            value: value_json(hl.values(r).map(|v| v[h_row]).unwrap_or_default()),
            reads,
            aggregates,
            parameters,
        });
    }
    let verdicts = |t: Table, key: &str| {
        row_of(outcomes, t, key)
            .map(|row| LevelVerdicts { key: key.to_string(), outcomes: level_outcomes(pack, outcomes, t, row) })
    };
    Some(Explanation {
        version: VERSION,
        pack: pack.manifest.name.clone(),
        year: outcomes.year,
        household_id: household_id.to_string(),
        village: verdicts(Table::Villages, &village_code),
        county: verdicts(Table::Counties, &county_code),
        village_code,
        county_code,
        members,
        rules,
        conclusion: None,
    })
}

/// A value as people write it: 是/否/未知, a number with thousands separators and at most two
/// decimals (the JSON keeps it exact).
fn show(lang: Lang, v: &Json) -> String {
    match v {
        Json::Null => messages::outcome(lang, None).to_string(),
        Json::Bool(b) => messages::outcome(lang, Some(*b)).to_string(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.as_f64().map_or_else(|| n.to_string(), |x| super::reasons::shown(x, None, lang)),
        other => other.to_string(),
    }
}

/// What a name read refers to, in words: `field wage_income` → `字段 工资性收入`.
fn refers(lang: Lang, r: &str) -> String {
    match (lang, r.split_once(' ')) {
        (Lang::Zh, Some(("field", f))) => format!("字段 {f}"),
        (Lang::Zh, Some(("rule", x))) => format!("规则 {x}"),
        (Lang::Zh, None) if r == "year" => "年度".into(),
        _ => r.to_string(),
    }
}

/// The explanation as text for the terminal.
pub fn render(e: &Explanation, lang: Lang) -> String {
    let l = messages::explain_labels(lang);
    let mut out = String::new();
    // The conclusion and its reasons first; the detail after.
    if let Some(c) = &e.conclusion {
        out.push_str(&render_conclusion(c, lang));
        out.push('\n');
    }
    out.push_str(&format!(
        "{} {} ({} {}, {} {}) · {} {} · {}\n",
        l.household, e.household_id, l.village, e.village_code, l.county, e.county_code, l.year, e.year, e.pack
    ));
    out.push_str(&format!("\n{}\n", l.members));
    for m in &e.members {
        let outcomes: Vec<String> =
            m.outcomes.iter().map(|o| format!("{}={}", o.title, show(lang, &o.value))).collect();
        out.push_str(&format!(
            "  {} {} {} {}  {}\n",
            m.person_id,
            m.name.as_deref().unwrap_or("-"),
            m.relation.as_deref().unwrap_or("-"),
            if m.living { l.living } else { l.deceased },
            outcomes.join("  ")
        ));
    }
    out.push_str(&format!("\n{}\n", l.rules));
    for r in &e.rules {
        out.push_str(&format!("  {} {} = {}\n", r.rule, r.title, show(lang, &r.value)));
        for x in &r.reads {
            out.push_str(&format!(
                "      {} {} ({}) = {}\n",
                l.reads,
                x.name,
                refers(lang, &x.refers_to),
                show(lang, &x.value)
            ));
        }
        for a in &r.aggregates {
            out.push_str(&format!("      {} {} = {}\n", l.reads, a.call, show(lang, &a.value)));
        }
        for p in &r.parameters {
            let alias = p.alias.as_deref().map(|a| format!("（{a}）")).unwrap_or_default();
            out.push_str(&format!(
                "      {} {}{alias} = {} {}  [{}]\n",
                l.parameter,
                p.name,
                p.value,
                p.unit.as_deref().unwrap_or(""),
                p.source
            ));
        }
        if !r.source.is_empty() {
            out.push_str(&format!("      {} {}\n", l.source, r.source));
        }
    }
    for (label, v) in [(l.village, &e.village), (l.county, &e.county)] {
        if let Some(v) = v {
            let outcomes: Vec<String> =
                v.outcomes.iter().map(|o| format!("{}={}", o.title, show(lang, &o.value))).collect();
            out.push_str(&format!("\n{label} {}: {}\n", v.key, outcomes.join("  ")));
        }
    }
    out
}

/// A printable page for the case file: the conclusion and its reasons in large type, then
/// the whole explanation as the terminal shows it. Self-contained (no network), A4.
pub fn to_html(text: &str, lang: Lang) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let (head, rest) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let title = lines.next().unwrap_or("");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\
@page{{size:A4;margin:15mm}}body{{font-family:Noto Sans CJK SC,Source Han Sans SC,Microsoft YaHei,SimHei,sans-serif;max-width:180mm;margin:0 auto;color:#222}}\
h1{{font-size:16pt}}p.c{{font-size:13pt;font-weight:bold}}p.r{{font-size:11.5pt}}pre{{font-family:inherit;font-size:9.5pt;white-space:pre-wrap;border-top:1px solid #aaa;padding-top:3mm}}\
</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(title),
        esc(title)
    );
    if let Some(c) = lines.next() {
        out.push_str(&format!("<p class=\"c\">{}</p>\n", esc(c)));
    }
    for r in lines {
        out.push_str(&format!("<p class=\"r\">{}</p>\n", esc(r)));
    }
    out.push_str(&format!("<pre>{}</pre>\n</body>\n</html>\n", esc(rest)));
    out
}
