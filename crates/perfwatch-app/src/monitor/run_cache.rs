//! The recent runs of monitored sessions, kept between passes: a pass
//! reads only the runs stored since the one before (a busy pipeline
//! stores hundreds a second, and replaying its last [`REPLAYED_RUNS`]
//! from the store every second cost the server more than storing them),
//! and runs the server just stored are taken as written
//! ([`RecentRuns::note_stored`]) instead of being read back.
//!
//! Stored runs never change: a session's runs are only ever appended
//! (each the next index) or deleted with their session. So a session
//! whose newest index is the one seen last time holds the same runs; one
//! whose newest index grew holds the old runs and those after it; one
//! that is gone, or came back with another start or version, is read
//! afresh.
//!
//! Two caches keep two things: the alert pass keeps each run as a
//! [`RunPoint`] ([`RunCache`]), the figures on `/metrics` keep whole
//! iterations for the analysis ([`IterationCache`]).

use super::alerts::REPLAYED_RUNS;
use super::sessions::UNVERSIONED;
use crate::AppError;
use perfwatch_analysis::monitor::RunPoint;
use perfwatch_model::{Iteration, Session};
use perfwatch_store::Store;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// What a cache keeps of each stored run.
pub trait Kept: Sized {
    /// What is kept of iteration `it` of session `id` (started at
    /// `started_at`, of version `version`); `None`: nothing, though its
    /// index counts as read.
    fn keep(id: &str, started_at: &str, version: &str, it: &Arc<Iteration>) -> Option<Self>;
    /// How much memory it holds, in spans (see [`RecentRuns::bound`]).
    fn weight(&self) -> usize;
}

/// The alert pass's: each counted run as the point it is replayed as.
impl Kept for Arc<RunPoint> {
    fn keep(id: &str, started_at: &str, version: &str, it: &Arc<Iteration>) -> Option<Self> {
        it.counts()
            .then(|| Arc::new(RunPoint::from_iteration(id, started_at, version, it)))
    }

    fn weight(&self) -> usize {
        self.stages.len()
    }
}

/// The analysis's: every iteration, whole (shared with whoever else
/// holds it).
impl Kept for Arc<Iteration> {
    fn keep(_: &str, _: &str, _: &str, it: &Arc<Iteration>) -> Option<Self> {
        Some(Arc::clone(it))
    }

    fn weight(&self) -> usize {
        self.stages.len()
    }
}

/// The counted runs of each monitored session as the alert pass replays
/// them.
pub type RunCache = RecentRuns<Arc<RunPoint>>;

/// The newest iterations of each monitored session, whole, as the
/// analysis of its recent runs takes them.
pub type IterationCache = RecentRuns<Arc<Iteration>>;

/// What is kept of the runs among the newest [`REPLAYED_RUNS`]
/// iterations of each session, by session id.
#[derive(Debug)]
pub struct RecentRuns<T> {
    sessions: HashMap<String, CachedSession<T>>,
    /// Bumped on every [`RecentRuns::runs`], to tell the sessions least
    /// recently asked for.
    clock: u64,
}

impl<T> Default for RecentRuns<T> {
    fn default() -> Self {
        RecentRuns {
            sessions: HashMap::new(),
            clock: 0,
        }
    }
}

#[derive(Debug)]
struct CachedSession<T> {
    started_at: String,
    version: String,
    /// The newest index read or noted (`None`: the session had no run).
    last_index: Option<u32>,
    /// What is kept of the runs among the newest [`REPLAYED_RUNS`]
    /// indices, oldest first.
    runs: VecDeque<T>,
    /// Their indices.
    indices: VecDeque<u32>,
    /// The sum of their [`Kept::weight`].
    weight: usize,
    /// Runs noted as stored, past those in `runs`, not yet made into what
    /// is kept: that is done when asked for, and only for those still
    /// among the newest, so that a burst of thousands of runs a second
    /// costs what the newest [`REPLAYED_RUNS`] cost.
    noted: VecDeque<Arc<Iteration>>,
    /// The [`RecentRuns::clock`] when last asked for.
    used: u64,
}

impl<T: Kept> CachedSession<T> {
    fn new(session: &Session) -> CachedSession<T> {
        CachedSession {
            started_at: session.started_at.clone(),
            version: version(session),
            last_index: None,
            runs: VecDeque::new(),
            indices: VecDeque::new(),
            weight: 0,
            noted: VecDeque::new(),
            used: 0,
        }
    }

    fn matches(&self, session: &Session) -> bool {
        self.started_at == session.started_at
            && self.version == session.program_version.as_deref().unwrap_or(UNVERSIONED)
    }

    /// The lowest index among the newest [`REPLAYED_RUNS`].
    fn window_start(&self) -> u32 {
        self.last_index.map_or(0, |last| {
            last.saturating_add(1)
                .saturating_sub(u32::try_from(REPLAYED_RUNS).unwrap_or(u32::MAX))
        })
    }

    /// Takes `iterations` (index order) past those kept, then keeps only
    /// the newest [`REPLAYED_RUNS`] indices.
    fn extend(&mut self, id: &str, iterations: impl IntoIterator<Item = Arc<Iteration>>) {
        for it in iterations {
            // Kept already (a run not kept, seen again, is not kept again).
            if self.indices.back().is_some_and(|&kept| it.index <= kept) {
                continue;
            }
            if self.last_index.is_none_or(|last| it.index > last) {
                self.last_index = Some(it.index);
            }
            if it.index < self.window_start() {
                continue;
            }
            if let Some(kept) = T::keep(id, &self.started_at, &self.version, &it) {
                self.weight += kept.weight();
                self.runs.push_back(kept);
                self.indices.push_back(it.index);
            }
        }
        self.trim();
    }

    /// Drops what fell out of the newest [`REPLAYED_RUNS`] indices.
    fn trim(&mut self) {
        let start = self.window_start();
        while self.indices.front().is_some_and(|&i| i < start) {
            self.indices.pop_front();
            if let Some(gone) = self.runs.pop_front() {
                self.weight -= gone.weight();
            }
        }
        while self.noted.front().is_some_and(|it| it.index < start) {
            self.noted.pop_front();
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
fn newest(store: &dyn Store, id: &str, last: usize) -> Result<Vec<Arc<Iteration>>, AppError> {
    let (_, mut iterations) = store.load_recent(id, last)?;
    iterations.sort_by_key(|i| i.index);
    Ok(iterations.into_iter().map(Arc::new).collect())
}

impl<T: Kept> RecentRuns<T> {
    /// What is kept of the runs among `session`'s newest
    /// [`REPLAYED_RUNS`] iterations, oldest first, reading from `store`
    /// only what was stored since the last call and not noted.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn runs(&mut self, store: &dyn Store, session: &Session) -> Result<&VecDeque<T>, AppError> {
        let id = session.id.as_str();
        self.clock += 1;
        let (cached, new) = match self.sessions.entry(session.id.clone()) {
            Entry::Occupied(e) if e.get().matches(session) => (e.into_mut(), false),
            Entry::Occupied(mut e) => {
                e.insert(CachedSession::new(session));
                (e.into_mut(), true)
            }
            Entry::Vacant(e) => (e.insert(CachedSession::new(session)), true),
        };
        cached.used = self.clock;
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
        let noted = std::mem::take(&mut cached.noted);
        cached.extend(id, noted);
        if to_read > 0 {
            cached.extend(id, newest(store, id, to_read)?);
        }
        Ok(&cached.runs)
    }

    /// Takes runs this process just stored, each with its session's id
    /// (index order within a session), as if the next call of
    /// [`RecentRuns::runs`] had read them back: a session's runs are
    /// taken only where they follow the newest index read or noted
    /// without a gap. Runs of a session not cached, or past a gap
    /// (another writer stored in between), are left for the next call to
    /// read from the store, which it does from the newest index read, as
    /// it would without this; runs already read are skipped. What is kept
    /// of them is made when asked for, and only for the newest.
    pub fn note_stored<'a>(
        &mut self,
        stored: impl IntoIterator<Item = (&'a str, &'a Arc<Iteration>)>,
    ) {
        for (id, it) in stored {
            let Some(cached) = self.sessions.get_mut(id) else {
                continue;
            };
            let next = cached
                .last_index
                .map_or(Some(0), |last| last.checked_add(1));
            if next == Some(it.index) {
                cached.last_index = Some(it.index);
                cached.noted.push_back(Arc::clone(it));
                cached.trim();
            }
        }
    }

    /// Forgets every session not in `ids` (deleted, or too old to be
    /// looked at).
    pub fn keep_only<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let keep: HashSet<&str> = ids.into_iter().collect();
        self.sessions.retain(|id, _| keep.contains(id.as_str()));
    }

    /// Forgets the sessions least recently asked for until at most
    /// `max_sessions` are kept holding at most `max_weight` spans in all,
    /// so that what is kept between calls stays bounded whatever the runs
    /// hold (a forgotten session is read afresh when asked for again).
    pub fn bound(&mut self, max_sessions: usize, max_weight: usize) {
        let mut by_use: Vec<(u64, usize)> =
            self.sessions.values().map(|s| (s.used, s.weight)).collect();
        by_use.sort_unstable_by(|a, b| b.cmp(a));
        let mut total = 0usize;
        let mut oldest_kept = u64::MAX;
        for (kept, (used, weight)) in by_use.into_iter().enumerate() {
            total = total.saturating_add(weight);
            if kept >= max_sessions || total > max_weight {
                break;
            }
            oldest_kept = used;
        }
        self.sessions.retain(|_, s| s.used >= oldest_kept);
    }
}

#[cfg(test)]
mod tests {
    use super::super::alerts::{monitored_runs, monitored_runs_cached};
    use super::super::assembler::CompletedRun;
    use super::super::sessions::{store_runs, MonitoredSessions, StoredRuns};
    use super::super::test_runs::{append, run, runs_of, DAY};
    use super::*;
    use perfwatch_store::SqliteStore;

    fn note(cache: &mut RunCache, stored: &StoredRuns) {
        cache.note_stored(stored.stored.iter().map(|(id, it)| (id.as_str(), it)));
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

    #[test]
    fn runs_noted_as_stored_are_taken_without_reading_them_back_and_a_gap_is_read() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut known = MonitoredSessions::default();
        let mut cache = RunCache::default();
        let fresh = |cache: &mut RunCache| {
            let cached = monitored_runs_cached(&store, cache).unwrap();
            (cached, monitored_runs(&store).unwrap())
        };
        // Noted before the session is cached: nothing to append to, read.
        let first = append(&store, &mut known, &["1.0"], 0, 3);
        note(&mut cache, &first);
        let (cached, stored) = fresh(&mut cache);
        assert_eq!(cached, stored, "first read");
        // Noted in order after the newest read: the same as reading them.
        let next = append(&store, &mut known, &["1.0"], 10, 2);
        note(&mut cache, &next);
        let (cached, stored) = fresh(&mut cache);
        assert_eq!(cached, stored, "noted in order");
        // Taken as noted, not read back: a noted run that differs from the
        // stored one is what the cache holds.
        let mut altered = append(&store, &mut known, &["1.0"], 20, 1);
        Arc::make_mut(&mut altered.stored[0].1).wall_s = 99.0;
        note(&mut cache, &altered);
        let (cached, stored) = fresh(&mut cache);
        assert_eq!(cached["shop/order"].last().unwrap().wall_s, 99.0);
        assert_eq!(stored["shop/order"].last().unwrap().wall_s, 1.0);
        // A gap (runs stored that were never noted, as by another writer):
        // later noted runs are not appended past it; the pass reads the
        // gap and them from the store.
        let mut cache = RunCache::default();
        fresh(&mut cache);
        append(&store, &mut known, &["1.0"], 30, 2);
        let after_gap = append(&store, &mut known, &["1.0"], 40, 2);
        note(&mut cache, &after_gap);
        let (cached, stored) = fresh(&mut cache);
        assert_eq!(cached, stored, "past a gap");
        assert_eq!(cached["shop/order"].len(), 10);
        // Noted again after being read: skipped, not doubled.
        note(&mut cache, &after_gap);
        let (cached, stored) = fresh(&mut cache);
        assert_eq!(cached, stored, "noted twice");
    }

    #[test]
    fn bound_keeps_the_sessions_asked_for_last_within_the_span_budget() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut known = MonitoredSessions::default();
        append(&store, &mut known, &["1.0", "1.1", "1.2"], 0, 2);
        let session = |v: &str| store.load_recent(&runs_of(&store, v), 0).unwrap().0;
        let kept = |cache: &IterationCache| {
            let mut ids: Vec<&str> = cache.sessions.keys().map(String::as_str).collect();
            ids.sort_unstable();
            ids.into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        let ids = |vs: &[&str]| {
            let mut ids: Vec<String> = vs.iter().map(|v| runs_of(&store, v)).collect();
            ids.sort_unstable();
            ids
        };
        let mut cache = IterationCache::default();
        for v in ["1.0", "1.1", "1.2"] {
            // Two runs of two spans each.
            assert_eq!(cache.runs(&store, &session(v)).unwrap().len(), 2);
        }
        cache.bound(2, usize::MAX);
        assert_eq!(
            kept(&cache),
            ids(&["1.1", "1.2"]),
            "the least recently asked for goes"
        );
        cache.runs(&store, &session("1.1")).unwrap();
        cache.bound(2, 4);
        assert_eq!(kept(&cache), ids(&["1.1"]), "within 4 spans in all");
        cache.bound(2, 3);
        assert!(
            kept(&cache).is_empty(),
            "a session over the budget alone goes too"
        );
        cache.runs(&store, &session("1.0")).unwrap();
        cache.bound(0, usize::MAX);
        assert!(kept(&cache).is_empty());
    }

    #[test]
    fn runs_not_counted_and_bursts_past_the_window_give_what_a_fresh_read_gives() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut known = MonitoredSessions::default();
        let mut cache = RunCache::default();
        let mut hub = IterationCache::default();
        let check = |cache: &mut RunCache, hub: &mut IterationCache, when: &str| {
            let cached = monitored_runs_cached(&store, cache).unwrap();
            assert_eq!(cached, monitored_runs(&store).unwrap(), "{when}");
            let id = runs_of(&store, "1.0");
            let session = store.load_recent(&id, 0).unwrap().0;
            let kept: Vec<Iteration> = hub
                .runs(&store, &session)
                .unwrap()
                .iter()
                .map(|it| Iteration::clone(it))
                .collect();
            let (_, fresh) = store.load_recent(&id, REPLAYED_RUNS).unwrap();
            assert_eq!(kept, fresh, "{when}: the newest iterations, whole");
            cached
        };
        append(&store, &mut known, &["1.0"], 0, 3);
        check(&mut cache, &mut hub, "first read");
        // Runs that do not count (timed out) are iterations of the window
        // all the same.
        let mut failing: Vec<CompletedRun> = (0..600)
            .map(|i| run("1.0", DAY + (10 + i) * 1_000_000_000, 0.1))
            .collect();
        for r in failing.iter_mut().step_by(3) {
            r.iteration.timed_out = true;
        }
        let stored = store_runs(&store, &mut known, failing);
        note(&mut cache, &stored);
        hub.note_stored(stored.stored.iter().map(|(id, it)| (id.as_str(), it)));
        let runs = check(
            &mut cache,
            &mut hub,
            "a burst past the window, a third timed out",
        );
        // Indices 103..=602; 166 of them timed out (every third of the 600).
        assert_eq!(runs["shop/order"].len(), REPLAYED_RUNS - 166);
        // Read, not noted: the same.
        let mut cache = RunCache::default();
        let mut hub = IterationCache::default();
        check(&mut cache, &mut hub, "read afresh");
        append(&store, &mut known, &["1.0"], 1_000, 7);
        check(&mut cache, &mut hub, "appended and read");
    }
}
