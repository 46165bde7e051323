//! A deterministic session of a service benchmark, built from the model
//! types alone (the HTML tests include this file too): two variants under
//! the open model, one clean and one with every kind of failure (error
//! statuses, timeouts, connection errors, late and dropped requests, a
//! service killed after the stop timeout), and one under the closed model.

#![allow(dead_code)]

use perfwatch_model::service::{
    ErrorCounts, ModelKind, Percentiles, ServiceRun, ServiceSummary, StatusCounts,
};
use perfwatch_model::{
    CommandSpec, HostInfo, Iteration, Metric, Session, SessionExport, SessionStatus, Summary,
    VariantExport, VariantSpec, SCHEMA_V1,
};
use std::collections::BTreeMap;

fn summary(n: usize, median: f64, spread: f64) -> Summary {
    Summary {
        n,
        mean: median * 1.01,
        sd: spread,
        median,
        min: median - spread,
        max: median + 2.0 * spread,
        p95: median + 1.5 * spread,
        mad: spread / 2.0,
        ci_low: median - spread / 2.0,
        ci_high: median + spread / 2.0,
        confidence: 0.95,
    }
}

/// The figures one service variant is built from.
pub struct Figures {
    pub model: ModelKind,
    pub startup_s: f64,
    pub shutdown_s: f64,
    pub latency: Percentiles,
    pub throughput_rps: f64,
    pub status: StatusCounts,
    pub timeouts: u64,
    pub errors: ErrorCounts,
    pub late: u64,
    pub dropped: u64,
    pub stop_killed: usize,
}

/// Counted iterations of every variant (plus one warm-up).
const COUNTED: usize = 3;

/// Seconds of load per iteration.
const LOAD_S: f64 = 10.0;

/// A service variant with `COUNTED` iterations of `LOAD_S` seconds.
pub fn service_variant(name: &str, f: &Figures) -> VariantExport {
    let completed = f.status.total();
    let sent = completed + f.timeouts + f.errors.total();
    let due = sent + f.dropped;
    let error_rate = due.saturating_sub(f.status.ok()) as f64 / due as f64;
    let iterations = (0..=COUNTED as u32)
        .map(|i| Iteration {
            index: i,
            variant: name.to_string(),
            warmup: i == 0,
            exit_code: Some(0),
            wall_s: LOAD_S + f.startup_s + f.shutdown_s,
            user_s: Some(1.2),
            sys_s: Some(0.3),
            max_rss_bytes: Some(48 * 1024 * 1024),
            // From JSON, so that fields the renderers do not read keep
            // their defaults as the model grows.
            service: Some(
                serde_json::from_value::<ServiceRun>(serde_json::json!({
                    "port": 41000 + i,
                    "startup_s": f.startup_s,
                    "shutdown_s": f.shutdown_s,
                    "stop_killed": (i as usize) <= f.stop_killed && i > 0,
                }))
                .unwrap(),
            ),
            ..Iteration::default()
        })
        .collect();
    let mut s = BTreeMap::new();
    let mut put = |m: Metric, median: f64, spread: f64| {
        s.insert(m.key().to_string(), summary(COUNTED, median, spread));
    };
    put(Metric::WallS, LOAD_S + f.startup_s + f.shutdown_s, 0.01);
    put(Metric::UserS, 1.2, 0.05);
    put(Metric::SysS, 0.3, 0.01);
    put(Metric::MaxRssBytes, 48.0 * 1024.0 * 1024.0, 4096.0);
    put(Metric::StartupS, f.startup_s, f.startup_s / 20.0);
    put(Metric::ShutdownS, f.shutdown_s, f.shutdown_s / 20.0);
    put(Metric::LatencyP50S, f.latency.p50, f.latency.p50 / 50.0);
    put(Metric::LatencyP90S, f.latency.p90, f.latency.p90 / 50.0);
    put(Metric::LatencyP99S, f.latency.p99, f.latency.p99 / 50.0);
    put(Metric::LatencyP999S, f.latency.p999, f.latency.p999 / 50.0);
    put(Metric::ThroughputRps, f.throughput_rps, 1.0);
    put(Metric::ErrorRate, error_rate, 0.0);
    VariantExport {
        name: name.to_string(),
        description: None,
        iterations,
        summary: s,
        stages: vec![],
        warnings: vec![],
        gpu: None,
        app_metrics: BTreeMap::new(),
        service: Some(ServiceSummary {
            iterations: COUNTED,
            model: Some(f.model),
            coordinated_omission_caveat: f.model.coordinated_omission_caveat(),
            duration_s: LOAD_S * COUNTED as f64,
            sent,
            completed,
            throughput_rps: f.throughput_rps,
            status: f.status,
            timeouts: f.timeouts,
            errors: f.errors,
            late: f.late,
            dropped: f.dropped,
            error_rate: Some(error_rate),
            latency_s: Some(f.latency),
            latency_histogram: String::new(),
            stop_killed: f.stop_killed,
        }),
    }
}

fn ok(n: u64) -> StatusCounts {
    StatusCounts {
        success: n,
        ..StatusCounts::default()
    }
}

/// The three variants' names; the last is hostile in the HTML tests.
pub const NAMES: [&str; 3] = ["baseline", "pooled", "closed-8"];

/// The session: `baseline` and `pooled` at 200 requests a second (open
/// model), `closed-8` with eight workers (closed model).
pub fn export() -> SessionExport {
    let baseline = service_variant(
        NAMES[0],
        &Figures {
            model: ModelKind::Open,
            startup_s: 0.182,
            shutdown_s: 0.041,
            latency: Percentiles {
                p50: 0.0021,
                p90: 0.0042,
                p99: 0.0098,
                p999: 0.0214,
                max: 0.0482,
            },
            throughput_rps: 200.0,
            status: ok(6000),
            timeouts: 0,
            errors: ErrorCounts::default(),
            late: 0,
            dropped: 0,
            stop_killed: 0,
        },
    );
    let pooled = service_variant(
        NAMES[1],
        &Figures {
            model: ModelKind::Open,
            startup_s: 1.25,
            shutdown_s: 5.0,
            latency: Percentiles {
                p50: 0.0018,
                p90: 0.0061,
                p99: 0.0873,
                p999: 0.412,
                max: 1.93,
            },
            throughput_rps: 198.3,
            status: StatusCounts {
                success: 5920,
                client_error: 3,
                server_error: 20,
                other: 1,
                ..StatusCounts::default()
            },
            timeouts: 10,
            errors: ErrorCounts {
                connect: 2,
                transport: 1,
            },
            late: 12,
            dropped: 43,
            stop_killed: 2,
        },
    );
    let closed = service_variant(
        NAMES[2],
        &Figures {
            model: ModelKind::Closed,
            startup_s: 0.179,
            shutdown_s: 0.039,
            latency: Percentiles {
                p50: 0.00312,
                p90: 0.0051,
                p99: 0.0113,
                p999: 0.0197,
                max: 0.0301,
            },
            throughput_rps: 2431.7,
            status: ok(72951),
            timeouts: 0,
            errors: ErrorCounts::default(),
            late: 0,
            dropped: 0,
            stop_killed: 0,
        },
    );
    let variants = vec![baseline, pooled, closed];
    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session: Session {
            id: "5e7c1ce0ab12cd34".to_string(),
            started_at: "2026-12-06T23:00:00Z".to_string(),
            finished_at: Some("2026-12-06T23:02:00Z".to_string()),
            benchmark: "api_latency".to_string(),
            command: CommandSpec {
                argv: vec!["./server".into(), "--port".into(), "{port}".into()],
                shell: false,
            },
            variants: variants
                .iter()
                .map(|v| VariantSpec {
                    name: v.name.clone(),
                    ..VariantSpec::default()
                })
                .collect(),
            git: None,
            host: HostInfo {
                hostname: Some("build-01".into()),
                os: "linux".into(),
                kernel: Some("6.1.0-18-amd64".into()),
                cpu_model: Some("AMD EPYC 7763".into()),
                cores: Some(16),
                memory_bytes: Some(64 * 1024 * 1024 * 1024),
            },
            perfwatch_version: "0.1.0".into(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        },
        variants,
        comparisons: vec![],
        findings: vec![],
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}
