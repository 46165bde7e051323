//! `POST /api/v1/live/runs` and `GET /api/v1/live/runs`: a run's newest
//! snapshot is kept and listed, announced on the live page's stream as
//! `event: live`; a write needs a write token; a bad body is a 400 naming
//! the field, and nothing is kept.

use crate::support::Fixture;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use perfwatch_app::live::LiveRun;
use serde_json::Value;
use std::time::Duration;

const URI: &str = "/api/v1/live/runs";

fn snapshot(run_id: &str, done: u32) -> Vec<u8> {
    let mut run = LiveRun::new(
        run_id,
        "pipeline",
        ["before".to_string(), "after".to_string()],
        Default::default(),
    );
    run.planned(10);
    for i in 0..done {
        run.iteration_finished(&perfwatch_model::Iteration {
            index: i,
            variant: "before".into(),
            exit_code: Some(0),
            wall_s: 1.0 + f64::from(i) / 100.0,
            ..Default::default()
        });
    }
    serde_json::to_vec(&run.snapshot(f64::from(done), "2026-01-01T00:00:00Z")).unwrap()
}

async fn runs(f: &Fixture) -> Vec<Value> {
    f.get_json(URI).await["runs"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_posted_snapshot_replaces_the_runs_last_one_and_is_listed() {
    let f = Fixture::new();
    assert!(runs(&f).await.is_empty());
    for done in [1, 3] {
        let reply = f
            .call(
                Method::POST,
                URI,
                Some(&f.write),
                Some(snapshot("abcd1234", done)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    }
    let listed = runs(&f).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["run_id"], "abcd1234");
    assert_eq!(listed[0]["schema"], "perfwatch.live.v1");
    assert_eq!(listed[0]["progress"]["done"], 3);
    assert_eq!(listed[0]["variants"][0]["runs"], 3);
    assert!(listed[0]["variants"][0]["estimate"]["ci_low_s"].is_number());
}

#[tokio::test]
async fn a_write_needs_a_write_token_and_nothing_is_kept_without() {
    let f = Fixture::new();
    let body = snapshot("abcd1234", 1);
    let cases = [
        (None, StatusCode::UNAUTHORIZED),
        (Some("pw_unknown"), StatusCode::UNAUTHORIZED),
        (Some(f.read.as_str()), StatusCode::FORBIDDEN),
    ];
    for (token, status) in cases {
        let reply = f.call(Method::POST, URI, token, Some(body.clone())).await;
        assert_eq!(reply.status, status, "{token:?}: {}", reply.text());
    }
    assert!(runs(&f).await.is_empty());
}

#[tokio::test]
async fn a_bad_body_is_a_400_naming_the_field_and_nothing_is_kept() {
    let f = Fixture::new();
    let good: Value = serde_json::from_slice(&snapshot("abcd1234", 1)).unwrap();
    let spoil = |path: &[&str], value: Value| {
        let mut doc = good.clone();
        let mut at = &mut doc;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        serde_json::to_vec(&doc).unwrap()
    };
    let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
        (b"not json".to_vec(), None),
        (
            spoil(&["schema"], "perfwatch.session.v1".into()),
            Some("schema"),
        ),
        (spoil(&["run_id"], "<img src=x>".into()), Some("run_id")),
        (
            spoil(&["progress", "done"], (-1).into()),
            Some("progress.done"),
        ),
        (spoil(&["state"], "exploded".into()), Some("state")),
        (
            spoil(&["findings"], Value::Array(vec!["x".into(); 21])),
            Some("findings"),
        ),
    ];
    for (body, field) in cases {
        let reply = f.call(Method::POST, URI, Some(&f.write), Some(body)).await;
        let (status, _, got) = reply.error();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        if let Some(field) = field {
            assert_eq!(got.as_deref(), Some(field));
        }
    }
    assert!(runs(&f).await.is_empty());
}

#[tokio::test]
async fn each_snapshot_is_announced_on_the_live_pages_stream() {
    let f = Fixture::new();
    let request = Request::get(perfwatch_server::live::EVENTS_PATH)
        .body(Body::empty())
        .unwrap();
    let router = perfwatch_server::ServerBuilder::new(f.state.clone())
        .routes(perfwatch_server::live::live_routes(&f.state))
        .build();
    let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let reply = f
        .call(
            Method::POST,
            URI,
            Some(&f.write),
            Some(snapshot("abcd1234", 2)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                seen.push_str(&String::from_utf8_lossy(&data));
                if seen.contains("event: live") && seen.contains("abcd1234") {
                    return true;
                }
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{seen}");
    assert!(seen.contains("\"event\":\"updated\""), "{seen}");
}

#[tokio::test]
async fn the_routes_are_in_the_openapi_document() {
    let f = Fixture::new();
    let doc = f.get_json("/api/v1/openapi.json").await;
    let path = &doc["paths"]["/api/v1/live/runs"];
    assert!(
        path["get"].is_object() && path["post"].is_object(),
        "{path:#}"
    );
    assert!(doc["components"]["schemas"]["LiveSnapshot"].is_object());
}
