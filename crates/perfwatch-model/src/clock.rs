//! Timestamps as perfwatch writes them: RFC 3339, UTC, milliseconds.

use time::OffsetDateTime;

/// `at` as RFC 3339 UTC with milliseconds (`2026-12-05T07:55:22.107Z`).
pub fn rfc3339(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Now, as [`rfc3339`].
pub fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_milliseconds() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_733_385_322_107_654_321).unwrap();
        assert_eq!(rfc3339(at), "2024-12-05T07:55:22.107Z");
        let east = at.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(rfc3339(east), "2024-12-05T07:55:22.107Z");
    }
}
