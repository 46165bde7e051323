//! `perfwatch attribute`: which of the settings two variants differ in
//! made the difference, and where its time went.

use super::record::Recording;
use crate::args::AttributeArgs;
use crate::context::Context;
use crate::exit::{usage, SilentExit};
use perfwatch_app::attribute::{
    attribution, differing_factors, row_variants, FactorialRule, RowRuns,
};
use perfwatch_model::investigation::{AttributionReport, Factor};
use perfwatch_model::{exit_codes, VariantSpec};
use perfwatch_runner::{install_signal_handlers, Cancel, Order, Plan, RunCount, RunError};
use perfwatch_stats::factorial::{full_factorial, screening_design, Design, DesignKind};
use perfwatch_store::Store;
use std::io::Write;
use std::sync::Arc;

/// Most settings confirmed after a screening design.
const CONFIRM_AT_MOST: usize = 3;

/// Run `perfwatch attribute`.
pub fn run(ctx: &Context, args: &AttributeArgs) -> anyhow::Result<()> {
    let job = crate::settings::single_job(
        &ctx.config,
        Some(&args.benchmark),
        None,
        &[],
        &args.schedule(),
    )?;
    let find = |name: &str| -> anyhow::Result<VariantSpec> {
        job.plan
            .variants
            .iter()
            .find(|v| v.name == name)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = job.plan.variants.iter().map(|v| v.name.as_str()).collect();
                usage(format!(
                    "benchmark `{}` has no variant `{name}` (known: {})",
                    args.benchmark,
                    known.join(", ")
                ))
            })
    };
    let base = find(&args.baseline)?;
    let cand = find(&args.candidate)?;
    let factors = differing_factors(&base, &cand);
    if factors.is_empty() {
        return Err(usage(format!(
            "`{}` and `{}` do not differ in any setting (environment, arguments or command): nothing to attribute",
            base.name, cand.name
        )));
    }
    let design = screening_design(factors.len()).ok_or_else(|| {
        usage(format!(
            "`{}` and `{}` differ in {} settings; perfwatch attributes at most 23",
            base.name,
            cand.name,
            factors.len()
        ))
    })?;
    perfwatch_runner::check(&job.plan).map_err(|e| usage(e.to_string()))?;
    let store = ctx.open_store()?;
    let cancel = install_signal_handlers()?;
    let study = Study {
        ctx,
        store: &store,
        args,
        plan: &job.plan,
        base: &base,
        cand: &cand,
        cancel: &cancel,
    };
    let Some(mut report) = study.measure(&factors, &design)? else {
        return Err(SilentExit(exit_codes::INTERRUPTED).into());
    };
    if design.kind == DesignKind::PlackettBurman {
        let top: Vec<Factor> = report
            .wall
            .iter()
            .filter(|t| t.factors.len() == 1 && t.significant)
            .take(CONFIRM_AT_MOST)
            .filter_map(|t| factors.iter().find(|f| f.name == t.factors[0]).cloned())
            .collect();
        if let Some(full) = full_factorial(top.len()) {
            if !args.output.quiet {
                eprintln!(
                    "confirming the {} settings that mattered with a full design",
                    top.len()
                );
            }
            match study.measure(&top, &full)? {
                Some(confirmed) => report.confirmation = Some(Box::new(confirmed)),
                None => return Err(SilentExit(exit_codes::INTERRUPTED).into()),
            }
        }
    }
    if !args.output.quiet {
        let mut out = std::io::BufWriter::new(crate::stdout::stdout());
        perfwatch_report::investigation::attribution_terminal(&report, &ctx.terminal(), &mut out)?;
        out.flush()?;
    }
    super::write_outputs(
        &args.output,
        &report,
        || perfwatch_report::investigation::attribution_markdown(&report),
        || perfwatch_html::render_attribution(&report),
    )
}

/// What every design of one attribution shares.
struct Study<'a> {
    ctx: &'a Context,
    store: &'a Arc<dyn Store>,
    args: &'a AttributeArgs,
    plan: &'a Plan,
    base: &'a VariantSpec,
    cand: &'a VariantSpec,
    cancel: &'a Cancel,
}

impl Study<'_> {
    /// Run `design` over `factors` as one session and fit the effects;
    /// `None` when interrupted.
    fn measure(
        &self,
        factors: &[Factor],
        design: &Design,
    ) -> anyhow::Result<Option<AttributionReport>> {
        let variants = row_variants(self.base, self.cand, factors, &design.rows);
        let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
        let mut plan = self.plan.clone();
        plan.variants = variants;
        plan.order = Order::Shuffled {
            seed: self.args.seed,
        };
        let fixed = self.args.runs;
        plan.runs =
            RunCount::exact(fixed.unwrap_or(self.args.max_runs.unwrap_or(DEFAULT_MAX_ROUNDS)));
        let min_rounds = min_rounds(design);
        let mut rule = FactorialRule::new(design, 0.01, 0.02, min_rounds);
        let mut fixed_rule = perfwatch_runner::NeverStop;
        if !self.args.output.quiet {
            let how = match fixed {
                Some(n) => format!("{n} runs of each"),
                None => format!(
                    "rounds until every setting is decided (at least {min_rounds}, at most {})",
                    plan.runs.exact.unwrap_or(0)
                ),
            };
            eprintln!(
                "attributing `{}` → `{}` over {} settings: {} design of {} rows, {how}",
                self.base.name,
                self.cand.name,
                factors.len(),
                match design.kind {
                    DesignKind::Full => "a full",
                    DesignKind::PlackettBurman => "a Plackett–Burman",
                },
                design.rows.len()
            );
        }
        let here = plan
            .cwd
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let recording = Recording {
            ctx: self.ctx,
            store: self.store,
            benchmark: &self.args.benchmark,
            cancel: self.cancel,
            progress: !self.args.output.quiet,
        };
        let recorded = recording.record(
            &plan,
            here,
            if fixed.is_some() {
                &mut fixed_rule
            } else {
                &mut rule
            },
        )?;
        match &recorded.stopped_by {
            None => {}
            Some(RunError::Interrupted) => return Ok(None),
            Some(e) => {
                return Err(crate::exit::with_code(
                    e.exit_code(),
                    format!(
                        "{}; the runs so far are kept in session {}",
                        perfwatch_report::printable::printable_lines(&e.to_string()),
                        perfwatch_model::short_id(&recorded.session_id)
                    ),
                ))
            }
        }
        let per_row = recorded
            .iterations
            .iter()
            .filter(|it| !it.warmup && it.variant == names[0])
            .count() as u32;
        let runs = RowRuns {
            design,
            variants: &names,
            iterations: &recorded.iterations,
        };
        attribution(
            &self.args.benchmark,
            &self.base.name,
            &self.cand.name,
            factors,
            runs,
            &recorded.session_id,
            per_row,
        )
        .map(Some)
        .ok_or_else(|| {
            crate::exit::with_code(
                exit_codes::COMMAND_FAILED,
                format!(
                    "too few successful runs to estimate the effects (session {}); run more with -r",
                    perfwatch_model::short_id(&recorded.session_id)
                ),
            )
        })
    }
}

/// Most rounds of an adaptive attribution without `--max-runs`.
const DEFAULT_MAX_ROUNDS: u32 = 30;

/// Fewest rounds: enough residual degrees of freedom for the fit.
fn min_rounds(design: &Design) -> u32 {
    let rows = design.rows.len() as u32;
    // 24 runs or 3 rounds, whichever is more.
    3u32.max(24u32.div_ceil(rows.max(1)))
}
