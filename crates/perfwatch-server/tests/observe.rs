//! Requests counted in `/metrics`: by route template when a route answers,
//! under `route="unrouted"` when none does (a refused token, a body too
//! large, an unknown path), so that failed authentication shows too.

use crate::support::Fixture;
use axum::http::{Method, StatusCode};
use perfwatch_metrics::MetricsHub;
use perfwatch_server::ServerBuilder;
use std::sync::Arc;

#[tokio::test]
async fn refused_and_unknown_requests_are_counted_as_unrouted() {
    let mut f = Fixture::with(Default::default(), 64);
    let hub = Arc::new(MetricsHub::new(100));
    f.router = ServerBuilder::new(f.state.clone())
        .with_metrics(hub.clone())
        .build();
    let big = Some(vec![b' '; 1024]);
    for (method, uri, token, body, status) in [
        (Method::GET, "/api/v1/sessions", None, None, StatusCode::OK),
        (
            Method::POST,
            "/api/v1/sessions",
            None,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            Method::POST,
            "/api/v1/sessions",
            Some(f.read.clone()),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::POST,
            "/api/v1/sessions",
            Some(f.write.clone()),
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::GET,
            "/no/such/path",
            None,
            None,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let reply = f.call(method, uri, token.as_deref(), body).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
    }
    let text = hub.render_text();
    for line in [
        r#"perfwatch_api_requests_total{route="/api/v1/sessions",method="GET",status="200"} 1"#,
        r#"perfwatch_api_requests_total{route="unrouted",method="POST",status="401"} 1"#,
        r#"perfwatch_api_requests_total{route="unrouted",method="POST",status="403"} 1"#,
        r#"perfwatch_api_requests_total{route="unrouted",method="POST",status="413"} 1"#,
        r#"perfwatch_api_requests_total{route="unrouted",method="GET",status="404"} 1"#,
    ] {
        assert!(text.contains(line), "no {line} in:\n{text}");
    }
    // Each request once: the routed GET is not counted as unrouted too.
    assert!(
        !text.contains(r#"route="unrouted",method="GET",status="200""#),
        "{text}"
    );
}

/// The next `Appeared` event, waiting at most `limit`.
async fn appeared(
    events: &mut tokio::sync::broadcast::Receiver<perfwatch_server::SessionEvent>,
    limit: std::time::Duration,
) -> Option<perfwatch_server::SessionEvent> {
    tokio::time::timeout(limit, async {
        loop {
            if let Ok(e @ perfwatch_server::SessionEvent::Appeared { .. }) = events.recv().await {
                return e;
            }
        }
    })
    .await
    .ok()
}

/// The poll watches the store's generation, so a write behind the
/// server's back to an older session — here a deletion — is announced,
/// not only a newer session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_made_elsewhere_is_announced() {
    use perfwatch_server::SessionEvent::Appeared;
    use std::time::Duration;
    let f = Fixture::new();
    let old = f.add("build", "2024-01-01T00:00:00Z", &crate::support::walls(1.0));
    let mut events = f.state.subscribe();
    let hub = Arc::new(MetricsHub::new(100));
    perfwatch_server::watch::follow(f.state.clone(), hub, Duration::from_millis(20));
    // Sessions written elsewhere until one is announced: the poll has
    // learnt where the history stands.
    let newest = loop {
        let id = f.add("build", "2024-01-02T00:00:00Z", &crate::support::walls(1.0));
        if appeared(&mut events, Duration::from_millis(500))
            .await
            .is_some()
        {
            break id;
        }
    };
    let store = f.store.clone();
    tokio::task::spawn_blocking(move || store.delete_session(&old).unwrap())
        .await
        .unwrap();
    let e = appeared(&mut events, Duration::from_secs(20)).await;
    assert_eq!(
        e,
        Some(Appeared { id: newest }),
        "the deletion was never announced"
    );
}

/// The server's own writes — batches of monitored runs, noted with the
/// generation step they made — are announced when stored, never again as
/// news by the poll; a write made elsewhere between them still is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_own_batches_are_not_news_and_a_write_elsewhere_between_them_is() {
    use perfwatch_server::SessionEvent::Appeared;
    use std::time::Duration;
    let f = Fixture::new();
    let own = f.add("pipeline", "2024-01-01T00:00:00Z", &[]);
    let mut events = f.state.subscribe();
    let hub = Arc::new(MetricsHub::new(100));
    perfwatch_server::watch::follow(f.state.clone(), hub, Duration::from_millis(20));
    // As the monitor stores a tick's runs: one batch, its step noted.
    let store_own_batch = |index: u32| {
        let state = f.state.clone();
        let id = own.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut it = crate::support::session("pipeline", "2024-01-01T00:00:00Z", &[1.0])
                    .1
                    .remove(0);
                it.index = index;
                let _writing = state.own_writes().writing();
                let step = state
                    .store()
                    .add_iterations_stepped(&[(&id, &it)])
                    .unwrap()
                    .expect("SQLite tells its step");
                state.own_writes().note(step);
            })
            .await
            .unwrap();
        }
    };
    // Until the poll has looked once, nothing it sees can be news.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for index in 0..10 {
        store_own_batch(index).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(
        appeared(&mut events, Duration::from_millis(300)).await,
        None,
        "the server's own batches were announced as news"
    );
    // A session written elsewhere, then another own batch: the poll sees
    // both changes at once and announces the newest session.
    let elsewhere = f.add("build", "2024-01-02T00:00:00Z", &crate::support::walls(1.0));
    store_own_batch(10).await;
    assert_eq!(
        appeared(&mut events, Duration::from_secs(20)).await,
        Some(Appeared { id: elsewhere }),
        "the write made elsewhere was never announced"
    );
}
