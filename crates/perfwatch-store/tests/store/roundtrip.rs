//! Sessions and iterations come back exactly as stored.

use super::support::{bare_iteration, contract, full_iteration, service_run, session, Db};
use perfwatch_model::{Iteration, Session, SessionStatus, ShellCorrection};
use perfwatch_store::{SessionFilter, Store, StoreError};
use proptest::prelude::*;

fn a_shell_correction_set_after_creation_is_loaded_with_the_session(db: Db) {
    let store = db.open();
    let mut s = session("pipeline", "2024-05-01T12:00:00Z");
    s.shell_correction = None;
    store.create_session(&s).unwrap();
    let correction = ShellCorrection {
        shell: "bash --norc".into(),
        wall_s: 0.0012,
        user_s: 0.0004,
        sys_s: 0.0006,
        runs: 50,
    };
    store.set_shell_correction(&s.id, &correction).unwrap();
    let (loaded, _) = db.open().load_session(&s.id).unwrap();
    assert_eq!(loaded.shell_correction, Some(correction.clone()));
    assert!(matches!(
        store.set_shell_correction("0123456789abcdef", &correction),
        Err(StoreError::SessionNotFound { .. })
    ));
}

fn a_session_with_iterations_round_trips(db: Db) {
    let store = db.open();
    let mut s = session("pipeline", "2024-05-01T12:00:00Z");
    store.create_session(&s).unwrap();

    let mut warmup = full_iteration(0, "current", 1.25);
    warmup.warmup = true;
    let measured = full_iteration(1, "solo_only", 1.0);
    let bare = bare_iteration(2, 0.5);
    let mut killed = bare_iteration(3, 9.0);
    killed.exit_code = None;
    killed.signal = Some(9);
    killed.timed_out = true;
    killed.stderr_tail = Some("killed".into());
    for it in [&warmup, &measured, &bare, &killed] {
        store.add_iteration(&s.id, it).unwrap();
    }
    store
        .finish_session(&s.id, SessionStatus::Interrupted, "2024-05-01T12:01:00Z")
        .unwrap();
    drop(store);

    let (loaded, iterations) = db.open().load_session(&s.id).unwrap();
    s.status = SessionStatus::Interrupted;
    s.finished_at = Some("2024-05-01T12:01:00Z".into());
    assert_eq!(loaded, s);
    assert_eq!(iterations, vec![warmup, measured, bare.clone(), killed]);
    // What was not measured stays absent, never zero.
    let b = &iterations[2];
    assert_eq!(
        (b.user_s, b.sys_s, b.max_rss_bytes, b.read_bytes),
        (None, None, None, None)
    );
    assert_eq!(
        (b.voluntary_cs, b.involuntary_cs, b.peak_tree_rss_bytes),
        (None, None, None)
    );
}

fn iterations_come_back_in_index_order_whatever_the_insertion_order(db: Db) {
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    for index in [3, 0, 2, 1] {
        store
            .add_iteration(&s.id, &full_iteration(index, "v", 1.0))
            .unwrap();
    }
    let (_, iterations) = store.load_session(&s.id).unwrap();
    let order: Vec<u32> = iterations.iter().map(|i| i.index).collect();
    assert_eq!(order, [0, 1, 2, 3]);
    assert!(iterations.iter().all(|i| i.stages.len() == 4));
}

fn a_session_without_git_or_iterations_round_trips(db: Db) {
    let store = db.open();
    let mut s = session("b", "2024-01-01T00:00:00Z");
    s.git = None;
    s.variants.clear();
    store.create_session(&s).unwrap();
    assert_eq!(store.load_session(&s.id).unwrap(), (s, vec![]));
}

fn non_finite_values_survive(db: Db) {
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "v", f64::NAN);
    it.user_s = Some(f64::INFINITY);
    it.timeline[1].cpu_pct = f64::NAN;
    it.counters.insert("ratio".into(), f64::NAN);
    store.add_iteration(&s.id, &it).unwrap();
    let (_, got) = store.load_session(&s.id).unwrap();
    assert!(got[0].wall_s.is_nan());
    assert_eq!(got[0].user_s, Some(f64::INFINITY));
    assert!(got[0].timeline[1].cpu_pct.is_nan());
    assert!(got[0].counters["ratio"].is_nan());
    assert_eq!(got[0].timeline[1].rss_bytes, it.timeline[1].rss_bytes);
}

fn a_session_left_running_is_readable_after_reopening(db: Db) {
    let s = session("b", "2024-01-01T00:00:00Z");
    {
        let store = db.open();
        store.create_session(&s).unwrap();
        store
            .add_iteration(&s.id, &full_iteration(0, "v", 1.0))
            .unwrap();
    }
    let store = db.open();
    let (loaded, iterations) = store.load_session(&s.id).unwrap();
    assert_eq!(loaded.status, SessionStatus::Running);
    assert_eq!(loaded.finished_at, None);
    assert_eq!(iterations.len(), 1);
}

fn listing_is_newest_first_with_counts_and_filters(db: Db) {
    let store = db.open();
    let old = session("a", "2024-01-01T00:00:00Z");
    let mut new = session("a", "2024-03-01T00:00:00Z");
    new.git.as_mut().unwrap().branch = Some("feature".into());
    let other = session("b", "2024-02-01T00:00:00Z");
    // Same start time as `other`: insertion order breaks the tie.
    let tie = session("b", "2024-02-01T00:00:00Z");
    for s in [&old, &new, &other, &tie] {
        store.create_session(s).unwrap();
    }
    let mut warm = bare_iteration(0, 1.0);
    warm.warmup = true;
    let mut failed = bare_iteration(2, 1.0);
    failed.exit_code = Some(1);
    for it in [warm, bare_iteration(1, 1.0), failed] {
        store.add_iteration(&old.id, &it).unwrap();
    }
    store
        .finish_session(&old.id, SessionStatus::Complete, "2024-01-01T00:01:00Z")
        .unwrap();

    let ids = |filter: SessionFilter| -> Vec<String> {
        let rows = store.list_sessions(&filter).unwrap();
        rows.into_iter().map(|r| r.session.id).collect()
    };
    let all = [&new.id, &tie.id, &other.id, &old.id].map(|s| s.clone());
    assert_eq!(ids(SessionFilter::default()), all);
    let rows = store.list_sessions(&SessionFilter::default()).unwrap();
    assert_eq!(
        (rows[3].iterations, rows[3].counted, rows[3].failed),
        (3, 2, 1)
    );
    assert_eq!(
        (rows[0].iterations, rows[0].counted, rows[0].failed),
        (0, 0, 0)
    );
    for row in &rows {
        assert_eq!(
            store.has_counted_iteration(&row.session.id).unwrap(),
            row.counted > 0,
            "{}",
            row.session.id
        );
    }
    assert!(!store.has_counted_iteration("0123456789abcdef").unwrap());

    let cases = [
        (
            SessionFilter {
                benchmark: Some("a".into()),
                ..Default::default()
            },
            vec![&new.id, &old.id],
        ),
        (
            SessionFilter {
                limit: Some(2),
                ..Default::default()
            },
            vec![&new.id, &tie.id],
        ),
        (
            SessionFilter {
                branch: Some("feature".into()),
                ..Default::default()
            },
            vec![&new.id],
        ),
        (
            SessionFilter {
                status: Some(SessionStatus::Complete),
                ..Default::default()
            },
            vec![&old.id],
        ),
        (
            SessionFilter {
                commit: Some("0123456".into()),
                limit: Some(1),
                ..Default::default()
            },
            vec![&new.id],
        ),
        (
            SessionFilter {
                commit: Some("fff".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            SessionFilter {
                ids: Some(vec![
                    old.id.clone(),
                    "0123456789abcdef".into(),
                    new.id.clone(),
                ]),
                ..Default::default()
            },
            vec![&new.id, &old.id],
        ),
        (
            SessionFilter {
                ids: Some(vec![]),
                ..Default::default()
            },
            vec![],
        ),
        (
            SessionFilter {
                benchmark: Some("zzz".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            SessionFilter {
                since: Some("2024-02-01T00:00:00Z".into()),
                ..Default::default()
            },
            vec![&new.id, &tie.id, &other.id],
        ),
        (
            SessionFilter {
                since: Some("2024-02-01T00:00:01Z".into()),
                ..Default::default()
            },
            vec![&new.id],
        ),
        (
            SessionFilter {
                since: Some("2025-01-01T00:00:00Z".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            SessionFilter {
                offset: 1,
                limit: Some(2),
                ..Default::default()
            },
            vec![&tie.id, &other.id],
        ),
        (
            SessionFilter {
                offset: 3,
                ..Default::default()
            },
            vec![&old.id],
        ),
        (
            SessionFilter {
                offset: 4,
                ..Default::default()
            },
            vec![],
        ),
        (
            SessionFilter {
                benchmark: Some("b".into()),
                since: Some("2024-01-15T00:00:00Z".into()),
                offset: 1,
                limit: Some(5),
                ..Default::default()
            },
            vec![&other.id],
        ),
    ];
    for (filter, expected) in cases {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(filter.clone()), expected, "{filter:?}");
        // The heads are the listed sessions, whole, in the same order.
        let listed: Vec<Session> = store
            .list_sessions(&filter)
            .unwrap()
            .into_iter()
            .map(|r| r.session)
            .collect();
        assert_eq!(
            store.list_session_heads(&filter).unwrap(),
            listed,
            "{filter:?}"
        );
    }
}

fn deleting_a_session_removes_its_iterations_and_spans(db: Db) {
    let store = db.open();
    let keep = session("b", "2024-01-01T00:00:00Z");
    let gone = session("b", "2024-01-02T00:00:00Z");
    for s in [&keep, &gone] {
        store.create_session(s).unwrap();
        store
            .add_iteration(&s.id, &full_iteration(0, "v", 1.0))
            .unwrap();
    }
    store.delete_session(&gone.id).unwrap();
    assert!(matches!(
        store.load_session(&gone.id),
        Err(StoreError::SessionNotFound { .. })
    ));
    assert!(matches!(
        store.delete_session(&gone.id),
        Err(StoreError::SessionNotFound { .. })
    ));
    drop(store);
    let count = |table: &str| db.count_rows(table);
    assert_eq!(
        (count("sessions"), count("iterations"), db.count_spans()),
        (1, 1, 4)
    );
}

fn duplicates_and_unknown_sessions_are_refused(db: Db) {
    let store: Box<dyn Store> = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let err = store.create_session(&s).unwrap_err();
    assert!(matches!(err, StoreError::SessionExists { .. }), "{err}");

    store.add_iteration(&s.id, &bare_iteration(0, 1.0)).unwrap();
    let err = store
        .add_iteration(&s.id, &bare_iteration(0, 2.0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("iteration 0 of session {} is already stored", s.id)
    );
    assert_eq!(store.load_session(&s.id).unwrap().1[0].wall_s, 1.0);

    let err = store
        .add_iteration("deadbeef", &bare_iteration(0, 1.0))
        .unwrap_err();
    assert_eq!(err.to_string(), "no session matches `deadbeef`");
    let err = store
        .finish_session("deadbeef", SessionStatus::Complete, "2024-01-01T00:00:00Z")
        .unwrap_err();
    assert!(matches!(err, StoreError::SessionNotFound { .. }));

    for bad in ["ABCD1234", "xyz1", "abc", ""] {
        let mut s = session("b", "2024-01-01T00:00:00Z");
        s.id = bad.into();
        let err = store.create_session(&s).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidSessionId { .. }),
            "{bad}: {err}"
        );
    }
}

fn oversized_counts_are_refused_without_writing(db: Db) {
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "v", 1.0);
    it.read_bytes = Some(u64::MAX);
    let err = store.add_iteration(&s.id, &it).unwrap_err();
    assert!(err.to_string().contains("`read_bytes`"), "{err}");
    assert!(store.load_session(&s.id).unwrap().1.is_empty());
}

fn figures() -> impl Strategy<Value = Iteration> {
    let count = || proptest::option::of(0..=i64::MAX as u64);
    let secs = || proptest::option::of(-1e9..1e9f64);
    (
        (
            any::<u32>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(any::<i32>()),
        ),
        (proptest::option::of(1..64i32), -1e9..1e9f64, secs(), secs()),
        (count(), count(), count(), count(), count(), count()),
        proptest::option::of(".{0,40}"),
    )
        .prop_map(
            |((index, warmup, timed_out, exit_code), (signal, wall_s, user_s, sys_s), c, tail)| {
                Iteration {
                    index,
                    variant: "v".into(),
                    warmup,
                    exit_code,
                    signal,
                    timed_out,
                    wall_s,
                    user_s,
                    sys_s,
                    max_rss_bytes: c.0,
                    peak_tree_rss_bytes: c.1,
                    read_bytes: c.2,
                    write_bytes: c.3,
                    voluntary_cs: c.4,
                    involuntary_cs: c.5,
                    stderr_tail: tail,
                    ..Iteration::default()
                }
            },
        )
}

/// Any figures come back as stored, on both backends (one database per
/// backend for all cases; a new session per case).
fn any_figures_round_trip(db: Db) {
    let store = db.open();
    proptest!(ProptestConfig::with_cases(64), |(it in figures())| {
        let s = session("b", "2024-01-01T00:00:00Z");
        store.create_session(&s).unwrap();
        store.add_iteration(&s.id, &it).unwrap();
        prop_assert_eq!(store.load_session(&s.id).unwrap().1, vec![it]);
    });
}

/// A listing's medians and a history's arguments come from small queries
/// that agree with the sessions they summarise.
fn counted_walls_and_benchmark_variants_agree_with_the_sessions(db: Db) {
    let store = db.open();
    let mut a = session("pipeline", "2024-01-01T00:00:00Z");
    a.variants.reverse(); // declares solo_only, current
    let b = session("pipeline", "2024-01-02T00:00:00Z"); // current, solo_only
    let mut c = session("other", "2024-01-03T00:00:00Z");
    c.variants.truncate(1);
    for s in [&a, &b, &c] {
        store.create_session(s).unwrap();
    }
    let mut warm = full_iteration(0, "current", 9.0);
    warm.warmup = true;
    let mut late = full_iteration(3, "current", 8.0);
    late.timed_out = true;
    for it in [
        warm,
        full_iteration(1, "current", 1.5),
        full_iteration(2, "solo_only", 2.5),
        late,
        full_iteration(4, "current", f64::NAN),
    ] {
        store.add_iteration(&b.id, &it).unwrap();
    }
    let got = store
        .counted_walls(&[
            (&b.id, "current"),
            (&b.id, "solo_only"),
            (&a.id, "current"),
            ("0123456789abcdef", "current"),
        ])
        .unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].len(), 2);
    assert_eq!(got[0][0], 1.5);
    assert!(got[0][1].is_nan());
    assert_eq!(got[1], [2.5]);
    assert!(got[2].is_empty() && got[3].is_empty());
    assert!(store.counted_walls(&[]).unwrap().is_empty());
    // Newest first: `other`, then `pipeline` as its newest session (b)
    // declares its variants.
    assert_eq!(
        store.benchmark_variants().unwrap(),
        [
            ("other".to_string(), vec!["current".to_string()]),
            (
                "pipeline".to_string(),
                vec!["current".to_string(), "solo_only".to_string()]
            ),
        ]
    );
}

fn a_batch_of_iterations_is_stored_whole_or_not_at_all(db: Db) {
    let store = db.open();
    let (a, b) = (
        session("p", "2026-12-06T00:00:00Z"),
        session("p", "2026-12-06T00:00:01Z"),
    );
    store.create_session(&a).unwrap();
    store.create_session(&b).unwrap();
    let its: Vec<Iteration> = (0..3).map(|i| full_iteration(i, "current", 1.0)).collect();
    store
        .add_iterations(&[(&a.id, &its[0]), (&b.id, &its[0]), (&a.id, &its[1])])
        .unwrap();
    assert_eq!(store.load_session(&a.id).unwrap().1.len(), 2);
    assert_eq!(store.load_session(&b.id).unwrap().1.len(), 1);
    // A batch with one bad row (no such session) stores none of it.
    let missing = "0123456789abcdef0123456789abcdef".to_string();
    assert!(store
        .add_iterations(&[(&a.id, &its[2]), (&missing, &its[2])])
        .is_err());
    assert_eq!(store.load_session(&a.id).unwrap().1.len(), 2);
}

/// A batch stored with its generation step reports the history's
/// generation just before and just after it, as the store reads them.
fn a_stepped_batch_reports_the_generations_around_it(db: Db) {
    let store = db.open();
    let s = session("p", "2026-12-06T00:00:00Z");
    store.create_session(&s).unwrap();
    let its: Vec<Iteration> = (0..2).map(|i| full_iteration(i, "current", 1.0)).collect();
    let before = store.history_generation(None).unwrap();
    let step = store
        .add_iterations_stepped(&[(&s.id, &its[0]), (&s.id, &its[1])])
        .unwrap()
        .expect("both backends tell their step");
    assert_eq!(step.before, before);
    assert!(step.after > step.before, "{step:?}");
    assert_eq!(step.after, store.history_generation(None).unwrap());
    assert_eq!(store.load_session(&s.id).unwrap().1.len(), 2);
    // A failed batch makes no step and stores nothing.
    let missing = "0123456789abcdef0123456789abcdef".to_string();
    let third = full_iteration(2, "current", 1.0);
    assert!(store
        .add_iterations_stepped(&[(&s.id, &third), (&missing, &third)])
        .is_err());
    assert_eq!(store.history_generation(None).unwrap(), step.after);
}

/// The last runs of a long session come back as `load_session` gives
/// them, stages included, without the rest; the newest index is told
/// without reading it.
fn load_recent_gives_the_last_iterations_with_their_stages(db: Db) {
    let store = db.open();
    let s = session("pipeline", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    // Out of order, with a gap: the last two by index are 5 and 9.
    for i in [9, 0, 5, 2] {
        store
            .add_iteration(&s.id, &full_iteration(i, "current", f64::from(i)))
            .unwrap();
    }
    let (_, all) = store.load_session(&s.id).unwrap();
    assert!(all.iter().all(|it| !it.stages.is_empty()));
    let (back, last) = store.load_recent(&s.id, 2).unwrap();
    assert_eq!(back, store.load_session(&s.id).unwrap().0);
    assert_eq!(last, all[2..].to_vec());
    assert_eq!(store.load_recent(&s.id, 10).unwrap().1, all);
    assert!(store.load_recent(&s.id, 0).unwrap().1.is_empty());
    assert_eq!(store.newest_index(&s.id).unwrap(), Some(9));
    let empty = session("pipeline", "2024-01-02T00:00:00Z");
    store.create_session(&empty).unwrap();
    assert!(store.load_recent(&empty.id, 3).unwrap().1.is_empty());
    assert_eq!(store.newest_index(&empty.id).unwrap(), None);
    let missing = "0123456789abcdef0123456789abcdef";
    assert!(matches!(
        store.load_recent(missing, 3),
        Err(StoreError::SessionNotFound { .. })
    ));
    assert_eq!(store.newest_index(missing).unwrap(), None);
}

fn counted_service_runs_are_those_of_the_counted_runs_in_order(db: Db) {
    let store = db.open();
    let s = session("api", "2024-01-02T00:00:00Z"); // current, solo_only
    let command = session("api", "2024-01-03T00:00:00Z");
    store.create_session(&s).unwrap();
    store.create_session(&command).unwrap();
    let mut warm = full_iteration(0, "current", 9.0);
    warm.warmup = true;
    let mut late = full_iteration(3, "current", 8.0);
    late.timed_out = true;
    let mut no_service = full_iteration(5, "current", 7.0);
    no_service.service = None;
    // Stored out of order: the answer is in index order.
    for it in [
        full_iteration(4, "current", 4.0),
        warm,
        full_iteration(1, "current", 1.0),
        full_iteration(2, "solo_only", 2.0),
        late,
        no_service,
    ] {
        store.add_iteration(&s.id, &it).unwrap();
    }
    store
        .add_iteration(&command.id, &bare_iteration(0, 1.0))
        .unwrap();
    let got = store
        .counted_service_runs(&[
            (&s.id, "current"),
            (&s.id, "solo_only"),
            (&command.id, "default"),
            ("0123456789abcdef", "current"),
        ])
        .unwrap();
    assert_eq!(got.len(), 4);
    let startups = |runs: &[perfwatch_model::ServiceRun]| -> Vec<f64> {
        runs.iter().map(|r| r.startup_s).collect()
    };
    assert_eq!(startups(&got[0]), [0.1, 0.4]);
    assert_eq!(got[0][0], service_run(1.0));
    assert_eq!(startups(&got[1]), [0.2]);
    assert!(got[2].is_empty() && got[3].is_empty());
    assert!(store.counted_service_runs(&[]).unwrap().is_empty());
}

contract!(
    counted_service_runs_are_those_of_the_counted_runs_in_order,
    load_recent_gives_the_last_iterations_with_their_stages,
    a_batch_of_iterations_is_stored_whole_or_not_at_all,
    a_stepped_batch_reports_the_generations_around_it,
    counted_walls_and_benchmark_variants_agree_with_the_sessions,
    a_shell_correction_set_after_creation_is_loaded_with_the_session,
    a_session_with_iterations_round_trips,
    iterations_come_back_in_index_order_whatever_the_insertion_order,
    a_session_without_git_or_iterations_round_trips,
    non_finite_values_survive,
    a_session_left_running_is_readable_after_reopening,
    listing_is_newest_first_with_counts_and_filters,
    deleting_a_session_removes_its_iterations_and_spans,
    duplicates_and_unknown_sessions_are_refused,
    oversized_counts_are_refused_without_writing,
    any_figures_round_trip,
);
