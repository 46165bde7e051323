//! The service's shared state and what a playlist request does with it.

use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::cache::Cache;
use crate::catalogue::Catalogue;
use crate::config::{Config, Handler};
use crate::metrics::Metrics;
use crate::playlist::{self, Playlist};
use crate::stall::Stall;

/// State shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    handler: Handler,
    catalogue: OnceCell<Catalogue>,
    cache: Option<Cache>,
    stall: Option<Stall>,
    /// When the service started listening: where stall periods count from.
    started: Instant,
    /// Counters served on `/metrics`.
    pub(crate) metrics: Metrics,
}

impl App {
    /// State for `config`, with the catalogue if it was built already;
    /// made just before the service starts listening.
    pub(crate) fn new(config: &Config, catalogue: Option<Catalogue>) -> Self {
        Self {
            handler: config.handler,
            catalogue: OnceCell::new_with(catalogue),
            cache: config.cache.then(Cache::default),
            stall: config.stall,
            started: Instant::now(),
            metrics: Metrics::new(config.workers.get()),
        }
    }

    /// Holds a request that arrived during a stall window until the window
    /// ends; returns at once otherwise. Called first thing by the playlist
    /// endpoint.
    pub(crate) async fn stall(&self) {
        let Some(stall) = &self.stall else { return };
        let arrived = Instant::now();
        let hold = stall.hold(arrived - self.started);
        if !hold.is_zero() {
            // `arrived + hold` is the window's end, the same for every
            // request held in it.
            tokio::time::sleep_until(arrived + hold).await;
        }
    }

    /// The playlist for `seed` with `len` tracks, from the cache if it is on.
    pub(crate) async fn playlist(&self, seed: u64, len: usize) -> Playlist {
        let Some(cache) = &self.cache else {
            return self.build(seed, len).await;
        };
        let cached = cache.get((seed, len));
        self.metrics.cache_lookup(cached.is_some());
        if let Some(playlist) = cached {
            return playlist;
        }
        let playlist = self.build(seed, len).await;
        cache.insert((seed, len), playlist.clone());
        playlist
    }

    async fn build(&self, seed: u64, len: usize) -> Playlist {
        // With lazy init the first request builds the catalogue; requests
        // arriving meanwhile wait for that one build.
        let catalogue = self.catalogue.get_or_init(Catalogue::load).await;
        playlist::build(catalogue, seed, len, self.handler).await
    }
}
