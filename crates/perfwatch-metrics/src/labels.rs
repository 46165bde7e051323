//! Label values as Prometheus gets them: bounded in length, free of
//! control characters, and never two different names made into one.
//!
//! The text encoder of `prometheus-client` escapes `\`, `"` and newlines;
//! what it cannot do is keep a 10 kB stage name from bloating every scrape
//! and Prometheus's index, so values are cut here, once, when figures are
//! built — never during a scrape.

/// Longest label value published, in bytes. A longer value keeps its
/// first bytes (on a character boundary) and ends in `…` and 8 hex digits
/// of a hash of the whole value, so that two long names that share their
/// beginning stay two series.
pub const MAX_LABEL_VALUE_BYTES: usize = 256;

/// `…` plus 8 hex digits.
const SUFFIX_BYTES: usize = '…'.len_utf8() + 8;

/// `value` fit for a label: control characters (other than the newline,
/// which the encoder escapes) replaced by U+FFFD, and at most
/// [`MAX_LABEL_VALUE_BYTES`] long.
pub fn label_value(value: &str) -> String {
    let clean = |c: char| {
        if c.is_control() && c != '\n' {
            char::REPLACEMENT_CHARACTER
        } else {
            c
        }
    };
    if value.len() <= MAX_LABEL_VALUE_BYTES {
        return value.chars().map(clean).collect();
    }
    let mut kept = String::with_capacity(MAX_LABEL_VALUE_BYTES);
    for c in value.chars().map(clean) {
        if kept.len() + c.len_utf8() > MAX_LABEL_VALUE_BYTES - SUFFIX_BYTES {
            break;
        }
        kept.push(c);
    }
    kept.push('…');
    kept.push_str(&format!("{:08x}", fnv1a(value.as_bytes())));
    kept
}

/// The HTTP method as a label: one of the standard methods, else `other`
/// (a client may send any token as a method; each must not become a
/// series).
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or("other")
}

/// 32-bit FNV-1a: a stable hash (the same in every process and release,
/// unlike `std`'s) for the suffix of cut values.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_keep_every_printable_character() {
        for v in [
            "",
            "wall_s",
            "load/parse",
            "naïve \"quoted\" \\ path",
            "日本語\nnext",
        ] {
            assert_eq!(label_value(v), v);
        }
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(label_value("a\rb\0c\td"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary_and_stay_distinct() {
        let a = "é".repeat(5_000) + "a";
        let b = "é".repeat(5_000) + "b";
        let (la, lb) = (label_value(&a), label_value(&b));
        for l in [&la, &lb] {
            assert!(l.len() <= MAX_LABEL_VALUE_BYTES, "{}", l.len());
            assert!(l.starts_with("éé") && l.contains('…'));
        }
        assert_ne!(la, lb);
        assert_eq!(label_value(&a), la, "the same value is cut the same way");
    }

    #[test]
    fn a_value_of_exactly_the_limit_is_kept_whole() {
        let v = "x".repeat(MAX_LABEL_VALUE_BYTES);
        assert_eq!(label_value(&v), v);
        assert_ne!(label_value(&(v.clone() + "y")), v);
    }

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label("get"), "GET");
        assert_eq!(method_label("POST"), "POST");
        assert_eq!(method_label("BREW"), "other");
        assert_eq!(method_label(&"X".repeat(10_000)), "other");
    }
}
