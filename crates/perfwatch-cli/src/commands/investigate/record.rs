//! Run one plan as one stored session, as `run` does, without printing
//! its analysis: the investigations read the iterations themselves.

use crate::context::Context;
use crate::observer::SessionObserver;
use perfwatch_app::clock::now_rfc3339;
use perfwatch_app::recorder::{running_session, Recorder};
use perfwatch_app::sources::session_sources;
use perfwatch_model::{Iteration, SessionStatus};
use perfwatch_runner::{Cancel, Plan, RunError, StopRule};
use perfwatch_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// A session run and stored.
pub struct Recorded {
    /// Its id.
    pub session_id: String,
    /// Every finished iteration, warm-ups included.
    pub iterations: Vec<Iteration>,
    /// What stopped it early, if anything.
    pub stopped_by: Option<RunError>,
}

/// Where and how an investigation's sessions are run and stored.
pub struct Recording<'a> {
    /// The command's context.
    pub ctx: &'a Context,
    /// The store the sessions go to.
    pub store: &'a Arc<dyn Store>,
    /// The benchmark the sessions belong to.
    pub benchmark: &'a str,
    /// Ctrl-C.
    pub cancel: &'a Cancel,
    /// Show the progress bar (on a terminal).
    pub progress: bool,
}

impl Recording<'_> {
    /// Run `plan` as one stored session (its git metadata read in
    /// `git_dir`), stopping when `rule` says so.
    pub fn record(
        &self,
        plan: &Plan,
        git_dir: PathBuf,
        rule: &mut dyn StopRule,
    ) -> anyhow::Result<Recorded> {
        let mut sources = session_sources(self.benchmark)?;
        let session = running_session(self.benchmark, plan.command.clone(), plan.variants.clone());
        let id = session.id.clone();
        let mut recorder = Recorder::start(Arc::clone(self.store), session, git_dir)?;
        let progress = self.progress && self.ctx.interactive;
        let mut observer = SessionObserver::new(recorder.handle(), self.benchmark, progress);
        let outcome =
            perfwatch_runner::run_until(plan, &mut sources, &mut observer, self.cancel, rule);
        observer.finish();
        let status = outcome.as_ref().map_or(SessionStatus::Failed, |o| o.status);
        recorder.finish(status, &now_rfc3339());
        drop(sources);
        let joined = recorder.join();
        let outcome = outcome.map_err(|e| crate::exit::with_code(e.exit_code(), e.to_string()))?;
        joined.map_err(|e| {
            anyhow::Error::new(e).context(format!("session {id} is incomplete in the store"))
        })?;
        Ok(Recorded {
            session_id: id,
            iterations: outcome
                .iterations
                .into_iter()
                .map(Arc::unwrap_or_clone)
                .collect(),
            stopped_by: outcome.stopped_by,
        })
    }
}
