//! A perfwatch killed without a chance to clean up (SIGKILL) leaves no
//! measured command running: its spawner kills them when perfwatch's end
//! of their socket closes.

use crate::util::{process_alive, wait_until, TestDir};
use std::process::Stdio;
use std::time::Duration;

/// The pid of the process whose command line is exactly `argv`.
fn find_process(argv: &[&str]) -> Option<i32> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            (cmdline == want).then_some(pid)
        })
}

/// The short name (`comm`) of the parent of `pid`.
fn parent_name(pid: i32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ppid = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .to_string();
    let comm = std::fs::read_to_string(format!("/proc/{ppid}/comm")).ok()?;
    Some(comm.trim().to_string())
}

/// `perfwatch run -r RUNS -- sleep 30.…` in `dir`, once the sleep runs:
/// perfwatch and the sleep's pid. `tag` makes the sleep's duration one no
/// other process uses, so that this test finds its own.
fn run_a_long_sleep(dir: &TestDir, runs: &str, tag: &str) -> (std::process::Child, i32) {
    let secs = format!("30.{}{tag}", std::process::id());
    let argv = ["sleep", secs.as_str()];
    let perfwatch = dir
        .std_pw()
        .args(["run", "-q", "-r", runs, "--"])
        .args(argv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn perfwatch");
    let mut sleep = None;
    wait_until(Duration::from_secs(30), "the measured sleep", || {
        sleep = find_process(&argv);
        sleep.is_some()
    });
    (perfwatch, sleep.unwrap())
}

#[test]
fn orphan_sigkill_of_perfwatch_leaves_no_measured_command_running() {
    let dir = TestDir::new();
    let (mut perfwatch, sleep) = run_a_long_sleep(&dir, "1", "");
    assert_eq!(
        parent_name(sleep).as_deref(),
        Some("perfwatch-spawn"),
        "the command is started by the spawner"
    );
    perfwatch.kill().expect("SIGKILL perfwatch");
    perfwatch.wait().expect("reap perfwatch");
    wait_until(Duration::from_secs(5), "the sleep to be killed", || {
        !process_alive(sleep)
    });
}

/// Issue 13, item 4: two SIGINTs 10–150 ms apart, SIGHUP or SIGQUIT left the
/// measured command running under PID 1. One of them now stops the run as
/// Ctrl-C does (its iterations kept, exit 130); a second one ends perfwatch
/// at once — and either way the measured command is gone.
#[test]
fn every_way_of_signalling_perfwatch_leaves_no_measured_command_running() {
    let cases: &[(&str, &[i32])] = &[
        ("SIGHUP", &[libc::SIGHUP]),
        ("SIGQUIT", &[libc::SIGQUIT]),
        ("SIGTERM", &[libc::SIGTERM]),
        ("two SIGINTs", &[libc::SIGINT, libc::SIGINT]),
        ("SIGINT then SIGTERM", &[libc::SIGINT, libc::SIGTERM]),
    ];
    for (i, (what, signals)) in cases.iter().enumerate() {
        let dir = TestDir::new();
        let (mut perfwatch, sleep) = run_a_long_sleep(&dir, "3", &i.to_string());
        for &sig in *signals {
            // SAFETY: kill takes plain integers; the pid is our child's.
            unsafe { libc::kill(perfwatch.id() as i32, sig) };
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = perfwatch.wait().expect("reap perfwatch");
        assert_eq!(status.code(), Some(130), "{what}");
        wait_until(Duration::from_secs(5), "the sleep to be gone", || {
            !process_alive(sleep)
        });
    }
}
