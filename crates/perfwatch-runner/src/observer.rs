//! What the caller sees while a run goes on.

use perfwatch_model::{Iteration, ShellCorrection};
use std::sync::Arc;

/// The error an observer may return to stop the run.
pub type ObserverError = Box<dyn std::error::Error + Send + Sync>;

/// Hooks called while a run goes on; each defaults to doing nothing. The
/// CLI implements it to commit every iteration to the store as it finishes
/// and to drive a progress bar.
pub trait Observer {
    /// The expected number of iterations, warm-ups included. Called before
    /// the first iteration and again whenever the estimate changes (with
    /// `min_time`, it follows the measured times): the last call wins.
    fn planned(&mut self, _total_estimate: u64) {}

    /// The shell start-up correction was measured (before the first
    /// iteration; see [`crate::shell_correction`]). It is subtracted from
    /// every iteration of a shell command reported afterwards.
    fn shell_correction(&mut self, _correction: &ShellCorrection) {}

    /// Iteration `index` of `variant` is about to start (before its
    /// `prepare` hook).
    fn iteration_started(&mut self, _index: u32, _variant: &str, _warmup: bool) {}

    /// An iteration finished (also a failed or timed-out one). It is
    /// shared, not copied: an observer that keeps it (to write it to a
    /// store in the background) keeps a reference, so an iteration of a
    /// million spans is held once. An error stops the run: the caller
    /// could not keep it (e.g. a store write failed), and measuring on
    /// would lose data.
    fn iteration_finished(&mut self, _it: &Arc<Iteration>) -> Result<(), ObserverError> {
        Ok(())
    }

    /// The `cleanup` hook is about to run, the last thing of the run;
    /// `interrupted` when a signal (or [`crate::Cancel::cancel`]) stopped
    /// the run, so that the caller can say what it waits for.
    fn cleanup_started(&mut self, _interrupted: bool) {}
}

/// Observes nothing.
impl Observer for () {}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn planned(&mut self, total_estimate: u64) {
        (**self).planned(total_estimate)
    }
    fn shell_correction(&mut self, correction: &ShellCorrection) {
        (**self).shell_correction(correction)
    }
    fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool) {
        (**self).iteration_started(index, variant, warmup)
    }
    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        (**self).iteration_finished(it)
    }
    fn cleanup_started(&mut self, interrupted: bool) {
        (**self).cleanup_started(interrupted)
    }
}

impl<O: Observer + ?Sized> Observer for Box<O> {
    fn planned(&mut self, total_estimate: u64) {
        (**self).planned(total_estimate)
    }
    fn shell_correction(&mut self, correction: &ShellCorrection) {
        (**self).shell_correction(correction)
    }
    fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool) {
        (**self).iteration_started(index, variant, warmup)
    }
    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        (**self).iteration_finished(it)
    }
    fn cleanup_started(&mut self, interrupted: bool) {
        (**self).cleanup_started(interrupted)
    }
}

/// Every observer of the list, in order; the first error stops the run.
impl<O: Observer> Observer for Vec<O> {
    fn planned(&mut self, total_estimate: u64) {
        self.iter_mut().for_each(|o| o.planned(total_estimate))
    }
    fn shell_correction(&mut self, correction: &ShellCorrection) {
        self.iter_mut().for_each(|o| o.shell_correction(correction))
    }
    fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool) {
        self.iter_mut()
            .for_each(|o| o.iteration_started(index, variant, warmup))
    }
    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        self.iter_mut().try_for_each(|o| o.iteration_finished(it))
    }
    fn cleanup_started(&mut self, interrupted: bool) {
        self.iter_mut().for_each(|o| o.cleanup_started(interrupted))
    }
}
