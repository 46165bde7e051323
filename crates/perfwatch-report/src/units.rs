//! Human units: times auto-scaled to ns/µs/ms/s, bytes in binary multiples,
//! plain counts, percentages and p-values.
//!
//! Every function takes an already-computed figure and only formats it.
//! Non-finite inputs (which no measurement produces) print as [`NA`] rather
//! than as a misleading number.

use perfwatch_model::metric::Unit;
use perfwatch_model::Metric;

/// What a figure that was not measured prints as.
pub const NA: &str = "n/a";

/// Time units from the smallest up, with their size in seconds.
const TIME_UNITS: [(&str, f64); 4] = [("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3), ("s", 1.0)];

/// Byte units, binary multiples.
const BYTE_UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/// Formats `v` with three significant digits (no exponent), e.g. `1.23`,
/// `45.6`, `812`; values of 1000 and more keep all their integer digits.
fn sig3(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let with = |magnitude: i32| {
        let decimals = (2 - magnitude).clamp(0, 9) as usize;
        format!("{v:.decimals$}")
    };
    let s = with(magnitude);
    // Rounding may carry into the next power of ten (0.99996 → 1.000):
    // then one decimal fewer keeps three significant digits.
    match s.parse::<f64>() {
        Ok(r) if r.abs() >= 10f64.powi(magnitude + 1) => with(magnitude + 1),
        _ => s,
    }
}

/// Like [`sig3`], but with trailing zeros (and a trailing dot) removed.
fn sig3_trimmed(v: f64) -> String {
    let s = sig3(v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Rounds `v` to three significant digits, as [`sig3`] prints it.
fn round_sig3(v: f64) -> f64 {
    sig3(v).parse().unwrap_or(v)
}

/// A duration given in seconds, auto-scaled: `95.0 ns`, `812 µs`,
/// `45.6 ms`, `1.23 s`, `1234 s`. Zero prints as `0 s`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return NA.to_string();
    }
    if seconds == 0.0 {
        return "0 s".to_string();
    }
    let sign = if seconds < 0.0 { "-" } else { "" };
    let abs = seconds.abs();
    // The largest unit in which the value is at least 1, after rounding
    // (so that 999.96 µs prints as `1.00 ms`, not `1000 µs`).
    let (name, size) = TIME_UNITS
        .iter()
        .rev()
        .find(|(_, size)| round_sig3(abs / size) >= 1.0)
        .copied()
        .unwrap_or(TIME_UNITS[0]);
    format!("{sign}{} {name}", sig3(abs / size))
}

/// A byte count in binary units: `512 B`, `1.50 KiB`, `120 MiB`, `3.00 GiB`.
/// Fractional bytes (a mean) round to whole bytes below 1 KiB.
pub fn format_bytes(bytes: f64) -> String {
    if !bytes.is_finite() {
        return NA.to_string();
    }
    let sign = if bytes < 0.0 { "-" } else { "" };
    let abs = bytes.abs();
    if abs.round() < 1024.0 {
        return format!("{sign}{} B", abs.round());
    }
    let mut value = abs / 1024.0;
    let mut unit = 0;
    while round_sig3(value) >= 1024.0 && unit + 1 < BYTE_UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{sign}{} {}", sig3(value), BYTE_UNITS[unit])
}

/// A plain count: whole numbers as they are (`12345`), fractions (a mean
/// number of calls) with up to three significant digits (`2.5`, `12.3`).
pub fn format_count(count: f64) -> String {
    if !count.is_finite() {
        return NA.to_string();
    }
    if count.fract() == 0.0 || count.abs() >= 100.0 {
        return format!("{:.0}", count);
    }
    sig3_trimmed(count)
}

/// A figure in the given unit.
pub fn format_value(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Seconds => format_duration(value),
        Unit::Bytes => format_bytes(value),
        Unit::Count => format_count(value),
    }
}

/// An optional figure in the given unit; absent prints as [`NA`].
pub fn format_opt(unit: Unit, value: Option<f64>) -> String {
    value.map_or_else(|| NA.to_string(), |v| format_value(unit, v))
}

/// The unit of a metric key: a known [`Metric`], or by suffix (`total_s`,
/// `self_s` → seconds; `…_bytes` → bytes); anything else is a count.
pub fn unit_for_key(key: &str) -> Unit {
    match key.parse::<Metric>() {
        Ok(metric) => metric.unit(),
        Err(_) if key.ends_with("_s") => Unit::Seconds,
        Err(_) if key.ends_with("_bytes") => Unit::Bytes,
        Err(_) => Unit::Count,
    }
}

/// A signed percentage change with one decimal: `+12.3%`, `-4.0%`.
pub fn format_change_pct(pct: f64) -> String {
    if !pct.is_finite() {
        return NA.to_string();
    }
    // Avoid printing `-0.0%` for a change that rounds to nothing.
    let rounded = (pct * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return "+0.0%".to_string();
    }
    format!("{rounded:+.1}%")
}

/// A share 0..1 as a percentage with one decimal: `62.5%`.
pub fn format_share(share: f64) -> String {
    if !share.is_finite() {
        return NA.to_string();
    }
    format!("{:.1}%", share * 100.0)
}

/// A p-value with three decimals; below 0.001 as `<0.001`.
pub fn format_p(p: f64) -> String {
    if !p.is_finite() {
        return NA.to_string();
    }
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// A number of unknown unit (finding evidence) with up to three
/// significant digits and no trailing zeros: `12`, `0.62`, `1234`.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    if v.fract() == 0.0 || v.abs() >= 1000.0 {
        return format!("{:.0}", v);
    }
    sig3_trimmed(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases = [
            (0.0, "0 s"),
            (1.0, "1.00 s"),
            (1.2345, "1.23 s"),
            (12.345, "12.3 s"),
            (123.45, "123 s"),
            (1234.5, "1234 s"),
            (0.5, "500 ms"),
            (0.0456, "45.6 ms"),
            (0.001, "1.00 ms"),
            (0.000_999_96, "1.00 ms"),
            (0.999_6, "1.00 s"),
            (812e-6, "812 µs"),
            (1.5e-6, "1.50 µs"),
            (95e-9, "95.0 ns"),
            (1e-9, "1.00 ns"),
            (5e-10, "0.500 ns"),
            (-0.0456, "-45.6 ms"),
            (f64::NAN, "n/a"),
            (f64::INFINITY, "n/a"),
        ];
        for (input, want) in cases {
            assert_eq!(format_duration(input), want, "input {input:e}");
        }
    }

    #[test]
    fn bytes() {
        let cases = [
            (0.0, "0 B"),
            (512.0, "512 B"),
            (512.4, "512 B"),
            (1023.0, "1023 B"),
            (1024.0, "1.00 KiB"),
            (1536.0, "1.50 KiB"),
            (125_829_120.0, "120 MiB"),
            (1_048_575.0, "1.00 MiB"),
            (3.0 * 1024.0 * 1024.0 * 1024.0, "3.00 GiB"),
            (1024f64.powi(4) * 2.5, "2.50 TiB"),
            (1024f64.powi(6), "1024 PiB"),
            (-2048.0, "-2.00 KiB"),
            (f64::NAN, "n/a"),
        ];
        for (input, want) in cases {
            assert_eq!(format_bytes(input), want, "input {input}");
        }
    }

    #[test]
    fn counts_and_numbers() {
        let counts = [
            (0.0, "0"),
            (3.0, "3"),
            (12345.0, "12345"),
            (2.5, "2.5"),
            (12.34, "12.3"),
            (0.125, "0.125"),
            (150.6, "151"),
            (f64::NAN, "n/a"),
        ];
        for (input, want) in counts {
            assert_eq!(format_count(input), want, "count {input}");
        }
        let numbers = [
            (12.0, "12"),
            (0.62, "0.62"),
            (0.1 + 0.2, "0.3"),
            (1234.56, "1235"),
            (-0.004_56, "-0.00456"),
            (0.999_96, "1"),
        ];
        for (input, want) in numbers {
            assert_eq!(format_number(input), want, "number {input}");
        }
    }

    #[test]
    fn percentages_and_p_values() {
        let changes = [
            (12.34, "+12.3%"),
            (-4.0, "-4.0%"),
            (-0.04, "+0.0%"),
            (0.0, "+0.0%"),
            (150.0, "+150.0%"),
        ];
        for (input, want) in changes {
            assert_eq!(format_change_pct(input), want, "change {input}");
        }
        assert_eq!(format_share(0.625), "62.5%");
        assert_eq!(format_share(f64::NAN), "n/a");
        let ps = [
            (0.0004, "<0.001"),
            (0.001, "0.001"),
            (0.0456, "0.046"),
            (1.0, "1.000"),
        ];
        for (input, want) in ps {
            assert_eq!(format_p(input), want, "p {input}");
        }
    }

    #[test]
    fn units_of_keys() {
        let cases = [
            ("wall_s", Unit::Seconds),
            ("total_s", Unit::Seconds),
            ("self_s", Unit::Seconds),
            ("max_rss_bytes", Unit::Bytes),
            ("alloc_bytes", Unit::Bytes),
            ("voluntary_cs", Unit::Count),
            ("calls", Unit::Count),
        ];
        for (key, want) in cases {
            assert_eq!(unit_for_key(key), want, "key {key}");
        }
        assert_eq!(format_opt(Unit::Bytes, None), "n/a");
        assert_eq!(format_opt(Unit::Seconds, Some(0.5)), "500 ms");
    }

    /// Splits `"45.6 ms"` into its number and unit.
    fn parse(text: &str) -> (f64, String) {
        let (number, unit) = text.split_once(' ').expect("number and unit");
        (number.parse().expect("a number"), unit.to_string())
    }

    proptest::proptest! {
        #[test]
        fn durations_keep_three_significant_digits(seconds in 1e-10f64..1e6) {
            let (number, unit) = parse(&format_duration(seconds));
            let size = TIME_UNITS.iter().find(|(name, _)| *name == unit).map(|u| u.1);
            let size = size.expect("a known unit");
            let relative = (number * size - seconds).abs() / seconds;
            proptest::prop_assert!(relative <= 0.005 + 1e-9, "{seconds} → {number} {unit}");
            // The largest unit in which the number is at least 1.
            proptest::prop_assert!(number >= 1.0 || unit == "ns");
            proptest::prop_assert!(number < 1000.0 || unit == "s");
        }

        #[test]
        fn bytes_keep_three_significant_digits(bytes in 0f64..1e17) {
            let (number, unit) = parse(&format_bytes(bytes));
            let power = BYTE_UNITS.iter().position(|u| *u == unit).map_or(0, |i| i as i32 + 1);
            let value = number * 1024f64.powi(power);
            if power == 0 {
                proptest::prop_assert!((value - bytes).abs() <= 0.5);
            } else {
                proptest::prop_assert!((value - bytes).abs() / bytes <= 0.005 + 1e-9);
                proptest::prop_assert!((1.0..1024.0).contains(&number), "{bytes} → {number} {unit}");
            }
        }
    }
}
