//! Ordinary least squares through the normal equations, solved by a Cholesky
//! factorisation. The systems here are small (p ≤ [`MAX_TERMS`](super::MAX_TERMS))
//! and, in ±1 coding on a two-level design, well conditioned: XᵀX is n·I
//! for a balanced orthogonal design and stays close to diagonal otherwise.

/// The solution of a least-squares problem.
pub(super) struct Fit {
    /// The coefficients β minimising ‖y − Xβ‖².
    pub beta: Vec<f64>,
    /// The diagonal of (XᵀX)⁻¹.
    pub inv_diag: Vec<f64>,
    /// The residual sum of squares ‖y − Xβ‖².
    pub rss: f64,
}

/// A pivot smaller than this fraction of its diagonal entry of XᵀX marks the
/// system as singular (a column that is a combination of the others, e.g.
/// because a row of the design was never measured).
const SINGULAR: f64 = 1e-9;

/// Least squares of `y` on the rows of `x` (each of length `p`); `None` when
/// XᵀX is singular or the result is not finite.
pub(super) fn least_squares(x: &[Vec<f64>], y: &[f64], p: usize) -> Option<Fit> {
    // Normal equations, lower triangle only.
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for (row, &yi) in x.iter().zip(y) {
        for a in 0..p {
            xty[a] += row[a] * yi;
            for b in 0..=a {
                xtx[a * p + b] += row[a] * row[b];
            }
        }
    }
    let l = cholesky(&xtx, p)?;
    let beta = solve_upper_t(&l, &solve_lower(&l, &xty, p), p);
    let inv_diag = inverse_diagonal(&l, p);
    let rss = x
        .iter()
        .zip(y)
        .map(|(row, &yi)| {
            let fitted: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            (yi - fitted).powi(2)
        })
        .sum::<f64>();
    let finite = beta.iter().chain(&inv_diag).all(|v| v.is_finite()) && rss.is_finite();
    finite.then_some(Fit {
        beta,
        inv_diag,
        rss,
    })
}

/// Lower-triangular L with L·Lᵀ = A (row-major, lower triangle of A read);
/// `None` when A is not (numerically) positive definite.
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0f64; p * p];
    for j in 0..p {
        let diag = a[j * p + j];
        let pivot = diag - (0..j).map(|k| l[j * p + k].powi(2)).sum::<f64>();
        // Also catches a NaN pivot.
        let positive = pivot > SINGULAR * diag;
        if !positive {
            return None;
        }
        let ljj = pivot.sqrt();
        l[j * p + j] = ljj;
        for i in j + 1..p {
            let dot: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            l[i * p + j] = (a[i * p + j] - dot) / ljj;
        }
    }
    Some(l)
}

/// z with L·z = b.
fn solve_lower(l: &[f64], b: &[f64], p: usize) -> Vec<f64> {
    let mut z = vec![0.0; p];
    for i in 0..p {
        let dot: f64 = (0..i).map(|k| l[i * p + k] * z[k]).sum();
        z[i] = (b[i] - dot) / l[i * p + i];
    }
    z
}

/// x with Lᵀ·x = z.
fn solve_upper_t(l: &[f64], z: &[f64], p: usize) -> Vec<f64> {
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let dot: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (z[i] - dot) / l[i * p + i];
    }
    x
}

/// The diagonal of (L·Lᵀ)⁻¹ = L⁻ᵀ·L⁻¹: entry j is the squared norm of
/// column j of L⁻¹.
fn inverse_diagonal(l: &[f64], p: usize) -> Vec<f64> {
    let mut unit = vec![0.0; p];
    (0..p)
        .map(|j| {
            unit.iter_mut().for_each(|u| *u = 0.0);
            unit[j] = 1.0;
            // L·c = e_j gives c = L⁻¹·e_j, column j of L⁻¹.
            solve_lower(l, &unit, p).iter().map(|c| c * c).sum()
        })
        .collect()
}
