//! The internal error of the SQLite backend, turned into a [`StoreError`]
//! once the database's location is known.

use crate::StoreError;
use std::path::Path;

/// A failure inside one store operation.
#[derive(Debug)]
pub enum Fail {
    /// SQLite reported an error.
    Db(rusqlite::Error),
    /// A stored value could not be decoded.
    Corrupt(String),
    /// The file is another application's database.
    Foreign(i32),
    /// The file's schema is newer than this build's.
    Newer(i64),
    /// A complete store error.
    Store(StoreError),
}

/// Result of an operation inside the backend.
pub type R<T> = std::result::Result<T, Fail>;

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Db(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

impl Fail {
    /// The store error, naming `location` (and `path` for the identity
    /// errors; `None` for an in-memory database).
    pub fn into_store(self, location: &str, path: Option<&Path>) -> StoreError {
        let path_buf = || {
            path.map(Path::to_path_buf)
                .unwrap_or_else(|| location.into())
        };
        match self {
            Fail::Db(e) if is_not_a_database(&e) => StoreError::NotSqlite { path: path_buf() },
            Fail::Db(source) => StoreError::Sqlite {
                location: location.to_string(),
                source,
            },
            Fail::Corrupt(what) => StoreError::Corrupt {
                location: location.to_string(),
                what,
            },
            Fail::Foreign(application_id) => StoreError::ForeignDatabase {
                path: path_buf(),
                application_id,
            },
            Fail::Newer(found) => StoreError::NewerSchema {
                path: path_buf(),
                found,
                supported: super::schema::SCHEMA_VERSION,
            },
            Fail::Store(e) => e,
        }
    }
}

/// Whether SQLite says the file is not a database.
fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
}

/// Decodes a JSON column, naming what it is on failure.
pub fn json<T: serde::de::DeserializeOwned>(text: &str, what: impl FnOnce() -> String) -> R<T> {
    crate::record::from_json(text, what).map_err(Fail::Corrupt)
}

/// Encodes a value as JSON text. The model's types always encode.
pub fn to_json<T: serde::Serialize>(value: &T) -> R<String> {
    crate::record::to_json(value).map_err(Fail::Corrupt)
}
