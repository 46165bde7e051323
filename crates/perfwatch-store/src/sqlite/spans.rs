//! An iteration's spans, one `iteration_spans` row per iteration: the
//! spans as one JSON array (`spans`, in stored order) and each stage's
//! summed time as one JSON object (`stage_times`, stage id → seconds)
//! that stage history reads. Each distinct stage path is one
//! `stage_paths` row, shared by every iteration.
//!
//! A row per span made storing a monitored run cost more than receiving
//! it: three B-tree inserts per span (the row, its key, the stage index),
//! where the whole run is now one row.

use super::fail::{json, to_json, Fail, R};
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Span, Tier};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Stage path ids already looked up or stored in the current
/// transaction (a batch of monitored runs names the same stages run
/// after run). Lives no longer than the transaction, so that a rolled
/// back id is never reused.
#[derive(Debug, Default)]
pub struct StageIds(HashMap<String, i64>);

impl StageIds {
    /// The id of a stage path, stored on first use.
    fn id(&mut self, conn: &Connection, path: &str) -> R<i64> {
        if let Some(&id) = self.0.get(path) {
            return Ok(id);
        }
        let mut find = conn.prepare_cached("SELECT id FROM stage_paths WHERE path = ?1")?;
        let id = match find.query_row([path], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => {
                let mut add = conn.prepare_cached("INSERT INTO stage_paths (path) VALUES (?1)")?;
                add.execute([path])?;
                conn.last_insert_rowid()
            }
        };
        self.0.insert(path.to_string(), id);
        Ok(id)
    }
}

/// One span as stored: the fields of [`Span`], and where the span sits
/// (its stage's id, `None` for a span folded into an ancestor's stage,
/// and its depth), as every perfwatch crate places it. Keys name the
/// former columns, so that a stored run reads as its rows did.
#[derive(Serialize)]
struct Stored<'a> {
    span_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<i64>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<i64>,
    depth: u32,
    tier: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<&'a str>,
    // Non-finite times are written as null.
    start_s: f64,
    end_s: f64,
    ok: bool,
    #[serde(skip_serializing_if = "is_one")]
    calls: u64,
    #[serde(skip_serializing_if = "is_zero")]
    failed_calls: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_s: Option<f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: &'a BTreeMap<String, String>,
}

/// [`Stored`], read back.
#[derive(Deserialize)]
struct Read {
    span_id: i64,
    #[serde(default)]
    parent_id: Option<i64>,
    name: String,
    tier: String,
    #[serde(default)]
    component: Option<String>,
    start_s: Option<f64>,
    end_s: Option<f64>,
    ok: bool,
    #[serde(default = "one")]
    calls: u64,
    #[serde(default)]
    failed_calls: u64,
    #[serde(default)]
    total_s: Option<f64>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn one() -> u64 {
    1
}

/// Stores the spans of one iteration (nothing for none), and the stage
/// paths they name that are new. Call inside the transaction that stores
/// the iteration.
pub fn insert(
    conn: &Connection,
    stages: &mut StageIds,
    session_id: &str,
    index: u32,
    spans: &[Span],
) -> R<()> {
    if spans.is_empty() {
        return Ok(());
    }
    // Stage and depth as every perfwatch crate places them, so that a
    // stage path from the analysis finds its time.
    let tree = place_spans(spans);
    let stage_ids = tree
        .stages
        .iter()
        .map(|s| stages.id(conn, &s.path))
        .collect::<R<Vec<i64>>>()?;
    let mut times: BTreeMap<i64, f64> = BTreeMap::new();
    let stored: Vec<Stored<'_>> = spans
        .iter()
        .zip(&tree.placements)
        .map(|(span, place)| {
            // A folded span has no stage of its own: its time is in its
            // ancestor's already.
            let stage = (!place.folded).then(|| stage_ids[place.stage]);
            if let Some(stage) = stage {
                let d = span.duration_s();
                if d.is_finite() {
                    *times.entry(stage).or_default() += d;
                }
            }
            Stored {
                // Ids are opaque 64-bit values: stored bit for bit.
                span_id: span.id as i64,
                parent_id: span.parent.map(|p| p as i64),
                name: &span.name,
                stage,
                depth: place.depth,
                tier: span.tier.key(),
                component: span.component.as_deref(),
                start_s: span.start_s,
                end_s: span.end_s,
                ok: span.ok,
                calls: span.calls,
                failed_calls: span.failed_calls,
                total_s: span.total_s,
                attributes: &span.attributes,
            }
        })
        .collect();
    conn.prepare_cached(
        "INSERT INTO iteration_spans (session_id, iteration_idx, spans, stage_times)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        session_id,
        index,
        to_json(&stored)?,
        to_json(&times)?
    ])?;
    Ok(())
}

/// The spans of an iteration from its `spans` text (`None`: none).
pub fn decode(text: Option<&str>, what: impl Fn() -> String) -> R<Vec<Span>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let read: Vec<Read> = json(text, &what)?;
    read.into_iter()
        .map(|r| {
            let tier: Tier = r
                .tier
                .parse()
                .map_err(|e: String| Fail::Corrupt(format!("{}: {e}", what())))?;
            Ok(Span {
                id: r.span_id as u64,
                parent: r.parent_id.map(|p| p as u64),
                name: r.name,
                tier,
                component: r.component,
                start_s: r.start_s.unwrap_or(f64::NAN),
                end_s: r.end_s.unwrap_or(f64::NAN),
                ok: r.ok,
                calls: r.calls,
                failed_calls: r.failed_calls,
                total_s: r.total_s,
                attributes: r.attributes,
            })
        })
        .collect()
}
