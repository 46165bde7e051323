//! What a measured command leaves running, found through the child
//! subreaper and killed once the command has been reaped.
//!
//! # Why
//!
//! A process that daemonises — `setsid -f`, a double fork — leaves the
//! command's process group, so the group kill misses it, and once its
//! parent exits it is re-parented to init: the sampler follows it only if
//! it saw it before that, and one born and detached between two samples
//! ran on after perfwatch. A *child subreaper* (`PR_SET_CHILD_SUBREAPER`)
//! is given its orphaned descendants instead of init. The process that
//! forks measured commands is one — the spawner, or perfwatch when it
//! spawns directly ([`become_subreaper`]) — so everything a command
//! leaves behind ends up as that process's child, where
//! [`kill_leftovers`] finds it.
//!
//! # Which children are leftovers
//!
//! Those of the subreaper's children that
//! * were not its children already when the command was spawned
//!   ([`Baseline`]): a service a hook started on purpose stays;
//! * started no earlier than the command (in clock ticks after boot);
//! * are not in the subreaper's own process group: what it forks itself
//!   (`git`, for the provenance) is, while a command and everything it
//!   starts are in groups of their own (see `child.rs`);
//! * and are not a command or hook still being supervised (`keep`).
//!
//! One supervised command at a time per subreaper is assumed: the
//! leftovers of two commands running at once cannot be told apart.
//!
//! # How
//!
//! Each leftover gets SIGKILL and is reaped *by its pid*, never with
//! `waitpid(-1)`, which could take the exit status and resource usage of
//! a command still supervised. Only children of ours are signalled, and a
//! child's pid cannot be reused before we reap it, so no stranger is hit.
//! A killed leftover's own children are re-parented to us in turn: the
//! sweep repeats until a pass finds none, within [`PATIENCE`].
//!
//! The count is of the leftovers that died of SIGKILL — ours, or the
//! process-group kill that came first, whichever reached them first — so
//! the same command gives the same count; one that had exited by itself
//! (the middle process of a double fork) is reaped without a word.

use super::pidfd::PidFd;
use super::procfs::{self, Pid, ProcReader, Stat};
use super::signal;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long one sweep may wait for its leftovers to die (SIGKILL takes
/// microseconds; a process stuck in the kernel is left to its fate).
const PATIENCE: Duration = Duration::from_secs(2);

/// Set once this process is a child subreaper.
static SUBREAPER: AtomicBool = AtomicBool::new(false);

/// Make this process a child subreaper: orphaned descendants of the
/// commands it spawns become its children (see the module documentation).
/// The setting is not inherited by the processes it forks.
pub(crate) fn become_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer flag and touches no
    // memory of ours.
    let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    SUBREAPER.store(true, Ordering::SeqCst);
    Ok(())
}

/// Our children as they were just before a command was forked, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Baseline {
    /// Clock ticks after boot (the unit of `Stat::start_time`).
    since: u64,
    /// Our children then, with their start times.
    children: Vec<(Pid, u64)>,
}

impl Baseline {
    /// Take it now, just before forking a command; `None` when this
    /// process is not a subreaper (its leftovers go to init: none to find).
    pub fn take() -> Option<Baseline> {
        if !SUBREAPER.load(Ordering::SeqCst) {
            return None;
        }
        let since = boot_ticks()?;
        let me = own_pid();
        let mut reader = ProcReader::default();
        let children = own_children(&mut reader, me)
            .into_iter()
            .filter_map(|pid| {
                let st = reader.stat(pid).filter(|st| st.ppid == me)?;
                Some((pid, st.start_time))
            })
            .collect();
        Some(Baseline { since, children })
    }

    /// Whether our child `pid`, as `st` shows it, is a leftover of the
    /// command forked after this baseline was taken.
    fn is_leftover(&self, pid: Pid, st: &Stat, own_group: Pid, keep: &[Pid]) -> bool {
        st.start_time >= self.since
            && st.pgrp != own_group
            && !keep.contains(&pid)
            && !self.children.contains(&(pid, st.start_time))
    }
}

/// SIGKILL and reap the leftovers of the command spawned after `baseline`
/// (see the module documentation), never touching the children in
/// `keep`; how many died of SIGKILL.
pub(crate) fn kill_leftovers(baseline: &Baseline, keep: &[Pid]) -> u32 {
    let me = own_pid();
    // SAFETY: getpgrp has no preconditions.
    let own_group = unsafe { libc::getpgrp() };
    let deadline = Instant::now() + PATIENCE;
    let mut reader = ProcReader::default();
    let mut killed = 0;
    loop {
        let found: Vec<Pid> = own_children(&mut reader, me)
            .into_iter()
            .filter(|&pid| {
                reader.stat(pid).is_some_and(|st| {
                    st.ppid == me && baseline.is_leftover(pid, &st, own_group, keep)
                })
            })
            .collect();
        if found.is_empty() {
            break;
        }
        // All at once, then reap: they die side by side.
        for &pid in &found {
            signal::kill_pid(pid, libc::SIGKILL);
        }
        for pid in found {
            match reap(pid, deadline) {
                Reaped::Status(status) => {
                    if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL {
                        killed += 1;
                    }
                }
                // Still dying at the deadline: it got our SIGKILL.
                Reaped::NotYet => killed += 1,
                Reaped::Gone => {}
            }
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    killed
}

/// Reap our children `pids`, already sent SIGKILL, waiting at most
/// [`PATIENCE`] in all; the ones not reaped.
pub(crate) fn reap_killed(pids: &[Pid]) -> Vec<Pid> {
    let deadline = Instant::now() + PATIENCE;
    pids.iter()
        .copied()
        .filter(|&pid| matches!(reap(pid, deadline), Reaped::NotYet))
        .collect()
}

/// What came of reaping one leftover.
enum Reaped {
    /// Reaped, with its wait status.
    Status(i32),
    /// Still not exited at the deadline.
    NotYet,
    /// Not ours to reap any more (someone else did).
    Gone,
}

/// Reap our child `pid` once it has exited, waiting until `deadline`.
fn reap(pid: Pid, deadline: Instant) -> Reaped {
    let mut pidfd = None;
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid, exclusive pointer for the call.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG | libc::__WALL) };
        if r == pid {
            return Reaped::Status(status);
        }
        if r < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Reaped::Gone;
        }
        if Instant::now() >= deadline {
            return Reaped::NotYet;
        }
        if pidfd.is_none() {
            pidfd = Some(PidFd::open(pid));
        }
        match &pidfd {
            Some(Ok(fd)) => {
                let _ = fd.wait_until(deadline, None);
            }
            // No pidfds (Linux before 5.3): poll.
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// The children of every thread of this process.
fn own_children(reader: &mut ProcReader, me: Pid) -> Vec<Pid> {
    if !procfs::children_files_supported() {
        return reader.scan().children.remove(&me).unwrap_or_default();
    }
    // Orphans are handed to one of our threads, not always the first.
    let threads = reader.stat(me).map_or(2, |st| st.threads);
    let mut kids = Vec::new();
    reader.children(me, threads, &mut kids);
    kids.sort_unstable();
    kids.dedup();
    kids
}

fn own_pid() -> Pid {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() }
}

/// `CLOCK_BOOTTIME` in clock ticks, as the kernel rounds a process's start
/// time (down), so that a process started now has a start time no smaller.
fn boot_ticks() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, exclusive pointer for the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } != 0 {
        return None;
    }
    let ns = u128::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u128::try_from(ts.tv_nsec).ok()?;
    let per_tick = 1_000_000_000 / (procfs::clock_ticks() as u128).max(1);
    u64::try_from(ns / per_tick).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(pgrp: Pid, start_time: u64) -> Stat {
        Stat {
            state: b'S',
            ppid: 1000,
            pgrp,
            cpu_ticks: 0,
            threads: 1,
            start_time,
            rss_pages: 0,
        }
    }

    #[test]
    fn only_what_the_command_left_is_a_leftover() {
        let baseline = Baseline {
            since: 500,
            children: vec![(70, 400), (71, 500)],
        };
        let own_group = 900;
        let cases = [
            ("a daemon in a session of its own", 80, stat(80, 510), true),
            ("a job left in the command's group", 81, stat(77, 500), true),
            ("a hook's service, there before", 70, stat(70, 400), false),
            (
                "one started in the same tick, there before",
                71,
                stat(71, 500),
                false,
            ),
            (
                "a reused pid of a child there before",
                70,
                stat(70, 520),
                true,
            ),
            ("started before the command", 82, stat(82, 499), false),
            (
                "forked by us, in our own group",
                83,
                stat(own_group, 600),
                false,
            ),
            ("a command still supervised", 84, stat(84, 600), false),
        ];
        for (what, pid, st, expected) in cases {
            assert_eq!(
                baseline.is_leftover(pid, &st, own_group, &[84]),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn boot_ticks_are_those_of_process_start_times() {
        let before = boot_ticks().unwrap();
        let me = ProcReader::default().stat(own_pid()).unwrap();
        // We started before now; a child started now is not earlier.
        assert!(me.start_time <= before);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let st = ProcReader::default().stat(child.id() as Pid);
        child.wait().unwrap();
        if let Some(st) = st {
            assert!(st.start_time >= before, "{} < {before}", st.start_time);
        }
    }
}
