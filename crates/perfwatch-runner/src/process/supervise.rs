//! Watching one spawned command to its end and accounting for it.

use super::child::{Child, Usage};
use super::monitor::{Monitor, MonitorConfig, Report, Stop, Watch};
use super::pidfd::{PidFd, Woke};
use super::sampler::Listeners;
use super::signal;
use crate::cancel::Cancel;
use crate::error::Termination;
use perfwatch_model::Sample;
use std::time::{Duration, Instant};

/// Time between SIGTERM and SIGKILL when the command is stopped.
const GRACE: Duration = Duration::from_millis(200);
/// How long to wait for the stderr pipe to close after the command exits.
const STDERR_WAIT: Duration = Duration::from_millis(200);

/// How to watch a command.
#[derive(Debug, Clone)]
pub(crate) struct Supervision {
    /// When the command was spawned.
    pub start: Instant,
    /// Sampling period, `None` for no sampling.
    pub sample_interval: Option<Duration>,
    /// Kill it after this long.
    pub timeout: Option<Duration>,
    /// Kill it when this is cancelled.
    pub cancel: Cancel,
    /// Kill what it leaves running when it exits by itself (measured
    /// commands: yes; hooks, which may start services on purpose: no).
    pub kill_leftovers: bool,
    /// Who else hears of each sample (the GPU probe, a live view).
    pub listeners: Listeners,
}

/// What was seen of a command.
#[derive(Debug)]
pub(crate) struct Supervised {
    /// From spawn to the moment its exit was seen.
    pub wall: Duration,
    /// How it ended.
    pub termination: Termination,
    /// Its own `wait4` figures.
    pub usage: Usage,
    /// Storage bytes read by the whole tree, `None` when unreadable.
    pub read_bytes: Option<u64>,
    /// Storage bytes written by the whole tree, `None` when unreadable.
    pub write_bytes: Option<u64>,
    /// Timeline.
    pub samples: Vec<Sample>,
    /// Why it was killed, if it was.
    pub stopped: Option<Stop>,
    /// The end of its stderr.
    pub stderr_tail: Option<String>,
    /// How many processes it left running were killed once it was reaped
    /// (found through the child subreaper; see `leftovers.rs`).
    pub leftovers: u32,
}

/// Watch `child` until it exits, then account for it and reap it.
///
/// The watching (sampling, timeout, cancellation) runs on this thread
/// between waits on the child's pidfd, so no other thread is woken or
/// waited for between two iterations; without pidfds, a monitor thread
/// watches while this one blocks in `waitid`.
///
/// The order matters: wait for the exit without reaping (pidfd readable,
/// or `waitid` with `WNOWAIT`) and stop the clock; stop watching; read the exited
/// child's `/proc/<pid>/io` (which includes the descendants it reaped) and
/// the current I/O of descendants still alive; kill what is left while the
/// unreaped child still holds the process group id; only then `wait4` —
/// and, its status and usage taken, kill and reap what was re-parented to
/// the subreaper (daemonised descendants the group kill cannot reach).
pub(crate) fn supervise(child: &mut Child, s: Supervision) -> std::io::Result<Supervised> {
    supervise_with(child, s, true)
}

/// [`supervise`], with pidfds or (`use_pidfd == false`, or none in the
/// kernel) a monitor thread.
fn supervise_with(
    child: &mut Child,
    s: Supervision,
    use_pidfd: bool,
) -> std::io::Result<Supervised> {
    let cfg = MonitorConfig {
        start: s.start,
        sample_interval: s.sample_interval,
        // A deadline past what an `Instant` holds is no deadline.
        deadline: s.timeout.and_then(|t| s.start.checked_add(t)),
        cancel: s.cancel,
        grace: GRACE,
        listeners: s.listeners,
    };
    let pidfd = if use_pidfd || child.through_spawner() {
        PidFd::open(child.pid())
    } else {
        Err(std::io::ErrorKind::Unsupported.into())
    };
    // Only the parent can `waitid` for a child, so the spawner's children
    // are watched through their pidfd or not at all (the spawner is only
    // started where pidfds work).
    let pidfd = match pidfd {
        Err(e) if child.through_spawner() => return Err(e),
        other => other,
    };
    child.capture_stderr(pidfd.is_ok())?;
    let (wall, report) = match pidfd {
        Ok(pidfd) => watch_inline(&pidfd, child, cfg)?,
        Err(_) => {
            let monitor = Monitor::start(child.pid(), cfg)?;
            let exited = child.wait_exited();
            let wall = s.start.elapsed();
            let report = monitor.finish();
            exited?;
            (wall, report)
        }
    };
    let mut tree = report.tree;
    tree.root_exited();
    let (mut read_bytes, mut write_bytes) = (None, None);
    let kill = s.kill_leftovers || report.stopped.is_some();
    if kill {
        if let Some(io) = tree.final_io() {
            (read_bytes, write_bytes) = (Some(io.read), Some(io.write));
        }
        signal::kill_group(child.pid(), libc::SIGKILL);
        tree.signal_tracked(libc::SIGKILL);
    }
    let reaped = child.reap(kill)?;
    let stderr_tail = child.stderr_tail(STDERR_WAIT);
    Ok(Supervised {
        wall,
        termination: reaped.termination,
        usage: reaped.usage,
        read_bytes,
        write_bytes,
        samples: report.samples,
        stopped: report.stopped,
        stderr_tail,
        leftovers: reaped.leftovers,
    })
}

/// Tick the watch, and read the child's stderr as it comes, until the
/// pidfd says the child exited; the wall time (from `cfg.start`) and what
/// was seen.
fn watch_inline(
    pidfd: &PidFd,
    child: &mut Child,
    cfg: MonitorConfig,
) -> std::io::Result<(Duration, Report)> {
    let start = cfg.start;
    let mut watch = Watch::new(child.pid(), cfg);
    let mut wake = watch.tick(Instant::now());
    loop {
        let stderr = child.stderr_mut().and_then(|t| t.fd());
        match pidfd.wait_until(wake, stderr)? {
            Woke::Exited => {
                let wall = start.elapsed();
                return Ok((wall, watch.into_report()));
            }
            Woke::Readable => {
                if let Some(tail) = child.stderr_mut() {
                    tail.pump();
                }
            }
            Woke::Timeout => {}
        }
        let now = Instant::now();
        if now >= wake {
            wake = watch.tick(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::SpawnSpec;

    fn sleeper(secs: &str) -> Child {
        let args = [secs.to_string()];
        Child::spawn(SpawnSpec {
            program: std::path::Path::new("/bin/sleep"),
            arg0: "sleep",
            args: &args,
            env: &[],
            cwd: None,
            show_output: false,
            stdin: None,
            stdout: None,
        })
        .unwrap()
    }

    fn watch(secs: &str, timeout_ms: Option<u64>, use_pidfd: bool) -> Supervised {
        watch_for(secs, timeout_ms.map(Duration::from_millis), use_pidfd)
    }

    fn watch_for(secs: &str, timeout: Option<Duration>, use_pidfd: bool) -> Supervised {
        // The clock starts before the spawn, as the runner's does: the
        // sleep begins inside the spawn, so a clock started after it reads
        // less than the sleep.
        let start = Instant::now();
        let mut child = sleeper(secs);
        let s = Supervision {
            start,
            sample_interval: Some(Duration::from_millis(10)),
            timeout,
            cancel: Cancel::new(),
            kill_leftovers: true,
            listeners: Listeners::default(),
        };
        supervise_with(&mut child, s, use_pidfd).unwrap()
    }

    #[test]
    fn both_ways_of_waiting_see_the_exit_and_the_timeout() {
        for use_pidfd in [true, false] {
            let done = watch("0.05", None, use_pidfd);
            assert_eq!(done.stopped, None, "pidfd {use_pidfd}");
            assert!(done.termination.success());
            assert!(done.wall >= Duration::from_millis(50));
            assert!(!done.samples.is_empty());

            let killed = watch("5", Some(50), use_pidfd);
            assert_eq!(killed.stopped, Some(Stop::TimedOut), "pidfd {use_pidfd}");
            assert!(killed.wall < Duration::from_secs(4));
        }
    }

    #[test]
    fn a_timeout_past_what_an_instant_holds_is_no_deadline() {
        for use_pidfd in [true, false] {
            let done = watch_for("0.01", Some(Duration::MAX), use_pidfd);
            assert_eq!(done.stopped, None, "pidfd {use_pidfd}");
            assert!(done.termination.success());
        }
    }
}
