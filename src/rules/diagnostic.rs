//! Load-time diagnostics and lint warnings for rule packs, in the style of a compiler:
//! `file:line:col`, the source line, a caret under the problem, and a hint, in Chinese or
//! English (the texts are in `messages::pack`).

use std::fmt;

use crate::messages::{Lang, Msg, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a rule pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The source line, when known.
    pub source_line: Option<String>,
    pub severity: Severity,
    /// A lint warning's code (`W001`…).
    pub code: Option<&'static str>,
    pub message: Text,
    pub hint: Option<Text>,
}

impl Diagnostic {
    /// A problem at a position of `text` (1-based line and column).
    pub fn at(file: &str, text: &str, line: usize, col: usize, m: Msg) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line,
            col,
            source_line: text.lines().nth(line.saturating_sub(1)).map(str::to_string),
            severity: Severity::Error,
            code: None,
            message: m.message,
            hint: m.hint,
        }
    }

    /// A problem with a whole file.
    pub fn file(file: &str, m: Msg) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            col: 0,
            source_line: None,
            severity: Severity::Error,
            code: None,
            message: m.message,
            hint: m.hint,
        }
    }

    /// Make this a warning with a code.
    pub fn warning(mut self, code: &'static str) -> Diagnostic {
        self.severity = Severity::Warning;
        self.code = Some(code);
        self
    }

    /// The diagnostic as text in a language.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        let label = match (self.severity, lang, self.code) {
            (Severity::Error, _, _) => String::new(),
            (Severity::Warning, _, code) => crate::messages::warning_label(lang, code),
        };
        if self.line == 0 {
            out.push_str(&format!("{}: {label}{}\n", self.file, self.message.get(lang)));
        } else {
            out.push_str(&format!("{}:{}:{}: {label}{}\n", self.file, self.line, self.col, self.message.get(lang)));
        }
        if let Some(src) = &self.source_line {
            let gutter = format!("{} | ", self.line);
            out.push_str(&format!("{gutter}{src}\n"));
            // The caret sits under the column: wide characters take two columns.
            let pad: String = src
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| {
                    if c == '\t' {
                        "\t"
                    } else if (c as u32) >= 0x1100 {
                        "  "
                    } else {
                        " "
                    }
                })
                .collect();
            out.push_str(&format!("{}{pad}^\n", " ".repeat(gutter.chars().count())));
        }
        if let Some(h) = &self.hint {
            out.push_str(&format!("  = {}\n", h.get(lang)));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Several diagnostics as one block of text.
pub fn render_all(ds: &[Diagnostic], lang: Lang) -> String {
    ds.iter().map(|d| d.render(lang)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::pack;

    #[test]
    fn a_caret_points_at_the_column_in_both_languages() {
        let d =
            Diagnostic::at("household/x.rhai", "a\nfoo >= bar\n", 2, 8, pack::unknown_name("bar", "household", &[]));
        assert_eq!(
            d.render(Lang::En),
            "household/x.rhai:2:8: unknown name `bar`: not a field, rule or parameter of the household level\n2 | foo >= bar\n           ^\n  = tuopin fields --level household lists the fields, rules and parameters of this level (Chinese or English names both work)\n"
        );
        assert_eq!(
            d.render(Lang::Zh),
            "household/x.rhai:2:8: 未知的名称 `bar`：不是农户层的字段、规则或参数\n2 | foo >= bar\n           ^\n  = 运行 tuopin fields --level household 可列出本层的字段、规则和参数（中文名和英文名都可以用）\n"
        );
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
