//! A bounded in-memory cache of playlists.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::playlist::Playlist;

/// Entries kept at most.
const CAPACITY: usize = 1_000;

/// What a playlist is cached under: its seed and length.
pub(crate) type Key = (u64, usize);

/// Playlists by key, evicting the least recently used entry when full.
///
/// Eviction scans every entry; with a thousand entries that costs a few
/// microseconds, only on a miss, which is simpler than a linked list.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Value and the tick of its last use.
    map: HashMap<Key, (Playlist, u64)>,
    tick: u64,
}

impl Default for Cache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl Cache {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::default(),
        }
    }

    /// The playlist cached under `key`, marked as just used.
    pub(crate) fn get(&self, key: Key) -> Option<Playlist> {
        let mut entries = self.lock();
        entries.tick += 1;
        let tick = entries.tick;
        let (playlist, used) = entries.map.get_mut(&key)?;
        *used = tick;
        Some(playlist.clone())
    }

    /// Caches `playlist` under `key`, evicting the least recently used if full.
    pub(crate) fn insert(&self, key: Key, playlist: Playlist) {
        let mut entries = self.lock();
        entries.tick += 1;
        let tick = entries.tick;
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            let oldest = entries
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                entries.map.remove(&oldest);
            }
        }
        entries.map.insert(key, (playlist, tick));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playlist(seed: u64) -> Playlist {
        Playlist {
            seed,
            tracks: vec![seed as u32],
        }
    }

    #[test]
    fn a_full_cache_evicts_the_least_recently_used() {
        let cache = Cache::with_capacity(2);
        cache.insert((1, 3), playlist(1));
        cache.insert((2, 3), playlist(2));
        assert!(cache.get((1, 3)).is_some());
        cache.insert((3, 3), playlist(3));
        assert_eq!(cache.get((1, 3)), Some(playlist(1)));
        assert_eq!(cache.get((2, 3)), None);
        assert!(cache.get((3, 3)).is_some());
    }

    #[test]
    fn the_length_is_part_of_the_key() {
        let cache = Cache::default();
        cache.insert((1, 3), playlist(1));
        assert_eq!(cache.get((1, 4)), None);
    }
}
