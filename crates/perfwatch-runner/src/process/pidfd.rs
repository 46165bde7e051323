//! Waiting for a process's exit with a timeout, through a pidfd (Linux
//! 5.3+): the descriptor becomes readable when the process exits.

use super::procfs::Pid;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

/// A pidfd of one of our children.
#[derive(Debug)]
pub(crate) struct PidFd(OwnedFd);

impl PidFd {
    /// Open a pidfd for `pid`; fails where the kernel has none (ENOSYS).
    pub fn open(pid: Pid) -> io::Result<PidFd> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new
        // descriptor or -1; it touches no memory of ours.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = i32::try_from(fd).map_err(|_| io::Error::other("pidfd out of range"))?;
        // SAFETY: `fd` was just returned to us by the kernel and is owned
        // by nothing else.
        Ok(PidFd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Wait until the process has exited, `also` (another descriptor) is
    /// readable, or `until` has come. A signal ends the wait early (as
    /// [`Woke::Timeout`]), so that the caller looks at its cancellation
    /// flag at once.
    pub fn wait_until(&self, until: Instant, also: Option<RawFd>) -> io::Result<Woke> {
        let left = until.saturating_duration_since(Instant::now());
        let timeout = libc::timespec {
            tv_sec: left.as_secs().try_into().unwrap_or(libc::time_t::MAX),
            tv_nsec: left.subsec_nanos().into(),
        };
        let mut fds = [
            libc::pollfd {
                fd: self.0.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                // A negative descriptor is ignored by poll.
                fd: also.unwrap_or(-1),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfds and a valid timespec; no signal mask.
        let n = unsafe { libc::ppoll(fds.as_mut_ptr(), 2, &timeout, std::ptr::null()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(Woke::Timeout)
            } else {
                Err(e)
            };
        }
        Ok(if fds[0].revents != 0 {
            Woke::Exited
        } else if fds[1].revents != 0 {
            Woke::Readable
        } else {
            Woke::Timeout
        })
    }
}

/// Why [`PidFd::wait_until`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Woke {
    /// The process exited.
    Exited,
    /// The other descriptor is readable (or hung up).
    Readable,
    /// The time came, or a signal arrived.
    Timeout,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn readable_once_the_child_exits() {
        let mut child = std::process::Command::new("sleep")
            .arg("0.2")
            .spawn()
            .unwrap();
        let Ok(fd) = PidFd::open(child.id() as Pid) else {
            // An old kernel: the runner falls back to a monitor thread.
            let _ = child.wait();
            return;
        };
        assert_eq!(
            fd.wait_until(Instant::now() + Duration::from_millis(20), None)
                .unwrap(),
            Woke::Timeout
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while fd.wait_until(deadline, None).unwrap() != Woke::Exited {}
        assert!(child.try_wait().unwrap().is_some());
    }
}
