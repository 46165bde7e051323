//! The service figures of a session as a Markdown table (see
//! [`ServiceTable`]), with the closed model's caveat under it.

use super::escape::escape_markdown;
use super::table::{write_table, Align};
use crate::service::{failure_notes, ServiceCells, ServiceTable, CLOSED_MODEL_CAVEAT};
use perfwatch_model::SessionExport;
use std::io::{self, Write};

/// Renders the service variants of `export` as one table under a `###`
/// heading: a row per variant with its median start-up, the latency
/// percentiles of all its requests, throughput, error rate and the open
/// model's late and dropped requests; a line for each variant with
/// failures (errors by kind, services killed after the stop timeout); then,
/// for variants measured with the closed model, the caveat. Writes nothing when no variant ran a service.
pub fn render_service_markdown(export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
    let Some(table) = ServiceTable::of(export) else {
        return Ok(());
    };
    writeln!(out, "### Service\n")?;
    writeln!(
        out,
        "Medians of the runs for start-up; latency percentiles of all requests together.\n"
    )?;
    let header = [
        ("Variant", Align::Left),
        ("Model", Align::Left),
        ("Start-up", Align::Right),
        ("p50", Align::Right),
        ("p99", Align::Right),
        ("p99.9", Align::Right),
        ("Max", Align::Right),
        ("Throughput", Align::Right),
        ("Error rate", Align::Right),
        ("Late / dropped", Align::Right),
    ];
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let c = ServiceCells::of(row);
            vec![
                escape_markdown(&row.variant.name),
                c.model,
                c.startup,
                c.p50,
                c.p99,
                c.p999,
                c.max,
                c.throughput,
                c.error_rate,
                c.late_dropped,
            ]
        })
        .collect();
    write_table(&header, &rows, out)?;
    let notes: Vec<String> = table
        .rows
        .iter()
        .filter_map(|row| {
            let notes = failure_notes(row.service);
            (!notes.is_empty()).then(|| {
                let name = escape_markdown(&row.variant.name);
                format!("- **{name}**: {}", notes.join(" · "))
            })
        })
        .collect();
    if !notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", notes.join("\n"))?;
    }
    let closed = table.closed_model_variants();
    if !closed.is_empty() {
        let names: Vec<String> = closed.iter().map(|n| escape_markdown(n)).collect();
        // The caveat's `rate` is a code span, as the setting is spelled.
        writeln!(
            out,
            "\n> **Caveat** ({}): {}.",
            names.join(", "),
            CLOSED_MODEL_CAVEAT
        )?;
    }
    Ok(())
}
