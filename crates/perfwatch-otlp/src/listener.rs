//! The receiver's listener: accepts connections like tokio's, and counts
//! every connection as open — from just before its `accept` until it is
//! closed — so that the runner knows when nothing more can arrive.

use crate::inbox::{Connection, Inbox};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// A non-blocking loopback listener whose connections are counted in the
/// inbox.
pub(crate) struct CountingListener {
    fd: AsyncFd<std::net::TcpListener>,
    inbox: Arc<Inbox>,
}

impl CountingListener {
    /// Serve `listener` (already non-blocking); call inside the runtime.
    pub fn new(listener: std::net::TcpListener, inbox: Arc<Inbox>) -> io::Result<Self> {
        // SAFETY: the std listener owns its descriptor and keeps it open,
        // unchanged, for as long as the `AsyncFd` owns the listener.
        let fd = unsafe { AsyncFd::register_with_interest(listener, Interest::READABLE) }?;
        Ok(CountingListener { fd, inbox })
    }

    async fn try_accept(&self) -> io::Result<(Counted, SocketAddr)> {
        loop {
            let mut ready = self.fd.readable().await?;
            let opening = self.inbox.connection_opening();
            match ready.try_io(|fd| fd.get_ref().accept()) {
                Ok(Ok((stream, addr))) => {
                    stream.set_nonblocking(true)?;
                    let stream = TcpStream::from_std(stream)?;
                    return Ok((
                        Counted {
                            stream,
                            _open: opening,
                        },
                        addr,
                    ));
                }
                Ok(Err(e)) => return Err(e),
                // Spurious readiness (cleared by `try_io`): wait again.
                Err(_would_block) => continue,
            }
        }
    }
}

impl axum::serve::Listener for CountingListener {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        loop {
            match self.try_accept().await {
                Ok(accepted) => return accepted,
                // A connection reset before it was accepted, or no file
                // descriptor left: back off briefly and go on serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.get_ref().local_addr()
    }
}

/// An accepted connection, counted as open until dropped.
pub(crate) struct Counted {
    stream: TcpStream,
    _open: Connection,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Whether a connection waits in `listener`'s accept queue (fd of a
/// listening socket); `false` when that cannot be told.
pub(crate) fn connection_waiting(fd: std::os::fd::RawFd) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; a zero timeout never blocks.
    let n = unsafe { libc::poll(&mut poll, 1, 0) };
    n > 0 && poll.revents & libc::POLLIN != 0
}
