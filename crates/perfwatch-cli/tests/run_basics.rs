//! `perfwatch run` stores a session that `sessions`, `show` and `export`
//! find again, in every export format.

use crate::util::{iterations, only_variant, pw, stdout, TestDir};
use serde_json::Value;

/// Run `true` three times and return the session id.
fn run_true_three_times(dir: &TestDir) -> String {
    pw(dir)
        .args(["run", "-r", "3", "--", "true"])
        .assert()
        .success();
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let (id, status, count) = &sessions[0];
    assert_eq!((status.as_str(), *count), ("complete", 3));
    id.clone()
}

#[test]
fn run_stores_a_session_that_sessions_lists() {
    let dir = TestDir::new();
    let id = run_true_three_times(&dir);
    let out = stdout(&pw(&dir).arg("sessions").assert().success());
    let row = out
        .lines()
        .find(|l| l.starts_with(&id[..8]))
        .unwrap_or_else(|| panic!("session {id} not listed:\n{out}"));
    assert!(row.contains("true") && row.contains("complete"), "{row}");
}

#[test]
fn show_latest_and_show_prefix_print_the_same_session() {
    let dir = TestDir::new();
    let id = run_true_three_times(&dir);
    let latest = stdout(&pw(&dir).args(["show", "latest"]).assert().success());
    let by_prefix = stdout(&pw(&dir).args(["show", &id[..8]]).assert().success());
    let by_id = stdout(&pw(&dir).args(["show", &id]).assert().success());
    assert!(latest.contains(&id[..8]), "{latest}");
    assert!(latest.contains("default"), "{latest}");
    assert_eq!(latest, by_prefix);
    assert_eq!(latest, by_id);
}

#[test]
fn show_of_an_unknown_session_is_a_usage_error() {
    let dir = TestDir::new();
    run_true_three_times(&dir);
    pw(&dir)
        .args(["show", "ffffffffffff"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("error: "));
}

#[test]
fn commands_over_history_without_a_database_say_so_and_create_nothing() {
    let dir = TestDir::new();
    for cmd in [
        &["sessions"][..],
        &["show", "latest"],
        &["export", "latest"],
    ] {
        pw(&dir)
            .args(cmd)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("perfwatch run"));
    }
    assert!(!dir.db().exists());
}

#[test]
fn json_export_has_the_documented_v1_shape() {
    let dir = TestDir::new();
    let id = run_true_three_times(&dir);
    let json = dir.export("latest");
    assert_eq!(json["schema"], "perfwatch.session.v1");
    assert_eq!(json["session"]["id"], id.as_str());
    assert_eq!(json["session"]["benchmark"], "true");
    assert_eq!(json["session"]["command"]["argv"][0], "true");
    assert_eq!(json["session"]["status"], "complete");
    assert!(json["session"]["started_at"].is_string());
    assert!(json["session"]["host"].is_object());
    assert!(json["comparisons"].is_array() && json["findings"].is_array());

    let variant = only_variant(&json);
    assert_eq!(variant["name"], "default");
    let its = variant["iterations"].as_array().unwrap();
    assert_eq!(its.len(), 3);
    for (i, it) in its.iter().enumerate() {
        assert_eq!(it["index"].as_u64(), Some(i as u64), "{it}");
        assert_eq!(it["exit_code"], 0);
        assert_eq!(it["warmup"], false);
        assert_eq!(it["timed_out"], false);
        assert!(it["wall_s"].as_f64().is_some_and(|w| w > 0.0), "{it}");
        for key in [
            "signal",
            "user_s",
            "sys_s",
            "max_rss_bytes",
            "read_bytes",
            "write_bytes",
            "stages",
        ] {
            assert!(it.get(key).is_some(), "iteration lacks `{key}`: {it}");
        }
    }

    let wall = &variant["summary"]["wall_s"];
    for key in [
        "n", "mean", "sd", "median", "min", "max", "p95", "ci_low", "ci_high",
    ] {
        assert!(
            wall[key].is_number(),
            "summary.wall_s.{key} missing: {wall}"
        );
    }
    assert_eq!(wall["n"], 3);
    let f = |k: &str| wall[k].as_f64().unwrap();
    assert!(f("min") <= f("median") && f("median") <= f("max"), "{wall}");
    assert!(f("min") <= f("mean") && f("mean") <= f("max"), "{wall}");
    assert!(f("min") <= f("p95") && f("p95") <= f("max"), "{wall}");
    assert!(f("ci_low") <= f("ci_high"), "{wall}");
    assert!(f("sd") >= 0.0, "{wall}");
    for metric in ["user_s", "sys_s", "max_rss_bytes"] {
        assert!(
            variant["summary"][metric].is_object(),
            "no {metric} summary"
        );
    }
}

#[test]
fn csv_export_has_a_header_and_one_row_per_iteration() {
    let dir = TestDir::new();
    let id = run_true_three_times(&dir);
    let csv = stdout(
        &pw(&dir)
            .args(["export", "latest", "--format", "csv"])
            .assert()
            .success(),
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in ["session_id", "variant", "index", "exit_code", "wall_s"] {
        assert!(header.contains(&col), "no `{col}` column: {}", lines[0]);
    }
    let wall = header.iter().position(|c| *c == "wall_s").unwrap();
    for row in &lines[1..] {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{row}");
        assert!(row.starts_with(&id), "{row}");
        assert!(cells[wall].parse::<f64>().is_ok_and(|w| w > 0.0), "{row}");
    }
}

#[test]
fn markdown_export_names_the_benchmark_and_tabulates_variants() {
    let dir = TestDir::new();
    let id = run_true_three_times(&dir);
    let md = stdout(
        &pw(&dir)
            .args(["export", "latest", "--format", "markdown"])
            .assert()
            .success(),
    );
    assert!(md.starts_with("## "), "{md}");
    assert!(md.contains(&id[..8]), "{md}");
    assert!(md.lines().any(|l| l.starts_with("| default |")), "{md}");
}

#[test]
fn export_output_flag_writes_the_file_instead_of_stdout() {
    let dir = TestDir::new();
    run_true_three_times(&dir);
    let assert = pw(&dir)
        .args(["export", "latest", "--format", "json", "-o", "out.json"])
        .assert()
        .success();
    assert!(stdout(&assert).is_empty());
    let json: Value = serde_json::from_str(&dir.read("out.json")).unwrap();
    assert_eq!(json, dir.export("latest"));
}

#[test]
fn run_export_flags_write_json_csv_and_markdown_files() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "2",
            "--export-json",
            "s.json",
            "--export-csv",
            "s.csv",
            "--export-markdown",
            "s.md",
            "--",
            "true",
        ])
        .assert()
        .success();
    let json: Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(json["schema"], "perfwatch.session.v1");
    assert_eq!(iterations(&json).len(), 2);
    assert_eq!(json, dir.export("latest"), "the file and the store differ");
    assert_eq!(dir.read("s.csv").lines().count(), 3);
    assert!(dir.read("s.md").starts_with("## "));
}

#[test]
fn quiet_run_prints_nothing_but_still_stores() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-q", "-r", "2", "--", "true"])
        .assert()
        .success();
    assert!(stdout(&assert).is_empty());
    assert_eq!(dir.history().iteration_count(), 2);
}

#[test]
fn name_flag_names_an_ad_hoc_benchmark() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--name", "noop", "--", "true"])
        .assert()
        .success();
    assert_eq!(dir.export("latest")["session"]["benchmark"], "noop");
}

#[test]
fn warmup_iterations_are_stored_but_not_counted() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "2", "-w", "1", "--", "true"])
        .assert()
        .success();
    let json = dir.export("latest");
    let its = iterations(&json);
    assert_eq!(its.len(), 3);
    assert_eq!(its.iter().filter(|i| i["warmup"] == true).count(), 1);
    assert_eq!(its[0]["warmup"], true, "warm-ups come first");
    assert_eq!(only_variant(&json)["summary"]["wall_s"]["n"], 2);
}

#[test]
fn command_output_is_discarded_unless_show_output() {
    let dir = TestDir::new();
    let quiet = pw(&dir)
        .args(["run", "-q", "-r", "2", "--", "echo", "marker-123"])
        .assert()
        .success();
    assert!(stdout(&quiet).is_empty(), "{}", stdout(&quiet));
    let shown = pw(&dir)
        .args([
            "run",
            "-q",
            "-r",
            "2",
            "--show-output",
            "--",
            "echo",
            "marker-123",
        ])
        .assert()
        .success();
    assert_eq!(stdout(&shown), "marker-123\nmarker-123\n");
}

#[test]
fn export_into_a_closed_pipe_exits_quietly() {
    // `perfwatch export | head -1`: a reader that goes away is not an error.
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-q",
            "-r",
            "200",
            "--sample-interval",
            "0",
            "--",
            "true",
        ])
        .assert()
        .success();
    let mut child = dir
        .std_pw()
        .args(["export", "latest", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before perfwatch has written its (> 64 KiB) export.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let dir = TestDir::new();
    pw(&dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Usage:"));
}

#[test]
fn version_prints_name_and_version() {
    let dir = TestDir::new();
    pw(&dir)
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("perfwatch {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_iteration_over_max_spans_keeps_max_spans_and_counts_the_rest_dropped() {
    let dir = TestDir::new();
    // Five flat spans written by the shell, stamped with one fixed time.
    let script = r#"t=$(date +%s%N); for i in 1 2 3 4 5; do
      echo "{\"type\":\"span\",\"id\":\"s$i\",\"name\":\"step\",\"start_unix_ns\":$t,\"end_unix_ns\":$t}" >> "$PERFWATCH_SPANS"
    done"#;
    pw(&dir)
        .args([
            "run",
            "-r",
            "1",
            "--sample-interval",
            "0",
            "--max-spans",
            "2",
        ])
        .arg(script)
        .assert()
        .success();
    let its = iterations(&dir.export("latest"));
    assert_eq!(its[0]["stages"].as_array().map(Vec::len), Some(2));
    assert_eq!(its[0]["dropped_spans"]["over the span limit"], 3);
    pw(&dir)
        .args(["run", "-r", "1", "--max-spans", "0", "--", "true"])
        .assert()
        .code(2);
}
