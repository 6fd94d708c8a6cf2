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
    pub results: Vec<(usize, Vec<Value>)>,
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

    pub fn values(&self, rule: usize) -> Option<&[Value]> {
        self.results.iter().find(|(r, _)| *r == rule).map(|(_, v)| v.as_slice())
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
