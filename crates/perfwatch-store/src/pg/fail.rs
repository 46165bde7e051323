//! The internal error of the PostgreSQL backend, turned into a
//! [`StoreError`] with the (password-free) location.

use crate::StoreError;

/// A failure inside one store operation.
#[derive(Debug)]
pub enum Fail {
    /// PostgreSQL reported an error.
    Db(postgres::Error),
    /// No connection could be had from the pool.
    Pool(String),
    /// A stored value could not be decoded.
    Corrupt(String),
    /// A complete store error.
    Store(StoreError),
}

/// Result of an operation inside the backend.
pub type R<T> = std::result::Result<T, Fail>;

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Db(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

impl Fail {
    /// The store error, naming `location`.
    pub fn into_store(self, location: &str) -> StoreError {
        match self {
            Fail::Db(e) if e.as_db_error().is_none() => StoreError::PostgresConnection {
                location: location.to_string(),
                message: message(&e),
            },
            Fail::Db(e) => StoreError::Postgres {
                location: location.to_string(),
                message: message(&e),
            },
            Fail::Pool(message) => StoreError::PostgresConnection {
                location: location.to_string(),
                message,
            },
            Fail::Corrupt(what) => StoreError::Corrupt {
                location: location.to_string(),
                what,
            },
            Fail::Store(e) => e,
        }
    }

    /// The SQLSTATE of a database error.
    pub fn code(&self) -> Option<&postgres::error::SqlState> {
        match self {
            Fail::Db(e) => e.code(),
            _ => None,
        }
    }
}

/// PostgreSQL's own words: the server's message and detail when it sent
/// them, the client's otherwise (a refused connection, a closed socket).
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}
