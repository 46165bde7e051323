//! One iteration of a service benchmark: start the service on a free
//! port, wait until it is ready, scrape its metrics, drive the load,
//! scrape again, stop it — and account for all of it as an [`Iteration`].

use crate::cancel::Cancel;
use crate::command::{environment, shell_quote};
use crate::error::RunError;
use crate::measure::{
    assemble_collected, begin_sources, finish_sources, unix_ns_now, Context, Ended,
};
use crate::plan::{Plan, ServicePlan};
use crate::service::scrape::{self, Exposition};
use crate::service::{self, ServiceSpec, PORT_PLACEHOLDER};
use crate::source::SpanSource;
use perfwatch_load::{LoadReport, LoadSpec, Model};
use perfwatch_model::{CommandSpec, Iteration, ServiceRun};
use std::time::Duration;

/// How often a running load looks at the cancel token.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// Run iteration `index` of variant `v` of a service plan and measure it.
pub(crate) fn measure(
    ctx: &Context<'_>,
    v: usize,
    warmup: bool,
    index: u32,
    sources: &mut [Box<dyn SpanSource>],
    cancel: &Cancel,
) -> Result<Ended, RunError> {
    let plan = ctx.plan;
    let sp = plan.service.as_ref().expect("a service plan");
    let variant = &plan.variants[v];
    let fail = |message: String, stderr_tail: Option<String>| RunError::Service {
        variant: variant.name.clone(),
        index,
        message,
        stderr_tail,
    };
    let port = service::free_port().map_err(|e| RunError::io("find a free port", e))?;
    let mut env = environment(plan, Some(variant), Some(index));
    begin_sources(plan, sources, index, &mut env)?;
    let mut spec = ServiceSpec::new(variant_command(plan, v), sp.ready.clone());
    spec.env = env;
    spec.cwd = plan.cwd_for(v).map(ToOwned::to_owned);
    spec.ready_timeout = sp.ready_timeout;
    spec.stop_timeout = sp.stop_timeout;
    spec.sample_interval = plan.sample_interval;
    spec.gpu = plan.gpu.clone();
    spec.live = plan.live.clone();
    spec.cancel = Some(cancel.clone());
    let spawn_unix_ns = unix_ns_now();
    let running = match service::start(&spec, port) {
        Ok(running) => running,
        Err(e) => {
            finish_sources(sources, index, plan.max_spans);
            if cancel.is_cancelled() {
                return Ok(Ended::Cancelled);
            }
            return Err(fail(
                format!("failed to {}", e.headline()),
                e.stderr_tail().cloned(),
            ));
        }
    };
    let url = |u: &str| u.replace(PORT_PLACEHOLDER, &port.to_string());
    let metrics_url = sp.metrics.as_deref().map(url);
    // A failure from here on drops `running`, which kills the tree.
    let outcome = (|| -> Result<Option<_>, String> {
        let before = metrics_url.as_deref().map(scrape::scrape).transpose()?;
        let report = match &sp.load {
            Some(load) => match drive(&load_spec(load, port, &plan.variants[v]), cancel) {
                Some(r) => Some(r.map_err(|e| format!("failed to drive the load: {e}"))?),
                None => return Ok(None),
            },
            None => None,
        };
        let after = metrics_url.as_deref().map(scrape::scrape).transpose()?;
        Ok(Some((before, report, after)))
    })();
    let (before, report, after) = match outcome {
        Ok(Some(done)) => done,
        Ok(None) => {
            drop(running);
            finish_sources(sources, index, plan.max_spans);
            return Ok(Ended::Cancelled);
        }
        Err(message) => {
            let command = running.command().to_string();
            drop(running);
            finish_sources(sources, index, plan.max_spans);
            return Err(fail(format!("service `{command}`: {message}"), None));
        }
    };
    let exited_early = running.has_exited();
    let stopped = running.stop();
    let collected = finish_sources(sources, index, plan.max_spans);
    let stopped = stopped.map_err(|e| fail(format!("failed to {}", e.headline()), None))?;
    let load = report
        .as_ref()
        .map(LoadReport::summary)
        .transpose()
        .map_err(|e| fail(format!("failed to summarise the load: {e}"), None))?;
    let assembled = assemble_collected(collected, spawn_unix_ns);
    let (exit_code, signal) = stopped.status.code_and_signal();
    let mut counters = assembled.counters;
    let mut gauges = assembled.gauges;
    if let (Some(before), Some(after)) = (&before, &after) {
        let Exposition {
            counters: c,
            gauges: g,
        } = scrape::difference(before, after);
        counters.extend(c);
        gauges.extend(g);
    }
    let mut it = Iteration {
        index,
        variant: variant.name.clone(),
        warmup,
        exit_code,
        signal,
        timed_out: false,
        wall_s: stopped.wall_s,
        user_s: Some(stopped.user_s),
        sys_s: Some(stopped.sys_s),
        max_rss_bytes: Some(stopped.max_rss_bytes),
        peak_tree_rss_bytes: stopped.peak_tree_rss_bytes,
        read_bytes: stopped.read_bytes,
        write_bytes: stopped.write_bytes,
        voluntary_cs: Some(stopped.voluntary_cs),
        involuntary_cs: Some(stopped.involuntary_cs),
        timeline: stopped.timeline,
        stages: assembled.spans,
        counters,
        gauges,
        dropped_spans: assembled.dropped,
        stderr_tail: None,
        service: Some(ServiceRun {
            port,
            startup_s: stopped.startup_s,
            shutdown_s: stopped.shutdown_s.unwrap_or(0.0),
            stop_killed: stopped.killed,
            exited_early: exited_early || stopped.shutdown_s.is_none(),
            load,
            scraped: metrics_url,
        }),
    };
    if !it.succeeded() {
        it.stderr_tail = stopped.stderr_tail;
    }
    Ok(Ended::Finished {
        iteration: Box::new(it),
        leftovers: stopped.left_running,
    })
}

/// Variant `v`'s command: the plan's (or the variant's own) with the
/// variant's arguments appended — quoted onto a shell string.
fn variant_command(plan: &Plan, v: usize) -> CommandSpec {
    let mut command = plan.command_for(v).clone();
    let args = &plan.variants[v].args;
    if command.shell {
        let mut script = command.argv.join(" ");
        for arg in args {
            script.push(' ');
            script.push_str(&shell_quote(arg));
        }
        command.argv = vec![script];
    } else {
        command.argv.extend(args.iter().cloned());
    }
    command
}

/// The plan's load aimed at `port`, with the model's figure a scanned
/// `rate` or `concurrency` parameter of the variant gives.
fn load_spec(load: &LoadSpec, port: u16, variant: &perfwatch_model::VariantSpec) -> LoadSpec {
    let mut spec = load.clone();
    spec.target = spec.target.replace(PORT_PLACEHOLDER, &port.to_string());
    for (name, value) in &variant.parameters {
        match (name.as_str(), &mut spec.model) {
            ("rate", Model::Open { rate, .. }) => {
                if let Ok(r) = value.parse::<f64>() {
                    *rate = r;
                }
            }
            ("concurrency", Model::Closed { concurrency }) => {
                if let Ok(c) = value.parse::<usize>() {
                    *concurrency = c;
                }
            }
            ("concurrency", Model::Open { .. }) => {
                if let Ok(c) = value.parse::<usize>() {
                    spec.model = Model::closed(c);
                }
            }
            ("rate", Model::Closed { .. }) => {
                if let Ok(r) = value.parse::<f64>() {
                    spec.model = Model::open(r);
                }
            }
            _ => {}
        }
    }
    spec
}

/// Run the load on a runtime of its own; `None` when `cancel` fired first
/// (the load is abandoned, its connections closed).
fn drive(
    spec: &LoadSpec,
    cancel: &Cancel,
) -> Option<Result<LoadReport, perfwatch_load::LoadError>> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return Some(Err(perfwatch_load::LoadError::Runtime(e))),
    };
    runtime.block_on(async {
        tokio::select! {
            report = perfwatch_load::run(spec) => Some(report),
            () = cancelled(cancel) => None,
        }
    })
}

async fn cancelled(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(CANCEL_POLL).await;
    }
}

/// The check a plan's service part gets before anything runs.
pub(crate) fn check(sp: &ServicePlan) -> Result<(), String> {
    if let Some(load) = &sp.load {
        let probe = load_spec(load, 1, &Default::default());
        perfwatch_load::check(&probe).map_err(|e| e.to_string())?;
    }
    Ok(())
}
