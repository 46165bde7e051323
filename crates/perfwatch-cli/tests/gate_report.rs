//! `perfwatch gate`, `perfwatch report` and `perfwatch dashboard` on an A/B
//! session whose variant `b` is much slower than `a`.

use crate::frozen::{thaw, Frozen};
use crate::util::{assert_one_line_error, pw, stderr, stdout, TestDir};
use std::sync::OnceLock;

/// Benchmark `nap`: `a` sleeps 10 ms, `b` 50 ms.
pub const NAP_CONFIG: &str = r#"
[benchmark.nap]
shell = 'sleep $NAP'

[benchmark.nap.variant.a]
env = { NAP = "0.01" }

[benchmark.nap.variant.b]
env = { NAP = "0.05" }
"#;

/// A directory with [`NAP_CONFIG`] as `perfwatch.toml`.
fn nap_dir() -> TestDir {
    let dir = TestDir::new();
    dir.write("perfwatch.toml", NAP_CONFIG);
    dir
}

fn build_ab(dir: &TestDir) {
    dir.write("perfwatch.toml", NAP_CONFIG);
    pw(dir)
        .args(["ab", "nap", "a", "b", "-r", "6", "-q"])
        .assert()
        .success();
}

/// A copy of a history holding one `ab nap a b -n 6` session (no config).
fn ab_session() -> TestDir {
    static CELL: OnceLock<Frozen> = OnceLock::new();
    thaw(&CELL, build_ab)
}

/// The line of the gate report that names `rule`.
fn rule_line<'a>(out: &'a str, rule: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(&format!("{rule}:")))
        .unwrap_or_else(|| panic!("rule {rule} not printed:\n{out}"))
}

#[test]
fn gate_fails_with_exit_4_on_a_critical_regression() {
    let dir = ab_session();
    let assert = pw(&dir)
        .args(["gate", "--max-regression-critical", "0"])
        .assert()
        .code(4);
    let out = stdout(&assert);
    assert!(out.starts_with("Gate FAILED"), "{out}");
    let rule = rule_line(&out, "max_regression_critical");
    assert!(rule.trim_start().starts_with("FAIL"), "{rule}");
    assert!(rule.contains("(limit ≤ 0)"), "{rule}");
    assert!(
        out.contains("wall_s") && out.contains("`a` → `b`"),
        "the failing comparison is not named:\n{out}"
    );
    assert!(stderr(&assert).is_empty(), "{}", stderr(&assert));
}

#[test]
fn gate_passes_with_a_generous_limit() {
    let dir = ab_session();
    let out = stdout(
        &pw(&dir)
            .args(["gate", "latest", "--max-regression-critical", "100"])
            .assert()
            .success(),
    );
    assert!(out.starts_with("Gate passed"), "{out}");
    assert!(
        rule_line(&out, "max_regression_critical")
            .trim_start()
            .starts_with("pass"),
        "{out}"
    );
}

#[test]
fn gate_reads_its_rules_from_the_configuration() {
    let dir = ab_session();
    dir.write("perfwatch.toml", "[gates]\nmax_regression_critical = 0\n");
    let out = stdout(&pw(&dir).arg("gate").assert().code(4));
    assert!(rule_line(&out, "max_regression_critical").contains("FAIL"));
    // The command line overrides the file.
    pw(&dir)
        .args(["gate", "--max-regression-critical", "100"])
        .assert()
        .success();
}

#[test]
fn gate_without_any_rule_is_a_usage_error() {
    let dir = ab_session();
    let assert = pw(&dir).arg("gate").assert().code(2);
    let err = stderr(&assert);
    assert!(
        err.starts_with("error: no gate rule") && err.contains("--max-regression-critical"),
        "{err}"
    );
}

#[test]
fn gate_markdown_summary_shows_the_failing_rule() {
    let dir = ab_session();
    pw(&dir)
        .args(["gate", "--max-regression-critical", "0"])
        .args(["--markdown-summary", "gate.md"])
        .env_remove("GITHUB_STEP_SUMMARY")
        .assert()
        .code(4);
    let md = dir.read("gate.md");
    assert!(
        md.starts_with("## ❌ perfwatch · nap — gate failed"),
        "{md}"
    );
    assert!(
        md.lines()
            .any(|l| l.starts_with("| max\\_regression\\_critical | **FAIL** |")),
        "{md}"
    );
}

#[test]
fn ab_with_a_gate_limit_exits_4_and_keeps_the_session() {
    let dir = nap_dir();
    let out = stdout(
        &pw(&dir)
            .args(["ab", "nap", "a", "b", "-r", "6"])
            .args(["--max-regression-critical", "0"])
            .assert()
            .code(4),
    );
    assert!(out.contains("Gate FAILED"), "{out}");
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!((sessions[0].1.as_str(), sessions[0].2), ("complete", 12));
}

#[test]
fn report_prints_the_comparison_and_a_health_score_a_deliberate_ab_does_not_lower() {
    let dir = ab_session();
    let out = stdout(&pw(&dir).arg("report").assert().success());
    assert!(out.contains("Benchmark nap"), "{out}");
    assert!(out.contains("Comparison: b vs a"), "{out}");
    let health = out
        .lines()
        .find(|l| l.starts_with("Health "))
        .unwrap_or_else(|| panic!("no Health line:\n{out}"));
    let score: u32 = health["Health ".len()..]
        .trim_end_matches("/100")
        .parse()
        .unwrap_or_else(|_| panic!("Health line `{health}`"));
    assert!(score <= 100);
    // `b` is slower than `a` on purpose: alternatives side by side are not
    // a regression of either, so health does not pay for the difference.
    assert!(
        !out.contains("regression wall_s"),
        "a deliberate comparison cost health points:\n{out}"
    );
}

#[test]
fn a_regression_against_a_saved_baseline_costs_health_points() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-q", "-r", "6", "--", "sleep", "0.01"])
        .assert()
        .success();
    pw(&dir)
        .args(["baseline", "save", "fast", "latest"])
        .assert()
        .success();
    let out = stdout(
        &pw(&dir)
            .args([
                "run",
                "-r",
                "6",
                "--baseline",
                "fast",
                "--",
                "sleep",
                "0.05",
            ])
            .assert()
            .success(),
    );
    assert!(
        out.contains("regression wall_s"),
        "the regression against the baseline costs health points and says so:\n{out}"
    );
}

#[test]
fn report_html_writes_a_self_contained_page() {
    let dir = ab_session();
    let assert = pw(&dir)
        .args(["report", "latest", "--html", "report.html"])
        .assert()
        .success();
    assert!(
        stderr(&assert).contains("report.html"),
        "{}",
        stderr(&assert)
    );
    let html = dir.read("report.html");
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("id=\"perfwatch-data\""), "no data island");
    assert!(html.contains("nap"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "the page loads something from the network"
    );
}

#[test]
fn dashboard_writes_an_index_and_session_pages() {
    let dir = ab_session();
    let id = dir.history().sessions()[0].0.clone();
    let assert = pw(&dir)
        .args(["dashboard", "-o", "dash"])
        .assert()
        .success();
    assert!(
        stderr(&assert).contains("index.html"),
        "{}",
        stderr(&assert)
    );
    let index = dir.read("dash/index.html");
    assert!(index.contains("perfwatch-data"));
    let pages: Vec<String> = std::fs::read_dir(dir.join("dash/sessions"))
        .expect("a sessions directory")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        pages.iter().any(|p| p.contains(&id[..8])),
        "no page for session {id}: {pages:?}"
    );
}

#[test]
fn report_on_an_empty_directory_says_there_is_no_history() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir).arg("report").assert(),
        2,
        &["no perfwatch history"],
    );
    assert!(!dir.db().exists());
}
