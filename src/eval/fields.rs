//! A register column as rule scripts see it: extracted once per level into a plain vector,
//! and turned into a Rhai value per row without allocating where possible (codes are
//! interned strings, shared by every row).

use polars::prelude::*;
use rhai::{Dynamic, ImmutableString};

use super::Value;
use crate::register::convert::date_text;
use crate::register::{Kind, LoadedTable, Table};

/// One field's values for every row of a level.
pub enum FieldData {
    /// An optional column the file does not have: every row reads unknown.
    Absent,
    /// Code indexes, and the interned code text for each index.
    Code(Vec<Option<u8>>, Vec<Dynamic>),
    Bool(Vec<Option<bool>>),
    Number(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    Text(StringChunked),
    Date(Vec<Option<i32>>),
}

impl FieldData {
    pub fn extract(t: &LoadedTable, table: Table, name: &str) -> FieldData {
        if !t.present.contains(&name) {
            return FieldData::Absent;
        }
        let Ok(col) = t.frame.column(name) else {
            return FieldData::Absent;
        };
        let s = col.as_materialized_series();
        // A field a pack declares is not in the schema: its stored type says what it is.
        let kind = match table.column(name) {
            Some(spec) => spec.kind,
            None => match s.dtype() {
                DataType::Boolean => Kind::Bool,
                DataType::Float64 => Kind::Number,
                DataType::Int64 => Kind::Int(None),
                DataType::Date => Kind::Date,
                _ => Kind::Text,
            },
        };
        match kind {
            Kind::Code(list) => match s.u8() {
                Ok(ca) => FieldData::Code(
                    ca.iter().collect(),
                    list.codes().iter().map(|c| Dynamic::from(ImmutableString::from(*c))).collect(),
                ),
                Err(_) => FieldData::Absent,
            },
            Kind::Bool => s.bool().map(|ca| FieldData::Bool(ca.iter().collect())).unwrap_or(FieldData::Absent),
            Kind::Number => s.f64().map(|ca| FieldData::Number(ca.iter().collect())).unwrap_or(FieldData::Absent),
            Kind::Int(_) => s.i64().map(|ca| FieldData::Int(ca.iter().collect())).unwrap_or(FieldData::Absent),
            Kind::Date => {
                let phys = s.to_physical_repr();
                phys.i32().map(|ca| FieldData::Date(ca.iter().collect())).unwrap_or(FieldData::Absent)
            }
            Kind::Key | Kind::Text | Kind::DigitKey(_) | Kind::Listed(_) => {
                s.str().map(|ca| FieldData::Text(ca.rechunk().into_owned())).unwrap_or(FieldData::Absent)
            }
        }
    }

    /// The value of row `row` for a script.
    pub fn dynamic(&self, row: usize) -> Dynamic {
        match self {
            FieldData::Absent => Dynamic::UNIT,
            FieldData::Code(v, interned) => match v.get(row).copied().flatten() {
                Some(i) => interned.get(i as usize).cloned().unwrap_or(Dynamic::UNIT),
                None => Dynamic::UNIT,
            },
            FieldData::Bool(v) => v.get(row).copied().flatten().map(Dynamic::from_bool).unwrap_or(Dynamic::UNIT),
            FieldData::Number(v) => v.get(row).copied().flatten().map(Dynamic::from_float).unwrap_or(Dynamic::UNIT),
            FieldData::Int(v) => v.get(row).copied().flatten().map(Dynamic::from_int).unwrap_or(Dynamic::UNIT),
            FieldData::Text(ca) => match ca.get(row) {
                Some(s) => Dynamic::from(ImmutableString::from(s)),
                None => Dynamic::UNIT,
            },
            FieldData::Date(v) => match v.get(row).copied().flatten() {
                Some(d) => Dynamic::from(ImmutableString::from(date_text(d))),
                None => Dynamic::UNIT,
            },
        }
    }

    /// Whether row `row` is null (or the column absent).
    pub fn is_null(&self, row: usize) -> bool {
        match self {
            FieldData::Absent => true,
            FieldData::Code(v, _) => v.get(row).copied().flatten().is_none(),
            FieldData::Bool(v) => v.get(row).copied().flatten().is_none(),
            FieldData::Number(v) => v.get(row).copied().flatten().is_none(),
            FieldData::Int(v) => v.get(row).copied().flatten().is_none(),
            FieldData::Text(ca) => ca.get(row).is_none(),
            FieldData::Date(v) => v.get(row).copied().flatten().is_none(),
        }
    }

    /// Every row as an outcome, for aggregations; codes, text and dates cannot be summed or
    /// combined (the error names the kind).
    pub fn values(&self) -> Result<Vec<Value>, &'static str> {
        match self {
            FieldData::Absent => Ok(vec![]),
            FieldData::Bool(v) => Ok(v.iter().map(|x| x.map(Value::Bool).unwrap_or_default()).collect()),
            FieldData::Number(v) => Ok(v.iter().map(|x| x.map(Value::Float).unwrap_or_default()).collect()),
            FieldData::Int(v) => Ok(v.iter().map(|x| x.map(Value::Int).unwrap_or_default()).collect()),
            FieldData::Code(..) => Err("code"),
            FieldData::Text(_) => Err("text"),
            FieldData::Date(_) => Err("date"),
        }
    }
}
