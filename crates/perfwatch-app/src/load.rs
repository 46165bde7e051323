//! Loading what is stored — sessions, saved baselines, exported JSON
//! files, hyperfine exports — and analysing it with
//! [`analyze`](crate::analyze()).

use crate::analyze::{analyze, Analysis, ReferenceData};
use crate::options::Options;
use crate::AppError;
use perfwatch_analysis::summarize_session;
use perfwatch_model::{short_id, Iteration, Session, SessionExport, SCHEMA_V1};
use perfwatch_store::Store;
use std::path::Path;

/// A session's provenance and iterations, as stored: the input of
/// [`analyze`].
pub type Raw = (Session, Vec<Iteration>);

/// A stored session by id, prefix or `latest`.
pub fn load_session(store: &dyn Store, spec: &str) -> Result<Raw, AppError> {
    let id = store.resolve_session(spec)?;
    Ok(store.load_session(&id)?)
}

/// A saved baseline: its sessions' iterations pooled per variant, under
/// the first session's provenance.
pub fn load_baseline_raw(store: &dyn Store, name: &str) -> Result<Raw, AppError> {
    let baseline = store.get_baseline(name)?;
    let mut loaded = Vec::new();
    for id in &baseline.session_ids {
        loaded.push(store.load_session(id)?);
    }
    let mut loaded = loaded.into_iter();
    let Some((mut session, mut iterations)) = loaded.next() else {
        return Err(AppError::Unknown {
            spec: name.to_string(),
            what: "a baseline with no sessions".into(),
        });
    };
    for (s, its) in loaded {
        for v in s.variants {
            if !session.variants.iter().any(|x| x.name == v.name) {
                session.variants.push(v);
            }
        }
        iterations.extend(its);
    }
    // Pooled iterations keep their own indices; order them by variant and
    // index so summaries see a stable sequence.
    iterations.sort_by(|a, b| a.variant.cmp(&b.variant).then(a.index.cmp(&b.index)));
    Ok((session, iterations))
}

/// A saved baseline as a reference, labelled `baseline NAME`.
pub fn load_baseline(
    store: &dyn Store,
    name: &str,
    opts: &Options,
) -> Result<ReferenceData, AppError> {
    let (session, iterations) = load_baseline_raw(store, name)?;
    Ok(ReferenceData {
        label: format!("baseline {name}"),
        export: summarize_session(session, iterations, &opts.ci()),
    })
}

/// An exported `perfwatch.session.v1` JSON file: its provenance and
/// iterations (the statistics are computed again, with the current
/// options).
pub fn load_json(path: &Path) -> Result<Raw, AppError> {
    let text = std::fs::read_to_string(path).map_err(|source| AppError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_json(&text, path)
}

/// [`load_json`] of text already read; `path` names the file in errors.
pub fn parse_json(text: &str, path: &Path) -> Result<Raw, AppError> {
    parse_document(text).map_err(|e| AppError::BadExport {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// What is wrong with a `perfwatch.session.v1` document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// The path of the offending field (`session.id`,
    /// `variants[0].iterations[3].wall_s`); `None` when the document as a
    /// whole is at fault (not JSON at all).
    pub field: Option<String>,
    /// What is wrong, as a phrase.
    pub message: String,
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} (at `{field}`)", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DocumentError {}

/// A `perfwatch.session.v1` document's provenance and iterations (the
/// statistics in it are not read: they are computed again, with the
/// current options). Every iteration is checked as an import's is; an
/// iteration without a variant belongs to the variant it is listed under.
pub fn parse_document(text: &str) -> Result<Raw, DocumentError> {
    let (session, iterations) = parse_placed(text)?;
    Ok((session, iterations.into_iter().map(|(_, it)| it).collect()))
}

/// [`parse_document`], each iteration with its path in the document
/// (`variants[0].iterations[3]`).
pub(crate) fn parse_placed(
    text: &str,
) -> Result<(Session, Vec<(String, Iteration)>), DocumentError> {
    let bad = |field: Option<String>, message: String| DocumentError { field, message };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(None, format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(bad(
            None,
            format!("not a {SCHEMA_V1} document: expected a JSON object"),
        ));
    }
    let schema = Some("schema".to_string());
    match value.get("schema").map(|s| s.as_str()) {
        Some(Some(SCHEMA_V1)) => {}
        Some(Some(other)) => {
            return Err(bad(
                schema,
                format!("schema `{other}` is not supported (this perfwatch reads {SCHEMA_V1})"),
            ))
        }
        Some(None) => return Err(bad(schema, format!("expected the string \"{SCHEMA_V1}\""))),
        None => {
            return Err(bad(
                None,
                format!(
                    "neither a perfwatch export (no \"schema\" field; expected {SCHEMA_V1}) nor a hyperfine export"
                ),
            ))
        }
    }
    let export: SessionExport = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = (path != ".").then_some(path);
        bad(
            field,
            format!("invalid {SCHEMA_V1} document: {}", e.inner()),
        )
    })?;
    let mut iterations = Vec::new();
    for (vi, variant) in export.variants.into_iter().enumerate() {
        for (ii, mut it) in variant.iterations.into_iter().enumerate() {
            let at = format!("variants[{vi}].iterations[{ii}]");
            if it.variant.is_empty() {
                it.variant = variant.name.clone();
            } else if it.variant != variant.name {
                return Err(bad(
                    Some(format!("{at}.variant")),
                    format!(
                        "iteration {} names variant `{}` but is listed under `{}`",
                        it.index, it.variant, variant.name
                    ),
                ));
            }
            // Figures from a file are checked as an import's are.
            if let Some((name, message)) = it.out_of_range() {
                return Err(bad(
                    Some(format!("{at}.{name}")),
                    format!("iteration {} of `{}`: {message}", it.index, it.variant),
                ));
            }
            iterations.push((at, it));
        }
    }
    Ok((export.session, iterations))
}

/// A hyperfine `--export-json` file, imported in memory (nothing is
/// stored) as [`perfwatch_import`] maps it: one session whose variants are
/// the commands.
///
/// The session's id is the first 32 hex digits of the file's SHA-256, so
/// that the same file goes by the same id in every comparison.
pub fn load_hyperfine(path: &Path) -> Result<Raw, AppError> {
    let (_, imported) = perfwatch_import::import_path(path)?;
    let Some(one) = imported.into_iter().next() else {
        return Err(AppError::BadExport {
            path: path.to_path_buf(),
            message: "holds no results".into(),
        });
    };
    let mut session = one.session;
    if let Some(origin) = &session.imported {
        session.id = origin.sha256.chars().take(32).collect();
    }
    Ok((session, one.iterations))
}

/// Whether `path` is a hyperfine export, judged by content.
fn is_hyperfine(path: &Path) -> bool {
    matches!(
        perfwatch_import::detect_source(path),
        Ok(perfwatch_import::Source::Hyperfine)
    )
}

/// What `compare` accepts on either side — a `perfwatch.session.v1` or
/// hyperfine JSON file, a saved baseline or a session — with the label it
/// goes by.
pub fn load_any(store: Option<&dyn Store>, spec: &str) -> Result<(Raw, String), AppError> {
    let path = Path::new(spec);
    if spec.ends_with(".json") || path.is_file() {
        let raw = if path.is_file() && is_hyperfine(path) {
            load_hyperfine(path)?
        } else {
            load_json(path)?
        };
        return Ok((raw, spec.to_string()));
    }
    let Some(store) = store else {
        return Err(AppError::Unknown {
            spec: spec.to_string(),
            what: "not a JSON file, and there is no perfwatch history to look it up in".into(),
        });
    };
    load_stored_as(store, spec, "neither a JSON file, a baseline nor a session")
}

/// What `compare` accepts from the history alone — a saved baseline or a
/// session (id, prefix, `latest`) — with the label it goes by. Never reads
/// a file: this is what a server accepts from its clients.
pub fn load_stored(store: &dyn Store, spec: &str) -> Result<(Raw, String), AppError> {
    load_stored_as(store, spec, "neither a baseline nor a session")
}

/// [`load_stored`], saying `neither` when `spec` is neither.
fn load_stored_as(store: &dyn Store, spec: &str, neither: &str) -> Result<(Raw, String), AppError> {
    if store.get_baseline(spec).is_ok() {
        return Ok((load_baseline_raw(store, spec)?, format!("baseline {spec}")));
    }
    let raw = load_session(store, spec).map_err(|e| match e {
        // A failing store is not the spec's fault.
        AppError::Store(e) if !crate::error::store_usage(&e) => AppError::Store(e),
        e => AppError::Unknown {
            spec: spec.to_string(),
            what: format!("{neither}: {e}"),
        },
    })?;
    let label = short_id(&raw.0.id).to_string();
    Ok((raw, label))
}

/// [`load_stored`] summarised as a reference.
pub fn load_stored_reference(
    store: &dyn Store,
    spec: &str,
    opts: &Options,
) -> Result<ReferenceData, AppError> {
    let ((session, iterations), label) = load_stored(store, spec)?;
    Ok(ReferenceData {
        label,
        export: summarize_session(session, iterations, &opts.ci()),
    })
}

/// [`load_any`] summarised as a reference.
pub fn load_reference(
    store: Option<&dyn Store>,
    spec: &str,
    opts: &Options,
) -> Result<ReferenceData, AppError> {
    let ((session, iterations), label) = load_any(store, spec)?;
    Ok(ReferenceData {
        label,
        export: summarize_session(session, iterations, &opts.ci()),
    })
}

/// The analysis of a stored session (by id, prefix or `latest`), compared
/// with `baseline` when one is named, otherwise with the baseline the
/// session was compared with when it ran, if any. A named baseline that
/// does not exist is an error; a recorded one that was deleted since is a
/// note in the analysis.
pub fn analyze_stored(
    store: &dyn Store,
    spec: &str,
    baseline: Option<&str>,
    opts: &Options,
) -> Result<Analysis, AppError> {
    let (session, iterations) = load_session(store, spec)?;
    let (reference, note) = match (baseline, session.baseline.as_deref()) {
        (Some(name), _) => (Some(load_baseline(store, name, opts)?), None),
        (None, Some(name)) => match load_baseline(store, name, opts) {
            Ok(r) => (Some(r), None),
            Err(e) => (
                None,
                Some(format!(
                    "the session was compared with baseline `{name}` when it ran; it cannot be now: {e}"
                )),
            ),
        },
        (None, None) => (None, None),
    };
    let mut analysis = analyze(session, iterations, reference.as_ref(), opts);
    analysis.notes.extend(note);
    Ok(analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HYPERFINE: &str = r#"{"results": [{"command": "sleep 0.02", "mean": 0.021,
        "stddev": 0.001, "median": 0.021, "user": 0.0005, "system": 0.0007,
        "min": 0.020, "max": 0.022, "times": [0.020, 0.021, 0.022], "exit_codes": [0, 0, 0]}]}"#;

    #[test]
    fn a_hyperfine_export_loads_in_memory_with_an_id_from_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hf.json");
        std::fs::write(&path, HYPERFINE).unwrap();
        let spec = path.display().to_string();
        let ((session, iterations), label) = load_any(None, &spec).unwrap();
        assert_eq!(label, spec);
        assert_eq!(session.variants[0].name, "sleep 0.02");
        assert_eq!(iterations.len(), 3);
        let sha = &session.imported.as_ref().unwrap().sha256;
        assert_eq!(session.id, sha[..32]);
        let ((again, _), _) = load_any(None, &spec).unwrap();
        assert_eq!(again.id, session.id);
    }

    #[test]
    fn json_that_is_neither_export_is_refused_with_both_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.json");
        std::fs::write(&path, r#"{"name": "x"}"#).unwrap();
        let err = load_any(None, &path.display().to_string()).unwrap_err();
        assert!(err.is_usage());
        let text = err.to_string();
        assert!(
            text.contains("perfwatch export") && text.contains("hyperfine"),
            "{text}"
        );
    }

    use perfwatch_testkit::arbitrary_or_mangled;

    proptest! {
        /// `compare A.json B.json` on any files: parsing, summarising the
        /// base and analysing the candidate against it never panic.
        #[test]
        fn compared_export_parser_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(include_bytes!("../../../fuzz/seeds/compared_export/two-variants.json")),
        ) {
            let text = String::from_utf8_lossy(&bytes);
            let opts = Options::default();
            if let Ok((session, iterations)) = parse_json(&text, Path::new("a.json")) {
                let reference = ReferenceData {
                    label: "a.json".into(),
                    export: summarize_session(session.clone(), iterations.clone(), &opts.ci()),
                };
                let _ = crate::analyze_against(session, iterations, &reference, &opts);
            }
        }
    }
}
