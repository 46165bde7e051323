//! From span records to the model's spans, counters and gauges.
//!
//! Pure: no I/O, no clock. The rules:
//!
//! * String ids become `u64`s numbered from 1 in record order. A second
//!   record with an id already seen is dropped (`duplicate id`).
//! * Times become seconds since the command was spawned.
//! * A record whose end precedes its start is dropped (`end before start`);
//!   so is an aggregate of zero calls (`aggregate without calls`).
//! * A tier that is not one of `system`, `component`, `method`,
//!   `operation` drops the record (`unknown tier`): a misspelled tier is an
//!   instrumentation bug worth seeing, not something to guess. Children of
//!   a dropped record are attached to its nearest kept ancestor, so one bad
//!   record does not flatten the tree under it.
//! * A parent that never arrived makes the span a root, counted as
//!   `unknown parent` (the span itself is kept); so does a span that is its
//!   own parent. A cycle of parents is counted as `parent cycle` and cut
//!   by the rules every perfwatch crate shares
//!   ([`perfwatch_model::span_tree`]): the span of the cycle recorded first
//!   (smallest id) becomes a root.
//! * Without a tier, the tier follows from nesting depth
//!   ([`Tier::from_depth`]).
//! * `agg` records become one span with `calls`, `failed_calls` and
//!   `total_s`; it is ok when none of its calls failed. A writer may flush
//!   one aggregate in parts under the same id (each part holding the calls
//!   since the previous one): parts are merged — calls, failures and time
//!   summed, the earliest start and the latest end kept.
//! * Counters are summed per name, and per span (as the span attribute
//!   `counter.<name>`) when they name a kept span. Gauges keep their last
//!   reading under their name (the most recent `unix_ns`; record order
//!   when times are missing or equal) and their extremes under
//!   `<name>.min` and `<name>.max`.

use crate::source::is_span;
use perfwatch_model::span_file::{CompactString, SpanRecord};
use perfwatch_model::span_tree::{place, TreeNode};
use perfwatch_model::{Attributes, Span, Tier};
use std::collections::{BTreeMap, HashMap};

/// Spans, counters and gauges of one iteration, and what was dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assembled {
    /// Spans in record order.
    pub spans: Vec<Span>,
    /// Counter totals by name.
    pub counters: BTreeMap<String, f64>,
    /// Last gauge readings by name, with `<name>.min` and `<name>.max`.
    pub gauges: BTreeMap<String, f64>,
    /// Records (or links) that could not be used, by reason.
    pub dropped: BTreeMap<String, u64>,
}

/// A span or aggregate record, before ids are resolved.
struct Node {
    parent: Option<CompactString>,
    span: Span,
    tier: Option<Tier>,
}

/// Most calls an aggregate record may count: exactly representable as a
/// float (statistics) and as a signed 64-bit integer (the store). A record
/// beyond it is dropped as `count out of range`; merged parts stop there.
pub const MAX_CALLS: u64 = 1 << 53;

/// How far before the spawn or after now a span's times may lie (clock
/// adjustments); a span outside is not of this iteration and is dropped as
/// `times outside the iteration`.
pub const TIME_SLACK_NS: u64 = 5_000_000_000;

/// Fold a later part of an aggregate record into the first.
fn merge_agg(into: &mut Span, part: &Span) {
    into.calls = into.calls.saturating_add(part.calls).min(MAX_CALLS);
    into.failed_calls = into
        .failed_calls
        .saturating_add(part.failed_calls)
        .min(into.calls);
    into.total_s = Some(into.total_s.unwrap_or(0.0) + part.total_s.unwrap_or(0.0));
    into.start_s = into.start_s.min(part.start_s);
    into.end_s = into.end_s.max(part.end_s);
    into.ok = into.failed_calls == 0;
}

/// Fewest records whose buffer is shrunk as they are taken.
const SHRINK_ABOVE: usize = 4096;

/// Assemble `records` of a command spawned at `spawn_unix_ns`.
pub fn assemble(mut records: Vec<SpanRecord>, spawn_unix_ns: u64) -> Assembled {
    let mut out = Assembled::default();
    let mut count_drop = |reason: &str| *out.dropped.entry(reason.to_string()).or_default() += 1;
    // Sized for every record at once: a million spans grown by doubling
    // would hold up to twice their size.
    let spans = records.iter().filter(|r| is_span(r)).count();
    let mut nodes: Vec<Node> = Vec::with_capacity(spans);
    let mut index: HashMap<CompactString, usize> = HashMap::with_capacity(spans);
    // Dropped span records: id → parent, to re-attach their children.
    let mut skipped: HashMap<CompactString, Option<CompactString>> = HashMap::new();
    let mut counters = Vec::new();
    let mut gauges = Vec::new();
    // Ids of aggregate records, whose later parts merge into the first.
    let mut agg_ids: std::collections::HashSet<CompactString> = std::collections::HashSet::new();
    let secs = |ns: u64| (i128::from(ns) - i128::from(spawn_unix_ns)) as f64 / 1e9;
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(u64::MAX, |d| {
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
        });
    let within = |start: u64, end: u64| {
        start >= spawn_unix_ns.saturating_sub(TIME_SLACK_NS)
            && end <= now_ns.max(spawn_unix_ns).saturating_add(TIME_SLACK_NS)
    };

    // Taken from the back of the reversed list, whose buffer shrinks as it
    // empties: the records and the nodes made of them are never both held
    // whole (a million records is ~170 MB).
    records.reverse();
    records.shrink_to_fit();
    while let Some(record) = records.pop() {
        if records.len() < records.capacity() / 2 && records.capacity() > SHRINK_ABOVE {
            records.shrink_to_fit();
        }
        let (id, parent, tier, span) = match record {
            SpanRecord::Counter { name, value, span } => {
                counters.push((name, value, span));
                continue;
            }
            SpanRecord::Gauge {
                name,
                value,
                unix_ns,
            } => {
                gauges.push((name, value, unix_ns));
                continue;
            }
            SpanRecord::Span {
                id,
                parent,
                name,
                tier,
                component,
                start_unix_ns,
                end_unix_ns,
                ok,
                attrs,
            } => {
                if !within(start_unix_ns, end_unix_ns) {
                    count_drop("times outside the iteration");
                    skipped.entry(id).or_insert(parent);
                    continue;
                }
                let span = new_span(name, component, secs(start_unix_ns), secs(end_unix_ns));
                (
                    id,
                    parent,
                    tier,
                    Span {
                        ok,
                        attributes: attrs,
                        ..span
                    },
                )
            }
            SpanRecord::Agg {
                id,
                parent,
                name,
                tier,
                component,
                start_unix_ns,
                end_unix_ns,
                calls,
                failed,
                total_ns,
            } => {
                if !within(start_unix_ns, end_unix_ns) {
                    count_drop("times outside the iteration");
                    skipped.entry(id).or_insert(parent);
                    continue;
                }
                if calls > MAX_CALLS {
                    count_drop("count out of range");
                    skipped.entry(id).or_insert(parent);
                    continue;
                }
                let span = new_span(name, component, secs(start_unix_ns), secs(end_unix_ns));
                if calls == 0 {
                    count_drop("aggregate without calls");
                    skipped.entry(id).or_insert(parent);
                    continue;
                }
                let agg = Span {
                    ok: failed == 0,
                    calls,
                    failed_calls: failed.min(calls),
                    total_s: Some(total_ns as f64 / 1e9),
                    ..span
                };
                if let Some(&i) = index.get(&id).filter(|_| agg_ids.contains(&id)) {
                    merge_agg(&mut nodes[i].span, &agg);
                    continue;
                }
                agg_ids.insert(id.clone());
                (id, parent, tier, agg)
            }
        };
        if index.contains_key(&id) || skipped.contains_key(&id) {
            count_drop("duplicate id");
            continue;
        }
        let tier = match tier.map(|t| t.parse::<Tier>()) {
            Some(Err(_)) => {
                count_drop("unknown tier");
                skipped.insert(id, parent);
                continue;
            }
            Some(Ok(t)) => Some(t),
            None => None,
        };
        if span.end_s < span.start_s {
            count_drop("end before start");
            skipped.insert(id, parent);
            continue;
        }
        index.insert(id, nodes.len());
        nodes.push(Node { parent, span, tier });
    }

    // Resolve parents to node indices, skipping dropped records.
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(nodes.len());
    for (at, node) in nodes.iter().enumerate() {
        let mut link = node.parent.clone();
        let mut hops = 0;
        let resolved = loop {
            match link {
                None => break None,
                Some(ref p) => {
                    match index.get(p) {
                        // Its own parent (directly or through dropped
                        // records).
                        Some(&i) if i == at => {
                            count_drop("unknown parent");
                            break None;
                        }
                        Some(&i) => break Some(i),
                        None => {}
                    }
                    match skipped.get(p) {
                        Some(next) if hops < skipped.len() => {
                            link = next.clone();
                            hops += 1;
                        }
                        _ => {
                            count_drop("unknown parent");
                            break None;
                        }
                    }
                }
            }
        };
        parents.push(resolved);
    }
    // Ids are numbered from 1 in record order; the one span-tree placement
    // cuts cycles and gives depths.
    let tree_nodes: Vec<TreeNode<'_>> = nodes
        .iter()
        .zip(&parents)
        .enumerate()
        .map(|(i, (node, p))| TreeNode {
            id: i as u64 + 1,
            parent: p.map(|p| p as u64 + 1),
            name: &node.span.name,
        })
        .collect();
    let tree = place(&tree_nodes);
    for _ in 0..tree.cycles_cut {
        count_drop("parent cycle");
    }

    for (i, (node, placed)) in nodes.iter_mut().zip(&tree.placements).enumerate() {
        node.span.id = i as u64 + 1;
        node.span.parent = placed.parent.map(|p| p as u64 + 1);
        let depth = placed.depth as usize;
        node.span.tier = node.tier.unwrap_or_else(|| Tier::from_depth(depth));
    }
    for (name, value, span) in counters {
        let total = out.counters.get(&name).copied().unwrap_or(0.0) + value;
        if !total.is_finite() {
            // 1e308 + 1e308: a total no figure can hold.
            count_drop("counter total out of range");
            continue;
        }
        out.counters.insert(name.clone(), total);
        if let Some(&i) = span.as_ref().and_then(|s| index.get(s)) {
            let attrs = &mut nodes[i].span.attributes;
            let key = format!("counter.{name}");
            let before: f64 = attrs.get(&key).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            attrs.insert(key, (before + value).to_string());
        }
    }
    let mut latest: HashMap<String, Option<u64>> = HashMap::new();
    for (name, value, at) in gauges {
        let newer = match (latest.get(&name), at) {
            (Some(Some(prev)), Some(t)) => t >= *prev,
            _ => true,
        };
        if newer {
            out.gauges.insert(name.clone(), value);
            latest.insert(name.clone(), at);
        }
        let min = out.gauges.entry(format!("{name}.min")).or_insert(value);
        *min = min.min(value);
        let max = out.gauges.entry(format!("{name}.max")).or_insert(value);
        *max = max.max(value);
    }
    out.spans = nodes.into_iter().map(|n| n.span).collect();
    out
}

fn new_span(name: CompactString, component: Option<String>, start_s: f64, end_s: f64) -> Span {
    Span {
        id: 0,
        parent: None,
        name: name.into_string(),
        tier: Tier::System,
        component,
        start_s,
        end_s,
        ok: true,
        calls: 1,
        failed_calls: 0,
        total_s: None,
        attributes: Attributes::new(),
    }
}

#[cfg(test)]
mod tests;
