//! Persistence for perfwatch sessions: a [`Store`] trait, and
//! [`SqliteStore`], an SQLite file with a versioned schema.
//!
//! A session is created when a run starts, each iteration is committed in
//! its own transaction as soon as it finishes (so Ctrl-C or a crash keeps
//! every finished iteration), and the session is finished at the end. A
//! session left `running` by a crashed process stays readable.
//!
//! ```
//! use perfwatch_model::{CommandSpec, HostInfo, Iteration, Session, SessionStatus};
//! use perfwatch_store::{new_session_id, SqliteStore, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(&dir.path().join("perfwatch.db"))?;
//! let session = Session {
//!     id: new_session_id(),
//!     started_at: "2024-05-01T12:00:00Z".into(),
//!     finished_at: None,
//!     benchmark: "build".into(),
//!     command: CommandSpec { argv: vec!["make".into()], shell: false },
//!     variants: vec![],
//!     git: None,
//!     host: HostInfo::default(),
//!     perfwatch_version: "0.1.0".into(),
//!     status: SessionStatus::Running,
//!     baseline: None,
//!     shell_correction: None,
//!     imported: None,
//!     owner: None,
//!     adaptive: None,
//!     program_version: None,
//! };
//! store.create_session(&session)?;
//! store.add_iteration(&session.id, &Iteration { wall_s: 1.5, ..Iteration::default() })?;
//! store.finish_session(&session.id, SessionStatus::Complete, "2024-05-01T12:00:02Z")?;
//!
//! let id = store.resolve_session(&session.id[..6])?;
//! let (loaded, iterations) = store.load_session(&id)?;
//! assert_eq!(loaded.status, SessionStatus::Complete);
//! assert_eq!(iterations[0].user_s, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod error;
mod id;
mod lookup;
mod pg;
mod query;
mod record;
mod sqlite;
mod store;

pub use access::{Delivery, DeliveryState, PushEntry, TokenRow, TokenScope};
pub use error::{Result, StoreError};
pub use id::{is_valid_session_id, new_session_id, MAX_ID_LEN, MIN_PREFIX_LEN};
pub use pg::{redact_url, PgStore, PG_SCHEMA_VERSION};
pub use query::{Baseline, GenerationStep, SeriesPoint, SeriesQuery, SessionFilter, SessionRow};
pub use sqlite::{SqliteStore, APPLICATION_ID, SCHEMA_VERSION};
pub use store::Store;
