//! `perfwatch ab`: variants interleaved in one session and compared, and
//! parameter scans with `--param`.

use crate::config::configured;
use crate::util::{assert_one_line_error, iterations, pw, stdout, TestDir};
use serde_json::Value;

/// The variant of every iteration, in index order.
fn variant_order(export: &Value) -> Vec<String> {
    iterations(export)
        .iter()
        .map(|it| it["variant"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ab_stores_one_session_with_variants_interleaved_and_prints_a_comparison() {
    let dir = configured();
    let out = stdout(
        &pw(&dir)
            .args(["ab", "b", "x", "y", "-r", "5"])
            .assert()
            .success(),
    );
    assert!(out.contains("y vs x"), "no comparison printed:\n{out}");
    assert!(out.contains("wall_s"), "{out}");
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].2, 10);
    let json = dir.export("latest");
    let order = variant_order(&json);
    let expected: Vec<&str> = ["x", "y"].iter().cycle().take(10).copied().collect();
    assert_eq!(order, expected);
    let indices: Vec<u64> = iterations(&json)
        .iter()
        .map(|it| it["index"].as_u64().unwrap())
        .collect();
    assert_eq!(
        indices,
        (0..10).collect::<Vec<u64>>(),
        "one index sequence per session"
    );
}

#[test]
fn ab_comparisons_are_part_of_the_export_flags() {
    let dir = configured();
    pw(&dir)
        .args([
            "ab",
            "b",
            "x",
            "y",
            "-r",
            "5",
            "-q",
            "--export-json",
            "ab.json",
        ])
        .assert()
        .success();
    let json: Value = serde_json::from_str(&dir.read("ab.json")).unwrap();
    let comparisons = json["comparisons"].as_array().unwrap();
    let wall = comparisons
        .iter()
        .find(|c| c["metric"] == "wall_s" && c["stage"].is_null())
        .unwrap_or_else(|| panic!("no wall_s comparison: {comparisons:?}"));
    for key in [
        "baseline",
        "candidate",
        "ratio",
        "p_value",
        "verdict",
        "severity",
    ] {
        assert!(wall.get(key).is_some(), "comparison lacks `{key}`: {wall}");
    }
}

#[test]
fn ab_shuffle_runs_every_variant_once_per_round_reproducibly() {
    let dir = configured();
    let args = [
        "ab",
        "b",
        "x",
        "y",
        "z",
        "-r",
        "4",
        "-q",
        "--shuffle",
        "--seed",
        "1",
    ];
    pw(&dir).args(args).assert().success();
    let first = variant_order(&dir.export("latest"));
    assert_eq!(first.len(), 12);
    for round in first.chunks(3) {
        let mut r = round.to_vec();
        r.sort();
        assert_eq!(r, ["x", "y", "z"], "round {round:?} of {first:?}");
    }
    assert!(
        first.chunks(3).any(|r| r != ["x", "y", "z"]),
        "--shuffle kept plan order in every round: {first:?}"
    );
    pw(&dir).args(args).assert().success();
    assert_eq!(
        variant_order(&dir.export("latest")),
        first,
        "same seed, same order"
    );
}

#[test]
fn ab_with_an_unknown_variant_is_a_usage_error() {
    let dir = configured();
    assert_one_line_error(
        pw(&dir).args(["ab", "b", "x", "nope"]).assert(),
        2,
        &["nope", "x, y, z"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn ab_needs_two_variants() {
    let dir = configured();
    pw(&dir).args(["ab", "b", "x"]).assert().code(2);
    assert!(!dir.db().exists());
}

#[test]
fn param_scan_creates_one_variant_per_value_and_substitutes_args() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--param", "n=1,2", "--"])
        .args(["sh", "-c", "echo {n} $PERFWATCH_VARIANT >> p.txt"])
        .assert()
        .success();
    let mut lines = dir.lines("p.txt");
    lines.sort();
    assert_eq!(lines, ["1 n=1", "2 n=2"]);
    let json = dir.export("latest");
    let names: Vec<&str> = json["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["n=1", "n=2"]);
}

#[test]
fn param_ranges_and_products_expand_to_every_combination() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run", "-r", "1", "-q", "--param", "a=1..3:2", "--param", "b=x,y",
        ])
        .args(["echo {a}{b} >> p.txt"])
        .assert()
        .success();
    let mut lines = dir.lines("p.txt");
    lines.sort();
    assert_eq!(lines, ["1x", "1y", "3x", "3y"]);
}
