//! Regressions of the hardening pass: each test is named after the bug it
//! pins.

use crate::util::{assert_one_line_error, stderr, TestDir};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Output, Stdio};

/// The write end of a pipe whose reader is already closed: every write
/// to it fails with a broken pipe, deterministically.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) returns.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: both descriptors were just created and are owned here only.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    Stdio::from(writer)
}

/// Run `perfwatch ARGS` in `dir` with its standard output on a closed pipe.
fn with_closed_stdout(dir: &TestDir, args: &[&str]) -> Output {
    dir.std_pw()
        .args(args)
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("spawn perfwatch")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file output of `run` and where it goes.
const EXPORTS: [(&str, &str); 5] = [
    ("--export-json", "out/run.json"),
    ("--export-csv", "out/run.csv"),
    ("--export-markdown", "out/run.md"),
    ("--markdown-summary", "out/summary.md"),
    ("--html", "out/run.html"),
];

fn assert_every_export_written(dir: &TestDir) {
    for (flag, rel) in EXPORTS {
        let path = dir.join(rel);
        let len = std::fs::metadata(&path).map_or(0, |m| m.len());
        assert!(len > 0, "{flag} {} was not written", path.display());
    }
}

/// A command whose odd runs fail: some runs are measured (a run where
/// none is exits 3 before any gate), and the failure rate is 1/2.
const EVERY_OTHER_RUN_FAILS: &str =
    "n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; [ $((n % 2)) = 0 ]";

#[test]
fn a_closed_stdout_does_not_hide_a_failed_gate() {
    let dir = TestDir::new();
    let mut args = vec!["run", "-r", "6", "-i", "--gate", "--max-failure-rate", "0"];
    for (flag, rel) in EXPORTS {
        args.extend([flag, rel]);
    }
    args.extend(["--", "sh", "-c", EVERY_OTHER_RUN_FAILS]);
    let out = with_closed_stdout(&dir, &args);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_every_export_written(&dir);
    // A reader that went away is not worth a word.
    assert!(
        !text(&out.stderr).contains("standard output"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_closed_stdout_does_not_hide_a_failed_command() {
    let dir = TestDir::new();
    let mut args = vec!["run", "-r", "3"];
    for (flag, rel) in EXPORTS {
        args.extend([flag, rel]);
    }
    args.extend(["--", "sh", "-c", "exit 1"]);
    let out = with_closed_stdout(&dir, &args);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("exit code 1"),
        "{}",
        text(&out.stderr)
    );
    assert_every_export_written(&dir);
}

#[test]
fn a_closed_stdout_does_not_hide_a_failed_stored_gate() {
    let dir = TestDir::new();
    dir.pw()
        .args([
            "run",
            "-r",
            "4",
            "-i",
            "--",
            "sh",
            "-c",
            EVERY_OTHER_RUN_FAILS,
        ])
        .assert()
        .success();
    let out = with_closed_stdout(
        &dir,
        &[
            "gate",
            "latest",
            "--max-failure-rate",
            "0",
            "--markdown-summary",
            "out/gate.md",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(!dir.read("out/gate.md").is_empty());
}

#[test]
fn a_closed_stdout_does_not_turn_a_passing_run_into_a_failure() {
    let dir = TestDir::new();
    let mut args = vec!["run", "-r", "2"];
    for (flag, rel) in EXPORTS {
        args.extend([flag, rel]);
    }
    args.extend(["--", "true"]);
    let out = with_closed_stdout(&dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_every_export_written(&dir);
    let out = with_closed_stdout(&dir, &["report", "latest", "--html", "out/report.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.join("out/report.html").exists());
}

#[test]
fn a_stdout_that_cannot_be_written_is_said_once_and_changes_no_exit_code() {
    let dir = TestDir::new();
    dir.pw()
        .args(["run", "-r", "2", "--", "true"])
        .assert()
        .success();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = dir
        .std_pw()
        .args(["report", "latest"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("spawn perfwatch");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        err.matches("could not write to standard output").count(),
        1,
        "{err}"
    );
}

/// `perfwatch ARGS` in `dir` is refused with exit 2 and one `error:` line
/// holding every needle, and nothing is written (no history either).
fn refused_before_anything_is_written(dir: &TestDir, args: &[&str], needles: &[&str]) {
    assert_one_line_error(dir.pw().args(args).assert(), 2, needles);
    assert!(!dir.db().exists(), "`{args:?}` created the history");
}

#[test]
fn a_timeout_too_large_for_a_duration_is_a_usage_error_not_a_panic() {
    let dir = TestDir::new();
    // 1e20 s does not fit a `Duration`; 1e19 s does, but not past an `Instant`.
    for t in ["1e20", "1e19", "inf", "31536001"] {
        refused_before_anything_is_written(
            &dir,
            &["run", "-r", "1", "--timeout", t, "--", "true"],
            &["--timeout", "at most 31536000"],
        );
    }
    // A year itself is accepted.
    dir.pw()
        .args(["run", "-r", "1", "--timeout", "31536000", "--", "true"])
        .assert()
        .success();
}

#[test]
fn a_timeout_too_large_for_a_duration_in_the_config_is_refused_at_its_place() {
    for t in ["1e20", "1e19"] {
        let dir = TestDir::new();
        dir.write(
            "perfwatch.toml",
            format!("[benchmark.b]\ncommand = ['true']\ntimeout = {t}\n"),
        );
        refused_before_anything_is_written(
            &dir,
            &["run", "b"],
            &["perfwatch.toml:3:11:", "timeout", "at most 31536000"],
        );
    }
}

#[test]
fn max_runs_in_the_config_is_not_reported_as_the_flag() {
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "max_runs = 0\n",
            &[],
            &["perfwatch.toml:3:12:", "max_runs: must be at least 1"],
        ),
        (
            "min_runs = 5\nmax_runs = 2\n",
            &[],
            &["perfwatch.toml:4:12:", "max_runs: 2 is below min_runs = 5"],
        ),
        (
            "max_runs = 2\n",
            &["--min-runs", "5"],
            &["max_runs = 2 (perfwatch.toml:3:12) is below --min-runs 5"],
        ),
        (
            "min_runs = 5\n",
            &["--max-runs", "2"],
            &["--max-runs 2 is below min_runs = 5 (perfwatch.toml:3:12)"],
        ),
    ];
    for (keys, flags, needles) in cases {
        let dir = TestDir::new();
        dir.write(
            "perfwatch.toml",
            format!("[benchmark.b]\ncommand = ['true']\n{keys}"),
        );
        let mut args = vec!["run", "b"];
        args.extend(flags);
        let out = dir.pw().args(&args).assert().code(2);
        let err = stderr(&out);
        if !flags.contains(&"--max-runs") {
            assert!(!err.contains("--max-runs"), "{err}");
        }
        for needle in needles {
            assert!(err.contains(needle), "`{needle}` missing from:\n{err}");
        }
        assert!(!dir.db().exists(), "{keys} {flags:?} created the history");
    }
}

#[test]
fn a_nul_byte_in_an_env_value_is_refused_when_the_config_is_read() {
    let tables = [
        (
            "[benchmark.b]\ncommand = ['true']\n[benchmark.b.variant.v]\nenv = { A = \"x\\u0000y\" }\n",
            "perfwatch.toml:4:13:",
        ),
        (
            "[benchmark.b]\ncommand = ['true']\nenv = { A = \"x\\u0000y\" }\n",
            "perfwatch.toml:3:13:",
        ),
    ];
    for (text, place) in tables {
        let dir = TestDir::new();
        dir.write("perfwatch.toml", text);
        refused_before_anything_is_written(&dir, &["run", "b"], &[place, "NUL"]);
        // Commands that only read the configuration refuse it too.
        assert_one_line_error(dir.pw().args(["variants"]).assert(), 2, &[place]);
    }
}

#[test]
fn a_negative_or_infinite_failure_rate_is_refused() {
    for value in ["-1", "inf", "nan"] {
        let dir = TestDir::new();
        dir.write(
            "perfwatch.toml",
            format!("[gates]\nmax_failure_rate = {value}\n"),
        );
        refused_before_anything_is_written(
            &dir,
            &["run", "-r", "1", "--", "true"],
            &[
                "perfwatch.toml:2:20:",
                "max_failure_rate",
                "between 0 and 1",
            ],
        );
        let dir = TestDir::new();
        let flag = format!("--max-failure-rate={value}");
        let out = dir
            .pw()
            .args(["run", "-r", "1", "--gate", &flag, "--", "true"])
            .assert()
            .code(2);
        assert!(stderr(&out).contains("between 0 and 1"), "{}", stderr(&out));
        assert!(!dir.db().exists());
    }
}

/// Issue 13, item 13: another local process posted a span into a run's
/// OTLP receiver, and it was stored. The program's own SDK sends the token
/// from `OTEL_EXPORTER_OTLP_HEADERS`; a request without it is refused.
#[test]
fn otlp_spans_without_the_runs_token_are_refused_not_stored() {
    let dir = TestDir::new();
    let script = r#"
import json, os, time, urllib.request, urllib.error
endpoint = os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
key, value = os.environ["OTEL_EXPORTER_OTLP_HEADERS"].split("=", 1)
now = time.time_ns()
def body(name):
    span = {"traceId": "5b" * 16, "spanId": "01" * 8, "name": name,
            "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 5_000_000)}
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}).encode()
def post(name, headers):
    req = urllib.request.Request(endpoint, body(name), {"Content-Type": "application/json", **headers})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
open("codes.txt", "w").write(f"{post('intruder', {})} {post('own', {key: value})}")
"#;
    dir.pw()
        .args(["run", "-r", "1", "--", crate::util::python(), "-c", script])
        .assert()
        .success();
    assert_eq!(dir.read("codes.txt"), "401 200");
    let its = crate::util::iterations(&dir.export("latest"));
    let names: Vec<&str> = its[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["own"]);
}

/// The names in a directory, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Issue 13, item 9: read commands created `-journal`, `-wal` and `-shm`
/// files beside the database (even `--db /dev/null`) and could not read a
/// read-only one. They now open it read-only and create nothing.
#[test]
fn read_commands_create_no_files_beside_the_database() {
    let dir = TestDir::new();
    dir.pw()
        .args(["run", "-q", "-r", "2", "true"])
        .assert()
        .success();
    dir.pw()
        .args(["baseline", "save", "main"])
        .assert()
        .success();
    let db_dir = dir.db().parent().unwrap().to_path_buf();
    let before = listing(&db_dir);
    assert_eq!(before.len(), 1, "the writer cleaned up: {before:?}");
    let reads: &[&[&str]] = &[
        &["sessions"],
        &["show"],
        &["export", "latest"],
        &["report"],
        &["history"],
        &["baseline", "list"],
        &["baseline", "show", "main"],
        &["compare", "main", "latest"],
        &["gate", "--max-failure-rate", "1"],
    ];
    for args in reads {
        dir.pw().args(*args).assert().success();
        assert_eq!(listing(&db_dir), before, "{args:?}");
    }
    // An empty file is no history: an error, and no journal beside it.
    let empty = dir.write("empty/e.db", "");
    let assert = dir
        .pw()
        .args(["--db", empty.to_str().unwrap(), "sessions"])
        .assert()
        .code(2);
    assert!(crate::util::stderr(&assert).contains("no history"));
    assert_eq!(listing(empty.parent().unwrap()), ["e.db"]);
}

/// Issue 13, item 14: SQLite's message was repeated three times in one
/// error line.
#[test]
fn a_malformed_database_is_named_once_per_cause() {
    let dir = TestDir::new();
    dir.pw()
        .args(["run", "-q", "-r", "2", "true"])
        .assert()
        .success();
    let db = std::fs::read(dir.db()).unwrap();
    std::fs::write(dir.db(), &db[..8192.min(db.len())]).unwrap();
    let assert = dir.pw().arg("sessions").assert().failure();
    let err = crate::util::stderr(&assert);
    assert_eq!(err.matches("malformed").count(), 1, "{err}");
}

/// Issue 13, item 8: another process held the write lock for 11 s (longer
/// than the store's 10 s busy timeout) during a run: perfwatch exited 1,
/// said 216 runs, and the database had 19 iterations, still `running`.
/// The recorder now retries with back-off and loses nothing.
#[test]
fn a_write_lock_held_past_the_busy_timeout_loses_no_iteration() {
    let dir = TestDir::new();
    let runs: u64 = 250;
    let mut run = dir
        .std_pw()
        .args(["run", "-q", "-r", &runs.to_string(), "--", "sleep", "0.05"])
        .spawn()
        .unwrap();
    // Once the run has stored a few iterations, hold the write lock for
    // 11 s from another process.
    crate::util::wait_until(std::time::Duration::from_secs(30), "iterations", || {
        dir.db().exists() && dir.history().iteration_count() >= 3
    });
    let status = std::process::Command::new(crate::util::python())
        .args([
            "-c",
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN IMMEDIATE')\n\
             time.sleep(11)\n\
             c.execute('ROLLBACK')",
            dir.db().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(run.wait().unwrap().code(), Some(0));
    let sessions = dir.history().sessions();
    let newest = sessions.last().unwrap();
    assert_eq!(
        (newest.1.as_str(), newest.2),
        ("complete", runs),
        "{sessions:?}"
    );
}

/// Issue 13, item 4: a SIGKILLed perfwatch left its session `running`
/// forever. It reads as `abandoned` at once and is stored so by the next
/// perfwatch that writes; what finished is kept.
#[test]
fn a_killed_perfwatch_leaves_an_abandoned_session_not_a_running_one() {
    let dir = TestDir::new();
    let mut run = dir
        .std_pw()
        .args(["run", "-q", "-r", "500", "--", "sleep", "0.02"])
        .spawn()
        .unwrap();
    crate::util::wait_until(std::time::Duration::from_secs(30), "iterations", || {
        dir.db().exists() && dir.history().iteration_count() >= 2
    });
    run.kill().unwrap();
    run.wait().unwrap();
    let listed = dir.pw().arg("sessions").assert().success();
    assert!(
        crate::util::stdout(&listed).contains("abandoned"),
        "{}",
        crate::util::stdout(&listed)
    );
    let json = dir.export("latest");
    assert_eq!(json["session"]["status"], "abandoned");
    assert!(json["session"]["finished_at"].is_string());
    // The next write stores it.
    dir.pw()
        .args(["run", "-q", "-r", "1", "true"])
        .assert()
        .success();
    let sessions = dir.history().sessions();
    assert_eq!(sessions[0].1, "abandoned");
    assert!(sessions[0].2 >= 2);
}

/// Issue 13, items 6 and 12: an import with `memory_usage_byte` =
/// u64::MAX exited 1 blaming "corrupt data in DB" and left a `complete`
/// session with 0 iterations; imports accepted times of 1e308 s; a
/// compared JSON export with a negative `wall_s` was accepted.
#[test]
fn out_of_range_figures_from_files_are_refused_and_nothing_is_stored() {
    let dir = TestDir::new();
    let hyperfine = |times: &str, memory: &str| {
        format!(
            r#"{{"results":[{{"command":"x","times":{times},"exit_codes":[0],"memory_usage_byte":{memory}}}]}}"#
        )
    };
    dir.write("mem.json", hyperfine("[0.1]", "[18446744073709551615]"));
    dir.write("time.json", hyperfine("[1e308]", "[1000]"));
    for (file, needle) in [
        ("mem.json", "memory_usage_byte"),
        ("time.json", "is 1e308,"),
    ] {
        let assert = dir.pw().args(["import", file]).assert().code(2);
        let err = crate::util::stderr(&assert);
        assert!(err.contains(needle), "{file}: {err}");
    }
    assert_eq!(dir.history().sessions().len(), 0, "nothing stored");
    dir.pw()
        .args(["run", "-q", "-r", "3", "true"])
        .assert()
        .success();
    let mut export = dir.export("latest");
    export["variants"][0]["iterations"][1]["wall_s"] = serde_json::json!(-1.0);
    dir.write("neg.json", export.to_string());
    let assert = dir
        .pw()
        .args(["compare", "latest", "neg.json"])
        .assert()
        .code(2);
    assert!(crate::util::stderr(&assert).contains("wall_s = -1"));
}

/// Issue 13, item 14: a 5 MB CSV field was echoed in full in an error, and
/// `detect --csv /dev/zero` aborted on a 2 GiB allocation.
#[test]
fn detect_csv_quotes_a_bad_value_briefly_and_refuses_an_endless_file() {
    let dir = TestDir::new();
    dir.write("big.csv", format!("t,v\n1,{}\n", "x".repeat(5_000_000)));
    let assert = dir
        .pw()
        .args(["detect", "--csv", "big.csv"])
        .assert()
        .code(2);
    let err = crate::util::stderr(&assert);
    assert!(err.len() < 300, "{} bytes of error", err.len());
    assert!(err.contains("is not a number"), "{err}");
    let assert = dir
        .pw()
        .args(["detect", "--csv", "/dev/zero"])
        .assert()
        .code(2);
    assert!(crate::util::stderr(&assert).contains("larger than 128 MiB"));
}

/// Issue 13, item 1: an 8,000-deep parent chain (1.1 MB of span file)
/// gave 193 MB of terminal output, a 212 MB database, a 99 MB HTML report
/// and a 206 MB JSON export: every stage carried its whole ancestor path.
/// Now spans past 64 levels fold into their ancestor's stage, each path is
/// stored once, and every output stays within a few hundred bytes a span.
#[test]
fn an_8000_deep_span_chain_gives_output_and_storage_linear_in_its_spans() {
    const DEPTH: usize = 8_000;
    let dir = TestDir::new();
    dir.write(
        "deep.py",
        format!(
            r#"import json, os, time
t0 = time.time_ns()
with open(os.environ["PERFWATCH_SPANS"], "a") as f:
    for i in range({DEPTH}):
        f.write(json.dumps({{"type": "span", "id": f"s{{i}}",
            "parent": f"s{{i - 1}}" if i else None, "name": f"level{{i % 7}}",
            "start_unix_ns": t0 + i, "end_unix_ns": t0 + 2 * {DEPTH} - i}}) + "\n")
"#
        ),
    );
    let run = dir
        .pw()
        .args(["run", "-r", "1", "--export-json", "run.json"])
        .args([
            "--export-markdown",
            "run.md",
            "--",
            crate::util::python(),
            "deep.py",
        ])
        .assert()
        .success();
    let out = crate::util::stdout(&run);
    dir.pw()
        .args(["report", "latest", "--html", "run.html"])
        .assert()
        .success();
    let budget = 600 * DEPTH as u64;
    let sizes = [
        ("stdout", out.len() as u64),
        ("database", std::fs::metadata(dir.db()).unwrap().len()),
        (
            "JSON",
            std::fs::metadata(dir.join("run.json")).unwrap().len(),
        ),
        (
            "Markdown",
            std::fs::metadata(dir.join("run.md")).unwrap().len(),
        ),
        (
            "HTML",
            std::fs::metadata(dir.join("run.html")).unwrap().len(),
        ),
    ];
    for (what, size) in sizes {
        assert!(size < budget, "{what}: {size} bytes for {DEPTH} spans");
    }
    assert!(
        out.contains("… 7936 deeper levels folded into level0/…/"),
        "{out}"
    );
    let export: serde_json::Value =
        serde_json::from_str(&dir.read("run.json")).expect("JSON export");
    let variant = crate::util::only_variant(&export);
    let stages = variant["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 64, "one stage per level up to the limit");
    let deepest = stages
        .iter()
        .find(|s| s["depth"] == 63)
        .expect("the stage at the limit");
    assert_eq!(deepest["folded_levels"], 7_936);
    let its = crate::util::iterations(&export);
    assert_eq!(
        its[0]["stages"].as_array().unwrap().len(),
        DEPTH,
        "all spans kept"
    );
    assert!(dir
        .read("run.md")
        .contains("7936 deeper levels folded into"));
    assert!(dir
        .read("run.html")
        .contains("7936 deeper levels folded in"));
}

/// Output piped to a file or another program ignored `COLUMNS`: `show`
/// was 97 columns wide and `sessions` 100 with `COLUMNS=80`.
#[test]
fn piped_output_fits_the_width_columns_names() {
    let dir = TestDir::new();
    crate::util::pw(&dir)
        .args(["run", "-q", "-r", "3", "-N", "-n", "fast", "-n", "slow"])
        .args(["sleep 0.001", "sleep 0.002"])
        .assert()
        .success();
    for args in [
        &["show", "latest"][..],
        &["sessions"],
        &["compare", "latest", "latest"],
    ] {
        let out = crate::util::pw(&dir)
            .args(args)
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= 80, "{args:?} is {widest} columns wide:\n{text}");
    }
}

/// At 80 columns clap wrapped the examples of `run --help` and `bisect
/// --help` in the middle of a command line, so a line of the block read
/// like a command of its own (`  pipeline`, `  interleaved, compared`).
/// Every line of an Examples block is a command, a `#` comment, or the
/// continuation of a command ended with `\`.
#[test]
fn regression_help_examples_fit_an_80_column_terminal() {
    let dir = TestDir::new();
    for command in ["run", "bisect", "attribute"] {
        let out = crate::util::pw(&dir)
            .args([command, "--help"])
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let help = text(&out.stdout);
        let block: Vec<&str> = help
            .lines()
            .skip_while(|l| *l != "Examples:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(!block.is_empty(), "{command}: no examples in\n{help}");
        let mut continued = false;
        for line in &block {
            let ok = continued || line.starts_with("  perfwatch ") || line.starts_with("  # ");
            assert!(
                ok && line.chars().count() <= 80,
                "{command}: {line:?} in\n{help}"
            );
            continued = line.ends_with(" \\");
        }
    }
}
