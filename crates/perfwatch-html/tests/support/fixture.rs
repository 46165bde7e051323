//! Deterministic sessions for tests and the dashboard benchmark: two
//! variants with timelines and spans (one stage is named like a script
//! injection), comparisons and a finding.

#![allow(dead_code)]

use perfwatch_html::{HistoryPoint, HistorySeries};
use perfwatch_model::{
    CommandSpec, Comparison, Finding, GitInfo, HostInfo, Iteration, Sample, Session, SessionExport,
    SessionStatus, Severity, Span, StageSummary, Summary, Tier, VariantExport, VariantSpec,
    Verdict, SCHEMA_V1,
};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// The stage name that must never run as script.
pub const EVIL: &str = "</script><script>alert(1)</script>";

/// Stage layout of one iteration: (name, start fraction, end fraction).
const STAGES: [(&str, f64, f64); 4] = [
    ("load", 0.0, 0.22),
    (EVIL, 0.22, 0.58),
    ("transform", 0.58, 0.86),
    ("write", 0.86, 1.0),
];

/// A small deterministic wobble in -1..1 from an integer.
fn wobble(i: u32) -> f64 {
    let h = i.wrapping_mul(2_654_435_761) % 1000;
    h as f64 / 500.0 - 1.0
}

/// A deterministic 32-bit hash for synthetic ids.
fn hash(i: u32) -> u32 {
    let mut x = i.wrapping_add(0x9e37_79b9);
    x = (x ^ (x >> 16)).wrapping_mul(0x85eb_ca6b);
    x = (x ^ (x >> 13)).wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

fn timeline(wall_s: f64, rss_base: u64, step_s: f64) -> Vec<Sample> {
    let n = (wall_s / step_s).floor() as u32;
    (0..=n)
        .map(|k| {
            let t = round(k as f64 * step_s, 3);
            let frac = t / wall_s;
            let stage = STAGES
                .iter()
                .position(|(_, a, b)| frac >= *a && frac < *b)
                .unwrap_or(3);
            let cpu = [35.0, 180.0, 95.0, 20.0][stage] + 8.0 * wobble(k);
            let rss = rss_base + (frac.min(0.8) * 60.0 * 1024.0 * 1024.0) as u64;
            let (read, write) = match stage {
                0 => (48.0 * 1024.0 * 1024.0, 0.0),
                3 => (0.0, 30.0 * 1024.0 * 1024.0),
                _ => (1024.0 * 64.0, 0.0),
            };
            Sample {
                t_s: t,
                cpu_pct: round(cpu, 1),
                rss_bytes: rss,
                threads: 4,
                processes: 1,
                read_bps: read,
                write_bps: write,
                gpus: Vec::new(),
            }
        })
        .collect()
}

fn spans(wall_s: f64) -> Vec<Span> {
    let mut out = vec![span(1, None, "pipeline", Tier::System, 0.0, wall_s)];
    for (i, (name, a, b)) in STAGES.iter().enumerate() {
        out.push(span(
            i as u64 + 2,
            Some(1),
            name,
            Tier::Component,
            round(a * wall_s, 4),
            round(b * wall_s, 4),
        ));
    }
    let mut parse = span(
        9,
        Some(2),
        "parse",
        Tier::Operation,
        0.01,
        round(0.2 * wall_s, 4),
    );
    parse.calls = 1000;
    parse.total_s = Some(round(0.15 * wall_s, 4));
    out.push(parse);
    out
}

fn span(id: u64, parent: Option<u64>, name: &str, tier: Tier, start: f64, end: f64) -> Span {
    Span {
        id,
        parent,
        name: name.to_string(),
        tier,
        component: None,
        start_s: start,
        end_s: end,
        ok: true,
        calls: 1,
        failed_calls: 0,
        total_s: None,
        attributes: Default::default(),
    }
}

struct Plan {
    name: &'static str,
    base_s: f64,
    rss: u64,
}

fn iteration(index: u32, p: &Plan, warmup: bool, with_detail: bool) -> Iteration {
    let slow_start = if warmup && index < 2 { 1.35 } else { 1.0 };
    let drift = 1.0 + index as f64 * 0.002;
    let wall_s = round(
        p.base_s * slow_start * drift * (1.0 + 0.03 * wobble(index)),
        4,
    );
    Iteration {
        index,
        variant: p.name.to_string(),
        warmup,
        exit_code: Some(if p.name == "cached" && index == 9 {
            1
        } else {
            0
        }),
        signal: None,
        timed_out: false,
        wall_s,
        user_s: Some(round(wall_s * 0.9, 4)),
        sys_s: Some(round(wall_s * 0.08, 4)),
        max_rss_bytes: Some(p.rss + 62 * 1024 * 1024),
        peak_tree_rss_bytes: None,
        read_bytes: Some(12 * 1024 * 1024),
        write_bytes: Some(9 * 1024 * 1024),
        voluntary_cs: Some(120 + index as u64),
        involuntary_cs: Some(14),
        timeline: if with_detail {
            timeline(wall_s, p.rss, 0.02)
        } else {
            Vec::new()
        },
        stages: if with_detail {
            spans(wall_s)
        } else {
            Vec::new()
        },
        ..Iteration::default()
    }
}

fn summary(median: f64, spread: f64, n: usize) -> Summary {
    Summary {
        n,
        mean: round(median * 1.004, 4),
        sd: round(spread / 2.0, 4),
        median,
        min: round(median - spread, 4),
        max: round(median + spread * 1.4, 4),
        p95: round(median + spread * 1.2, 4),
        mad: round(spread / 3.0, 4),
        ci_low: round(median - spread / 2.5, 4),
        ci_high: round(median + spread / 2.0, 4),
        confidence: 0.95,
    }
}

fn stage_summaries(wall: f64) -> Vec<StageSummary> {
    let mut out = vec![stage("pipeline", "pipeline", Tier::System, wall, 1.0, 1.0)];
    for (name, a, b) in STAGES {
        let path = format!("pipeline/{name}");
        out.push(stage(
            name,
            &path,
            Tier::Component,
            wall * (b - a),
            b - a,
            1.0,
        ));
        if name == "load" {
            out.push(stage(
                "parse",
                "pipeline/load/parse",
                Tier::Operation,
                wall * 0.15,
                0.15,
                1000.0,
            ));
        }
    }
    out
}

fn stage(name: &str, path: &str, tier: Tier, total: f64, share: f64, calls: f64) -> StageSummary {
    StageSummary {
        gpu_busy_pct: None,
        peak_gpu_memory_bytes: None,
        name: name.to_string(),
        path: path.to_string(),
        tier,
        component: None,
        calls,
        failed_calls: 0,
        total_s: summary(round(total, 4), round(total * 0.04, 4), 8),
        self_s: None,
        share: round(share, 4),
        parent: None,
        depth: None,
        first_call_s: None,
        later_call_s: None,
        cpu_pct: None,
        folded_levels: 0,
    }
}

fn variant(p: &Plan, order: &[u32], description: &str, with_detail: bool) -> VariantExport {
    let iterations: Vec<Iteration> = order
        .iter()
        .enumerate()
        .map(|(k, &index)| iteration(index, p, k < 1, with_detail))
        .collect();
    let mut summaries = BTreeMap::new();
    summaries.insert("wall_s".to_string(), summary(p.base_s, p.base_s * 0.05, 8));
    summaries.insert(
        "max_rss_bytes".to_string(),
        summary((p.rss + 62 * 1024 * 1024) as f64, 0.0, 8),
    );
    summaries.insert(
        "user_s".to_string(),
        summary(round(p.base_s * 0.9, 4), 0.02, 8),
    );
    VariantExport {
        gpu: None,
        app_metrics: Default::default(),
        service: None,
        name: p.name.to_string(),
        description: Some(description.to_string()),
        iterations,
        summary: summaries,
        stages: if with_detail {
            stage_summaries(p.base_s)
        } else {
            Vec::new()
        },
        warnings: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn comparison(
    metric: &str,
    stage: Option<&str>,
    base: f64,
    ratio: f64,
    lo: f64,
    hi: f64,
    p: f64,
    severity: Severity,
    verdict: Verdict,
) -> Comparison {
    // As the analysis does by default: wall time and stage times are
    // judged, other metrics are information with no severity.
    let primary = metric == "wall_s" || stage.is_some();
    let severity = if primary { severity } else { Severity::None };
    Comparison {
        metric: metric.to_string(),
        stage: stage.map(str::to_string),
        baseline: "baseline".to_string(),
        candidate: "cached".to_string(),
        baseline_median: base,
        candidate_median: round(base * ratio, 4),
        baseline_n: 8,
        candidate_n: 8,
        ratio,
        ci_low: lo,
        ci_high: hi,
        p_value: p,
        change_pct: round((ratio - 1.0) * 100.0, 2),
        severity,
        verdict,
        note: (verdict == Verdict::Inconclusive)
            .then(|| "the interval straddles the noise threshold".to_string()),
        confidence: 0.95,
        primary,
        reference: perfwatch_model::Reference::Variant,
    }
}

/// The session every snapshot and the browser check use.
pub fn fixture_session() -> SessionExport {
    session_with(
        "5e55101d00c0ffee",
        "2026-03-01T10:00:00Z",
        "3f2a9c1d8e7b6a5f4e3d2c1b0a99887766554433",
        1.0,
        true,
    )
}

fn session_with(id: &str, started: &str, commit: &str, scale: f64, detail: bool) -> SessionExport {
    let base = Plan {
        name: "baseline",
        base_s: round(1.2 * scale, 4),
        rss: 180 * 1024 * 1024,
    };
    let cached = Plan {
        name: "cached",
        base_s: round(0.93 * scale, 4),
        rss: 240 * 1024 * 1024,
    };
    // Interleaved: baseline takes the even positions, cached the odd ones.
    let even: Vec<u32> = (0..9).map(|k| k * 2).collect();
    let odd: Vec<u32> = (0..9).map(|k| k * 2 + 1).collect();
    let mut a = variant(&base, &even, "reads every input again", detail);
    let b = variant(&cached, &odd, "keeps parsed inputs in a cache", detail);
    a.warnings.push(
        "the first iteration was 35 % slower than the median; consider more warm-ups".to_string(),
    );
    let evil_path = format!("pipeline/{EVIL}");
    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session: Session {
            id: id.to_string(),
            started_at: started.to_string(),
            finished_at: None,
            benchmark: "pipeline".to_string(),
            command: CommandSpec {
                argv: vec!["./pipeline".into(), "--input".into(), "data.csv".into()],
                shell: false,
            },
            variants: vec![
                VariantSpec {
                    name: "baseline".into(),
                    ..VariantSpec::default()
                },
                VariantSpec {
                    name: "cached".into(),
                    ..VariantSpec::default()
                },
            ],
            git: Some(GitInfo {
                commit: Some(commit.to_string()),
                branch: Some("main".to_string()),
                dirty: false,
            }),
            host: HostInfo {
                hostname: Some("bench-1".into()),
                os: "linux".into(),
                kernel: Some("6.1.0-18-amd64".into()),
                cpu_model: Some("AMD EPYC 7B13".into()),
                cores: Some(8),
                memory_bytes: Some(32 * 1024 * 1024 * 1024),
            },
            perfwatch_version: "0.1.0".to_string(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        },
        variants: vec![a, b],
        comparisons: vec![
            comparison(
                "wall_s",
                None,
                base.base_s,
                0.775,
                0.741,
                0.806,
                0.0002,
                Severity::None,
                Verdict::Improved,
            ),
            comparison(
                "max_rss_bytes",
                None,
                242.0 * 1048576.0,
                1.248,
                1.239,
                1.257,
                0.0001,
                Severity::Medium,
                Verdict::Regressed,
            ),
            comparison(
                "total_s",
                Some("pipeline/load"),
                0.264,
                0.52,
                0.47,
                0.58,
                0.0003,
                Severity::None,
                Verdict::Improved,
            ),
            comparison(
                "total_s",
                Some(&evil_path),
                0.432,
                1.62,
                1.41,
                1.83,
                0.0004,
                Severity::High,
                Verdict::Regressed,
            ),
            comparison(
                "total_s",
                Some("pipeline/transform"),
                0.336,
                1.04,
                0.96,
                1.13,
                0.21,
                Severity::None,
                Verdict::Inconclusive,
            ),
        ],
        findings: vec![Finding {
            kind: "bottleneck".to_string(),
            title: format!("Stage {EVIL} takes 36 % of the wall time"),
            stage: Some(evil_path),
            evidence: BTreeMap::from([
                ("share".to_string(), 0.36),
                ("stage_median_s".to_string(), 0.432),
                ("wall_median_s".to_string(), 1.2),
            ]),
            impact_s: 0.3,
            confidence: 0.85,
            recommendation: "Profile this stage first: it dominates every iteration.".to_string(),
            effort: Some("medium".to_string()),
            variant: Some("baseline".to_string()),
            variants: vec![],
        }],
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}

/// `n` sessions over `n` days with a step change halfway, for the
/// dashboard benchmark.
pub fn synthetic_sessions(n: usize) -> Vec<SessionExport> {
    (0..n)
        .map(|i| {
            let start = OffsetDateTime::UNIX_EPOCH
                + Duration::days(20_000 + i as i64)
                + Duration::hours((i % 24) as i64);
            let scale = if i < n / 2 { 1.0 } else { 1.15 } * (1.0 + 0.02 * wobble(i as u32));
            session_with(
                &format!("{:08x}{:08x}", hash(i as u32), i),
                &start.format(&Rfc3339).expect("a valid date"),
                &format!("{:08x}", hash(i as u32 / 3 + 7)).repeat(5),
                scale,
                true,
            )
        })
        .collect()
}

/// The wall time history of both variants of `sessions`.
pub fn synthetic_history(sessions: &[SessionExport]) -> Vec<HistorySeries> {
    ["baseline", "cached"]
        .iter()
        .map(|variant| HistorySeries {
            benchmark: "pipeline".to_string(),
            variant: variant.to_string(),
            metric: "wall_s".to_string(),
            stage: None,
            points: sessions
                .iter()
                .filter_map(|s| {
                    let v = s.variants.iter().find(|v| v.name == *variant)?;
                    let w = v.summary.get("wall_s")?;
                    Some(HistoryPoint {
                        session_id: s.session.id.clone(),
                        started_at: s.session.started_at.clone(),
                        commit: s.session.git.as_ref().and_then(|g| g.commit.clone()),
                        version: s.session.program_version.clone(),
                        median: w.median,
                        ci_low: w.ci_low,
                        ci_high: w.ci_high,
                    })
                })
                .collect(),
            change_points: vec![sessions.len() / 2],
            baseline_session: sessions.first().map(|s| s.session.id.clone()),
        })
        .collect()
}

/// The fixture session with comparisons whose intervals are unbounded (a
/// ratio over a zero baseline median is stored as `f64::MAX`), reach zero,
/// or are very wide, and p-values of zero.
pub fn unbounded_session() -> SessionExport {
    let mut s = fixture_session();
    let mut open = comparison(
        "total_s",
        Some("pipeline/write"),
        0.168,
        1.9,
        1.4,
        f64::MAX,
        0.0,
        Severity::High,
        Verdict::Regressed,
    );
    open.candidate_median = 0.3192;
    let mut from_zero = comparison(
        "sys_s",
        None,
        0.0,
        1.0,
        0.0,
        f64::MAX,
        0.57,
        Severity::None,
        Verdict::Inconclusive,
    );
    from_zero.ratio = f64::MAX;
    from_zero.change_pct = f64::MAX;
    from_zero.candidate_median = 0.002;
    let wide = comparison(
        "involuntary_cs",
        None,
        9.5,
        2.684,
        0.188,
        9.833,
        0.649,
        Severity::None,
        Verdict::Inconclusive,
    );
    s.comparisons.extend([open, from_zero, wide]);
    s
}

/// Stage histories of both variants of `sessions`, as `perfwatch dashboard`
/// gives them: every top-level stage, all of which follow wall time (the
/// fixture scales them with it), except `transform`, which steps up by
/// 40 % three quarters in, with a change point there.
pub fn synthetic_stage_history(sessions: &[SessionExport]) -> Vec<HistorySeries> {
    let step = sessions.len() * 3 / 4;
    let mut out = Vec::new();
    for variant in ["baseline", "cached"] {
        for path in [
            "pipeline",
            "pipeline/load",
            "pipeline/transform",
            "pipeline/write",
        ] {
            let stepped = path == "pipeline/transform";
            let points = sessions
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let v = s.variants.iter().find(|v| v.name == variant)?;
                    let st = v.stages.iter().find(|st| st.path == path)?;
                    let factor = if stepped && i >= step { 1.4 } else { 1.0 };
                    let t = &st.total_s;
                    Some(HistoryPoint {
                        session_id: s.session.id.clone(),
                        started_at: s.session.started_at.clone(),
                        commit: s.session.git.as_ref().and_then(|g| g.commit.clone()),
                        version: s.session.program_version.clone(),
                        median: round(t.median * factor, 4),
                        ci_low: round(t.ci_low * factor, 4),
                        ci_high: round(t.ci_high * factor, 4),
                    })
                })
                .collect();
            out.push(HistorySeries {
                benchmark: "pipeline".to_string(),
                variant: variant.to_string(),
                metric: "total_s".to_string(),
                stage: Some(path.to_string()),
                points,
                change_points: if stepped { vec![step] } else { vec![] },
                baseline_session: None,
            });
        }
    }
    out
}
