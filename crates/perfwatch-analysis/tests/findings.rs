//! End to end through the public API, as the CLI uses it: options and
//! gates from a TOML file, a session as exported JSON, then diagnose →
//! health → gate.

use perfwatch_analysis::{diagnose, evaluate, health, FindingOptions, GateConfig};
use perfwatch_model::SessionExport;
use serde::Deserialize;
use serde_json::json;

/// The `[findings]` and `[gates]` tables of a configuration file.
#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    findings: FindingOptions,
    #[serde(default)]
    gates: GateConfig,
}

/// Eight runs of a job that sleeps 500 ms twice around 400 ms of work,
/// as exported JSON (`perfwatch.session.v1`), with a 50 ms timeline.
fn export() -> SessionExport {
    let iterations: Vec<serde_json::Value> = (0..8)
        .map(|i| {
            let jitter = f64::from(i) * 1e-4;
            // (name, start, end, busy)
            let steps = [
                ("sleep", 0.0, 0.5003 + jitter, false),
                ("work", 0.5003 + jitter, 0.9003, true),
                ("sleep", 0.9003, 1.4006 + jitter, false),
            ];
            let wall = 1.41 + jitter;
            let mut stages = vec![json!({"id": 1, "parent": null, "name": "job", "tier": "system",
                "start_s": 0.0, "end_s": wall - 0.005, "ok": true})];
            for (n, (name, start, end, _)) in steps.iter().enumerate() {
                stages.push(json!({"id": n + 2, "parent": 1, "name": name, "tier": "method",
                    "start_s": start, "end_s": end, "ok": true}));
            }
            let timeline: Vec<serde_json::Value> = (1..=28)
                .map(|k| {
                    let t = f64::from(k) * 0.05;
                    let busy = steps.iter().any(|&(_, s, e, b)| b && t > s + 0.025 && t <= e + 0.025);
                    json!({"t_s": t, "cpu_pct": if busy { 99.0 } else { 0.5 }, "rss_bytes": 20_000_000,
                        "threads": 1, "processes": 1, "read_bps": 0.0, "write_bps": 0.0})
                })
                .collect();
            json!({"index": i, "variant": "main", "warmup": false, "exit_code": 0, "signal": null,
                "timed_out": false, "wall_s": wall, "user_s": 0.40, "sys_s": 0.01,
                "max_rss_bytes": 20_000_000, "read_bytes": 0, "write_bytes": 0,
                "timeline": timeline, "stages": stages})
        })
        .collect();
    serde_json::from_value(json!({
        "schema": "perfwatch.session.v1",
        "session": {"id": "abc", "started_at": "2025-01-01T00:00:00Z", "benchmark": "job",
            "command": {"argv": ["./job"]}, "git": null, "host": {"os": "linux"},
            "perfwatch_version": "0.1.0", "status": "complete"},
        "variants": [{"name": "main", "iterations": iterations, "summary": {}}],
    }))
    .expect("a valid export")
}

#[test]
fn a_blind_sleep_is_found_scored_and_gated() {
    let cfg: Config = toml::from_str(
        r#"
        [gates]
        min_health_score = 90
        max_regression_high = 0
        [gates.stage."job/sleep"]
        p50_s = 0.5
        "#,
    )
    .unwrap();
    cfg.findings.validate().unwrap();
    cfg.gates.validate().unwrap();
    let export = export();
    let findings = diagnose(&export, &cfg.findings);
    let wait = &findings[0];
    assert_eq!(wait.kind, "fixed_wait", "{findings:#?}");
    assert_eq!(wait.stage.as_deref(), Some("job/sleep"));
    // No other variant shows the condition: half of 2 × 500 ms is claimed.
    assert!((wait.impact_s - 0.5).abs() < 0.01, "{}", wait.impact_s);
    assert_eq!(wait.evidence["condition_observed"], 0.0);

    let h = health(&export, &findings);
    assert!(h.score < 90, "{h:?}");
    assert_eq!(h.breakdown[0].0, "finding fixed_wait `job/sleep` [main]");

    let report = evaluate(&cfg.gates, &export, &h);
    let outcome: Vec<(&str, bool)> = report
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.passed))
        .collect();
    assert_eq!(
        outcome,
        [
            ("max_regression_high", true),
            ("min_health_score", false),
            ("stage.\"job/sleep\".p50_s", false)
        ]
    );
    assert!(!report.passed);
    assert!(
        report.rules[2]
            .detail
            .starts_with("median 1.00 s exceeds 500 ms by 501 ms"),
        "{}",
        report.rules[2].detail
    );
    // The report and the health go into JSON as they are.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rules"][1]["limit"], "≥ 90");
    assert!(serde_json::to_string(&h)
        .unwrap()
        .starts_with("{\"score\":"));
}

#[test]
fn findings_options_tune_the_rules() {
    let cfg: Config = toml::from_str(
        r#"
        [findings]
        disable = ["idle", "bottleneck"]
        [findings.fixed_wait]
        unobserved_fraction = 0.25
        "#,
    )
    .unwrap();
    let findings = diagnose(&export(), &cfg.findings);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!((findings[0].impact_s - 0.25).abs() < 0.01);
    let cfg: Config =
        toml::from_str("[findings]\ndisable = [\"fixed_wait\", \"idle\", \"bottleneck\"]").unwrap();
    let findings = diagnose(&export(), &cfg.findings);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(health(&export(), &findings).score, 100);
    assert!(toml::from_str::<Config>("[findings]\nfixed_wait_cv = 1").is_err());
}
