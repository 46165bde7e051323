//! The live view's thread: draws the hub's snapshot a few times a second
//! until the run ends or the user leaves, and reads the keys — `q` (or
//! Esc) leaves the view and lets the run go on with its usual output;
//! Ctrl-C, which arrives as a key in raw mode, leaves the view and sends
//! SIGINT to this process, so that the runner's handlers cancel the run
//! (and a second Ctrl-C, on the restored terminal, ends it) exactly as
//! without the view.

use super::draw::draw;
use super::hub::LiveHub;
use super::notices::Notices;
use super::terminal::{restore, Screen};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use indicatif::ProgressBar;
use perfwatch_runner::Cancel;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long the view waits for a key between two frames.
const FRAME: Duration = Duration::from_millis(200);

/// The open view.
pub struct View {
    /// Says whether the view may open again for the next session.
    thread: JoinHandle<bool>,
}

/// What the view needs besides the hub.
pub struct ViewParts {
    /// Cancelled by a signal: the view closes.
    pub cancel: Cancel,
    /// perfwatch's own messages, held while the view is open.
    pub notices: Arc<Notices>,
    /// The progress bar to show once the view is left before the run's
    /// end (hidden while the view is open).
    pub bar: Option<ProgressBar>,
}

impl View {
    /// Takes the terminal (raw mode, alternate screen) and starts drawing.
    pub fn open(hub: Arc<LiveHub>, parts: ViewParts) -> io::Result<View> {
        let screen = Screen::enter()?;
        parts.notices.view_opened();
        let thread = thread::Builder::new()
            .name("perfwatch-live-view".into())
            .spawn(move || {
                let why = show(&hub, &parts.cancel, &parts.notices);
                // The terminal is ours again before anything is said.
                drop(screen);
                restore();
                parts.notices.view_closed();
                let reopen = matches!(why, Closed::Ended);
                match why {
                    Closed::Interrupt => {
                        // SAFETY: sends a signal to this process; its
                        // handlers only set flags (first) or exit (second).
                        unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
                    }
                    Closed::Left if hub.running() => {
                        if let Some(bar) = &parts.bar {
                            bar.set_draw_target(crate::observer::progress_target());
                        }
                    }
                    Closed::Left | Closed::Ended | Closed::Broken => {}
                }
                reopen
            })?;
        Ok(View { thread })
    }

    /// Waits for the view to close (call after the hub heard the run's
    /// end): the terminal is restored when this returns. False when the
    /// user left the view (or it failed): it stays closed for the next
    /// sessions of the run.
    pub fn close(self) -> bool {
        let reopen = self.thread.join().unwrap_or(false);
        restore();
        reopen
    }
}

/// Why the view closed.
enum Closed {
    /// `q` or Esc.
    Left,
    /// Ctrl-C.
    Interrupt,
    /// The run ended, or a signal cancelled it.
    Ended,
    /// The terminal failed.
    Broken,
}

fn show(hub: &LiveHub, cancel: &Cancel, notices: &Notices) -> Closed {
    let Ok(mut terminal) = Terminal::new(CrosstermBackend::new(io::stdout())) else {
        return Closed::Broken;
    };
    loop {
        if !hub.running() || cancel.is_cancelled() {
            return Closed::Ended;
        }
        hub.refresh();
        let snapshot = hub.snapshot();
        let held = notices.held();
        if terminal.draw(|f| draw(f, &snapshot, &held)).is_err() {
            return Closed::Broken;
        }
        match event::poll(FRAME) {
            Ok(false) => {}
            Ok(true) => match event::read() {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => {
                    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                    match key.code {
                        KeyCode::Char('c') | KeyCode::Char('C') if ctrl => {
                            return Closed::Interrupt
                        }
                        KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => {
                            return Closed::Left
                        }
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(_) => return Closed::Broken,
            },
            Err(_) => return Closed::Broken,
        }
    }
}
