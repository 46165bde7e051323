//! The thread that sends a run's snapshots to the team server while it
//! runs (`run --push`): about once a second, soon after each iteration
//! ends, and once more when the run ends. It never holds up or fails the
//! measurement: a failure is said once (through [`Notices`]) and the
//! next snapshots are tried all the same.

use super::hub::LiveHub;
use super::notices::Notices;
use perfwatch_app::live::SnapshotPoster;
use perfwatch_app::push::ServerUrl;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Least time between two posts (the last one excepted).
const GAP: Duration = Duration::from_secs(1);

/// Longest wait, once the run ended, for its last snapshot to be sent.
const LAST_POST_WAIT: Duration = Duration::from_secs(3);

/// The posting thread of one run.
pub struct Poster {
    done: mpsc::Receiver<()>,
}

impl Poster {
    /// Starts posting `hub`'s snapshots to `server`.
    pub fn start(
        hub: Arc<LiveHub>,
        server: &ServerUrl,
        token: Option<String>,
        notices: Arc<Notices>,
    ) -> std::io::Result<Poster> {
        let client = SnapshotPoster::new(server, token);
        let server = server.to_string();
        let (tx, done) = mpsc::channel();
        thread::Builder::new()
            .name("perfwatch-live-post".into())
            .spawn(move || {
                post_until_end(&hub, &client, &server, &notices);
                let _ = tx.send(());
            })?;
        Ok(Poster { done })
    }

    /// Waits (a few seconds at most) for the run's last snapshot to go;
    /// call after [`LiveHub::end`]. A server slower than that is left
    /// behind.
    pub fn finish(self) {
        let _ = self.done.recv_timeout(LAST_POST_WAIT);
    }
}

fn post_until_end(hub: &LiveHub, client: &SnapshotPoster, server: &str, notices: &Notices) {
    let mut said = false;
    let mut seen = 0;
    loop {
        let started = Instant::now();
        let running = hub.running();
        hub.refresh();
        match client.post(&hub.snapshot()) {
            Ok(()) => {}
            Err(e) if !said => {
                said = true;
                notices.say(format!(
                    "the live view of this run could not be sent to {server}: {e} \
                     (the run goes on; its session is pushed at the end)"
                ));
            }
            Err(_) => {}
        }
        if !running {
            return;
        }
        // The next post when an iteration ends or the run does, but at
        // most one a second, however short the iterations.
        seen = hub.wait_change(seen, GAP);
        while hub.running() {
            match GAP.checked_sub(started.elapsed()) {
                Some(rest) if !rest.is_zero() => seen = hub.wait_change(seen, rest),
                _ => break,
            }
        }
    }
}
