//! Loading what is stored — sessions, baselines, exported JSON files — as
//! summarised [`SessionExport`]s.

use crate::analysis::summarize;
use crate::exit::usage;
use perfwatch_analysis::CompareOptions;
use perfwatch_model::{SessionExport, SCHEMA_V1};
use perfwatch_store::{Store, StoreError};
use std::path::Path;

/// Map the store's "not found"-style errors to usage errors.
pub fn store_usage(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::SessionNotFound { .. }
        | StoreError::PrefixTooShort { .. }
        | StoreError::AmbiguousSession { .. }
        | StoreError::InvalidSessionId { .. }
        | StoreError::BaselineNotFound { .. }
        | StoreError::BaselineExists { .. }
        | StoreError::InvalidBaselineName { .. }
        | StoreError::EmptyBaseline { .. }
        | StoreError::SessionInBaseline { .. } => usage(e.to_string()),
        other => other.into(),
    }
}

/// A stored session by id, prefix or `latest`, summarised.
pub fn load_session(
    store: &dyn Store,
    spec: &str,
    t: &CompareOptions,
) -> anyhow::Result<SessionExport> {
    let id = store.resolve_session(spec).map_err(store_usage)?;
    let (session, iterations) = store.load_session(&id).map_err(store_usage)?;
    Ok(summarize(session, iterations, t))
}

/// A stored session with its comparisons: against baseline `baseline`
/// when one is named, otherwise every variant against the first.
pub fn load_compared(
    store: &dyn Store,
    spec: &str,
    baseline: Option<&str>,
    t: &CompareOptions,
) -> anyhow::Result<SessionExport> {
    let mut export = load_session(store, spec, t)?;
    let opts = crate::analysis::compare_options(t);
    export.comparisons = match baseline {
        Some(name) => {
            let base = load_baseline(store, name, t)?;
            crate::analysis::compare_sessions(
                &base,
                &format!("baseline {name}"),
                &export,
                "session",
                &opts,
            )
            .map_err(usage)?
        }
        None => crate::analysis::compare_against_first(&export, &opts),
    };
    Ok(export)
}

/// A saved baseline: its sessions' iterations pooled per variant.
pub fn load_baseline(
    store: &dyn Store,
    name: &str,
    t: &CompareOptions,
) -> anyhow::Result<SessionExport> {
    let baseline = store.get_baseline(name).map_err(store_usage)?;
    let mut loaded = Vec::new();
    for id in &baseline.session_ids {
        loaded.push(store.load_session(id).map_err(store_usage)?);
    }
    let Some((mut session, mut iterations)) = loaded.first().cloned() else {
        return Err(usage(format!("baseline `{name}` has no sessions")));
    };
    for (s, its) in loaded.into_iter().skip(1) {
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
    Ok(summarize(session, iterations, t))
}

/// An exported `perfwatch.session.v1` JSON file, re-summarised with the
/// current thresholds.
pub fn load_json(path: &Path, t: &CompareOptions) -> anyhow::Result<SessionExport> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("failed to read {}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("{}: not valid JSON: {e}", path.display())))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA_V1) => {}
        Some(other) => {
            return Err(usage(format!(
                "{}: schema `{other}` is not supported (this perfwatch reads {SCHEMA_V1})",
                path.display()
            )))
        }
        None => {
            return Err(usage(format!(
                "{}: not a perfwatch export (no \"schema\" field; expected {SCHEMA_V1})",
                path.display()
            )))
        }
    }
    let export: SessionExport = serde_json::from_value(value).map_err(|e| {
        usage(format!(
            "{}: invalid {SCHEMA_V1} document: {e}",
            path.display()
        ))
    })?;
    let iterations = export
        .variants
        .into_iter()
        .flat_map(|v| v.iterations)
        .collect();
    Ok(summarize(export.session, iterations, t))
}

/// What `compare` accepts: a JSON file, a baseline name, or a session.
pub fn load_any(
    store: Option<&dyn Store>,
    spec: &str,
    t: &CompareOptions,
) -> anyhow::Result<(SessionExport, String)> {
    let path = Path::new(spec);
    if spec.ends_with(".json") || path.is_file() {
        return Ok((load_json(path, t)?, spec.to_string()));
    }
    let Some(store) = store else {
        return Err(usage(format!(
            "`{spec}` is not a JSON file, and there is no perfwatch history to look it up in"
        )));
    };
    if let Ok(b) = store.get_baseline(spec) {
        return Ok((
            load_baseline(store, &b.name, t)?,
            format!("baseline {spec}"),
        ));
    }
    let export = load_session(store, spec, t).map_err(|e| {
        usage(format!(
            "`{spec}` is neither a JSON file, a baseline nor a session: {e}"
        ))
    })?;
    let label = export.session.id.chars().take(8).collect();
    Ok((export, label))
}
