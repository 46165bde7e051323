//! The `PgStore` handle: a pool of connections, with helpers that run a
//! closure inside a read or write transaction.

use super::fail::{Fail, R};
use super::{redact_url, schema, sessions};
use crate::{Result, StoreError};
use postgres::{Config, IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use std::str::FromStr;
use std::time::Duration;

/// A perfwatch history in a PostgreSQL database, shared by a team.
///
/// `Send + Sync`: threads (a server's requests) take connections from a
/// pool of up to [`MAX_CONNECTIONS`](Self::MAX_CONNECTIONS). Every write
/// is one transaction; reads see one snapshot.
pub struct PgStore {
    pool: r2d2_postgres::r2d2::Pool<PostgresConnectionManager<NoTls>>,
    location: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connections the pool opens at most.
    pub const MAX_CONNECTIONS: u32 = 16;

    /// How long a connection attempt waits when the URL does not say
    /// (`connect_timeout`).
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`,
    /// or any form the `postgres` crate reads) and brings its schema up
    /// to date, creating it in an empty database.
    ///
    /// A database that holds tables of perfwatch's names but is not
    /// perfwatch's, or one written by a newer perfwatch, is refused before
    /// anything is written.
    pub fn connect(url: &str) -> Result<PgStore> {
        Self::open(url, false)
    }

    /// Connects to an existing perfwatch database; nothing is created. An
    /// empty database is [`StoreError::Empty`] (no history yet). An older
    /// schema is migrated first, which writes.
    pub fn connect_existing(url: &str) -> Result<PgStore> {
        Self::open(url, true)
    }

    fn open(url: &str, existing: bool) -> Result<PgStore> {
        let location = redact_url(url);
        let mut config = Config::from_str(url).map_err(|e| StoreError::PostgresConnection {
            location: location.clone(),
            message: format!("not a PostgreSQL URL: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Self::CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("perfwatch");
        }
        let prepared = (|| -> R<()> {
            let mut client = config.connect(NoTls)?;
            if existing {
                return schema::check_existing(&mut client, &location);
            }
            schema::migrate(&mut client, &location)?;
            // As SQLite's writers do on opening: sessions whose perfwatch
            // died on this machine are marked abandoned.
            let mut tx = client.transaction()?;
            sessions::mark_abandoned(&mut tx)?;
            tx.commit()?;
            Ok(())
        })();
        prepared.map_err(|f| f.into_store(&location))?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2_postgres::r2d2::Pool::builder()
            .max_size(Self::MAX_CONNECTIONS)
            .min_idle(Some(0))
            .connection_timeout(Self::CONNECT_TIMEOUT)
            .build_unchecked(manager);
        Ok(PgStore { pool, location })
    }

    /// The database URL without its password.
    pub(crate) fn location_str(&self) -> &str {
        &self.location
    }

    /// Runs `f` in a read-committed write transaction and commits it.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> R<T>) -> Result<T> {
        self.transaction(false, f)
    }

    /// Runs `f` in a read-only repeatable-read transaction: one snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> R<T>) -> Result<T> {
        self.transaction(true, f)
    }

    fn transaction<T>(
        &self,
        read_only: bool,
        f: impl FnOnce(&mut Transaction<'_>) -> R<T>,
    ) -> Result<T> {
        let run = || -> R<T> {
            let mut client = self.pool.get().map_err(|e| Fail::Pool(e.to_string()))?;
            let mut tx = client
                .build_transaction()
                .isolation_level(if read_only {
                    IsolationLevel::RepeatableRead
                } else {
                    IsolationLevel::ReadCommitted
                })
                .read_only(read_only)
                .start()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|fail| fail.into_store(&self.location))
    }
}
