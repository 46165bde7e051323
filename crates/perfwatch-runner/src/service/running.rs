//! Starting a service, waiting for it to be ready, stopping it.

use super::error::ServiceError;
use super::output::{LineWatch, Reader};
use super::pidfd::ProcessFd;
use super::probe::{self, Probe};
use super::spec::{self, Ready, ServiceSpec};
use crate::error::Termination;
use crate::process::{
    monotonic_ns, supervise, Child, Listeners, SpawnSpec, Supervised, Supervision,
};
use perfwatch_model::Sample;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Time between two readiness attempts (and the longest an exit before
/// readiness goes unseen: the wait is on the process's pidfd).
const POLL: Duration = Duration::from_millis(5);
/// How long to wait for stderr to close once the service is gone.
const STDERR_WAIT: Duration = Duration::from_millis(200);
/// How long to wait for the exit once SIGKILL was sent.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// A started service, ready for load. Its process tree is sampled until
/// it stops. Dropping it without [`stop`](Self::stop) kills the service,
/// every process of its group and every descendant the sampler followed,
/// so nothing outlives it on any path, a panic included.
#[derive(Debug)]
pub struct RunningService {
    command: String,
    port: u16,
    pid: i32,
    process: ProcessFd,
    startup: Duration,
    stop_timeout: Duration,
    /// The thread supervising the process (see `process::supervise`): it
    /// samples the tree, and once the process exits kills its group and
    /// followed descendants and reaps it.
    supervisor: Option<JoinHandle<io::Result<Supervised>>>,
    stderr: Option<Reader>,
}

/// What was seen of a service once it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    /// How the service's process ended.
    pub status: Termination,
    /// From spawn to ready, seconds (monotonic clock).
    pub startup_s: f64,
    /// From SIGTERM to the exit, seconds (the kill included when it had
    /// to be killed); `None` when it had exited by itself before.
    pub shutdown_s: Option<f64>,
    /// Whether it outlived the stop timeout and was killed.
    pub killed: bool,
    /// From spawn to exit, seconds.
    pub wall_s: f64,
    /// CPU time of the process and the descendants it reaped (`wait4`).
    pub user_s: f64,
    /// System CPU time, likewise.
    pub sys_s: f64,
    /// Peak resident size of the process or its largest reaped
    /// descendant, bytes (`wait4`).
    pub max_rss_bytes: u64,
    /// Voluntary context switches (`wait4`).
    pub voluntary_cs: u64,
    /// Involuntary context switches (`wait4`).
    pub involuntary_cs: u64,
    /// Storage bytes read by the whole tree; `None` when unreadable.
    pub read_bytes: Option<u64>,
    /// Storage bytes written by the whole tree; `None` when unreadable.
    pub write_bytes: Option<u64>,
    /// The resource timeline of the whole tree, from the spawn.
    pub timeline: Vec<Sample>,
    /// The largest resident size of the whole tree at one sample.
    pub peak_tree_rss_bytes: Option<u64>,
    /// The last lines of its stderr.
    pub stderr_tail: Option<String>,
    /// Processes it left running that were found through the child
    /// subreaper and killed (see [`crate::Outcome::left_running`]).
    pub left_running: u32,
}

/// Start `spec` on `port` and wait until it is ready.
///
/// Fails with [`ServiceError::PortTaken`] before spawning when someone
/// listens on `port`; with [`ServiceError::ExitedBeforeReady`] or
/// [`ServiceError::NotReady`] (after killing the whole tree) when it does
/// not come up. Readiness is asked every few milliseconds and the wait
/// between two attempts ends at once when the process exits.
pub fn start(spec: &ServiceSpec, port: u16) -> Result<RunningService, ServiceError> {
    let command = spec::substitute(&spec.command.display(), port);
    let invalid = |reason: String| ServiceError::InvalidSpec {
        command: command.clone(),
        reason,
    };
    let launch = spec::launch(spec, port).map_err(invalid)?;
    let watch = match &spec.ready {
        Ready::LogLine(pattern) => {
            Some(LineWatch::new(&spec::substitute(pattern, port)).map_err(invalid)?)
        }
        _ => None,
    };
    let probe = match &spec.ready {
        Ready::Http { url } => probe::http(&spec::substitute(url, port)).map_err(invalid)?,
        Ready::Tcp => probe::tcp(port),
        Ready::LogLine(_) => Probe::Line(watch.clone().expect("set above")),
    };
    if spec::port_taken(port) {
        return Err(ServiceError::PortTaken { command, port });
    }
    let spawn_err = |source| ServiceError::Spawn {
        command: command.clone(),
        source,
    };
    // Stdout is read only to find the readiness line.
    let stdout = watch
        .as_ref()
        .map(|_| cloexec_pipe())
        .transpose()
        .map_err(spawn_err)?;
    let asked = Instant::now();
    let asked_ns = monotonic_ns();
    let mut child = Child::spawn(SpawnSpec {
        program: &launch.program,
        arg0: &launch.arg0,
        args: &launch.args,
        env: &launch.env,
        cwd: spec.cwd.as_deref(),
        show_output: false,
        stdin: None,
        stdout: stdout.as_ref().map(|(_, w)| w),
    })
    .map_err(spawn_err)?;
    let start = child.started(asked, asked_ns);
    // Only the service may hold the write end, or the pipe never ends.
    let stdout = stdout.map(|(r, _)| r);
    let (stderr, early) = take_stderr(&mut child).map_err(spawn_err)?;
    let process = ProcessFd::open(child.pid()).map_err(spawn_err)?;
    let pid = child.pid();
    let stderr = Reader::start(stderr, early, watch.clone()).map_err(spawn_err)?;
    if let Some(out) = stdout {
        // Detached: it drains stdout until every writer is gone.
        drop(Reader::start(out, Vec::new(), watch).map_err(spawn_err)?);
    }
    let supervision = Supervision {
        start,
        sample_interval: spec.sample_interval,
        timeout: None,
        cancel: spec.cancel.clone().unwrap_or_default(),
        kill_leftovers: true,
        listeners: Listeners {
            gpu: spec.gpu.clone(),
            live: spec.live.clone(),
        },
    };
    // Should the thread not start, the closure and its `Child` are
    // dropped, which kills the process group and reaps the child.
    let supervisor = std::thread::Builder::new()
        .name("perfwatch-service".into())
        .spawn(move || supervise(&mut child, supervision))
        .map_err(spawn_err)?;
    let service = RunningService {
        command,
        port,
        pid,
        process,
        startup: Duration::ZERO,
        stop_timeout: spec.stop_timeout,
        supervisor: Some(supervisor),
        stderr: Some(stderr),
    };
    service.wait_ready(&probe, start, spec.ready_timeout)
}

impl RunningService {
    /// Ask `probe` until the service is ready, `ready_timeout` after
    /// `start` (its spawn) at the latest, or its process exits.
    fn wait_ready(
        mut self,
        probe: &Probe,
        start: Instant,
        ready_timeout: Duration,
    ) -> Result<RunningService, ServiceError> {
        let deadline = start + ready_timeout;
        loop {
            if self.process.exited_by(Instant::now()) {
                let (done, stderr_tail) = self.finish()?;
                return Err(ServiceError::ExitedBeforeReady {
                    command: self.command.clone(),
                    status: done.termination,
                    stderr_tail,
                });
            }
            if let Some(at) = probe.ready(deadline) {
                self.startup = at.saturating_duration_since(start);
                return Ok(self);
            }
            let now = Instant::now();
            if now >= deadline {
                self.process.signal(libc::SIGKILL);
                let (_, stderr_tail) = self.finish()?;
                return Err(ServiceError::NotReady {
                    command: self.command.clone(),
                    after: ready_timeout,
                    stderr_tail,
                });
            }
            self.process.exited_by((now + POLL).min(deadline));
        }
    }

    /// The command, as written (port substituted).
    pub fn command(&self) -> &str {
        &self.command
    }

    /// The port it was started on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process id (and process group id).
    pub fn pid(&self) -> u32 {
        self.pid as u32
    }

    /// From spawn to ready (monotonic clock).
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// Whether its process has exited (it crashed, or quit by itself).
    pub fn has_exited(&self) -> bool {
        self.process.exited_by(Instant::now())
    }

    /// Stop it: SIGTERM to the service's process group, up to the stop
    /// timeout for the service to exit, then SIGKILL. Once its process
    /// has exited, everything left of its group and every descendant the
    /// sampler followed is killed (and, under a child subreaper, whatever
    /// it left running elsewhere).
    pub fn stop(mut self) -> Result<Stopped, ServiceError> {
        let asked = Instant::now();
        let mut killed = false;
        let shutdown = if self.process.exited_by(asked) {
            None
        } else {
            self.process.signal(libc::SIGTERM);
            self.process.signal_group(libc::SIGTERM);
            if !self.process.exited_by(asked + self.stop_timeout) {
                killed = true;
                self.process.signal(libc::SIGKILL);
                self.process.exited_by(Instant::now() + KILL_WAIT);
            }
            Some(asked.elapsed())
        };
        let (done, stderr_tail) = self.finish()?;
        Ok(Stopped {
            status: done.termination,
            startup_s: self.startup.as_secs_f64(),
            shutdown_s: shutdown.map(|d| d.as_secs_f64()),
            killed,
            wall_s: done.wall.as_secs_f64(),
            user_s: done.usage.user_s,
            sys_s: done.usage.sys_s,
            max_rss_bytes: done.usage.max_rss_bytes,
            voluntary_cs: done.usage.voluntary_cs,
            involuntary_cs: done.usage.involuntary_cs,
            read_bytes: done.read_bytes,
            write_bytes: done.write_bytes,
            peak_tree_rss_bytes: done
                .samples
                .iter()
                .map(|s| s.rss_bytes)
                .filter(|&b| b > 0)
                .max(),
            timeline: done.samples,
            stderr_tail,
            left_running: done.leftovers,
        })
    }

    /// Wait for the supervisor to account for the exited process and reap
    /// it, then for the end of stderr.
    fn finish(&mut self) -> Result<(Supervised, Option<String>), ServiceError> {
        let supervisor = self.supervisor.take().expect("finished once");
        let supervised = match supervisor.join() {
            Ok(s) => s,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let stderr_tail = self.stderr.take().and_then(|r| r.finish(STDERR_WAIT));
        let supervised = supervised.map_err(|source| ServiceError::Watch {
            command: self.command.clone(),
            source,
        })?;
        Ok((supervised, stderr_tail))
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        if let Some(supervisor) = self.supervisor.take() {
            // Its exit makes the supervisor kill the rest of the tree.
            self.process.signal(libc::SIGKILL);
            let _ = supervisor.join();
        }
    }
}

/// Take the read end of the child's stderr pipe from it, for a reader of
/// our own (the runner's keeps only a tail, shown at the end): a duplicate
/// of its descriptor, drained of what is there already; then the child's
/// copy is closed, with what it read in between (nothing, but for a write
/// in those microseconds). The supervisor then finds no stderr to keep.
fn take_stderr(child: &mut Child) -> io::Result<(File, Vec<u8>)> {
    child.capture_stderr(true)?;
    let fd = child
        .stderr_mut()
        .and_then(|t| t.fd())
        .ok_or_else(|| io::Error::other("the service's stderr is not a pipe"))?;
    // SAFETY: `fd` is open (the child's reader holds it); the duplicate is
    // a new descriptor that only we own.
    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if dup < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: just created for us.
    let mut pipe = File::from(unsafe { OwnedFd::from_raw_fd(dup) });
    // The child's reader made the shared open file non-blocking.
    let mut early = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => early.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    // Its last lines, their final newline trimmed: kept as they are, as
    // a newline added could split a readiness line written in two parts.
    if let Some(text) = child.stderr_tail(Duration::ZERO) {
        early.extend_from_slice(text.as_bytes());
    }
    // Our thread blocks in `read`. A pipe's read end has no other status
    // flag to keep.
    // SAFETY: fcntl on a descriptor we own; no pointers.
    if unsafe { libc::fcntl(pipe.as_raw_fd(), libc::F_SETFL, 0) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((pipe, early))
}

/// A pipe whose both ends close on exec: (read, write).
fn cloexec_pipe() -> io::Result<(File, File)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created for us.
    Ok(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}
