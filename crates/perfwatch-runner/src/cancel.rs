//! Cancellation: a flag the runner polls, set by Ctrl-C, SIGTERM or code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A cloneable cancellation token. Once cancelled it stays cancelled.
///
/// The runner polls it while an iteration runs (every few tens of
/// milliseconds) and between iterations; when it is set the running
/// command's process group is terminated and the run returns
/// [`perfwatch_model::SessionStatus::Interrupted`] with the iterations that
/// finished.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token that is not cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancel: every clone sees it.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`Cancel::cancel`] was called or a signal arrived.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Install handlers that make SIGINT, SIGTERM, SIGHUP (the terminal went
/// away) and SIGQUIT cancel the returned token.
///
/// A second such signal while the token is already cancelled ends the
/// process at once with exit code 130, so a hanging cleanup hook can always
/// be abandoned, and says so on standard error ([`SECOND_SIGNAL`]); the
/// first one lets the runner stop the command and keep the finished
/// iterations.
pub fn install_signal_handlers() -> std::io::Result<Cancel> {
    let cancel = Cancel::new();
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
        // Registered first so that it sees the flag as it was before this
        // signal: it only fires on the second signal.
        let cancelled = Arc::clone(&cancel.0);
        // SAFETY: the action is async-signal-safe: it loads an atomic,
        // writes a static message with write(2) and calls _exit(2).
        unsafe {
            signal_hook::low_level::register(sig, move || {
                if cancelled.load(Ordering::SeqCst) {
                    let msg = SECOND_SIGNAL.as_bytes();
                    let _ = libc::write(libc::STDERR_FILENO, msg.as_ptr().cast(), msg.len());
                    libc::_exit(perfwatch_model::exit_codes::INTERRUPTED);
                }
            })?;
        }
        signal_hook::flag::register(sig, Arc::clone(&cancel.0))?;
    }
    Ok(cancel)
}

/// What perfwatch says when a second signal ends it at once: nothing else
/// is printed then (no summary, no note), and the session, left unfinished,
/// is marked abandoned the next time the history is opened.
pub const SECOND_SIGNAL: &str =
    "\nperfwatch: interrupted again: stopped at once, without a summary\n  \
     or the rest of the clean-up; the runs stored so far are kept\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled());
    }

    #[test]
    fn sigterm_cancels_the_installed_token() {
        let cancel = install_signal_handlers().unwrap();
        assert!(!cancel.is_cancelled());
        // SAFETY: raise sends a signal to this thread; the handler only
        // stores to an atomic.
        assert_eq!(unsafe { libc::raise(libc::SIGTERM) }, 0);
        assert!(cancel.is_cancelled());
    }
}
