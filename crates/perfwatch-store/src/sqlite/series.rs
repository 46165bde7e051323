//! History series: per-session values of one metric or stage.

use super::fail::R;
use crate::record::{SeriesPoints, NEWEST_FIRST};
use crate::{SeriesPoint, SeriesQuery};
use rusqlite::{Connection, ToSql};

/// The iterations that count: ?2 variant; not warm-ups, not timed out.
const COUNTED: &str = "(?2 IS NULL OR i.variant = ?2) AND i.warmup = 0 AND i.timed_out = 0";

/// The sessions of the series, newest first: ?1 benchmark, ?3 branch,
/// ?4 since, and at most ?5 (`last`) of those with a value (`has_value`,
/// an `EXISTS` over their iterations). Choosing them first keeps a
/// "last 100" query at 100 sessions' rows whatever the history's length.
fn sessions(has_value: &str) -> String {
    format!(
        "(SELECT * FROM sessions s
          WHERE s.benchmark = ?1
            AND (?3 IS NULL OR s.git_branch = ?3)
            AND (?4 IS NULL OR s.started_at >= ?4)
            AND {has_value}
          ORDER BY {NEWEST_FIRST} LIMIT ?5) s"
    )
}

/// Runs a series query, oldest session first.
pub fn query(conn: &Connection, q: &SeriesQuery) -> R<Vec<SeriesPoint>> {
    let select = "s.id, s.started_at, s.git_commit, s.git_branch, coalesce(s.git_dirty, 0), \
                  s.program_version";
    let sql = match (&q.app_metric, &q.stage) {
        (Some(_), _) => {
            // The gauge of that name, else the counter (a key, never a
            // JSON path: names are the program's text).
            let value = "coalesce(
                (SELECT g.value FROM json_each(i.gauges) g WHERE g.key = ?6 AND g.type IN ('integer', 'real')),
                (SELECT c.value FROM json_each(i.counters) c WHERE c.key = ?6 AND c.type IN ('integer', 'real')))";
            let has_value = format!(
                "EXISTS (SELECT 1 FROM iterations i
                         WHERE i.session_id = s.id AND {COUNTED} AND {value} IS NOT NULL)"
            );
            format!(
                "SELECT {select}, CAST({value} AS REAL) AS v
                 FROM {sessions} JOIN iterations i ON i.session_id = s.id
                 WHERE {COUNTED} AND v IS NOT NULL
                 ORDER BY {NEWEST_FIRST}, i.idx",
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
            format!(
                "SELECT {select}, CAST(i.{col} AS REAL)
                 FROM {sessions} JOIN iterations i ON i.session_id = s.id
                 WHERE {COUNTED} AND i.{col} IS NOT NULL
                 ORDER BY {NEWEST_FIRST}, i.idx",
                sessions = sessions(&has_value)
            )
        }
        (None, Some(_)) => {
            // A stage's time in an iteration is its entry in the
            // iteration's `stage_times` (stage id → seconds), read by a
            // JSON path made once.
            let value = "(p.stage_times ->> (SELECT '$.\"' || id || '\"' FROM stage_paths
                                             WHERE path = ?6))";
            let spans = "JOIN iteration_spans p
                             ON p.session_id = i.session_id AND p.iteration_idx = i.idx";
            let has_value = format!(
                "EXISTS (SELECT 1 FROM iterations i {spans}
                         WHERE i.session_id = s.id AND {COUNTED} AND {value} IS NOT NULL)"
            );
            format!(
                "SELECT {select}, CAST({value} AS REAL) AS v
                 FROM {sessions}
                 JOIN iterations i ON i.session_id = s.id
                 {spans}
                 WHERE {COUNTED} AND v IS NOT NULL
                 ORDER BY {NEWEST_FIRST}, i.idx",
                sessions = sessions(&has_value)
            )
        }
    };
    let mut stmt = conn.prepare(&sql)?;
    let last = q.last.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let mut args: Vec<&dyn ToSql> = vec![&q.benchmark, &q.variant, &q.branch, &q.since, &last];
    if let Some(key) = q.app_metric.as_ref().or(q.stage.as_ref()) {
        args.push(key);
    }
    let mut rows = stmt.query(args.as_slice())?;
    let mut points = SeriesPoints::new(q.last);
    while let Some(row) = rows.next()? {
        let head = || {
            Ok::<_, rusqlite::Error>((
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        };
        if !points.add(row.get(0)?, row.get(6)?, head)? {
            break;
        }
    }
    Ok(points.finish())
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
