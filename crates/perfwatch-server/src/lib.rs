//! `perfwatch serve`: the team server's HTTP API over a perfwatch history.
//!
//! The server is a thin shell over the application layer
//! (`perfwatch-app`), like the CLI: each route parses its request, calls
//! the function the matching CLI command calls, and renders the answer with
//! the same renderer — so a session's analysis, a comparison, a history
//! series or its change points are the same, byte for byte, from `curl`
//! and from `perfwatch … --format json`.
//!
//! The REST API lives under `/api/v1` ([`routes`]); its OpenAPI document,
//! generated from the routes' annotations, at `/api/v1/openapi.json`.
//! Every store call runs on tokio's blocking pool; the store is any
//! [`Store`](perfwatch_store::Store) (SQLite, PostgreSQL).
//!
//! Security ([`auth`], [`serve`]): loopback by default, and a non-loopback
//! address only once a token exists; writes always need a write token,
//! reads a token only when asked; bodies are size-limited ([`limits`]) and
//! documents are validated whole before anything is written; error answers
//! ([`errors`]) never quote a secret.
//!
//! Beside the API: Prometheus figures at `/metrics`
//! ([`ServerBuilder::with_metrics`], [`observe`]), kept current by
//! [`watch::follow`], and the live dashboard at `/` ([`live`]), updated in
//! place as sessions arrive.
//!
//! Reads of a session's analysis or a comparison are remembered
//! ([`memo`]) and served again while what they were computed from is
//! unchanged in the store.
//!
//! Extending: [`ServerBuilder::api_routes`] adds documented routes under
//! `/api/v1`, [`ServerBuilder::routes`] plain ones (`/metrics`, a live
//! dashboard); [`AppState::subscribe`] hears every session stored or
//! deleted through the API ([`SessionEvent`]).
//!
//! ```
//! use perfwatch_server::{AccessPolicy, AppState, ServerBuilder};
//! use tower::ServiceExt;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let store = perfwatch_store::SqliteStore::open(&dir.path().join("perfwatch.db")).unwrap();
//! let state = AppState::new(
//!     std::sync::Arc::new(store),
//!     perfwatch_app::Options::default(),
//!     AccessPolicy::default(),
//!     perfwatch_server::limits::DEFAULT_MAX_BODY,
//! );
//! let router = ServerBuilder::new(state).build();
//! let request = axum::http::Request::get("/api/v1/benchmarks")
//!     .body(axum::body::Body::empty())
//!     .unwrap();
//! let response = router.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//! # });
//! ```

#![warn(missing_docs)]

pub mod alert_board;
pub mod auth;
pub mod errors;
pub mod events;
pub mod extract;
pub mod limits;
pub mod live;
pub mod live_runs;
pub mod memo;
pub mod monitor;
pub mod observe;
pub mod openapi;
pub mod own_writes;
pub mod respond;
pub mod router;
pub mod routes;
pub mod serve;
pub mod state;
pub mod tokens;
pub mod watch;

pub use auth::AccessPolicy;
pub use errors::{ApiError, ErrorBody};
pub use events::{LiveEvent, SessionEvent};
pub use router::{ServerBuilder, API_PREFIX};
pub use serve::{check_exposure, shutdown_signal, Listening, ServeError, DEFAULT_LISTEN};
pub use state::AppState;
