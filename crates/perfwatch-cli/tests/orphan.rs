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

#[test]
fn orphan_sigkill_of_perfwatch_leaves_no_measured_command_running() {
    let dir = TestDir::new();
    // A duration no other process uses, to find this test's sleep.
    let secs = format!("30.{}", std::process::id());
    let argv = ["sleep", secs.as_str()];
    let mut perfwatch = dir
        .std_pw()
        .args(["run", "-q", "-r", "1", "--"])
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
    let sleep = sleep.unwrap();
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
