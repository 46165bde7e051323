//! What only the PostgreSQL backend has: schema recognition in a server's
//! database, concurrent first connections, connection failures.

use super::support::{full_iteration, session};
use perfwatch_store::{PgStore, Store, StoreError, PG_SCHEMA_VERSION};
use perfwatch_testkit::postgres::{require, PgCluster};
use std::sync::{Arc, Barrier};

fn fresh_database(cluster: &PgCluster, name: &str) -> String {
    cluster
        .create_database(&format!("{name}_{}", std::process::id()))
        .unwrap()
}

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// The tables of a database, sorted.
fn tables(url: &str) -> Vec<String> {
    client(url)
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn another_applications_sessions_table_is_left_alone() {
    let Some(cluster) = require() else { return };
    let url = fresh_database(cluster, "foreign");
    client(&url)
        .batch_execute("CREATE TABLE sessions (id int); INSERT INTO sessions VALUES (7);")
        .unwrap();
    let err = PgStore::connect(&url).unwrap_err();
    assert!(matches!(err, StoreError::ForeignPostgres { .. }), "{err}");
    assert!(err.to_string().contains("`sessions`"), "{err}");
    assert_eq!(tables(&url), ["sessions"]);
}

#[test]
fn a_newer_schema_is_refused_without_writing() {
    let Some(cluster) = require() else { return };
    let url = fresh_database(cluster, "newer");
    drop(PgStore::connect(&url).unwrap());
    let newer = PG_SCHEMA_VERSION + 1;
    client(&url)
        .execute("UPDATE perfwatch_schema SET version = $1", &[&newer])
        .unwrap();
    for err in [
        PgStore::connect(&url).unwrap_err(),
        PgStore::connect_existing(&url).unwrap_err(),
    ] {
        assert!(
            matches!(err, StoreError::NewerSchema { found, .. } if found == newer),
            "{err}"
        );
    }
    let version: i64 = client(&url)
        .query_one("SELECT version FROM perfwatch_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, newer);
}

#[test]
fn reading_an_empty_database_creates_nothing() {
    let Some(cluster) = require() else { return };
    let url = fresh_database(cluster, "empty");
    let err = PgStore::connect_existing(&url).unwrap_err();
    assert!(matches!(err, StoreError::Empty { .. }), "{err}");
    assert!(tables(&url).is_empty());
}

#[test]
fn first_connections_at_once_migrate_once() {
    let Some(cluster) = require() else { return };
    let url = fresh_database(cluster, "race");
    let start = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|k| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let store = PgStore::connect(&url).unwrap();
                let s = session("race", &format!("2024-01-01T00:00:0{k}Z"));
                store
                    .insert_whole_session(&s, &[full_iteration(0, "v", 1.0)])
                    .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = PgStore::connect_existing(&url).unwrap();
    assert_eq!(store.list_sessions(&Default::default()).unwrap().len(), 6);
    assert!(tables(&url).contains(&"perfwatch_schema".to_string()));
}

#[test]
fn a_server_that_is_not_there_is_said_without_the_password() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://ci:hunter2@127.0.0.1:{port}/perf?connect_timeout=2");
    let err = PgStore::connect(&url).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StoreError::PostgresConnection { .. }),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("postgres://ci:***@127.0.0.1"), "{text}");
}

#[test]
fn a_url_that_is_not_one_is_refused_plainly() {
    let err = PgStore::connect("postgres://ci:pw@host:notaport/db").unwrap_err();
    assert!(!err.to_string().contains(":pw@"), "{err}");
    assert!(
        matches!(err, StoreError::PostgresConnection { .. }),
        "{err}"
    );
}
