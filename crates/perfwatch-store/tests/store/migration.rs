//! Creating and upgrading the schema.

use super::support::{full_iteration, session, TempDb};
use perfwatch_store::{SqliteStore, Store, APPLICATION_ID, SCHEMA_VERSION};
use rusqlite::Connection;

/// Rewrites `db` as a perfwatch of an older schema left it: `sql` undoes
/// the migrations since then (and sets `user_version` when it matters).
fn take_back(db: &TempDb, sql: &str) {
    Connection::open(&db.path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

/// `db` is at this build's schema version.
fn assert_migrated(db: &TempDb) {
    assert_eq!(pragma(&db.path, "user_version"), SCHEMA_VERSION.to_string());
}

fn pragma(path: &std::path::Path, name: &str) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row(&format!("PRAGMA {name}"), [], |r| {
        r.get::<_, rusqlite::types::Value>(0)
    })
    .map(|v| match v {
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Text(t) => t,
        other => format!("{other:?}"),
    })
    .unwrap()
}

#[test]
fn a_missing_file_and_its_directories_are_created() {
    let db = TempDb::new();
    assert!(!db.path.parent().unwrap().exists());
    let store = db.open();
    assert_eq!(store.path(), Some(db.path.as_path()));
    drop(store);
    assert_migrated(&db);
    assert_eq!(
        pragma(&db.path, "application_id"),
        APPLICATION_ID.to_string()
    );
    assert_eq!(pragma(&db.path, "journal_mode"), "wal");
}

#[test]
fn an_empty_file_is_migrated() {
    let db = TempDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    std::fs::write(&db.path, b"").unwrap();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    drop(store);
    assert_migrated(&db);
    assert_eq!(
        pragma(&db.path, "application_id"),
        APPLICATION_ID.to_string()
    );
}

#[test]
fn an_empty_sqlite_database_is_adopted() {
    // A database created by `sqlite3 file.db 'PRAGMA user_version'`-style
    // tooling: valid SQLite, no schema, no application id.
    let db = TempDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    Connection::open(&db.path)
        .unwrap()
        .execute_batch("PRAGMA page_size = 8192; VACUUM;")
        .unwrap();
    db.open();
    assert_migrated(&db);
}

#[test]
fn reopening_keeps_data_and_version() {
    let db = TempDb::new();
    let s = session("b", "2024-01-01T00:00:00Z");
    {
        let store = db.open();
        store.create_session(&s).unwrap();
        store
            .add_iteration(&s.id, &full_iteration(0, "v", 1.0))
            .unwrap();
    }
    for _ in 0..2 {
        let store = SqliteStore::open(&db.path).unwrap();
        assert_eq!(store.load_session(&s.id).unwrap().1.len(), 1);
    }
    assert_migrated(&db);
}

#[test]
fn the_schema_forbids_dangling_rows() {
    // The store's own connection enforces foreign keys too: deleting a
    // session cascading to its spans relies on it (see `roundtrip`).
    let db = TempDb::new();
    let s = session("b", "2024-01-01T00:00:00Z");
    db.open().create_session(&s).unwrap();
    let conn = Connection::open(&db.path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    let dangling = [
        "INSERT INTO baseline_sessions (name, session_id, pos) VALUES ('none', ?1, 0)",
        "INSERT INTO iterations (session_id, idx, variant, warmup, timed_out, timeline,
             counters, gauges, dropped_spans)
         VALUES (?1 || 'x', 0, 'v', 0, 0, '[]', '{}', '{}', '{}')",
    ];
    for sql in dangling {
        let err = conn.execute(sql, [&s.id]).unwrap_err();
        assert!(
            err.to_string().contains("FOREIGN KEY constraint failed"),
            "{sql}: {err}"
        );
    }
}

/// Back to v10: a row per span (from each iteration's `spans` array),
/// with its stage and depth as stored.
const DOWN_TO_10: &str = "CREATE TABLE spans (
        session_id    TEXT NOT NULL,
        iteration_idx INTEGER NOT NULL,
        pos           INTEGER NOT NULL,
        span_id       INTEGER NOT NULL,
        parent_id     INTEGER,
        name          TEXT NOT NULL,
        depth         INTEGER NOT NULL,
        tier          TEXT NOT NULL,
        component     TEXT,
        start_s       REAL,
        end_s         REAL,
        duration_s    REAL,
        ok            INTEGER NOT NULL,
        calls         INTEGER NOT NULL,
        failed_calls  INTEGER NOT NULL,
        total_s       REAL,
        attributes    TEXT NOT NULL,
        stage         INTEGER REFERENCES stage_paths (id),
        PRIMARY KEY (session_id, iteration_idx, pos),
        FOREIGN KEY (session_id, iteration_idx)
            REFERENCES iterations (session_id, idx) ON DELETE CASCADE
    );
    CREATE INDEX spans_stage ON spans (stage, session_id, iteration_idx);
    INSERT INTO spans
    SELECT i.session_id, i.iteration_idx, j.key, j.value ->> 0, j.value ->> 1,
        j.value ->> 2, j.value ->> 4, j.value ->> 5, j.value ->> 6,
        j.value ->> 7, j.value ->> 8,
        max(coalesce(j.value ->> 13, (j.value ->> 8) - (j.value ->> 7)), 0),
        j.value ->> 9, coalesce(j.value ->> 11, 1),
        coalesce(j.value ->> 12, 0), j.value ->> 13,
        coalesce(j.value -> 10, '{}'), j.value ->> 3
    FROM iteration_spans i, json_each(i.spans) j;
    DROP TABLE iteration_spans;";

/// Takes a current database back to schema version 4: no tokens or push
/// queue, and a path per span row instead of a reference to `stage_paths`.
/// Back to v9: no service figures.
const DOWN_TO_9: &str = "ALTER TABLE iterations DROP COLUMN service; \
    ALTER TABLE iterations DROP COLUMN startup_s; \
    ALTER TABLE iterations DROP COLUMN shutdown_s; \
    ALTER TABLE iterations DROP COLUMN latency_p50_s; \
    ALTER TABLE iterations DROP COLUMN latency_p90_s; \
    ALTER TABLE iterations DROP COLUMN latency_p99_s; \
    ALTER TABLE iterations DROP COLUMN latency_p999_s; \
    ALTER TABLE iterations DROP COLUMN throughput_rps; \
    ALTER TABLE iterations DROP COLUMN error_rate;";

const DOWN_TO_8: &str = "ALTER TABLE sessions DROP COLUMN program_version; \
    DROP TABLE alert_deliveries;";

const DOWN_TO_7: &str = "ALTER TABLE sessions DROP COLUMN program_version; \
    DROP TABLE alert_deliveries; \
    ALTER TABLE iterations DROP COLUMN peak_gpu_memory_bytes;";

const DOWN_TO_6: &str = "ALTER TABLE sessions DROP COLUMN program_version; \
    DROP TABLE alert_deliveries; \
    ALTER TABLE iterations DROP COLUMN peak_gpu_memory_bytes; \
    ALTER TABLE sessions DROP COLUMN adaptive;";

const DOWN_TO_4: &str = "DROP TRIGGER sessions_added;
    DROP TRIGGER sessions_changed;
    DROP TRIGGER sessions_deleted;
    DROP TRIGGER IF EXISTS iterations_added;
    DROP TABLE history_generations;
    DROP TABLE api_tokens;
    DROP TABLE pushes;
    ALTER TABLE spans ADD COLUMN path TEXT NOT NULL DEFAULT '';
    UPDATE spans SET path = coalesce((SELECT path FROM stage_paths WHERE id = spans.stage), name);
    DROP INDEX spans_stage;
    ALTER TABLE spans DROP COLUMN stage;
    DROP TABLE stage_paths;
    CREATE INDEX spans_path ON spans (path, session_id, iteration_idx);
    PRAGMA user_version = 4;";

/// Takes a current database back to schema version 2 (before the shell
/// correction and import origin columns).
const DOWN_TO_2: &str = "DROP INDEX sessions_status;
    ALTER TABLE sessions DROP COLUMN owner;
    ALTER TABLE sessions DROP COLUMN updated_at;
    DROP INDEX sessions_import_sha256;
    ALTER TABLE sessions DROP COLUMN shell_correction;
    ALTER TABLE sessions DROP COLUMN import_tool;
    ALTER TABLE sessions DROP COLUMN import_file;
    ALTER TABLE sessions DROP COLUMN import_sha256;
    PRAGMA user_version = 2;";

#[test]
fn a_version_4_database_keeps_its_spans_and_stage_series() {
    use perfwatch_store::SeriesQuery;
    let db = TempDb::new();
    let store = db.open();
    let s = session("pipeline", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let it = super::support::full_iteration(0, "current", 3.0);
    store.add_iteration(&s.id, &it).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_6} {DOWN_TO_4}"),
    );
    let store = db.open();
    let (_, iterations) = store.load_session(&s.id).unwrap();
    assert_eq!(iterations[0].stages, it.stages);
    let q = SeriesQuery {
        stage: Some("job/download".into()),
        ..SeriesQuery::new("pipeline")
    };
    let points = store.series(&q).unwrap();
    assert_eq!(points.len(), 1);
    assert!((points[0].values[0] - 0.4).abs() < 1e-12, "{points:?}");
    drop(store);
    assert_migrated(&db);
}

#[test]
fn a_version_10_database_keeps_its_span_rows_as_each_iterations_spans_and_stage_times() {
    use perfwatch_store::SeriesQuery;
    let db = TempDb::new();
    let store = db.open();
    let s = session("pipeline", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "current", 3.0);
    // Ids past i64::MAX, an unfinished span, an aggregated record.
    it.stages[3].id = u64::MAX - 1;
    it.stages[2].end_s = f64::NAN;
    it.stages[1].calls = 3;
    it.stages[1].failed_calls = 1;
    it.stages[1].total_s = Some(0.25);
    store.add_iteration(&s.id, &it).unwrap();
    let mut bare = full_iteration(1, "current", 2.0);
    bare.stages.clear();
    store.add_iteration(&s.id, &bare).unwrap();
    drop(store);
    take_back(&db, &format!("{DOWN_TO_10} PRAGMA user_version = 10;"));
    let rows: i64 = Connection::open(&db.path)
        .unwrap()
        .query_row("SELECT count(*) FROM spans", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 4, "the v10 database holds a row per span");
    let store = db.open();
    let (_, back) = store.load_session(&s.id).unwrap();
    assert_eq!(back[0].stages.len(), 4);
    for (b, a) in back[0].stages.iter().zip(&it.stages) {
        assert_eq!((b.id, b.parent, &b.name), (a.id, a.parent, &a.name));
        assert_eq!(
            (b.calls, b.failed_calls, b.total_s),
            (a.calls, a.failed_calls, a.total_s)
        );
        assert_eq!(b.start_s.to_bits(), a.start_s.to_bits());
        assert_eq!(b.end_s.is_nan(), a.end_s.is_nan());
        assert_eq!(b.attributes, a.attributes);
    }
    assert!(back[1].stages.is_empty());
    let points = store
        .series(&SeriesQuery {
            stage: Some("job/download".into()),
            ..SeriesQuery::new("pipeline")
        })
        .unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(
        points[0].values.len(),
        1,
        "the run without spans has no value"
    );
    // 0.25 (the aggregated record's total) + 0.1.
    assert!((points[0].values[0] - 0.35).abs() < 1e-12, "{points:?}");
    drop(store);
    assert_migrated(&db);
    let conn = Connection::open(&db.path).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'spans'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "the span rows are gone once migrated");
}

#[test]
fn a_version_2_database_keeps_its_sessions_and_gains_shell_correction_and_import_origin() {
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_6} {DOWN_TO_4} {DOWN_TO_2}"),
    );
    let store = db.open();
    let (loaded, _) = store.load_session(&s.id).unwrap();
    assert_eq!((loaded.shell_correction, loaded.imported), (None, None));
    let mut with = session("b", "2024-01-02T00:00:00Z");
    with.shell_correction = Some(perfwatch_model::ShellCorrection {
        shell: "sh".into(),
        wall_s: 0.0012,
        user_s: 0.0004,
        sys_s: 0.0003,
        runs: 50,
    });
    with.imported = Some(perfwatch_model::ImportOrigin {
        tool: "hyperfine".into(),
        file: "bench.json".into(),
        sha256: "ab".repeat(32),
    });
    store.create_session(&with).unwrap();
    let (back, _) = store.load_session(&with.id).unwrap();
    assert_eq!(back.shell_correction, with.shell_correction);
    assert_eq!(back.imported, with.imported);
    drop(store);
    assert_migrated(&db);
}

#[test]
fn a_version_8_database_keeps_its_sessions_and_gains_the_program_version_and_deliveries() {
    let db = TempDb::new();
    let store = db.open();
    let mut s = session("b", "2024-01-01T00:00:00Z");
    s.program_version = None;
    store.create_session(&s).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_8} PRAGMA user_version = 8;"),
    );
    let store = db.open();
    assert_eq!(store.load_session(&s.id).unwrap().0, s);
    let mut v = session("b", "2024-01-02T00:00:00Z");
    v.program_version = Some("1.4.2".into());
    store.create_session(&v).unwrap();
    assert_eq!(
        store
            .load_session(&v.id)
            .unwrap()
            .0
            .program_version
            .as_deref(),
        Some("1.4.2")
    );
    assert!(store.deliveries("any").unwrap().is_empty());
    drop(store);
    assert_migrated(&db);
}

/// Version 11 grew a benchmark's generation with a trigger per inserted
/// iteration; version 12 drops it and the store grows the generation
/// once per session and transaction. A leftover trigger would grow it
/// twice per write; a missing bump, not at all.
#[test]
fn a_version_11_database_loses_the_iteration_trigger_and_its_generation_still_grows_once() {
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    drop(store);
    take_back(
        &db,
        "CREATE TRIGGER iterations_added AFTER INSERT ON iterations BEGIN
             INSERT INTO history_generations (benchmark, generation)
                 SELECT benchmark, 1 FROM sessions WHERE id = NEW.session_id
             ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
         END;
         PRAGMA user_version = 11;",
    );
    let store = db.open();
    let before = store.history_generation(Some("b")).unwrap();
    let (one, two) = (
        full_iteration(0, "current", 1.0),
        full_iteration(1, "current", 1.1),
    );
    store
        .add_iterations(&[(s.id.as_str(), &one), (s.id.as_str(), &two)])
        .unwrap();
    assert_eq!(store.history_generation(Some("b")).unwrap(), before + 1);
    store
        .add_iteration(&s.id, &full_iteration(2, "current", 1.2))
        .unwrap();
    assert_eq!(store.history_generation(Some("b")).unwrap(), before + 2);
    drop(store);
    assert_migrated(&db);
    let triggers: i64 = Connection::open(&db.path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'iterations_added'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);
}

#[test]
fn a_version_9_database_keeps_its_iterations_and_gains_the_service_columns() {
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let mut it = full_iteration(0, "current", 1.5);
    it.service = None;
    store.add_iteration(&s.id, &it).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} PRAGMA user_version = 9;"),
    );
    let store = db.open();
    let (_, back) = store.load_session(&s.id).unwrap();
    assert_eq!(
        back[0], it,
        "an older iteration comes back whole, without service"
    );
    let mut served = full_iteration(1, "current", 2.0);
    served.stages.clear();
    store.add_iteration(&s.id, &served).unwrap();
    assert_eq!(
        store.load_session(&s.id).unwrap().1[1].service,
        served.service
    );
    drop(store);
    assert_migrated(&db);
    let conn = Connection::open(&db.path).unwrap();
    let startups: Vec<Option<f64>> = conn
        .prepare("SELECT startup_s FROM iterations ORDER BY idx")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(startups, vec![None, Some(0.2)], "the figure history reads");
}

#[test]
fn a_version_7_database_keeps_its_iterations_and_gains_the_gpu_memory_column() {
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let it = full_iteration(0, "current", 1.5);
    store.add_iteration(&s.id, &it).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_7} PRAGMA user_version = 7;"),
    );
    let store = db.open();
    let (_, back) = store.load_session(&s.id).unwrap();
    assert_eq!(back[0].wall_s, 1.5);
    assert_eq!(back[0].timeline, it.timeline);
    drop(store);
    assert_migrated(&db);
    let conn = Connection::open(&db.path).unwrap();
    let gpu: Option<i64> = conn
        .query_row("SELECT peak_gpu_memory_bytes FROM iterations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(gpu, None, "older iterations had no GPU readings");
}

#[test]
fn a_version_1_database_keeps_its_sessions_and_gains_the_baseline_column() {
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    drop(store);
    // Take the file back to version 1: without the column, as written by a
    // perfwatch of that schema.
    take_back(&db, &format!(
            "{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_6} {DOWN_TO_4} {DOWN_TO_2} ALTER TABLE sessions DROP COLUMN baseline; \
             PRAGMA user_version = 1;"
        ));
    let store = db.open();
    let (loaded, _) = store.load_session(&s.id).unwrap();
    assert_eq!(loaded.baseline, None);
    let mut with = session("b", "2024-01-02T00:00:00Z");
    with.baseline = Some("main".into());
    store.create_session(&with).unwrap();
    assert_eq!(
        store.load_session(&with.id).unwrap().0.baseline.as_deref(),
        Some("main")
    );
    drop(store);
    assert_migrated(&db);
}

#[test]
fn a_read_only_open_reads_and_refuses_writes_and_creates_nothing() {
    let db = TempDb::new();
    let s = session("b", "2024-01-01T00:00:00Z");
    {
        let store = db.open();
        store.create_session(&s).unwrap();
    }
    let dir = db.path.parent().unwrap();
    let before: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let store = SqliteStore::open_read_only(&db.path).unwrap();
    assert_eq!(store.load_session(&s.id).unwrap().0.id, s.id);
    assert!(store
        .create_session(&session("b", "2024-01-02T00:00:00Z"))
        .is_err());
    drop(store);
    let after: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    // An empty file is no history, not a database to initialise.
    std::fs::write(&db.path, b"").unwrap();
    assert!(matches!(
        SqliteStore::open_read_only(&db.path),
        Err(perfwatch_store::StoreError::Empty { .. })
    ));
    assert_eq!(std::fs::metadata(&db.path).unwrap().len(), 0);
}

/// Issue 13, item 4: a session whose perfwatch died stayed `running`
/// forever, indistinguishable from a live one.
#[test]
fn a_running_session_whose_perfwatch_died_is_abandoned() {
    use perfwatch_model::owner::Owner;
    use perfwatch_model::SessionStatus;
    let db = TempDb::new();
    let me = Owner::current().expect("Linux /proc");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let mut dead = session("b", "2024-01-01T00:00:00Z");
    dead.owner = Some(Owner {
        pid: dead_pid,
        ..me.clone()
    });
    let mut alive = session("b", "2024-01-02T00:00:00Z");
    alive.owner = Some(me);
    {
        let store = db.open();
        for s in [&dead, &alive] {
            store.create_session(s).unwrap();
            store
                .add_iteration(&s.id, &full_iteration(0, "v", 1.0))
                .unwrap();
        }
        // A reader already shows it, without writing.
        let (read, _) = SqliteStore::open_read_only(&db.path)
            .unwrap()
            .load_session(&dead.id)
            .unwrap();
        assert_eq!(read.status, SessionStatus::Abandoned);
        assert!(read.finished_at.is_some());
    }
    // The next writer stores it.
    let store = db.open();
    let (stored, its) = store.load_session(&dead.id).unwrap();
    assert_eq!((stored.status, its.len()), (SessionStatus::Abandoned, 1));
    assert_eq!(
        store.load_session(&alive.id).unwrap().0.status,
        SessionStatus::Running
    );
    drop(store);
    let conn = Connection::open(&db.path).unwrap();
    let status: String = conn
        .query_row(
            "SELECT status FROM sessions WHERE id = ?1",
            [&dead.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "abandoned");
}

#[test]
fn a_version_6_database_keeps_its_sessions_and_gains_the_adaptive_column() {
    use perfwatch_model::investigation::AdaptiveSpec;
    let db = TempDb::new();
    let store = db.open();
    let s = session("b", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    drop(store);
    take_back(
        &db,
        &format!("{DOWN_TO_10} {DOWN_TO_9} {DOWN_TO_6} PRAGMA user_version = 6;"),
    );
    let store = db.open();
    assert_eq!(store.load_session(&s.id).unwrap().0.adaptive, None);
    let mut adaptive = session("b", "2024-01-02T00:00:00Z");
    let spec = AdaptiveSpec {
        metric: "stage:job/fetch".into(),
        alpha: 0.01,
        band: 0.02,
        max_rounds: 60,
        max_time_s: Some(30.0),
    };
    adaptive.adaptive = Some(spec.clone());
    store.create_session(&adaptive).unwrap();
    assert_eq!(
        store.load_session(&adaptive.id).unwrap().0.adaptive,
        Some(spec)
    );
    drop(store);
    assert_migrated(&db);
}
