//! `perfwatch report` and `perfwatch dashboard`.

use crate::analysis::{ci_options, compare_options};
use crate::args::{DashboardArgs, ReportArgs};
use crate::context::Context;
use crate::history::{load_series, Filters, SeriesMetric};
use crate::output::write_file;
use crate::stored::load_compared;
use perfwatch_html::{
    render_dashboard_with, render_report, DashboardOptions, HistoryPoint, HistorySeries,
    HtmlOptions,
};
use perfwatch_model::SessionExport;
use perfwatch_report::terminal::render_session;
use perfwatch_stats::changepoint::detect;
use perfwatch_store::{SessionFilter, Store};
use std::collections::BTreeSet;
use std::io::Write;

/// `perfwatch report`.
pub fn report(ctx: &Context, args: &ReportArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let t = &ctx.config.file.thresholds;
    let specs = if args.sessions.is_empty() {
        vec!["latest".to_string()]
    } else {
        args.sessions.clone()
    };
    let mut exports = Vec::new();
    for spec in &specs {
        let mut export = load_compared(&store, spec, args.baseline.as_deref(), t)?;
        crate::analysis::diagnose(&mut export, &ctx.config);
        exports.push(export);
    }
    let mut out = std::io::stdout().lock();
    for export in &exports {
        render_session(export, &ctx.terminal(), &mut out)?;
        crate::analysis::print_health(export, ctx.color, &mut out)?;
    }
    out.flush()?;
    if let Some(path) = &args.html {
        let health = exports.first().map(|e| crate::analysis::health(e).score);
        let opts = HtmlOptions {
            title: None,
            health_score: health,
        };
        write_file(path, |w| render_report(&exports, &opts, w))?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.markdown_summary {
        crate::analysis::write_markdown_summary(&exports, None, path)?;
    }
    Ok(())
}

/// `perfwatch dashboard`.
pub fn dashboard(ctx: &Context, args: &DashboardArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let t = &ctx.config.file.thresholds;
    let rows = store.list_sessions(&SessionFilter {
        benchmark: args.benchmark.clone(),
        limit: Some(args.limit),
        ..Default::default()
    })?;
    let mut sessions: Vec<SessionExport> = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        let (session, iterations) = store.load_session(&row.session.id)?;
        let mut export = crate::analysis::summarize(session, iterations, t);
        if export.variants.len() > 1 {
            export.comparisons =
                crate::analysis::compare_against_first(&export, &compare_options(t));
        }
        crate::analysis::diagnose(&mut export, &ctx.config);
        sessions.push(export);
    }
    let history = history_series(&store, &sessions, ctx)?;
    let opts = DashboardOptions {
        title: None,
        session_pages: (args.pages > 0).then_some(args.pages),
    };
    let index = render_dashboard_with(&sessions, &history, &opts, &args.output)?;
    eprintln!(
        "wrote {} ({} sessions, {} series)",
        index.display(),
        sessions.len(),
        history.len()
    );
    Ok(())
}

/// Wall time and each top-level stage's total, per benchmark and variant,
/// with change points where the series is long enough.
fn history_series(
    store: &dyn Store,
    sessions: &[SessionExport],
    ctx: &Context,
) -> anyhow::Result<Vec<HistorySeries>> {
    let ci = ci_options(&ctx.config.file.thresholds);
    let benchmarks: BTreeSet<&str> = sessions
        .iter()
        .map(|s| s.session.benchmark.as_str())
        .collect();
    let baselines = store.list_baselines()?;
    let detect_opts = perfwatch_stats::changepoint::DetectOptions::default();
    let mut out = Vec::new();
    for b in benchmarks {
        let mut metrics = vec![SeriesMetric::Metric(perfwatch_model::Metric::WallS)];
        let stages: BTreeSet<String> = sessions
            .iter()
            .filter(|s| s.session.benchmark == b)
            .flat_map(|s| {
                s.variants
                    .iter()
                    .flat_map(|v| v.stages.iter().map(|st| st.path.clone()))
            })
            .filter(|p| p.matches('/').count() <= 1)
            .collect();
        metrics.extend(stages.into_iter().take(8).map(SeriesMetric::Stage));
        for metric in metrics {
            let filters = Filters {
                benchmark: Some(b.to_string()),
                ..Default::default()
            };
            let Ok(series) = load_series(store, &filters, &metric, &ci) else {
                continue;
            };
            for s in series {
                let values: Vec<f64> = s.points.iter().map(|p| p.median).collect();
                let change_points = detect(&values, &detect_opts)
                    .map(|cps| cps.into_iter().map(|c| c.index).collect())
                    .unwrap_or_default();
                let baseline_session = baselines
                    .iter()
                    .flat_map(|bl| bl.session_ids.iter())
                    .find(|id| s.points.iter().any(|p| &p.session_id == *id))
                    .cloned();
                out.push(HistorySeries {
                    benchmark: s.benchmark,
                    variant: s.variant,
                    metric: s
                        .metric
                        .split_once(':')
                        .map_or(s.metric.clone(), |_| "total_s".to_string()),
                    stage: match &metric {
                        SeriesMetric::Stage(p) => Some(p.clone()),
                        SeriesMetric::Metric(_) => None,
                    },
                    points: s
                        .points
                        .into_iter()
                        .map(|p| HistoryPoint {
                            session_id: p.session_id,
                            started_at: p.started_at,
                            commit: p.commit,
                            median: p.median,
                            ci_low: p.ci_low,
                            ci_high: p.ci_high,
                        })
                        .collect(),
                    change_points,
                    baseline_session,
                });
            }
        }
    }
    Ok(out)
}
