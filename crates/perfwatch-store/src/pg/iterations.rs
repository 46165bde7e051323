//! Iteration and span rows. An iteration's spans go in one statement
//! (arrays unnested server-side), so storing an iteration costs a few
//! round trips whatever its number of spans.

use super::fail::{Fail, R};
use super::{pg_text, sessions};
use crate::record::{
    from_json, number, to_json, IterationRecord, ITERATION_COLUMNS, SERVICE_FIGURE_COLUMNS,
};
use crate::StoreError;
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Iteration, ServiceRun, Span, Tier};
use postgres::error::SqlState;
use postgres::Transaction;
use std::collections::{BTreeMap, HashMap};

/// Inserts iterations and their spans (all of a whole session, or one as
/// it finishes). Call inside one transaction. Rows go column-wise as
/// arrays, unnested by the server: a few round trips whatever the number
/// of iterations and spans.
/// Inserts a batch of iterations, each into its session, and marks each
/// session written. Call inside one transaction.
pub fn insert_batch(tx: &mut Transaction<'_>, batch: &[(&str, &Iteration)]) -> R<()> {
    for (session_id, iteration) in batch {
        insert(tx, session_id, std::slice::from_ref(*iteration))?;
    }
    for session_id in crate::record::touched_sessions(batch) {
        sessions::touch(tx, session_id)?;
    }
    Ok(())
}

pub fn insert(tx: &mut Transaction<'_>, session_id: &str, its: &[Iteration]) -> R<()> {
    if its.is_empty() {
        return Ok(());
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = its.iter().find(|it| !seen.insert(it.index)) {
        return Err(StoreError::IterationExists {
            session_id: session_id.to_string(),
            index: dup.index,
        }
        .into());
    }
    let rows = its
        .iter()
        .map(IterationRecord::encode)
        .collect::<Result<Vec<_>, _>>()
        .map_err(Fail::Corrupt)?;
    let col = |f: &dyn Fn(&IterationRecord) -> Option<i64>| -> Vec<Option<i64>> {
        rows.iter().map(f).collect()
    };
    let num = |f: &dyn Fn(&IterationRecord) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(f).collect()
    };
    let text = |f: &dyn Fn(&IterationRecord) -> &str| -> Vec<String> {
        rows.iter().map(|r| pg_text(f(r)).into_owned()).collect()
    };
    let flag = |f: &dyn Fn(&IterationRecord) -> bool| -> Vec<bool> { rows.iter().map(f).collect() };
    let code = |f: &dyn Fn(&IterationRecord) -> Option<i32>| -> Vec<Option<i32>> {
        rows.iter().map(f).collect()
    };
    let idx: Vec<i64> = rows.iter().map(|r| r.idx).collect();
    let stderr: Vec<Option<&[u8]>> = rows
        .iter()
        .map(|r| r.stderr_tail.as_deref().map(str::as_bytes))
        .collect();
    let service: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.service.as_deref().map(|t| pg_text(t).into_owned()))
        .collect();
    let figure =
        |i: usize| -> Vec<Option<f64>> { rows.iter().map(|r| r.service_figures[i]).collect() };
    let inserted = tx.execute(
        &format!(
            "INSERT INTO iterations (session_id, {ITERATION_COLUMNS}, peak_gpu_memory_bytes,
                 {SERVICE_FIGURE_COLUMNS})
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bool[], $5::int4[],
                 $6::int4[], $7::bool[], $8::float8[], $9::float8[], $10::float8[],
                 $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
                 $16::bigint[], $17::text[], $18::text[], $19::text[], $20::text[],
                 $21::bytea[], $22::text[], $23::bigint[], $24::float8[], $25::float8[],
                 $26::float8[], $27::float8[], $28::float8[], $29::float8[], $30::float8[],
                 $31::float8[])"
        ),
        &[
            &session_id,
            &idx,
            &text(&|r| &r.variant),
            &flag(&|r| r.warmup),
            &code(&|r| r.exit_code),
            &code(&|r| r.signal),
            &flag(&|r| r.timed_out),
            &num(&|r| r.wall_s),
            &num(&|r| r.user_s),
            &num(&|r| r.sys_s),
            &col(&|r| r.max_rss_bytes),
            &col(&|r| r.peak_tree_rss_bytes),
            &col(&|r| r.read_bytes),
            &col(&|r| r.write_bytes),
            &col(&|r| r.voluntary_cs),
            &col(&|r| r.involuntary_cs),
            &text(&|r| &r.timeline),
            &text(&|r| &r.counters),
            &text(&|r| &r.gauges),
            &text(&|r| &r.dropped_spans),
            &stderr,
            &service,
            &col(&|r| r.peak_gpu_memory_bytes),
            &figure(0),
            &figure(1),
            &figure(2),
            &figure(3),
            &figure(4),
            &figure(5),
            &figure(6),
            &figure(7),
        ],
    );
    match inserted.map_err(Fail::from) {
        Err(f) if f.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            return Err(sessions::not_found(session_id));
        }
        // Only one iteration can be taken already: a run adds one at a
        // time, and a whole session is new.
        Err(f) if f.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::IterationExists {
                session_id: session_id.to_string(),
                index: its[0].index,
            }
            .into());
        }
        other => other?,
    };
    insert_spans(tx, session_id, its)
}

/// Inserts the spans of iterations, stage and depth placed as every
/// perfwatch crate places them (a folded span has no stage of its own).
fn insert_spans(tx: &mut Transaction<'_>, session_id: &str, its: &[Iteration]) -> R<()> {
    let n: usize = its.iter().map(|it| it.stages.len()).sum();
    if n == 0 {
        return Ok(());
    }
    let trees: Vec<_> = its.iter().map(|it| place_spans(&it.stages)).collect();
    let mut paths: Vec<String> = trees
        .iter()
        .flat_map(|t| t.stages.iter().map(|s| pg_text(&s.path).into_owned()))
        .collect();
    paths.sort();
    paths.dedup();
    let stage_ids = stage_ids(tx, &paths)?;
    let mut cols = SpanColumns::with_capacity(n);
    for (it, tree) in its.iter().zip(&trees) {
        for (pos, (span, place)) in it.stages.iter().zip(&tree.placements).enumerate() {
            cols.iteration_idx.push(i64::from(it.index));
            cols.pos.push(pos as i64);
            // Ids are opaque 64-bit values: stored bit for bit.
            cols.span_id.push(span.id as i64);
            cols.parent_id.push(span.parent.map(|p| p as i64));
            cols.name.push(pg_text(&span.name).into_owned());
            let path = || pg_text(&tree.stages[place.stage].path);
            cols.stage
                .push((!place.folded).then(|| stage_ids[path().as_ref()]));
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
    }
    tx.execute(
        "INSERT INTO spans (session_id, iteration_idx, pos, span_id, parent_id, name, stage,
             depth, tier, component, start_s, end_s, duration_s, ok, calls, failed_calls,
             total_s, attributes)
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
             $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::float8[],
             $12::float8[], $13::float8[], $14::bool[], $15::bigint[], $16::bigint[],
             $17::float8[], $18::text[])",
        &[
            &session_id,
            &cols.iteration_idx,
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

/// Span rows, column by column.
struct SpanColumns {
    iteration_idx: Vec<i64>,
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
            iteration_idx: Vec::with_capacity(n),
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
    load_from(tx, session_id, Some(0))
}

/// The index where a session's last `last` iterations begin; `None` for
/// none (`last` 0, or no iteration).
pub fn recent_start(tx: &mut Transaction<'_>, session_id: &str, last: usize) -> R<Option<u32>> {
    if last == 0 {
        return Ok(None);
    }
    let last = i64::try_from(last).unwrap_or(i64::MAX);
    let row = tx.query_one(
        "SELECT min(idx) FROM (SELECT idx FROM iterations WHERE session_id = $1
                               ORDER BY idx DESC LIMIT $2) recent",
        &[&session_id, &last],
    )?;
    let from: Option<i64> = row.try_get(0)?;
    from.map(|f| {
        u32::try_from(f).map_err(|_| Fail::Corrupt(format!("index {f} of session {session_id}")))
    })
    .transpose()
}

/// The iterations of a session from index `from` on (none for `None`),
/// in index order, with their stages.
pub fn load_from(
    tx: &mut Transaction<'_>,
    session_id: &str,
    from: Option<u32>,
) -> R<Vec<Iteration>> {
    let Some(from) = from.map(i64::from) else {
        return Ok(Vec::new());
    };
    let mut stages = load_spans(tx, session_id, from)?;
    let rows = tx.query(
        &format!(
            "SELECT {ITERATION_COLUMNS} FROM iterations WHERE session_id = $1 AND idx >= $2 ORDER BY idx"
        ),
        &[&session_id, &from],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut it = IterationRecord {
            peak_gpu_memory_bytes: None,
            service_figures: Default::default(),
            service: row.try_get(20)?,
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
fn load_spans(
    tx: &mut Transaction<'_>,
    session_id: &str,
    from: i64,
) -> R<BTreeMap<u32, Vec<Span>>> {
    let rows = tx.query(
        "SELECT iteration_idx, pos, span_id, parent_id, name, tier, component, start_s, end_s,
             ok, calls, failed_calls, total_s, attributes
         FROM spans WHERE session_id = $1 AND iteration_idx >= $2 ORDER BY iteration_idx, pos",
        &[&session_id, &from],
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

/// The service figures of the counted iterations that ran a service, of
/// each (session, variant) of `wanted`, in one query (as
/// [`counted_walls`]).
pub fn counted_service_runs(
    tx: &mut Transaction<'_>,
    wanted: &[(&str, &str)],
) -> R<Vec<Vec<ServiceRun>>> {
    let ids: Vec<&str> = wanted.iter().map(|(id, _)| *id).collect();
    let mut by_pair: HashMap<(String, String), Vec<ServiceRun>> = HashMap::new();
    for row in tx.query(
        "SELECT i.session_id, i.variant, i.idx, i.service FROM iterations i
         WHERE i.session_id = ANY($1) AND NOT i.warmup AND NOT i.timed_out
           AND i.service IS NOT NULL
         ORDER BY i.session_id, i.idx",
        &[&ids],
    )? {
        let session_id: String = row.try_get(0)?;
        let index: i64 = row.try_get(2)?;
        let text: String = row.try_get(3)?;
        let run: ServiceRun = from_json(&text, || {
            format!("service of iteration {index} of session {session_id}")
        })
        .map_err(Fail::Corrupt)?;
        by_pair
            .entry((session_id, row.try_get(1)?))
            .or_default()
            .push(run);
    }
    Ok(in_order(&by_pair, wanted))
}

/// The wall times of the counted iterations of each (session, variant)
/// of `wanted`, in one query (`= ANY` keeps it on the primary key's
/// index; a join with an `UNNEST` of the pairs was planned as a scan of
/// every iteration).
pub fn counted_walls(tx: &mut Transaction<'_>, wanted: &[(&str, &str)]) -> R<Vec<Vec<f64>>> {
    let ids: Vec<&str> = wanted.iter().map(|(id, _)| *id).collect();
    let mut by_pair: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for row in tx.query(
        "SELECT i.session_id, i.variant, i.wall_s FROM iterations i
         WHERE i.session_id = ANY($1) AND NOT i.warmup AND NOT i.timed_out
         ORDER BY i.session_id, i.idx",
        &[&ids],
    )? {
        let wall: Option<f64> = row.try_get(2)?;
        by_pair
            .entry((row.try_get(0)?, row.try_get(1)?))
            .or_default()
            .push(wall.unwrap_or(f64::NAN));
    }
    Ok(in_order(&by_pair, wanted))
}

/// The values found per (session, variant), in the order of `wanted`
/// (empty for a pair with none; a pair asked twice gets them twice).
fn in_order<T: Clone>(
    by_pair: &HashMap<(String, String), Vec<T>>,
    wanted: &[(&str, &str)],
) -> Vec<Vec<T>> {
    wanted
        .iter()
        .map(|(id, variant)| {
            by_pair
                .get(&(id.to_string(), pg_text(variant).into_owned()))
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}
