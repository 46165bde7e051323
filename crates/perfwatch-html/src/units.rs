//! Human units for figures printed into the page (the script has the same
//! rules for chart axes).

use perfwatch_model::metric::Unit;
use perfwatch_model::Metric;

/// What a metric key measures: a model metric, a stage metric (`*_s`), a
/// byte figure (`*_bytes`) or a plain count.
pub(crate) fn unit_of(metric: &str) -> Unit {
    if let Ok(m) = metric.parse::<Metric>() {
        return m.unit();
    }
    if metric.ends_with("_s") {
        Unit::Seconds
    } else if metric.ends_with("_bytes") {
        Unit::Bytes
    } else {
        Unit::Count
    }
}

/// The key the script uses for a unit.
pub(crate) fn unit_key(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "s",
        Unit::Bytes => "bytes",
        Unit::Count => "count",
    }
}

/// A human label for a metric key.
pub(crate) fn metric_label(metric: &str) -> String {
    match metric.parse::<Metric>() {
        Ok(m) => m.label().to_string(),
        Err(_) if metric == "total_s" => "total time".to_string(),
        Err(_) if metric == "self_s" => "self time".to_string(),
        Err(_) => metric.replace('_', " "),
    }
}

/// Format a value of the given unit.
pub(crate) fn format(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Seconds => seconds(v),
        Unit::Bytes => bytes(v),
        Unit::Count => count(v),
    }
}

/// Three significant digits, without a trailing `.0` noise for big values.
fn sig3(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Seconds as ns, µs, ms, s or min.
pub(crate) fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return "–".to_string();
    }
    let a = s.abs();
    if a == 0.0 {
        "0 s".to_string()
    } else if a < 1e-6 {
        format!("{} ns", sig3(s * 1e9))
    } else if a < 1e-3 {
        format!("{} µs", sig3(s * 1e6))
    } else if a < 1.0 {
        format!("{} ms", sig3(s * 1e3))
    } else if a < 600.0 {
        format!("{} s", sig3(s))
    } else {
        format!("{} min", sig3(s / 60.0))
    }
}

/// Bytes in binary multiples (KiB, MiB, …).
pub(crate) fn bytes(b: f64) -> String {
    if !b.is_finite() {
        return "–".to_string();
    }
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if b.abs() < 1024.0 {
        return format!("{b:.0} B");
    }
    let mut v = b / 1024.0;
    let mut i = 0;
    while v.abs() >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{} {}", sig3(v), UNITS[i])
}

/// A count: exact when small and whole, else with k/M/G.
pub(crate) fn count(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    if a < 10_000.0 {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            sig3(v)
        }
    } else if a < 1e6 {
        format!("{}k", sig3(v / 1e3))
    } else if a < 1e9 {
        format!("{}M", sig3(v / 1e6))
    } else {
        format!("{}G", sig3(v / 1e9))
    }
}

/// A fraction 0..1 as a percentage.
pub(crate) fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "–".to_string();
    }
    format!("{:.1} %", fraction * 100.0)
}

/// A signed change in percent.
pub(crate) fn change_pct(pct: f64) -> String {
    if !pct.is_finite() {
        return "–".to_string();
    }
    format!("{pct:+.1} %")
}

/// A ratio such as `1.23×`.
pub(crate) fn ratio(r: f64) -> String {
    if !r.is_finite() {
        return "–".to_string();
    }
    format!("{r:.3}×")
}

/// A p-value, with small ones in scientific notation.
pub(crate) fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "–".to_string()
    } else if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

/// A figure of a finding's evidence, formatted by its key's suffix.
pub(crate) fn evidence(key: &str, v: f64) -> String {
    if key.ends_with("_s") {
        seconds(v)
    } else if key.ends_with("_bytes") {
        bytes(v)
    } else if key.ends_with("share") || key.ends_with("_frac") {
        percent(v)
    } else if key.ends_with("_pct") {
        format!("{v:.1} %")
    } else {
        count(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_table() {
        for (v, want) in [
            (0.0, "0 s"),
            (2.5e-7, "250 ns"),
            (4.2e-5, "42.0 µs"),
            (0.1234, "123 ms"),
            (0.00999, "9.99 ms"),
            (1.0, "1.00 s"),
            (12.345, "12.3 s"),
            (725.0, "12.1 min"),
            (f64::NAN, "–"),
            (-0.5, "-500 ms"),
        ] {
            assert_eq!(seconds(v), want, "{v}");
        }
    }

    #[test]
    fn bytes_table() {
        for (v, want) in [
            (0.0, "0 B"),
            (1023.0, "1023 B"),
            (1024.0, "1.00 KiB"),
            (1536.0, "1.50 KiB"),
            (50.0 * 1024.0 * 1024.0, "50.0 MiB"),
            (3.0 * 1024f64.powi(3), "3.00 GiB"),
            (f64::INFINITY, "–"),
        ] {
            assert_eq!(bytes(v), want, "{v}");
        }
    }

    #[test]
    fn count_and_other_table() {
        assert_eq!(count(42.0), "42");
        assert_eq!(count(2.5), "2.50");
        assert_eq!(count(12_345.0), "12.3k");
        assert_eq!(count(4.5e6), "4.50M");
        assert_eq!(percent(0.256), "25.6 %");
        assert_eq!(change_pct(12.34), "+12.3 %");
        assert_eq!(change_pct(-3.0), "-3.0 %");
        assert_eq!(ratio(1.2345), "1.234×");
        assert_eq!(p_value(0.0004), "4.0e-4");
        assert_eq!(p_value(0.04), "0.040");
    }

    #[test]
    fn units_of_metric_keys() {
        assert_eq!(unit_of("wall_s"), Unit::Seconds);
        assert_eq!(unit_of("total_s"), Unit::Seconds);
        assert_eq!(unit_of("max_rss_bytes"), Unit::Bytes);
        assert_eq!(unit_of("voluntary_cs"), Unit::Count);
        assert_eq!(unit_of("cache_hits"), Unit::Count);
        assert_eq!(metric_label("wall_s"), "wall time");
        assert_eq!(metric_label("total_s"), "total time");
        assert_eq!(metric_label("cache_hits"), "cache hits");
        assert_eq!(evidence("share", 0.5), "50.0 %");
        assert_eq!(evidence("wait_s", 0.25), "250 ms");
    }
}
