//! The terminal while the live view is open: raw mode and the alternate
//! screen, and their undoing on every way out — leaving the view (`q`, the
//! run's end, Ctrl-C), a panic, and the second Ctrl-C or termination
//! signal, which ends the process from inside the signal handler
//! (`perfwatch_runner::install_signal_handlers`: no destructor runs
//! then). For that last way out, [`install_signal_restore`] registers,
//! before the runner's handlers, a handler that restores the terminal
//! with async-signal-safe calls only (`tcsetattr`, `write`).

use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Whether the terminal is in raw mode on the alternate screen now.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Whether a cancelling signal arrived already (the next one ends us).
static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// The terminal's settings before raw mode, for the signal handler.
static SAVED: OnceLock<libc::termios> = OnceLock::new();

/// What leaves the alternate screen and shows the cursor again.
const LEAVE: &[u8] = b"\x1b[?1049l\x1b[?25h";

/// The signals that cancel a run (a second one ends it).
const CANCELLING: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Registers the handler that restores the terminal on the signal that
/// ends the process. Call before `install_signal_handlers`, so that it
/// runs before the handler that exits.
pub fn install_signal_restore() -> io::Result<()> {
    for sig in CANCELLING {
        // SAFETY: the action only touches atomics, a `termios` written
        // before the view opened, and calls `tcsetattr` and `write`, all
        // async-signal-safe.
        unsafe { signal_hook::low_level::register(sig, on_signal) }?;
    }
    Ok(())
}

fn on_signal() {
    let again = SIGNALLED.swap(true, Ordering::SeqCst);
    if again && ACTIVE.swap(false, Ordering::SeqCst) {
        restore_from_handler();
    }
}

/// Restores the saved settings and leaves the alternate screen, with
/// async-signal-safe calls only.
fn restore_from_handler() {
    if let Some(saved) = SAVED.get() {
        // SAFETY: `saved` is a valid termios read by `tcgetattr`.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved) };
    }
    // SAFETY: writes a static buffer to standard output.
    unsafe { libc::write(libc::STDOUT_FILENO, LEAVE.as_ptr().cast(), LEAVE.len()) };
}

/// Raw mode and the alternate screen, undone when dropped.
#[derive(Debug)]
pub struct Screen(());

impl Screen {
    /// Enters raw mode and the alternate screen (hiding the cursor).
    pub fn enter() -> io::Result<Screen> {
        let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills `saved` when it returns 0.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, saved.as_mut_ptr()) } == 0 {
            // SAFETY: initialised by the successful call above.
            let _ = SAVED.set(unsafe { saved.assume_init() });
        }
        install_panic_restore();
        crossterm::terminal::enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let screen = Screen(());
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        Ok(screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves the alternate screen and raw mode, once (later calls do
/// nothing).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// A panic anywhere restores the terminal before the message is printed.
fn install_panic_restore() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
