//! One register per input-error kind that the fixtures in `fixtures/bad` do not cover, and
//! one per form of a wrong value, each with its exact message (DOMAIN.md, "Input errors").
//! Rows are as Excel or a text editor shows them (DOMAIN.md): the header is row 1, so the
//! first data row is row 2; for NDJSON the record number. `set(…, row, …)` takes the data
//! row counted from 1.

mod common;

use std::path::Path;

use common::Case;
use tuopin::messages::Lang;
use tuopin::register::{self, Aliases, LoadOptions, Table};

/// A clean one-household register, edited by `edit`, loaded; its errors as English lines
/// with the folder's path taken off.
fn errors_after(edit: impl Fn(&Path)) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let member = |relation| [("relation", relation), ("disability_grade", "0"), ("work_months", "0")];
    Case::new()
        .household("H1", &[])
        .person("H1", &member("01"))
        .person("H1", &member("02"))
        .household("H2", &[])
        .person("H2", &member("01"))
        .write(dir.path());
    edit(dir.path());
    let opts = LoadOptions { aliases: Aliases::builtin(), ..Default::default() };
    let loaded = register::load(dir.path(), &[Table::Persons, Table::Households], &opts).unwrap();
    let prefix = format!("{}/", dir.path().display());
    loaded.errors.iter().map(|e| e.say(Lang::En).replace(&prefix, "")).collect()
}

/// Set one cell of a CSV file (data row `row`, 1-based) by column name.
fn set(dir: &Path, file: &str, row: usize, column: &str, value: &str) {
    common::edit_csv_column(
        &dir.join(file),
        column,
        Some(&|i, v| if i + 1 == row { value.to_string() } else { v.to_string() }),
    );
}

#[test]
fn the_clean_register_loads() {
    assert_eq!(errors_after(|_| {}), Vec::<String>::new());
}

#[test]
fn an_unreadable_file_names_itself() {
    let e = errors_after(|d| {
        std::fs::remove_file(d.join("villages.csv")).unwrap();
        std::fs::write(d.join("villages.parquet"), b"PAR1 not really parquet PAR1").unwrap();
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("villages.parquet: cannot read the file ("), "{e:?}");
}

#[test]
fn a_column_given_twice_under_two_headers() {
    let e = errors_after(|d| common::edit(d, "persons.csv", "health,", "健康状况,"));
    // `health` now appears only as 健康状况: no error. Add it back under its English name.
    assert_eq!(e, Vec::<String>::new());
    let e = errors_after(|d| {
        let p = d.join("persons.csv");
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[0].push_str(",健康状况");
        for l in lines.iter_mut().skip(1) {
            l.push_str(",01");
        }
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    });
    assert_eq!(e, vec!["persons.csv column 健康状况: names the same field as column health"]);
}

#[test]
fn a_null_registered_where_the_column_exists() {
    let e = errors_after(|d| set(d, "households.csv", 2, "registered", ""));
    assert_eq!(e, vec!["households.csv row 3 column registered: `registered` is empty; expected 是/否 (true/false)"]);
}

#[test]
fn a_missing_table_that_the_command_needs() {
    let e = errors_after(|d| std::fs::remove_file(d.join("households.csv")).unwrap());
    assert!(e.contains(&"households.{parquet,csv,ndjson,xlsx}: the register has no such table".to_string()), "{e:?}");
}

#[test]
fn a_village_whose_county_is_missing() {
    let e = errors_after(|d| set(d, "counties.csv", 1, "county_code", "433130"));
    // A village's county is the first six digits of its code (DOMAIN.md).
    assert_eq!(e, vec!["villages.csv row 2 column village_code value `433127100201`: not found in the counties table"]);
}

#[test]
fn each_form_of_a_wrong_value() {
    let cases: &[(&str, usize, &str, &str, &str)] = &[
        ("persons.csv", 1, "disability_grade", "5", "expected a whole number from 0 to 4"),
        ("persons.csv", 2, "disability_grade", "1.5", "expected a whole number from 0 to 4"),
        ("villages.csv", 1, "registered_population", "-1", "expected a whole number ≥ 0"),
        ("persons.csv", 1, "work_months", "three", "expected a whole number"),
        ("persons.csv", 3, "birth_date", "2019-02-30", "expected a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31"),
        ("persons.csv", 3, "birth_date", "1849-12-31", "expected a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31"),
        ("households.csv", 1, "food_secure", "maybe", "expected 是/否, true/false or 1/0"),
        ("households.csv", 2, "village_code", "43312710020", "expected 12 digits"),
        ("households.csv", 1, "wage_income", "12,000", "expected a number"),
        ("persons.csv", 2, "sex", "3", "expected one of 1 男, 2 女"),
    ];
    for (file, row, column, value, expected) in cases {
        let e = errors_after(|d| set(d, file, *row, column, value));
        let line = format!("{file} row {} column {column} value `{value}`: {expected}", row + 1);
        assert!(e.first() == Some(&line), "{column} = {value}: {e:?}");
    }
}

#[test]
fn malformed_rows_in_ndjson_and_xlsx() {
    // NDJSON: a line that is not a JSON object.
    let e = errors_after(|d| {
        std::fs::remove_file(d.join("counties.csv")).unwrap();
        std::fs::write(
            d.join("counties.ndjson"),
            "{\"county_code\": \"433127\", \"poor_county\": \"national\", \"rural_population\": 10000, \"rural_disposable_income\": 12000}\n[1, 2]\n",
        )
        .unwrap();
    });
    assert_eq!(e, vec!["counties.ndjson row 2: malformed row (the line is not a JSON object)"]);
    // XLSX: a cell holding an Excel error value (#DIV/0!).
    let e = errors_after(|d| {
        std::fs::remove_file(d.join("counties.csv")).unwrap();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, (h, v)) in [("county_code", "433127"), ("poor_county", "national")].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet.write_string(0, 2, "rural_population").unwrap();
        sheet.write_number(1, 2, 10000).unwrap();
        sheet.write_string(0, 3, "rural_disposable_income").unwrap();
        sheet.write_formula(1, 3, rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
        book.save(d.join("counties.xlsx")).unwrap();
    });
    assert_eq!(
        e,
        vec![
            "counties.xlsx row 2 column rural_disposable_income value `#DIV/0!`: malformed row (an Excel error value)"
        ]
    );
}
