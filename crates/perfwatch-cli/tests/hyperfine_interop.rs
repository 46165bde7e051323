//! Coming from hyperfine: `import` names benchmark and variants and refuses
//! a file imported before; `compare` reads hyperfine files directly; `run
//! --export-hyperfine` and `export --format hyperfine` write hyperfine's
//! schema; and a real hyperfine export of a command compares as unchanged
//! with perfwatch's own run of it.

use crate::import_hyperfine::hyperfine_json;
use crate::util::{assert_one_line_error, pw, stderr, stdout, TestDir};
use serde_json::{json, Value};

const FAST: &[f64] = &[0.1018, 0.1032, 0.1021, 0.1029, 0.1024];
const SLOW: &[f64] = &[0.2018, 0.2032, 0.2021, 0.2027, 0.2024];

/// A two-command hyperfine file, `nap.json`.
fn nap(dir: &TestDir) {
    dir.write(
        "nap.json",
        hyperfine_json(&[("sleep 0.1", FAST), ("sleep 0.2", SLOW)]),
    );
}

/// The benchmark and variant names of the newest session.
fn names(dir: &TestDir) -> (String, Vec<String>) {
    let export = dir.export("latest");
    let variants = export["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    let benchmark = export["session"]["benchmark"].as_str().unwrap().to_string();
    (benchmark, variants)
}

#[test]
fn import_flags_name_the_benchmark_and_the_variants() {
    let cases: Vec<(Vec<&str>, &str, [&str; 2])> = vec![
        (vec![], "nap", ["sleep 0.1", "sleep 0.2"]),
        (
            vec!["--benchmark", "naps"],
            "naps",
            ["sleep 0.1", "sleep 0.2"],
        ),
        (
            vec!["--variant-names", "fast,slow"],
            "nap",
            ["fast", "slow"],
        ),
        (
            vec!["--variant-names", "fast", "--variant-names", "slow"],
            "nap",
            ["fast", "slow"],
        ),
        (
            vec!["--variant-name", "sleep 0.2=slow"],
            "nap",
            ["sleep 0.1", "slow"],
        ),
        (
            vec![
                "--variant-name",
                "sleep 0.1=a=b",
                "--variant-name",
                "sleep 0.2=c",
            ],
            "nap",
            ["sleep 0.1=a", "sleep 0.2"],
        ),
    ];
    for (flags, benchmark, variants) in cases {
        let dir = TestDir::new();
        nap(&dir);
        let assert = pw(&dir).args(["import", "nap.json"]).args(&flags).assert();
        if flags.contains(&"sleep 0.1=a=b") {
            // The name is after the last `=`: `sleep 0.1=a` is no command.
            assert_one_line_error(assert, 2, &["no command `sleep 0.1=a`"]);
            continue;
        }
        assert.success();
        let (b, v) = names(&dir);
        assert_eq!(
            (b.as_str(), v),
            (benchmark, variants.map(String::from).to_vec()),
            "{flags:?}"
        );
    }
}

#[test]
fn import_names_that_do_not_fit_the_file_are_usage_errors_that_store_nothing() {
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--variant-names", "only"],
            vec![
                "nap.json",
                "1 variant name given for 2 commands",
                "`sleep 0.1`, `sleep 0.2`",
            ],
        ),
        (
            vec!["--variant-names", "a,b,c"],
            vec!["3 variant names given for 2 commands"],
        ),
        (
            vec!["--variant-name", "sleep 9=x"],
            vec!["no command `sleep 9` to rename", "`sleep 0.1`, `sleep 0.2`"],
        ),
        (
            vec!["--variant-names", "a,a"],
            vec!["two variants would be named `a`"],
        ),
        (
            vec!["--variant-name", "sleep 0.1=sleep 0.2"],
            vec!["two variants would be named `sleep 0.2`"],
        ),
        (
            vec!["--variant-name", "no-equals"],
            vec!["expected CMD=NAME"],
        ),
        (vec!["--benchmark", ""], vec!["the benchmark name is empty"]),
        (
            vec!["--variant-names", "a,b", "--variant-name", "sleep 0.1=x"],
            vec!["cannot be used with"],
        ),
    ];
    for (flags, needles) in cases {
        let dir = TestDir::new();
        nap(&dir);
        let assert = pw(&dir).args(["import", "nap.json"]).args(&flags).assert();
        if flags.contains(&"no-equals") || flags.len() == 4 {
            // clap's own errors: exit 2 with usage lines after the error.
            let err = stderr(&assert.code(2));
            for needle in needles {
                assert!(
                    err.contains(needle),
                    "`{needle}` missing for {flags:?}:\n{err}"
                );
            }
        } else {
            assert_one_line_error(assert, 2, &needles);
        }
        assert!(!dir.db().exists(), "{flags:?} created a history");
    }
}

#[test]
fn a_file_imported_before_is_refused_and_force_imports_it_again() {
    let dir = TestDir::new();
    nap(&dir);
    let first = stdout(&pw(&dir).args(["import", "nap.json"]).assert().success());
    let id = first.split_whitespace().nth(5).unwrap().to_string();
    // Renamed or not, the same bytes are the same runs.
    dir.write("copy.json", dir.read("nap.json"));
    for args in [
        vec!["import", "nap.json"],
        vec!["import", "copy.json", "--variant-names", "a,b"],
    ] {
        assert_one_line_error(
            pw(&dir).args(&args).assert(),
            2,
            &[
                "was already imported as session",
                &id,
                "benchmark nap",
                "--force",
            ],
        );
    }
    assert_eq!(dir.history().sessions().len(), 1, "nothing more stored");

    pw(&dir)
        .args(["import", "--force", "nap.json"])
        .assert()
        .success();
    assert_eq!(dir.history().sessions().len(), 2);

    // The same content twice in one command is refused too.
    let other = TestDir::new();
    other.write("a.json", hyperfine_json(&[("sleep 0.1", FAST)]));
    other.write("b.json", other.read("a.json"));
    assert_one_line_error(
        pw(&other).args(["import", "a.json", "b.json"]).assert(),
        2,
        &["b.json has the same content as a.json"],
    );
    assert!(!other.db().exists());
}

#[test]
fn an_import_keeps_cpu_means_parameters_and_where_it_came_from() {
    let dir = TestDir::new();
    let mut doc: Value = serde_json::from_str(&hyperfine_json(&[("sleep 0.1", FAST)])).unwrap();
    doc["results"][0]["parameters"] = json!({"t": "0.1"});
    let text = serde_json::to_string(&doc).unwrap();
    dir.write("scan.json", &text);
    pw(&dir).args(["import", "scan.json"]).assert().success();

    let export = dir.export("latest");
    let spec = &export["session"]["variants"][0];
    assert_eq!(
        spec["cpu_means"],
        json!({"user_s": 0.0008, "sys_s": 0.0011})
    );
    assert_eq!(spec["parameters"], json!([["t", "0.1"]]));
    let origin = &export["session"]["imported"];
    assert_eq!(origin["tool"], "hyperfine");
    assert_eq!(origin["file"], "scan.json");
    assert_eq!(origin["sha256"].as_str().unwrap().len(), 64);
    // The means are not statistics: no summary of CPU time.
    let summary = &export["variants"][0]["summary"];
    assert!(summary.get("user_s").is_none() && summary.get("wall_s").is_some());

    let show = stdout(&pw(&dir).args(["show"]).assert().success());
    assert!(
        show.contains("user 800 µs · sys 1.10 ms (reported means)"),
        "{show}"
    );
}

/// The comparisons of a `compare --export-json` file: (baseline,
/// candidate, verdict) of wall time, and the notes.
fn compared(dir: &TestDir, base: &str, cand: &str) -> (Vec<(String, String, String)>, Value) {
    pw(dir)
        .args(["compare", base, cand, "--export-json", "cmp.json"])
        .assert()
        .success();
    let v: Value = serde_json::from_str(&dir.read("cmp.json")).unwrap();
    let wall = v["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["metric"] == "wall_s" && c["reference"] == "baseline")
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("baseline"), s("candidate"), s("verdict"))
        })
        .collect();
    (wall, v["notes"].clone())
}

#[test]
fn compare_reads_hyperfine_files_directly_and_stores_nothing() {
    let dir = TestDir::new();
    dir.write("old.json", hyperfine_json(&[("sleep 0.1", FAST)]));
    dir.write("new.json", hyperfine_json(&[("sleep 0.1", SLOW)]));
    let (wall, notes) = compared(&dir, "old.json", "new.json");
    assert_eq!(wall.len(), 1, "{wall:?}");
    assert_eq!(wall[0].0, "old.json:sleep 0.1");
    assert_eq!(wall[0].2, "regressed");
    assert_eq!(notes, Value::Null, "same names, nothing to say");
    assert!(!dir.db().exists(), "compare stored something");

    // One variant each, named differently: compared, and said so.
    dir.write("other.json", hyperfine_json(&[("sleep 0.10", FAST)]));
    let (wall, notes) = compared(&dir, "old.json", "other.json");
    assert_eq!(wall[0].2, "unchanged");
    let note = notes[0].as_str().unwrap();
    assert!(
        note.contains("`sleep 0.10`") && note.contains("`sleep 0.1` of old.json"),
        "{note}"
    );

    // Several variants pair by name only.
    dir.write("two.json", hyperfine_json(&[("a", FAST), ("b", SLOW)]));
    assert_one_line_error(
        pw(&dir).args(["compare", "two.json", "old.json"]).assert(),
        2,
        &["no variant in common"],
    );
}

#[test]
fn run_export_hyperfine_and_export_format_hyperfine_agree_and_import_back() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-q",
            "-r",
            "3",
            "--export-hyperfine",
            "run-hf.json",
            "--",
            "true",
        ])
        .assert()
        .success();
    let written: Value = serde_json::from_str(&dir.read("run-hf.json")).unwrap();
    let exported = stdout(
        &pw(&dir)
            .args(["export", "latest", "--format", "hyperfine"])
            .assert()
            .success(),
    );
    assert_eq!(serde_json::from_str::<Value>(&exported).unwrap(), written);
    let result = &written["results"][0];
    assert_eq!(result["command"], "true");
    assert_eq!(result["times"].as_array().unwrap().len(), 3);
    assert_eq!(result["exit_codes"], json!([0, 0, 0]));
    for key in ["mean", "stddev", "median", "user", "system", "min", "max"] {
        assert!(result[key].is_number(), "{key}: {result}");
    }

    // hyperfine's schema imports back to the same runs.
    let stored = dir.export("latest");
    let walls: Vec<Value> = crate::util::iterations(&stored)
        .iter()
        .map(|i| i["wall_s"].clone())
        .collect();
    pw(&dir).args(["import", "run-hf.json"]).assert().success();
    let back = dir.export("latest");
    let back_walls: Vec<Value> = crate::util::iterations(&back)
        .iter()
        .map(|i| i["wall_s"].clone())
        .collect();
    assert_eq!(back_walls, walls);
}

/// The last `compare --export-json`, for failure messages.
fn json_of(dir: &TestDir) -> Value {
    serde_json::from_str(&dir.read("cmp.json")).unwrap()
}

/// Runs on each side of the real comparison. `sleep 0.2` rather than a
/// shorter sleep: the wake-up jitter of a loaded machine is a few
/// milliseconds whatever the sleep, and at 200 ms the interval of the ratio
/// of medians stays well inside the ±2 % noise band, so the verdict is
/// `unchanged` rather than `inconclusive`.
const RUNS: &str = "15";

#[test]
fn a_real_hyperfine_export_compares_as_unchanged_with_a_perfwatch_run_of_the_command() {
    if std::process::Command::new("hyperfine")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("hyperfine is not installed (scripts/test installs it): skipped");
        return;
    }
    let dir = TestDir::new();
    let hyperfine = std::process::Command::new("hyperfine")
        .current_dir(dir.path())
        .args(["-N", "--runs", RUNS, "--style", "none"])
        .args(["--export-json", "hf.json", "sleep 0.2"])
        .output()
        .unwrap();
    assert!(hyperfine.status.success(), "{hyperfine:?}");

    // Named `default`, as perfwatch names the variant of `run -- CMD`.
    let out = stdout(
        &pw(&dir)
            .args([
                "import",
                "hf.json",
                "--benchmark",
                "nap",
                "--variant-names",
                "default",
            ])
            .assert()
            .success(),
    );
    let imported = out.split_whitespace().nth(5).unwrap().to_string();
    pw(&dir)
        .args([
            "run", "-q", "-r", RUNS, "--name", "nap", "--", "sleep", "0.2",
        ])
        .assert()
        .success();
    let run = names(&dir);
    assert_eq!(run, ("nap".to_string(), vec!["default".to_string()]));

    let (wall, notes) = compared(&dir, &imported, "latest");
    assert_eq!(wall.len(), 1, "{wall:?}");
    let verdict = &wall[0].2;
    assert_eq!(verdict, "unchanged", "{:#}", json_of(&dir));
    assert_eq!(notes, Value::Null, "the names match: {notes}");

    // The file itself, unrenamed, compares the same way and says how.
    let (wall, notes) = compared(&dir, "hf.json", "latest");
    assert_eq!(wall[0].2, "unchanged", "{wall:?}");
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .contains("`sleep 0.2` of hf.json"),
        "{notes}"
    );
}
