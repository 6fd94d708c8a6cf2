//! The alias table: the Chinese headers and code labels of real register exports.
//!
//! The table is data, not code: `data/register-aliases.json` (a copy of the shared
//! `register-aliases.json`) is embedded as the default, and a user extends it with their
//! own file (`--aliases FILE`) of the same shape. A header value may be one string or a
//! list of strings, so a county whose export says `户主编号` instead of `户编号` only adds
//! that line. The same table gives rule scripts their Chinese field names.

use super::errors::Expected;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::schema::{CodeList, ColumnSpec, Kind, Table};
use crate::Error;

const DEFAULT: &str = include_str!("../../data/register-aliases.json");

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize, Default)]
struct AliasFile {
    #[serde(default)]
    headers: BTreeMap<String, BTreeMap<String, OneOrMany>>,
    #[serde(default)]
    code_labels: BTreeMap<String, BTreeMap<String, OneOrMany>>,
    #[serde(default)]
    booleans: BTreeMap<String, OneOrMany>,
}

/// Header and label aliases, resolved to canonical names and codes.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// (table, header as written) → canonical column.
    headers: BTreeMap<(Table, String), &'static str>,
    /// (code list, label) → canonical code.
    labels: BTreeMap<(CodeList, String), &'static str>,
    /// (code list, code) → the first Chinese label, for messages.
    label_of: BTreeMap<(CodeList, &'static str), String>,
    /// (table, canonical column) → its first Chinese header, for messages and scripts.
    header_of: BTreeMap<(Table, &'static str), String>,
    true_words: Vec<String>,
    false_words: Vec<String>,
    /// Columns a rule pack declares (`fields.toml`), per table, after the built-in ones.
    declared: BTreeMap<Table, Vec<ColumnSpec>>,
}

/// A field a pack declares, as `Aliases::declare` takes it.
pub struct Declared {
    pub table: Table,
    pub name: String,
    pub kind: DeclaredKind,
    pub optional: bool,
    /// The headers exports use, the first one first (its title).
    pub headers: Vec<String>,
}

/// The type of a declared field.
pub enum DeclaredKind {
    Number,
    Whole,
    Text,
    Bool,
    Date,
    /// Codes with their labels.
    Code(Vec<(String, String)>),
}

impl Aliases {
    /// The embedded default table.
    pub fn builtin() -> Aliases {
        let mut a = Aliases::default();
        // The embedded file is part of the build and tested; failure here is a build defect.
        if let Err(e) = a.extend_from_str(DEFAULT, "data/register-aliases.json") {
            panic!("embedded alias table is invalid: {e}");
        }
        a
    }

    /// The default table extended by a user's file.
    pub fn with_file(path: Option<&Path>) -> Result<Aliases, Error> {
        let mut a = Aliases::builtin();
        if let Some(p) = path {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
            a.extend_from_str(&text, &p.display().to_string())?;
        }
        Ok(a)
    }

    fn extend_from_str(&mut self, text: &str, file: &str) -> Result<(), Error> {
        let f: AliasFile = serde_json::from_str(text).map_err(|e| Error::Config {
            file: file.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let bad = |msg: String| Error::Config { file: file.to_string(), line: 0, message: msg };
        for (table_name, cols) in f.headers {
            let table = Table::ALL
                .into_iter()
                .find(|t| t.name() == table_name)
                .ok_or_else(|| bad(format!("unknown table `{table_name}` under `headers`")))?;
            for (canonical, aliases) in cols {
                let spec = table
                    .column(&canonical)
                    .ok_or_else(|| bad(format!("`{table_name}` has no column `{canonical}`")))?;
                for alias in aliases.into_vec() {
                    self.header_of.entry((table, spec.name)).or_insert_with(|| alias.clone());
                    self.headers.insert((table, alias.trim().to_string()), spec.name);
                }
            }
        }
        for (list_name, labels) in f.code_labels {
            let list = CodeList::ALL
                .into_iter()
                .find(|l| l.name() == list_name)
                .ok_or_else(|| bad(format!("unknown code list `{list_name}`")))?;
            for (code, names) in labels {
                let canonical = list
                    .codes()
                    .iter()
                    .find(|c| **c == code)
                    .ok_or_else(|| bad(format!("`{list_name}` has no code `{code}`")))?;
                for name in names.into_vec() {
                    self.label_of.entry((list, canonical)).or_insert_with(|| name.clone());
                    self.labels.insert((list, name.trim().to_string()), canonical);
                }
            }
        }
        for (value, words) in f.booleans {
            let words = words.into_vec();
            match value.as_str() {
                "true" => self.true_words.extend(words),
                "false" => self.false_words.extend(words),
                other => {
                    return Err(bad(format!("`booleans` key must be true or false, not `{other}`")));
                }
            }
        }
        Ok(())
    }

    /// The canonical column a header names, in English or by an alias.
    pub fn column_for_header(&self, table: Table, header: &str) -> Option<&'static str> {
        let h = header.trim();
        if let Some(spec) = table.column(h).copied().or_else(|| self.declared_column(table, h)) {
            return Some(spec.name);
        }
        self.headers.get(&(table, h.to_string())).copied()
    }

    /// The canonical field a name in a rule script means, at a level (`人均纯收入` →
    /// `reported_per_capita_income`).
    pub fn field_for_name(&self, table: Table, name: &str) -> Option<&'static str> {
        self.column_for_header(table, name)
    }

    /// The Chinese header of a column, for messages.
    pub fn header(&self, table: Table, column: &str) -> Option<&str> {
        self.header_of.iter().find(|((t, c), _)| *t == table && *c == column).map(|(_, h)| h.as_str())
    }

    /// The canonical code for a code or label as written (`1` → `01`, `健康` → `01`).
    pub fn code(&self, list: CodeList, written: &str) -> Option<&'static str> {
        let w = written.trim();
        if let Some(c) = list.codes().iter().find(|c| **c == w) {
            return Some(c);
        }
        // One-digit codes are read as two-digit; `sex` also accepts `01`/`02`.
        if list == CodeList::Sex {
            match w {
                "01" => return Some("1"),
                "02" => return Some("2"),
                _ => {}
            }
        } else if w.len() == 1 && w.as_bytes()[0].is_ascii_digit() {
            let padded = format!("0{w}");
            if let Some(c) = list.codes().iter().find(|c| **c == padded) {
                return Some(c);
            }
        }
        self.labels.get(&(list, w.to_string())).copied()
    }

    /// The codes of a code field at a level, each with its first label (empty when it has
    /// none); `None` when the field is not a code field.
    pub fn code_choices(&self, table: Table, field: &str) -> Option<Vec<(String, String)>> {
        match self.column(table, field)?.kind {
            Kind::Code(list) => Some(
                list.codes()
                    .iter()
                    .map(|c| (c.to_string(), self.label(list, c).unwrap_or_default().to_string()))
                    .collect(),
            ),
            Kind::Listed(pairs) => Some(pairs.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()),
            _ => None,
        }
    }

    /// The code a code field's code or label as written stands for (`患有大病` → `03`).
    pub fn code_in(&self, table: Table, field: &str, written: &str) -> Option<String> {
        match self.column(table, field)?.kind {
            Kind::Code(list) => self.code(list, written).map(str::to_string),
            Kind::Listed(pairs) => listed_code(pairs, written).map(str::to_string),
            _ => None,
        }
    }

    /// A column of a table by its canonical name: built in, or declared by the pack.
    pub fn column(&self, table: Table, name: &str) -> Option<ColumnSpec> {
        table.column(name).copied().or_else(|| self.declared_column(table, name))
    }

    fn declared_column(&self, table: Table, name: &str) -> Option<ColumnSpec> {
        self.declared.get(&table)?.iter().find(|c| c.name == name).copied()
    }

    /// Every column of a table: the built-in schema's, then those a pack declares.
    pub fn columns(&self, table: Table) -> Vec<ColumnSpec> {
        let mut out = table.columns().to_vec();
        out.extend(self.declared.get(&table).into_iter().flatten().copied());
        out
    }

    /// Whether a column was declared by a pack rather than built in.
    pub fn is_declared(&self, table: Table, name: &str) -> bool {
        self.declared_column(table, name).is_some()
    }

    /// Add a field a pack declares: its column, its headers, its codes. The name and codes
    /// live as long as the program (a pack is loaded a few times per run). The caller has
    /// checked that the name and headers are new to the table.
    pub fn declare(&mut self, d: Declared) {
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let name = leak(&d.name);
        let kind = match d.kind {
            DeclaredKind::Number => Kind::Number,
            DeclaredKind::Whole => Kind::Int(None),
            DeclaredKind::Text => Kind::Text,
            DeclaredKind::Bool => Kind::Bool,
            DeclaredKind::Date => Kind::Date,
            DeclaredKind::Code(codes) => {
                let pairs: Vec<(&'static str, &'static str)> = codes.iter().map(|(c, l)| (leak(c), leak(l))).collect();
                Kind::Listed(Box::leak(pairs.into_boxed_slice()))
            }
        };
        self.declared.entry(d.table).or_default().push(ColumnSpec { name, kind, optional: d.optional, key: false });
        for h in d.headers {
            self.header_of.entry((d.table, name)).or_insert_with(|| h.clone());
            self.headers.insert((d.table, h.trim().to_string()), name);
        }
    }

    /// Every header a column is read under, the first-listed first.
    pub fn headers_of(&self, table: Table, column: &str) -> Vec<String> {
        let first = self.header(table, column).map(str::to_string);
        let mut out: Vec<String> = first.iter().cloned().collect();
        for ((t, h), c) in &self.headers {
            if *t == table && *c == column && Some(h) != first.as_ref() {
                out.push(h.clone());
            }
        }
        out
    }

    /// Every name a field of a table is known by: canonical names and headers.
    pub fn names(&self, table: Table) -> Vec<String> {
        let mut out: Vec<String> = self.columns(table).iter().map(|c| c.name.to_string()).collect();
        out.extend(self.headers.keys().filter(|(t, _)| *t == table).map(|(_, h)| h.clone()));
        out
    }

    /// The Chinese label of a code, for messages.
    pub fn label(&self, list: CodeList, code: &str) -> Option<&str> {
        self.label_of.iter().find(|((l, c), _)| *l == list && *c == code).map(|(_, s)| s.as_str())
    }

    /// A boolean as written: true/false (any case), 1/0, 是/否 and the table's words.
    pub fn boolean(&self, written: &str) -> Option<bool> {
        let w = written.trim();
        if w == "1" || w.eq_ignore_ascii_case("true") || self.true_words.iter().any(|t| t == w) {
            Some(true)
        } else if w == "0" || w.eq_ignore_ascii_case("false") || self.false_words.iter().any(|t| t == w) {
            Some(false)
        } else {
            None
        }
    }

    /// What a column expects, in words, for error messages.
    pub fn expectation(&self, kind: Kind) -> Expected {
        match kind {
            Kind::Key => Expected::Id,
            Kind::Text => Expected::Text,
            Kind::DigitKey(n) => Expected::Digits(n),
            Kind::Bool => Expected::YesNo,
            Kind::Number => Expected::Number,
            Kind::Int(None) => Expected::Whole,
            Kind::Int(Some((lo, hi))) if hi == i64::MAX => Expected::WholeAtLeast(lo),
            Kind::Int(Some((lo, hi))) => Expected::WholeFromTo(lo, hi),
            Kind::Date => Expected::Date,
            Kind::Listed(pairs) => Expected::OneOf(
                pairs.iter().map(|(c, l)| if l.is_empty() { c.to_string() } else { format!("{c} {l}") }).collect(),
            ),
            Kind::Code(list) => Expected::OneOf(
                list.codes()
                    .iter()
                    .map(|c| match self.label(list, c) {
                        Some(l) => format!("{c} {l}"),
                        None => c.to_string(),
                    })
                    .collect(),
            ),
        }
    }
}

/// The code a declared code field's code or label as written stands for.
pub fn listed_code(pairs: &'static [(&'static str, &'static str)], written: &str) -> Option<&'static str> {
    let w = written.trim();
    pairs.iter().find(|(c, l)| *c == w || *l == w).map(|(c, _)| *c)
}

/// Levenshtein distance in characters (a Chinese character counts one), for suggesting the
/// closest name.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_headers_and_short_codes_resolve() {
        let a = Aliases::builtin();
        assert_eq!(a.code(CodeList::Health, "健康"), Some("01"));
        assert_eq!(a.code(CodeList::Labour, "丧失劳动力"), Some("03"));
        assert_eq!(a.code(CodeList::Status, "4"), Some("04"));
        assert_eq!(a.code(CodeList::Sex, "女"), Some("2"));
        assert_eq!(a.code(CodeList::Sex, "01"), Some("1"));
        assert_eq!(a.code(CodeList::Status, "01"), None);
        assert_eq!(a.code(CodeList::PoorCounty, "国家级贫困县"), Some("national"));
        assert_eq!(a.column_for_header(Table::Households, "户编号"), Some("household_id"));
        assert_eq!(a.column_for_header(Table::Persons, " 健康状况 "), Some("health"));
        assert_eq!(a.column_for_header(Table::Persons, "人均纯收入"), None);
        assert_eq!(a.boolean("是"), Some(true));
        assert_eq!(a.boolean("FALSE"), Some(false));
        assert_eq!(a.boolean("maybe"), None);
    }

    #[test]
    fn a_user_file_adds_headers() {
        let mut a = Aliases::builtin();
        a.extend_from_str(r#"{"headers":{"households":{"household_id":["户主编号"]}}}"#, "x.json").unwrap();
        assert_eq!(a.column_for_header(Table::Households, "户主编号"), Some("household_id"));
        let err = a.extend_from_str(r#"{"headers":{"households":{"nope":"x"}}}"#, "x.json");
        assert!(matches!(err, Err(Error::Config { ref message, .. }) if message.contains("no column `nope`")));
    }
}
