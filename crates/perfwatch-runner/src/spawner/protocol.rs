//! The messages between perfwatch and its spawner, their byte encoding,
//! and how a message travels over the `SOCK_SEQPACKET` socket: split into
//! packets of at most [`PACKET`] bytes (so that no message is ever too big
//! for the socket buffer), the first starting with the total length and
//! carrying the passed descriptors.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// Largest packet sent; well under the default socket buffer (208 KiB).
pub(crate) const PACKET: usize = 32 * 1024;
/// Largest message accepted (argument and environment lists beyond this
/// are refused by `execve` anyway: `ARG_MAX` is 2 MiB by default).
pub(crate) const MAX_MESSAGE: usize = 64 << 20;
/// Descriptors a message may carry: stdin, stdout, stderr.
pub(crate) const MAX_FDS: usize = 3;

/// FNV-1a of this file's source: two builds whose protocol differs in
/// any way have different hashes, so perfwatch and a spawner helper from
/// another build never talk (see `spawner::serve_if_asked`).
pub(crate) const SOURCE_HASH: u64 = fnv1a(include_bytes!("protocol.rs"));

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// What perfwatch asks of the spawner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    /// Start a program; the message carries its stdin, stdout and stderr.
    Spawn(SpawnRequest),
    /// Reap an exited child (`wait4`), then, if asked, kill and reap
    /// what it left running (see `process/leftovers.rs`).
    Reap {
        /// The child.
        pid: i32,
        /// Kill what it left running.
        leftovers: bool,
    },
    /// Start a program again and again, each run reaped before the next
    /// (see `zygote::repeat`); the message carries the runs' stdin,
    /// stdout and stderr.
    Repeat(RepeatRequest),
    /// End the [`Request::Repeat`] in progress: its current run is killed
    /// and not counted. Ignored (no reply) when none is in progress.
    Stop,
}

/// Runs of one program, one after another, timed by the spawner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RepeatRequest {
    /// What each run starts.
    pub spawn: SpawnRequest,
    /// At most this many runs.
    pub runs: u32,
    /// At least this many runs (unless one fails), whatever the budget.
    pub min_runs: u32,
    /// No run starts once this long went into runs (ns), [`min_runs`]
    /// done.
    ///
    /// [`min_runs`]: RepeatRequest::min_runs
    pub budget_ns: i64,
    /// A run still going after this long (ns) is killed and ends the
    /// repeat; 0: no limit.
    pub timeout_ns: i64,
}

/// The figures of one run of a [`Request::Repeat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RunTimes {
    /// From the child's start (its own clock, as for a spawn) to the
    /// moment its exit was seen, ns.
    pub wall_ns: i64,
    /// User CPU time, µs.
    pub utime_us: i64,
    /// System CPU time, µs.
    pub stime_us: i64,
}

/// How a [`Request::Repeat`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RepeatEnd {
    /// Every run asked for (or as many as the budget allowed) succeeded.
    Done,
    /// A run exited unsuccessfully, with this wait status; not counted.
    Failed {
        /// Its wait status word.
        status: i32,
    },
    /// A run passed the time limit and was killed (this wait status).
    TimedOut {
        /// Its wait status word.
        status: i32,
    },
    /// [`Request::Stop`] came, or perfwatch went away.
    Stopped,
}

/// A program to start, every string as the bytes `execve` gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SpawnRequest {
    /// The executable's path.
    pub program: Vec<u8>,
    /// The whole argument vector, `argv[0]` included.
    pub argv: Vec<Vec<u8>>,
    /// The whole environment, as `KEY=VALUE` strings.
    pub env: Vec<Vec<u8>>,
    /// The working directory; empty: the spawner's.
    pub cwd: Vec<u8>,
}

/// What the spawner answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// The program runs (its `execve` succeeded) with this pid, leader of
    /// its own process group.
    Spawned {
        /// The child.
        pid: i32,
        /// `CLOCK_MONOTONIC` just before the fork, in ns: when the
        /// command's life began (the wall clock's start).
        forked_ns: i64,
    },
    /// The request failed with this `errno` (for a spawn: that of the
    /// failed `execve`, `chdir`, …; the child is already reaped).
    Failed {
        /// The error number.
        errno: i32,
    },
    /// The child was reaped.
    Reaped {
        /// Its wait status word.
        status: i32,
        /// Its `wait4` resource usage.
        usage: RawUsage,
        /// How many processes it left running were killed.
        leftovers: u32,
    },
    /// A [`Request::Repeat`] ended.
    Repeated {
        /// The successful runs, in order.
        runs: Vec<RunTimes>,
        /// Why it ended.
        end: RepeatEnd,
    },
}

/// The fields of `struct rusage` perfwatch uses, as `wait4` gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RawUsage {
    /// User CPU time, µs.
    pub utime_us: i64,
    /// System CPU time, µs.
    pub stime_us: i64,
    /// Peak resident size, KiB.
    pub maxrss_kib: i64,
    /// Voluntary context switches.
    pub nvcsw: i64,
    /// Involuntary context switches.
    pub nivcsw: i64,
}

impl RawUsage {
    /// The fields of `ru`.
    pub fn from_rusage(ru: &libc::rusage) -> RawUsage {
        let us = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
        RawUsage {
            utime_us: us(ru.ru_utime),
            stime_us: us(ru.ru_stime),
            maxrss_kib: ru.ru_maxrss,
            nvcsw: ru.ru_nvcsw,
            nivcsw: ru.ru_nivcsw,
        }
    }

    /// A `struct rusage` with these fields, the others zero.
    pub fn to_rusage(self) -> libc::rusage {
        let tv = |us: i64| libc::timeval {
            tv_sec: us.div_euclid(1_000_000),
            tv_usec: us.rem_euclid(1_000_000),
        };
        // SAFETY: rusage is plain old data, valid when zeroed.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        ru.ru_utime = tv(self.utime_us);
        ru.ru_stime = tv(self.stime_us);
        ru.ru_maxrss = self.maxrss_kib;
        ru.ru_nvcsw = self.nvcsw;
        ru.ru_nivcsw = self.nivcsw;
        ru
    }
}

const TAG_SPAWN: u8 = 1;
const TAG_REAP: u8 = 2;
const TAG_REPEAT: u8 = 3;
const TAG_STOP: u8 = 4;
const TAG_SPAWNED: u8 = 11;
const TAG_FAILED: u8 = 12;
const TAG_REAPED: u8 = 13;
const TAG_REPEATED: u8 = 14;

impl Request {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            Request::Spawn(s) => {
                w.u8(TAG_SPAWN);
                w.spawn(s);
            }
            Request::Repeat(r) => {
                w.u8(TAG_REPEAT);
                w.spawn(&r.spawn);
                w.i64(r.runs.into());
                w.i64(r.min_runs.into());
                w.i64(r.budget_ns);
                w.i64(r.timeout_ns);
            }
            Request::Stop => w.u8(TAG_STOP),
            Request::Reap { pid, leftovers } => {
                w.u8(TAG_REAP);
                w.i64((*pid).into());
                w.u8((*leftovers).into());
            }
        }
        w.0
    }

    /// The request `bytes` hold; `None` when they are not one.
    pub fn decode(bytes: &[u8]) -> Option<Request> {
        let mut r = Reader(bytes);
        let req = match r.u8()? {
            TAG_SPAWN => Request::Spawn(r.spawn()?),
            TAG_REPEAT => Request::Repeat(RepeatRequest {
                spawn: r.spawn()?,
                runs: r.i64()?.try_into().ok()?,
                min_runs: r.i64()?.try_into().ok()?,
                budget_ns: r.i64()?,
                timeout_ns: r.i64()?,
            }),
            TAG_STOP => Request::Stop,
            TAG_REAP => Request::Reap {
                pid: r.i64()?.try_into().ok()?,
                leftovers: match r.u8()? {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
            },
            _ => return None,
        };
        r.end()?;
        Some(req)
    }
}

impl Reply {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            &Reply::Spawned { pid, forked_ns } => {
                w.u8(TAG_SPAWNED);
                w.i64(pid.into());
                w.i64(forked_ns);
            }
            &Reply::Failed { errno } => {
                w.u8(TAG_FAILED);
                w.i64(errno.into());
            }
            &Reply::Reaped {
                status,
                usage,
                leftovers,
            } => {
                w.u8(TAG_REAPED);
                w.i64(status.into());
                for v in [
                    usage.utime_us,
                    usage.stime_us,
                    usage.maxrss_kib,
                    usage.nvcsw,
                    usage.nivcsw,
                ] {
                    w.i64(v);
                }
                w.i64(leftovers.into());
            }
            Reply::Repeated { runs, end } => {
                w.u8(TAG_REPEATED);
                w.len(runs.len());
                for run in runs {
                    w.i64(run.wall_ns);
                    w.i64(run.utime_us);
                    w.i64(run.stime_us);
                }
                let (tag, status) = match *end {
                    RepeatEnd::Done => (0, 0),
                    RepeatEnd::Failed { status } => (1, status),
                    RepeatEnd::TimedOut { status } => (2, status),
                    RepeatEnd::Stopped => (3, 0),
                };
                w.u8(tag);
                w.i64(status.into());
            }
        }
        w.0
    }

    /// The reply `bytes` hold; `None` when they are not one.
    pub fn decode(bytes: &[u8]) -> Option<Reply> {
        let mut r = Reader(bytes);
        let int = |r: &mut Reader<'_>| r.i64()?.try_into().ok();
        let reply = match r.u8()? {
            TAG_SPAWNED => Reply::Spawned {
                pid: int(&mut r)?,
                forked_ns: r.i64()?,
            },
            TAG_FAILED => Reply::Failed {
                errno: int(&mut r)?,
            },
            TAG_REAPED => Reply::Reaped {
                status: int(&mut r)?,
                usage: RawUsage {
                    utime_us: r.i64()?,
                    stime_us: r.i64()?,
                    maxrss_kib: r.i64()?,
                    nvcsw: r.i64()?,
                    nivcsw: r.i64()?,
                },
                leftovers: r.i64()?.try_into().ok()?,
            },
            TAG_REPEATED => {
                let n = r.len()?;
                // Each run takes 24 bytes: a count beyond what is left is
                // refused before anything is allocated for it.
                if n > r.0.len() / 24 {
                    return None;
                }
                let mut runs = Vec::with_capacity(n);
                for _ in 0..n {
                    runs.push(RunTimes {
                        wall_ns: r.i64()?,
                        utime_us: r.i64()?,
                        stime_us: r.i64()?,
                    });
                }
                let tag = r.u8()?;
                let status = int(&mut r)?;
                let end = match tag {
                    0 => RepeatEnd::Done,
                    1 => RepeatEnd::Failed { status },
                    2 => RepeatEnd::TimedOut { status },
                    3 => RepeatEnd::Stopped,
                    _ => return None,
                };
                Reply::Repeated { runs, end }
            }
            _ => return None,
        };
        r.end()?;
        Some(reply)
    }
}

/// Appends little-endian integers and length-prefixed byte strings.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        // Messages are bounded by MAX_MESSAGE, far below u32::MAX.
        self.0
            .extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn list(&mut self, items: &[Vec<u8>]) {
        self.len(items.len());
        for item in items {
            self.bytes(item);
        }
    }
    fn spawn(&mut self, s: &SpawnRequest) {
        self.bytes(&s.program);
        self.list(&s.argv);
        self.list(&s.env);
        self.bytes(&s.cwd);
    }
}

/// Reads what [`Writer`] wrote; every read fails (`None`) past the end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn len(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }
    fn bytes(&mut self) -> Option<Vec<u8>> {
        let n = self.len()?;
        Some(self.take(n)?.to_vec())
    }
    fn spawn(&mut self) -> Option<SpawnRequest> {
        Some(SpawnRequest {
            program: self.bytes()?,
            argv: self.list()?,
            env: self.list()?,
            cwd: self.bytes()?,
        })
    }
    fn list(&mut self) -> Option<Vec<Vec<u8>>> {
        let n = self.len()?;
        // Each item needs at least its 4-byte length: bound the allocation
        // by what is really there.
        if n > self.0.len() / 4 {
            return None;
        }
        (0..n).map(|_| self.bytes()).collect()
    }
    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

/// Send `message` with `fds` attached to its first packet.
pub(crate) fn send(sock: BorrowedFd<'_>, message: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    if message.len() > MAX_MESSAGE || fds.len() > MAX_FDS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "message too large for the spawner",
        ));
    }
    let total = u32::try_from(message.len())
        .unwrap_or(u32::MAX)
        .to_le_bytes();
    let first_len = message.len().min(PACKET - total.len());
    let mut first = Vec::with_capacity(total.len() + first_len);
    first.extend_from_slice(&total);
    first.extend_from_slice(&message[..first_len]);
    send_packet(sock, &first, fds)?;
    for chunk in message[first_len..].chunks(PACKET) {
        send_packet(sock, chunk, &[])?;
    }
    Ok(())
}

/// Receive one message and the descriptors of its first packet (close on
/// exec); `None` at end of file (the other side closed the socket).
pub(crate) fn recv(sock: BorrowedFd<'_>) -> io::Result<Option<(Vec<u8>, Vec<OwnedFd>)>> {
    let mut packet = vec![0u8; PACKET];
    let (n, fds) = recv_packet(sock, &mut packet, true)?;
    if n == 0 {
        return Ok(None);
    }
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed spawner message");
    if n < 4 {
        return Err(bad());
    }
    let total = u32::from_le_bytes([packet[0], packet[1], packet[2], packet[3]]) as usize;
    if total > MAX_MESSAGE || n - 4 > total {
        return Err(bad());
    }
    let mut message = Vec::with_capacity(total);
    message.extend_from_slice(&packet[4..n]);
    while message.len() < total {
        let (n, _) = recv_packet(sock, &mut packet, false)?;
        if n == 0 || message.len() + n > total {
            return Err(bad());
        }
        message.extend_from_slice(&packet[..n]);
    }
    Ok(Some((message, fds)))
}

/// Space for the control message of [`MAX_FDS`] descriptors, aligned for
/// `cmsghdr`.
#[repr(C)]
struct Control {
    _align: [libc::cmsghdr; 0],
    buf: [u8; 64],
}

fn send_packet(sock: BorrowedFd<'_>, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    let mut control = Control {
        _align: [],
        buf: [0; 64],
    };
    // SAFETY: msghdr is plain old data, valid when zeroed.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        let payload = std::mem::size_of_val(fds) as u32;
        // SAFETY: CMSG_SPACE only computes a size.
        let space = unsafe { libc::CMSG_SPACE(payload) } as usize;
        assert!(space <= control.buf.len(), "too many descriptors");
        msg.msg_control = control.buf.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        // SAFETY: msg_control points at `space` bytes of aligned, zeroed
        // buffer, so the first header exists and its data area holds
        // `payload` bytes; the descriptors are copied in, unaligned-safe.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(payload) as _;
            let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
            std::ptr::copy_nonoverlapping(
                raw.as_ptr().cast::<u8>(),
                libc::CMSG_DATA(cmsg),
                payload as usize,
            );
        }
    }
    loop {
        // SAFETY: `msg` and everything it points to live across the call.
        let r = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        if r >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn recv_packet(
    sock: BorrowedFd<'_>,
    buf: &mut [u8],
    want_fds: bool,
) -> io::Result<(usize, Vec<OwnedFd>)> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut control = Control {
        _align: [],
        buf: [0; 64],
    };
    // SAFETY: msghdr is plain old data, valid when zeroed.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if want_fds {
        msg.msg_control = control.buf.as_mut_ptr().cast();
        msg.msg_controllen = control.buf.len() as _;
    }
    let n = loop {
        // SAFETY: `msg` points at `buf` and `control`, both alive and
        // exclusively ours for the call.
        let r = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if r >= 0 {
            break r as usize;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    let mut fds = Vec::new();
    if want_fds {
        // SAFETY: the kernel filled `msg_controllen` bytes of `control`
        // with well-formed headers; CMSG_FIRSTHDR/NXTHDR stay inside them.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                    let data = libc::CMSG_DATA(cmsg);
                    let len = (*cmsg).cmsg_len as usize - (data as usize - cmsg as usize);
                    for i in 0..len / std::mem::size_of::<RawFd>() {
                        let fd = std::ptr::read_unaligned(data.cast::<RawFd>().add(i));
                        // The kernel installed it for us: we own it.
                        fds.push(OwnedFd::from_raw_fd(fd));
                    }
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
    }
    if msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "spawner message truncated",
        ));
    }
    Ok((n, fds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn spawn_request() -> SpawnRequest {
        SpawnRequest {
            program: b"/usr/bin/env".to_vec(),
            argv: vec![b"env".to_vec(), b"it's \xff here".to_vec(), Vec::new()],
            env: vec![b"A=1".to_vec(), b"EMPTY=".to_vec()],
            cwd: b"/tmp".to_vec(),
        }
    }

    #[test]
    fn requests_decode_to_what_was_encoded() {
        for req in [
            Request::Spawn(spawn_request()),
            Request::Spawn(SpawnRequest::default()),
            Request::Reap {
                pid: 4242,
                leftovers: true,
            },
            Request::Reap {
                pid: 17,
                leftovers: false,
            },
            Request::Repeat(RepeatRequest {
                spawn: spawn_request(),
                runs: 50,
                min_runs: 10,
                budget_ns: 1_000_000_000,
                timeout_ns: 0,
            }),
            Request::Stop,
        ] {
            assert_eq!(Request::decode(&req.encode()), Some(req));
        }
    }

    #[test]
    fn replies_decode_to_what_was_encoded() {
        let usage = RawUsage {
            utime_us: 1_500_000,
            stime_us: 7,
            maxrss_kib: 1468,
            nvcsw: 3,
            nivcsw: 1,
        };
        for reply in [
            Reply::Spawned {
                pid: 17,
                forked_ns: 123_456_789_012,
            },
            Reply::Failed {
                errno: libc::ENOENT,
            },
            Reply::Reaped {
                status: 256,
                usage,
                leftovers: 3,
            },
            Reply::Repeated {
                runs: vec![
                    RunTimes {
                        wall_ns: 1_100_000,
                        utime_us: 300,
                        stime_us: 500,
                    };
                    3
                ],
                end: RepeatEnd::TimedOut { status: 9 },
            },
            Reply::Repeated {
                runs: Vec::new(),
                end: RepeatEnd::Stopped,
            },
        ] {
            assert_eq!(Reply::decode(&reply.encode()), Some(reply.clone()));
        }
    }

    #[test]
    fn truncated_padded_or_unknown_messages_are_refused() {
        let bytes = Request::Spawn(spawn_request()).encode();
        for cut in 0..bytes.len() {
            assert_eq!(Request::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert_eq!(Request::decode(&padded), None);
        assert_eq!(Request::decode(&[99]), None);
        assert_eq!(Reply::decode(&[TAG_SPAWN]), None);
        // A reap whose flag is neither 0 nor 1.
        let mut reap = Request::Reap {
            pid: 1,
            leftovers: true,
        }
        .encode();
        *reap.last_mut().unwrap() = 2;
        assert_eq!(Request::decode(&reap), None);
        // A list claiming more items than bytes could hold.
        let mut huge = vec![TAG_SPAWN, 0, 0, 0, 0];
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Request::decode(&huge), None);
        // Runs claimed beyond what the bytes hold, or cut short.
        let mut many = vec![TAG_REPEATED];
        many.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Reply::decode(&many), None);
        let repeated = Reply::Repeated {
            runs: vec![RunTimes::default()],
            end: RepeatEnd::Failed { status: 256 },
        }
        .encode();
        for cut in 0..repeated.len() {
            assert_eq!(Reply::decode(&repeated[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn usage_survives_the_trip_through_rusage() {
        let usage = RawUsage {
            utime_us: 2_000_001,
            stime_us: 999_999,
            maxrss_kib: 200 << 10,
            nvcsw: 5,
            nivcsw: 6,
        };
        assert_eq!(RawUsage::from_rusage(&usage.to_rusage()), usage);
    }

    fn pair() -> (OwnedFd, OwnedFd) {
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
        assert_eq!(r, 0);
        // SAFETY: both were just created for us.
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
    }

    #[test]
    fn messages_larger_than_a_packet_arrive_whole_with_their_descriptors() {
        let (a, b) = pair();
        let big: Vec<u8> = (0..3 * PACKET + 5).map(|i| i as u8).collect();
        let file = tempfile::tempfile().unwrap();
        let sender = std::thread::spawn({
            let big = big.clone();
            move || {
                send(a.as_fd(), &big, &[file.as_fd()]).unwrap();
                send(a.as_fd(), b"small", &[]).unwrap();
                drop(a);
            }
        });
        let (got, fds) = recv(b.as_fd()).unwrap().unwrap();
        assert_eq!(got, big);
        assert_eq!(fds.len(), 1);
        // SAFETY: F_GETFD on a descriptor we own.
        let flags = unsafe { libc::fcntl(fds[0].as_raw_fd(), libc::F_GETFD) };
        assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        let (small, none) = recv(b.as_fd()).unwrap().unwrap();
        assert_eq!((small.as_slice(), none.len()), (&b"small"[..], 0));
        sender.join().unwrap();
        assert!(recv(b.as_fd()).unwrap().is_none(), "end of file");
    }
}
