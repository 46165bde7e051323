//! `perfwatch history`, `perfwatch detect` and `perfwatch gate --history`
//! over a history with a planted step: seven sessions of a 10 ms stage,
//! then seven of a 30 ms one.

use crate::frozen::{thaw, Frozen};
use crate::import_hyperfine::import_flat_history;
use crate::util::{assert_one_line_error, pw, stdout, TestDir, PERFWATCH};
use serde_json::Value;
use std::sync::OnceLock;

/// Sessions before the step, and after it.
const BEFORE: usize = 7;
const AFTER: usize = 7;

/// Benchmark `s`: one stage `step` that sleeps 10 ms in the first
/// [`BEFORE`] sessions and 30 ms in the [`AFTER`] following ones, five
/// runs each.
fn build_stepped(dir: &TestDir) {
    let sleeps = std::iter::repeat_n("0.01", BEFORE).chain(std::iter::repeat_n("0.03", AFTER));
    for secs in sleeps {
        let shell = format!("{PERFWATCH} span step -- sleep {secs}");
        pw(dir)
            .args(["run", "-q", "-r", "5", "--name", "s"])
            .args(["--sample-interval", "0", &shell])
            .assert()
            .success();
    }
}

/// A copy of the stepped history (also served by `serve`'s tests).
pub(crate) fn stepped() -> TestDir {
    static CELL: OnceLock<Frozen> = OnceLock::new();
    thaw(&CELL, build_stepped)
}

/// Session ids, oldest first.
pub(crate) fn session_ids(dir: &TestDir) -> Vec<String> {
    dir.history().sessions().into_iter().map(|s| s.0).collect()
}

/// `perfwatch ARGS` on `dir`, expected to succeed, standard output parsed as JSON.
fn json(dir: &TestDir, args: &[&str]) -> Value {
    let out = stdout(&pw(dir).args(args).assert().success());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn median_of(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[test]
fn history_table_lists_every_session_oldest_first() {
    let dir = stepped();
    let out = stdout(&pw(&dir).arg("history").assert().success());
    assert!(
        out.contains("s · default · wall_s (14 sessions)"),
        "no series heading:\n{out}"
    );
    for h in ["session", "started", "commit", "median", "95% CI"] {
        assert!(out.contains(h), "column `{h}` missing:\n{out}");
    }
    let positions: Vec<usize> = session_ids(&dir)
        .iter()
        .map(|id| {
            out.find(&id[..8])
                .unwrap_or_else(|| panic!("session {id} not listed:\n{out}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sessions not oldest first:\n{out}"
    );
}

#[test]
fn history_json_has_one_point_per_session_with_median_and_interval() {
    let dir = stepped();
    let v = json(&dir, &["history", "--format", "json"]);
    let series = v.as_array().expect("an array of series");
    assert_eq!(series.len(), 1, "{v:#}");
    let s = &series[0];
    assert_eq!(s["benchmark"], "s");
    assert_eq!(s["variant"], "default");
    assert_eq!(s["metric"], "wall_s");
    let points = s["points"].as_array().unwrap();
    let ids: Vec<&str> = points
        .iter()
        .map(|p| p["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        session_ids(&dir),
        "one point per session, oldest first"
    );
    let mut medians = Vec::new();
    for p in points {
        assert_eq!(p["n"], 5, "{p}");
        let (lo, m, hi) = (
            p["ci_low"].as_f64().unwrap(),
            p["median"].as_f64().unwrap(),
            p["ci_high"].as_f64().unwrap(),
        );
        assert!(lo <= m && m <= hi, "median outside its interval: {p}");
        assert!(m >= 0.01, "a run of `sleep 0.01` took {m} s: {p}");
        assert!(p["started_at"].as_str().is_some_and(|t| t.len() >= 19));
        medians.push(m);
    }
    let before = median_of(&mut medians[..BEFORE].to_vec());
    let after = median_of(&mut medians[BEFORE..].to_vec());
    assert!(
        after > before * 1.5,
        "the step does not show: {before} s → {after} s"
    );
}

#[test]
fn history_csv_has_a_header_and_one_row_per_session() {
    let dir = stepped();
    let out = stdout(
        &pw(&dir)
            .args(["history", "--format", "csv"])
            .assert()
            .success(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "benchmark,variant,metric,session_id,started_at,commit,branch,n,median,ci_low,ci_high,version"
    );
    assert_eq!(lines.len(), 1 + BEFORE + AFTER, "{out}");
    let ids = session_ids(&dir);
    for (line, id) in lines[1..].iter().zip(&ids) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 12, "{line}");
        assert_eq!(&fields[..4], ["s", "default", "wall_s", id.as_str()]);
        assert_eq!(fields[7], "5");
        let median: f64 = fields[8].parse().unwrap();
        assert!(median > 0.0, "{line}");
    }
}

#[test]
fn history_last_keeps_the_newest_sessions() {
    let dir = stepped();
    let v = json(&dir, &["history", "--last", "3", "--format", "json"]);
    let ids: Vec<&str> = v[0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["session_id"].as_str().unwrap())
        .collect();
    let all = session_ids(&dir);
    assert_eq!(ids, all[all.len() - 3..], "the newest three, oldest first");
}

#[test]
fn history_of_other_metrics_and_of_a_stage() {
    let dir = stepped();
    let user = json(&dir, &["history", "--metric", "user_s", "--format", "json"]);
    assert_eq!(user[0]["metric"], "user_s");
    let points = user[0]["points"].as_array().unwrap();
    assert_eq!(points.len(), BEFORE + AFTER);
    assert!(points.iter().all(|p| p["median"].as_f64().unwrap() >= 0.0));

    let stage = json(
        &dir,
        &["history", "--metric", "stage:step", "--format", "json"],
    );
    assert_eq!(stage[0]["metric"], "stage:step");
    let medians: Vec<f64> = stage[0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["median"].as_f64().unwrap())
        .collect();
    assert_eq!(medians.len(), BEFORE + AFTER);
    assert!(medians[..BEFORE].iter().all(|m| *m >= 0.01), "{medians:?}");
    assert!(medians[BEFORE..].iter().all(|m| *m >= 0.03), "{medians:?}");
}

#[test]
fn history_with_an_unknown_metric_lists_the_known_ones() {
    let dir = stepped();
    assert_one_line_error(
        pw(&dir).args(["history", "--metric", "bogus"]).assert(),
        2,
        &["`bogus`", "wall_s", "user_s", "max_rss_bytes", "stage:PATH"],
    );
}

#[test]
fn history_with_an_unknown_stage_lists_the_known_stages() {
    let dir = stepped();
    assert_one_line_error(
        pw(&dir)
            .args(["history", "--metric", "stage:nope"])
            .assert(),
        2,
        &["`nope`", "(known: step)"],
    );
}

#[test]
fn history_of_an_unknown_benchmark_names_the_stored_ones() {
    let dir = stepped();
    assert_one_line_error(
        pw(&dir).args(["history", "nob"]).assert(),
        2,
        &["`nob`", "(stored: s)"],
    );
    assert_one_line_error(
        pw(&dir).args(["detect", "nob"]).assert(),
        2,
        &["`nob`", "(stored: s)"],
    );
}

#[test]
fn history_of_an_empty_store_says_what_to_do() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir).arg("history").assert(),
        2,
        &["no perfwatch history", "perfwatch run"],
    );
    assert!(!dir.db().exists(), "history must not create a database");
}

#[test]
fn detect_finds_the_planted_step_as_one_regression() {
    let dir = stepped();
    let v = json(&dir, &["detect", "--format", "json"]);
    let results = v.as_array().unwrap();
    assert_eq!(results.len(), 1, "{v:#}");
    assert_eq!(results[0]["series"], "s · default");
    assert_eq!(results[0]["metric"], "wall_s");
    let cps = results[0]["change_points"].as_array().unwrap();
    assert_eq!(cps.len(), 1, "expected one change point: {v:#}");
    let cp = &cps[0];
    let index = cp["index"].as_u64().unwrap() as usize;
    assert!(
        index.abs_diff(BEFORE) <= 1,
        "change point at {index}, planted at {BEFORE}: {cp:#}"
    );
    assert_eq!(cp["direction"], "regression");
    assert_eq!(
        cp["session_id"].as_str(),
        Some(session_ids(&dir)[index].as_str()),
        "the change point names the session it starts at"
    );
    assert!(cp["median_after"].as_f64() > cp["median_before"].as_f64());
    assert!(cp["change_pct"].as_f64().unwrap() > 50.0, "{cp:#}");
    assert!(cp["p_value"].as_f64().unwrap() < 0.001, "{cp:#}");

    let table = stdout(&pw(&dir).arg("detect").assert().success());
    assert!(table.contains("1 change point(s)"), "{table}");
    assert!(table.contains("regression"), "{table}");
}

#[test]
fn detect_on_too_short_a_history_says_how_many_points_it_needs() {
    let dir = stepped();
    assert_one_line_error(
        pw(&dir).args(["detect", "--last", "3"]).assert(),
        2,
        &[
            "s · default · wall_s",
            "not enough points: need ≥ 10, got 3",
        ],
    );
}

#[test]
fn gate_history_fails_on_a_regression_among_the_newest_sessions() {
    let dir = stepped();
    let ids = session_ids(&dir);
    let assert = pw(&dir).args(["gate", "--history"]).assert().code(4);
    let out = stdout(&assert);
    assert!(out.contains("Gate FAILED"), "{out}");
    let rule = out
        .lines()
        .find(|l| l.contains("history:"))
        .unwrap_or_else(|| panic!("no history rule printed:\n{out}"));
    assert!(rule.contains("FAIL"), "{rule}");
    assert!(
        rule.contains("no regression step starting in the newest 10 sessions"),
        "the limit is not printed: {rule}"
    );
    // It names the session the step starts at (planted at BEFORE, ±1).
    assert!(
        ids[BEFORE - 1..=BEFORE + 1]
            .iter()
            .any(|id| rule.contains(&id[..8])),
        "{rule}"
    );
    assert!(
        crate::util::stderr(&assert).is_empty(),
        "a failed gate is not an error: {}",
        crate::util::stderr(&assert)
    );
}

#[test]
fn gate_history_passes_on_a_flat_history() {
    let dir = TestDir::new();
    import_flat_history(&dir, 12);
    let out = stdout(&pw(&dir).args(["gate", "--history"]).assert().success());
    assert!(out.contains("Gate passed"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("pass") && l.contains("history:")),
        "{out}"
    );
}

/// A CSV series `t,other,v` of `len` rows whose `v` steps from 10 to 12 at
/// row `at`, with a small deterministic wobble.
fn stepped_csv(len: usize, at: usize) -> String {
    let mut text = String::from("t,other,v\n");
    for i in 0..len {
        let level = if i < at { 10.0 } else { 12.0 };
        let wobble = ((i * 37 % 11) as f64 - 5.0) / 100.0;
        text.push_str(&format!("{i},{},{:.3}\n", i % 3, level + wobble));
    }
    text
}

#[test]
fn detect_csv_finds_a_planted_step_in_the_named_column() {
    let dir = TestDir::new();
    dir.write("series.csv", stepped_csv(40, 25));
    let v = json(
        &dir,
        &[
            "detect",
            "--csv",
            "series.csv",
            "--column",
            "v",
            "--format",
            "json",
        ],
    );
    assert_eq!(v[0]["metric"], "v");
    let cps = v[0]["change_points"].as_array().unwrap();
    assert_eq!(cps.len(), 1, "{v:#}");
    assert_eq!(cps[0]["index"], 25, "{v:#}");
    assert_eq!(cps[0]["at"], "25", "labelled by the first column");
    assert_eq!(cps[0]["direction"], "regression");
    let table = stdout(
        &pw(&dir)
            .args(["detect", "--csv", "series.csv", "--column", "v"])
            .assert()
            .success(),
    );
    assert!(
        table.contains("series.csv · v: 1 change point(s)"),
        "{table}"
    );
    assert!(
        !dir.db().exists(),
        "detect --csv must not touch the history"
    );
}

#[test]
fn detect_csv_with_a_bad_row_names_file_and_line() {
    let dir = TestDir::new();
    let mut text = stepped_csv(30, 15);
    text = text.replacen("\n3,0,", "\n3,0,oops", 1);
    dir.write("bad.csv", text);
    assert_one_line_error(
        pw(&dir)
            .args(["detect", "--csv", "bad.csv", "--column", "v"])
            .assert(),
        2,
        &["bad.csv:5", "column `v`", "not a number"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn detect_csv_with_an_unknown_column_lists_the_columns() {
    let dir = TestDir::new();
    dir.write("series.csv", stepped_csv(20, 10));
    assert_one_line_error(
        pw(&dir)
            .args(["detect", "--csv", "series.csv", "--column", "nope"])
            .assert(),
        2,
        &["series.csv", "`nope`", "t, other, v"],
    );
}

#[test]
fn detect_csv_too_short_says_how_many_points_it_needs() {
    let dir = TestDir::new();
    dir.write("short.csv", "t,v\n1,2\n2,3\n3,4\n");
    assert_one_line_error(
        pw(&dir).args(["detect", "--csv", "short.csv"]).assert(),
        2,
        &["short.csv", "not enough points: need ≥ 10, got 3"],
    );
}
