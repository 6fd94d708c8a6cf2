//! What a policy officer reads while writing a pack: codes and labels in scripts, years and
//! parameters over time, names suggested across languages, TOML and script syntax said in
//! Chinese with what to write instead.

use super::{Lang, Msg, msg};

pub fn not_a_code_or_label(field: &str, value: &str, codes: &[String]) -> Msg {
    msg(
        format!("`{field}` 是代码字段，“{value}” 既不是它的代码也不是它的标签；这样比较永远不成立"),
        format!("`{field}` is a code field and \"{value}\" is neither one of its codes nor one of its labels; the comparison could never hold"),
    )
    .hint(
        format!("`{field}` 的代码和标签：{}（写代码或标签均可，如 \"{}\"）", codes.join("、"), example(codes)),
        format!("the codes and labels of `{field}`: {} (write either, e.g. \"{}\")", codes.join(", "), example(codes)),
    )
}

pub fn code_compared_with_number(field: &str, n: &str, codes: &[String]) -> Msg {
    msg(
        format!("`{field}` 是代码字段，不能与数字 {n} 比较"),
        format!("`{field}` is a code field and cannot be compared with the number {n}"),
    )
    .hint(
        format!("代码是带引号的文字：`{field}` 的代码和标签：{}", codes.join("、")),
        format!("codes are quoted text; the codes and labels of `{field}`: {}", codes.join(", ")),
    )
}

/// An example literal: the first label, or the first code.
fn example(codes: &[String]) -> String {
    let first = codes.first().map(String::as_str).unwrap_or_default();
    first.split_once(' ').map_or(first, |(_, label)| label).to_string()
}

pub fn relabel_failed(e: &str) -> Msg {
    msg(
        format!("把标签换成代码后规则无法编译：{e}"),
        format!("the rule does not compile once labels are replaced by codes: {e}"),
    )
}

pub fn unguarded_parameter(name: &str, years: &str) -> Msg {
    msg(
        format!("参数 `{name}` 在 {years} 年没有数值，这些年度本规则的结果将是“未知”"),
        format!("the parameter `{name}` has no value in {years}; this rule is unknown in those years"),
    )
    .hint(
        "若这是有意的（标准自某年起才实行），请在规则中写明年度条件，如 `年度 >= 2021 且 …`；否则在 parameters.toml 中补上这些年度的数值",
        "if that is intended (a standard that starts in a given year), say so in the rule: `year >= 2021 and …`; otherwise give values for those years in parameters.toml",
    )
}

pub fn carried_forward(name: &str, set: i32, last: i32) -> Msg {
    msg(
        format!("参数 `{name}` 逐年设定，最后一个数值是 {set} 年的，将沿用到 {last} 年"),
        format!("the parameter `{name}` is set year by year; its last value, for {set}, is carried on to {last}"),
    )
    .hint(
        format!("为 {}–{last} 年补上数值，或写 {} = \"none\" 让它自该年起不再适用", set + 1, set + 1),
        format!("give values for {}–{last}, or write {} = \"none\" to end it from that year", set + 1, set + 1),
    )
}

/// The words of the dictionary (`tuopin fields`), on the terminal and in its workbook.
pub struct DictionaryWords {
    pub heading: &'static str,
    pub fields: &'static str,
    pub rules: &'static str,
    pub params: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub declared: &'static str,
    pub predicate: &'static str,
    pub value: &'static str,
    pub source: &'static str,
    pub alias: &'static str,
    pub colon: &'static str,
    pub unknown: &'static str,
    pub field_headers: [&'static str; 7],
    pub rule_headers: [&'static str; 7],
    pub param_headers: [&'static str; 8],
}

pub fn dictionary_words(lang: Lang) -> DictionaryWords {
    match lang {
        Lang::Zh => DictionaryWords {
            heading: "字段、规则和参数词典",
            fields: "字段",
            rules: "规则",
            params: "参数",
            required: "必填",
            optional: "可选",
            declared: "规则包新增",
            predicate: "判断",
            value: "数值",
            source: "来源",
            alias: "中文名",
            colon: "：",
            unknown: "本年度无数值（未知）",
            field_headers: ["层级", "表头（中文）", "字段名", "类型", "必填/可选", "代码和标签", "其他表头"],
            rule_headers: ["层级", "标题", "规则名", "中文名", "类型", "单位", "来源"],
            param_headers: ["层级", "标题", "参数名", "中文名", "数值", "单位", "起始年度", "来源"],
        },
        Lang::En => DictionaryWords {
            heading: "Dictionary of fields, rules and parameters",
            fields: "fields",
            rules: "rules",
            params: "parameters",
            required: "required",
            optional: "optional",
            declared: "declared by the pack",
            predicate: "predicate",
            value: "number",
            source: "source",
            alias: "Chinese name",
            colon: ": ",
            unknown: "no value this year (unknown)",
            field_headers: [
                "Level",
                "Header (Chinese)",
                "Field",
                "Type",
                "Required",
                "Codes and labels",
                "Other headers",
            ],
            rule_headers: ["Level", "Title", "Rule", "Chinese name", "Kind", "Unit", "Source"],
            param_headers: ["Level", "Title", "Parameter", "Chinese name", "Value", "Unit", "Since", "Source"],
        },
    }
}

/// A field type in words.
pub fn field_type(lang: Lang, ty: &str, digits: usize) -> String {
    match (lang, ty) {
        (Lang::Zh, "id") => "编号".into(),
        (Lang::Zh, "digits") => format!("{digits} 位数字代码"),
        (Lang::Zh, "text") => "文字".into(),
        (Lang::Zh, "code") => "代码".into(),
        (Lang::Zh, "yes_no") => "是/否".into(),
        (Lang::Zh, "number") => "数值".into(),
        (Lang::Zh, "whole") => "整数".into(),
        (Lang::Zh, _) => "日期".into(),
        (Lang::En, "digits") => format!("{digits}-digit code"),
        (Lang::En, "yes_no") => "yes/no".into(),
        (Lang::En, "whole") => "whole number".into(),
        (Lang::En, other) => other.into(),
    }
}

/// A level's section heading: `【农户】字段（31）`.
pub fn dictionary_section(lang: Lang, level: &str, what: &str, n: usize) -> String {
    match lang {
        Lang::Zh => format!("【{}】{what}（{n}）", super::level_zh(level)),
        Lang::En => format!("[{level}] {what} ({n})"),
    }
}

/// The first line: pack and year.
pub fn dictionary_title(lang: Lang, pack: &str, year: i32) -> String {
    match lang {
        Lang::Zh => format!("规则包：{pack} · {year} 年"),
        Lang::En => format!("Pack: {pack} · {year}"),
    }
}

pub fn dictionary_written(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Zh => format!("词典已写入 {path}"),
        Lang::En => format!("dictionary written to {path}"),
    }
}

pub fn unknown_level(lang: Lang, level: &str) -> String {
    match lang {
        Lang::Zh => format!("没有层级“{level}”：请写 人员、农户、村、县（或 person、household、village、county）"),
        Lang::En => format!("no level \"{level}\": write person, household, village or county (or 人员, 农户, 村, 县)"),
    }
}

pub fn aggregate_over_code(fname: &str, field: &str, over: &str, label: &str) -> Msg {
    let lz = super::level_zh(over);
    msg(
        format!("`{fname}(\"{field}\")` 汇总的是{lz}的代码字段 `{field}`，代码本身不是“是/否”，无法汇总"),
        format!("`{fname}(\"{field}\")` aggregates `{field}`, a code field of the {over} level; a code is not a yes/no and cannot be aggregated"),
    )
    .hint(
        format!("请先写一条{lz}规则，例如 {over}/has_condition.rhai：`{field} == \"{label}\"`，再在这里写 {fname}(\"has_condition\")"),
        format!("write a {over} rule first, e.g. {over}/has_condition.rhai: `{field} == \"{label}\"`, then write {fname}(\"has_condition\") here"),
    )
}

pub fn aggregate_not_a_name(fname: &str, over: &str) -> Msg {
    let lz = super::level_zh(over);
    let (file, cond) = match over {
        "person" => ("serious_illness", "健康状况 == \"患有大病\""),
        "household" => ("not_exited", "脱贫状态 == \"未脱贫\""),
        _ => ("poor", "贫困村"),
    };
    msg(
        format!("`{fname}` 需要一个带引号的{lz}规则或字段名，不能直接写条件"),
        format!("`{fname}` takes the quoted name of a {over} rule or field, not a condition"),
    )
    .hint(
        format!("请先把条件写成一条{lz}规则，例如 {over}/{file}.rhai：`{cond}`，再在这里写 {fname}(\"{file}\")"),
        format!("write the condition as a {over} rule first, e.g. {over}/{file}.rhai: `{cond}`, then write {fname}(\"{file}\") here"),
    )
}

pub fn lower_level_code(name: &str, other: &str, level: &str, (en, zh): (&str, &str), label: &str) -> Msg {
    let (oz, lz) = (super::level_zh(other), super::level_zh(level));
    msg(
        format!("`{name}` 是{oz}层的代码字段，在本{lz}规则之下"),
        format!("`{name}` is a code field of the {other} level, below this {level} rule"),
    )
    .hint(
        format!("请先写一条{oz}规则，例如 {other}/has_condition.rhai：`{name} == \"{label}\"`，再在这里写 {zh}(\"has_condition\")"),
        format!("write a {other} rule first, e.g. {other}/has_condition.rhai: `{name} == \"{label}\"`, then write {en}(\"has_condition\") here"),
    )
}
