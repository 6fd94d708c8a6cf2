//! The dictionary of a pack and the register it reads: per level, every field (its Chinese
//! header, type, codes with labels, required or optional), rule (title, kind, source) and
//! parameter a rule of the level reads (title, unit, value in force). What `tuopin fields`
//! prints and writes as a workbook for staff.

use super::{Pack, RuleKind};
use crate::register::{Aliases, Kind, Table};

/// What a field holds, for a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    Digits(usize),
    Text,
    Code,
    YesNo,
    Number,
    Whole,
    Date,
}

impl FieldType {
    pub fn of(kind: Kind) -> FieldType {
        match kind {
            Kind::Key => FieldType::Id,
            Kind::DigitKey(n) => FieldType::Digits(n),
            Kind::Text => FieldType::Text,
            Kind::Code(_) => FieldType::Code,
            Kind::Bool => FieldType::YesNo,
            Kind::Number => FieldType::Number,
            Kind::Int(_) => FieldType::Whole,
            Kind::Date => FieldType::Date,
            Kind::Listed(_) => FieldType::Code,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FieldEntry {
    /// The canonical name (`health`).
    pub name: String,
    /// Every Chinese header the field is read under, the first one first.
    pub headers: Vec<String>,
    pub ty: FieldType,
    /// (code, label) for a code field.
    pub codes: Vec<(String, String)>,
    pub optional: bool,
    /// Declared by the pack (`fields.toml`) rather than built in.
    pub declared: bool,
}

#[derive(Debug, Clone)]
pub struct RuleEntry {
    pub name: String,
    pub alias: Option<String>,
    pub title: String,
    pub kind: RuleKind,
    pub unit: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct ParamEntry {
    pub name: String,
    pub alias: Option<String>,
    pub title: String,
    pub unit: Option<String>,
    /// The value in force in the year asked for (`None`: unknown that year).
    pub value: Option<f64>,
    /// The year that value was set for.
    pub since: Option<i32>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct LevelEntry {
    pub level: Table,
    pub fields: Vec<FieldEntry>,
    pub rules: Vec<RuleEntry>,
    pub params: Vec<ParamEntry>,
}

#[derive(Debug, Clone)]
pub struct Dictionary {
    pub pack: String,
    pub year: i32,
    pub levels: Vec<LevelEntry>,
}

/// The dictionary of `levels` (all four, person first, when empty) for `year`.
pub fn build(pack: &Pack, aliases: &Aliases, year: i32, levels: &[Table]) -> Dictionary {
    let last = pack.manifest.years[1];
    let levels: Vec<Table> = if levels.is_empty() { Table::ALL.to_vec() } else { levels.to_vec() };
    let levels = levels
        .into_iter()
        .map(|level| {
            let fields = aliases
                .columns(level)
                .into_iter()
                .map(|c| FieldEntry {
                    name: c.name.to_string(),
                    headers: aliases.headers_of(level, c.name),
                    ty: FieldType::of(c.kind),
                    codes: aliases.code_choices(level, c.name).unwrap_or_default(),
                    optional: c.optional,
                    declared: aliases.is_declared(level, c.name),
                })
                .collect();
            let rule_ids: Vec<usize> = (0..pack.rules.len()).filter(|&i| pack.rules[i].level == level).collect();
            let rules = rule_ids
                .iter()
                .map(|&i| {
                    let r = &pack.rules[i];
                    RuleEntry {
                        name: r.name.clone(),
                        alias: r.alias.clone(),
                        title: r.title.clone(),
                        kind: r.kind,
                        unit: r.unit.clone(),
                        source: r.source.clone(),
                    }
                })
                .collect();
            let params = pack
                .params
                .params
                .values()
                .filter(|p| rule_ids.iter().any(|&i| pack.rules[i].params.contains(&p.name)))
                .map(|p| ParamEntry {
                    name: p.name.clone(),
                    alias: p.alias.clone(),
                    title: p.title.clone(),
                    unit: p.unit.clone(),
                    value: p.value_in(year, last),
                    since: p.values.range(..=year).next_back().map(|(y, _)| *y),
                    source: p.source_in(year).to_string(),
                })
                .collect();
            LevelEntry { level, fields, rules, params }
        })
        .collect();
    Dictionary { pack: pack.manifest.name.clone(), year, levels }
}
