//! The `SqliteStore` handle: one connection, shared behind a mutex, with
//! helpers that run a closure inside a read or write transaction.

use super::fail::R;
use super::open;
use crate::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A perfwatch database in one SQLite file.
///
/// Several processes may open one file at the same time: the file uses
/// write-ahead logging, every write is an immediate transaction, and a
/// writer waits up to [`BUSY_TIMEOUT`](Self::BUSY_TIMEOUT) for another.
/// The handle is `Send + Sync`; calls from several threads are serialised.
///
/// ```
/// use perfwatch_store::{SessionFilter, SqliteStore, Store};
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(&dir.path().join(".perfwatch/perfwatch.db"))?;
/// assert!(store.list_sessions(&SessionFilter::default())?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    location: String,
}

impl SqliteStore {
    /// How long a write waits for another process's write to finish.
    pub const BUSY_TIMEOUT: std::time::Duration = open::BUSY_TIMEOUT;

    /// Opens the database at `path`, creating it and its parent directories
    /// when missing, and brings its schema up to date.
    ///
    /// A file that is not SQLite, another application's SQLite database, a
    /// database from a newer perfwatch, or a path that cannot be written is
    /// refused with a distinct [`StoreError`](crate::StoreError) before
    /// anything is written.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = open::open_file(path)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: Some(path.to_path_buf()),
            location: path.display().to_string(),
        })
    }

    /// Opens an existing database at `path` for reading only; nothing is
    /// created or written (see [`open`](Self::open) for what is refused).
    /// A read-only file, directory or mount works. A database from an
    /// older perfwatch is migrated first, which writes.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        let conn = open::open_file_read_only(path)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: Some(path.to_path_buf()),
            location: path.display().to_string(),
        })
    }

    /// A private database in memory, for tests and one-off tools.
    pub fn open_in_memory() -> Result<Self> {
        Ok(SqliteStore {
            conn: Mutex::new(open::open_memory()?),
            path: None,
            location: ":memory:".to_string(),
        })
    }

    /// The database file; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The location for messages: the path, or `:memory:`.
    pub(crate) fn location_str(&self) -> &str {
        &self.location
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic in another thread leaves the connection usable: its open
        // transaction was rolled back when the panic dropped it.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A passive checkpoint: copies the write-ahead log into the database
    /// file as far as no reader needs it (it never waits for one).
    pub(crate) fn checkpoint_wal(&self) -> Result<()> {
        let conn = self.lock();
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| super::fail::Fail::Db(e).into_store(&self.location, self.path.as_deref()))
    }

    /// Runs `f` in an immediate (write) transaction and commits it.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> R<T>) -> Result<T> {
        self.transaction(TransactionBehavior::Immediate, f)
    }

    /// Runs `f` in a read transaction, so it sees one consistent snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> R<T>) -> Result<T> {
        self.transaction(TransactionBehavior::Deferred, f)
    }

    fn transaction<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Transaction<'_>) -> R<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let run = || -> R<T> {
            let tx = conn.transaction_with_behavior(behavior)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|fail| fail.into_store(&self.location, self.path.as_deref()))
    }
}
