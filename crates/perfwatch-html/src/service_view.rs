//! The service figures of a session (see
//! [`perfwatch_report::service::ServiceTable`]): a row per service
//! variant with its start-up, the latency percentiles of all its requests
//! together, throughput, error rate and the open model's late and dropped
//! requests, then the closed model's caveat where it applies. Variant
//! names are untrusted text and escaped like any other.

use crate::latency_plot::latency_plot;
use crate::stages_view::num;
use maud::{html, Markup};
use perfwatch_model::Metric;
use perfwatch_report::service::{
    failure_notes, median, ServiceCells, ServiceRow, ServiceTable, CLOSED_MODEL_CAVEAT,
};

/// The service panel of `table`.
pub(crate) fn service_panel(table: &ServiceTable<'_>) -> Markup {
    let closed = table.closed_model_variants();
    html! {
        div.panel.service {
            h3 { "Service" }
            p.hint { "Start-up and shutdown: medians of the runs. Latency: percentiles of all requests of the counted runs together (their histograms merged). Error rate: the share of due requests not answered with a 2xx or 3xx. Click a header to sort." }
            div.table-wrap {
                table.sortable.service {
                    thead {
                        tr {
                            th data-sort="text" { "Variant" }
                            th data-sort="text" { "Model" }
                            th.num data-sort="num" { "Start-up" }
                            th.num data-sort="num" { "p50" }
                            th.num data-sort="num" { "p90" }
                            th.num data-sort="num" { "p99" }
                            th.num data-sort="num" { "p99.9" }
                            th.num data-sort="num" { "Max" }
                            th.num data-sort="num" { "Throughput" }
                            th.num data-sort="num" { "Error rate" }
                            th.num data-sort="text" { "Late / dropped" }
                            th.num data-sort="num" { "Shutdown" }
                        }
                    }
                    tbody {
                        @for row in &table.rows {
                            (service_row(row))
                        }
                    }
                }
            }
            @if table.rows.iter().any(|r| !failure_notes(r.service).is_empty()) {
                ul.service-notes {
                    @for row in &table.rows {
                        @let notes = failure_notes(row.service);
                        @if !notes.is_empty() {
                            li { strong { (row.variant.name) } ": " (notes.join(" · ")) }
                        }
                    }
                }
            }
            (latency_plot(table))
            @if !closed.is_empty() {
                p.caveat {
                    strong { "Caveat" } " ("
                    @for (i, name) in closed.iter().enumerate() {
                        @if i > 0 { ", " }
                        (name)
                    }
                    "): " (caveat())
                }
            }
        }
    }
}

/// [`CLOSED_MODEL_CAVEAT`] with its back-quoted setting as code.
fn caveat() -> Markup {
    html! {
        @for (i, piece) in CLOSED_MODEL_CAVEAT.split('`').enumerate() {
            @if i % 2 == 1 { code { (piece) } } @else { (piece) }
        }
        "."
    }
}

fn service_row(row: &ServiceRow<'_>) -> Markup {
    let c = ServiceCells::of(row);
    let s = row.service;
    let latency = s.latency_s;
    let sort = |v: Option<f64>| v.map_or_else(String::new, num);
    let loaded = s.model.is_some();
    html! {
        tr {
            td { (row.variant.name) }
            td { (c.model) }
            td.num data-v=(sort(median(row.variant, Metric::StartupS))) { (c.startup) }
            td.num data-v=(sort(latency.map(|l| l.p50))) { (c.p50) }
            td.num data-v=(sort(latency.map(|l| l.p90))) { (c.p90) }
            td.num data-v=(sort(latency.map(|l| l.p99))) { (c.p99) }
            td.num data-v=(sort(latency.map(|l| l.p999))) { (c.p999) }
            td.num data-v=(sort(latency.map(|l| l.max))) { (c.max) }
            td.num data-v=(sort(loaded.then_some(s.throughput_rps))) title=(format!("{} sent", c.sent)) { (c.throughput) }
            td.num data-v=(sort(s.error_rate)) { (c.error_rate) }
            td.num { (c.late_dropped) }
            td.num data-v=(sort(median(row.variant, Metric::ShutdownS))) { (c.shutdown) }
        }
    }
}
