//! The errors a store reports.
//!
//! Messages are lowercase fragments that read well after "failed to …" and
//! name the database file whenever one is involved.

use std::path::PathBuf;

/// Everything that can go wrong in a [`Store`](crate::Store).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file exists but is not an SQLite database at all.
    #[error("{} is not a perfwatch database (not SQLite)", path.display())]
    NotSqlite {
        /// The database file.
        path: PathBuf,
    },

    /// The file is empty: no history has been written to it yet (read
    /// commands do not create one).
    #[error("{} is empty: no history yet (run `perfwatch run` first)", path.display())]
    Empty {
        /// The database file.
        path: PathBuf,
    },

    /// The file is an SQLite database that belongs to another application.
    #[error(
        "{} is not a perfwatch database (an SQLite database of another application, \
         application_id {application_id:#010x}); refusing to change it",
        path.display()
    )]
    ForeignDatabase {
        /// The database file.
        path: PathBuf,
        /// The `application_id` found in the file (0 when unset).
        application_id: i32,
    },

    /// The database was written by a newer perfwatch.
    #[error(
        "{} has schema version {found}, this perfwatch understands up to {supported}; \
         upgrade perfwatch",
        path.display()
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Schema version found in the file.
        found: i64,
        /// Newest schema version this build knows.
        supported: i64,
    },

    /// The database file or its directory cannot be written.
    #[error("cannot write to {}: permission denied", path.display())]
    PermissionDenied {
        /// The file or directory that cannot be written.
        path: PathBuf,
    },

    /// The database path names a directory.
    #[error("{} is a directory, not a database file", path.display())]
    IsDirectory {
        /// The path given.
        path: PathBuf,
    },

    /// Any other I/O failure while preparing the database file.
    #[error("cannot open {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A new database could not be made (the disk is full, …). The files
    /// perfwatch had made for it — the database, its `-wal`, `-shm` and
    /// `-journal`, folders — are removed again; a file that was there
    /// before is left as it was.
    #[error("cannot create the database {}: {}", path.display(), creation_failure(source))]
    CreateFailed {
        /// The database file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: Box<StoreError>,
    },

    /// An error reported by SQLite.
    #[error("database error in {location}: {source}")]
    Sqlite {
        /// The database (a path, or `:memory:`).
        location: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },

    /// An error reported by the PostgreSQL server.
    #[error("database error in {location}: {message}")]
    Postgres {
        /// The database URL, without its password.
        location: String,
        /// The server's message.
        message: String,
    },

    /// No connection to the PostgreSQL server (refused, timed out, lost).
    #[error("cannot connect to {location}: {message}")]
    PostgresConnection {
        /// The database URL, without its password.
        location: String,
        /// Why.
        message: String,
    },

    /// The PostgreSQL database has tables of perfwatch's names that
    /// perfwatch did not make.
    #[error(
        "{location} already has a table `{table}` that is not perfwatch's (no perfwatch_schema \
         table); refusing to change it: use a database of its own"
    )]
    ForeignPostgres {
        /// The database URL, without its password.
        location: String,
        /// The table found.
        table: String,
    },

    /// Stored data that this build cannot decode.
    #[error("corrupt data in {location}: {what}")]
    Corrupt {
        /// The database (a path, or `:memory:`).
        location: String,
        /// What could not be decoded, and why.
        what: String,
    },

    /// A session id that is not 4 to 64 lowercase hex digits.
    #[error("invalid session id `{id}`: expected 4 to 64 lowercase hex digits")]
    InvalidSessionId {
        /// The id given.
        id: String,
    },

    /// No session matches an id, prefix or `latest`.
    #[error("no session matches `{spec}`")]
    SessionNotFound {
        /// What was asked for.
        spec: String,
    },

    /// A session prefix shorter than the minimum.
    #[error("session prefix `{spec}` is too short: give at least {min} characters")]
    PrefixTooShort {
        /// What was asked for.
        spec: String,
        /// The minimum prefix length.
        min: usize,
    },

    /// A session prefix that matches several sessions.
    #[error(
        "session prefix `{spec}` is ambiguous: it matches {} (give more characters)",
        candidates.join(", ")
    )]
    AmbiguousSession {
        /// What was asked for.
        spec: String,
        /// The matching session ids, newest first.
        candidates: Vec<String>,
    },

    /// A session with this id is already stored.
    #[error("session {id} already exists")]
    SessionExists {
        /// The session id.
        id: String,
    },

    /// An iteration with this index is already stored for the session.
    #[error("iteration {index} of session {session_id} is already stored")]
    IterationExists {
        /// The session id.
        session_id: String,
        /// The iteration index.
        index: u32,
    },

    /// A session cannot be deleted while baselines refer to it.
    #[error(
        "session {id} is part of baseline(s) {}; delete or re-save them first",
        baselines.join(", ")
    )]
    SessionInBaseline {
        /// The session id.
        id: String,
        /// Baselines that refer to it.
        baselines: Vec<String>,
    },

    /// A baseline name that is empty or has control characters.
    #[error("invalid baseline name `{name}`: it must be non-empty, without control characters")]
    InvalidBaselineName {
        /// The name given.
        name: String,
    },

    /// A baseline with this name exists and overwriting was not asked for.
    #[error("baseline `{name}` already exists (overwrite it explicitly to replace it)")]
    BaselineExists {
        /// The baseline name.
        name: String,
    },

    /// No baseline has this name.
    #[error("no baseline named `{name}`")]
    BaselineNotFound {
        /// The baseline name.
        name: String,
    },

    /// A token name that is empty, too long or has control characters.
    #[error(
        "invalid token name `{name}`: it must be 1 to 64 characters, without control characters"
    )]
    InvalidTokenName {
        /// The name given.
        name: String,
    },

    /// A token with this name exists (revoked tokens keep their names).
    #[error("a token named `{name}` already exists")]
    TokenExists {
        /// The token name.
        name: String,
    },

    /// No token has this name.
    #[error("no token named `{name}`")]
    TokenNotFound {
        /// The token name.
        name: String,
    },

    /// A baseline needs at least one session.
    #[error("baseline `{name}` needs at least one session")]
    EmptyBaseline {
        /// The baseline name.
        name: String,
    },
}

/// Why a new database could not be made, in words: SQLite's own, without
/// the file it names again; its "disk I/O error" for a shared-memory file
/// that could not grow (what a full disk gives) says so.
fn creation_failure(e: &StoreError) -> String {
    match e {
        StoreError::Sqlite {
            source: rusqlite::Error::SqliteFailure(f, _),
            ..
        } if f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE => {
            "disk I/O error: its shared-memory file (-shm) could not grow (is the disk full?)"
                .into()
        }
        StoreError::Sqlite { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

impl StoreError {
    /// Whether another connection held the database locked past the busy
    /// timeout: the same write may succeed when tried again.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

/// Shorthand for results of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
