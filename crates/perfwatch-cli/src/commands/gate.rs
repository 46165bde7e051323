//! `perfwatch gate` and the `--gate` of `run`/`ab`: rules that turn
//! comparisons, findings and budgets into pass/fail and exit code 4.

use crate::args::{GateArgs, GateFlags};
use crate::context::Context;
use crate::exit::{usage, SilentExit};
use perfwatch_analysis::GateConfig;
use perfwatch_app::gate_history::history_rule;
use perfwatch_app::load::analyze_stored;
use perfwatch_model::{exit_codes, GateReport};
use perfwatch_store::{SessionFilter, Store};
use std::io::Write;

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
        max_gpu_memory_bytes,
        min_health_score,
        max_duration_increase_percent,
        max_failure_rate
    );
    cfg.app_metrics.extend(flags.app_metric.iter().cloned());
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
        || flags.max_gpu_memory_bytes.is_some()
        || flags.min_health_score.is_some()
        || flags.max_duration_increase_percent.is_some()
        || flags.max_failure_rate.is_some()
        || !flags.app_metric.is_empty()
}

/// `perfwatch gate`: the session's analysis with the gate evaluated —
/// the same rules `run --gate` applies — plus `--history`. With `--suite`,
/// the newest session of each of the suite's benchmarks, each gated; the
/// command fails when one fails.
pub fn run(ctx: &Context, args: &GateArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let cfg = gate_config(ctx, &args.limits)?;
    let opts = crate::options::analysis_options(&ctx.config, Some(cfg));
    let specs = match &args.suite {
        None => vec![args.session.clone()],
        Some(suite) => {
            if args.session != "latest" {
                return Err(usage(format!(
                    "--suite gates the newest session of each benchmark of the suite; `{}` cannot be added to it",
                    args.session
                )));
            }
            suite_sessions(
                &*store,
                &crate::settings::suite_benchmarks(&ctx.config, suite)?,
            )?
        }
    };
    let mut analyses = Vec::with_capacity(specs.len());
    let mut out = crate::stdout::stdout();
    for spec in &specs {
        let mut analysis = analyze_stored(&*store, spec, args.baseline.as_deref(), &opts)?;
        let mut report = analysis
            .gate
            .take()
            .unwrap_or_else(|| GateReport::new(Vec::new()));
        if args.history {
            report.rules.push(history_rule(&*store, &analysis, &opts)?);
            report.passed = report.rules.iter().all(|r| r.passed);
        }
        if specs.len() > 1 {
            writeln!(
                out,
                "{} · session {}",
                perfwatch_report::printable::printable(&analysis.session.benchmark),
                perfwatch_model::short_id(&analysis.session.id)
            )?;
        }
        crate::render::print_gate(ctx, &report, &mut out)?;
        analysis.gate = Some(report);
        analyses.push(analysis);
    }
    out.flush()?;
    if let Some(path) = &args.markdown_summary {
        crate::render::write_markdown_summary(&analyses, path)?;
    }
    let gates = || analyses.iter().filter_map(|a| a.gate.as_ref());
    if gates().all(|g| g.rules.is_empty()) {
        return Err(usage("no gate rule to evaluate: configure [gates] in perfwatch.toml, pass a limit such as --max-regression-critical 0, or --history"));
    }
    if gates().all(|g| g.passed) {
        Ok(())
    } else {
        Err(SilentExit(exit_codes::GATE_FAILED).into())
    }
}

/// The newest stored session of each benchmark; a benchmark never run is
/// an error that says so.
fn suite_sessions(store: &dyn Store, benchmarks: &[&str]) -> anyhow::Result<Vec<String>> {
    benchmarks
        .iter()
        .map(|name| {
            let filter = SessionFilter {
                benchmark: Some((*name).to_string()),
                limit: Some(1),
                ..SessionFilter::default()
            };
            match store.list_sessions(&filter)?.into_iter().next() {
                Some(row) => Ok(row.session.id),
                None => Err(usage(format!(
                    "the suite's benchmark `{name}` has no stored session: run `perfwatch run {name}` first"
                ))),
            }
        })
        .collect()
}
