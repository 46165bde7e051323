//! `--markdown-summary`: the concise GitHub-flavoured report for CI, also
//! appended to `$GITHUB_STEP_SUMMARY` when that is set; and the files
//! perfwatch writes get ordinary permissions.

use crate::util::{pw, redact, TestDir, PERFWATCH};
use std::os::unix::fs::PermissionsExt;

/// A run of benchmark `ci` with two stages (`fetch` sleeps 100 ms, `parse`
/// runs `true`) and a gate limit, writing `sum.md`; the environment has no
/// `GITHUB_STEP_SUMMARY` unless `step_summary` names one.
fn run_with_summary(dir: &TestDir, step_summary: Option<&str>) {
    let shell = format!("{PERFWATCH} span fetch -- sleep 0.1; {PERFWATCH} span parse -- true");
    let mut cmd = pw(dir);
    cmd.args([
        "run",
        "-q",
        "-r",
        "3",
        "--name",
        "ci",
        "--sample-interval",
        "0",
    ])
    .args(["--max-regression-critical", "0"])
    .args(["--markdown-summary", "sum.md", &shell])
    .env_remove("GITHUB_STEP_SUMMARY");
    if let Some(rel) = step_summary {
        cmd.env("GITHUB_STEP_SUMMARY", dir.join(rel));
    }
    cmd.assert().success();
}

/// The summary with the session id and every figure redacted, and the
/// findings left out, heading and all: whether there are any depends on
/// timing (a run without findings has no such section; the snapshot once
/// kept the heading and failed in CI when a quiet run had none).
fn redact_summary(dir: &TestDir, md: &str) -> String {
    let id = dir.history().sessions()[0].0.clone();
    let mut in_findings = false;
    let kept: Vec<&str> = md
        .lines()
        .filter(|l| {
            if l.starts_with('#') {
                in_findings = l.to_ascii_lowercase().contains("findings");
                return !in_findings;
            }
            !in_findings
        })
        .collect();
    redact(&kept.join("\n"), &[(&id[..8], "[id]")])
}

#[test]
fn markdown_summary_of_a_run() {
    let dir = TestDir::new();
    run_with_summary(&dir, None);
    let md = dir.read("sum.md");
    insta::assert_snapshot!(redact_summary(&dir, &md));
}

/// Regression: `ci_summary::render` wrote its own `### Comparison`,
/// `### Stages · V` and `### Top findings` headings right above the ones
/// the section renderers already write (`### Comparison: B vs A`,
/// `### Stages: V`, `### Findings`), so every section had two.
#[test]
fn markdown_summary_sections_have_one_heading_each() {
    let dir = TestDir::new();
    run_with_summary(&dir, None);
    let md = dir.read("sum.md");
    let lines: Vec<&str> = md.lines().filter(|l| !l.trim().is_empty()).collect();
    for pair in lines.windows(2) {
        assert!(
            !(pair[0].starts_with("### ") && pair[1].starts_with("### ")),
            "a heading directly followed by another: {pair:?}\n{md}"
        );
    }
}

#[test]
fn markdown_summary_is_appended_to_the_github_step_summary() {
    let dir = TestDir::new();
    dir.write("step.md", "## an earlier step\n\n");
    run_with_summary(&dir, Some("step.md"));
    let first = dir.read("sum.md");
    assert!(first.starts_with("## ✅ perfwatch · ci"), "{first}");
    assert_eq!(
        dir.read("step.md"),
        format!("## an earlier step\n\n{first}")
    );

    // `report` appends too, without touching what is there.
    pw(&dir)
        .args(["report", "--markdown-summary", "again.md"])
        .env("GITHUB_STEP_SUMMARY", dir.join("step.md"))
        .assert()
        .success();
    let again = dir.read("again.md");
    assert_eq!(
        dir.read("step.md"),
        format!("## an earlier step\n\n{first}{again}")
    );
}

#[test]
fn markdown_summary_without_github_step_summary_writes_only_the_file() {
    let dir = TestDir::new();
    run_with_summary(&dir, None);
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    files.sort();
    assert_eq!(files, ["sum.md"]);
}

/// Regression: files written through a temporary file and a rename
/// (`output::write_file`) kept the temporary file's mode 0600, so a
/// report written for a web server or a CI artifact was readable by its
/// owner only, unlike every other file the user creates.
#[test]
fn written_files_get_ordinary_permissions() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-q", "-r", "2", "--sample-interval", "0"])
        .args(["--export-json", "run.json", "--html", "run.html"])
        .args(["--markdown-summary", "run.md", "--", "true"])
        .env_remove("GITHUB_STEP_SUMMARY")
        .assert()
        .success();
    pw(&dir)
        .args(["export", "latest", "-o", "export.json"])
        .assert()
        .success();
    // What the umask gives a file created the ordinary way.
    let ordinary = dir.write("ordinary.txt", "x");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let want = mode(&ordinary);
    for f in ["run.json", "run.html", "run.md", "export.json"] {
        assert_eq!(
            format!("{:o}", mode(&dir.join(f))),
            format!("{want:o}"),
            "{f} has other permissions than an ordinary new file"
        );
    }
}
