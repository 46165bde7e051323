//! Listings of the history: its benchmarks, and its sessions with the
//! figures a list shows (`perfwatch sessions`, the server's
//! `/api/v1/sessions`).

use crate::AppError;
use perfwatch_model::SessionStatus;
use perfwatch_store::{SessionFilter, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// One benchmark of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenchmarkEntry {
    /// The benchmark's name.
    pub name: String,
    /// How many sessions of it are stored.
    pub sessions: usize,
    /// Its newest session's id.
    pub latest_session: String,
    /// When its newest session started (RFC 3339 UTC).
    pub latest_started_at: String,
}

/// One session as a listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedSession {
    /// The full session id.
    pub id: String,
    /// When it started (RFC 3339 UTC).
    pub started_at: String,
    /// When it finished, if it did.
    pub finished_at: Option<String>,
    /// The benchmark.
    pub benchmark: String,
    /// Its variants' names, in plan order.
    pub variants: Vec<String>,
    /// `running`, `complete`, `interrupted`, `failed` or `abandoned`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: SessionStatus,
    /// Iterations stored, warm-ups included.
    pub iterations: usize,
    /// Iterations that count in statistics.
    pub counted: usize,
    /// Iterations that did not succeed.
    pub failed: usize,
    /// The git commit it ran on.
    pub commit: Option<String>,
    /// The git branch it ran on.
    pub branch: Option<String>,
    /// The program's version it measured (monitored pipelines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The first variant's median wall time over its counted iterations,
    /// in seconds.
    pub wall_median: Option<f64>,
    /// A service benchmark's figure instead: the first variant's p99
    /// latency under load, in seconds, of all its counted runs' requests
    /// together (as its report shows it; its wall time only says how long
    /// the load ran). Absent for a command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_p99_s: Option<f64>,
}

/// Every benchmark of the history with its count of sessions, by name.
pub fn benchmarks(store: &dyn Store) -> Result<Vec<BenchmarkEntry>, AppError> {
    let mut out: BTreeMap<String, BenchmarkEntry> = BTreeMap::new();
    // Newest first: the first row of a benchmark is its newest session.
    for row in store.list_sessions(&SessionFilter::default())? {
        let s = row.session;
        out.entry(s.benchmark.clone())
            .or_insert_with(|| BenchmarkEntry {
                name: s.benchmark,
                sessions: 0,
                latest_session: s.id,
                latest_started_at: s.started_at,
            })
            .sessions += 1;
    }
    Ok(out.into_values().collect())
}

/// The sessions `filter` selects, newest first, as a listing shows them.
pub fn sessions(store: &dyn Store, filter: &SessionFilter) -> Result<Vec<ListedSession>, AppError> {
    let rows = store.list_sessions(filter)?;
    // The first variant's median wall time over its counted runs: a
    // listing needs the median only, not the bootstrapped summaries; one
    // query for the page.
    let wanted: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.session.id.as_str(),
                r.session.variants.first()?.name.as_str(),
            ))
        })
        .collect();
    // A service session's figure is its p99 of all the variant's requests
    // together, as its report computes it.
    let p99 = |runs: Vec<perfwatch_model::ServiceRun>| {
        let runs: Vec<_> = runs.iter().collect();
        Some(
            perfwatch_analysis::service_summary::summary_of_runs(&runs)?
                .latency_s?
                .p99,
        )
    };
    let figures: Vec<(Option<f64>, Option<f64>)> = store
        .counted_walls(&wanted)?
        .into_iter()
        .zip(store.counted_service_runs(&wanted)?)
        .map(|(walls, runs)| (perfwatch_stats::median(&walls), p99(runs)))
        .collect();
    let mut figures: std::collections::HashMap<String, (Option<f64>, Option<f64>)> = wanted
        .iter()
        .map(|(id, _)| id.to_string())
        .zip(figures)
        .collect();
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let s = row.session;
        let (wall_median, latency_p99_s) = figures.remove(&s.id).unwrap_or_default();
        list.push(ListedSession {
            variants: s.variants.iter().map(|v| v.name.clone()).collect(),
            commit: s.git.as_ref().and_then(|g| g.commit.clone()),
            branch: s.git.as_ref().and_then(|g| g.branch.clone()),
            version: s.program_version,
            id: s.id,
            started_at: s.started_at,
            finished_at: s.finished_at,
            benchmark: s.benchmark,
            status: s.status,
            iterations: row.iterations,
            counted: row.counted,
            failed: row.failed,
            wall_median,
            latency_p99_s,
        });
    }
    Ok(list)
}
