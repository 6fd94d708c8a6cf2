//! What evaluation gives: each rule's outcome per row, the row errors, and which path each
//! rule ran on. Writers (`report`) and inspections read these; nothing here runs a rule.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::{Column, StringChunked};
use rhai::Dynamic;

use super::compiled;
use super::sandbox::AggTable;
use crate::register::Table;

/// A rule's outcome on one row: 是/否, a number, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Value {
    #[default]
    Unknown,
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn to_dynamic(self) -> Dynamic {
        match self {
            Value::Unknown => Dynamic::UNIT,
            Value::Bool(b) => Dynamic::from_bool(b),
            Value::Int(i) => Dynamic::from_int(i),
            Value::Float(f) => Dynamic::from_float(f),
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        if let Value::Bool(b) = self { Some(b) } else { None }
    }

    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// One rule's outcomes over a level's rows. A 是/否 rule (most rules) takes one byte a row
/// instead of a [`Value`]'s sixteen: at 3.2 million persons that is the difference between
/// 51 MB and 3 MB a rule, memory that is written, read and freed on every run.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// 0 否, 1 是, 2 unknown.
    Bools(Vec<u8>),
    /// Numbers, or anything else (whatever the per-row path gave).
    Mixed(Vec<Value>),
}

const BOOLS: [Value; 3] = [Value::Bool(false), Value::Bool(true), Value::Unknown];
const UNKNOWN: u8 = 2;

impl Default for Values {
    fn default() -> Self {
        Values::Mixed(Vec::new())
    }
}

impl Values {
    /// No rows (what a reader takes for a rule it cannot find).
    pub const EMPTY: &'static Values = &Values::Mixed(Vec::new());

    /// The value of each byte of [`Values::Bools`] (0 否, 1 是, 2 unknown).
    pub const OF_BYTE: [Value; 3] = BOOLS;

    /// `n` unknowns.
    pub fn unknown(n: usize) -> Self {
        Values::Bools(vec![UNKNOWN; n])
    }

    /// From values, compacted when every one is 是, 否 or unknown.
    pub fn from_vec(v: Vec<Value>) -> Self {
        if v.iter().all(|x| matches!(x, Value::Bool(_) | Value::Unknown)) {
            Values::Bools(v.iter().map(|x| Self::byte(x.as_bool())).collect())
        } else {
            Values::Mixed(v)
        }
    }

    /// The byte of a 是/否/unknown.
    #[inline]
    pub fn byte(b: Option<bool>) -> u8 {
        match b {
            Some(false) => 0,
            Some(true) => 1,
            None => UNKNOWN,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Bools(v) => v.len(),
            Values::Mixed(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&Value> {
        match self {
            Values::Bools(v) => v.get(i).map(|b| &BOOLS[*b as usize]),
            Values::Mixed(v) => v.get(i),
        }
    }

    /// Every row's value, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { values: self, next: 0 }
    }

    pub fn to_vec(&self) -> Vec<Value> {
        self.iter().copied().collect()
    }
}

impl std::ops::Index<usize> for Values {
    type Output = Value;
    #[inline]
    fn index(&self, i: usize) -> &Value {
        match self {
            Values::Bools(v) => &BOOLS[v[i] as usize],
            Values::Mixed(v) => &v[i],
        }
    }
}

/// The rows of [`Values`], in order.
pub struct Iter<'a> {
    values: &'a Values,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Value;
    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        let v = self.values.get(self.next)?;
        self.next += 1;
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.values.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a Value;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl From<Vec<Value>> for Values {
    fn from(v: Vec<Value>) -> Self {
        Values::from_vec(v)
    }
}

/// A runtime error of one rule on one row: counted and reported, never a silent default
/// (the row's outcome is unknown and the run's exit status says errors occurred).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub rule: String,
    pub level: &'static str,
    pub key: String,
    pub problem: crate::messages::row::RowProblem,
}

impl RowError {
    /// The problem in words.
    pub fn say(&self, lang: crate::messages::Lang) -> String {
        crate::messages::row::say(lang, &self.problem)
    }
}

/// The outcomes of one level.
pub struct LevelOutcome {
    pub table: Table,
    /// The key of each row (`person_id`, `household_id`, …), as loaded.
    pub keys: StringChunked,
    /// Extra key columns written before the rules (a person's household, a household's
    /// village).
    pub extra_keys: Vec<Column>,
    /// The county of each row (an index into `county_codes`, [`NO_COUNTY`] if none), for
    /// per-county summaries.
    pub county: Vec<u32>,
    /// Every county code of the register, as the first 6 digits of its village codes.
    pub county_codes: Vec<String>,
    /// (rule index, one value per row), in the pack's rule order.
    pub results: Vec<(usize, Values)>,
    /// Why the level's main verdict came out as it did, per row (when the pack names one).
    pub reasons: Option<super::reasons::Reasons>,
    /// The compiled rules' results as polars produced them, by rule (the same outcomes as
    /// `results`; kept so that writers and the level above need not rebuild the columns).
    /// Absent for a rule with row errors.
    pub columns: HashMap<usize, Column>,
    /// The type of each number rule of the level (whole or not), which its column takes.
    pub number_types: HashMap<usize, compiled::Ty>,
}

pub use crate::register::hierarchy::NO_COUNTY;

impl LevelOutcome {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of row `i`.
    pub fn key(&self, i: usize) -> &str {
        self.keys.get(i).unwrap_or("")
    }

    /// The first extra key of every row as text: a person's household, a household's village
    /// (empty for levels without one).
    pub fn extra_key(&self) -> Vec<String> {
        self.extra_keys
            .first()
            .and_then(|c| c.str().ok().map(|s| s.iter().map(|v| v.unwrap_or("").to_string()).collect()))
            .unwrap_or_else(|| vec![String::new(); self.len()])
    }

    /// The county code of row `i` ("" if none).
    pub fn county_of(&self, i: usize) -> &str {
        self.county.get(i).and_then(|&c| self.county_codes.get(c as usize)).map(String::as_str).unwrap_or("")
    }

    pub fn values(&self, rule: usize) -> Option<&Values> {
        self.results.iter().find(|(r, _)| *r == rule).map(|(_, v)| v)
    }
}

/// Everything `check` computed.
pub struct Outcomes {
    pub year: i32,
    pub levels: Vec<LevelOutcome>,
    pub errors: Vec<RowError>,
    /// The aggregations each level's rules read, per row (for `explain`).
    pub aggregates: Vec<(Table, Arc<AggTable>)>,
    /// Which path each rule ran on (in the pack's rule order).
    pub paths: Vec<compiled::RulePath>,
}

impl Outcomes {
    pub fn level(&self, t: Table) -> Option<&LevelOutcome> {
        self.levels.iter().find(|l| l.table == t)
    }
}

#[cfg(test)]
mod tests {
    use super::{Value, Values};

    #[test]
    fn bools_are_kept_as_bytes_and_read_as_values() {
        let v = vec![Value::Bool(true), Value::Unknown, Value::Bool(false)];
        let compact = Values::from_vec(v.clone());
        assert_eq!(compact, Values::Bools(vec![1, 2, 0]));
        assert_eq!(compact.to_vec(), v);
        assert_eq!((compact[0], compact[1], compact[2]), (v[0], v[1], v[2]));
        assert_eq!(compact.get(3), None);
        assert_eq!(compact.iter().len(), 3);
        // A number anywhere keeps every value as it is.
        let mixed = vec![Value::Bool(true), Value::Int(3), Value::Float(0.5), Value::Unknown];
        assert_eq!(Values::from_vec(mixed.clone()), Values::Mixed(mixed.clone()));
        assert_eq!(Values::from_vec(mixed.clone()).iter().copied().collect::<Vec<_>>(), mixed);
        assert_eq!(Values::unknown(2).to_vec(), vec![Value::Unknown; 2]);
    }
}
