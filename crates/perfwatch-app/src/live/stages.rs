//! The current iteration's stages as their calls close: each call placed
//! on its stage path (its ancestors' names), calls of one path summed.
//!
//! A span is written when it closes, so a child usually arrives before
//! its parent: its path is known only once every ancestor has closed.
//! Until then (at most [`MAX_PENDING`] such calls) it is shown under the
//! part of its path that is known, after `…/` (`…/track/fetch`), and it
//! moves to its own path as soon as the last ancestor closes.

use perfwatch_model::live::{LiveStage, MAX_STAGES};
use perfwatch_model::span_file::SpanRecord;
use perfwatch_model::stage::Span;
use perfwatch_model::stage_path::join_path;
use std::collections::HashMap;

/// Calls whose ancestors have not all closed kept at most; older ones are
/// left out of the live view (the stored iteration has them all).
pub const MAX_PENDING: usize = 10_000;

/// Span ids remembered at most, to place children under their parents.
pub const MAX_KNOWN: usize = 200_000;

/// One closed call (or several folded), as the table needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Its id, unique within the iteration.
    pub id: String,
    /// Its parent's id.
    pub parent: Option<String>,
    /// Its stage name.
    pub name: String,
    /// When it started, in any unit that orders the calls.
    pub start: f64,
    /// Calls folded into it.
    pub calls: u64,
    /// Their summed duration, seconds.
    pub total_s: f64,
    /// Whether one failed.
    pub failed: bool,
}

impl Call {
    /// The call of a span-file line; `None` for counters and gauges.
    pub fn from_record(record: &SpanRecord) -> Option<Call> {
        match record {
            SpanRecord::Span {
                id,
                parent,
                name,
                start_unix_ns,
                end_unix_ns,
                ok,
                ..
            } => Some(Call {
                id: id.to_string(),
                parent: parent.as_ref().map(|p| p.to_string()),
                name: name.to_string(),
                start: *start_unix_ns as f64,
                calls: 1,
                total_s: end_unix_ns.saturating_sub(*start_unix_ns) as f64 / 1e9,
                failed: !ok,
            }),
            SpanRecord::Agg {
                id,
                parent,
                name,
                start_unix_ns,
                calls,
                failed,
                total_ns,
                ..
            } => Some(Call {
                id: id.to_string(),
                parent: parent.as_ref().map(|p| p.to_string()),
                name: name.to_string(),
                start: *start_unix_ns as f64,
                calls: *calls,
                total_s: *total_ns as f64 / 1e9,
                failed: *failed > 0,
            }),
            SpanRecord::Counter { .. } | SpanRecord::Gauge { .. } => None,
        }
    }

    /// The call of a stored iteration's span.
    pub fn from_span(span: &Span) -> Call {
        Call {
            id: span.id.to_string(),
            parent: span.parent.map(|p| p.to_string()),
            name: span.name.clone(),
            start: span.start_s,
            calls: span.calls,
            total_s: span.total_s.unwrap_or(span.end_s - span.start_s).max(0.0),
            failed: !span.ok || span.failed_calls > 0,
        }
    }
}

/// The stages of one iteration so far.
#[derive(Debug, Default, Clone)]
pub struct StageTable {
    /// Each known span's parent and name, by id.
    known: HashMap<String, (Option<String>, String)>,
    /// Calls waiting for an ancestor to close.
    pending: Vec<Call>,
    /// Each stage with the earliest start of its calls.
    stages: Vec<(f64, LiveStage)>,
    /// Where each path sits in `stages`.
    by_path: HashMap<String, usize>,
}

impl StageTable {
    /// An empty table.
    pub fn new() -> StageTable {
        StageTable::default()
    }

    /// Adds closed calls; places every call whose ancestors are known.
    pub fn add(&mut self, calls: impl IntoIterator<Item = Call>) {
        for call in calls {
            if self.known.len() < MAX_KNOWN {
                self.known
                    .insert(call.id.clone(), (call.parent.clone(), call.name.clone()));
            }
            self.pending.push(call);
        }
        let pending = std::mem::take(&mut self.pending);
        for call in pending {
            match self.path_of(&call) {
                Some(path) => self.place(path, &call),
                None => self.pending.push(call),
            }
        }
        if self.pending.len() > MAX_PENDING {
            let extra = self.pending.len() - MAX_PENDING;
            self.pending.drain(..extra);
        }
    }

    /// The stages, in the order their first calls started (at most
    /// [`MAX_STAGES`]); calls whose path is not known whole yet under
    /// `…/` and the part that is.
    pub fn stages(&self) -> Vec<LiveStage> {
        let mut provisional = (Vec::new(), HashMap::new());
        for call in &self.pending {
            let (names, _) = self.known_path(call);
            let depth = names.len() as u32;
            let path = format!("…/{}", join_path(names));
            add_call(&mut provisional, path, depth, call);
        }
        let mut all: Vec<&(f64, LiveStage)> =
            self.stages.iter().chain(provisional.0.iter()).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
        all.into_iter()
            .take(MAX_STAGES)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// The names from the root down to `call`, once every ancestor is
    /// known; `None` before (or for a cycle).
    fn path_of(&self, call: &Call) -> Option<Vec<String>> {
        match self.known_path(call) {
            (names, true) => Some(names),
            (_, false) => None,
        }
    }

    /// The names from the highest known ancestor down to `call`, and
    /// whether that ancestor is a root.
    fn known_path(&self, call: &Call) -> (Vec<String>, bool) {
        let mut names = vec![call.name.clone()];
        let mut parent = call.parent.clone();
        let mut whole = true;
        while let Some(id) = parent {
            let Some((grand, name)) = self.known.get(&id) else {
                whole = false;
                break;
            };
            names.push(name.clone());
            if names.len() > 64 {
                whole = false;
                break;
            }
            parent = grand.clone();
        }
        names.reverse();
        (names, whole)
    }

    fn place(&mut self, names: Vec<String>, call: &Call) {
        let depth = names.len().saturating_sub(1) as u32;
        let path = join_path(names);
        let mut table = (
            std::mem::take(&mut self.stages),
            std::mem::take(&mut self.by_path),
        );
        add_call(&mut table, path, depth, call);
        (self.stages, self.by_path) = table;
    }
}

/// Stages with the earliest start of their calls, and where each path
/// sits among them.
type Table = (Vec<(f64, LiveStage)>, HashMap<String, usize>);

/// Adds `call` to the stage of `path` in `table` (made when missing).
fn add_call(table: &mut Table, path: String, depth: u32, call: &Call) {
    let (stages, by_path) = table;
    let i = match by_path.get(&path) {
        Some(&i) => i,
        None => {
            stages.push((
                call.start,
                LiveStage {
                    path: path.clone(),
                    depth,
                    calls: 0,
                    total_s: 0.0,
                    failed: false,
                },
            ));
            by_path.insert(path, stages.len() - 1);
            stages.len() - 1
        }
    };
    let (start, stage) = &mut stages[i];
    *start = start.min(call.start);
    stage.calls += call.calls;
    stage.total_s += call.total_s;
    stage.failed |= call.failed;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: &str, parent: Option<&str>, name: &str, start: f64, total_s: f64) -> Call {
        Call {
            id: id.into(),
            parent: parent.map(Into::into),
            name: name.into(),
            start,
            calls: 1,
            total_s,
            failed: false,
        }
    }

    fn paths(t: &StageTable) -> Vec<(String, u32, u64)> {
        t.stages()
            .into_iter()
            .map(|s| (s.path, s.depth, s.calls))
            .collect()
    }

    #[test]
    fn a_child_shows_under_the_known_part_of_its_path_until_its_parent_closes() {
        let mut t = StageTable::new();
        t.add([call("1-3", Some("1-2"), "fetch", 2.0, 0.5)]);
        assert_eq!(paths(&t), [("…/fetch".into(), 1, 1)]);
        t.add([call("1-2", Some("1-1"), "track", 1.5, 1.0)]);
        assert_eq!(
            paths(&t),
            [("…/track".into(), 1, 1), ("…/track/fetch".into(), 2, 1)]
        );
        t.add([call("1-1", None, "job", 1.0, 3.0)]);
        assert_eq!(
            paths(&t),
            [
                ("job".into(), 0, 1),
                ("job/track".into(), 1, 1),
                ("job/track/fetch".into(), 2, 1)
            ]
        );
        let mut t = StageTable::new();
        t.add([call("1-2", Some("1-1"), "fetch", 2.0, 0.5)]);
        t.add([call("1-1", None, "job", 1.0, 3.0)]);
        assert_eq!(
            paths(&t),
            [("job".into(), 0, 1), ("job/fetch".into(), 1, 1)]
        );
    }

    #[test]
    fn calls_of_one_path_are_summed_and_stages_ordered_by_first_start() {
        let mut t = StageTable::new();
        t.add([
            call("r", None, "job", 0.0, 9.0),
            call("b", Some("r"), "decode", 5.0, 1.0),
            call("a1", Some("r"), "fetch", 1.0, 0.25),
            call("a2", Some("r"), "fetch", 3.0, 0.5),
        ]);
        let stages = t.stages();
        assert_eq!(
            stages.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
            ["job", "job/fetch", "job/decode"]
        );
        assert_eq!(stages[1].calls, 2);
        assert!((stages[1].total_s - 0.75).abs() < 1e-12);
    }

    #[test]
    fn an_aggregate_record_counts_all_its_calls() {
        let line = r#"{"type":"agg","id":"4-3","name":"parse","start_unix_ns":1000,"end_unix_ns":5000,"calls":100,"failed":1,"total_ns":2000000000}"#;
        let record: SpanRecord = serde_json::from_str(line).unwrap();
        let c = Call::from_record(&record).unwrap();
        assert_eq!((c.calls, c.total_s, c.failed), (100, 2.0, true));
        let counter: SpanRecord =
            serde_json::from_str(r#"{"type":"counter","name":"hits","value":1}"#).unwrap();
        assert_eq!(Call::from_record(&counter), None);
    }
}
