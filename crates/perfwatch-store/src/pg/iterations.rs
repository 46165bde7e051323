//! Iteration and span rows. An iteration's spans go in one statement
//! (arrays unnested server-side), so storing an iteration costs a few
//! round trips whatever its number of spans.

use super::fail::{Fail, R};
use super::{pg_text, sessions};
use crate::record::{from_json, number, to_json, IterationRecord, ITERATION_COLUMNS};
use crate::StoreError;
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Iteration, Span, Tier};
use postgres::error::SqlState;
use postgres::Transaction;
use std::collections::BTreeMap;

/// Inserts one iteration and its spans. Call inside one transaction.
pub fn insert(tx: &mut Transaction<'_>, session_id: &str, it: &Iteration) -> R<()> {
    let r = IterationRecord::encode(it).map_err(Fail::Corrupt)?;
    let stmt = tx.prepare(&format!(
        "INSERT INTO iterations (session_id, {ITERATION_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21)"
    ))?;
    let inserted = tx.execute(
        &stmt,
        &[
            &session_id,
            &r.idx,
            &pg_text(&r.variant),
            &r.warmup,
            &r.exit_code,
            &r.signal,
            &r.timed_out,
            &r.wall_s,
            &r.user_s,
            &r.sys_s,
            &r.max_rss_bytes,
            &r.peak_tree_rss_bytes,
            &r.read_bytes,
            &r.write_bytes,
            &r.voluntary_cs,
            &r.involuntary_cs,
            &r.timeline,
            &r.counters,
            &r.gauges,
            &r.dropped_spans,
            &r.stderr_tail.as_deref().map(str::as_bytes),
        ],
    );
    match inserted.map_err(Fail::from) {
        Err(f) if f.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            return Err(sessions::not_found(session_id));
        }
        Err(f) if f.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::IterationExists {
                session_id: session_id.to_string(),
                index: it.index,
            }
            .into());
        }
        other => other?,
    };
    insert_spans(tx, session_id, r.idx, &it.stages)
}

/// Inserts the spans of one iteration, stage and depth placed as every
/// perfwatch crate places them (a folded span has no stage of its own).
fn insert_spans(tx: &mut Transaction<'_>, session_id: &str, idx: i64, spans: &[Span]) -> R<()> {
    if spans.is_empty() {
        return Ok(());
    }
    let tree = place_spans(spans);
    let paths: Vec<String> = tree
        .stages
        .iter()
        .map(|s| pg_text(&s.path).into_owned())
        .collect();
    let stage_ids = stage_ids(tx, &paths)?;
    let n = spans.len();
    let mut cols = SpanColumns::with_capacity(n);
    for (pos, (span, place)) in spans.iter().zip(&tree.placements).enumerate() {
        cols.pos.push(pos as i64);
        // Ids are opaque 64-bit values: stored bit for bit.
        cols.span_id.push(span.id as i64);
        cols.parent_id.push(span.parent.map(|p| p as i64));
        cols.name.push(pg_text(&span.name).into_owned());
        cols.stage
            .push((!place.folded).then(|| stage_ids[&paths[place.stage]]));
        cols.depth.push(place.depth as i64);
        cols.tier.push(span.tier.key());
        cols.component
            .push(span.component.as_deref().map(|c| pg_text(c).into_owned()));
        cols.start_s.push(number(Some(span.start_s)));
        cols.end_s.push(number(Some(span.end_s)));
        cols.duration_s.push(number(Some(span.duration_s())));
        cols.ok.push(span.ok);
        cols.calls.push(span.calls as i64);
        cols.failed_calls.push(span.failed_calls as i64);
        cols.total_s.push(number(span.total_s));
        cols.attributes
            .push(to_json(&span.attributes).map_err(Fail::Corrupt)?);
    }
    tx.execute(
        "INSERT INTO spans (session_id, iteration_idx, pos, span_id, parent_id, name, stage,
             depth, tier, component, start_s, end_s, duration_s, ok, calls, failed_calls,
             total_s, attributes)
         SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[],
             $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::float8[], $12::float8[],
             $13::float8[], $14::bool[], $15::bigint[], $16::bigint[], $17::float8[],
             $18::text[])",
        &[
            &session_id,
            &idx,
            &cols.pos,
            &cols.span_id,
            &cols.parent_id,
            &cols.name,
            &cols.stage,
            &cols.depth,
            &cols.tier,
            &cols.component,
            &cols.start_s,
            &cols.end_s,
            &cols.duration_s,
            &cols.ok,
            &cols.calls,
            &cols.failed_calls,
            &cols.total_s,
            &cols.attributes,
        ],
    )?;
    Ok(())
}

/// The span rows of one iteration, column by column.
struct SpanColumns {
    pos: Vec<i64>,
    span_id: Vec<i64>,
    parent_id: Vec<Option<i64>>,
    name: Vec<String>,
    stage: Vec<Option<i64>>,
    depth: Vec<i64>,
    tier: Vec<&'static str>,
    component: Vec<Option<String>>,
    start_s: Vec<Option<f64>>,
    end_s: Vec<Option<f64>>,
    duration_s: Vec<Option<f64>>,
    ok: Vec<bool>,
    calls: Vec<i64>,
    failed_calls: Vec<i64>,
    total_s: Vec<Option<f64>>,
    attributes: Vec<String>,
}

impl SpanColumns {
    fn with_capacity(n: usize) -> SpanColumns {
        SpanColumns {
            pos: Vec::with_capacity(n),
            span_id: Vec::with_capacity(n),
            parent_id: Vec::with_capacity(n),
            name: Vec::with_capacity(n),
            stage: Vec::with_capacity(n),
            depth: Vec::with_capacity(n),
            tier: Vec::with_capacity(n),
            component: Vec::with_capacity(n),
            start_s: Vec::with_capacity(n),
            end_s: Vec::with_capacity(n),
            duration_s: Vec::with_capacity(n),
            ok: Vec::with_capacity(n),
            calls: Vec::with_capacity(n),
            failed_calls: Vec::with_capacity(n),
            total_s: Vec::with_capacity(n),
            attributes: Vec::with_capacity(n),
        }
    }
}

/// The ids of these stage paths, each stored on first use. Concurrent
/// writers of one new path both get its one row (`ON CONFLICT` waits for
/// the other's transaction).
fn stage_ids(tx: &mut Transaction<'_>, paths: &[String]) -> R<BTreeMap<String, i64>> {
    let mut ids: BTreeMap<String, i64> = tx
        .query(
            "SELECT path, id FROM stage_paths WHERE path = ANY($1)",
            &[&paths],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for path in paths {
        if !ids.contains_key(path) {
            let row = tx.query_one(
                "INSERT INTO stage_paths (path) VALUES ($1)
                 ON CONFLICT (path) DO UPDATE SET path = EXCLUDED.path
                 RETURNING id",
                &[path],
            )?;
            ids.insert(path.clone(), row.get(0));
        }
    }
    Ok(ids)
}

/// Every iteration of a session in index order, with its stages.
pub fn load(tx: &mut Transaction<'_>, session_id: &str) -> R<Vec<Iteration>> {
    let mut stages = load_spans(tx, session_id)?;
    let rows = tx.query(
        &format!("SELECT {ITERATION_COLUMNS} FROM iterations WHERE session_id = $1 ORDER BY idx"),
        &[&session_id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut it = IterationRecord {
            idx: row.try_get(0)?,
            variant: row.try_get(1)?,
            warmup: row.try_get(2)?,
            exit_code: row.try_get(3)?,
            signal: row.try_get(4)?,
            timed_out: row.try_get(5)?,
            wall_s: row.try_get(6)?,
            user_s: row.try_get(7)?,
            sys_s: row.try_get(8)?,
            max_rss_bytes: row.try_get(9)?,
            peak_tree_rss_bytes: row.try_get(10)?,
            read_bytes: row.try_get(11)?,
            write_bytes: row.try_get(12)?,
            voluntary_cs: row.try_get(13)?,
            involuntary_cs: row.try_get(14)?,
            timeline: row.try_get(15)?,
            counters: row.try_get(16)?,
            gauges: row.try_get(17)?,
            dropped_spans: row.try_get(18)?,
            stderr_tail: row
                .try_get::<_, Option<Vec<u8>>>(19)?
                .map(|bytes| {
                    String::from_utf8(bytes).map_err(|_| {
                        Fail::Corrupt(format!(
                            "stderr of an iteration of session {session_id} is not UTF-8"
                        ))
                    })
                })
                .transpose()?,
        }
        .decode(session_id)
        .map_err(Fail::Corrupt)?;
        it.stages = stages.remove(&it.index).unwrap_or_default();
        out.push(it);
    }
    Ok(out)
}

/// Every span of a session, grouped by iteration index, in stored order.
fn load_spans(tx: &mut Transaction<'_>, session_id: &str) -> R<BTreeMap<u32, Vec<Span>>> {
    let rows = tx.query(
        "SELECT iteration_idx, pos, span_id, parent_id, name, tier, component, start_s, end_s,
             ok, calls, failed_calls, total_s, attributes
         FROM spans WHERE session_id = $1 ORDER BY iteration_idx, pos",
        &[&session_id],
    )?;
    let mut out: BTreeMap<u32, Vec<Span>> = BTreeMap::new();
    for row in &rows {
        let idx: i64 = row.try_get(0)?;
        let pos: i64 = row.try_get(1)?;
        let what = || format!("span {pos} of iteration {idx} of session {session_id}");
        let index = u32::try_from(idx).map_err(|_| Fail::Corrupt(what()))?;
        let tier: String = row.try_get(5)?;
        let tier: Tier = tier
            .parse()
            .map_err(|e: String| Fail::Corrupt(format!("{}: {e}", what())))?;
        let span = Span {
            id: row.try_get::<_, i64>(2)? as u64,
            parent: row.try_get::<_, Option<i64>>(3)?.map(|p| p as u64),
            name: row.try_get(4)?,
            tier,
            component: row.try_get(6)?,
            start_s: row.try_get::<_, Option<f64>>(7)?.unwrap_or(f64::NAN),
            end_s: row.try_get::<_, Option<f64>>(8)?.unwrap_or(f64::NAN),
            ok: row.try_get(9)?,
            calls: row.try_get::<_, i64>(10)? as u64,
            failed_calls: row.try_get::<_, i64>(11)? as u64,
            total_s: row.try_get(12)?,
            attributes: from_json(row.try_get(13)?, what).map_err(Fail::Corrupt)?,
        };
        out.entry(index).or_default().push(span);
    }
    Ok(out)
}
