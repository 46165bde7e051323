//! Lining up the resource timeline with a stage's calls.
//!
//! Sample `i` at `t_i` reports the tree's CPU use over the window
//! `(t_{i-1}, t_i]` (from spawn for the first sample) and its RSS at `t_i`.
//! A window contributes to a call's mean CPU with weight `overlap² /
//! window length`: a window wholly inside the call counts by its overlap,
//! one that merely grazes the call counts little, so a busy neighbour
//! bleeds less into an idle stage. The peak RSS during a call is the
//! largest reading of any window that overlaps it.

use perfwatch_model::Sample;

/// Pooled, weighted CPU % over any number of calls.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CpuAcc {
    sum: f64,
    weight: f64,
}

impl CpuAcc {
    /// Adds the windows of `timeline` overlapping `[start, end]`.
    pub fn add(&mut self, timeline: &[Sample], start: f64, end: f64) {
        for (lo, hi, s) in windows(timeline, start, end) {
            let overlap = hi.min(end) - lo.max(start);
            if overlap > 0.0 && s.cpu_pct.is_finite() {
                let w = overlap * overlap / (hi - lo);
                self.sum += w * s.cpu_pct.max(0.0);
                self.weight += w;
            }
        }
    }

    /// The weighted mean, `None` when no window overlapped.
    pub fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }
}

/// Peak RSS reading of the windows overlapping `[start, end]`.
pub(crate) fn peak_rss(timeline: &[Sample], start: f64, end: f64) -> Option<u64> {
    windows(timeline, start, end)
        .filter(|(lo, hi, _)| hi.min(end) - lo.max(start) > 0.0)
        .map(|(_, _, s)| s.rss_bytes)
        .max()
}

/// Peak GPU memory of the tree in the windows overlapping `[start, end]`;
/// `None` when none of them carries a per-process GPU reading.
pub(crate) fn peak_gpu_memory(timeline: &[Sample], start: f64, end: f64) -> Option<u64> {
    windows(timeline, start, end)
        .filter(|(lo, hi, _)| hi.min(end) - lo.max(start) > 0.0)
        .filter_map(|(_, _, s)| s.tree_gpu_memory_bytes())
        .max()
}

/// Pooled GPU busy % over any number of calls, weighted as [`CpuAcc`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GpuAcc {
    sum: f64,
    weight: f64,
}

impl GpuAcc {
    /// Adds the windows of `timeline` overlapping `[start, end]` that
    /// carry a GPU reading.
    pub fn add(&mut self, timeline: &[Sample], start: f64, end: f64) {
        for (lo, hi, s) in windows(timeline, start, end) {
            let overlap = hi.min(end) - lo.max(start);
            if let Some(busy) = s.gpu_busy_pct().filter(|b| b.is_finite()) {
                if overlap > 0.0 {
                    let w = overlap * overlap / (hi - lo);
                    self.sum += w * busy.max(0.0);
                    self.weight += w;
                }
            }
        }
    }

    /// The weighted mean, `None` when no window with a reading overlapped.
    pub fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }
}

/// `(window start, window end, sample)` for the samples whose window of
/// positive length may overlap `[start, end]`. The timeline is in time
/// order (as sampled), so the first candidate is found by binary search.
fn windows(timeline: &[Sample], start: f64, end: f64) -> impl Iterator<Item = (f64, f64, &Sample)> {
    let first = timeline.partition_point(|s| s.t_s <= start);
    timeline[first..]
        .iter()
        .enumerate()
        .map(move |(k, s)| {
            let i = first + k;
            let lo = if i == 0 { 0.0 } else { timeline[i - 1].t_s };
            (lo, s.t_s, s)
        })
        .take_while(move |(lo, _, _)| *lo < end)
        .filter(|(lo, hi, _)| hi.is_finite() && lo.is_finite() && hi > lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t_s: f64, cpu_pct: f64, rss_bytes: u64) -> Sample {
        Sample {
            t_s,
            cpu_pct,
            rss_bytes,
            threads: 1,
            processes: 1,
            read_bps: 0.0,
            write_bps: 0.0,
            gpus: Vec::new(),
        }
    }

    #[test]
    fn windows_inside_count_fully_and_grazing_ones_little() {
        // 50 ms windows; the call covers (0.05, 0.15] exactly, the next
        // window is busy and overlaps by 1 ms.
        let tl = [
            sample(0.05, 100.0, 1),
            sample(0.10, 0.0, 2),
            sample(0.15, 0.0, 3),
            sample(0.20, 100.0, 9),
        ];
        let mut acc = CpuAcc::default();
        acc.add(&tl, 0.05, 0.151);
        let mean = acc.mean().unwrap();
        assert!(mean < 0.1, "{mean}");
        assert_eq!(peak_rss(&tl, 0.05, 0.151), Some(9));
        assert_eq!(peak_rss(&tl, 0.05, 0.15), Some(3));
    }

    #[test]
    fn no_overlap_gives_none() {
        let tl = [sample(0.05, 10.0, 1)];
        let mut acc = CpuAcc::default();
        acc.add(&tl, 1.0, 2.0);
        assert_eq!(acc.mean(), None);
        assert_eq!(peak_rss(&tl, 1.0, 2.0), None);
        assert_eq!(peak_rss(&[], 0.0, 1.0), None);
    }
}
