//! The alerts of monitored pipelines, derived from the history: each
//! pipeline's recent runs replayed through
//! [`perfwatch_analysis::monitor::evaluate`]. Nothing is kept beside the
//! runs, so every server over one database, and a restarted one, list
//! the same alerts with the same ids.

use super::run_cache::RunCache;
use super::sessions::UNVERSIONED;
use crate::AppError;
use perfwatch_analysis::monitor::{evaluate, Alert, MonitorOptions, RunPoint};
use perfwatch_store::{SessionFilter, Store};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Runs replayed per pipeline, newest kept: enough for the learned
/// baseline (50 runs by default), the window and the alerts of the last
/// few hundred runs.
pub const REPLAYED_RUNS: usize = 500;

/// Sessions looked at, newest first.
const SESSIONS_LOOKED_AT: usize = 2_000;

/// Whether `session` holds runs of a monitored pipeline (stored from
/// OTLP traces by [`super::store_runs`]).
pub fn is_monitored(session: &perfwatch_model::Session) -> bool {
    session
        .command
        .argv
        .first()
        .is_some_and(|a| a.starts_with(super::sessions::MONITORED_PREFIX))
}

/// The recent runs of every monitored pipeline, oldest first: sessions in
/// the order they started, iterations in index order.
///
/// # Errors
///
/// The store's.
pub fn monitored_runs(store: &dyn Store) -> Result<BTreeMap<String, Vec<Arc<RunPoint>>>, AppError> {
    monitored_runs_cached(store, &mut RunCache::default())
}

/// [`monitored_runs`], reading from `store` only the runs stored since
/// `cache` last saw their session.
///
/// # Errors
///
/// The store's.
pub fn monitored_runs_cached(
    store: &dyn Store,
    cache: &mut RunCache,
) -> Result<BTreeMap<String, Vec<Arc<RunPoint>>>, AppError> {
    let heads = store.list_session_heads(&SessionFilter {
        limit: Some(SESSIONS_LOOKED_AT),
        ..Default::default()
    })?;
    let mut sessions: BTreeMap<String, Vec<perfwatch_model::Session>> = BTreeMap::new();
    for session in heads.into_iter().filter(is_monitored) {
        sessions
            .entry(session.benchmark.clone())
            .or_default()
            .push(session);
    }
    let mut out = BTreeMap::new();
    let mut looked_at = Vec::new();
    for (pipeline, mut list) in sessions {
        // Newest first from the store; replay oldest first.
        list.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        let mut runs: Vec<Arc<RunPoint>> = Vec::new();
        for session in list.iter().rev() {
            if runs.len() >= REPLAYED_RUNS {
                break;
            }
            // The day's last runs only: a busy pipeline's day holds
            // thousands.
            let need = REPLAYED_RUNS - runs.len();
            runs.extend(cache.runs(store, session)?.iter().rev().take(need).cloned());
            looked_at.push(session.id.clone());
        }
        runs.reverse();
        out.insert(pipeline, runs);
    }
    cache.keep_only(looked_at.iter().map(String::as_str));
    Ok(out)
}

/// How each monitored pipeline is judged: perfwatch.toml's
/// `[monitor."PIPELINE"]` tables; the defaults for a pipeline without one.
#[derive(Debug, Clone, Default)]
pub struct MonitorConfig {
    /// Options by pipeline (`SERVICE/ROOT`).
    pub pipelines: BTreeMap<String, MonitorOptions>,
    /// Options of the pipelines not named.
    pub default: MonitorOptions,
}

impl MonitorConfig {
    /// The options of `pipeline`.
    pub fn for_pipeline(&self, pipeline: &str) -> &MonitorOptions {
        self.pipelines.get(pipeline).unwrap_or(&self.default)
    }

    /// Checks every pipeline's options, and that each saved baseline they
    /// name exists.
    ///
    /// # Errors
    ///
    /// What is wrong, naming the pipeline.
    pub fn check(&self, store: &dyn Store) -> Result<(), AppError> {
        for (pipeline, opts) in &self.pipelines {
            opts.validate()
                .map_err(|e| AppError::bad_request(format!("[monitor.\"{pipeline}\"]: {e}")))?;
            if let Some(name) = &opts.baseline {
                store.get_baseline(name).map_err(|e| {
                    AppError::bad_request(format!("[monitor.\"{pipeline}\"] baseline: {e}"))
                })?;
            }
        }
        Ok(())
    }
}

/// The runs of a saved baseline's sessions, oldest session first.
fn saved_runs(store: &dyn Store, name: &str) -> Result<Vec<RunPoint>, AppError> {
    let baseline = store.get_baseline(name)?;
    let mut runs = Vec::new();
    for id in &baseline.session_ids {
        let (session, mut iterations) = store.load_session(id)?;
        iterations.sort_by_key(|i| i.index);
        let version = session.program_version.as_deref().unwrap_or(UNVERSIONED);
        runs.extend(
            iterations
                .iter()
                .filter(|i| i.counts())
                .map(|i| RunPoint::from_iteration(&session.id, &session.started_at, version, i)),
        );
    }
    Ok(runs)
}

/// Every alert of every monitored pipeline (open and resolved), by
/// pipeline, then first run, then stage; each pipeline judged by its
/// options, against its saved baseline when it names one.
///
/// # Errors
///
/// The store's; a saved baseline that no longer exists.
pub fn pipeline_alerts(store: &dyn Store, config: &MonitorConfig) -> Result<Vec<Alert>, AppError> {
    judge_pipelines(store, config, monitored_runs(store)?)
}

/// The alerts of each pipeline's recent `runs` (as [`monitored_runs`]
/// gives them), each pipeline judged by its options, against its saved
/// baseline (read from `store`) when it names one. Apart from
/// [`monitored_runs_cached`], so that a cache of runs is held only while
/// they are gathered, not while they are judged.
///
/// # Errors
///
/// The store's; a saved baseline that no longer exists.
pub fn judge_pipelines(
    store: &dyn Store,
    config: &MonitorConfig,
    runs: BTreeMap<String, Vec<Arc<RunPoint>>>,
) -> Result<Vec<Alert>, AppError> {
    let mut alerts = Vec::new();
    for (pipeline, runs) in runs {
        let opts = config.for_pipeline(&pipeline);
        let saved = opts
            .baseline
            .as_deref()
            .map(|name| Ok::<_, AppError>((name, saved_runs(store, name)?)))
            .transpose()?;
        let saved = saved.as_ref().map(|(n, r)| (*n, r.as_slice()));
        alerts.extend(evaluate(&pipeline, &runs, saved, opts));
    }
    Ok(alerts)
}
