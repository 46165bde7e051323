//! The service rules through [`diagnose`]: a concurrency scan of a service
//! that starts slowly, misses its cache, saturates at 4 concurrent
//! requests and fails at the highest load.

use crate::findings::testkit::{assert_states_its_saving, load, run, scan, variant};
use crate::findings::{diagnose, FindingOptions};
use perfwatch_model::{Finding, Iteration, SessionExport, VariantExport};

/// Five runs at one concurrency: a 1.6 s CPU-bound start-up, 2 s of load
/// at `rps` with p99 `p99_s`, `failed` 5xx answers per run, and a cache
/// that hits 20 % of lookups.
fn level(concurrency: u32, rps: f64, p99_s: f64, failed: u64) -> VariantExport {
    let its: Vec<Iteration> = (0..5)
        .map(|i| {
            let mut l = load(rps, p99_s / 4.0, p99_s);
            l.status.success -= failed;
            l.status.server_error += failed;
            let mut r = run(i).service(1.6, 0.05, Some(l));
            r.advance(1.598, true);
            r.advance(2.0, true);
            let mut it = r.finish();
            it.counters.insert("demo_cache_hits_total".into(), 200.0);
            it.counters
                .insert("demo_cache_lookups_total".into(), 1000.0);
            it.gauges.insert("demo_pool_size".into(), 4.0);
            it
        })
        .collect();
    variant(&format!("c{concurrency}"), its)
}

fn demo_scan() -> SessionExport {
    scan(
        "concurrency",
        vec![
            ("1", level(1, 100.0, 0.012, 0)),
            ("2", level(2, 195.0, 0.013, 0)),
            ("4", level(4, 380.0, 0.014, 0)),
            ("8", level(8, 390.0, 0.040, 0)),
            ("16", level(16, 385.0, 0.150, 120)),
        ],
    )
}

fn of<'a>(fs: &'a [Finding], kind: &str) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.kind == kind).collect()
}

#[test]
fn a_saturating_service_scan_is_diagnosed_once_per_cause() {
    let fs = diagnose(&demo_scan(), &FindingOptions::default());
    fs.iter().for_each(assert_states_its_saving);

    // The same start-up in every variant: one finding, every variant in
    // it, no saving claimed (none starts faster).
    let startup = of(&fs, "slow_startup");
    assert_eq!(startup.len(), 1, "{fs:#?}");
    assert_eq!(startup[0].variants.len(), 5);
    assert_eq!(startup[0].impact_s, 0.0);
    assert!(
        startup[0].title.contains("CPU-bound"),
        "{}",
        startup[0].title
    );

    let knee = of(&fs, "saturation_knee");
    assert_eq!(knee.len(), 1, "{fs:#?}");
    assert_eq!(knee[0].variant.as_deref(), Some("c4"));
    assert!(knee[0].variants.is_empty());
    assert!(
        knee[0]
            .title
            .starts_with("Throughput flat beyond 4 concurrent"),
        "{}",
        knee[0].title
    );

    let cache = of(&fs, "low_cache_hit_rate");
    assert_eq!(cache.len(), 1, "{fs:#?}");
    assert_eq!(cache[0].evidence["hit_rate"], 0.2);

    // Only the highest load fails.
    let errors = of(&fs, "load_errors");
    assert_eq!(errors.len(), 1, "{fs:#?}");
    assert_eq!(errors[0].variant.as_deref(), Some("c16"));
    assert_eq!(errors[0].evidence["status_5xx"], 600.0);
}

#[test]
fn the_service_rules_can_be_disabled() {
    let opts = FindingOptions {
        disable: vec![
            "slow_startup".into(),
            "saturation_knee".into(),
            "low_cache_hit_rate".into(),
            "load_errors".into(),
        ],
        ..Default::default()
    };
    let fs = diagnose(&demo_scan(), &opts);
    let service = [
        "slow_startup",
        "saturation_knee",
        "low_cache_hit_rate",
        "load_errors",
    ];
    assert!(
        !fs.iter().any(|f| service.contains(&f.kind.as_str())),
        "{fs:#?}"
    );
}

#[test]
fn thresholds_come_from_the_service_table() {
    let opts: FindingOptions =
        toml::from_str("[service]\nstartup_slow_s = 5.0\ncache_hit_rate_low = 0.1\n").unwrap();
    let fs = diagnose(&demo_scan(), &opts);
    assert!(of(&fs, "slow_startup").is_empty(), "{fs:#?}");
    assert!(of(&fs, "low_cache_hit_rate").is_empty(), "{fs:#?}");
    assert_eq!(of(&fs, "saturation_knee").len(), 1);
}
