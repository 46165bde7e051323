//! Ratios of geometric means with a Welch interval, and an upper bound for
//! a standard deviation: small parametric tools for log-scale comparisons.

use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};

/// Mean, sample variance and count of the logarithms of the finite,
/// positive values.
fn log_moments(xs: &[f64]) -> Option<(f64, f64, usize)> {
    let logs: Vec<f64> = xs
        .iter()
        .filter(|x| x.is_finite() && **x > 0.0)
        .map(|x| x.ln())
        .collect();
    let n = logs.len();
    if n < 2 {
        return None;
    }
    let mean = logs.iter().sum::<f64>() / n as f64;
    let var = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((mean, var, n))
}

/// The ratio of the geometric means `cand / base` with a Welch t interval
/// at `level` computed on the logarithms: `(ratio, low, high)`. Values
/// that are not finite and positive are ignored; `None` with fewer than
/// two values on a side.
///
/// ```
/// use perfwatch_stats::log_ratio::log_ratio_interval;
/// let base = [1.00, 1.02, 0.98, 1.01, 0.99];
/// let cand = [1.10, 1.12, 1.08, 1.11, 1.09];
/// let (r, lo, hi) = log_ratio_interval(&base, &cand, 0.95).unwrap();
/// assert!(lo < r && r < hi && lo > 1.05 && hi < 1.15);
/// ```
pub fn log_ratio_interval(base: &[f64], cand: &[f64], level: f64) -> Option<(f64, f64, f64)> {
    let (mb, vb, nb) = log_moments(base)?;
    let (mc, vc, nc) = log_moments(cand)?;
    let (sb, sc) = (vb / nb as f64, vc / nc as f64);
    let se2 = sb + sc;
    let diff = mc - mb;
    if se2 <= 0.0 {
        let r = diff.exp();
        return Some((r, r, r));
    }
    // Welch–Satterthwaite degrees of freedom.
    let df = se2 * se2 / (sb * sb / (nb - 1) as f64 + sc * sc / (nc - 1) as f64);
    let level = if level.is_finite() {
        level.clamp(0.0, 0.999_999)
    } else {
        0.95
    };
    let t = StudentsT::new(0.0, 1.0, df.max(1.0)).ok()?;
    let q = t.inverse_cdf(0.5 + level / 2.0);
    let half = q * se2.sqrt();
    Some((diff.exp(), (diff - half).exp(), (diff + half).exp()))
}

/// An upper confidence bound at `level` for a normal standard deviation
/// estimated as `sd` with `df` degrees of freedom: `sd·√(df / χ²_{1−level}(df))`.
/// `None` for `df = 0` or a non-finite `sd`.
///
/// ```
/// use perfwatch_stats::log_ratio::sd_upper_bound;
/// let up = sd_upper_bound(1.0, 9, 0.95).unwrap();
/// assert!(up > 1.5 && up < 1.7); // √(9 / 3.325) ≈ 1.645
/// ```
pub fn sd_upper_bound(sd: f64, df: usize, level: f64) -> Option<f64> {
    if df == 0 || !sd.is_finite() || sd < 0.0 {
        return None;
    }
    let level = if level.is_finite() {
        level.clamp(0.0, 0.999_999)
    } else {
        0.95
    };
    let chi = ChiSquared::new(df as f64).ok()?;
    let q = chi.inverse_cdf(1.0 - level);
    if q <= 0.0 {
        return None;
    }
    Some(sd * (df as f64 / q).sqrt())
}
