//! Listening: where (loopback unless tokens exist), and until when (a
//! signal, then a bounded wait for requests in flight).

use crate::tokens::any_active;
use axum::Router;
use perfwatch_store::{Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8427";

/// How long requests in flight may take to finish once shutdown began.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address without any token to guard writes.
    #[error(
        "refusing to listen on {addr}: it is reachable from other machines and no token is \
         configured; create one first (perfwatch token create --write --name NAME), or listen \
         on loopback (127.0.0.1)"
    )]
    ExposedWithoutTokens {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address could not be bound.
    #[error("failed to listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The store could not tell whether tokens exist.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Serving failed.
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
}

/// Refuses a non-loopback `addr` unless the store holds an unrevoked
/// token: a server others can reach must not take anonymous writes (and
/// writes always need a token, so without one it could take none).
pub fn check_exposure(addr: &SocketAddr, store: &dyn Store) -> Result<(), ServeError> {
    if addr.ip().is_loopback() || any_active(store)? {
        Ok(())
    } else {
        Err(ServeError::ExposedWithoutTokens { addr: *addr })
    }
}

/// A bound listener, not serving yet: its address is known (port 0 picks
/// a free one), so the caller can say where it listens first.
pub struct Listening {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Listening {
    /// Binds `addr`.
    pub async fn bind(addr: SocketAddr) -> Result<Listening, ServeError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Listening { listener, addr })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `router` until `shutdown` completes; then stops accepting,
    /// and waits at most `grace` for the requests in flight.
    pub async fn serve(
        self,
        router: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
        grace: Duration,
    ) -> Result<(), ServeError> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut waiting = stopped.clone();
        let server = axum::serve(self.listener, router).with_graceful_shutdown(async move {
            let _ = waiting.wait_for(|&s| s).await;
        });
        let server = std::future::IntoFuture::into_future(server);
        tokio::pin!(server);
        tokio::select! {
            done = &mut server => return done.map_err(ServeError::Serve),
            () = shutdown => {}
        }
        let _ = stop.send(true);
        drop(stopped);
        match tokio::time::timeout(grace, server).await {
            Ok(done) => done.map_err(ServeError::Serve),
            // Requests that would not finish (a stream that never ends)
            // are dropped with the runtime.
            Err(_) => Ok(()),
        }
    }
}

/// A future that completes on Ctrl-C (SIGINT) or SIGTERM.
///
/// The handlers are installed when this is called, not when the future is
/// first polled: a caller that says "Ctrl-C stops it" after calling this
/// cannot be killed by a signal that arrives in between. Call it inside a
/// runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {}
                () = wait(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
