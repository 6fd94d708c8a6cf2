//! The words of `report.html`, the one-page report for a leader.

use super::Lang;

pub fn counties_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "各县结论",
        Lang::En => "Counties",
    }
}

/// The county table's headers; `main` is the household verdict's title.
pub fn county_columns(lang: Lang, main: Option<&str>) -> Vec<String> {
    let main = main.unwrap_or("");
    match lang {
        Lang::Zh => vec![
            "县".into(),
            "可摘帽".into(),
            "原因（未达到或未知的条件）".into(),
            "农户".into(),
            format!("{main}：是"),
            "否".into(),
            "未知".into(),
        ],
        Lang::En => vec![
            "County".into(),
            "Can exit".into(),
            "Why (conditions not met or unknown)".into(),
            "Households".into(),
            format!("{main}: yes"),
            "no".into(),
            "unknown".into(),
        ],
    }
}

pub fn chart_outcomes(lang: Lang, main: &str) -> String {
    match lang {
        Lang::Zh => format!("各县农户：{main}"),
        Lang::En => format!("Households by county: {main}"),
    }
}

pub fn chart_incidence(lang: Lang, share: &str) -> String {
    match lang {
        Lang::Zh => format!("贫困村{share}与退出标准"),
        Lang::En => format!("Poor villages' {share} against the exit line"),
    }
}

pub fn chart_income(lang: Lang, value: &str) -> String {
    match lang {
        Lang::Zh => format!("{value}在扶贫标准线附近的分布"),
        Lang::En => format!("{value} around the poverty line"),
    }
}

pub fn villages_axis(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "贫困村（按贫困发生率从高到低）",
        Lang::En => "poor villages (highest first)",
    }
}

pub fn money_axis(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "元/人·年",
        Lang::En => "yuan per person and year",
    }
}

pub fn line_label(lang: Lang, value: &str) -> String {
    match lang {
        Lang::Zh => format!("标准线 {value}"),
        Lang::En => format!("line {value}"),
    }
}

pub fn footnote(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "村、县的结论只计贫困村、贫困县；原因列出未达到（或因数据缺失而未知）的每一项条件及其数值。明细见 results.xlsx。"
        }
        Lang::En => {
            "Village and county verdicts count poor villages and counties only; a reason lists each condition not met (or unknown for missing data) with its values. Details are in results.xlsx."
        }
    }
}
