use super::*;
use perfwatch_model::metric::Unit;

#[test]
fn durations() {
    let cases = [
        (0.0, "0 s"),
        (1.0, "1.00 s"),
        (1.2345, "1.23 s"),
        (12.345, "12.3 s"),
        (123.45, "123 s"),
        (1234.5, "1235 s"),
        (0.5, "500 ms"),
        (0.0456, "45.6 ms"),
        (0.001, "1.00 ms"),
        (0.000_999_96, "1.00 ms"),
        (0.000_999_4, "999 µs"),
        (0.999_6, "1.00 s"),
        (812e-6, "812 µs"),
        (1.5e-6, "1.50 µs"),
        (95e-9, "95.0 ns"),
        (1e-9, "1.00 ns"),
        (5e-10, "0.500 ns"),
        (-0.0456, "-45.6 ms"),
        (1e-15, "1.00e-15 s"),
        (3e9, "3.00e9 s"),
        (f64::MAX, "1.80e308 s"),
        (f64::NAN, "–"),
        (f64::INFINITY, "–"),
    ];
    for (input, want) in cases {
        assert_eq!(format_duration(input), want, "input {input:e}");
    }
}

#[test]
fn bytes() {
    let cases = [
        (0.0, "0 B"),
        (-0.3, "0 B"),
        (512.0, "512 B"),
        (512.4, "512 B"),
        (1023.0, "1023 B"),
        (1023.6, "1.00 KiB"),
        (1024.0, "1.00 KiB"),
        (1536.0, "1.50 KiB"),
        (125_829_120.0, "120 MiB"),
        (1_048_575.0, "1.00 MiB"),
        (3.0 * 1024.0 * 1024.0 * 1024.0, "3.00 GiB"),
        (1024f64.powi(4) * 2.5, "2.50 TiB"),
        (1e17, "88.8 PiB"),
        (1e20, "1.00e20 B"),
        (-2048.0, "-2.00 KiB"),
        (f64::NAN, "–"),
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
        (-3.0, "-3"),
        (12345.0, "12345"),
        (2.5, "2.5"),
        (12.34, "12.3"),
        (0.125, "0.125"),
        (150.6, "151"),
        (0.62, "0.62"),
        (0.1 + 0.2, "0.3"),
        (1234.56, "1235"),
        (-0.004_56, "-0.00456"),
        (0.999_96, "1"),
        (-1e-5, "-1.00e-5"),
        (4.5e9, "4.50e9"),
        (f64::NAN, "–"),
        (f64::NEG_INFINITY, "–"),
    ];
    for (input, want) in counts {
        assert_eq!(format_count(input), want, "count {input}");
        assert_eq!(format_number(input), want, "number {input}");
    }
}

#[test]
fn ticks_drop_trailing_zeros() {
    let cases = [
        (Unit::Seconds, 0.05, "50 ms"),
        (Unit::Seconds, 1.5, "1.5 s"),
        (Unit::Seconds, 0.0, "0 s"),
        (Unit::Bytes, 1024.0, "1 KiB"),
        (Unit::Count, 2.5, "2.5"),
        (Unit::Seconds, 3e9, "3.00e9 s"),
        (Unit::Seconds, f64::NAN, "–"),
    ];
    for (unit, v, want) in cases {
        assert_eq!(format_tick(unit, v), want, "{unit:?} {v}");
    }
}

#[test]
fn percentages_ratios_and_p_values() {
    let changes = [
        (12.34, "+12.3%"),
        (-4.0, "-4.0%"),
        (-0.04, "+0.0%"),
        (0.0, "+0.0%"),
        (150.0, "+150.0%"),
        (f64::MAX, "unbounded"),
        (f64::INFINITY, "unbounded"),
        (f64::NAN, "–"),
    ];
    for (input, want) in changes {
        assert_eq!(format_change_pct(input), want, "change {input}");
    }
    assert_eq!(format_share(0.625), "62.5%");
    assert_eq!(format_share(f64::NAN), "–");
    let ps = [
        (0.0, "< 0.001"),
        (0.0004, "< 0.001"),
        (0.001, "0.001"),
        (0.0456, "0.046"),
        (1.0, "1.000"),
        (f64::NAN, "–"),
    ];
    for (input, want) in ps {
        assert_eq!(format_p(input), want, "p {input}");
    }
    let ratios = [
        (0.775, "0.775×"),
        (1.2345, "1.235×"),
        (12.5, "12.5×"),
        (f64::MAX, "unbounded"),
        (f64::NAN, "–"),
        (0.0, "0.000×"),
    ];
    for (input, want) in ratios {
        assert_eq!(format_ratio(input), want, "ratio {input}");
    }
}

#[test]
fn intervals_never_print_unbounded_bounds_as_numbers() {
    assert_eq!(format_change_ci(0.741, 0.806), "[-25.9%, -19.4%]");
    assert_eq!(format_change_ci(1.05, f64::MAX), "[+5.0%, unbounded]");
    assert_eq!(format_change_ci(0.0, f64::INFINITY), "[-100.0%, unbounded]");
    assert_eq!(format_change_ci(f64::NAN, 1.2), "–");
    assert_eq!(format_ratio_ci(1.1, f64::MAX), "[1.100×, unbounded]");
    assert_eq!(format_ratio_ci(f64::NAN, f64::NAN), "–");
    for text in [
        format_change_ci(1.0, f64::MAX),
        format_ratio_ci(0.0, f64::MAX),
        format_change_pct(f64::MAX),
    ] {
        assert!(text.len() < 30, "{text}");
    }
}

#[test]
fn confidence_levels() {
    assert_eq!(format_level(0.95), "95%");
    assert_eq!(format_level(0.9), "90%");
    assert_eq!(format_level(0.995), "99.5%");
    assert_eq!(ci_label(0.9), "90% CI");
    assert_eq!(ci_label(0.95), "95% CI");
}

#[test]
fn evidence_by_key() {
    let cases = [
        ("share", 0.62, "62.0%"),
        ("share:job/track", 0.000151, "0.0%"),
        ("total_share", 0.432, "43.2%"),
        ("slow_runs_fraction", 1.0, "100.0%"),
        ("median_s", 0.763, "763 ms"),
        ("alloc_bytes", 2048.0, "2.00 KiB"),
        ("cpu_pct", 4.84, "4.8%"),
        ("calls", 12.0, "12"),
        ("ratio", 8.46, "8.46"),
    ];
    for (key, v, want) in cases {
        assert_eq!(format_evidence(key, v), want, "{key}");
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
    assert_eq!(format_opt(Unit::Bytes, None), "–");
    assert_eq!(format_opt(Unit::Seconds, Some(0.5)), "500 ms");
    assert_eq!(unit_key(Unit::Bytes), "bytes");
}

#[test]
fn the_reference_table_stays_short_and_never_prints_a_long_number() {
    let table = samples();
    assert!(table.len() > 1500);
    for s in &table {
        assert!(
            s.text.chars().count() <= 12,
            "{:?} {:e} → {}",
            s.unit,
            s.value,
            s.text
        );
        if !s.value.is_finite() {
            assert_eq!(s.text, NA);
        }
    }
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

#[test]
fn factors_have_two_decimals_and_never_print_infinity_as_a_number() {
    let cases = [
        (1.0, "1.00"),
        (1.984, "1.98"),
        (12.345, "12.35"),
        (1234.4, "1234"),
        (f64::INFINITY, "unbounded"),
        (f64::MAX, "unbounded"),
        (f64::NAN, "–"),
    ];
    for (input, want) in cases {
        assert_eq!(format_factor(input), want, "factor {input}");
    }
}
