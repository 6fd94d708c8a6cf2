//! The canonical shape of a register: its four tables (person → household → village →
//! county), their columns, and what each column may hold.
//!
//! This is the one place that says which columns exist, which are required, and how each
//! is typed in memory. Everything else (the loader, the generator, the rule engine) asks it.
//! The column list follows `DOMAIN.md` section "Entities".

use std::fmt;

/// One of the four tables of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// 建档立卡人口
    Persons,
    /// 贫困户 / 农户
    Households,
    /// 村
    Villages,
    /// 县
    Counties,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Persons, Table::Households, Table::Villages, Table::Counties];

    /// The file stem and canonical name: `persons`, `households`, …
    pub fn name(self) -> &'static str {
        match self {
            Table::Persons => "persons",
            Table::Households => "households",
            Table::Villages => "villages",
            Table::Counties => "counties",
        }
    }

    /// The rule level that evaluates one row of this table.
    pub fn level(self) -> &'static str {
        match self {
            Table::Persons => "person",
            Table::Households => "household",
            Table::Villages => "village",
            Table::Counties => "county",
        }
    }

    /// A table by any of its names: file name (`households`), level (`household`) or Chinese
    /// level name (`农户`).
    pub fn named(name: &str) -> Option<Table> {
        let zh = |t: Table| crate::messages::book::level_sheet(crate::messages::Lang::Zh, t.level());
        Table::ALL.into_iter().find(|t| t.name() == name || t.level() == name || zh(*t) == name)
    }

    pub fn from_level(level: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.level() == level)
    }

    /// The key column that identifies a row of this table.
    pub fn key(self) -> &'static str {
        match self {
            Table::Persons => "person_id",
            Table::Households => "household_id",
            Table::Villages => "village_code",
            Table::Counties => "county_code",
        }
    }

    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Persons => PERSONS,
            Table::Households => HOUSEHOLDS,
            Table::Villages => VILLAGES,
            Table::Counties => COUNTIES,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a column holds, and so how a cell is parsed and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A key or identifier, kept as text exactly as written (trimmed).
    Key,
    /// A key made of a fixed number of digits (`village_code` 12, `county_code` 6).
    DigitKey(usize),
    /// Free text.
    Text,
    /// One of a fixed list of codes; stored as the code's index (UInt8). The codes and
    /// their Chinese labels come from the alias table (`data/register-aliases.json`).
    Code(CodeList),
    /// 是/否; stored as Boolean.
    Bool,
    /// Yuan, or a fraction; stored as Float64. Never rounded.
    Number,
    /// A whole number in an inclusive range (`None` = unbounded); stored as Int64.
    Int(Option<(i64, i64)>),
    /// A calendar date; stored as Date.
    Date,
    /// One of a list of codes a pack declares (`fields.toml`): (code, label) pairs; a cell
    /// may hold the code or the label, and is stored as the code's text (String).
    Listed(&'static [(&'static str, &'static str)]),
}

/// The code lists of the register. Each code's text is the canonical value (`"04"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeList {
    Relation,
    Sex,
    SchoolStatus,
    SchoolingExempt,
    Health,
    Labour,
    MedicalInsurance,
    Attribute,
    Status,
    MainCause,
    HouseSafety,
    PoorCounty,
}

impl CodeList {
    pub const ALL: [CodeList; 12] = [
        CodeList::Relation,
        CodeList::Sex,
        CodeList::SchoolStatus,
        CodeList::SchoolingExempt,
        CodeList::Health,
        CodeList::Labour,
        CodeList::MedicalInsurance,
        CodeList::Attribute,
        CodeList::Status,
        CodeList::MainCause,
        CodeList::HouseSafety,
        CodeList::PoorCounty,
    ];

    /// The name of this list in the alias table's `code_labels`.
    pub fn name(self) -> &'static str {
        match self {
            CodeList::Relation => "relation",
            CodeList::Sex => "sex",
            CodeList::SchoolStatus => "school_status",
            CodeList::SchoolingExempt => "schooling_exempt",
            CodeList::Health => "health",
            CodeList::Labour => "labour",
            CodeList::MedicalInsurance => "medical_insurance",
            CodeList::Attribute => "attribute",
            CodeList::Status => "status",
            CodeList::MainCause => "main_cause",
            CodeList::HouseSafety => "house_safety",
            CodeList::PoorCounty => "poor_county",
        }
    }

    /// The valid codes, in order; a stored code is its index in this list.
    pub fn codes(self) -> &'static [&'static str] {
        const RANGE_20: [&str; 21] = [
            "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18",
            "19", "20", "99",
        ];
        match self {
            CodeList::Relation => &RANGE_20,
            CodeList::Sex => &["1", "2"],
            CodeList::SchoolStatus => &RANGE_20[..16],
            CodeList::SchoolingExempt => &RANGE_20[..2],
            CodeList::Health => &RANGE_20[..5],
            CodeList::Labour => &RANGE_20[..4],
            CodeList::MedicalInsurance => &RANGE_20[..5],
            CodeList::Attribute => &RANGE_20[..3],
            CodeList::Status => &["02", "03", "04", "05"],
            CodeList::MainCause => &RANGE_20[..11],
            CodeList::HouseSafety => &RANGE_20[..3],
            CodeList::PoorCounty => &["national", "provincial"],
        }
    }

    /// The index of a canonical code.
    pub fn index_of(self, code: &str) -> Option<u8> {
        self.codes().iter().position(|c| *c == code).map(|i| i as u8)
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// Optional columns may be absent from a file; a required one missing is an error.
    pub optional: bool,
    /// A key column: a null is an input error.
    pub key: bool,
}

const fn col(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec { name, kind, optional: false, key: false }
}
const fn opt(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec { name, kind, optional: true, key: false }
}
const fn key(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec { name, kind, optional: false, key: true }
}

use CodeList as C;
use Kind::*;

const PERSONS: &[ColumnSpec] = &[
    key("person_id", Key),
    key("household_id", Key),
    opt("name", Text),
    col("relation", Code(C::Relation)),
    col("sex", Code(C::Sex)),
    opt("birth_date", Date),
    col("school_status", Code(C::SchoolStatus)),
    opt("schooling_exempt", Code(C::SchoolingExempt)),
    col("health", Code(C::Health)),
    opt("disability_grade", Int(Some((0, 4)))),
    col("labour", Code(C::Labour)),
    // 0–12 is a data-quality check, not an input error: out-of-range months load.
    opt("work_months", Int(None)),
    col("medical_insurance", Code(C::MedicalInsurance)),
    opt("serious_illness_insurance", Bool),
    opt("pension_insurance", Bool),
    col("dibao", Bool),
    opt("tekun", Bool),
];

const HOUSEHOLDS: &[ColumnSpec] = &[
    key("household_id", Key),
    key("village_code", DigitKey(12)),
    opt("registered", Bool),
    col("attribute", Code(C::Attribute)),
    col("status", Code(C::Status)),
    opt("identified_year", Int(None)),
    opt("exit_year", Int(None)),
    col("main_cause", Code(C::MainCause)),
    col("wage_income", Number),
    col("operating_income", Number),
    col("property_income", Number),
    col("transfer_income", Number),
    col("operating_cost", Number),
    opt("reported_per_capita_income", Number),
    col("food_secure", Bool),
    col("clothing_secure", Bool),
    col("house_safety", Code(C::HouseSafety)),
    col("house_renovated", Bool),
    col("relocated", Bool),
    col("relocation_keys", Bool),
    col("water_safe", Bool),
    opt("medical_costs", Number),
    opt("education_costs", Number),
    opt("last_year_income", Number),
    opt("owns_car", Bool),
    opt("owns_commercial_housing", Bool),
    opt("runs_company", Bool),
    opt("public_employee", Bool),
    opt("helper_assigned", Bool),
];

const VILLAGES: &[ColumnSpec] = &[
    key("village_code", DigitKey(12)),
    opt("village_name", Text),
    // The village's county is the first 6 digits of its code (DOMAIN.md, Exact meanings);
    // this column, when present, is informative only.
    ColumnSpec { name: "county_code", kind: DigitKey(6), optional: true, key: true },
    col("poor_village", Bool),
    opt("exit_year", Int(None)),
    col("registered_population", Int(Some((0, i64::MAX)))),
    col("collective_income", Number),
    col("road_access", Bool),
    col("safe_water", Bool),
    col("electricity", Bool),
    col("school_access", Bool),
    col("clinic", Bool),
    col("social_insurance", Bool),
];

const COUNTIES: &[ColumnSpec] = &[
    key("county_code", DigitKey(6)),
    opt("county_name", Text),
    opt("poor_county", Code(C::PoorCounty)),
    col("rural_population", Int(Some((0, i64::MAX)))),
    col("rural_disposable_income", Number),
    opt("wrong_exit_rate", Number),
    opt("missed_rate", Number),
    opt("recognition_rate", Number),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_column_is_declared_a_key() {
        for t in Table::ALL {
            let k = t.column(t.key()).map(|c| c.key);
            assert_eq!(k, Some(true), "{t}");
        }
    }

    #[test]
    fn code_indexes_round_trip() {
        assert_eq!(CodeList::Status.index_of("04"), Some(2));
        assert_eq!(CodeList::Relation.index_of("99"), Some(20));
        assert_eq!(CodeList::Health.index_of("06"), None);
    }
}
