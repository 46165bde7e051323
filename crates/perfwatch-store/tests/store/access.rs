//! API tokens (stored by hash) and the push queue.

use super::support::{contract, full_iteration, session, Db};
use perfwatch_store::{Delivery, DeliveryState, StoreError, TokenScope};

fn tokens_are_stored_by_hash_listed_and_revoked(db: Db) {
    let store = db.open();
    let ci = store
        .create_token("ci", TokenScope::Write, &"a".repeat(64))
        .unwrap();
    assert_eq!((ci.name.as_str(), ci.scope), ("ci", TokenScope::Write));
    assert!(
        ci.created_at.ends_with('Z') && ci.revoked_at.is_none(),
        "{ci:?}"
    );
    store
        .create_token("grafana", TokenScope::Read, &"b".repeat(64))
        .unwrap();
    let err = store
        .create_token("ci", TokenScope::Read, &"c".repeat(64))
        .unwrap_err();
    assert!(matches!(err, StoreError::TokenExists { .. }), "{err}");
    for bad in ["", " ci", "a\nb", &"x".repeat(65)] {
        let err = store
            .create_token(bad, TokenScope::Read, &"d".repeat(64))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidTokenName { .. }),
            "{bad:?}: {err}"
        );
    }
    let names: Vec<String> = store
        .list_tokens()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["ci", "grafana"]);

    assert_eq!(store.find_token(&"a".repeat(64)).unwrap(), Some(ci.clone()));
    assert_eq!(store.find_token(&"e".repeat(64)).unwrap(), None);
    let revoked = store.revoke_token("ci").unwrap();
    let when = revoked.revoked_at.clone().unwrap();
    assert_eq!(store.find_token(&"a".repeat(64)).unwrap(), None, "revoked");
    // Revoking again keeps the first time.
    assert_eq!(store.revoke_token("ci").unwrap().revoked_at, Some(when));
    let err = store.revoke_token("nobody").unwrap_err();
    assert!(matches!(err, StoreError::TokenNotFound { .. }), "{err}");
    // Another handle sees the same.
    assert_eq!(db.open().list_tokens().unwrap().len(), 2);
}

fn the_push_queue_sends_each_session_once_per_server(db: Db) {
    let store = db.open();
    let a = session("b", "2024-01-01T00:00:00Z");
    let b = session("b", "2024-01-02T00:00:00Z");
    for s in [&a, &b] {
        store.create_session(s).unwrap();
    }
    let x = "http://x:8427";
    let y = "http://y:8427";
    store.queue_push(&a.id, x).unwrap();
    store.queue_push(&a.id, x).unwrap(); // once
    store.queue_push(&b.id, x).unwrap();
    store.queue_push(&a.id, y).unwrap();
    let waiting = |server| -> Vec<String> {
        store
            .push_queue(server, false)
            .unwrap()
            .into_iter()
            .map(|e| e.session_id)
            .collect()
    };
    assert_eq!(waiting(Some(x)), [a.id.clone(), b.id.clone()]);
    assert_eq!(waiting(None).len(), 3);
    store.mark_pushed(&a.id, x).unwrap();
    assert_eq!(waiting(Some(x)), std::slice::from_ref(&b.id));
    assert_eq!(waiting(Some(y)), std::slice::from_ref(&a.id));
    // Pushed stays pushed: queuing again changes nothing.
    store.queue_push(&a.id, x).unwrap();
    assert_eq!(waiting(Some(x)), std::slice::from_ref(&b.id));
    let all = store.push_queue(Some(x), true).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .any(|e| e.session_id == a.id && e.pushed_at.is_some()));
    // Marking pushed without queuing first records it too.
    let c = session("b", "2024-01-03T00:00:00Z");
    store.create_session(&c).unwrap();
    store.mark_pushed(&c.id, y).unwrap();
    assert_eq!(waiting(Some(y)), std::slice::from_ref(&a.id));
    // Unknown sessions are refused; a deleted session leaves the queue.
    let err = store.queue_push("deadbeef", x).unwrap_err();
    assert!(matches!(err, StoreError::SessionNotFound { .. }), "{err}");
    store.delete_session(&b.id).unwrap();
    assert!(waiting(Some(x)).is_empty());
}

/// `push --forget`: waiting entries go, by session and by server; what
/// was pushed stays pushed.
fn forgotten_pushes_leave_the_queue_and_pushed_ones_stay(db: Db) {
    let store = db.open();
    let sessions: Vec<_> = (1..=3)
        .map(|d| session("b", &format!("2024-01-0{d}T00:00:00Z")))
        .collect();
    let (x, y) = ("http://x:8427", "http://y:8427");
    for s in &sessions {
        store.create_session(s).unwrap();
        store.queue_push(&s.id, x).unwrap();
        store.queue_push(&s.id, y).unwrap();
    }
    store.mark_pushed(&sessions[0].id, x).unwrap();
    let ids = |entries: Vec<perfwatch_store::PushEntry>| -> Vec<(String, String)> {
        entries
            .into_iter()
            .map(|e| (e.session_id, e.server))
            .collect()
    };
    // One session, one server.
    let one = [sessions[1].id.clone()];
    assert_eq!(store.forget_pushes(Some(&one), Some(y)).unwrap(), 1);
    assert_eq!(store.forget_pushes(Some(&one), Some(y)).unwrap(), 0);
    // Every waiting entry of one server; the pushed one stays.
    assert_eq!(store.forget_pushes(None, Some(x)).unwrap(), 2);
    assert_eq!(
        ids(store.push_queue(Some(x), true).unwrap()),
        [(sessions[0].id.clone(), x.to_string())]
    );
    assert_eq!(
        ids(store.push_queue(None, false).unwrap()),
        [
            (sessions[0].id.clone(), y.to_string()),
            (sessions[2].id.clone(), y.to_string())
        ]
    );
    // Everything left waiting; unknown ids are no error.
    assert_eq!(
        store
            .forget_pushes(Some(&["0123456789abcdef".to_string()]), None)
            .unwrap(),
        0
    );
    assert_eq!(store.forget_pushes(None, None).unwrap(), 2);
    assert!(store.push_queue(None, false).unwrap().is_empty());
    assert_eq!(store.push_queue(None, true).unwrap().len(), 1);
}

/// The team server remembers a listing or a history while the
/// generation it read stands: every write to a benchmark's sessions or
/// iterations must grow it (its own and the sum), and reads must not.
fn every_write_to_a_benchmark_grows_its_generation_and_reads_do_not(db: Db) {
    let store = db.open();
    let g = |b: Option<&str>| store.history_generation(b).unwrap();
    assert_eq!((g(Some("a")), g(None)), (0, 0));
    let mut s = session("a", "2024-01-01T00:00:00Z");
    s.status = perfwatch_model::SessionStatus::Running;
    let correction = perfwatch_model::ShellCorrection {
        shell: "sh".into(),
        wall_s: 0.001,
        user_s: 0.0,
        sys_s: 0.0,
        runs: 50,
    };
    let other = session("b", "2024-01-02T00:00:00Z");
    let mut last = (g(Some("a")), g(None));
    type Write<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let writes: Vec<Write> = vec![
        ("create", Box::new(|| store.create_session(&s).unwrap())),
        (
            "shell correction",
            Box::new(|| store.set_shell_correction(&s.id, &correction).unwrap()),
        ),
        (
            "iteration",
            Box::new(|| {
                store
                    .add_iteration(&s.id, &full_iteration(0, "current", 1.0))
                    .unwrap()
            }),
        ),
        (
            "iterations in a batch",
            Box::new(|| {
                let (one, two) = (
                    full_iteration(1, "current", 1.0),
                    full_iteration(2, "current", 1.1),
                );
                store
                    .add_iterations(&[(s.id.as_str(), &one), (s.id.as_str(), &two)])
                    .unwrap()
            }),
        ),
        (
            "finish",
            Box::new(|| {
                store
                    .finish_session(
                        &s.id,
                        perfwatch_model::SessionStatus::Complete,
                        "2024-01-01T00:01:00Z",
                    )
                    .unwrap()
            }),
        ),
    ];
    for (what, write) in &writes {
        write();
        let now = (g(Some("a")), g(None));
        assert!(
            now.0 > last.0 && now.1 > last.1,
            "{what}: {last:?} → {now:?}"
        );
        last = now;
    }
    // Reads change nothing; another benchmark's writes change only it
    // and the sum.
    store.list_sessions(&Default::default()).unwrap();
    store.load_session(&s.id).unwrap();
    assert_eq!((g(Some("a")), g(None)), last);
    store
        .insert_whole_session(&other, &[full_iteration(0, "current", 2.0)])
        .unwrap();
    assert_eq!(g(Some("a")), last.0);
    assert!(g(Some("b")) > 0 && g(None) > last.1);
    last = (g(Some("a")), g(None));
    store.delete_session(&s.id).unwrap();
    assert!(g(Some("a")) > last.0 && g(None) > last.1, "delete");
    // Another handle (another process, another server) reads the same.
    assert_eq!(db.open().history_generation(None).unwrap(), g(None));
}

fn an_alert_event_is_claimed_once_and_each_retry_by_one_handle(db: Db) {
    let (a, b) = (db.open(), db.open());
    let pending = Delivery {
        webhook: "hook1".into(),
        alert_id: "a1".into(),
        event: "open".into(),
        state: DeliveryState::Pending,
        attempts: 1,
        next_at: Some("2026-12-06T10:00:05Z".into()),
        last_error: None,
        updated_at: "2026-12-06T10:00:00Z".into(),
    };
    assert!(a.claim_delivery(&pending).unwrap(), "the first claim wins");
    assert!(!b.claim_delivery(&pending).unwrap(), "a second claim loses");
    let resolved = Delivery {
        event: "resolved".into(),
        ..pending.clone()
    };
    assert!(
        b.claim_delivery(&resolved).unwrap(),
        "another event is its own row"
    );
    let other_hook = Delivery {
        webhook: "hook2".into(),
        state: DeliveryState::Skipped,
        ..pending.clone()
    };
    assert!(a.claim_delivery(&other_hook).unwrap());

    // A retry is claimed by bumping the attempts the claimer saw: one of
    // two handles that saw 1 attempt wins.
    let retry = Delivery {
        attempts: 2,
        last_error: Some("503 Service Unavailable".into()),
        updated_at: "2026-12-06T10:00:06Z".into(),
        ..pending.clone()
    };
    assert!(a.update_delivery(&retry, 1).unwrap());
    assert!(
        !b.update_delivery(&retry, 1).unwrap(),
        "the attempt is taken"
    );
    let done = Delivery {
        state: DeliveryState::Delivered,
        next_at: None,
        last_error: None,
        ..retry.clone()
    };
    assert!(a.update_delivery(&done, 2).unwrap());

    let rows = b.deliveries("hook1").unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.contains(&done) && rows.contains(&resolved), "{rows:?}");
    assert_eq!(b.deliveries("hook2").unwrap(), [other_hook]);
    assert!(b.deliveries("hook3").unwrap().is_empty());
}

contract!(
    an_alert_event_is_claimed_once_and_each_retry_by_one_handle,
    every_write_to_a_benchmark_grows_its_generation_and_reads_do_not,
    tokens_are_stored_by_hash_listed_and_revoked,
    the_push_queue_sends_each_session_once_per_server,
    forgotten_pushes_leave_the_queue_and_pushed_ones_stay,
);
