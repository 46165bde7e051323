//! History series: per-session values of one metric or stage.

use super::fail::R;
use super::pg_text;
use crate::record::{SeriesPoints, NEWEST_FIRST};
use crate::{SeriesPoint, SeriesQuery};
use postgres::types::ToSql;
use postgres::Transaction;

/// The iterations that count: $2 variant; not warm-ups, not timed out.
const COUNTED: &str = "($2::text IS NULL OR i.variant = $2) AND NOT i.warmup AND NOT i.timed_out";

/// The sessions of the series, newest first: $1 benchmark, $3 branch,
/// $4 since, and at most $5 (`last`) of those with a value (`has_value`,
/// an `EXISTS` over their iterations). Choosing them first keeps a
/// "last 100" query at 100 sessions' rows whatever the history's length.
fn sessions(has_value: &str) -> String {
    format!(
        "(SELECT * FROM sessions s
          WHERE s.benchmark = $1
            AND ($3::text IS NULL OR s.git_branch = $3)
            AND ($4::text IS NULL OR s.started_at >= $4)
            AND {has_value}
          ORDER BY {NEWEST_FIRST} LIMIT $5) s"
    )
}

/// Runs a series query, oldest session first.
pub fn query(tx: &mut Transaction<'_>, q: &SeriesQuery) -> R<Vec<SeriesPoint>> {
    let select = "s.id, s.started_at, s.git_commit, s.git_branch, coalesce(s.git_dirty, false), \
                  s.program_version";
    let sql = match (&q.app_metric, &q.stage) {
        (Some(_), _) => {
            // The gauge of that name, else the counter (`->>` with a text
            // operand is a key, never a path: names are the program's
            // text); a value that is not a number gives none.
            let number = |col: &str| {
                format!(
                    "(CASE WHEN jsonb_typeof(i.{col}::jsonb -> $6) = 'number'
                      THEN (i.{col}::jsonb ->> $6)::double precision END)"
                )
            };
            let value = format!("coalesce({}, {})", number("gauges"), number("counters"));
            let has_value = format!(
                "EXISTS (SELECT 1 FROM iterations i
                         WHERE i.session_id = s.id AND {COUNTED} AND {value} IS NOT NULL)"
            );
            format!(
                "SELECT {select}, v.value
                 FROM {sessions}
                 CROSS JOIN LATERAL (
                     SELECT i.idx, {value} AS value
                     FROM iterations i
                     WHERE i.session_id = s.id AND {COUNTED} AND {value} IS NOT NULL
                     OFFSET 0) v
                 ORDER BY {NEWEST_FIRST}, v.idx",
                sessions = sessions(&has_value)
            )
        }
        (None, None) => {
            // Metric keys are the `iterations` columns; they come from a
            // closed enum, never from the caller's text.
            let col = q.metric.key();
            let has_value = format!(
                "EXISTS (SELECT 1 FROM iterations i
                         WHERE i.session_id = s.id AND {COUNTED} AND i.{col} IS NOT NULL)"
            );
            // LATERAL: each chosen session's iterations by index (a
            // plain join was planned as a scan of every iteration: 10 ms
            // at 1,000 sessions, growing with the history); `OFFSET 0`
            // keeps the planner from flattening it back into that join.
            format!(
                "SELECT {select}, v.value
                 FROM {sessions}
                 CROSS JOIN LATERAL (
                     SELECT i.idx, CAST(i.{col} AS double precision) AS value
                     FROM iterations i
                     WHERE i.session_id = s.id AND {COUNTED} AND i.{col} IS NOT NULL
                     OFFSET 0) v
                 ORDER BY {NEWEST_FIRST}, v.idx",
                sessions = sessions(&has_value)
            )
        }
        (None, Some(_)) => {
            let stage = "(SELECT id FROM stage_paths WHERE path = $6)";
            let has_value = format!(
                "EXISTS (SELECT 1 FROM spans t
                         JOIN iterations i ON i.session_id = t.session_id AND i.idx = t.iteration_idx
                         WHERE t.stage = {stage} AND t.session_id = s.id
                           AND t.duration_s IS NOT NULL AND {COUNTED})"
            );
            format!(
                "SELECT {select}, v.value
                 FROM {sessions}
                 CROSS JOIN LATERAL (
                     SELECT i.idx, sum(t.duration_s) AS value
                     FROM iterations i
                     JOIN spans t ON t.session_id = i.session_id AND t.iteration_idx = i.idx
                     WHERE i.session_id = s.id AND t.stage = {stage} AND {COUNTED}
                     GROUP BY i.idx
                     HAVING sum(t.duration_s) IS NOT NULL) v
                 ORDER BY {NEWEST_FIRST}, v.idx",
                sessions = sessions(&has_value)
            )
        }
    };
    let benchmark = pg_text(&q.benchmark);
    let variant = q.variant.as_deref().map(pg_text);
    let branch = q.branch.as_deref().map(pg_text);
    let stage = q.app_metric.as_deref().or(q.stage.as_deref()).map(pg_text);
    let last: Option<i64> = q.last.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&benchmark, &variant, &branch, &q.since, &last];
    if let Some(path) = &stage {
        args.push(path);
    }
    let rows = tx.query(&sql, &args)?;
    let mut points = SeriesPoints::new(q.last);
    for row in &rows {
        let head = || {
            Ok::<_, postgres::Error>((
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
                row.try_get(5)?,
            ))
        };
        if !points.add(row.try_get(0)?, row.try_get(6)?, head)? {
            break;
        }
    }
    Ok(points.finish())
}
