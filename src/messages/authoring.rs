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

/// A TOML parse error in Chinese (and English), with what to write instead when the line
/// shows a mistake staff make: a thousands separator (`4,100`), full-width punctuation
/// (`，` `“”` `＝`), a year written with 年 (`2021年 = …`).
pub fn toml_problem(e: &str, line: &str) -> Msg {
    let first = e.lines().next().unwrap_or(e).trim();
    let thousands = thousands_in(line);
    let (zh, en, fix_zh, fix_en, fixed): (String, String, String, String, Option<String>) = if line.contains('，') {
        (
            "这一行用了全角逗号“，”".into(),
            "this line has a full-width comma “，”".into(),
            "TOML 里用半角逗号 , 分隔各项".into(),
            "separate items with an ASCII comma ,".into(),
            Some(line.trim().replace("， ", ", ").replace("，", ", ")),
        )
    } else if line.contains(['“', '”', '‘', '’']) {
        (
            "这一行用了中文引号".into(),
            "this line has Chinese quotation marks".into(),
            "文字要用半角双引号 \" 括起来".into(),
            "quote text with ASCII double quotes \"".into(),
            Some(line.trim().replace(['“', '”', '‘', '’'], "\"")),
        )
    } else if line.contains(['＝', '：', '｛', '｝', '［', '］']) {
        (
            "这一行用了全角符号".into(),
            "this line has full-width symbols".into(),
            "等号、冒号、括号都用半角：= : { } [ ]".into(),
            "write = : { } [ ] as ASCII characters".into(),
            Some(
                line.trim()
                    .replace('＝', "=")
                    .replace('：', ":")
                    .replace('｛', "{")
                    .replace('｝', "}")
                    .replace('［', "[")
                    .replace('］', "]"),
            ),
        )
    } else if let Some((with, without)) = thousands {
        (
            format!("数字 {with} 带了千位分隔符"),
            format!("the number {with} has a thousands separator"),
            format!("数字不能带千位分隔符：写 {without}，不写 {with}"),
            format!("write numbers without separators: {without}, not {with}"),
            Some(line.trim().replace(&with, &without)),
        )
    } else if let Some(y) = year_with_nian(line) {
        (
            format!("年度 {y}年 多了“年”字"),
            format!("the year {y}年 has the character 年"),
            format!("年度只写数字：写 {y} = …，不写 {y}年 = …"),
            format!("write the year as a number: {y} = …, not {y}年 = …"),
            Some(line.trim().replace(&format!("{y}年"), &y)),
        )
    } else {
        (format!("格式错误：{}", toml_words(first)), first.to_string(), String::new(), String::new(), None)
    };
    let m = msg(zh, en);
    match fixed {
        Some(f) => m.hint(format!("{fix_zh}；应写成：{f}"), format!("{fix_en}; write: {f}")),
        None if !fix_zh.is_empty() => m.hint(fix_zh, fix_en),
        None => m,
    }
}

/// A number written with thousands separators (`4,100` → `4100`), if the line has one.
fn thousands_in(line: &str) -> Option<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    for i in 0..chars.len() {
        if chars[i] != ',' || i == 0 || !chars[i - 1].is_ascii_digit() {
            continue;
        }
        let after: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
        if after.len() != 3 {
            continue;
        }
        let mut start = i;
        while start > 0 && (chars[start - 1].is_ascii_digit() || chars[start - 1] == ',') {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (chars[end] == ',' && chars.get(end + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            end += 1;
        }
        // `2014 = 2736, 2020` is a list, not a separator: the part before the comma would
        // itself have to be 1–3 digits after a space, `=` or `{`.
        let with: String = chars[start..end].iter().collect();
        let head = with.split(',').next().unwrap_or_default();
        if head.len() > 3 || with.split(',').skip(1).any(|g| g.len() != 3) {
            continue;
        }
        return Some((with.clone(), with.replace(',', "")));
    }
    None
}

/// A four-digit year followed by 年 (`2021年`), if the line has one.
fn year_with_nian(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    (4..chars.len()).find_map(|i| {
        let y: String = chars[i - 4..i].iter().collect();
        (chars[i] == '年' && y.chars().all(|c| c.is_ascii_digit()) && (i == 4 || !chars[i - 5].is_ascii_digit()))
            .then_some(y)
    })
}

/// The TOML parser's usual messages in Chinese.
fn toml_words(e: &str) -> String {
    const KNOWN: [(&str, &str); 10] = [
        ("invalid literal string", "无效的文字（文字要用半角双引号括起来）"),
        ("string values must be quoted", "文字要用半角双引号括起来"),
        ("extra assignment between key-value pairs", "两项之间缺少逗号"),
        ("invalid unquoted key", "无效的名称（只能用字母、数字、- 和 _，中文名称要加引号）"),
        ("missing key for inline table element", "花括号 { } 没有闭合"),
        ("duplicate key", "名称重复"),
        ("unknown field", "未知的项"),
        ("missing field", "缺少必需的项"),
        ("invalid type", "类型不对"),
        ("expected newline", "一行只能写一项"),
    ];
    match KNOWN.iter().find(|(en, _)| e.starts_with(en)) {
        // The Chinese already says what a name may hold.
        Some((en, zh)) if en.starts_with("invalid unquoted key") => zh.to_string(),
        Some((en, zh)) => format!(
            "{zh}（{}）",
            e.trim_start_matches(en).trim_start_matches([',', ':', ' ']).trim().to_string().replace("expected", "应为")
        )
        .replace("（）", ""),
        None => e.to_string(),
    }
}

/// A rule script that does not parse, in Chinese: `english` is Rhai's message, `word` what
/// stands at the position it points to. A word staff write for 且/或/非 (`并且`, `&&`, `AND`,
/// `或者`, `!`) or a full-width symbol (`＞`, `≥`, `（`) gets what to write instead.
pub fn script_syntax(english: &str, word: &str) -> Msg {
    const AND: [&str; 9] = ["并且", "而且", "并", "与", "和", "同时", "AND", "And", "&&"];
    const OR: [&str; 5] = ["或者", "或是", "OR", "Or", "||"];
    const NOT: [&str; 5] = ["不", "不是", "NOT", "Not", "!"];
    const SYMBOLS: [(char, &str); 12] = [
        ('＞', ">"),
        ('＜', "<"),
        ('＝', "="),
        ('≥', ">="),
        ('≤', "<="),
        ('≠', "!="),
        ('（', "("),
        ('）', ")"),
        ('，', ","),
        ('“', "\""),
        ('”', "\""),
        ('！', "!="),
    ];
    let word = if word.starts_with('!') { "!" } else { word };
    let logic = |zh: &str, en: &str| {
        msg(
            format!("“{word}” 不是规则语言的词"),
            format!("`{word}` is not a word of the rule language"),
        )
        .hint(
            format!("请写 {zh}：规则语言的逻辑词是 且（and）、或（or）、非(…)（not(…)），数据缺失时它们得出“未知”"),
            format!("write {en}: the rule language's logic words are and (且), or (或), not(…) (非(…)), which give 未知 when a value is missing"),
        )
    };
    let first = word.chars().next();
    if AND.contains(&word) || english.contains("'&&'") {
        return logic("且", "and");
    }
    if OR.contains(&word) || english.contains("'||'") {
        return logic("或", "or");
    }
    if NOT.contains(&word) || word.starts_with('!') || english.contains("'!'") {
        return logic("非(…)", "not(…)");
    }
    if let Some((c, ascii)) = first.and_then(|f| SYMBOLS.iter().find(|(c, _)| *c == f)) {
        return msg(format!("“{c}” 是全角符号"), format!("“{c}” is a full-width symbol"))
            .hint(format!("请写半角的 {ascii}"), format!("write the ASCII {ascii}"));
    }
    let (zh, en, hint_zh, hint_en) = if english.starts_with("Expecting ';' to terminate this statement") {
        (
            format!("这里多了一个词“{word}”，或者它前面少了运算符"),
            format!("`{word}` here is a word too many, or an operator is missing before it"),
            "两个条件之间要写 且、或，比较要写 >=、<、== 等",
            "join conditions with and/or; compare with >=, <, == …",
        )
    } else if english.starts_with("Script is incomplete") {
        (
            "规则没有写完：表达式在这里中断了".to_string(),
            "the rule stops here before its expression is complete".to_string(),
            "检查最后一行是否缺少数值或右括号",
            "check the last line for a missing value or closing bracket",
        )
    } else if english.starts_with("Expecting ')'") {
        (
            "括号没有配对：缺少右括号 )".to_string(),
            "a bracket is not closed: ) is missing".to_string(),
            "每个 ( 都要有对应的 )",
            "every ( needs its )",
        )
    } else if english.starts_with("Open string is not terminated") {
        (
            "引号没有配对：文字缺少结尾的 \"".to_string(),
            "a quotation is not closed: the text has no closing \"".to_string(),
            "文字用半角双引号括起来，如 \"患有大病\"",
            "quote text with ASCII double quotes, e.g. \"患有大病\"",
        )
    } else if let Some(op) = english.strip_prefix("Unknown operator: ") {
        (
            format!("未知的运算符 {op}"),
            format!("unknown operator {op}"),
            "比较用 >=、>、<=、<、==、!=，逻辑用 且、或、非(…)",
            "compare with >=, >, <=, <, ==, !=; combine with and, or, not(…)",
        )
    } else if let Some(c) = english.strip_prefix("Unexpected ") {
        (
            format!("无法识别的字符 {c}"),
            format!("unexpected character {c}"),
            "规则中的符号都用半角",
            "write symbols as ASCII characters",
        )
    } else {
        (
            format!("语法错误：{english}"),
            format!("syntax error: {english}"),
            "请检查这一行的括号、引号和运算符",
            "check the brackets, quotes and operators on this line",
        )
    };
    msg(zh, en).hint(hint_zh, hint_en)
}

pub fn builtin_demo(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "内置演示数据",
        Lang::En => "the built-in demo register",
    }
}

pub fn builtin_pack(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "内置湖南规则包",
        Lang::En => "the built-in Hunan pack",
    }
}

pub fn builtin_quality(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "内置数据质量规则包",
        Lang::En => "the built-in data-quality pack",
    }
}

/// `init` refuses a folder with files in it (both languages: it is a usage error).
pub fn init_not_empty(lang: Lang, dir: &std::path::Path) -> String {
    match lang {
        Lang::Zh => format!("{} 已存在且不是空文件夹，未写入任何文件；请换一个新文件夹名", dir.display()),
        Lang::En => format!("{} exists and is not empty; nothing was written: give a new folder", dir.display()),
    }
}

pub fn init_written(lang: Lang, dir: &str, files: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "已把湖南规则包（{files} 个文件，含测试案例）写到 {dir}\n下一步：tuopin fields --rules {dir} 查看字段和参数；修改后运行 tuopin test --rules {dir} 和 tuopin lint --rules {dir}"
        ),
        Lang::En => format!(
            "wrote the Hunan pack ({files} files, with its test cases) to {dir}\nnext: tuopin fields --rules {dir} lists its fields and parameters; after editing, run tuopin test --rules {dir} and tuopin lint --rules {dir}"
        ),
    }
}

/// A built-in pack by its name, marked as built in.
pub fn builtin_named(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("{name}（{}）", builtin_pack(lang)),
        Lang::En => format!("{name} ({})", builtin_pack(lang)),
    }
}

pub fn field_table_unknown(table: &str) -> Msg {
    msg(
        format!("fields.toml 中的 `{table}` 不是登记数据的表"),
        format!("`{table}` in fields.toml is not a table of the register"),
    )
    .hint(
        "写 [persons.字段名]、[households.字段名]、[villages.字段名] 或 [counties.字段名]",
        "write [persons.NAME], [households.NAME], [villages.NAME] or [counties.NAME]",
    )
}

pub fn field_name_invalid(name: &str) -> Msg {
    msg(
        format!("字段名 `{name}` 只能用小写英文字母、数字和下划线，并以字母开头"),
        format!("the field name `{name}` may use only lower-case letters, digits and _, starting with a letter"),
    )
    .hint(
        "中文名写在 title（和 headers）中，规则里中英文名都可以用",
        "put the Chinese name in `title` (and `headers`); rules may use either name",
    )
}

pub fn field_redefined(name: &str, level: &str) -> Msg {
    msg(
        format!("`{name}` 已是{}层的内置字段，规则包不能重新定义它", super::level_zh(level)),
        format!("`{name}` is a built-in field of the {level} level; a pack may not redefine it"),
    )
    .hint(
        "换一个字段名；内置字段可以直接在规则中使用",
        "choose another name; built-in fields can be used in rules as they are",
    )
}

pub fn field_header_taken(name: &str, header: &str, column: &str) -> Msg {
    msg(
        format!("字段 `{name}` 的表头“{header}”已经表示字段 `{column}`"),
        format!("the header \"{header}\" of `{name}` already names the field `{column}`"),
    )
    .hint("每个表头只能对应一个字段：换一个表头", "a header names one field: choose another header")
}

pub fn field_codes_missing(name: &str) -> Msg {
    msg(format!("代码字段 `{name}` 没有列出代码"), format!("the code field `{name}` lists no codes"))
        .hint("写 codes = { \"01\" = \"有\", \"02\" = \"无\" }", "write codes = { \"01\" = \"有\", \"02\" = \"无\" }")
}

pub fn field_codes_not_code(name: &str) -> Msg {
    msg(format!("字段 `{name}` 不是代码字段，却写了 codes"), format!("`{name}` is not a code field but lists codes"))
        .hint("写 type = \"code\"，或删去 codes", "write type = \"code\", or remove `codes`")
}

pub fn field_type_unknown(name: &str, ty: &str) -> Msg {
    msg(format!("字段 `{name}` 的类型 “{ty}” 未知"), format!("`{name}`: unknown type \"{ty}\"")).hint(
        "类型为 number（数值）、whole（整数）、text（文字）、code（代码）、bool（是否）、date（日期）",
        "the types are number, whole, text, code, bool, date",
    )
}

pub fn field_named_like_rule(field: &str, rule: &str) -> Msg {
    msg(
        format!("规则 {rule} 与 fields.toml 声明的字段 `{field}` 同名，规则会遮住字段"),
        format!(
            "rule {rule} has the name of the field `{field}` declared in fields.toml; the rule would hide the field"
        ),
    )
    .hint("给规则或字段换一个名字", "rename the rule or the field")
}

/// Which pack, year and register a run used (the first line of `validate` and `sample`).
pub fn ran_with(lang: Lang, pack: &str, year: i32, data: &str) -> String {
    match lang {
        Lang::Zh => format!("规则包 {pack} · {year} 年 · 登记数据 {data}"),
        Lang::En => format!("pack {pack} · {year} · register {data}"),
    }
}

/// Which packs, years and register a `diff` compared (its first line).
pub fn diff_ran_with(lang: Lang, base: &str, base_year: i32, new: &str, year: i32, data: &str) -> String {
    match lang {
        Lang::Zh => format!("原规则包 {base}（{base_year} 年）→ 新规则包 {new}（{year} 年）· 登记数据 {data}"),
        Lang::En => format!("base pack {base} ({base_year}) → new pack {new} ({year}) · register {data}"),
    }
}

/// Which pack `test` and `lint` looked at (on stderr, beside their results).
pub fn pack_used(lang: Lang, pack: &str) -> String {
    match lang {
        Lang::Zh => format!("规则包 {pack}"),
        Lang::En => format!("pack {pack}"),
    }
}
