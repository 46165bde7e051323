//! Where the history lives: an SQLite file (the default) or a PostgreSQL
//! database (`postgres://…`), and opening it for one command.

use crate::exit::usage;
use perfwatch_store::{PgStore, SqliteStore, Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

/// A `--db` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

/// What a command needs from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write, creating the store when missing.
    Create,
    /// Read and write an existing store.
    Existing,
    /// Read an existing store; nothing is created or written.
    ReadOnly,
}

impl Location {
    /// Reads a `--db` value: a `postgres://` or `postgresql://` URL, or a
    /// file path.
    pub fn parse(value: &str) -> Location {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Location::Postgres(value.to_string())
        } else {
            Location::Sqlite(PathBuf::from(value))
        }
    }

    /// The location for messages: the path, or the URL without its
    /// password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => perfwatch_store::redact_url(url),
        }
    }

    /// Whether a history can exist there already: an SQLite file that
    /// exists, or any PostgreSQL database (its schema is checked on
    /// connecting).
    pub fn may_have_history(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }

    /// Opens the store for `access`. An unusable store — not SQLite,
    /// another program's database, a newer schema, no permission, a
    /// refused connection — is a usage error, and nothing is written.
    pub fn open(&self, access: Access) -> anyhow::Result<Arc<dyn Store>> {
        if access != Access::Create && !self.may_have_history() {
            return Err(perfwatch_app::AppError::NoHistory {
                db: PathBuf::from(self.display()),
            }
            .into());
        }
        let opened: Result<Arc<dyn Store>, StoreError> = match (self, access) {
            (Location::Sqlite(path), Access::ReadOnly) => {
                SqliteStore::open_read_only(path).map(|s| Arc::new(s) as Arc<dyn Store>)
            }
            (Location::Sqlite(path), _) => {
                SqliteStore::open(path).map(|s| Arc::new(s) as Arc<dyn Store>)
            }
            (Location::Postgres(url), Access::Create) => {
                PgStore::connect(url).map(|s| Arc::new(s) as Arc<dyn Store>)
            }
            (Location::Postgres(url), _) => {
                PgStore::connect_existing(url).map(|s| Arc::new(s) as Arc<dyn Store>)
            }
        };
        opened.map_err(|e| self.open_error(e))
    }

    /// A store that could not be opened: the database's own failures name
    /// it; a new database that could not be made says so itself; every
    /// refusal (foreign, newer, not SQLite, no permission) is a usage
    /// error.
    fn open_error(&self, e: StoreError) -> anyhow::Error {
        match e {
            // A PostgreSQL database without perfwatch's tables: no history
            // yet, said as for a missing file.
            StoreError::Empty { .. } if matches!(self, Location::Postgres(_)) => {
                perfwatch_app::AppError::NoHistory {
                    db: PathBuf::from(self.display()),
                }
                .into()
            }
            StoreError::Sqlite { .. } | StoreError::Corrupt { .. } => {
                anyhow::Error::new(e).context(format!("failed to open {}", self.display()))
            }
            StoreError::CreateFailed { .. }
            | StoreError::Postgres { .. }
            | StoreError::PostgresConnection { .. } => anyhow::Error::new(e),
            other => usage(other.to_string()),
        }
    }
}
