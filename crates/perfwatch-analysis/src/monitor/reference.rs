//! The runs a window is tested against, and the points of one stage's
//! series.

use super::baseline::{baseline_of, BaselineSource, StageBaseline};
use super::budget::BudgetWhat;
use super::run_point::StageFigures;
use perfwatch_stats::quantile;

/// One run of a stage's series: its position in the replayed slice, the
/// figure the series follows, and all its figures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point<'a> {
    pub run: usize,
    pub value: f64,
    pub figures: &'a StageFigures,
}

/// A baseline's runs, with the percentiles the tests read.
#[derive(Debug, Clone)]
pub(crate) struct Reference<'a> {
    /// The usable stage times.
    pub values: Vec<f64>,
    /// Median of `values`.
    pub p50: f64,
    /// 95th percentile of `values`.
    pub p95: f64,
    figures: Vec<&'a StageFigures>,
    source: BaselineSource,
}

impl<'a> Reference<'a> {
    /// The reference of some runs of a stage; `None` when none has a
    /// usable time.
    pub fn new(figures: Vec<&'a StageFigures>, source: BaselineSource) -> Option<Reference<'a>> {
        let values: Vec<f64> = figures
            .iter()
            .filter_map(|f| BudgetWhat::Duration.figure(f))
            .collect();
        Some(Reference {
            p50: quantile(&values, 0.5)?,
            p95: quantile(&values, 0.95)?,
            values,
            figures,
            source,
        })
    }

    /// The learned reference before position `start` of `points`: the
    /// last `take` points not `excluded`.
    pub fn learned(
        points: &[Point<'a>],
        excluded: &[bool],
        start: usize,
        take: usize,
    ) -> Option<Reference<'a>> {
        let figures = points[..start]
            .iter()
            .zip(&excluded[..start])
            .rev()
            .filter(|(_, &skip)| !skip)
            .take(take)
            .map(|(p, _)| p.figures)
            .collect();
        Reference::new(figures, BaselineSource::Learned)
    }

    /// The reference as a reported baseline.
    pub fn baseline(&self, stage: &str) -> Option<StageBaseline> {
        baseline_of(stage, &self.figures, self.source.clone())
    }
}
