//! Remembered analyses (`perfwatch_server::memo`): served again while
//! their sessions and baselines are unchanged, and never after a change
//! made behind the server's back (another server, `perfwatch run --db`):
//! at every step the answer equals one computed afresh.

use crate::support::{session, walls, Fixture};
use axum::http::{Method, StatusCode};
use perfwatch_app::load::{analyze_stored, load_stored, load_stored_reference};
use perfwatch_app::{analyze_against, Options};
use perfwatch_model::SessionStatus;
use perfwatch_report::{JsonRenderer, Render};

/// `GET uri`'s body, which must be 200 and equal `expected`.
async fn served(f: &Fixture, uri: &str, expected: &str) {
    let reply = f.call(Method::GET, uri, None, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    assert_eq!(reply.text(), expected, "{uri}");
}

fn report(f: &Fixture, spec: &str, baseline: Option<&str>) -> String {
    let analysis = analyze_stored(&*f.store, spec, baseline, &Options::default()).unwrap();
    JsonRenderer.render_to_string(&analysis).unwrap()
}

fn compare(f: &Fixture, base: &str, candidate: &str) -> String {
    let opts = Options::default();
    let base = load_stored_reference(&*f.store, base, &opts).unwrap();
    let ((s, its), _) = load_stored(&*f.store, candidate).unwrap();
    let analysis = analyze_against(s, its, &base, &opts).unwrap();
    JsonRenderer.render_to_string(&analysis).unwrap()
}

#[tokio::test]
async fn a_remembered_analysis_is_never_served_after_its_session_or_baseline_changed() {
    let f = Fixture::new();
    let old = f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    let other = f.add("build", "2024-01-02T00:00:00Z", &walls(2.0));
    // A run still in progress, written by another process.
    let (mut running, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.5));
    running.status = SessionStatus::Running;
    running.finished_at = None;
    running.baseline = Some("main".into());
    f.store.create_session(&running).unwrap();
    for it in &its[..4] {
        f.store.add_iteration(&running.id, it).unwrap();
    }
    f.store
        .save_baseline("main", std::slice::from_ref(&old), None, false)
        .unwrap();
    let id = running.id.clone();
    let uri = format!("/api/v1/sessions/{id}");
    let pair = format!("/api/v1/compare?base=main&candidate={id}");

    served(&f, &uri, &report(&f, &id, None)).await;
    served(&f, &pair, &compare(&f, "main", &id)).await;
    let (hits, _) = f.state.memo().counts();
    served(&f, &uri, &report(&f, &id, None)).await;
    served(&f, &pair, &compare(&f, "main", &id)).await;
    assert_eq!(f.state.memo().counts().0, hits + 2, "served again");

    // A new iteration, the run finishing, the baseline saved again over
    // another session: each is seen at once.
    f.store.add_iteration(&id, &its[4]).unwrap();
    served(&f, &uri, &report(&f, &id, None)).await;
    served(&f, &pair, &compare(&f, "main", &id)).await;
    f.store
        .finish_session(&id, SessionStatus::Complete, "2024-01-03T00:01:00Z")
        .unwrap();
    served(&f, &uri, &report(&f, &id, None)).await;
    let before = report(&f, &id, None);
    f.store
        .save_baseline("main", std::slice::from_ref(&other), None, true)
        .unwrap();
    let after = report(&f, &id, None);
    assert_ne!(before, after, "the session's own baseline moved");
    served(&f, &uri, &after).await;
    served(&f, &pair, &compare(&f, "main", &id)).await;

    // The baseline gone: the answer says so; the session gone: 404.
    f.store.delete_baseline("main").unwrap();
    served(&f, &uri, &report(&f, &id, None)).await;
    let reply = f.call(Method::GET, &pair, None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    f.store.delete_session(&id).unwrap();
    let reply = f.call(Method::GET, &uri, None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
}

#[tokio::test]
async fn latest_follows_the_newest_session_through_the_memo() {
    let f = Fixture::new();
    f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    served(&f, "/api/v1/sessions/latest", &report(&f, "latest", None)).await;
    let newer = f.add("build", "2024-01-02T00:00:00Z", &walls(3.0));
    let v = f.get_json("/api/v1/sessions/latest").await;
    assert_eq!(v["session"]["id"], newer.as_str());
    served(&f, "/api/v1/sessions/latest", &report(&f, "latest", None)).await;
}

/// `GET /history?benchmark=build` as the CLI computes it now.
fn history_now(f: &Fixture) -> String {
    let filters = perfwatch_app::history::Filters {
        benchmark: Some("build".into()),
        ..Default::default()
    };
    let metric = perfwatch_app::history::SeriesMetric::parse("wall_s").unwrap();
    let series =
        perfwatch_app::history::load_series(&*f.store, &filters, &metric, &Options::default().ci())
            .unwrap();
    serde_json::to_string_pretty(&series).unwrap() + "\n"
}

#[tokio::test]
async fn listings_and_histories_are_served_again_until_their_benchmark_changes() {
    let f = Fixture::new();
    f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    let (mut running, its) = session("build", "2024-01-02T00:00:00Z", &walls(2.0));
    running.status = SessionStatus::Running;
    running.finished_at = None;
    f.store.create_session(&running).unwrap();
    f.store.add_iteration(&running.id, &its[0]).unwrap();
    f.add("test", "2024-01-03T00:00:00Z", &walls(0.5));
    let uris = [
        "/api/v1/sessions?benchmark=build",
        "/api/v1/sessions",
        "/api/v1/benchmarks",
        "/api/v1/history?benchmark=build",
        "/api/v1/history?benchmark=build&metric=stage:work",
    ];
    let mut first = Vec::new();
    for uri in uris {
        first.push(f.get_json(uri).await);
    }
    let (hits, _) = f.state.answers().counts();
    for (uri, before) in uris.iter().zip(&first) {
        assert_eq!(&f.get_json(uri).await, before, "{uri}");
    }
    assert_eq!(f.state.answers().counts().0, hits + 5, "all served again");

    // Another benchmark's new session: build's answers stand, the
    // answers over every benchmark do not.
    let (hits, misses) = f.state.answers().counts();
    let newer = f.add("test", "2024-01-04T00:00:00Z", &walls(0.5));
    assert_eq!(f.get_json(uris[0]).await, first[0]);
    let all = f.get_json(uris[1]).await;
    assert_eq!(all["sessions"][0]["id"], newer.as_str());
    let benchmarks = f.get_json(uris[2]).await;
    assert_eq!(benchmarks[1]["sessions"], 2, "{benchmarks}");
    assert_eq!(f.state.answers().counts(), (hits + 1, misses + 2));

    // An iteration written behind the server's back (a run on another
    // machine, straight into the database): build's answers follow.
    f.store.add_iteration(&running.id, &its[1]).unwrap();
    let listed = f.get_json(uris[0]).await;
    assert_eq!(listed["sessions"][0]["iterations"], 2, "{listed}");
    served(&f, uris[3], &history_now(&f)).await;
    assert_ne!(f.get_json(uris[3]).await, first[3]);
}
