//! Saving, reading, replacing and deleting baselines.

use super::support::{contract, session, Db};
use perfwatch_store::{Store, StoreError};

fn store_with_sessions(db: &Db, n: usize) -> (Box<dyn Store>, Vec<String>) {
    let store = db.open();
    let ids = (0..n)
        .map(|i| {
            let s = session("b", &format!("2024-01-{:02}T00:00:00Z", i + 1));
            store.create_session(&s).unwrap();
            s.id
        })
        .collect();
    (store, ids)
}

fn baselines_crud(db: Db) {
    let (store, ids) = store_with_sessions(&db, 3);
    let saved = store
        .save_baseline(
            "release",
            &[ids[1].clone(), ids[0].clone(), ids[1].clone()],
            Some("v1.0"),
            false,
        )
        .unwrap();
    assert_eq!(saved.name, "release");
    assert_eq!(
        saved.session_ids,
        [ids[1].clone(), ids[0].clone()],
        "order kept, duplicates dropped"
    );
    assert_eq!(saved.description.as_deref(), Some("v1.0"));
    assert!(
        saved.created_at.ends_with('Z') && saved.created_at.len() == 20,
        "{}",
        saved.created_at
    );
    assert_eq!(store.get_baseline("release").unwrap(), saved);

    store
        .save_baseline("nightly", &[ids[2].clone()], None, false)
        .unwrap();
    let names: Vec<String> = store
        .list_baselines()
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["nightly", "release"]);

    let err = store
        .save_baseline("release", &[ids[2].clone()], None, false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "baseline `release` already exists (overwrite it explicitly to replace it)"
    );
    assert_eq!(store.get_baseline("release").unwrap(), saved, "unchanged");

    let replaced = store
        .save_baseline("release", &[ids[2].clone()], None, true)
        .unwrap();
    assert_eq!(replaced.session_ids, [ids[2].clone()]);
    assert_eq!(replaced.description, None);

    store.delete_baseline("release").unwrap();
    let err = store.get_baseline("release").unwrap_err();
    assert_eq!(err.to_string(), "no baseline named `release`");
    assert!(matches!(
        store.delete_baseline("release"),
        Err(StoreError::BaselineNotFound { .. })
    ));
    assert_eq!(store.list_baselines().unwrap().len(), 1);
    // The sessions stay.
    assert_eq!(store.load_session(&ids[1]).unwrap().0.id, ids[1]);
}

fn bad_baselines_are_refused_and_change_nothing(db: Db) {
    let (store, ids) = store_with_sessions(&db, 1);
    let unknown = "feedface".to_string();
    let err = store
        .save_baseline("x", &[ids[0].clone(), unknown], None, false)
        .unwrap_err();
    assert!(matches!(err, StoreError::SessionNotFound { .. }), "{err}");
    let err = store.save_baseline("x", &[], None, false).unwrap_err();
    assert!(matches!(err, StoreError::EmptyBaseline { .. }), "{err}");
    for name in ["", "  ", "a\nb"] {
        let err = store.save_baseline(name, &ids, None, false).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidBaselineName { .. }),
            "{name:?}: {err}"
        );
    }
    assert!(store.list_baselines().unwrap().is_empty());
}

fn a_session_in_a_baseline_cannot_be_deleted(db: Db) {
    let (store, ids) = store_with_sessions(&db, 1);
    store.save_baseline("keep", &ids, None, false).unwrap();
    let err = store.delete_session(&ids[0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "session {} is part of baseline(s) keep; delete or re-save them first",
            ids[0]
        )
    );
    store.delete_baseline("keep").unwrap();
    store.delete_session(&ids[0]).unwrap();
}

/// A history being copied keeps its baselines' creation times.
fn a_copied_baseline_keeps_its_creation_time(db: Db) {
    let (store, ids) = store_with_sessions(&db, 2);
    let original = perfwatch_store::Baseline {
        name: "release".into(),
        created_at: "2023-04-05T06:07:08Z".into(),
        description: Some("v1".into()),
        session_ids: vec![ids[1].clone(), ids[0].clone()],
    };
    assert_eq!(store.copy_baseline(&original, false).unwrap(), original);
    assert_eq!(store.get_baseline("release").unwrap(), original);
    let err = store.copy_baseline(&original, false).unwrap_err();
    assert!(matches!(err, StoreError::BaselineExists { .. }), "{err}");
    let newer = perfwatch_store::Baseline {
        created_at: "2024-01-01T00:00:00Z".into(),
        ..original
    };
    assert_eq!(store.copy_baseline(&newer, true).unwrap(), newer);
}

contract!(
    a_copied_baseline_keeps_its_creation_time,
    baselines_crud,
    bad_baselines_are_refused_and_change_nothing,
    a_session_in_a_baseline_cannot_be_deleted,
);
