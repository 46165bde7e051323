//! The service figures of a session: for each variant that ran a service
//! benchmark, its start-up, the latency percentiles of all its requests
//! together (the merged histogram, never averaged percentiles), its
//! throughput, errors and shutdown. Every renderer (terminal, Markdown,
//! HTML) lays out these figures as [`ServiceCells`] and the functions here
//! write them, so that they all say the same.
//!
//! ```
//! use perfwatch_model::service::{ModelKind, ServiceSummary};
//! use perfwatch_report::service::error_parts;
//!
//! let mut s: ServiceSummary = serde_json::from_str(
//!     r#"{"iterations": 3, "duration_s": 30.0, "sent": 3000, "completed": 2990,
//!         "throughput_rps": 99.7, "status": {"1xx": 0, "2xx": 2980, "3xx": 0,
//!         "4xx": 0, "5xx": 10, "other": 0}, "timeouts": 10,
//!         "errors": {"connect": 0, "transport": 0}, "late": 0, "dropped": 0}"#,
//! ).unwrap();
//! s.model = Some(ModelKind::Open);
//! assert_eq!(error_parts(&s), ["5xx 10", "10 timeouts"]);
//! ```

use crate::units::{format_count, format_opt, format_value, NA};
use perfwatch_model::metric::Unit;
use perfwatch_model::service::{ModelKind, ServiceSummary};
use perfwatch_model::{Metric, SessionExport, VariantExport};

/// What the closed model's latencies leave out, said wherever a closed
/// model's percentiles are shown (`rate` is the open model's setting).
pub const CLOSED_MODEL_CAVEAT: &str = "closed model: latency counts from each actual send, \
     so stalls are under-counted (coordinated omission); the open model (`rate`) measures \
     what users wait";

/// One service variant of a session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceRow<'a> {
    /// The variant (its name is untrusted text: escape it).
    pub variant: &'a VariantExport,
    /// Its service figures.
    pub service: &'a ServiceSummary,
}

/// The service variants of a session, in the session's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTable<'a> {
    /// One row per variant with service figures.
    pub rows: Vec<ServiceRow<'a>>,
}

impl<'a> ServiceTable<'a> {
    /// The table of `export`; `None` when no variant ran a service.
    pub fn of(export: &'a SessionExport) -> Option<Self> {
        let rows: Vec<ServiceRow<'a>> = export
            .variants
            .iter()
            .filter_map(|variant| {
                let service = variant.service.as_ref()?;
                Some(ServiceRow { variant, service })
            })
            .collect();
        (!rows.is_empty()).then_some(ServiceTable { rows })
    }

    /// The names of the variants whose latencies are subject to
    /// coordinated omission (see [`CLOSED_MODEL_CAVEAT`]).
    pub fn closed_model_variants(&self) -> Vec<&'a str> {
        self.rows
            .iter()
            .filter(|r| has_caveat(r.service))
            .map(|r| r.variant.name.as_str())
            .collect()
    }
}

/// Whether the latencies of `s` need [`CLOSED_MODEL_CAVEAT`].
pub fn has_caveat(s: &ServiceSummary) -> bool {
    s.coordinated_omission_caveat || s.model.is_some_and(ModelKind::coordinated_omission_caveat)
}

/// The median of `metric` over the variant's counted iterations.
pub fn median(variant: &VariantExport, metric: Metric) -> Option<f64> {
    variant.summary.get(metric.key()).map(|s| s.median)
}

/// The figures of one row of a service table, formatted; [`NA`] where
/// nothing was measured (a run without load has no latency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCells {
    /// `open`, `closed`, or `no load`.
    pub model: String,
    /// Median start-up.
    pub startup: String,
    /// Latency p50 of the merged histogram.
    pub p50: String,
    /// Latency p90.
    pub p90: String,
    /// Latency p99.
    pub p99: String,
    /// Latency p99.9.
    pub p999: String,
    /// The largest latency.
    pub max: String,
    /// Completed requests per second.
    pub throughput: String,
    /// Requests sent.
    pub sent: String,
    /// The share of due requests not served.
    pub error_rate: String,
    /// `late / dropped` for the open model; [`NA`] for the closed one,
    /// which has no timetable to fall behind.
    pub late_dropped: String,
    /// Median shutdown.
    pub shutdown: String,
}

impl ServiceCells {
    /// The cells of `row`.
    pub fn of(row: &ServiceRow<'_>) -> Self {
        let s = row.service;
        let seconds = |v: Option<f64>| format_opt(Unit::Seconds, v);
        let latency = s.latency_s;
        let loaded = s.model.is_some();
        let if_loaded = |text: String| if loaded { text } else { NA.to_string() };
        ServiceCells {
            model: s.model.map_or("no load", ModelKind::as_str).to_string(),
            startup: seconds(median(row.variant, Metric::StartupS)),
            p50: seconds(latency.map(|l| l.p50)),
            p90: seconds(latency.map(|l| l.p90)),
            p99: seconds(latency.map(|l| l.p99)),
            p999: seconds(latency.map(|l| l.p999)),
            max: seconds(latency.map(|l| l.max)),
            throughput: if_loaded(format_value(Unit::PerSecond, s.throughput_rps)),
            sent: if_loaded(format_count(s.sent as f64)),
            error_rate: format_opt(Unit::Fraction, s.error_rate),
            late_dropped: match s.model {
                Some(ModelKind::Open) => format!("{} / {}", s.late, s.dropped),
                _ => NA.to_string(),
            },
            shutdown: seconds(median(row.variant, Metric::ShutdownS)),
        }
    }
}

/// What went wrong, only what happened: `4xx 3`, `5xx 20`, `other 1`,
/// `10 timeouts`, `2 connect errors`, `1 transport error`.
pub fn error_parts(s: &ServiceSummary) -> Vec<String> {
    let mut parts = Vec::new();
    for (name, n) in [
        ("4xx", s.status.client_error),
        ("5xx", s.status.server_error),
        ("other", s.status.other),
    ] {
        if n > 0 {
            parts.push(format!("{name} {n}"));
        }
    }
    for (one, many, n) in [
        ("timeout", "timeouts", s.timeouts),
        ("connect error", "connect errors", s.errors.connect),
        ("transport error", "transport errors", s.errors.transport),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    parts
}

/// `12 late`, `3 dropped`: the open model's requests that left behind
/// their timetable or never left, only when there were some.
pub fn late_dropped_parts(s: &ServiceSummary) -> Vec<String> {
    [("late", s.late), ("dropped", s.dropped)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{n} {name}"))
        .collect()
}

/// `killed after the stop timeout in 2 runs`, when some were.
pub fn stop_killed_text(s: &ServiceSummary) -> Option<String> {
    let n = s.stop_killed;
    (n > 0).then(|| {
        let runs = if n == 1 { "run" } else { "runs" };
        format!("killed after the stop timeout in {n} {runs}")
    })
}

/// What went wrong in a variant's runs, only what happened: its errors
/// by kind ([`error_parts`]), then the runs whose service was killed
/// after the stop timeout ([`stop_killed_text`]).
pub fn failure_notes(s: &ServiceSummary) -> Vec<String> {
    let mut notes = error_parts(s);
    notes.extend(stop_killed_text(s));
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::service::{ErrorCounts, Percentiles, StatusCounts};

    fn variant() -> VariantExport {
        VariantExport {
            name: "v".into(),
            description: None,
            iterations: vec![],
            summary: Default::default(),
            stages: vec![],
            warnings: vec![],
            gpu: None,
            app_metrics: Default::default(),
            service: None,
        }
    }

    fn summary(model: Option<ModelKind>) -> ServiceSummary {
        ServiceSummary {
            iterations: 2,
            model,
            coordinated_omission_caveat: model == Some(ModelKind::Closed),
            duration_s: 20.0,
            sent: 2000,
            completed: 1990,
            throughput_rps: 99.5,
            status: StatusCounts {
                success: 1980,
                client_error: 10,
                ..StatusCounts::default()
            },
            timeouts: 1,
            errors: ErrorCounts {
                connect: 0,
                transport: 9,
            },
            late: 4,
            dropped: 0,
            error_rate: Some(0.01),
            latency_s: Some(Percentiles {
                p50: 0.002,
                p90: 0.004,
                p99: 0.0101,
                p999: 0.0213,
                max: 0.0502,
            }),
            latency_histogram: String::new(),
            stop_killed: 0,
        }
    }

    #[test]
    fn only_what_happened_is_listed() {
        let s = summary(Some(ModelKind::Open));
        assert_eq!(
            error_parts(&s),
            ["4xx 10", "1 timeout", "9 transport errors"]
        );
        assert_eq!(late_dropped_parts(&s), ["4 late"]);
        assert_eq!(stop_killed_text(&s), None);
        let killed = ServiceSummary {
            stop_killed: 1,
            ..summary(None)
        };
        assert_eq!(
            stop_killed_text(&killed).unwrap(),
            "killed after the stop timeout in 1 run"
        );
    }

    #[test]
    fn cells_of_each_model() {
        let variant = variant();
        let open = summary(Some(ModelKind::Open));
        let cells = ServiceCells::of(&ServiceRow {
            variant: &variant,
            service: &open,
        });
        assert_eq!(cells.model, "open");
        assert_eq!(cells.p99, "10.1 ms");
        assert_eq!(cells.throughput, "99.5/s");
        assert_eq!(cells.error_rate, "1 %");
        assert_eq!(cells.late_dropped, "4 / 0");
        assert_eq!(cells.startup, NA);
        let closed = summary(Some(ModelKind::Closed));
        assert!(has_caveat(&closed) && !has_caveat(&open));
        let cells = ServiceCells::of(&ServiceRow {
            variant: &variant,
            service: &closed,
        });
        assert_eq!(cells.late_dropped, NA);
        let idle = ServiceSummary {
            latency_s: None,
            error_rate: None,
            ..summary(None)
        };
        let cells = ServiceCells::of(&ServiceRow {
            variant: &variant,
            service: &idle,
        });
        assert_eq!(
            (
                cells.model.as_str(),
                cells.p50.as_str(),
                cells.throughput.as_str()
            ),
            ("no load", NA, NA)
        );
    }
}
