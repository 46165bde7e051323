//! Two-level designs: the full factorial and Plackett–Burman screening
//! designs.

use serde::{Deserialize, Serialize};

/// Largest number of factors [`full_factorial`] builds (2¹⁰ = 1024 rows).
pub const MAX_FULL_FACTORS: usize = 10;

/// Largest number of factors [`plackett_burman`] builds (N = 24 runs).
pub const MAX_PB_FACTORS: usize = 23;

/// Largest number of factors for which [`screening_design`] returns the full
/// factorial; from one more on it returns a Plackett–Burman design.
pub const MAX_SCREENING_FULL_FACTORS: usize = 4;

/// Which kind of two-level design a [`Design`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Every combination of levels: 2^k rows. Main effects and all
    /// interactions can be estimated.
    Full,
    /// A Plackett–Burman screening design: N rows (N a multiple of 4, N > k)
    /// in which every column is balanced and every pair of columns is
    /// orthogonal. Main effects only; each is aliased with (partly confounded
    /// by) two-factor interactions of the other factors.
    PlackettBurman,
}

/// A two-level design: which level each factor takes in each row (run
/// configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    /// Number of factors k.
    pub factors: usize,
    /// One entry per row, each of length `factors`: `rows[r][j]` is `true`
    /// when factor `j` is at its candidate level in row `r` and `false` when
    /// it is at its base level.
    pub rows: Vec<Vec<bool>>,
    /// How the rows were built.
    pub kind: DesignKind,
}

/// The full two-level factorial design on `k` factors, for `1 ≤ k ≤`
/// [`MAX_FULL_FACTORS`]; `None` otherwise.
///
/// Row `r` sets factor `j` to its candidate level when bit `j` of `r` is set,
/// so row 0 is all-base and the last row (2^k − 1) is all-candidate.
pub fn full_factorial(k: usize) -> Option<Design> {
    if !(1..=MAX_FULL_FACTORS).contains(&k) {
        return None;
    }
    let rows = (0..1usize << k)
        .map(|r| (0..k).map(|j| (r >> j) & 1 == 1).collect())
        .collect();
    Some(Design {
        factors: k,
        rows,
        kind: DesignKind::Full,
    })
}

/// Generating rows of the cyclic Plackett–Burman designs (Plackett, R. L. &
/// Burman, J. P. (1946), "The design of optimum multifactorial experiments",
/// *Biometrika* 33(4), 305–325), `true` for `+`. The design of N runs is the
/// N − 1 cyclic shifts of its row plus a row of all `−`.
const GENERATORS: [(usize, &str); 5] = [
    (8, "+++-+--"),
    (12, "++-+++---+-"),
    (16, "++++-+-++--+---"),
    (20, "++--++++-+-+----++-"),
    (24, "+++++-+-++--++--+-+----"),
];

/// The Plackett–Burman design for `k` factors, for `1 ≤ k ≤`
/// [`MAX_PB_FACTORS`]; `None` otherwise.
///
/// It has N rows, N the smallest of 8, 12, 16, 20 and 24 with N ≥ k + 1:
/// row `i < N − 1` is the generating row shifted cyclically right by `i`,
/// and the last row is all-base. The design uses the first `k` of the N − 1
/// columns.
pub fn plackett_burman(k: usize) -> Option<Design> {
    if k == 0 {
        return None;
    }
    let &(n, generator) = GENERATORS.iter().find(|(n, _)| *n > k)?;
    let generator: Vec<bool> = generator.bytes().map(|b| b == b'+').collect();
    let columns = n - 1;
    let mut rows: Vec<Vec<bool>> = (0..columns)
        .map(|shift| {
            (0..k)
                .map(|j| generator[(j + columns - shift) % columns])
                .collect()
        })
        .collect();
    rows.push(vec![false; k]);
    Some(Design {
        factors: k,
        rows,
        kind: DesignKind::PlackettBurman,
    })
}

/// The design `perfwatch attribute` runs for `k` factors: the full factorial
/// up to [`MAX_SCREENING_FULL_FACTORS`] factors (at most 16 rows, and
/// interactions can be estimated), a Plackett–Burman design beyond (at most
/// 24 rows for up to [`MAX_PB_FACTORS`] factors). `None` for `k = 0` or
/// `k >` [`MAX_PB_FACTORS`].
pub fn screening_design(k: usize) -> Option<Design> {
    if k <= MAX_SCREENING_FULL_FACTORS {
        full_factorial(k)
    } else {
        plackett_burman(k)
    }
}
