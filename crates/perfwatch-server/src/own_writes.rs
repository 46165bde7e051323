//! The generation steps of this server's own writes, so that the watcher
//! that follows the history ([`crate::watch`]) tells them from writes made
//! elsewhere: a change of the history's generation from `a` to `b` is
//! this server's alone when its own steps lead from `a` to `b`.
//!
//! Without it, every batch of monitored runs the server stored looked
//! like news from elsewhere: the watcher announced a session as appeared
//! and rebuilt every benchmark's figures every poll while runs came in.

use perfwatch_store::GenerationStep;
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

/// Steps kept at most; the oldest go first (a poll looks only at those
/// made since the previous one).
const KEPT: usize = 4096;

/// The generation steps of this server's own writes since the watcher
/// last looked.
#[derive(Debug, Default)]
pub struct OwnWrites {
    steps: Mutex<VecDeque<GenerationStep>>,
    /// Held shared by each own write until its step is noted, and
    /// exclusively by the watcher while it reads the generation: the
    /// watcher never sees a write committed but not yet noted.
    gate: RwLock<()>,
}

impl OwnWrites {
    /// Hold while writing and noting the write's step.
    pub fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// `read` (the watcher's read of the generation) with no own write
    /// between its commit and its note.
    pub fn between_writes<T>(&self, read: impl FnOnce() -> T) -> T {
        let _alone = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        read()
    }

    /// Remembers one of this server's writes.
    pub fn note(&self, step: GenerationStep) {
        let mut steps = self.steps.lock().unwrap_or_else(PoisonError::into_inner);
        if steps.len() >= KEPT {
            steps.pop_front();
        }
        steps.push_back(step);
    }

    /// Whether this server's own writes alone took the generation from
    /// `from` to `to`; the steps up to `to` are forgotten either way (the
    /// watcher has seen `to`).
    pub fn explain(&self, from: u64, to: u64) -> bool {
        let mut steps = self.steps.lock().unwrap_or_else(PoisonError::into_inner);
        let mut at = from;
        while at != to {
            match steps.iter().find(|s| s.before == at && s.after > at) {
                Some(s) => at = s.after,
                None => break,
            }
        }
        steps.retain(|s| s.after > to);
        at == to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(before: u64, after: u64) -> GenerationStep {
        GenerationStep { before, after }
    }

    #[test]
    fn a_chain_of_own_steps_explains_the_change_and_a_gap_does_not() {
        let own = OwnWrites::default();
        own.note(step(10, 13));
        own.note(step(13, 15));
        assert!(own.explain(10, 15));
        assert!(own.explain(15, 15), "no change needs no step");
        // Another writer's change (15 → 16) before this server's next.
        own.note(step(16, 18));
        assert!(!own.explain(15, 18));
        // The steps seen are forgotten: the same change is not explained twice.
        assert!(!own.explain(10, 15));
    }

    #[test]
    fn a_change_past_the_own_steps_is_news() {
        let own = OwnWrites::default();
        own.note(step(1, 2));
        assert!(!own.explain(1, 3), "someone else wrote after 2");
        own.note(step(3, 3));
        assert!(!own.explain(3, 4), "an empty step leads nowhere");
    }
}
