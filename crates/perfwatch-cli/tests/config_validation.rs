//! Options validated once, when perfwatch.toml is read: every value out of
//! range and every unknown key or name is a usage error (exit 2) naming
//! `perfwatch.toml:LINE:COL`, the table and the key — for every command,
//! before anything runs or is written. Gate limits on the command line are
//! checked the same way, naming the flag.

use crate::util::{assert_one_line_error, stderr, tree_snapshot, TestDir};

/// One bad configuration: the file, where the error points, and what the
/// message must say (the table and key, then the complaint).
struct Row {
    toml: &'static str,
    at: &'static str,
    says: &'static str,
}

const fn row(toml: &'static str, at: &'static str, says: &'static str) -> Row {
    Row { toml, at, says }
}

/// Every option out of range or unknown, one row each.
const ROWS: &[Row] = &[
    // [thresholds] → CompareOptions
    row(
        "[thresholds]\nconfidence = 1.5\n",
        "2:14",
        "[thresholds] confidence: must be at least 0.5 and below 1, got 1.5",
    ),
    row(
        "[thresholds]\nconfidence = 0\n",
        "2:14",
        "[thresholds] confidence: must be at least 0.5 and below 1, got 0",
    ),
    row(
        "[thresholds]\nnoise = 5.0\n",
        "2:9",
        "[thresholds] noise: must be at least 0 and below 1, got 5",
    ),
    row(
        "[thresholds]\nnoise = -0.1\n",
        "2:9",
        "[thresholds] noise: must be at least 0 and below 1, got -0.1",
    ),
    row(
        "[thresholds]\nmin_samples = 0\n",
        "2:15",
        "[thresholds] min_samples: must be at least 2, got 0",
    ),
    row(
        "[thresholds]\nlow = -0.1\n",
        "2:7",
        "[thresholds] low: must be at least 0, got -0.1",
    ),
    row(
        "[thresholds]\ncritical = inf\n",
        "2:12",
        "[thresholds] critical: must be a finite number at least 0, got inf",
    ),
    row(
        "[thresholds]\nlow = 0.5\nmedium = 0.2\n",
        "1:1",
        "[thresholds]: severity thresholds must satisfy low ≤ medium ≤ high ≤ critical, got low 0.5, medium 0.2",
    ),
    row(
        "[thresholds]\nprimary = [\"wall_s\", \"wal\"]\n",
        "2:22",
        "[thresholds] primary: unknown primary metric `wal` (known: wall_s,",
    ),
    row(
        "[thresholds]\nresamples = 0\n",
        "2:13",
        "[thresholds] resamples: must be at least 1, got 0",
    ),
    row(
        "[thresholds]\nnoise_threshold = 0.1\n",
        "2:1",
        "[thresholds]: unknown field `noise_threshold`",
    ),
    // [findings] → FindingOptions
    row(
        "[findings]\ndisable = [\"no_such_rule\"]\n",
        "2:12",
        "[findings] disable: unknown finding rule `no_such_rule` in `disable` (known: bottleneck, fixed_wait, polling_granularity,",
    ),
    row(
        "[findings]\nidle_cpu_pct = -5\n",
        "2:16",
        "[findings] idle_cpu_pct: must be at least 0, got -5",
    ),
    row(
        "[findings]\nmin_impact_s = -0.01\n",
        "2:16",
        "[findings] min_impact_s: must be at least 0, got -0.01",
    ),
    row(
        "[findings]\nmin_impact_share = 1.5\n",
        "2:20",
        "[findings] min_impact_share: must be between 0 and 1, got 1.5",
    ),
    // A rule's own table is checked by the rule once read: the error
    // points at the table.
    row(
        "[findings.bottleneck]\nred = 0.1\nyellow = 0.2\n",
        "1:1",
        "[findings] bottleneck: finding option `bottleneck.yellow`",
    ),
    row(
        "[findings.cold_start]\nratio = 0.5\n",
        "1:1",
        "[findings] cold_start: finding option `cold_start.ratio`",
    ),
    row(
        "[findings.idle]\nmin_stage_share = 2\n",
        "1:1",
        "[findings] idle: finding option `idle.min_stage_share`",
    ),
    row(
        "[findings]\nidle_cpu = 3\n",
        "2:1",
        "[findings]: unknown field `idle_cpu`",
    ),
    // [gates] → GateConfig
    row(
        "[gates]\nmax_failure_rate = 5\n",
        "2:20",
        "[gates] max_failure_rate: must be between 0 and 1, got 5",
    ),
    row(
        "[gates]\nmin_health_score = 101\n",
        "2:20",
        "[gates] min_health_score: must be at most 100, got 101",
    ),
    row(
        "[gates]\nmax_duration_increase_percent = -150\n",
        "2:33",
        "[gates] max_duration_increase_percent: must be above -100, got -150",
    ),
    row(
        "[gates]\nmetrics = [\"wall\"]\n",
        "2:12",
        "[gates] metrics: unknown metric `wall` in gate `metrics`",
    ),
    row(
        "[gates]\nmax_peak_rss_bytes = -1\n",
        "2:22",
        "[gates] max_peak_rss_bytes: invalid value: integer `-1`",
    ),
    row(
        "[gates]\nmax_regression_high = -1\n",
        "2:23",
        "[gates] max_regression_high: invalid value: integer `-1`",
    ),
    row(
        "[gates.stage.\"a/b\"]\np50_s = -1\n",
        "2:9",
        "[gates.stage.a/b] p50_s: must be at least 0, got -1",
    ),
    row(
        "[gates.stage.x]\nmax_cpu_pct = -5\n",
        "2:15",
        "[gates.stage.x] max_cpu_pct: must be at least 0, got -5",
    ),
    row(
        "[gates.stage.\"\"]\np50_s = 1\n",
        "1:14",
        "[gates] stage: a gate stage budget needs a stage path",
    ),
    row(
        "[gates]\nmax_regresion_high = 0\n",
        "2:1",
        "[gates]: unknown field `max_regresion_high`",
    ),
    // [benchmark.NAME]
    row(
        "[benchmark.b]\nshell = 'true'\ntimeout = 0\n",
        "3:11",
        "[benchmark.b] timeout: must be above 0 and at most 31536000, got 0",
    ),
    row(
        "[benchmark.b]\nshell = 'true'\nruns = 0\n",
        "3:8",
        "[benchmark.b] runs: must be at least 1, got 0",
    ),
    row(
        "[benchmark.b]\nshell = 'true'\nmax_spans = 0\n",
        "3:13",
        "[benchmark.b] max_spans: must be at least 1, got 0",
    ),
];

/// Run `args` with `row`'s file in `dir`: exit 2, one `error:` line at
/// the row's position saying what the row says, and no file touched.
fn assert_refused(dir: &TestDir, row: &Row, args: &[&str]) {
    dir.write("perfwatch.toml", row.toml);
    let before = tree_snapshot(dir.path());
    let position = format!("perfwatch.toml:{}: ", row.at);
    let assert = dir.pw().args(args).assert();
    let err = stderr(&assert);
    assert!(
        err.contains(&format!("{position}{}", row.says)),
        "`perfwatch {}` with\n{}\nwants `{position}{}`, got:\n{err}",
        args.join(" "),
        row.toml,
        row.says,
    );
    assert_one_line_error(assert, 2, &[&position]);
    assert_eq!(
        tree_snapshot(dir.path()),
        before,
        "`perfwatch {}` with\n{}\nwrote something",
        args.join(" "),
        row.toml
    );
}

#[test]
fn every_bad_option_is_refused_at_its_position_before_run_writes_anything() {
    for row in ROWS {
        let dir = TestDir::new();
        let db = dir.join("x.db");
        let db = db.to_str().unwrap();
        assert_refused(
            &dir,
            row,
            &[
                "--db",
                db,
                "run",
                "-r",
                "1",
                "--export-json",
                "out.json",
                "--",
                "true",
            ],
        );
        assert!(!dir.join("x.db").exists());
    }
}

#[test]
fn every_bad_option_is_refused_by_commands_that_only_read_too() {
    let dir = TestDir::new();
    dir.pw()
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    for row in ROWS {
        assert_refused(&dir, row, &["show"]);
        assert_refused(&dir, row, &["gate", "--max-regression-critical", "0"]);
        assert_refused(&dir, row, &["report", "--html", "report.html"]);
    }
}

#[test]
fn gate_limits_on_the_command_line_are_checked_before_anything_runs() {
    let flags = [
        ("--max-failure-rate", "5", "must be between 0 and 1, got 5"),
        (
            "--max-failure-rate",
            "-0.5",
            "must be between 0 and 1, got -0.5",
        ),
        ("--min-health-score", "101", "must be at most 100, got 101"),
        (
            "--max-duration-increase-percent",
            "-150",
            "must be above -100, got -150",
        ),
        (
            "--max-duration-increase-percent",
            "nan",
            "must be a finite number above -100",
        ),
    ];
    for (flag, value, says) in flags {
        for prefix in [&["gate"][..], &["run", "-r", "1"][..]] {
            let dir = TestDir::new();
            let before = tree_snapshot(dir.path());
            let mut args: Vec<&str> = prefix.to_vec();
            args.extend([flag, value]);
            if prefix[0] == "run" {
                args.extend(["--", "true"]);
            }
            let assert = dir.pw().args(&args).assert().code(2);
            let err = stderr(&assert);
            assert!(
                err.contains(flag) && err.contains(says),
                "`perfwatch {}`: {err}",
                args.join(" ")
            );
            assert_eq!(tree_snapshot(dir.path()), before, "{}", args.join(" "));
        }
    }
}

#[test]
fn gate_limits_in_range_on_the_command_line_are_accepted() {
    let dir = TestDir::new();
    dir.pw()
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    dir.pw()
        .args(["gate", "--max-failure-rate", "1", "--min-health-score", "0"])
        .assert()
        .success();
    // A negative increase asks for a speed-up: refused by the gate (exit 4)
    // or met, never a usage error.
    let assert = dir
        .pw()
        .args(["gate", "--max-duration-increase-percent", "-50"])
        .assert();
    let code = assert.get_output().status.code();
    assert!(matches!(code, Some(0 | 4)), "{code:?}: {}", stderr(&assert));
}

#[test]
fn the_repositorys_own_configuration_still_loads() {
    let repo_config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../perfwatch.toml");
    let dir = TestDir::new();
    let assert = dir
        .pw()
        .args(["--config", repo_config, "variants"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.starts_with("pipeline: "), "{out}");
}
