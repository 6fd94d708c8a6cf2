//! The `tuopin` command line: parse arguments, call the library, print. Exit status: 0
//! success, 1 the run found errors in data or rules, 2 bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use tuopin::Error;
use tuopin::jobs::{self, CheckOptions, CheckResult};
use tuopin::messages::{self, Lang};
use tuopin::register::{self, Aliases, Encoding, Format, Table};

/// How many input errors are listed on the terminal before the rest go to the file only.
const ERROR_CAP: usize = 30;

#[derive(Parser)]
#[command(
    name = "tuopin",
    version,
    about = "湖南精准扶贫建档立卡规则引擎 · rules engine for Hunan's poverty-alleviation register"
)]
struct Cli {
    /// Message language: zh (default) or en.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a rule pack over a register and write one result table per level.
    ///
    /// Example: tuopin check --data registers/433127 --year 2019 --out out/433127 --format xlsx
    Check {
        /// Register folder (persons, households, villages, counties as parquet/csv/ndjson/xlsx).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Rule pack folder.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Year evaluated.
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Parquet)]
        format: Format,
        /// Go on without the rows in error and the rows that depend on them (exit status 1).
        #[arg(long)]
        skip_invalid: bool,
        /// CSV encoding (default: detect UTF-8, UTF-8 with BOM, or GBK/GB18030).
        #[arg(long, value_enum, default_value_t = Encoding::Auto)]
        encoding: Encoding,
        /// Extra header and label aliases (JSON, same shape as data/register-aliases.json).
        #[arg(long)]
        aliases: Option<PathBuf>,
        /// auto: rules run as polars expressions where they translate, the rest row by row;
        /// rows: every rule row by row (the reference the compiled path is tested against).
        #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
        engine: EngineArg,
        /// List which rules ran compiled and which row by row, and why.
        #[arg(long)]
        paths: bool,
        /// Evaluate one county at a time, appending results as each county finishes, so
        /// that memory is bounded by the largest county (results as Parquet). Automatic when
        /// --data holds one subfolder per county (as `gen --by-county` writes).
        #[arg(long)]
        by_county: bool,
        /// Also write the result workbook (results.xlsx: a summary with charts, then one
        /// sheet per level with names and titles) beside Parquet or CSV results.
        #[arg(long)]
        report: bool,
    },
    /// Why a household, a village or a county came out as it did: the conclusion and its
    /// reasons first; for a household then its members, every household rule with what it
    /// read, the parameters and sources, and its village and county verdicts.
    ///
    /// Example: tuopin explain 4331271002010001 --year 2020 --json   (or a village or county code)
    Explain {
        /// 户编号, 村代码 or 县代码.
        #[arg(value_name = "CODE")]
        household_id: String,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// The explanation as a JSON document (with a `version` field).
        #[arg(long)]
        json: bool,
        /// Also write a printable page for the case file, `<code>.html`, into this folder.
        #[arg(long, value_name = "DIR")]
        html: Option<PathBuf>,
    },
    /// Run two versions of a rule pack (or one pack at two years) over one register and report
    /// what changes, by rule, county and village, with every changed row.
    ///
    /// Example: tuopin diff --base rules/hunan --new my-pack --year 2020 --out out/diff
    Diff {
        /// The rule pack as it is.
        #[arg(long)]
        base: PathBuf,
        /// The rule pack as changed (may be the same folder with --base-year).
        #[arg(long)]
        new: PathBuf,
        #[arg(long)]
        data: Option<PathBuf>,
        /// Year evaluated with the new pack.
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// Year evaluated with the base pack (default: --year).
        #[arg(long)]
        base_year: Option<i32>,
        #[arg(long, default_value = "out/diff")]
        out: PathBuf,
    },
    /// Check the register's data quality: every check of the quality pack and the built-in
    /// ones (the same person in two households, incomes bunched above the line), a finding per
    /// row, a risk score per household, and an XLSX report for the village cadres.
    ///
    /// Example: tuopin validate --data registers/433127 --out out/validate
    Validate {
        #[arg(long)]
        data: Option<PathBuf>,
        /// The eligibility pack (its risk flags feed the risk score).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The data-quality pack.
        #[arg(long)]
        quality: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "out/validate")]
        out: PathBuf,
    },
    /// Draw the inspection sample: per county, villages stratified poor / non-poor (about
    /// 2:1), then registered and unregistered households, risk households over-sampled by
    /// --risk-weight; each household carries its design weight. Same seed, same sample.
    ///
    /// Example: tuopin sample --seed 2020 --villages-per-county 29 --households-per-village 10 --risk-weight 2
    Sample {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        seed: u64,
        #[arg(long, default_value_t = 29)]
        villages_per_county: usize,
        #[arg(long, default_value_t = 10)]
        households_per_village: usize,
        /// How much more likely a risk household is to be drawn (1 = no over-sampling).
        #[arg(long, default_value_t = 1.0)]
        risk_weight: f64,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        quality: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "out/sample")]
        out: PathBuf,
    },
    /// Estimate each county's wrong-exit, missed and recognition rates from the field results
    /// of a sample, with 95 % confidence intervals and the chance of breaking each threshold.
    ///
    /// Example: tuopin estimate --sample out/sample/sample.csv --results results.csv
    Estimate {
        #[arg(long)]
        sample: PathBuf,
        #[arg(long)]
        results: PathBuf,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "out/estimate")]
        out: PathBuf,
    },
    /// Run the example cases of a rule pack (`<pack>/tests/*.toml`).
    ///
    /// Example: tuopin test --rules rules/hunan
    Test {
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Run only the cases for this year (a case's `year`, its file's, or defaults.toml's).
        #[arg(long)]
        year: Option<i32>,
    },
    /// List the fields, rules and parameters of each level: Chinese headers, types, codes
    /// with labels, rule titles and sources, parameter values in force.
    ///
    /// Example: tuopin fields --level household --xlsx 词典.xlsx
    Fields {
        /// One level: person, household, village, county (or 人员, 农户, 村, 县).
        #[arg(long)]
        level: Option<String>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        year: Option<i32>,
        /// Also write the dictionary as a workbook to hand to staff.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Check a rule pack: load-time errors, then the warnings a careful reviewer would give.
    ///
    /// Example: tuopin lint --rules rules/hunan --deny-warnings
    Lint {
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also list which rules `check` runs compiled and which row by row, and why (for
        /// the pack's last year, or --year).
        #[arg(long)]
        paths: bool,
        #[arg(long)]
        year: Option<i32>,
        /// Exit non-zero on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Read a register, report its input errors, and count its rows.
    ///
    /// Example: tuopin load --data fixtures/real-world/gbk-csv
    Load {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Encoding::Auto)]
        encoding: Encoding,
        #[arg(long)]
        aliases: Option<PathBuf>,
    },
    /// Write a synthetic register (deterministic: same seed, same bytes).
    ///
    /// Example: tuopin gen --households 100000 --seed 7 --out /tmp/reg --faults 0.02
    Gen {
        #[arg(long, default_value_t = 2000)]
        households: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Parquet)]
        format: Format,
        /// Share of households given a planted data fault (recorded in faults.csv).
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
        /// Year the incomes and ages are shaped for.
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// Number of counties (default: one per 20,000 households).
        #[arg(long)]
        counties: Option<usize>,
        /// Rule pack whose parameters shape the thresholds.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Write one register per county (`out/<county code>/…`), generating one county at a
        /// time: for registers too large for one frame (`check` reads them county by county).
        #[arg(long)]
        by_county: bool,
    },
}

/// A default path that works from the repository root or, failing that, where it was built.
fn default_path(rel: &str) -> PathBuf {
    let here = PathBuf::from(rel);
    if here.exists() { here } else { Path::new(env!("CARGO_MANIFEST_DIR")).join(rel) }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    match run(cli) {
        Ok(code) => code,
        Err(Error::Usage(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
        Err(e @ Error::Output(_)) => {
            eprintln!("tuopin: {}", e.say(lang));
            ExitCode::from(2)
        }
        Err(Error::InputErrors(errors)) => {
            print_input_errors(lang, &errors, None);
            eprintln!("{}", messages::stopped_before_evaluating(lang));
            ExitCode::from(1)
        }
        Err(Error::Rules(diags)) => {
            eprintln!("{}\n{}", messages::rule_pack_errors(lang), tuopin::rules::diagnostic::render_all(&diags, lang));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("tuopin: {}", e.say(lang));
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let lang = cli.lang;
    match cli.command {
        Command::Check {
            data,
            rules,
            year,
            out,
            format,
            skip_invalid,
            encoding,
            aliases,
            engine,
            paths,
            by_county,
            report,
        } => {
            if format == Format::Ndjson {
                return Err(Error::Usage(messages::result_formats(lang).into()));
            }
            let o = CheckOptions {
                data: data.unwrap_or_else(|| default_path("fixtures/demo")),
                rules: rules.unwrap_or_else(|| default_path("rules/hunan")),
                year,
                out,
                format,
                skip_invalid,
                encoding,
                aliases,
                lang,
                engine: match engine {
                    EngineArg::Auto => tuopin::eval::Engine::Auto,
                    EngineArg::Rows => tuopin::eval::Engine::Rows,
                },
                report,
            };
            let bar = ProgressBar::hidden();
            let started = Instant::now();
            if by_county || jobs::county_folders(&o.data).is_some() {
                let counties = ProgressBar::hidden();
                if let Ok(style) = ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} counties {eta}") {
                    counties.set_style(style);
                }
                let on_county = |done: usize, total: usize| {
                    if done == 1 {
                        counties.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    }
                    counties.set_length(total as u64);
                    counties.set_position(done as u64);
                };
                let result = jobs::run_by_county(&o, &|_| {}, &on_county)?;
                counties.finish_and_clear();
                return Ok(match result {
                    Ok(b) => {
                        if paths {
                            // The paths the counties ran on, not a plan made without the register.
                            print!("{}", tuopin::report::rule_paths(lang, &b.pack, &b.paths, &Aliases::builtin()));
                        }
                        report_by_county(lang, b, started)
                    }
                    Err(stopped) => report_check(lang, stopped, started),
                });
            }
            let progress = |n: u64| bar.inc(n);
            let on_loaded = |total: u64| {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(total);
                if let Ok(style) = ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} {per_sec} {eta}") {
                    bar.set_style(style);
                }
            };
            let result = jobs::run(&o, &progress, &on_loaded)?;
            bar.finish_and_clear();
            if paths && let CheckResult::Done { pack, outcomes, .. } = &result {
                print!("{}", tuopin::report::rule_paths(lang, pack, &outcomes.paths, &Aliases::builtin()));
            }
            Ok(report_check(lang, result, started))
        }
        Command::Explain { household_id, data, rules, year, json, html } => {
            let data = data.unwrap_or_else(|| default_path("fixtures/demo"));
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let Some(e) = jobs::run_explain(&data, &rules, year, &Aliases::builtin(), &household_id, lang)? else {
                eprintln!("{}", messages::no_such_code(lang, &household_id));
                return Ok(ExitCode::from(1));
            };
            match (&e, json) {
                (jobs::Explained::Household(h), true) => println!("{}", to_json(h.as_ref())?),
                (jobs::Explained::Area(a), true) => println!("{}", to_json(a.as_ref())?),
                (jobs::Explained::Household(h), false) => print!("{}", tuopin::report::explain::render(h, lang)),
                (jobs::Explained::Area(a), false) => print!("{}", tuopin::report::explain::render_area(a, lang)),
            }
            if let Some(dir) = html {
                let text = match &e {
                    jobs::Explained::Household(h) => tuopin::report::explain::render(h, lang),
                    jobs::Explained::Area(a) => tuopin::report::explain::render_area(a, lang),
                };
                let written = jobs::write_explain_html(&text, &household_id, &data, &dir, lang)?;
                print_written(lang, &written);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { base, new, data, year, base_year, out } => {
            let data = data.unwrap_or_else(|| default_path("fixtures/demo"));
            let (d, written) =
                jobs::run_diff(&data, &base, base_year.unwrap_or(year), &new, year, &out, &Aliases::builtin(), lang)?;
            print!("{}", tuopin::report::diff::render(&d, lang));
            print_written(lang, &written);
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { data, rules, quality, year, out } => {
            let data = data.unwrap_or_else(|| default_path("fixtures/demo"));
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let quality = quality.unwrap_or_else(|| default_path("rules/quality"));
            let inputs = jobs::AssessInputs { data: &data, quality: &quality, rules: &rules, year };
            let v = jobs::run_validate(inputs, &out, &Aliases::builtin(), lang)?;
            print!("{}", messages::validate_summary(lang, v.summary.errors, v.summary.warnings, &v.by_title));
            print_written(lang, &v.written);
            Ok(if v.summary.errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Sample {
            data,
            seed,
            villages_per_county,
            households_per_village,
            risk_weight,
            rules,
            quality,
            year,
            out,
        } => {
            let data = data.unwrap_or_else(|| default_path("fixtures/demo"));
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let quality = quality.unwrap_or_else(|| default_path("rules/quality"));
            let o = tuopin::inspect::sample::SampleOptions {
                seed,
                villages_per_county,
                households_per_village,
                risk_weight,
            };
            let d = jobs::run_sample(
                jobs::AssessInputs { data: &data, quality: &quality, rules: &rules, year },
                &o,
                &out,
                &Aliases::builtin(),
                lang,
            )?;
            print!(
                "{}",
                messages::sample_summary(
                    lang,
                    &jobs::per_county(&d.sample),
                    villages_per_county,
                    &d.villages_in_county
                )
            );
            print_written(lang, &d.written);
            Ok(ExitCode::SUCCESS)
        }
        Command::Estimate { sample, results, rules, year, out } => {
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let e = jobs::run_estimate(&sample, &results, &rules, year, &out, &Aliases::builtin(), lang)?;
            println!("{}", messages::results::coverage_heading(lang));
            for (county, (sampled, surveyed)) in &e.coverage {
                println!("{}", messages::results::coverage(lang, county, *sampled, *surveyed));
            }
            for c in &e.estimates {
                print!("{}", tuopin::report::estimate_lines(lang, c));
            }
            print_written(lang, &e.written);
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { rules, year } => {
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let jobs::cases::Cases { results, other_years } = jobs::cases::run_pack(&rules, lang, year)?;
            for r in results.iter().filter(|r| !r.passed()) {
                println!("{}", messages::case_failed(lang, &r.file, r.line, &r.name));
                if let Some(e) = &r.error {
                    println!("    {}", messages::case_error(lang, e));
                }
                for f in &r.failures {
                    let (want, got) =
                        (tuopin::report::value_text(lang, f.expected), tuopin::report::value_text(lang, f.actual));
                    println!("    {}", messages::case_mismatch(lang, &f.rule, &want, &got));
                    for t in &f.trail {
                        println!("        {t}");
                    }
                }
            }
            let failed = results.iter().filter(|r| !r.passed()).count();
            println!("{}", messages::case_summary(lang, results.len() - failed, failed));
            if let (Some(y), true) = (year, other_years > 0) {
                println!("{}", messages::case_other_years(lang, y, other_years));
            }
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Fields { level, rules, year, xlsx } => {
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let levels = match level.as_deref() {
                None => vec![],
                Some(l) => match Table::ALL
                    .into_iter()
                    .find(|t| t.level() == l || t.name() == l || messages::book::level_sheet(Lang::Zh, t.level()) == l)
                {
                    Some(t) => vec![t],
                    None => return Err(Error::Usage(messages::authoring::unknown_level(lang, l))),
                },
            };
            let d = jobs::run_fields(&rules, &Aliases::builtin(), year, &levels)?;
            print!("{}", tuopin::report::dictionary::text(&d, lang));
            if let Some(path) = xlsx {
                tuopin::report::dictionary::write_xlsx(&d, &path, lang)?;
                println!("\n{}", messages::authoring::dictionary_written(lang, &path.display().to_string()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lint { rules, deny_warnings, paths, year } => {
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let l = jobs::run_lint(&rules, &Aliases::builtin(), paths, year)?;
            for d in l.errors.iter().chain(&l.warnings) {
                println!("{}", d.render(lang));
            }
            if let Some((pack, plan)) = &l.plan {
                print!("{}", tuopin::report::rule_paths(lang, pack, plan, &Aliases::builtin()));
            }
            println!("{}", messages::lint_summary(lang, l.errors.len(), l.warnings.len()));
            let fail = !l.errors.is_empty() || (deny_warnings && !l.warnings.is_empty());
            Ok(if fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Load { data, encoding, aliases } => {
            let data = data.unwrap_or_else(|| default_path("fixtures/demo"));
            let (tables, errors) = jobs::run_load(&data, encoding, aliases.as_deref())?;
            for t in &tables {
                println!("{}", messages::table_read(lang, t.table.level(), t.table.name(), t.rows, &t.file));
            }
            if errors.is_empty() {
                Ok(ExitCode::SUCCESS)
            } else {
                print_input_errors(lang, &errors, None);
                Ok(ExitCode::from(1))
            }
        }
        Command::Gen { households, seed, out, format, faults, year, counties, rules, by_county } => {
            let rules = rules.unwrap_or_else(|| default_path("rules/hunan"));
            let started = Instant::now();
            let r = jobs::GenRequest { households, seed, year, counties, faults, format, by_county };
            let g = jobs::run_gen(&rules, &out, &r)?;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{}",
                messages::gen_summary(lang, g.households, g.persons, g.villages, g.counties, g.faults, secs)
            );
            for p in g.written {
                println!("{}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A value as pretty JSON.
fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Evaluation(e.to_string()))
}

/// The files a command wrote, under a heading.
fn print_written(lang: Lang, written: &[PathBuf]) {
    println!("{}", messages::outputs_heading(lang));
    for p in written {
        println!("  {}", p.display());
    }
}

fn print_input_errors(lang: Lang, errors: &[register::InputError], file: Option<&Path>) {
    eprintln!("{}", messages::input_errors_heading(lang, errors.len()));
    for e in errors.iter().take(ERROR_CAP) {
        eprintln!("  {}", e.say(lang));
    }
    if errors.len() > ERROR_CAP {
        let more = errors.len() - ERROR_CAP;
        match file {
            Some(p) => eprintln!("  {}", messages::more_errors(lang, more, &p.display().to_string())),
            None => eprintln!("  {}", messages::more_errors_unlisted(lang, more)),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineArg {
    Auto,
    Rows,
}

/// The end of a county-by-county check: totals from the merged summary, then the files.
fn report_by_county(lang: Lang, b: jobs::ByCounty, started: Instant) -> ExitCode {
    if !b.input_errors.is_empty() {
        print_input_errors(
            lang,
            &b.input_errors,
            b.written.iter().find(|p| p.ends_with("input_errors.csv")).map(PathBuf::as_path),
        );
        for (t, n) in &b.set_aside {
            eprintln!("{}", messages::set_aside(lang, t.name(), *n));
        }
    }
    println!("{}", messages::by_county(lang, b.parts));
    finish_check(lang, &b.check_totals, &b.rule_errors, &b.written, b.input_errors.is_empty(), started)
}

/// The totals, the first rule errors and the files written; the exit status.
fn finish_check(
    lang: Lang,
    totals: &messages::CheckTotals,
    rule_errors: &[tuopin::eval::RowError],
    written: &[PathBuf],
    no_input_errors: bool,
    started: Instant,
) -> ExitCode {
    print!("{}", messages::check_totals(lang, totals));
    if !rule_errors.is_empty() {
        eprintln!("{}", messages::rule_errors_heading(lang, rule_errors.len()));
        for e in rule_errors.iter().take(ERROR_CAP) {
            eprintln!("  {} [{}]: {}", e.rule, e.key, e.say(lang));
        }
    }
    println!("{} ({:.1} s)", messages::outputs_heading(lang), started.elapsed().as_secs_f64());
    for p in written {
        println!("  {}", p.display());
    }
    if no_input_errors && rule_errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn report_check(lang: Lang, result: CheckResult, started: Instant) -> ExitCode {
    match result {
        CheckResult::InputErrors { errors, written } => {
            print_input_errors(lang, &errors, written.first().map(PathBuf::as_path));
            eprintln!("{}", messages::stopped_on_input_errors(lang));
            ExitCode::from(1)
        }
        CheckResult::Done { outcomes, input_errors, set_aside, written, totals, .. } => {
            if !input_errors.is_empty() {
                print_input_errors(
                    lang,
                    &input_errors,
                    written.iter().find(|p| p.ends_with("input_errors.csv")).map(PathBuf::as_path),
                );
                for (t, n) in &set_aside {
                    eprintln!("{}", messages::set_aside(lang, t.name(), *n));
                }
            }
            let code = finish_check(lang, &totals, &outcomes.errors, &written, input_errors.is_empty(), started);
            if !written.iter().any(|p| p.ends_with("results.xlsx")) {
                println!("{}", messages::report_hint(lang));
            }
            code
        }
    }
}
