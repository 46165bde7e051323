//! Prometheus exposition of perfwatch's history: the figures
//! `perfwatch serve` publishes at `/metrics`, in the OpenMetrics text
//! format (written by the `prometheus-client` crate).
//!
//! A [`MetricsHub`] holds them ready between scrapes. The server builds it
//! at start-up ([`MetricsHub::refresh_from_store`]), tells it of each new
//! session ([`MetricsHub::session_ingested`]) and of each API request
//! ([`MetricsHub::record_request`]), and answers `GET /metrics` with
//! [`MetricsHub::render_for`] its `Accept` header: OpenMetrics for
//! Prometheus, the Prometheus text format 0.0.4 for `curl` and `promtool`
//! (see [`Format`]). Every figure comes from the application layer's
//! analysis ([`perfwatch_app::load::analyze_stored`]) — the same medians,
//! intervals, severities and health score as `perfwatch report`; this
//! crate computes no statistics and no scrape analyses anything.
//!
//! # Families
//!
//! Per benchmark, of its latest session (the newest one not still running
//! with at least one counted iteration):
//!
//! | family | labels | what |
//! |---|---|---|
//! | `perfwatch_latest_median_seconds`, `…_median_ci_low_seconds`, `…_median_ci_high_seconds` | benchmark, variant, metric | whole-run times (`wall_s`, `user_s`, `sys_s`): median and the bounds of its confidence interval |
//! | `perfwatch_latest_median_bytes` (and `_ci_low_`, `_ci_high_`) | benchmark, variant, metric | memory and I/O (`max_rss_bytes`, `read_bytes`, …) |
//! | `perfwatch_latest_median` (and `_ci_low`, `_ci_high`) | benchmark, variant, metric | counts (`voluntary_cs`, …) |
//! | `perfwatch_latest_stage_median_seconds` (and `_ci_low_`, `_ci_high_`) | benchmark, variant, stage | time per iteration in each stage (its path, `load/parse`) |
//! | `perfwatch_regressions` | benchmark, severity | significant regressions of primary metrics against the baseline, by severity (`low` … `critical`; 0 when none) |
//! | `perfwatch_health_score` | benchmark | the health score, 0–100 |
//! | `perfwatch_latest_session_start_time_seconds` | benchmark | when the session started, Unix time |
//! | `perfwatch_alert_active` | pipeline, stage, severity | 1 for each open regression alert of a monitored pipeline (none when all are resolved) |
//! | `perfwatch_latest_app_metric` | benchmark, variant, metric | an application metric the program reported of itself (a counter's total or a gauge's reading per run): median over the runs of the latest session that reported it |
//!
//! Stages have their own families rather than a `stage=""` for the whole
//! run, so that summing a family's series never adds a whole run to its
//! parts.
//!
//! The server's own: `perfwatch_sessions_ingested_total`,
//! `perfwatch_iterations_ingested_total`, `perfwatch_api_requests_total`
//! {route, method, status}, the histogram
//! `perfwatch_api_request_duration_seconds` {route}; and the cap's:
//! `perfwatch_series`, `perfwatch_series_limit`,
//! `perfwatch_series_dropped_total`.
//!
//! # Bounded cardinality
//!
//! The per-benchmark families publish at most [`MetricsHub::new`]'s
//! `max_series` entries ([`DEFAULT_MAX_SERIES`]); each entry refused is
//! counted in `perfwatch_series_dropped_total`. Label values are at most
//! [`MAX_LABEL_VALUE_BYTES`] long, routes at most [`MAX_ROUTES`] and
//! methods the standard ones (others are `other`).
//!
//! ```
//! use perfwatch_app::Options;
//! use perfwatch_metrics::MetricsHub;
//! use perfwatch_model::{CommandSpec, HostInfo, Iteration, Session, SessionStatus, VariantSpec};
//! use perfwatch_store::{SqliteStore, Store};
//!
//! let store = SqliteStore::open_in_memory().unwrap();
//! let session = Session {
//!     id: "0123456789abcdef".into(),
//!     started_at: "2026-01-01T00:00:00.000Z".into(),
//!     finished_at: None,
//!     benchmark: "build".into(),
//!     command: CommandSpec { argv: vec!["make".into()], shell: false },
//!     variants: vec![VariantSpec { name: "default".into(), ..Default::default() }],
//!     git: None,
//!     host: HostInfo::default(),
//!     perfwatch_version: "0".into(),
//!     status: SessionStatus::Complete,
//!     baseline: None,
//!     shell_correction: None,
//!     imported: None,
//!     owner: None,
//!     adaptive: None,
//!     program_version: None,
//! };
//! let iterations: Vec<Iteration> = (0..5)
//!     .map(|i| Iteration { index: i, variant: "default".into(), exit_code: Some(0),
//!                          wall_s: 2.0, ..Iteration::default() })
//!     .collect();
//! store.insert_whole_session(&session, &iterations).unwrap();
//!
//! let hub = MetricsHub::new(perfwatch_metrics::DEFAULT_MAX_SERIES);
//! hub.refresh_from_store(&store, &Options::default()).unwrap();
//! let text = hub.render();
//! assert!(text.contains(
//!     r#"perfwatch_latest_median_seconds{benchmark="build",variant="default",metric="wall_s"} 2.0"#
//! ));
//! assert!(text.ends_with("# EOF\n"));
//! ```

mod alerts;
mod error;
mod figures;
mod format;
mod hub;
mod labels;
mod published;
mod requests;

pub use alerts::{ActiveAlert, MAX_ALERT_SERIES};
pub use error::MetricsError;
pub use format::{Format, CONTENT_TYPE, TEXT_CONTENT_TYPE};
pub use hub::{MetricsHub, Refreshed, DEFAULT_MAX_SERIES};
pub use labels::MAX_LABEL_VALUE_BYTES;
pub use requests::MAX_ROUTES;
