//! Dated parameters: every threshold of a pack with its values by year, unit and source.
//!
//! A value applies from its year until the next value's year; the pack's last covered year
//! ends the last one. A parameter may begin in any year of its pack: before its first value
//! it is *unknown* (a rule reading it is 未知 unless guarded by the year, `年度 >= 2021 且 …`),
//! and it may end: `"none"` (or `"无"`) from a year on makes it unknown again. `lint` warns
//! where a rule reads a parameter in a year it is unknown without a guard.
//!
//! ```toml
//! [poverty_line]
//! alias = "扶贫标准"
//! title = "扶贫标准（识别和退出的收入线）"
//! unit = "元/人·年"
//! source = "湘扶办发〔2014〕6号"
//! values = { 2014 = 2736, 2015 = 2855, 2020 = 4000 }
//! # A value that came from another document may carry its own source:
//! sources = { 2020 = "湘扶发〔2020〕3号" }
//!
//! [monitor_line]               # a standard that starts in 2021 and ends after 2025
//! values = { 2021 = 5000, 2026 = "none" }
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::diagnostic::{Diagnostic, line_col};
use crate::messages::pack;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    #[serde(default)]
    alias: Option<String>,
    title: String,
    #[serde(default)]
    unit: Option<String>,
    source: String,
    values: BTreeMap<String, RawValue>,
    /// The source of a dated value that came from another document than `source`.
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default)]
    builtin: bool,
}

/// A dated value as written: a number, or a word that ends the parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawValue {
    Number(f64),
    Word(String),
}

/// The words that end a parameter from a year on.
pub const ENDS: [&str; 2] = ["none", "无"];

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// Its Chinese name, usable in scripts: `参数("扶贫标准")`.
    pub alias: Option<String>,
    pub title: String,
    pub unit: Option<String>,
    pub source: String,
    /// From year → value; `None` ends the parameter from that year (unknown).
    pub values: BTreeMap<i32, Option<f64>>,
    /// From year → the source of that value, where it is not `source`.
    pub value_sources: BTreeMap<i32, String>,
    /// 1-based line of its table in the file, for messages.
    pub line: usize,
    /// Read by a built-in check rather than a rule (`builtin = true`): `lint` does not call it
    /// unused.
    pub builtin: bool,
}

impl Parameter {
    /// The value in force in `year`; `None` (unknown) before its first value, after it
    /// ended, and after `last_year`.
    pub fn value_in(&self, year: i32, last_year: i32) -> Option<f64> {
        if year > last_year {
            return None;
        }
        self.values.range(..=year).next_back().and_then(|(_, v)| *v)
    }

    /// The years of `first..=last` in which the parameter is unknown.
    pub fn unknown_years(&self, first: i32, last: i32) -> Vec<i32> {
        (first..=last).filter(|&y| self.value_in(y, last).is_none()).collect()
    }

    /// The source of the value in force in `year`: its own, or the parameter's.
    pub fn source_in(&self, year: i32) -> &str {
        let from = self.values.range(..=year).next_back().map(|(y, _)| *y);
        from.and_then(|y| self.value_sources.get(&y)).map_or(self.source.as_str(), String::as_str)
    }

    pub fn first_year(&self) -> Option<i32> {
        self.values.keys().next().copied()
    }
}

/// All parameters of a pack.
#[derive(Debug, Clone, Default)]
pub struct Parameters {
    pub file: String,
    pub params: BTreeMap<String, Parameter>,
}

impl Parameters {
    pub fn parse(file: &str, text: &str) -> Result<Parameters, Box<Diagnostic>> {
        let raw: BTreeMap<String, RawParam> = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            Box::new(Diagnostic::at(
                file,
                text,
                line,
                col,
                pack::params_toml_error(e.message(), text.lines().nth(line - 1).unwrap_or_default()),
            ))
        })?;
        let mut params = BTreeMap::new();
        for (name, p) in raw {
            let line = find_table_line(text, &name);
            let mut values = BTreeMap::new();
            for (y, v) in p.values {
                let year: i32 =
                    y.trim().parse().map_err(|_| Diagnostic::at(file, text, line, 1, pack::not_a_year(&name, &y)))?;
                let v = match v {
                    RawValue::Number(v) => v,
                    RawValue::Word(w) if ENDS.contains(&w.trim()) => {
                        values.insert(year, None);
                        continue;
                    }
                    RawValue::Word(w) => {
                        return Err(Box::new(Diagnostic::at(
                            file,
                            text,
                            line,
                            1,
                            pack::parameter_word(&name, year, &w),
                        )));
                    }
                };
                if !v.is_finite() {
                    return Err(Box::new(Diagnostic::at(
                        file,
                        text,
                        line,
                        1,
                        pack::parameter_not_finite(&name, year, v),
                    )));
                }
                values.insert(year, Some(v));
            }
            if values.is_empty() {
                return Err(Box::new(Diagnostic::at(file, text, line, 1, pack::no_values(&name))));
            }
            let mut value_sources = BTreeMap::new();
            for (y, src) in p.sources {
                // A source for a year that has no value of its own would cite nothing.
                let year = y.trim().parse::<i32>().ok().filter(|y| values.contains_key(y));
                let year =
                    year.ok_or_else(|| Diagnostic::at(file, text, line, 1, pack::source_without_value(&name, &y)))?;
                value_sources.insert(year, src);
            }
            params.insert(
                name.clone(),
                Parameter {
                    name,
                    alias: p.alias,
                    title: p.title,
                    unit: p.unit,
                    source: p.source,
                    values,
                    value_sources,
                    line,
                    builtin: p.builtin,
                },
            );
        }
        Ok(Parameters { file: file.to_string(), params })
    }

    /// A parameter by its name or Chinese alias.
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.params.get(name).or_else(|| self.params.values().find(|p| p.alias.as_deref() == Some(name)))
    }
}

fn find_table_line(text: &str, name: &str) -> usize {
    let header = format!("[{name}]");
    text.lines().position(|l| l.trim() == header).map(|i| i + 1).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[poverty_line]\nalias = \"扶贫标准\"\ntitle = \"t\"\nsource = \"s\"\nvalues = { 2014 = 2736, 2019 = 3400, 2020 = 4000 }\n";

    #[test]
    fn the_value_in_force_is_the_latest_not_after_the_year() {
        let p = Parameters::parse("p.toml", TEXT).unwrap();
        let line = p.get("扶贫标准").unwrap();
        assert_eq!(line.value_in(2014, 2020), Some(2736.0));
        assert_eq!(line.value_in(2018, 2020), Some(2736.0));
        assert_eq!(line.value_in(2019, 2020), Some(3400.0));
        assert_eq!(line.value_in(2020, 2020), Some(4000.0));
        assert_eq!(line.value_in(2013, 2020), None);
        assert_eq!(line.value_in(2021, 2020), None);
    }

    #[test]
    fn a_parameter_may_begin_late_and_end() {
        let text = "[monitor_line]\ntitle = \"t\"\nsource = \"s\"\nvalues = { 2021 = 5000, 2024 = \"none\" }\n";
        let p = Parameters::parse("p.toml", text).unwrap();
        let m = p.get("monitor_line").unwrap();
        assert_eq!(m.value_in(2020, 2025), None);
        assert_eq!(m.value_in(2021, 2025), Some(5000.0));
        assert_eq!(m.value_in(2023, 2025), Some(5000.0));
        assert_eq!(m.value_in(2024, 2025), None);
        assert_eq!(m.unknown_years(2019, 2025), vec![2019, 2020, 2024, 2025]);
        let bad = text.replace("\"none\"", "\"later\"");
        let e = Parameters::parse("p.toml", &bad).unwrap_err();
        assert!(e.message.zh.contains("later"), "{}", e.message.zh);
    }

    #[test]
    fn an_unknown_key_names_its_line() {
        let text = "[poverty_line]\ntitle = \"t\"\nsource = \"s\"\nvalue = 3\nvalues = { 2014 = 1 }\n";
        let e = Parameters::parse("p.toml", text).unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (4, "p.toml"));
        assert!(e.message.en.contains("unknown field `value`"), "{}", e.message.en);
    }

    #[test]
    fn a_dated_value_may_carry_its_own_source() {
        let text = "[poverty_line]\ntitle = \"t\"\nsource = \"湘扶办发〔2014〕6号\"\nvalues = { 2014 = 2736, 2020 = 4000 }\nsources = { 2020 = \"湘扶发〔2020〕3号\" }\n";
        let p = Parameters::parse("parameters.toml", text).unwrap();
        let line = p.get("poverty_line").unwrap();
        assert_eq!(line.source_in(2019), "湘扶办发〔2014〕6号");
        assert_eq!(line.source_in(2020), "湘扶发〔2020〕3号");
        // A source for a year with no value is an error naming the parameter.
        let bad = text.replace("{ 2020 = \"", "{ 2019 = \"");
        let e = Parameters::parse("parameters.toml", &bad).unwrap_err();
        assert!(e.message.zh.contains("poverty_line") && e.message.zh.contains("2019"), "{}", e.message.zh);
    }
}
