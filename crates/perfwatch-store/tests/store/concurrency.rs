//! Several writers on one file: threads with their own handles, threads
//! sharing one handle, separate processes, and a process that crashes.

use super::support::{full_iteration, session, TempDb};
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
    let store = SqliteStore::open(path).unwrap();
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
    let store = SqliteStore::open(path).unwrap();
    for id in ids {
        let (s, iterations) = store.load_session(id).unwrap();
        assert_eq!(s.status, SessionStatus::Complete);
        let indices: Vec<u32> = iterations.iter().map(|i| i.index).collect();
        assert_eq!(indices, (0..ITERATIONS).collect::<Vec<_>>());
        assert!(iterations.iter().all(|i| i.stages.len() == 4));
    }
}

#[test]
fn two_handles_in_two_threads_write_concurrently() {
    let db = TempDb::new();
    let ids = ["aaaa0001", "bbbb0002"].map(String::from);
    let start = Arc::new(Barrier::new(3));
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = ids
        .iter()
        .map(|id| {
            let (path, id, start) = (db.path.clone(), id.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait(); // both create the fresh database at once
                write_session(&path, &id, ITERATIONS);
            })
        })
        .collect();
    let reader = {
        let (path, start, done) = (db.path.clone(), start.clone(), done.clone());
        std::thread::spawn(move || {
            start.wait();
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                let store = SqliteStore::open(&path).unwrap();
                store.list_sessions(&SessionFilter::default()).unwrap();
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
    assert_all_stored(&db.path, &ids);
}

#[test]
fn one_handle_shared_by_threads() {
    let db = TempDb::new();
    let store: Arc<dyn Store> = Arc::new(db.open());
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
