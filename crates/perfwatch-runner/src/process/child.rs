//! One spawned process in its own process group, waited for with
//! `waitid`/`wait4` (ours or the spawner's) so that its figures are its
//! own.

use super::leftovers::{self, Baseline};
use super::procfs::Pid;
use super::signal;
use super::stderr_tail::StderrTail;
use crate::error::Termination;
use crate::spawner::{self, SpawnFailure, SpawnRequest};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Our direct children not yet reaped: never taken for what another
/// command left running (see [`Child::reap`]).
static UNREAPED: Mutex<Vec<Pid>> = Mutex::new(Vec::new());

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
    /// Standard input instead of `/dev/null`.
    pub stdin: Option<&'a File>,
    /// Standard output instead of `/dev/null` (or ours).
    pub stdout: Option<&'a File>,
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

/// How a child ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reaped {
    /// Its exit status or signal.
    pub termination: Termination,
    /// Its own resource usage.
    pub usage: Usage,
    /// How many processes it left running were killed (0 unless asked).
    pub leftovers: u32,
}

/// A running child, leader of its own process group. Until it is reaped,
/// dropping it kills the whole group, reaps the child and kills what it
/// left running, so no path — error, panic or early return — leaves it
/// running.
#[derive(Debug)]
pub(crate) struct Child {
    pid: Pid,
    reaped: bool,
    /// Who forked it, and so who reaps it.
    parent: Parent,
    /// When its life began (`CLOCK_MONOTONIC`, ns): the spawner's fork;
    /// for a direct spawn, just before it, when work preceded it.
    forked_ns: Option<i64>,
    /// Our children just before we forked it, when we are a subreaper.
    baseline: Option<Baseline>,
    /// The stderr pipe until [`Child::capture_stderr`] takes it.
    stderr_pipe: Option<File>,
    echo_stderr: bool,
    stderr: Option<StderrTail>,
}

/// The parent of a [`Child`].
#[derive(Debug, Clone, Copy)]
enum Parent {
    /// This process.
    Us,
    /// The spawner, which reaps on request.
    Spawner(&'static spawner::Client),
}

impl Child {
    /// Spawn `spec` in a new process group, stdin from `/dev/null`, stdout
    /// to `/dev/null` (or ours), stderr captured: through the spawner when
    /// it runs (see [`crate::spawner`]), directly otherwise.
    pub fn spawn(spec: SpawnSpec<'_>) -> io::Result<Child> {
        if let Some(client) = spawner::client() {
            match Child::spawn_through(client, spec) {
                Ok(child) => return Ok(child),
                Err(SpawnFailure::Exec(e)) => return Err(e),
                // The spawner is gone: spawn directly from now on.
                Err(SpawnFailure::Transport) => {}
            }
        }
        Child::spawn_direct(spec)
    }

    /// Spawn `spec` from this process (`posix_spawn` or `vfork`).
    pub fn spawn_direct(spec: SpawnSpec<'_>) -> io::Result<Child> {
        let mut cmd = Command::new(spec.program);
        cmd.arg0(spec.arg0)
            .args(spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(match spec.stdin {
                Some(f) => Stdio::from(f.try_clone()?),
                None => dev_null()?,
            })
            .stdout(match (spec.stdout, spec.show_output) {
                (Some(f), _) => Stdio::from(f.try_clone()?),
                (None, true) => Stdio::inherit(),
                (None, false) => dev_null()?,
            })
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = spec.cwd {
            cmd.current_dir(dir);
        }
        let baseline = Baseline::take();
        let mut unreaped = UNREAPED.lock().unwrap_or_else(|p| p.into_inner());
        // The clock starts here: reading the baseline is ours, not the
        // command's time.
        let forked_ns = baseline.as_ref().map(|_| super::monotonic_ns());
        let mut std_child = cmd.spawn()?;
        let pid = std_child.id() as Pid;
        unreaped.push(pid);
        drop(unreaped);
        // From here on the `Child` owns the process: std's handle is
        // dropped without waiting, and we reap with wait4 ourselves.
        Ok(Child {
            pid,
            reaped: false,
            parent: Parent::Us,
            forked_ns,
            baseline,
            stderr_pipe: std_child
                .stderr
                .take()
                .map(|p| File::from(OwnedFd::from(p))),
            echo_stderr: spec.show_output,
            stderr: None,
        })
    }

    /// Spawn `spec` through the spawner.
    fn spawn_through(
        client: &'static spawner::Client,
        spec: SpawnSpec<'_>,
    ) -> Result<Child, SpawnFailure> {
        let (stderr_read, stderr_write) = cloexec_pipe().map_err(SpawnFailure::Exec)?;
        let null = dev_null_file().map_err(SpawnFailure::Exec)?;
        let ours = std::io::stdout();
        let ([stdin, stdout], req) = for_spawner(&spec, null, &ours);
        let (pid, forked_ns) = client.spawn(req, [stdin, stdout, stderr_write.as_fd()])?;
        // Only the child may hold the write end, or the pipe never ends.
        drop(stderr_write);
        Ok(Child {
            pid,
            reaped: false,
            parent: Parent::Spawner(client),
            forked_ns: Some(forked_ns),
            // The spawner keeps its own.
            baseline: None,
            stderr_pipe: Some(File::from(stderr_read)),
            echo_stderr: spec.show_output,
            stderr: None,
        })
    }

    /// When its life began, for a clock started at `asked` (an `Instant`
    /// read at `CLOCK_MONOTONIC` `asked_ns`, just before the spawn): the
    /// spawner's fork, so that the hand-over to the spawner is not
    /// counted; for a direct spawn, `asked` itself (it forks at once), or,
    /// when we are a subreaper, the moment after the baseline of our
    /// children was read.
    pub fn started(&self, asked: Instant, asked_ns: i64) -> Instant {
        let Some(forked_ns) = self.forked_ns else {
            return asked;
        };
        let later = u64::try_from(forked_ns.saturating_sub(asked_ns)).unwrap_or(0);
        let started = asked + Duration::from_nanos(later);
        started.min(Instant::now())
    }

    /// Whether the spawner forked it: then only its pidfd tells when it
    /// exits ([`Child::wait_exited`] needs to be its parent).
    pub fn through_spawner(&self) -> bool {
        matches!(self.parent, Parent::Spawner(_))
    }

    /// Process id, which is also the process group id.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Block until the child has exited, leaving it unreaped (a zombie) so
    /// that its `/proc/<pid>/io` can still be read and its pid — the
    /// group id — cannot be reused while we clean up.
    pub fn wait_exited(&self) -> io::Result<()> {
        if self.through_spawner() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "only the spawner can wait for its children",
            ));
        }
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

    /// Reap the child: its exit status and its own resource usage; then,
    /// with `leftovers`, kill and reap what it left running (processes
    /// re-parented to its parent, the spawner or us, when that is a child
    /// subreaper: see `leftovers.rs`).
    pub fn reap(&mut self, leftovers: bool) -> io::Result<Reaped> {
        let (status, ru, killed) = self.wait4(leftovers)?;
        self.reaped = true;
        Ok(Reaped {
            termination: Termination::from_wait_status(status),
            usage: Usage::from_rusage(&ru),
            leftovers: killed,
        })
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
            let _ = self.wait4(true);
        }
    }
}

impl Child {
    /// `wait4` by whoever is the parent, then, with `leftovers`, the
    /// sweep of what it left running: its status, usage and how many
    /// processes the sweep killed.
    fn wait4(&self, leftovers: bool) -> io::Result<(i32, libc::rusage, u32)> {
        match self.parent {
            Parent::Us => {
                let (status, ru) = wait4(self.pid)?;
                let mut unreaped = UNREAPED.lock().unwrap_or_else(|p| p.into_inner());
                unreaped.retain(|&p| p != self.pid);
                let killed = match (&self.baseline, leftovers) {
                    (Some(baseline), true) => leftovers::kill_leftovers(baseline, &unreaped),
                    _ => 0,
                };
                Ok((status, ru, killed))
            }
            Parent::Spawner(client) => client.reap(self.pid, leftovers),
        }
    }
}

/// `/dev/null` for a child's stdin or stdout: opened once, then duplicated
/// (cheaper than `Stdio::null`'s open per spawn, between two iterations).
fn dev_null() -> io::Result<Stdio> {
    match dev_null_file() {
        Ok(f) => Ok(Stdio::from(f.try_clone()?)),
        Err(_) => Ok(Stdio::null()),
    }
}

/// What the spawner needs to start `spec`: its stdin and stdout (`null`
/// or `ours` lend them where `spec` names none) and the request, run where
/// a direct spawn would start — our current directory, or `spec.cwd`
/// relative to it (without one readable, the spawner's).
pub(super) fn for_spawner<'a>(
    spec: &SpawnSpec<'a>,
    null: &'a File,
    ours: &'a std::io::Stdout,
) -> ([BorrowedFd<'a>; 2], SpawnRequest) {
    let stdout = match (spec.stdout, spec.show_output) {
        (Some(f), _) => f.as_fd(),
        (None, true) => ours.as_fd(),
        (None, false) => null.as_fd(),
    };
    let stdin = spec.stdin.map_or(null.as_fd(), File::as_fd);
    let here = std::env::current_dir().unwrap_or_default();
    let cwd = spec.cwd.map_or_else(|| here.clone(), |d| here.join(d));
    let req = spawner::spawn_request(spec.program, spec.arg0, spec.args, spec.env, &cwd);
    ([stdin, stdout], req)
}

/// `/dev/null`, opened once for reading and writing.
pub(super) fn dev_null_file() -> io::Result<&'static File> {
    static DEV_NULL: std::sync::OnceLock<Option<File>> = std::sync::OnceLock::new();
    DEV_NULL
        .get_or_init(|| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")
                .ok()
        })
        .as_ref()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "cannot open /dev/null"))
}

/// A pipe whose both ends close on exec.
fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created for us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
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
