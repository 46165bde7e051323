//! Where a completed run is stored: the session of its pipeline, version
//! and UTC day, made on its first run.

use super::assembler::CompletedRun;
use crate::AppError;
use perfwatch_model::{CommandSpec, HostInfo, Iteration, Session, SessionStatus, VariantSpec};
use perfwatch_store::{GenerationStep, Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::OffsetDateTime;

/// How a monitored session's command starts (`otlp:SERVICE`).
pub const MONITORED_PREFIX: &str = "otlp:";

/// The one variant of a monitored pipeline: the runs of every version and
/// day are one series, so that history, change points and compare see
/// across versions; each session carries its version as
/// `program_version`.
pub const MONITORED_VARIANT: &str = "runs";

/// How a run without a version is named where a version is shown.
pub const UNVERSIONED: &str = "unversioned";

/// The session id of a pipeline's runs of one version on one UTC day
/// (`YYYY-MM-DD`): 32 hex digits of a SHA-256 of the three, so that every
/// server over one database, and a restarted one, agree.
pub fn session_id(pipeline: &str, version: Option<&str>, day: &str) -> String {
    let mut h = Sha256::new();
    for part in [pipeline, version.unwrap_or(""), day] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    perfwatch_otlp::map::hex(&h.finalize()[..16])
}

/// The next iteration index of each monitored session this process
/// stored into, so that a run costs one insert.
#[derive(Debug, Default)]
pub struct MonitoredSessions {
    next: HashMap<String, u32>,
}

/// What [`store_runs`] did.
#[derive(Debug, Default)]
pub struct StoredRuns {
    /// Per run, in order: its pipeline, and its session's id or why it
    /// was not stored.
    pub runs: Vec<(String, Result<String, AppError>)>,
    /// The history's generation step of the batch, when it was stored in
    /// one transaction and the store tells it
    /// ([`Store::add_iterations_stepped`]).
    pub step: Option<GenerationStep>,
    /// The runs stored, each with its session's id, in the order stored
    /// (index order within a session): what was written, for caches of
    /// the recent runs to take without reading it back (see
    /// [`RunCache::note_stored`](super::RunCache::note_stored)).
    pub stored: Vec<(String, Arc<Iteration>)>,
}

/// Stores `runs`, each as the next iteration of its session (made
/// `running`, without an owner, for the day's first run), in one
/// transaction; when that fails, one by one, so that one run the store
/// refuses loses no other. A session deleted since this process counted
/// its runs (or written by another server meanwhile) is placed afresh —
/// made again, or its next index read — and its runs stored there, so
/// that deleting a monitored session loses none of its later runs.
pub fn store_runs(
    store: &dyn Store,
    known: &mut MonitoredSessions,
    runs: Vec<CompletedRun>,
) -> StoredRuns {
    let mut placed: Vec<(String, CompletedRun)> = Vec::with_capacity(runs.len());
    let mut out = Vec::with_capacity(runs.len());
    for mut run in runs {
        match place(store, known, &run) {
            Ok((id, index)) => {
                run.iteration.index = index;
                placed.push((id, run));
            }
            Err(e) => out.push((run.pipeline, Err(e))),
        }
    }
    let batch: Vec<(&str, &Iteration)> = placed
        .iter()
        .map(|(id, run)| (id.as_str(), &run.iteration))
        .collect();
    let mut stored = Vec::with_capacity(placed.len());
    if let Ok(step) = store.add_iterations_stepped(&batch) {
        for (id, run) in placed {
            out.push((run.pipeline, Ok(id.clone())));
            stored.push((id, Arc::new(run.iteration)));
        }
        return StoredRuns {
            runs: out,
            step,
            stored,
        };
    }
    // Sessions found stale: their runs placed before that are placed again.
    let mut replaced: HashSet<String> = HashSet::new();
    for (mut id, mut run) in placed {
        if replaced.contains(&id) {
            match place(store, known, &run) {
                Ok((again, index)) => (id, run.iteration.index) = (again, index),
                Err(e) => {
                    out.push((run.pipeline, Err(e)));
                    continue;
                }
            }
        }
        let mut result = store.add_iteration(&id, &run.iteration);
        if is_stale(&result) && replaced.insert(id.clone()) {
            known.next.remove(&id);
            match place(store, known, &run) {
                Ok((again, index)) => {
                    (id, run.iteration.index) = (again, index);
                    result = store.add_iteration(&id, &run.iteration);
                }
                Err(e) => {
                    out.push((run.pipeline, Err(e)));
                    continue;
                }
            }
        }
        match result {
            Ok(()) => {
                out.push((run.pipeline, Ok(id.clone())));
                stored.push((id, Arc::new(run.iteration)));
            }
            Err(e) => out.push((run.pipeline, Err(e.into()))),
        }
    }
    StoredRuns {
        runs: out,
        step: None,
        stored,
    }
}

/// Whether an insert failed because what this process knew of the
/// session is out of date: it is gone, or the index was taken.
fn is_stale(result: &Result<(), StoreError>) -> bool {
    matches!(
        result,
        Err(StoreError::SessionNotFound { .. } | StoreError::IterationExists { .. })
    )
}

/// The session of `run` (made when it is the day's first run) and the
/// run's index in it: the next.
fn place(
    store: &dyn Store,
    known: &mut MonitoredSessions,
    run: &CompletedRun,
) -> Result<(String, u32), AppError> {
    let started = OffsetDateTime::from_unix_timestamp_nanos(i128::from(run.start_unix_ns))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let day = format!(
        "{:04}-{:02}-{:02}",
        started.year(),
        u8::from(started.month()),
        started.day()
    );
    let id = session_id(&run.pipeline, run.version.as_deref(), &day);
    let next = match known.next.get(&id) {
        Some(&n) => n,
        None => match store.load_recent(&id, 1) {
            Ok((_, last)) => last.iter().map(|i| i.index + 1).max().unwrap_or(0),
            Err(StoreError::SessionNotFound { .. }) => {
                store.create_session(&monitored_session(&id, run, started))?;
                0
            }
            Err(e) => return Err(e.into()),
        },
    };
    known.next.insert(id.clone(), next + 1);
    Ok((id, next))
}

fn monitored_session(id: &str, run: &CompletedRun, started: OffsetDateTime) -> Session {
    let service = run.pipeline.split('/').next().unwrap_or_default();
    Session {
        id: id.to_string(),
        started_at: perfwatch_model::clock::rfc3339(started),
        finished_at: None,
        benchmark: run.pipeline.clone(),
        command: CommandSpec {
            argv: vec![format!("{MONITORED_PREFIX}{service}")],
            shell: false,
        },
        variants: vec![VariantSpec {
            name: MONITORED_VARIANT.to_string(),
            description: Some(format!("runs of `{}` reported over OTLP", run.pipeline)),
            ..VariantSpec::default()
        }],
        git: None,
        host: HostInfo::default(),
        perfwatch_version: env!("CARGO_PKG_VERSION").to_string(),
        // The day stays open: runs keep coming. No owner, so nothing
        // takes it for abandoned.
        status: SessionStatus::Running,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: run.version.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_stable_and_tell_their_parts_apart() {
        let a = session_id("shorts/video", Some("1.2"), "2026-12-06");
        assert_eq!(a, session_id("shorts/video", Some("1.2"), "2026-12-06"));
        assert_eq!(a.len(), 32);
        // Stored histories hold these ids: the encoding never changes.
        assert_eq!(a, "525b8f50702e001f2fd71c179c9185c1");
        assert_ne!(a, session_id("shorts/video", Some("1.3"), "2026-12-06"));
        assert_ne!(a, session_id("shorts/video", None, "2026-12-06"));
        assert_ne!(a, session_id("shorts/video", Some("1.2"), "2026-12-07"));
        // Parts are length-prefixed: no two splits of one text collide.
        assert_ne!(
            session_id("a", Some("bc"), "d"),
            session_id("ab", Some("c"), "d")
        );
    }

    /// Regression: once a monitored session was deleted (`DELETE
    /// /api/v1/sessions/ID`, `perfwatch delete`) the server kept placing
    /// its pipeline's runs at the next index of the session it had
    /// counted, and every later run of that pipeline, version and day
    /// failed to store ("no session matches") until the server restarted.
    #[test]
    fn runs_after_their_session_was_deleted_make_it_again_and_none_is_lost() {
        use super::super::test_runs::{append, run, runs_of, DAY};
        use perfwatch_store::SqliteStore;
        let store = SqliteStore::open_in_memory().unwrap();
        let mut known = MonitoredSessions::default();
        append(&store, &mut known, &["1.0", "1.1"], 0, 3);
        let gone = runs_of(&store, "1.0");
        store.delete_session(&gone).unwrap();
        // A batch mixing the deleted session's runs with another's.
        let runs = (10..14)
            .flat_map(|i| ["1.0", "1.1"].map(|v| run(v, DAY + i * 1_000_000_000, 0.1)))
            .collect();
        let stored = store_runs(&store, &mut known, runs);
        assert!(
            stored.runs.iter().all(|(_, r)| r.is_ok()),
            "{:?}",
            stored.runs
        );
        let (_, again) = store.load_recent(&gone, 100).unwrap();
        assert_eq!(
            again.iter().map(|i| i.index).collect::<Vec<_>>(),
            [0, 1, 2, 3],
            "made again, its runs from index 0 without a gap"
        );
        let (_, other) = store.load_recent(&runs_of(&store, "1.1"), 100).unwrap();
        assert_eq!(other.len(), 7);
        // And the next batch goes on from there in one transaction.
        let next = store_runs(
            &store,
            &mut known,
            vec![run("1.0", DAY + 20_000_000_000, 0.1)],
        );
        assert!(next.step.is_some());
        assert_eq!(next.stored[0].1.index, 4);
    }
}
