//! The dictionary (`tuopin fields`) said on the terminal and written as a workbook for staff:
//! fields by their Chinese header with type, codes and labels; rules by title; parameters by
//! title with the value in force, rounded as people write it.

use std::path::Path;

use crate::Error;
use crate::messages::Lang;
use crate::messages::authoring::{self as words, DictionaryWords};
use crate::rules::RuleKind;
use crate::rules::dictionary::{Dictionary, FieldEntry, FieldType, ParamEntry};

fn type_word(lang: Lang, ty: FieldType) -> String {
    let (w, n) = match ty {
        FieldType::Id => ("id", 0),
        FieldType::Digits(n) => ("digits", n),
        FieldType::Text => ("text", 0),
        FieldType::Code => ("code", 0),
        FieldType::YesNo => ("yes_no", 0),
        FieldType::Number => ("number", 0),
        FieldType::Whole => ("whole", 0),
        FieldType::Date => ("date", 0),
    };
    words::field_type(lang, w, n)
}

fn codes_text(f: &FieldEntry, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    f.codes.iter().map(|(c, l)| if l.is_empty() { c.clone() } else { format!("{c} {l}") }).collect::<Vec<_>>().join(sep)
}

fn required_text(f: &FieldEntry, w: &DictionaryWords) -> String {
    let base = if f.optional { w.optional } else { w.required };
    if f.declared { format!("{base}（{}）", w.declared) } else { base.to_string() }
}

fn param_value(p: &ParamEntry, lang: Lang, w: &DictionaryWords) -> String {
    match p.value {
        Some(v) => super::reasons::shown_in_full(v, p.unit.as_deref(), lang),
        None => w.unknown.to_string(),
    }
}

fn kind_text(kind: RuleKind, w: &DictionaryWords) -> &'static str {
    if kind == RuleKind::Predicate { w.predicate } else { w.value }
}

/// The dictionary as terminal text.
pub fn text(d: &Dictionary, lang: Lang) -> String {
    let w = words::dictionary_words(lang);
    let mut out = format!("{}\n", words::dictionary_title(lang, &d.pack, d.year));
    let name = |zh: Option<&str>, en: &str| match (lang, zh) {
        (Lang::Zh, Some(h)) => format!("{h}（{en}）"),
        (_, Some(h)) => format!("{en} ({h})"),
        (_, None) => en.to_string(),
    };
    for l in &d.levels {
        let level = l.level.level();
        out.push_str(&format!("\n{}\n", words::dictionary_section(lang, level, w.fields, l.fields.len())));
        for f in &l.fields {
            let mut line = format!(
                "  {}  {}  {}",
                name(f.headers.first().map(String::as_str), &f.name),
                type_word(lang, f.ty),
                required_text(f, &w)
            );
            if !f.codes.is_empty() {
                line.push_str(&format!("  {}", codes_text(f, lang)));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("\n{}\n", words::dictionary_section(lang, level, w.rules, l.rules.len())));
        for r in &l.rules {
            let title = if r.title.is_empty() { r.name.clone() } else { r.title.clone() };
            let mut line = format!("  {}  {}", name(Some(&title), &r.name), kind_text(r.kind, &w));
            if let Some(a) = &r.alias {
                line.push_str(&format!("  {}{}{a}", w.alias, w.colon));
            }
            if !r.source.is_empty() {
                line.push_str(&format!("  {}{}{}", w.source, w.colon, r.source));
            }
            out.push_str(&line);
            out.push('\n');
        }
        if !l.params.is_empty() {
            out.push_str(&format!("\n{}\n", words::dictionary_section(lang, level, w.params, l.params.len())));
            for p in &l.params {
                let label = p.alias.as_deref().unwrap_or(&p.title);
                out.push_str(&format!(
                    "  {}  {}  {}{}{}\n",
                    name(Some(label), &p.name),
                    param_value(p, lang, &w),
                    w.source,
                    w.colon,
                    p.source
                ));
            }
        }
    }
    out
}

/// The dictionary as a workbook: 字段, 规则, 参数, one row per entry, every level.
pub fn write_xlsx(d: &Dictionary, path: &Path, lang: Lang) -> Result<(), Error> {
    let w = words::dictionary_words(lang);
    let mut book = super::excel::workbook();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
    let level_name = |t: crate::register::Table| crate::messages::book::level_sheet(lang, t.level()).to_string();
    let sheets: [(&str, &[&str]); 3] =
        [(w.fields, &w.field_headers), (w.rules, &w.rule_headers), (w.params, &w.param_headers)];
    for (k, (name, headers)) in sheets.into_iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let mut r = 1u32;
        for l in &d.levels {
            let rows: Vec<Vec<String>> = match k {
                0 => l
                    .fields
                    .iter()
                    .map(|f| {
                        vec![
                            level_name(l.level),
                            f.headers.first().cloned().unwrap_or_default(),
                            f.name.clone(),
                            type_word(lang, f.ty),
                            required_text(f, &w),
                            codes_text(f, lang),
                            f.headers.iter().skip(1).cloned().collect::<Vec<_>>().join("、"),
                        ]
                    })
                    .collect(),
                1 => l
                    .rules
                    .iter()
                    .map(|x| {
                        vec![
                            level_name(l.level),
                            x.title.clone(),
                            x.name.clone(),
                            x.alias.clone().unwrap_or_default(),
                            kind_text(x.kind, &w).to_string(),
                            x.unit.clone().unwrap_or_default(),
                            x.source.clone(),
                        ]
                    })
                    .collect(),
                _ => l
                    .params
                    .iter()
                    .map(|p| {
                        vec![
                            level_name(l.level),
                            p.title.clone(),
                            p.name.clone(),
                            p.alias.clone().unwrap_or_default(),
                            param_value(p, lang, &w),
                            p.unit.clone().unwrap_or_default(),
                            p.since.map(|y| y.to_string()).unwrap_or_default(),
                            p.source.clone(),
                        ]
                    })
                    .collect(),
            };
            for row in rows {
                for (c, v) in row.iter().enumerate() {
                    sheet.write_string(r, c as u16, v)?;
                }
                r += 1;
            }
        }
        let widths: &[f64] = match k {
            0 => &[8.0, 18.0, 26.0, 12.0, 10.0, 60.0, 24.0],
            1 => &[8.0, 40.0, 26.0, 18.0, 8.0, 8.0, 60.0],
            _ => &[8.0, 40.0, 28.0, 20.0, 16.0, 12.0, 10.0, 60.0],
        };
        for (c, wd) in widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *wd)?;
        }
        sheet.set_column_format(widths.len() as u16 - 1, &wrap)?;
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, r.saturating_sub(1).max(1), headers.len() as u16 - 1)?;
    }
    // Written beside the target and renamed: the workbook is whole or absent.
    let part = path.with_extension("xlsx.part");
    book.save(&part)?;
    std::fs::rename(&part, path).map_err(|e| Error::io(path, e))?;
    Ok(())
}
