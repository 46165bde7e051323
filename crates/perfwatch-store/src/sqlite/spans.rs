//! Span rows: one per stage call of an iteration, with its stage (each
//! distinct stage path is one `stage_paths` row).

use super::fail::{json, to_json, Fail, R};
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Span, Tier};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// Inserts the spans of one iteration.
pub fn insert(conn: &Connection, session_id: &str, index: u32, spans: &[Span]) -> R<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO spans (session_id, iteration_idx, pos, span_id, parent_id, name, stage,
             depth, tier, component, start_s, end_s, duration_s, ok, calls, failed_calls,
             total_s, attributes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    // Stage and depth as every perfwatch crate places them, so that a
    // stage path from the analysis finds its rows; each distinct path is
    // stored once. A folded span has no stage of its own: its time is in
    // its ancestor's rows already.
    let tree = place_spans(spans);
    let stage_ids = tree
        .stages
        .iter()
        .map(|s| stage_id(conn, &s.path))
        .collect::<R<Vec<i64>>>()?;
    for (pos, (span, place)) in spans.iter().zip(&tree.placements).enumerate() {
        let stage = (!place.folded).then(|| stage_ids[place.stage]);
        stmt.execute(params![
            session_id,
            index,
            pos as i64,
            // Ids are opaque 64-bit values: stored bit for bit.
            span.id as i64,
            span.parent.map(|p| p as i64),
            span.name,
            stage,
            place.depth,
            span.tier.key(),
            span.component,
            span.start_s,
            span.end_s,
            span.duration_s(),
            span.ok,
            span.calls as i64,
            span.failed_calls as i64,
            span.total_s,
            to_json(&span.attributes)?,
        ])?;
    }
    Ok(())
}

/// The id of a stage path, stored on first use.
fn stage_id(conn: &Connection, path: &str) -> R<i64> {
    let mut find = conn.prepare_cached("SELECT id FROM stage_paths WHERE path = ?1")?;
    if let Some(id) = find.query_row([path], |r| r.get(0)).optional()? {
        return Ok(id);
    }
    let mut add = conn.prepare_cached("INSERT INTO stage_paths (path) VALUES (?1)")?;
    add.execute([path])?;
    Ok(conn.last_insert_rowid())
}

/// Every span of a session, grouped by iteration index, in stored order.
pub fn load_from(conn: &Connection, session_id: &str, from: i64) -> R<BTreeMap<u32, Vec<Span>>> {
    let mut stmt = conn.prepare(
        "SELECT iteration_idx, pos, span_id, parent_id, name, tier, component, start_s, end_s,
             ok, calls, failed_calls, total_s, attributes
         FROM spans WHERE session_id = ?1 AND iteration_idx >= ?2 ORDER BY iteration_idx, pos",
    )?;
    let mut rows = stmt.query(rusqlite::params![session_id, from])?;
    let mut out: BTreeMap<u32, Vec<Span>> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let index: u32 = row.get(0)?;
        let pos: i64 = row.get(1)?;
        let what = || format!("span {pos} of iteration {index} of session {session_id}");
        let tier: String = row.get(5)?;
        let tier: Tier = tier
            .parse()
            .map_err(|e: String| Fail::Corrupt(format!("{}: {e}", what())))?;
        let span = Span {
            id: row.get::<_, i64>(2)? as u64,
            parent: row.get::<_, Option<i64>>(3)?.map(|p| p as u64),
            name: row.get(4)?,
            tier,
            component: row.get(6)?,
            start_s: row.get::<_, Option<f64>>(7)?.unwrap_or(f64::NAN),
            end_s: row.get::<_, Option<f64>>(8)?.unwrap_or(f64::NAN),
            ok: row.get(9)?,
            calls: row.get::<_, i64>(10)? as u64,
            failed_calls: row.get::<_, i64>(11)? as u64,
            total_s: row.get(12)?,
            attributes: json(&row.get::<_, String>(13)?, what)?,
        };
        out.entry(index).or_default().push(span);
    }
    Ok(out)
}
