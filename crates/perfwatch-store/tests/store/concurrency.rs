//! Several writers on one file: threads with their own handles, threads
//! sharing one handle, separate processes, and a process that crashes.

use super::support::{contract, full_iteration, session, Db, TempDb};
use perfwatch_model::SessionStatus;
use perfwatch_store::{SessionFilter, SqliteStore, Store};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

const ITERATIONS: u32 = 50;
const ENV_DB: &str = "PERFWATCH_STORE_TEST_DB";
const ENV_MODE: &str = "PERFWATCH_STORE_TEST_MODE";
const ENV_SESSION: &str = "PERFWATCH_STORE_TEST_SESSION";

/// Opens the database and writes one session of `count` iterations.
fn write_session(path: &Path, id: &str, count: u32) {
    write_session_to(&SqliteStore::open(path).unwrap(), id, count);
}

/// Writes one session of `count` iterations.
fn write_session_to(store: &dyn Store, id: &str, count: u32) {
    let mut s = session("concurrent", "2024-01-01T00:00:00Z");
    s.id = id.to_string();
    store.create_session(&s).unwrap();
    for index in 0..count {
        store
            .add_iteration(id, &full_iteration(index, "v", 1.0 + f64::from(index)))
            .unwrap();
    }
    store
        .finish_session(id, SessionStatus::Complete, "2024-01-01T00:01:00Z")
        .unwrap();
}

fn assert_all_stored(path: &Path, ids: &[String]) {
    assert_all_stored_in(&SqliteStore::open(path).unwrap(), ids);
}

fn assert_all_stored_in(store: &dyn Store, ids: &[String]) {
    for id in ids {
        let (s, iterations) = store.load_session(id).unwrap();
        assert_eq!(s.status, SessionStatus::Complete);
        let indices: Vec<u32> = iterations.iter().map(|i| i.index).collect();
        assert_eq!(indices, (0..ITERATIONS).collect::<Vec<_>>());
        assert!(iterations.iter().all(|i| i.stages.len() == 4));
    }
}

/// Two writers with their own handles, on a store neither has created
/// yet, and a reader listing all the while.
fn two_handles_in_two_threads_write_concurrently(db: Db) {
    let db = Arc::new(db);
    let ids = ["aaaa0001", "bbbb0002"].map(String::from);
    let start = Arc::new(Barrier::new(3));
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = ids
        .iter()
        .map(|id| {
            let (db, id, start) = (db.clone(), id.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait(); // both create the fresh database at once
                write_session_to(&*db.open(), &id, ITERATIONS);
            })
        })
        .collect();
    let reader = {
        let (db, start, done) = (db.clone(), start.clone(), done.clone());
        std::thread::spawn(move || {
            start.wait();
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                db.open().list_sessions(&SessionFilter::default()).unwrap();
                reads += 1;
            }
            reads
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    reader.join().unwrap();
    assert_all_stored_in(&*db.open(), &ids);
}

/// Threads sharing one handle interleave their iterations' writes.
fn one_handle_shared_by_threads(db: Db) {
    let store: Arc<dyn Store> = Arc::from(db.open());
    let s = session("shared", "2024-01-01T00:00:00Z");
    store.create_session(&s).unwrap();
    let threads: Vec<_> = (0..4u32)
        .map(|t| {
            let (store, id) = (store.clone(), s.id.clone());
            std::thread::spawn(move || {
                for k in 0..25 {
                    store
                        .add_iteration(&id, &full_iteration(t * 25 + k, "v", 1.0))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.load_session(&s.id).unwrap().1.len(), 100);
}

/// Eight writers, each with its own handle, storing whole sessions with
/// new stage paths at once: every session arrives, each stage path once.
fn eight_concurrent_writers_lose_nothing(db: Db) {
    let db = Arc::new(db);
    let start = Arc::new(Barrier::new(8));
    // Opened here: a thread that failed to open would leave the others
    // waiting at the barrier for ever.
    let stores: Vec<_> = (0..8).map(|_| db.open()).collect();
    let writers: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(w, store)| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                (0..10)
                    .map(|k| {
                        let s = session("many", &format!("2024-01-01T00:{w:02}:{k:02}Z"));
                        let its: Vec<_> = (0..3).map(|i| full_iteration(i, "v", 1.0)).collect();
                        store.insert_whole_session(&s, &its).unwrap();
                        s.id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let store = db.open();
    let rows = store.list_sessions(&SessionFilter::default()).unwrap();
    assert_eq!(rows.len(), 80);
    assert!(rows.iter().all(|r| r.iterations == 3));
    let mut spans = 0;
    for id in &ids {
        let (_, iterations) = store.load_session(id).unwrap();
        assert_eq!(iterations.len(), 3);
        spans += iterations.iter().map(|i| i.stages.len()).sum::<usize>();
    }
    assert_eq!(spans, 80 * 3 * 4);
    // job, job/download, job/parse: stored once each, whoever came first.
    assert_eq!(db.count_rows("stage_paths"), 3);
}

/// Runs this test binary again, as a child doing `mode` on `path`.
fn spawn_child(path: &Path, mode: &str, id: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::concurrency::child_process_entry",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .env(ENV_DB, path)
        .env(ENV_MODE, mode)
        .env(ENV_SESSION, id)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Not a test of its own: the body of the child processes spawned above.
/// Without the environment variables it does nothing.
#[test]
fn child_process_entry() {
    let (Ok(path), Ok(mode), Ok(id)) = (
        std::env::var(ENV_DB),
        std::env::var(ENV_MODE),
        std::env::var(ENV_SESSION),
    ) else {
        return;
    };
    let path = Path::new(&path);
    match mode.as_str() {
        "write" => write_session(path, &id, ITERATIONS),
        "crash" => {
            let store = SqliteStore::open(path).unwrap();
            let mut s = session("crashing", "2024-01-01T00:00:00Z");
            s.id = id.clone();
            store.create_session(&s).unwrap();
            for index in 0..5 {
                store
                    .add_iteration(&id, &full_iteration(index, "v", 1.0))
                    .unwrap();
            }
            // Die without unwinding, closing or checkpointing anything.
            std::process::abort();
        }
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn two_processes_write_concurrently() {
    let db = TempDb::new();
    let ids = ["cccc0003", "dddd0004"].map(String::from);
    let children: Vec<_> = ids
        .iter()
        .map(|id| spawn_child(&db.path, "write", id))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_all_stored(&db.path, &ids);
}

#[test]
fn a_crashed_process_leaves_a_valid_database() {
    let db = TempDb::new();
    let id = "eeee0005";
    let out = spawn_child(&db.path, "crash", id)
        .wait_with_output()
        .unwrap();
    assert!(!out.status.success(), "the child aborts");
    let store = SqliteStore::open(&db.path).unwrap();
    let (s, iterations) = store.load_session(id).unwrap();
    assert_eq!(s.status, SessionStatus::Running);
    assert_eq!(iterations.len(), 5);
    assert_eq!(store.resolve_session("latest").unwrap(), id);
    // The store carries on after the crash.
    store
        .add_iteration(id, &full_iteration(5, "v", 1.0))
        .unwrap();
    store
        .finish_session(id, SessionStatus::Interrupted, "2024-01-01T00:01:00Z")
        .unwrap();
}

contract!(
    two_handles_in_two_threads_write_concurrently,
    one_handle_shared_by_threads,
    eight_concurrent_writers_lose_nothing,
);
