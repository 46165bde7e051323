//! The Hampel identifier (Hampel 1974; Pearson 2002, "Outliers in process
//! modeling and identification"): a point farther than `threshold` scaled
//! MADs from the median of its neighbourhood is replaced by that median.
//!
//! Why: a single slow run next to a real shift inflates the variance of the
//! segment holding it, so Student's t-test misses the shift, and E-divisive
//! may split at the outlier instead of the shift. Replacing such points before
//! the search keeps both honest. The neighbourhood is centred, `half_width`
//! points on each side (clipped at the ends), so the first points of a new
//! level are not taken for outliers for being shifted: in a run of more than
//! `half_width` shifted points, every window centred on one of them holds a
//! majority of the run, so its median sits at the new level. With
//! `half_width = min_segment − 1`, any run long enough to be reported as a
//! segment survives. A neighbourhood whose MAD is zero flags nothing (there is
//! no scale to measure against).

use std::ops::Range;

/// 1/Φ⁻¹(3/4): makes the MAD estimate σ for normal data.
const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// Appends to `out` the filtered values at `indices` of `raw`: each is the
/// raw value, or the median of `raw[i − half_width ..= i + half_width]`
/// (clipped to the series) if it lies farther than `threshold` scaled MADs
/// from that median.
///
/// The neighbourhood slides along as a sorted buffer (one removal, one
/// insertion per point), so the median is read off directly and the MAD in
/// `half_width` steps by merging the deviations on either side.
pub(crate) fn clean_range(
    raw: &[f64],
    indices: Range<usize>,
    half_width: usize,
    threshold: f64,
    out: &mut Vec<f64>,
) {
    if half_width == 0 {
        out.extend_from_slice(&raw[indices]);
        return;
    }
    let neighbourhood = |i: usize| {
        (
            i.saturating_sub(half_width),
            (i + half_width + 1).min(raw.len()),
        )
    };
    let (mut low, mut high) = neighbourhood(indices.start);
    let mut sorted: Vec<f64> = raw[low..high].to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    for i in indices {
        let (new_low, new_high) = neighbourhood(i);
        while low < new_low {
            if let Ok(at) = sorted.binary_search_by(|v| v.total_cmp(&raw[low])) {
                sorted.remove(at);
            }
            low += 1;
        }
        while high < new_high {
            let at = sorted.partition_point(|v| v.total_cmp(&raw[high]).is_lt());
            sorted.insert(at, raw[high]);
            high += 1;
        }
        let median = median_of_sorted(&sorted);
        let mad = mad_of_sorted(&sorted, median);
        let x = raw[i];
        out.push(
            if mad > 0.0 && (x - median).abs() > threshold * MAD_TO_SIGMA * mad {
                median
            } else {
                x
            },
        );
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }
}

/// Median of |v − median| over a sorted, non-empty slice: the deviations
/// grow leftwards below the median and rightwards above it, so merging the
/// two runs yields them in order.
fn mad_of_sorted(sorted: &[f64], median: f64) -> f64 {
    let n = sorted.len();
    let want = n / 2;
    let split = sorted.partition_point(|&v| v <= median);
    let (mut left, mut right) = (split, split);
    let mut previous = 0.0;
    for k in 0..=want {
        let below = if left > 0 {
            median - sorted[left - 1]
        } else {
            f64::INFINITY
        };
        let above = if right < n {
            sorted[right] - median
        } else {
            f64::INFINITY
        };
        let deviation = if below <= above {
            left -= 1;
            below
        } else {
            right += 1;
            above
        };
        if k == want {
            return if n % 2 == 1 {
                deviation
            } else {
                0.5 * (previous + deviation)
            };
        }
        previous = deviation;
    }
    previous
}

/// Median of a non-empty buffer (mean of the two middle values for even
/// sizes), reordering it.
pub(crate) fn median_in_place(values: &mut [f64]) -> f64 {
    let mid = values.len() / 2;
    let even = values.len() & 1 == 0;
    let (lower, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if even {
        let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (below + *upper)
    } else {
        *upper
    }
}

/// The whole series filtered (what batch detection analyses).
pub(crate) fn cleaned(raw: &[f64], half_width: usize, threshold: Option<f64>) -> Vec<f64> {
    match threshold {
        None => raw.to_vec(),
        Some(threshold) => {
            let mut out = Vec::with_capacity(raw.len());
            clean_range(raw, 0..raw.len(), half_width, threshold, &mut out);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(level: f64, len: usize, phase: usize) -> Vec<f64> {
        (0..len)
            .map(|i| level * (1.0 + 0.01 * (((i + phase) * 7 % 5) as f64 - 2.0)))
            .collect()
    }

    #[test]
    fn a_lone_spike_is_replaced_by_the_local_median() {
        let mut raw = noisy(100.0, 30, 0);
        raw[12] = 250.0;
        let clean = cleaned(&raw, 4, Some(5.0));
        assert!((clean[12] - 100.0).abs() < 2.0, "{}", clean[12]);
        let untouched: Vec<usize> = (0..30).filter(|&i| clean[i] != raw[i]).collect();
        assert_eq!(untouched, vec![12]);
    }

    #[test]
    fn the_edges_of_a_step_are_kept() {
        let mut raw = noisy(100.0, 20, 0);
        raw.extend(noisy(150.0, 20, 3));
        assert_eq!(cleaned(&raw, 4, Some(5.0)), raw);
    }

    #[test]
    fn runs_longer_than_the_half_width_survive_shorter_ones_do_not() {
        for (run, kept) in [(5, true), (4, false), (1, false)] {
            let mut raw = noisy(100.0, 40, 0);
            for v in &mut raw[20..20 + run] {
                *v *= 1.5;
            }
            let clean = cleaned(&raw, 4, Some(5.0));
            assert_eq!(
                clean[20..20 + run] == raw[20..20 + run],
                kept,
                "run of {run}"
            );
        }
    }

    #[test]
    fn flat_neighbourhoods_and_disabled_filters_change_nothing() {
        let mut raw = vec![10.0; 20];
        raw[5] = 11.0;
        assert_eq!(cleaned(&raw, 4, Some(5.0)), raw);
        raw[6] = 500.0;
        assert_eq!(cleaned(&raw, 4, None), raw);
        assert_eq!(cleaned(&raw, 0, Some(5.0)), raw);
    }

    /// The filter straight from its definition.
    fn brute_force(raw: &[f64], i: usize, h: usize, threshold: f64) -> f64 {
        let window = &raw[i.saturating_sub(h)..(i + h + 1).min(raw.len())];
        let median = median_in_place(&mut window.to_vec());
        let mut deviations: Vec<f64> = window.iter().map(|v| (v - median).abs()).collect();
        let mad = median_in_place(&mut deviations);
        if mad > 0.0 && (raw[i] - median).abs() > threshold * MAD_TO_SIGMA * mad {
            median
        } else {
            raw[i]
        }
    }

    #[test]
    fn the_sliding_window_matches_the_definition() {
        let mut raw: Vec<f64> = (0..200)
            .map(|i| ((i * 7919) % 97) as f64 * 0.01 + 10.0)
            .collect();
        for i in (3..200).step_by(17) {
            raw[i] *= 1.8;
        }
        raw[50] = raw[51]; // ties
        for h in [1, 2, 4, 7] {
            let got = cleaned(&raw, h, Some(3.0));
            for (i, v) in got.iter().enumerate() {
                assert_eq!(*v, brute_force(&raw, i, h, 3.0), "h={h} i={i}");
            }
            let mut tail = Vec::new();
            clean_range(&raw, 150..200, h, 3.0, &mut tail);
            assert_eq!(tail, got[150..]);
        }
    }

    #[test]
    fn medians_in_place() {
        assert_eq!(median_in_place(&mut [3.0]), 3.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median_in_place(&mut [9.0, 1.0, 5.0]), 5.0);
        let mut long: Vec<f64> = (0..41).map(|i| ((i * 17) % 41) as f64).collect();
        assert_eq!(median_in_place(&mut long), 20.0);
        let mut long_even: Vec<f64> = (0..40).map(|i| ((i * 17) % 40) as f64).collect();
        assert_eq!(median_in_place(&mut long_even), 19.5);
    }
}
