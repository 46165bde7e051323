//! perfwatch's side of the spawner: requests over the socket, one at a
//! time.

use super::protocol::{self, RepeatEnd, RepeatRequest, Reply, Request, RunTimes, SpawnRequest};
use crate::cancel::Cancel;
use crate::process::poll_readable;
use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Why a spawn through the spawner failed.
#[derive(Debug)]
pub(crate) enum SpawnFailure {
    /// The program could not be started (`execve`, `chdir`, … failed):
    /// the same error a direct spawn would give.
    Exec(io::Error),
    /// The spawner could not be reached; it is not used again.
    Transport,
}

/// The connection to a running spawner.
#[derive(Debug)]
pub(crate) struct Client {
    /// Held for a whole request and its reply, so that concurrent
    /// supervisions never read each other's replies.
    sock: Mutex<OwnedFd>,
    /// Set when the socket failed: the spawner is gone.
    broken: AtomicBool,
}

impl Client {
    pub fn new(sock: OwnedFd) -> Client {
        Client {
            sock: Mutex::new(sock),
            broken: AtomicBool::new(false),
        }
    }

    /// Whether the spawner can still be used.
    pub fn usable(&self) -> bool {
        !self.broken.load(Ordering::Relaxed)
    }

    /// Start `req` with `stdio` as its stdin, stdout and stderr; its pid
    /// and when it was forked (`CLOCK_MONOTONIC`, ns).
    pub fn spawn(
        &self,
        req: SpawnRequest,
        stdio: [BorrowedFd<'_>; 3],
    ) -> Result<(i32, i64), SpawnFailure> {
        match self.request(&Request::Spawn(req), &stdio) {
            Ok(Reply::Spawned { pid, forked_ns }) => Ok((pid, forked_ns)),
            Ok(Reply::Failed { errno }) => {
                Err(SpawnFailure::Exec(io::Error::from_raw_os_error(errno)))
            }
            Ok(Reply::Reaped { .. } | Reply::Repeated { .. }) => {
                self.broke(unexpected());
                Err(SpawnFailure::Transport)
            }
            Err(_) => Err(SpawnFailure::Transport),
        }
    }

    /// Run `req` (see `zygote::repeat`) with `stdio` as each run's stdin,
    /// stdout and stderr: the successful runs' figures and why it ended.
    /// When `cancel` is cancelled meanwhile, the spawner is asked to stop
    /// (the run going on is killed and not counted).
    pub fn repeat(
        &self,
        req: RepeatRequest,
        stdio: [BorrowedFd<'_>; 3],
        cancel: &Cancel,
    ) -> Result<(Vec<RunTimes>, RepeatEnd), SpawnFailure> {
        if !self.usable() {
            return Err(SpawnFailure::Transport);
        }
        let sock = self.sock.lock().unwrap_or_else(|p| p.into_inner());
        let exchange = || -> io::Result<Reply> {
            protocol::send(sock.as_fd(), &Request::Repeat(req).encode(), &stdio)?;
            let mut stopping = false;
            let sock_fd = std::os::fd::AsRawFd::as_raw_fd(&*sock);
            while !poll_readable(sock_fd, std::time::Instant::now() + CANCEL_CHECK) {
                if !stopping && cancel.is_cancelled() {
                    protocol::send(sock.as_fd(), &Request::Stop.encode(), &[])?;
                    stopping = true;
                }
            }
            let (bytes, _) = protocol::recv(sock.as_fd())?.ok_or_else(|| {
                io::Error::new(io::ErrorKind::UnexpectedEof, "the spawner exited")
            })?;
            Reply::decode(&bytes).ok_or_else(unexpected)
        };
        match exchange() {
            Ok(Reply::Repeated { runs, end }) => Ok((runs, end)),
            Ok(Reply::Failed { errno }) => {
                Err(SpawnFailure::Exec(io::Error::from_raw_os_error(errno)))
            }
            Ok(_) => {
                self.broke(unexpected());
                Err(SpawnFailure::Transport)
            }
            Err(e) => {
                self.broke(e);
                Err(SpawnFailure::Transport)
            }
        }
    }

    /// Reap the exited child `pid`: its wait status and resource usage;
    /// then, with `leftovers`, kill what it left running: how many.
    pub fn reap(&self, pid: i32, leftovers: bool) -> io::Result<(i32, libc::rusage, u32)> {
        match self.request(&Request::Reap { pid, leftovers }, &[])? {
            Reply::Reaped {
                status,
                usage,
                leftovers,
            } => Ok((status, usage.to_rusage(), leftovers)),
            Reply::Failed { errno } => Err(io::Error::from_raw_os_error(errno)),
            Reply::Spawned { .. } | Reply::Repeated { .. } => Err(self.broke(unexpected())),
        }
    }

    fn request(&self, req: &Request, fds: &[BorrowedFd<'_>]) -> io::Result<Reply> {
        if !self.usable() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the spawner is gone",
            ));
        }
        let sock = self.sock.lock().unwrap_or_else(|p| p.into_inner());
        let exchange = || -> io::Result<Reply> {
            protocol::send(sock.as_fd(), &req.encode(), fds)?;
            let (bytes, _) = protocol::recv(sock.as_fd())?.ok_or_else(|| {
                io::Error::new(io::ErrorKind::UnexpectedEof, "the spawner exited")
            })?;
            Reply::decode(&bytes).ok_or_else(unexpected)
        };
        exchange().map_err(|e| self.broke(e))
    }

    fn broke(&self, e: io::Error) -> io::Error {
        self.broken.store(true, Ordering::Relaxed);
        e
    }
}

/// How often [`Client::repeat`] looks at its cancellation flag.
const CANCEL_CHECK: std::time::Duration = std::time::Duration::from_millis(20);

fn unexpected() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "unexpected reply from the spawner",
    )
}

/// The request to run `program` as `arg0 args…` in `cwd` with our
/// environment plus `env` (later entries win), as a direct spawn would.
pub(crate) fn spawn_request(
    program: &Path,
    arg0: &str,
    args: &[String],
    env: &[(String, String)],
    cwd: &Path,
) -> SpawnRequest {
    let mut vars: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    for (k, v) in env {
        match vars.iter_mut().find(|(key, _)| key == k.as_bytes()) {
            Some(slot) => slot.1 = v.as_bytes().to_vec(),
            None => vars.push((k.as_bytes().to_vec(), v.as_bytes().to_vec())),
        }
    }
    let bytes = |s: &OsStr| s.as_bytes().to_vec();
    SpawnRequest {
        program: bytes(program.as_os_str()),
        argv: std::iter::once(arg0)
            .chain(args.iter().map(String::as_str))
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        env: vars
            .into_iter()
            .map(|(mut k, v)| {
                k.push(b'=');
                k.extend(v);
                k
            })
            .collect(),
        cwd: bytes(cwd.as_os_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spawn_request_is_our_environment_with_the_additions_winning() {
        let ours = std::env::vars().next();
        let mut add = vec![("PERFWATCH_TEST_NEW".to_string(), "1".to_string())];
        if let Some((k, _)) = &ours {
            add.push((k.clone(), "overridden".into()));
        }
        let req = spawn_request(
            Path::new("/bin/echo"),
            "echo",
            &["a b".into()],
            &add,
            Path::new("/tmp"),
        );
        assert_eq!(req.program, b"/bin/echo");
        assert_eq!(req.argv, vec![b"echo".to_vec(), b"a b".to_vec()]);
        assert_eq!(req.cwd, b"/tmp");
        assert!(req.env.contains(&b"PERFWATCH_TEST_NEW=1".to_vec()));
        if let Some((k, _)) = ours {
            let prefix = format!("{k}=");
            let entries: Vec<_> = req
                .env
                .iter()
                .filter(|e| e.starts_with(prefix.as_bytes()))
                .collect();
            assert_eq!(entries, vec![&format!("{k}=overridden").into_bytes()]);
        }
    }
}
