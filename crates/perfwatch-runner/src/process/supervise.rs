//! Watching one spawned command to its end and accounting for it.

use super::child::{Child, Usage};
use super::monitor::{Monitor, MonitorConfig, Stop};
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
}

/// Watch `child` until it exits, then account for it and reap it.
///
/// The order matters: wait for the exit without reaping (`waitid` with
/// `WNOWAIT`) and stop the clock; stop the monitor; read the exited
/// child's `/proc/<pid>/io` (which includes the descendants it reaped) and
/// the current I/O of descendants still alive; kill what is left while the
/// unreaped child still holds the process group id; only then `wait4`.
pub(crate) fn supervise(child: &mut Child, s: Supervision) -> std::io::Result<Supervised> {
    let monitor = Monitor::start(
        child.pid(),
        MonitorConfig {
            start: s.start,
            sample_interval: s.sample_interval,
            deadline: s.timeout.map(|t| s.start + t),
            cancel: s.cancel,
            grace: GRACE,
        },
    )?;
    let exited = child.wait_exited();
    let wall = s.start.elapsed();
    let report = monitor.finish();
    exited?;
    let mut tree = report.tree;
    tree.root_exited();
    let (mut read_bytes, mut write_bytes) = (None, None);
    if s.kill_leftovers || report.stopped.is_some() {
        let totals = tree.refresh();
        if let Some(root) = totals.root_io {
            let io = root + totals.others_io + tree.lost_io();
            (read_bytes, write_bytes) = (Some(io.read), Some(io.write));
        }
        signal::kill_group(child.pid(), libc::SIGKILL);
        tree.signal_tracked(libc::SIGKILL);
    }
    let (termination, usage) = child.reap()?;
    let stderr_tail = child.stderr_tail(STDERR_WAIT);
    Ok(Supervised {
        wall,
        termination,
        usage,
        read_bytes,
        write_bytes,
        samples: report.samples,
        stopped: report.stopped,
        stderr_tail,
    })
}
