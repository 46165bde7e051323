//! The service's process through a pidfd: signalled and waited for with
//! no risk of reaching a stranger that reused its pid, while another
//! thread supervises (and eventually reaps) it.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Instant;

/// A pidfd of the service's process.
#[derive(Debug)]
pub(super) struct ProcessFd {
    fd: OwnedFd,
    pid: libc::pid_t,
}

impl ProcessFd {
    /// Open one for `pid`, a child not yet reaped; fails where the kernel
    /// has no pidfds (before Linux 5.3).
    pub fn open(pid: libc::pid_t) -> io::Result<ProcessFd> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new
        // descriptor or -1; it touches no memory of ours.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = i32::try_from(fd).map_err(|_| io::Error::other("pidfd out of range"))?;
        // SAFETY: `fd` was just returned to us by the kernel.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(ProcessFd { fd, pid })
    }

    /// Send `sig` to the process; false when it is gone.
    pub fn signal(&self, sig: i32) -> bool {
        // SAFETY: a descriptor we own, a signal number, no siginfo, no
        // flags; no memory of ours is touched.
        let r = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                sig,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        r == 0
    }

    /// Send `sig` to the process's group — the service and what it
    /// started, unless they left the group — while the process has not
    /// exited; false when it has.
    ///
    /// The group id is the process's pid. A pid is not reused while a
    /// process group of that id has members, and this process cannot be
    /// reaped before it exits: only a process that exits, is reaped, leaves
    /// an empty group and has its pid taken by a new group leader between
    /// the check and the `kill` — microseconds — could let the signal reach
    /// a stranger.
    pub fn signal_group(&self, sig: i32) -> bool {
        if self.pid <= 1 || self.exited_by(Instant::now()) {
            return false;
        }
        // SAFETY: kill takes plain integers and touches no memory of ours.
        unsafe { libc::kill(-self.pid, sig) == 0 }
    }

    /// Wait until the process has exited (true) or `until` has come
    /// (false).
    pub fn exited_by(&self, until: Instant) -> bool {
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let timeout = libc::timespec {
                tv_sec: left.as_secs().try_into().unwrap_or(libc::time_t::MAX),
                tv_nsec: left.subsec_nanos().into(),
            };
            let mut p = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd and a valid timespec; no signal mask.
            let n = unsafe { libc::ppoll(&mut p, 1, &timeout, std::ptr::null()) };
            if n > 0 {
                return true;
            }
            let interrupted =
                n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted;
            if !interrupted && (n < 0 || Instant::now() >= until) {
                return false;
            }
        }
    }
}
