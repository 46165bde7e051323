//! Numbers in titles and details: seconds, bytes and shares as people
//! write them.

/// Seconds: `850 µs`, `4.2 ms`, `200 ms`, `1.24 s`, `95.3 s`.
pub(crate) fn secs(s: f64) -> String {
    let a = s.abs();
    if !s.is_finite() {
        format!("{s} s")
    } else if a < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if a < 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else if a < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if a < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// How every finding states its saving per run (`impact_s`) in its text:
/// `save about 300 ms per run`. One phrase, so that a reader — and the
/// tests — find the figure the finding is ranked and scored by.
pub(crate) fn saves(impact_s: f64) -> String {
    format!("save about {} per run", secs(impact_s))
}

/// Bytes in binary units: `512 B`, `3.0 KiB`, `65.0 MiB`, `1.50 GiB`.
pub(crate) fn bytes(b: f64) -> String {
    let a = b.abs();
    if a < 1024.0 {
        format!("{b:.0} B")
    } else if a < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else if a < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
    }
}

/// A fraction as a percentage: `0.394` → `39 %`, `0.042` → `4.2 %`.
pub(crate) fn pct(f: f64) -> String {
    let p = f * 100.0;
    if p.abs() < 10.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// A plain figure with three significant digits at most (whole from 100
/// on), no unit, as the reports print counts: `0.8125` → `0.813`,
/// `12345.6` → `12346`, `3` → `3`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    let decimals = if a == 0.0 || a >= 100.0 {
        0
    } else {
        (2 - a.log10().floor() as i32).clamp(0, 9) as usize
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_keep_three_significant_digits() {
        assert_eq!(number(0.8126), "0.813");
        assert_eq!(number(0.6), "0.6");
        assert_eq!(number(12_345.6), "12346");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(42.26), "42.3");
        assert_eq!(number(0.000_123_6), "0.000124");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn table() {
        assert_eq!(secs(0.00085), "850 µs");
        assert_eq!(secs(0.0042), "4.2 ms");
        assert_eq!(secs(0.2003), "200 ms");
        assert_eq!(secs(1.2355), "1.24 s");
        assert_eq!(secs(95.31), "95.3 s");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(65.0 * 1024.0 * 1024.0), "65.0 MiB");
        assert_eq!(bytes(1.5 * 1024.0 * 1024.0 * 1024.0), "1.50 GiB");
        assert_eq!(pct(0.394), "39 %");
        assert_eq!(pct(0.042), "4.2 %");
    }
}
