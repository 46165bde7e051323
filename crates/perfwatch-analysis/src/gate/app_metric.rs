//! Rules on application metrics: the median, over a variant's counted
//! runs that reported it, of what the program said of itself.

use super::report::RuleResult;
use crate::app_rule::AppRule;
use crate::findings::context::VariantData;
use crate::findings::format::number;
use perfwatch_stats::median;

/// Judges `rule` on each variant of `scope` that reports its metric; the
/// variant furthest on the wrong side decides. A metric no variant
/// reports fails: a renamed metric would otherwise pass forever.
pub(super) fn app_metric_rule(rule: &AppRule, scope: &[VariantData]) -> RuleResult {
    let name = format!("app_metrics.\"{}\"", rule.name);
    let limit = format!("{} {}", rule.op.symbol(), number(rule.limit));
    let medians: Vec<(f64, usize, &str)> = scope
        .iter()
        .filter_map(|v| {
            let values: Vec<f64> = v
                .runs
                .iter()
                .filter_map(|r| r.it.app_metric(&rule.name).map(|(_, x)| x))
                .filter(|x| x.is_finite())
                .collect();
            Some((median(&values)?, values.len(), v.name))
        })
        .collect();
    // The worst: the lowest median under a floor, the highest under a
    // ceiling.
    let worst = medians.iter().copied().max_by(|a, b| {
        let (x, y) = if rule.op.is_floor() {
            (b.0, a.0)
        } else {
            (a.0, b.0)
        };
        x.total_cmp(&y)
    });
    let Some((value, runs, variant)) = worst else {
        return RuleResult {
            rule: name,
            passed: false,
            actual: "absent".into(),
            limit,
            detail: format!(
                "no counted run of a judged variant reported `{}`",
                rule.name
            ),
        };
    };
    let passed = rule.holds(value);
    let what = format!(
        "median {} over {runs} run{} of `{variant}`",
        number(value),
        if runs == 1 { "" } else { "s" }
    );
    RuleResult {
        rule: name,
        passed,
        actual: number(value),
        limit: limit.clone(),
        detail: if passed {
            format!("{what} keeps {limit}")
        } else {
            format!("{what} breaks {limit}")
        },
    }
}
