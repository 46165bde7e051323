//! The live dashboard's "Alerts" section: the regression alerts of
//! monitored pipelines, open ones first.

use maud::{html, Markup};

/// One alert as the dashboard shows it (the server turns its alerts into
/// these; the page does no statistics).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// The monitored pipeline, `SERVICE/ROOT`.
    pub pipeline: String,
    /// The stage path.
    pub stage: String,
    /// `slower`, `over_budget.duration`, ….
    pub kind: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// The ratio and its 95 % interval.
    pub ratio: (f64, f64, f64),
    /// The version and run where it began.
    pub first: (String, u32),
    /// When that run started (RFC 3339).
    pub since: String,
    /// The version and run where it resolved; `None` while open.
    pub resolved: Option<(String, u32)>,
}

/// The section; nothing when there is no alert.
pub(crate) fn alerts_section(alerts: &[AlertRow]) -> Markup {
    if alerts.is_empty() {
        return html! {};
    }
    let mut rows: Vec<&AlertRow> = alerts.iter().collect();
    // Open first, newest first within each.
    rows.sort_by(|a, b| (a.resolved.is_some(), &b.since).cmp(&(b.resolved.is_some(), &a.since)));
    let open = rows.iter().filter(|a| a.resolved.is_none()).count();
    html! {
        section #alerts {
            h2 { "Alerts" }
            p.muted {
                (open) " open, " (alerts.len() - open) " resolved · regressions of monitored "
                "pipelines (runs sent over OTLP), each stage judged against its own baseline"
            }
            table.alerts {
                thead {
                    tr {
                        th scope="col" { "pipeline" }
                        th scope="col" { "stage" }
                        th scope="col" { "what" }
                        th scope="col" { "severity" }
                        th scope="col" .num { "ratio (95% CI)" }
                        th scope="col" { "since" }
                        th scope="col" { "state" }
                    }
                }
                tbody {
                    @for a in &rows {
                        tr {
                            td { (a.pipeline) }
                            td { code { (a.stage) } }
                            td { (a.kind) }
                            td { span class=(format!("badge sev-{}", a.severity)) { (a.severity) } }
                            td.num {
                                (format!("{:.2}×", a.ratio.0))
                                " " span.muted { (format!("[{:.2}, {:.2}]", a.ratio.1, a.ratio.2)) }
                            }
                            td title=(a.since) { (a.first.0) " run " (a.first.1) }
                            td {
                                @match &a.resolved {
                                    None => strong { "open" },
                                    Some((v, i)) => { "resolved at " (v) " run " (i) },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(stage: &str, since: &str, resolved: bool) -> AlertRow {
        AlertRow {
            pipeline: "shorts/video".into(),
            stage: stage.into(),
            kind: "slower".into(),
            severity: "medium".into(),
            ratio: (1.4, 1.38, 1.42),
            first: ("1.1".into(), 0),
            since: since.into(),
            resolved: resolved.then(|| ("1.2".into(), 4)),
        }
    }

    #[test]
    fn open_alerts_come_first_and_names_are_escaped() {
        let html = alerts_section(&[
            row("video/old", "2026-12-01T00:00:00Z", true),
            row("video/<script>", "2026-11-01T00:00:00Z", false),
        ])
        .into_string();
        assert!(html.contains("1 open, 1 resolved"), "{html}");
        let open = html.find("&lt;script&gt;").expect("escaped");
        let resolved = html.find("video/old").unwrap();
        assert!(open < resolved, "{html}");
        assert!(!html.contains("<script>"));
        assert!(html.contains("resolved at 1.2 run 4"));
    }

    #[test]
    fn no_alerts_no_section() {
        assert!(alerts_section(&[]).into_string().is_empty());
    }
}
