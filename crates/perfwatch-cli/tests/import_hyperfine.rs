//! `perfwatch import` of hyperfine JSON exports: stored as sessions that
//! `sessions`, `show`, `export` and the history commands see like any
//! other; bad files store nothing.

use crate::util::{assert_one_line_error, iterations, pw, stdout, TestDir};
use serde_json::{json, Value};

/// A hyperfine `--export-json` document: one result per `(command, times)`,
/// with the statistics hyperfine writes next to the times.
pub fn hyperfine_json(results: &[(&str, &[f64])]) -> String {
    let results: Vec<Value> = results
        .iter()
        .map(|(command, times)| {
            let n = times.len() as f64;
            let mean = times.iter().sum::<f64>() / n;
            let sd = (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let mut sorted = times.to_vec();
            sorted.sort_by(f64::total_cmp);
            json!({
                "command": command,
                "mean": mean,
                "stddev": sd,
                "median": sorted[sorted.len() / 2],
                "user": 0.0008,
                "system": 0.0011,
                "min": sorted[0],
                "max": sorted[sorted.len() - 1],
                "times": times,
                "exit_codes": vec![0; times.len()],
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "results": results })).unwrap()
}

/// Import `sessions` hyperfine files of benchmark `flat` (`sleep 0.1`,
/// five runs of 100 ms ± 2.5 ms each, the same level throughout) in one
/// command, oldest first.
pub fn import_flat_history(dir: &TestDir, sessions: usize) {
    let mut files = Vec::new();
    for s in 0..sessions {
        // The wobble repeats every 11 sessions; each further cycle steps
        // through the runs with a stride of its own, so that no two files
        // are the same bytes (which `import` refuses as one file twice).
        let times: Vec<f64> = (0..5)
            .map(|r| 0.1 + ((s * 13 + r * (7 + s / 11)) % 11) as f64 / 2000.0 - 0.0025)
            .collect();
        let rel = format!("exports/{s:02}/flat.json");
        dir.write(&rel, hyperfine_json(&[("sleep 0.1", &times)]));
        files.push(rel);
    }
    let out = stdout(&pw(dir).arg("import").args(&files).assert().success());
    assert_eq!(out.lines().count(), sessions, "one line per import:\n{out}");
}

const NAP_FAST: &[f64] = &[0.1018, 0.1032, 0.1021, 0.1029];
const NAP_SLOW: &[f64] = &[0.2018, 0.2032, 0.2021];

#[test]
fn import_of_a_hyperfine_export_stores_a_session_that_sessions_and_show_list() {
    let dir = TestDir::new();
    dir.write(
        "nap.json",
        hyperfine_json(&[("sleep 0.1", NAP_FAST), ("sleep 0.2", NAP_SLOW)]),
    );
    let out = stdout(&pw(&dir).args(["import", "nap.json"]).assert().success());
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    let (id, status, count) = &sessions[0];
    assert_eq!((status.as_str(), *count), ("complete", 7));
    assert!(
        out.contains("hyperfine") && out.contains("nap.json") && out.contains(&id[..8]),
        "the import does not say what it stored:\n{out}"
    );

    let list = stdout(&pw(&dir).arg("sessions").assert().success());
    let row = list
        .lines()
        .find(|l| l.contains(&id[..8]))
        .unwrap_or_else(|| panic!("imported session not listed:\n{list}"));
    assert!(row.contains("nap"), "benchmark is the file stem: {row}");
    assert!(row.contains("sleep 0.1, sleep 0.2"), "{row}");

    let show = stdout(&pw(&dir).args(["show", "latest"]).assert().success());
    assert!(show.contains("Benchmark nap"), "{show}");
    assert!(show.contains("Variant sleep 0.1"), "{show}");
    assert!(show.contains("Variant sleep 0.2"), "{show}");
    assert!(show.contains(&id[..8]), "{show}");

    // The runs are the file's times, in order; hyperfine has only mean
    // CPU times, so none are invented per run.
    let export = dir.export("latest");
    let its = iterations(&export);
    let walls: Vec<f64> = its.iter().map(|i| i["wall_s"].as_f64().unwrap()).collect();
    assert_eq!(walls, [NAP_FAST, NAP_SLOW].concat());
    assert!(its.iter().all(|i| i["user_s"].is_null()), "{its:?}");
    assert!(its.iter().all(|i| i["exit_code"] == 0), "{its:?}");
}

#[test]
fn imported_sessions_form_a_history() {
    let dir = TestDir::new();
    import_flat_history(&dir, 3);
    let out = stdout(
        &pw(&dir)
            .args(["history", "--format", "json"])
            .assert()
            .success(),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["benchmark"], "flat");
    assert_eq!(v[0]["variant"], "sleep 0.1");
    assert_eq!(v[0]["points"].as_array().unwrap().len(), 3);
}

#[test]
fn import_of_a_file_that_is_not_json_is_a_usage_error_and_stores_nothing() {
    let dir = TestDir::new();
    dir.write("notes.txt", "hello, not JSON\n");
    assert_one_line_error(
        pw(&dir).args(["import", "notes.txt"]).assert(),
        2,
        &["notes.txt"],
    );
    assert!(!dir.db().exists(), "a failed import created a history");

    // Nor does it add to an existing history, even next to a good file.
    dir.write("nap.json", hyperfine_json(&[("sleep 0.1", NAP_FAST)]));
    pw(&dir).args(["import", "nap.json"]).assert().success();
    assert_one_line_error(
        pw(&dir).args(["import", "nap.json", "notes.txt"]).assert(),
        2,
        &["notes.txt"],
    );
    assert_eq!(dir.history().sessions().len(), 1, "nothing more stored");
}

#[test]
fn import_of_a_missing_file_is_a_usage_error() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["import", "no-such-file.json"])
        .assert()
        .code(2);
    assert!(!dir.db().exists());
}
