//! Span rows: one per stage call of an iteration, with its path.

use super::fail::{json, to_json, Fail, R};
use perfwatch_model::{Span, Tier};
use rusqlite::{params, Connection};
use std::collections::{BTreeMap, HashMap};

/// Where a span sits in its iteration's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Names from the root to the span, joined by `/`.
    pub path: String,
    /// Ancestors found in the iteration (0 for a root).
    pub depth: u32,
}

/// Places every span of one iteration. A parent id that names no span of
/// the iteration makes a root; a cycle of parents is cut where it closes.
pub fn placements(spans: &[Span]) -> Vec<Placement> {
    let by_id: HashMap<u64, usize> = spans
        .iter()
        .enumerate()
        .rev() // the first span wins when ids repeat
        .map(|(i, s)| (s.id, i))
        .collect();
    let mut done: Vec<Option<Placement>> = vec![None; spans.len()];
    // `walked[i] == start` marks span i as on the chain walked from `start`.
    let mut walked = vec![usize::MAX; spans.len()];
    for start in 0..spans.len() {
        // Walk up to a placed ancestor, a root or a cycle, then place the
        // chain top-down.
        let mut chain = vec![start];
        walked[start] = start;
        let mut above: Option<Placement> = None;
        let mut cur = start;
        while done[cur].is_none() {
            let parent = spans[cur].parent.and_then(|p| by_id.get(&p).copied());
            match parent {
                Some(p) if done[p].is_some() => {
                    above = done[p].clone();
                    break;
                }
                Some(p) if walked[p] != start => {
                    walked[p] = start;
                    chain.push(p);
                    cur = p;
                }
                _ => break,
            }
        }
        for &i in chain.iter().rev() {
            if done[i].is_some() {
                above = done[i].clone();
                continue;
            }
            let placed = match &above {
                Some(a) => Placement {
                    path: format!("{}/{}", a.path, spans[i].name),
                    depth: a.depth + 1,
                },
                None => Placement {
                    path: spans[i].name.clone(),
                    depth: 0,
                },
            };
            above = Some(placed.clone());
            done[i] = Some(placed);
        }
    }
    done.into_iter().flatten().collect()
}

/// Inserts the spans of one iteration.
pub fn insert(conn: &Connection, session_id: &str, index: u32, spans: &[Span]) -> R<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO spans (session_id, iteration_idx, pos, span_id, parent_id, name, path,
             depth, tier, component, start_s, end_s, duration_s, ok, calls, failed_calls,
             total_s, attributes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for (pos, (span, place)) in spans.iter().zip(placements(spans)).enumerate() {
        stmt.execute(params![
            session_id,
            index,
            pos as i64,
            // Ids are opaque 64-bit values: stored bit for bit.
            span.id as i64,
            span.parent.map(|p| p as i64),
            span.name,
            place.path,
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

/// Every span of a session, grouped by iteration index, in stored order.
pub fn load(conn: &Connection, session_id: &str) -> R<BTreeMap<u32, Vec<Span>>> {
    let mut stmt = conn.prepare(
        "SELECT iteration_idx, pos, span_id, parent_id, name, tier, component, start_s, end_s,
             ok, calls, failed_calls, total_s, attributes
         FROM spans WHERE session_id = ?1 ORDER BY iteration_idx, pos",
    )?;
    let mut rows = stmt.query([session_id])?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, parent: Option<u64>, name: &str) -> Span {
        Span {
            id,
            parent,
            name: name.to_string(),
            tier: Tier::Method,
            component: None,
            start_s: 0.0,
            end_s: 1.0,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: BTreeMap::new(),
        }
    }

    fn paths(spans: &[Span]) -> Vec<(String, u32)> {
        placements(spans)
            .into_iter()
            .map(|p| (p.path, p.depth))
            .collect()
    }

    #[test]
    fn nested_spans_get_their_path_whatever_the_order() {
        let spans = [
            span(3, Some(2), "parse"),
            span(1, None, "job"),
            span(2, Some(1), "load"),
            span(4, Some(1), "save"),
        ];
        let expected = [
            ("job/load/parse", 2),
            ("job", 0),
            ("job/load", 1),
            ("job/save", 1),
        ];
        let expected: Vec<_> = expected.iter().map(|(p, d)| (p.to_string(), *d)).collect();
        assert_eq!(paths(&spans), expected);
    }

    #[test]
    fn unknown_parents_make_roots_and_cycles_are_cut() {
        let spans = [
            span(1, Some(99), "orphan"),
            span(5, Some(6), "a"),
            span(6, Some(5), "b"),
        ];
        let got = paths(&spans);
        assert_eq!(got[0], ("orphan".to_string(), 0));
        // The cycle a → b → a is cut at the span where the walk started.
        assert_eq!(got[1], ("b/a".to_string(), 1));
        assert_eq!(got[2], ("b".to_string(), 0));
    }

    #[test]
    fn a_deep_chain_is_placed_without_recursion() {
        let spans: Vec<Span> = (0..2_000u64)
            .map(|i| span(i, i.checked_sub(1), "s"))
            .rev()
            .collect();
        let placed = placements(&spans);
        assert_eq!(placed[0].depth, 1_999);
        assert_eq!(placed[1_999].path, "s");
    }
}
