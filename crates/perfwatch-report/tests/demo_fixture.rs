//! A session shaped like the README's main job, `perfwatch ab pipeline
//! before after` on the bundled demo: two variants of 10 runs (plus a
//! warm-up), six stages each, the 15 comparisons and 8 findings the
//! analysis produced for it, figures taken from a real run (ids, times and
//! the host redacted). The terminal summary of it must fit the screen.

use perfwatch_model::*;
use std::collections::BTreeMap;

fn summary(median: f64, mean: f64, sd: f64, ci: (f64, f64)) -> Summary {
    Summary {
        n: 10,
        mean,
        sd,
        median,
        min: median * 0.97,
        max: median * 1.08,
        p95: median * 1.06,
        mad: sd / 2.0,
        ci_low: ci.0,
        ci_high: ci.1,
        confidence: 0.95,
    }
}

fn flat(v: f64) -> Summary {
    summary(v, v, 0.0, (v, v))
}

fn iterations(variant: &str, first_index: u32, walls: &[f64]) -> Vec<Iteration> {
    walls
        .iter()
        .enumerate()
        .map(|(k, &wall_s)| Iteration {
            index: first_index + 2 * k as u32,
            variant: variant.to_string(),
            warmup: k == 0,
            exit_code: Some(0),
            wall_s,
            user_s: Some(0.27),
            sys_s: Some(0.003),
            max_rss_bytes: Some(17_739_776),
            peak_tree_rss_bytes: Some(6_352_896),
            read_bytes: Some(0),
            write_bytes: Some(4096),
            voluntary_cs: Some(24),
            involuntary_cs: Some(10),
            ..Iteration::default()
        })
        .collect()
}

fn stage(
    path: &str,
    tier: Tier,
    component: Option<&str>,
    calls: f64,
    median: f64,
    share: f64,
) -> StageSummary {
    StageSummary {
        gpu_busy_pct: None,
        peak_gpu_memory_bytes: None,
        name: path.rsplit('/').next().unwrap_or(path).to_string(),
        path: path.to_string(),
        tier,
        component: component.map(str::to_string),
        calls,
        failed_calls: 0,
        total_s: summary(
            median,
            median * 1.01,
            median * 0.03,
            (median * 0.99, median * 1.03),
        ),
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

/// `[(path, median before, share before, median after, share after)]`.
const STAGES: [(&str, f64, f64, f64, f64); 6] = [
    ("job", 1.3889, 0.9985, 0.7816, 0.9971),
    ("job/track", 1.3889, 0.9985, 0.7816, 0.9971),
    ("job/track/activate", 0.6006, 0.4318, 0.1251, 0.1583),
    ("job/track/monitor_download", 0.3005, 0.2161, 0.1525, 0.1946),
    ("job/track/encode", 0.2771, 0.1992, 0.2934, 0.3745),
    ("job/track/fetch", 0.2104, 0.1513, 0.2104, 0.2694),
];

fn stages(after: bool) -> Vec<StageSummary> {
    let mut out: Vec<StageSummary> = STAGES
        .iter()
        .map(|&(path, mb, sb, ma, sa)| {
            let (tier, component, calls) = match path {
                "job" => (Tier::System, None, 1.0),
                "job/track" => (Tier::Component, Some("pipeline"), 3.0),
                "job/track/activate" => (Tier::Method, Some("player"), 3.0),
                "job/track/encode" => (Tier::Method, Some("encoder"), 3.0),
                _ => (Tier::Method, Some("download"), 3.0),
            };
            let (median, share) = if after { (ma, sa) } else { (mb, sb) };
            stage(path, tier, component, calls, median, share)
        })
        .collect();
    out.sort_by(|a, b| b.share.total_cmp(&a.share));
    out
}

fn variant(after: bool) -> VariantExport {
    let mut s = BTreeMap::new();
    let (name, description, first, walls) = if after {
        (
            "after",
            "wait for the activation condition, download polled every 10 ms",
            1,
            vec![
                0.7796, 0.7761, 0.7592, 0.7634, 0.7632, 0.823, 0.8123, 0.7772, 0.7903, 0.8314,
                0.9077,
            ],
        )
    } else {
        (
            "before",
            "fixed 200 ms wait after activation, download polled every 100 ms",
            0,
            vec![
                1.419, 1.3892, 1.3927, 1.3841, 1.3842, 1.3927, 1.4522, 1.3887, 1.3862, 1.4109,
                1.4978,
            ],
        )
    };
    let pick = |b: f64, a: f64| if after { a } else { b };
    let wall = pick(1.39094, 0.78375);
    s.insert(
        "wall_s".to_string(),
        summary(
            wall,
            pick(1.40787, 0.80037),
            pick(0.0378, 0.0457),
            (pick(1.38, 0.763), pick(1.45, 0.831)),
        ),
    );
    s.insert(
        "user_s".to_string(),
        summary(
            pick(0.27211, 0.27415),
            pick(0.27029, 0.27496),
            0.004,
            (0.268, 0.279),
        ),
    );
    s.insert(
        "sys_s".to_string(),
        summary(
            pick(0.00203, 0.002),
            pick(0.00752, 0.00311),
            0.002,
            (0.0, 0.004),
        ),
    );
    s.insert("max_rss_bytes".to_string(), flat(17_739_776.0));
    s.insert(
        "peak_tree_rss_bytes".to_string(),
        flat(pick(6_352_896.0, 6_363_136.0)),
    );
    s.insert("read_bytes".to_string(), flat(0.0));
    s.insert(
        "write_bytes".to_string(),
        summary(4096.0, pick(4096.0, 4505.6), 0.0, (4096.0, 4096.0)),
    );
    s.insert(
        "voluntary_cs".to_string(),
        summary(
            pick(24.0, 86.5),
            pick(24.2, 85.9),
            1.0,
            (pick(24.0, 85.0), pick(25.0, 87.0)),
        ),
    );
    s.insert(
        "involuntary_cs".to_string(),
        summary(
            pick(9.5, 25.5),
            pick(22.5, 34.6),
            9.0,
            (pick(4.0, 9.0), pick(30.0, 40.0)),
        ),
    );
    let outliers = if after { 1 } else { 2 };
    VariantExport { gpu: None, app_metrics: Default::default(), service: None,
        name: name.to_string(),
        description: Some(description.to_string()),
        iterations: iterations(name, first, &walls),
        summary: s,
        stages: stages(after),
        warnings: vec![format!(
            "{outliers} of 10 runs are statistical outliers (modified z-score > 3.5); close other programs, pin the CPU frequency, or use more --warmup runs"
        )],
    }
}

#[allow(clippy::too_many_arguments)]
fn comparison(
    metric: &str,
    stage: Option<&str>,
    medians: (f64, f64),
    ci: (f64, f64),
    p: f64,
    verdict: Verdict,
    primary: bool,
    note: Option<&str>,
) -> Comparison {
    let ratio = if medians.0 == 0.0 {
        1.0
    } else {
        medians.1 / medians.0
    };
    Comparison {
        metric: metric.to_string(),
        stage: stage.map(str::to_string),
        baseline: "before".to_string(),
        candidate: "after".to_string(),
        baseline_median: medians.0,
        candidate_median: medians.1,
        baseline_n: 10,
        candidate_n: 10,
        ratio,
        ci_low: ci.0,
        ci_high: ci.1,
        p_value: p,
        change_pct: (ratio - 1.0) * 100.0,
        severity: Severity::None,
        verdict,
        note: note.map(str::to_string),
        confidence: 0.95,
        primary,
        reference: Reference::Variant,
    }
}

fn wider(p: &str, lo: &str, hi: &str) -> String {
    format!("not significant (p = {p}) and the 95 % interval of the ratio [{lo}, {hi}] is wider than the ±2 % noise band; more runs would narrow it")
}

fn comparisons() -> Vec<Comparison> {
    use Verdict::*;
    let n1 = wider("0.436", "0.985", "1.050");
    let n2 = wider("0.572", "0.000", "∞");
    let n3 = wider("0.649", "0.188", "9.833");
    let n4 = wider("0.353", "0.943", "1.202");
    vec![
        comparison(
            "wall_s",
            None,
            (1.39094, 0.78375),
            (0.546, 0.593),
            0.00018,
            Improved,
            true,
            None,
        ),
        comparison(
            "user_s",
            None,
            (0.27211, 0.27415),
            (0.985, 1.05),
            0.436,
            Inconclusive,
            false,
            Some(&n1),
        ),
        comparison(
            "sys_s",
            None,
            (0.00203, 0.002),
            (0.0, f64::MAX),
            0.572,
            Inconclusive,
            false,
            Some(&n2),
        ),
        comparison(
            "max_rss_bytes",
            None,
            (17_739_776.0, 17_739_776.0),
            (0.99, 1.01),
            0.614,
            Unchanged,
            false,
            None,
        ),
        comparison(
            "peak_tree_rss_bytes",
            None,
            (6_352_896.0, 6_363_136.0),
            (0.995, 1.01),
            0.82,
            Unchanged,
            false,
            None,
        ),
        comparison(
            "read_bytes",
            None,
            (0.0, 0.0),
            (1.0, 1.0),
            1.0,
            Unchanged,
            false,
            None,
        ),
        comparison(
            "write_bytes",
            None,
            (4096.0, 4096.0),
            (1.0, 1.0),
            0.368,
            Unchanged,
            false,
            None,
        ),
        comparison(
            "voluntary_cs",
            None,
            (24.0, 86.5),
            (3.521, 3.625),
            0.00018,
            Regressed,
            false,
            None,
        ),
        comparison(
            "involuntary_cs",
            None,
            (9.5, 25.5),
            (0.188, 9.833),
            0.649,
            Inconclusive,
            false,
            Some(&n3),
        ),
        comparison(
            "total_s",
            Some("job"),
            (1.3889, 0.7816),
            (0.545, 0.592),
            0.00018,
            Improved,
            true,
            None,
        ),
        comparison(
            "total_s",
            Some("job/track"),
            (1.3889, 0.7816),
            (0.545, 0.592),
            0.00018,
            Improved,
            true,
            None,
        ),
        comparison(
            "total_s",
            Some("job/track/activate"),
            (0.6006, 0.1251),
            (0.203, 0.209),
            0.00018,
            Improved,
            true,
            None,
        ),
        comparison(
            "total_s",
            Some("job/track/monitor_download"),
            (0.3005, 0.1525),
            (0.504, 0.515),
            0.00018,
            Improved,
            true,
            None,
        ),
        comparison(
            "total_s",
            Some("job/track/encode"),
            (0.2771, 0.2934),
            (0.943, 1.202),
            0.353,
            Inconclusive,
            true,
            Some(&n4),
        ),
        comparison(
            "total_s",
            Some("job/track/fetch"),
            (0.2104, 0.2104),
            (0.99, 1.01),
            0.481,
            Unchanged,
            true,
            None,
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn finding(
    kind: &str,
    title: &str,
    stage: Option<&str>,
    variant: &str,
    impact_s: f64,
    confidence: f64,
    effort: &str,
    recommendation: &str,
    evidence: &[(&str, f64)],
) -> Finding {
    Finding {
        kind: kind.to_string(),
        title: title.to_string(),
        stage: stage.map(str::to_string),
        evidence: evidence.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        impact_s,
        confidence,
        recommendation: recommendation.to_string(),
        effort: Some(effort.to_string()),
        variant: Some(variant.to_string()),
        variants: Vec::new(),
    }
}

fn findings() -> Vec<Finding> {
    let cold = "Pay the set-up once and ahead of need: open the connection or pool, load the model, warm the cache or JIT before the first `job/track/fetch` call, or overlap that set-up with other work; each run would save about 150 ms.";
    let cold_evidence = [
        ("excess_s", 0.15),
        ("first_s", 0.17),
        ("ratio", 8.46),
        ("runs", 10.0),
        ("slow_runs_fraction", 1.0),
        ("typical_s", 0.0201),
    ];
    vec![
        finding("fixed_wait", "`job/track/activate` waits a fixed 200 ms (3.0 calls per run) while the CPU idles", Some("job/track/activate"), "before", 0.475, 0.9, "low",
            "Wait for the condition itself — poll it every few ms with an upper bound, or subscribe to an event — instead of a fixed 200 ms: in variant `after` the same stage takes 42 ms. A wait this constant is a sleep or a timeout that always expires (the condition is never detected).",
            &[("calls", 30.0), ("calls_per_run", 3.0), ("condition_observed", 1.0), ("condition_s", 0.0418), ("cpu_pct", 0.404), ("cv", 0.00296), ("round_value_s", 0.2), ("saving_per_call_s", 0.158), ("wait_s", 0.2)]),
        finding("cold_start", "The first `job/track/fetch` call of each run takes 170 ms, later ones 20 ms (cold start)", Some("job/track/fetch"), "before", 0.15, 0.9, "medium", cold, &cold_evidence),
        finding("cold_start", "The first `job/track/fetch` call of each run takes 170 ms, later ones 20 ms (cold start)", Some("job/track/fetch"), "after", 0.15, 0.9, "medium", cold, &cold_evidence),
        finding("polling_granularity", "`job/track/monitor_download` polls every 100 ms: each call overshoots its condition by up to an interval", Some("job/track/monitor_download"), "before", 0.149, 0.8, "low",
            "Poll at a finer interval (checks cost little while waiting) or wait on an event instead of checking every 100 ms: variant `after` runs the same stage in 51 ms.",
            &[("calls_per_run", 3.0), ("condition_observed", 1.0), ("condition_s", 0.0506), ("cpu_pct", 4.84), ("from_poll_counter", 1.0), ("interval_s", 0.1), ("median_s", 0.1), ("saving_per_call_s", 0.0496)]),
        finding("noisy_stage", "`job/track/encode` makes runs noisy: it holds 98 % of the wall-time variance (CV 15 %)", Some("job/track/encode"), "after", 0.0157, 0.7, "medium",
            "Its time varies from run to run (network, contention, caches, input): look at its slowest runs; for benchmarking, stabilise it (mock or pin the dependency, warm the cache). Until then comparisons need more runs to see a change of a few percent.",
            &[("max_s", 0.415), ("mean_s", 0.309), ("median_s", 0.293), ("runs", 10.0), ("stage_cv", 0.146), ("variance_share", 0.978), ("wall_cv", 0.0571)]),
        finding("polling_granularity", "`job/track/monitor_download` polls every 10 ms: each call overshoots its condition by up to an interval", Some("job/track/monitor_download"), "after", 0.015, 0.8, "low",
            "Poll at a finer interval (checks cost little while waiting) or wait on an event instead of checking every 10 ms: on average a call goes on for half an interval (5.0 ms) after its condition holds.",
            &[("calls_per_run", 3.0), ("condition_observed", 0.0), ("cpu_pct", 12.1), ("from_poll_counter", 1.0), ("interval_s", 0.01), ("median_s", 0.0506), ("saving_per_call_s", 0.005)]),
        finding("bottleneck", "`job/track/activate` is the primary bottleneck: 43 % of wall time", Some("job/track/activate"), "before", 0.0, 0.9, "medium",
            "Start here: `job/track/activate` takes 601 ms of each run; halving it would save 300 ms per run. The other findings say why it is slow.",
            &[("if_halved_s", 0.3), ("red_stages", 1.0), ("red_threshold", 0.4), ("self_s", 0.601), ("self_share", 0.432), ("share:job/track", 0.000151), ("share:job/track/activate", 0.432), ("share:job/track/encode", 0.199), ("share:job/track/fetch", 0.151), ("share:job/track/monitor_download", 0.216), ("total_share", 0.432), ("wall_s", 1.39), ("yellow_stages", 1.0)]),
        finding("idle", "Runs mostly wait: the CPU is busy 20 % of the wall time", None, "before", 0.0, 0.6, "high",
            "The program waits (1.11 s per run) on the network, the disk, other processes or sleeps rather than computing: overlap independent waits (concurrency, pipelining items), and see the stage findings for fixed waits and coarse polling. The saving assumes 50 % of the waiting can be hidden.",
            &[("cpu_ratio", 0.198), ("cpu_s", 0.278), ("explained_by_stage_findings", 1.0), ("idle_s", 1.11), ("overlap_fraction", 0.5), ("wall_s", 1.39)]),
    ]
}

/// The session.
pub fn export() -> SessionExport {
    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session: Session {
            id: "5c87c9fe00000000".to_string(),
            started_at: "2026-01-01T00:00:00.000Z".to_string(),
            finished_at: Some("2026-01-01T00:00:24.000Z".to_string()),
            benchmark: "pipeline".to_string(),
            command: CommandSpec {
                argv: vec![
                    "./target/release/demo-pipeline".into(),
                    "--tracks".into(),
                    "3".into(),
                ],
                shell: false,
            },
            variants: vec![
                VariantSpec {
                    name: "before".into(),
                    ..VariantSpec::default()
                },
                VariantSpec {
                    name: "after".into(),
                    ..VariantSpec::default()
                },
            ],
            git: Some(GitInfo {
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                branch: Some("main".into()),
                dirty: false,
            }),
            host: HostInfo {
                hostname: Some("host".into()),
                os: "linux".into(),
                kernel: Some("6.1.0-18-amd64".into()),
                cpu_model: Some("Intel(R) Xeon(R) Processor".into()),
                cores: Some(2),
                memory_bytes: Some(25_276_071_936),
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
        variants: vec![variant(false), variant(true)],
        comparisons: comparisons(),
        findings: findings(),
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}
