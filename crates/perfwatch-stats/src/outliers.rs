//! Outliers by the modified z-score.
//!
//! Method: Iglewicz, B. & Hoaglin, D. C. (1993), *How to Detect and Handle
//! Outliers*, ASQC Quality Press, §3.3: `Mᵢ = 0.6745·(xᵢ − x̃)/MAD`, where
//! `x̃` is the median and MAD the unscaled median absolute deviation; a value
//! with `|Mᵢ| > 3.5` is an outlier. Median and MAD are robust, so one wild
//! value cannot hide another (unlike the classic z-score).
//!
//! **When the MAD is 0** (more than half of the values are equal, common
//! with coarse timers or counts) the score falls back to the mean absolute
//! deviation from the median, `Mᵢ = (xᵢ − x̃)/(1.253314·MeanAD)`, the
//! substitute used by IBM SPSS and others; 1.253314 = √(π/2) makes MeanAD a
//! consistent estimate of σ under normality, as 1/0.6745 does for the MAD.
//! When that is 0 as well, every value equals the median and none is an
//! outlier.
//!
//! Non-finite values get no score and are never reported as outliers.

use crate::percentile::{finite, mad_in_place, median_in_place};

/// `0.6745 ≈ Φ⁻¹(0.75)`: makes `MAD / 0.6745` estimate σ under normality.
pub const MAD_SCALE: f64 = 0.6745;
/// `√(π/2)`: makes `1.253314 · MeanAD` estimate σ under normality.
pub const MEAN_AD_SCALE: f64 = 1.253314;
/// Scores beyond this magnitude mark an outlier (Iglewicz & Hoaglin).
pub const OUTLIER_THRESHOLD: f64 = 3.5;

/// The modified z-score of every value, in input order; `None` for
/// non-finite values.
pub fn modified_z_scores(xs: &[f64]) -> Vec<Option<f64>> {
    let mut buf = finite(xs);
    if buf.is_empty() {
        return vec![None; xs.len()];
    }
    let median = median_in_place(&mut buf);
    let mad = mad_in_place(&mut buf);
    let scale = if mad > 0.0 {
        mad / MAD_SCALE
    } else {
        let finite_values = xs.iter().filter(|x| x.is_finite());
        let count = finite_values.clone().count() as f64;
        let mean_ad = finite_values.map(|x| (x - median).abs()).sum::<f64>() / count;
        MEAN_AD_SCALE * mean_ad
    };
    xs.iter()
        .map(|&x| {
            x.is_finite().then(|| {
                if scale > 0.0 {
                    (x - median) / scale
                } else {
                    0.0
                }
            })
        })
        .collect()
}

/// Indices (ascending) of the values whose modified z-score exceeds
/// [`OUTLIER_THRESHOLD`] in magnitude.
pub fn outlier_indices(xs: &[f64]) -> Vec<usize> {
    modified_z_scores(xs)
        .into_iter()
        .enumerate()
        .filter_map(|(i, z)| z.filter(|z| z.abs() > OUTLIER_THRESHOLD).map(|_| i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_of_samples() {
        let nan = f64::NAN;
        let cases: [(&[f64], &[usize]); 8] = [
            (&[], &[]),
            (&[1.0], &[]),
            (&[5.0; 10], &[]),
            (&[1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 3.0], &[6]),
            (&[10.0, 1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 0.1], &[0, 7]),
            // MAD 0: falls back to the mean absolute deviation.
            (&[5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 6.0, 9.0], &[7]),
            (&[nan, 1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 3.0], &[7]),
            (&[nan, f64::INFINITY], &[]),
        ];
        for (xs, want) in cases {
            assert_eq!(outlier_indices(xs), want, "{xs:?}");
        }
    }

    #[test]
    fn scores_follow_the_formula() {
        // median 3, MAD 1 → M = 0.6745·(x − 3).
        let z = modified_z_scores(&[1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN]);
        let want = [-1.349, -0.6745, 0.0, 0.6745, 4.7215];
        for (got, want) in z.iter().zip(want) {
            assert!((got.unwrap() - want).abs() < 1e-9);
        }
        assert_eq!(z[5], None);
    }

    proptest! {
        #[test]
        fn scores_are_shift_and_scale_invariant(
            xs in prop::collection::vec(-1e3f64..1e3, 1..40),
            shift in -1e3f64..1e3,
            scale in 0.5f64..4.0,
        ) {
            let moved: Vec<f64> = xs.iter().map(|x| x * scale + shift).collect();
            let a = modified_z_scores(&xs);
            let b = modified_z_scores(&moved);
            for (a, b) in a.iter().zip(&b) {
                prop_assert!((a.unwrap() - b.unwrap()).abs() < 1e-6);
            }
        }
    }
}
