//! Following the history: the Prometheus figures kept current, and
//! sessions written behind this server's back (another server over the
//! same PostgreSQL database, a `perfwatch run --db postgres://…`) noticed
//! and announced, so that every server gives the same answers and every
//! live page updates.

use crate::events::SessionEvent;
use crate::state::AppState;
use perfwatch_metrics::MetricsHub;
use perfwatch_store::SessionFilter;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often the history is looked at for sessions written elsewhere.
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);

/// Starts the tasks that keep `hub` current: its figures built from the
/// store now, each session stored through the API counted and shown, and
/// the store's generation polled every `poll` for writes made elsewhere —
/// new sessions, progress, deletions — announced as
/// [`SessionEvent::Appeared`] (the figures then refreshed). Call inside
/// the runtime that serves.
pub fn follow(state: AppState, hub: Arc<MetricsHub>, poll: Duration) {
    let initial = {
        let (state, hub) = (state.clone(), hub.clone());
        tokio::task::spawn_blocking(move || refresh(&state, &hub))
    };
    {
        let (state, hub) = (state.clone(), hub.clone());
        let mut events = state.subscribe();
        tokio::spawn(async move {
            let _ = initial.await;
            loop {
                match events.recv().await {
                    Ok(SessionEvent::Stored { id, iterations, .. }) => {
                        let (state, hub) = (state.clone(), hub.clone());
                        let _ = tokio::task::spawn_blocking(move || {
                            ingested(&state, &hub, &id, iterations)
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
                let now = state.store().history_generation(None).ok()?;
                let news = before.is_some_and(|b| b != now);
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
    let rows = state
        .store()
        .list_sessions(&SessionFilter {
            limit: Some(1),
            ..Default::default()
        })
        .ok()?;
    Some(rows.first()?.session.id.clone())
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

fn ingested(state: &AppState, hub: &MetricsHub, id: &str, iterations: usize) {
    // The session's row only: loading its iterations and spans made each
    // monitored run (the next iteration of the day's session) cost as
    // much as the whole day so far — quadratic over a day.
    let listed = state.store().list_sessions(&SessionFilter {
        ids: Some(vec![id.to_string()]),
        limit: Some(1),
        ..Default::default()
    });
    let session = match listed.map(|rows| rows.into_iter().next()) {
        Ok(Some(row)) => row.session,
        Ok(None) => {
            eprintln!("perfwatch serve: metrics: session {id} not read back: it is gone");
            return;
        }
        Err(e) => {
            eprintln!("perfwatch serve: metrics: session {id} not read back: {e}");
            return;
        }
    };
    if let Err(e) = hub.session_ingested(&**state.store(), state.options(), &session, iterations) {
        eprintln!("perfwatch serve: metrics of session {id} not updated: {e}");
    }
}
