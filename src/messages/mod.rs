//! Every text a user reads, in Chinese (the default) and English (`--lang en`).
//!
//! Kept together so that a reviewer can read and translate all of them at once. The rest of
//! the code builds structured values (a [`input::Problem`], a summary count) and asks this
//! module to say them. It imports nothing of the library: every function takes plain values
//! or one of the few vocabularies defined here (what can be wrong with an input cell, what
//! a cell was expected to hold, the constructs the compiled path leaves to the row path,
//! what can go wrong when a rule runs on a row, what a data-quality finding says).

pub mod authoring;
pub mod book;
pub mod cli;
pub mod input;
pub mod quality;
pub mod report;
pub mod row;
pub mod studio;

pub use input::input_error;

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

/// An operating-system error as the file system said it (`No such file or directory (os
/// error 2)`), in the user's language: in Chinese by its error number, with the English
/// kept for the few numbers not known here.
pub fn os_error(lang: Lang, detail: &str) -> String {
    if lang == Lang::En {
        return detail.to_string();
    }
    let code =
        detail.rsplit_once("(os error ").and_then(|(_, rest)| rest.trim_end_matches(')').trim().parse::<i32>().ok());
    let zh = match code {
        Some(2) => "文件或文件夹不存在",
        Some(13 | 1) => "没有权限读写",
        Some(17) => "已经存在",
        Some(20) => "路径中有一部分不是文件夹",
        Some(21) => "这是一个文件夹，不是文件",
        Some(28) => "磁盘空间不足",
        Some(30) => "磁盘是只读的",
        Some(36) => "文件名太长",
        Some(39) => "文件夹不是空的",
        _ if detail.contains("stream did not contain valid UTF-8") => "内容不是 UTF-8 编码的文本",
        Some(_) => return format!("系统错误：{detail}"),
        // What the readers themselves say about a file (not an OS error).
        None => return reader_problem(detail),
    };
    zh.to_string()
}

/// A reader's own words about a file that cannot be read, in Chinese where known (the
/// parsers' other messages are kept as they are).
fn reader_problem(detail: &str) -> String {
    let between = |a: &str, b: &str| detail.strip_prefix(a).and_then(|r| r.strip_suffix(b)).map(str::to_string);
    if detail == "the file has no header row" {
        "文件没有表头行".into()
    } else if detail == "the workbook has no sheet" {
        "工作簿中没有工作表".into()
    } else if let Some(sheet) = between("sheet `", "` is empty") {
        format!("工作表“{sheet}”是空的")
    } else if let Some(rows) = between("row ", " in the file") {
        format!(
            "文件内部顺序错乱（第 {} 行之后），请用 Excel 打开后另存一份再试",
            rows.replace(" comes after row ", " 行排在第 ")
        )
    } else if detail == "bytes that are not GB18030" {
        "含有既不是 UTF-8 也不是 GBK/GB18030 编码的字节；请在 Excel 中另存为“CSV UTF-8”".into()
    } else {
        detail.to_string()
    }
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

/// The line after a list cut at the cap when no file holds the rest.
pub fn more_errors_unlisted(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("……另有 {n} 处错误未列出；运行 tuopin check 可把完整清单写入输出文件夹的 input_errors.csv"),
        Lang::En => {
            format!("… and {n} more; tuopin check writes the full list to input_errors.csv in its output folder")
        }
    }
}

/// Why a command other than `check` stopped on input errors, and what to do.
pub fn stopped_before_evaluating(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "没有运行任何规则。请更正以上错误后再运行。",
        Lang::En => "No rule was run. Correct the errors above and run again.",
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

/// What `check` prints when it is done: the run, then per level its rows and the counts of
/// its headline verdicts (是, 否, 未知), then the rule errors.
#[derive(Debug, Clone, Default)]
pub struct CheckTotals {
    pub year: i32,
    pub pack: String,
    pub data: String,
    pub levels: Vec<LevelTotals>,
    pub rule_errors: usize,
}

/// A level in the totals: `household`, `village` or `county`, its rows, how many of them the
/// verdicts apply to (poor villages, poor counties) when known, and its lines.
#[derive(Debug, Clone, Default)]
pub struct LevelTotals {
    pub level: &'static str,
    pub rows: usize,
    pub poor: Option<usize>,
    pub lines: Vec<TotalLine>,
}

/// A verdict's counts: its title, 是, 否, 未知.
#[derive(Debug, Clone, Default)]
pub struct TotalLine {
    pub title: String,
    pub yes: u64,
    pub no: u64,
    pub unknown: u64,
}

pub fn check_totals(lang: Lang, t: &CheckTotals) -> String {
    use book::thousands;
    let mut out = match lang {
        Lang::Zh => format!("{} · {} 年 · 登记数据 {}\n", t.pack, t.year, t.data),
        Lang::En => format!("{} · {} · register {}\n", t.pack, t.year, t.data),
    };
    let width = t.levels.iter().flat_map(|l| &l.lines).map(|l| display_width(&l.title)).max().unwrap_or(0);
    let n = |v: u64| thousands(v);
    for l in &t.levels {
        let rows = thousands(l.rows as u64);
        let head = match (lang, l.level, l.poor) {
            (Lang::Zh, "household", _) => format!("农户 {rows} 户"),
            (Lang::Zh, "village", Some(p)) => {
                format!("村 {rows} 个（贫困村 {} 个，非贫困村不参与退出）", thousands(p as u64))
            }
            (Lang::Zh, "village", None) => format!("村 {rows} 个"),
            (Lang::Zh, "county", Some(p)) => format!("县 {rows} 个（贫困县 {} 个）", thousands(p as u64)),
            (Lang::Zh, _, _) => format!("县 {rows} 个"),
            (Lang::En, "household", _) => format!("{rows} households"),
            (Lang::En, "village", Some(p)) => {
                format!("{rows} villages ({} poor; non-poor villages have no exit to make)", thousands(p as u64))
            }
            (Lang::En, "village", None) => format!("{rows} villages"),
            (Lang::En, "county", Some(p)) => format!("{rows} counties ({} poor)", thousands(p as u64)),
            (Lang::En, _, _) => format!("{rows} counties"),
        };
        out.push_str(&head);
        out.push('\n');
        for line in &l.lines {
            let pad = " ".repeat(width - display_width(&line.title));
            out.push_str(&match lang {
                Lang::Zh => format!(
                    "  {}{pad}  是 {:>7}  否 {:>7}  未知 {:>6}\n",
                    line.title,
                    n(line.yes),
                    n(line.no),
                    n(line.unknown)
                ),
                Lang::En => format!(
                    "  {}{pad}  yes {:>7}  no {:>7}  unknown {:>6}\n",
                    line.title,
                    n(line.yes),
                    n(line.no),
                    n(line.unknown)
                ),
            });
        }
    }
    out.push_str(&match lang {
        Lang::Zh => format!("规则运行错误 {}\n", t.rule_errors),
        Lang::En => format!("rule errors {}\n", t.rule_errors),
    });
    out
}

/// Terminal width of text: CJK characters take two columns.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
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
        Lang::En => format!("{n} rule error(s) while evaluating (those outcomes are unknown; see rule_errors.csv):"),
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
    fn the_gen_summary_reads_in_both_languages() {
        assert_eq!(
            gen_summary(Lang::Zh, 2000, 6352, Some(34), 2, 0, 0.44),
            "生成 2000 户、6352 人、34 个村、2 个县，植入数据错误 0 处，用时 0.4 秒"
        );
        assert_eq!(
            gen_summary(Lang::En, 10, 26, None, 1, 3, 1.06),
            "10 households, 26 persons, 1 counties (one folder each), 3 faults in 1.1 s"
        );
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A diagnostic's message and its hint.
pub struct Msg {
    pub message: Text,
    pub hint: Option<Text>,
}

fn msg(zh: String, en: String) -> Msg {
    Msg { message: Text::new(zh, en), hint: None }
}

impl Msg {
    fn hint(mut self, zh: impl Into<String>, en: impl Into<String>) -> Msg {
        self.hint = Some(Text::new(zh, en));
        self
    }

    /// Add the names closest to a misspelt one to the hint.
    pub fn near(self, near: &[String]) -> Msg {
        if near.is_empty() {
            return self;
        }
        let (zh, en) = (format!("是不是 {}？", near.join(" 或 ")), format!("did you mean {}?", near.join(" or ")));
        match self.hint.clone() {
            Some(h) => self.hint(format!("{zh}{}", h.zh), format!("{en} {}", h.en)),
            None => self.hint(zh, en),
        }
    }
}

fn level_zh(level: &str) -> &'static str {
    match level {
        "person" => "人员",
        "household" => "农户",
        "village" => "村",
        _ => "县",
    }
}

/// Load-time diagnostics of rule packs, and `lint` warnings.
pub mod pack {
    use super::{Lang, Msg, level_zh, msg};

    pub fn manifest_unreadable(e: &str) -> Msg {
        msg(format!("无法读取规则包清单：{}", super::os_error(Lang::Zh, e)), format!("cannot read the pack manifest: {e}")).hint(
            "规则包是一个文件夹：pack.toml、parameters.toml，以及 person/、household/、village/、county/ 下的 .rhai 规则文件",
            "a rule pack is a folder with pack.toml, parameters.toml and person/, household/, village/, county/ folders of .rhai files",
        )
    }

    /// A TOML file that does not parse: `e` is the parser's message, `line` the text of the
    /// line it points at (said in Chinese with what to write instead).
    pub fn toml_error(e: &str, line: &str) -> Msg {
        super::authoring::toml_problem(e, line)
    }

    pub fn params_unreadable(e: &str) -> Msg {
        msg(format!("无法读取参数文件：{}", super::os_error(Lang::Zh, e)), format!("cannot read the parameters: {e}"))
    }

    pub fn params_toml_error(e: &str, line: &str) -> Msg {
        let m = toml_error(e, line);
        if m.hint.is_some() {
            return m;
        }
        m.hint(
            "每个参数是一个表：title、source、values = { 年度 = 数值, … }，可选 alias 和 unit",
            "each parameter is a table with title, source, values = { YEAR = VALUE, … } and optionally alias and unit",
        )
    }

    pub fn not_a_year(name: &str, y: &str) -> Msg {
        msg(format!("参数 `{name}` 的 values 中 `{y}` 不是年度"), format!("`{name}`: `{y}` in `values` is not a year"))
            .hint("写成 { 2019 = 3400, 2020 = 4000 }", "write values as { 2019 = 3400, 2020 = 4000 }")
    }

    pub fn source_without_value(name: &str, y: &str) -> Msg {
        msg(
            format!("参数 `{name}` 的 sources 中 `{y}` 不是 values 中的年度"),
            format!("`{name}`: `{y}` in `sources` is not a year of `values`"),
        )
        .hint("sources 只为 values 中已有的年度注明来源", "give sources only for years that have a value")
    }

    pub fn no_values(name: &str) -> Msg {
        msg(format!("参数 `{name}` 没有任何数值"), format!("`{name}` has no values"))
    }

    pub fn rule_unreadable(e: &str) -> Msg {
        msg(format!("无法读取规则文件：{}", super::os_error(Lang::Zh, e)), format!("cannot read: {e}"))
    }

    pub fn id_mismatch(id: &str, expected: &str) -> Msg {
        msg(
            format!("文件头写的编号是 `{id}`，但按文件位置应为 `{expected}`"),
            format!("the header says id `{id}`, but the file's place makes it `{expected}`"),
        )
        .hint(
            "规则编号由层级文件夹和文件名决定：请改文件名或改编号",
            "a rule's id is its level folder and file name: rename the file or correct the id",
        )
    }

    pub fn no_id(expected: &str) -> Msg {
        msg("规则没有 `// id:` 文件头".into(), "the rule has no `// id:` header line".into()).hint(
            format!("文件开头写 `// id: {expected}`、`// 标题: …`、`// 来源: …`"),
            format!("start the file with `// id: {expected}`, `// 标题: …`, `// 来源: …`"),
        )
    }

    pub fn unknown_kind(kind: &str) -> Msg {
        msg(format!("未知的规则类型 `{kind}`"), format!("unknown rule kind `{kind}`")).hint(
            "写 `// 类型: 判断`（是/否/未知）或 `// 类型: 数值`（一个数）",
            "write `// 类型: 判断` (a yes/no/unknown verdict) or `// 类型: 数值` (a number)",
        )
    }

    pub fn no_rules() -> Msg {
        msg(
            "规则包中没有规则（person/、household/、village/、county/ 下的 .rhai 文件）".into(),
            "the pack has no rules (.rhai files under person/, household/, village/, county/)".into(),
        )
    }

    pub fn defines_function(id: &str) -> Msg {
        msg(format!("规则 `{id}` 定义了函数"), format!("rule `{id}` defines a function")).hint(
            "一条规则就是一个表达式（可以有 let 行）；共用的逻辑写成单独的规则，按名称引用",
            "a rule is one expression (with `let` lines if it helps); put shared logic in its own rule and read it by name",
        )
    }

    pub fn reads_itself(id: &str) -> Msg {
        msg(format!("规则 `{id}` 引用了自己"), format!("rule `{id}` reads itself"))
            .hint("规则不能依赖自己的结果", "a rule cannot depend on its own result")
    }

    pub fn aggregate_not_below(fname: &str, over: &str, level: &str) -> Msg {
        msg(
            format!("`{fname}` 读取{}层的行，不在{}规则的下级", level_zh(over), level_zh(level)),
            format!("`{fname}` reads {over} rows, which are not below a {level} rule"),
        )
        .hint(
            format!("{}规则只能汇总下级层级", level_zh(level)),
            format!("a {level} rule can aggregate only levels below it"),
        )
    }

    pub fn aggregate_arg_unknown(arg: &str, over: &str, fname: &str) -> Msg {
        msg(
            format!("`{arg}` 不是{}层的规则或字段", level_zh(over)),
            format!("`{arg}` is neither a rule nor a field of the {over} level"),
        )
        .hint(
            format!("`{fname}` 按带引号的名称读取{}层的规则或字段", level_zh(over)),
            format!("`{fname}` reads a {over} rule or field by its quoted name"),
        )
    }

    pub fn aggregate_args(fname: &str) -> Msg {
        msg(format!("`{fname}` 需要一个带引号的规则或字段名"), format!("`{fname}` takes one quoted rule or field name"))
            .hint(format!("例如 {fname}(\"education_assured\")"), format!("for example {fname}(\"education_assured\")"))
    }

    pub fn no_parameter(name: &str, names: &str) -> Msg {
        msg(format!("parameters.toml 中没有参数 `{name}`"), format!("no parameter `{name}` in parameters.toml"))
            .hint(format!("已有参数：{names}"), format!("parameters: {names}"))
    }

    pub fn parameter_args(fname: &str) -> Msg {
        msg(format!("`{fname}` 需要一个带引号的参数名"), format!("`{fname}` takes one quoted parameter name"))
            .hint("例如 param(\"poverty_line\")", "for example param(\"poverty_line\")")
    }

    pub fn higher_level(name: &str, other: &str, level: &str) -> Msg {
        msg(
            format!("`{name}` 属于{}层，在本{}规则之上", level_zh(other), level_zh(level)),
            format!("`{name}` belongs to the {other} level, above this {level} rule"),
        )
        .hint(
            "规则只能读取本层，并通过汇总函数读取下级",
            "a rule may read only its own level and, through aggregations, the levels below",
        )
    }

    pub fn lower_level(name: &str, other: &str, level: &str, agg: &str) -> Msg {
        msg(
            format!("`{name}` 属于{}层，在本{}规则之下", level_zh(other), level_zh(level)),
            format!("`{name}` belongs to the {other} level, below this {level} rule"),
        )
        .hint(
            format!("请通过汇总函数读取，例如 {agg}(\"{name}\")"),
            format!("read it through an aggregation, e.g. {agg}(\"{name}\")"),
        )
    }

    pub fn is_parameter(name: &str) -> Msg {
        msg(format!("`{name}` 是参数"), format!("`{name}` is a parameter"))
            .hint(format!("请写 param(\"{name}\")"), format!("write param(\"{name}\")"))
    }

    pub fn unknown_name(name: &str, level: &str, near: &[String]) -> Msg {
        let m = msg(
            format!("未知的名称 `{name}`：不是{}层的字段、规则或参数", level_zh(level)),
            format!("unknown name `{name}`: not a field, rule or parameter of the {level} level"),
        );
        if near.is_empty() {
            m.hint(
                format!("运行 tuopin fields --level {level} 可列出本层的字段、规则和参数（中文名和英文名都可以用）"),
                format!("tuopin fields --level {level} lists the fields, rules and parameters of this level (Chinese or English names both work)"),
            )
        } else {
            m.hint(format!("是不是 {}？", near.join(" 或 ")), format!("did you mean {}?", near.join(" or ")))
        }
    }

    pub fn cycle(ids: &str) -> Msg {
        msg(format!("规则互相依赖形成循环：{ids}"), format!("rules depend on each other in a circle: {ids}"))
            .hint("打破循环：其中一条规则不能读取下一条", "break the circle: one of these rules must not read the next")
    }

    pub fn aggregate_kind(call: &str, wants_predicate: bool, target: &str, target_is_predicate: bool) -> Msg {
        let kind_zh = |p: bool| if p { "判断" } else { "数值" };
        let kind_en = |p: bool| {
            if p { "predicate (是/否)" } else { "value (number)" }
        };
        msg(
            format!(
                "`{call}` 需要{}规则，但 `{target}` 是{}规则",
                kind_zh(wants_predicate),
                kind_zh(target_is_predicate)
            ),
            format!(
                "`{call}` needs a {} rule, but `{target}` is a {}",
                kind_en(wants_predicate),
                if target_is_predicate { "predicate" } else { "value" }
            ),
        )
    }

    pub fn not_a_file() -> Msg {
        msg(
            "不是普通文件（是文件夹、设备或无效的链接）".to_string(),
            "not a regular file (a folder, a device or a broken link)".to_string(),
        )
    }

    pub fn too_large(size: u64, max: u64) -> Msg {
        msg(
            format!("文件有 {size} 字节，超过规则包文件的上限 {max} 字节"),
            format!("the file has {size} bytes, over the limit of {max} bytes for a file of a rule pack"),
        )
        .hint(
            "一条规则通常只有几行；请把很长的规则拆成几条互相引用的规则",
            "a rule is usually a few lines; split a very long rule into rules that read each other",
        )
    }

    pub fn too_many_lets(max: usize) -> Msg {
        msg(
            format!("一条规则最多用 let 定义 {max} 个名称，这里是第 {} 个", max + 1),
            format!("a rule may define at most {max} names with `let`; this is name {}", max + 1),
        )
        .hint(
            "把中间结果写成单独的规则，再在这条规则里引用它们",
            "write intermediate results as rules of their own and read them here",
        )
    }

    pub fn years_shape(n: usize) -> Msg {
        msg(
            format!("years 应恰好写两个年度（第一年和最后一年），这里写了 {n} 个"),
            format!("`years` takes exactly two years (the first and the last), found {n}"),
        )
        .hint("写成 years = [2014, 2020]", "write years = [2014, 2020]")
    }

    pub fn year_implausible(y: i64, lo: i64, hi: i64) -> Msg {
        msg(
            format!("{y} 不是可用的年度（应在 {lo} 至 {hi} 之间）"),
            format!("{y} is not a usable year (expected {lo} to {hi})"),
        )
    }

    pub fn years_reversed(first: i64, last: i64) -> Msg {
        msg(
            format!("years 的第一年 {first} 晚于最后一年 {last}"),
            format!("the first year {first} of `years` is after the last {last}"),
        )
        .hint(format!("写成 years = [{last}, {first}]"), format!("write years = [{last}, {first}]"))
    }

    pub fn manifest_level_unknown(section: &str, level: &str) -> Msg {
        msg(format!("[{section}] 中的 `{level}` 不是层级"), format!("`{level}` in [{section}] is not a level"))
            .hint("层级为 person、household、village、county", "the levels are person, household, village, county")
    }

    pub fn manifest_rule_unknown(section: &str, level: &str, rule: &str, names: &[String]) -> Msg {
        msg(
            format!("[{section}] 中的 {}层级没有规则 `{rule}`", level_zh(level)),
            format!("[{section}]: the {level} level has no rule `{rule}`"),
        )
        .hint(format!("该层级的规则：{}", names.join("、")), format!("its rules: {}", names.join(", ")))
    }

    pub fn manifest_rule_not_verdict(section: &str, id: &str) -> Msg {
        let what = if section == "main" { ("主要结论", "main verdict") } else { ("风险标记", "risk flag") };
        msg(
            format!("[{section}] 中的 {id} 是数值规则，不能作为{}（应为“判断”规则：是/否/未知）", what.0),
            format!(
                "[{section}]: {id} is a number rule and cannot be a {} (it must be a predicate: yes/no/unknown)",
                what.1
            ),
        )
    }

    pub fn parameter_word(name: &str, year: i32, w: &str) -> Msg {
        msg(
            format!("参数 `{name}` 的 {year} 年数值 “{w}” 不是数字"),
            format!("parameter `{name}`: the value \"{w}\" for {year} is not a number"),
        )
        .hint(
            "写一个数字，如 4000；要让参数自这一年起不再适用，写 \"none\"（或 \"无\"）",
            "write a number such as 4000; to end the parameter from that year, write \"none\" (or \"无\")",
        )
    }

    pub fn parameter_not_finite(name: &str, year: i32, v: f64) -> Msg {
        msg(
            format!("参数 `{name}` 的 {year} 年数值 {v} 不是有限的数"),
            format!("parameter `{name}`: the value {v} for {year} is not a finite number"),
        )
        .hint("写一个普通数字，如 4000", "write an ordinary number such as 4000")
    }

    pub fn parameter_year_outside(name: &str, year: i32, first: i32, last: i32) -> Msg {
        msg(
            format!("参数 `{name}` 有 {year} 年的数值，但规则包只覆盖 {first}–{last} 年"),
            format!("parameter `{name}` has a value for {year}, but the pack covers {first}–{last}"),
        )
        .hint(
            "删去该年的数值，或在 pack.toml 的 years 中扩展规则包的年度",
            "remove that value, or extend the pack's years in pack.toml",
        )
    }

    pub fn empty_rule(id: &str) -> Msg {
        msg(
            format!("规则 {id} 只有文件头，没有表达式（每一行都会是“未知”）"),
            format!("rule {id} has a header but no expression (it would be unknown on every row)"),
        )
        .hint("在文件头之后写出规则的表达式", "write the rule's expression after the header")
    }

    pub fn year_outside(year: i32, first: i32, last: i32, manifest: &str) -> Msg {
        msg(
            format!("{year} 年不在本规则包覆盖的年度内（{first}–{last}）"),
            format!("year {year} is outside the years this pack covers ({first}–{last})"),
        )
        .hint(
            format!(
                "规则包的年度在 {manifest} 的 years = [{first}, {last}] 中设定：要评估 {year} 年，请在那里扩展年度，并在 parameters.toml 中为新年度补充参数数值；否则请用 --year 指定 {first} 至 {last} 之间的年度"
            ),
            format!(
                "the pack's years are set in {manifest} (years = [{first}, {last}]): to evaluate {year}, extend them there and give the parameters values for the new years; otherwise give --year between {first} and {last}"
            ),
        )
    }

    // Lint warnings.

    pub fn number_in_script(n: &str) -> Msg {
        msg(
            format!("规则中直接写了数字 {n}，它应该是一个参数"),
            format!("the number {n} is written in the script; it should be a parameter"),
        )
        .hint(
            "把它加到 parameters.toml（含年度、单位和来源），再用 param(\"…\") 引用",
            "add it to parameters.toml (with its years, unit and source) and read it with param(\"…\")",
        )
    }

    pub fn unused_parameter(name: &str) -> Msg {
        msg(format!("没有任何规则使用参数 `{name}`"), format!("no rule uses the parameter `{name}`"))
            .hint("删除它，或在规则中用 param(\"…\") 引用", "remove it, or read it in a rule with param(\"…\")")
    }

    pub fn unused_rule(id: &str) -> Msg {
        msg(
            format!("规则 `{id}` 既没有被其他规则引用，也不是 pack.toml 中的结论、风险标记或输出"),
            format!("rule `{id}` is read by no other rule and is not a main verdict, flag or output in pack.toml"),
        )
        .hint("在 pack.toml 的 [outputs] 中列出它，或删除它", "list it under [outputs] in pack.toml, or remove it")
    }

    pub fn no_source(id: &str) -> Msg {
        msg(format!("规则 `{id}` 没有注明来源"), format!("rule `{id}` has no source"))
            .hint("在文件头加 `// 来源: 文件名和条款`", "add `// 来源: document and section` to its header")
    }
}

/// A kind of value, as `--paths` names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    Bool,
    Number,
    Code,
    Text,
    Date,
    Unknown,
}

/// Constructs outside the compiled subset (a rule using one runs row by row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Construct {
    Switch,
    Loop,
    ForLoop,
    Assignment,
    TryCatch,
    BreakContinue,
    Return,
    ImportExport,
    OtherStatement,
    TextOutsideComparison,
    ListOutsideIn,
    Map,
    Indexing,
    MethodOrProperty,
    Coalesce,
    AndAndOrOr,
    OtherExpression,
    InNotCodeList,
    UnquotedArgument,
    OrderedCodes,
}

/// Why a rule runs row by row, as said (`eval::compiled::Why` with its kinds in words).
pub enum RowByRow<'a> {
    Uses(Construct),
    Unresolved(&'a str),
    ReadsRowByRow(&'a str),
    Kinds(&'a str, Vec<ValueKind>),
    /// A verdict rule (true) or a number rule (false), and the kind it gives.
    RuleGives(bool, ValueKind),
    Function(&'a str, usize),
    EngineRows,
    PlanFailed(&'a str),
}

/// A kind of value, in words (for why a rule runs row by row).
fn kind_words(lang: Lang, ty: ValueKind) -> &'static str {
    use ValueKind as Ty;
    match (lang, ty) {
        (Lang::Zh, Ty::Bool) => "是/否",
        (Lang::Zh, Ty::Number) => "数值",
        (Lang::Zh, Ty::Code) => "代码",
        (Lang::Zh, Ty::Text) => "文本",
        (Lang::Zh, Ty::Date) => "日期",
        (Lang::Zh, Ty::Unknown) => "未知",
        (Lang::En, Ty::Bool) => "true/false",
        (Lang::En, Ty::Number) => "a number",
        (Lang::En, Ty::Code) => "a code",
        (Lang::En, Ty::Text) => "text",
        (Lang::En, Ty::Date) => "a date",
        (Lang::En, Ty::Unknown) => "unknown",
    }
}

/// Why a rule runs row by row rather than compiled.
pub fn row_by_row_reason(lang: Lang, why: &RowByRow) -> String {
    use {Construct as K, RowByRow as Why};
    match why {
        Why::Uses(k) => {
            let (zh, en) = match k {
                K::Switch => ("`switch`", "`switch`"),
                K::Loop => ("循环（`while`/`loop`/`do`）", "a loop (`while`/`loop`/`do`)"),
                K::ForLoop => ("`for` 循环", "a `for` loop"),
                K::Assignment => ("给变量重新赋值", "an assignment to a variable"),
                K::TryCatch => ("`try`/`catch`", "`try`/`catch`"),
                K::BreakContinue => ("`break`/`continue`", "`break`/`continue`"),
                K::Return => ("`return`", "`return`"),
                K::ImportExport => ("`import`/`export`", "`import`/`export`"),
                K::OtherStatement => ("编译路径不翻译的语句", "a statement the compiled path does not translate"),
                K::TextOutsideComparison => {
                    ("不在与代码或文本字段比较中的文本", "text outside a comparison with a code or text field")
                }
                K::ListOutsideIn => ("不在 `in` 中的列表", "a list outside `in`"),
                K::Map => ("映射 `#{…}`", "a map `#{…}`"),
                K::Indexing => ("下标 `x[…]`", "indexing `x[…]`"),
                K::MethodOrProperty => ("方法或属性 `x.y`", "a method call or property `x.y`"),
                K::Coalesce => ("`??`", "`??`"),
                K::AndAndOrOr => ("`&&`/`||`", "`&&`/`||`"),
                K::OtherExpression => ("编译路径不翻译的表达式", "an expression the compiled path does not translate"),
                K::InNotCodeList => {
                    ("`in` 后面不是写出的代码列表", "`in` something that is not a written list of quoted codes")
                }
                K::UnquotedArgument => ("不带引号的名称作参数", "an argument that is not a quoted name"),
                K::OrderedCodes => ("比较代码的大小（`<`、`>`）", "codes compared by order (`<`, `>`)"),
            };
            match lang {
                Lang::Zh => format!("用了{zh}"),
                Lang::En => format!("uses {en}"),
            }
        }
        Why::Unresolved(name) => match lang {
            Lang::Zh => format!("`{name}` 未解析"),
            Lang::En => format!("`{name}` is not resolved"),
        },
        Why::ReadsRowByRow(id) => match lang {
            Lang::Zh => format!("读取逐行执行的规则 {id}"),
            Lang::En => format!("reads {id}, which runs row by row"),
        },
        Why::Kinds(what, kinds) => {
            let words: Vec<&str> = kinds.iter().map(|k| kind_words(lang, *k)).collect();
            match lang {
                Lang::Zh => format!("{what} 用于{}（逐行执行时每行报错）", words.join("与")),
                Lang::En => format!("{what} given {} (an error on each row, row by row)", words.join(" and ")),
            }
        }
        Why::RuleGives(kind, ty) => {
            let kind_name = if *kind { "判断" } else { "数值" };
            match lang {
                Lang::Zh => format!("{kind_name}规则给出{}", kind_words(lang, *ty)),
                Lang::En => format!("a {kind_name} rule that gives {}", kind_words(lang, *ty)),
            }
        }
        Why::Function(name, n) => match lang {
            Lang::Zh => format!("调用编译路径不翻译的函数 `{name}`（{n} 个参数）"),
            Lang::En => format!("calls `{name}` with {n} argument(s), which the compiled path does not translate"),
        },
        Why::EngineRows => "--engine rows".to_string(),
        Why::PlanFailed(e) => match lang {
            Lang::Zh => format!("polars 无法执行本层的计划：{e}"),
            Lang::En => format!("polars could not run the plan: {e}"),
        },
    }
}

/// One rule as `--paths` lists it: its id, why it runs row by row (`None`: compiled), and
/// the fields it reads that the register lacks (named as the user's files name them).
pub struct PathLine {
    pub id: String,
    pub row_by_row: Option<String>,
    pub absent_fields: Vec<String>,
}

/// The list `--paths` prints: which path each rule runs on, why a rule is not compiled (the
/// reason is the translation's own words), and which fields it reads as unknown because the
/// register has no such column.
pub fn rule_paths(lang: Lang, paths: &[PathLine]) -> String {
    let compiled = paths.iter().filter(|p| p.row_by_row.is_none()).count();
    let mut out = match lang {
        Lang::Zh => {
            format!("规则执行方式：编译为 polars 表达式 {compiled} 条，逐行解释执行 {} 条\n", paths.len() - compiled)
        }
        Lang::En => {
            format!("Rule paths: {compiled} compiled to polars expressions, {} row by row\n", paths.len() - compiled)
        }
    };
    for p in paths {
        let id = &p.id;
        let mut line = match (lang, &p.row_by_row) {
            (Lang::Zh, None) => format!("  编译  {id}"),
            (Lang::Zh, Some(w)) => format!("  逐行  {id}：{w}"),
            (Lang::En, None) => format!("  compiled    {id}"),
            (Lang::En, Some(w)) => format!("  row by row  {id}: {w}"),
        };
        if !p.absent_fields.is_empty() {
            let fields = p.absent_fields.join(match lang {
                Lang::Zh => "、",
                Lang::En => ", ",
            });
            line.push_str(&match lang {
                Lang::Zh => format!("（登记册没有 {fields} 列，每行按未知计）"),
                Lang::En => format!(" (the register has no {fields} column: read as unknown on every row)"),
            });
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A condition of a verdict that failed (the `reasons` column).
pub fn reason_failed(lang: Lang, rule: &str) -> String {
    match lang {
        Lang::Zh => format!("{rule}：否"),
        Lang::En => format!("{rule}: no"),
    }
}

/// A condition that could not be decided, with the inputs it lacked.
pub fn reason_unknown(lang: Lang, rule: &str, missing: &[String]) -> String {
    match (lang, missing.is_empty()) {
        (Lang::Zh, true) => format!("{rule}：未知"),
        (Lang::Zh, false) => format!("{rule}：未知（缺 {}）", missing.join("、")),
        (Lang::En, true) => format!("{rule}: unknown"),
        (Lang::En, false) => format!("{rule}: unknown (missing {})", missing.join(", ")),
    }
}

/// A raised risk flag.
/// A field a verdict needs that is empty.
pub fn reason_empty(lang: Lang, field: &str) -> String {
    match lang {
        Lang::Zh => format!("{field}：未填写"),
        Lang::En => format!("{field}: empty"),
    }
}

/// A comparison that failed, with both values: `left` `value` is below/above `right`
/// `threshold`, and by how much (for a minimum of money).
pub fn reason_compare(
    lang: Lang,
    left: &str,
    value: &str,
    op: &str,
    right: &str,
    threshold: &str,
    short_by: Option<&str>,
) -> String {
    let rel = match (lang, op) {
        (Lang::Zh, ">=" | ">") => "低于",
        (Lang::Zh, "<=" | "<") => "高于",
        (Lang::Zh, "==") => "不等于",
        (Lang::Zh, _) => "等于",
        (Lang::En, ">=") => "is below",
        (Lang::En, ">") => "is not above",
        (Lang::En, "<=") => "is above",
        (Lang::En, "<") => "is not below",
        (Lang::En, "==") => "differs from",
        (Lang::En, _) => "equals",
    };
    let rel = match (lang, op, value == threshold) {
        (Lang::Zh, ">", true) => "未高于",
        (Lang::Zh, "<", true) => "未低于",
        _ => rel,
    };
    let right = if right.is_empty() { String::new() } else { format!("{right} ") };
    match (lang, short_by) {
        (Lang::Zh, Some(d)) => format!("{left} {value}，{rel} {right}{threshold}，差 {d}"),
        (Lang::Zh, None) => format!("{left} {value}，{rel} {right}{threshold}"),
        (Lang::En, Some(d)) => format!("{left} {value} {rel} {right}{threshold} (short by {d})"),
        (Lang::En, None) => format!("{left} {value} {rel} {right}{threshold}"),
    }
}

pub fn reason_flag(lang: Lang, rule: &str) -> String {
    match lang {
        Lang::Zh => format!("风险：{rule}"),
        Lang::En => format!("risk: {rule}"),
    }
}

pub fn reason_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    }
}

/// A result table too long for one Excel sheet.
pub fn past_excel_rows(lang: Lang, file: &str, rows: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "{file} 有 {rows} 行，超过 Excel 一张表 1,048,576 行的上限，无法写成 Excel；请改用 --format csv 或 --format parquet"
        ),
        Lang::En => format!(
            "{file} would have {rows} rows, past Excel's limit of 1,048,576 per sheet; use --format csv or --format parquet"
        ),
    }
}

/// `check --by-county` given another result format.
pub fn by_county_parquet_only(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "按县逐个检查时，结果只能写为 Parquet 文件（各县结果依次追加）；请去掉 --format，或写 --format parquet"
        }
        Lang::En => {
            "county by county, results can only be written as Parquet (each county's results are appended); drop --format or give --format parquet"
        }
    }
}

/// The first line of a county-by-county check.
pub fn by_county(lang: Lang, parts: usize) -> String {
    match lang {
        Lang::Zh => format!("按县逐个检查：{parts} 个县"),
        Lang::En => format!("checked county by county: {parts} counties"),
    }
}

/// The last line of `lint`.
pub fn lint_summary(lang: Lang, errors: usize, warnings: usize) -> String {
    match lang {
        Lang::Zh => format!("{errors} 个错误，{warnings} 个警告"),
        Lang::En => format!("{errors} error(s), {warnings} warning(s)"),
    }
}

/// The words of `explain`'s text form.
/// The first line of an explanation: the main verdict.
pub fn explain_conclusion(lang: Lang, title: &str, verdict: &str) -> String {
    match lang {
        Lang::Zh => format!("结论：{title}：{verdict}"),
        Lang::En => format!("Conclusion: {title}: {verdict}"),
    }
}

/// The reason under the conclusion.
pub fn explain_reason(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::Zh => format!("原因：{reason}"),
        Lang::En => format!("Why: {reason}"),
    }
}

/// An `explain` code that is no household, village or county of the register.
pub fn no_such_code(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Zh => format!("登记数据中没有户编号、村代码或县代码为 {id} 的记录"),
        Lang::En => format!("no household, village or county {id} in the register"),
    }
}

pub struct ExplainLabels {
    pub household: &'static str,
    pub village: &'static str,
    pub county: &'static str,
    pub year: &'static str,
    pub members: &'static str,
    pub living: &'static str,
    pub deceased: &'static str,
    pub rules: &'static str,
    pub reads: &'static str,
    pub parameter: &'static str,
    pub source: &'static str,
}

pub fn explain_labels(lang: Lang) -> ExplainLabels {
    match lang {
        Lang::Zh => ExplainLabels {
            household: "农户",
            village: "村",
            county: "县",
            year: "年度",
            members: "家庭成员：",
            living: "在世",
            deceased: "已故",
            rules: "农户规则（按依赖顺序）：",
            reads: "读取",
            parameter: "参数",
            source: "来源",
        },
        Lang::En => ExplainLabels {
            household: "household",
            village: "village",
            county: "county",
            year: "year",
            members: "Members:",
            living: "living",
            deceased: "deceased",
            rules: "Household rules (in dependency order):",
            reads: "reads",
            parameter: "parameter",
            source: "source",
        },
    }
}

/// One case's heading in `tuopin test`.
pub fn case_failed(lang: Lang, file: &str, line: usize, name: &str) -> String {
    match lang {
        Lang::Zh => format!("✗ {file}:{line} {name}"),
        Lang::En => format!("✗ {file}:{line} {name}"),
    }
}

/// An expectation that did not hold.
pub fn case_mismatch(lang: Lang, rule: &str, expected: &str, actual: &str) -> String {
    match lang {
        Lang::Zh => format!("{rule}：期望 {expected}，实际 {actual}"),
        Lang::En => format!("{rule}: expected {expected}, got {actual}"),
    }
}

pub fn case_error(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Zh => format!("案例无法运行：{detail}"),
        Lang::En => format!("the case cannot run: {detail}"),
    }
}

pub fn case_other_years(lang: Lang, year: i32, n: usize) -> String {
    match lang {
        Lang::Zh => format!("（另有 {n} 个案例属于 {year} 年以外的年度，未运行）"),
        Lang::En => format!("({n} case(s) for years other than {year} were not run)"),
    }
}

pub fn case_summary(lang: Lang, passed: usize, failed: usize) -> String {
    match lang {
        Lang::Zh => format!("通过 {passed} 个案例，失败 {failed} 个"),
        Lang::En => format!("{passed} passed, {failed} failed"),
    }
}

/// A rule's changes in `diff`.
/// `counts`: true→false, false→true, to unknown, from unknown, number changed.
pub fn diff_transitions(lang: Lang, counts: [u64; 5]) -> String {
    let [true_to_false, false_to_true, to_unknown, from_unknown, changed] = counts.map(book::thousands);
    match lang {
        Lang::Zh => format!(
            "是→否 {true_to_false}，否→是 {false_to_true}，变为未知 {to_unknown}，由未知变为已知 {from_unknown}，数值变化 {changed}"
        ),
        Lang::En => format!(
            "true→false {true_to_false}, false→true {false_to_true}, to unknown {to_unknown}, from unknown {from_unknown}, number changed {changed}"
        ),
    }
}

/// A parameter whose value differs: `扶贫标准 2020：4,000 → 4,100 元/人·年`.
pub fn diff_param(
    lang: Lang,
    label: &str,
    years: (i32, i32),
    base: Option<f64>,
    new: Option<f64>,
    unit: Option<&str>,
) -> String {
    let v = |x: Option<f64>| match x {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => book::thousands(x.abs() as u64),
        Some(x) => format!("{x}"),
        None => match lang {
            Lang::Zh => "（无）".into(),
            Lang::En => "(none)".into(),
        },
    };
    let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
    let when = if years.0 == years.1 { years.1.to_string() } else { format!("{}→{}", years.0, years.1) };
    match lang {
        Lang::Zh => format!("参数 {label}（{when}）：{} → {}{unit}", v(base), v(new)),
        Lang::En => format!("parameter {label} ({when}): {} → {}{unit}", v(base), v(new)),
    }
}

pub fn diff_edited(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Zh => format!("修改的规则：{id}"),
        Lang::En => format!("rule edited: {id}"),
    }
}

/// A rule whose outcomes changed: rows changed, and 是/否/未知 before → after.
pub fn diff_rule(lang: Lang, title: &str, changed: u64, before: [u64; 3], after: [u64; 3], number: bool) -> String {
    let n = book::thousands(changed);
    let counts = diff_before_after(lang, before, after, number);
    match lang {
        Lang::Zh => format!("{title}：{n} 行结果变化；{counts}"),
        Lang::En => format!("{title}: {n} rows changed; {counts}"),
    }
}

/// An added rule's outcomes.
pub fn diff_added_outcomes(lang: Lang, title: &str, t: [u64; 3]) -> String {
    let n = |x: u64| book::thousands(x);
    match lang {
        Lang::Zh => format!("（{title}：是 {}，否 {}，未知 {}）", n(t[0]), n(t[1]), n(t[2])),
        Lang::En => format!(" ({title}: yes {}, no {}, unknown {})", n(t[0]), n(t[1]), n(t[2])),
    }
}

/// 是/否/未知 before → after, in one cell; for a number rule, 已知/未知 (its known values are
/// counted as 是, and it has no 否).
pub fn diff_before_after(lang: Lang, before: [u64; 3], after: [u64; 3], number: bool) -> String {
    let (words, sep) = match lang {
        Lang::Zh => (["是", "否", "未知"], "，"),
        Lang::En => (["yes", "no", "unknown"], ", "),
    };
    if number {
        let known = if lang == Lang::Zh { "已知" } else { "known" };
        let say = |w: &str, k: usize| format!("{w} {} → {}", book::thousands(before[k]), book::thousands(after[k]));
        return [say(known, 0), say(words[2], 2)].join(sep);
    }
    let parts: Vec<String> = (0..3)
        .map(|k| format!("{} {} → {}", words[k], book::thousands(before[k]), book::thousands(after[k])))
        .collect();
    parts.join(sep)
}

pub fn diff_pack_same(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "两个版本的参数和规则相同",
        Lang::En => "The two versions have the same parameters and rules",
    }
}

pub fn diff_nothing(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "两个版本的结果完全相同。",
        Lang::En => "The two versions give the same outcomes.",
    }
}

pub fn diff_added(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Zh => format!("新增规则 {id}（只在新版本中）"),
        Lang::En => format!("rule {id} is new (only in the new version)"),
    }
}

pub fn diff_removed(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Zh => format!("删除规则 {id}（只在原版本中）"),
        Lang::En => format!("rule {id} was removed (only in the base version)"),
    }
}

/// The last row of a diff sheet kept to its first `shown` changed rows.
pub fn diff_truncated(lang: Lang, shown: usize, n: usize) -> String {
    book::sheet_cut(lang, shown, n, ("行", "rows"), "changes.csv")
}

/// Column headers of the diff report.
pub struct DiffHeaders {
    pub summary_sheet: &'static str,
    pub pack_sheet: &'static str,
    pub by_county_sheet: &'static str,
    pub by_village_sheet: &'static str,
    pub chart_title: &'static str,
    pub rows_changed: &'static str,
    pub before_after: &'static str,
    pub rule: &'static str,
    pub title: &'static str,
    pub area: &'static str,
    pub all: &'static str,
    pub county: &'static str,
    pub village: &'static str,
    pub key: &'static str,
    pub base: &'static str,
    pub new: &'static str,
    pub true_to_false: &'static str,
    pub false_to_true: &'static str,
    pub to_unknown: &'static str,
    pub from_unknown: &'static str,
    pub changed: &'static str,
}

pub fn diff_headers(lang: Lang) -> DiffHeaders {
    match lang {
        Lang::Zh => DiffHeaders {
            summary_sheet: "汇总",
            pack_sheet: "参数与规则",
            by_county_sheet: "各县变化",
            by_village_sheet: "按村",
            chart_title: "各县结果变化的行数",
            rows_changed: "变化行数",
            before_after: "是/否/未知：原 → 新",
            rule: "规则",
            title: "标题",
            area: "范围",
            all: "全部",
            county: "县",
            village: "村",
            key: "编号",
            base: "原结果",
            new: "新结果",
            true_to_false: "是→否",
            false_to_true: "否→是",
            to_unknown: "变为未知",
            from_unknown: "由未知变为已知",
            changed: "数值变化",
        },
        Lang::En => DiffHeaders {
            summary_sheet: "summary",
            pack_sheet: "pack",
            by_county_sheet: "by county",
            by_village_sheet: "by village",
            chart_title: "Rows changed per county",
            rows_changed: "rows changed",
            before_after: "yes/no/unknown: base → new",
            rule: "rule",
            title: "title",
            area: "area",
            all: "all",
            county: "county",
            village: "village",
            key: "key",
            base: "base",
            new: "new",
            true_to_false: "true→false",
            false_to_true: "false→true",
            to_unknown: "to unknown",
            from_unknown: "from unknown",
            changed: "number changed",
        },
    }
}

/// Mistakes in a case file of `tuopin test`.
pub mod case {
    use super::{Lang, level_zh};

    pub fn member_index(lang: Lang, i: usize, n: usize) -> String {
        match lang {
            Lang::Zh => format!("expect.members 第 {} 项：案例只有 {n} 名成员", i + 1),
            Lang::En => format!("expect.members[{i}]: the case has {n} member(s)"),
        }
    }

    pub fn unknown_rule(lang: Lang, level: &str, name: &str) -> String {
        match lang {
            Lang::Zh => format!("规则包中没有{}规则 `{name}`", level_zh(level)),
            Lang::En => format!("no {level} rule `{name}` in the pack"),
        }
    }

    pub fn bad_expectation(lang: Lang, name: &str, want: &str) -> String {
        match lang {
            Lang::Zh => format!("`{name}` 的期望值应为 true、false、\"未知\" 或数字，而不是 {want}"),
            Lang::En => format!("`{name}`: expected true, false, \"unknown\" or a number, not {want}"),
        }
    }

    pub fn no_row(lang: Lang, level: &str, key: &str) -> String {
        match lang {
            Lang::Zh => format!("案例中没有{}层的行 {key}", level_zh(level)),
            Lang::En => format!("no {level} row {key} in the case"),
        }
    }
}

/// `--format` named a format results are not written in.
pub fn result_formats(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "结果的 --format 只能是 parquet、csv 或 xlsx",
        Lang::En => "--format for results: parquet, csv or xlsx",
    }
}

/// A pack lacks a parameter a command needs for the year.
pub fn missing_parameter(lang: Lang, pack: &str, name: &str, year: i32) -> String {
    match lang {
        Lang::Zh => format!("{pack}：没有参数 `{name}` 的 {year} 年值"),
        Lang::En => format!("{pack}: no parameter `{name}` for {year}"),
    }
}

/// The label before a lint warning (errors have none).
pub fn warning_label(lang: Lang, code: Option<&str>) -> String {
    match (lang, code) {
        (Lang::Zh, Some(c)) => format!("警告[{c}]: "),
        (Lang::En, Some(c)) => format!("warning[{c}]: "),
        (Lang::Zh, None) => "警告: ".into(),
        (Lang::En, None) => "warning: ".into(),
    }
}

/// `--report` with a county-by-county run.
pub fn by_county_no_report(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "--report 需要一次读入整个登记数据，不能与逐县检查（--by-county，或每县一个文件夹的数据）同用；请对单个县的文件夹运行 check --report"
        }
        Lang::En => {
            "--report needs the whole register at once and cannot be used with a county-by-county run (--by-county, or a folder per county); run check --report on one county's folder"
        }
    }
}

/// After a check without the workbook: how to get it.
pub fn report_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "（加 --report 可同时生成 Excel 结果工作簿 results.xlsx 和一页报告 report.html）",
        Lang::En => "(add --report for the result workbook results.xlsx and the one-page report.html)",
    }
}

/// A table `load` read: its rows and file.
pub fn table_read(lang: Lang, level: &str, table: &str, rows: usize, file: &str) -> String {
    match lang {
        Lang::Zh => format!("{:<6}{rows:>10} 行  {file}", level_zh(level)),
        Lang::En => format!("{table:<10} {rows:>10}  {file}"),
    }
}

/// The terminal summary of `validate`.
pub fn validate_summary(
    lang: Lang,
    errors: u64,
    warnings: u64,
    by_check: &std::collections::BTreeMap<String, u64>,
) -> String {
    let mut s = match lang {
        Lang::Zh => format!("发现 {errors} 个错误、{warnings} 个警告：\n"),
        Lang::En => format!("{errors} error(s) and {warnings} warning(s) found:\n"),
    };
    for (check, n) in by_check {
        s.push_str(&format!("  {check:<36} {n:>8}\n"));
    }
    s
}

/// The terminal summary of `sample`: per county the villages and households drawn, and why
/// a county got fewer villages than asked (it has no more).
pub fn sample_summary(
    lang: Lang,
    per_county: &std::collections::BTreeMap<String, (usize, usize)>,
    asked: usize,
    villages_in_county: &std::collections::BTreeMap<String, usize>,
) -> String {
    let mut s = String::new();
    for (county, (villages, households)) in per_county {
        let total = villages_in_county.get(county).copied().unwrap_or(*villages);
        s.push_str(&match (lang, *villages < asked) {
            (Lang::Zh, false) => format!("  县 {county}：抽取 {villages} 个村、{households} 户\n"),
            (Lang::Zh, true) => format!(
                "  县 {county}：抽取 {villages} 个村、{households} 户（要求每县 {asked} 个村，本县只有 {total} 个村可抽）\n"
            ),
            (Lang::En, false) => format!("  county {county}: {villages} villages, {households} households drawn\n"),
            (Lang::En, true) => format!(
                "  county {county}: {villages} villages, {households} households drawn ({asked} villages asked for; the county has {total})\n"
            ),
        });
    }
    s
}

/// What `gen` wrote: households, persons, villages (none when written one folder per
/// county), counties, planted faults, and the seconds it took.
pub fn gen_summary(lang: Lang, h: usize, p: usize, villages: Option<usize>, c: usize, f: usize, secs: f64) -> String {
    match (lang, villages) {
        (Lang::Zh, Some(v)) => {
            format!("生成 {h} 户、{p} 人、{v} 个村、{c} 个县，植入数据错误 {f} 处，用时 {secs:.1} 秒")
        }
        (Lang::Zh, None) => {
            format!("生成 {h} 户、{p} 人、{c} 个县（每县一个文件夹），植入数据错误 {f} 处，用时 {secs:.1} 秒")
        }
        (Lang::En, Some(v)) => {
            format!("{h} households, {p} persons, {v} villages, {c} counties, {f} faults in {secs:.1} s")
        }
        (Lang::En, None) => {
            format!("{h} households, {p} persons, {c} counties (one folder each), {f} faults in {secs:.1} s")
        }
    }
}

/// `estimate`'s words: a county's estimates are laid out by `report::estimate_lines`.
pub mod estimate {
    use super::Lang;

    /// A share as a percentage with two decimals ("-" when unknown).
    pub fn pct(v: Option<f64>) -> String {
        v.map(|v| format!("{:.2}%", v * 100.0)).unwrap_or_else(|| "-".into())
    }

    pub fn county(lang: Lang, county: &str) -> String {
        match lang {
            Lang::Zh => format!("县 {county}\n"),
            Lang::En => format!("county {county}\n"),
        }
    }

    /// The names of the three rates: wrong exits, missed households, recognition.
    pub fn rate_names(lang: Lang) -> [&'static str; 3] {
        match lang {
            Lang::Zh => ["错退率", "漏评率", "群众认可度"],
            Lang::En => ["wrong-exit rate", "missed rate", "recognition"],
        }
    }

    /// One rate: `[estimate, low, high, probability of breaking the threshold]`; a minimum
    /// (recognition) is broken by falling below it, a maximum by reaching it.
    pub fn rate(lang: Lang, name: &str, v: [Option<f64>; 4], households: usize, minimum: bool) -> String {
        let [e, lo, hi, p] = v.map(pct);
        let breaks = match (lang, minimum) {
            (Lang::Zh, false) => "超出标准的概率",
            (Lang::Zh, true) => "低于标准的概率",
            (Lang::En, false) => "probability of breaking the threshold",
            (Lang::En, true) => "probability of falling below the threshold",
        };
        match lang {
            Lang::Zh => format!("  {name}：{e}（95% 置信区间 {lo} – {hi}），{breaks} {p}，样本 {households} 户\n"),
            Lang::En => format!("  {name}: {e} (95% CI {lo} – {hi}), {breaks} {p}, {households} households\n"),
        }
    }

    pub fn few_villages(lang: Lang, n: usize) -> String {
        match lang {
            Lang::Zh => format!("    注意：只有 {n} 个村有核实结果，置信区间和概率只能作粗略参考\n"),
            Lang::En => {
                format!("    note: only {n} village(s) have results; the interval and probability are rough at best\n")
            }
        }
    }

    pub fn single_village_strata(lang: Lang, n: usize) -> String {
        match lang {
            Lang::Zh => format!("    注意：{n} 个村分层只抽到 1 个村，无法估计这些层的方差，置信区间偏窄\n"),
            Lang::En => format!(
                "    note: {n} village stratum(s) with a single sampled village add no variance; the interval is too narrow\n"
            ),
        }
    }

    pub fn verdict(lang: Lang, passes: Option<bool>, probability: Option<f64>) -> String {
        let p = pct(probability);
        match lang {
            Lang::Zh => {
                let v = match passes {
                    Some(true) => "可以摘帽",
                    Some(false) => "不能摘帽",
                    None => "未知",
                };
                format!("  按点估计：{v}；三项都达标的概率 {p}\n")
            }
            Lang::En => {
                let v = match passes {
                    Some(true) => "passes",
                    Some(false) => "fails",
                    None => "unknown",
                };
                format!("  point estimates: {v}; probability all three meet their thresholds {p}\n")
            }
        }
    }
}

/// Words for errors that stop a command (`Error::say` picks them). Operating-system and
/// library details inside stay as the system gives them.
pub mod stop {
    use std::path::Path;

    use super::Lang;

    pub fn not_a_folder(lang: Lang, p: &Path) -> String {
        match lang {
            Lang::Zh => format!(
                "{}：不是文件夹（登记册是一个文件夹，内含 persons、households、villages、counties 文件）",
                p.display()
            ),
            Lang::En => format!(
                "{}: not a folder (a register is a folder holding persons, households, villages, counties files)",
                p.display()
            ),
        }
    }

    /// `None` in English: the error's own text is used.
    pub fn io(lang: Lang, p: &Path, source: &dyn std::fmt::Display) -> Option<String> {
        (lang == Lang::Zh).then(|| format!("{}：无法读写：{}", p.display(), super::os_error(lang, &source.to_string())))
    }

    pub fn config(lang: Lang, file: &str, line: usize, message: &str) -> Option<String> {
        (lang == Lang::Zh).then(|| format!("{file}:{line}：配置文件有误（{message}）"))
    }

    pub fn polars(lang: Lang, e: &dyn std::fmt::Display) -> Option<String> {
        (lang == Lang::Zh).then(|| format!("数据处理出错：{e}"))
    }

    pub fn xlsx(lang: Lang, e: &dyn std::fmt::Display) -> Option<String> {
        (lang == Lang::Zh).then(|| format!("写 Excel 文件出错：{e}"))
    }

    /// The output folder is, or lies inside, the register being read.
    pub fn output_is_register(lang: Lang, out: &Path, register: &Path) -> String {
        match lang {
            Lang::Zh => format!(
                "输出文件夹 {} 是（或位于）要读取的登记册文件夹 {} 之中；结果不能写进登记册，以免覆盖原始数据。请用 --out 指定另一个文件夹。未写入任何文件。",
                out.display(),
                register.display()
            ),
            Lang::En => format!(
                "the output folder {} is (or lies inside) the register folder {} being read; results are never written into a register, so as not to overwrite it. Give another folder with --out. Nothing was written.",
                out.display(),
                register.display()
            ),
        }
    }

    /// An input of the run is a result an earlier run wrote in the output folder.
    pub fn input_is_output(lang: Lang, file: &Path) -> String {
        match lang {
            Lang::Zh => format!(
                "{} 是上次运行在输出文件夹中写的结果文件，本次运行会把它作为旧结果移走；请先把它复制到别处再读取，或用 --out 指定另一个文件夹。未写入任何文件。",
                file.display()
            ),
            Lang::En => format!(
                "{} is a result that an earlier run wrote in the output folder, and this run would move it away as stale; copy it elsewhere first, or give another folder with --out. Nothing was written.",
                file.display()
            ),
        }
    }

    /// A file of an output's name that tuopin did not write.
    pub fn not_ours(lang: Lang, file: &Path) -> String {
        match lang {
            Lang::Zh => format!(
                "{} 已存在，且不是本程序上一次在此文件夹写下的（它不在文件夹里的 .tuopin-*.json 清单中）；为免覆盖您的文件，本次未写入任何结果，该文件原样保留。若它是您自己的文件，请把它移走，或用 --out 指定另一个文件夹；若它是旧版 tuopin 留下的结果，删除即可。此前在该文件夹的 tuopin 结果（如有）已移除，以免被当作本次结果。",
                file.display()
            ),
            Lang::En => format!(
                "{} exists and was not written by tuopin (it is not in the folder's .tuopin-*.json list of tuopin's last results); it is left as it is and no result was written. If it is your own file, move it away or give another folder with --out; if it is a result of an older tuopin, delete it. Earlier tuopin results in this folder, if any, were removed so as not to pass for this run's.",
                file.display()
            ),
        }
    }
}

/// Problems with a field-results file given to `estimate`.
pub mod results {
    use super::Lang;

    pub fn no_id_column(lang: Lang, file: &str) -> String {
        match lang {
            Lang::Zh => format!("{file}：没有 household_id（户编号）列"),
            Lang::En => format!("{file}: no household_id (户编号) column"),
        }
    }

    pub fn not_yes_no(lang: Lang, file: &str, row: usize, column: &str, value: &str) -> String {
        match lang {
            Lang::Zh => format!("{file} 第 {row} 行 列 {column}：“{value}”应为 是/否"),
            Lang::En => format!("{file} row {row} column {column}: `{value}` is not 是/否"),
        }
    }

    pub fn not_in_sample(lang: Lang, file: &str, row: usize, id: &str) -> String {
        match lang {
            Lang::Zh => format!("{file} 第 {row} 行：户编号 {id} 不在抽样名单中"),
            Lang::En => format!("{file} row {row}: household {id} is not in the sample"),
        }
    }

    pub fn twice(lang: Lang, file: &str, row: usize, id: &str, first: usize) -> String {
        match lang {
            Lang::Zh => format!("{file} 第 {row} 行：户编号 {id} 与第 {first} 行重复"),
            Lang::En => format!("{file} row {row}: household {id} again (first in row {first})"),
        }
    }

    pub fn bad_cells(lang: Lang, file: &str, n: usize) -> String {
        match lang {
            Lang::Zh => format!("{file} 有 {n} 处需要更正，未作估计："),
            Lang::En => format!("{file} has {n} problem(s) to correct; nothing was estimated:"),
        }
    }

    /// A county's coverage: households sampled and how many have a field result.
    pub fn coverage(lang: Lang, county: &str, sampled: usize, surveyed: usize) -> String {
        match (lang, sampled - surveyed) {
            (Lang::Zh, 0) => format!("  县 {county}：抽样 {sampled} 户，均已填写核实结果"),
            (Lang::Zh, m) => format!(
                "  县 {county}：抽样 {sampled} 户，已填写核实结果 {surveyed} 户；另有 {m} 户没有结果，不计入估计"
            ),
            (Lang::En, 0) => format!("  county {county}: {sampled} households sampled, all with field results"),
            (Lang::En, m) => format!(
                "  county {county}: {sampled} households sampled, {surveyed} with field results; {m} without, left out of the estimates"
            ),
        }
    }

    pub fn coverage_heading(lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => "核实结果填写情况：",
            Lang::En => "Field results:",
        }
    }

    pub fn not_a_count(lang: Lang, file: &str, row: usize, column: &str, value: &str) -> String {
        match lang {
            Lang::Zh => format!("{file} 第 {row} 行 列 {column}：“{value}”应为人数（不小于0）"),
            Lang::En => format!("{file} row {row} column {column}: `{value}` is not a number of persons"),
        }
    }
}
