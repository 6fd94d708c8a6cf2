//! Load-time diagnostics for rule packs, in the style of a compiler: `file:line:col`, the
//! source line, a caret under the problem, and a hint.

use std::fmt;

/// One problem in a rule pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The source line, when known.
    pub source_line: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem at a position of `text` (1-based line and column).
    pub fn at(
        file: &str,
        text: &str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line,
            col,
            source_line: text.lines().nth(line.saturating_sub(1)).map(str::to_string),
            message: message.into(),
            hint: None,
        }
    }

    /// A problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            col: 0,
            source_line: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, h: impl Into<String>) -> Diagnostic {
        self.hint = Some(h.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            writeln!(f, "{}: {}", self.file, self.message)?;
        } else {
            writeln!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )?;
        }
        if let Some(src) = &self.source_line {
            let gutter = format!("{} | ", self.line);
            writeln!(f, "{gutter}{src}")?;
            // The caret sits under the column, counting characters, not bytes.
            let pad: String = src
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| {
                    if c == '\t' {
                        '\t'
                    } else if c.len_utf8() > 1 {
                        '　'
                    } else {
                        ' '
                    }
                })
                .collect();
            writeln!(f, "{}{pad}^", " ".repeat(gutter.chars().count()))?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "  = {h}")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Several diagnostics as one block of text.
pub fn render_all(ds: &[Diagnostic]) -> String {
    ds.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caret_points_at_the_column() {
        let d = Diagnostic::at(
            "household/x.rhai",
            "a\nfoo >= bar\n",
            2,
            8,
            "unknown name `bar`",
        )
        .hint("check the spelling");
        assert_eq!(
            d.to_string(),
            "household/x.rhai:2:8: unknown name `bar`\n2 | foo >= bar\n           ^\n  = check the spelling\n"
        );
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
