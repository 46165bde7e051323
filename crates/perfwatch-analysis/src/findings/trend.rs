//! Robust trend of a series: the Theil–Sen slope (Theil 1950, Sen 1968:
//! the median of the slopes between every pair of points, unmoved by up to
//! 29 % of outliers) and the Mann–Kendall trend test (Mann 1945, Kendall
//! 1975: `S = Σ_{i<j} sign(y_j − y_i)`, its variance corrected for ties,
//! reported as the continuity-corrected normal score `z`). Both are
//! quadratic, so long series are thinned to evenly spaced points first.

use perfwatch_stats::median;

/// At most this many points go into a trend (quadratic cost).
pub(crate) const MAX_POINTS: usize = 200;

/// The Theil–Sen slope of `(x, y)` points; pairs with equal `x` are
/// skipped; `None` with fewer than two distinct `x`.
pub(crate) fn theil_sen(points: &[(f64, f64)]) -> Option<f64> {
    let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            if xj != xi {
                slopes.push((yj - yi) / (xj - xi));
            }
        }
    }
    median(&slopes)
}

/// The Mann–Kendall `z` of a series in order: positive for a rising trend;
/// `|z| > 2.33` is significant at the one-sided 1 % level. `None` with
/// fewer than three points or a constant series.
pub(crate) fn mann_kendall_z(ys: &[f64]) -> Option<f64> {
    let n = ys.len();
    if n < 3 {
        return None;
    }
    let mut s: i64 = 0;
    for (i, &a) in ys.iter().enumerate() {
        for &b in &ys[i + 1..] {
            s += match b.partial_cmp(&a) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted = ys.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut run = 1.0;
    for w in sorted.windows(2) {
        if w[0] == w[1] {
            run += 1.0;
        } else {
            ties += run * (run - 1.0) * (2.0 * run + 5.0);
            run = 1.0;
        }
    }
    ties += run * (run - 1.0) * (2.0 * run + 5.0);
    let nf = n as f64;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    if var <= 0.0 {
        return None;
    }
    let s = s as f64;
    Some(if s > 0.0 {
        (s - 1.0) / var.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var.sqrt()
    } else {
        0.0
    })
}

/// At most `max` evenly spaced items of `xs`, the first and last kept.
pub(crate) fn thin<T: Copy>(xs: &[T], max: usize) -> Vec<T> {
    if xs.len() <= max || max < 2 {
        return xs.to_vec();
    }
    let step = (xs.len() - 1) as f64 / (max - 1) as f64;
    (0..max)
        .map(|i| xs[((i as f64 * step).round() as usize).min(xs.len() - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slope_of_a_line_with_an_outlier() {
        let mut pts: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 3.0 + 2.0 * i as f64)).collect();
        pts[7].1 = 1e9;
        assert_eq!(theil_sen(&pts), Some(2.0));
        assert_eq!(theil_sen(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }

    #[test]
    fn mann_kendall_signs_and_ties() {
        let up: Vec<f64> = (0..10).map(f64::from).collect();
        let z = mann_kendall_z(&up).unwrap();
        assert!(z > 3.0, "{z}");
        let down: Vec<f64> = up.iter().rev().copied().collect();
        assert!((mann_kendall_z(&down).unwrap() + z).abs() < 1e-12);
        assert_eq!(mann_kendall_z(&[5.0; 8]), None);
        assert_eq!(mann_kendall_z(&[1.0, 2.0]), None);
    }

    #[test]
    fn thinning_keeps_the_ends() {
        let xs: Vec<u32> = (0..1000).collect();
        let t = thin(&xs, 200);
        assert_eq!(t.len(), 200);
        assert_eq!((t[0], t[199]), (0, 999));
        assert_eq!(thin(&xs[..5], 200), xs[..5]);
    }

    proptest! {
        /// Shifting and scaling the data shifts nothing and scales the
        /// slope; a strictly increasing transform leaves `z` unchanged.
        #[test]
        fn invariances(ys in proptest::collection::vec(-1e3f64..1e3, 3..40), a in -50.0f64..50.0, b in 0.1f64..10.0) {
            let pts: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
            let moved: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x, a + b * y)).collect();
            let (s, s2) = (theil_sen(&pts).unwrap(), theil_sen(&moved).unwrap());
            prop_assert!((s2 - b * s).abs() <= 1e-6 * (1.0 + s.abs() * b));
            let z = mann_kendall_z(&ys);
            let z2 = mann_kendall_z(&ys.iter().map(|y| (y / 1e3).exp()).collect::<Vec<_>>());
            match (z, z2) {
                (Some(z), Some(z2)) => prop_assert!((z - z2).abs() < 1e-9),
                (None, None) => {}
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
