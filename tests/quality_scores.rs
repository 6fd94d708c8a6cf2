//! What `validate` and `sample` rank and flag, worked by hand: the risk score (40 for a
//! wrong-exit risk, 40 missed, 30 wrong inclusion, 10 monitoring, an unknown flag half, plus
//! 5 per data error and 1 per warning), income bunching at the exact edges of its bands, and
//! the malformed-ID check firing on each way an ID can be malformed. Also the command line:
//! exit status 2 for bad usage, `--encoding` and `--aliases`.

mod common;

use common::Case;

fn assess(case: &Case) -> (tempfile::TempDir, tuopin::jobs::Assessment) {
    let dir = tempfile::tempdir().unwrap();
    case.write(dir.path());
    let a = common::assess(dir.path());
    (dir, a)
}

const CLEAN: &[(&str, &str)] = &[
    ("owns_car", "false"),
    ("owns_commercial_housing", "false"),
    ("runs_company", "false"),
    ("public_employee", "false"),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v: Vec<(&str, &str)> = CLEAN.to_vec();
    v.extend_from_slice(extra);
    v
}

#[test]
fn the_risk_score_by_hand() {
    let case = Case::new()
        // Exited at 500 a head: a wrong-exit risk (40) under monitoring (10).
        .household_of("HW", 2, &with(&[("status", "03"), ("wage_income", "1000")]))
        // Exited, income unknown: both flags unknown, half each: 20 + 5.
        .household_of("HU", 2, &with(&[("status", "03"), ("wage_income", "")]))
        // Not exited, well off, nothing against it.
        .household_of("HN", 2, &with(&[]))
        // Owns a car: wrong inclusion (30).
        .household_of("HI", 2, &with(&[("owns_car", "true")]))
        // Not registered, 500 a head: missed (40) and monitoring (10).
        .household_of("HM", 2, &with(&[("registered", "false"), ("status", ""), ("wage_income", "1000")]));
    let (_d, a) = assess(&case);
    assert_eq!(a.findings.len(), 0, "no data fault, so only the flags count: {:?}", a.findings);
    let scores: Vec<(&str, u64)> = a.risk.iter().map(|r| (r.household_id.as_str(), r.risk_score)).collect();
    // Highest first, ties by household number.
    assert_eq!(scores, vec![("HM", 50), ("HW", 50), ("HI", 30), ("HU", 25), ("HN", 0)]);
}

#[test]
fn data_faults_add_five_per_error_and_one_per_warning() {
    // Two heads (an error) in an otherwise clean household; a deceased dibao member (a warning).
    let case = Case::new()
        .household("HE", &with(&[]))
        .person("HE", &[("relation", "01")])
        .person("HE", &[("relation", "01")])
        .household("HD", &with(&[]))
        .person("HD", &[("relation", "01")])
        .person("HD", &[("relation", "03"), ("health", "05"), ("dibao", "true")]);
    let (_d, a) = assess(&case);
    let by = |id: &str| a.risk.iter().find(|r| r.household_id == id).unwrap();
    let (he, hd) = (by("HE"), by("HD"));
    let count = |id: &str, sev| a.findings.iter().filter(|f| f.household_id == id && f.severity == sev).count() as u64;
    use tuopin::rules::FindingSeverity::{Error, Warning};
    assert_eq!((he.data_errors, he.data_warnings), (count("HE", Error), count("HE", Warning)));
    assert!(he.data_errors >= 1, "two heads is an error: {:?}", a.findings);
    assert!(hd.data_warnings >= 1, "a deceased member on dibao is a warning: {:?}", a.findings);
    assert_eq!(he.risk_score, 5 * he.data_errors + he.data_warnings);
    assert_eq!(hd.risk_score, 5 * hd.data_errors + hd.data_warnings);
}

#[test]
fn income_bunching_at_the_exact_edges_of_its_bands() {
    // Line 4000, band 5 %: just above is [4000, 4200), just below [3800, 4000).
    let exited = |case: Case, id: &str, per_head: &str| {
        case.household_of(id, 1, &with(&[("status", "05"), ("wage_income", per_head)]))
    };
    let mut case = Case::new();
    for (id, v) in [("A", "4000"), ("B", "4199.99"), ("C", "4200"), ("D", "3800"), ("E", "3799.99"), ("F", "3999.99")] {
        case = exited(case, id, v);
    }
    let (_d, a) = assess(&case);
    let b = &a.bunching[0];
    // Above: A and B (4200 is outside). Below: D and F (3799.99 is outside).
    assert_eq!((b.exited, b.just_above, b.just_below), (6, 2, 2));
    assert!(!b.flagged, "two above is fewer than three");
    // One more just above, and one less below: 3 above (share 3/6) against 1 below (1/6).
    let mut case = Case::new();
    for (id, v) in [("A", "4000"), ("B", "4199.99"), ("G", "4100"), ("C", "4200"), ("D", "3800"), ("E", "3799.99")] {
        case = exited(case, id, v);
    }
    let (_d, a) = assess(&case);
    let b = &a.bunching[0];
    assert_eq!((b.exited, b.just_above, b.just_below), (6, 3, 1));
    assert!(b.flagged, "3/6 is more than twice 1/6");
    // Exactly twice is not more than twice: 4 above (4/8) against 2 below (2/8).
    let mut case = Case::new();
    for (id, v) in [
        ("A", "4000"),
        ("B", "4199.99"),
        ("G", "4100"),
        ("H", "4150"),
        ("D", "3800"),
        ("F", "3999.99"),
        ("C", "4200"),
        ("E", "3799.99"),
    ] {
        case = exited(case, id, v);
    }
    let (_d, a) = assess(&case);
    let b = &a.bunching[0];
    assert_eq!((b.exited, b.just_above, b.just_below), (8, 4, 2));
    assert!(!b.flagged, "4/8 is exactly twice 2/8");
}

#[test]
fn the_malformed_id_check_fires_on_each_malformed_form() {
    let valid = common::resident_id("1980-01-01", 3);
    let cases = [
        ("short", valid[..17].to_string(), true),
        ("letter", format!("{}A{}", &valid[..10], &valid[11..]), true),
        ("impossible date", format!("{}19800230{}", &valid[..6], &valid[14..]), true),
        ("born after the year", format!("{}20210101{}", &valid[..6], &valid[14..]), true),
        ("valid", valid.clone(), false),
    ];
    let mut case = Case::new();
    for (i, (_, id, _)) in cases.iter().enumerate() {
        let h = format!("H{i}");
        case = case.household(&h, &with(&[])).person(&h, &[("relation", "01"), ("person_id", id)]);
    }
    let (_d, a) = assess(&case);
    let ids: Vec<(&str, &str)> = a.findings.iter().map(|f| (f.check.as_str(), f.household_id.as_str())).collect();
    for (i, (what, id, fires)) in cases.iter().enumerate() {
        let found = a.findings.iter().any(|f| f.check == "id_malformed" && f.household_id == format!("H{i}"));
        assert_eq!(found, *fires, "{what}: {id}: {ids:?}");
    }
}

fn tuopin(args: &[&str]) -> (Option<i32>, String) {
    let o = common::tuopin(args);
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn bad_usage_exits_with_status_2() {
    for args in [
        vec!["check", "--no-such-flag"],
        vec!["check", "--format", "excel"],
        vec!["check", "--format", "ndjson"],
        vec!["frobnicate"],
        vec!["sample"],
    ] {
        let (code, err) = tuopin(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
    }
}

#[test]
fn encoding_and_aliases_on_the_command_line() {
    // The GBK export read as UTF-8 by force is refused, naming the file; detected, it loads.
    let (code, err) = tuopin(&["--lang", "en", "load", "--data", "fixtures/real-world/gbk-csv", "--encoding", "utf8"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("fixtures/real-world/gbk-csv/"), "{err}");
    let (code, err) = tuopin(&["load", "--data", "fixtures/real-world/gbk-csv"]);
    assert_eq!(code, Some(0), "{err}");

    // A county's own header for wage income, known only through --aliases.
    let dir = tempfile::tempdir().unwrap();
    Case::new().household_of("H1", 1, &[]).write(dir.path());
    let p = dir.path().join("households.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("wage_income", "务工收入", 1)).unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, err) = tuopin(&["--lang", "en", "load", "--data", data]);
    assert_eq!(code, Some(1));
    assert!(err.contains("wage_income"), "{err}");
    let aliases = dir.path().join("my-export.json");
    std::fs::write(&aliases, r#"{"headers": {"households": {"wage_income": "务工收入"}}}"#).unwrap();
    let (code, err) = tuopin(&["load", "--data", data, "--aliases", aliases.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
}
