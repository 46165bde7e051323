//! The list of stored sessions (`perfwatch sessions`).

use super::options::{Palette, TerminalOptions};
use super::table::{new_table, write_table};
use crate::format::{printable, short_id, SHORT_COMMIT};
use crate::units::{format_duration, NA};
use perfwatch_model::SessionStatus;
use std::io::{self, Write};

/// One line of the session list: what the store knows about a session
/// without loading its iterations.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionListRow {
    /// Session id (full; shortened for display).
    pub id: String,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// Benchmark name.
    pub benchmark: String,
    /// Variant names, in plan order.
    pub variants: Vec<String>,
    /// Iterations stored, warm-ups included.
    pub iterations: usize,
    /// How the session ended.
    pub status: SessionStatus,
    /// Full git commit hash, when known.
    pub commit: Option<String>,
    /// Git branch, when known.
    pub branch: Option<String>,
    /// Median wall time of the first variant, in seconds, when computed.
    pub wall_median: Option<f64>,
}

/// Renders the session list as a table, one row per session in the order
/// given. With no rows, says so.
pub fn render_sessions(
    rows: &[SessionListRow],
    options: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no sessions stored");
    }
    let palette = Palette::new(options);
    let header = [
        "id",
        "started (UTC)",
        "benchmark",
        "variants",
        "iterations",
        "status",
        "commit",
        "branch",
        "wall median",
    ];
    let mut table = new_table(&palette, &header, &[4, 8]);
    for row in rows {
        let status_style = match row.status {
            SessionStatus::Complete => palette.good(),
            SessionStatus::Failed | SessionStatus::Abandoned => palette.bad(),
            SessionStatus::Interrupted => palette.warning(),
            SessionStatus::Running => palette.dim(),
        };
        table.add_row(vec![
            printable(perfwatch_model::short_id(&row.id)).into_owned(),
            printable(&display_time(&row.started_at)).into_owned(),
            printable(&row.benchmark).into_owned(),
            printable(&row.variants.join(", ")).into_owned(),
            row.iterations.to_string(),
            palette.paint(status_style, row.status.key()),
            row.commit
                .as_deref()
                .map_or_else(String::new, |c| short_id(c, SHORT_COMMIT).to_string()),
            printable(row.branch.as_deref().unwrap_or("")).into_owned(),
            row.wall_median
                .map_or_else(|| NA.to_string(), format_duration),
        ]);
    }
    write_table(&table, "", out)
}

/// `2025-01-02T03:04:05.123Z` → `2025-01-02 03:04:05`; any other shape is
/// shown as stored.
fn display_time(rfc3339: &str) -> String {
    let bytes = rfc3339.as_bytes();
    if rfc3339.ends_with('Z')
        && bytes.len() >= 19
        && bytes[10] == b'T'
        && rfc3339.is_char_boundary(19)
    {
        format!("{} {}", &rfc3339[..10], &rfc3339[11..19])
    } else {
        rfc3339.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_shorten_only_when_utc() {
        let cases = [
            ("2025-01-02T03:04:05Z", "2025-01-02 03:04:05"),
            ("2025-01-02T03:04:05.123456Z", "2025-01-02 03:04:05"),
            ("2025-01-02T03:04:05+02:00", "2025-01-02T03:04:05+02:00"),
            ("yesterday", "yesterday"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(display_time(input), want);
        }
    }
}
