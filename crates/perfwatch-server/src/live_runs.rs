//! The runs in progress that CLIs report (`run --push` posts a
//! `perfwatch.live.v1` snapshot about once a second): the latest snapshot
//! of each, kept in memory only, announced to the live dashboard as it
//! arrives ([`LiveEvent`]).
//!
//! Bounded: at most [`MAX_LIVE_RUNS`] runs (a new one pushes out the one
//! updated longest ago); a run is forgotten [`RUNNING_TTL`] after its last
//! update (its CLI died or lost the server), [`ENDED_TTL`] after it
//! ended, or as soon as its session is stored once it ended.

use crate::events::LiveEvent;
use perfwatch_model::{LiveSnapshot, LiveState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Runs kept at most.
pub const MAX_LIVE_RUNS: usize = 64;

/// A running run is forgotten this long after its last snapshot.
pub const RUNNING_TTL: Duration = Duration::from_secs(120);

/// An ended run is forgotten this long after its last snapshot.
pub const ENDED_TTL: Duration = Duration::from_secs(30);

/// How many live events a slow listener may lag behind.
const LIVE_EVENT_CAPACITY: usize = 256;

/// The latest snapshot of each run in progress.
pub struct LiveRuns {
    runs: Mutex<HashMap<String, Entry>>,
    events: broadcast::Sender<LiveEvent>,
}

struct Entry {
    snapshot: Arc<LiveSnapshot>,
    updated: Instant,
}

impl Entry {
    fn expired(&self, now: Instant) -> bool {
        let ttl = match self.snapshot.state {
            LiveState::Running => RUNNING_TTL,
            LiveState::Finished | LiveState::Cancelled => ENDED_TTL,
        };
        now.duration_since(self.updated) > ttl
    }
}

impl Default for LiveRuns {
    fn default() -> LiveRuns {
        let (events, _) = broadcast::channel(LIVE_EVENT_CAPACITY);
        LiveRuns {
            runs: Mutex::new(HashMap::new()),
            events,
        }
    }
}

impl LiveRuns {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `snapshot` as its run's latest and announces it.
    pub fn put(&self, snapshot: LiveSnapshot) {
        let now = Instant::now();
        let snapshot = Arc::new(snapshot);
        let mut forgotten = Vec::new();
        {
            let mut runs = self.lock();
            forgotten.extend(expire(&mut runs, now));
            if !runs.contains_key(&snapshot.run_id) && runs.len() >= MAX_LIVE_RUNS {
                let oldest = runs
                    .iter()
                    .min_by_key(|(_, e)| e.updated)
                    .map(|(id, _)| id.clone());
                if let Some(id) = oldest {
                    runs.remove(&id);
                    forgotten.push(id);
                }
            }
            runs.insert(
                snapshot.run_id.clone(),
                Entry {
                    snapshot: Arc::clone(&snapshot),
                    updated: now,
                },
            );
        }
        for run_id in forgotten {
            let _ = self.events.send(LiveEvent::Forgotten { run_id });
        }
        let _ = self.events.send(LiveEvent::Updated {
            snapshot: Box::new((*snapshot).clone()),
        });
    }

    /// Every run kept, the one updated last first.
    pub fn list(&self) -> Vec<LiveSnapshot> {
        let now = Instant::now();
        let (mut kept, forgotten) = {
            let mut runs = self.lock();
            let forgotten = expire(&mut runs, now);
            let mut kept: Vec<(Instant, Arc<LiveSnapshot>)> = runs
                .values()
                .map(|e| (e.updated, Arc::clone(&e.snapshot)))
                .collect();
            kept.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.run_id.cmp(&b.1.run_id)));
            (kept, forgotten)
        };
        for run_id in forgotten {
            let _ = self.events.send(LiveEvent::Forgotten { run_id });
        }
        kept.drain(..).map(|(_, s)| (*s).clone()).collect()
    }

    /// The session `id` was stored: its run is forgotten if it ended (a
    /// run still going stores its session only at its end).
    pub fn stored(&self, id: &str) {
        let removed = {
            let mut runs = self.lock();
            let ended = runs
                .get(id)
                .is_some_and(|e| e.snapshot.state != LiveState::Running);
            ended && runs.remove(id).is_some()
        };
        if removed {
            let _ = self.events.send(LiveEvent::Forgotten {
                run_id: id.to_string(),
            });
        }
    }

    /// A receiver of every [`LiveEvent`] from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }
}

/// Removes the expired runs; returns their ids.
fn expire(runs: &mut HashMap<String, Entry>, now: Instant) -> Vec<String> {
    let gone: Vec<String> = runs
        .iter()
        .filter(|(_, e)| e.expired(now))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &gone {
        runs.remove(id);
    }
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(id: &str, state: LiveState) -> LiveSnapshot {
        LiveSnapshot::empty(id, "b", state, "t")
    }

    #[test]
    fn the_latest_snapshot_of_each_run_is_kept_and_announced() {
        let runs = LiveRuns::default();
        let mut events = runs.subscribe();
        runs.put(snapshot("aaaa", LiveState::Running));
        let mut second = snapshot("aaaa", LiveState::Running);
        second.progress.done = 2;
        runs.put(second);
        let listed = runs.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].progress.done, 2);
        assert!(matches!(events.try_recv(), Ok(LiveEvent::Updated { .. })));
    }

    #[test]
    fn a_full_registry_forgets_the_run_updated_longest_ago() {
        let runs = LiveRuns::default();
        for i in 0..=MAX_LIVE_RUNS {
            runs.put(snapshot(&format!("{i:08x}"), LiveState::Running));
        }
        let listed = runs.list();
        assert_eq!(listed.len(), MAX_LIVE_RUNS);
        assert!(listed.iter().all(|s| s.run_id != "00000000"));
    }

    #[test]
    fn an_ended_run_is_forgotten_once_its_session_is_stored_a_running_one_is_not() {
        let runs = LiveRuns::default();
        runs.put(snapshot("aaaa", LiveState::Running));
        runs.stored("aaaa");
        assert_eq!(runs.list().len(), 1);
        runs.put(snapshot("aaaa", LiveState::Finished));
        let mut events = runs.subscribe();
        runs.stored("aaaa");
        assert!(runs.list().is_empty());
        assert!(matches!(
            events.try_recv(),
            Ok(LiveEvent::Forgotten { run_id }) if run_id == "aaaa"
        ));
    }
}
