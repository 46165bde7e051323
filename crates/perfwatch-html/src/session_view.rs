//! The view of one session: provenance, headline figures, the service
//! figures of a service benchmark, chart containers, stage breakdown,
//! application metrics, findings and warnings.

use crate::findings_view::{findings, warnings};
use crate::labels::short_commit;
use crate::payload::representative;
use crate::service_view::service_panel;
use crate::stages_view::{num, stage_table};
use maud::{html, Markup};
use perfwatch_model::{short_id, SessionExport, VariantExport};
use perfwatch_report::app_metrics::{app_metric_cell, AppMetricTable};
use perfwatch_report::format::host_line;
use perfwatch_report::service::{ServiceCells, ServiceRow, ServiceTable};
use perfwatch_report::units::{ci_label, format_bytes, format_count, format_duration, NA};

/// The anchor of session `idx` within a page.
pub(crate) fn session_anchor(idx: usize) -> String {
    format!("session-{idx}")
}

/// Render session `idx` of the page.
pub(crate) fn session_section(idx: usize, s: &SessionExport, health: Option<u8>) -> Markup {
    let has_stages = s.variants.iter().any(|v| !v.stages.is_empty());
    let has_iterations = s.variants.iter().any(|v| !v.iterations.is_empty());
    // A service's run lasts as long as its load was told to: its wall
    // time is shown, said to be no result.
    let service = s.variants.iter().any(|v| v.service.is_some());
    html! {
        section.session id=(session_anchor(idx)) {
            h2 {
                "Session " code { (short_id(&s.session.id)) } " · " (s.session.benchmark)
            }
            (meta(s))
            div.cards {
                @if let Some(h) = health {
                    (health_card(h))
                }
                @for v in &s.variants {
                    (variant_card(v))
                }
            }
            (warnings(s))
            @if let Some(t) = ServiceTable::of(s) {
                (service_panel(&t))
            }
            @if has_iterations {
            div.panel {
                h3 { "Wall time per variant" }
                p.hint {
                    "Each dot is one iteration; hollow dots are warm-ups, red ones failed. The band is the confidence interval of the median, the bar the median."
                    @if service { " A service's run lasts from its spawn to its exit after the load: information, not a result (see Service above)." }
                }
                div.chart.strip data-chart="strip" data-session=(idx) {}
            }
            div.panel {
                h3 { "Wall time per iteration, in execution order" }
                p.hint { "Warm-ups are marked separately: a slow start or a drift over the session shows here." }
                div.chart data-chart="iterations" data-session=(idx) {}
            }
            }
            @if has_stages {
                div.panel {
                    h3 { "Stage breakdown" }
                    p.hint { "Median time per iteration in each stage and its share of the iteration's wall time. Click a header to sort." }
                    (stage_table(s))
                }
            }
            @if let Some(t) = AppMetricTable::of(s) {
                div.panel {
                    h3 { "Application metrics" }
                    p.hint { "What the program reported of itself over the counted runs (a counter: its total per run; a gauge: its last reading in a run): the median of the runs' values, their range and how many runs reported it. Click a header to sort." }
                    (app_metric_table(&t))
                }
            }
            @for (vi, v) in s.variants.iter().enumerate() {
                @if let Some(it) = representative(v) {
                    div.panel {
                        h3 {
                            "Resources over time · " (v.name) " · iteration #" (it.index)
                        }
                        @if it.timeline.is_empty() {
                            p.hint { "No resource sample: the iteration ended before the first one (runs shorter than the sampling interval, --sample-interval, or sampling off)." }
                        } @else {
                            p.hint { "The iteration closest to the variant's median wall time. Shaded bands are its stages." }
                            div.chart.timeline data-chart="timeline" data-session=(idx) data-variant=(vi) {}
                        }
                    }
                }
            }
            (findings(s))
        }
    }
}

/// The application metrics of every variant: a row per metric, a column
/// per variant (see [`AppMetricTable`]). Names come from the program and
/// are escaped like any text.
fn app_metric_table(t: &AppMetricTable<'_>) -> Markup {
    html! {
        div.table-wrap {
            table.sortable.app-metrics {
                thead {
                    tr {
                        th data-sort="text" { "Metric" }
                        th data-sort="text" { "Kind" }
                        @for v in &t.variants {
                            th.num data-sort="num" { (v) br; span.sub { "median (min–max, runs)" } }
                        }
                    }
                }
                tbody {
                    @for row in &t.rows {
                        tr {
                            td { code { (row.name) } }
                            td { span.tier { (row.kind.key()) } }
                            @for cell in &row.cells {
                                @match cell {
                                    Some(m) => { td.num data-v=(num(m.median)) { (app_metric_cell(m)) } }
                                    None => { td.num data-v="" title="not reported" { (NA) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn meta(s: &SessionExport) -> Markup {
    let sess = &s.session;
    let commands = sess.commands();
    html! {
        dl.meta {
            dt { @if commands.len() > 1 { "Commands" } @else { "Command" } }
            dd {
                @for (i, c) in commands.iter().enumerate() {
                    @if i > 0 { " · " }
                    code { (c) }
                }
            }
            @if let Some(c) = &sess.shell_correction {
                dt { "Shell" }
                dd { (c.shell) ", start-up " (perfwatch_report::units::format_duration(c.wall_s)) " (mean of " (c.runs) " empty runs) subtracted from each run" }
            }
            @if let Some(v) = &s.adaptive {
                dt { "Until confident" }
                dd { (perfwatch_report::investigation::adaptive_sentence(v, &|n| n.to_string(), &|t| t.to_string())) }
            }
            @if let Some(v) = &sess.program_version {
                dt { "Version" } dd { code { (v) } }
            }
            dt { "Started" } dd { (sess.started_at) }
            @if let Some(f) = &sess.finished_at {
                dt { "Finished" } dd { (f) }
            }
            dt { "Status" } dd { span class=(format!("status status-{}", sess.status.key())) { (sess.status.key()) } }
            @if let Some(git) = &sess.git {
                dt { "Git" }
                dd {
                    @if let Some(c) = &git.commit { code title=(c) { (short_commit(c)) } }
                    @if let Some(b) = &git.branch { " on " (b) }
                    @if git.dirty { " (uncommitted changes)" }
                }
            }
            dt { "Host" } dd { (host_line(&sess.host)) }
            dt { "Session" } dd { code { (sess.id) } " · perfwatch " (sess.perfwatch_version) }
        }
    }
}

fn health_card(score: u8) -> Markup {
    let class = match score {
        80.. => "good",
        50..=79 => "fair",
        _ => "poor",
    };
    html! {
        div class=(format!("card health health-{class}")) {
            div.card-title { "Health" }
            div.big { (score) span.unit { " / 100" } }
            div.small { "from the findings of this analysis" }
        }
    }
}

/// The headline figures of a service variant with latencies.
fn service_headline(v: &VariantExport) -> Option<ServiceCells> {
    let service = v.service.as_ref()?;
    service.latency_s?;
    Some(ServiceCells::of(&ServiceRow {
        variant: v,
        service,
    }))
}

fn variant_card(v: &VariantExport) -> Markup {
    let wall = v.summary.get("wall_s");
    let rss = v
        .summary
        .get("max_rss_bytes")
        .or_else(|| v.summary.get("peak_tree_rss_bytes"));
    let warmups = v.iterations.iter().filter(|i| i.warmup).count();
    let failed = v.iterations.iter().filter(|i| !i.succeeded()).count();
    html! {
        div.card {
            div.card-title { (v.name) }
            @if let Some(d) = &v.description { div.small { (d) } }
            @match (wall, service_headline(v)) {
                // A service's iteration lasts as long as its load was told
                // to: its latency is the headline, not its wall time.
                (Some(w), Some(h)) => {
                    div.big title="latency p99 of all requests" { (h.p99) span.unit { " p99" } }
                    div.figure { span.label { "p50 " } (h.p50) " · " span.label { "start-up " } (h.startup) }
                    div.figure { span.label { "throughput " } (h.throughput) }
                    div.figure { span.label { "error rate " } (h.error_rate) }
                    div.figure { span.label { "n " } (w.n) @if warmups > 0 { " (+" (warmups) " warm-up)" } }
                }
                (Some(w), None) => {
                    div.big title="median wall time" { (format_duration(w.median)) }
                    div.figure {
                        span.label { (ci_label(w.confidence)) " of median " }
                        "[" (format_duration(w.ci_low)) ", " (format_duration(w.ci_high)) "]"
                    }
                    div.figure { span.label { "n " } (w.n) @if warmups > 0 { " (+" (warmups) " warm-up)" } }
                }
                (None, _) => { div.big { (NA) } div.small { "no counted iteration" } }
            }
            @if let Some(r) = rss {
                div.figure { span.label { "peak RSS " } (format_bytes(r.median)) }
            }
            @if let Some(g) = &v.gpu {
                div.figure title="peak GPU memory of the measured processes, of the device's" {
                    span.label { "GPU memory " }
                    @match g.peak_memory_bytes {
                        Some(p) => { (format_bytes(p as f64)) }
                        None => { (format_bytes(g.peak_device_memory_bytes as f64)) " (device)" }
                    }
                    " of " (format_bytes(g.memory_total_bytes as f64))
                }
                div.figure title="GPU busy while the program ran: mean and 95th percentile of the samples" {
                    span.label { "GPU busy " }
                    (format!("{:.0} % mean, {:.0} % p95", g.busy_mean_pct, g.busy_p95_pct))
                }
            }
            @if failed > 0 {
                div.figure.bad { (format_count(failed as f64)) " failed" }
            }
        }
    }
}
