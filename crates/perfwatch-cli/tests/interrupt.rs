//! Ctrl-C keeps what finished, marks the session interrupted, exits 130
//! and leaves no child behind.

use crate::util::{pids_in, process_alive, pw, stdout, wait_until, TestDir};
use std::process::Stdio;
use std::time::Duration;

/// Start a long run whose iterations record their pids, wait until two
/// iterations are stored, send `signal` to perfwatch, and check what is left.
fn interrupt_with(signal: libc::c_int) {
    let dir = TestDir::new();
    // Each iteration records its pid, then becomes `sleep 0.2`.
    let child = dir
        .std_pw()
        .args([
            "run",
            "-r",
            "50",
            "--",
            "sh",
            "-c",
            "echo $$ >> pids.txt; exec sleep 0.2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn perfwatch");
    wait_until(Duration::from_secs(30), "two stored iterations", || {
        dir.history().iteration_count() >= 2
    });
    // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    let out = child.wait_with_output().expect("wait for perfwatch");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert!(err.contains("interrupted"), "{err}");

    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    let (_, status, stored) = &sessions[0];
    assert_eq!(status, "interrupted");
    assert!(*stored >= 2 && *stored < 50, "{stored} iterations stored");

    let shown = stdout(&pw(&dir).args(["show", "latest"]).assert().success());
    assert!(shown.contains("interrupted"), "{shown}");

    let pids = pids_in(&dir, "pids.txt");
    assert!(pids.len() as u64 >= *stored);
    wait_until(Duration::from_secs(5), "no sleep left", || {
        pids.iter().all(|&p| !process_alive(p))
    });
}

#[test]
fn sigint_keeps_finished_iterations_and_exits_130() {
    interrupt_with(libc::SIGINT);
}

#[test]
fn sigterm_keeps_finished_iterations_and_exits_130() {
    interrupt_with(libc::SIGTERM);
}

#[test]
fn sigkill_of_perfwatch_leaves_a_usable_history() {
    // "A crash leaves a valid database": what was committed stays readable
    // and the next run works.
    let dir = TestDir::new();
    let mut child = dir
        .std_pw()
        .args(["run", "-q", "-r", "50", "--", "sleep", "0.1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn perfwatch");
    wait_until(Duration::from_secs(30), "two stored iterations", || {
        dir.history().iteration_count() >= 2
    });
    child.kill().expect("SIGKILL perfwatch");
    child.wait().unwrap();
    let stored = dir.history().iteration_count();
    assert!(stored >= 2);
    let json = dir.export("latest");
    assert!(crate::util::iterations(&json).len() as u64 == stored);
    pw(&dir).arg("sessions").assert().success();
    pw(&dir)
        .args(["run", "-q", "-r", "1", "--", "true"])
        .assert()
        .success();
    assert_eq!(dir.history().sessions().len(), 2);
}
