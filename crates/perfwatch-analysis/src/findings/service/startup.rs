//! `slow_startup`: a service that takes long to become ready ("start-up
//! 2.40 s, CPU-bound").
//!
//! Fires when the median `startup_s` of the variant's counted runs is at
//! least `startup_slow_s` (1 s). The evidence says **why**: the mean CPU
//! use of the tree over the start-up part of the timeline (`t_s <
//! startup_s`, pooled over the runs) — at least `startup_busy_pct` (50 %
//! of a core) is CPU-bound (initialisation, imports computing), less is
//! mostly waiting (I/O, network, sleeps) — and the spans the service sent
//! that end before it was ready, with their median times: the outermost
//! ones, each replaced by its children where they cover at least half of
//! it (`startup/load_models`, `startup/build_index` rather than `startup`).
//!
//! Saving per run: what another variant of the session shows — the
//! difference between this median and the fastest other variant's, when
//! that one starts faster and the difference is worth a finding. Without
//! such a variant, 0: nothing measured says how fast it could start, and
//! the text says that no saving is claimed.

use super::super::context::VariantData;
use super::super::format::{number, saves, secs};
use super::super::timeline::CpuAcc;
use super::super::{finding, FindingOptions, RuleKind};
use super::median_metric;
use perfwatch_model::{Finding, Metric};
use perfwatch_stats::median;
use std::collections::BTreeMap;

/// The most start-up spans named in the text.
const SPANS_NAMED: usize = 3;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    slow_startup(all, me, opts).into_iter().collect()
}

fn slow_startup(all: &[VariantData], me: usize, opts: &FindingOptions) -> Option<Finding> {
    let v = &all[me];
    let o = &opts.service;
    let startup = median_metric(v, Metric::StartupS)?;
    if startup < o.startup_slow_s {
        return None;
    }
    let runs = v.runs.iter().filter(|r| r.it.service.is_some()).count();
    let cpu = startup_cpu_pct(v);
    let cpu_bound = cpu.map(|c| c >= o.startup_busy_pct);
    let spans = startup_spans(v);
    let faster = all
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != me)
        .filter_map(|(_, w)| Some((w.name, median_metric(w, Metric::StartupS)?)))
        .filter(|&(_, s)| s < startup)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let impact = faster
        .map(|(_, s)| startup - s)
        .filter(|&d| opts.worth(d, v.wall_median))
        .unwrap_or(0.0);

    let mut f = finding(RuleKind::SlowStartup, v, None);
    let why = match (cpu, cpu_bound) {
        (Some(c), Some(true)) => format!(
            "CPU-bound (≈{} % of a core: initialisation/imports computing)",
            number(c)
        ),
        (Some(c), _) => format!("mostly waiting ({} % CPU: I/O, network, sleeps)", number(c)),
        _ => "CPU use unknown (no timeline)".to_string(),
    };
    f.title = format!("The service takes {} to start, {why}", secs(startup));
    let e = &mut f.evidence;
    e.insert("startup_s".into(), startup);
    e.insert("runs".into(), runs as f64);
    if let (Some(c), Some(b)) = (cpu, cpu_bound) {
        e.insert("startup_cpu_pct".into(), c);
        e.insert("cpu_bound".into(), if b { 1.0 } else { 0.0 });
    }
    e.insert("startup_spans".into(), spans.len() as f64);
    if let Some((_, s)) = spans.first() {
        e.insert("largest_startup_span_s".into(), *s);
    }
    if let Some((_, s)) = faster {
        e.insert("faster_variant_startup_s".into(), s);
    }
    f.impact_s = impact;
    f.confidence = if runs >= 3 { 0.8 } else { 0.6 } * if cpu.is_some() { 1.0 } else { 0.8 };
    f.recommendation = format!(
        "{}{} {}",
        advice(cpu_bound),
        spans_text(&spans),
        saving_text(faster, impact)
    );
    f.effort = Some("medium".into());
    Some(f)
}

/// What to do, by what the start-up spends its time on.
fn advice(cpu_bound: Option<bool>) -> &'static str {
    match cpu_bound {
        Some(true) => {
            "The start-up computes: defer what the first requests do not need — lazy \
             initialisation, imports moved to their first use — or cache the initialised \
             state (pre-built data, a snapshot) so that a start loads it instead of building it."
        }
        Some(false) => {
            "The start-up mostly waits — on files, the network (a database, configuration, \
             a download) or a sleep: connect lazily or in the background while the service \
             already answers, cache what it fetches, and replace fixed sleeps by waiting for \
             the condition."
        }
        None => {
            "Defer what the first requests do not need (lazy initialisation, imports at \
             first use) or cache the initialised state; sample the timeline to tell \
             computing from waiting."
        }
    }
}

/// ` Before it is ready: `load_model` 1.20 s, `connect` 300 ms.` — or
/// nothing without start-up spans.
fn spans_text(spans: &[(String, f64)]) -> String {
    if spans.is_empty() {
        return String::new();
    }
    let named: Vec<String> = spans
        .iter()
        .take(SPANS_NAMED)
        .map(|(p, s)| format!("`{p}` {}", secs(*s)))
        .collect();
    format!(" Before it is ready: {}.", named.join(", "))
}

/// The sentence about the saving: measured against a faster variant, or
/// none claimed.
fn saving_text(faster: Option<(&str, f64)>, impact: f64) -> String {
    match faster {
        Some((name, s)) if impact > 0.0 => format!(
            "Variant `{name}` starts in {}: starting as it does would {}.",
            secs(s),
            saves(impact)
        ),
        Some((name, s)) => format!(
            "Variant `{name}` starts in {}, too little faster to claim a saving per run.",
            secs(s)
        ),
        None => {
            "No variant of the session starts faster, so no saving per run is claimed.".to_string()
        }
    }
}

/// Mean CPU of the tree over the start-ups, % of one core, pooled over
/// the runs; `None` without timeline coverage.
fn startup_cpu_pct(v: &VariantData) -> Option<f64> {
    let mut acc = CpuAcc::default();
    for r in &v.runs {
        if let Some(s) = &r.it.service {
            acc.add(&r.it.timeline, 0.0, s.startup_s);
        }
    }
    acc.mean()
}

/// The outermost spans that end before the service is ready, by stage
/// path, with the median over the runs that have them of their time per
/// run; largest first.
fn startup_spans(v: &VariantData) -> Vec<(String, f64)> {
    let mut per_path: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in &v.runs {
        let Some(ready) = r.it.service.as_ref().map(|s| s.startup_s) else {
            continue;
        };
        let before = |i: usize| r.calls[i].span.end_s <= ready;
        let children = |i: usize| -> Vec<usize> {
            (0..r.calls.len())
                .filter(|&j| r.calls[j].parent == Some(i) && before(j))
                .collect()
        };
        // The outermost spans of the start-up; one whose children cover
        // most of it is told by its children (`startup` says less than
        // `startup/load_models` and `startup/build_index`).
        let mut named: Vec<usize> = (0..r.calls.len())
            .filter(|&i| before(i) && r.calls[i].parent.is_none_or(|p| !before(p)))
            .collect();
        let mut i = 0;
        while i < named.len() {
            let kids = children(named[i]);
            let covered: f64 = kids.iter().map(|&k| r.calls[k].duration()).sum();
            if !kids.is_empty() && covered >= CHILDREN_EXPLAIN * r.calls[named[i]].duration() {
                named.splice(i..=i, kids);
            } else {
                i += 1;
            }
        }
        let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
        for i in named {
            *totals.entry(&r.calls[i].path).or_default() += r.calls[i].duration();
        }
        for (p, t) in totals {
            per_path.entry(p).or_default().push(t);
        }
    }
    let mut out: Vec<(String, f64)> = per_path
        .into_iter()
        .filter_map(|(p, ts)| Some((p.to_string(), median(&ts)?)))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The share of a start-up span its children must cover to be named in
/// its place.
const CHILDREN_EXPLAIN: f64 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{apply_rule, load, run, session, variant};
    use perfwatch_model::{Iteration, SessionExport};

    /// Five runs of a service ready after `startup_s` (computing or
    /// waiting), with a `load_model` span over most of the start-up when
    /// `span`, then 2 s of load.
    fn runs(startup_s: f64, busy: bool, span: bool) -> Vec<Iteration> {
        (0..5)
            .map(|i| {
                let mut r = run(i).service(startup_s, 0.05, Some(load(100.0, 0.01, 0.02)));
                if span {
                    r.step("load_model", None, startup_s * 0.8, busy);
                    r.advance(startup_s * 0.2 - 0.002, busy);
                } else {
                    r.advance(startup_s - 0.002, busy);
                }
                r.advance(2.0, true);
                r.finish()
            })
            .collect()
    }

    fn one(startup_s: f64, busy: bool, span: bool) -> SessionExport {
        session(vec![variant("v", runs(startup_s, busy, span))])
    }

    #[test]
    fn a_cpu_bound_start_up_says_so() {
        let fs = apply_rule(find, &one(2.4, true, false));
        assert_eq!(fs.len(), 1, "{fs:?}");
        let f = &fs[0];
        assert!(f.title.contains("CPU-bound"), "{}", f.title);
        assert!((f.evidence["startup_s"] - 2.4).abs() < 1e-9);
        assert!(f.evidence["startup_cpu_pct"] > 90.0, "{:?}", f.evidence);
        assert_eq!(f.evidence["cpu_bound"], 1.0);
        assert!(f.recommendation.contains("lazy"), "{}", f.recommendation);
    }

    #[test]
    fn a_waiting_start_up_says_so_and_names_its_spans() {
        let fs = apply_rule(find, &one(1.5, false, true));
        assert_eq!(fs.len(), 1, "{fs:?}");
        let f = &fs[0];
        assert!(f.title.contains("mostly waiting"), "{}", f.title);
        assert_eq!(f.evidence["cpu_bound"], 0.0);
        assert_eq!(f.evidence["startup_spans"], 1.0);
        assert!((f.evidence["largest_startup_span_s"] - 1.2).abs() < 1e-9);
        assert!(
            f.recommendation.contains("`load_model` 1.20 s"),
            "{}",
            f.recommendation
        );
    }

    #[test]
    fn a_start_up_span_covered_by_its_children_is_told_by_them() {
        let its = (0..5)
            .map(|i| {
                let mut r = run(i).service(1.5, 0.05, Some(load(100.0, 0.01, 0.02)));
                let startup = r.open("startup", None);
                r.step("load_models", Some(startup), 0.9, false);
                r.step("build_index", Some(startup), 0.5, true);
                r.close(startup);
                r.advance(0.098, true);
                r.advance(2.0, true);
                r.finish()
            })
            .collect();
        let fs = apply_rule(find, &session(vec![variant("v", its)]));
        let text = &fs[0].recommendation;
        assert!(text.contains("`startup/load_models` 900 ms"), "{text}");
        assert!(text.contains("`startup/build_index` 500 ms"), "{text}");
        assert!(!text.contains("`startup` 1.40 s"), "{text}");
    }

    #[test]
    fn alone_it_claims_no_saving_and_says_so() {
        let fs = apply_rule(find, &one(2.0, true, false));
        assert_eq!(fs[0].impact_s, 0.0);
        assert!(fs[0]
            .recommendation
            .contains("no saving per run is claimed"));
    }

    #[test]
    fn a_faster_variant_gives_the_saving() {
        let s = session(vec![
            variant("slow", runs(2.5, true, false)),
            variant("lazy", runs(0.4, true, false)),
        ]);
        let fs = apply_rule(find, &s);
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert!((fs[0].impact_s - 2.1).abs() < 1e-9, "{}", fs[0].impact_s);
        assert!((fs[0].evidence["faster_variant_startup_s"] - 0.4).abs() < 1e-9);
        assert!(fs[0]
            .recommendation
            .contains("Variant `lazy` starts in 400 ms"));
    }

    #[test]
    fn a_quick_start_or_a_command_is_not_slow() {
        assert!(apply_rule(find, &one(0.6, true, false)).is_empty());
        let plain: Vec<Iteration> = (0..5)
            .map(|i| {
                let mut r = run(i);
                r.advance(3.0, true);
                r.finish()
            })
            .collect();
        assert!(apply_rule(find, &session(vec![variant("v", plain)])).is_empty());
    }
}
