//! Watching one running command: sample its tree, enforce the timeout and
//! react to cancellation ([`Watch`]). Where the kernel offers pidfds the
//! runner's thread does it inline while it waits for the exit (see
//! `supervise`); otherwise a [`Monitor`] thread does it while the runner's
//! thread blocks in `waitid`. Either way the end of the command is seen at
//! once, not at the next tick.

use super::procfs::Pid;
use super::sampler::{Listeners, Sampler};
use super::tree::Tree;
use super::workers;
use crate::cancel::Cancel;
use perfwatch_model::Sample;
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often cancellation is checked.
const POLL: Duration = Duration::from_millis(20);

/// How the monitor is set up.
#[derive(Debug, Clone)]
pub(crate) struct MonitorConfig {
    /// When the command was spawned.
    pub start: Instant,
    /// Sampling period, `None` for no sampling.
    pub sample_interval: Option<Duration>,
    /// Kill the command at this instant.
    pub deadline: Option<Instant>,
    /// Kill the command when this is cancelled.
    pub cancel: Cancel,
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Who else hears of each sample.
    pub listeners: Listeners,
}

/// Why the monitor killed the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The timeout elapsed.
    TimedOut,
    /// The run was cancelled.
    Cancelled,
}

/// What the monitor saw.
#[derive(Debug)]
pub(crate) struct Report {
    /// Timeline samples.
    pub samples: Vec<Sample>,
    /// Why it killed the command, if it did.
    pub stopped: Option<Stop>,
    /// The followed tree, for the final accounting and clean-up.
    pub tree: Tree,
}

/// The monitor's outcome: its report, or the panic that ended it.
type Outcome = Result<Report, Box<dyn Any + Send>>;

/// A monitor running on a worker thread (see [`workers`]).
#[derive(Debug)]
pub(crate) struct Monitor {
    stop: mpsc::Sender<()>,
    done: mpsc::Receiver<Outcome>,
}

impl Monitor {
    /// Watch the command whose process (and group) is `pid`.
    pub fn start(pid: Pid, cfg: MonitorConfig) -> std::io::Result<Monitor> {
        let (stop, rx) = mpsc::channel();
        let (tx, done) = mpsc::channel();
        workers::run(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| watch(pid, cfg, rx)));
            let _ = tx.send(outcome);
        })?;
        Ok(Monitor { stop, done })
    }

    /// Stop watching (the command has exited) and return the report.
    /// Call it before reaping the command: the monitor signals its group.
    pub fn finish(self) -> Report {
        let _ = self.stop.send(());
        match self.done.recv() {
            Ok(Ok(report)) => report,
            Ok(Err(panic)) => panic::resume_unwind(panic),
            // The job always sends its outcome before it ends.
            Err(mpsc::RecvError) => panic!("the monitor ended without a report"),
        }
    }
}

fn watch(pid: Pid, cfg: MonitorConfig, stop: mpsc::Receiver<()>) -> Report {
    let mut watch = Watch::new(pid, cfg);
    loop {
        let wake = watch.tick(Instant::now());
        match stop.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            _ => break,
        }
    }
    watch.into_report()
}

/// The watching itself, one tick at a time: sample when due, and stop the
/// command (SIGTERM, then SIGKILL after the grace) on timeout or
/// cancellation. Driven by the monitor thread, or inline by a caller that
/// waits for the command's exit with a timeout (see `supervise`).
#[derive(Debug)]
pub(crate) struct Watch {
    cfg: MonitorConfig,
    tree: Tree,
    sampler: Option<Sampler>,
    stopped: Option<Stop>,
    /// When SIGTERM was sent and SIGKILL is still to come.
    escalate_at: Option<Instant>,
}

impl Watch {
    /// Start watching the command whose process (and group) is `pid`.
    pub fn new(pid: Pid, cfg: MonitorConfig) -> Watch {
        Watch {
            tree: Tree::new(pid),
            sampler: cfg
                .sample_interval
                .map(|iv| Sampler::new(cfg.start, iv, cfg.listeners.clone())),
            stopped: None,
            escalate_at: None,
            cfg,
        }
    }

    /// Do what is due at `now`; returns when the next tick is due.
    pub fn tick(&mut self, now: Instant) -> Instant {
        let cfg = &self.cfg;
        if self.stopped.is_none() {
            let why = if cfg.cancel.is_cancelled() {
                Some(Stop::Cancelled)
            } else if cfg.deadline.is_some_and(|d| now >= d) {
                Some(Stop::TimedOut)
            } else {
                None
            };
            if let Some(why) = why {
                self.stopped = Some(why);
                self.tree.signal_all(libc::SIGTERM);
                self.escalate_at = Some(now + cfg.grace);
            }
        }
        if self.escalate_at.is_some_and(|t| now >= t) {
            self.tree.signal_all(libc::SIGKILL);
            self.escalate_at = None;
        }
        if let Some(s) = self.sampler.as_mut() {
            s.poll(&mut self.tree, now);
        }
        let mut wake = now + POLL;
        if let Some(s) = &self.sampler {
            wake = wake.min(s.next_due());
        }
        if let (None, Some(d)) = (self.stopped, cfg.deadline) {
            wake = wake.min(d);
        }
        if let Some(t) = self.escalate_at {
            wake = wake.min(t);
        }
        wake
    }

    /// What was seen.
    pub fn into_report(self) -> Report {
        Report {
            samples: self.sampler.map(Sampler::into_samples).unwrap_or_default(),
            stopped: self.stopped,
            tree: self.tree,
        }
    }
}
