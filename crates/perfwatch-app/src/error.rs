//! The application layer's errors. Each says whether it is the user's to
//! fix (bad input: a name that does not exist, a file that is not an
//! export) or perfwatch's (a store that failed); front ends map that to an
//! exit code or an HTTP status.

use perfwatch_store::StoreError;
use std::path::PathBuf;
use thiserror::Error;

/// What can go wrong between the store and an analysis.
#[derive(Debug, Error)]
pub enum AppError {
    /// The store failed, or refused what it was asked.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is no history to read yet.
    #[error("no perfwatch history at {} yet: run `perfwatch run -- COMMAND` first (or pass --db)", db.display())]
    NoHistory {
        /// Where the store was looked for.
        db: PathBuf,
    },
    /// A file given as input could not be read.
    #[error("failed to read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file given as a perfwatch export is not one.
    #[error("{}: {message}", path.display())]
    BadExport {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Another tool's results file given as input could not be read as one.
    #[error(transparent)]
    Import(#[from] perfwatch_import::ImportError),
    /// A name given as a session, baseline or file is none of them.
    #[error("`{spec}` is {what}")]
    Unknown {
        /// What was given.
        spec: String,
        /// Why it could not be used, as a phrase after "is".
        what: String,
    },
    /// Two sides share no variant, or no metric.
    #[error("{0}")]
    NothingToCompare(String),
    /// A series or metric request that makes no sense.
    #[error("{0}")]
    BadRequest(String),
    /// A `perfwatch.session.v1` document given to be stored is not one.
    #[error(transparent)]
    BadDocument(#[from] crate::load::DocumentError),
    /// A session given to be stored has the id of a stored session whose
    /// contents differ.
    #[error("{0}")]
    Conflict(String),
    /// The recorder could not write the session.
    #[error("{0}")]
    Record(String),
    /// A thread could not be started.
    #[error("failed to start the {what} thread: {source}")]
    Thread {
        /// Which thread.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// A copied session does not add up in the target store.
    #[error("{0}")]
    CopyMismatch(String),
    /// A span source could not be started.
    #[error("failed to start a span source: {0}")]
    Source(String),
}

impl AppError {
    /// A request that makes no sense ([`AppError::BadRequest`]).
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    /// Whether the error is the user's to fix: bad input, nothing was
    /// written. Front ends map it to their "usage" answer (exit 2, HTTP 4xx).
    pub fn is_usage(&self) -> bool {
        match self {
            AppError::Store(e) => store_usage(e),
            AppError::NoHistory { .. }
            | AppError::Read { .. }
            | AppError::BadExport { .. }
            | AppError::Import(_)
            | AppError::Unknown { .. }
            | AppError::NothingToCompare(_)
            | AppError::BadRequest(_)
            | AppError::BadDocument(_)
            | AppError::Conflict(_) => true,
            AppError::Record(_)
            | AppError::Thread { .. }
            | AppError::Source(_)
            | AppError::CopyMismatch(_) => false,
        }
    }
}

/// Whether a store error is about what was asked (a name that does not
/// exist, an unusable database file) rather than a failure of the store.
pub fn store_usage(e: &StoreError) -> bool {
    !matches!(
        e,
        StoreError::Sqlite { .. }
            | StoreError::CreateFailed { .. }
            | StoreError::Corrupt { .. }
            | StoreError::SessionExists { .. }
            | StoreError::IterationExists { .. }
    )
}
