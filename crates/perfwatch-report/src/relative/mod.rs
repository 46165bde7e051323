//! How each variant of a session did against the first: the relative
//! summary that ends the terminal view (hyperfine's "… ran 1.98 ± 0.02
//! times faster than …", with perfwatch's verdict) and the table of a
//! parameter scan. Both are read from the analysis's comparisons — the
//! variants after the first against the first, for one metric — and only
//! laid out here; every renderer (terminal, Markdown, later HTML) renders
//! these values, so that they all say the same.
//!
//! ```
//! use perfwatch_report::relative::RelativeSummary;
//! # let export: perfwatch_model::SessionExport = serde_json::from_str(r#"{
//! #   "schema": "perfwatch.session.v1",
//! #   "session": {"id": "0", "started_at": "", "benchmark": "b",
//! #     "command": {"argv": ["true"]}, "git": null, "host": {"os": "linux"},
//! #     "perfwatch_version": "0", "status": "complete"},
//! #   "variants": [] }"#)?;
//! // One variant or none: nothing to say.
//! assert!(RelativeSummary::of(&export).is_none());
//! # Ok::<(), serde_json::Error>(())
//! ```

mod scan;
mod summary;

pub use scan::{ScanRow, ScanTable};
pub use summary::{Direction, Relation, RelativeLine, RelativeSummary};

use perfwatch_model::{Comparison, Metric, Reference, SessionExport};

/// The metric the relative summary and the scan table speak of: wall time
/// when it is a primary metric, else the first primary whole-process
/// metric compared, else wall time all the same (its verdicts are then
/// information). A service's is its p99 latency under load — what its
/// users wait, where start-up, saturation and stalls all show — or its
/// start-up when it ran without load. `None` when the variants were not
/// compared with the first at all.
pub fn relative_metric(export: &SessionExport) -> Option<&str> {
    let mut whole = against_first(export).filter(|c| c.stage.is_none());
    let service = [Metric::LatencyP99S.key(), Metric::StartupS.key()]
        .into_iter()
        .find_map(|key| whole.clone().find(|c| c.metric == key && c.primary));
    if let Some(c) = service {
        return Some(c.metric.as_str());
    }
    let wall = Metric::WallS.key();
    let primary: Vec<&Comparison> = whole.clone().filter(|c| c.primary).collect();
    primary
        .iter()
        .find(|c| c.metric == wall)
        .or_else(|| primary.first())
        .map(|c| c.metric.as_str())
        .or_else(|| whole.find(|c| c.metric == wall).map(|c| c.metric.as_str()))
}

/// The comparisons of the variants after the first with the first (not
/// those with a saved baseline or another session).
fn against_first(export: &SessionExport) -> impl Iterator<Item = &Comparison> + Clone {
    let first = export.variants.first().map(|v| v.name.as_str());
    export
        .comparisons
        .iter()
        .filter(move |c| c.reference == Reference::Variant && Some(c.baseline.as_str()) == first)
}

/// The comparison of `variant` with the first for `metric` (whole run).
fn comparison_of<'a>(
    export: &'a SessionExport,
    variant: &str,
    metric: &str,
) -> Option<&'a Comparison> {
    against_first(export)
        .find(|c| c.candidate == variant && c.metric == metric && c.stage.is_none())
}
