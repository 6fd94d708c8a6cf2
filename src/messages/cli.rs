//! The command line's own words: every command's description and example, every option's
//! help, the help page's headings, and clap's argument errors said again in Chinese.

use super::Lang;

/// The program's one-line description.
pub fn program(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "湖南精准扶贫建档立卡规则引擎：按规则包检查登记数据，判断脱贫退出，核查数据质量，抽样评估",
        Lang::En => "Rules engine for Hunan's poverty-alleviation register (精准扶贫 · 建档立卡)",
    }
}

/// A command's description and example: (summary, details with example).
pub fn command(lang: Lang, name: &str) -> (&'static str, &'static str) {
    match (lang, name) {
        (Lang::Zh, "check") => (
            "按规则包检查登记数据，每个层级写出一张结果表",
            "示例：tuopin check --data registers/433127 --year 2019 --out out/433127 --report",
        ),
        (Lang::En, "check") => (
            "Run a rule pack over a register and write one result table per level",
            "Example: tuopin check --data registers/433127 --year 2019 --out out/433127 --report",
        ),
        (Lang::Zh, "explain") => (
            "说明一户、一个村或一个县为什么得出这样的结论：先结论和原因，再成员、各条规则读到的数值、参数和来源",
            "示例：tuopin explain 4331271002010001 --year 2020（也可以是村代码或县代码）",
        ),
        (Lang::En, "explain") => (
            "Why a household, a village or a county came out as it did: the conclusion and its reasons first, then members, every rule with what it read, parameters and sources",
            "Example: tuopin explain 4331271002010001 --year 2020 --json   (or a village or county code)",
        ),
        (Lang::Zh, "diff") => (
            "比较规则包的两个版本（或同一规则包的两个年度）在同一份登记数据上的结果变化：按规则、县、村列出每一行变化",
            "示例：tuopin diff --base rules/hunan --new 我的规则包 --year 2020 --out out/diff",
        ),
        (Lang::En, "diff") => (
            "Run two versions of a rule pack (or one pack at two years) over one register and report what changes, by rule, county and village, with every changed row",
            "Example: tuopin diff --base rules/hunan --new my-pack --year 2020 --out out/diff",
        ),
        (Lang::Zh, "validate") => (
            "核查登记数据质量：质量规则包的每项检查和内置检查，每户风险评分，写出给村干部的 Excel 报告",
            "示例：tuopin validate --data registers/433127 --out out/validate",
        ),
        (Lang::En, "validate") => (
            "Check the register's data quality: every check of the quality pack and the built-in ones, a risk score per household, and an XLSX report for the village cadres",
            "Example: tuopin validate --data registers/433127 --out out/validate",
        ),
        (Lang::Zh, "sample") => (
            "抽取核查样本：每县按贫困村、非贫困村分层抽村，再抽建档立卡户和非建档立卡户，风险户可加权；同一种子，同一样本",
            "示例：tuopin sample --seed 2020 --villages-per-county 29 --households-per-village 10 --risk-weight 2",
        ),
        (Lang::En, "sample") => (
            "Draw the inspection sample: per county, villages stratified poor / non-poor, then registered and unregistered households, risk households over-sampled; same seed, same sample",
            "Example: tuopin sample --seed 2020 --villages-per-county 29 --households-per-village 10 --risk-weight 2",
        ),
        (Lang::Zh, "estimate") => (
            "根据样本的实地核查结果，估计每县的错退率、漏评率和群众认可度，给出 95% 置信区间和超过标准的可能性",
            "示例：tuopin estimate --sample out/sample/sample.xlsx --results 核查结果.xlsx",
        ),
        (Lang::En, "estimate") => (
            "Estimate each county's wrong-exit, missed and recognition rates from the field results of a sample, with 95 % confidence intervals and the chance of breaking each threshold",
            "Example: tuopin estimate --sample out/sample/sample.csv --results results.csv",
        ),
        (Lang::Zh, "test") => {
            ("运行规则包自带的测试案例（规则包的 tests/*.toml）", "示例：tuopin test --rules 我的规则包 --year 2021")
        }
        (Lang::En, "test") => (
            "Run the example cases of a rule pack (`<pack>/tests/*.toml`)",
            "Example: tuopin test --rules my-pack --year 2021",
        ),
        (Lang::Zh, "fields") => (
            "列出每个层级的字段、规则和参数：中文表头、类型、代码和标签、规则标题和来源、当年参数值",
            "示例：tuopin fields --level 农户 --xlsx 词典.xlsx",
        ),
        (Lang::En, "fields") => (
            "List the fields, rules and parameters of each level: Chinese headers, types, codes with labels, rule titles and sources, parameter values in force",
            "Example: tuopin fields --level household --xlsx dictionary.xlsx",
        ),
        (Lang::Zh, "lint") => (
            "检查规则包：先列出无法加载的错误，再列出审阅时应注意的警告",
            "示例：tuopin lint --rules 我的规则包 --deny-warnings",
        ),
        (Lang::En, "lint") => (
            "Check a rule pack: load-time errors, then the warnings a careful reviewer would give",
            "Example: tuopin lint --rules my-pack --deny-warnings",
        ),
        (Lang::Zh, "load") => ("读取登记数据，报告输入错误并统计行数", "示例：tuopin load --data 登记数据文件夹"),
        (Lang::En, "load") => (
            "Read a register, report its input errors, and count its rows",
            "Example: tuopin load --data fixtures/real-world/gbk-csv",
        ),
        (Lang::Zh, "gen") => (
            "生成一份模拟登记数据（同一种子，同样的文件）",
            "示例：tuopin gen --households 100000 --seed 7 --out /tmp/reg --faults 0.02",
        ),
        (Lang::En, "gen") => (
            "Write a synthetic register (same seed, same bytes)",
            "Example: tuopin gen --households 100000 --seed 7 --out /tmp/reg --faults 0.02",
        ),
        (Lang::Zh, "init") => (
            "把内置的湖南规则包（含测试案例）写到一个文件夹，供工作人员修改",
            "示例：tuopin init 我的规则包，然后 tuopin test --rules 我的规则包",
        ),
        (Lang::En, "init") => (
            "Write an editable copy of the built-in Hunan pack (with its test cases) into a folder",
            "Example: tuopin init my-pack, then tuopin test --rules my-pack",
        ),
        (Lang::Zh, "serve") => (
            "启动规则工作台：在浏览器里查看和修改规则、试算一户、查询解释、预览影响、发布和审计（JSON 接口同在）",
            "示例：tuopin serve（本机使用演示数据），然后在浏览器打开 http://127.0.0.1:8080",
        ),
        (Lang::En, "serve") => (
            "Start the studio: view and edit rules, evaluate a household, explain, preview impact, publish and audit in a browser (with a JSON API)",
            "Example: tuopin serve (the demo, on this machine), then open http://127.0.0.1:8080",
        ),
        (Lang::Zh, "user") => (
            "设置规则工作台的账号：密码从提示输入（或从标准输入读取，便于脚本），以 Argon2 散列保存在规则包旁的数据库里",
            "示例：tuopin user add 王芳 --role editor --rules 我的规则包",
        ),
        (Lang::En, "user") => (
            "Set up a studio account: the password from a prompt (or standard input, for scripts), stored as an Argon2 hash in the database beside the pack",
            "Example: tuopin user add wangfang --role editor --rules my-pack",
        ),
        _ => ("", ""),
    }
}

/// An option's help in a command (`None`: the option has none).
pub fn option(lang: Lang, command: &str, arg: &str) -> Option<&'static str> {
    let zh = lang == Lang::Zh;
    let t = |z: &'static str, e: &'static str| Some(if zh { z } else { e });
    match (command, arg) {
        (_, "lang") => t("提示语言：zh（中文，默认）或 en（英文）", "Message language: zh (default) or en"),
        ("serve", "rules") => t(
            "工作台管理的规则包文件夹（默认：内置湖南规则包的一份副本）",
            "The pack folder the studio works on (default: a copy of the built-in Hunan pack)",
        ),
        ("user", "rules") => t(
            "账号所属的规则包文件夹（数据库在它旁边）",
            "The pack folder the account is for (its database sits beside it)",
        ),
        (_, "bind") => t(
            "监听的地址；不是本机地址（127.0.0.1）时必须先设账号",
            "Address to listen on; any address but loopback (127.0.0.1) needs accounts",
        ),
        (_, "port") => t("监听的端口（0 表示由系统选择）", "Port to listen on (0: the system chooses)"),
        ("user", "action") => t("要做的事：add（新增或修改账号）", "What to do: add (add or change an account)"),
        ("user", "name") => t("用户名", "User name"),
        ("user", "role") => {
            t("角色：viewer（查看）、editor（编辑）或 approver（审批）", "Role: viewer, editor or approver")
        }
        (_, "help") => t("显示帮助", "Print help"),
        (_, "version") => t("显示版本", "Print version"),
        ("diff", "base") => t("原来的规则包文件夹", "The rule pack as it is"),
        ("diff", "new") => t(
            "修改后的规则包文件夹（与 --base-year 一起用时可以是同一个）",
            "The rule pack as changed (may be the same folder with --base-year)",
        ),
        ("diff", "year") => t("用修改后的规则包评估的年度", "Year evaluated with the new pack"),
        ("diff", "base_year") => {
            t("用原来的规则包评估的年度（默认同 --year）", "Year evaluated with the base pack (default: --year)")
        }
        ("validate" | "sample", "rules") => {
            t("脱贫退出规则包（其风险标记计入风险评分）", "The eligibility pack (its risk flags feed the risk score)")
        }
        (_, "quality") => t("数据质量规则包文件夹", "The data-quality pack folder"),
        ("gen", "rules") => t("按其参数生成收入等数值的规则包", "Rule pack whose parameters shape the thresholds"),
        (_, "rules") => {
            t("规则包文件夹（默认：内置的湖南规则包）", "Rule pack folder (default: the built-in Hunan pack)")
        }
        (_, "data") => t(
            "登记数据文件夹：人员、农户、村、县四张表（parquet、csv、ndjson 或 xlsx），或一张人员宽表（默认：内置的演示数据）",
            "Register folder: persons, households, villages, counties (parquet, csv, ndjson or xlsx), or one flat person sheet (default: the built-in demo register)",
        ),
        ("gen", "year") => t("收入和年龄按哪一年生成", "Year the incomes and ages are shaped for"),
        ("test", "year") => t(
            "只运行这一年度的案例（案例、文件或 defaults.toml 中的 year）",
            "Run only the cases for this year (a case's `year`, its file's, or defaults.toml's)",
        ),
        ("lint", "year") => t(
            "--paths 按哪一年度规划（默认：规则包的最后一年）",
            "Year --paths plans for (default: the pack's last year)",
        ),
        ("fields", "year") => t(
            "显示哪一年度的参数值（默认：规则包的最后一年）",
            "Year whose parameter values are shown (default: the pack's last year)",
        ),
        (_, "year") => t("评估的年度", "Year evaluated"),
        ("gen", "out") => t("写出模拟登记数据的文件夹", "Folder the synthetic register is written to"),
        ("init", "dir") => {
            t("写出规则包的文件夹（须不存在或为空）", "Folder to write the pack into (must not exist, or be empty)")
        }
        (_, "out") => t("输出文件夹", "Output folder"),
        ("gen", "format") => t("文件格式", "File format"),
        (_, "format") => {
            t("结果文件格式：parquet、csv、ndjson 或 xlsx", "Result file format: parquet, csv, ndjson or xlsx")
        }
        (_, "skip_invalid") => t(
            "跳过出错的行及依赖它们的行继续运行（退出码为 1）",
            "Go on without the rows in error and the rows that depend on them (exit status 1)",
        ),
        (_, "encoding") => t(
            "CSV 编码（默认自动识别 UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030）",
            "CSV encoding (default: detect UTF-8, UTF-8 with BOM, or GBK/GB18030)",
        ),
        (_, "aliases") => t(
            "补充的表头和代码标签对照表（JSON，格式同 data/register-aliases.json）",
            "Extra header and label aliases (JSON, same shape as data/register-aliases.json)",
        ),
        (_, "engine") => t(
            "auto：能翻译的规则按列计算，其余逐行执行；rows：全部逐行执行（对照用）",
            "auto: rules run as polars expressions where they translate, the rest row by row; rows: every rule row by row (the reference)",
        ),
        ("lint", "paths") => t(
            "同时列出 check 时哪些规则按列计算、哪些逐行执行及原因",
            "Also list which rules `check` runs compiled and which row by row, and why",
        ),
        (_, "paths") => {
            t("列出哪些规则按列计算、哪些逐行执行及原因", "List which rules ran compiled and which row by row, and why")
        }
        ("gen", "by_county") => t(
            "每县写一份登记数据（out/县代码/…），逐县生成，用于一次装不下的大数据",
            "Write one register per county (`out/<county code>/…`), one county at a time, for registers too large for one frame",
        ),
        (_, "by_county") => t(
            "逐县评估并逐县追加结果，内存以最大的县为限（结果为 Parquet）；--data 下每县一个子文件夹时自动启用",
            "Evaluate one county at a time, appending results as each county finishes (results as Parquet); automatic when --data holds one subfolder per county",
        ),
        (_, "report") => t(
            "同时写出结果工作簿 results.xlsx（汇总、图表、各层级明细）和一页报告 report.html",
            "Also write the result workbook (results.xlsx) and the one-page report.html",
        ),
        ("explain", "household_id") => t("户编号、村代码或县代码", "Household ID, village code or county code"),
        (_, "json") => {
            t("以 JSON 文档输出说明（带 version 字段）", "The explanation as a JSON document (with a `version` field)")
        }
        (_, "html") => t(
            "同时把可打印的说明页 <代码>.html 写到这个文件夹",
            "Also write a printable page, `<code>.html`, into this folder",
        ),
        (_, "seed") => t("随机数种子（同一种子得到同样的结果）", "Random seed (same seed, same result)"),
        (_, "villages_per_county") => t("每县抽取的村数", "Villages drawn per county"),
        (_, "households_per_village") => t("每村抽取的户数", "Households drawn per village"),
        (_, "risk_weight") => t(
            "风险户被抽中的相对可能性（1 表示不加权）",
            "How much more likely a risk household is to be drawn (1 = no over-sampling)",
        ),
        (_, "sample") => t(
            "抽样时写出的样本文件（sample.xlsx 或 sample.csv）",
            "The sample file `sample` wrote (sample.xlsx or sample.csv)",
        ),
        (_, "results") => t(
            "填好的实地核查结果（填好的 sample.xlsx，或 CSV）",
            "The field results (the filled sample.xlsx, or a CSV)",
        ),
        (_, "level") => t(
            "只列一个层级：人员、农户、村、县（或 person、household、village、county）",
            "One level: person, household, village, county (or 人员, 农户, 村, 县)",
        ),
        (_, "xlsx") => t(
            "同时把词典写成 Excel 工作簿，方便发给工作人员",
            "Also write the dictionary as a workbook to hand to staff",
        ),
        (_, "deny_warnings") => t("有警告时也以非零状态退出", "Exit non-zero on warnings too"),
        (_, "households") => t("户数", "Number of households"),
        (_, "faults") => t(
            "植入数据错误的户所占比例（记录在 faults.csv）",
            "Share of households given a planted data fault (recorded in faults.csv)",
        ),
        (_, "counties") => {
            t("县数（默认每 20,000 户一个县）", "Number of counties (default: one per 20,000 households)")
        }
        _ => None,
    }
}

/// The help page's headings and template.
pub fn help_template(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}",
        Lang::En => "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}",
    }
}

pub fn options_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "选项",
        Lang::En => "Options",
    }
}

pub fn arguments_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "参数",
        Lang::En => "Arguments",
    }
}

pub fn commands_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "命令",
        Lang::En => "Commands",
    }
}

/// What went wrong with the arguments, from clap's error kind and context.
pub struct ArgProblem<'a> {
    pub kind: ArgProblemKind,
    /// The option or command concerned, as typed or as named (`--format <FORMAT>`).
    pub arg: Option<&'a str>,
    /// The value given.
    pub value: Option<&'a str>,
    /// The values allowed.
    pub valid: Vec<&'a str>,
    /// A suggestion clap found.
    pub suggested: Option<&'a str>,
    /// The command, for the pointer to its help.
    pub command: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgProblemKind {
    InvalidValue,
    UnknownArgument,
    UnknownCommand,
    MissingRequired,
    MissingCommand,
    BadNumber,
    TooMany,
    Conflict,
    Other,
}

/// An argument error said in the user's language, with what to do.
pub fn arg_problem(lang: Lang, p: &ArgProblem, english: &str) -> String {
    use ArgProblemKind::*;
    let arg = p.arg.unwrap_or("");
    let value = p.value.unwrap_or("");
    let valid = p.valid.join(if lang == Lang::Zh { "、" } else { ", " });
    let mut s = match (lang, p.kind) {
        (Lang::Zh, InvalidValue) => format!("{arg} 不能取值 “{value}”；可选：{valid}"),
        (Lang::En, InvalidValue) => format!("invalid value '{value}' for '{arg}'; possible values: {valid}"),
        (Lang::Zh, UnknownArgument) => format!("没有选项 “{arg}”"),
        (Lang::En, UnknownArgument) => format!("unexpected argument '{arg}'"),
        (Lang::Zh, UnknownCommand) => format!("没有命令 “{arg}”"),
        (Lang::En, UnknownCommand) => format!("unrecognized subcommand '{arg}'"),
        (Lang::Zh, MissingRequired) => format!("缺少必需的 {arg}"),
        (Lang::En, MissingRequired) => format!("the following required arguments were not provided: {arg}"),
        (Lang::Zh, MissingCommand) => "请指定一个命令，例如 tuopin check".to_string(),
        (Lang::En, MissingCommand) => "give a command, for example tuopin check".to_string(),
        (Lang::Zh, BadNumber) => format!("{arg} 的值 “{value}” 不是有效的数字"),
        (Lang::En, BadNumber) => format!("invalid value '{value}' for '{arg}': not a valid number"),
        (Lang::Zh, TooMany) => format!("{arg} 只能给一次（多出了 “{value}”）"),
        (Lang::En, TooMany) => format!("'{arg}' takes one value (unexpected '{value}')"),
        (Lang::Zh, Conflict) => format!("{arg} 不能与其他选项同时使用"),
        (Lang::En, Conflict) => format!("'{arg}' cannot be used with the other options given"),
        (Lang::Zh, Other) => format!("命令行参数有误（{}）", english.trim()),
        (Lang::En, Other) => english.trim().to_string(),
    };
    if let Some(sug) = p.suggested {
        s.push_str(&match lang {
            Lang::Zh => format!("；是不是 {sug}？"),
            Lang::En => format!("; did you mean '{sug}'?"),
        });
    }
    let cmd = if p.command.is_empty() { String::new() } else { format!(" {}", p.command) };
    s.push_str(&match lang {
        Lang::Zh => format!("\n运行 tuopin{cmd} --help 查看用法"),
        Lang::En => format!("\nFor more information, try 'tuopin{cmd} --help'"),
    });
    s
}

/// The choices of an option, after its help.
pub fn choices(lang: Lang, values: &[String]) -> String {
    match lang {
        Lang::Zh => format!("（可选：{}）", values.join("、")),
        Lang::En => format!(" (one of: {})", values.join(", ")),
    }
}

/// The default of an option, after its help.
pub fn default_value(lang: Lang, v: &str) -> String {
    match lang {
        Lang::Zh => format!("（默认：{v}）"),
        Lang::En => format!(" [default: {v}]"),
    }
}

/// The word a help text uses for a default, so that it is not said twice.
pub fn default_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "默认",
        Lang::En => "default",
    }
}

/// The placeholder of an option's value in the help (`--data <文件夹>`).
pub fn value_name(lang: Lang, id: &str) -> &'static str {
    let zh = lang == Lang::Zh;
    match id {
        "data" | "rules" | "quality" | "base" | "new" | "out" | "html" | "dir" => {
            if zh {
                "文件夹"
            } else {
                "DIR"
            }
        }
        "aliases" | "sample" | "results" | "xlsx" => {
            if zh {
                "文件"
            } else {
                "FILE"
            }
        }
        "year" | "base_year" => {
            if zh {
                "年度"
            } else {
                "YEAR"
            }
        }
        "household_id" => {
            if zh {
                "代码"
            } else {
                "CODE"
            }
        }
        "bind" => {
            if zh {
                "地址"
            } else {
                "ADDR"
            }
        }
        "port" => {
            if zh {
                "端口"
            } else {
                "PORT"
            }
        }
        "action" => {
            if zh {
                "操作"
            } else {
                "ACTION"
            }
        }
        "name" => {
            if zh {
                "用户名"
            } else {
                "NAME"
            }
        }
        "role" => {
            if zh {
                "角色"
            } else {
                "ROLE"
            }
        }
        "lang" => {
            if zh {
                "语言"
            } else {
                "LANG"
            }
        }
        "level" => {
            if zh {
                "层级"
            } else {
                "LEVEL"
            }
        }
        "seed" => {
            if zh {
                "种子"
            } else {
                "SEED"
            }
        }
        "format" => {
            if zh {
                "格式"
            } else {
                "FORMAT"
            }
        }
        "encoding" => {
            if zh {
                "编码"
            } else {
                "ENCODING"
            }
        }
        "engine" => {
            if zh {
                "方式"
            } else {
                "ENGINE"
            }
        }
        _ => {
            if zh {
                "数值"
            } else {
                "N"
            }
        }
    }
}

/// The usage line: the command, its required options, then the others.
pub fn usage(lang: Lang, command: &str, required: &[String]) -> String {
    let (opts, cmd) = match lang {
        Lang::Zh => ("[选项]", "<命令>"),
        Lang::En => ("[OPTIONS]", "<COMMAND>"),
    };
    if command.is_empty() {
        return format!("tuopin {opts} {cmd}");
    }
    let mut parts = vec![format!("tuopin {command}")];
    parts.extend(required.iter().cloned());
    parts.push(opts.to_string());
    parts.join(" ")
}
