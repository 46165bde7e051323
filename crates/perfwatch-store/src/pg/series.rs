//! History series: per-session values of one metric or stage.

use super::fail::R;
use super::pg_text;
use crate::record::NEWEST_FIRST;
use crate::{SeriesPoint, SeriesQuery};
use postgres::types::ToSql;
use postgres::Transaction;

/// Filters shared by both kinds of series: $1 benchmark, $2 variant,
/// $3 branch, $4 since; only counted iterations.
const FILTERS: &str = "s.benchmark = $1
    AND ($2::text IS NULL OR i.variant = $2)
    AND ($3::text IS NULL OR s.git_branch = $3)
    AND ($4::text IS NULL OR s.started_at >= $4)
    AND NOT i.warmup AND NOT i.timed_out";

/// Runs a series query, oldest session first.
pub fn query(tx: &mut Transaction<'_>, q: &SeriesQuery) -> R<Vec<SeriesPoint>> {
    let select = "s.id, s.started_at, s.git_commit, s.git_branch, coalesce(s.git_dirty, false)";
    let sql = match &q.stage {
        None => {
            // Metric keys are the `iterations` columns; they come from a
            // closed enum, never from the caller's text.
            let col = q.metric.key();
            format!(
                "SELECT {select}, CAST(i.{col} AS double precision)
                 FROM sessions s JOIN iterations i ON i.session_id = s.id
                 WHERE {FILTERS} AND i.{col} IS NOT NULL
                 ORDER BY {NEWEST_FIRST}, i.idx"
            )
        }
        Some(_) => format!(
            "SELECT {select}, t.total
             FROM sessions s
             JOIN iterations i ON i.session_id = s.id
             JOIN (SELECT session_id, iteration_idx, sum(duration_s) AS total
                   FROM spans
                   WHERE stage = (SELECT id FROM stage_paths WHERE path = $5)
                   GROUP BY session_id, iteration_idx) t
               ON t.session_id = i.session_id AND t.iteration_idx = i.idx
             WHERE {FILTERS} AND t.total IS NOT NULL
             ORDER BY {NEWEST_FIRST}, i.idx"
        ),
    };
    let benchmark = pg_text(&q.benchmark);
    let variant = q.variant.as_deref().map(pg_text);
    let branch = q.branch.as_deref().map(pg_text);
    let stage = q.stage.as_deref().map(pg_text);
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&benchmark, &variant, &branch, &q.since];
    if let Some(path) = &stage {
        args.push(path);
    }
    let rows = tx.query(&sql, &args)?;
    let limit = q.last.unwrap_or(usize::MAX);
    let mut points: Vec<SeriesPoint> = Vec::new();
    for row in &rows {
        let id: String = row.try_get(0)?;
        let value: f64 = row.try_get(5)?;
        match points.last_mut() {
            Some(p) if p.session_id == id => p.values.push(value),
            _ => {
                if points.len() == limit {
                    break;
                }
                points.push(SeriesPoint {
                    session_id: id,
                    started_at: row.try_get(1)?,
                    commit: row.try_get(2)?,
                    branch: row.try_get(3)?,
                    dirty: row.try_get(4)?,
                    values: vec![value],
                });
            }
        }
    }
    points.reverse();
    Ok(points)
}
