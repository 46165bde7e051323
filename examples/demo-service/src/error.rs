//! Why the service could not run.

use std::io;
use std::net::SocketAddr;

/// An error that stops the service; messages read well after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The async runtime could not be built.
    #[error("start the runtime: {0}")]
    Runtime(#[source] io::Error),
    /// A shutdown signal handler could not be installed.
    #[error("listen for shutdown signals: {0}")]
    Signal(#[source] io::Error),
    /// The listening socket could not be opened.
    #[error("listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// Accepting or serving connections failed.
    #[error("serve requests: {0}")]
    Serve(#[source] io::Error),
}
