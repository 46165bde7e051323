//! perfwatch's application layer: the one path from stored (or just
//! measured) data to an answer, under every front end.
//!
//! The CLI and (later) the server are thin shells over these functions:
//! they parse their input, call [`analyze()`] (directly, or through
//! [`load::analyze_stored`]) and render the [`Analysis`] they get back.
//! Because no front end computes anything itself, one session gives one
//! answer — the same comparisons, verdicts, findings, health and gate — in
//! the terminal, in JSON, Markdown, HTML and over HTTP.
//!
//! ```
//! use perfwatch_app::{analyze, Options};
//! use perfwatch_model::{CommandSpec, HostInfo, Iteration, Session, SessionStatus, VariantSpec};
//!
//! let session = Session {
//!     id: "0123456789abcdef".into(),
//!     started_at: "2026-01-01T00:00:00.000Z".into(),
//!     finished_at: None,
//!     benchmark: "sleep".into(),
//!     command: CommandSpec { argv: vec!["sleep".into(), "0.1".into()], shell: false },
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
//! let iterations: Vec<Iteration> = (0..10)
//!     .map(|i| Iteration {
//!         index: i,
//!         variant: "default".into(),
//!         exit_code: Some(0),
//!         wall_s: 0.1 + f64::from(i) * 1e-4,
//!         ..Iteration::default()
//!     })
//!     .collect();
//! let analysis = analyze(session, iterations, None, &Options::default());
//! assert_eq!(analysis.variants[0].summary["wall_s"].n, 10);
//! assert!(analysis.health.is_some());
//! ```
//!
//! What lives here: [`analyze()`] and its [`Options`]; loading sessions,
//! pooled baselines and exported files ([`load`]); comparisons between
//! sessions ([`compare`]); history series and change points ([`history`]);
//! the gate's history rule ([`gate_history`]); listings of benchmarks and
//! sessions ([`listing`]); storing sessions measured elsewhere
//! ([`ingest`]); recording a session while it runs ([`recorder`],
//! [`provenance`], [`sources`]); copying a whole history between stores
//! ([`copy`]); pushing sessions to a team server ([`push`]). What does
//! not: argument parsing, exit codes and output
//! files (the CLI), statistics (`perfwatch-stats`, `perfwatch-analysis`),
//! rendering (`perfwatch-report`, `perfwatch-html`).

pub mod adaptive;
pub mod analyze;
pub mod attribute;
pub mod bisect;
pub mod compare;
pub mod copy;
pub mod error;
pub mod gate_history;
pub mod history;
pub mod ingest;
pub mod listing;
pub mod live;
pub mod load;
pub mod monitor;
pub mod options;
pub mod provenance;
pub mod push;
pub mod recorder;
pub mod sources;

pub use analyze::{analyze, analyze_against, candidate_label, Analysis, ReferenceData};
pub use error::AppError;
pub use options::Options;
pub use perfwatch_model::clock;
