//! Runs of one program back to back, timed by the spawner itself: the
//! shell start-up correction's empty-shell runs (see `shell_correction`).
//!
//! Each run is spawned and reaped exactly as a measured command is
//! (`spawn`, then the process-group kill and `reap` with what it left
//! running), and timed on the same clock from the same start — the child's
//! own reading before its `execve` — to the moment its exit is seen. What
//! is left out is the round trip to perfwatch between two runs: two
//! messages and two wake-ups of each process, ~0.3 ms a run here, which
//! hyperfine's calibration loop does not pay either.
//!
//! While a run goes on the spawner also watches the socket: perfwatch's
//! [`Request::Stop`] (Ctrl-C) kills the run and ends the repeat at once, and
//! end of file (perfwatch gone) ends it too.

use super::{reap, spawn, ChildStack, Live};
use crate::process::{PidFd, Woke};
use crate::spawner::protocol::{self, RepeatEnd, RepeatRequest, Reply, Request, RunTimes};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

/// How a run's wait ended.
enum Waited {
    /// It exited; its exit was seen at this `CLOCK_MONOTONIC` reading.
    Exited(i64),
    /// It passed the time limit.
    TimedOut,
    /// Perfwatch asked to stop, or went away.
    Stopped,
}

/// Serve `req`: run its program up to `req.runs` times, one after the
/// other, and reply with the runs' figures and why the repeat ended.
pub(super) fn repeat(
    req: &RepeatRequest,
    stdio: &[OwnedFd],
    mut stack: Option<&mut ChildStack>,
    live: &mut Vec<Live>,
    sock: BorrowedFd<'_>,
) -> Reply {
    let mut runs: Vec<RunTimes> = Vec::new();
    let mut measuring_since: Option<i64> = None;
    let end = loop {
        let done = u32::try_from(runs.len()).unwrap_or(u32::MAX);
        if done >= req.runs {
            break RepeatEnd::Done;
        }
        if let Some(since) = measuring_since {
            if done >= req.min_runs && crate::spawner::monotonic_ns() - since >= req.budget_ns {
                break RepeatEnd::Done;
            }
        }
        let (pid, started) = match spawn(&req.spawn, stdio, stack.as_deref_mut(), live) {
            Reply::Spawned { pid, forked_ns } => (pid, forked_ns),
            other => return other,
        };
        measuring_since.get_or_insert(started);
        let waited = wait(pid, req.timeout_ns, sock);
        // As after a measured command: its group goes before the reap.
        // SAFETY: kill takes plain integers; the child is unreaped, so its
        // pid, which is also its group id, is not reused.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        let (status, usage) = match reap(pid, true, live) {
            Reply::Reaped { status, usage, .. } => (status, usage),
            other => return other,
        };
        match waited {
            Waited::Exited(at) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => {
                runs.push(RunTimes {
                    wall_ns: at - started,
                    utime_us: usage.utime_us,
                    stime_us: usage.stime_us,
                });
            }
            Waited::Exited(_) => break RepeatEnd::Failed { status },
            Waited::TimedOut => break RepeatEnd::TimedOut { status },
            Waited::Stopped => break RepeatEnd::Stopped,
        }
    };
    Reply::Repeated { runs, end }
}

/// Wait for `pid`'s exit, at most `timeout_ns` (0: no limit) from now,
/// and for a stop or end of file on `sock` meanwhile.
fn wait(pid: libc::pid_t, timeout_ns: i64, sock: BorrowedFd<'_>) -> Waited {
    let Ok(pidfd) = PidFd::open(pid) else {
        // Only started where pidfds work; gone, it cannot be waited for.
        return Waited::Stopped;
    };
    let limit = u64::try_from(timeout_ns)
        .ok()
        .filter(|&ns| ns > 0)
        .map(Duration::from_nanos);
    let deadline = limit.and_then(|l| Instant::now().checked_add(l));
    loop {
        // Without a limit, wake now and then all the same (harmless).
        let until = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        match pidfd.wait_until(until, Some(sock.as_raw_fd())) {
            Ok(Woke::Exited) => return Waited::Exited(crate::spawner::monotonic_ns()),
            Ok(Woke::Readable) => match protocol::recv(sock) {
                Ok(Some((bytes, _))) if Request::decode(&bytes) != Some(Request::Stop) => {
                    // Nothing else is sent during a repeat; ignore it.
                }
                _ => return Waited::Stopped,
            },
            Ok(Woke::Timeout) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Waited::TimedOut;
                }
            }
            Err(_) => return Waited::Stopped,
        }
    }
}
