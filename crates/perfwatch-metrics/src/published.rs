//! The figures on show: every benchmark's [`BenchmarkFigures`] under the
//! series cap, and their encoding at scrape time (a
//! [`Collector`], so that a scrape only formats what was built before).

use crate::figures::{BenchmarkFigures, Series, SEVERITIES};
use perfwatch_model::metric::Unit as FigureUnit;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

/// What [`Published::publish`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The figures replaced the benchmark's; `dropped` entries did not fit
    /// under the cap (or collided once bounded).
    Published { dropped: usize },
    /// A newer session of the benchmark is on show already.
    Stale,
}

#[derive(Debug)]
struct Entry {
    figures: BenchmarkFigures,
    /// [`Published::generation`] when published.
    stamp: u64,
}

/// Every benchmark's figures, keyed by the `benchmark` label value.
#[derive(Debug)]
pub(crate) struct Published {
    benchmarks: BTreeMap<String, Entry>,
    /// Entries on show, at most `cap`.
    used: usize,
    cap: usize,
    /// Counts publications, so that a refresh can tell what was published
    /// while it ran.
    generation: u64,
}

impl Published {
    pub fn new(cap: usize) -> Self {
        Published {
            benchmarks: BTreeMap::new(),
            used: 0,
            cap,
            generation: 0,
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn used(&self) -> usize {
        self.used
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The figures on show for `benchmark` (a label value).
    pub fn get(&self, benchmark: &str) -> Option<&BenchmarkFigures> {
        self.benchmarks.get(benchmark).map(|e| &e.figures)
    }

    /// Puts `figures` on show in place of the benchmark's, unless those are
    /// of a newer session. The old ones give their room back first; what
    /// does not fit in the room left is cut.
    pub fn publish(&mut self, mut figures: BenchmarkFigures) -> Outcome {
        if let Some(old) = self.benchmarks.get(&figures.benchmark) {
            if figures.started.before(&old.figures.started) {
                return Outcome::Stale;
            }
        }
        if let Some(old) = self.benchmarks.remove(&figures.benchmark) {
            self.used -= old.figures.entries();
        }
        let room = self.cap - self.used;
        let dropped = figures.collided + figures.keep_at_most(room);
        // With no room even the benchmark's own entry was cut.
        if room > 0 {
            self.used += figures.entries();
            self.generation += 1;
            self.benchmarks.insert(
                figures.benchmark.clone(),
                Entry {
                    figures,
                    stamp: self.generation,
                },
            );
        }
        Outcome::Published { dropped }
    }

    /// Removes the benchmarks not in `current` that were published at or
    /// before generation `since` (those published later came from sessions
    /// that arrived while the caller read the store); returns how many.
    pub fn retire(&mut self, current: &BTreeSet<String>, since: u64) -> usize {
        let gone: Vec<String> = self
            .benchmarks
            .iter()
            .filter(|(name, e)| e.stamp <= since && !current.contains(*name))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &gone {
            if let Some(e) = self.benchmarks.remove(name) {
                self.used -= e.figures.entries();
            }
        }
        gone.len()
    }
}

/// Encodes [`Published`] at each scrape, under one read lock, so that a
/// scrape sees every benchmark's figures whole.
#[derive(Debug)]
pub(crate) struct FiguresCollector(pub Arc<RwLock<Published>>);

static SECONDS: Unit = Unit::Seconds;
static BYTES: Unit = Unit::Bytes;
static RATIOS: Unit = Unit::Ratios;
static PER_SECOND: std::sync::LazyLock<Unit> =
    std::sync::LazyLock::new(|| Unit::Other("per_second".into()));

/// The whole-run families by unit: a family name ends in its unit
/// (`perfwatch_latest_median_seconds`, `…_per_second` for a service's
/// throughput, `…_ratios` for its error rate), counts have none.
fn whole_run_units() -> [(FigureUnit, Option<&'static Unit>); 5] {
    [
        (FigureUnit::Seconds, Some(&SECONDS)),
        (FigureUnit::Bytes, Some(&BYTES)),
        (FigureUnit::Count, None),
        (FigureUnit::PerSecond, Some(&PER_SECOND)),
        (FigureUnit::Fraction, Some(&RATIOS)),
    ]
}

/// One family per figure of an estimate: name suffix (before the unit),
/// help, the figure.
type Figure = (&'static str, &'static str, fn(&Series) -> f64);
const FIGURES: [Figure; 3] = [
    ("median", "median", |s| s.estimate.median),
    (
        "median_ci_low",
        "lower bound of the confidence interval of the median",
        |s| s.estimate.ci_low,
    ),
    (
        "median_ci_high",
        "upper bound of the confidence interval of the median",
        |s| s.estimate.ci_high,
    ),
];

impl Collector for FiguresCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let state = self.0.read().unwrap_or_else(PoisonError::into_inner);
        let all = || state.benchmarks.values().map(|e| &e.figures);

        gauges(
            &mut encoder,
            "perfwatch_latest_session_start_time",
            "When the latest session of the benchmark started (Unix time).",
            Some(&SECONDS),
            all().filter_map(|f| Some(([("benchmark", f.benchmark.as_str())], f.started.unix_s?))),
        )?;
        gauges(
            &mut encoder,
            "perfwatch_health_score",
            "Health score of the benchmark's latest session, 0 to 100 (100: no findings, regressions or failures).",
            None,
            all().filter_map(|f| Some(([("benchmark", f.benchmark.as_str())], f64::from(f.health?)))),
        )?;
        gauges(
            &mut encoder,
            "perfwatch_regressions",
            "Significant regressions of a primary metric against the baseline in the benchmark's latest session, by severity.",
            None,
            all().flat_map(|f| {
                SEVERITIES.iter().zip(f.regressions).map(|(s, n)| {
                    ([("benchmark", f.benchmark.as_str()), ("severity", s.key())], n as f64)
                })
            }),
        )?;
        for (unit, prom_unit) in whole_run_units() {
            for (figure, what, value) in FIGURES {
                let help = format!(
                    "Whole-run {what} of the benchmark's latest session, per variant and metric{}.",
                    unit_note(unit)
                );
                gauges(
                    &mut encoder,
                    &format!("perfwatch_latest_{figure}"),
                    &help,
                    prom_unit,
                    all().flat_map(|f| {
                        f.whole.iter().filter(|s| s.unit == unit).map(move |s| {
                            let labels = [
                                ("benchmark", f.benchmark.as_str()),
                                ("variant", s.variant.as_str()),
                                ("metric", s.key.as_str()),
                            ];
                            (labels, value(s))
                        })
                    }),
                )?;
            }
        }
        for (figure, what, value) in FIGURES {
            gauges(
                &mut encoder,
                &format!("perfwatch_latest_stage_{figure}"),
                &format!(
                    "Time per iteration spent in the stage (its path), {what} of the benchmark's latest session, per variant."
                ),
                Some(&SECONDS),
                all().flat_map(|f| {
                    f.stages.iter().map(move |s| {
                        let labels = [
                            ("benchmark", f.benchmark.as_str()),
                            ("variant", s.variant.as_str()),
                            ("stage", s.key.as_str()),
                        ];
                        (labels, value(s))
                    })
                }),
            )?;
        }
        gauges(
            &mut encoder,
            "perfwatch_latest_app_metric",
            "An application metric the program reported of itself (a counter's total or a gauge's reading per run): median over the runs of the benchmark's latest session that reported it, per variant.",
            None,
            all().flat_map(|f| {
                f.apps.iter().map(move |s| {
                    let labels = [
                        ("benchmark", f.benchmark.as_str()),
                        ("variant", s.variant.as_str()),
                        ("metric", s.key.as_str()),
                    ];
                    (labels, s.estimate.median)
                })
            }),
        )?;
        gauge(
            &mut encoder,
            "perfwatch_series",
            "Entries on show under the cap: one per benchmark, per variant and metric, per variant and application metric, per variant and stage.",
            state.used() as f64,
        )?;
        gauge(
            &mut encoder,
            "perfwatch_series_limit",
            "The cap on entries (see perfwatch_series); beyond it new ones are dropped and counted in perfwatch_series_dropped_total.",
            state.cap() as f64,
        )
    }
}

fn unit_note(unit: FigureUnit) -> &'static str {
    match unit {
        FigureUnit::Seconds => ", seconds",
        FigureUnit::Bytes => ", bytes",
        FigureUnit::Count => ", a count",
        FigureUnit::PerSecond => ", per second",
        FigureUnit::Fraction => ", a share from 0 to 1",
    }
}

/// A gauge without labels.
fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: f64) -> fmt::Result {
    let family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    ConstGauge::new(value).encode(family)
}

/// One gauge family: its descriptor, then a sample per label set.
fn gauges<L: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    samples: impl Iterator<Item = (L, f64)>,
) -> fmt::Result {
    let mut family = encoder.encode_descriptor(name, help, unit, MetricType::Gauge)?;
    for (labels, value) in samples {
        ConstGauge::new(value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}
