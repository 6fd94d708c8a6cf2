//! The words of `validate` and `sample`: what a data-quality finding says, and the sheets and
//! headers of their workbooks.

use super::Lang;

/// What a finding says about its row.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// A check of the quality pack was true: its title, and the column and value it names.
    Check { title: String, column: String, value: Option<String> },
    /// The same resident ID in several households, in one county or across counties; the
    /// other households.
    SamePerson { across_counties: bool, others: Vec<String> },
    /// Exited households' incomes bunched just above the poverty line in a village.
    Bunching { above: u64, share_above: f64, below: u64, share_below: f64 },
}

/// A finding's note in words.
pub fn note(lang: Lang, n: &Note) -> String {
    match (lang, n) {
        (_, Note::Check { title, column, value: Some(v) }) => match lang {
            Lang::Zh => format!("{title}（{column} = {v}）"),
            Lang::En => format!("{title} ({column} = {v})"),
        },
        (_, Note::Check { title, value: None, .. }) => title.clone(),
        (Lang::Zh, Note::SamePerson { across_counties, others }) => format!(
            "同一人登记在多个户中（{}；另见户编号 {}）",
            if *across_counties { "跨县" } else { "同一县内" },
            others.join("、")
        ),
        (Lang::En, Note::SamePerson { across_counties, others }) => format!(
            "the same person is registered in several households ({}; see also household {})",
            if *across_counties { "across counties" } else { "within one county" },
            others.join(", ")
        ),
        (Lang::Zh, Note::Bunching { above, share_above, below, share_below }) => format!(
            "已脱贫户人均纯收入扎堆在扶贫标准线上5%以内：线上 {above} 户（{:.1}%），线下 {below} 户（{:.1}%）",
            share_above * 100.0,
            share_below * 100.0
        ),
        (Lang::En, Note::Bunching { above, share_above, below, share_below }) => format!(
            "exited households' per-capita incomes bunch within 5% above the poverty line: {above} above ({:.1}%), {below} below ({:.1}%)",
            share_above * 100.0,
            share_below * 100.0
        ),
    }
}

/// The title of a check built into `validate` (the others are rules with their own titles).
pub fn builtin_title(lang: Lang, check: &str) -> Option<&'static str> {
    match (lang, check) {
        (Lang::Zh, "person_in_two_households") => Some("同一人登记在多个户中"),
        (Lang::Zh, "income_bunching") => Some("已脱贫户收入扎堆在扶贫标准线上方"),
        _ => None,
    }
}

/// The sheet of households by risk, and its headers.
pub fn risk_sheet(lang: Lang) -> (&'static str, [&'static str; 10]) {
    match lang {
        Lang::Zh => (
            "风险评分",
            ["户编号", "村", "县", "错退风险", "漏评风险", "错评风险", "监测对象", "数据错误", "数据警告", "风险分"],
        ),
        Lang::En => (
            "Risk",
            [
                "household",
                "village",
                "county",
                "wrong-exit risk",
                "missed risk",
                "wrong-inclusion risk",
                "monitored",
                "data errors",
                "data warnings",
                "risk score",
            ],
        ),
    }
}

/// An error or a warning.
pub fn severity(lang: Lang, error: bool) -> &'static str {
    match (lang, error) {
        (Lang::Zh, true) => "错误",
        (Lang::Zh, false) => "警告",
        (Lang::En, true) => "error",
        (Lang::En, false) => "warning",
    }
}

/// 是 / 否 as a workbook cell.
pub fn yes_no(lang: Lang, v: bool) -> &'static str {
    match (lang, v) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

/// The sheets and headers of `validate.xlsx`.
pub struct ValidateBook {
    pub findings: &'static str,
    pub findings_headers: [&'static str; 9],
    pub by_check: &'static str,
    pub by_check_headers: [&'static str; 2],
    pub by_county: &'static str,
    pub by_county_headers: [&'static str; 3],
    pub bunching: &'static str,
    pub bunching_headers: [&'static str; 8],
}

pub fn validate_book(lang: Lang) -> ValidateBook {
    match lang {
        Lang::Zh => ValidateBook {
            findings: "问题清单",
            findings_headers: ["检查", "严重程度", "表", "编号", "字段", "值", "说明", "户编号", "县"],
            by_check: "按检查汇总",
            by_check_headers: ["检查", "问题数"],
            by_county: "按县汇总",
            by_county_headers: ["县", "检查", "问题数"],
            bunching: "收入扎堆",
            bunching_headers: ["村", "县", "已脱贫户", "线上5%以内", "线下5%以内", "线上占比", "线下占比", "疑似扎堆"],
        },
        Lang::En => ValidateBook {
            findings: "Findings",
            findings_headers: ["check", "severity", "table", "key", "column", "value", "note", "household", "county"],
            by_check: "By check",
            by_check_headers: ["check", "findings"],
            by_county: "By county",
            by_county_headers: ["county", "check", "findings"],
            bunching: "Income bunching",
            bunching_headers: [
                "village",
                "county",
                "exited households",
                "within 5% above",
                "within 5% below",
                "share above",
                "share below",
                "bunching suspected",
            ],
        },
    }
}

/// The last row of a findings sheet kept to its first `shown` findings.
pub fn more_findings(lang: Lang, shown: usize, n: usize) -> String {
    super::book::sheet_cut(lang, shown, n, ("条", "findings"), "findings.csv")
}

/// The last row of the risk sheet kept to its first `shown` households (highest risk first).
pub fn more_households(lang: Lang, shown: usize, n: usize) -> String {
    super::book::sheet_cut(lang, shown, n, ("户", "households"), "risk.csv")
}

/// The sheet and headers of `sample.xlsx`: 19 columns, the last three for the field teams.
pub struct SampleBook {
    pub sheet: &'static str,
    pub headers: [&'static str; 19],
    /// What a drop-down cell says when it is chosen, and when something else is typed.
    pub yes_no_prompt: &'static str,
    pub count_prompt: &'static str,
}

pub fn sample_book(lang: Lang) -> SampleBook {
    match lang {
        Lang::Zh => SampleBook {
            sheet: "抽样名单",
            headers: [
                "县",
                "县名",
                "村代码",
                "村名",
                "村类别",
                "户编号",
                "户主姓名",
                "户类别",
                "风险层",
                "脱贫状态",
                "家庭人口",
                "风险分",
                "达到脱贫标准",
                "错退风险",
                "漏评风险",
                "设计权重",
                "核实错退",
                "核实漏评人数",
                "群众认可",
            ],
            yes_no_prompt: "请选择 是 或 否；未核实的留空",
            count_prompt: "请填写漏评人数（0 或正整数）；未核实的留空",
        },
        Lang::En => SampleBook {
            sheet: "Sample",
            headers: [
                "county",
                "county name",
                "village",
                "village name",
                "village stratum",
                "household",
                "head of household",
                "household stratum",
                "risk stratum",
                "exit status",
                "household size",
                "risk score",
                "meets exit standard",
                "wrong-exit risk",
                "missed risk",
                "design weight",
                "wrong exit (verified)",
                "missed persons (verified)",
                "approves",
            ],
            yes_no_prompt: "Choose 是 (yes) or 否 (no); leave empty if not verified",
            count_prompt: "The number of persons missed (0 or more); leave empty if not verified",
        },
    }
}

/// The strata of a sampled household, as the sample sheet labels them.
pub fn village_stratum(lang: Lang, poor: bool) -> &'static str {
    match (lang, poor) {
        (Lang::Zh, true) => "贫困村",
        (Lang::Zh, false) => "非贫困村",
        (Lang::En, true) => "poor village",
        (Lang::En, false) => "non-poor village",
    }
}

pub fn household_stratum(lang: Lang, registered: bool) -> &'static str {
    match (lang, registered) {
        (Lang::Zh, true) => "建档立卡户",
        (Lang::Zh, false) => "非建档立卡户",
        (Lang::En, true) => "registered",
        (Lang::En, false) => "not registered",
    }
}

pub fn risk_stratum(lang: Lang, risk: bool) -> &'static str {
    match (lang, risk) {
        (Lang::Zh, true) => "风险户",
        (Lang::Zh, false) => "其他",
        (Lang::En, true) => "risk",
        (Lang::En, false) => "other",
    }
}

/// The sheet and headers of `estimates.xlsx`: per county and rate.
pub fn estimates_book(lang: Lang) -> (&'static str, [&'static str; 12]) {
    match lang {
        Lang::Zh => (
            "估计结果",
            [
                "县",
                "指标",
                "有核实结果的样本户",
                "估计值",
                "标准误",
                "95%置信区间下限",
                "95%置信区间上限",
                "突破标准的概率（认可度为低于标准）",
                "只抽到1个村的分层数",
                "按点估计能否摘帽",
                "三项都达标的概率",
                "有核实结果的村数（少于10个时区间只作粗略参考）",
            ],
        ),
        Lang::En => (
            "Estimates",
            [
                "county",
                "rate",
                "sampled households with results",
                "estimate",
                "standard error",
                "95% CI low",
                "95% CI high",
                "probability of breaking the threshold (recognition: of falling below)",
                "village strata with one sampled village",
                "passes on the point estimates",
                "probability all three meet their thresholds",
                "villages with results (under 10: the interval is rough)",
            ],
        ),
    }
}
