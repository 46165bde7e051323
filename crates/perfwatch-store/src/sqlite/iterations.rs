//! Iteration rows: figures as columns (NULL when not measured), the rest as
//! JSON.

use super::fail::{json, to_json, Fail, R};
use super::{lenient, sessions, spans};
use crate::StoreError;
use perfwatch_model::Iteration;
use rusqlite::{ffi, params, Connection};

/// Inserts one iteration and its spans. Call inside one transaction.
///
/// The schema's keys do the checking (this runs between two measured
/// iterations, so it makes no extra queries): the foreign key rejects an
/// unknown session, the primary key an index already taken.
pub fn insert(conn: &Connection, session_id: &str, it: &Iteration) -> R<()> {
    let inserted = conn.prepare_cached(
        "INSERT INTO iterations (session_id, idx, variant, warmup, exit_code, signal, timed_out,
             wall_s, user_s, sys_s, max_rss_bytes, peak_tree_rss_bytes, read_bytes, write_bytes,
             voluntary_cs, involuntary_cs, timeline, counters, gauges, dropped_spans, stderr_tail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21)",
    )?
    .execute(params![
        session_id,
        it.index,
        it.variant,
        it.warmup,
        it.exit_code,
        it.signal,
        it.timed_out,
        it.wall_s,
        it.user_s,
        it.sys_s,
        int("max_rss_bytes", it.max_rss_bytes)?,
        int("peak_tree_rss_bytes", it.peak_tree_rss_bytes)?,
        int("read_bytes", it.read_bytes)?,
        int("write_bytes", it.write_bytes)?,
        int("voluntary_cs", it.voluntary_cs)?,
        int("involuntary_cs", it.involuntary_cs)?,
        to_json(&it.timeline)?,
        to_json(&it.counters)?,
        to_json(&it.gauges)?,
        to_json(&it.dropped_spans)?,
        it.stderr_tail,
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
    spans::insert(conn, session_id, it.index, &it.stages)
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
    let mut stages = spans::load(conn, session_id)?;
    let mut stmt = conn.prepare(
        "SELECT idx, variant, warmup, exit_code, signal, timed_out, wall_s, user_s, sys_s,
             max_rss_bytes, peak_tree_rss_bytes, read_bytes, write_bytes, voluntary_cs,
             involuntary_cs, timeline, counters, gauges, dropped_spans, stderr_tail
         FROM iterations WHERE session_id = ?1 ORDER BY idx",
    )?;
    let mut rows = stmt.query([session_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let index: u32 = row.get(0)?;
        let what = |column: &'static str| {
            move || format!("column `{column}` of iteration {index} of session {session_id}")
        };
        out.push(Iteration {
            index,
            variant: row.get(1)?,
            warmup: row.get(2)?,
            exit_code: row.get(3)?,
            signal: row.get(4)?,
            timed_out: row.get(5)?,
            // NaN is stored as NULL by SQLite; it comes back as NaN.
            wall_s: row.get::<_, Option<f64>>(6)?.unwrap_or(f64::NAN),
            user_s: row.get(7)?,
            sys_s: row.get(8)?,
            max_rss_bytes: count(row.get(9)?, what("max_rss_bytes"))?,
            peak_tree_rss_bytes: count(row.get(10)?, what("peak_tree_rss_bytes"))?,
            read_bytes: count(row.get(11)?, what("read_bytes"))?,
            write_bytes: count(row.get(12)?, what("write_bytes"))?,
            voluntary_cs: count(row.get(13)?, what("voluntary_cs"))?,
            involuntary_cs: count(row.get(14)?, what("involuntary_cs"))?,
            timeline: lenient::timeline(&row.get::<_, String>(15)?, what("timeline"))?,
            counters: lenient::numbers(&row.get::<_, String>(16)?, what("counters"))?,
            gauges: lenient::numbers(&row.get::<_, String>(17)?, what("gauges"))?,
            dropped_spans: json(&row.get::<_, String>(18)?, what("dropped_spans"))?,
            stderr_tail: row.get(19)?,
            stages: stages.remove(&index).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A count as an SQLite integer (signed 64-bit).
fn int(name: &str, value: Option<u64>) -> R<Option<i64>> {
    value
        .map(|v| {
            i64::try_from(v)
                .map_err(|_| Fail::Corrupt(format!("`{name}` = {v} is too large to store")))
        })
        .transpose()
}

/// An SQLite integer as a count.
fn count(value: Option<i64>, what: impl FnOnce() -> String) -> R<Option<u64>> {
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| Fail::Corrupt(format!("{}: negative count {v}", what())))
        })
        .transpose()
}
