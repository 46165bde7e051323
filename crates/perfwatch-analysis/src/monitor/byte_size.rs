//! Byte sizes written for people: `2 GiB`, `512MiB`, `1.5 GiB`, `1048576`.

use serde::de::{Unexpected, Visitor};
use serde::Deserializer;
use std::fmt;

/// The units a size may carry, with their factors (binary and decimal).
const UNITS: [(&str, f64); 9] = [
    ("B", 1.0),
    ("KiB", 1024.0),
    ("MiB", 1024.0 * 1024.0),
    ("GiB", 1024.0 * 1024.0 * 1024.0),
    ("TiB", 1024.0 * 1024.0 * 1024.0 * 1024.0),
    ("kB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
];

/// Parses a size: a non-negative number, optionally followed (with or
/// without a space) by one of `B`, `KiB`, `MiB`, `GiB`, `TiB`, `kB`, `MB`,
/// `GB`, `TB`. Fractions are rounded to the nearest byte.
///
/// ```
/// use perfwatch_analysis::monitor::parse_byte_size;
/// assert_eq!(parse_byte_size("2 GiB"), Ok(2 << 30));
/// assert_eq!(parse_byte_size("1.5KiB"), Ok(1536));
/// assert!(parse_byte_size("2 GB/s").is_err());
/// ```
pub fn parse_byte_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 1048576, 512 MiB, 2 GiB)"))?;
    let factor = if unit.is_empty() {
        1.0
    } else {
        UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|&(_, factor)| factor)
            .ok_or_else(|| {
                format!("unknown unit `{unit}` in `{text}` (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)")
            })?
    };
    let bytes = (value * factor).round();
    if bytes.is_finite() && bytes < u64::MAX as f64 {
        Ok(bytes as u64)
    } else {
        Err(format!("`{text}` is too large a size"))
    }
}

/// Deserialises an optional size given as a number of bytes or as a
/// string for [`parse_byte_size`].
pub(crate) fn optional_byte_size<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_any(SizeVisitor).map(Some)
}

struct SizeVisitor;

impl Visitor<'_> for SizeVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a size in bytes, or a string such as \"2 GiB\"")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u64, E> {
        parse_byte_size(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_and_without_units() {
        let cases = [
            ("0", 0),
            ("1048576", 1 << 20),
            ("2 GiB", 2 << 30),
            ("2GiB", 2 << 30),
            (" 512 MiB ", 512 << 20),
            ("1.5 KiB", 1536),
            ("3 B", 3),
            ("2 GB", 2_000_000_000),
            ("1 kB", 1000),
        ];
        for (text, want) in cases {
            assert_eq!(parse_byte_size(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn bad_sizes_say_why() {
        assert!(parse_byte_size("GiB").unwrap_err().contains("not a size"));
        assert!(parse_byte_size("-1 GiB")
            .unwrap_err()
            .contains("not a size"));
        assert!(parse_byte_size("2 gib")
            .unwrap_err()
            .contains("unknown unit `gib`"));
        assert!(parse_byte_size("99999999999 TiB")
            .unwrap_err()
            .contains("too large"));
    }
}
