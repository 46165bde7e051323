//! `perfwatch compare` between sessions and JSON exports, and saved
//! baselines.

use crate::util::{assert_one_line_error, pw, stdout, TestDir};

/// Two sessions of `true` (five runs each); returns their ids, oldest first.
fn two_sessions(dir: &TestDir) -> (String, String) {
    for _ in 0..2 {
        pw(dir)
            .args(["run", "-q", "-r", "5", "--", "true"])
            .assert()
            .success();
    }
    let s = dir.history().sessions();
    assert_eq!(s.len(), 2);
    (s[0].0.clone(), s[1].0.clone())
}

fn assert_is_comparison(out: &str) {
    assert!(out.contains("Comparison"), "{out}");
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("wall_s")),
        "{out}"
    );
}

#[test]
fn compare_two_stored_sessions() {
    let dir = TestDir::new();
    let (a, b) = two_sessions(&dir);
    let out = stdout(&pw(&dir).args(["compare", &a[..8], &b]).assert().success());
    assert_is_comparison(&out);
    assert!(out.contains(&a[..8]) && out.contains(&b[..8]), "{out}");
}

#[test]
fn compare_two_exported_json_files_without_a_history() {
    let dir = TestDir::new();
    let (a, b) = two_sessions(&dir);
    pw(&dir)
        .args(["export", &a, "-o", "a.json"])
        .assert()
        .success();
    pw(&dir)
        .args(["export", &b, "-o", "b.json"])
        .assert()
        .success();
    std::fs::remove_file(dir.db()).unwrap();
    let out = stdout(
        &pw(&dir)
            .args(["compare", "a.json", "b.json"])
            .assert()
            .success(),
    );
    assert_is_comparison(&out);
    assert!(
        !dir.db().exists(),
        "compare of files must not create a history"
    );
}

#[test]
fn compare_writes_json_and_markdown_exports() {
    let dir = TestDir::new();
    let (a, b) = two_sessions(&dir);
    pw(&dir)
        .args([
            "compare",
            &a,
            &b,
            "--export-json",
            "c.json",
            "--export-markdown",
            "c.md",
        ])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&dir.read("c.json")).unwrap();
    assert_eq!(json["schema"], "perfwatch.session.v1");
    assert!(json["comparisons"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["metric"] == "wall_s")));
    let md = dir.read("c.md");
    assert!(md.contains("Comparison") && md.contains("| wall"), "{md}");
}

#[test]
fn compare_rejects_json_of_another_schema() {
    let dir = TestDir::new();
    let (a, _) = two_sessions(&dir);
    pw(&dir)
        .args(["export", &a, "-o", "a.json"])
        .assert()
        .success();
    dir.write("other.json", r#"{"schema": "someone.else.v9", "data": []}"#);
    assert_one_line_error(
        pw(&dir).args(["compare", "a.json", "other.json"]).assert(),
        2,
        &["other.json", "someone.else.v9"],
    );
    dir.write("plain.json", r#"{"hello": "world"}"#);
    assert_one_line_error(
        pw(&dir).args(["compare", "plain.json", "a.json"]).assert(),
        2,
        &["plain.json", "schema"],
    );
    dir.write("broken.json", "{not json");
    assert_one_line_error(
        pw(&dir).args(["compare", "a.json", "broken.json"]).assert(),
        2,
        &["broken.json"],
    );
}

#[test]
fn compare_of_an_unknown_name_is_a_usage_error() {
    let dir = TestDir::new();
    let (a, _) = two_sessions(&dir);
    assert_one_line_error(
        pw(&dir).args(["compare", &a, "no-such-thing"]).assert(),
        2,
        &["no-such-thing"],
    );
}

#[test]
fn baseline_save_list_show_delete() {
    let dir = TestDir::new();
    let (_, latest) = two_sessions(&dir);
    let saved = stdout(
        &pw(&dir)
            .args([
                "baseline",
                "save",
                "main",
                "--description",
                "before the change",
            ])
            .assert()
            .success(),
    );
    assert!(
        saved.contains("main") && saved.contains(&latest[..8]),
        "{saved}"
    );

    let list = stdout(&pw(&dir).args(["baseline", "list"]).assert().success());
    let row = list
        .lines()
        .find(|l| l.starts_with("main"))
        .unwrap_or_else(|| panic!("main not listed:\n{list}"));
    assert!(
        row.contains(&latest[..8]) && row.contains("before the change"),
        "{row}"
    );

    let shown = stdout(
        &pw(&dir)
            .args(["baseline", "show", "main"])
            .assert()
            .success(),
    );
    assert!(
        shown.contains("main") && shown.contains("before the change"),
        "{shown}"
    );
    assert!(shown.contains(&latest[..8]), "{shown}");

    // Saving over an existing name needs --force.
    assert_one_line_error(
        pw(&dir).args(["baseline", "save", "main"]).assert(),
        2,
        &["main"],
    );
    pw(&dir)
        .args(["baseline", "save", "main", "--force"])
        .assert()
        .success();

    pw(&dir)
        .args(["baseline", "delete", "main"])
        .assert()
        .success();
    let list = stdout(&pw(&dir).args(["baseline", "list"]).assert().success());
    assert!(!list.lines().any(|l| l.starts_with("main")), "{list}");
    assert_eq!(
        dir.history().sessions().len(),
        2,
        "sessions outlive baselines"
    );
    assert_one_line_error(
        pw(&dir).args(["baseline", "show", "main"]).assert(),
        2,
        &["main"],
    );
}

#[test]
fn run_with_baseline_prints_a_comparison_against_it() {
    let dir = TestDir::new();
    two_sessions(&dir);
    pw(&dir)
        .args(["baseline", "save", "main"])
        .assert()
        .success();
    let out = stdout(
        &pw(&dir)
            .args(["run", "-r", "5", "--baseline", "main", "--", "true"])
            .assert()
            .success(),
    );
    assert_is_comparison(&out);
    assert!(out.contains("baseline main"), "{out}");
}

#[test]
fn compare_accepts_a_baseline_name() {
    let dir = TestDir::new();
    let (a, _) = two_sessions(&dir);
    pw(&dir)
        .args(["baseline", "save", "old", &a])
        .assert()
        .success();
    let out = stdout(
        &pw(&dir)
            .args(["compare", "old", "latest"])
            .assert()
            .success(),
    );
    assert_is_comparison(&out);
}
