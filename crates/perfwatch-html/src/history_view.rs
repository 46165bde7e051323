//! The dashboard's own views: trend charts per history series and the list
//! of sessions linking to their pages.

use crate::history_pick::Picked;
use crate::labels::{app_metric_name, metric_label, metric_unit, short_commit};
use crate::stages_view::num;
use maud::{html, Markup};
use perfwatch_model::HistorySeries;
use perfwatch_model::{short_id, SessionExport};
use perfwatch_report::units::{format_duration, format_value, NA};
use perfwatch_report::Headline;

/// One chart per picked series (see [`crate::history_pick`]), with its
/// latest figure in words; the series left out are named with the reason.
/// Chart `k` draws the `k`-th series of the page's history payload, which
/// holds the charted series in `picked.charted` order.
pub(crate) fn history_section(history: &[HistorySeries], picked: &Picked) -> Markup {
    html! {
        section.history id="history" {
            h2 { "History" }
            @if history.is_empty() {
                p.hint { "No history yet: trends appear once a benchmark has run in several sessions." }
            } @else {
                p.hint {
                    "Median per session with its confidence interval; dashed lines mark detected change points, the dotted line the baseline. Hover for the session and commit. "
                    "Per benchmark and variant: wall time (a service's start-up, latency, throughput and error rate), and the stages with change points or the largest movements"
                    @if picked.charted.iter().any(|&i| app_metric_name(&history[i].metric).is_some()) {
                        "; then the application metrics the program reported, as plain numbers"
                    }
                    "."
                }
                div.grid {
                    @for (k, &i) in picked.charted.iter().enumerate() {
                        (series_panel(k, &history[i]))
                    }
                }
                @if !picked.skipped.is_empty() {
                    p.hint.not-charted {
                        "Not charted: "
                        @for (n, (i, why)) in picked.skipped.iter().enumerate() {
                            @if n > 0 { "; " }
                            (series_name(&history[*i])) " (" (why.text()) ")"
                        }
                        "."
                    }
                }
            }
        }
    }
}

/// `pipeline · baseline · stage job/fetch`.
fn series_name(h: &HistorySeries) -> Markup {
    html! {
        (h.benchmark) " · " (h.variant) " · "
        @if let Some(st) = &h.stage { "stage " code { (st) } } @else { (metric_label(&h.metric)) }
    }
}

fn series_panel(i: usize, h: &HistorySeries) -> Markup {
    let unit = metric_unit(&h.metric);
    html! {
        div.panel {
            h3 {
                (h.benchmark) " · " (h.variant) " · "
                @if let Some(st) = &h.stage { "stage " code { (st) } " " }
                (metric_label(&h.metric))
            }
            p.small {
                (h.points.len()) " sessions"
                @if let Some(last) = h.points.last() {
                    " · latest " strong { (format_value(unit, last.median)) }
                    " [" (format_value(unit, last.ci_low)) ", " (format_value(unit, last.ci_high)) "]"
                }
                @if !h.change_points.is_empty() { " · " (h.change_points.len()) " change point(s)" }
                @if let Some(b) = &h.baseline_session { " · baseline " code { (short_id(b)) } }
            }
            div.chart data-chart="history" data-series=(i) {}
        }
    }
}

/// The sessions, newest first, linking to their pages where they have one
/// (`files[i]` is the page of `sessions[i]`, relative to the index).
pub(crate) fn session_list(sessions: &[SessionExport], files: &[Option<String>]) -> Markup {
    let with_page = files.iter().filter(|f| f.is_some()).count();
    let mut order: Vec<usize> = (0..sessions.len()).collect();
    order.sort_by(|&a, &b| {
        sessions[b]
            .session
            .started_at
            .cmp(&sessions[a].session.started_at)
    });
    html! {
        section.sessions id="sessions" {
            h2 { "Sessions" }
            p.hint {
                (sessions.len()) " sessions. Click a header to sort, a session to open its page."
                @if with_page < sessions.len() {
                    " " (with_page) " of them have a page of their own: the newest, and those at a change point or used as a baseline. Render a report to see any other."
                }
            }
            div.table-wrap {
                table.sortable.session-list {
                    thead {
                        tr {
                            th data-sort="text" { "Started" }
                            th data-sort="text" { "Session" }
                            th data-sort="text" { "Benchmark" }
                            th data-sort="text" { "Commit" }
                            th data-sort="text" { "Status" }
                            th data-sort="text" { "Variants" }
                            th.num data-sort="num" { "Median wall" br; span.sub { "first variant" } }
                            th.num data-sort="num" { "Regressions" br; span.sub { "judged metrics" } }
                            th.num data-sort="num" { "Findings" }
                        }
                    }
                    tbody {
                        @for &i in &order {
                            (session_row(&sessions[i], files.get(i).and_then(Option::as_deref)))
                        }
                    }
                }
            }
        }
    }
}

fn session_row(s: &SessionExport, file: Option<&str>) -> Markup {
    let median = s
        .variants
        .first()
        .and_then(|v| v.summary.get("wall_s"))
        .map(|w| w.median);
    // Primary comparisons only: secondary metrics are information.
    let headline = Headline::of(&s.comparisons);
    let regressions = headline.regressed;
    let worst = headline.worst;

    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    let commit = s.session.git.as_ref().and_then(|g| g.commit.as_deref());
    html! {
        tr {
            td { (s.session.started_at) }
            td {
                @match file {
                    Some(f) => { a href=(f) { code { (short_id(&s.session.id)) } } }
                    None => { code title="no page of its own" { (short_id(&s.session.id)) } }
                }
            }
            td { (s.session.benchmark) }
            td { @if let Some(c) = commit { code title=(c) { (short_commit(c)) } } @else { (NA) } }
            td { span class=(format!("status status-{}", s.session.status.key())) { (s.session.status.key()) } }
            td { (names.join(", ")) }
            td.num data-v=(median.map(num).unwrap_or_default()) { (median.map(format_duration).unwrap_or_else(|| NA.into())) }
            td.num data-v=(regressions) {
                @if regressions == 0 { "0" } @else {
                    span class=(format!("badge sev-{}", worst.key())) { (regressions) " · " (worst.key()) }
                }
            }
            td.num data-v=(s.findings.len()) { (s.findings.len()) }
        }
    }
}
