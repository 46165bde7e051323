//! The live view: the dashboard `perfwatch dashboard` writes, served at
//! `/` and updated in place as sessions arrive (server-sent events at
//! [`EVENTS_PATH`]), and each session's page at `/ui/sessions/{id}`.
//!
//! The page is rendered once per change of the history and kept: a
//! hundred open pages fetching it after a push cost one analysis pass.

use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use perfwatch_analysis::app_rule::number;
use perfwatch_analysis::monitor::{Alert, AlertKind, AlertState};
use perfwatch_html::{
    render_live_dashboard, render_session_page, AlertRow, LIVE_CONTENT_SECURITY_POLICY,
};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// The event stream the live page follows.
pub const EVENTS_PATH: &str = "/live/events";

/// Sessions the live dashboard shows at most (the newest), as
/// `perfwatch dashboard`'s default.
pub const LIVE_SESSIONS: usize = 1000;

/// The rendered dashboard and the history generation it shows.
#[derive(Default)]
struct Cached {
    generation: u64,
    page: Option<(u64, Arc<String>)>,
}

/// `/`, `/ui/sessions/{id}` and the event stream. Starts the task that
/// marks the cached page stale on every event; call inside the runtime.
pub fn live_routes(state: &AppState) -> Router<AppState> {
    let cache = Arc::new(Mutex::new(Cached::default()));
    {
        let cache = cache.clone();
        let mut events = state.subscribe();
        tokio::spawn(async move {
            // Any event, or missing some, makes the page stale.
            while !matches!(
                events.recv().await,
                Err(tokio::sync::broadcast::error::RecvError::Closed)
            ) {
                lock(&cache).generation += 1;
            }
        });
    }
    Router::new()
        .route("/", get(dashboard))
        .route("/ui/sessions/{id}", get(session_page))
        .route(EVENTS_PATH, get(events))
        .layer(axum::Extension(cache))
}

fn lock(cache: &Mutex<Cached>) -> std::sync::MutexGuard<'_, Cached> {
    cache.lock().unwrap_or_else(|p| p.into_inner())
}

fn html(page: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                LIVE_CONTENT_SECURITY_POLICY,
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page.to_string(),
    )
        .into_response()
}

async fn dashboard(
    State(state): State<AppState>,
    axum::Extension(cache): axum::Extension<Arc<Mutex<Cached>>>,
) -> ApiResult<Response> {
    let generation = {
        let cached = lock(&cache);
        if let Some((g, page)) = &cached.page {
            if *g == cached.generation {
                return Ok(html(page));
            }
        }
        cached.generation
    };
    let page = state
        .blocking(|state| {
            let (sessions, history) = perfwatch_app::history::dashboard_data(
                &**state.store(),
                None,
                LIVE_SESSIONS,
                state.options(),
            )?;
            let links: Vec<Option<String>> = sessions
                .iter()
                .map(|s| Some(format!("/ui/sessions/{}", s.session.id)))
                .collect();
            let alerts: Vec<AlertRow> = state
                .alerts()
                .current(&**state.store())?
                .iter()
                .map(alert_row)
                .collect();
            render_live_dashboard(
                &sessions,
                &history,
                &links,
                &alerts,
                "perfwatch dashboard",
                EVENTS_PATH,
            )
            .map_err(ApiError::internal)
        })
        .await?;
    let page = Arc::new(page);
    lock(&cache).page = Some((generation, page.clone()));
    Ok(html(&page))
}

/// An alert as the dashboard shows it.
fn alert_row(a: &Alert) -> AlertRow {
    AlertRow {
        pipeline: a.pipeline.clone(),
        stage: a.stage.clone(),
        kind: match (a.kind, a.limit) {
            (AlertKind::AppMetric { op }, Some(limit)) => {
                format!("app_metric {} {}", op.symbol(), number(limit))
            }
            (kind, _) => kind.key(),
        },
        severity: a.severity.key().to_string(),
        ratio: (a.ratio, a.ci_low, a.ci_high),
        first: (a.first.version.clone(), a.first.index),
        since: a.first.started_at.clone(),
        resolved: match &a.state {
            AlertState::Open => None,
            AlertState::Resolved { at } => Some((at.version.clone(), at.index)),
        },
    }
}

async fn session_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let page = state
        .blocking(move |state| {
            let store = &**state.store();
            let answer = state.memo().get_or_compute(
                || crate::memo::session_key(store, &id, None),
                || {
                    let analysis =
                        perfwatch_app::load::analyze_stored(store, &id, None, state.options())?;
                    crate::respond::memoized(analysis)
                },
            )?;
            render_session_page(&answer.analysis, "/").map_err(ApiError::internal)
        })
        .await?;
    Ok(html(&page))
}

/// Server-sent events: `event: session` with the
/// [`SessionEvent`](crate::events::SessionEvent) as JSON
/// data, for each session stored, appeared or deleted, and `event: live`
/// with the [`LiveEvent`](crate::events::LiveEvent), for each snapshot of
/// a run in progress (and each run forgotten); a comment every 15 s keeps
/// proxies from closing the stream.
async fn events(
    State(state): State<AppState>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let sessions = BroadcastStream::new(state.subscribe()).map(|event| {
        let data = match event {
            Ok(e) => serde_json::to_string(&e).unwrap_or_default(),
            // Missed some: the page fetches itself again all the same.
            Err(_) => "{\"event\":\"lagged\"}".to_string(),
        };
        Ok(Event::default().event("session").data(data))
    });
    let live = BroadcastStream::new(state.live_runs().subscribe()).map(|event| {
        let data = match event {
            Ok(e) => serde_json::to_string(&e).unwrap_or_default(),
            // Missed some: the page asks for the runs again.
            Err(_) => "{\"event\":\"lagged\"}".to_string(),
        };
        Ok(Event::default().event("live").data(data))
    });
    Sse::new(sessions.merge(live))
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
}
