//! Opening a database file safely: inspect first, write only once the file
//! is known to be fresh or perfwatch's own.

use super::fail::{Fail, R};
use super::header::{self, Header};
use super::schema::{self, Identity, Verdict};
use crate::{Result, StoreError};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a connection waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating if needed) and migrates the database at `path`.
///
/// A new database that cannot be made — the disk is full while its schema
/// is written, say — leaves nothing behind: what this call created (the
/// file, its `-wal`, `-shm` and `-journal`, the folders) is removed again,
/// never a file that was there before, and the error is
/// [`StoreError::CreateFailed`]. (Not when the database was locked: then
/// another process is making it at the same moment, and the files are
/// its.)
pub fn open_file(path: &Path) -> Result<Connection> {
    let mut made = Made::default();
    match inspect(path)? {
        Found::Missing => {
            made.dirs = create_parent(path)?;
            made.file = create_new(path).inspect_err(|_| made.undo(path))?;
            // Created meanwhile by another process: its files, not ours.
            if made.file {
                made.note_sidecars(path);
            }
        }
        Found::Empty => made.note_sidecars(path),
        Found::Database => {}
    }
    let opened = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_failure(path, e))
    .and_then(|mut conn| {
        prepare(&mut conn, path).map_err(|f| match f {
            Fail::Db(e) if is_permission_error(&e) => permission_denied(path),
            f => f.into_store(&path.display().to_string(), Some(path)),
        })?;
        Ok(conn)
    });
    // The connection is closed by now: its files can go.
    match opened {
        Err(e) if made.is_something() && !e.is_busy() => {
            made.undo(path);
            Err(match e {
                e @ StoreError::Sqlite { .. } => StoreError::CreateFailed {
                    path: path.into(),
                    source: Box::new(e),
                },
                other => other,
            })
        }
        other => other,
    }
}

/// What [`open_file`] made for a new database, to be removed again when the
/// database cannot be made.
#[derive(Debug, Default)]
struct Made {
    /// Folders created for it, outermost first.
    dirs: Vec<PathBuf>,
    /// Whether the database file itself was created here (exclusively).
    file: bool,
    /// Its `-wal`, `-shm` and `-journal` that did not exist before.
    sidecars: Vec<PathBuf>,
}

impl Made {
    /// Note which of the files SQLite keeps beside `path` do not exist yet.
    fn note_sidecars(&mut self, path: &Path) {
        self.sidecars = ["-wal", "-shm", "-journal"]
            .into_iter()
            .map(|suffix| {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                PathBuf::from(name)
            })
            .filter(|p| p.symlink_metadata().is_err())
            .collect();
    }

    fn is_something(&self) -> bool {
        self.file || !self.dirs.is_empty() || !self.sidecars.is_empty()
    }

    /// Remove what was made, best effort: a folder only if empty.
    fn undo(&self, path: &Path) {
        for sidecar in &self.sidecars {
            let _ = std::fs::remove_file(sidecar);
        }
        if self.file {
            let _ = std::fs::remove_file(path);
        }
        for dir in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Create the database file, empty, only if it does not exist: then it is
/// ours to remove if the database cannot be made. `false` when another
/// process created it meanwhile (it is theirs).
fn create_new(path: &Path) -> Result<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    // SQLite's own mode for the files it creates.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
    {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Opens an existing database for reading only: nothing is created,
/// migrated or written — a read-only file, directory or mount works.
///
/// A database at an older schema version is opened read-write once to
/// migrate it (its queries need the current columns), as any command would.
/// A write-ahead log that exists is read as usual; without one, no other
/// connection has the file open, and it is opened `immutable` so that
/// SQLite creates no `-wal`/`-shm` files beside it (a writer that starts
/// during the read may then be missed — the read is of the file as it was).
pub fn open_file_read_only(path: &Path) -> Result<Connection> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if meta.is_dir() {
        return Err(StoreError::IsDirectory { path: path.into() });
    }
    let identity = match header::read(path).map_err(|e| io_error(path, e))? {
        Header::Empty => return Err(StoreError::Empty { path: path.into() }),
        Header::NotSqlite => return Err(StoreError::NotSqlite { path: path.into() }),
        Header::Sqlite(identity) => identity,
    };
    check_identity(identity).map_err(|f| f.into_store(&path.display().to_string(), Some(path)))?;
    if identity.user_version < schema::SCHEMA_VERSION {
        return open_file(path);
    }
    let wal = {
        let mut name = path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let uri = file_uri(path, !wal.exists());
    let conn = Connection::open_with_flags(&uri, flags).map_err(|e| open_failure(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .and_then(|()| conn.pragma_update(None, "foreign_keys", true))
        .map_err(|e| Fail::Db(e).into_store(&path.display().to_string(), Some(path)))?;
    Ok(conn)
}

/// `file:` URI of `path` for SQLite, percent-encoding what URIs reserve.
fn file_uri(path: &Path, immutable: bool) -> String {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in absolute.as_os_str().as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(b));
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str(if immutable {
        "?mode=ro&immutable=1"
    } else {
        "?mode=ro"
    });
    uri
}

/// Opens and migrates a private in-memory database.
pub fn open_memory() -> Result<Connection> {
    let mut conn =
        Connection::open_in_memory().map_err(|e| Fail::Db(e).into_store(":memory:", None))?;
    configure(&conn)
        .and_then(|()| schema::migrate(&mut conn))
        .map_err(|f| f.into_store(":memory:", None))?;
    Ok(conn)
}

/// What [`inspect`] found at the database's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// No file.
    Missing,
    /// An empty file: a new database is made in it.
    Empty,
    /// A database (fresh or perfwatch's).
    Database,
}

/// Checks an existing file without writing anything.
fn inspect(path: &Path) -> Result<Found> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(io_error(path, e)),
    };
    if meta.is_dir() {
        return Err(StoreError::IsDirectory { path: path.into() });
    }
    let identity = match header::read(path).map_err(|e| io_error(path, e))? {
        Header::Empty => None,
        Header::NotSqlite => return Err(StoreError::NotSqlite { path: path.into() }),
        Header::Sqlite(identity) => Some(identity),
    };
    if let Some(identity) = identity {
        check_identity(identity)
            .map_err(|f| f.into_store(&path.display().to_string(), Some(path)))?;
    }
    // Opening for writing changes nothing, and tells a read-only file apart.
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io_error(path, e))?;
    Ok(if identity.is_some() {
        Found::Database
    } else {
        Found::Empty
    })
}

/// Refuses a foreign or newer database.
fn check_identity(identity: Identity) -> R<()> {
    match identity.verdict() {
        Verdict::Fresh | Verdict::Ours(_) => Ok(()),
        Verdict::Foreign(id) => Err(Fail::Foreign(id)),
        Verdict::Newer(v) => Err(Fail::Newer(v)),
    }
}

/// Creates the directories that will hold a new database; those it
/// created, outermost first. A refusal names the existing directory that
/// cannot be written.
fn create_parent(path: &Path) -> Result<Vec<PathBuf>> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(Vec::new());
    };
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && a.symlink_metadata().is_err())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    std::fs::create_dir_all(dir).map_err(|e| {
        let blocker = dir.ancestors().find(|a| a.exists()).unwrap_or(dir);
        io_error(blocker, e)
    })?;
    Ok(missing)
}

/// Configures a fresh read-write connection and migrates the schema, in an
/// order that writes nothing before the file is known to be ours.
fn prepare(conn: &mut Connection, path: &Path) -> R<()> {
    // Until the file is known to be ours, closing must not checkpoint a
    // foreign write-ahead log into it.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if conn.is_readonly("main")? {
        return Err(Fail::Store(permission_denied(path)));
    }
    // The true identity, write-ahead log included, read in one snapshot
    // (another process may be migrating right now).
    let identity = {
        let tx = conn.transaction()?;
        Identity::read(&tx)?
    };
    check_identity(identity)?;
    configure(conn)?;
    enable_wal(conn)?;
    schema::migrate(conn)?;
    // A session left `running` by a perfwatch that died is closed now
    // (a read when there is none, which is the usual case).
    super::sessions::mark_abandoned(conn)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
    Ok(())
}

/// Per-connection settings.
fn configure(conn: &Connection) -> R<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // In WAL mode NORMAL keeps the database valid after any crash and
    // loses no committed iteration when perfwatch or the measured program
    // crashes or is interrupted; only an OS crash or power cut may roll
    // back the newest commits. FULL would add an fsync (~1 ms here) to
    // every iteration, which short benchmarks would pay in wall time.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// Switches the file to write-ahead logging (readers never block the
/// writer). The switch needs an exclusive lock, which some SQLite versions
/// do not wait for with the busy handler; so poll, with a bound.
fn enable_wal(conn: &Connection) -> R<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        let attempt = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
            .and_then(|mode| {
                if mode.eq_ignore_ascii_case("wal") {
                    Ok(mode)
                } else {
                    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                }
            });
        match attempt {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(Fail::Corrupt(format!(
                    "cannot switch to write-ahead logging (journal mode stays `{mode}`)"
                )))
            }
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn is_permission_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

/// The error for an SQLite failure to open `path`.
fn open_failure(path: &Path, e: rusqlite::Error) -> StoreError {
    if is_permission_error(&e) {
        permission_denied(path)
    } else {
        Fail::Db(e).into_store(&path.display().to_string(), Some(path))
    }
}

/// Names what cannot be written: the file when it exists and is read-only,
/// otherwise its directory (which must hold the file and its write-ahead
/// log).
fn permission_denied(path: &Path) -> StoreError {
    let file_unwritable =
        path.exists() && std::fs::OpenOptions::new().write(true).open(path).is_err();
    let target: PathBuf = match path.parent() {
        _ if file_unwritable => path.into(),
        Some(dir) if !dir.as_os_str().is_empty() => dir.into(),
        _ => ".".into(),
    };
    StoreError::PermissionDenied { path: target }
}

/// The error for an I/O failure on `path`.
fn io_error(path: &Path, source: std::io::Error) -> StoreError {
    if source.kind() == ErrorKind::PermissionDenied {
        StoreError::PermissionDenied { path: path.into() }
    } else {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_made_for_a_new_database_is_undone_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/history.db");
        let mut made = Made {
            dirs: create_parent(&path).unwrap(),
            ..Made::default()
        };
        assert_eq!(
            made.dirs,
            vec![tmp.path().join("a"), tmp.path().join("a/b")]
        );
        made.file = create_new(&path).unwrap();
        assert!(made.file);
        assert!(!create_new(&path).unwrap(), "not ours the second time");
        // A `-shm` that was there before is not ours to remove.
        let shm = tmp.path().join("a/b/history.db-shm");
        std::fs::write(&shm, b"").unwrap();
        made.note_sidecars(&path);
        for sidecar in &made.sidecars {
            std::fs::write(sidecar, b"sqlite's").unwrap();
        }
        made.undo(&path);
        assert!(!path.exists());
        assert!(shm.exists(), "there before");
        assert!(!tmp.path().join("a/b/history.db-wal").exists());
        // The folder still holds the `-shm`: it stays, and so does `a`.
        assert!(tmp.path().join("a/b").is_dir());
        std::fs::remove_file(&shm).unwrap();
        made.undo(&path);
        assert!(!tmp.path().join("a").exists());
    }
}
