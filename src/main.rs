//! The `tuopin` command line: parse arguments, call the library, print. Exit status: 0
//! success, 1 the run found errors in data or rules, 2 bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use tuopin::Error;
use tuopin::jobs::{self, CheckOptions, CheckResult};
use tuopin::messages::{self, Lang};
use tuopin::register::{self, Aliases, Encoding, Format, Table};

/// How many input errors are listed on the terminal before the rest go to the file only.
const ERROR_CAP: usize = 30;

#[derive(Parser)]
// Every description and help text is set from `messages::cli` when the command is built
// (`localized`), in Chinese unless `--lang en`.
#[command(name = "tuopin", version)]
struct Cli {
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Parquet)]
        format: Format,
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long, value_enum, default_value_t = Encoding::Auto)]
        encoding: Encoding,
        #[arg(long)]
        aliases: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
        engine: EngineArg,
        #[arg(long)]
        paths: bool,
        #[arg(long)]
        by_county: bool,
        #[arg(long)]
        report: bool,
    },
    Explain {
        #[arg(value_name = "CODE")]
        household_id: String,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "DIR")]
        html: Option<PathBuf>,
    },
    Diff {
        #[arg(long)]
        base: PathBuf,
        #[arg(long)]
        new: PathBuf,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long)]
        base_year: Option<i32>,
        #[arg(long, default_value = "out/diff")]
        out: PathBuf,
    },
    Validate {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        quality: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "out/validate")]
        out: PathBuf,
    },
    Sample {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        seed: u64,
        #[arg(long, default_value_t = 29)]
        villages_per_county: usize,
        #[arg(long, default_value_t = 10)]
        households_per_village: usize,
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
    Test {
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        year: Option<i32>,
    },
    Fields {
        #[arg(long)]
        level: Option<String>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    Init {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    Serve {
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    User {
        #[arg(value_parser = ["add"])]
        action: String,
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    Lint {
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        paths: bool,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        deny_warnings: bool,
    },
    Load {
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Encoding::Auto)]
        encoding: Encoding,
        #[arg(long)]
        aliases: Option<PathBuf>,
    },
    Gen {
        #[arg(long, default_value_t = 2000)]
        households: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Parquet)]
        format: Format,
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        #[arg(long)]
        counties: Option<usize>,
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        by_county: bool,
    },
}

/// The line that says which pack, year and register a run used.
fn ran_with(lang: Lang, rules: &Path, year: i32, data: &Path) -> String {
    use tuopin::builtin::label;
    messages::authoring::ran_with(lang, &label(rules, lang), year, &label(data, lang))
}

/// A folder given on the command line, or the built-in one (`tuopin::builtin`).
fn or_builtin(given: Option<PathBuf>, builtin: fn() -> Result<PathBuf, Error>) -> Result<PathBuf, Error> {
    match given {
        Some(p) => Ok(p),
        None => builtin(),
    }
}

/// The language asked for on the command line (`--lang en` or `--lang=en` anywhere), read
/// before parsing so that help and argument errors are in it too.
fn lang_of(args: &[std::ffi::OsString]) -> Lang {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().to_string()).collect();
    let en = args
        .iter()
        .enumerate()
        .any(|(i, a)| a == "--lang=en" || (a == "--lang" && args.get(i + 1).is_some_and(|v| v == "en")));
    if en { Lang::En } else { Lang::Zh }
}

/// The command line with every text from `messages::cli` in `lang`: descriptions, examples,
/// option help with defaults and choices said in words, headings, and the help and version
/// flags themselves.
fn localized(lang: Lang) -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    use messages::cli;
    let heading = cli::options_heading(lang);
    let say = move |command: &str, a: Arg| -> Arg {
        let id = a.get_id().to_string();
        let mut help = cli::option(lang, command, &id).unwrap_or_default().to_string();
        let choices: Vec<String> = a.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        let defaults: Vec<String> = a.get_default_values().iter().map(|v| v.to_string_lossy().to_string()).collect();
        let takes_value = a.get_num_args().is_none_or(|n| n.takes_values())
            && !matches!(a.get_action(), ArgAction::SetTrue | ArgAction::Help | ArgAction::Version);
        if takes_value && !choices.is_empty() && !choices.iter().all(|c| help.contains(c.as_str())) {
            help.push_str(&cli::choices(lang, &choices));
        }
        if takes_value && !defaults.is_empty() && !help.contains(cli::default_word(lang)) {
            help.push_str(&cli::default_value(lang, &defaults.join(" ")));
        }
        let mut a = a.help(help).hide_default_value(true).hide_possible_values(true);
        if takes_value {
            a = a.value_name(cli::value_name(lang, &id));
        }
        if a.is_positional() { a.help_heading(cli::arguments_heading(lang)) } else { a.help_heading(heading) }
    };
    let mut cmd = Cli::command()
        .override_usage(cli::usage(lang, "", &[]))
        .about(cli::program(lang))
        .help_template(cli::help_template(lang))
        .subcommand_help_heading(cli::commands_heading(lang))
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).global(true))
        .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version));
    for id in ["help", "version", "lang"] {
        cmd = cmd.mut_arg(id, |a| say("", a));
    }
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sc| {
            let (about, example) = cli::command(lang, &name);
            let ids: Vec<String> = sc.get_arguments().map(|a| a.get_id().to_string()).collect();
            let required: Vec<String> = sc
                .get_arguments()
                .filter(|a| a.is_required_set())
                .map(|a| match a.get_long() {
                    Some(l) => format!("--{l} <{}>", cli::value_name(lang, a.get_id().as_str())),
                    None => format!("<{}>", cli::value_name(lang, a.get_id().as_str())),
                })
                .collect();
            let mut sc = sc
                .override_usage(cli::usage(lang, &name, &required))
                .about(about)
                .after_help(example)
                .help_template(cli::help_template(lang))
                .disable_help_flag(true);
            for id in ids {
                sc = sc.mut_arg(&id, |a| say(&name, a));
            }
            sc
        });
    }
    cmd
}

/// Parse the command line; help, version and argument errors are printed here, in the
/// user's language, and end the program.
fn parse(lang: Lang) -> Result<Cli, ExitCode> {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = localized(lang).try_get_matches_from(&args).map_err(|e| arg_error(lang, &args, e))?;
    Cli::from_arg_matches(&matches).map_err(|e| arg_error(lang, &args, e))
}

/// Print clap's error in the user's language (help and version as they are) and give the
/// exit status: 0 for help and version, 2 for a usage error.
fn arg_error(lang: Lang, args: &[std::ffi::OsString], e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use messages::cli::{ArgProblem, ArgProblemKind as K};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let text = |k: ContextKind| -> Option<String> {
        match e.get(k)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
            _ => None,
        }
    };
    let list = |k: ContextKind| -> Vec<String> {
        match e.get(k) {
            Some(ContextValue::Strings(v)) => v.clone(),
            _ => vec![],
        }
    };
    let kind = match e.kind() {
        ErrorKind::InvalidValue => K::InvalidValue,
        ErrorKind::UnknownArgument => K::UnknownArgument,
        ErrorKind::InvalidSubcommand => K::UnknownCommand,
        ErrorKind::MissingRequiredArgument => K::MissingRequired,
        ErrorKind::MissingSubcommand => K::MissingCommand,
        ErrorKind::ValueValidation => K::BadNumber,
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict if e.kind() == ErrorKind::TooManyValues => K::TooMany,
        ErrorKind::ArgumentConflict => K::Conflict,
        _ => K::Other,
    };
    let (arg, value) = (text(ContextKind::InvalidArg), text(ContextKind::InvalidValue));
    let valid = list(ContextKind::ValidValue);
    let suggested = text(ContextKind::SuggestedArg).or_else(|| text(ContextKind::SuggestedSubcommand));
    let arg = arg.or_else(|| text(ContextKind::InvalidSubcommand));
    let names: Vec<String> = localized(lang).get_subcommands().map(|c| c.get_name().to_string()).collect();
    let command =
        args.iter().skip(1).map(|a| a.to_string_lossy().to_string()).find(|a| names.contains(a)).unwrap_or_default();
    let english = e.render().to_string();
    let p = ArgProblem {
        kind,
        arg: arg.as_deref(),
        value: value.as_deref(),
        valid: valid.iter().map(String::as_str).collect(),
        suggested: suggested.as_deref(),
        command: &command,
    };
    eprintln!("{}", messages::cli::arg_problem(lang, &p, &english));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    tuopin::no_huge_pages();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match parse(lang_of(&args)) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
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
                data: or_builtin(data, tuopin::builtin::demo)?,
                rules: or_builtin(rules, tuopin::builtin::pack)?,
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
            let data = or_builtin(data, tuopin::builtin::demo)?;
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
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
            let data = or_builtin(data, tuopin::builtin::demo)?;
            let (d, written) =
                jobs::run_diff(&data, &base, base_year.unwrap_or(year), &new, year, &out, &Aliases::builtin(), lang)?;
            let (b, n, reg) =
                (base.display().to_string(), new.display().to_string(), tuopin::builtin::label(&data, lang));
            println!("{}", messages::authoring::diff_ran_with(lang, &b, base_year.unwrap_or(year), &n, year, &reg));
            print!("{}", tuopin::report::diff::render(&d, lang));
            print_written(lang, &written);
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { data, rules, quality, year, out } => {
            let data = or_builtin(data, tuopin::builtin::demo)?;
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
            let quality = or_builtin(quality, tuopin::builtin::quality)?;
            let inputs = jobs::AssessInputs { data: &data, quality: &quality, rules: &rules, year };
            let v = jobs::run_validate(inputs, &out, &Aliases::builtin(), lang)?;
            println!("{}", ran_with(lang, &rules, year, &data));
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
            let data = or_builtin(data, tuopin::builtin::demo)?;
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
            let quality = or_builtin(quality, tuopin::builtin::quality)?;
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
            println!("{}", ran_with(lang, &rules, year, &data));
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
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
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
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
            let jobs::cases::Cases { results, other_years } = jobs::cases::run_pack(&rules, lang, year)?;
            // Which pack was tested, on stderr beside the results.
            eprintln!("{}", messages::authoring::pack_used(lang, &tuopin::builtin::label(&rules, lang)));
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
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
            let levels = match level.as_deref() {
                None => vec![],
                Some(l) => match Table::named(l) {
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
        Command::Serve { rules, data, year, bind, port } => {
            let rules = studio_pack(rules, lang)?;
            let o = tuopin::serve::ServeOptions {
                rules,
                data: or_builtin(data, tuopin::builtin::demo)?,
                year,
                bind,
                port,
                lang,
            };
            tuopin::serve::serve(&o, |addr, studio| {
                let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
                let url = format!("http://{host}:{}", addr.port());
                let households = studio.register.rows(Table::Households);
                println!("{}", messages::studio::started(lang, &url, studio.local, households));
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { action: _, name, role, rules } => {
            let Some(role) = tuopin::serve::db::Role::parse(&role) else {
                return Err(Error::Usage(messages::studio::bad_role(lang, &role)));
            };
            let rules = studio_pack(rules, lang)?;
            let password = read_password(lang, &name)?;
            if password.chars().count() < 8 {
                return Err(Error::Usage(messages::studio::password_too_short(lang)));
            }
            let path = tuopin::serve::db::path_for(&rules);
            let db = tuopin::serve::db::Db::open(&path)?;
            db.set_user(&name, role, &password)?;
            db.audit("tuopin user add", "user_saved", &format!("{name} ({})", role.name()))?;
            println!("{}", messages::studio::user_saved(lang, &name, role.name(), &path.display().to_string()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            let n = tuopin::builtin::init(&dir, lang)?;
            println!("{}", messages::authoring::init_written(lang, &dir.display().to_string(), n));
            Ok(ExitCode::SUCCESS)
        }
        Command::Lint { rules, deny_warnings, paths, year } => {
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
            let l = jobs::run_lint(&rules, &Aliases::builtin(), paths, year)?;
            eprintln!("{}", messages::authoring::pack_used(lang, &tuopin::builtin::label(&rules, lang)));
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
            let data = or_builtin(data, tuopin::builtin::demo)?;
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
            let rules = or_builtin(rules, tuopin::builtin::pack)?;
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

/// The pack folder the studio works on: the one given, or `studio/hunan` in the current
/// folder, made from the built-in pack the first time (publishing changes it, never the
/// built-in pack).
fn studio_pack(given: Option<PathBuf>, lang: Lang) -> Result<PathBuf, Error> {
    if let Some(p) = given {
        return Ok(p);
    }
    let dir = PathBuf::from("studio").join("hunan");
    if !dir.join("pack.toml").exists() {
        let n = tuopin::builtin::init(&dir, lang)?;
        eprintln!("{}", messages::studio::studio_pack_made(lang, &dir.display().to_string(), n));
    }
    Ok(dir)
}

/// A password from a prompt that does not show it, or the first line of standard input
/// when that is not a terminal (an office's script).
fn read_password(lang: Lang, name: &str) -> Result<String, Error> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password(messages::studio::password_prompt(lang, name))
            .map_err(|e| Error::io(Path::new("/dev/tty"), e))?
    } else {
        let mut l = String::new();
        stdin.lock().read_line(&mut l).map_err(|e| Error::io(Path::new("stdin"), e))?;
        l
    };
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
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
