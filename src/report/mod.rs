//! Writing results: one table per level, `summary.json`, and the lists of errors.
//!
//! Outputs are written completely or not at all, and only over files tuopin wrote itself
//! (`staging`). Nothing is ever written into the register folder.

pub mod dictionary;
pub mod diff;
pub mod excel;
pub mod explain;
pub mod html;
pub mod quality;
pub mod reasons;
pub mod refusal;
pub mod staging;
pub mod summary;
pub mod workbook;

pub use excel::{XLSX_MAX_ROWS, source_date_epoch, workbook};
pub use reasons::say_reason;
pub use staging::{Inputs, Staging};

use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::Error;
use crate::eval::{LevelOutcome, Outcomes, Value, Values};
use crate::messages::{self, Lang};
use crate::register::{Format, InputError};
use crate::rules::{Pack, RuleKind};

/// Every CSV file tuopin writes starts with the UTF-8 byte-order mark, by which Excel on a
/// Chinese Windows knows the file is UTF-8 rather than GBK (without it, Chinese text shows
/// garbled). Every reader of CSV in tuopin skips it.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The result frame of a level: keys, then one column per rule (named without the level),
/// then `reasons`.
pub fn level_frame(
    pack: &Pack,
    level: &LevelOutcome,
    year: i32,
    lang: Lang,
    aliases: &crate::register::Aliases,
    register: Option<&crate::register::Register>,
) -> Result<DataFrame, Error> {
    let n = level.len();
    let mut cols: Vec<Column> = vec![level.keys.clone().into_column()];
    cols.extend(level.extra_keys.iter().cloned());
    for (r, vals) in &level.results {
        let rule = &pack.rules[*r];
        // A compiled rule's column as polars made it (already of the rule's type).
        match level.columns.get(r) {
            Some(c) => cols.push(c.clone()),
            None => cols.push(value_column(&rule.name, rule.kind, vals, level.number_types.get(r).copied())),
        }
    }
    if let Some(sayer) = reasons::Sayer::new(pack, level, year, lang, aliases, register) {
        crate::timing::lap(&format!("{} reasons prepared", level.table.level()));
        // Rows are said in parallel, in pieces, each piece straight into its part of the
        // column (each reason is its own string: values differ by row). The parts are kept
        // as the column's chunks: no row is copied twice (1M households: 84 MB less).
        const PIECE: usize = 1 << 16;
        let parts: Vec<StringChunked> = {
            use rayon::prelude::*;
            (0..n.div_ceil(PIECE))
                .into_par_iter()
                .map(|k| {
                    StringChunked::from_iter_values(
                        "reasons".into(),
                        (k * PIECE..n.min((k + 1) * PIECE)).map(|i| sayer.row(i)),
                    )
                })
                .collect()
        };
        let mut column = StringChunked::from_iter_values("reasons".into(), std::iter::empty::<&str>());
        for part in parts {
            column.append_owned(part)?;
        }
        crate::timing::lap(&format!("{} reasons said", level.table.level()));
        cols.push(column.into_column());
    }
    Ok(DataFrame::new(n, cols)?)
}

/// A rule's outcomes as a column: nullable Boolean for predicates; for numbers, Float64 when
/// the rule's type (`ty`) is fractional, else Int64 when all its values are whole.
pub fn value_column(name: &str, kind: RuleKind, vals: &Values, ty: Option<crate::eval::compiled::Ty>) -> Column {
    use crate::eval::compiled::Ty;
    // A number rule typed as fractional is Float64 even when every value came out whole.
    let whole = ty != Some(Ty::Float) && vals.iter().all(|v| matches!(v, Value::Int(_) | Value::Unknown));
    match kind {
        RuleKind::Predicate => Column::new(name.into(), vals.iter().map(|v| v.as_bool()).collect::<Vec<_>>()),
        RuleKind::Value if whole => Column::new(
            name.into(),
            vals.iter().map(|v| if let Value::Int(i) = v { Some(*i) } else { None }).collect::<Vec<_>>(),
        ),
        RuleKind::Value => Column::new(name.into(), vals.iter().map(|v| v.as_f64()).collect::<Vec<_>>()),
    }
}

/// Write a frame in a format. XLSX shows booleans as 是/否/未知 and refuses frames past
/// Excel's row limit.
pub fn write_frame(
    staging: &mut Staging,
    stem: &str,
    df: &mut DataFrame,
    format: Format,
    lang: Lang,
) -> Result<(), Error> {
    let name = format!("{stem}.{}", format.extension());
    if format == Format::Xlsx && df.height() + 1 > XLSX_MAX_ROWS {
        return Err(Error::Usage(messages::past_excel_rows(lang, &name, df.height())));
    }
    let (path, file) = staging.file(&name)?;
    write_frame_to(&path, file, df, format, lang)
}

/// Write a frame into a file already made in the staging folder.
fn write_frame_to(
    path: &Path,
    file: std::fs::File,
    df: &mut DataFrame,
    format: Format,
    lang: Lang,
) -> Result<(), Error> {
    match format {
        Format::Parquet => {
            // Buffered: the writer's own writes are a few KB each (22,000 system calls for
            // 3.2 M person rows unbuffered).
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let mut writer = parquet_writer(&mut w, df.schema())?;
            write_row_groups(&mut writer, df)?;
            writer.finish()?;
            w.flush().map_err(|e| Error::io(path, e))?;
        }
        Format::Csv => {
            let mut w = BufWriter::new(file);
            CsvWriter::new(&mut w).include_bom(true).include_header(true).finish(df)?;
            w.flush().map_err(|e| Error::io(path, e))?;
        }
        Format::Ndjson => {
            return Err(Error::Usage(messages::result_formats(lang).into()));
        }
        Format::Xlsx => write_xlsx(path, df, lang)?,
    }
    Ok(())
}

/// The writer of a results table in Parquet. LZ4: results are read back soon and often; zstd
/// cost 2× the write time here.
pub fn parquet_writer<W: Write>(w: W, schema: &Schema) -> Result<polars::io::parquet::write::BatchedWriter<W>, Error> {
    Ok(ParquetWriter::new(w).with_compression(ParquetCompression::Lz4Raw).batched(schema)?)
}

/// Write a frame as row groups of polars' 512² rows, each made one chunk on its own (the
/// batched writer makes a row group of every chunk, and needs the columns' chunks aligned).
/// `ParquetWriter::finish` would first make every column of the whole frame one chunk, which
/// copied the `reasons` column (said in pieces) whole while it was written: 1M households,
/// `check`'s peak 1022–1041 → 887–959 MiB.
pub fn write_row_groups<W: Write>(
    writer: &mut polars::io::parquet::write::BatchedWriter<W>,
    df: &DataFrame,
) -> Result<(), Error> {
    const ROW_GROUP: usize = 512 * 512;
    for at in (0..df.height()).step_by(ROW_GROUP) {
        let mut group = df.slice(at as i64, ROW_GROUP);
        group.rechunk_mut_par();
        writer.write_batch(&group)?;
    }
    Ok(())
}

fn write_xlsx(path: &Path, df: &DataFrame, lang: Lang) -> Result<(), Error> {
    let mut book = crate::report::workbook();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, col) in df.columns().iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, col.name().as_str(), &bold)?;
        let s = col.as_materialized_series();
        match s.dtype() {
            DataType::Boolean => {
                for (r, v) in s.bool()?.iter().enumerate() {
                    sheet.write_string(r as u32 + 1, c, messages::outcome(lang, v))?;
                }
            }
            DataType::Int64 => {
                for (r, v) in s.i64()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_number(r as u32 + 1, c, v as f64)?;
                    }
                }
            }
            DataType::Float64 => {
                for (r, v) in s.f64()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_number(r as u32 + 1, c, v)?;
                    }
                }
            }
            _ => {
                let s = s.cast(&DataType::String)?;
                for (r, v) in s.str()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_string(r as u32 + 1, c, v)?;
                    }
                }
            }
        }
    }
    sheet.autofilter(0, 0, df.height() as u32, df.width().saturating_sub(1) as u16)?;
    sheet.set_freeze_panes(1, 0)?;
    book.save(path)?;
    Ok(())
}

/// Write any serialisable rows as CSV with a header (error lists).
pub fn write_csv_rows<T: Serialize>(staging: &mut Staging, name: &str, rows: &[T]) -> Result<(), Error> {
    let (path, file) = staging.file(name)?;
    write_csv_rows_to(&path, file, rows)
}

/// Write rows as CSV into a file already made in the staging folder.
pub fn write_csv_rows_to<T: Serialize>(path: &Path, file: std::fs::File, rows: &[T]) -> Result<(), Error> {
    let path = path.to_path_buf();
    let mut file = BufWriter::with_capacity(1 << 20, file);
    file.write_all(UTF8_BOM).map_err(|e| Error::io(&path, e))?;
    let mut w = csv::Writer::from_writer(file);
    for r in rows {
        w.serialize(r).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    Ok(())
}

/// An input error as a row of `input_errors.csv`.
#[derive(Serialize)]
pub struct InputErrorRow {
    pub file: String,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

pub fn input_error_rows(errors: &[InputError], lang: Lang) -> Vec<InputErrorRow> {
    errors
        .iter()
        .map(|e| InputErrorRow {
            file: e.file.clone(),
            row: e.row,
            column: e.column.clone(),
            value: e.value.clone(),
            message: e.say(lang),
        })
        .collect()
}

/// A row error as a row of `rule_errors.csv`.
#[derive(Serialize)]
pub struct RuleErrorRow<'a> {
    pub rule: &'a str,
    pub level: &'static str,
    pub key: &'a str,
    pub message: String,
}

pub fn rule_error_rows(errors: &[crate::eval::RowError], lang: Lang) -> Vec<RuleErrorRow<'_>> {
    errors.iter().map(|e| RuleErrorRow { rule: &e.rule, level: e.level, key: &e.key, message: e.say(lang) }).collect()
}

/// How `check`'s results are written: the format, the language, the alias table (for the
/// fields named in reasons), and the register when the result workbook is wanted (its
/// names are carried into it).
pub struct Writing<'a> {
    pub format: Format,
    pub lang: Lang,
    pub aliases: &'a crate::register::Aliases,
    pub register: &'a crate::register::Register,
    /// Write `results.xlsx` (always with `--format xlsx`).
    pub workbook: bool,
}

/// Write every result table and the summary for a run of `check`.
pub fn write_check(
    staging: &mut Staging,
    pack: &Pack,
    outcomes: &Outcomes,
    w: &Writing,
    extra: &summary::RunInfo,
) -> Result<(), Error> {
    let Writing { format, lang, aliases, register, workbook: book } = *w;
    // `--format xlsx` writes the one workbook; other formats a file per level (and the
    // workbook beside them when asked for with `--report`).
    if format != Format::Xlsx {
        // The levels are said and written at the same time, each on its own thread: the
        // person table's writing overlaps the household table's reasons (1M households:
        // 0.3 s less than one after the other).
        let mut files = vec![];
        for level in &outcomes.levels {
            files.push(staging.file(&format!("{}.{}", level.table.name(), format.extension()))?);
        }
        let written: Vec<Result<(), Error>> = std::thread::scope(|s| {
            let threads: Vec<_> = outcomes
                .levels
                .iter()
                .zip(files)
                .map(|(level, (path, file))| {
                    s.spawn(move || {
                        let mut df = level_frame(pack, level, outcomes.year, lang, aliases, Some(register))?;
                        crate::timing::lap(&format!("{} frame", level.table.level()));
                        write_frame_to(&path, file, &mut df, format, lang)?;
                        crate::timing::lap(&format!("{} written", level.table.level()));
                        Ok(())
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        written.into_iter().collect::<Result<Vec<()>, Error>>()?;
    }
    let s = summary::build(pack, outcomes, extra);
    if book || format == Format::Xlsx {
        let (path, _) = staging.file("results.xlsx")?;
        let names = workbook::Names::of(register);
        let beside = (format != Format::Xlsx).then_some(format);
        let r = workbook::Results {
            pack,
            outcomes,
            register,
            summary: &s,
            info: extra,
            lang,
            aliases,
            names: &names,
            beside,
        };
        workbook::write(&path, &r)?;
        crate::timing::lap("workbook written");
        if book {
            let (path, _) = staging.file("report.html")?;
            html::write(&path, &r)?;
        }
    }
    let (path, mut file) = staging.file("summary.json")?;
    let text = serde_json::to_string_pretty(&s).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    file.write_all(text.as_bytes()).and_then(|_| file.write_all(b"\n")).map_err(|e| Error::io(&path, e))?;
    if !outcomes.errors.is_empty() {
        write_csv_rows(staging, "rule_errors.csv", &rule_error_rows(&outcomes.errors, lang))?;
    }
    Ok(())
}

/// A rule's value in a test report: 是/否/未知 or a number.
pub fn value_text(lang: Lang, v: crate::eval::Value) -> String {
    use crate::eval::Value;
    match v {
        Value::Unknown => messages::outcome(lang, None).to_string(),
        Value::Bool(b) => messages::outcome(lang, Some(b)).to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
    }
}

/// Why a rule runs row by row rather than compiled, in the user's language.
pub fn row_by_row_reason(lang: Lang, why: &crate::eval::compiled::Why) -> String {
    use crate::eval::compiled::{Ty, Why};
    use messages::{RowByRow as R, ValueKind as K};
    let kind = |t: &Ty| match t {
        Ty::Bool => K::Bool,
        Ty::Int | Ty::Float => K::Number,
        Ty::Code(_) => K::Code,
        Ty::Text => K::Text,
        Ty::Date => K::Date,
        Ty::Unit => K::Unknown,
    };
    let said = match why {
        Why::Uses(c) => R::Uses(*c),
        Why::Unresolved(n) => R::Unresolved(n),
        Why::ReadsRowByRow(id) => R::ReadsRowByRow(id),
        Why::Kinds(what, kinds) => R::Kinds(what, kinds.iter().map(kind).collect()),
        Why::RuleGives(k, t) => R::RuleGives(*k == crate::rules::RuleKind::Predicate, kind(t)),
        Why::Function(n, a) => R::Function(n, *a),
        Why::EngineRows => R::EngineRows,
        Why::PlanFailed(e) => R::PlanFailed(e),
    };
    messages::row_by_row_reason(lang, &said)
}

/// One county's estimates in `estimate`, as printed.
pub fn estimate_lines(lang: Lang, e: &crate::inspect::estimate::CountyEstimate) -> String {
    use messages::estimate as m;
    let names = m::rate_names(lang);
    let mut out = m::county(lang, &e.county);
    for (k, (name, r)) in names.iter().zip([&e.wrong_exit_rate, &e.missed_rate, &e.recognition_rate]).enumerate() {
        let v = [r.estimate, r.ci_low, r.ci_high, r.probability_breaks];
        out.push_str(&m::rate(lang, name, v, r.households, k == 2));
        if r.estimate.is_some() && r.villages < crate::inspect::estimate::FEW_VILLAGES {
            out.push_str(&m::few_villages(lang, r.villages));
        }
        if r.single_village_strata > 0 && r.estimate.is_some() {
            out.push_str(&m::single_village_strata(lang, r.single_village_strata));
        }
    }
    out.push_str(&m::verdict(lang, e.passes, e.probability_passes));
    out
}

/// What `--paths` prints: the path each rule runs on, why a rule runs row by row, and the
/// fields it reads as unknown because the register lacks them (by the user's header names
/// in Chinese).
pub fn rule_paths(
    lang: Lang,
    pack: &Pack,
    paths: &[crate::eval::compiled::RulePath],
    aliases: &crate::register::Aliases,
) -> String {
    let lines: Vec<messages::PathLine> = paths
        .iter()
        .map(|p| {
            let rule = &pack.rules[p.rule];
            messages::PathLine {
                id: rule.id.clone(),
                row_by_row: p.row_by_row.as_ref().map(|w| row_by_row_reason(lang, w)),
                absent_fields: p
                    .absent_fields
                    .iter()
                    .map(|f| match (lang, aliases.header(rule.level, f)) {
                        (Lang::Zh, Some(h)) => h.to_string(),
                        _ => f.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    messages::rule_paths(lang, &lines)
}
