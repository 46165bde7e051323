//! CPU use of the process tree while a stage ran, from the timeline.
//!
//! **Alignment rule.** The sampler takes its first sample one interval
//! (about 50 ms) after spawn and one every interval after; a sample at
//! `t_s` gives the CPU use over the interval since the previous sample
//! (since spawn for the first), so sample `k` describes
//! `(t_{k−1}, t_k]`, the first one `(0, t_0]`. A stage ran during the union
//! of its calls' intervals (`[start_s, end_s]` of each record; for an
//! aggregated record, the envelope from its first call's start to its last
//! call's end). The stage's CPU % is the mean of the samples' `cpu_pct`
//! weighted by how long each sample's interval overlaps that union:
//!
//! ```text
//! cpu = Σ cpu_k · |(t_{k−1}, t_k] ∩ U| / Σ |(t_{k−1}, t_k] ∩ U|
//! ```
//!
//! Concurrent calls of one stage are merged before weighting, so a moment
//! counts once however many calls ran in it. Time after the last sample is
//! covered by none and does not count; a stage that overlaps no sample has
//! no CPU figure. Samples with a non-finite time or CPU value are skipped,
//! and samples are taken in time order whatever their order in the
//! timeline.

use perfwatch_model::Sample;

/// A closed interval of seconds since spawn, `start < end`.
pub(crate) type Interval = (f64, f64);

/// The sorted, disjoint union of `intervals`; empty and non-finite ones are
/// left out.
pub(crate) fn union(intervals: impl IntoIterator<Item = Interval>) -> Vec<Interval> {
    let mut v: Vec<Interval> = intervals
        .into_iter()
        .filter(|&(a, b)| a.is_finite() && b.is_finite() && b > a)
        .collect();
    v.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Total length of a union.
pub(crate) fn length(union: &[Interval]) -> f64 {
    union.iter().map(|(a, b)| b - a).sum()
}

/// The CPU figures of a timeline, in time order: `(t_s, cpu_pct)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct CpuTimeline(Vec<(f64, f64)>);

impl CpuTimeline {
    /// The finite samples of `timeline`, sorted by time once for all the
    /// stages of an iteration.
    pub(crate) fn new(timeline: &[Sample]) -> CpuTimeline {
        CpuTimeline::of(timeline, |s| Some(s.cpu_pct))
    }

    /// The GPU busy % of `timeline` ([`Sample::gpu_busy_pct`]), weighted
    /// by the same rule: NVML's utilisation also describes the period
    /// before its reading. Samples without GPU readings are left out.
    pub(crate) fn gpu_busy(timeline: &[Sample]) -> CpuTimeline {
        CpuTimeline::of(timeline, Sample::gpu_busy_pct)
    }

    fn of(timeline: &[Sample], value: impl Fn(&Sample) -> Option<f64>) -> CpuTimeline {
        let mut samples: Vec<(f64, f64)> = timeline
            .iter()
            .filter_map(|s| Some((s.t_s, value(s)?)))
            .filter(|(t, v)| t.is_finite() && v.is_finite())
            .collect();
        samples.sort_by(|x, y| x.0.total_cmp(&y.0));
        CpuTimeline(samples)
    }

    /// The time-weighted mean CPU % over `union` (sorted and disjoint, as
    /// [`union`] makes it); `None` when no sample overlaps it.
    pub(crate) fn cpu_during(&self, union: &[Interval]) -> Option<f64> {
        let (Some(&(from, _)), Some(&(_, to))) = (union.first(), union.last()) else {
            return None;
        };
        let samples = &self.0;
        // Samples up to `from` describe time before the union: skip them.
        let k0 = samples.partition_point(|&(t, _)| t <= from);
        let (mut weighted, mut weight) = (0.0, 0.0);
        let mut prev = k0.checked_sub(1).map_or(0.0, |k| samples[k].0.max(0.0));
        let mut first = 0; // first interval of the union that may still overlap
        for &(t, cpu) in &samples[k0..] {
            let (lo, hi) = (prev, t);
            prev = prev.max(t);
            if lo >= to {
                break;
            }
            if hi <= lo {
                continue;
            }
            while first < union.len() && union[first].1 <= lo {
                first += 1;
            }
            let overlap: f64 = union[first..]
                .iter()
                .take_while(|(a, _)| *a < hi)
                .map(|&(a, b)| (b.min(hi) - a.max(lo)).max(0.0))
                .sum();
            if overlap > 0.0 {
                weighted += cpu * overlap;
                weight += overlap;
            }
        }
        (weight > 0.0).then(|| weighted / weight)
    }
}

/// The time-weighted mean CPU % of `timeline` over `union`.
#[cfg(test)]
fn cpu_during(timeline: &[Sample], union: &[Interval]) -> Option<f64> {
    CpuTimeline::new(timeline).cpu_during(union)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn timeline(points: &[(f64, f64)]) -> Vec<Sample> {
        points
            .iter()
            .map(|&(t_s, cpu_pct)| Sample {
                t_s,
                cpu_pct,
                rss_bytes: 0,
                threads: 1,
                processes: 1,
                read_bps: 0.0,
                write_bps: 0.0,
                gpus: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn union_merges_and_drops_bad_intervals() {
        let u = union([
            (3.0, 4.0),
            (0.0, 1.0),
            (0.5, 2.0),
            (2.0, 2.5),
            (5.0, 5.0),
            (f64::NAN, 9.0),
            (7.0, 6.0),
        ]);
        assert_eq!(u, [(0.0, 2.5), (3.0, 4.0)]);
        assert_eq!(length(&u), 3.5);
    }

    #[test]
    fn table_of_alignments() {
        // Samples every 0.1 s: 10 % in (0, 0.1], 20 % in (0.1, 0.2], …
        let tl = timeline(&[(0.1, 10.0), (0.2, 20.0), (0.3, 30.0), (0.4, 40.0)]);
        let cases: [(&[Interval], Option<f64>); 8] = [
            // Entirely inside one sample's interval.
            (&[(0.12, 0.18)], Some(20.0)),
            // Exactly one interval: a sample describes the time before it.
            (&[(0.1, 0.2)], Some(20.0)),
            // Half in each of two intervals.
            (&[(0.15, 0.25)], Some(25.0)),
            // A quarter in the first, three quarters in the second.
            (&[(0.075, 0.175)], Some(17.5)),
            // Two disjoint calls, weighted by their lengths.
            (&[(0.0, 0.1), (0.3, 0.4)], Some(25.0)),
            // After the last sample: not covered.
            (&[(0.5, 0.9)], None),
            // Partly after the last sample: only the covered part counts.
            (&[(0.35, 0.9)], Some(40.0)),
            (&[], None),
        ];
        for (calls, want) in cases {
            let got = cpu_during(&tl, &union(calls.iter().copied()));
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{calls:?}: {g}"),
                _ => assert_eq!(got, want, "{calls:?}"),
            }
        }
    }

    /// Every sample against every interval, without skipping.
    fn naive(timeline: &[Sample], union: &[Interval]) -> Option<f64> {
        let mut ts: Vec<(f64, f64)> = timeline.iter().map(|s| (s.t_s, s.cpu_pct)).collect();
        ts.sort_by(|x, y| x.0.total_cmp(&y.0));
        let (mut num, mut den, mut prev) = (0.0, 0.0, 0.0_f64);
        for (t, cpu) in ts {
            for &(a, b) in union {
                let o = (b.min(t) - a.max(prev)).max(0.0);
                num += cpu * o;
                den += o;
            }
            prev = prev.max(t);
        }
        (den > 0.0).then(|| num / den)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn matches_the_naive_weighting_and_stays_in_range(
            points in prop::collection::vec((0.0f64..2.0, 0.0f64..400.0), 0..30),
            calls in prop::collection::vec((0.0f64..2.5, 0.0f64..0.5), 0..6),
        ) {
            let tl = timeline(&points);
            let u = union(calls.iter().map(|&(a, len)| (a, a + len)));
            let got = cpu_during(&tl, &u);
            let want = naive(&tl, &u);
            prop_assert_eq!(got.is_some(), want.is_some());
            if let (Some(g), Some(w)) = (got, want) {
                prop_assert!((g - w).abs() < 1e-6 * w.max(1.0), "{} vs {}", g, w);
                let hi = points.iter().map(|p| p.1).fold(0.0, f64::max);
                prop_assert!((0.0..=hi + 1e-9).contains(&g));
            }
        }
    }

    #[test]
    fn unordered_duplicate_and_bad_samples() {
        let tl = timeline(&[
            (0.2, 20.0),
            (0.1, 10.0),
            (0.1, 99.0), // same time: an empty interval, no weight
            (f64::NAN, 500.0),
            (0.3, f64::NAN), // skipped: (0.2, 0.4] is then the next one's
            (0.4, 40.0),
        ]);
        assert_eq!(cpu_during(&tl, &[(0.0, 0.1)]), Some(10.0));
        assert_eq!(cpu_during(&tl, &[(0.25, 0.35)]), Some(40.0));
        assert_eq!(cpu_during(&[], &[(0.0, 1.0)]), None);
    }
}
