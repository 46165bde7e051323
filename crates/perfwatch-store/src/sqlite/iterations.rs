//! Iteration rows: figures as columns (NULL when not measured), the rest as
//! JSON.

use super::fail::{Fail, R};
use super::sessions;
use super::spans::{self, StageIds};
use crate::record::{from_json, IterationRecord, ITERATION_COLUMNS, SERVICE_FIGURE_COLUMNS};
use crate::StoreError;
use perfwatch_model::{Iteration, ServiceRun};
use rusqlite::{ffi, params, Connection};
use std::sync::LazyLock;

/// Inserts one iteration and its spans (see [`spans`]). Call inside one
/// transaction, and [`sessions::iterations_added`] once per session
/// before it commits.
///
/// The schema's keys do the checking (this runs between two measured
/// iterations, so it makes no extra queries): the foreign key rejects an
/// unknown session, the primary key an index already taken.
pub fn insert(conn: &Connection, stages: &mut StageIds, session_id: &str, it: &Iteration) -> R<()> {
    // Made once: a monitored run is one insert, hundreds a second.
    static INSERT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO iterations (session_id, {ITERATION_COLUMNS}, peak_gpu_memory_bytes,
                 {SERVICE_FIGURE_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)"
        )
    });
    let r = IterationRecord::encode(it).map_err(Fail::Corrupt)?;
    let inserted = conn.prepare_cached(&INSERT)?.execute(params![
        session_id,
        r.idx,
        r.variant,
        r.warmup,
        r.exit_code,
        r.signal,
        r.timed_out,
        r.wall_s,
        r.user_s,
        r.sys_s,
        r.max_rss_bytes,
        r.peak_tree_rss_bytes,
        r.read_bytes,
        r.write_bytes,
        r.voluntary_cs,
        r.involuntary_cs,
        r.timeline,
        r.counters,
        r.gauges,
        r.dropped_spans,
        r.stderr_tail,
        r.service,
        r.peak_gpu_memory_bytes,
        r.service_figures[0],
        r.service_figures[1],
        r.service_figures[2],
        r.service_figures[3],
        r.service_figures[4],
        r.service_figures[5],
        r.service_figures[6],
        r.service_figures[7],
    ]);
    match inserted {
        Err(e) if constraint(&e) == Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => {
            return Err(sessions::not_found(session_id));
        }
        Err(e) if constraint(&e) == Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
            return Err(StoreError::IterationExists {
                session_id: session_id.to_string(),
                index: it.index,
            }
            .into());
        }
        other => other?,
    };
    spans::insert(conn, stages, session_id, it.index, &it.stages)
}

/// Inserts a batch of iterations, each into its session, and marks each
/// session written. Call inside one transaction.
pub fn insert_batch(conn: &Connection, batch: &[(&str, &Iteration)]) -> R<()> {
    let mut stages = StageIds::default();
    for (session_id, iteration) in batch {
        insert(conn, &mut stages, session_id, iteration)?;
    }
    for session_id in crate::record::touched_sessions(batch) {
        sessions::iterations_added(conn, session_id)?;
    }
    Ok(())
}

/// The extended result code of a constraint violation.
fn constraint(e: &rusqlite::Error) -> Option<i32> {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Some(f.extended_code)
        }
        _ => None,
    }
}

/// Every iteration of a session in index order, with its stages.
pub fn load(conn: &Connection, session_id: &str) -> R<Vec<Iteration>> {
    load_from(conn, session_id, Some(0))
}

/// The index where a session's last `last` iterations begin; `None` for
/// none (`last` 0, or no iteration).
pub fn recent_start(conn: &Connection, session_id: &str, last: usize) -> R<Option<u32>> {
    if last == 0 {
        return Ok(None);
    }
    let last = i64::try_from(last).unwrap_or(i64::MAX);
    let from: Option<u32> = conn.query_row(
        "SELECT min(idx) FROM (SELECT idx FROM iterations WHERE session_id = ?1
                               ORDER BY idx DESC LIMIT ?2)",
        params![session_id, last],
        |r| r.get(0),
    )?;
    Ok(from)
}

/// The iterations of a session from index `from` on (none for `None`),
/// in index order, with their stages.
pub fn load_from(conn: &Connection, session_id: &str, from: Option<u32>) -> R<Vec<Iteration>> {
    let Some(from) = from.map(i64::from) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {ITERATION_COLUMNS}, t.spans FROM iterations i
         LEFT JOIN iteration_spans t ON t.session_id = i.session_id AND t.iteration_idx = i.idx
         WHERE i.session_id = ?1 AND i.idx >= ?2 ORDER BY i.idx"
    ))?;
    let mut rows = stmt.query(params![session_id, from])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut it = IterationRecord {
            peak_gpu_memory_bytes: None,
            service_figures: Default::default(),
            service: row.get(20)?,
            idx: row.get(0)?,
            variant: row.get(1)?,
            warmup: row.get(2)?,
            exit_code: row.get(3)?,
            signal: row.get(4)?,
            timed_out: row.get(5)?,
            wall_s: row.get(6)?,
            user_s: row.get(7)?,
            sys_s: row.get(8)?,
            max_rss_bytes: row.get(9)?,
            peak_tree_rss_bytes: row.get(10)?,
            read_bytes: row.get(11)?,
            write_bytes: row.get(12)?,
            voluntary_cs: row.get(13)?,
            involuntary_cs: row.get(14)?,
            timeline: row.get(15)?,
            counters: row.get(16)?,
            gauges: row.get(17)?,
            dropped_spans: row.get(18)?,
            stderr_tail: row.get(19)?,
        }
        .decode(session_id)
        .map_err(Fail::Corrupt)?;
        let index = it.index;
        let what = || format!("spans of iteration {index} of session {session_id}");
        let text = row
            .get_ref(21)?
            .as_str_or_null()
            .map_err(|e| Fail::Corrupt(format!("{}: {e}", what())))?;
        it.stages = spans::decode(text, what)?;
        out.push(it);
    }
    Ok(out)
}

/// The service figures of the counted iterations that ran a service, of
/// each (session, variant) of `wanted` (as [`counted_walls`]).
pub fn counted_service_runs(conn: &Connection, wanted: &[(&str, &str)]) -> R<Vec<Vec<ServiceRun>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT idx, service FROM iterations
         WHERE session_id = ?1 AND variant = ?2 AND warmup = 0 AND timed_out = 0
           AND service IS NOT NULL
         ORDER BY idx",
    )?;
    let mut out = Vec::with_capacity(wanted.len());
    for (session_id, variant) in wanted {
        let texts = stmt
            .query_map(params![session_id, variant], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let runs = texts
            .iter()
            .map(|(index, text)| {
                from_json(text, || {
                    format!("service of iteration {index} of session {session_id}")
                })
                .map_err(Fail::Corrupt)
            })
            .collect::<R<Vec<ServiceRun>>>()?;
        out.push(runs);
    }
    Ok(out)
}

/// The wall times of the counted iterations of each (session, variant)
/// of `wanted` (one cached statement, run once each: SQLite has no round
/// trips to save).
pub fn counted_walls(conn: &Connection, wanted: &[(&str, &str)]) -> R<Vec<Vec<f64>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT wall_s FROM iterations
         WHERE session_id = ?1 AND variant = ?2 AND warmup = 0 AND timed_out = 0
         ORDER BY idx",
    )?;
    let mut out = Vec::with_capacity(wanted.len());
    for (session_id, variant) in wanted {
        let walls = stmt
            .query_map(params![session_id, variant], |r| r.get::<_, Option<f64>>(0))?
            .map(|w| w.map(|w| w.unwrap_or(f64::NAN)))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(walls);
    }
    Ok(out)
}
