//! The `reasons` column in words, with the values read: a failed condition that compares a
//! number with a threshold is said with both (`村贫困发生率 4.05%，高于 贫困村贫困发生率上限
//! 2%`, `人均纯收入 3,333.33 元，低于 扶贫标准 4,000 元，差 666.67 元`), a 是/否 field by
//! its header (`通路：否`).
//!
//! Evaluation keeps each distinct reason once (rules that failed, were unknown, flags
//! raised); this module says them per row, reading the values of the row for the rules whose
//! conditions it can name (a script that is one `and` of comparisons, fields and rules).
//! Anything else keeps the rule's own verdict (`住房安全有保障：否`).

use std::collections::HashMap;

use polars::prelude::*;

use crate::eval::LevelOutcome;
use crate::eval::reasons::Part;
use crate::messages::{self, Lang};
use crate::register::{Aliases, Register};
use crate::rules::Pack;
use crate::rules::analysis::{Condition, Operand, conditions};

/// A reason in the user's language: rules by title (by name in English, titles being
/// Chinese), fields by the register's Chinese header (by name in English).
pub fn say_reason(
    pack: &Pack,
    table: crate::register::Table,
    parts: &[crate::eval::reasons::Part],
    lang: Lang,
    aliases: &crate::register::Aliases,
) -> String {
    use crate::eval::reasons::{Missing, Part};
    let title = |r: usize| {
        let rule = &pack.rules[r];
        match lang {
            Lang::Zh if !rule.title.is_empty() => rule.title.as_str(),
            _ => rule.name.as_str(),
        }
    };
    let missing = |m: &Missing| match m {
        Missing::Field(f) => match (lang, aliases.header(table, f)) {
            (Lang::Zh, Some(h)) => h.to_string(),
            _ => f.to_string(),
        },
        Missing::Aggregate(func, arg) if arg.is_empty() => format!("{func}()"),
        Missing::Aggregate(func, arg) => format!("{func}(\"{arg}\")"),
    };
    let said: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Part::Failed(r) => messages::reason_failed(lang, title(*r)),
            Part::Unknown(r, m) => {
                messages::reason_unknown(lang, title(*r), &m.iter().map(missing).collect::<Vec<_>>())
            }
            Part::Flag(r) => messages::reason_flag(lang, title(*r)),
        })
        .collect();
    said.join(messages::reason_separator(lang))
}

/// How a number is written, by its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit<'a> {
    Money,
    Share,
    Other(&'a str),
    None,
}

fn unit_of(u: Option<&str>) -> Unit<'_> {
    match u {
        Some(u) if u.starts_with('元') => Unit::Money,
        Some("%" | "比例") => Unit::Share,
        Some(u) if !u.is_empty() => Unit::Other(u),
        _ => Unit::None,
    }
}

/// A number with thousands separators and at most two decimals, trailing zeros dropped
/// (money keeps both decimals unless it is whole: 2,961.10 元, 4,000 元).
fn number(v: f64, money: bool) -> String {
    let a = v.abs();
    // Hundredths by integer arithmetic when the rounding is not in doubt (the hundredths are
    // not within a millionth of a half, and the number is below ten million); else as
    // `format!("{:.2}")` rounds. Millions of reasons are written: format! took half the time.
    let x = a * 100.0;
    let f = x - x.floor();
    let cents = if a < 1e7 && (f - 0.5).abs() > 1e-6 {
        x.round() as u64
    } else {
        let s = format!("{a:.2}");
        let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
        int.parse::<u64>().unwrap_or(0) * 100 + frac.parse::<u64>().unwrap_or(0)
    };
    let (int, frac) = (cents / 100, cents % 100);
    let mut out = String::with_capacity(16);
    if v < 0.0 && cents != 0 {
        out.push('-');
    }
    out.push_str(&messages::book::thousands(int));
    if frac != 0 {
        out.push('.');
        out.push(char::from(b'0' + (frac / 10) as u8));
        if money || frac % 10 != 0 {
            out.push(char::from(b'0' + (frac % 10) as u8));
        }
    }
    out
}

fn with_unit(v: f64, unit: Unit, lang: Lang) -> String {
    match unit {
        Unit::Money if lang == Lang::En => format!("{} yuan", number(v, true)),
        Unit::Money => format!("{} 元", number(v, true)),
        Unit::Share => format!("{}%", number(v * 100.0, false)),
        // A year is written as a year (2019 年), not as a count (2,019 年).
        Unit::Other("年") if v.fract() == 0.0 => format!("{v} 年"),
        Unit::Other(u) => format!("{} {u}", number(v, false)),
        Unit::None => number(v, false),
    }
}

/// A number as people write it, by its unit (`元` money, `%` share, `人`…).
pub fn shown(v: f64, unit: Option<&str>, lang: Lang) -> String {
    with_unit(v, unit_of(unit), lang)
}

/// A number with its unit written in full (`3,400 元/人·年`), for a table of parameters.
pub fn shown_in_full(v: f64, unit: Option<&str>, lang: Lang) -> String {
    match unit {
        Some(u) if u.starts_with('元') => format!("{} {u}", number(v, true)),
        _ => shown(v, unit, lang),
    }
}

/// Says the reasons of one level, row by row.
pub struct Sayer<'a> {
    level: &'a LevelOutcome,
    lang: Lang,
    register: Option<&'a Register>,
    /// Each distinct reason in words (the rule's verdict where no values are needed).
    said: Vec<String>,
    /// Per distinct reason that has a failed rule whose conditions can be named: each of its
    /// parts in words, said once (a row says only the failed conditions again, with its values).
    detailed: Vec<Option<Vec<String>>>,
    /// The conditions of those failed rules, their names and values looked up once (a row
    /// reads its values by index: 1M households, the reasons column 0.27 → … s).
    conditions: HashMap<usize, Option<Vec<Said<'a>>>>,
}

/// A number a condition reads, by row.
enum Number<'a> {
    /// A rule of the level.
    Rule(&'a Values),
    /// A numeric field (as 64-bit floats, one chunk).
    Field(Float64Chunked),
    /// A parameter or a literal (`None`: a parameter without a value in the year).
    Fixed(Option<f64>),
    /// Any other field, read cell by cell.
    Cells(&'a Column),
    /// Not in the register (every row unknown).
    Absent,
}

impl Number<'_> {
    fn at(&self, i: usize) -> Option<f64> {
        match self {
            Number::Rule(v) => v.get(i)?.as_f64(),
            Number::Field(c) => c.get(i),
            Number::Fixed(v) => *v,
            Number::Cells(c) => c.get(i).ok()?.extract::<f64>(),
            Number::Absent => None,
        }
    }
}

/// A condition of a rule, ready to be said for any row.
enum Said<'a> {
    Compare {
        left: Number<'a>,
        right: Number<'a>,
        op: String,
        unit: Unit<'a>,
        ln: String,
        rn: String,
    },
    /// A 是/否 field (`None`: not in the register).
    Field(Option<BooleanChunked>, String),
    Rule(Option<&'a Values>, String),
    /// Whether the field is empty, per row (`None`: not in the register, empty everywhere).
    Known(Option<BooleanChunked>, String),
}

use crate::eval::Values;

impl<'a> Sayer<'a> {
    pub fn new(
        pack: &'a Pack,
        level: &'a LevelOutcome,
        year: i32,
        lang: Lang,
        aliases: &'a Aliases,
        register: Option<&'a Register>,
    ) -> Option<Sayer<'a>> {
        let reasons = level.reasons.as_ref()?;
        let said = reasons.distinct.iter().map(|p| say_reason(pack, level.table, p, lang, aliases)).collect();
        let mut conds: HashMap<usize, Vec<Condition>> = HashMap::new();
        let detailed = reasons
            .distinct
            .iter()
            .map(|parts| {
                // Every failed rule's conditions are prepared (not only up to the first that
                // can be named: a row's reason must not depend on which other rows the
                // register has).
                let mut named = false;
                for p in parts {
                    if let Part::Failed(r) = p {
                        let c = conds.entry(*r).or_insert_with(|| conditions(&pack.rules[*r]));
                        named |= c.iter().any(|c| {
                            matches!(c, Condition::Compare { .. } | Condition::Field(_) | Condition::Known(_))
                        });
                    }
                }
                named.then(|| {
                    parts
                        .iter()
                        .map(|p| say_reason(pack, level.table, std::slice::from_ref(p), lang, aliases))
                        .collect()
                })
            })
            .collect();
        let params = pack.values_for_year(year).unwrap_or_default();
        let names = Names { pack, level, lang, aliases, register, params: &params };
        let conditions = conds.into_iter().map(|(r, c)| (r, names.prepare(&c))).collect();
        Some(Sayer { level, lang, register, said, detailed, conditions })
    }

    /// The reason of row `i`.
    pub fn row(&self, i: usize) -> std::borrow::Cow<'_, str> {
        let Some(reasons) = &self.level.reasons else { return "".into() };
        let Some(&d) = reasons.of_row.get(i) else { return "".into() };
        let d = d as usize;
        let (Some(Some(part_texts)), Some(_)) = (self.detailed.get(d), self.register) else {
            return self.said.get(d).map_or("", String::as_str).into();
        };
        let separator = messages::reason_separator(self.lang);
        let mut text = String::with_capacity(128);
        let mut push = |t: &str| {
            if !text.is_empty() {
                text.push_str(separator);
            }
            text.push_str(t);
        };
        for (p, said) in reasons.distinct[d].iter().zip(part_texts) {
            match p {
                Part::Failed(r) => match self.failed(*r, i) {
                    Some(items) if !items.is_empty() => items.iter().for_each(|t| push(t)),
                    _ => push(said),
                },
                _ => push(said),
            }
        }
        text.into()
    }

    /// The conditions of rule `r` that are not true on row `i`, in words; `None` when one of
    /// them cannot be said (the rule's own verdict is said instead).
    fn failed(&self, r: usize, i: usize) -> Option<Vec<String>> {
        let conds = self.conditions.get(&r)?.as_ref()?;
        let lang = self.lang;
        let mut out = vec![];
        for c in conds {
            match c {
                Said::Compare { left, right, op, unit, ln, rn } => match (left.at(i), right.at(i)) {
                    (Some(a), Some(b)) => {
                        if !crate::rules::analysis::holds(op, a, b) {
                            let (av, bv) = (with_unit(a, *unit, lang), with_unit(b, *unit, lang));
                            let short = matches!(op.as_str(), ">=" | ">") && *unit == Unit::Money;
                            let by = short.then(|| with_unit(b - a, *unit, lang));
                            out.push(messages::reason_compare(lang, ln, &av, op, rn, &bv, by.as_deref()));
                        }
                    }
                    (None, _) => out.push(messages::reason_unknown(lang, ln, &[])),
                    (_, None) => out.push(messages::reason_unknown(lang, rn, &[])),
                },
                Said::Field(values, name) => match values.as_ref().and_then(|v| v.get(i)) {
                    Some(true) => {}
                    Some(false) => out.push(messages::reason_failed(lang, name)),
                    None => out.push(messages::reason_unknown(lang, name, &[])),
                },
                Said::Rule(values, name) => match values.and_then(|v| v.get(i)).and_then(|v| v.as_bool()) {
                    Some(true) => {}
                    Some(false) => out.push(messages::reason_failed(lang, name)),
                    None => out.push(messages::reason_unknown(lang, name, &[])),
                },
                Said::Known(empty, name) => {
                    if empty.as_ref().is_none_or(|e| e.get(i) != Some(false)) {
                        out.push(messages::reason_empty(lang, name));
                    }
                }
            }
        }
        Some(out)
    }
}

/// Names and values of conditions, looked up once for a level.
struct Names<'a, 'p> {
    pack: &'a Pack,
    level: &'a LevelOutcome,
    lang: Lang,
    aliases: &'a Aliases,
    register: Option<&'a Register>,
    params: &'p HashMap<String, f64>,
}

impl<'a> Names<'a, '_> {
    /// A rule's conditions ready to say; `None` when one of them cannot be said.
    fn prepare(&self, conds: &[Condition]) -> Option<Vec<Said<'a>>> {
        conds
            .iter()
            .map(|c| {
                Some(match c {
                    Condition::Compare { left, op, right } => Said::Compare {
                        left: self.number(left),
                        right: self.number(right),
                        op: op.clone(),
                        unit: match self.unit(left) {
                            Unit::None => self.unit(right),
                            u => u,
                        },
                        ln: self.name(left),
                        rn: self.name(right),
                    },
                    Condition::Field(f) => Said::Field(
                        self.column(f).and_then(|c| c.bool().ok()).map(|b| b.rechunk().into_owned()),
                        self.field_name(f),
                    ),
                    Condition::Rule(q) => Said::Rule(self.level.values(*q), self.rule_name(*q)),
                    Condition::Known(f) => {
                        Said::Known(self.column(f).map(|c| c.is_null().rechunk().into_owned()), self.field_name(f))
                    }
                    Condition::Other => return None,
                })
            })
            .collect()
    }

    fn rule_name(&self, r: usize) -> String {
        let rule = &self.pack.rules[r];
        match self.lang {
            Lang::Zh => rule.alias.clone().filter(|a| !a.is_empty()).unwrap_or_else(|| rule.title.clone()),
            Lang::En => rule.name.clone(),
        }
    }

    fn field_name(&self, f: &str) -> String {
        match (self.lang, self.aliases.header(self.level.table, f)) {
            (Lang::Zh, Some(h)) => h.to_string(),
            _ => f.to_string(),
        }
    }

    fn name(&self, o: &Operand) -> String {
        match o {
            Operand::Rule(r) => self.rule_name(*r),
            Operand::Field(f) => self.field_name(f),
            Operand::Param(p) => match (self.lang, self.pack.params.get(p)) {
                (Lang::Zh, Some(p)) => p.alias.clone().unwrap_or_else(|| p.title.clone()),
                (Lang::En, Some(p)) => p.name.clone(),
                (_, None) => p.clone(),
            },
            Operand::Number(_) => String::new(),
        }
    }

    fn unit(&self, o: &Operand) -> Unit<'a> {
        match o {
            Operand::Rule(r) => unit_of(self.pack.rules[*r].unit.as_deref()),
            Operand::Param(p) => unit_of(self.pack.params.get(p).and_then(|p| p.unit.as_deref())),
            _ => Unit::None,
        }
    }

    fn column(&self, f: &str) -> Option<&'a Column> {
        let lt = self.register?.table(self.level.table)?;
        if lt.frame.height() != self.level.len() {
            return None;
        }
        lt.frame.column(f).ok()
    }

    fn number(&self, o: &Operand) -> Number<'a> {
        match o {
            Operand::Rule(r) => self.level.values(*r).map_or(Number::Absent, Number::Rule),
            // A numeric field as floats, once; any other read cell by cell.
            Operand::Field(f) => match self.column(f) {
                Some(c) if c.dtype().is_primitive_numeric() => match c.cast(&DataType::Float64) {
                    Ok(f) => f.f64().map_or(Number::Cells(c), |v| Number::Field(v.rechunk().into_owned())),
                    Err(_) => Number::Cells(c),
                },
                Some(c) => Number::Cells(c),
                None => Number::Absent,
            },
            Operand::Param(p) => {
                let name = self.pack.params.get(p).map_or(p.as_str(), |p| p.name.as_str());
                Number::Fixed(self.params.get(name).copied())
            }
            Operand::Number(v) => Number::Fixed(Some(*v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_people_write_them() {
        assert_eq!(with_unit(2961.1, Unit::Money, Lang::Zh), "2,961.10 元");
        assert_eq!(with_unit(4000.0, Unit::Money, Lang::Zh), "4,000 元");
        assert_eq!(with_unit(10000.0 / 3.0, Unit::Money, Lang::En), "3,333.33 yuan");
        assert_eq!(with_unit(0.022879707325571267, Unit::Share, Lang::Zh), "2.29%");
        assert_eq!(with_unit(0.02, Unit::Share, Lang::Zh), "2%");
        assert_eq!(with_unit(-1.5, Unit::Other("人"), Lang::Zh), "-1.5 人");
        assert_eq!(with_unit(-0.001, Unit::Money, Lang::Zh), "0 元");
        assert_eq!(with_unit(0.5, Unit::Money, Lang::Zh), "0.50 元");
        assert_eq!(with_unit(0.05, Unit::Money, Lang::Zh), "0.05 元");
        assert_eq!(with_unit(1234567.891, Unit::None, Lang::Zh), "1,234,567.89");
        assert_eq!(with_unit(0.125, Unit::None, Lang::Zh), "0.12");
        assert_eq!(with_unit(2.675, Unit::None, Lang::Zh), "2.67");
        assert_eq!(with_unit(3e9, Unit::Money, Lang::Zh), "3,000,000,000 元");
    }

    /// Every hundredth, and numbers near the halves, as `format!("{:.2}")` rounds them.
    #[test]
    fn numbers_round_as_format_does() {
        let reference = |v: f64, money: bool| {
            let s = format!("{:.2}", v.abs());
            let (int, frac) = s.split_once('.').unwrap();
            let frac = if money && frac != "00" { frac } else { frac.trim_end_matches('0') };
            let int = messages::book::thousands(int.parse::<u64>().unwrap());
            let sign = if v < 0.0 && s != "0.00" { "-" } else { "" };
            if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
        };
        let mut x = 0x2545F4914F6CDD1Du64;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => (x % 100_000_000) as f64 / 100.0,
                1 => (x % 2_000_000) as f64 / 1000.0 - 1000.0,
                2 => (x % 10_000_000) as f64 / 100.0 + 0.005,
                _ => f64::from_bits(x) % 1e8,
            };
            if !v.is_finite() {
                continue;
            }
            for money in [false, true] {
                assert_eq!(number(v, money), reference(v, money), "{v}");
            }
        }
    }
}
