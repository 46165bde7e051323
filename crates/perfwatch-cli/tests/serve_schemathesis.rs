//! Schemathesis (PyPI) against a real `perfwatch serve`: requests
//! generated from the OpenAPI document, with a write token, over a small
//! history. No answer may be a 5xx, and every answer must match the
//! document (status, content type, schema).
//!
//! Schemathesis is found beside `$PERFWATCH_TEST_PYTHON` (or in the
//! repository's `.venv`, or on PATH); `scripts/test` installs it from
//! `tests/requirements.txt`. Where it is missing the test is skipped,
//! unless `PERFWATCH_REQUIRE_SCHEMATHESIS=1` (as `scripts/test` sets it),
//! which makes it fail.

use crate::util::server::Server;
use crate::util::{pw, stdout, TestDir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set to `1` to fail rather than skip where schemathesis is missing.
const REQUIRE_VAR: &str = "PERFWATCH_REQUIRE_SCHEMATHESIS";

/// The `schemathesis` executable, or `None` (the test skips).
fn schemathesis() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(py) = std::env::var_os("PERFWATCH_TEST_PYTHON") {
        if let Some(bin) = Path::new(&py).parent() {
            candidates.push(bin.join("schemathesis"));
        }
    }
    candidates.push(root.join(".venv/bin/schemathesis"));
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("schemathesis")));
    }
    let found = candidates.into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        let why = "schemathesis is not installed (pip install -r tests/requirements.txt \
                   into the venv of PERFWATCH_TEST_PYTHON)";
        assert!(
            std::env::var(REQUIRE_VAR).map_or(true, |v| v != "1"),
            "{REQUIRE_VAR}=1 but {why}"
        );
        eprintln!("skipped: {why}; set {REQUIRE_VAR}=1 to fail instead");
    }
    found
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_off_the_schema() {
    let Some(st) = schemathesis() else {
        return;
    };
    let dir = TestDir::new();
    // Two sessions of `fast` (a history to detect on), one of `slow`.
    for command in [
        &["fast", "true"][..],
        &["fast", "true"],
        &["slow", "sleep", "0.01"],
    ] {
        pw(&dir)
            .args([
                "run",
                "-q",
                "-r",
                "3",
                "--sample-interval",
                "0",
                "-n",
                command[0],
                "--",
            ])
            .args(&command[1..])
            .assert()
            .success();
    }
    pw(&dir)
        .args(["baseline", "save", "main", "latest"])
        .assert()
        .success();
    let token = stdout(
        &pw(&dir)
            .args(["token", "create", "--write", "--name", "schemathesis"])
            .assert()
            .success(),
    )
    .trim()
    .to_string();
    let server = Server::start(&dir, &[]);
    let out = Command::new(&st)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["run", &format!("http://{}/api/v1/openapi.json", server.addr)])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        ])
        .args(["--max-examples", "20", "--seed", "1", "--workers", "1"])
        .args(["--generation-database", "none", "--no-color"])
        .args(["--request-timeout", "30", "--max-failures", "5"])
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "schemathesis failed:\n{text}");
    // It did run requests — many, on every operation — and they all passed.
    let counts = text
        .lines()
        .find_map(|l| {
            let (generated, rest) = l.trim().split_once(" generated, ")?;
            let passed = rest.strip_suffix(" passed")?;
            Some((generated.parse::<u64>().ok()?, passed.parse::<u64>().ok()?))
        })
        .unwrap_or_else(|| panic!("no `N generated, N passed` line:\n{text}"));
    assert!(
        counts.0 >= 100 && counts.0 == counts.1,
        "{counts:?}:\n{text}"
    );
    assert!(
        text.contains("Tested: 17"),
        "not every operation was tested:\n{text}"
    );
    // The server stayed up.
    server.get("/benchmarks");
}
