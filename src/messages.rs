//! Every text a user reads, in Chinese (the default) and English (`--lang en`).
//!
//! Kept in one file so that a reviewer can read and translate all of them at once. The
//! rest of the code builds structured values (an [`InputError`], a summary count) and asks
//! this module to say them.

use std::fmt::Write;

use crate::register::errors::{InputError, Problem};

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

/// One input error, as a line: file, row, column, value, and what was expected.
pub fn input_error(lang: Lang, e: &InputError) -> String {
    let mut s = String::new();
    let _ = write!(s, "{}", e.file);
    match (lang, e.row) {
        (Lang::Zh, Some(r)) => {
            let _ = write!(s, " 第 {r} 行");
        }
        (Lang::En, Some(r)) => {
            let _ = write!(s, " row {r}");
        }
        _ => {}
    }
    if let Some(c) = &e.column {
        let _ = match lang {
            Lang::Zh => write!(s, " 列 {c}"),
            Lang::En => write!(s, " column {c}"),
        };
    }
    if let Some(v) = &e.value {
        let _ = match lang {
            Lang::Zh => write!(s, " 值 “{v}”"),
            Lang::En => write!(s, " value `{v}`"),
        };
    }
    s.push_str(": ");
    s.push_str(&problem(lang, &e.problem));
    s
}

fn problem(lang: Lang, p: &Problem) -> String {
    use Problem::*;
    match (lang, p) {
        (Lang::Zh, Unreadable(d)) => format!("无法读取文件（{d}）"),
        (Lang::En, Unreadable(d)) => format!("cannot read the file ({d})"),
        (Lang::Zh, Malformed(d)) => format!("格式错误的行（{d}）"),
        (Lang::En, Malformed(d)) => format!("malformed row ({d})"),
        (Lang::Zh, MissingColumn) => "缺少必需的列".into(),
        (Lang::En, MissingColumn) => "required column is missing".into(),
        (Lang::Zh, DuplicateColumn(other)) => format!("与列 {other} 表示同一字段"),
        (Lang::En, DuplicateColumn(other)) => format!("names the same field as column {other}"),
        (Lang::Zh, WrongValue(exp)) => format!("应为{}", zh_expected(exp)),
        (Lang::En, WrongValue(exp)) => format!("expected {exp}"),
        (Lang::Zh, NullKey) => "键值为空；每一行都必须填写".into(),
        (Lang::En, NullKey) => "key is empty; every row must have one".into(),
        (Lang::Zh, NullRegistered) => "“建档立卡户”为空；应为 是 或 否".into(),
        (Lang::En, NullRegistered) => "`registered` is empty; expected 是/否 (true/false)".into(),
        (Lang::Zh, NullStatus) => "建档立卡户的“脱贫状态”为空；应为 02、03、04 或 05".into(),
        (Lang::En, NullStatus) => {
            "`status` is empty in a registered household; expected 02, 03, 04 or 05".into()
        }
        (Lang::Zh, DuplicateKey(first)) => format!("与第 {first} 行重复"),
        (Lang::En, DuplicateKey(first)) => format!("duplicates row {first}"),
        (Lang::Zh, DuplicateMember(first)) => {
            format!("同一人在同一户中出现两次（另见第 {first} 行）")
        }
        (Lang::En, DuplicateMember(first)) => {
            format!("the same person twice in one household (see also row {first})")
        }
        (Lang::Zh, MissingParent(t)) => format!("在 {t} 表中找不到"),
        (Lang::En, MissingParent(t)) => format!("not found in the {t} table"),
        (Lang::Zh, MissingTable) => "登记册中缺少此表".into(),
        (Lang::En, MissingTable) => "the register has no such table".into(),
    }
}

/// The expectation text is produced in English by the alias table; the Chinese rendering
/// translates its few fixed phrases and keeps the code lists as they are.
fn zh_expected(en: &str) -> String {
    let replacements = [
        ("one of ", "以下之一："),
        ("a whole number from ", "整数，范围 "),
        ("a whole number ≥ ", "不小于此值的整数："),
        ("a whole number", "整数"),
        ("a number", "数字"),
        ("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"),
        (" digits", " 位数字"),
        ("是/否, true/false or 1/0", "是/否、true/false 或 1/0"),
        (" to ", " 至 "),
        ("text", "文本"),
    ];
    let mut s = en.to_string();
    for (a, b) in replacements {
        s = s.replace(a, b);
    }
    s
}

/// The heading printed before a list of input errors.
pub fn input_errors_heading(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("登记数据有 {n} 处输入错误："),
        Lang::En => format!("The register has {n} input error(s):"),
    }
}

/// The line after a list cut at the cap.
pub fn more_errors(lang: Lang, n: usize, path: &str) -> String {
    match lang {
        Lang::Zh => format!("……另有 {n} 处错误，完整清单见 {path}"),
        Lang::En => format!("… and {n} more; the full list is in {path}"),
    }
}

/// Why a run stopped on input errors, and what to do.
pub fn stopped_on_input_errors(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "未写出任何规则结果。请更正以上错误，或使用 --skip-invalid 跳过出错的行。",
        Lang::En => {
            "No rule tables were written. Correct the errors above, or pass --skip-invalid to set the rows in error aside."
        }
    }
}

/// The line saying how many rows were set aside under `--skip-invalid`.
pub fn set_aside(lang: Lang, table: &str, n: usize) -> String {
    match lang {
        Lang::Zh => format!("已跳过 {table} 表中的 {n} 行（出错或依赖出错的行）"),
        Lang::En => {
            format!("set aside {n} row(s) of {table} (in error or depending on a row in error)")
        }
    }
}

/// 是 / 否 / 未知 for an outcome.
pub fn outcome(lang: Lang, v: Option<bool>) -> &'static str {
    match (lang, v) {
        (Lang::Zh, Some(true)) => "是",
        (Lang::Zh, Some(false)) => "否",
        (Lang::Zh, None) => "未知",
        (Lang::En, Some(true)) => "yes",
        (Lang::En, Some(false)) => "no",
        (Lang::En, None) => "unknown",
    }
}

/// The short table printed after `check`.
pub struct CheckTotals {
    pub households: usize,
    pub exit_eligible: Option<usize>,
    pub wrong_exit_risk: Option<usize>,
    pub villages: usize,
    pub villages_eligible: Option<usize>,
    pub counties: usize,
    pub counties_eligible: Option<usize>,
    pub rule_errors: usize,
}

pub fn check_totals(lang: Lang, t: &CheckTotals) -> String {
    let opt = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    let rows: Vec<(&str, String)> = match lang {
        Lang::Zh => vec![
            ("已检查农户", t.households.to_string()),
            ("可脱贫退出的农户", opt(t.exit_eligible)),
            ("错退风险农户", opt(t.wrong_exit_risk)),
            (
                "可退出的村",
                format!("{} / {}", opt(t.villages_eligible), t.villages),
            ),
            (
                "可摘帽的县",
                format!("{} / {}", opt(t.counties_eligible), t.counties),
            ),
            ("规则运行错误", t.rule_errors.to_string()),
        ],
        Lang::En => vec![
            ("households checked", t.households.to_string()),
            ("exit-eligible households", opt(t.exit_eligible)),
            ("wrong-exit risks", opt(t.wrong_exit_risk)),
            (
                "villages eligible to exit",
                format!("{} / {}", opt(t.villages_eligible), t.villages),
            ),
            (
                "counties eligible to exit",
                format!("{} / {}", opt(t.counties_eligible), t.counties),
            ),
            ("rule errors", t.rule_errors.to_string()),
        ],
    };
    let width = rows
        .iter()
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("  {k}{}  {v:>9}\n", " ".repeat(width - display_width(k))))
        .collect()
}

/// Terminal width of text: CJK characters take two columns.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

pub fn outputs_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "输出文件：",
        Lang::En => "Written:",
    }
}

pub fn rule_errors_heading(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => {
            format!("规则运行时出错 {n} 次（这些行的结果为“未知”，详见 rule_errors.csv）：")
        }
        Lang::En => format!(
            "{n} rule error(s) while evaluating (those outcomes are unknown; see rule_errors.csv):"
        ),
    }
}

pub fn rule_pack_errors(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "规则包有错误，未运行任何规则：",
        Lang::En => "The rule pack has errors; no rule was run:",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_error_reads_in_both_languages() {
        let e = InputError {
            file: "persons.csv".into(),
            row: Some(3),
            column: Some("健康状况".into()),
            value: Some("6".into()),
            problem: Problem::WrongValue("one of 01 健康, 02 长期慢性病".into()),
        };
        assert_eq!(
            input_error(Lang::En, &e),
            "persons.csv row 3 column 健康状况 value `6`: expected one of 01 健康, 02 长期慢性病"
        );
        assert_eq!(
            input_error(Lang::Zh, &e),
            "persons.csv 第 3 行 列 健康状况 值 “6”: 应为以下之一：01 健康, 02 长期慢性病"
        );
    }
}
