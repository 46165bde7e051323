//! The service lines of a variant's block: start-up, the latency
//! percentiles of the merged histogram, the closed model's caveat, the
//! load, the errors and the shutdown (see [`crate::service`]). They come
//! first in a service variant's block: its wall time only says how long
//! the load was told to run.

use super::options::Palette;
use super::session::{alarm, label, label_indent};
use super::wrap::{pack, wrap};
use crate::format::min_max;
use crate::service::{
    error_parts, has_caveat, late_dropped_parts, stop_killed_text, CLOSED_MODEL_CAVEAT,
};
use crate::units::{format_count, format_duration, format_opt, format_value, NA};
use perfwatch_model::metric::Unit;
use perfwatch_model::service::ServiceSummary;
use perfwatch_model::{Metric, VariantExport};

/// The service lines of `variant`, each at most `width` columns.
pub(super) fn service_lines(
    variant: &VariantExport,
    s: &ServiceSummary,
    palette: &Palette,
    width: usize,
) -> Vec<String> {
    let rest = label_indent();
    let mut lines = Vec::new();
    let packed = |lines: &mut Vec<String>, name: &str, parts: &[String]| {
        lines.extend(pack(parts, &label(palette, name), &rest, width));
    };
    packed(
        &mut lines,
        "start-up",
        &median_parts(variant, Metric::StartupS),
    );
    if let Some(model) = s.model {
        let latency = match s.latency_s {
            Some(l) => [
                ("p50", l.p50),
                ("p90", l.p90),
                ("p99", l.p99),
                ("p99.9", l.p999),
                ("max", l.max),
            ]
            .map(|(name, v)| format!("{name} {}", format_duration(v)))
            .into_iter()
            // Of every answer of the runs together; the comparisons judge
            // each run's own p50 and p99 (a run is a sample).
            .chain([format!(
                "of all {} answers",
                format_count(s.completed as f64)
            )])
            .collect(),
            None => vec![format!("{NA} (no request completed)")],
        };
        packed(&mut lines, "latency", &latency);
        if has_caveat(s) {
            let caveat = wrap(CLOSED_MODEL_CAVEAT, &label(palette, "caveat"), &rest, width);
            lines.extend(caveat);
        }
        let mut load = vec![
            format!("{} model", model.as_str()),
            format!(
                "throughput {}",
                format_value(Unit::PerSecond, s.throughput_rps)
            ),
            format!("{} sent", format_count(s.sent as f64)),
        ];
        load.extend(late_dropped_parts(s).into_iter().map(|p| {
            // A dropped request was due and never sent: a failure of the
            // service to keep up, counted in the error rate.
            let n = usize::from(p.ends_with("dropped"));
            alarm(palette, n, p)
        }));
        packed(&mut lines, "load", &load);
        let rate = s.error_rate.filter(|r| *r > 0.0).map_or(0, |_| 1);
        let rate_text = format!("rate {}", format_opt(Unit::Fraction, s.error_rate));
        let mut errors = vec![alarm(palette, rate, rate_text)];
        errors.extend(error_parts(s));
        packed(&mut lines, "errors", &errors);
    }
    let mut shutdown = median_parts(variant, Metric::ShutdownS);
    if let Some(killed) = stop_killed_text(s) {
        shutdown.push(alarm(palette, s.stop_killed, killed));
    }
    packed(&mut lines, "shutdown", &shutdown);
    lines
}

/// The lines a parameter scan of a service shows under its table (which
/// has one metric): per variant its latency, throughput and error rate,
/// then the closed model's caveat once when any variant needs it.
pub(super) fn scan_service_lines(
    table: &crate::service::ServiceTable<'_>,
    palette: &Palette,
    width: usize,
) -> Vec<String> {
    let mut lines = Vec::new();
    let rest = "      ";
    for row in &table.rows {
        let s = row.service;
        let mut parts = vec![];
        if let Some(l) = s.latency_s {
            parts.push(format!("p50 {}", format_duration(l.p50)));
            parts.push(format!("p99 {}", format_duration(l.p99)));
        }
        if s.model.is_some() {
            parts.push(format_value(Unit::PerSecond, s.throughput_rps));
            let rate = s.error_rate.filter(|r| *r > 0.0).map_or(0, |_| 1);
            let text = format!("errors {}", format_opt(Unit::Fraction, s.error_rate));
            parts.push(alarm(palette, rate, text));
        }
        let first = format!("    {}  ", crate::printable::printable(&row.variant.name));
        lines.extend(pack(&parts, &first, rest, width));
    }
    if !table.closed_model_variants().is_empty() {
        lines.extend(wrap(CLOSED_MODEL_CAVEAT, "  ", "  ", width));
    }
    lines
}

/// `182 ms median · range 175 ms … 190 ms`, or that nothing was counted.
fn median_parts(variant: &VariantExport, metric: Metric) -> Vec<String> {
    match variant.summary.get(metric.key()) {
        Some(s) => {
            let mut parts = vec![format!("{} median", format_duration(s.median))];
            if s.n > 1 {
                parts.push(format!("range {}", min_max(s, Unit::Seconds)));
            }
            parts
        }
        None => vec![format!("{NA} (no iteration counted)")],
    }
}
