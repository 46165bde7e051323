//! `perfwatch span NAME -- CMD`: a stage of the enclosing iteration, or
//! just the command when run outside perfwatch.

use crate::util::{iterations, only_variant, pw, stdout, TestDir, PERFWATCH};

#[test]
fn span_outside_perfwatch_runs_the_command_and_propagates_its_exit_code() {
    let dir = TestDir::new();
    let out = stdout(
        &pw(&dir)
            .args(["span", "s", "--", "echo", "hi"])
            .assert()
            .success(),
    );
    assert_eq!(out, "hi\n");
    pw(&dir)
        .args(["span", "s", "--", "sh", "-c", "exit 7"])
        .assert()
        .code(7)
        .stderr("");
    assert!(!dir.db().exists(), "span must not touch the history");
}

#[test]
fn span_of_a_missing_program_exits_127() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["span", "s", "--", "perfwatch-no-such-program"])
        .assert()
        .code(127);
}

#[test]
fn nested_spans_inside_a_run_become_stages_with_their_parent() {
    let dir = TestDir::new();
    let shell = format!("{PERFWATCH} span outer -- sh -c \"{PERFWATCH} span inner -- sleep 0.05\"");
    pw(&dir).args(["run", "-r", "2", &shell]).assert().success();
    let json = dir.export("latest");
    let its = iterations(&json);
    assert_eq!(its.len(), 2);
    for it in &its {
        let stages = it["stages"].as_array().expect("stages");
        let find = |name: &str| {
            stages
                .iter()
                .find(|s| s["name"] == name)
                .unwrap_or_else(|| panic!("no stage `{name}` in {stages:?}"))
        };
        let (outer, inner) = (find("outer"), find("inner"));
        assert!(outer["parent"].is_null(), "{outer}");
        assert_eq!(inner["parent"], outer["id"], "inner's parent is outer");
        assert_eq!(outer["tier"], "system");
        assert_eq!(inner["ok"], true);
        let (os, oe) = (
            outer["start_s"].as_f64().unwrap(),
            outer["end_s"].as_f64().unwrap(),
        );
        let (is, ie) = (
            inner["start_s"].as_f64().unwrap(),
            inner["end_s"].as_f64().unwrap(),
        );
        assert!(
            os <= is && ie <= oe,
            "inner [{is}, {ie}] outside outer [{os}, {oe}]"
        );
    }
    let names: Vec<&str> = only_variant(&json)["stages"]
        .as_array()
        .expect("stage summaries")
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"outer") && names.contains(&"inner"),
        "the variant's stage summaries lack outer/inner: {names:?}"
    );
}

#[test]
fn span_records_a_failed_stage_and_the_run_sees_the_failure() {
    let dir = TestDir::new();
    let shell = format!("{PERFWATCH} span broken -- sh -c 'exit 4'");
    pw(&dir).args(["run", "-r", "1", &shell]).assert().code(3);
    let its = iterations(&dir.export("latest"));
    assert_eq!(its[0]["exit_code"], 4);
    let stage = &its[0]["stages"][0];
    assert_eq!(stage["name"], "broken");
    assert_eq!(stage["ok"], false);
}
