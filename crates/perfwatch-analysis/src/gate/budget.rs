//! Budgets on measured figures: the run's peak RSS and GPU memory, and
//! per-stage median time, RSS, CPU and GPU memory. Each is judged on the worst variant in scope; a
//! figure not measured passes as `n/a`, a stage no variant reports fails.

use super::config::StageBudget;
use super::report::RuleResult;
use crate::findings::context::VariantData;
use crate::findings::format::{bytes, secs};
use crate::findings::timeline::{peak_gpu_memory, peak_rss};
use perfwatch_stats::median;

/// `detail` of a budget on a figure: within, or over by how much.
fn over(what: &str, actual: f64, limit: f64, fmt: fn(f64) -> String) -> String {
    if actual <= limit {
        format!("{what} {} within {}", fmt(actual), fmt(limit))
    } else {
        let rel = if limit > 0.0 {
            format!(" (+{:.1} %)", (actual / limit - 1.0) * 100.0)
        } else {
            String::new()
        };
        format!(
            "{what} {} exceeds {} by {}{rel}",
            fmt(actual),
            fmt(limit),
            fmt(actual - limit)
        )
    }
}

pub(super) fn peak_rss_rule(max: u64, scope: &[VariantData]) -> RuleResult {
    let worst = scope
        .iter()
        .flat_map(|v| {
            v.runs.iter().filter_map(move |r| {
                let peak = r.it.max_rss_bytes.max(r.it.peak_tree_rss_bytes)?;
                Some((peak, v.name))
            })
        })
        .max_by_key(|p| p.0);
    judged(
        "max_peak_rss_bytes".into(),
        worst.map(|(b, name)| (b as f64, name)),
        max as f64,
        bytes,
        "peak RSS",
        "peak RSS was not measured",
    )
}

pub(super) fn gpu_memory_rule(max: u64, scope: &[VariantData]) -> RuleResult {
    let worst = scope
        .iter()
        .flat_map(|v| {
            v.runs
                .iter()
                .filter_map(move |r| Some((r.it.peak_gpu_memory_bytes()?, v.name)))
        })
        .max_by_key(|p| p.0);
    judged(
        "max_gpu_memory_bytes".into(),
        worst.map(|(b, name)| (b as f64, name)),
        max as f64,
        bytes,
        "peak GPU memory",
        "GPU memory was not measured",
    )
}

/// A budget result from the worst `(value, variant)`, if any.
fn judged(
    rule: String,
    worst: Option<(f64, &str)>,
    limit: f64,
    fmt: fn(f64) -> String,
    what: &str,
    missing: &str,
) -> RuleResult {
    match worst {
        None => RuleResult {
            rule,
            passed: true,
            actual: "n/a".into(),
            limit: format!("≤ {}", fmt(limit)),
            detail: format!("not judged: {missing}"),
        },
        Some((value, name)) => RuleResult {
            rule,
            passed: value <= limit,
            actual: fmt(value),
            limit: format!("≤ {}", fmt(limit)),
            detail: format!("{} in `{name}`", over(what, value, limit, fmt)),
        },
    }
}

fn pct(p: f64) -> String {
    format!("{p:.1} %")
}

pub(super) fn stage_rules(path: &str, b: &StageBudget, scope: &[VariantData]) -> Vec<RuleResult> {
    let having: Vec<&VariantData> = scope
        .iter()
        .filter(|v| v.paths.iter().any(|p| p == path))
        .collect();
    let rule = |field: &str| format!("stage.\"{path}\".{field}");
    let mut out = Vec::new();
    let fields = [
        ("p50_s", b.p50_s.is_some()),
        ("max_rss_bytes", b.max_rss_bytes.is_some()),
        ("max_cpu_pct", b.max_cpu_pct.is_some()),
        ("max_gpu_memory_bytes", b.max_gpu_memory_bytes.is_some()),
    ];
    if having.is_empty() {
        for (field, set) in fields {
            if set {
                out.push(RuleResult {
                    rule: rule(field),
                    passed: false,
                    actual: "absent".into(),
                    limit: "a reported stage".into(),
                    detail: format!("no judged variant reports a stage `{path}`"),
                });
            }
        }
        return out;
    }
    let worst = |f: &dyn Fn(&VariantData) -> Option<f64>| {
        having
            .iter()
            .filter_map(|v| Some((f(v)?, v.name)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
    };
    if let Some(limit) = b.p50_s {
        let med = |v: &VariantData| {
            let totals: Vec<f64> = v
                .runs
                .iter()
                .filter(|r| r.calls_of(path).next().is_some())
                .map(|r| r.total(path))
                .collect();
            median(&totals)
        };
        out.push(judged(
            rule("p50_s"),
            worst(&med),
            limit,
            secs,
            "median",
            "no counted run",
        ));
    }
    if let Some(limit) = b.max_rss_bytes {
        let peak = |v: &VariantData| {
            v.runs
                .iter()
                .flat_map(|r| {
                    r.calls_of(path)
                        .filter_map(|c| peak_rss(&r.it.timeline, c.span.start_s, c.span.end_s))
                })
                .max()
                .map(|b| b as f64)
        };
        out.push(judged(
            rule("max_rss_bytes"),
            worst(&peak),
            limit as f64,
            bytes,
            "peak RSS",
            "no timeline",
        ));
    }
    if let Some(limit) = b.max_cpu_pct {
        let cpu = |v: &VariantData| v.cpu_pct(path);
        out.push(judged(
            rule("max_cpu_pct"),
            worst(&cpu),
            limit,
            pct,
            "mean CPU",
            "no timeline",
        ));
    }
    if let Some(limit) = b.max_gpu_memory_bytes {
        let peak = |v: &VariantData| {
            v.runs
                .iter()
                .flat_map(|r| {
                    r.calls_of(path).filter_map(|c| {
                        peak_gpu_memory(&r.it.timeline, c.span.start_s, c.span.end_s)
                    })
                })
                .max()
                .map(|b| b as f64)
        };
        out.push(judged(
            rule("max_gpu_memory_bytes"),
            worst(&peak),
            limit as f64,
            bytes,
            "peak GPU memory",
            "GPU memory was not measured",
        ));
    }
    out
}
