//! A hand-made, deterministic session export covering the cases renderers
//! must get right: two variants, a warm-up, a timed-out iteration, a figure
//! that was not measured, comparisons with each verdict (primary and
//! secondary), stages, a finding and a warning.

use perfwatch_model::*;
use std::collections::BTreeMap;

fn summary(n: usize, median: f64, spread: f64) -> Summary {
    Summary {
        n,
        mean: median * 1.01,
        sd: spread,
        median,
        min: median - 2.0 * spread,
        max: median + 3.0 * spread,
        p95: median + 2.5 * spread,
        mad: spread / 2.0,
        ci_low: median - spread / 2.0,
        ci_high: median + spread / 2.0,
        confidence: 0.95,
    }
}

#[allow(clippy::too_many_arguments)]
fn iteration(
    index: u32,
    variant: &str,
    warmup: bool,
    wall_s: f64,
    exit_code: Option<i32>,
    timed_out: bool,
    user_s: Option<f64>,
) -> Iteration {
    Iteration {
        index,
        variant: variant.to_string(),
        warmup,
        exit_code,
        signal: if timed_out { Some(9) } else { None },
        timed_out,
        wall_s,
        user_s,
        sys_s: user_s.map(|u| u / 8.0),
        max_rss_bytes: Some(120 * 1024 * 1024 + u64::from(index) * 4096),
        peak_tree_rss_bytes: Some(300 * 1024 * 1024),
        read_bytes: Some(12 * 1024 * 1024),
        write_bytes: Some(3 * 1024 * 1024),
        voluntary_cs: Some(1200 + u64::from(index)),
        involuntary_cs: Some(40),
        ..Iteration::default()
    }
}

fn stage(
    path: &str,
    tier: Tier,
    component: Option<&str>,
    calls: f64,
    median: f64,
    share: f64,
    failed: u64,
) -> StageSummary {
    StageSummary {
        gpu_busy_pct: None,
        peak_gpu_memory_bytes: None,
        name: path.rsplit('/').next().unwrap_or(path).to_string(),
        path: path.to_string(),
        tier,
        component: component.map(str::to_string),
        calls,
        failed_calls: failed,
        total_s: summary(4, median, median / 20.0),
        self_s: None,
        share,
        parent: None,
        depth: None,
        first_call_s: None,
        later_call_s: None,
        cpu_pct: None,
        folded_levels: 0,
    }
}

#[allow(clippy::too_many_arguments)]
fn comparison(
    metric: &str,
    stage: Option<&str>,
    base: f64,
    cand: f64,
    ci: (f64, f64),
    p: f64,
    severity: Severity,
    verdict: Verdict,
    note: Option<&str>,
) -> Comparison {
    let ratio = cand / base;
    // As the analysis does by default: wall time and stage times are
    // judged, other metrics are information with no severity.
    let primary = metric == "wall_s" || stage.is_some();
    let severity = if primary { severity } else { Severity::None };
    Comparison {
        metric: metric.to_string(),
        stage: stage.map(str::to_string),
        baseline: "before".to_string(),
        candidate: "after|fast".to_string(),
        baseline_median: base,
        candidate_median: cand,
        baseline_n: 4,
        candidate_n: 3,
        ratio,
        ci_low: ci.0,
        ci_high: ci.1,
        p_value: p,
        change_pct: (ratio - 1.0) * 100.0,
        severity,
        verdict,
        note: note.map(str::to_string),
        confidence: 0.95,
        primary,
        reference: perfwatch_model::Reference::Variant,
    }
}

/// The fixture.
pub fn export() -> SessionExport {
    let before_iterations = vec![
        iteration(0, "before", true, 1.9, Some(0), false, Some(1.5)),
        iteration(2, "before", false, 1.21, Some(0), false, Some(0.9)),
        iteration(4, "before", false, 1.25, Some(0), false, Some(0.92)),
        iteration(6, "before", false, 1.19, Some(0), false, Some(0.88)),
        iteration(8, "before", false, 1.30, Some(1), false, Some(0.95)),
    ];
    let mut after_iterations = vec![
        iteration(1, "after|fast", true, 1.4, Some(0), false, None),
        iteration(3, "after|fast", false, 0.0456, Some(0), false, None),
        iteration(5, "after|fast", false, 0.0471, Some(0), false, None),
        iteration(7, "after|fast", false, 30.0, None, true, None),
        iteration(9, "after|fast", false, 0.0449, Some(0), false, None),
    ];
    // Not measured on this variant: peak tree RSS and context switches.
    for it in &mut after_iterations {
        it.peak_tree_rss_bytes = None;
        it.voluntary_cs = None;
        it.involuntary_cs = None;
    }

    let mut before_summary = BTreeMap::new();
    before_summary.insert("wall_s".to_string(), summary(4, 1.23, 0.0456));
    before_summary.insert("user_s".to_string(), summary(4, 0.91, 0.03));
    before_summary.insert("sys_s".to_string(), summary(4, 0.114, 0.004));
    before_summary.insert(
        "max_rss_bytes".to_string(),
        summary(4, 125_829_120.0, 4096.0),
    );
    before_summary.insert(
        "peak_tree_rss_bytes".to_string(),
        summary(4, 314_572_800.0, 0.0),
    );
    before_summary.insert("read_bytes".to_string(), summary(4, 12_582_912.0, 0.0));
    before_summary.insert("write_bytes".to_string(), summary(4, 3_145_728.0, 0.0));
    before_summary.insert("voluntary_cs".to_string(), summary(4, 1205.0, 2.0));
    before_summary.insert("involuntary_cs".to_string(), summary(4, 40.0, 0.0));

    let mut after_summary = BTreeMap::new();
    after_summary.insert("wall_s".to_string(), summary(3, 0.0456, 0.00091));
    after_summary.insert(
        "max_rss_bytes".to_string(),
        summary(3, 125_845_504.0, 4096.0),
    );
    after_summary.insert("read_bytes".to_string(), summary(3, 12_582_912.0, 0.0));
    after_summary.insert("write_bytes".to_string(), summary(3, 3_145_728.0, 0.0));

    let mut evidence = BTreeMap::new();
    evidence.insert("share".to_string(), 0.62);
    evidence.insert("calls".to_string(), 12.0);
    evidence.insert("median_s".to_string(), 0.763);

    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session: Session {
            id: "3f2a9c1d5e6b7a80".to_string(),
            started_at: "2025-01-02T03:04:05Z".to_string(),
            finished_at: Some("2025-01-02T03:05:00Z".to_string()),
            benchmark: "etl_pipeline | nightly".to_string(),
            command: CommandSpec {
                argv: vec!["./pipeline".into(), "--input".into(), "a b.csv".into()],
                shell: false,
            },
            variants: vec![
                VariantSpec {
                    name: "before".into(),
                    ..VariantSpec::default()
                },
                VariantSpec {
                    name: "after|fast".into(),
                    description: Some("with the cache".into()),
                    ..VariantSpec::default()
                },
            ],
            git: Some(GitInfo {
                commit: Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into()),
                branch: Some("feature/cache_v2".into()),
                dirty: true,
            }),
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
        variants: vec![
            VariantExport { gpu: None, app_metrics: Default::default(), service: None,
                name: "before".into(),
                description: None,
                iterations: before_iterations,
                summary: before_summary,
                stages: vec![
                    stage("job", Tier::System, None, 1.0, 1.2, 0.98, 0),
                    stage("job/load_csv", Tier::Method, Some("io"), 2.0, 0.31, 0.25, 0),
                    stage("job/download", Tier::Component, Some("net|http"), 12.0, 0.763, 0.62, 3),
                    stage("job/parse", Tier::Operation, Some("core"), 100_000.5, 0.0901, 0.073, 0),
                ],
                warnings: vec![],
            },
            VariantExport { gpu: None, app_metrics: Default::default(), service: None,
                name: "after|fast".into(),
                description: Some("with the cache".into()),
                iterations: after_iterations,
                summary: after_summary,
                stages: vec![],
                warnings: vec![
                    "1 iteration timed out after 30 s and was excluded; raise --timeout or look at its stderr".into(),
                ],
            },
        ],
        comparisons: vec![
            comparison("wall_s", None, 1.23, 0.0456, (0.035, 0.041), 0.0004, Severity::None, Verdict::Improved, None),
            comparison("max_rss_bytes", None, 125_829_120.0, 151_000_000.0, (1.15, 1.25), 0.012, Severity::Low, Verdict::Regressed, None),
            comparison("read_bytes", None, 12_582_912.0, 12_582_912.0, (0.99, 1.01), 0.91, Severity::None, Verdict::Unchanged, None),
            comparison("total_s", Some("job/download"), 0.763, 1.5, (1.7, 2.3), 0.002, Severity::Medium, Verdict::Regressed, None),
            comparison("total_s", Some("job/parse"), 0.0901, 0.21, (2.0, 2.6), 0.001, Severity::Critical, Verdict::Regressed, None),
            comparison("total_s", Some("job/load_csv"), 0.31, 0.5, (1.4, 1.8), 0.03, Severity::High, Verdict::Regressed, None),
            comparison("user_s", None, 0.91, 0.95, (0.8, 1.3), 0.4, Severity::None, Verdict::Inconclusive, Some("too few runs: 3 < 5 per side")),
        ],
        findings: vec![Finding {
            kind: "bottleneck".into(),
            title: "download dominates the run".into(),
            stage: Some("job/download".into()),
            evidence,
            impact_s: 0.45,
            confidence: 0.85,
            recommendation: "fetch the 12 files concurrently instead of one after another".into(),
            effort: Some("low".into()),
            variant: Some("before".into()),
            variants: vec![],
        }],
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}
