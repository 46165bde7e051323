//! Standard output that never ends a command.
//!
//! What a command prints is a view of what it did, not the work itself:
//! a reader that went away (`perfwatch run … | head -1`, `| true`) or a
//! standard output that cannot be written must not skip the exports, the
//! Markdown summary, the HTML or the gate, nor change the exit code.
//! Every write to standard output goes through [`stdout`]: the first
//! failure is remembered and everything after it is discarded, and
//! [`report_failure`] says so once on standard error at the end, unless
//! it was a broken pipe (the reader left on purpose).

use std::io::{self, Write};
use std::sync::OnceLock;

/// The first error a write to standard output met, if any.
static FAILURE: OnceLock<io::Error> = OnceLock::new();

/// Standard output whose writes never fail: see the module's text.
pub struct Stdout {
    inner: io::StdoutLock<'static>,
}

/// Standard output, locked, for one command's output.
pub fn stdout() -> Stdout {
    Stdout {
        inner: io::stdout().lock(),
    }
}

impl Stdout {
    /// Run one write; on the first error remember it, then discard.
    fn guard(&mut self, op: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>) {
        if FAILURE.get().is_some() {
            return;
        }
        if let Err(e) = op(&mut self.inner) {
            let _ = FAILURE.set(e);
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.guard(|w| w.write_all(buf));
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.guard(|w| w.write_all(buf));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.guard(|w| w.flush());
        Ok(())
    }
}

impl Drop for Stdout {
    fn drop(&mut self) {
        // What the line buffer still holds is written now, so that a
        // failure is seen before [`report_failure`] runs.
        let _ = self.flush();
    }
}

/// Say once on standard error that standard output could not be written,
/// unless nothing failed or the reader closed the pipe. Never changes the
/// exit code.
pub fn report_failure() {
    // Output printed outside [`stdout`] (none should be) is flushed too.
    if let Err(e) = io::stdout().flush() {
        let _ = FAILURE.set(e);
    }
    if let Some(e) = FAILURE.get() {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("warning: could not write to standard output: {e}");
        }
    }
}
