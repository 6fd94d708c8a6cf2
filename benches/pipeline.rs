//! `tuopin check` against a hand-written polars pipeline, on one register, in one command.
//!
//! `cargo bench --bench pipeline [households]` (1,000,000 by default): generates a register
//! as Parquet (`tuopin gen`), then, twice and in alternating order, each in a fresh process
//! of this benchmark (so that neither inherits the other's heap, and peak memory is each
//! one's own):
//! 1. `tuopin check` with the Hunan pack for 2020 (compiled path), outputs written;
//! 2. [`hand_written`]: the same person, household, village and county outcomes written
//!    directly as polars lazy expressions by someone who knows the rules, outputs written.
//!
//! It then checks that both produced identical outcomes, rule by rule, row by row, and
//! prints wall time, households per second and peak memory of every run, and the ratio of
//! the best times.
//!
//! The hand-written pipeline is what a data engineer would write for this one pack: it
//! reads the files as they are (codes as text), trusts them (no input checks, no `reasons`,
//! no summary) and knows the data is complete (no rows set aside). It is the practical
//! limit for this work on this machine. Two functions are `map` closures in both pipelines
//! because this polars build has no string or calendar features: the birth date in a
//! resident ID, and the year of a date.

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::time::Instant;

use polars::prelude::*;

const YEAR: i64 = 2020;

const ROUNDS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--part") {
        // A child: run one pipeline, print "seconds peak-MiB compiled-rules".
        let (part, data, out) = (&args[i + 1], Path::new(&args[i + 2]), Path::new(&args[i + 3]));
        let (secs, peak, compiled) = if part == "check" {
            let o = common::check_options(data, out, tuopin::eval::Engine::Auto);
            let (secs, peak, outcomes) = common::timed_check(&o);
            (secs, peak, outcomes.paths.iter().filter(|p| p.row_by_row.is_none()).count())
        } else {
            common::reset_peak();
            let start = Instant::now();
            hand_written(data, out).expect("hand-written pipeline");
            (start.elapsed().as_secs_f64(), common::peak_mib(), 0)
        };
        println!("{secs} {peak} {compiled}");
        return;
    }
    let n = common::size_arg(1_000_000);
    println!("machine: {}", common::machine());
    let root = std::env::temp_dir().join(format!("tuopin-bench-pipeline-{}", std::process::id()));
    let data = root.join("register");
    common::gen_register(n, &data);

    let exe = std::env::current_exe().expect("this benchmark's path");
    let run = |part: &str| -> (f64, f64, usize) {
        let out = std::process::Command::new(&exe)
            .args(["--part", part])
            .arg(&data)
            .arg(root.join(part))
            .output()
            .expect("a run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{part}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Vec<&str> = text.split_whitespace().collect();
        let num = |i: usize| v.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(f64::NAN);
        (num(0), num(1), num(2) as usize)
    };
    let mut check = vec![];
    let mut hand = vec![];
    let mut compiled = 0;
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 { ["check", "hand"] } else { ["hand", "check"] };
        for part in order {
            let r = run(part);
            if part == "check" {
                compiled = r.2;
                check.push(r);
            } else {
                hand.push(r);
            }
        }
    }
    let compared = compare(&root.join("check"), &root.join("hand"));

    println!("register: {n} households, Hunan pack, year {YEAR}, Parquet in, Parquet out");
    println!("rules compiled: {compiled} of 25; outcomes identical for {compared} rule columns");
    for (what, runs) in [("tuopin check", &check), ("hand-written polars", &hand)] {
        for (secs, peak, _) in runs.iter() {
            println!("{what:<20} {secs:7.2} s  {:>11.0} households/s  peak {peak:6.0} MiB", n as f64 / secs);
        }
    }
    let best = |runs: &[(f64, f64, usize)]| runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let (c, h) = (best(&check), best(&hand));
    println!("best of {ROUNDS}: tuopin check {c:.2} s, hand-written {h:.2} s");
    println!("ratio: tuopin check takes {:.2}× the hand-written pipeline's time (target ≤ 1.5)", c / h);
    if n == 1_000_000 {
        println!("target: 1,000,000 households in 3 s; measured {c:.2} s");
    }
    let _ = std::fs::remove_dir_all(&root);
}

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
fn hand_written(data: &Path, out: &Path) -> PolarsResult<()> {
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
    write(out, "villages", pick(&villages, &["village_code", "exit_eligible", "incidence", "remaining_poor"])?)?;
    write(out, "counties", pick(&counties, &["county_code", "exit_eligible", "incidence", "remaining_poor"])?)?;
    Ok(())
}

/// Compare every rule column the hand-written pipeline wrote with `check`'s, row by row
/// (both sorted by key). Returns how many columns were compared; panics on a difference.
fn compare(check: &Path, hand: &Path) -> usize {
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
