//! Regressions of the hardening pass: each test is named after the bug it
//! pins.

use crate::util::TestDir;
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

#[test]
fn a_closed_stdout_does_not_hide_a_failed_gate() {
    let dir = TestDir::new();
    let mut args = vec!["run", "-n", "6", "-i", "--gate", "--max-failure-rate", "0"];
    for (flag, rel) in EXPORTS {
        args.extend([flag, rel]);
    }
    args.extend(["--", "sh", "-c", "exit 1"]);
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
    let mut args = vec!["run", "-n", "3"];
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
        .args(["run", "-n", "4", "-i", "--", "sh", "-c", "exit 1"])
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
    let mut args = vec!["run", "-n", "2"];
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
        .args(["run", "-n", "2", "--", "true"])
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
