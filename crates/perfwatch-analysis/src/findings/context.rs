//! What the rules read: per variant, the counted runs with their calls
//! keyed by stage path.
//!
//! A stage's **path** is the names from the root down to it joined by `/`,
//! placed by [`perfwatch_model::span_tree`] (unknown parents make roots,
//! loops are cut), so every span gets a path; spans folded into an
//! ancestor's stage (nested too deep) are not calls of their own. Only **counted** iterations ([`Iteration::counts`]: no warm-ups, no
//! timeouts) are runs; non-finite durations are skipped.

use super::timeline::CpuAcc;
use perfwatch_model::span_tree::place_spans;
use perfwatch_model::{Iteration, Span, VariantExport};
use perfwatch_stats::median;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// One call of a stage (one span) within a run.
pub(crate) struct Call<'a> {
    /// The span.
    pub span: &'a Span,
    /// Its stage path, shared by every call of the stage.
    pub path: Arc<str>,
    /// Index of the parent call in the run, if known.
    pub parent: Option<usize>,
    /// Summed duration of the direct children.
    pub children_s: f64,
}

impl Call<'_> {
    /// Time in the call, seconds.
    pub fn duration(&self) -> f64 {
        self.span.duration_s()
    }

    /// A single call rather than an aggregated record.
    pub fn single(&self) -> bool {
        self.span.calls <= 1 && self.span.total_s.is_none()
    }
}

/// One counted iteration and its calls, ordered by start time.
pub(crate) struct Run<'a> {
    /// The iteration.
    pub it: &'a Iteration,
    /// Every span with its path.
    pub calls: Vec<Call<'a>>,
    /// Indices into `calls` by stage path.
    by_path: HashMap<Arc<str>, Vec<usize>>,
    /// The direct children of each call, in start order.
    children: Children,
}

impl<'a> Run<'a> {
    /// Builds the calls of one iteration.
    pub fn new(it: &'a Iteration) -> Self {
        // Parents and paths follow the one span-tree placement (escaping,
        // cycles, duplicate ids), so a finding names a stage exactly as the
        // stage table does.
        // Spans folded into an ancestor's stage are no calls of their own:
        // their time is the ancestor's (a folded span's descendants are
        // folded too, so no call loses its parent).
        let placed = place_spans(&it.stages);
        let mut indexed: Vec<(usize, &Span)> = it
            .stages
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                !placed.placements[*i].folded && s.duration_s().is_finite() && s.start_s.is_finite()
            })
            .collect();
        indexed.sort_by(|(_, a), (_, b)| a.start_s.total_cmp(&b.start_s).then(a.id.cmp(&b.id)));
        let spans: Vec<&Span> = indexed.iter().map(|(_, s)| *s).collect();
        // Record index → position among the calls.
        let mut position: Vec<Option<usize>> = vec![None; it.stages.len()];
        for (k, (i, _)) in indexed.iter().enumerate() {
            position[*i] = Some(k);
        }
        let parents: Vec<Option<usize>> = indexed
            .iter()
            .map(|(i, _)| placed.placements[*i].parent.and_then(|p| position[p]))
            .collect();
        // One allocation per stage, not per call: a run may hold a
        // million calls of one stage.
        let stage_paths: Vec<Arc<str>> =
            placed.stages.iter().map(|s| Arc::from(&*s.path)).collect();
        let paths: Vec<Arc<str>> = indexed
            .iter()
            .map(|(i, _)| Arc::clone(&stage_paths[placed.placements[*i].stage]))
            .collect();
        // What only served to build the calls goes before they are made.
        drop((indexed, position, placed));
        let mut children_s = vec![0.0; spans.len()];
        for (i, p) in parents.iter().enumerate() {
            if let Some(p) = *p {
                children_s[p] += spans[i].duration_s();
            }
        }
        let calls: Vec<Call> = spans
            .iter()
            .zip(paths)
            .enumerate()
            .map(|(i, (span, path))| Call {
                span,
                path,
                parent: parents[i],
                children_s: children_s[i],
            })
            .collect();
        let mut by_path: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for (i, c) in calls.iter().enumerate() {
            by_path.entry(Arc::clone(&c.path)).or_default().push(i);
        }
        let children = Children::new(&parents);
        Run {
            it,
            calls,
            by_path,
            children,
        }
    }

    /// The direct children of call `i`, in start order.
    pub fn children_of<'s>(&'s self, i: usize) -> impl Iterator<Item = &'s Call<'a>> + 's {
        self.children.of(i).iter().map(move |&k| &self.calls[k])
    }

    /// Indices into `calls` of one stage's calls, in start order.
    pub fn indices_of<'s>(&'s self, path: &str) -> impl Iterator<Item = usize> + 's {
        self.by_path.get(path).into_iter().flatten().copied()
    }

    /// The calls of one stage, in start order.
    pub fn calls_of<'s>(&'s self, path: &str) -> impl Iterator<Item = &'s Call<'a>> + 's {
        self.by_path
            .get(path)
            .into_iter()
            .flatten()
            .map(move |&i| &self.calls[i])
    }

    /// Seconds spent in a stage in this run (0 when it did not occur).
    pub fn total(&self, path: &str) -> f64 {
        self.calls_of(path).map(Call::duration).sum()
    }

    /// Self seconds of a stage in this run: total minus direct children.
    pub fn self_total(&self, path: &str) -> f64 {
        self.calls_of(path)
            .map(|c| (c.duration() - c.children_s).max(0.0))
            .sum()
    }

    /// User + system CPU seconds, when both were measured.
    pub fn cpu_s(&self) -> Option<f64> {
        Some(self.it.user_s? + self.it.sys_s?).filter(|c| c.is_finite())
    }
}

/// The direct children of every call, built once per run so that a rule
/// looking at each call's children costs the number of calls, not its
/// square: all lists back to back, `offsets[i]..offsets[i + 1]` being
/// call `i`'s.
struct Children {
    offsets: Vec<usize>,
    list: Vec<usize>,
}

impl Children {
    /// From each call's parent index; children keep their index order.
    fn new(parents: &[Option<usize>]) -> Self {
        let mut offsets = vec![0usize; parents.len() + 1];
        for p in parents.iter().flatten() {
            offsets[p + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut list = vec![0usize; offsets[parents.len()]];
        for (i, p) in parents.iter().enumerate() {
            if let Some(p) = *p {
                list[next[p]] = i;
                next[p] += 1;
            }
        }
        Children { offsets, list }
    }

    /// The children of call `i` (none for an index out of range).
    fn of(&self, i: usize) -> &[usize] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&lo), Some(&hi)) => &self.list[lo..hi],
            _ => &[],
        }
    }
}

/// One variant as the rules see it.
pub(crate) struct VariantData<'a> {
    /// The variant's name.
    pub name: &'a str,
    /// Counted iterations, in index order.
    pub runs: Vec<Run<'a>>,
    /// Every iteration that did not time out, warm-ups included, in index
    /// order (a cold start shows in the first of them).
    pub finished: Vec<&'a Iteration>,
    /// Every stage path seen in a run, sorted.
    pub paths: Vec<String>,
    /// Median wall seconds of the runs (0 without runs).
    pub wall_median: f64,
    /// The parameter values of a scan's variant, as the session's
    /// `VariantSpec` has them (empty outside a scan).
    pub parameters: &'a [(String, String)],
    /// A service's figures over the counted runs: the variant's summary
    /// (as every renderer shows it), or one made from its runs when the
    /// export came without it.
    pub service: Option<std::borrow::Cow<'a, perfwatch_model::ServiceSummary>>,
}

impl<'a> VariantData<'a> {
    /// Prepares one variant.
    pub fn new(v: &'a VariantExport) -> Self {
        let mut its: Vec<&Iteration> = v.iterations.iter().collect();
        its.sort_by_key(|it| it.index);
        let runs: Vec<Run> = its
            .iter()
            .filter(|it| it.counts() && it.wall_s.is_finite())
            .map(|it| Run::new(it))
            .collect();
        let finished = its
            .iter()
            .copied()
            .filter(|it| !it.timed_out && it.wall_s.is_finite())
            .collect();
        let paths: BTreeSet<String> = runs
            .iter()
            .flat_map(|r| r.by_path.keys().map(|p| p.to_string()))
            .collect();
        let walls: Vec<f64> = runs.iter().map(|r| r.it.wall_s).collect();
        VariantData {
            name: &v.name,
            runs,
            finished,
            paths: paths.into_iter().collect(),
            wall_median: median(&walls).unwrap_or(0.0),
            parameters: &[],
            service: match &v.service {
                Some(s) => Some(std::borrow::Cow::Borrowed(s)),
                None => crate::service_summary::service_summary(&v.iterations)
                    .map(std::borrow::Cow::Owned),
            },
        }
    }

    /// The variant's scan parameters.
    pub fn with_parameters(mut self, parameters: &'a [(String, String)]) -> Self {
        self.parameters = parameters;
        self
    }

    /// Wall seconds per run.
    pub fn walls(&self) -> Vec<f64> {
        self.runs.iter().map(|r| r.it.wall_s).collect()
    }

    /// Durations of the single calls of a stage over all runs.
    pub fn durations(&self, path: &str) -> Vec<f64> {
        self.runs
            .iter()
            .flat_map(|r| r.calls_of(path).filter(|c| c.single()).map(Call::duration))
            .collect()
    }

    /// Seconds in a stage per run (0 for runs without it).
    pub fn totals(&self, path: &str) -> Vec<f64> {
        self.runs.iter().map(|r| r.total(path)).collect()
    }

    /// Mean calls per run, aggregated records counted by their `calls`.
    pub fn calls_per_run(&self, path: &str) -> f64 {
        if self.runs.is_empty() {
            return 0.0;
        }
        let calls: u64 = self
            .runs
            .iter()
            .flat_map(|r| r.calls_of(path).map(|c| c.span.calls.max(1)))
            .sum();
        calls as f64 / self.runs.len() as f64
    }

    /// Median over runs of the stage's share of the run's wall time.
    pub fn share(&self, path: &str) -> f64 {
        let shares: Vec<f64> = self
            .runs
            .iter()
            .filter(|r| r.it.wall_s > 0.0)
            .map(|r| r.total(path) / r.it.wall_s)
            .collect();
        median(&shares).unwrap_or(0.0)
    }

    /// Median over the stage's single calls of self time / duration.
    pub fn self_fraction(&self, path: &str) -> f64 {
        let fractions: Vec<f64> = self
            .runs
            .iter()
            .flat_map(|r| r.calls_of(path))
            .filter(|c| c.single() && c.duration() > 0.0)
            .map(|c| ((c.duration() - c.children_s) / c.duration()).clamp(0.0, 1.0))
            .collect();
        median(&fractions).unwrap_or(0.0)
    }

    /// Mean CPU use of the process tree during the stage's calls, in % of
    /// one core, pooled over all runs; `None` without timeline coverage.
    pub fn cpu_pct(&self, path: &str) -> Option<f64> {
        let mut acc = CpuAcc::default();
        for r in &self.runs {
            for c in r.calls_of(path) {
                acc.add(&r.it.timeline, c.span.start_s, c.span.end_s);
            }
        }
        acc.mean()
    }
}

/// Mean and sample standard deviation (0 for one value); `None` when empty.
pub(crate) fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return Some((mean, 0.0));
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some((mean, var.sqrt()))
}

/// Whether `path` lies strictly below `ancestor`.
pub(crate) fn is_below(path: &str, ancestor: &str) -> bool {
    path.len() > ancestor.len() + 1
        && path.starts_with(ancestor)
        && path.as_bytes()[ancestor.len()] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::Tier;

    fn span(id: u64, parent: Option<u64>, name: &str, start: f64, end: f64) -> Span {
        Span {
            id,
            parent,
            name: name.into(),
            tier: Tier::Method,
            component: None,
            start_s: start,
            end_s: end,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: Default::default(),
        }
    }

    #[test]
    fn paths_follow_parents_and_unknown_parents_are_roots() {
        let it = Iteration {
            wall_s: 1.0,
            stages: vec![
                span(2, Some(1), "fetch", 0.1, 0.3),
                span(1, None, "job", 0.0, 1.0),
                span(3, Some(99), "orphan", 0.5, 0.6),
                span(4, Some(2), "dns", 0.1, 0.2),
            ],
            ..Default::default()
        };
        let run = Run::new(&it);
        let paths: Vec<&str> = run.calls.iter().map(|c| &*c.path).collect();
        assert_eq!(paths, ["job", "job/fetch", "job/fetch/dns", "orphan"]);
        assert!((run.calls[0].children_s - 0.2).abs() < 1e-12);
        assert!((run.self_total("job/fetch") - 0.1).abs() < 1e-12);
    }

    #[test]
    fn parent_loops_are_cut() {
        let it = Iteration {
            stages: vec![
                span(1, Some(2), "a", 0.0, 1.0),
                span(2, Some(1), "b", 0.0, 1.0),
            ],
            ..Default::default()
        };
        let run = Run::new(&it);
        assert_eq!(run.calls.len(), 2);
        // The cycle is cut as the stage statistics cut it, so findings and
        // the stage table name the same paths.
        let mut paths: Vec<&str> = run.calls.iter().map(|c| &*c.path).collect();
        paths.sort();
        let mut expected = crate::stages::span_paths(&it.stages);
        expected.sort();
        assert_eq!(paths, expected);
        assert!(
            paths.iter().any(|p| !p.contains('/')),
            "one span becomes a root"
        );
    }

    #[test]
    fn below_needs_a_separator() {
        assert!(is_below("a/b", "a"));
        assert!(!is_below("ab", "a"));
        assert!(!is_below("a", "a"));
    }
}
