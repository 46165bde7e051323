//! What an imported session says about itself: id, time, host, version.
//!
//! Neither hyperfine's JSON export nor criterion's files record a host, a
//! git commit or (in hyperfine's case) a start time, so these are filled
//! with what the importing machine knows, and no more.

use perfwatch_model::{HostInfo, ImportOrigin, Session, SessionStatus};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;

/// A fresh session id: 32 lowercase hex digits.
///
/// 128 bits from the operating system's random source; should that source
/// fail, the clock, the process id and a counter keep ids distinct.
pub(crate) fn new_session_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => u128::from_le_bytes(bytes),
        Err(_) => {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let count = COUNTER.fetch_add(1, Ordering::Relaxed);
            nanos ^ (u128::from(std::process::id()) << 64) ^ (u128::from(count) << 96)
        }
    };
    format!("{random:032x}")
}

pub(crate) use perfwatch_model::clock::{now_rfc3339, rfc3339};

/// When `path` was last written, RFC 3339 UTC; the current time when the
/// file system does not say. For an exported result this is when the tool
/// finished writing it, the closest recorded time to when it ran.
pub(crate) fn modified_rfc3339(path: &Path) -> String {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| rfc3339(OffsetDateTime::from(t)))
        .unwrap_or_else(|_| now_rfc3339())
}

/// SHA-256 of `bytes`, 64 lowercase hex digits.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a session came from: the tool, the file as named, the SHA-256 of
/// the bytes read.
pub(crate) fn origin(tool: crate::Source, file: &str, bytes: &[u8]) -> ImportOrigin {
    ImportOrigin {
        tool: tool.name().to_string(),
        file: file.to_string(),
        sha256: sha256_hex(bytes),
    }
}

/// The session skeleton shared by every importer: complete, no git, a host
/// that only names the operating system of the importing machine.
pub(crate) fn imported_session(
    benchmark: String,
    command: perfwatch_model::CommandSpec,
    variants: Vec<perfwatch_model::VariantSpec>,
    started_at: String,
) -> Session {
    Session {
        id: new_session_id(),
        started_at,
        finished_at: None,
        benchmark,
        command,
        variants,
        git: None,
        host: HostInfo {
            os: std::env::consts::OS.to_string(),
            ..HostInfo::default()
        },
        perfwatch_version: env!("CARGO_PKG_VERSION").to_string(),
        status: SessionStatus::Complete,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_lowercase_hex_digits_and_distinct() {
        let a = new_session_id();
        let b = new_session_id();
        assert_eq!(a.len(), 32);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn sha256_is_lowercase_hex_of_the_bytes() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.123Z");
        let shifted = t.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(rfc3339(shifted), "2023-11-14T22:13:20.123Z");
    }
}
