//! The private PostgreSQL cluster: it serves databases, and nothing of it
//! — directory or process — outlives its owner, however the owner ends.
//!
//! Skipped when PostgreSQL is not installed, unless
//! `PERFWATCH_REQUIRE_POSTGRES=1`.

use perfwatch_testkit::postgres::{self, PgCluster, PgError};
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV_MODE: &str = "PERFWATCH_TESTKIT_PG_CHILD";
const DATA_DIR_LINE: &str = "data dir: ";

#[test]
fn own_cluster_serves_two_databases_and_leaves_nothing_when_dropped() {
    let started = Instant::now();
    let Some(pg) = postgres::require_own() else {
        return;
    };
    eprintln!("initdb and start took {:?}", started.elapsed());
    let a = pg.create_database("first").unwrap();
    let b = pg.create_database("second").unwrap();
    assert_eq!(query(&pg, &a, "select current_database()"), "first");
    assert_eq!(query(&pg, &b, "select current_database()"), "second");
    assert_eq!(query(&pg, &b, "select 1"), "1");
    let data_dir = pg.data_dir();
    assert!(!processes_using(&data_dir).is_empty(), "no server running");

    let stopping = Instant::now();
    drop(pg);
    eprintln!("stop and removal took {:?}", stopping.elapsed());
    assert!(
        !data_dir.parent().unwrap().exists(),
        "directory left behind"
    );
    assert_gone(&data_dir);
}

#[test]
fn databases_are_created_concurrently_on_the_shared_cluster() {
    let Some(pg) = postgres::require() else {
        return;
    };
    let names: Vec<String> = (0..6)
        .map(|i| format!("concurrent_{i}"))
        .chain(["we\"ird name/é".to_owned()])
        .collect();
    std::thread::scope(|s| {
        for name in &names {
            s.spawn(move || {
                let url = pg.create_database(name).unwrap();
                assert_eq!(query(pg, &url, "select current_database()"), *name);
            });
        }
    });
}

#[test]
fn create_database_rejects_names_postgres_would_truncate() {
    let Some(pg) = postgres::require() else {
        return;
    };
    for name in ["", &"x".repeat(64), "nul\0"] {
        assert!(
            matches!(pg.create_database(name), Err(PgError::DatabaseName(_))),
            "{name:?}"
        );
    }
    assert!(pg.create_database(&"x".repeat(63)).is_ok());
    // Already exists: psql's error is passed on.
    let err = pg.create_database(&"x".repeat(63)).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

/// The shared cluster lives in a static, which is never dropped: its
/// watchdog must clean up after the process however it ends.
#[test]
fn shared_cluster_is_removed_when_the_process_ends() {
    if postgres::require().is_none() {
        return;
    }
    let children: Vec<_> = ["returns", "panics", "aborts", "is killed"]
        .into_iter()
        .map(|mode| {
            let child = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_process_entry", "--nocapture"])
                .args(["--test-threads", "1"])
                .env(ENV_MODE, mode)
                // Kept open: the child that waits for its kill reads it,
                // and so ends with us should we panic first.
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (mode, child)
        })
        .collect();
    for (mode, mut child) in children {
        let data_dir = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .find_map(|line| Some(line.split_once(DATA_DIR_LINE)?.1.to_owned()))
            .unwrap_or_else(|| panic!("the child that {mode} printed no data dir"));
        if mode == "is killed" {
            child.kill().unwrap();
        }
        child.wait().unwrap();
        let data_dir = Path::new(&data_dir);
        wait_for(
            || !data_dir.parent().unwrap().exists(),
            || format!("the child {mode}: {} left behind", data_dir.display()),
        );
        assert_gone(data_dir);
    }
}

/// Not a test of its own: the body of the child processes spawned above.
/// Without the environment variable it does nothing.
#[test]
fn child_process_entry() {
    let Ok(mode) = std::env::var(ENV_MODE) else {
        return;
    };
    let pg = postgres::shared().unwrap();
    // libtest has printed "test child_process_entry ... " on this line.
    println!("{DATA_DIR_LINE}{}", pg.data_dir().display());
    match mode.as_str() {
        "returns" => {}
        "panics" => panic!("as asked"),
        "aborts" => std::process::abort(),
        _ => {
            // Until killed, or until the parent's end closes stdin.
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        }
    }
}

/// The single value `sql` returns in database `url`.
fn query(pg: &PgCluster, url: &str, sql: &str) -> String {
    let output = pg.psql(url).args(["-At", "-c", sql]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// No process has `data_dir` in its command line or as its working
/// directory (postgres's children chdir there and rename themselves).
fn assert_gone(data_dir: &Path) {
    // A postmaster orphaned by pg_ctl may take a moment to be reaped.
    wait_for(
        || processes_using(data_dir).is_empty(),
        || format!("processes left: {:?}", processes_using(data_dir)),
    );
}

fn processes_using(data_dir: &Path) -> Vec<String> {
    let needle = data_dir.as_os_str().as_bytes();
    let contains = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        if contains(&cmdline) || cwd.as_os_str().as_bytes().starts_with(needle) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

fn wait_for(done: impl Fn() -> bool, why: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "{}", why());
        std::thread::sleep(Duration::from_millis(50));
    }
}
