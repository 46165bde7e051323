//! What happens to the history through the API, broadcast to whoever
//! listens (a live dashboard, metrics): each event is sent after the
//! change is committed.

use serde::Serialize;

/// A change to the history made through the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SessionEvent {
    /// A session was stored (`POST /api/v1/sessions` answered 201).
    Stored {
        /// The session's id.
        id: String,
        /// Its benchmark.
        benchmark: String,
        /// Its iterations stored.
        iterations: usize,
    },
    /// A session appeared that this server did not store itself: written
    /// by another server over the same database, or by a `perfwatch run`
    /// using it directly (seen by [`crate::watch`]).
    Appeared {
        /// The newest session's id.
        id: String,
    },
    /// A session was deleted.
    Deleted {
        /// The session's id.
        id: String,
    },
}

/// How many events a slow listener may lag behind before it misses some
/// (it is told so by `RecvError::Lagged`, and can reload).
pub const EVENT_CAPACITY: usize = 256;

/// A change to the runs in progress that CLIs report
/// ([`crate::live_runs`]), sent on the live page's stream as `event: live`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A run's newest snapshot arrived.
    Updated {
        /// The snapshot (`perfwatch.live.v1`).
        snapshot: Box<perfwatch_model::LiveSnapshot>,
    },
    /// A run is no longer kept (ended and stored, or silent too long).
    Forgotten {
        /// The run's session id.
        run_id: String,
    },
}
