//! `--setup`, `--prepare`, `--conclude`, `--cleanup`: order, failure,
//! and cleanup that runs anyway.

use crate::util::{pw, stderr, TestDir};

fn marker(name: &str) -> String {
    format!("echo {name} >> log.txt")
}

#[test]
fn hooks_run_in_order_around_every_iteration() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "2", "--setup", &marker("setup")])
        .args(["--prepare", &marker("prepare")])
        .args(["--conclude", &marker("conclude")])
        .args(["--cleanup", &marker("cleanup")])
        .args([&marker("command")])
        .assert()
        .success();
    assert_eq!(
        dir.lines("log.txt"),
        ["setup", "prepare", "command", "conclude", "prepare", "command", "conclude", "cleanup"]
    );
}

#[test]
fn failing_prepare_exits_5_naming_the_hook_and_cleanup_still_runs() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "2"])
        .args(["--prepare", "echo prepare-stderr >&2; exit 1"])
        .args(["--cleanup", &marker("cleanup")])
        .args([&marker("command")])
        .assert()
        .code(5);
    let err = stderr(&assert);
    assert!(err.contains("prepare"), "{err}");
    assert!(
        err.contains("prepare-stderr"),
        "hook stderr tail missing:\n{err}"
    );
    assert_eq!(
        dir.lines("log.txt"),
        ["cleanup"],
        "the command must not run"
    );
}

#[test]
fn failing_setup_exits_5_and_runs_nothing() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "2", "--setup", "exit 3"])
        .args([&marker("command")])
        .assert()
        .code(5);
    assert!(stderr(&assert).contains("setup"));
    assert!(dir.lines("log.txt").is_empty());
}

#[test]
fn cleanup_runs_after_a_failing_command() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "2", "--cleanup", &marker("cleanup")])
        .args(["--", "false"])
        .assert()
        .code(3);
    assert_eq!(dir.lines("log.txt"), ["cleanup"]);
}
