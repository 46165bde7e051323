//! Where a completed run is stored: the session of its pipeline, version
//! and UTC day, made on its first run.

use super::assembler::CompletedRun;
use crate::AppError;
use perfwatch_model::{CommandSpec, HostInfo, Iteration, Session, SessionStatus, VariantSpec};
use perfwatch_store::{GenerationStep, Store};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
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
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
/// refuses loses no other.
pub fn store_runs(
    store: &dyn Store,
    known: &mut MonitoredSessions,
    runs: Vec<CompletedRun>,
) -> StoredRuns {
    let mut placed = Vec::with_capacity(runs.len());
    let mut out = Vec::with_capacity(runs.len());
    for run in runs {
        let pipeline = run.pipeline.clone();
        match place(store, known, run) {
            Ok(p) => placed.push((pipeline, p)),
            Err(e) => out.push((pipeline, Err(e))),
        }
    }
    let batch: Vec<(&str, &Iteration)> = placed
        .iter()
        .map(|(_, (id, it))| (id.as_str(), it))
        .collect();
    if let Ok(step) = store.add_iterations_stepped(&batch) {
        let mut stored = Vec::with_capacity(placed.len());
        for (pipeline, (id, iteration)) in placed {
            out.push((pipeline, Ok(id.clone())));
            stored.push((id, Arc::new(iteration)));
        }
        return StoredRuns {
            runs: out,
            step,
            stored,
        };
    }
    let mut stored = Vec::with_capacity(placed.len());
    for (pipeline, (id, iteration)) in placed {
        match store.add_iteration(&id, &iteration) {
            Ok(()) => {
                out.push((pipeline, Ok(id.clone())));
                stored.push((id, Arc::new(iteration)));
            }
            Err(e) => out.push((pipeline, Err(e.into()))),
        }
    }
    StoredRuns {
        runs: out,
        step: None,
        stored,
    }
}

/// The session of `run` (made when it is the day's first run) and the
/// run as its next iteration.
fn place(
    store: &dyn Store,
    known: &mut MonitoredSessions,
    mut run: CompletedRun,
) -> Result<(String, Iteration), AppError> {
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
            Err(perfwatch_store::StoreError::SessionNotFound { .. }) => {
                store.create_session(&monitored_session(&id, &run, started))?;
                0
            }
            Err(e) => return Err(e.into()),
        },
    };
    run.iteration.index = next;
    known.next.insert(id.clone(), next + 1);
    Ok((id, run.iteration))
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
        assert_ne!(a, session_id("shorts/video", Some("1.3"), "2026-12-06"));
        assert_ne!(a, session_id("shorts/video", None, "2026-12-06"));
        assert_ne!(a, session_id("shorts/video", Some("1.2"), "2026-12-07"));
        // Parts are length-prefixed: no two splits of one text collide.
        assert_ne!(
            session_id("a", Some("bc"), "d"),
            session_id("ab", Some("c"), "d")
        );
    }
}
