//! The alerts of monitored pipelines, computed once per change of the
//! history and shared by `GET /api/v1/alerts`, `/metrics`, the live
//! dashboard and the webhooks.

use perfwatch_analysis::monitor::Alert;
use perfwatch_app::monitor::{judge_pipelines, monitored_runs_cached, MonitorConfig, RunCache};
use perfwatch_app::AppError;
use perfwatch_model::Iteration;
use perfwatch_store::Store;
use std::sync::{Arc, Mutex};

/// Alerts remembered with the history generation they were derived from.
#[derive(Debug, Default)]
pub struct AlertBoard {
    config: MonitorConfig,
    cached: Mutex<Option<(u64, Arc<Vec<Alert>>)>>,
    /// The runs replayed last time, so that a change reads only the runs
    /// stored since.
    runs: Mutex<RunCache>,
}

impl AlertBoard {
    /// A board judging pipelines by `config`.
    pub fn new(config: MonitorConfig) -> AlertBoard {
        AlertBoard {
            config,
            cached: Mutex::default(),
            runs: Mutex::default(),
        }
    }

    /// Every alert of every monitored pipeline: remembered while the
    /// history is unchanged, replayed from the stored runs otherwise.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn current(&self, store: &dyn Store) -> Result<Arc<Vec<Alert>>, AppError> {
        let generation = store.history_generation(None)?;
        if let Some((g, alerts)) = &*self.lock() {
            if *g == generation {
                return Ok(alerts.clone());
            }
        }
        // The cache is held while the runs are gathered, not while they
        // are judged: storing runs (which tells the cache) never waits
        // for a replay.
        let runs = monitored_runs_cached(store, &mut self.runs())?;
        let alerts = Arc::new(judge_pipelines(store, &self.config, runs)?);
        *self.lock() = Some((generation, alerts.clone()));
        Ok(alerts)
    }

    /// Runs this server just stored, each with its session's id, for the
    /// next pass to take without reading them back (see
    /// [`RunCache::note_stored`]).
    pub fn note_stored<'a>(&self, stored: impl IntoIterator<Item = (&'a str, &'a Arc<Iteration>)>) {
        self.runs().note_stored(stored);
    }

    fn runs(&self) -> std::sync::MutexGuard<'_, RunCache> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(u64, Arc<Vec<Alert>>)>> {
        self.cached.lock().unwrap_or_else(|p| p.into_inner())
    }
}
