//! Figures of segments kept between analyses by the incremental detector.
//!
//! Values below the stable length never change again, so neither does a
//! median, a t-test or a magnitude computed from segments that end there.
//! Appending a point then re-tests only the change points next to the end of
//! the series. Entries the last analysis did not use are dropped, which
//! bounds the cache by the number of weak change points.

use std::collections::HashMap;
use std::hash::Hash;

use super::hampel::median_in_place;

/// A memo from keys to values, with a generation stamp per entry.
#[derive(Debug, Clone)]
struct Memo<K> {
    entries: HashMap<K, (f64, u64)>,
}

impl<K> Default for Memo<K> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Memo<K> {
    fn get_or_compute(
        &mut self,
        key: K,
        generation: u64,
        keep: bool,
        compute: impl FnOnce() -> f64,
    ) -> f64 {
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.1 = generation;
            return entry.0;
        }
        let value = compute();
        if keep {
            self.entries.insert(key, (value, generation));
        }
        value
    }

    fn retain(&mut self, generation: u64) {
        self.entries.retain(|_, entry| entry.1 == generation);
    }
}

/// Medians of segments `[start, end)`, and p-values and magnitudes of change
/// points `index` between segments `[start, index)` and `[index, end)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SegmentCache {
    medians: Memo<(usize, usize)>,
    p_values: Memo<(usize, usize, usize)>,
    magnitudes: Memo<(usize, usize, usize)>,
    generation: u64,
    /// Figures of segments ending at or before this index are kept.
    stable_len: usize,
    scratch: Vec<f64>,
}

impl SegmentCache {
    /// Starts an analysis in which values from `stable_len` on may still change.
    pub fn begin(&mut self, stable_len: usize) {
        self.stable_len = stable_len;
    }

    /// Forgets what the analysis just ended did not use.
    pub fn end(&mut self) {
        self.medians.retain(self.generation);
        self.p_values.retain(self.generation);
        self.magnitudes.retain(self.generation);
        self.generation += 1;
    }

    /// Median of `values[start..end]`.
    pub fn median(&mut self, values: &[f64], start: usize, end: usize) -> f64 {
        let Self {
            medians,
            generation,
            stable_len,
            scratch,
            ..
        } = self;
        medians.get_or_compute((start, end), *generation, end <= *stable_len, || {
            scratch.clear();
            scratch.extend_from_slice(&values[start..end]);
            median_in_place(scratch)
        })
    }

    /// The p-value of the point `index` in `[start, end)`, computed once.
    pub fn p_value(
        &mut self,
        start: usize,
        index: usize,
        end: usize,
        compute: impl FnOnce() -> f64,
    ) -> f64 {
        let keep = end <= self.stable_len;
        self.p_values
            .get_or_compute((start, index, end), self.generation, keep, compute)
    }

    /// The magnitude of the point `index` in `[start, end)`, computed once.
    pub fn magnitude(
        &mut self,
        start: usize,
        index: usize,
        end: usize,
        compute: impl FnOnce(&mut Self) -> f64,
    ) -> f64 {
        let key = (start, index, end);
        if let Some(entry) = self.magnitudes.entries.get_mut(&key) {
            entry.1 = self.generation;
            return entry.0;
        }
        let value = compute(self);
        if end <= self.stable_len {
            self.magnitudes
                .entries
                .insert(key, (value, self.generation));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_figures_are_kept_until_unused() {
        let values = [5.0, 1.0, 3.0, 2.0, 4.0];
        let mut cache = SegmentCache::default();
        cache.begin(4);
        assert_eq!(cache.median(&values, 0, 3), 3.0);
        assert_eq!(cache.median(&values, 0, 5), 3.0); // past the stable length
        assert_eq!(cache.p_value(0, 2, 4, || 0.5), 0.5);
        assert_eq!(cache.p_value(0, 2, 4, || unreachable!()), 0.5);
        assert_eq!(cache.p_value(0, 2, 5, || 0.25), 0.25);
        assert_eq!(cache.p_value(0, 2, 5, || 0.75), 0.75);
        cache.end();
        assert_eq!(cache.medians.entries.len(), 1);
        cache.begin(5);
        cache.end(); // nothing used: everything goes
        assert!(cache.medians.entries.is_empty() && cache.p_values.entries.is_empty());
    }
}
