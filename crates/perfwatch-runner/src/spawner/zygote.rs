//! The spawner process (the `perfwatch-spawn` helper, or a fork of
//! perfwatch before it grew): it serves spawn and reap requests until perfwatch goes away, then kills what it
//! started and exits. It is a child subreaper: what its children leave
//! running becomes its own child, killed when asked (see
//! `process/leftovers.rs`).

mod repeat;

use super::protocol::{self, RawUsage, Reply, Request, SpawnRequest};
use crate::process::{become_subreaper, kill_leftovers, reap_killed, reset_own_peak_rss, Baseline};
use std::ffi::{c_char, CString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Signals the spawner ignores: the terminal's Ctrl-C and Ctrl-\, a hang-up
/// and SIGTERM sent to perfwatch's process group must not end it while
/// perfwatch still cleans up (perfwatch's own end makes it exit). Its
/// children get these back at their default, and so does SIGPIPE (which
/// Rust's runtime ignores).
const IGNORED: [libc::c_int; 5] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGHUP,
    libc::SIGTERM,
    libc::SIGPIPE,
];

/// A child spawned and not yet reaped.
struct Live {
    pid: libc::pid_t,
    /// Our children just before it was forked; `None` when we are no
    /// subreaper.
    baseline: Option<Baseline>,
}

/// Serve requests on `sock` until it reaches end of file, then SIGKILL the
/// process groups of the children not yet reaped and what they left
/// running, and exit. Never returns into the caller's code: the process
/// ends with `_exit`.
pub(crate) fn serve(sock: OwnedFd, start: Start) -> ! {
    let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        serve_until_eof(sock, start)
    }));
    // SAFETY: `_exit` ends this process at once, without running
    // destructors or exit handlers that belong to perfwatch.
    unsafe { libc::_exit(i32::from(served.is_err())) }
}

/// How the spawner starts a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// `clone(CLONE_VM | CLONE_VFORK)`, sharing our memory until the
    /// `execve` (see [`spawn`]): for the small helper program, whose own
    /// resident size is a floor below any program's.
    Shared,
    /// `fork`: a spawner forked from perfwatch holds more than a small
    /// program's peak (perfwatch's relocated data, its code pages), and a
    /// `fork` copies only the pages it wrote into the child's peak.
    Forked,
}

fn serve_until_eof(sock: OwnedFd, start: Start) {
    detach();
    // Sharing our memory with the children: a stack for them, and only
    // what we use resident (see `spawn`).
    let mut stack = (start == Start::Shared).then(|| {
        trim_file_pages();
        ChildStack::new()
    });
    let mut live: Vec<Live> = Vec::new();
    // Any error on the socket means perfwatch is gone or broken: stop.
    while let Ok(Some((bytes, fds))) = protocol::recv(sock.as_fd()) {
        let reply = match Request::decode(&bytes) {
            Some(Request::Spawn(req)) => spawn(&req, &fds, stack.as_mut(), &mut live),
            Some(Request::Reap { pid, leftovers }) => reap(pid, leftovers, &mut live),
            Some(Request::Repeat(req)) => {
                repeat::repeat(&req, &fds, stack.as_mut(), &mut live, sock.as_fd())
            }
            // A stop that crossed the end of its repeat: nothing to stop,
            // and no reply (the repeat's was the last one).
            Some(Request::Stop) => continue,
            None => Reply::Failed {
                errno: libc::EINVAL,
            },
        };
        // Our copies of the child's stdio must not keep its pipes open.
        drop(fds);
        if protocol::send(sock.as_fd(), &reply.encode(), &[]).is_err() {
            break;
        }
    }
    for child in &live {
        // SAFETY: kill takes plain integers. The children are unreaped, so
        // their pids, which are also their group ids, are not reused.
        unsafe {
            libc::kill(-child.pid, libc::SIGKILL);
            libc::kill(child.pid, libc::SIGKILL);
        }
    }
    // Once a child is reaped, what it left running — re-parented to us —
    // is found; a child that will not die keeps its leftovers' pids safe
    // from the others' sweeps.
    let pids: Vec<libc::pid_t> = live.iter().map(|c| c.pid).collect();
    let stuck = reap_killed(&pids);
    for child in &live {
        if let Some(baseline) = &child.baseline {
            kill_leftovers(baseline, &stuck);
        }
    }
}

/// Make this process small and quiet: give freed heap back, ignore the
/// terminal's signals, hold none of perfwatch's standard streams (a pipe
/// reader waiting for perfwatch's output to end must not wait for us).
fn detach() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free heap memory to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
    drop_dead_stack();
    for sig in IGNORED {
        // SAFETY: setting a disposition to SIG_IGN installs no handler.
        unsafe { libc::signal(sig, libc::SIG_IGN) };
    }
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16
    // bytes; the name is a static literal.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"perfwatch-spawn".as_ptr()) };
    // Without it, what a command leaves running goes to init, as before.
    let _ = become_subreaper();
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        for fd in 0..3 {
            // SAFETY: dup2 onto the standard descriptors; nothing of ours
            // uses them after this.
            unsafe { libc::dup2(null.as_raw_fd(), fd) };
        }
    }
}

/// Give back the stack pages below what this process still uses: the
/// deepest frames perfwatch reached before the fork (argument parsing, in
/// an unoptimised build hundreds of KiB) would otherwise be copied into
/// every child and count in its peak. Best effort.
fn drop_dead_stack() {
    /// Stack kept below the current frame, for the calls still to come
    /// (they fault pages back in as needed, zero-filled).
    const KEEP: usize = 64 * 1024;
    let marker = 0u8;
    let sp = std::ptr::addr_of!(marker) as usize;
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    let Some(start) = maps
        .lines()
        .find(|l| l.ends_with("[stack]"))
        .and_then(|l| l.split('-').next())
        .and_then(|s| usize::from_str_radix(s, 16).ok())
    else {
        return;
    };
    let page = crate::process::page_size() as usize;
    let end = sp.saturating_sub(KEEP) & !(page - 1);
    if end > start {
        // SAFETY: [start, end) lies below this (only) thread's stack
        // pointer by more than KEEP bytes: no live data is there, and no
        // signal handler can run on it (there are none). MADV_DONTNEED
        // makes those pages read back as zeros if touched again.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
    }
}

/// What `execve` needs, built before the `clone` so that the child only
/// makes async-signal-safe calls.
struct Prepared {
    program: CString,
    _argv: Vec<CString>,
    argv_ptrs: Vec<*const c_char>,
    _env: Vec<CString>,
    env_ptrs: Vec<*const c_char>,
    cwd: Option<CString>,
}

impl Prepared {
    /// `None` when a string holds a NUL byte.
    fn new(req: &SpawnRequest) -> Option<Prepared> {
        let strings = |list: &[Vec<u8>]| -> Option<Vec<CString>> {
            list.iter().map(|s| CString::new(s.clone()).ok()).collect()
        };
        let pointers = |list: &[CString]| -> Vec<*const c_char> {
            list.iter()
                .map(|s| s.as_ptr())
                .chain(std::iter::once(std::ptr::null()))
                .collect()
        };
        let argv = strings(&req.argv)?;
        let env = strings(&req.env)?;
        Some(Prepared {
            program: CString::new(req.program.clone()).ok()?,
            argv_ptrs: pointers(&argv),
            _argv: argv,
            env_ptrs: pointers(&env),
            _env: env,
            cwd: if req.cwd.is_empty() {
                None
            } else {
                Some(CString::new(req.cwd.clone()).ok()?)
            },
        })
    }
}

/// Where a child runs between its `clone` and its `execve`: it shares our
/// memory (`CLONE_VM`), so it needs a stack of its own. Allocated once and
/// reused; the child's frames are a few hundred bytes.
struct ChildStack(Vec<u8>);

impl ChildStack {
    const SIZE: usize = 64 * 1024;

    fn new() -> ChildStack {
        ChildStack(vec![0; Self::SIZE])
    }

    /// The top of the stack (it grows down), 16-byte aligned as the ABI
    /// wants at a call.
    fn top(&mut self) -> *mut libc::c_void {
        let end = self.0.as_mut_ptr_range().end as usize;
        (end & !15) as *mut libc::c_void
    }
}

/// What the child's entry point reads.
struct ChildArgs<'a> {
    prepared: &'a Prepared,
    stdio: [RawFd; 3],
    report: RawFd,
}

/// The child's entry point for `clone`.
extern "C" fn child_main(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the `ChildArgs` that `spawn` passed to `clone`; it
    // outlives the child's use of it, because `CLONE_VFORK` suspends
    // `spawn` until the child has exec'd or exited.
    let args = unsafe { &*(arg as *const ChildArgs<'_>) };
    exec_child(args.prepared, args.stdio, args.report)
}

/// Start `req` with `stdio` as its descriptors 0, 1 and 2; the reply comes
/// once `execve` succeeded or failed, so the child is in its own process
/// group by then.
///
/// With a `stack` ([`Start::Shared`], the helper), the child is made as `posix_spawn`
/// makes it, `clone(CLONE_VM | CLONE_VFORK)`: it shares our memory until
/// its `execve` instead of a copy of it (a `fork` copies our page tables,
/// then both sides fault on every page they write first: ~0.3 ms more per
/// command, measured as whole invocations of 30 runs). `execve` charges
/// the program the peak of the memory it replaces — all of ours when
/// shared, file pages included — so that peak is kept small: our file
/// pages are dropped at start-up (see [`trim_file_pages`]) and the peak is
/// reset to what we hold just before the clone (~1.1 MiB, below `true`'s
/// own). Forked from perfwatch ([`Start::Forked`], no `stack`), we hold
/// ~2.8 MiB, so the child is forked: it then inherits only the pages we
/// wrote.
fn spawn(
    req: &SpawnRequest,
    stdio: &[OwnedFd],
    stack: Option<&mut ChildStack>,
    live: &mut Vec<Live>,
) -> Reply {
    let failed = |errno| Reply::Failed { errno };
    if stdio.len() != 3 || req.argv.is_empty() {
        return failed(libc::EINVAL);
    }
    let Some(prepared) = Prepared::new(req) else {
        return failed(libc::EINVAL);
    };
    let (report_read, report_write) = match cloexec_pipe() {
        Ok(p) => p,
        Err(e) => return failed(e.raw_os_error().unwrap_or(libc::EIO)),
    };
    let args = ChildArgs {
        prepared: &prepared,
        stdio: [
            stdio[0].as_raw_fd(),
            stdio[1].as_raw_fd(),
            stdio[2].as_raw_fd(),
        ],
        report: report_write.as_raw_fd(),
    };
    let baseline = Baseline::take();
    let forked_ns = super::monotonic_ns();
    let pid = match stack {
        Some(stack) => {
            // What the child will be charged for: what we hold now.
            reset_own_peak_rss();
            // SAFETY: this process is single-threaded (it starts no
            // threads). The child runs `child_main` on its own stack, in
            // our memory, and only makes async-signal-safe calls on memory
            // prepared before the clone; every path ends in execve or
            // _exit, and we are suspended until then (CLONE_VFORK), so
            // nothing it reads changes under it. Without CLONE_SIGHAND its
            // signal dispositions are its own copy.
            unsafe {
                libc::clone(
                    child_main,
                    stack.top(),
                    libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                    std::ptr::addr_of!(args).cast_mut().cast(),
                )
            }
        }
        // SAFETY: single-threaded as above; the child only makes
        // async-signal-safe calls before `execve` or `_exit`.
        None => match unsafe { libc::fork() } {
            0 => exec_child(&prepared, args.stdio, args.report),
            pid => pid,
        },
    };
    if pid < 0 {
        return failed(
            io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        );
    }
    drop(report_write);
    match read_report(&report_read) {
        (_, Some(errno)) => {
            let _ = wait4(pid);
            failed(errno)
        }
        (started, None) => {
            live.push(Live { pid, baseline });
            Reply::Spawned {
                pid,
                forked_ns: started.unwrap_or(forked_ns),
            }
        }
    }
}

/// Drop the pages of our read-only file mappings that hold nothing of
/// ours (code and constants of this program and its libraries, no
/// relocated data: no anonymous pages in them, per `/proc/self/smaps`)
/// from our page tables. They come back from the page cache when touched
/// again; meanwhile our resident size — the floor `execve` puts under
/// the peak memory of every command we start (see [`spawn`]) — is what we
/// use, not everything the loader touched. Best effort.
fn trim_file_pages() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    // (start, end, read-only file mapping) of the mapping being read.
    let mut current: Option<(usize, usize, bool)> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else {
            continue;
        };
        if let Some((start, end)) = first.split_once('-').and_then(|(a, b)| {
            Some((
                usize::from_str_radix(a, 16).ok()?,
                usize::from_str_radix(b, 16).ok()?,
            ))
        }) {
            let perms = fields.next().unwrap_or("");
            let inode = fields.nth(2).unwrap_or("0");
            let read_only = matches!(perms, "r-xp" | "r--p") && inode != "0";
            current = Some((start, end, read_only));
        } else if first == "Anonymous:" {
            let anonymous = fields.next() != Some("0");
            if let Some((start, end, true)) = current.take() {
                if !anonymous {
                    // SAFETY: a private, read-only file mapping without a
                    // page of ours: dropping its pages loses nothing (they
                    // are read back from the file), also for the code now
                    // running.
                    unsafe {
                        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED)
                    };
                }
            }
        }
    }
}

/// In the cloned child: its own process group, the given stdio, the
/// working directory, default signals, then `execve`. First the child
/// writes its own start (`CLOCK_MONOTONIC`, ns) to `report`: the command's
/// life begins there, once it exists — what the spawner did to make it
/// is ours, not the command's. On failure the `errno` follows (the pipe
/// is closed on exec, so a successful exec leaves only the start) and the
/// child exits with 127.
fn exec_child(p: &Prepared, stdio: [RawFd; 3], report: RawFd) -> ! {
    // Plain loops and calls only: in an unoptimised build every iterator
    // adapter is a function of its own, and each page of code the child
    // touches counts in the program's peak (exec charges it our peak).
    //
    // SAFETY: only async-signal-safe calls on memory prepared before the
    // clone; every path ends in execve or _exit. The stdio descriptors are
    // all above 2 (our 0–2 are /dev/null, see `detach`), so no dup2
    // overwrites a descriptor a later one copies from.
    unsafe {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
        let started = ts.tv_sec * 1_000_000_000 + ts.tv_nsec;
        let bytes = started.to_ne_bytes();
        libc::write(report, bytes.as_ptr().cast(), bytes.len());
        let mut ok = libc::setpgid(0, 0) == 0;
        let mut to = 0;
        while ok && to < 3 {
            ok = libc::dup2(stdio[to as usize], to) == to;
            to += 1;
        }
        if ok {
            if let Some(dir) = &p.cwd {
                ok = libc::chdir(dir.as_ptr()) == 0;
            }
        }
        if ok {
            let mut i = 0;
            while i < IGNORED.len() {
                libc::signal(IGNORED[i], libc::SIG_DFL);
                i += 1;
            }
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            libc::execve(
                p.program.as_ptr(),
                p.argv_ptrs.as_ptr(),
                p.env_ptrs.as_ptr(),
            );
        }
        let errno = *libc::__errno_location();
        let bytes = errno.to_ne_bytes();
        libc::write(report, bytes.as_ptr().cast(), bytes.len());
        libc::_exit(127)
    }
}

/// What the child reported: its start (`None` if it died before saying)
/// and its `errno` (`None` when the exec succeeded).
fn read_report(pipe: &OwnedFd) -> (Option<i64>, Option<i32>) {
    let mut buf = [0u8; 12];
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: reads into the unfilled rest of `buf`.
        let n = unsafe {
            libc::read(
                pipe.as_raw_fd(),
                buf[got..].as_mut_ptr().cast(),
                buf.len() - got,
            )
        };
        match n {
            0 => break,
            n if n > 0 => got += n as usize,
            _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            _ => break,
        }
    }
    let started = (got >= 8).then(|| i64::from_ne_bytes(buf[..8].try_into().unwrap_or([0; 8])));
    let errno = (got == 12).then(|| i32::from_ne_bytes(buf[8..].try_into().unwrap_or([0; 4])));
    (started, errno)
}

/// Reap `pid` — by its pid, so its status and usage are its own — and
/// then, with `leftovers`, kill and reap what it left running.
fn reap(pid: libc::pid_t, leftovers: bool, live: &mut Vec<Live>) -> Reply {
    let Some(at) = live.iter().position(|c| c.pid == pid) else {
        return Reply::Failed {
            errno: libc::ECHILD,
        };
    };
    match wait4(pid) {
        Ok((status, usage)) => {
            let child = live.swap_remove(at);
            let killed = match (&child.baseline, leftovers) {
                (Some(baseline), true) => {
                    let keep: Vec<libc::pid_t> = live.iter().map(|c| c.pid).collect();
                    kill_leftovers(baseline, &keep)
                }
                _ => 0,
            };
            Reply::Reaped {
                status,
                usage,
                leftovers: killed,
            }
        }
        Err(e) => Reply::Failed {
            errno: e.raw_os_error().unwrap_or(libc::EIO),
        },
    }
}

fn wait4(pid: libc::pid_t) -> io::Result<(i32, RawUsage)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data, valid when zeroed.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are valid and exclusive for the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, RawUsage::from_rusage(&ru)));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created for us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
