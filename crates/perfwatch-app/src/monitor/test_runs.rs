//! Monitored runs for tests: a pipeline's runs of some versions, stored
//! as the server stores them.

use super::assembler::CompletedRun;
use super::sessions::{store_runs, MonitoredSessions, StoredRuns, MONITORED_VARIANT};
use perfwatch_model::Iteration;
use perfwatch_store::{SqliteStore, Store};
use perfwatch_testkit::synthetic::call;

/// A moment of 2026-05-28, in ns since the Unix epoch.
pub const DAY: u64 = 1_780_000_000_000_000_000;

/// A run of `shop/order` `version` starting at `start_unix_ns`, whose
/// `price` stage takes `stage_s`.
pub fn run(version: &str, start_unix_ns: u64, stage_s: f64) -> CompletedRun {
    CompletedRun {
        pipeline: "shop/order".to_string(),
        service: "shop".to_string(),
        version: Some(version.to_string()),
        trace_id: format!("{start_unix_ns:032x}"),
        start_unix_ns,
        iteration: Iteration {
            variant: MONITORED_VARIANT.to_string(),
            exit_code: Some(0),
            wall_s: 1.0,
            stages: vec![
                call(1, None, "order", 0.0, 1.0),
                call(2, Some(1), "price", 0.0, stage_s),
            ],
            ..Iteration::default()
        },
    }
}

/// Appends `n` runs of each version, starting at `from` seconds into the day.
pub fn append(
    store: &SqliteStore,
    known: &mut MonitoredSessions,
    versions: &[&str],
    from: u64,
    n: u64,
) -> StoredRuns {
    let runs = (0..n)
        .flat_map(|i| {
            versions
                .iter()
                .map(move |v| run(v, DAY + (from + i) * 1_000_000_000, 0.1 + i as f64 * 1e-3))
        })
        .collect();
    let stored = store_runs(store, known, runs);
    assert!(stored.runs.iter().all(|(_, r)| r.is_ok()));
    stored
}

/// The id of the session of `version`'s runs.
pub fn runs_of(store: &SqliteStore, version: &str) -> String {
    store
        .list_session_heads(&Default::default())
        .unwrap()
        .into_iter()
        .find(|s| s.program_version.as_deref() == Some(version))
        .unwrap()
        .id
}
