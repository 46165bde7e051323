//! Other tools' results as perfwatch sessions: hyperfine's JSON export and
//! criterion.rs's `estimates.json` (with `sample.json` and `benchmark.json`).
//!
//! Each importer returns [`Imported`] values — a [`Session`] and its
//! [`Iteration`]s — ready for the store, so that history, trends and
//! change-point detection can cover results perfwatch did not measure
//! itself. What the source did not record stays absent: hyperfine exports
//! only the means of user and system time, so per-iteration `user_s` and
//! `sys_s` are `None` and the means are kept as reported on the variant
//! ([`VariantSpec::cpu_means`](perfwatch_model::VariantSpec::cpu_means));
//! neither tool records git state (`git` is `None`) or the host beyond what
//! the importing machine knows (`host.os` only). Every session records
//! where it came from ([`Session::imported`]: the tool, the file and the
//! SHA-256 of its bytes), so that a file imported twice is recognised.
//!
//! [`ImportOptions`] names the benchmark and the variants, so that an
//! imported session lines up with perfwatch's own runs of the same command.
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
//! assert_eq!(session.variants[0].cpu_means.unwrap().user_s, 0.0008);
//! assert_eq!(session.imported.as_ref().unwrap().tool, "hyperfine");
//! ```

pub mod criterion;
mod detect;
mod error;
pub mod hyperfine;
mod json;
mod naming;
mod provenance;

pub use criterion::import_criterion;
pub use detect::detect_source;
pub use error::ImportError;
pub use hyperfine::import_hyperfine;
pub use naming::{ImportOptions, VariantNaming};

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
    /// What the importer assumed where the file was silent, each a
    /// sentence to show the user (hyperfine before 1.12 exported no exit
    /// codes: its runs are taken as successful).
    pub notes: Vec<String>,
}

/// Detects the format of `path` ([`detect_source`]) and imports it, naming
/// benchmark and variants as the source does.
///
/// A hyperfine export becomes one session starting at the file's
/// modification time (when hyperfine finished writing it), named after the
/// file stem; criterion results are read by [`import_criterion`].
///
/// # Errors
///
/// Those of [`detect_source`], [`import_hyperfine`] and [`import_criterion`].
pub fn import_path(path: &Path) -> Result<(Source, Vec<Imported>), ImportError> {
    import_path_with(path, &ImportOptions::default())
}

/// [`import_path`], naming the benchmark and the variants as `options` say.
///
/// # Errors
///
/// Those of [`import_path`], and [`ImportError::Naming`] when the names
/// asked for do not fit the file (see [`ImportOptions`]).
pub fn import_path_with(
    path: &Path,
    options: &ImportOptions,
) -> Result<(Source, Vec<Imported>), ImportError> {
    let source = detect_source(path)?;
    let origin = path.display().to_string();
    let mut imported = match source {
        Source::Hyperfine => {
            let text = json::read_text(path)?;
            let started_at = provenance::modified_rfc3339(path);
            hyperfine::import_hyperfine_at(&text, &origin, started_at)?
        }
        Source::Criterion => import_criterion(path)?,
    };
    naming::apply(&mut imported, options, &origin)?;
    Ok((source, imported))
}
