//! Code fields compared with labels: `健康状况 == "患有大病"` means `health == "03"`.
//!
//! Officers write the label they see in every export; the loader accepts it in a cell, so a
//! script accepts it too. After names are resolved, every comparison of a code field with
//! quoted text (`==`, `!=`, `in [...]`) is checked: a code stays, a label of that field is
//! replaced by its code, and anything else (text that is neither, or a number) is a
//! load-time error at the literal, listing the field's codes and labels. Never silently
//! false.
//!
//! The replacement is made in the script's text, padded with spaces to the label's width
//! so that every later position on the line is unchanged, and the script is compiled again;
//! `Rule::text` keeps what the officer wrote.

use rhai::{ASTNode, Expr};

use super::diagnostic::Diagnostic;
use super::{Pack, Ref};
use crate::messages::authoring as msgs;
use crate::register::Aliases;

/// A literal a code field is compared with.
enum Literal {
    Text(String),
    Number(String),
}

/// (variable as written, literal, line, column) of every comparison of a variable with a
/// literal by `==`, `!=` or `in [...]`.
fn comparisons(ast: &rhai::AST) -> Vec<(String, Literal, (usize, usize))> {
    let pos = |p: rhai::Position| (p.line().unwrap_or(1), p.position().unwrap_or(1));
    let lit = |e: &Expr| match e {
        Expr::StringConstant(s, p) => Some((Literal::Text(s.to_string()), pos(*p))),
        Expr::IntegerConstant(i, p) => Some((Literal::Number(i.to_string()), pos(*p))),
        Expr::FloatConstant(f, p) => Some((Literal::Number(f.to_string()), pos(*p))),
        _ => None,
    };
    let mut out = vec![];
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::FnCall(call, _))) = path.last() {
            match (call.name.as_str(), call.args.as_slice()) {
                ("==" | "!=", [Expr::Variable(x, ..), other]) | ("==" | "!=", [other, Expr::Variable(x, ..)]) => {
                    if let Some((l, p)) = lit(other) {
                        out.push((x.1.to_string(), l, p));
                    }
                }
                ("contains", [Expr::Array(items, _), Expr::Variable(x, ..)]) => {
                    for (l, p) in items.iter().filter_map(lit) {
                        out.push((x.1.to_string(), l, p));
                    }
                }
                _ => {}
            }
        }
        true
    });
    out
}

/// The byte offset of a 1-based line and character column in `text`.
fn offset(text: &str, line: usize, col: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = text.get(start..)?;
    rest.char_indices().nth(col.saturating_sub(1)).map(|(i, _)| start + i)
}

/// Check every comparison of a code field with a literal; replace labels by codes.
pub fn labels_to_codes(pack: &mut Pack, aliases: &Aliases, compiler: &rhai::Engine, diags: &mut Vec<Diagnostic>) {
    for rule in &mut pack.rules {
        let file = pack.dir.join(&rule.file).display().to_string();
        let mut replacements: Vec<(usize, usize, String)> = vec![];
        for (var, literal, (line, col)) in comparisons(&rule.ast) {
            let Some(Ref::Field(field)) = rule.reads.iter().find(|(n, _)| *n == var).map(|(_, r)| r.clone()) else {
                continue;
            };
            let Some(codes) = aliases.code_choices(rule.level, field) else { continue };
            let listed = || {
                codes.iter().map(|(c, l)| if l.is_empty() { c.clone() } else { format!("{c} {l}") }).collect::<Vec<_>>()
            };
            let at = |m| Diagnostic::at(&file, &rule.text, line, col, m);
            match literal {
                Literal::Number(n) => diags.push(at(msgs::code_compared_with_number(&var, &n, &listed()))),
                Literal::Text(s) => match aliases.code_in(rule.level, field, &s) {
                    Some(code) if code == s => {}
                    Some(code) => {
                        // The literal as written, quotes included, is replaced in place.
                        let Some(start) = offset(&rule.text, line, col) else { continue };
                        let rest = &rule.text[start..];
                        let Some(q) = rest.chars().next().filter(|c| matches!(c, '"' | '`')) else { continue };
                        let Some(end) = rest[1..].find(q).map(|e| start + e + 2) else { continue };
                        let written = rule.text[start..end].chars().count();
                        let mut with = format!("\"{code}\"");
                        let width = with.chars().count();
                        with.extend(std::iter::repeat_n(' ', written.saturating_sub(width)));
                        replacements.push((start, end, with));
                    }
                    None => diags.push(at(msgs::not_a_code_or_label(&var, &s, &listed()))),
                },
            }
        }
        if replacements.is_empty() {
            continue;
        }
        let mut text = rule.text.clone();
        replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (start, end, with) in replacements {
            text.replace_range(start..end, &with);
        }
        match compiler.compile(&text) {
            Ok(ast) => rule.ast = std::sync::Arc::new(ast),
            // Replacing a quoted literal by another cannot break the syntax; if it did, the
            // rule is refused rather than run as written.
            Err(e) => diags.push(Diagnostic::file(&file, msgs::relabel_failed(&e.to_string()))),
        }
    }
}
