//! `perfwatch gate` and the `--gate` of `run`/`ab`: rules that turn
//! comparisons, findings and budgets into pass/fail and exit code 4.

use crate::analysis::{ci_options, compare_options, diagnose, health};
use crate::args::{GateArgs, GateFlags};
use crate::context::Context;
use crate::exit::{usage, SilentExit};
use crate::history::{load_series, locate, Filters, SeriesMetric};
use crate::stored::load_compared;
use perfwatch_analysis::{evaluate, GateConfig, GateReport, RuleResult};
use perfwatch_model::{exit_codes, Metric, SessionExport};
use perfwatch_store::Store;
use std::io::Write;

/// How many of the newest sessions a history regression must start in to
/// fail `--history`: a step further back has already been seen (and
/// gated) by earlier runs.
pub const HISTORY_RECENT: usize = 10;

/// `[gates]` with the command line's limits on top.
pub fn gate_config(ctx: &Context, flags: &GateFlags) -> anyhow::Result<GateConfig> {
    let mut cfg = ctx.config.file.gates.clone();
    macro_rules! over {
        ($($f:ident),*) => { $( if flags.$f.is_some() { cfg.$f = flags.$f; } )* };
    }
    over!(
        max_regression_critical,
        max_regression_high,
        max_regression_medium,
        max_regression_low,
        max_peak_rss_bytes,
        min_health_score,
        max_duration_increase_percent,
        max_failure_rate
    );
    cfg.validate().map_err(|e| usage(format!("gates: {e}")))?;
    Ok(cfg)
}

/// Whether any limit was given on the command line.
pub fn any_limit(flags: &GateFlags) -> bool {
    flags.max_regression_critical.is_some()
        || flags.max_regression_high.is_some()
        || flags.max_regression_medium.is_some()
        || flags.max_regression_low.is_some()
        || flags.max_peak_rss_bytes.is_some()
        || flags.min_health_score.is_some()
        || flags.max_duration_increase_percent.is_some()
        || flags.max_failure_rate.is_some()
}

/// Evaluate the gates on a diagnosed export (comparisons already set).
pub fn evaluate_export(cfg: &GateConfig, export: &SessionExport) -> GateReport {
    evaluate(cfg, export, &health(export))
}

/// The `--history` rule: a regression step starting among the newest
/// sessions of the benchmark's wall-time series.
pub fn history_rule(
    ctx: &Context,
    store: &dyn Store,
    export: &SessionExport,
) -> anyhow::Result<RuleResult> {
    let filters = Filters {
        benchmark: Some(export.session.benchmark.clone()),
        ..Default::default()
    };
    let metric = SeriesMetric::Metric(Metric::WallS);
    let series = load_series(
        store,
        &filters,
        &metric,
        &ci_options(&ctx.config.file.thresholds),
    )?;
    let opts = perfwatch_stats::changepoint::DetectOptions::default();
    let thresholds = compare_options(&ctx.config.file.thresholds).severity;
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for s in &series {
        let values: Vec<f64> = s.points.iter().map(|p| p.median).collect();
        if values.len() < opts.min_points() {
            checked.push(format!(
                "{}: {} sessions, too few to judge (need ≥ {})",
                s.variant,
                values.len(),
                opts.min_points()
            ));
            continue;
        }
        let labels = s.labels();
        let cps = locate(&values, &labels, &opts, &thresholds)?;
        match cps.last() {
            Some(c) if c.direction == "regression" && c.index + HISTORY_RECENT >= values.len() => {
                failures.push(format!(
                    "{}: {:+.1}% from session {} (p = {:.1e}, {})",
                    s.variant,
                    c.change_pct,
                    c.session_id
                        .as_deref()
                        .map(|id| &id[..8.min(id.len())])
                        .unwrap_or("?"),
                    c.p_value,
                    c.severity.key()
                ));
            }
            _ => checked.push(format!(
                "{}: no regression step in the newest {HISTORY_RECENT} sessions",
                s.variant
            )),
        }
    }
    Ok(RuleResult {
        rule: "history".into(),
        passed: failures.is_empty(),
        actual: if failures.is_empty() {
            "no new step".into()
        } else {
            failures.join("; ")
        },
        limit: format!("no regression step starting in the newest {HISTORY_RECENT} sessions"),
        detail: checked.join("; "),
    })
}

/// Print the gate's rules; failing ones first say by how much.
pub fn print_report(report: &GateReport, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let red = console::Style::new().red().bold().force_styling(color);
    let green = console::Style::new().green().force_styling(color);
    if report.rules.is_empty() {
        writeln!(
            out,
            "Gate: no rule configured ([gates] in perfwatch.toml or --max-… flags)"
        )?;
        return Ok(());
    }
    let verdict = if report.passed {
        green.apply_to("passed")
    } else {
        red.apply_to("FAILED")
    };
    writeln!(out, "Gate {verdict}")?;
    for r in &report.rules {
        let mark = if r.passed {
            green.apply_to("pass")
        } else {
            red.apply_to("FAIL")
        };
        writeln!(
            out,
            "  {mark}  {}: {} (limit {})",
            r.rule, r.actual, r.limit
        )?;
        if !r.detail.is_empty() && !r.passed {
            writeln!(out, "        {}", r.detail)?;
        }
    }
    writeln!(out)
}

/// `perfwatch gate`.
pub fn run(ctx: &Context, args: &GateArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let t = &ctx.config.file.thresholds;
    let cfg = gate_config(ctx, &args.limits)?;
    let mut export = load_compared(&store, &args.session, args.baseline.as_deref(), t)?;
    diagnose(&mut export, &ctx.config);
    let mut report = evaluate_export(&cfg, &export);
    if args.history {
        report.rules.push(history_rule(ctx, &store, &export)?);
        report.passed = report.rules.iter().all(|r| r.passed);
    }
    let mut out = std::io::stdout().lock();
    print_report(&report, ctx.color, &mut out)?;
    out.flush()?;
    if let Some(path) = &args.markdown_summary {
        crate::analysis::write_markdown_summary(
            std::slice::from_ref(&export),
            Some(&report),
            path,
        )?;
    }
    if report.rules.is_empty() {
        return Err(usage("no gate rule to evaluate: configure [gates] in perfwatch.toml, pass a limit such as --max-regression-critical 0, or --history"));
    }
    if report.passed {
        Ok(())
    } else {
        Err(SilentExit(exit_codes::GATE_FAILED).into())
    }
}
