//! The track catalogue every playlist is drawn from, and its costly build.

use std::time::Duration;

use crate::work::{burn, mix};

/// Tracks in the catalogue.
const TRACKS: u64 = 10_000;
/// CPU time of the build (hashing the catalogue, as if indexing it).
const BUILD_CPU: Duration = Duration::from_millis(800);
/// Waiting time of the build (as if reading it from a disk or a network).
const BUILD_WAIT: Duration = Duration::from_millis(400);

/// Track ids, indexed by position.
#[derive(Debug)]
pub(crate) struct Catalogue {
    tracks: Vec<u32>,
}

impl Catalogue {
    /// Builds the catalogue: CPU-bound work on the calling thread, then a wait.
    ///
    /// The CPU part deliberately blocks the caller, as a module import does:
    /// with lazy init it stalls the worker that serves the first request.
    pub(crate) async fn load() -> Self {
        let catalogue = Self::index();
        tokio::time::sleep(BUILD_WAIT).await;
        catalogue
    }

    fn index() -> Self {
        let tracks: Vec<u32> = (0..TRACKS).map(|i| (mix(i) >> 32) as u32).collect();
        burn(BUILD_CPU, u64::from(tracks[0]));
        Self { tracks }
    }

    /// `len` track ids chosen by `seed`; the same arguments give the same ids.
    pub(crate) fn pick(&self, seed: u64, len: usize) -> Vec<u32> {
        let mut state = mix(seed);
        (0..len)
            .map(|_| {
                state = mix(state);
                self.tracks[(state % self.tracks.len() as u64) as usize]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_is_repeatable_and_depends_on_the_seed() {
        let catalogue = Catalogue {
            tracks: (0..100).map(|i| (mix(i) >> 32) as u32).collect(),
        };
        assert_eq!(catalogue.pick(3, 10), catalogue.pick(3, 10));
        assert_ne!(catalogue.pick(3, 10), catalogue.pick(4, 10));
        assert_eq!(catalogue.pick(3, 0), Vec::<u32>::new());
    }
}
