//! What a policy officer reads while writing a pack: codes and labels in scripts, years and
//! parameters over time, names suggested across languages, TOML and script syntax said in
//! Chinese with what to write instead.

use super::{Msg, msg};

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
    msg(format!("把标签换成代码后规则无法编译：{e}"), format!("the rule does not compile once labels are replaced by codes: {e}"))
}
