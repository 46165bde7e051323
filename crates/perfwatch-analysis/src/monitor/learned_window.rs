//! The learned baseline's percentiles as a replay walks a stage's series:
//! the last `take` points not excluded before the window, kept sorted, so
//! that each step costs one insertion and one removal instead of a copy
//! and two selections of `take` values (every window of every stage of
//! every pipeline is replayed at each alert pass).
//!
//! It answers only the cheap question most windows stop at (is the
//! window's median past the baseline's p95?); a window that passes it is
//! judged against the [`Reference`](super::reference::Reference) built as
//! before, so the alerts are the same to the bit.

use super::reference::Point;
use perfwatch_stats::percentile::quantile_sorted;
use std::collections::VecDeque;

/// The sorted times of the last `take` points not excluded before
/// `next`.
#[derive(Debug)]
pub(crate) struct LearnedWindow {
    take: usize,
    /// Points before this position have been considered.
    next: usize,
    /// The positions held, oldest first.
    held: VecDeque<usize>,
    /// Their values, ascending (`f64::total_cmp`).
    sorted: Vec<f64>,
}

impl LearnedWindow {
    /// An empty window of at most `take` points (at least 1).
    pub fn new(take: usize) -> LearnedWindow {
        let take = take.max(1);
        LearnedWindow {
            take,
            next: 0,
            held: VecDeque::with_capacity(take + 1),
            sorted: Vec::with_capacity(take + 1),
        }
    }

    /// Moves to the baseline before position `start` of `points`, with
    /// `excluded` as it is now. Exclusions of positions already passed
    /// must be told with [`LearnedWindow::forget_from`].
    pub fn advance(&mut self, points: &[Point<'_>], excluded: &[bool], start: usize) {
        if start < self.next {
            self.forget_from(0);
        }
        while self.next < start {
            let i = self.next;
            self.next += 1;
            if excluded[i] {
                continue;
            }
            let v = points[i].value;
            let at = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
            self.sorted.insert(at, v);
            self.held.push_back(i);
            if self.held.len() > self.take {
                if let Some(old) = self.held.pop_front() {
                    self.remove(points[old].value);
                }
            }
        }
    }

    /// Exclusions changed at positions from `from` on: start again from
    /// the first point when any of those was already considered.
    pub fn forget_from(&mut self, from: usize) {
        if from < self.next {
            self.next = 0;
            self.held.clear();
            self.sorted.clear();
        }
    }

    /// How many points the baseline holds.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// The baseline's `q`-quantile (as [`perfwatch_stats::quantile`] gives
    /// it for the same values); `None` when it holds none.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        quantile_sorted(&self.sorted, q)
    }

    fn remove(&mut self, v: f64) {
        let at = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
        debug_assert!(self.sorted.get(at).is_some_and(|x| x.total_cmp(&v).is_eq()));
        if at < self.sorted.len() {
            self.sorted.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference::Reference;
    use super::super::run_point::StageFigures;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Walking forward, with exclusions set along the way as an alert's
        /// resolve sets them, the window holds what `Reference::learned`
        /// builds from scratch at every position: the same count and the
        /// same p50 and p95, to the bit.
        #[test]
        fn the_sliding_baseline_matches_the_one_built_afresh(
            values in proptest::collection::vec(0.0f64..10.0, 1..120),
            take in 1usize..30,
            exclusions in proptest::collection::vec((0usize..120, 1usize..10, 0usize..120), 0..4),
        ) {
            let figures: Vec<StageFigures> =
                values.iter().map(|&v| StageFigures::duration(v)).collect();
            let points: Vec<Point<'_>> = figures
                .iter()
                .enumerate()
                .map(|(run, f)| Point { run, value: f.total_s, figures: f })
                .collect();
            let mut excluded = vec![false; points.len()];
            let mut window = LearnedWindow::new(take);
            for start in 0..points.len() {
                // (at, len, when): once the walk reaches `when`, positions
                // at.. are excluded.
                for &(at, len, when) in &exclusions {
                    if when == start && at < points.len() {
                        let end = (at + len).min(points.len());
                        excluded[at..end].iter_mut().for_each(|e| *e = true);
                        window.forget_from(at);
                    }
                }
                window.advance(&points, &excluded, start);
                let fresh = Reference::learned(&points, &excluded, start, take);
                match fresh {
                    None => prop_assert_eq!(window.len(), 0),
                    Some(r) => {
                        prop_assert_eq!(window.len(), r.values.len());
                        prop_assert_eq!(window.quantile(0.5).map(f64::to_bits), Some(r.p50.to_bits()));
                        prop_assert_eq!(window.quantile(0.95).map(f64::to_bits), Some(r.p95.to_bits()));
                    }
                }
            }
        }
    }
}
