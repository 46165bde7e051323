//! Per-variant summaries of a session: which iterations count, which
//! metrics are summarised, and the grouping of iterations by variant.
//!
//! An iteration **counts** when [`Iteration::counts`] says so: warm-ups and
//! timed-out runs are excluded. A failed run (non-zero exit, or killed by a
//! signal) that the runner kept because of `--ignore-failure` does count:
//! the user asked to measure failing runs, and dropping them silently would
//! bias the sample towards whatever succeeds; [`crate::warnings`] says how
//! many there were.
//!
//! A metric is summarised only when every counted iteration measured it; an
//! absent figure is never read as zero, and a summary over the subset that
//! happened to measure it would compare unlike with unlike.

use crate::gpu::gpu_summary;
use crate::options::CompareOptions;
use crate::stages::stage_summaries;
use crate::warnings::sample_warnings_with;
use perfwatch_model::{
    AppMetricKind, AppMetricSummary, Iteration, Metric, Session, SessionExport, VariantExport,
    SCHEMA_V1,
};
use perfwatch_stats::{summarize, CiOptions};
use std::collections::BTreeMap;

/// The values of `metric` over the counted iterations, in order; `None`
/// when there is no counted iteration or one of them lacks the figure.
pub fn metric_values(iterations: &[Iteration], metric: Metric) -> Option<Vec<f64>> {
    let values: Option<Vec<f64>> = iterations
        .iter()
        .filter(|it| it.counts())
        .map(|it| it.metric(metric))
        .collect();
    values.filter(|v| !v.is_empty())
}

/// Summarises one variant: a [`perfwatch_model::Summary`] per metric key
/// measured in every counted iteration, and warnings about the sample.
/// Iterations are kept, warm-ups included, ordered by index; `stages`
/// holds the [stage summaries](crate::stages::stage_summaries).
pub fn summarize_variant(
    name: &str,
    description: Option<String>,
    mut iterations: Vec<Iteration>,
    ci: &CiOptions,
) -> VariantExport {
    iterations.sort_by_key(|it| it.index);
    let summary: BTreeMap<String, _> = Metric::ALL
        .into_iter()
        .filter_map(|m| {
            let values = metric_values(&iterations, m)?;
            Some((m.key().to_string(), summarize(&values, ci)?))
        })
        .collect();
    let noise_band = CompareOptions::default().noise_threshold;
    let warnings = sample_warnings_with(&iterations, noise_band, ci);
    let stages = stage_summaries(&iterations, ci);
    let gpu = gpu_summary(&iterations);
    let app_metrics = app_metric_summaries(&iterations);
    let service = crate::service_summary::service_summary(&iterations);
    VariantExport {
        name: name.to_string(),
        description,
        iterations,
        summary,
        stages,
        warnings,
        gpu,
        app_metrics,
        service,
    }
}

/// The application metrics of the counted `iterations`: per name, the
/// median, smallest and largest of the values of the runs that reported
/// it (a run that did not report one is left out, never read as 0).
pub fn app_metric_summaries(iterations: &[Iteration]) -> BTreeMap<String, AppMetricSummary> {
    let mut values: BTreeMap<&str, (AppMetricKind, Vec<f64>)> = BTreeMap::new();
    for it in iterations.iter().filter(|it| it.counts()) {
        // A name both a gauge and a counter is read once, as the gauge.
        let names: std::collections::BTreeSet<&String> =
            it.gauges.keys().chain(it.counters.keys()).collect();
        for name in names {
            match it.app_metric(name) {
                Some((kind, v)) if v.is_finite() => {
                    values.entry(name).or_insert((kind, Vec::new())).1.push(v)
                }
                _ => {}
            }
        }
    }
    values
        .into_iter()
        .filter_map(|(name, (kind, vs))| {
            let median = perfwatch_stats::median(&vs)?;
            Some((
                name.to_string(),
                AppMetricSummary {
                    kind,
                    runs: vs.len() as u32,
                    median,
                    min: vs.iter().copied().fold(f64::INFINITY, f64::min),
                    max: vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                },
            ))
        })
        .collect()
}

/// Below this median wall time a shell command's figures are inexact: the
/// shell's start-up, measured apart and subtracted, is of the same order
/// (hyperfine warns below the same limit).
pub const SHELL_CORRECTION_LIMIT_S: f64 = 0.005;

/// The warning for a shell command whose runs are as short as the shell's
/// start-up that was subtracted from them (some may even read 0).
fn shell_correction_warning(
    v: &VariantExport,
    c: &perfwatch_model::ShellCorrection,
) -> Option<String> {
    let median = v.summary.get(Metric::WallS.key())?.median;
    let clamped = v
        .iterations
        .iter()
        .filter(|it| it.counts() && it.wall_s == 0.0)
        .count();
    if median >= SHELL_CORRECTION_LIMIT_S && clamped == 0 {
        return None;
    }
    let zeros = if clamped > 0 {
        format!(" ({clamped} run(s) read 0 after it)")
    } else {
        String::new()
    };
    Some(format!(
        "runs take {:.2} ms, close to the shell's own start-up ({:.2} ms), which is subtracted from each run{zeros}: below 5 ms the figures are inexact; run it without a shell (-N, or the argv after `--`)",
        median * 1e3,
        c.wall_s * 1e3
    ))
}

/// Groups the iterations of a session by variant and summarises each.
///
/// Variants appear in the order of `session.variants` (a planned variant
/// without iterations appears with none), followed by variant names found
/// only in iterations, in order of first appearance. Comparisons and
/// findings are left empty.
pub fn summarize_session(
    session: Session,
    iterations: Vec<Iteration>,
    ci: &CiOptions,
) -> SessionExport {
    let mut order: Vec<(String, Option<String>)> = session
        .variants
        .iter()
        .map(|v| (v.name.clone(), v.description.clone()))
        .collect();
    let mut groups: BTreeMap<String, Vec<Iteration>> = BTreeMap::new();
    for it in iterations {
        if !order.iter().any(|(name, _)| *name == it.variant) {
            order.push((it.variant.clone(), None));
        }
        groups.entry(it.variant.clone()).or_default().push(it);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut variants: Vec<VariantExport> = order
        .into_iter()
        // A name listed twice in the plan is summarised once.
        .filter(|(name, _)| seen.insert(name.clone()))
        .map(|(name, description)| {
            let its = groups.remove(&name).unwrap_or_default();
            summarize_variant(&name, description, its, ci)
        })
        .collect();
    if let Some(correction) = &session.shell_correction {
        for v in &mut variants {
            let shell = session
                .variants
                .iter()
                .find(|s| s.name == v.name)
                .and_then(|s| s.command.as_ref())
                .unwrap_or(&session.command)
                .shell;
            if shell {
                v.warnings.extend(shell_correction_warning(v, correction));
            }
        }
    }
    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session,
        variants,
        comparisons: vec![],
        findings: vec![],
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{CommandSpec, HostInfo, SessionStatus, VariantSpec};

    fn it(index: u32, variant: &str, wall_s: f64) -> Iteration {
        Iteration {
            index,
            variant: variant.to_string(),
            exit_code: Some(0),
            wall_s,
            user_s: Some(wall_s / 2.0),
            ..Iteration::default()
        }
    }

    fn quick() -> CiOptions {
        CiOptions {
            resamples: 200,
            ..CiOptions::default()
        }
    }

    #[test]
    fn counted_iterations_only() {
        let mut its: Vec<Iteration> = (0..6).map(|i| it(i, "a", 1.0 + f64::from(i))).collect();
        its[0].warmup = true;
        its[1].timed_out = true;
        its[2].exit_code = Some(1); // failed, kept by --ignore-failure: counts
        let v = summarize_variant("a", Some("desc".into()), its, &quick());
        assert_eq!(v.iterations.len(), 6, "every iteration is kept");
        let wall = v.summary["wall_s"];
        assert_eq!((wall.n, wall.min, wall.max), (4, 3.0, 6.0));
        assert_eq!(v.description.as_deref(), Some("desc"));
        assert!(v.stages.is_empty());
        assert!(v.warnings.iter().any(|w| w.contains("1 run timed out")));
        assert!(v.warnings.iter().any(|w| w.contains("1 run failed")));
    }

    #[test]
    fn a_metric_missing_in_one_counted_iteration_is_absent() {
        let mut its: Vec<Iteration> = (0..5).map(|i| it(i, "a", 1.0)).collect();
        its[3].user_s = None;
        its[0].max_rss_bytes = Some(10); // only one iteration measured it
        let v = summarize_variant("a", None, its.clone(), &quick());
        let keys: Vec<&str> = v.summary.keys().map(String::as_str).collect();
        assert_eq!(keys, ["wall_s"]);
        // A warm-up lacking a figure does not matter.
        its[3].warmup = true;
        let v = summarize_variant("a", None, its, &quick());
        assert!(v.summary.contains_key("user_s"));
        assert_eq!(metric_values(&[], Metric::WallS), None);
    }

    #[test]
    fn no_counted_iteration_gives_an_empty_summary() {
        let mut warm = it(0, "a", 1.0);
        warm.warmup = true;
        let v = summarize_variant("a", None, vec![warm], &quick());
        assert!(v.summary.is_empty());
        let v = summarize_variant("a", None, vec![], &quick());
        assert!(v.summary.is_empty() && v.warnings.is_empty());
    }

    #[test]
    fn nan_wall_time_is_not_counted_in_n() {
        let mut its: Vec<Iteration> = (0..5).map(|i| it(i, "a", 1.0)).collect();
        its[2].wall_s = f64::NAN;
        let v = summarize_variant("a", None, its, &quick());
        assert_eq!(v.summary["wall_s"].n, 4);
    }

    fn session(variants: &[&str]) -> Session {
        Session {
            id: "abc".into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: None,
            benchmark: "bench".into(),
            command: CommandSpec {
                argv: vec!["true".into()],
                shell: false,
            },
            variants: variants
                .iter()
                .map(|n| VariantSpec {
                    name: n.to_string(),
                    description: Some(format!("{n} described")),
                    ..VariantSpec::default()
                })
                .collect(),
            git: None,
            host: HostInfo::default(),
            perfwatch_version: "0.1.0".into(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        }
    }

    #[test]
    fn a_shell_command_as_short_as_the_shell_start_up_is_warned_about() {
        let correction = perfwatch_model::ShellCorrection {
            shell: "sh".into(),
            wall_s: 0.0012,
            user_s: 0.0005,
            sys_s: 0.0003,
            runs: 50,
        };
        let runs = |variant: &str, wall: f64| -> Vec<Iteration> {
            (0..6)
                .map(|i| it(i, variant, if i == 0 { 0.0 } else { wall }))
                .collect()
        };
        let mut s = session(&["short", "long"]);
        s.command.shell = true;
        s.shell_correction = Some(correction.clone());
        let mut its = runs("short", 0.0008);
        its.extend(runs("long", 0.2).into_iter().map(|mut i| {
            i.wall_s = 0.2;
            i.index += 10;
            i
        }));
        let e = summarize_session(s.clone(), its.clone(), &quick());
        let warned = |v: usize| e.variants[v].warnings.iter().any(|w| w.contains("-N"));
        assert!(warned(0), "{:?}", e.variants[0].warnings);
        assert!(e.variants[0]
            .warnings
            .iter()
            .any(|w| w.contains("1 run(s) read 0")));
        assert!(!warned(1), "{:?}", e.variants[1].warnings);
        // Without a shell, nothing was subtracted: no warning.
        s.command.shell = false;
        let e = summarize_session(s, its, &quick());
        assert!(!e.variants[0].warnings.iter().any(|w| w.contains("-N")));
    }

    #[test]
    fn session_groups_by_variant_in_plan_order() {
        // Interleaved A/B plus a stray variant and a planned one never run.
        let its = vec![
            it(0, "b", 2.0),
            it(1, "a", 1.0),
            it(2, "x", 3.0),
            it(3, "b", 2.0),
            it(4, "a", 1.0),
        ];
        let export = summarize_session(session(&["a", "b", "never"]), its, &quick());
        assert_eq!(export.schema, SCHEMA_V1);
        let names: Vec<&str> = export.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "never", "x"]);
        let a = &export.variants[0];
        assert_eq!(a.description.as_deref(), Some("a described"));
        let indices: Vec<u32> = a.iterations.iter().map(|i| i.index).collect();
        assert_eq!(indices, [1, 4]);
        assert!(export.variants[2].iterations.is_empty());
        assert_eq!(export.variants[3].description, None);
        assert!(export.comparisons.is_empty() && export.findings.is_empty());
    }
}
