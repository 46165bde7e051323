//! Which variant runs next, and when to stop: pure logic, no clock.
//!
//! Warm-ups come first: `warmup` iterations of each variant, in plan
//! order. Measured iterations follow in the plan's [`Order`]:
//!
//! * **Interleaved** and **shuffled** plans run in *rounds*; each round runs
//!   every variant once (in plan order, or in a seeded random order), so
//!   every variant gets the same number of iterations and slow drift of the
//!   machine hits all of them alike. Rounds continue until at least
//!   `min_runs` rounds ran *and* the measured time of all variants together
//!   reaches `min_time` × the number of variants (so each variant gets
//!   `min_time` on average), capped at `max_runs` rounds.
//! * **Sequential** plans run each variant until it alone has `min_runs`
//!   iterations and `min_time` of measured time (hyperfine's rule), capped
//!   at `max_runs`, then move to the next variant.
//!
//! The decision uses the wall times actually measured, reported through
//! [`Schedule::finished`], rather than an estimate from the first run, so
//! a slow first (cold) iteration does not cut the sample short. Timed-out
//! and failed iterations count as runs, so a command that always times out
//! cannot loop forever.

use crate::plan::{Order, RunCount};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// One planned execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index of the variant in the plan.
    pub variant: usize,
    /// A warm-up iteration.
    pub warmup: bool,
}

/// Measured iterations of one variant so far.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    count: u32,
    total_s: f64,
}

/// The scheduler: ask [`Schedule::next_slot`] for a slot, run it, report its
/// wall time with [`Schedule::finished`], repeat until it says `None`.
#[derive(Debug)]
pub struct Schedule {
    runs: RunCount,
    order: Order,
    n_variants: usize,
    warmups: VecDeque<usize>,
    warmup_total: u64,
    rng: ChaCha8Rng,
    round: VecDeque<usize>,
    rounds: u32,
    sequential_variant: usize,
    tallies: Vec<Tally>,
    stopped: bool,
}

impl Schedule {
    /// A schedule for `n_variants` variants with `warmup` warm-ups each.
    pub fn new(n_variants: usize, warmup: u32, runs: RunCount, order: Order) -> Schedule {
        let warmups: VecDeque<usize> = (0..n_variants)
            .flat_map(|v| std::iter::repeat_n(v, warmup as usize))
            .collect();
        let seed = match order {
            Order::Shuffled { seed } => seed,
            _ => 0,
        };
        Schedule {
            runs,
            order,
            n_variants,
            warmup_total: warmups.len() as u64,
            warmups,
            rng: ChaCha8Rng::seed_from_u64(seed),
            round: VecDeque::new(),
            rounds: 0,
            sequential_variant: 0,
            tallies: vec![Tally::default(); n_variants],
            stopped: false,
        }
    }

    /// The next slot to run, or `None` when the plan is complete.
    pub fn next_slot(&mut self) -> Option<Slot> {
        if let Some(variant) = self.warmups.pop_front() {
            return Some(Slot {
                variant,
                warmup: true,
            });
        }
        let variant = match self.order {
            Order::Sequential => self.next_sequential()?,
            Order::Interleaved | Order::Shuffled { .. } => self.next_in_round()?,
        };
        Some(Slot {
            variant,
            warmup: false,
        })
    }

    /// Whether the last slot handed out completed a round of an
    /// interleaved or shuffled plan (every variant has run equally often).
    pub fn round_complete(&self) -> bool {
        self.warmups.is_empty()
            && self.round.is_empty()
            && self.rounds > 0
            && !matches!(self.order, Order::Sequential)
    }

    /// Run no further round: the plan ends at the end of the current one
    /// (an adaptive run whose answer is clear).
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    /// Report the wall time of a finished slot.
    pub fn finished(&mut self, slot: Slot, wall_s: f64) {
        if slot.warmup {
            return;
        }
        if let Some(t) = self.tallies.get_mut(slot.variant) {
            t.count += 1;
            t.total_s += wall_s.max(0.0);
        }
    }

    /// Expected number of iterations in all, warm-ups included, given what
    /// was measured so far. It changes as measurements arrive.
    pub fn estimate_total(&self) -> u64 {
        if self.stopped && self.round.is_empty() {
            let done: u64 = self.tallies.iter().map(|t| u64::from(t.count)).sum();
            return self.warmup_total + done;
        }
        let measured: u64 = match self.order {
            Order::Sequential => self
                .tallies
                .iter()
                .map(|t| u64::from(self.projected(t.count, t.total_s, 1)))
                .sum(),
            _ => {
                let count: u32 = self.tallies.iter().map(|t| t.count).sum();
                let total: f64 = self.tallies.iter().map(|t| t.total_s).sum();
                let rounds = self.projected(count, total, self.n_variants);
                u64::from(rounds.max(self.rounds)) * self.n_variants as u64
            }
        };
        self.warmup_total + measured
    }

    fn next_sequential(&mut self) -> Option<usize> {
        while self.sequential_variant < self.n_variants {
            let t = self.tallies[self.sequential_variant];
            if !self.satisfied(t.count, t.total_s, 1) {
                return Some(self.sequential_variant);
            }
            self.sequential_variant += 1;
        }
        None
    }

    fn next_in_round(&mut self) -> Option<usize> {
        if self.round.is_empty() {
            if self.stopped {
                return None;
            }
            let total: f64 = self.tallies.iter().map(|t| t.total_s).sum();
            if self.n_variants == 0 || self.satisfied(self.rounds, total, self.n_variants) {
                return None;
            }
            let mut order: Vec<usize> = (0..self.n_variants).collect();
            if let Order::Shuffled { .. } = self.order {
                order.shuffle(&mut self.rng);
            }
            self.round.extend(order);
            self.rounds += 1;
        }
        self.round.pop_front()
    }

    /// Whether `count` runs (or rounds) totalling `total_s` over `share`
    /// variants are enough.
    fn satisfied(&self, count: u32, total_s: f64, share: usize) -> bool {
        if let Some(n) = self.runs.exact {
            return count >= n;
        }
        if self.runs.max_runs.is_some_and(|max| count >= max) {
            return true;
        }
        let min_time = self.runs.min_time.as_secs_f64() * share as f64;
        // A nanosecond of slack: ten runs of 0.1 s make 1 s, not 0.999….
        count >= self.runs.min_runs.max(1) && total_s + 1e-9 >= min_time
    }

    /// Projected runs (or rounds) for a variant (or all) from `count` runs
    /// totalling `total_s`.
    fn projected(&self, count: u32, total_s: f64, share: usize) -> u32 {
        if let Some(n) = self.runs.exact {
            return n;
        }
        let min_runs = self.runs.min_runs.max(1);
        let by_time = if count > 0 && total_s > 0.0 {
            let mean_run = total_s / f64::from(count) * share as f64;
            let needed = (self.runs.min_time.as_secs_f64() * share as f64 / mean_run).ceil();
            needed.min(f64::from(u32::MAX)) as u32
        } else {
            min_runs
        };
        let n = by_time.max(min_runs).max(count);
        match self.runs.max_runs {
            Some(max) => n.min(max),
            None => n,
        }
    }
}

#[cfg(test)]
mod tests;
