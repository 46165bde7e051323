//! Decimal digits of a non-negative figure: rounding to a number of
//! decimals, three significant digits, and scientific notation.
//!
//! These rules are written so that the page script (`report.js` in
//! `perfwatch-html`) can follow them operation by operation and print the
//! same text: rounding goes through an integer (`round(a × 10^d)`, half away
//! from zero), magnitudes are found by comparisons rather than logarithms,
//! and nothing relies on the language's own float formatting, whose
//! tie-breaking differs between Rust and JavaScript. The browser test
//! checks the two against [`super::samples`].

/// Powers of ten for 0 to 9 decimals, exact in `f64`.
const POW10: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Lower bounds of the magnitudes for 0, 1, 2, … decimals of three
/// significant digits (`≥ 100` → 0 decimals, `≥ 10` → 1, …).
const SIG3_FLOORS: [f64; 10] = [100.0, 10.0, 1.0, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7];

/// The most decimals ever printed.
const MAX_DECIMALS: usize = 9;

/// `a` (finite, `≥ 0`, below about 1e12) rounded to `decimals` decimals,
/// half away from zero, as the integer `round(a × 10^decimals)`.
fn scaled(a: f64, decimals: usize) -> f64 {
    (a * POW10[decimals]).round()
}

/// The digits of the integer `r` with a decimal point `decimals` from the
/// right: `fixed_text(1234, 2)` is `12.34`, `fixed_text(5, 3)` `0.005`.
fn fixed_text(r: f64, decimals: usize) -> String {
    let digits = format!("{r:.0}");
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = padded.split_at(padded.len() - decimals);
    format!("{int}.{frac}")
}

/// `a` (finite, `≥ 0`) with exactly `decimals` decimals (at most 9).
pub(crate) fn fixed(a: f64, decimals: usize) -> String {
    let decimals = decimals.min(MAX_DECIMALS);
    fixed_text(scaled(a, decimals), decimals)
}

/// Three significant digits of `a` (finite, `> 0`, below 1e12): the
/// rounded integer and its number of decimals. Values of 1000 and more
/// keep all their integer digits; rounding that carries into the next
/// power of ten (`0.9996` → `1.000`) drops a decimal (`1.00`).
pub(crate) fn sig3_parts(a: f64) -> (f64, usize) {
    let decimals = SIG3_FLOORS
        .iter()
        .position(|floor| a >= *floor)
        .unwrap_or(MAX_DECIMALS);
    let r = scaled(a, decimals);
    if decimals > 0 && r >= 1000.0 {
        (scaled(a, decimals - 1), decimals - 1)
    } else {
        (r, decimals)
    }
}

/// `a` with three significant digits: `1.23`, `45.6`, `812`, `1234`.
pub(crate) fn sig3(a: f64) -> String {
    let (r, decimals) = sig3_parts(a);
    fixed_text(r, decimals)
}

/// Whether `a`, rounded to three significant digits, is at least `bound`
/// (a whole number).
pub(crate) fn sig3_at_least(a: f64, bound: f64) -> bool {
    let (r, decimals) = sig3_parts(a);
    r >= bound * POW10[decimals]
}

/// `text` without trailing zeros after a decimal point (and without the
/// point itself when nothing is left after it): `2.50` → `2.5`, `3.00` → `3`.
pub(crate) fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// `a` (finite, `> 0`) in scientific notation with three significant
/// digits: `1.23e9`, `1.80e308`, `5.00e-15`.
pub(crate) fn sci(a: f64) -> String {
    let mut mantissa = a;
    let mut exponent = 0i32;
    while mantissa >= 10.0 {
        mantissa /= 10.0;
        exponent += 1;
    }
    while mantissa < 1.0 {
        mantissa *= 10.0;
        exponent -= 1;
    }
    if scaled(mantissa, 2) >= 1000.0 {
        mantissa /= 10.0;
        exponent += 1;
    }
    format!("{}e{exponent}", fixed(mantissa, 2))
}

/// `-` for a negative figure, nothing otherwise (`-0.0` included).
pub(crate) fn sign(v: f64) -> &'static str {
    if v < 0.0 {
        "-"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rounds_half_away_from_zero_through_an_integer() {
        let cases = [
            (0.0, 2, "0.00"),
            (1.5, 0, "2"),
            (2.5, 0, "3"),
            (0.125, 2, "0.13"),
            (12.345, 1, "12.3"),
            (0.005, 3, "0.005"),
            (1234.5, 0, "1235"),
        ];
        for (a, d, want) in cases {
            assert_eq!(fixed(a, d), want, "{a} with {d} decimals");
        }
    }

    #[test]
    fn three_significant_digits_carry_into_the_next_power() {
        let cases = [
            (1.234, "1.23"),
            (9.996, "10.0"),
            (99.96, "100"),
            (0.99996, "1.00"),
            (0.0456, "0.0456"),
            (812.0, "812"),
            (1234.5, "1235"),
            (5e-10, "0.000000001"),
        ];
        for (a, want) in cases {
            assert_eq!(sig3(a), want, "{a:e}");
        }
        assert!(sig3_at_least(999.96, 1000.0));
        assert!(!sig3_at_least(999.4, 1000.0));
        assert!(sig3_at_least(1023.6, 1024.0));
    }

    #[test]
    fn scientific_notation() {
        let cases = [
            (1.0, "1.00e0"),
            (1.234e9, "1.23e9"),
            (9.996e9, "1.00e10"),
            (f64::MAX, "1.80e308"),
            (5e-15, "5.00e-15"),
        ];
        for (a, want) in cases {
            assert_eq!(sci(a), want, "{a:e}");
        }
        assert_eq!(trim_zeros("2.50"), "2.5");
        assert_eq!(trim_zeros("3.00"), "3");
        assert_eq!(trim_zeros("300"), "300");
    }
}
