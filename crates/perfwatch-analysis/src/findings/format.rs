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

#[cfg(test)]
mod tests {
    use super::*;

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
