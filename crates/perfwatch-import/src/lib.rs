//! Other tools' results as perfwatch sessions: hyperfine's JSON export and
//! criterion.rs's `estimates.json` (with `sample.json` and `benchmark.json`).
//!
//! Each importer returns [`Imported`] values — a [`Session`] and its
//! [`Iteration`]s — ready for the store, so that history, trends and
//! change-point detection can cover results perfwatch did not measure
//! itself. What the source did not record stays absent: hyperfine exports
//! only the means of user and system time, so per-iteration `user_s` and
//! `sys_s` are `None`; neither tool records git state (`git` is `None`) or
//! the host beyond what the importing machine knows (`host.os` only).
//!
//! ```
//! use perfwatch_import::import_hyperfine;
//!
//! let export = r#"{"results": [
//!   {"command": "sleep 0.1", "mean": 0.1025, "stddev": 0.0007, "median": 0.1025,
//!    "user": 0.0008, "system": 0.0011, "min": 0.1018, "max": 0.1032,
//!    "times": [0.1018, 0.1032], "exit_codes": [0, 0]}
//! ]}"#;
//! let imported = import_hyperfine(export, "nap.json").unwrap();
//! let session = &imported[0].session;
//! assert_eq!(session.benchmark, "nap");
//! assert_eq!(session.variants[0].name, "sleep 0.1");
//! assert_eq!(imported[0].iterations.len(), 2);
//! assert_eq!(imported[0].iterations[1].wall_s, 0.1032);
//! assert_eq!(imported[0].iterations[1].user_s, None);
//! ```

pub mod criterion;
mod detect;
mod error;
pub mod hyperfine;
mod json;
mod provenance;

pub use criterion::import_criterion;
pub use detect::detect_source;
pub use error::ImportError;
pub use hyperfine::import_hyperfine;

use perfwatch_model::{Iteration, Session};
use std::fmt;
use std::path::Path;

/// The tool whose results a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// hyperfine's `--export-json` file.
    Hyperfine,
    /// criterion.rs's `estimates.json`, or a directory of criterion results.
    Criterion,
}

impl Source {
    /// The tool's name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Source::Hyperfine => "hyperfine",
            Source::Criterion => "criterion",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One imported session and its iterations, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The session: a fresh id, status complete, no git, host OS only.
    pub session: Session,
    /// Its iterations in execution order, indices from 0, none a warm-up.
    pub iterations: Vec<Iteration>,
}

/// Detects the format of `path` ([`detect_source`]) and imports it.
///
/// A hyperfine export becomes one session starting at the file's
/// modification time (when hyperfine finished writing it), named after the
/// file stem; criterion results are read by [`import_criterion`].
///
/// # Errors
///
/// Those of [`detect_source`], [`import_hyperfine`] and [`import_criterion`].
pub fn import_path(path: &Path) -> Result<(Source, Vec<Imported>), ImportError> {
    let source = detect_source(path)?;
    let imported = match source {
        Source::Hyperfine => {
            let text = json::read_text(path)?;
            let started_at = provenance::modified_rfc3339(path);
            hyperfine::import_hyperfine_at(&text, &path.display().to_string(), started_at)?
        }
        Source::Criterion => import_criterion(path)?,
    };
    Ok((source, imported))
}
