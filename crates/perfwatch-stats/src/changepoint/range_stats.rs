//! Mean and variance of any contiguous range of an append-only series in
//! O(log n), without the cancellation that prefix sums of squares suffer.
//!
//! Values are grouped into aligned blocks of 1, 2, 4, … points; each block
//! keeps its count, mean and sum of squared deviations, and two blocks are
//! combined with the pairwise update of Chan, Golub and LeVeque (1979). A
//! range is the combination of at most 2·log₂(n) blocks. A block is built once,
//! when its last point arrives, so appending never changes an answer about
//! points already present: the batch and the incremental detector see
//! bit-identical figures.

/// Count, mean and sum of squared deviations from the mean of some values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Moments {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean (0 when empty).
    pub mean: f64,
    /// Σ (x − mean)².
    pub m2: f64,
}

impl Moments {
    /// The moments of one value.
    pub fn single(x: f64) -> Self {
        Self {
            n: 1,
            mean: x,
            m2: 0.0,
        }
    }

    /// The moments of the union of two disjoint groups.
    pub fn combine(self, other: Self) -> Self {
        if self.n == 0 {
            return other;
        }
        if other.n == 0 {
            return self;
        }
        let n = self.n + other.n;
        let (na, nb, nn) = (self.n as f64, other.n as f64, n as f64);
        let delta = other.mean - self.mean;
        Self {
            n,
            mean: self.mean + delta * nb / nn,
            m2: self.m2 + other.m2 + delta * delta * na * nb / nn,
        }
    }

    /// Sample standard deviation (n − 1 in the denominator); 0 below two values.
    pub fn stddev(self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

/// An append-only series with O(log n) range moments.
#[derive(Debug, Clone, Default)]
pub(crate) struct RangeStats {
    values: Vec<f64>,
    /// `levels[l][i]` holds the moments of the block `[i·2^(l+1), (i+1)·2^(l+1))`;
    /// single values (blocks of size 1) are read from `values`.
    levels: Vec<Vec<Moments>>,
}

impl RangeStats {
    /// Builds the structure over `values`.
    pub fn from_values(values: &[f64]) -> Self {
        let mut stats = Self::default();
        stats.extend(values);
        stats
    }

    /// The values appended so far.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Appends values, completing every block they close.
    pub fn extend(&mut self, values: &[f64]) {
        for &x in values {
            self.push(x);
        }
    }

    /// Drops the values from `len` on, and every block holding one of them.
    pub fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
        for (level, blocks) in self.levels.iter_mut().enumerate() {
            blocks.truncate(len >> (level + 1));
        }
    }

    fn push(&mut self, x: f64) {
        self.values.push(x);
        let mut count = self.values.len();
        let mut level = 0;
        // The block that just got its last point at each level, bottom-up.
        while count & 1 == 0 {
            let right = self.block(level, count - 1);
            let left = self.block(level, count - 2);
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(left.combine(right));
            count /= 2;
            level += 1;
        }
    }

    /// Block `i` of size 2^level.
    fn block(&self, level: usize, i: usize) -> Moments {
        if level == 0 {
            Moments::single(self.values[i])
        } else {
            self.levels[level - 1][i]
        }
    }

    /// Moments of `values[start..end]` (empty moments for an empty range).
    pub fn range(&self, start: usize, end: usize) -> Moments {
        debug_assert!(start <= end && end <= self.values.len());
        let mut acc = Moments::default();
        let mut at = start;
        while at < end {
            // The largest aligned block starting at `at` that fits in the range.
            let mut level = 0;
            while level < usize::BITS as usize - 1 {
                let size = 1usize << (level + 1);
                if at & (size - 1) != 0 || at + size > end {
                    break;
                }
                level += 1;
            }
            acc = acc.combine(self.block(level, at >> level));
            at += 1 << level;
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(values: &[f64]) -> Moments {
        let n = values.len();
        if n == 0 {
            return Moments::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        Moments { n, mean, m2 }
    }

    #[test]
    fn every_range_matches_a_direct_computation() {
        let values: Vec<f64> = (0..37).map(|i| ((i * 7919) % 23) as f64 + 0.5).collect();
        let stats = RangeStats::from_values(&values);
        for a in 0..=values.len() {
            for b in a..=values.len() {
                let got = stats.range(a, b);
                let want = direct(&values[a..b]);
                assert_eq!(got.n, want.n, "[{a}, {b})");
                assert!((got.mean - want.mean).abs() < 1e-12, "[{a}, {b})");
                assert!((got.m2 - want.m2).abs() < 1e-9, "[{a}, {b})");
            }
        }
    }

    #[test]
    fn appending_does_not_change_earlier_answers() {
        let values: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin() * 10.0).collect();
        let mut grown = RangeStats::from_values(&values[..40]);
        let before = grown.range(3, 39);
        grown.extend(&values[40..]);
        assert_eq!(grown.range(3, 39), before);
        assert_eq!(RangeStats::from_values(&values).range(3, 39), before);
    }

    #[test]
    fn truncating_then_regrowing_equals_building_afresh() {
        let values: Vec<f64> = (0..77).map(|i| (i as f64 * 1.3).cos()).collect();
        let mut other: Vec<f64> = values.clone();
        other[50..].iter_mut().for_each(|v| *v += 3.0);
        let mut stats = RangeStats::from_values(&values);
        stats.truncate(50);
        stats.extend(&other[50..]);
        let fresh = RangeStats::from_values(&other);
        for (a, b) in [(0, 77), (10, 64), (49, 51), (63, 64)] {
            assert_eq!(stats.range(a, b), fresh.range(a, b), "[{a}, {b})");
        }
    }

    #[test]
    fn large_offsets_keep_the_variance() {
        // Prefix sums of squares would lose every digit of this variance.
        let values: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 2) as f64).collect();
        let m = RangeStats::from_values(&values).range(0, 1000);
        assert!((m.stddev() - 0.50025).abs() < 1e-4, "{}", m.stddev());
    }
}
