//! The hand-written polars pipeline of the 25 Hunan rules that `benches/pipeline.rs` times
//! `tuopin check` against, and the column-by-column comparison of their outputs. Kept in
//! its own file so that the test suite (`tests/hand_written.rs`) runs the same pipeline on a
//! small register: the benchmark's baseline must give the same answers as `check`.

#![allow(dead_code)]

use std::path::Path;

use polars::prelude::*;

pub const YEAR: i64 = 2020;

fn read(dir: &Path, table: &str) -> PolarsResult<LazyFrame> {
    let file = std::fs::File::open(dir.join(format!("{table}.parquet")))?;
    Ok(ParquetReader::new(file).finish()?.lazy())
}

fn write(dir: &Path, table: &str, mut df: DataFrame) -> PolarsResult<()> {
    std::fs::create_dir_all(dir)?;
    let file = std::fs::File::create(dir.join(format!("{table}.parquet")))?;
    ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).finish(&mut df)?;
    Ok(())
}

fn any_of(c: &str, codes: &[&str]) -> Expr {
    codes.iter().map(|k| col(c).eq(lit(*k))).reduce(|a, b| a.or(b)).unwrap_or(lit(false))
}

fn birth_date_from_id(e: Expr) -> Expr {
    e.map(
        |c: Column| {
            let out: Int32Chunked =
                c.str()?.iter().map(|s| s.and_then(tuopin::register::resident_id::birth_date)).collect();
            Ok(out.with_name(c.name().clone()).into_date().into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Date)),
    )
}

fn year_of(e: Expr) -> Expr {
    e.map(
        |c: Column| {
            let days = c.cast(&DataType::Int32)?;
            let out: Int64Chunked =
                days.i32()?.iter().map(|d| d.map(|d| tuopin::register::convert::year_of_days(d) as i64)).collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Int64)),
    )
}

/// Kleene `all` of a boolean column over a group: false if any is false, else unknown if
/// any is unknown, else true.
fn all_of(c: &str) -> Expr {
    let falses = col(c).not().cast(DataType::UInt32).sum();
    let nulls = col(c).is_null().cast(DataType::UInt32).sum();
    when(falses.gt(lit(0u32)))
        .then(lit(false))
        .when(nulls.gt(lit(0u32)))
        .then(lit(NULL).cast(DataType::Boolean))
        .otherwise(lit(true))
}

/// The Hunan 2020 rules, hand-written. Parameters are the 2020 values of
/// `rules/hunan/parameters.toml`.
pub fn hand_written(data: &Path, out: &Path) -> PolarsResult<()> {
    tuopin::timing::lap("hand start");
    let (line, school_min, school_max) = (4000.0, 6i64, 15i64);
    let persons = read(data, "persons")?
        .with_columns([(lit(YEAR)
            - year_of(
                when(col("birth_date").is_not_null())
                    .then(col("birth_date"))
                    .otherwise(birth_date_from_id(col("person_id"))),
            ))
        .alias("age")])
        .with_columns([
            (col("age").gt_eq(lit(school_min)).and(col("age").lt_eq(lit(school_max))))
                .not()
                .or(col("school_status").neq(lit("01")))
                .or(col("schooling_exempt").is_not_null().and(any_of("schooling_exempt", &["01", "02"])))
                .alias("education_assured"),
            any_of("medical_insurance", &["01", "02", "04", "05"]).alias("medical_assured"),
        ])
        .collect()?;
    tuopin::timing::lap("hand persons");
    let members = persons
        .clone()
        .lazy()
        .filter(col("health").neq(lit("05")).or(col("health").is_null()))
        .group_by([col("household_id")])
        .agg([
            len().cast(DataType::Int64).alias("size"),
            all_of("education_assured").alias("all_edu"),
            all_of("medical_assured").alias("all_med"),
        ]);
    let poor_status = || any_of("status", &["04", "02"]);
    let households = read(data, "households")?
        .left_join(members, col("household_id"), col("household_id"))
        .with_columns([
            col("size").fill_null(lit(0i64)),
            col("all_edu").fill_null(lit(true)).alias("education_assured"),
            col("all_med").fill_null(lit(true)).alias("medical_assured"),
            (col("wage_income") + col("operating_income") + col("property_income") + col("transfer_income")
                - col("operating_cost"))
            .alias("net_income"),
        ])
        .with_columns([
            when(col("size").eq(lit(0i64)))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("net_income") / col("size").cast(DataType::Float64))
                .alias("per_capita_net_income"),
            col("food_secure").and(col("clothing_secure")).alias("no_worries"),
            col("house_safety")
                .eq(lit("01"))
                .or(col("house_renovated"))
                .or(col("relocated").and(col("relocation_keys")))
                .alias("housing_assured"),
            col("water_safe").alias("water_assured"),
            when(col("registered").and(poor_status())).then(col("size")).otherwise(lit(0i64)).alias("remaining_poor"),
        ])
        .with_columns([col("per_capita_net_income").gt_eq(lit(line)).alias("income_above_line")])
        .with_columns([col("income_above_line")
            .and(col("no_worries"))
            .and(col("education_assured"))
            .and(col("medical_assured"))
            .and(col("housing_assured"))
            .and(col("water_assured"))
            .alias("meets_exit_standard")])
        .with_columns([
            col("registered").and(poor_status()).and(col("meets_exit_standard")).alias("exit_eligible"),
            col("registered")
                .and(any_of("status", &["05", "03"]))
                .and(col("meets_exit_standard").not())
                .alias("wrong_exit_risk"),
            col("registered").not().and(col("meets_exit_standard").not()).alias("missed_risk"),
            col("registered")
                .and(
                    col("owns_car")
                        .or(col("owns_commercial_housing"))
                        .or(col("runs_company"))
                        .or(col("public_employee")),
                )
                .alias("wrong_inclusion_risk"),
            (any_of("status", &["05", "03"]).or(col("registered").not()))
                .and(
                    col("per_capita_net_income")
                        .lt(lit(1.5 * line))
                        .or((col("medical_costs") + col("education_costs")).gt(col("last_year_income")))
                        .or(col("last_year_income").gt(lit(0.0)).and(
                            when(col("last_year_income").eq(lit(0.0)))
                                .then(lit(NULL).cast(DataType::Float64))
                                .otherwise((col("last_year_income") - col("net_income")) / col("last_year_income"))
                                .gt(lit(0.3)),
                        )),
                )
                .alias("monitor"),
        ])
        .collect()?;
    tuopin::timing::lap("hand households");
    let remaining = households
        .clone()
        .lazy()
        .group_by([col("village_code")])
        .agg([col("remaining_poor").sum().alias("remaining_poor")]);
    let villages = read(data, "villages")?
        .left_join(remaining, col("village_code"), col("village_code"))
        .with_columns([col("remaining_poor").fill_null(lit(0i64))])
        .with_columns([when(col("registered_population").eq(lit(0i64)))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(
                col("remaining_poor").cast(DataType::Float64) / col("registered_population").cast(DataType::Float64),
            )
            .alias("incidence")])
        .with_columns([col("poor_village")
            .and(col("incidence").lt_eq(lit(0.02)))
            .and(col("collective_income").gt_eq(lit(40000.0)))
            .and(col("road_access"))
            .and(col("safe_water"))
            .and(col("electricity"))
            .and(col("school_access"))
            .and(col("clinic"))
            .and(col("social_insurance"))
            .alias("exit_eligible")])
        .collect()?;
    let by_county = villages
        .clone()
        .lazy()
        .group_by([col("county_code")])
        .agg([col("remaining_poor").sum().alias("remaining_poor")]);
    let counties = read(data, "counties")?
        .left_join(by_county, col("county_code"), col("county_code"))
        .with_columns([col("remaining_poor").fill_null(lit(0i64))])
        .with_columns([when(col("rural_population").eq(lit(0i64)))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(col("remaining_poor").cast(DataType::Float64) / col("rural_population").cast(DataType::Float64))
            .alias("incidence")])
        .with_columns([col("poor_county")
            .is_not_null()
            .and(col("incidence").lt_eq(lit(0.02)))
            .and(col("rural_disposable_income").gt_eq(lit(10000.0)))
            .and(col("wrong_exit_rate").lt(lit(0.02)))
            .and(col("missed_rate").lt(lit(0.02)))
            .and(col("recognition_rate").gt_eq(lit(0.9)))
            .alias("exit_eligible")])
        .collect()?;

    tuopin::timing::lap("hand villages counties");
    let pick = |df: &DataFrame, cols: &[&str]| df.select(cols.iter().copied());
    write(
        out,
        "persons",
        pick(&persons, &["person_id", "household_id", "age", "education_assured", "medical_assured"])?,
    )?;
    write(
        out,
        "households",
        pick(
            &households,
            &[
                "household_id",
                "village_code",
                "education_assured",
                "exit_eligible",
                "housing_assured",
                "income_above_line",
                "medical_assured",
                "meets_exit_standard",
                "missed_risk",
                "monitor",
                "net_income",
                "no_worries",
                "per_capita_net_income",
                "remaining_poor",
                "size",
                "water_assured",
                "wrong_exit_risk",
                "wrong_inclusion_risk",
            ],
        )?,
    )?;
    tuopin::timing::lap("hand written p h");
    write(out, "villages", pick(&villages, &["village_code", "exit_eligible", "incidence", "remaining_poor"])?)?;
    write(out, "counties", pick(&counties, &["county_code", "exit_eligible", "incidence", "remaining_poor"])?)?;
    Ok(())
}

/// Compare every rule column the hand-written pipeline wrote with `check`'s, row by row
/// (both sorted by key). Returns how many columns were compared; panics on a difference.
pub fn compare(check: &Path, hand: &Path) -> usize {
    let mut compared = 0;
    for (table, key) in [
        ("persons", "person_id"),
        ("households", "household_id"),
        ("villages", "village_code"),
        ("counties", "county_code"),
    ] {
        let load = |dir: &Path| -> DataFrame {
            let file = std::fs::File::open(dir.join(format!("{table}.parquet"))).expect("output");
            let df = ParquetReader::new(file).finish().expect("parquet");
            df.sort([key], SortMultipleOptions::default()).expect("sort")
        };
        let (a, b) = (load(check), load(hand));
        assert_eq!(a.height(), b.height(), "{table}: rows");
        for c in b.get_column_names() {
            if c.as_str() == key || c.as_str() == "household_id" && table == "persons" || c.as_str() == "village_code" {
                continue;
            }
            let x = a.column(c).unwrap_or_else(|_| panic!("check wrote no {table}.{c}"));
            let y = b.column(c).expect("column").cast(x.dtype()).expect("cast");
            let same = x.as_materialized_series().equals_missing(y.as_materialized_series());
            assert!(same, "{table}.{c}: check and the hand-written pipeline differ");
            compared += 1;
        }
    }
    compared
}
