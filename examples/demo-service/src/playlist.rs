//! Building one playlist: CPU work over the catalogue and a downstream call.

use std::time::Duration;

use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::config::Handler;
use crate::work::burn;

/// CPU time spent ranking candidates for one playlist.
const RANK_CPU: Duration = Duration::from_millis(5);
/// Latency of the simulated downstream call (say, a recommendations API).
pub(crate) const DOWNSTREAM: Duration = Duration::from_millis(20);

/// What `/api/playlist` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Playlist {
    pub(crate) seed: u64,
    pub(crate) tracks: Vec<u32>,
}

/// Builds the playlist for `seed` with `len` tracks.
pub(crate) async fn build(
    catalogue: &Catalogue,
    seed: u64,
    len: usize,
    handler: Handler,
) -> Playlist {
    let tracks = catalogue.pick(seed, len);
    burn(RANK_CPU, seed);
    match handler {
        Handler::Async => tokio::time::sleep(DOWNSTREAM).await,
        // The planted problem: a blocking wait holds the worker thread, so
        // no other request can run on it meanwhile.
        Handler::Blocking => std::thread::sleep(DOWNSTREAM),
    }
    Playlist { seed, tracks }
}
