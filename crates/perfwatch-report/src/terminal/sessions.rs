//! The list of stored sessions (`perfwatch sessions`).

use super::options::{Palette, TerminalOptions};
use super::table::{fit_columns, write_table, Column, Give};
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
    /// The program's version the session measured (monitored pipelines).
    pub version: Option<String>,
    /// Median wall time of the first variant, in seconds, when computed.
    pub wall_median: Option<f64>,
    /// A service benchmark's p99 latency under load (its first variant's
    /// requests together), shown instead of the wall time.
    pub latency_p99_s: Option<f64>,
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
    // Long benchmark and variant names (several commands) give way first,
    // then the variants, branch, commit and status columns are left out,
    // in that order, and the version last.
    let mut columns = vec![
        Column::new("id", false),
        Column::new("started (UTC)", false),
        Column::new("benchmark", false).give(Give::Middle),
        Column::new("variants", false).give(Give::Middle).drop(300),
        // Warm-ups included, as `report` counts runs.
        Column::new("runs", true),
        // Left out just before the version: a monitored pipeline's
        // session is always `running`.
        Column::new("status", false).drop(60),
        // A monitored pipeline's version says what the session is: left
        // out last, and only once names are as short as they get.
        Column::new("version", false)
            .give(Give::Middle)
            .drop(50)
            .names_first(),
        Column::new("commit", false).drop(100),
        Column::new("branch", false).give(Give::Middle).drop(200),
        // A service's figure is its p99 latency (as its report's
        // summary); its wall time only says how long the load ran.
        Column::new(
            if rows.iter().any(|r| r.latency_p99_s.is_some()) {
                "wall median / p99"
            } else {
                "wall median"
            },
            true,
        ),
    ];
    let mut cells = Vec::with_capacity(rows.len());
    for row in rows {
        let status_style = match row.status {
            SessionStatus::Complete => palette.good(),
            SessionStatus::Failed | SessionStatus::Abandoned => palette.bad(),
            SessionStatus::Interrupted => palette.warning(),
            SessionStatus::Running => palette.dim(),
        };
        cells.push(vec![
            printable(perfwatch_model::short_id(&row.id)).into_owned(),
            printable(&display_time(&row.started_at)).into_owned(),
            printable(&row.benchmark).into_owned(),
            printable(&row.variants.join(", ")).into_owned(),
            row.iterations.to_string(),
            palette.paint(status_style, row.status.key()),
            printable(row.version.as_deref().unwrap_or("")).into_owned(),
            row.commit
                .as_deref()
                .map_or_else(String::new, |c| short_id(c, SHORT_COMMIT).to_string()),
            printable(row.branch.as_deref().unwrap_or("")).into_owned(),
            match row.latency_p99_s {
                Some(p99) => format!("p99 {}", format_duration(p99)),
                None => row
                    .wall_median
                    .map_or_else(|| NA.to_string(), format_duration),
            },
        ]);
    }
    // A column with nothing in it (no session in a git work tree: no
    // commit, no branch) gives its room to the others.
    for i in (0..columns.len()).rev() {
        if columns[i].drop > 0 && cells.iter().all(|row| row[i].is_empty()) {
            columns.remove(i);
            for row in &mut cells {
                row.remove(i);
            }
        }
    }
    let fitted = fit_columns(&palette, &columns, &cells, 0, options.columns());
    write_table(&fitted.table, "", out)
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
    fn a_list_of_long_command_names_fits_the_width() {
        let long = "gzip -9 -c /var/lib/some/rather/long/path/to/an/input/file.tar";
        let row = SessionListRow {
            id: "0123456789abcdef".into(),
            started_at: "2025-01-02T03:04:05Z".into(),
            benchmark: format!("{long} vs {long}"),
            variants: vec![long.into(), format!("{long} 2")],
            iterations: 20,
            status: SessionStatus::Complete,
            commit: Some("a1b2c3d4e5".into()),
            branch: Some("main".into()),
            version: None,
            wall_median: Some(0.01),
            latency_p99_s: None,
        };
        for width in [80, 100] {
            let options = TerminalOptions {
                width,
                ..TerminalOptions::default()
            };
            let mut out = Vec::new();
            render_sessions(std::slice::from_ref(&row), &options, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(
                    console::measure_text_width(line) <= width,
                    "{width}:\n{text}"
                );
            }
            if width == 100 {
                assert!(text.contains("a1b2c3d"), "the commit stays:\n{text}");
            }
        }
    }

    #[test]
    fn a_monitored_sessions_version_stays_at_80_columns() {
        let row = SessionListRow {
            id: "0a074b171abc4c900af3ea8eba5bc2fa".into(),
            started_at: "2026-12-06T21:32:19.542Z".into(),
            benchmark: "shorts/video_pipeline_with_a_long_name".into(),
            // A day of a busy pipeline.
            variants: vec!["runs".into()],
            iterations: 123_456,
            status: SessionStatus::Running,
            commit: None,
            branch: None,
            version: Some("1.4.2-rc.1".into()),
            wall_median: Some(12.5),
            latency_p99_s: None,
        };
        let options = TerminalOptions {
            width: 80,
            ..TerminalOptions::default()
        };
        let mut out = Vec::new();
        render_sessions(&[row], &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("1.4.2-rc.1"), "{text}");
        assert!(
            text.lines().all(|l| console::measure_text_width(l) <= 80),
            "{text}"
        );
    }

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
