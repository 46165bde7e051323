//! How many times each stage was called under each parent on one thread:
//! the counts that decide when calls start folding into aggregates.

use crate::fxhash::FxBuild;
use std::collections::{HashMap, HashSet};

/// No aggregate slot yet.
pub(crate) const NO_SLOT: u32 = u32::MAX;
/// Parent key of the per-stage overflow aggregate (see [`Children`]).
pub(crate) const OVERFLOW: u64 = u64::MAX;
/// Entries kept at least before pruning is worth it.
const MIN_PRUNE_AT: usize = 4096;

/// Calls of one stage under one parent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Calls seen (saturating).
    pub count: u32,
    /// The aggregate that folds further calls, or [`NO_SLOT`].
    pub slot: u32,
    /// That aggregate's id.
    pub agg_id: u64,
}

/// A frame's memory of its last child stage, to skip the hash lookup in
/// loops.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cache {
    site: usize,
    entry: u32,
    generation: u32,
}

impl Cache {
    /// Remembers nothing.
    pub(crate) const EMPTY: Cache = Cache {
        site: 0,
        entry: 0,
        generation: u32::MAX,
    };
}

/// Call counts per (parent id, stage) on one thread.
///
/// Keys are parent ids and site addresses. Parent 0 is the thread's top
/// level; [`OVERFLOW`] holds one aggregate per stage for calls past the
/// stage's thread-wide budget (deep recursion has a new parent on every
/// level, so per-parent caps alone would not bound it).
#[derive(Debug)]
pub(crate) struct Children {
    map: HashMap<(u64, usize), u32, FxBuild>,
    entries: Vec<Entry>,
    keys: Vec<(u64, usize)>,
    aggregates: HashSet<u64, FxBuild>,
    generation: u32,
    prune_at: usize,
}

impl Children {
    /// No counts.
    pub(crate) fn new() -> Children {
        Children {
            map: HashMap::default(),
            entries: Vec::new(),
            keys: Vec::new(),
            aggregates: HashSet::default(),
            generation: 0,
            prune_at: MIN_PRUNE_AT,
        }
    }

    /// The entry of `site` under `parent`, through `cache` when it
    /// remembers it.
    #[inline]
    pub(crate) fn lookup(&mut self, parent: u64, site: usize, cache: &mut Cache) -> usize {
        if cache.site == site && cache.generation == self.generation {
            return cache.entry as usize;
        }
        let index = self.find(parent, site);
        *cache = Cache {
            site,
            entry: index as u32,
            generation: self.generation,
        };
        index
    }

    /// The entry of `site` under `parent`, made when missing.
    pub(crate) fn find(&mut self, parent: u64, site: usize) -> usize {
        let next = self.entries.len() as u32;
        let index = *self.map.entry((parent, site)).or_insert(next);
        if index == next {
            self.entries.push(Entry {
                count: 0,
                slot: NO_SLOT,
                agg_id: 0,
            });
            self.keys.push((parent, site));
        }
        index as usize
    }

    /// An entry by index.
    #[inline]
    pub(crate) fn entry(&mut self, index: usize) -> &mut Entry {
        &mut self.entries[index]
    }

    /// Notes that `id` is an aggregate: calls folded into it keep counting
    /// their children under it.
    pub(crate) fn add_aggregate(&mut self, id: u64) {
        self.aggregates.insert(id);
    }

    /// True when enough entries piled up to be worth pruning.
    #[inline]
    pub(crate) fn wants_pruning(&self) -> bool {
        self.entries.len() >= self.prune_at
    }

    /// Forgets the counts under parents that ended (no child can come
    /// under them again); `is_open` tells which are still open.
    pub(crate) fn prune(&mut self, is_open: impl Fn(u64) -> bool) {
        let keep = |parent: u64| {
            parent == 0
                || parent == OVERFLOW
                || self.aggregates.contains(&parent)
                || is_open(parent)
        };
        let mut map = HashMap::default();
        let mut entries = Vec::new();
        let mut keys = Vec::new();
        for (key, entry) in self.keys.iter().zip(&self.entries) {
            if keep(key.0) {
                map.insert(*key, entries.len() as u32);
                entries.push(*entry);
                keys.push(*key);
            }
        }
        self.map = map;
        self.entries = entries;
        self.keys = keys;
        self.generation = self.generation.wrapping_add(1);
        self.prune_at = (self.entries.len() * 2).max(MIN_PRUNE_AT);
    }

    /// Entries held (tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_skips_lookups_until_pruned() {
        let mut c = Children::new();
        let mut cache = Cache::EMPTY;
        let a = c.lookup(5, 0x10, &mut cache);
        c.entry(a).count += 1;
        assert_eq!(c.lookup(5, 0x10, &mut cache), a);
        let b = c.lookup(5, 0x20, &mut cache);
        assert_ne!(a, b);
        assert_eq!(c.find(5, 0x10), a);
        c.prune(|id| id == 5);
        // Indices may move; the cache must not be trusted any more.
        let again = c.lookup(5, 0x10, &mut cache);
        assert_eq!(c.entry(again).count, 1);
    }

    #[test]
    fn pruning_keeps_open_parents_top_level_and_aggregates() {
        let mut c = Children::new();
        for parent in [0, OVERFLOW, 1, 2, 3, 4] {
            let i = c.find(parent, 0x10);
            c.entry(i).count = parent as u32 % 1000 + 1;
        }
        c.add_aggregate(3);
        c.prune(|id| id == 2);
        assert_eq!(c.len(), 4);
        for parent in [0, OVERFLOW, 2, 3] {
            let i = c.find(parent, 0x10);
            assert_eq!(
                c.entry(i).count,
                parent as u32 % 1000 + 1,
                "parent {parent}"
            );
        }
        assert_eq!(c.len(), 4);
        let gone = c.find(1, 0x10);
        assert_eq!(c.entry(gone).count, 0);
    }
}
