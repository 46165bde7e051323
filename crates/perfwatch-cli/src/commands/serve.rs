//! `perfwatch serve`: the team server's HTTP API over the history.

use crate::args::ServeArgs;
use crate::context::Context;
use crate::exit::usage;
use perfwatch_app::monitor::webhooks::Webhook;
use perfwatch_app::monitor::MonitorConfig;
use perfwatch_metrics::MetricsHub;
use perfwatch_server::live::live_routes;
use perfwatch_server::monitor::{monitor_routes, MonitorSettings};
use perfwatch_server::serve::SHUTDOWN_GRACE;
use perfwatch_server::tokens::any_active;
use perfwatch_server::watch::follow;
use perfwatch_server::{
    check_exposure, shutdown_signal, AccessPolicy, AppState, Listening, ServeError, ServerBuilder,
    API_PREFIX,
};
use std::sync::Arc;

/// Serve until Ctrl-C or SIGTERM.
pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<()> {
    let refused = |e: ServeError| match e {
        ServeError::ExposedWithoutTokens { .. } => usage(e.to_string()),
        other => other.into(),
    };
    // Refused before anything is created: a history that does not exist
    // yet has no token.
    if !args.listen.ip().is_loopback() && !ctx.db.may_have_history() {
        return Err(refused(ServeError::ExposedWithoutTokens {
            addr: args.listen,
        }));
    }
    let webhooks = args
        .webhook
        .iter()
        .map(|url| Webhook::new(url).map_err(|e| usage(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let store = ctx.open_store()?;
    let monitor_config = MonitorConfig {
        pipelines: ctx.config.file.monitor.clone(),
        ..MonitorConfig::default()
    };
    monitor_config.check(&*store).map_err(|e| {
        let file = ctx
            .config
            .path
            .as_deref()
            .unwrap_or(std::path::Path::new("perfwatch.toml"));
        usage(format!("{}: {e}", file.display()))
    })?;
    check_exposure(&args.listen, &*store).map_err(refused)?;
    let tokens = any_active(&*store)?;
    let policy = AccessPolicy {
        read_token_required: args.read_token_required,
    };
    let location = store.location();
    let options = crate::options::analysis_options(&ctx.config, None);
    // `store` itself lives until after the runtime: the last handle must
    // not be dropped on a runtime thread (PostgreSQL's client blocks on a
    // runtime of its own when it closes).
    let state = AppState::new(store.clone(), options, policy, args.max_body)
        .with_memo_capacity(args.analysis_cache as u64)
        .with_monitor_config(monitor_config);
    let hub = Arc::new(MetricsHub::new(args.max_series));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Inside the runtime: these start tasks.
        follow(state.clone(), hub.clone(), args.poll);
        let live = live_routes(&state);
        let (monitor, settling) = monitor_routes(
            &state,
            MonitorSettings {
                settle: args.monitor_settle,
                webhooks: webhooks.clone(),
                hub: Some(hub.clone()),
                ..MonitorSettings::default()
            },
        );
        let router = ServerBuilder::new(state)
            .with_metrics(hub)
            .routes(live)
            .routes(monitor)
            .build();
        let listening = Listening::bind(args.listen).await?;
        // Before "Ctrl-C stops it" is said: a signal from then on stops
        // the server cleanly.
        let stop = shutdown_signal();
        let addr = listening.local_addr();
        eprintln!("perfwatch serve: listening on http://{addr} (history: {location})");
        eprintln!("  live dashboard: http://{addr}/  ·  Prometheus: http://{addr}/metrics");
        eprintln!(
            "  API: http://{addr}{API_PREFIX}/  ·  OpenAPI: http://{addr}{API_PREFIX}/openapi.json"
        );
        eprintln!("  OTLP/HTTP: OTEL_EXPORTER_OTLP_ENDPOINT=http://{addr}");
        for hook in &webhooks {
            eprintln!("  alerts to webhook {}", hook.redacted());
        }
        if !tokens {
            eprintln!(
                "  no API token yet, so writes are refused: perfwatch token create --write --name NAME"
            );
        } else if !args.read_token_required && !args.listen.ip().is_loopback() {
            eprintln!("  reads need no token (--read-token-required changes that)");
        }
        eprintln!("  Ctrl-C stops it");
        let served = listening.serve(router, stop, SHUTDOWN_GRACE).await;
        // Runs acknowledged but still settling are stored, not lost.
        let flushed = settling.flush().await;
        if flushed.stored > 0 {
            eprintln!(
                "perfwatch serve: stored {} monitored run(s) still settling",
                flushed.stored
            );
        }
        if flushed.dropped > 0 {
            eprintln!(
                "perfwatch serve: {} trace(s) without a root span dropped",
                flushed.dropped
            );
        }
        served
    })?;
    drop(runtime);
    drop(store);
    eprintln!("perfwatch serve: stopped");
    Ok(())
}
