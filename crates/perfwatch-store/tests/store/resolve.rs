//! Turning what a user typed into a session id.

use super::support::{contract, session, Db};
use perfwatch_store::{Store, StoreError};

fn store_with(db: &Db, ids: &[&str]) -> Box<dyn Store> {
    let store = db.open();
    for (day, id) in ids.iter().enumerate() {
        let mut s = session("b", &format!("2024-01-{:02}T00:00:00Z", day + 1));
        s.id = id.to_string();
        store.create_session(&s).unwrap();
    }
    store
}

const A: &str = "abcd1111000000000000000000000000";
const B: &str = "abcd2222000000000000000000000000";
const C: &str = "0123ffff000000000000000000000000";

fn specs_resolve_to_full_ids(db: Db) {
    let store = store_with(&db, &[A, B, C]);
    let cases = [
        (A, A),
        ("abcd1", A),
        ("ABCD2", B),
        ("0123", C),
        ("  0123f ", C),
        ("latest", C),
        ("latest~0", C),
        ("latest~1", B),
        ("latest~2", A),
    ];
    for (spec, expected) in cases {
        assert_eq!(store.resolve_session(spec).unwrap(), expected, "{spec}");
    }
}

fn bad_specs_are_explained(db: Db) {
    let store = store_with(&db, &[A, B, C]);
    let err = store.resolve_session("abcd").unwrap_err();
    match &err {
        StoreError::AmbiguousSession { candidates, .. } => assert_eq!(candidates, &[B, A]),
        other => panic!("{other}"),
    }
    assert_eq!(
        err.to_string(),
        format!("session prefix `abcd` is ambiguous: it matches {B}, {A} (give more characters)")
    );
    let cases = [
        (
            "abc",
            "session prefix `abc` is too short: give at least 4 characters",
        ),
        ("9999", "no session matches `9999`"),
        ("latest~3", "no session matches `latest~3`"),
        ("latest~x", "no session matches `latest~x`"),
        ("not-an-id", "no session matches `not-an-id`"),
        ("", "no session matches ``"),
    ];
    for (spec, message) in cases {
        assert_eq!(
            store.resolve_session(spec).unwrap_err().to_string(),
            message,
            "{spec}"
        );
    }
}

fn a_short_full_id_is_found_exactly(db: Db) {
    // An exact id wins over the prefix rule even when another id extends it.
    let store = store_with(&db, &["beef", "beef0000"]);
    assert_eq!(store.resolve_session("beef").unwrap(), "beef");
    assert_eq!(store.resolve_session("beef0").unwrap(), "beef0000");
}

fn latest_of_an_empty_store_is_not_found(db: Db) {
    let store = store_with(&db, &[]);
    let err = store.resolve_session("latest").unwrap_err();
    assert!(matches!(err, StoreError::SessionNotFound { .. }), "{err}");
}

fn many_candidates_are_capped(db: Db) {
    let ids: Vec<String> = (0..15).map(|i| format!("aaaa{i:028x}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let store = store_with(&db, &refs);
    match store.resolve_session("aaaa").unwrap_err() {
        StoreError::AmbiguousSession { candidates, .. } => {
            assert_eq!(candidates.len(), 10);
            assert_eq!(candidates[0], ids[14], "newest first");
        }
        other => panic!("{other}"),
    }
}

fn find_imported_gives_the_newest_session_of_that_file_hash(db: Db) {
    let store = db.open();
    let origin = |sha: &str| perfwatch_model::ImportOrigin {
        tool: "hyperfine".into(),
        file: "hf.json".into(),
        sha256: sha.repeat(64),
    };
    let cases = [
        (A, "2024-01-01T00:00:00Z", Some("a")),
        (B, "2024-01-02T00:00:00Z", Some("a")),
        (C, "2024-01-03T00:00:00Z", None),
    ];
    for (id, at, sha) in cases {
        let mut s = session("b", at);
        s.id = id.to_string();
        s.imported = sha.map(origin);
        store.create_session(&s).unwrap();
    }
    let found = store.find_imported(&"a".repeat(64)).unwrap().unwrap();
    assert_eq!(found.id, B);
    assert_eq!(found.imported, Some(origin("a")));
    assert_eq!(store.find_imported(&"b".repeat(64)).unwrap(), None);
    assert_eq!(store.find_imported("").unwrap(), None);
}

contract!(
    specs_resolve_to_full_ids,
    bad_specs_are_explained,
    a_short_full_id_is_found_exactly,
    latest_of_an_empty_store_is_not_found,
    many_candidates_are_capped,
    find_imported_gives_the_newest_session_of_that_file_hash,
);
