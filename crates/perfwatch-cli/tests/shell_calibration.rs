//! The shell start-up correction's runs, made back to back by the spawner:
//! a shell that fails, hangs past `--timeout` or is interrupted there ends
//! the run as it would between two measured iterations, and leaves nothing
//! running.

use crate::util::{pids_in, process_alive, pw, stderr, wait_until, TestDir};
use std::process::Stdio;
use std::time::Duration;

/// A shell that counts its runs in `runs` and records its pid; from its
/// sixth run on (the third warm-up is the third) it fails or hangs, as
/// `behaviour` says, and otherwise runs `sh`.
fn shell_turning_bad(dir: &TestDir, behaviour: &str) -> String {
    let script = dir.path().join("turning-sh");
    let d = dir.path().display();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             n=$(( $(cat '{d}/runs' 2>/dev/null || echo 0) + 1 ))\n\
             echo $n > '{d}/runs'\n\
             echo $$ >> '{d}/pids.txt'\n\
             if [ $n -ge 6 ]; then {behaviour}; fi\n\
             exec /bin/sh \"$@\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

fn runs(dir: &TestDir) -> u32 {
    std::fs::read_to_string(dir.path().join("runs"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_shell_failing_after_its_warm_ups_stops_the_run_before_any_iteration() {
    let dir = TestDir::new();
    let shell = shell_turning_bad(&dir, "exit 3");
    let assert = pw(&dir)
        .args(["run", "-q", "-r", "3", "-S", &shell, "true"])
        .assert()
        .code(3);
    let err = stderr(&assert);
    assert!(err.contains("failed on an empty script"), "{err}");
    assert!(err.contains("with exit code 3"), "{err}");
    // Three warm-ups, two measured runs, the failing one: nothing after.
    assert_eq!(runs(&dir), 6);
}

#[test]
fn a_shell_hanging_past_the_timeout_is_killed_and_stops_the_run() {
    let dir = TestDir::new();
    let shell = shell_turning_bad(&dir, "exec sleep 30");
    let assert = pw(&dir)
        .args([
            "run",
            "-q",
            "-r",
            "3",
            "--timeout",
            "0.5",
            "-S",
            &shell,
            "true",
        ])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(3);
    let err = stderr(&assert);
    assert!(err.contains("failed on an empty script"), "{err}");
    assert_eq!(runs(&dir), 6);
    let pids = pids_in(&dir, "pids.txt");
    wait_until(Duration::from_secs(5), "no sleep left", || {
        pids.iter().all(|&p| !process_alive(p))
    });
}

#[test]
fn ctrl_c_while_the_shell_is_measured_kills_its_run_and_exits_130() {
    let dir = TestDir::new();
    let shell = shell_turning_bad(&dir, "exec sleep 30");
    let child = dir
        .std_pw()
        .args(["run", "-q", "-r", "3", "-S", &shell, "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn perfwatch");
    wait_until(Duration::from_secs(30), "the hanging run", || {
        runs(&dir) >= 6
    });
    // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    let out = child.wait_with_output().expect("wait for perfwatch");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert_eq!(runs(&dir), 6, "no run after the interrupted one");
    let pids = pids_in(&dir, "pids.txt");
    wait_until(Duration::from_secs(5), "no sleep left", || {
        pids.iter().all(|&p| !process_alive(p))
    });
}
