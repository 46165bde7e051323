//! Turning SIGTERM and Ctrl-C into a shutdown everyone can wait for.

use tokio::sync::watch;

use crate::error::Error;

/// Becomes true once a shutdown signal arrived.
#[derive(Clone, Debug)]
pub(crate) struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Installs the signal handlers now, so a signal that arrives during
    /// start-up is not lost, and watches them from a task.
    pub(crate) fn install() -> Result<Self, Error> {
        let (tx, rx) = watch::channel(false);
        let signals = Signals::install()?;
        tokio::spawn(async move {
            signals.recv().await;
            // Nobody listening any more means the service is already done.
            let _ = tx.send(true);
        });
        Ok(Self(rx))
    }

    /// Waits until a shutdown signal arrived.
    pub(crate) async fn wait(mut self) {
        // An error means the sender is gone, which only happens at exit.
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Result<Self, Error> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            term: signal(SignalKind::terminate()).map_err(Error::Signal)?,
            int: signal(SignalKind::interrupt()).map_err(Error::Signal)?,
        })
    }

    async fn recv(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Result<Self, Error> {
        Ok(Self)
    }

    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
