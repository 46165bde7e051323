//! Seeded percentile-bootstrap confidence intervals for the median and for
//! the ratio of two medians.
//!
//! Method: the percentile bootstrap of Efron, B. & Tibshirani, R. J. (1993),
//! *An Introduction to the Bootstrap*, Chapman & Hall, ch. 13. Draw
//! `resamples` samples of size n with replacement, compute the statistic on
//! each, and take the `(1 − c)/2` and `(1 + c)/2` quantiles (type 7, see
//! [`percentile`](mod@crate::percentile)) of those statistics as the interval at confidence
//! `c`. For a ratio of medians of two independent samples each sample is
//! resampled on its own (a two-sample bootstrap), as for the difference of
//! two statistics in Efron & Tibshirani §8.3.
//!
//! Resampling uses `ChaCha8Rng` seeded with [`CiOptions::seed`], so the same
//! sample and options always give the same interval, on every platform.
//! The sample is sorted once; a resample is then only a count of draws per
//! order statistic, and its median is found by walking the counts — O(n)
//! per resample, no sorting or comparisons. The interval's quantiles are
//! found by selection (`select_nth_unstable`). See
//! `cargo bench -p perfwatch-stats` for the cost.

use crate::percentile::{finite, lerp, quantile_in_place, quantile_sorted, sort};
use crate::StatsError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The seed used when none is given; any fixed value makes intervals
/// reproducible.
pub const DEFAULT_SEED: u64 = 0x9e7f_3a7c_4000_0001;

/// The confidence level used when none is given, here and in comparisons.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// How bootstrap confidence intervals are computed.
///
/// Deserialises from a table where every field is optional
/// (`confidence = 0.99` alone keeps the other defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CiOptions {
    /// Confidence level, strictly between 0 and 1 (default
    /// [`DEFAULT_CONFIDENCE`]).
    pub confidence: f64,
    /// Number of bootstrap resamples (default 2000).
    pub resamples: usize,
    /// Seed of the resampling generator (default [`DEFAULT_SEED`]).
    pub seed: u64,
}

impl Default for CiOptions {
    fn default() -> Self {
        CiOptions {
            confidence: DEFAULT_CONFIDENCE,
            resamples: 2000,
            seed: DEFAULT_SEED,
        }
    }
}

impl CiOptions {
    /// Checks the options; call it where options come from users.
    ///
    /// The interval functions themselves never fail on bad options, they
    /// read them leniently: a NaN confidence as 0.95, one outside `[0, 1]`
    /// clamped into it (1 gives the range of the bootstrap distribution, 0
    /// its median), and 0 resamples as "no bootstrap" (the interval collapses
    /// onto the point estimate).
    pub fn validate(&self) -> Result<(), StatsError> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StatsError::InvalidConfidence(self.confidence));
        }
        if self.resamples == 0 {
            return Err(StatsError::NoResamples);
        }
        Ok(())
    }

    /// The confidence as the interval functions read it.
    pub(crate) fn level(&self) -> f64 {
        if self.confidence.is_nan() {
            DEFAULT_CONFIDENCE
        } else {
            self.confidence.clamp(0.0, 1.0)
        }
    }
}

/// A confidence interval, `low ≤ high`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// `num / den`, defined for every pair of finite values: `0 / 0` is 1 (two
/// zero medians are equal) and `x / 0` is `±∞` by the sign of `x`.
pub fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        if num == 0.0 {
            1.0
        } else {
            num.signum() * f64::INFINITY
        }
    } else {
        num / den
    }
}

/// Percentile-bootstrap confidence interval of the median of the finite
/// values of `xs`; `None` when there are none.
pub fn median_ci(xs: &[f64], opts: &CiOptions) -> Option<Interval> {
    let mut sample = Resampler::new(xs)?;
    if opts.resamples == 0 {
        let m = sample.median();
        return Some(Interval { low: m, high: m });
    }
    let mut stats: Vec<f64> = match sample.constant() {
        // Every resample is the same: no need to draw them.
        Some(m) => vec![m; opts.resamples],
        None => {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            (0..opts.resamples)
                .map(|_| sample.resampled_median(&mut rng))
                .collect()
        }
    };
    Some(percentile_interval(&mut stats, opts.level()))
}

/// Percentile-bootstrap confidence interval of `median(cand) / median(base)`
/// for two independent samples, each resampled on its own; ratios follow
/// [`ratio`] (so a resampled baseline median of 0 gives `±∞` or 1). `None`
/// when either side has no finite value.
pub fn ratio_of_medians_ci(base: &[f64], cand: &[f64], opts: &CiOptions) -> Option<Interval> {
    let mut base = Resampler::new(base)?;
    let mut cand = Resampler::new(cand)?;
    if opts.resamples == 0 {
        let r = ratio(cand.median(), base.median());
        return Some(Interval { low: r, high: r });
    }
    let mut stats: Vec<f64> = match (base.constant(), cand.constant()) {
        // Every resample is the same: no need to draw them.
        (Some(b), Some(c)) => vec![ratio(c, b); opts.resamples],
        _ => {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            (0..opts.resamples)
                .map(|_| {
                    let b = base.resampled_median(&mut rng);
                    let c = cand.resampled_median(&mut rng);
                    ratio(c, b)
                })
                .collect()
        }
    };
    Some(percentile_interval(&mut stats, opts.level()))
}

/// Draws resamples of one sample and finds their medians.
struct Resampler {
    /// The finite values, sorted ascending.
    sorted: Vec<f64>,
    /// Scratch: how often each order statistic was drawn.
    counts: Vec<u32>,
}

impl Resampler {
    /// `None` when `xs` has no finite value.
    fn new(xs: &[f64]) -> Option<Resampler> {
        let mut sorted = finite(xs);
        if sorted.is_empty() {
            return None;
        }
        sort(&mut sorted);
        let counts = vec![0; sorted.len()];
        Some(Resampler { sorted, counts })
    }

    /// The sample's own median.
    fn median(&self) -> f64 {
        quantile_sorted(&self.sorted, 0.5).unwrap_or(f64::NAN)
    }

    /// When every value is the same (bit for bit), the median of every
    /// resample — as [`Resampler::resampled_median`] would compute it.
    fn constant(&self) -> Option<f64> {
        let (first, last) = (self.sorted.first()?, self.sorted.last()?);
        if first.to_bits() != last.to_bits() {
            return None;
        }
        // Sorted by `total_cmp`: equal ends mean equal values throughout,
        // and `lerp` between two equal values is that value.
        Some(*first)
    }

    /// The median of a resample of the same size, drawn with replacement:
    /// the type-7 median of the resample is that of its order statistics
    /// `⌊(n−1)/2⌋` and `⌈(n−1)/2⌉`, found by walking the draw counts.
    fn resampled_median(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        let n = self.sorted.len();
        self.counts.fill(0);
        for _ in 0..n {
            self.counts[rng.random_range(0..n)] += 1;
        }
        let (lo, hi) = ((n - 1) / 2, n / 2);
        let mut seen = 0;
        let mut low = None;
        for (&count, &value) in self.counts.iter().zip(&self.sorted) {
            seen += count as usize;
            if low.is_none() && seen > lo {
                low = Some(value);
            }
            if seen > hi {
                let low = low.unwrap_or(value);
                return if lo == hi { low } else { lerp(low, value, 0.5) };
            }
        }
        // Unreachable: the counts sum to n > hi.
        self.sorted[n - 1]
    }
}

/// The central `level` interval of the bootstrap statistics (reordered).
fn percentile_interval(stats: &mut [f64], level: f64) -> Interval {
    let tail = (1.0 - level) / 2.0;
    let low = quantile_in_place(stats, tail);
    let high = quantile_in_place(stats, 1.0 - tail);
    Interval { low, high }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::median;
    use proptest::prelude::*;

    fn opts(seed: u64) -> CiOptions {
        CiOptions {
            seed,
            ..CiOptions::default()
        }
    }

    /// Fewer resamples keep property tests quick in debug builds; the
    /// properties hold for any count.
    fn quick(seed: u64) -> CiOptions {
        CiOptions {
            resamples: 300,
            ..opts(seed)
        }
    }

    #[test]
    fn ratio_handles_zero_denominators() {
        let cases = [
            (2.0, 1.0, 2.0),
            (0.0, 0.0, 1.0),
            (3.0, 0.0, f64::INFINITY),
            (-3.0, 0.0, f64::NEG_INFINITY),
            (0.0, 5.0, 0.0),
        ];
        for (num, den, want) in cases {
            assert_eq!(ratio(num, den), want, "{num}/{den}");
        }
    }

    #[test]
    fn empty_and_nan_only_samples_have_no_interval() {
        let o = CiOptions::default();
        assert_eq!(median_ci(&[], &o), None);
        assert_eq!(median_ci(&[f64::NAN], &o), None);
        assert_eq!(ratio_of_medians_ci(&[1.0], &[], &o), None);
        assert_eq!(ratio_of_medians_ci(&[f64::NAN], &[1.0], &o), None);
    }

    #[test]
    fn constant_samples_collapse() {
        let o = CiOptions::default();
        let ci = median_ci(&[2.5; 10], &o).unwrap();
        assert_eq!((ci.low, ci.high), (2.5, 2.5));
        let ci = ratio_of_medians_ci(&[2.0; 10], &[3.0; 10], &o).unwrap();
        assert_eq!((ci.low, ci.high), (1.5, 1.5));
        let ci = ratio_of_medians_ci(&[0.0; 10], &[0.0; 10], &o).unwrap();
        assert_eq!((ci.low, ci.high), (1.0, 1.0));
        let ci = ratio_of_medians_ci(&[0.0; 10], &[1.0; 10], &o).unwrap();
        assert_eq!((ci.low, ci.high), (f64::INFINITY, f64::INFINITY));
    }

    #[test]
    fn lenient_reading_of_bad_options() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let none = CiOptions {
            resamples: 0,
            ..CiOptions::default()
        };
        assert_eq!(
            median_ci(&xs, &none),
            Some(Interval {
                low: 4.0,
                high: 4.0
            })
        );
        let r = ratio_of_medians_ci(&xs, &xs, &none).unwrap();
        assert_eq!((r.low, r.high), (1.0, 1.0));
        let nan = CiOptions {
            confidence: f64::NAN,
            ..CiOptions::default()
        };
        assert_eq!(median_ci(&xs, &nan), median_ci(&xs, &CiOptions::default()));
        let wide = CiOptions {
            confidence: 7.0,
            ..CiOptions::default()
        };
        let ci = median_ci(&xs, &wide).unwrap();
        assert!(ci.low >= 1.0 && ci.high <= 7.0);
    }

    #[test]
    fn validate_rejects_bad_options() {
        assert!(CiOptions::default().validate().is_ok());
        for confidence in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            let o = CiOptions {
                confidence,
                ..CiOptions::default()
            };
            assert!(matches!(
                o.validate(),
                Err(StatsError::InvalidConfidence(_))
            ));
        }
        let o = CiOptions {
            resamples: 0,
            ..CiOptions::default()
        };
        assert_eq!(o.validate(), Err(StatsError::NoResamples));
    }

    #[test]
    fn higher_confidence_gives_a_wider_interval() {
        let xs: Vec<f64> = (0..40).map(|i| ((i * 37) % 17) as f64).collect();
        let narrow = median_ci(
            &xs,
            &CiOptions {
                confidence: 0.5,
                ..opts(1)
            },
        )
        .unwrap();
        let wide = median_ci(
            &xs,
            &CiOptions {
                confidence: 0.99,
                ..opts(1)
            },
        )
        .unwrap();
        assert!(wide.low <= narrow.low && narrow.high <= wide.high);
    }

    #[test]
    fn options_deserialise_with_defaults() {
        let o: CiOptions = toml::from_str("resamples = 500").unwrap();
        assert_eq!(o.resamples, 500);
        assert_eq!(o.confidence, 0.95);
        assert_eq!(o.seed, DEFAULT_SEED);
        assert!(toml::from_str::<CiOptions>("resample = 5").is_err());
    }

    proptest! {
        #[test]
        fn counting_resampler_matches_an_explicit_resample(
            xs in prop::collection::vec(-1e3f64..1e3, 1..40),
            seed in any::<u64>(),
        ) {
            let mut resampler = Resampler::new(&xs).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut twin = rng.clone();
            let got = resampler.resampled_median(&mut rng);
            let n = resampler.sorted.len();
            let explicit: Vec<f64> =
                (0..n).map(|_| resampler.sorted[rand::Rng::random_range(&mut twin, 0..n)]).collect();
            prop_assert_eq!(Some(got), median(&explicit));
        }
    }

    /// Both intervals of `xs` (and of `cand` over `xs`) as the drawing
    /// loop computes them, without the shortcut for constant samples.
    fn drawn(xs: &[f64], cand: &[f64], opts: &CiOptions) -> (Interval, Interval) {
        let (mut a, mut b) = (Resampler::new(xs).unwrap(), Resampler::new(cand).unwrap());
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut one: Vec<f64> = (0..opts.resamples)
            .map(|_| a.resampled_median(&mut rng))
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut two: Vec<f64> = (0..opts.resamples)
            .map(|_| {
                let base = a.resampled_median(&mut rng);
                ratio(b.resampled_median(&mut rng), base)
            })
            .collect();
        (
            percentile_interval(&mut one, opts.level()),
            percentile_interval(&mut two, opts.level()),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn constant_samples_skip_the_draws_with_the_same_interval_bit_for_bit(
            x in prop_oneof![Just(-0.0f64), Just(0.0), -1e9f64..1e9],
            y in prop_oneof![Just(-0.0f64), Just(0.0), -1e9f64..1e9],
            n in 1usize..12,
            m in 1usize..12,
            seed in any::<u64>(),
        ) {
            let (xs, ys) = (vec![x; n], vec![y; m]);
            let opts = quick(seed);
            let (one, two) = drawn(&xs, &ys, &opts);
            let bits = |i: Interval| (i.low.to_bits(), i.high.to_bits());
            prop_assert_eq!(bits(median_ci(&xs, &opts).unwrap()), bits(one));
            prop_assert_eq!(bits(ratio_of_medians_ci(&xs, &ys, &opts).unwrap()), bits(two));
        }

        #[test]
        fn median_ci_contains_the_median(
            xs in prop::collection::vec(0.001f64..1e3, 5..40),
            seed in any::<u64>(),
        ) {
            let ci = median_ci(&xs, &quick(seed)).unwrap();
            let m = median(&xs).unwrap();
            prop_assert!(ci.low <= m && m <= ci.high, "{ci:?} vs {m}");
        }

        #[test]
        fn bootstrap_is_reproducible(
            a in prop::collection::vec(0.001f64..1e3, 1..30),
            b in prop::collection::vec(0.001f64..1e3, 1..30),
            seed in any::<u64>(),
        ) {
            prop_assert_eq!(median_ci(&a, &quick(seed)), median_ci(&a, &quick(seed)));
            prop_assert_eq!(
                ratio_of_medians_ci(&a, &b, &quick(seed)),
                ratio_of_medians_ci(&a, &b, &quick(seed))
            );
        }

        #[test]
        fn ratio_ci_is_scale_invariant(
            a in prop::collection::vec(0.001f64..1e3, 2..30),
            b in prop::collection::vec(0.001f64..1e3, 2..30),
            // Powers of two scale exactly, so the comparison can be exact
            // up to the rounding of one division.
            k in -20i32..20,
            seed in any::<u64>(),
        ) {
            let s = 2f64.powi(k);
            let scaled_a: Vec<f64> = a.iter().map(|x| x * s).collect();
            let scaled_b: Vec<f64> = b.iter().map(|x| x * s).collect();
            let plain = ratio_of_medians_ci(&a, &b, &quick(seed)).unwrap();
            let scaled = ratio_of_medians_ci(&scaled_a, &scaled_b, &quick(seed)).unwrap();
            prop_assert!((plain.low - scaled.low).abs() <= 1e-12 * plain.low.abs());
            prop_assert!((plain.high - scaled.high).abs() <= 1e-12 * plain.high.abs());
        }

        #[test]
        fn ratio_ci_scales_with_the_candidate(
            a in prop::collection::vec(0.001f64..1e3, 2..30),
            b in prop::collection::vec(0.001f64..1e3, 2..30),
            f in 0.1f64..10.0,
            seed in any::<u64>(),
        ) {
            let scaled_b: Vec<f64> = b.iter().map(|x| x * f).collect();
            let plain = ratio_of_medians_ci(&a, &b, &quick(seed)).unwrap();
            let scaled = ratio_of_medians_ci(&a, &scaled_b, &quick(seed)).unwrap();
            prop_assert!((plain.low * f - scaled.low).abs() <= 1e-9 * scaled.low.abs());
            prop_assert!((plain.high * f - scaled.high).abs() <= 1e-9 * scaled.high.abs());
        }
    }
}
