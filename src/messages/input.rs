//! Input errors in words: what can be wrong with a register's file, row or cell (the
//! vocabulary the loader reports in, `register::errors` re-exports it), and how to say it.

use std::fmt::Write;

use serde::Serialize;

use super::Lang;

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Problem {
    /// The file cannot be opened or parsed at all.
    Unreadable(String),
    /// A row that cannot be split into the header's columns.
    Malformed(String),
    /// A required column is absent.
    MissingColumn,
    /// A required column is absent and the file has headers that name no column: the
    /// table, the column, and those headers, the closest to the column first.
    MissingColumnUnrecognised(Box<Unrecognised>),
    /// Two headers name the same canonical column (the other header given).
    DuplicateColumn(String),
    /// A value of the wrong type, or not one of the column's codes (what was expected).
    WrongValue(Expected),
    /// In a flat person-level file, a member's household column differs from the one given
    /// for the same household on an earlier row (that row, that value).
    HouseholdDisagrees(usize, String),
    /// A null `person_id`, `household_id`, `village_code` or `county_code`.
    NullKey,
    /// A null `registered` where that column exists.
    NullRegistered,
    /// A null `status` in a registered household.
    NullStatus,
    /// A key seen before in the same table (the row where first seen).
    DuplicateKey(usize),
    /// The same `person_id` twice in one household (the row where first seen).
    DuplicateMember(usize),
    /// A person whose household, a household whose village, or a village whose county is
    /// missing from the given table (that table's name).
    MissingParent(&'static str),
    /// A table the command needs is not in the register folder.
    MissingTable,
    /// A whole number stored by Excel with more digits than it keeps (an ID typed as a number).
    TooLongForExcel,
    /// A value in a sheet's column that has no header (the column is the cell's reference).
    OutsideTable,
    /// The table's name is taken by something that is not a readable file.
    NotAFile(NotAFile),
}

/// A required column missing from a file whose headers include some that name no column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unrecognised {
    pub table: &'static str,
    pub column: &'static str,
    /// The headers that name no column, the closest to the missing one first.
    pub headers: Vec<String>,
}

/// What stands where a table file should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NotAFile {
    Folder,
    /// A link to nothing, or a circle of links.
    BrokenLink,
    /// A pipe, a socket or a device.
    Special,
}

/// What a cell should have held.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// An ID as text (not a number Excel has rounded).
    Id,
    Text,
    /// A code of exactly this many digits.
    Digits(usize),
    /// 是/否, true/false or 1/0.
    YesNo,
    Number,
    Whole,
    WholeAtLeast(i64),
    WholeFromTo(i64, i64),
    /// A date from 1850 to 2100.
    Date,
    /// One of these codes, each with its label ("01 健康").
    OneOf(Vec<String>),
}

/// Written as its English words, as the field `detail` of a serialized problem.
impl Serialize for Expected {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&expected(Lang::En, self))
    }
}

/// One input error, as a line: file, row, column, value, and what was expected.
pub fn input_error(
    lang: Lang,
    file: &str,
    row: Option<usize>,
    column: Option<&str>,
    value: Option<&str>,
    problem: &Problem,
) -> String {
    let mut s = String::new();
    let _ = write!(s, "{file}");
    match (lang, row) {
        (Lang::Zh, Some(r)) => {
            let _ = write!(s, " 第 {r} 行");
        }
        (Lang::En, Some(r)) => {
            let _ = write!(s, " row {r}");
        }
        _ => {}
    }
    if let Some(c) = column {
        let _ = match lang {
            Lang::Zh => write!(s, " 列 {c}"),
            Lang::En => write!(s, " column {c}"),
        };
    }
    if let Some(v) = value {
        let _ = match lang {
            Lang::Zh => write!(s, " 值 “{v}”"),
            Lang::En => write!(s, " value `{v}`"),
        };
    }
    s.push_str(": ");
    s.push_str(&say_problem(lang, problem));
    s
}

fn say_problem(lang: Lang, p: &Problem) -> String {
    use Problem::*;
    match (lang, p) {
        (Lang::Zh, Unreadable(d)) => format!("无法读取文件：{}", super::os_error(Lang::Zh, d)),
        (Lang::En, Unreadable(d)) => format!("cannot read the file ({d})"),
        (Lang::Zh, Malformed(d)) => format!("格式错误的行（{d}）"),
        (Lang::En, Malformed(d)) => format!("malformed row ({d})"),
        (Lang::Zh, MissingColumn) => "缺少必需的列".into(),
        (Lang::En, MissingColumn) => "required column is missing".into(),
        (Lang::Zh, MissingColumnUnrecognised(u)) => format!(
            "缺少必需的列；文件中有未识别的表头：{}。若“{}”就是这一列，请新建一个对照表文件（如 对照.json，内容为 {{\"headers\": {{\"{}\": {{\"{}\": \"{}\"}}}}}}），运行时加 --aliases 对照.json",
            u.headers.join("、"),
            u.headers[0],
            u.table,
            u.column,
            u.headers[0]
        ),
        (Lang::En, MissingColumnUnrecognised(u)) => format!(
            "required column is missing; the file has headers that name no column: {}. If \"{}\" is this column, write an alias file (e.g. aliases.json containing {{\"headers\": {{\"{}\": {{\"{}\": \"{}\"}}}}}}) and pass --aliases aliases.json",
            u.headers.join(", "),
            u.headers[0],
            u.table,
            u.column,
            u.headers[0]
        ),
        (Lang::Zh, DuplicateColumn(other)) => format!("与列 {other} 表示同一字段"),
        (Lang::En, DuplicateColumn(other)) => format!("names the same field as column {other}"),
        (Lang::Zh, WrongValue(exp)) => format!("应为{}", expected(Lang::Zh, exp)),
        (Lang::En, WrongValue(exp)) => format!("expected {}", expected(Lang::En, exp)),
        (Lang::Zh, NullKey) => "键值为空；每一行都必须填写".into(),
        (Lang::En, NullKey) => "key is empty; every row must have one".into(),
        (Lang::Zh, NullRegistered) => "“建档立卡户”为空；应为 是 或 否".into(),
        (Lang::En, NullRegistered) => "`registered` is empty; expected 是/否 (true/false)".into(),
        (Lang::Zh, NullStatus) => "建档立卡户的“脱贫状态”为空；应为 02、03、04 或 05".into(),
        (Lang::En, NullStatus) => "`status` is empty in a registered household; expected 02, 03, 04 or 05".into(),
        (Lang::Zh, HouseholdDisagrees(first, v)) => {
            format!("同一户的成员在这一户级列上填写不一致：第 {first} 行填的是 “{v}”")
        }
        (Lang::En, HouseholdDisagrees(first, v)) => {
            format!("members of one household disagree on this household column: row {first} has `{v}`")
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
        (Lang::Zh, TooLongForExcel) => {
            "这是一个超过 15 位的数字，Excel 只保留 15 位有效数字，后几位已经丢失；请把该列设为文本格式后重新录入".into()
        }
        (Lang::En, TooLongForExcel) => "a number longer than the 15 digits Excel keeps, so its last digits are lost; format the column as text and enter it again".into(),
        (Lang::Zh, OutsideTable) => "此单元格在表格之外（它所在的列没有表头），无法读取；请删除它或为该列加上表头".into(),
        (Lang::En, OutsideTable) => {
            "this cell lies outside the table (its column has no header) and cannot be read; delete it or give the column a header".into()
        }
        (Lang::Zh, NotAFile(k)) => match k {
            self::NotAFile::Folder => "无法读取：这是一个文件夹，不是表格文件".into(),
            self::NotAFile::BrokenLink => "无法读取：这是一个无效的链接（指向不存在的文件，或链接成环）".into(),
            self::NotAFile::Special => "无法读取：这不是普通文件（是管道、套接字或设备）".into(),
        },
        (Lang::En, NotAFile(k)) => match k {
            self::NotAFile::Folder => "cannot read: it is a folder, not a table file".into(),
            self::NotAFile::BrokenLink => {
                "cannot read: it is a broken link (to a file that does not exist, or a circle of links)".into()
            }
            self::NotAFile::Special => {
                "cannot read: it is not a regular file (a pipe, a socket or a device)".into()
            }
        },
        (Lang::Zh, MissingTable) => "登记册中缺少此表".into(),
        (Lang::En, MissingTable) => "the register has no such table".into(),
    }
}

/// What a cell should have held, in words.
pub fn expected(lang: Lang, e: &Expected) -> String {
    use Expected::*;
    match (lang, e) {
        (Lang::Zh, Id) => {
            "以文本形式填写的编号（不能是 Excel 的科学计数法，如 4.33127E+17：请把该列设为文本格式）".into()
        }
        (Lang::En, Id) => {
            "an ID as text (not Excel's scientific notation such as 4.33127E+17: format the column as text)".into()
        }
        (Lang::Zh, Text) => "文本".into(),
        (Lang::En, Text) => "text".into(),
        (Lang::Zh, Digits(n)) => format!("{n} 位数字"),
        (Lang::En, Digits(n)) => format!("{n} digits"),
        (Lang::Zh, YesNo) => "是/否、true/false 或 1/0".into(),
        (Lang::En, YesNo) => "是/否, true/false or 1/0".into(),
        (Lang::Zh, Number) => "数字".into(),
        (Lang::En, Number) => "a number".into(),
        (Lang::Zh, Whole) => "整数".into(),
        (Lang::En, Whole) => "a whole number".into(),
        (Lang::Zh, WholeAtLeast(lo)) => format!("不小于 {lo} 的整数"),
        (Lang::En, WholeAtLeast(lo)) => format!("a whole number ≥ {lo}"),
        (Lang::Zh, WholeFromTo(lo, hi)) => format!("整数，范围 {lo} 至 {hi}"),
        (Lang::En, WholeFromTo(lo, hi)) => format!("a whole number from {lo} to {hi}"),
        (Lang::Zh, Date) => "1850-01-01 至 2100-12-31 之间的日期（YYYY-MM-DD）".into(),
        (Lang::En, Date) => "a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31".into(),
        (Lang::Zh, OneOf(items)) => format!("以下之一：{}", items.join(", ")),
        (Lang::En, OneOf(items)) => format!("one of {}", items.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_error_reads_in_both_languages() {
        let p = Problem::WrongValue(Expected::OneOf(vec!["01 健康".into(), "02 长期慢性病".into()]));
        let say = |lang| input_error(lang, "persons.csv", Some(3), Some("健康状况"), Some("6"), &p);
        assert_eq!(
            say(Lang::En),
            "persons.csv row 3 column 健康状况 value `6`: expected one of 01 健康, 02 长期慢性病"
        );
        assert_eq!(say(Lang::Zh), "persons.csv 第 3 行 列 健康状况 值 “6”: 应为以下之一：01 健康, 02 长期慢性病");
    }

    #[test]
    fn every_expectation_reads_in_both_languages() {
        use Expected::*;
        for (e, zh, en) in [
            (Digits(12), "12 位数字", "12 digits"),
            (WholeAtLeast(0), "不小于 0 的整数", "a whole number ≥ 0"),
            (WholeFromTo(1, 3), "整数，范围 1 至 3", "a whole number from 1 to 3"),
            (YesNo, "是/否、true/false 或 1/0", "是/否, true/false or 1/0"),
        ] {
            assert_eq!(expected(Lang::Zh, &e), zh);
            assert_eq!(expected(Lang::En, &e), en);
        }
        // Serialized (input_errors.json and the like) as the English words.
        let json = serde_json::to_string(&Problem::WrongValue(Digits(6))).unwrap();
        assert_eq!(json, r#"{"kind":"wrong_value","detail":"6 digits"}"#);
    }
}
