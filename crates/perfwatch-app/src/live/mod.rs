//! A run as it happens, for the live view (`run --live`) and the team
//! server's "Running now": the runner's events accumulated into a
//! [`LiveSnapshot`](perfwatch_model::LiveSnapshot) ([`LiveRun`], pure),
//! the current iteration's stages placed as their calls close
//! ([`StageTable`]), the span file followed as it grows ([`SpanTail`]),
//! snapshots sent to a team server ([`SnapshotPoster`]) and read back
//! from a request body there ([`parse_snapshot`]).

mod parse;
mod post;
mod run;
mod stages;
mod tail;

pub use parse::{parse_snapshot, LiveParseError};
pub use post::{live_endpoint, SnapshotPoster};
pub use run::LiveRun;
pub use stages::{Call, StageTable, MAX_KNOWN, MAX_PENDING};
pub use tail::SpanTail;
