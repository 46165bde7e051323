//! `perfwatch gate` and the `--gate` of `run`/`ab`: rules that turn
//! comparisons, findings and budgets into pass/fail and exit code 4.

use crate::args::{GateArgs, GateFlags};
use crate::context::Context;
use crate::exit::{usage, SilentExit};
use perfwatch_analysis::GateConfig;
use perfwatch_app::gate_history::history_rule;
use perfwatch_app::load::analyze_stored;
use perfwatch_model::{exit_codes, GateReport};
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

/// `perfwatch gate`: the session's analysis with the gate evaluated —
/// the same rules `run --gate` applies — plus `--history`.
pub fn run(ctx: &Context, args: &GateArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let cfg = gate_config(ctx, &args.limits)?;
    let opts = crate::options::analysis_options(&ctx.config, Some(cfg));
    let mut analysis = analyze_stored(&store, &args.session, args.baseline.as_deref(), &opts)?;
    let mut report = analysis
        .gate
        .take()
        .unwrap_or_else(|| GateReport::new(Vec::new()));
    if args.history {
        report.rules.push(history_rule(&store, &analysis, &opts)?);
        report.passed = report.rules.iter().all(|r| r.passed);
    }
    let mut out = crate::stdout::stdout();
    crate::render::print_gate(ctx, &report, &mut out)?;
    out.flush()?;
    let no_rule = report.rules.is_empty();
    let passed = report.passed;
    analysis.gate = Some(report);
    if let Some(path) = &args.markdown_summary {
        crate::render::write_markdown_summary(std::slice::from_ref(&analysis), path)?;
    }
    if no_rule {
        return Err(usage("no gate rule to evaluate: configure [gates] in perfwatch.toml, pass a limit such as --max-regression-critical 0, or --history"));
    }
    if passed {
        Ok(())
    } else {
        Err(SilentExit(exit_codes::GATE_FAILED).into())
    }
}
