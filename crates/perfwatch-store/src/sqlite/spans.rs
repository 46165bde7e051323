//! An iteration's spans, one `iteration_spans` row per iteration: the
//! spans as one JSON array (`spans`, in stored order) and each stage's
//! summed time as one JSON object (`stage_times`, stage id → seconds)
//! that stage history reads. Each distinct stage path is one
//! `stage_paths` row, shared by every iteration.
//!
//! A row per span made storing a monitored run cost more than receiving
//! it: three B-tree inserts per span (the row, its key, the stage index),
//! where the whole run is now one row.
//!
//! Each span is a JSON array of its fields in a fixed order ([`Stored`]):
//! the names of an object repeated for every span made up 45 % of a
//! monitored run's bytes, and writing them 8 % of the CPU its ingest took.
//! The last three (`calls`, `failed_calls`, `total_s`) are written only
//! for an aggregate. Rows written before, a JSON object per span with
//! these names as keys, read the same.

use super::fail::{json, to_json, Fail, R};
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Attributes, Span, Tier};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::IgnoredAny;
use serde::ser::{SerializeSeq, Serializer};
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

/// One span as stored: a JSON array of the fields of [`Span`] and where
/// the span sits, as every perfwatch crate places it, in this order:
/// `span_id`, `parent_id`, `name`, `stage` (its stage's id; `null` for a
/// span folded into an ancestor's stage), `depth`, `tier`, `component`,
/// `start_s`, `end_s` (`null` when not finite), `ok`, `attributes`, then
/// for an aggregate only `calls`, `failed_calls`, `total_s`.
struct Stored<'a> {
    span_id: i64,
    parent_id: Option<i64>,
    name: &'a str,
    stage: Option<i64>,
    depth: u32,
    tier: &'a str,
    component: Option<&'a str>,
    start_s: f64,
    end_s: f64,
    ok: bool,
    attributes: &'a Attributes,
    calls: u64,
    failed_calls: u64,
    total_s: Option<f64>,
}

impl Serialize for Stored<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let aggregate = self.calls != 1 || self.failed_calls != 0 || self.total_s.is_some();
        let mut seq = serializer.serialize_seq(Some(if aggregate { 14 } else { 11 }))?;
        seq.serialize_element(&self.span_id)?;
        seq.serialize_element(&self.parent_id)?;
        seq.serialize_element(self.name)?;
        seq.serialize_element(&self.stage)?;
        seq.serialize_element(&self.depth)?;
        seq.serialize_element(self.tier)?;
        seq.serialize_element(&self.component)?;
        seq.serialize_element(&self.start_s)?;
        seq.serialize_element(&self.end_s)?;
        seq.serialize_element(&self.ok)?;
        seq.serialize_element(self.attributes)?;
        if aggregate {
            seq.serialize_element(&self.calls)?;
            seq.serialize_element(&self.failed_calls)?;
            seq.serialize_element(&self.total_s)?;
        }
        seq.end()
    }
}

/// [`Stored`], read back: from an array in the order of [`Stored`], or
/// from an object with those keys (rows written before the array).
#[derive(Deserialize)]
struct Read {
    span_id: i64,
    #[serde(default)]
    parent_id: Option<i64>,
    name: String,
    // Where the span sits is placed again when read.
    #[serde(default, rename = "stage")]
    _stage: IgnoredAny,
    #[serde(default, rename = "depth")]
    _depth: IgnoredAny,
    tier: String,
    #[serde(default)]
    component: Option<String>,
    start_s: Option<f64>,
    end_s: Option<f64>,
    ok: bool,
    #[serde(default)]
    attributes: Attributes,
    #[serde(default = "one")]
    calls: u64,
    #[serde(default)]
    failed_calls: u64,
    #[serde(default)]
    total_s: Option<f64>,
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
                attributes: &span.attributes,
                calls: span.calls,
                failed_calls: span.failed_calls,
                total_s: span.total_s,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stored<'a>(attributes: &'a Attributes, calls: u64) -> Stored<'a> {
        Stored {
            span_id: 2,
            parent_id: Some(1),
            name: "parse",
            stage: Some(7),
            depth: 1,
            tier: "method",
            component: Some("reader"),
            start_s: 0.25,
            end_s: f64::NAN,
            ok: calls < 3,
            attributes,
            calls,
            failed_calls: u64::from(calls >= 3),
            total_s: (calls != 1).then_some(0.5),
        }
    }

    #[test]
    fn a_span_is_stored_as_an_array_with_the_aggregate_fields_only_for_an_aggregate() {
        let attributes = Attributes::from([("db.system".to_string(), "sqlite".to_string())]);
        let plain = to_json(&stored(&attributes, 1)).unwrap();
        assert_eq!(
            plain,
            r#"[2,1,"parse",7,1,"method","reader",0.25,null,true,{"db.system":"sqlite"}]"#
        );
        let aggregate = to_json(&stored(&attributes, 3)).unwrap();
        assert_eq!(
            aggregate,
            r#"[2,1,"parse",7,1,"method","reader",0.25,null,false,{"db.system":"sqlite"},3,1,0.5]"#
        );
        let back = decode(Some(&format!("[{plain},{aggregate}]")), String::new).unwrap();
        assert_eq!(
            (back[0].calls, back[0].failed_calls, back[0].total_s),
            (1, 0, None)
        );
        assert_eq!(
            (back[1].calls, back[1].failed_calls, back[1].total_s),
            (3, 1, Some(0.5))
        );
        assert!(back[0].end_s.is_nan() && back[0].start_s == 0.25);
        assert_eq!(back[1].attributes, attributes);
    }

    /// Rows written before the array form (an object per span, these
    /// names as keys) read the same as the array form.
    #[test]
    fn spans_stored_as_objects_read_as_the_same_spans_as_arrays() {
        let objects = r#"[{"span_id":1,"name":"run","stage":1,"depth":0,"tier":"system","start_s":0.0,"end_s":1.5,"ok":true},
            {"span_id":2,"parent_id":1,"name":"parse","stage":null,"depth":1,"tier":"method","component":"reader","start_s":null,"end_s":0.75,"ok":false,"calls":4,"failed_calls":1,"total_s":0.5,"attributes":{"k":"v"}}]"#;
        let arrays = r#"[[1,null,"run",1,0,"system",null,0.0,1.5,true,{}],
            [2,1,"parse",null,1,"method","reader",null,0.75,false,{"k":"v"},4,1,0.5]]"#;
        let (a, b) = (
            decode(Some(objects), String::new).unwrap(),
            decode(Some(arrays), String::new).unwrap(),
        );
        assert_eq!(
            format!("{a:?}"),
            format!("{b:?}"),
            "NaN compares unequal: compare as text"
        );
        assert_eq!(b[1].parent, Some(1));
        assert!(b[1].start_s.is_nan());
    }
}
