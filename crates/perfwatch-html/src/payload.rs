//! The data the page's script draws charts from: a compact view of the
//! model, never new statistics. Only one representative iteration's
//! timeline per variant travels, so pages stay small.

use crate::labels::metric_unit;
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::HistorySeries;
use perfwatch_model::{Iteration, Sample, SessionExport, Span, VariantExport};
use perfwatch_report::units::unit_key;
use serde::Serialize;

/// Timeline samples kept per chart; longer timelines keep every k-th sample.
pub(crate) const MAX_SAMPLES: usize = 2_000;
/// Spans kept for the stage shading of a timeline.
pub(crate) const MAX_SPANS: usize = 400;
/// Deepest nesting level kept for the stage shading (0 = root).
const MAX_SPAN_DEPTH: u8 = 2;

/// Everything the script of one page needs.
#[derive(Debug, Serialize, Default)]
pub(crate) struct PagePayload<'a> {
    pub sessions: Vec<SessionPayload<'a>>,
    pub history: Vec<HistoryPayload<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SessionPayload<'a> {
    pub id: &'a str,
    pub variants: Vec<VariantPayload<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct VariantPayload<'a> {
    pub name: &'a str,
    pub median: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub iterations: Vec<IterationPoint>,
    pub timeline: Option<TimelinePayload<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IterationPoint {
    pub index: u32,
    pub wall_s: f64,
    pub warmup: bool,
    pub ok: bool,
}

/// The resource timeline of one iteration, column by column.
#[derive(Debug, Serialize)]
pub(crate) struct TimelinePayload<'a> {
    pub iteration: u32,
    pub samples_total: usize,
    pub stride: usize,
    pub t: Vec<f64>,
    pub cpu: Vec<f64>,
    pub rss: Vec<u64>,
    pub read: Vec<f64>,
    pub write: Vec<f64>,
    /// GPU lanes, absent when no kept sample carries a GPU reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuLanes>,
    pub spans: Vec<SpanPayload<'a>>,
    pub spans_total: usize,
}

/// The GPU figures of the kept samples; `null` where a sample has none.
#[derive(Debug, Serialize)]
pub(crate) struct GpuLanes {
    /// Busy % (the busiest device; the tree's own where known).
    pub busy: Vec<Option<f64>>,
    /// GPU memory of the tree, or of the device where per-process
    /// figures are missing, bytes.
    pub memory: Vec<Option<u64>>,
    /// Whether `memory` is the tree's (true) or the device's.
    pub tree_memory: bool,
    /// The largest device's memory, bytes.
    pub memory_total: u64,
}

impl GpuLanes {
    fn of(kept: &[&Sample]) -> Option<GpuLanes> {
        if kept.iter().all(|s| s.gpus.is_empty()) {
            return None;
        }
        let tree_memory = kept.iter().any(|s| s.tree_gpu_memory_bytes().is_some());
        let memory = kept
            .iter()
            .map(|s| {
                if tree_memory {
                    s.tree_gpu_memory_bytes()
                } else {
                    s.gpus
                        .iter()
                        .map(|g| g.memory_used_bytes)
                        .reduce(u64::saturating_add)
                }
            })
            .collect();
        Some(GpuLanes {
            busy: kept.iter().map(|s| s.gpu_busy_pct()).collect(),
            memory,
            tree_memory,
            memory_total: kept
                .iter()
                .flat_map(|s| &s.gpus)
                .map(|g| g.memory_total_bytes)
                .max()
                .unwrap_or(0),
        })
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SpanPayload<'a> {
    pub name: &'a str,
    pub start: f64,
    pub end: f64,
    pub depth: u8,
    pub ok: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct HistoryPayload<'a> {
    #[serde(flatten)]
    pub series: &'a HistorySeries,
    pub unit: &'static str,
}

impl<'a> SessionPayload<'a> {
    pub(crate) fn new(export: &'a SessionExport) -> Self {
        SessionPayload {
            id: &export.session.id,
            variants: export.variants.iter().map(VariantPayload::new).collect(),
        }
    }
}

impl<'a> HistoryPayload<'a> {
    pub(crate) fn new(series: &'a HistorySeries) -> Self {
        HistoryPayload {
            series,
            unit: unit_key(metric_unit(&series.metric)),
        }
    }
}

impl<'a> VariantPayload<'a> {
    fn new(v: &'a VariantExport) -> Self {
        let wall = v.summary.get("wall_s");
        VariantPayload {
            name: &v.name,
            median: wall.map(|s| s.median),
            ci_low: wall.map(|s| s.ci_low),
            ci_high: wall.map(|s| s.ci_high),
            iterations: v
                .iterations
                .iter()
                .map(|it| IterationPoint {
                    index: it.index,
                    wall_s: it.wall_s,
                    warmup: it.warmup,
                    ok: it.succeeded(),
                })
                .collect(),
            timeline: representative(v).map(TimelinePayload::new),
        }
    }
}

/// The iteration whose timeline a variant shows: among counted iterations
/// with a timeline (successful ones first), the one whose wall time lies
/// closest to the variant's median as summarised by the analysis.
pub(crate) fn representative(v: &VariantExport) -> Option<&Iteration> {
    let with_timeline = || v.iterations.iter().filter(|i| !i.timeline.is_empty());
    let pool: Vec<&Iteration> = {
        let ok: Vec<_> = with_timeline()
            .filter(|i| i.counts() && i.succeeded())
            .collect();
        if !ok.is_empty() {
            ok
        } else {
            let counted: Vec<_> = with_timeline().filter(|i| i.counts()).collect();
            if counted.is_empty() {
                with_timeline().collect()
            } else {
                counted
            }
        }
    };
    let target = v.summary.get("wall_s").map(|s| s.median);
    match target.filter(|m| m.is_finite()) {
        Some(m) => pool
            .into_iter()
            .min_by(|a, b| (a.wall_s - m).abs().total_cmp(&(b.wall_s - m).abs())),
        None => pool.into_iter().next(),
    }
}

impl<'a> TimelinePayload<'a> {
    fn new(it: &'a Iteration) -> Self {
        let total = it.timeline.len();
        let stride = total.div_ceil(MAX_SAMPLES).max(1);
        let kept: Vec<_> = it.timeline.iter().step_by(stride).collect();
        let depths = span_depths(&it.stages);
        let mut spans: Vec<SpanPayload<'a>> = it
            .stages
            .iter()
            .zip(depths)
            .filter(|(_, d)| *d <= MAX_SPAN_DEPTH)
            .map(|(s, depth)| SpanPayload {
                name: &s.name,
                start: s.start_s,
                end: s.end_s,
                depth,
                ok: s.ok,
            })
            .collect();
        spans.sort_by(|a, b| a.depth.cmp(&b.depth).then(a.start.total_cmp(&b.start)));
        spans.truncate(MAX_SPANS);
        TimelinePayload {
            iteration: it.index,
            samples_total: total,
            stride,
            t: kept.iter().map(|s| s.t_s).collect(),
            cpu: kept.iter().map(|s| s.cpu_pct).collect(),
            rss: kept.iter().map(|s| s.rss_bytes).collect(),
            read: kept.iter().map(|s| s.read_bps).collect(),
            write: kept.iter().map(|s| s.write_bps).collect(),
            gpu: GpuLanes::of(&kept),
            spans,
            spans_total: it.stages.len(),
        }
    }
}

/// Nesting depth of every span (0 for roots), as the one span-tree
/// placement gives it ([`perfwatch_model::span_tree`]: unknown parents
/// make roots, cycles are cut), saturating at `u8::MAX`.
pub(crate) fn span_depths(spans: &[Span]) -> Vec<u8> {
    place_spans(spans)
        .placements
        .iter()
        .map(|p| u8::try_from(p.depth).unwrap_or(u8::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Sample, Summary, Tier};
    use std::collections::BTreeMap;

    fn span(id: u64, parent: Option<u64>) -> Span {
        Span {
            id,
            parent,
            name: format!("s{id}"),
            tier: Tier::Method,
            component: None,
            start_s: 0.0,
            end_s: 1.0,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: Default::default(),
        }
    }

    #[test]
    fn depths_follow_parents_and_survive_cycles() {
        let spans = vec![
            span(1, None),
            span(2, Some(1)),
            span(3, Some(2)),
            span(4, Some(99)),
            span(5, Some(6)),
            span(6, Some(5)),
        ];
        // The cycle 5 ⇄ 6 is cut at its smallest id, 5, as everywhere.
        assert_eq!(span_depths(&spans), vec![0, 1, 2, 0, 0, 1]);
    }

    fn iteration(index: u32, wall_s: f64, warmup: bool) -> Iteration {
        Iteration {
            index,
            warmup,
            exit_code: Some(0),
            wall_s,
            timeline: vec![Sample {
                t_s: 0.0,
                cpu_pct: 1.0,
                rss_bytes: 1,
                threads: 1,
                processes: 1,
                read_bps: 0.0,
                write_bps: 0.0,
                gpus: Vec::new(),
            }],
            ..Iteration::default()
        }
    }

    #[test]
    fn representative_is_the_counted_iteration_nearest_the_median() {
        let mut summary = BTreeMap::new();
        summary.insert(
            "wall_s".to_string(),
            Summary {
                n: 3,
                median: 2.0,
                ..Summary::default()
            },
        );
        let v = VariantExport {
            gpu: None,
            app_metrics: Default::default(),
            service: None,
            name: "a".into(),
            description: None,
            iterations: vec![
                iteration(0, 2.0, true),
                iteration(1, 1.0, false),
                iteration(2, 2.1, false),
                iteration(3, 3.0, false),
            ],
            summary,
            stages: vec![],
            warnings: vec![],
        };
        assert_eq!(representative(&v).map(|i| i.index), Some(2));
    }

    #[test]
    fn long_timelines_are_strided() {
        let mut it = iteration(0, 1.0, false);
        it.timeline = vec![it.timeline[0].clone(); MAX_SAMPLES * 3 + 1];
        let p = TimelinePayload::new(&it);
        assert_eq!(p.stride, 4);
        assert!(p.t.len() <= MAX_SAMPLES);
        assert_eq!(p.samples_total, MAX_SAMPLES * 3 + 1);
    }
}
