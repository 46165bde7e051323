//! Every write route refuses what it must — 401 without a valid token, 403
//! for a read token, 413 for a body over the limit, 400 for bad input —
//! and a refused request changes nothing. Answers never quote a secret.

use crate::support::{document, session, walls, Fixture};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use perfwatch_server::AccessPolicy;

/// The largest body of these tests' servers.
const MAX_BODY: usize = 64 << 10;

/// A write request of each write route, valid but for what a case breaks.
struct Write {
    method: Method,
    uri: String,
    body: Option<Vec<u8>>,
    /// The same request with bad input, and the field it names (if any).
    bad: (String, Option<Vec<u8>>, Option<&'static str>),
}

/// A history with a session in a baseline and one that is not, and a
/// valid request of every write route.
fn fixture() -> (Fixture, Vec<Write>) {
    let f = Fixture::with(AccessPolicy::default(), MAX_BODY);
    let kept = f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    let loose = f.add("build", "2024-01-02T00:00:00Z", &walls(1.0));
    f.store
        .save_baseline("main", std::slice::from_ref(&kept), None, false)
        .unwrap();
    let (s, its) = session("build", "2024-01-03T00:00:00Z", &walls(1.1));
    let doc = serde_json::to_vec(&document(&s, &its)).unwrap();
    let mut bad_doc = document(&s, &its);
    bad_doc["variants"][0]["iterations"][2]["wall_s"] = "fast".into();
    let writes = vec![
        Write {
            method: Method::POST,
            uri: "/api/v1/sessions".into(),
            body: Some(doc),
            bad: (
                "/api/v1/sessions".into(),
                Some(serde_json::to_vec(&bad_doc).unwrap()),
                Some("variants[0].iterations[2].wall_s"),
            ),
        },
        Write {
            method: Method::DELETE,
            uri: format!("/api/v1/sessions/{loose}"),
            body: None,
            bad: ("/api/v1/sessions/LATEST".into(), None, Some("id")),
        },
        Write {
            method: Method::POST,
            uri: "/api/v1/baselines".into(),
            body: Some(
                serde_json::to_vec(&serde_json::json!({"name": "next", "session": kept})).unwrap(),
            ),
            bad: (
                "/api/v1/baselines".into(),
                Some(br#"{"name": "next", "session": 7}"#.to_vec()),
                Some("session"),
            ),
        },
        Write {
            method: Method::DELETE,
            uri: "/api/v1/baselines/main".into(),
            body: None,
            bad: ("/api/v1/baselines/ma%07in".into(), None, Some("name")),
        },
    ];
    (f, writes)
}

#[tokio::test]
async fn each_write_route_succeeds_with_a_write_token() {
    let (f, writes) = fixture();
    let expected = [
        StatusCode::CREATED,
        StatusCode::OK,
        StatusCode::CREATED,
        StatusCode::OK,
    ];
    for (w, status) in writes.into_iter().zip(expected) {
        let before = f.snapshot();
        let reply = f
            .call(w.method.clone(), &w.uri, Some(&f.write), w.body)
            .await;
        assert_eq!(
            reply.status,
            status,
            "{} {}: {}",
            w.method,
            w.uri,
            reply.text()
        );
        assert_ne!(
            f.snapshot(),
            before,
            "{} {} changed nothing",
            w.method,
            w.uri
        );
    }
}

#[tokio::test]
async fn each_write_route_refuses_a_missing_unknown_or_revoked_token_with_401() {
    let (f, writes) = fixture();
    let (_, revoked) =
        perfwatch_server::tokens::create(&*f.store, "old", perfwatch_store::TokenScope::Write)
            .unwrap();
    f.store.revoke_token("old").unwrap();
    let unknown = perfwatch_server::tokens::new_secret().unwrap();
    for w in &writes {
        for token in [None, Some(unknown.as_str()), Some(revoked.as_str())] {
            let before = f.snapshot();
            let reply = f
                .call(w.method.clone(), &w.uri, token, w.body.clone())
                .await;
            let (status, error, _) = reply.error();
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {}: {error}",
                w.method,
                w.uri
            );
            assert_eq!(
                reply.headers[header::WWW_AUTHENTICATE]
                    .to_str()
                    .unwrap()
                    .split(' ')
                    .next(),
                Some("Bearer")
            );
            if let Some(t) = token {
                assert!(!reply.text().contains(t), "the answer quotes the secret");
            }
            assert_eq!(
                f.snapshot(),
                before,
                "{} {} changed the history",
                w.method,
                w.uri
            );
        }
    }
    // Not a bearer header at all.
    let w = &writes[0];
    let request = Request::builder()
        .method(w.method.clone())
        .uri(&w.uri)
        .header(header::AUTHORIZATION, format!("Basic {}", f.write))
        .body(Body::from(w.body.clone().unwrap()))
        .unwrap();
    let reply = f.send(request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(!reply.text().contains(&f.write));
}

#[tokio::test]
async fn each_write_route_refuses_a_read_token_with_403() {
    let (f, writes) = fixture();
    for w in writes {
        let before = f.snapshot();
        let reply = f
            .call(w.method.clone(), &w.uri, Some(&f.read), w.body)
            .await;
        let (status, error, _) = reply.error();
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {}: {error}",
            w.method,
            w.uri
        );
        assert!(error.contains("reader"), "{error}");
        assert!(!reply.text().contains(&f.read));
        assert_eq!(f.snapshot(), before);
    }
}

#[tokio::test]
async fn each_write_route_refuses_a_body_over_the_limit_with_413() {
    let (f, writes) = fixture();
    let huge = vec![b' '; MAX_BODY + 1];
    for w in &writes {
        // Announced by Content-Length.
        let before = f.snapshot();
        let reply = f
            .call(w.method.clone(), &w.uri, Some(&f.write), Some(huge.clone()))
            .await;
        let (status, error, _) = reply.error();
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{} {}: {error}",
            w.method,
            w.uri
        );
        assert_eq!(f.snapshot(), before);
    }
    // Streamed without a length: cut off while it is read.
    for w in writes.iter().filter(|w| w.body.is_some()) {
        let before = f.snapshot();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..=MAX_BODY / 1024)
            .map(|_| Ok(vec![b' '; 1024]))
            .collect();
        let request = Request::builder()
            .method(w.method.clone())
            .uri(&w.uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", f.write))
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap();
        let reply = f.send(request).await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            reply.text()
        );
        assert_eq!(f.snapshot(), before);
    }
}

#[tokio::test]
async fn each_write_route_refuses_bad_input_with_400_naming_the_field() {
    let (f, writes) = fixture();
    for w in writes {
        let (uri, body, field) = w.bad;
        let before = f.snapshot();
        let reply = f.call(w.method.clone(), &uri, Some(&f.write), body).await;
        let (status, error, got) = reply.error();
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{} {uri}: {error}",
            w.method
        );
        assert_eq!(got.as_deref(), field, "{} {uri}: {error}", w.method);
        assert_eq!(f.snapshot(), before);
    }
}

#[tokio::test]
async fn conflicting_writes_are_409s_that_change_nothing() {
    let (f, _) = fixture();
    let kept = f.store.get_baseline("main").unwrap().session_ids[0].clone();
    let cases = [
        (Method::DELETE, format!("/api/v1/sessions/{kept}"), None),
        (
            Method::POST,
            "/api/v1/baselines".to_string(),
            Some(format!(r#"{{"name": "main", "session": "{kept}"}}"#)),
        ),
    ];
    for (method, uri, body) in cases {
        let before = f.snapshot();
        let reply = f
            .call(
                method.clone(),
                &uri,
                Some(&f.write),
                body.map(String::into_bytes),
            )
            .await;
        let (status, error, _) = reply.error();
        assert_eq!(status, StatusCode::CONFLICT, "{method} {uri}: {error}");
        assert_eq!(f.snapshot(), before);
    }
    // Overwriting is asked for explicitly.
    let body = r#"{"name": "main", "session": "latest", "overwrite": true}"#.to_string();
    let reply = f
        .call(
            Method::POST,
            "/api/v1/baselines",
            Some(&f.write),
            Some(body.into_bytes()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert_ne!(f.store.get_baseline("main").unwrap().session_ids[0], kept);
}

#[tokio::test]
async fn unknown_targets_of_writes_are_404s() {
    let (f, _) = fixture();
    let cases = [
        (
            Method::DELETE,
            format!("/api/v1/sessions/{}", "f".repeat(32)),
            None,
            "id",
        ),
        (
            Method::DELETE,
            "/api/v1/baselines/nope".to_string(),
            None,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/baselines".to_string(),
            Some(r#"{"name": "x", "session": "ffffffff"}"#.to_string()),
            "session",
        ),
    ];
    for (method, uri, body, field) in cases {
        let before = f.snapshot();
        let reply = f
            .call(
                method.clone(),
                &uri,
                Some(&f.write),
                body.map(String::into_bytes),
            )
            .await;
        let (status, error, got) = reply.error();
        assert_eq!(
            (status, got.as_deref()),
            (StatusCode::NOT_FOUND, Some(field)),
            "{method} {uri}: {error}"
        );
        assert_eq!(f.snapshot(), before);
    }
}

#[tokio::test]
async fn reads_need_a_token_only_when_the_server_says_so() {
    let f = Fixture::with(
        AccessPolicy {
            read_token_required: true,
        },
        MAX_BODY,
    );
    for uri in [
        "/api/v1/benchmarks",
        "/api/v1/sessions",
        "/api/v1/openapi.json",
    ] {
        let reply = f.call(Method::GET, uri, None, None).await;
        assert_eq!(reply.error().0, StatusCode::UNAUTHORIZED, "{uri}");
        for token in [&f.read, &f.write] {
            let reply = f.call(Method::GET, uri, Some(token), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        }
    }
    let open = Fixture::new();
    let reply = open
        .call(Method::GET, "/api/v1/benchmarks", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}
