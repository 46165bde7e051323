//! History series: per-session values of one metric or stage.

use super::fail::R;
use crate::record::NEWEST_FIRST;
use crate::{SeriesPoint, SeriesQuery};
use rusqlite::{Connection, ToSql};

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
            // Metric keys are the `iterations` columns; they come from a
            // closed enum, never from the caller's text.
            let col = q.metric.key();
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
                   FROM spans
                   WHERE stage = (SELECT id FROM stage_paths WHERE path = ?5)
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
    use perfwatch_model::Metric;

    #[test]
    fn every_metric_key_is_an_iterations_column() {
        let conn = super::super::open::open_memory().unwrap();
        for m in Metric::ALL {
            let q = SeriesQuery {
                metric: m,
                ..SeriesQuery::new("b")
            };
            assert!(query(&conn, &q).unwrap().is_empty(), "{}", m.key());
        }
    }
}
