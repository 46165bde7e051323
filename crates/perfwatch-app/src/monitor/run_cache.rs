//! The runs an alert pass replays, kept between passes: a pass reads
//! only the runs stored since the one before (a busy pipeline stores
//! hundreds a second, and replaying its last [`REPLAYED_RUNS`] from the
//! store every second cost the server more than storing them).
//!
//! Stored runs never change: a session's runs are only ever appended
//! (each the next index) or deleted with their session. So a session
//! whose newest index is the one seen last time holds the same runs; one
//! whose newest index grew holds the old runs and those after it; one
//! that is gone, or came back with another start or version, is read
//! afresh.

use super::alerts::REPLAYED_RUNS;
use super::sessions::UNVERSIONED;
use crate::AppError;
use perfwatch_analysis::monitor::RunPoint;
use perfwatch_model::{Iteration, Session};
use perfwatch_store::Store;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};

/// The replayed runs of each monitored session, by session id.
#[derive(Debug, Default)]
pub struct RunCache {
    sessions: HashMap<String, CachedSession>,
}

#[derive(Debug)]
struct CachedSession {
    started_at: String,
    version: String,
    /// The newest index read (`None`: the session had no run).
    last_index: Option<u32>,
    /// Counted runs among the newest [`REPLAYED_RUNS`] read, oldest first.
    runs: VecDeque<RunPoint>,
}

impl CachedSession {
    fn new(session: &Session) -> CachedSession {
        CachedSession {
            started_at: session.started_at.clone(),
            version: version(session),
            last_index: None,
            runs: VecDeque::new(),
        }
    }

    fn matches(&self, session: &Session) -> bool {
        self.started_at == session.started_at
            && self.version == session.program_version.as_deref().unwrap_or(UNVERSIONED)
    }

    /// Appends `iterations` (index order) past the newest read, keeping the
    /// newest [`REPLAYED_RUNS`].
    fn extend(&mut self, id: &str, iterations: &[Iteration]) {
        for it in iterations {
            if self.last_index.is_some_and(|last| it.index <= last) {
                continue;
            }
            self.last_index = Some(it.index);
            if it.counts() {
                self.runs.push_back(RunPoint::from_iteration(
                    id,
                    &self.started_at,
                    &self.version,
                    it,
                ));
            }
        }
        while self.runs.len() > REPLAYED_RUNS {
            self.runs.pop_front();
        }
    }
}

fn version(session: &Session) -> String {
    session
        .program_version
        .clone()
        .unwrap_or_else(|| UNVERSIONED.to_string())
}

/// The newest iterations of a session in index order: at most `last`.
fn newest(store: &dyn Store, id: &str, last: usize) -> Result<Vec<Iteration>, AppError> {
    let (_, mut iterations) = store.load_recent(id, last)?;
    iterations.sort_by_key(|i| i.index);
    Ok(iterations)
}

impl RunCache {
    /// The counted runs among `session`'s newest [`REPLAYED_RUNS`]
    /// iterations, oldest first, reading from `store` only what was
    /// stored since the last call.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn runs(
        &mut self,
        store: &dyn Store,
        session: &Session,
    ) -> Result<&VecDeque<RunPoint>, AppError> {
        let id = session.id.as_str();
        let (cached, new) = match self.sessions.entry(session.id.clone()) {
            Entry::Occupied(e) if e.get().matches(session) => (e.into_mut(), false),
            Entry::Occupied(mut e) => {
                e.insert(CachedSession::new(session));
                (e.into_mut(), true)
            }
            Entry::Vacant(e) => (e.insert(CachedSession::new(session)), true),
        };
        let to_read = if new {
            REPLAYED_RUNS
        } else {
            match (cached.last_index, store.newest_index(id)?) {
                (old, newest) if old == newest => 0,
                // Runs were appended: those past the newest seen are at
                // most as many as the indices between.
                (Some(old), Some(newest)) if newest > old => {
                    usize::try_from(newest - old).map_or(REPLAYED_RUNS, |n| n.min(REPLAYED_RUNS))
                }
                (None, Some(_)) => REPLAYED_RUNS,
                // Fewer runs than seen: the session was deleted and made
                // again.
                _ => {
                    *cached = CachedSession::new(session);
                    REPLAYED_RUNS
                }
            }
        };
        if to_read > 0 {
            cached.extend(id, &newest(store, id, to_read)?);
        }
        Ok(&cached.runs)
    }

    /// Forgets every session not in `ids` (deleted, or too old to be
    /// looked at).
    pub fn keep_only<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let keep: HashSet<&str> = ids.into_iter().collect();
        self.sessions.retain(|id, _| keep.contains(id.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::alerts::{monitored_runs, monitored_runs_cached};
    use super::super::assembler::CompletedRun;
    use super::super::sessions::{store_runs, MonitoredSessions, MONITORED_VARIANT};
    use super::*;
    use perfwatch_store::SqliteStore;
    use perfwatch_testkit::synthetic::call;

    const DAY: u64 = 1_780_000_000_000_000_000;

    fn run(version: &str, start_unix_ns: u64, stage_s: f64) -> CompletedRun {
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
    fn append(
        store: &SqliteStore,
        known: &mut MonitoredSessions,
        versions: &[&str],
        from: u64,
        n: u64,
    ) {
        let runs = (0..n)
            .flat_map(|i| {
                versions
                    .iter()
                    .map(move |v| run(v, DAY + (from + i) * 1_000_000_000, 0.1 + i as f64 * 1e-3))
            })
            .collect();
        let stored = store_runs(store, known, runs);
        assert!(stored.runs.iter().all(|(_, r)| r.is_ok()));
    }

    #[test]
    fn cached_replay_matches_a_fresh_one_through_appends_and_a_remade_session() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut known = MonitoredSessions::default();
        let mut cache = RunCache::default();
        let same = |cache: &mut RunCache, when: &str| {
            let cached = monitored_runs_cached(&store, cache).unwrap();
            assert_eq!(cached, monitored_runs(&store).unwrap(), "{when}");
            cached
        };
        assert!(same(&mut cache, "empty history").is_empty());
        append(&store, &mut known, &["1.0"], 0, 3);
        assert_eq!(same(&mut cache, "first read")["shop/order"].len(), 3);
        assert_eq!(same(&mut cache, "nothing new")["shop/order"].len(), 3);
        append(&store, &mut known, &["1.0", "1.1"], 10, 4);
        assert_eq!(
            same(&mut cache, "appended to one, a new version")["shop/order"].len(),
            11
        );
        // Past the replayed window: the oldest runs leave it.
        append(&store, &mut known, &["1.1"], 100, REPLAYED_RUNS as u64);
        let runs = same(&mut cache, "past the window");
        assert_eq!(runs["shop/order"].len(), REPLAYED_RUNS);
        assert!(runs["shop/order"].iter().all(|r| r.version == "1.1"));
        // The 1.0 session is deleted and made again by a later run: read afresh.
        let old = runs_of(&store, "1.0");
        store.delete_session(&old).unwrap();
        append(
            &store,
            &mut MonitoredSessions::default(),
            &["1.0"],
            5_000,
            2,
        );
        same(&mut cache, "a session deleted and made again");
        store.delete_session(&runs_of(&store, "1.1")).unwrap();
        let runs = same(&mut cache, "a session deleted");
        assert_eq!(runs["shop/order"].len(), 2);
        assert_eq!(cache.sessions.len(), 1, "the deleted session is forgotten");
    }

    fn runs_of(store: &SqliteStore, version: &str) -> String {
        store
            .list_session_heads(&Default::default())
            .unwrap()
            .into_iter()
            .find(|s| s.program_version.as_deref() == Some(version))
            .unwrap()
            .id
    }
}
