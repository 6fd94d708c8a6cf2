//! `validate`: every fault `gen --faults` plants is found where the side file says, a clean
//! register gives no error findings, and the messages read as they should.

mod common;

#[test]
fn every_planted_fault_is_found() {
    let reg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = common::tuopin(&[
        "gen",
        "--households",
        "4000",
        "--seed",
        "5",
        "--faults",
        "0.2",
        "--format",
        "csv",
        "--out",
        reg.path().to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let o =
        common::tuopin(&["validate", "--data", reg.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "errors were found");
    let faults = common::read_csv(&reg.path().join("faults.csv"));
    let findings = common::read_csv(&out.path().join("findings.csv"));
    assert!(faults.len() > 500);
    for f in &faults {
        let found =
            findings.iter().any(|x| x["check"] == f["fault"] && x["table"] == f["table"] && x["key"] == f["key"]);
        assert!(found, "planted {f:?} not found");
    }
    // The risk list puts households with faults and risk flags first.
    let risk = common::read_csv(&out.path().join("risk.csv"));
    let scores: Vec<u64> = risk.iter().map(|r| r["risk_score"].parse().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    assert!(risk[0]["data_errors"].parse::<u64>().unwrap() > 0 || risk[0]["wrong_exit_risk"] == "true");
}

#[test]
fn a_clean_register_has_no_error_findings() {
    for seed in ["1", "2"] {
        let reg = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        assert!(
            common::tuopin(&["gen", "--households", "3000", "--seed", seed, "--out", reg.path().to_str().unwrap()])
                .status
                .success()
        );
        let o = common::tuopin(&[
            "--lang",
            "en",
            "validate",
            "--data",
            reg.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
        let findings = common::read_csv(&out.path().join("findings.csv"));
        assert!(
            findings.iter().all(|f| f["severity"] == "warning"),
            "{:?}",
            findings.iter().find(|f| f["severity"] != "warning")
        );
    }
}

#[test]
fn finding_messages_name_the_check_the_row_and_the_value() {
    // The broken-but-loadable real-world register: P2's sex flipped, a second head, and one
    // person in two households.
    let reg = tempfile::tempdir().unwrap();
    for t in ["persons", "households", "villages", "counties"] {
        std::fs::copy(
            common::repo().join(format!("fixtures/real-world/bom-csv/{t}.csv")),
            reg.path().join(format!("{t}.csv")),
        )
        .unwrap();
    }
    // Edit the persons file as a table: P2 becomes a second (male) head; P7 is given P1's ID.
    let path = reg.path().join("persons.csv");
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(&path).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name).unwrap();
    let mut rows: Vec<Vec<String>> = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    rows[1][col("relation")] = "01".into();
    rows[1][col("sex")] = "1".into();
    rows[6][col("person_id")] = rows[0][col("person_id")].clone();
    let (p1, p2) = (rows[0][col("person_id")].clone(), rows[1][col("person_id")].clone());
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(headers.iter().map(|h| h.trim_start_matches('\u{feff}').to_string())).unwrap();
    for row in &rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
    let out = tempfile::tempdir().unwrap();
    common::tuopin(&["validate", "--data", reg.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    let findings = common::read_csv(&out.path().join("findings.csv"));
    let messages: Vec<(String, String, String)> =
        findings.iter().map(|f| (f["check"].clone(), f["key"].clone(), f["message"].clone())).collect();
    let expect = [
        ("id_sex_mismatch", p2.as_str(), "性别与公民身份号码第17位不一致（奇数为男）（sex = 1）"),
        ("two_heads", "4331271002010001", "有两名或以上户主（household_id = 4331271002010001）"),
        ("person_in_two_households", p1.as_str(), "同一人登记在多个户中（同一县内；另见户编号 4331271002010003）"),
        ("person_in_two_households", p1.as_str(), "同一人登记在多个户中（同一县内；另见户编号 4331271002010001）"),
    ];
    for (check, key, message) in expect {
        assert!(
            messages.iter().any(|(c, k, m)| c == check && k == key && m == message),
            "{check} {key} {message}\n{messages:?}"
        );
    }
    // The workbook says the same, with Chinese sheets and headers.
    let sheet_names = |book: &std::path::Path| {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(book).unwrap();
        let names = wb.sheet_names().to_vec();
        let first = wb.worksheet_range(&names[0]).unwrap();
        let cell = |r: u32, c: u32| first.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
        let notes: Vec<String> = (1..first.height() as u32).map(|r| cell(r, 6)).collect();
        let rows: Vec<[String; 5]> =
            (1..first.height() as u32).map(|r| [cell(r, 0), cell(r, 2), cell(r, 3), cell(r, 4), cell(r, 5)]).collect();
        (names, [cell(0, 0), cell(0, 6)], notes, rows)
    };
    let (names, heads, notes, rows) = sheet_names(&out.path().join("validate.xlsx"));
    assert_eq!(names, ["问题清单", "按检查汇总", "按县汇总", "收入扎堆", "风险评分"]);
    assert_eq!(heads, ["检查".to_string(), "说明".to_string()]);
    assert!(notes.iter().any(|n| n == "同一人登记在多个户中（同一县内；另见户编号 4331271002010003）"), "{notes:?}");
    // Checks by title, tables and columns by their Chinese names, codes with their labels.
    let sex = [
        "性别与公民身份号码第17位不一致（奇数为男）".to_string(),
        "人员".into(),
        p2.clone(),
        "性别".into(),
        "1 男".into(),
    ];
    assert!(rows.contains(&sex), "{rows:?}");
    assert!(notes.contains(&"性别与公民身份号码第17位不一致（奇数为男）（性别 = 1 男）".to_string()), "{notes:?}");

    // In English: the same findings, said in English (a check's title is the pack's own text).
    let en = tempfile::tempdir().unwrap();
    common::tuopin(&[
        "--lang",
        "en",
        "validate",
        "--data",
        reg.path().to_str().unwrap(),
        "--out",
        en.path().to_str().unwrap(),
    ]);
    let findings = common::read_csv(&en.path().join("findings.csv"));
    let said = |check: &str, key: &str| {
        findings
            .iter()
            .filter(|f| f["check"] == check && f["key"] == key)
            .map(|f| f["message"].clone())
            .collect::<Vec<_>>()
    };
    assert!(
        said("person_in_two_households", &p1)
            .contains(&"the same person is registered in several households (within one county; see also household 4331271002010003)".to_string()),
        "{:?}",
        said("person_in_two_households", &p1)
    );
    assert_eq!(said("id_sex_mismatch", &p2), ["性别与公民身份号码第17位不一致（奇数为男） (sex = 1)"]);
    let (names, heads, _, _) = sheet_names(&en.path().join("validate.xlsx"));
    assert_eq!(names, ["Findings", "By check", "By county", "Income bunching", "Risk"]);
    assert_eq!(heads, ["check".to_string(), "note".to_string()]);
}

#[test]
fn every_check_has_its_message() {
    let reg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    assert!(
        common::tuopin(&[
            "gen",
            "--households",
            "4000",
            "--seed",
            "5",
            "--faults",
            "0.2",
            "--format",
            "csv",
            "--out",
            reg.path().to_str().unwrap()
        ])
        .status
        .success()
    );
    common::tuopin(&["validate", "--data", reg.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    let findings = common::read_csv(&out.path().join("findings.csv"));
    // (check, severity, the message's fixed text; then `（column = value）` for the row).
    let expected = [
        ("id_check_character", "error", "公民身份号码校验码错误（小写 x 也是错误）（person_id = "),
        ("id_sex_mismatch", "error", "性别与公民身份号码第17位不一致（奇数为男）（sex = "),
        ("id_birth_date_mismatch", "error", "出生日期与公民身份号码第7–14位不一致（birth_date = "),
        ("working_age_without_labour", "error", "劳动年龄内的健康人员登记为无劳动力或丧失劳动力（labour = 0"),
        ("work_months_out_of_range", "error", "务工时间超出 0–12 个月（work_months = 13）"),
        ("no_labour_working_away", "error", "无劳动力或丧失劳动力的人员登记了务工时间（work_months = "),
        ("deceased_receiving_benefits", "warning", "已故人员仍登记享受低保或特困供养（health = 05）"),
        ("no_living_member", "error", "空挂户：没有在世成员（household_id = "),
        ("no_head", "error", "没有在世的户主（household_id = "),
        ("two_heads", "error", "有两名或以上户主（household_id = "),
        ("head_spouse_same_sex", "error", "户主与配偶性别相同（household_id = "),
        ("income_not_positive", "error", "人均纯收入不大于0或超过合理上限（operating_cost = "),
        ("income_mismatch", "error", "报表人均纯收入与按收入构成计算的值不一致（reported_per_capita_income = "),
        ("cause_illness_all_healthy", "error", "主要致贫原因为因病，但在世成员都健康（main_cause = 01）"),
        ("cause_schooling_no_student", "error", "主要致贫原因为因学，但没有在校生（main_cause = 03）"),
        ("cause_disability_none_disabled", "error", "主要致贫原因为因残，但没有残疾成员（main_cause = 02）"),
        ("dibao_household_no_dibao_member", "error", "低保贫困户没有低保成员（attribute = 02）"),
        ("person_in_two_households", "error", "同一人登记在多个户中（"),
        ("income_bunching", "warning", "已脱贫户人均纯收入扎堆在扶贫标准线上5%以内：线上 "),
    ];
    for (check, severity, text) in expected {
        let f = findings.iter().find(|f| f["check"] == check).unwrap_or_else(|| panic!("no finding of {check}"));
        assert_eq!(f["severity"], severity, "{check}");
        assert!(f["message"].starts_with(text), "{check}: {}", f["message"]);
    }
    let checks: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["check"].as_str()).collect();
    assert_eq!(checks.len(), expected.len(), "no check without a tested message: {checks:?}");
}
