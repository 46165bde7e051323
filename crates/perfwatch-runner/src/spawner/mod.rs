//! The spawner: a small process, started by perfwatch before it grows,
//! that starts the measured commands so that their peak memory is theirs.
//!
//! # Why
//!
//! Linux charges an exec'd program the peak resident size of the address
//! space it replaces (`exec` folds the old memory's high-water mark into
//! the process's `ru_maxrss`). Spawned straight from perfwatch, that old
//! memory is perfwatch's (with `vfork`/`posix_spawn`, the very same; with
//! `fork`, its copied pages), so a small program like `gzip` reported
//! 8–16 MiB where GNU `time` says 1.4 MiB. Spawned from a process whose
//! own memory is tiny, a program's `max_rss_bytes` is its own to within a
//! few percent.
//!
//! # How
//!
//! [`start`] starts the spawner at the very start of `main`, before any
//! thread exists. It talks to perfwatch over a
//! `socketpair(AF_UNIX, SOCK_SEQPACKET)`. It is the small program
//! [`HELPER`] installed beside perfwatch's executable when there is one
//! (started as `posix_spawn` starts a program, with [`SPAWNER_ARG`] and
//! its end of the socket; its `main` is [`serve_if_asked`]); otherwise a
//! `fork` of perfwatch as it is then. The helper is faster and smaller:
//! after a `fork`, every page either process writes first is copied (and,
//! once perfwatch runs threads, each copy flushes the other processors'
//! TLBs); and the helper is small enough to start each command sharing its
//! memory until the `execve` (`clone(CLONE_VM | CLONE_VFORK)`, as
//! `posix_spawn` does) where a forked spawner must fork (see
//! `zygote::spawn`). Measured with `perf stat` and alternating whole
//! invocations of `run -N 'sleep 0.02'`: the helper alone (still forking)
//! ~90 fewer page faults and 0.8 ms less for one run, and with the shared
//! start ~0.3 ms less per run on top (see the README). Either way:
//!
//! * *spawn*: program, argv, full environment, working directory, and
//!   stdin/stdout/stderr passed as descriptors (`SCM_RIGHTS`). It starts
//!   the child (shared memory or forked, above); the child calls
//!   `setpgid(0, 0)`, `dup2`s its stdio, `chdir`s, resets
//!   signals and `execve`s. The reply comes when the `execve` succeeded
//!   (pid) or failed (its `errno`, through a close-on-exec pipe).
//! * *reap*: `wait4(pid)`, replying with the status and resource usage,
//!   and, for a measured command, how many processes it left running were
//!   killed.
//!
//! Everything else stays in perfwatch: it watches the child through a
//! pidfd (which works on processes that are not its children), samples
//! `/proc`, reads `/proc/<pid>/io` of the exited child — a zombie until
//! perfwatch asks for the reap — and signals the process group, in the
//! order the supervision documents.
//!
//! The spawner is a child subreaper: a process a command leaves running
//! that daemonised (left the process group with `setsid`, or double
//! forked) is re-parented to it, not to init. On a *reap* it `wait4`s the
//! child by its pid first, so the status and usage are the child's own,
//! then kills and reaps those (see `process/leftovers.rs`) and says how
//! many it killed.
//!
//! When perfwatch ends, even by SIGKILL, the spawner sees end of file on
//! the socket, SIGKILLs the process groups of the children it has not
//! reaped and what they left running, and exits: a killed perfwatch
//! leaves no measured command (nor a hook it was running) behind.
//!
//! Without [`start`] (library use, tests) or where pidfds are missing
//! (Linux before 5.3), commands are spawned directly, with the floor that
//! brings (see the crate documentation).

mod client;
pub(crate) mod protocol;
mod zygote;

pub(crate) use client::{spawn_request, Client, SpawnFailure};
pub(crate) use protocol::{RepeatEnd, RepeatRequest, SpawnRequest};

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::OnceLock;

/// The running spawner, once [`start`]ed.
static SPAWNER: OnceLock<Client> = OnceLock::new();

/// The file name of the spawner's own program, looked for beside the
/// running executable (`cargo` builds and installs it with `perfwatch`).
pub const HELPER: &str = "perfwatch-spawn";

/// The first argument that makes [`HELPER`] serve (see
/// [`serve_if_asked`]); the second is its socket's descriptor, the third
/// the protocol's identity (both sides must be built from the same
/// protocol).
pub const SPAWNER_ARG: &str = "--serve-perfwatch-socket";

/// Why [`start`] did not start the spawner. Either way, commands are
/// still spawned (directly); only their peak memory has a floor.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The process already runs other threads: forking now could copy a
    /// lock another thread holds.
    #[error("start the spawner before any other thread ({threads} are running)")]
    Threaded {
        /// How many threads were counted.
        threads: usize,
    },
    /// The kernel has no pidfds (Linux before 5.3), which perfwatch needs
    /// to watch children it did not fork itself.
    #[error("pidfds are not available: {0}")]
    NoPidfd(#[source] io::Error),
    /// Creating the socket or starting the spawner failed.
    #[error("start the spawner: {0}")]
    Io(#[source] io::Error),
}

/// Serve as the spawner when this process was started as one by
/// [`start`] (its first argument is [`SPAWNER_ARG`]); otherwise return at
/// once. The `main` of [`HELPER`]: it never returns when it serves (the
/// process ends when the perfwatch that started it goes away), and it
/// should be called before anything is allocated, since the spawner's
/// memory is the floor under every command's peak.
pub fn serve_if_asked() {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(SPAWNER_ARG)) {
        return;
    }
    let fd = args
        .next()
        .and_then(|a| a.to_str()?.parse::<RawFd>().ok())
        .filter(|&fd| fd > 2 && is_socket(fd));
    let Some(fd) = fd else {
        eprintln!("{HELPER}: {SPAWNER_ARG} needs the descriptor of perfwatch's socket");
        std::process::exit(2);
    };
    // A helper from another build (installed over while perfwatch
    // started) may speak another protocol: it leaves, and perfwatch,
    // finding the socket closed, spawns directly.
    if args.next().as_deref() != Some(std::ffi::OsStr::new(&protocol_id())) {
        eprintln!("{HELPER}: built with another protocol than this perfwatch");
        std::process::exit(3);
    }
    // SAFETY: `start` passed us this descriptor, open and ours alone (a
    // socket, checked above); nothing else in this process uses it.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // It crossed our `execve` without close-on-exec; the commands we start
    // must not inherit it (one that kept it, daemonised, could talk to us
    // or hold the socket open).
    if let Err(e) = set_cloexec(&sock, true) {
        eprintln!("{HELPER}: cannot mark perfwatch's socket close-on-exec: {e}");
        std::process::exit(2);
    }
    zygote::serve(sock, zygote::Start::Shared)
}

/// Start the spawner that measured commands are spawned from, so that
/// their peak resident size is not inflated by perfwatch's own.
///
/// Call it first thing in `main`, before any thread exists and before
/// anything big is allocated (without [`HELPER`] beside the executable,
/// the spawner is a copy of the process as it is now). It refuses
/// ([`StartError::Threaded`]) when other threads run. Calling it again
/// once started does nothing. When it fails, the runner spawns commands
/// directly, as it does when this is never called.
pub fn start() -> Result<(), StartError> {
    if SPAWNER.get().is_some() {
        return Ok(());
    }
    let threads = thread_count().map_err(StartError::Io)?;
    if threads != 1 {
        return Err(StartError::Threaded { threads });
    }
    // SAFETY: getpid has no preconditions.
    let own = unsafe { libc::getpid() };
    crate::process::PidFd::open(own).map_err(StartError::NoPidfd)?;
    let (ours, theirs) = socket_pair().map_err(StartError::Io)?;
    match helper() {
        Some(helper) => start_helper(&helper, theirs)?,
        None => fork_spawner(ours.as_raw_fd(), theirs)?,
    }
    // Single-threaded: nobody else can have set it meanwhile.
    let _ = SPAWNER.set(Client::new(ours));
    Ok(())
}

/// What tells this build's protocol from others': a hash of its source.
fn protocol_id() -> String {
    format!("{:016x}", protocol::SOURCE_HASH)
}

/// [`HELPER`] beside the running executable, if it is there.
fn helper() -> Option<std::path::PathBuf> {
    let path = std::env::current_exe().ok()?.with_file_name(HELPER);
    path.is_file().then_some(path)
}

/// Start [`HELPER`] on `theirs`, our copy of which is closed.
fn start_helper(helper: &std::path::Path, theirs: OwnedFd) -> Result<(), StartError> {
    // Its end must survive the exec. No other thread runs (checked by
    // the caller), so no other program can inherit it meanwhile.
    set_cloexec(&theirs, false).map_err(StartError::Io)?;
    let started = std::process::Command::new(helper)
        .arg(SPAWNER_ARG)
        .arg(theirs.as_raw_fd().to_string())
        .arg(protocol_id())
        .env_clear()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    // Our copy goes now, so that the spawner sees end of file once we are
    // gone; it is not waited for (it exits then).
    drop(theirs);
    started.map(drop).map_err(StartError::Io)
}

/// Fork the spawner, which serves on `theirs` and closes `ours`.
fn fork_spawner(ours: RawFd, theirs: OwnedFd) -> Result<(), StartError> {
    // SAFETY: this process is single-threaded (checked by the caller), so
    // the child is a consistent copy; it runs `zygote::serve`, which never
    // returns into our caller's code.
    match unsafe { libc::fork() } {
        -1 => Err(StartError::Io(io::Error::last_os_error())),
        0 => {
            // SAFETY: the child's copy of our end, which it does not use.
            unsafe { libc::close(ours) };
            zygote::serve(theirs, zygote::Start::Forked)
        }
        _ => {
            drop(theirs);
            Ok(())
        }
    }
}

/// Whether commands are spawned through the spawner now: it was
/// [`start`]ed and still answers.
pub fn is_running() -> bool {
    client().is_some()
}

/// The spawner's connection, while usable.
pub(crate) fn client() -> Option<&'static Client> {
    SPAWNER.get().filter(|c| c.usable())
}

/// `CLOCK_MONOTONIC` in ns: the clock of [`std::time::Instant`] on Linux,
/// and the same in every process.
pub(crate) fn monotonic_ns() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, exclusive pointer for the call.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec)
}

fn thread_count() -> io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/task")?.count())
}

/// Whether `fd` is an open socket.
fn is_socket(fd: RawFd) -> bool {
    // SAFETY: stat is plain old data, valid when zeroed.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: a valid, exclusive pointer; a bad descriptor only fails.
    let ok = unsafe { libc::fstat(fd, &mut st) } == 0;
    ok && st.st_mode & libc::S_IFMT == libc::S_IFSOCK
}

/// Whether `fd` is closed when this process `execve`s.
fn set_cloexec(fd: &OwnedFd, on: bool) -> io::Result<()> {
    let flags = if on { libc::FD_CLOEXEC } else { 0 };
    // SAFETY: F_SETFD on a descriptor we own.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, flags) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn socket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created for us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
