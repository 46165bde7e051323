//! The server over a PostgreSQL store: the routes take any `Store`, and
//! answer the same. Skipped where PostgreSQL is not installed (failed
//! under `PERFWATCH_REQUIRE_POSTGRES=1`, as in `scripts/test`).
//!
//! The PostgreSQL client blocks on a runtime of its own, so the store is
//! used only outside the test's runtime — as the server uses it, on
//! tokio's blocking pool.

use crate::support::{document, session, walls, Fixture};
use axum::http::{Method, StatusCode};
use perfwatch_server::AccessPolicy;
use perfwatch_store::{PgStore, Store};
use std::sync::Arc;

#[test]
fn the_api_stores_lists_serves_and_deletes_over_postgres() {
    let Some(cluster) = perfwatch_testkit::postgres::require() else {
        return;
    };
    let url = cluster
        .create_database(&format!("server_api_{}", std::process::id()))
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&url).unwrap());
    let f = Fixture::over(store, None, AccessPolicy::default(), 1 << 20);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut ids = Vec::new();
    for day in 1..=3 {
        let (s, its) = session("build", &format!("2024-01-0{day}T00:00:00Z"), &walls(1.0));
        let doc = serde_json::to_vec(&document(&s, &its)).unwrap();
        for expected in [StatusCode::CREATED, StatusCode::OK] {
            let reply = rt.block_on(f.call(
                Method::POST,
                "/api/v1/sessions",
                Some(&f.write),
                Some(doc.clone()),
            ));
            assert_eq!(reply.status, expected, "{}", reply.text());
        }
        ids.push(s.id);
    }
    let page = rt.block_on(f.get_json("/api/v1/sessions?since=2024-01-02&limit=1&offset=1"));
    assert_eq!(page["sessions"][0]["id"], ids[1].as_str(), "{page:#}");
    assert_eq!(page["next_offset"], serde_json::Value::Null);
    let served = rt.block_on(f.get_json(&format!("/api/v1/sessions/{}", &ids[0][..6])));
    assert_eq!(served["session"]["id"], ids[0].as_str());
    let compared =
        rt.block_on(f.get_json(&format!("/api/v1/compare?base={}&candidate=latest", ids[0])));
    assert!(!compared["comparisons"].as_array().unwrap().is_empty());
    let delete = format!("/api/v1/sessions/{}", ids[2]);
    let reply = rt.block_on(f.call(Method::DELETE, &delete, Some(&f.read), None));
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = rt.block_on(f.call(Method::DELETE, &delete, Some(&f.write), None));
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    drop(rt);
    assert_eq!(f.store.list_sessions(&Default::default()).unwrap().len(), 2);
}
