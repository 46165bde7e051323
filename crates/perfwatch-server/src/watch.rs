//! Following the history: the Prometheus figures kept current, and
//! sessions written behind this server's back (another server over the
//! same PostgreSQL database, a `perfwatch run --db postgres://…`) noticed
//! and announced, so that every server gives the same answers and every
//! live page updates.

use crate::events::SessionEvent;
use crate::state::AppState;
use perfwatch_app::monitor::is_monitored;
use perfwatch_metrics::MetricsHub;
use perfwatch_model::Session;
use perfwatch_store::SessionFilter;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often the history is looked at for sessions written elsewhere.
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);

/// How often the figures of monitored pipelines whose sessions took new
/// runs are put on show: each is an analysis of the pipeline's recent
/// runs, too much to repeat for every batch of runs.
pub const MONITORED_SHOW_EVERY: Duration = Duration::from_secs(5);

/// Monitored sessions that took runs since their figures were last shown.
type Due = Arc<Mutex<BTreeSet<String>>>;

/// Starts the tasks that keep `hub` current: its figures built from the
/// store now, each session stored through the API counted and shown, and
/// the store's generation polled every `poll` for writes made elsewhere —
/// new sessions, progress, deletions — announced as
/// [`SessionEvent::Appeared`] (the figures then refreshed). A change that
/// the server's own noted writes explain ([`crate::own_writes`]: the
/// monitored runs it stores, announced as they are stored) is not news.
/// Call inside the runtime that serves.
pub fn follow(state: AppState, hub: Arc<MetricsHub>, poll: Duration) {
    let initial = {
        let (state, hub) = (state.clone(), hub.clone());
        tokio::task::spawn_blocking(move || refresh(&state, &hub))
    };
    let due: Due = Arc::default();
    {
        let (state, hub, due) = (state.clone(), hub.clone(), due.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(MONITORED_SHOW_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let ids = std::mem::take(&mut *due.lock().unwrap_or_else(PoisonError::into_inner));
                if ids.is_empty() {
                    continue;
                }
                let (state, hub) = (state.clone(), hub.clone());
                let _ = tokio::task::spawn_blocking(move || {
                    for id in ids {
                        show_monitored(&state, &hub, &id);
                    }
                })
                .await;
            }
        });
    }
    {
        let (state, hub) = (state.clone(), hub.clone());
        let mut events = state.subscribe();
        tokio::spawn(async move {
            let _ = initial.await;
            loop {
                match events.recv().await {
                    Ok(SessionEvent::Stored { id, iterations, .. }) => {
                        let (state, hub, due) = (state.clone(), hub.clone(), due.clone());
                        let _ = tokio::task::spawn_blocking(move || {
                            ingested(&state, &hub, &due, &id, iterations)
                        })
                        .await;
                    }
                    Ok(SessionEvent::Deleted { .. } | SessionEvent::Appeared { .. })
                    | Err(RecvError::Lagged(_)) => {
                        let (state, hub) = (state.clone(), hub.clone());
                        let _ = tokio::task::spawn_blocking(move || refresh(&state, &hub)).await;
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }
    tokio::spawn(async move {
        let mut seen = None;
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let state = state.clone();
            let before = seen;
            let looked = tokio::task::spawn_blocking(move || {
                // One small query a poll; the newest session only on news.
                // The server's own writes (stored monitored runs) are
                // announced when made: news is a change they do not explain.
                let now = state
                    .own_writes()
                    .between_writes(|| state.store().history_generation(None))
                    .ok()?;
                let news = before.is_some_and(|b| b != now && !state.own_writes().explain(b, now));
                let newest = news.then(|| newest_session(&state)).flatten();
                if let Some(id) = newest {
                    state.publish(SessionEvent::Appeared { id });
                }
                Some(now)
            })
            .await;
            // The first look only learns where the history stands.
            if let Ok(Some(now)) = looked {
                seen = Some(now);
            }
        }
    });
}

/// The newest session's id.
fn newest_session(state: &AppState) -> Option<String> {
    let heads = state
        .store()
        .list_session_heads(&SessionFilter {
            limit: Some(1),
            ..Default::default()
        })
        .ok()?;
    Some(heads.first()?.id.clone())
}

fn refresh(state: &AppState, hub: &MetricsHub) {
    match hub.refresh_from_store(&**state.store(), state.options()) {
        Ok(done) => {
            for (benchmark, e) in done.failed {
                eprintln!("perfwatch serve: metrics of benchmark {benchmark:?} not updated: {e}");
            }
        }
        Err(e) => eprintln!("perfwatch serve: metrics not refreshed: {e}"),
    }
}

/// The session `id` without its iterations, said on stderr when it
/// cannot be read.
fn session_row(state: &AppState, id: &str) -> Option<Session> {
    // The session alone (`load_recent` of no run): loading its
    // iterations and spans made each monitored run (the next iteration of
    // the day's session) cost as much as the whole day so far, and even
    // listing it counts its iterations.
    match state.store().load_recent(id, 0) {
        Ok((session, _)) => Some(session),
        Err(perfwatch_store::StoreError::SessionNotFound { .. }) => {
            eprintln!("perfwatch serve: metrics: session {id} not read back: it is gone");
            None
        }
        Err(e) => {
            eprintln!("perfwatch serve: metrics: session {id} not read back: {e}");
            None
        }
    }
}

fn ingested(state: &AppState, hub: &MetricsHub, due: &Due, id: &str, iterations: usize) {
    let Some(session) = session_row(state, id) else {
        return;
    };
    if is_monitored(&session) {
        hub.count_ingested(iterations);
        due.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string());
        return;
    }
    if let Err(e) = hub.session_ingested(&**state.store(), state.options(), &session, iterations) {
        eprintln!("perfwatch serve: metrics of session {id} not updated: {e}");
    }
}

fn show_monitored(state: &AppState, hub: &MetricsHub, id: &str) {
    let Some(session) = session_row(state, id) else {
        return;
    };
    if let Err(e) = hub.show_session(&**state.store(), state.options(), &session) {
        eprintln!("perfwatch serve: metrics of session {id} not updated: {e}");
    }
}
