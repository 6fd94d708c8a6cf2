//! The benchmark's hand-written polars pipeline (`benches/hand_written.rs`) against `check`,
//! column by column, on a small generated register: the baseline that `check`'s speed is
//! measured against must give the same 25 rule outcomes, so a change to either side that
//! makes them disagree is caught here and not only in a benchmark run.

mod common;

#[path = "../benches/hand_written.rs"]
mod hand_written;

#[test]
fn check_and_the_hand_written_pipeline_agree_column_by_column() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("register");
    let o = common::tuopin(&["gen", "--households", "3000", "--seed", "5", "--out", data.to_str().unwrap()]);
    assert!(o.status.success());
    let checked = tmp.path().join("check");
    let o = common::tuopin(&["check", "--data", data.to_str().unwrap(), "--out", checked.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hand = tmp.path().join("hand");
    std::fs::create_dir_all(&hand).unwrap();
    hand_written::hand_written(&data, &hand).expect("the hand-written pipeline runs");
    // Every rule column the pipeline writes (persons, households, villages, counties).
    assert_eq!(hand_written::compare(&checked, &hand), 25);
}
