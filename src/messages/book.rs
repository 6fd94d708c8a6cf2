//! The words of the result workbook (`check --format xlsx`, `check --report`): sheet names,
//! the summary's labels, and the headers of the columns that are not rules.

use super::Lang;

/// A level's sheet name, and what its rows are counted in.
pub fn level_sheet(lang: Lang, level: &str) -> &'static str {
    match (lang, level) {
        (Lang::Zh, "county") => "县",
        (Lang::Zh, "village") => "村",
        (Lang::Zh, "household") => "农户",
        (Lang::Zh, _) => "人员",
        (Lang::En, "county") => "Counties",
        (Lang::En, "village") => "Villages",
        (Lang::En, "household") => "Households",
        (Lang::En, _) => "Persons",
    }
}

/// The summary sheet's name.
pub fn summary_sheet(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "汇总",
        Lang::En => "Summary",
    }
}

/// The summary's title line.
pub fn title(lang: Lang, pack: &str, year: i32) -> String {
    match lang {
        Lang::Zh => format!("{pack}：{year} 年检查结果"),
        Lang::En => format!("{pack}: results for {year}"),
    }
}

/// The labels of the summary's facts, in order: year, pack, register, written at, input
/// errors, rows set aside, rule errors.
pub fn facts(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Zh => ["评估年度", "规则包", "登记数据", "生成时间", "输入错误", "跳过的行", "规则运行错误"],
        Lang::En => ["Year", "Rule pack", "Register", "Written", "Input errors", "Rows set aside", "Rule errors"],
    }
}

/// The headings of the totals table: level, item, then 是, 否, 未知.
pub fn totals_heading(lang: Lang) -> (&'static str, [&'static str; 5]) {
    match lang {
        Lang::Zh => ("各层结果合计", ["层级", "项目", "是", "否", "未知"]),
        Lang::En => ("Totals by level", ["Level", "Item", "Yes", "No", "Unknown"]),
    }
}

/// The level as a word in the totals table, with its row count.
pub fn level_rows(lang: Lang, level: &str, rows: usize) -> String {
    let n = thousands(rows as u64);
    match (lang, level) {
        (Lang::Zh, "county") => format!("县（{n} 个）"),
        (Lang::Zh, "village") => format!("村（{n} 个）"),
        (Lang::Zh, "household") => format!("农户（{n} 户）"),
        (Lang::Zh, _) => format!("人员（{n} 人）"),
        (Lang::En, level) => format!("{level} ({n})"),
    }
}

/// A level whose exit verdict is counted among its poor rows: villages (poor ones), counties.
pub fn level_poor(lang: Lang, level: &str, rows: usize, poor: usize) -> String {
    let (n, p) = (thousands(rows as u64), thousands(poor as u64));
    match (lang, level) {
        (Lang::Zh, "village") => format!("村（{n} 个，其中贫困村 {p} 个）"),
        (Lang::Zh, _) => format!("县（{n} 个，其中贫困县 {p} 个）"),
        (Lang::En, level) => format!("{level} ({n}; {p} poor)"),
    }
}

/// The heading of the per-county table and its fixed columns.
pub fn by_county_heading(lang: Lang) -> (&'static str, [&'static str; 3]) {
    match lang {
        Lang::Zh => ("各县结果", ["县代码", "县名", "农户数"]),
        Lang::En => ("By county", ["County code", "County", "Households"]),
    }
}

/// A per-county column: an outcome of a rule (`是`/`否`/`未知`).
pub fn outcome_column(lang: Lang, rule: &str, outcome: Option<bool>) -> String {
    match (lang, outcome) {
        (Lang::Zh, Some(true)) => format!("{rule}：是"),
        (Lang::Zh, Some(false)) => format!("{rule}：否"),
        (Lang::Zh, None) => format!("{rule}：未知"),
        (Lang::En, Some(true)) => format!("{rule}: yes"),
        (Lang::En, Some(false)) => format!("{rule}: no"),
        (Lang::En, None) => format!("{rule}: unknown"),
    }
}

/// The chart of households by outcome per county.
pub fn chart_title(lang: Lang, rule: &str) -> String {
    match lang {
        Lang::Zh => format!("各县农户：{rule}"),
        Lang::En => format!("Households by county: {rule}"),
    }
}

pub fn households_axis(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "户数",
        Lang::En => "households",
    }
}

/// Headers of the columns that are not rules.
pub fn column(lang: Lang, what: Column) -> &'static str {
    use Column as C;
    match (lang, what) {
        (Lang::Zh, C::PersonId) => "公民身份号码",
        (Lang::Zh, C::Name) => "姓名",
        (Lang::Zh, C::HouseholdId) => "户编号",
        (Lang::Zh, C::Head) => "户主姓名",
        (Lang::Zh, C::VillageCode) => "村代码",
        (Lang::Zh, C::Village) => "村名",
        (Lang::Zh, C::CountyCode) => "县代码",
        (Lang::Zh, C::County) => "县名",
        (Lang::Zh, C::Status) => "脱贫状态",
        (Lang::Zh, C::PoorVillage) => "贫困村",
        (Lang::Zh, C::PoorCounty) => "贫困县类别",
        (Lang::Zh, C::Reasons) => "原因",
        (Lang::En, C::PersonId) => "person_id",
        (Lang::En, C::Name) => "name",
        (Lang::En, C::HouseholdId) => "household_id",
        (Lang::En, C::Head) => "head of household",
        (Lang::En, C::VillageCode) => "village_code",
        (Lang::En, C::Village) => "village",
        (Lang::En, C::CountyCode) => "county_code",
        (Lang::En, C::County) => "county",
        (Lang::En, C::Status) => "status",
        (Lang::En, C::PoorVillage) => "poor village",
        (Lang::En, C::PoorCounty) => "poor county",
        (Lang::En, C::Reasons) => "reasons",
    }
}

/// The columns of the level sheets that are not rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    PersonId,
    Name,
    HouseholdId,
    Head,
    VillageCode,
    Village,
    CountyCode,
    County,
    Status,
    PoorVillage,
    PoorCounty,
    Reasons,
}

/// The sheet written instead of a level past Excel's row limit.
/// The last row of a level sheet beside full result files.
pub fn first_rows_only(lang: Lang, shown: usize, more: usize, file: &str) -> String {
    let (shown, more) = (thousands(shown as u64), thousands(more as u64));
    match lang {
        Lang::Zh => format!("……为便于在 Excel 中查看，本表只列出前 {shown} 行；另有 {more} 行，完整结果见 {file}"),
        Lang::En => {
            format!("… this sheet lists the first {shown} rows, to stay usable in Excel; {more} more are in {file}")
        }
    }
}

pub fn too_many_rows(lang: Lang, rows: usize) -> String {
    let n = thousands(rows as u64);
    match lang {
        Lang::Zh => format!(
            "本层有 {n} 行，超过 Excel 一张表 1,048,576 行的上限，未写入本工作簿；完整结果请用 --format csv 或 parquet"
        ),
        Lang::En => format!(
            "This level has {n} rows, past Excel's limit of 1,048,576 per sheet, and is not in this workbook; use --format csv or parquet for the full results"
        ),
    }
}

/// A whole number with thousands separators: 12,345.
/// The last row of a sheet kept to its first `shown` rows to stay usable in Excel: how many
/// more there are (`unit`: 行, 条, 户) and the file with all of them.
pub fn sheet_cut(lang: Lang, shown: usize, more: usize, unit: (&str, &str), file: &str) -> String {
    let (shown, more) = (thousands(shown as u64), thousands(more as u64));
    match lang {
        Lang::Zh => {
            let u = unit.0;
            format!("……为便于在 Excel 中查看，本表只列出前 {shown} {u}；另有 {more} {u}，完整清单见 {file}")
        }
        Lang::En => {
            let u = unit.1;
            format!("… this sheet lists the first {shown} {u}, to stay usable in Excel; {more} more are in {file}")
        }
    }
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
