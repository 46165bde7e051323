//! CSV: one row per iteration, warm-ups and failures included, for
//! spreadsheets and data frames. A figure that was not measured is an empty
//! cell, never zero. Text cells (session ids, variant names) go through
//! [`text_cell`], so that a spreadsheet never reads a name as a formula;
//! figures are written as they are.

use crate::Render;
use perfwatch_model::SessionExport;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// A text cell as a spreadsheet will take it as text: one that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (which Excel, LibreOffice
/// and Google Sheets may evaluate as a formula, e.g. `=cmd|' /C calc'!A0`)
/// gets a leading `'` (OWASP's rule against CSV injection). Only for text
/// fields (names, commands, stage paths, labels): a figure perfwatch writes
/// itself, such as `-0.5`, must stay a number and is written as it is.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// The columns, in order; also the header row.
pub const CSV_COLUMNS: [&str; 16] = [
    "session_id",
    "variant",
    "index",
    "warmup",
    "exit_code",
    "signal",
    "timed_out",
    "wall_s",
    "user_s",
    "sys_s",
    "max_rss_bytes",
    "peak_tree_rss_bytes",
    "read_bytes",
    "write_bytes",
    "voluntary_cs",
    "involuntary_cs",
];

/// The columns a session of a service benchmark has after
/// [`CSV_COLUMNS`] (a command's session has none of them): the iteration's
/// service figures, empty where not measured.
pub const CSV_SERVICE_COLUMNS: [&str; 13] = [
    "startup_s",
    "shutdown_s",
    "latency_p50_s",
    "latency_p90_s",
    "latency_p99_s",
    "latency_p999_s",
    "throughput_rps",
    "error_rate",
    "sent",
    "completed",
    "timeouts",
    "late",
    "dropped",
];

/// The service cells of a row; field order is [`CSV_SERVICE_COLUMNS`].
#[derive(Serialize)]
struct ServiceCells {
    startup_s: Option<f64>,
    shutdown_s: Option<f64>,
    latency_p50_s: Option<f64>,
    latency_p90_s: Option<f64>,
    latency_p99_s: Option<f64>,
    latency_p999_s: Option<f64>,
    throughput_rps: Option<f64>,
    error_rate: Option<f64>,
    sent: Option<u64>,
    completed: Option<u64>,
    timeouts: Option<u64>,
    late: Option<u64>,
    dropped: Option<u64>,
}

impl ServiceCells {
    fn of(it: &perfwatch_model::Iteration) -> ServiceCells {
        use perfwatch_model::Metric;
        let load = it.load();
        ServiceCells {
            startup_s: it.metric(Metric::StartupS),
            shutdown_s: it.metric(Metric::ShutdownS),
            latency_p50_s: it.metric(Metric::LatencyP50S),
            latency_p90_s: it.metric(Metric::LatencyP90S),
            latency_p99_s: it.metric(Metric::LatencyP99S),
            latency_p999_s: it.metric(Metric::LatencyP999S),
            throughput_rps: it.metric(Metric::ThroughputRps),
            error_rate: it.metric(Metric::ErrorRate),
            sent: load.map(|l| l.sent),
            completed: load.map(|l| l.completed),
            timeouts: load.map(|l| l.timeouts),
            late: load.map(|l| l.late),
            dropped: load.map(|l| l.dropped),
        }
    }
}

/// Writes one CSV row per iteration, variant by variant.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvRenderer;

/// One row; field order is [`CSV_COLUMNS`].
#[derive(Serialize)]
struct Row<'a> {
    session_id: Cow<'a, str>,
    variant: Cow<'a, str>,
    index: u32,
    warmup: bool,
    exit_code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    wall_s: f64,
    user_s: Option<f64>,
    sys_s: Option<f64>,
    max_rss_bytes: Option<u64>,
    peak_tree_rss_bytes: Option<u64>,
    read_bytes: Option<u64>,
    write_bytes: Option<u64>,
    voluntary_cs: Option<u64>,
    involuntary_cs: Option<u64>,
}

impl Render for CsvRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = ::csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        let service = export
            .variants
            .iter()
            .flat_map(|v| &v.iterations)
            .any(|it| it.service.is_some());
        if service {
            writer.write_record(CSV_COLUMNS.iter().chain(&CSV_SERVICE_COLUMNS))?;
        } else {
            writer.write_record(CSV_COLUMNS)?;
        }
        for variant in &export.variants {
            for it in &variant.iterations {
                let row = Row {
                    session_id: text_cell(&export.session.id),
                    variant: text_cell(&variant.name),
                    index: it.index,
                    warmup: it.warmup,
                    exit_code: it.exit_code,
                    signal: it.signal,
                    timed_out: it.timed_out,
                    wall_s: it.wall_s,
                    user_s: it.user_s,
                    sys_s: it.sys_s,
                    max_rss_bytes: it.max_rss_bytes,
                    peak_tree_rss_bytes: it.peak_tree_rss_bytes,
                    read_bytes: it.read_bytes,
                    write_bytes: it.write_bytes,
                    voluntary_cs: it.voluntary_cs,
                    involuntary_cs: it.involuntary_cs,
                };
                if service {
                    writer.serialize((row, ServiceCells::of(it)))?;
                } else {
                    writer.serialize(row)?;
                }
            }
        }
        writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_session_adds_its_figures_after_the_columns_of_every_session() {
        let mut export: SessionExport = serde_json::from_str(
            r#"{
            "schema": "perfwatch.session.v1",
            "session": {"id": "s", "started_at": "", "benchmark": "api",
                "command": {"argv": ["svc"]}, "git": null, "host": {"os": "linux"},
                "perfwatch_version": "0", "status": "complete"},
            "variants": [{"name": "v", "iterations": [
                {"index": 0, "warmup": false, "exit_code": 0, "signal": null,
                 "timed_out": false, "wall_s": 3.0, "user_s": null, "sys_s": null,
                 "max_rss_bytes": null, "read_bytes": null, "write_bytes": null,
                 "service": {"port": 1, "startup_s": 0.25, "shutdown_s": 0.01, "load": {
                    "model": "open", "coordinated_omission_caveat": false,
                    "duration_s": 2.0, "sent": 200, "completed": 199,
                    "throughput_rps": 99.5, "status": {"2xx": 199}, "timeouts": 1,
                    "errors": {}, "late": 3, "dropped": 0,
                    "latency_s": {"p50": 0.01, "p90": 0.02, "p99": 0.05, "p999": 0.09, "max": 0.1},
                    "latency_histogram": ""}}}],
                "summary": {}}]
        }"#,
        )
        .unwrap();
        let mut out = Vec::new();
        CsvRenderer.render(&export, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header.len(), CSV_COLUMNS.len() + CSV_SERVICE_COLUMNS.len());
        assert_eq!(&header[CSV_COLUMNS.len()..], &CSV_SERVICE_COLUMNS[..]);
        assert!(
            lines[1].ends_with(",0.25,0.01,0.01,0.02,0.05,0.09,99.5,0.005,200,199,1,3,0"),
            "{text}"
        );
        // A command's session keeps its columns.
        export.variants[0].iterations[0].service = None;
        let mut out = Vec::new();
        CsvRenderer.render(&export, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().next().unwrap(), CSV_COLUMNS.join(","));
    }

    #[test]
    fn csv_cells_that_start_a_formula_are_prefixed() {
        let cases = [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("@SUM(1)", "'@SUM(1)"),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("fast", "fast"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(text_cell(input), want, "input {input:?}");
        }
        assert!(matches!(text_cell("plain"), Cow::Borrowed(_)));
    }
}
