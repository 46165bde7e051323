//! `POST /api/v1/sessions`: a document is checked whole, stored whole,
//! once; its events are broadcast.

use crate::support::{document, session, walls, Fixture};
use axum::http::{Method, StatusCode};
use perfwatch_server::SessionEvent;
use serde_json::Value;

async fn post(f: &Fixture, doc: &Value) -> crate::support::Reply {
    f.call(
        Method::POST,
        "/api/v1/sessions",
        Some(&f.write),
        Some(serde_json::to_vec(doc).unwrap()),
    )
    .await
}

#[tokio::test]
async fn a_document_is_stored_once_and_its_session_served_back() {
    let f = Fixture::new();
    let mut events = f.state.subscribe();
    let (s, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.1));
    let doc = document(&s, &its);

    let reply = post(&f, &doc).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": s.id, "created": true, "iterations": 8})
    );
    assert_eq!(
        events.try_recv().unwrap(),
        SessionEvent::Stored {
            id: s.id.clone(),
            benchmark: "build".into(),
            iterations: 8
        }
    );
    let (stored, stored_its) = f.store.load_session(&s.id).unwrap();
    assert_eq!(stored, s);
    assert_eq!(stored_its, its);

    // The same document again: nothing stored twice, no event.
    let again = post(&f, &doc).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["created"], false);
    assert!(events.try_recv().is_err());
    assert_eq!(f.store.list_sessions(&Default::default()).unwrap().len(), 1);

    // Served back, it is the document that was sent (analysed the same).
    let served = f.get_json(&format!("/api/v1/sessions/{}", s.id)).await;
    assert_eq!(served, doc);
}

#[tokio::test]
async fn the_same_session_analysed_differently_is_still_the_same_session() {
    let f = Fixture::new();
    let (s, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.1));
    let doc = document(&s, &its);
    assert_eq!(post(&f, &doc).await.status, StatusCode::CREATED);
    // Statistics are not read: a client with other thresholds sends other
    // summaries and findings of the same runs.
    let mut other = doc.clone();
    other["findings"] = serde_json::json!([]);
    other["variants"][0]["summary"] = serde_json::json!({});
    assert_eq!(post(&f, &other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn another_session_under_a_stored_id_is_a_conflict_that_changes_nothing() {
    let f = Fixture::new();
    let (s, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.1));
    let doc = document(&s, &its);
    assert_eq!(post(&f, &doc).await.status, StatusCode::CREATED);
    let before = f.snapshot();
    let mut changed = doc.clone();
    changed["variants"][0]["iterations"][0]["wall_s"] = 9.0.into();
    let reply = post(&f, &changed).await;
    let (status, error, _) = reply.error();
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(error.contains(&s.id), "{error}");
    let mut fewer = doc.clone();
    fewer["variants"][0]["iterations"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_eq!(post(&f, &fewer).await.status, StatusCode::CONFLICT);
    assert_eq!(f.snapshot(), before);
}

#[tokio::test]
async fn a_bad_document_is_a_400_naming_its_field_and_nothing_is_stored() {
    let f = Fixture::new();
    let (s, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.1));
    let good = document(&s, &its);
    type Break = fn(&mut Value);
    let cases: Vec<(&str, Break, Option<&str>)> = vec![
        (
            "no schema",
            |d| drop(d.as_object_mut().unwrap().remove("schema")),
            None,
        ),
        (
            "another schema",
            |d| d["schema"] = "perfwatch.session.v2".into(),
            Some("schema"),
        ),
        (
            "schema not a string",
            |d| d["schema"] = 1.into(),
            Some("schema"),
        ),
        (
            "no session id",
            |d| drop(d["session"].as_object_mut().unwrap().remove("id")),
            Some("session"),
        ),
        (
            "session id not hex",
            |d| d["session"]["id"] = "../../etc".into(),
            Some("session.id"),
        ),
        (
            "session id uppercase",
            |d| d["session"]["id"] = "ABCDEF0123".into(),
            Some("session.id"),
        ),
        (
            "wall_s a string",
            |d| d["variants"][0]["iterations"][3]["wall_s"] = "1".into(),
            Some("variants[0].iterations[3].wall_s"),
        ),
        (
            "wall_s negative",
            |d| d["variants"][0]["iterations"][1]["wall_s"] = (-1.0).into(),
            Some("variants[0].iterations[1].wall_s"),
        ),
        (
            "read_bytes too large",
            |d| d["variants"][0]["iterations"][0]["read_bytes"] = u64::MAX.into(),
            Some("variants[0].iterations[0].read_bytes"),
        ),
        (
            "index twice",
            |d| d["variants"][0]["iterations"][5]["index"] = 2.into(),
            Some("variants[0].iterations[5].index"),
        ),
        (
            "iteration of another variant",
            |d| d["variants"][0]["iterations"][0]["variant"] = "other".into(),
            Some("variants[0].iterations[0].variant"),
        ),
        (
            "status unknown",
            |d| d["session"]["status"] = "sleeping".into(),
            Some("session.status"),
        ),
        (
            "variants not a list",
            |d| d["variants"] = "default".into(),
            Some("variants"),
        ),
        ("not an object", |d| *d = serde_json::json!([1, 2]), None),
    ];
    for (what, spoil, field) in cases {
        let mut doc = good.clone();
        spoil(&mut doc);
        let reply = post(&f, &doc).await;
        let (status, error, got) = reply.error();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {error}");
        assert_eq!(got.as_deref(), field, "{what}: {error}");
    }
    for raw in [
        &b"{"[..],
        b"",
        b"\xff\xfe",
        b"null",
        b"{\"schema\": \"perfwatch.session.v1\"} x",
    ] {
        let reply = f
            .call(
                Method::POST,
                "/api/v1/sessions",
                Some(&f.write),
                Some(raw.to_vec()),
            )
            .await;
        assert_eq!(reply.error().0, StatusCode::BAD_REQUEST, "{raw:?}");
    }
    assert!(f
        .store
        .list_sessions(&Default::default())
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn deleting_a_session_is_broadcast() {
    let f = Fixture::new();
    let id = f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    let mut events = f.state.subscribe();
    let uri = format!("/api/v1/sessions/{id}");
    let reply = f.call(Method::DELETE, &uri, Some(&f.write), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!({"deleted": id}));
    assert_eq!(
        events.try_recv().unwrap(),
        SessionEvent::Deleted { id: id.clone() }
    );
    let reply = f.call(Method::DELETE, &uri, Some(&f.write), None).await;
    assert_eq!(reply.error().0, StatusCode::NOT_FOUND);
}
