//! Fields a pack declares (`fields.toml`): columns the built-in schema does not have (a
//! household's debt, a county's own cross-department flags), read, typed and validated like
//! any other column, under their Chinese headers, and usable in rules on both engines.
//!
//! ```toml
//! [households.debt]
//! title = "家庭负债"           # the header exports use; more may be listed in `headers`
//! headers = ["负债金额"]
//! type = "number"             # number | whole | text | code | bool | date
//! optional = true             # a required field missing from a file is an input error
//! # for type = "code": codes = { "01" = "有", "02" = "无" }
//! ```
//!
//! A pack may not redefine a built-in field, nor give a header a built-in field already has.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::diagnostic::{Diagnostic, line_col};
use crate::messages::authoring as msgs;
use crate::register::aliases::{Declared, DeclaredKind};
use crate::register::{Aliases, Table};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    title: String,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    codes: BTreeMap<String, String>,
}

/// The file's name in a pack.
pub const FILE: &str = "fields.toml";

/// Read the pack's `fields.toml`, if it has one, and add its fields to `aliases`; every
/// problem is a diagnostic at its line.
pub fn declare(dir: &Path, aliases: &mut Aliases, diags: &mut Vec<Diagnostic>) {
    let path = dir.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return };
    let file = path.display().to_string();
    let raw: BTreeMap<String, BTreeMap<String, toml::Spanned<RawField>>> = match toml::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
            let m = crate::messages::pack::toml_error(e.message(), text.lines().nth(line - 1).unwrap_or_default());
            diags.push(Diagnostic::at(&file, &text, line, col, m));
            return;
        }
    };
    for (table_name, fields) in raw {
        let Some(table) = Table::named(&table_name) else {
            let line = text.lines().position(|l| l.contains(&format!("[{table_name}."))).map_or(1, |i| i + 1);
            diags.push(Diagnostic::at(&file, &text, line, 1, msgs::field_table_unknown(&table_name)));
            continue;
        };
        for (name, spanned) in fields {
            let (line, _) = line_col(&text, spanned.span().start);
            let at = |m| Diagnostic::at(&file, &text, line, 1, m);
            let f = spanned.into_inner();
            let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_name {
                diags.push(at(msgs::field_name_invalid(&name)));
                continue;
            }
            if aliases.column(table, &name).is_some() {
                diags.push(at(msgs::field_redefined(&name, table.level())));
                continue;
            }
            let mut headers = vec![f.title.trim().to_string()];
            headers.extend(f.headers.iter().map(|h| h.trim().to_string()));
            if let Some((h, c)) = headers.iter().find_map(|h| aliases.column_for_header(table, h).map(|c| (h, c))) {
                diags.push(at(msgs::field_header_taken(&name, h, c)));
                continue;
            }
            let kind = match (f.ty.as_str(), f.codes.is_empty()) {
                ("number" | "数值", true) => DeclaredKind::Number,
                ("whole" | "整数", true) => DeclaredKind::Whole,
                ("text" | "文字", true) => DeclaredKind::Text,
                ("bool" | "是否", true) => DeclaredKind::Bool,
                ("date" | "日期", true) => DeclaredKind::Date,
                ("code" | "代码", false) => DeclaredKind::Code(f.codes.into_iter().collect()),
                ("code" | "代码", true) => {
                    diags.push(at(msgs::field_codes_missing(&name)));
                    continue;
                }
                ("number" | "数值" | "whole" | "整数" | "text" | "文字" | "bool" | "是否" | "date" | "日期", false) =>
                {
                    diags.push(at(msgs::field_codes_not_code(&name)));
                    continue;
                }
                (other, _) => {
                    diags.push(at(msgs::field_type_unknown(&name, other)));
                    continue;
                }
            };
            aliases.declare(Declared { table, name, kind, optional: f.optional, headers });
        }
    }
}
