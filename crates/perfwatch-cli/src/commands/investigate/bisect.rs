//! `perfwatch bisect`: which commit changed the metric, with statistics.

use super::commit_id;
use super::git::{self, Worktrees};
use super::record::Recording;
use crate::args::BisectArgs;
use crate::context::Context;
use crate::exit::{usage, SilentExit};
use perfwatch_app::adaptive::metric_value;
use perfwatch_app::bisect::{bisect as search, BisectOptions, Probe, ProbeError, Prober};
use perfwatch_app::history::SeriesMetric;
use perfwatch_model::investigation::{BisectOutcome, BisectStep, Commit};
use perfwatch_model::{exit_codes, Iteration, VariantSpec};
use perfwatch_runner::{
    install_signal_handlers, Cancel, Order, Plan, RunCount, RunError, StopRule,
};
use perfwatch_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Run `perfwatch bisect`.
pub fn run(ctx: &Context, args: &BisectArgs) -> anyhow::Result<()> {
    let here = std::env::current_dir()?;
    let repo = git::toplevel(&here)?;
    let metric = SeriesMetric::parse(&args.metric).map_err(|e| usage(format!("--metric: {e}")))?;
    let job = crate::settings::single_job(
        &ctx.config,
        args.benchmark.as_deref(),
        args.variant.as_deref(),
        &args.command,
        &args.schedule(),
    )?;
    perfwatch_runner::check(&job.plan).map_err(|e| usage(e.to_string()))?;
    let cwd = job.plan.cwd.clone().unwrap_or_else(|| here.clone());
    let cwd = std::path::absolute(&cwd)?;
    let inside = cwd
        .strip_prefix(&repo)
        .map(Path::to_path_buf)
        .map_err(|_| {
            usage(format!(
                "the benchmark runs in {}, outside the repository {}: it would not see the commits",
                cwd.display(),
                repo.display()
            ))
        })?;
    let commits = git::range(&repo, &args.good, &args.bad)?;
    let store = ctx.open_store()?;
    let cancel = install_signal_handlers()?;
    let quiet = args.output.quiet;
    if !quiet {
        eprintln!(
            "bisecting {} commits from {} (good) to {} (bad) on {} of {}",
            commits.len(),
            commit_id(&commits[0].id),
            commit_id(&commits[commits.len() - 1].id),
            metric.key(),
            job.benchmark
        );
    }
    let opts = BisectOptions {
        metric: metric.clone(),
        endpoint: perfwatch_app::adaptive::AdaptiveOptions {
            metric: metric.clone(),
            ..Default::default()
        },
        step_max_runs: args.step_runs,
        endpoint_max_rounds: args
            .endpoint_runs
            .unwrap_or(BisectOptions::default().endpoint_max_rounds),
        ..BisectOptions::default()
    };
    let report = {
        let mut prober = GitProber {
            ctx,
            store,
            benchmark: job.benchmark.clone(),
            plan: job.plan,
            inside,
            worktrees: Worktrees::new(&repo, args.build.clone())?,
            commits: commits.clone(),
            metric,
            cancel: cancel.clone(),
            quiet,
            steps: 0,
        };
        search(&job.benchmark, commits, &mut prober, &opts)?
        // The worktrees are removed here, on every way out.
    };
    if !quiet {
        let mut out = std::io::BufWriter::new(crate::stdout::stdout());
        perfwatch_report::investigation::bisect_terminal(&report, &ctx.terminal(), &mut out)?;
        out.flush()?;
    }
    super::write_outputs(
        &args.output,
        &report,
        || perfwatch_report::investigation::bisect_markdown(&report),
        || perfwatch_html::render_bisect(&report),
    )?;
    if report.outcome == BisectOutcome::Interrupted {
        return Err(SilentExit(exit_codes::INTERRUPTED).into());
    }
    Ok(())
}

/// Runs commits, each in its own built worktree, as stored sessions.
struct GitProber<'a> {
    ctx: &'a Context,
    store: Arc<dyn Store>,
    benchmark: String,
    plan: Plan,
    /// Where the benchmark runs, relative to the top of the repository.
    inside: PathBuf,
    worktrees: Worktrees,
    commits: Vec<Commit>,
    metric: SeriesMetric,
    cancel: Cancel,
    quiet: bool,
    steps: usize,
}

impl GitProber<'_> {
    /// The directory the benchmark runs in at `position`'s commit.
    fn directory(&mut self, position: usize) -> Result<PathBuf, ProbeError> {
        let commit = &self.commits[position];
        let tree = self
            .worktrees
            .checkout(&commit.id)
            .map_err(ProbeError::Skip)?;
        if self.cancel.is_cancelled() {
            return Err(ProbeError::Interrupted);
        }
        let dir = tree.join(&self.inside);
        if !dir.is_dir() {
            return Err(ProbeError::Skip(format!(
                "{} does not exist at this commit",
                self.inside.display()
            )));
        }
        Ok(dir)
    }
}

impl Prober for GitProber<'_> {
    fn run(
        &mut self,
        positions: &[usize],
        more: &mut dyn FnMut(&[Option<f64>]) -> bool,
        max_rounds: u32,
    ) -> Result<Probe, ProbeError> {
        let dirs = positions
            .iter()
            .map(|&p| self.directory(p))
            .collect::<Result<Vec<_>, _>>()?;
        let base = self.plan.variants[0].clone();
        // Unique, readable variant names: the endpoints by their role,
        // the commits between by themselves.
        let last = self.commits.len() - 1;
        let names: Vec<String> = positions
            .iter()
            .map(|&p| {
                let role = match p {
                    0 => "good",
                    p if p == last => "bad",
                    _ => "commit",
                };
                format!("{role}@{}", commit_id(&self.commits[p].id))
            })
            .collect();
        let mut plan = self.plan.clone();
        plan.variants = names
            .iter()
            .map(|name| VariantSpec {
                name: name.clone(),
                ..base.clone()
            })
            .collect();
        plan.variant_cwd = dirs.iter().cloned().map(Some).collect();
        plan.cwd = Some(dirs[0].clone());
        plan.runs = RunCount::exact(max_rounds.max(1));
        if plan.order == Order::Sequential {
            plan.order = Order::Interleaved;
        }
        let mut rule = Rounds {
            metric: &self.metric,
            round: vec![None; positions.len()],
            more,
        };
        let recording = Recording {
            ctx: self.ctx,
            store: &self.store,
            benchmark: &self.benchmark,
            cancel: &self.cancel,
            progress: !self.quiet,
        };
        let recorded = recording
            .record(&plan, dirs[0].clone(), &mut rule)
            .map_err(|e| ProbeError::Fatal(crate::errors::chain_text(&e)))?;
        match &recorded.stopped_by {
            None => {}
            Some(RunError::Interrupted) => return Err(ProbeError::Interrupted),
            Some(e) => {
                let message = e.to_string();
                let text = perfwatch_report::printable::printable_lines(&message);
                let first = text.lines().next().unwrap_or("").to_string();
                return Err(ProbeError::Skip(format!("a run failed: {first}")));
            }
        }
        let values = names
            .iter()
            .map(|name| values_of(&recorded.iterations, name, &self.metric))
            .collect();
        Ok(Probe {
            values,
            session_id: Some(recorded.session_id),
        })
    }

    fn planned(&mut self, expected: f64, budget: u32) {
        if self.quiet {
            return;
        }
        let about = expected.round().max(1.0);
        let noun = if about == 1.0 { "round" } else { "rounds" };
        eprintln!(
            "each step runs its commit beside both endpoints: about {about:.0} {noun} expected, {budget} at most"
        );
        if f64::from(budget) < expected {
            eprintln!(
                "warning: the endpoints differ little for their noise; steps will often end ambiguous (raise --step-runs, or quieten the machine)"
            );
        }
    }

    fn step_done(&mut self, step: &BisectStep) {
        self.steps += 1;
        if self.quiet {
            return;
        }
        let runs = match step.runs {
            0 => String::new(),
            1 => " after 1 run".to_string(),
            n => format!(" after {n} runs"),
        };
        let why = step
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        eprintln!(
            "step {}: {} {} is {}{runs}{why}",
            self.steps,
            commit_id(&step.commit.id),
            perfwatch_report::printable::printable_lines(&step.commit.subject),
            step.verdict.label()
        );
    }
}

/// The metric of the counted runs of variant `name`.
fn values_of(iterations: &[Iteration], name: &str, metric: &SeriesMetric) -> Vec<f64> {
    iterations
        .iter()
        .filter(|it| it.variant == name && !it.warmup)
        .filter_map(|it| metric_value(it, metric))
        .filter(|v| *v > 0.0)
        .collect()
}

/// Hands each complete round's values to the bisection.
struct Rounds<'a, 'b> {
    metric: &'a SeriesMetric,
    round: Vec<Option<f64>>,
    more: &'b mut dyn FnMut(&[Option<f64>]) -> bool,
}

impl StopRule for Rounds<'_, '_> {
    fn observe(&mut self, variant: usize, iteration: &Iteration) {
        if let Some(slot) = self.round.get_mut(variant) {
            *slot = metric_value(iteration, self.metric).filter(|v| *v > 0.0);
        }
    }

    fn decided(&mut self) -> bool {
        let n = self.round.len();
        let round = std::mem::replace(&mut self.round, vec![None; n]);
        !(self.more)(&round)
    }
}
