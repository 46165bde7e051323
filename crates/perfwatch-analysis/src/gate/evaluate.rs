//! Judging a session against a [`GateConfig`].
//!
//! Rules are listed in a fixed order: regressions (critical, high, medium,
//! low), health, duration increase, failure rate, peak RSS, then stage
//! budgets by path, then application-metric rules in their order. When `variant` is set, only that variant and the
//! comparisons whose candidate it is are judged; otherwise every variant,
//! and the worst one decides. A rule with nothing to judge — no comparison
//! (no baseline), a figure not measured (no timeline, no RSS) — passes with
//! `n/a`; a stage budget naming a stage that no judged variant reports
//! fails, since a renamed stage would otherwise pass its budget forever.

use super::app_metric::app_metric_rule;
use super::budget::{gpu_memory_rule, peak_rss_rule, stage_rules};
use super::config::GateConfig;
use super::report::{GateReport, RuleResult};
use crate::findings::context::VariantData;
use crate::findings::format::secs;
use crate::health::{failures, Health};
use perfwatch_model::{Comparison, SessionExport, Severity, Verdict};

/// Judges `export` (with its `health`) against every rule in `cfg`.
pub fn evaluate(cfg: &GateConfig, export: &SessionExport, health: &Health) -> GateReport {
    let scope: Vec<VariantData> = export
        .variants
        .iter()
        .filter(|v| cfg.variant.as_ref().is_none_or(|n| *n == v.name))
        .map(VariantData::new)
        .collect();
    let mut rules = Vec::new();
    if let Some(name) = &cfg.variant {
        if scope.is_empty() {
            let known: Vec<&str> = export.variants.iter().map(|v| v.name.as_str()).collect();
            rules.push(RuleResult {
                rule: "variant".into(),
                passed: false,
                actual: "absent".into(),
                limit: format!("`{name}`"),
                detail: format!(
                    "no variant `{name}` in this session (it has: {})",
                    known.join(", ")
                ),
            });
        }
    }
    let comparisons: Vec<&Comparison> = export
        .comparisons
        .iter()
        .filter(|c| cfg.variant.as_ref().is_none_or(|n| *n == c.candidate))
        .collect();
    let levels = [
        (
            "max_regression_critical",
            cfg.max_regression_critical,
            Severity::Critical,
        ),
        (
            "max_regression_high",
            cfg.max_regression_high,
            Severity::High,
        ),
        (
            "max_regression_medium",
            cfg.max_regression_medium,
            Severity::Medium,
        ),
        ("max_regression_low", cfg.max_regression_low, Severity::Low),
    ];
    for (rule, limit, level) in levels {
        if let Some(limit) = limit {
            rules.push(regressions(rule, limit, level, &comparisons, cfg));
        }
    }
    if let Some(min) = cfg.min_health_score {
        rules.push(health_rule(min, health));
    }
    if let Some(max) = cfg.max_duration_increase_percent {
        rules.push(duration_rule(max, &comparisons));
    }
    if let Some(max) = cfg.max_failure_rate {
        rules.push(failure_rule(max, export, cfg));
    }
    if let Some(max) = cfg.max_peak_rss_bytes {
        rules.push(peak_rss_rule(max, &scope));
    }
    if let Some(max) = cfg.max_gpu_memory_bytes {
        rules.push(gpu_memory_rule(max, &scope));
    }
    for (path, budget) in &cfg.stage {
        rules.extend(stage_rules(path, budget, &scope));
    }
    for rule in &cfg.app_metrics {
        rules.push(app_metric_rule(rule, &scope));
    }
    GateReport::new(rules)
}

fn describe(c: &Comparison) -> String {
    let what = match &c.stage {
        Some(s) => format!("`{s}` {}", c.metric),
        None => c.metric.clone(),
    };
    format!(
        "{what} {:+.1} % ({}, `{}` → `{}`)",
        c.change_pct, c.severity, c.baseline, c.candidate
    )
}

fn regressions(
    rule: &str,
    limit: u32,
    level: Severity,
    cs: &[&Comparison],
    cfg: &GateConfig,
) -> RuleResult {
    let hits: Vec<&&Comparison> = cs
        .iter()
        .filter(|c| c.verdict == Verdict::Regressed && c.severity >= level)
        .filter(|c| cfg.counts(c))
        .collect();
    let count = hits.len() as u32;
    let mut list: Vec<String> = hits.iter().take(5).map(|c| describe(c)).collect();
    if hits.len() > 5 {
        list.push(format!("and {} more", hits.len() - 5));
    }
    let detail = match (count, count > limit) {
        (0, _) => format!("no significant regression at {level} or worse"),
        (_, true) => format!("{} over the limit: {}", count - limit, list.join("; ")),
        (_, false) => format!("within the limit: {}", list.join("; ")),
    };
    RuleResult {
        rule: rule.into(),
        passed: count <= limit,
        actual: count.to_string(),
        limit: format!("≤ {limit}"),
        detail,
    }
}

fn health_rule(min: u8, h: &Health) -> RuleResult {
    let passed = h.score >= min;
    let detail = if passed {
        format!("health {} ≥ {min}", h.score)
    } else {
        let mut top: Vec<&(String, i32, String)> = h.breakdown.iter().filter(|d| d.1 > 0).collect();
        top.sort_by_key(|d| std::cmp::Reverse(d.1));
        let largest: Vec<String> = top
            .iter()
            .take(3)
            .map(|d| format!("{} (−{})", d.0, d.1))
            .collect();
        let short = format!("{} points short", min - h.score);
        if largest.is_empty() {
            short
        } else {
            format!("{short}; largest deductions: {}", largest.join(", "))
        }
    };
    RuleResult {
        rule: "min_health_score".into(),
        passed,
        actual: h.score.to_string(),
        limit: format!("≥ {min}"),
        detail,
    }
}

fn duration_rule(max: f64, cs: &[&Comparison]) -> RuleResult {
    let rule = "max_duration_increase_percent".to_string();
    let limit = format!("≤ {max:+.1} %");
    let worst = cs
        .iter()
        .filter(|c| c.metric == "wall_s" && c.stage.is_none() && c.change_pct.is_finite())
        .max_by(|a, b| a.change_pct.total_cmp(&b.change_pct));
    let Some(c) = worst else {
        return RuleResult {
            rule,
            passed: true,
            actual: "n/a".into(),
            limit,
            detail: "no wall-time comparison in this session: nothing to compare against".into(),
        };
    };
    let passed = c.change_pct <= max;
    let what = format!(
        "wall median {:+.1} % vs `{}` ({} → {})",
        c.change_pct,
        c.baseline,
        secs(c.baseline_median),
        secs(c.candidate_median)
    );
    let detail = if passed {
        what
    } else {
        format!("{what}: {:.1} points over the limit", c.change_pct - max)
    };
    RuleResult {
        rule,
        passed,
        actual: format!("{:+.1} %", c.change_pct),
        limit,
        detail,
    }
}

fn failure_rule(max: f64, export: &SessionExport, cfg: &GateConfig) -> RuleResult {
    let limit = format!("≤ {:.1} %", max * 100.0);
    let worst = export
        .variants
        .iter()
        .filter(|v| cfg.variant.as_ref().is_none_or(|n| *n == v.name))
        .map(|v| (v.name.as_str(), failures(&v.iterations)))
        .filter(|(_, (_, n))| *n > 0)
        .max_by(|a, b| {
            let rate = |(f, n): (usize, usize)| f as f64 / n as f64;
            rate(a.1).total_cmp(&rate(b.1))
        });
    let Some((name, (failed, runs))) = worst else {
        return RuleResult {
            rule: "max_failure_rate".into(),
            passed: true,
            actual: "n/a".into(),
            limit,
            detail: "no runs to judge".into(),
        };
    };
    let rate = failed as f64 / runs as f64;
    let passed = rate <= max;
    let what = format!("{failed} of {runs} runs failed or timed out in `{name}`");
    RuleResult {
        rule: "max_failure_rate".into(),
        passed,
        actual: format!("{:.1} %", rate * 100.0),
        limit,
        detail: if passed {
            what
        } else {
            format!("{what}: {:.1} points over the limit", (rate - max) * 100.0)
        },
    }
}

#[cfg(test)]
mod tests;
