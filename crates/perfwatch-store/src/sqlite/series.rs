//! History series: per-session values of one metric or stage.

use super::fail::R;
use super::sessions::NEWEST_FIRST;
use crate::{SeriesPoint, SeriesQuery};
use perfwatch_model::Metric;
use rusqlite::{Connection, ToSql};

/// The `iterations` column holding a metric. Metric keys are the column
/// names; the match keeps SQL text out of the caller's hands.
fn column(metric: Metric) -> &'static str {
    match metric {
        Metric::WallS => "wall_s",
        Metric::UserS => "user_s",
        Metric::SysS => "sys_s",
        Metric::MaxRssBytes => "max_rss_bytes",
        Metric::PeakTreeRssBytes => "peak_tree_rss_bytes",
        Metric::ReadBytes => "read_bytes",
        Metric::WriteBytes => "write_bytes",
        Metric::VoluntaryCs => "voluntary_cs",
        Metric::InvoluntaryCs => "involuntary_cs",
    }
}

/// Filters shared by both kinds of series: ?1 benchmark, ?2 variant,
/// ?3 branch, ?4 since; only counted iterations.
const FILTERS: &str = "s.benchmark = ?1
    AND (?2 IS NULL OR i.variant = ?2)
    AND (?3 IS NULL OR s.git_branch = ?3)
    AND (?4 IS NULL OR s.started_at >= ?4)
    AND i.warmup = 0 AND i.timed_out = 0";

/// Runs a series query, oldest session first.
pub fn query(conn: &Connection, q: &SeriesQuery) -> R<Vec<SeriesPoint>> {
    let select = "s.id, s.started_at, s.git_commit, s.git_branch, coalesce(s.git_dirty, 0)";
    let sql = match &q.stage {
        None => {
            let col = column(q.metric);
            format!(
                "SELECT {select}, CAST(i.{col} AS REAL)
                 FROM sessions s JOIN iterations i ON i.session_id = s.id
                 WHERE {FILTERS} AND i.{col} IS NOT NULL
                 ORDER BY {NEWEST_FIRST}, i.idx"
            )
        }
        Some(_) => format!(
            "SELECT {select}, total
             FROM sessions s
             JOIN iterations i ON i.session_id = s.id
             JOIN (SELECT session_id, iteration_idx, sum(duration_s) AS total
                   FROM spans WHERE path = ?5
                   GROUP BY session_id, iteration_idx) t
               ON t.session_id = i.session_id AND t.iteration_idx = i.idx
             WHERE {FILTERS} AND total IS NOT NULL
             ORDER BY {NEWEST_FIRST}, i.idx"
        ),
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut args: Vec<&dyn ToSql> = vec![&q.benchmark, &q.variant, &q.branch, &q.since];
    if let Some(path) = &q.stage {
        args.push(path);
    }
    let mut rows = stmt.query(args.as_slice())?;
    let limit = q.last.unwrap_or(usize::MAX);
    let mut points: Vec<SeriesPoint> = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let value: f64 = row.get(5)?;
        match points.last_mut() {
            Some(p) if p.session_id == id => p.values.push(value),
            _ => {
                if points.len() == limit {
                    break;
                }
                points.push(SeriesPoint {
                    session_id: id,
                    started_at: row.get(1)?,
                    commit: row.get(2)?,
                    branch: row.get(3)?,
                    dirty: row.get(4)?,
                    values: vec![value],
                });
            }
        }
    }
    points.reverse();
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_its_own_column() {
        for m in Metric::ALL {
            assert_eq!(column(m), m.key());
        }
    }
}
