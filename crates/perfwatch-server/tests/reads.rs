//! Every read route over a small history: the answer is the application
//! layer's, as the CLI gives it.

use crate::support::{walls, Fixture};
use axum::http::{Method, StatusCode};
use perfwatch_app::load::analyze_stored;
use perfwatch_app::Options;
use perfwatch_report::{JsonRenderer, Render};
use serde_json::Value;

/// Three sessions of `build` (the newest 50 % slower), one of `test`.
fn history() -> (Fixture, [String; 4]) {
    let f = Fixture::new();
    let a = f.add("build", "2024-01-01T00:00:00Z", &walls(1.0));
    let b = f.add("build", "2024-02-01T00:00:00Z", &walls(1.0));
    let c = f.add("build", "2024-03-01T00:00:00Z", &walls(1.5));
    let t = f.add("test", "2024-02-15T00:00:00Z", &walls(0.2));
    (f, [a, b, c, t])
}

fn ids(page: &Value) -> Vec<&str> {
    page["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn benchmarks_are_listed_with_their_session_counts() {
    let (f, [_, _, c, t]) = history();
    let v = f.get_json("/api/v1/benchmarks").await;
    assert_eq!(
        v,
        serde_json::json!([
            {"name": "build", "sessions": 3, "latest_session": c, "latest_started_at": "2024-03-01T00:00:00Z"},
            {"name": "test", "sessions": 1, "latest_session": t, "latest_started_at": "2024-02-15T00:00:00Z"},
        ])
    );
}

#[tokio::test]
async fn sessions_are_listed_newest_first_filtered_and_paginated() {
    let (f, [a, b, c, t]) = history();
    let all = f.get_json("/api/v1/sessions").await;
    assert_eq!(ids(&all), [c.as_str(), &t, &b, &a]);
    assert_eq!(all["next_offset"], Value::Null);
    let first = &all["sessions"][0];
    assert_eq!(first["benchmark"], "build");
    assert_eq!(first["iterations"], 8);
    assert_eq!(first["counted"], 8);
    assert_eq!(first["branch"], "main");
    assert_eq!(first["variants"], serde_json::json!(["default"]));
    // The median of 1.5 × (1.000 … 1.007): between the 4th and 5th.
    let median = first["wall_median"].as_f64().unwrap();
    assert!((median - 1.5 * 1.0035).abs() < 1e-9, "{median}");

    let page1 = f.get_json("/api/v1/sessions?limit=2").await;
    assert_eq!(ids(&page1), [c.as_str(), &t]);
    assert_eq!(page1["next_offset"], 2);
    let page2 = f.get_json("/api/v1/sessions?limit=2&offset=2").await;
    assert_eq!(ids(&page2), [b.as_str(), &a]);
    assert_eq!(page2["next_offset"], Value::Null);
    let cases: [(&str, Vec<&str>); 6] = [
        ("benchmark=build", vec![c.as_str(), b.as_str(), a.as_str()]),
        (
            "benchmark=build&since=2024-02-01",
            vec![c.as_str(), b.as_str()],
        ),
        ("since=2024-02-10T00:00:00Z", vec![c.as_str(), t.as_str()]),
        ("branch=main&benchmark=test", vec![t.as_str()]),
        (
            "commit=0123456",
            vec![c.as_str(), t.as_str(), b.as_str(), a.as_str()],
        ),
        ("commit=fff", vec![]),
    ];
    for (query, expected) in cases {
        let page = f.get_json(&format!("/api/v1/sessions?{query}")).await;
        assert_eq!(ids(&page), expected, "{query}");
    }
}

#[tokio::test]
async fn bad_listing_parameters_are_400s_naming_the_parameter() {
    let (f, _) = history();
    let cases = [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("since=yesterday", "since"),
        ("benchmak=build", "benchmak"),
        ("limit=1&limit=2", "limit"),
    ];
    for (query, field) in cases {
        let reply = f
            .call(
                Method::GET,
                &format!("/api/v1/sessions?{query}"),
                None,
                None,
            )
            .await;
        let (status, error, got) = reply.error();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {error}");
        assert_eq!(got.as_deref(), Some(field), "{query}: {error}");
    }
}

#[tokio::test]
async fn a_session_is_its_analysis_as_the_cli_renders_it() {
    let (f, [a, b, c, _]) = history();
    f.store
        .save_baseline("main", std::slice::from_ref(&a), None, false)
        .unwrap();
    let expected = |spec: &str, baseline: Option<&str>| {
        let analysis = analyze_stored(&*f.store, spec, baseline, &Options::default()).unwrap();
        JsonRenderer.render_to_string(&analysis).unwrap()
    };
    for (uri, spec, baseline) in [
        (format!("/api/v1/sessions/{b}"), b.as_str(), None),
        (format!("/api/v1/sessions/{}", &c[..8]), c.as_str(), None),
        ("/api/v1/sessions/latest".to_string(), "latest", None),
        ("/api/v1/sessions/latest~1".to_string(), "latest~1", None),
        (
            "/api/v1/sessions/latest?baseline=main".to_string(),
            "latest",
            Some("main"),
        ),
    ] {
        let reply = f.call(Method::GET, &uri, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        assert_eq!(reply.headers["content-type"], "application/json");
        assert_eq!(reply.text(), expected(spec, baseline), "{uri}");
    }
    // Against the baseline, the newest build is a regression.
    let v = f.get_json("/api/v1/sessions/latest?baseline=main").await;
    let wall = v["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "wall_s" && c["baseline"] == "baseline main")
        .unwrap_or_else(|| panic!("no wall_s comparison: {v:#}"));
    assert_eq!(wall["verdict"], "regressed", "{wall}");
}

#[tokio::test]
async fn findings_and_health_are_those_of_the_analysis() {
    let (f, [a, ..]) = history();
    f.store
        .save_baseline("main", std::slice::from_ref(&a), None, false)
        .unwrap();
    let analysis: Value = f.get_json("/api/v1/sessions/latest?baseline=main").await;
    let findings = f
        .get_json("/api/v1/sessions/latest/findings?baseline=main")
        .await;
    assert_eq!(findings["session_id"], analysis["session"]["id"]);
    assert_eq!(findings["findings"], analysis["findings"]);
    let health = f
        .get_json("/api/v1/sessions/latest/health?baseline=main")
        .await;
    assert_eq!(health["health"], analysis["health"]);
    assert!(
        health["health"]["score"].as_u64().unwrap() < 100,
        "a regression costs health: {health}"
    );
}

#[tokio::test]
async fn unknown_short_and_ambiguous_sessions_are_4xx() {
    let (f, _) = history();
    let cases = [
        (
            "/api/v1/sessions/ffffffff",
            StatusCode::NOT_FOUND,
            Some("id"),
        ),
        (
            "/api/v1/sessions/latest~9",
            StatusCode::NOT_FOUND,
            Some("id"),
        ),
        ("/api/v1/sessions/ab", StatusCode::BAD_REQUEST, Some("id")),
        (
            "/api/v1/sessions/..%2F..%2Fetc%2Fpasswd",
            StatusCode::NOT_FOUND,
            Some("id"),
        ),
        (
            "/api/v1/sessions/%C3%A9t%C3%A9",
            StatusCode::NOT_FOUND,
            Some("id"),
        ),
        (
            "/api/v1/sessions/latest?baseline=nope",
            StatusCode::NOT_FOUND,
            Some("baseline"),
        ),
        (
            "/api/v1/sessions/latest/health?baseline=nope",
            StatusCode::NOT_FOUND,
            Some("baseline"),
        ),
        (
            "/api/v1/sessions/latest/findings?x=1",
            StatusCode::BAD_REQUEST,
            Some("x"),
        ),
        ("/api/v1/nothing", StatusCode::NOT_FOUND, None),
    ];
    for (uri, status, field) in cases {
        let reply = f.call(Method::GET, uri, None, None).await;
        let (got, error, got_field) = reply.error();
        assert_eq!(got, status, "{uri}: {error}");
        assert_eq!(got_field.as_deref(), field, "{uri}: {error}");
    }
    let reply = f
        .call(Method::PUT, "/api/v1/benchmarks", Some(&f.write), None)
        .await;
    assert_eq!(reply.error().0, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn compare_is_the_candidate_against_the_base() {
    let (f, [a, b, c, t]) = history();
    f.store
        .save_baseline("main", &[a.clone(), b.clone()], None, false)
        .unwrap();
    let opts = Options::default();
    for (base, candidate) in [
        (a.as_str(), c.as_str()),
        ("main", "latest"),
        (&b[..6], &c[..6]),
    ] {
        let uri = format!("/api/v1/compare?base={base}&candidate={candidate}");
        let reply = f.call(Method::GET, &uri, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        let reference = perfwatch_app::load::load_stored_reference(&*f.store, base, &opts).unwrap();
        let ((s, its), _) = perfwatch_app::load::load_stored(&*f.store, candidate).unwrap();
        let expected = perfwatch_app::analyze_against(s, its, &reference, &opts).unwrap();
        assert_eq!(
            reply.text(),
            JsonRenderer.render_to_string(&expected).unwrap(),
            "{uri}"
        );
    }
    let v = f
        .get_json(&format!("/api/v1/compare?base=main&candidate={c}"))
        .await;
    assert!(
        v["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["baseline"] == "baseline main" && x["verdict"] == "regressed"),
        "{v:#}"
    );
    // A file path is not a side: the server reads no file.
    let cases = [
        (
            format!("base=/etc/passwd&candidate={c}"),
            StatusCode::NOT_FOUND,
            "base",
        ),
        (
            format!("base={a}&candidate=x.json"),
            StatusCode::NOT_FOUND,
            "candidate",
        ),
        (format!("base={a}"), StatusCode::BAD_REQUEST, "candidate"),
        (
            format!("base={a}&candidate={t}&extra=1"),
            StatusCode::BAD_REQUEST,
            "extra",
        ),
    ];
    for (query, status, field) in cases {
        let reply = f
            .call(Method::GET, &format!("/api/v1/compare?{query}"), None, None)
            .await;
        let (got, error, got_field) = reply.error();
        assert_eq!(
            (got, got_field.as_deref()),
            (status, Some(field)),
            "{query}: {error}"
        );
    }
}

#[tokio::test]
async fn history_and_change_points_are_the_cli_s_series() {
    let f = Fixture::new();
    // Ten sessions at 1 s, then ten at 1.8 s: one change point.
    let mut ids = Vec::new();
    for day in 1..=20 {
        let wall = if day <= 10 { 1.0 } else { 1.8 };
        ids.push(f.add("step", &format!("2024-01-{day:02}T00:00:00Z"), &walls(wall)));
    }
    let series = f.get_json("/api/v1/history?benchmark=step").await;
    let points = series[0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 20);
    assert_eq!(series[0]["metric"], "wall_s");
    assert_eq!(points[0]["session_id"], ids[0].as_str());
    let stage = f
        .get_json("/api/v1/history?benchmark=step&metric=stage:work&last=5")
        .await;
    assert_eq!(stage[0]["metric"], "stage:work");
    assert_eq!(stage[0]["points"].as_array().unwrap().len(), 5);
    let cps = f
        .get_json("/api/v1/history/change-points?benchmark=step")
        .await;
    assert_eq!(cps[0]["series"], "step · default");
    let found = cps[0]["change_points"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{cps:#}");
    assert_eq!(found[0]["session_id"], ids[10].as_str());
    assert_eq!(found[0]["direction"], "regression");
    assert_eq!(found[0]["severity"], "high");

    for (query, field) in [
        ("metric=nope", Some("metric")),
        ("benchmark=none", None),
        ("since=soon", Some("since")),
        ("window=1", None),
        ("p_value=2", None),
        ("p_value=NaN", None),
    ] {
        let uri = format!("/api/v1/history/change-points?{query}");
        let (status, error, got) = f.call(Method::GET, &uri, None, None).await.error();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {error}");
        assert_eq!(got.as_deref(), field, "{query}: {error}");
    }
}

#[tokio::test]
async fn baselines_are_listed_and_shown_with_their_analysis() {
    let (f, [a, b, ..]) = history();
    f.store
        .save_baseline("main", &[a.clone(), b.clone()], Some("release"), false)
        .unwrap();
    let list = f.get_json("/api/v1/baselines").await;
    assert_eq!(list[0]["name"], "main");
    assert_eq!(list[0]["description"], "release");
    assert_eq!(list[0]["session_ids"], serde_json::json!([a, b]));
    let one = f.get_json("/api/v1/baselines/main").await;
    assert_eq!(one["name"], "main");
    // The two sessions' iterations, pooled.
    let n = one["analysis"]["variants"][0]["summary"]["wall_s"]["n"].as_u64();
    assert_eq!(n, Some(16), "{one:#}");
    let reply = f
        .call(Method::GET, "/api/v1/baselines/nope", None, None)
        .await;
    assert_eq!(
        reply.error(),
        (
            StatusCode::NOT_FOUND,
            "no baseline named `nope`".to_string(),
            Some("name".to_string())
        )
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let f = Fixture::new();
    let doc = f.get_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut routes: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} declares no response"
            );
            if method == "post" || method == "delete" {
                for status in ["401", "403", "413"] {
                    assert!(
                        op["responses"].get(status).is_some(),
                        "{method} {path} does not declare {status}"
                    );
                }
            }
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    assert_eq!(
        routes,
        [
            "DELETE /api/v1/baselines/{name}",
            "DELETE /api/v1/sessions/{id}",
            "GET /api/v1/alerts",
            "GET /api/v1/baselines",
            "GET /api/v1/baselines/{name}",
            "GET /api/v1/benchmarks",
            "GET /api/v1/compare",
            "GET /api/v1/history",
            "GET /api/v1/history/change-points",
            "GET /api/v1/live/runs",
            "GET /api/v1/openapi.json",
            "GET /api/v1/sessions",
            "GET /api/v1/sessions/{id}",
            "GET /api/v1/sessions/{id}/findings",
            "GET /api/v1/sessions/{id}/health",
            "POST /api/v1/baselines",
            "POST /api/v1/live/runs",
            "POST /api/v1/sessions",
        ]
    );
    for schema in [
        "SessionDocument",
        "Finding",
        "Health",
        "ErrorBody",
        "SessionPage",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "no schema {schema}"
        );
    }
}
