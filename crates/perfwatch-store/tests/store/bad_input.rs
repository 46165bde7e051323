//! Files perfwatch must refuse, leaving them exactly as they were.

use super::support::{session, TempDb};
use perfwatch_store::{SqliteStore, Store, StoreError, SCHEMA_VERSION};
use rusqlite::Connection;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Every file in the database's directory with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Opens `path`, expecting a refusal that leaves the directory unchanged.
fn refused(path: &Path) -> StoreError {
    let dir = path.parent().unwrap();
    let before = snapshot(dir);
    let err = SqliteStore::open(path).unwrap_err();
    assert!(snapshot(dir) == before, "files changed: {err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    err
}

fn db_with_file(bytes: &[u8]) -> TempDb {
    let db = TempDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    std::fs::write(&db.path, bytes).unwrap();
    db
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let cases: [&[u8]; 3] = [b"hello, world\n", &[0xff; 4096], b"SQLite format 3"];
    for bytes in cases {
        let db = db_with_file(bytes);
        let err = refused(&db.path);
        assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{} is not a perfwatch database (not SQLite)",
                db.path.display()
            )
        );
    }
}

#[test]
fn a_file_with_the_sqlite_magic_but_garbage_is_refused() {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend_from_slice(&[0xab; 4000]);
    let db = db_with_file(&bytes);
    let err = refused(&db.path);
    assert!(
        matches!(
            err,
            StoreError::NotSqlite { .. } | StoreError::ForeignDatabase { .. }
        ),
        "{err}"
    );
}

#[test]
fn another_applications_database_is_refused() {
    let setups = [
        (
            "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');",
            0,
        ),
        ("PRAGMA application_id = 42;", 42),
        ("PRAGMA application_id = 42; CREATE TABLE t (x);", 42),
        ("PRAGMA user_version = 3;", 0),
    ];
    for (setup, application_id) in setups {
        let db = TempDb::new();
        std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
        Connection::open(&db.path)
            .unwrap()
            .execute_batch(setup)
            .unwrap();
        let err = refused(&db.path);
        match &err {
            StoreError::ForeignDatabase {
                application_id: found,
                ..
            } => assert_eq!(*found, application_id, "{setup}"),
            other => panic!("{setup}: {other}"),
        }
        assert!(err.to_string().starts_with(&format!(
            "{} is not a perfwatch database (an SQLite database of another application",
            db.path.display()
        )));
    }
}

#[test]
fn another_applications_wal_database_is_refused() {
    let db = TempDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    let conn = Connection::open(&db.path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let err = refused(&db.path);
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
}

#[test]
fn another_applications_uncheckpointed_wal_is_not_checkpointed() {
    // What a crashed foreign program leaves: its tables only in the
    // write-ahead log, the main file still empty of them.
    let db = TempDb::new();
    let dir = db.path.parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let scratch = db.dir.path().join("scratch.db");
    let conn = Connection::open(&scratch).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    std::fs::copy(&scratch, &db.path).unwrap();
    let wal = dir.join("perfwatch.db-wal");
    std::fs::copy(db.dir.path().join("scratch.db-wal"), &wal).unwrap();
    drop(conn);
    let (main_before, wal_before) = (
        std::fs::read(&db.path).unwrap(),
        std::fs::read(&wal).unwrap(),
    );
    assert!(!wal_before.is_empty());

    let err = SqliteStore::open(&db.path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ForeignDatabase {
                application_id: 0,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        std::fs::read(&db.path).unwrap() == main_before,
        "main file changed"
    );
    assert!(
        std::fs::read(&wal).unwrap() == wal_before,
        "log checkpointed or reset"
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let db = TempDb::new();
    let s = session("b", "2024-01-01T00:00:00Z");
    db.open().create_session(&s).unwrap();
    Connection::open(&db.path)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let err = refused(&db.path);
    assert!(
        matches!(err, StoreError::NewerSchema { found: 999, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} has schema version 999, this perfwatch understands up to {SCHEMA_VERSION}; upgrade perfwatch",
            db.path.display()
        )
    );
}

#[test]
fn a_directory_is_refused() {
    let db = TempDb::new();
    std::fs::create_dir_all(&db.path).unwrap();
    let err = SqliteStore::open(&db.path).unwrap_err();
    assert!(matches!(err, StoreError::IsDirectory { .. }), "{err}");
}

/// Whether this process ignores file permissions (root, CAP_DAC_OVERRIDE):
/// then the permission tests cannot fail the way they should.
fn permissions_are_bypassed(dir: &Path) -> bool {
    let probe = dir.join("probe");
    std::fs::create_dir(&probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o555)).unwrap();
    let bypassed = std::fs::write(probe.join("x"), b"").is_ok();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&probe).unwrap();
    if bypassed {
        eprintln!("skipped: this process ignores file permissions (running as root?)");
    }
    bypassed
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_database_file_is_refused() {
    let db = TempDb::new();
    if permissions_are_bypassed(db.dir.path()) {
        return;
    }
    db.open()
        .create_session(&session("b", "2024-01-01T00:00:00Z"))
        .unwrap();
    chmod(&db.path, 0o444);
    let err = refused(&db.path);
    assert_eq!(
        err.to_string(),
        format!("cannot write to {}: permission denied", db.path.display())
    );
}

#[test]
fn a_read_only_directory_is_refused() {
    let db = TempDb::new();
    if permissions_are_bypassed(db.dir.path()) {
        return;
    }
    // A new database in a directory that cannot be written.
    let dir = db.path.parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    chmod(dir, 0o555);
    let err = SqliteStore::open(&db.path).unwrap_err();
    assert!(matches!(err, StoreError::PermissionDenied { .. }), "{err}");
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
    assert!(!db.path.exists());

    // An existing database whose directory cannot hold its write-ahead log.
    chmod(dir, 0o755);
    db.open()
        .create_session(&session("b", "2024-01-01T00:00:00Z"))
        .unwrap();
    chmod(dir, 0o555);
    let before = std::fs::read(&db.path).unwrap();
    let err = SqliteStore::open(&db.path).unwrap_err();
    chmod(dir, 0o755);
    assert!(matches!(err, StoreError::PermissionDenied { .. }), "{err}");
    assert!(
        std::fs::read(&db.path).unwrap() == before,
        "database changed"
    );
}

#[test]
fn a_directory_that_cannot_be_created_is_refused() {
    let db = TempDb::new();
    if permissions_are_bypassed(db.dir.path()) {
        return;
    }
    chmod(db.dir.path(), 0o555);
    let err = SqliteStore::open(&db.path).unwrap_err();
    chmod(db.dir.path(), 0o755);
    assert!(matches!(err, StoreError::PermissionDenied { .. }), "{err}");
    // The directory that blocks, not the one that could not be made.
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write to {}: permission denied",
            db.dir.path().display()
        )
    );
}
