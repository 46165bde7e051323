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
/// the store polled every `poll` for sessions written elsewhere (announced
/// as [`SessionEvent::Appeared`], the figures then refreshed). Call inside
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
        let mut newest = None;
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let looked = {
                let state = state.clone();
                tokio::task::spawn_blocking(move || newest_session(&state)).await
            };
            let Ok(Some((key, id))) = looked else {
                continue;
            };
            match &newest {
                // The first look only learns where the history stands.
                None => newest = Some(key),
                Some(seen) if *seen == key => {}
                Some(_) => {
                    newest = Some(key);
                    state.publish(SessionEvent::Appeared { id });
                }
            }
        }
    });
}

/// What changes when the history does — the newest session's id, its
/// iterations and status (so that a running session's progress is news
/// too) — and that id.
fn newest_session(state: &AppState) -> Option<(String, String)> {
    let rows = state
        .store()
        .list_sessions(&SessionFilter {
            limit: Some(1),
            ..Default::default()
        })
        .ok()?;
    let row = rows.first()?;
    let key = format!(
        "{}:{}:{}",
        row.session.id,
        row.iterations,
        row.session.status.key()
    );
    Some((key, row.session.id.clone()))
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
    let session = match state.store().load_session(id) {
        Ok((session, _)) => session,
        Err(e) => {
            eprintln!("perfwatch serve: metrics: session {id} not read back: {e}");
            return;
        }
    };
    if let Err(e) = hub.session_ingested(&**state.store(), state.options(), &session, iterations) {
        eprintln!("perfwatch serve: metrics of session {id} not updated: {e}");
    }
}
