//! Session ids: 128 random bits as 32 lowercase hex digits.
//!
//! Ids are random rather than time-ordered so that their first few digits
//! already tell sessions apart on the command line (`perfwatch show 3f9a`).

use crate::{Result, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The shortest prefix that [`Store::resolve_session`](crate::Store::resolve_session) accepts.
pub const MIN_PREFIX_LEN: usize = 4;

/// The longest session id accepted.
pub const MAX_ID_LEN: usize = 64;

/// A fresh session id: 128 bits from the operating system's random source,
/// mixed with the clock, the process id and a counter so that ids stay
/// distinct even if that source were unavailable.
///
/// ```
/// let id = perfwatch_store::new_session_id();
/// assert_eq!(id.len(), 32);
/// assert!(perfwatch_store::is_valid_session_id(&id));
/// ```
pub fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    // A failure leaves zeros; the mix below still makes the id unique.
    let _ = getrandom::fill(&mut bytes);
    let random = u128::from_le_bytes(bytes);
    format!("{:032x}", random ^ fallback_bits())
}

/// Whether `id` is a well-formed session id: 4 to 64 lowercase hex digits.
pub fn is_valid_session_id(id: &str) -> bool {
    (MIN_PREFIX_LEN..=MAX_ID_LEN).contains(&id.len()) && is_lower_hex(id)
}

/// Checks a session id given to the store.
pub(crate) fn check_session_id(id: &str) -> Result<()> {
    if is_valid_session_id(id) {
        Ok(())
    } else {
        Err(StoreError::InvalidSessionId { id: id.to_string() })
    }
}

/// Refuses a token name that is empty, longer than 64 characters or has
/// control characters (names are printed in lists and logs).
pub(crate) fn check_token_name(name: &str) -> Result<()> {
    let len = name.chars().count();
    if len == 0 || len > 64 || name.trim() != name || name.chars().any(char::is_control) {
        return Err(StoreError::InvalidTokenName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Whether every character is a lowercase hex digit.
pub(crate) fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// 128 bits derived from the time, the process id and a counter.
fn fallback_bits() -> u128 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = u64::from(std::process::id());
    let high = splitmix64((nanos as u64) ^ (pid << 32) ^ count);
    let low = splitmix64(((nanos >> 64) as u64) ^ high ^ count.rotate_left(17));
    (u128::from(high) << 64) | u128::from(low)
}

/// The SplitMix64 finaliser (Steele, Lea & Flood 2014): spreads every input
/// bit over the whole output.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_32_lowercase_hex_digits_and_distinct() {
        let ids: HashSet<String> = (0..1000).map(|_| new_session_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 32 && is_valid_session_id(id)));
    }

    #[test]
    fn fallback_bits_differ_between_calls() {
        assert_ne!(fallback_bits(), fallback_bits());
    }

    #[test]
    fn validity_table() {
        let cases = [
            ("abcd", true),
            ("0123456789abcdef0123456789abcdef", true),
            ("abc", false),
            ("ABCD", false),
            ("abcg", false),
            ("ab-cd", false),
            ("", false),
            (&"a".repeat(65), false),
            (&"a".repeat(64), true),
        ];
        for (id, valid) in cases {
            assert_eq!(is_valid_session_id(id), valid, "{id}");
        }
    }
}
