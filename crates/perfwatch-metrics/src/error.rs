//! Why figures could not be built. Messages read well after "failed to".

use perfwatch_app::AppError;
use perfwatch_store::StoreError;

/// Why [`MetricsHub`](crate::MetricsHub) could not read or analyse the
/// history.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// Listing the stored sessions failed.
    #[error("list the stored sessions for /metrics: {0}")]
    List(#[from] StoreError),
    /// Loading or analysing a session failed.
    #[error("analyse session {session} for /metrics: {source}")]
    Analyze {
        /// The session's id.
        session: String,
        /// What went wrong.
        source: AppError,
    },
}
