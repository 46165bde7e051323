//! The decision rule that turns a test and an interval into a verdict.
//!
//! Inputs: the two-sided Mann-Whitney p-value, the bootstrap interval
//! `[lo, hi]` of the ratio of medians (candidate / baseline) at confidence
//! `c`, and the noise band `[1 − t, 1 + t]`. A change is **significant**
//! when `p < 1 − c`, or when both samples are constant and differ (a
//! deterministic difference is real, whatever the sample size; the test
//! cannot see it with few runs, the interval has collapsed onto it).
//!
//! | rule (first that applies)                      | verdict        |
//! |------------------------------------------------|----------------|
//! | fewer than `min_samples` runs on a side         | `Inconclusive` |
//! | significant and `lo > 1 + t`                    | `Regressed`    |
//! | significant and `hi < 1 − t`                    | `Improved`     |
//! | `1 − t ≤ lo` and `hi ≤ 1 + t`                   | `Unchanged`    |
//! | anything else                                   | `Inconclusive` |
//!
//! `Unchanged` does not need significance either way: when the whole
//! interval lies inside the noise band, any change — real or not — is too
//! small to matter. `Inconclusive` covers the three cases where the data
//! cannot tell: a significant change whose interval reaches into the noise
//! band, an interval wider than the band without significance, and an
//! interval beyond the band that the test does not confirm. Its note says
//! which, and that more runs would settle it.

use crate::CompareOptions;
use perfwatch_model::Verdict;

/// What a verdict rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Two-sided p-value.
    pub p_value: f64,
    /// Lower bound of the ratio's interval.
    pub ci_low: f64,
    /// Upper bound of the ratio's interval.
    pub ci_high: f64,
    /// Both samples are constant and their values differ.
    pub deterministic: bool,
}

/// The verdict for samples of sufficient size, with a note when it is
/// inconclusive.
pub fn decide(e: &Evidence, opts: &CompareOptions) -> (Verdict, Option<String>) {
    let confidence = opts.level();
    let alpha = 1.0 - confidence;
    let t = opts.noise();
    let (upper, lower) = (1.0 + t, 1.0 - t);
    let significant = e.p_value < alpha || e.deterministic;
    if significant && e.ci_low > upper {
        return (Verdict::Regressed, None);
    }
    if significant && e.ci_high < lower {
        return (Verdict::Improved, None);
    }
    if lower <= e.ci_low && e.ci_high <= upper {
        return (Verdict::Unchanged, None);
    }
    let interval = format!(
        "the {} interval of the ratio [{}, {}]",
        pct(confidence),
        ratio(e.ci_low),
        ratio(e.ci_high)
    );
    let band = format!("the ±{} noise band", pct(t));
    let p = if e.p_value < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {:.3}", e.p_value)
    };
    let note = if significant {
        format!("significant ({p}) but {interval} reaches into {band}; more runs would settle it")
    } else if e.ci_low > upper || e.ci_high < lower {
        format!("{interval} lies beyond {band} but the test is not significant ({p}); more runs would settle it")
    } else {
        format!(
            "not significant ({p}) and {interval} is wider than {band}; more runs would narrow it"
        )
    };
    (Verdict::Inconclusive, Some(note))
}

/// A fraction as a percentage without needless decimals: `0.95` → `95 %`.
pub(crate) fn pct(x: f64) -> String {
    let s = format!("{:.2}", x * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} %")
}

/// A ratio with three decimals; unbounded ones as `∞`.
fn ratio(x: f64) -> String {
    if x >= f64::MAX {
        "∞".to_string()
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(p_value: f64, ci_low: f64, ci_high: f64) -> Evidence {
        Evidence {
            p_value,
            ci_low,
            ci_high,
            deterministic: false,
        }
    }

    #[test]
    fn table_of_decisions() {
        let o = CompareOptions::default();
        let cases = [
            (ev(0.001, 1.08, 1.12), Verdict::Regressed, ""),
            (ev(0.001, 0.88, 0.92), Verdict::Improved, ""),
            (ev(0.60, 0.99, 1.01), Verdict::Unchanged, ""),
            // Significant but small: real, yet within the noise band.
            (ev(0.001, 1.005, 1.015), Verdict::Unchanged, ""),
            (ev(0.001, 1.01, 1.10), Verdict::Inconclusive, "reaches into"),
            (ev(0.0001, 1.01, 1.10), Verdict::Inconclusive, "(p < 0.001)"),
            (ev(0.30, 0.93, 1.08), Verdict::Inconclusive, "wider than"),
            (
                ev(0.08, 1.05, 1.20),
                Verdict::Inconclusive,
                "not significant (p = 0.080)",
            ),
            (ev(0.001, 1.10, f64::MAX), Verdict::Regressed, ""),
            (ev(0.50, 1.10, f64::MAX), Verdict::Inconclusive, "1.100, ∞]"),
            // Exactly on the band's edge counts as inside it.
            (ev(0.001, 1.02, 1.02), Verdict::Unchanged, ""),
        ];
        for (e, want, note) in cases {
            let (verdict, got) = decide(&e, &o);
            assert_eq!(verdict, want, "{e:?}");
            assert_eq!(got.is_some(), want == Verdict::Inconclusive, "{e:?}");
            assert!(got.unwrap_or_default().contains(note), "{e:?}");
        }
    }

    #[test]
    fn deterministic_differences_are_significant() {
        let o = CompareOptions::default();
        let e = Evidence {
            deterministic: true,
            ..ev(0.19, 1.5, 1.5)
        };
        assert_eq!(decide(&e, &o).0, Verdict::Regressed);
        let e = Evidence {
            deterministic: true,
            ..ev(0.19, 1.01, 1.01)
        };
        assert_eq!(decide(&e, &o).0, Verdict::Unchanged);
    }

    #[test]
    fn note_wording() {
        let (_, note) = decide(&ev(0.31, 0.93, 1.08), &CompareOptions::default());
        assert_eq!(
            note.unwrap(),
            "not significant (p = 0.310) and the 95 % interval of the ratio [0.930, 1.080] \
             is wider than the ±2 % noise band; more runs would narrow it"
        );
        assert_eq!(pct(0.025), "2.5 %");
        assert_eq!(pct(0.999), "99.9 %");
    }
}
