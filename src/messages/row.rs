//! What can go wrong when a rule runs on one row (a row error), and how it is said.
//!
//! Evaluation builds a [`RowProblem`]; `rule_errors.csv` and the terminal say it in the
//! user's language. A script's own `throw "…"` text is the author's and is kept as written.

use super::Lang;

/// The kind of a value a script handled, for a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unknown,
    Number,
    Text,
    TrueFalse,
    ListOrMap,
}

/// Why a rule gave no outcome on a row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowProblem {
    /// The script ran past the operation limit.
    TooManyOperations(u64),
    /// Calls nested too deeply.
    NestedTooDeeply,
    /// A text, list or map grew past its limit (Rhai names what).
    TooLarge(String),
    /// The script's own `throw` text.
    Thrown(String),
    /// A whole-number operation overflowed.
    Overflow,
    /// No function of that name takes these kinds of values (Rhai's signature).
    NoFunction(String),
    /// Two values that cannot be compared.
    CannotCompare { left: Kind, right: Kind, op: String },
    /// `and`/`or`/`not` on something that is not 是/否.
    NeedsTrueFalse { op: String, found: Kind },
    /// An aggregation this level does not have.
    NotAvailable { func: String, arg: String },
    /// A 判断 rule gave something other than 是/否/unknown.
    PredicateGave(String),
    /// A 数值 rule gave something other than a number or unknown.
    ValueGave(String),
    /// A number rule's result is infinite or not a number.
    NotFinite(f64),
    /// Anything else, in Rhai's words.
    Other(String),
}

fn kind(lang: Lang, k: Kind) -> &'static str {
    match (lang, k) {
        (Lang::Zh, Kind::Unknown) => "未知",
        (Lang::Zh, Kind::Number) => "数字",
        (Lang::Zh, Kind::Text) => "文字",
        (Lang::Zh, Kind::TrueFalse) => "是/否",
        (Lang::Zh, Kind::ListOrMap) => "列表或映射",
        (Lang::En, Kind::Unknown) => "unknown",
        (Lang::En, Kind::Number) => "a number",
        (Lang::En, Kind::Text) => "text",
        (Lang::En, Kind::TrueFalse) => "true/false",
        (Lang::En, Kind::ListOrMap) => "a list or map",
    }
}

/// A row error in words.
pub fn say(lang: Lang, p: &RowProblem) -> String {
    use RowProblem as P;
    match (lang, p) {
        (Lang::Zh, P::TooManyOperations(n)) => format!("运算超过 {n} 步后停止（是否写成了死循环？）"),
        (Lang::En, P::TooManyOperations(n)) => format!("stopped after {n} operations (an endless loop?)"),
        (Lang::Zh, P::NestedTooDeeply) => "函数调用嵌套过深".into(),
        (Lang::En, P::NestedTooDeeply) => "calls nested too deeply".into(),
        (Lang::Zh, P::TooLarge(what)) => format!("数据过大（{what}）"),
        (Lang::En, P::TooLarge(what)) => format!("{what} too large"),
        (_, P::Thrown(text)) => text.clone(),
        (Lang::Zh, P::Overflow) => "整数结果过大（超出 ±9,223,372,036,854,775,807，溢出）：\
             请检查本规则相加或相乘的数，或改用小数（写 4.0 而不是 4）"
            .into(),
        (Lang::En, P::Overflow) => "a whole-number result is too large (beyond ±9,223,372,036,854,775,807, overflow): \
             check the numbers this rule adds or multiplies, or use decimals (4.0 rather than 4)"
            .into(),
        (Lang::Zh, P::NoFunction(sig)) => {
            format!("没有函数 `{sig}`：请检查函数名，以及传入的值是否是它接受的类型（数字和文字不能相加）")
        }
        (Lang::En, P::NoFunction(sig)) => format!(
            "no function `{sig}`: check the function's name, and that its values are of the kinds it takes (a number and text cannot be added)"
        ),
        (Lang::Zh, P::CannotCompare { left, right, op }) => {
            format!("不能比较{}和{}（`{op}`）", kind(lang, *left), kind(lang, *right))
        }
        (Lang::En, P::CannotCompare { left, right, op }) => {
            format!("cannot compare {} with {} (`{op}`)", kind(lang, *left), kind(lang, *right))
        }
        (Lang::Zh, P::NeedsTrueFalse { op, found }) => format!("`{op}` 两边都应是 是/否，却是{}", kind(lang, *found)),
        (Lang::En, P::NeedsTrueFalse { op, found }) => {
            format!("`{op}` needs 是/否 (true/false) on each side, found {}", kind(lang, *found))
        }
        (Lang::Zh, P::NotAvailable { func, arg }) => format!("此处不能用 {func}(\"{arg}\")"),
        (Lang::En, P::NotAvailable { func, arg }) => format!("{func}(\"{arg}\") is not available here"),
        (Lang::Zh, P::PredicateGave(t)) => format!("判断规则的结果应是 是/否/未知，却得到 {t}"),
        (Lang::En, P::PredicateGave(t)) => format!("a 判断 rule must give true/false/unknown, but gave a {t}"),
        (Lang::Zh, P::ValueGave(t)) => format!("数值规则的结果应是数字或未知，却得到 {t}"),
        (Lang::En, P::ValueGave(t)) => format!("a 数值 rule must give a number or unknown, but gave a {t}"),
        (Lang::Zh, P::NotFinite(x)) => format!("结果 {x} 不是有限的数"),
        (Lang::En, P::NotFinite(x)) => format!("the result {x} is not a finite number"),
        (_, P::Other(text)) => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_name_the_kinds() {
        let p = RowProblem::CannotCompare { left: Kind::Text, right: Kind::Number, op: ">".into() };
        assert_eq!(say(Lang::En, &p), "cannot compare text with a number (`>`)");
        assert_eq!(say(Lang::Zh, &p), "不能比较文字和数字（`>`）");
    }
}
