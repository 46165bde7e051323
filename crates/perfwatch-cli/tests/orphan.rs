//! No measured command outlives perfwatch, nor anything it left running:
//! a perfwatch killed without a chance to clean up (SIGKILL) has its
//! spawner kill them when perfwatch's end of their socket closes, and what
//! a command leaves running — daemonised too — is killed as its iteration
//! ends.

use crate::util::{process_alive, wait_until, TestDir};
use std::process::Stdio;
use std::time::Duration;

/// The pid of the process whose command line is exactly `argv`.
fn find_process(argv: &[&str]) -> Option<i32> {
    find_processes(argv).into_iter().next()
}

/// The pids of the processes whose command line is exactly `argv`.
fn find_processes(argv: &[&str]) -> Vec<i32> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            (cmdline == want).then_some(pid)
        })
        .collect()
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

/// `sleep` processes of one test, each with a duration no other process
/// uses; whatever of them is still running when the test ends, passed or
/// failed, is killed.
struct Sleeps {
    durations: Vec<String>,
}

impl Sleeps {
    /// `sleep 300.<our pid><tag>`, `sleep 301.…`, … (`count` of them).
    fn new(tag: &str, count: u32) -> Sleeps {
        let durations = (0..count)
            .map(|i| format!("{}.{}{tag}", 300 + i, std::process::id()))
            .collect();
        Sleeps { durations }
    }

    /// The `i`-th duration.
    fn secs(&self, i: usize) -> &str {
        &self.durations[i]
    }

    /// Those of them alive now, as (duration, pid).
    fn alive(&self) -> Vec<(String, i32)> {
        self.durations
            .iter()
            .flat_map(|secs| {
                find_processes(&["sleep", secs])
                    .into_iter()
                    .filter(|&pid| process_alive(pid))
                    .map(move |pid| (secs.clone(), pid))
            })
            .collect()
    }
}

impl Drop for Sleeps {
    fn drop(&mut self) {
        for (_, pid) in self.alive() {
            // SAFETY: kill takes plain integers; the pid is a sleep of
            // this test's own duration.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// The number of processes the note on stderr says were killed.
fn killed_in_note(stderr: &str) -> u32 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("note: killed "))
        .unwrap_or_else(|| panic!("no note on what was killed in:\n{stderr}"));
    line["note: killed ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in `{line}`"))
}

/// `perfwatch run -r 3` of a command that daemonises a `sleep` with
/// `setsid -f` and double-forks another, with sampling off (the sampler
/// could catch one by chance); `direct` spawns without the spawner.
fn check_daemonised_descendants_are_killed(direct: bool) {
    let dir = TestDir::new();
    let sleeps = Sleeps::new(if direct { "1" } else { "0" }, 2);
    let script = format!(
        "setsid -f sleep {}; (sleep {} &) &",
        sleeps.secs(0),
        sleeps.secs(1)
    );
    let mut cmd = dir.std_pw();
    cmd.args(["run", "-r", "3", "--sample-interval", "0", "--", "sh", "-c"])
        .arg(&script)
        .stdin(Stdio::null());
    spawning(&mut cmd, direct);
    let out = cmd.output().expect("run perfwatch");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "direct {direct}: {stderr}");
    // Killed and reaped before perfwatch ended, not merely signalled.
    assert_eq!(sleeps.alive(), Vec::new(), "direct {direct}: left running");
    // Two sleeps per run at least (the middle process of the double fork
    // may still have been running too).
    let killed = killed_in_note(&stderr);
    assert!(killed >= 6, "direct {direct}: {stderr}");
    assert!(
        stderr.contains("the command left running, after all 3 runs"),
        "direct {direct}: {stderr}"
    );
}

/// Makes `cmd` spawn its commands directly (`direct`) or through the
/// spawner, whatever the environment of the test says.
fn spawning(cmd: &mut std::process::Command, direct: bool) {
    if direct {
        cmd.env("PERFWATCH_DIRECT_SPAWN", "1");
    } else {
        cmd.env_remove("PERFWATCH_DIRECT_SPAWN");
    }
}

/// Issue 13, item 4: daemonising children (`setsid -f`, a double fork)
/// escaped in 14 of 18 iterations — re-parented to init before the
/// sampler saw them, they ran on after perfwatch. The spawner is a child
/// subreaper now: they come back to it, and are killed and reaped when
/// their iteration ends; the summary says how many.
#[test]
fn regression_13_daemonised_descendants_are_killed_each_iteration() {
    check_daemonised_descendants_are_killed(false);
}

/// The same without the spawner: perfwatch is the subreaper itself.
#[test]
fn regression_13_daemonised_descendants_are_killed_each_iteration_when_spawning_directly() {
    check_daemonised_descendants_are_killed(true);
}

/// A service a hook starts on purpose is no measured command's leftover:
/// it is already there when each command is spawned, so it runs on (as a
/// hook's services always did), while what the command leaves is killed.
#[test]
fn regression_13_a_service_a_hook_started_is_not_taken_for_a_leftover() {
    for direct in [false, true] {
        let dir = TestDir::new();
        let sleeps = Sleeps::new(if direct { "3" } else { "2" }, 2);
        let (service, leftover) = (sleeps.secs(0), sleeps.secs(1));
        let mut cmd = dir.std_pw();
        cmd.args(["run", "-r", "2", "--sample-interval", "0", "--setup"])
            .arg(format!("setsid -f sleep {service}"))
            .args(["--", "sh", "-c"])
            .arg(format!("setsid -f sleep {leftover}"))
            .stdin(Stdio::null());
        spawning(&mut cmd, direct);
        let out = cmd.output().expect("run perfwatch");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "direct {direct}: {stderr}");
        let alive: Vec<String> = sleeps.alive().into_iter().map(|(s, _)| s).collect();
        assert_eq!(alive, vec![service.to_string()], "direct {direct}");
        assert_eq!(killed_in_note(&stderr), 2, "direct {direct}: {stderr}");
    }
}

/// A perfwatch killed by SIGKILL while its command runs leaves nothing the
/// command daemonised: the spawner, its subreaper, kills that too.
#[test]
fn regression_13_a_killed_perfwatch_leaves_no_daemonised_descendant() {
    let dir = TestDir::new();
    let sleeps = Sleeps::new("4", 2);
    let (daemon, command) = (sleeps.secs(0), sleeps.secs(1));
    let mut perfwatch = dir
        .std_pw()
        .args(["run", "-q", "-r", "1", "--sample-interval", "0", "--"])
        .args(["sh", "-c"])
        .arg(format!("setsid -f sleep {daemon}; exec sleep {command}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn perfwatch");
    wait_until(Duration::from_secs(30), "both sleeps", || {
        sleeps.alive().len() == 2
    });
    perfwatch.kill().expect("SIGKILL perfwatch");
    perfwatch.wait().expect("reap perfwatch");
    wait_until(Duration::from_secs(5), "both sleeps to be killed", || {
        sleeps.alive().is_empty()
    });
}

/// The descriptors of a measured command, as `ls -l /proc/PID/fd` shows
/// their targets.
fn command_fds(direct: bool) -> String {
    let dir = TestDir::new();
    let listing = dir.join("fds.txt");
    let mut cmd = dir.std_pw();
    cmd.args(["run", "-q", "-r", "1", "--", "sh", "-c"])
        .arg(format!("ls -l /proc/$$/fd > '{}'", listing.display()))
        .stdin(Stdio::null());
    spawning(&mut cmd, direct);
    let out = cmd.output().expect("run perfwatch");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(listing).expect("the command listed its descriptors")
}

/// The spawner's end of perfwatch's socket crossed its own `execve`
/// without close-on-exec and every measured command inherited it (as fd
/// 4): a command that kept it, daemonised, could talk to the spawner or
/// hold the socket open. Neither way of spawning passes a socket on.
#[test]
fn regression_a_measured_command_inherits_no_socket_of_perfwatch() {
    for direct in [false, true] {
        let fds = command_fds(direct);
        assert!(!fds.contains("socket:"), "direct {direct}:\n{fds}");
    }
}
