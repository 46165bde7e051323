//! `perfwatch.toml`: named benchmarks and variants, `variants`, `init`,
//! strict parsing.

use crate::util::{assert_one_line_error, iterations, pw, stdout, tree_snapshot, TestDir};

/// A benchmark `b` whose command records iteration, variant and `MODE`.
pub const CONFIG: &str = r#"
[benchmark.b]
description = "records what it was given"
shell = 'echo "$PERFWATCH_ITERATION $PERFWATCH_VARIANT $MODE" >> runs.txt'
runs = 2

[benchmark.b.variant.x]
description = "the x way"
env = { MODE = "ex" }

[benchmark.b.variant.y]
env = { MODE = "why" }

[benchmark.b.variant.z]
env = { MODE = "zed" }
"#;

/// A directory with [`CONFIG`] as `perfwatch.toml`.
pub fn configured() -> TestDir {
    let dir = TestDir::new();
    dir.write("perfwatch.toml", CONFIG);
    dir
}

/// `(variant, MODE)` of each line of `runs.txt`, in order.
fn runs(dir: &TestDir) -> Vec<(String, String)> {
    dir.lines("runs.txt")
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[1].to_string(), f.get(2).unwrap_or(&"").to_string())
        })
        .collect()
}

#[test]
fn run_of_a_named_benchmark_runs_every_variant_with_its_env() {
    let dir = configured();
    pw(&dir).args(["run", "b"]).assert().success();
    let mut seen = runs(&dir);
    seen.sort();
    let pair = |v: &str, m: &str| (v.to_string(), m.to_string());
    assert_eq!(
        seen,
        [
            pair("x", "ex"),
            pair("x", "ex"),
            pair("y", "why"),
            pair("y", "why"),
            pair("z", "zed"),
            pair("z", "zed")
        ]
    );
    let json = dir.export("latest");
    assert_eq!(json["session"]["benchmark"], "b");
    let names: Vec<&str> = json["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["x", "y", "z"]);
    assert_eq!(json["variants"][0]["description"], "the x way");
}

#[test]
fn run_with_variant_runs_only_that_variant() {
    let dir = configured();
    pw(&dir)
        .args(["run", "b", "--variant", "y", "-r", "3"])
        .assert()
        .success();
    let seen = runs(&dir);
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|(v, m)| v == "y" && m == "why"), "{seen:?}");
}

#[test]
fn unknown_variant_is_a_usage_error_listing_the_known_ones() {
    let dir = configured();
    let before = tree_snapshot(dir.path());
    assert_one_line_error(
        pw(&dir).args(["run", "b", "--variant", "nope"]).assert(),
        2,
        &["nope", "x, y, z"],
    );
    assert_eq!(
        tree_snapshot(dir.path()),
        before,
        "nothing may run or be written"
    );
}

#[test]
fn unknown_benchmark_is_a_usage_error_listing_the_known_ones() {
    let dir = configured();
    let before = tree_snapshot(dir.path());
    assert_one_line_error(pw(&dir).args(["run", "c"]).assert(), 2, &["`c`", "b"]);
    assert_eq!(tree_snapshot(dir.path()), before);
}

#[test]
fn variants_lists_benchmarks_variants_and_their_settings() {
    let dir = configured();
    let out = stdout(&pw(&dir).arg("variants").assert().success());
    assert!(out.starts_with("b: "), "{out}");
    for needle in [
        "records what it was given",
        "x — the x way",
        "MODE=ex",
        "  y",
        "  z",
    ] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
}

#[test]
fn config_flag_and_env_select_another_file() {
    let dir = TestDir::new();
    dir.write("conf/other.toml", CONFIG);
    let by_flag = stdout(
        &pw(&dir)
            .args(["--config", "conf/other.toml", "variants"])
            .assert()
            .success(),
    );
    let by_env = stdout(
        &pw(&dir)
            .env("PERFWATCH_CONFIG", dir.join("conf/other.toml"))
            .arg("variants")
            .assert()
            .success(),
    );
    assert!(by_flag.starts_with("b: "), "{by_flag}");
    assert_eq!(by_flag, by_env);
}

#[test]
fn missing_explicit_config_is_a_usage_error() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir)
            .args(["--config", "nope.toml", "variants"])
            .assert(),
        2,
        &["nope.toml"],
    );
}

#[test]
fn init_writes_a_config_that_variants_reads() {
    let dir = TestDir::new();
    pw(&dir).arg("init").assert().success();
    assert!(dir.join("perfwatch.toml").is_file());
    let out = stdout(&pw(&dir).arg("variants").assert().success());
    for needle in ["pipeline", "before", "after"] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = configured();
    assert_one_line_error(
        pw(&dir).arg("init").assert(),
        2,
        &["perfwatch.toml", "--force"],
    );
    assert_eq!(dir.read("perfwatch.toml"), CONFIG);
    pw(&dir).args(["init", "--force"]).assert().success();
    assert_ne!(dir.read("perfwatch.toml"), CONFIG);
}

#[test]
fn unknown_config_key_names_file_line_column_and_key_and_runs_nothing() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        "[benchmark.b]\nshell = 'echo ran >> runs.txt'\nwarmpu = 3\n",
    );
    let before = tree_snapshot(dir.path());
    assert_one_line_error(
        pw(&dir).args(["run", "b"]).assert(),
        2,
        &["perfwatch.toml:3:1", "warmpu"],
    );
    assert_eq!(tree_snapshot(dir.path()), before);
}

#[test]
fn a_malformed_config_breaks_ad_hoc_runs_too() {
    // The configuration holds the thresholds every run uses; a broken file
    // is reported rather than silently ignored.
    let dir = TestDir::new();
    dir.write("perfwatch.toml", "[thresholds]\nnoise = \"low\"\n");
    let before = tree_snapshot(dir.path());
    assert_one_line_error(
        pw(&dir).args(["run", "--", "true"]).assert(),
        2,
        &["perfwatch.toml:2:"],
    );
    assert_eq!(tree_snapshot(dir.path()), before);
}

#[test]
fn variant_args_are_appended_to_the_command() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        format!(
            "[benchmark.argv]\ncommand = [{py:?}, '-c', 'import sys; open(\"a.txt\", \"a\").write(\" \".join(sys.argv[1:]) + \"\\n\")', 'base']\n\
             [benchmark.argv.variant.plain]\n\
             [benchmark.argv.variant.extra]\nargs = ['--fast', '{{x}}']\n",
            py = crate::util::python()
        ),
    );
    pw(&dir).args(["run", "argv", "-r", "1"]).assert().success();
    assert_eq!(dir.lines("a.txt"), ["base", "base --fast {x}"]);
    assert_eq!(iterations(&dir.export("latest")).len(), 2);
}
