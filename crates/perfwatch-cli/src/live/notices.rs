//! perfwatch's own messages while a run goes on (a team server that
//! cannot be reached): said on standard error at once, or — while the
//! live view holds the terminal, where a line on standard error would
//! tear the screen — shown in the view and said when it closes.

use std::sync::Mutex;

/// Messages, held back while the view is open.
#[derive(Debug, Default)]
pub struct Notices {
    state: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    view_open: bool,
    held: Vec<String>,
}

impl Notices {
    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Says `message` as a warning (now, or when the view closes).
    pub fn say(&self, message: String) {
        let mut s = self.lock();
        if s.view_open {
            s.held.push(message);
        } else {
            eprintln!(
                "warning: {}",
                perfwatch_report::printable::printable_lines(&message)
            );
        }
    }

    /// The view opened: messages wait.
    pub fn view_opened(&self) {
        self.lock().view_open = true;
    }

    /// The messages waiting, for the view to show.
    pub fn held(&self) -> Vec<String> {
        self.lock().held.clone()
    }

    /// The view closed: the waiting messages are said now.
    pub fn view_closed(&self) {
        let held = {
            let mut s = self.lock();
            s.view_open = false;
            std::mem::take(&mut s.held)
        };
        for message in held {
            self.say(message);
        }
    }
}
