//! One spawned process in its own process group, waited for with
//! `waitid`/`wait4` so that its figures are its own.

use super::procfs::Pid;
use super::signal;
use super::stderr_tail::StderrTail;
use crate::error::Termination;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What to spawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpawnSpec<'a> {
    /// The executable (absolute).
    pub program: &'a Path,
    /// `argv[0]` as the user wrote it.
    pub arg0: &'a str,
    /// The other arguments.
    pub args: &'a [String],
    /// Environment added to ours.
    pub env: &'a [(String, String)],
    /// Working directory.
    pub cwd: Option<&'a Path>,
    /// Let stdout and stderr through to ours.
    pub show_output: bool,
}

/// The resource usage `wait4` reports for one child (and the descendants
/// it reaped), never for our other children.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usage {
    pub user_s: f64,
    pub sys_s: f64,
    pub max_rss_bytes: u64,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
}

impl Usage {
    fn from_rusage(ru: &libc::rusage) -> Usage {
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Usage {
            user_s: secs(ru.ru_utime),
            sys_s: secs(ru.ru_stime),
            // Linux reports ru_maxrss in KiB.
            max_rss_bytes: (ru.ru_maxrss.max(0) as u64).saturating_mul(1024),
            voluntary_cs: ru.ru_nvcsw.max(0) as u64,
            involuntary_cs: ru.ru_nivcsw.max(0) as u64,
        }
    }
}

/// A running child, leader of its own process group. Until it is reaped,
/// dropping it kills the whole group and reaps the child, so no path —
/// error, panic or early return — leaves it running.
#[derive(Debug)]
pub(crate) struct Child {
    pid: Pid,
    reaped: bool,
    /// The stderr pipe until [`Child::capture_stderr`] takes it.
    stderr_pipe: Option<std::process::ChildStderr>,
    echo_stderr: bool,
    stderr: Option<StderrTail>,
}

impl Child {
    /// Spawn `spec` in a new process group, stdin from `/dev/null`, stdout
    /// to `/dev/null` (or ours), stderr captured.
    pub fn spawn(spec: SpawnSpec<'_>) -> io::Result<Child> {
        let mut cmd = Command::new(spec.program);
        cmd.arg0(spec.arg0)
            .args(spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(dev_null()?)
            .stdout(if spec.show_output {
                Stdio::inherit()
            } else {
                dev_null()?
            })
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = spec.cwd {
            cmd.current_dir(dir);
        }
        let mut std_child = cmd.spawn()?;
        let mut child = Child {
            pid: std_child.id() as Pid,
            reaped: false,
            stderr_pipe: None,
            echo_stderr: spec.show_output,
            stderr: None,
        };
        // From here on `child` owns the process: std's handle is dropped
        // without waiting, and we reap with wait4 ourselves.
        child.stderr_pipe = std_child.stderr.take();
        Ok(child)
    }

    /// Process id, which is also the process group id.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Block until the child has exited, leaving it unreaped (a zombie) so
    /// that its `/proc/<pid>/io` can still be read and its pid — the
    /// group id — cannot be reused while we clean up.
    pub fn wait_exited(&self) -> io::Result<()> {
        loop {
            // SAFETY: siginfo_t is plain old data, valid when zeroed;
            // waitid only writes into it.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: `info` is a valid, exclusive pointer for the call.
            let r = unsafe {
                libc::waitid(
                    libc::P_PID,
                    self.pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if r == 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Reap the child: its exit status and its own resource usage.
    pub fn reap(&mut self) -> io::Result<(Termination, Usage)> {
        let (status, ru) = wait4(self.pid)?;
        self.reaped = true;
        Ok((
            Termination::from_wait_status(status),
            Usage::from_rusage(&ru),
        ))
    }

    /// Start keeping the tail of stderr: read inline by the caller (see
    /// [`StderrTail::pump`]) or by a worker thread.
    pub fn capture_stderr(&mut self, inline: bool) -> io::Result<()> {
        if let Some(pipe) = self.stderr_pipe.take() {
            self.stderr = Some(if inline {
                StderrTail::inline(pipe, self.echo_stderr)?
            } else {
                StderrTail::capture(pipe, self.echo_stderr)?
            });
        }
        Ok(())
    }

    /// The stderr reader, once captured.
    pub fn stderr_mut(&mut self) -> Option<&mut StderrTail> {
        self.stderr.as_mut()
    }

    /// The tail of the child's stderr, waiting up to `wait` for the pipe
    /// to close.
    pub fn stderr_tail(&mut self, wait: Duration) -> Option<String> {
        self.stderr.take()?.finish(wait)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if !self.reaped {
            signal::kill_group(self.pid, libc::SIGKILL);
            signal::kill_pid(self.pid, libc::SIGKILL);
            let _ = wait4(self.pid);
        }
    }
}

/// `/dev/null` for a child's stdin or stdout: opened once, then duplicated
/// (cheaper than `Stdio::null`'s open per spawn, between two iterations).
fn dev_null() -> io::Result<Stdio> {
    static DEV_NULL: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
    let file = DEV_NULL.get_or_init(|| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .ok()
    });
    match file {
        Some(f) => Ok(Stdio::from(f.try_clone()?)),
        None => Ok(Stdio::null()),
    }
}

/// Blocking `wait4` on one pid, retried on EINTR.
fn wait4(pid: Pid) -> io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data, valid when zeroed.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are valid and exclusive for the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, ru));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}
