//! Rows as both backends store them: the model's types encoded into
//! columns (figures as numbers, collections as JSON text) and decoded
//! back, so that SQLite and PostgreSQL hold and return the same data.
//!
//! A decoding failure is a message naming the column; each backend wraps
//! it into [`StoreError::Corrupt`](crate::StoreError::Corrupt) with its
//! location.

use perfwatch_model::owner::{Liveness, Owner};
use perfwatch_model::{GitInfo, ImportOrigin, Iteration, Metric, Sample, Session, SessionStatus};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A decoding or encoding failure: what, and why.
pub(crate) type Bad = String;

/// The columns of one `sessions` row, in [`SESSION_COLUMNS`] order.
#[derive(Debug, Clone)]
pub(crate) struct SessionRecord {
    pub id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub benchmark: String,
    pub command: String,
    pub variants: String,
    pub has_git: bool,
    pub git_commit: Option<String>,
    pub git_branch: Option<String>,
    pub git_dirty: Option<bool>,
    pub host: String,
    pub perfwatch_version: String,
    pub status: String,
    pub baseline: Option<String>,
    pub shell_correction: Option<String>,
    pub import_tool: Option<String>,
    pub import_file: Option<String>,
    pub import_sha256: Option<String>,
    pub owner: Option<String>,
    pub updated_at: Option<String>,
    pub adaptive: Option<String>,
    pub program_version: Option<String>,
}

/// The session columns both backends read, in the order of
/// [`SessionRecord`]'s fields (prefixed with the `s.` alias).
pub(crate) const SESSION_COLUMNS: &str = "s.id, s.started_at, s.finished_at, s.benchmark, \
     s.command, s.variants, s.has_git, s.git_commit, s.git_branch, s.git_dirty, s.host, \
     s.perfwatch_version, s.status, s.baseline, s.shell_correction, s.import_tool, \
     s.import_file, s.import_sha256, s.owner, s.updated_at, s.adaptive, s.program_version";

/// How many columns [`SESSION_COLUMNS`] names: a query's own columns
/// follow at this index.
pub(crate) const SESSION_COLUMN_COUNT: usize = 22;

/// The order of "newest first".
pub(crate) const NEWEST_FIRST: &str = "s.started_at DESC, s.seq DESC";

impl SessionRecord {
    /// The columns of a session (its `updated_at` is its start).
    pub fn encode(session: &Session) -> Result<SessionRecord, Bad> {
        let git = session.git.as_ref();
        let imported = session.imported.as_ref();
        Ok(SessionRecord {
            id: session.id.clone(),
            started_at: session.started_at.clone(),
            finished_at: session.finished_at.clone(),
            benchmark: session.benchmark.clone(),
            command: to_json(&session.command)?,
            variants: to_json(&session.variants)?,
            has_git: git.is_some(),
            git_commit: git.and_then(|g| g.commit.clone()),
            git_branch: git.and_then(|g| g.branch.clone()),
            git_dirty: git.map(|g| g.dirty),
            host: to_json(&session.host)?,
            perfwatch_version: session.perfwatch_version.clone(),
            status: session.status.key().to_string(),
            baseline: session.baseline.clone(),
            shell_correction: session.shell_correction.as_ref().map(to_json).transpose()?,
            adaptive: session.adaptive.as_ref().map(to_json).transpose()?,
            import_tool: imported.map(|o| o.tool.clone()),
            import_file: imported.map(|o| o.file.clone()),
            import_sha256: imported.map(|o| o.sha256.clone()),
            owner: session.owner.as_ref().map(to_json).transpose()?,
            updated_at: Some(session.started_at.clone()),
            program_version: session.program_version.clone(),
        })
    }

    /// The session. A `running` session whose owner is known to have died
    /// reads as `abandoned`, finished when it was last written: a reader
    /// does not write, it shows what the next writer will store.
    pub fn decode(self) -> Result<Session, Bad> {
        let id = self.id;
        let what = |column: &str| format!("column `{column}` of session {id}");
        let mut status = SessionStatus::from_key(&self.status)
            .ok_or_else(|| format!("unknown status `{}` of session {id}", self.status))?;
        let owner: Option<Owner> = self
            .owner
            .map(|text| from_json(&text, || what("owner")))
            .transpose()?;
        let mut finished_at = self.finished_at;
        if status == SessionStatus::Running
            && owner
                .as_ref()
                .is_some_and(|o| o.liveness() == Liveness::Dead)
        {
            status = SessionStatus::Abandoned;
            finished_at = self.updated_at.or(finished_at);
        }
        Ok(Session {
            started_at: self.started_at,
            finished_at,
            benchmark: self.benchmark,
            command: from_json(&self.command, || what("command"))?,
            variants: from_json(&self.variants, || what("variants"))?,
            git: self.has_git.then(|| GitInfo {
                commit: self.git_commit,
                branch: self.git_branch,
                dirty: self.git_dirty.unwrap_or(false),
            }),
            host: from_json(&self.host, || what("host"))?,
            perfwatch_version: self.perfwatch_version,
            status,
            baseline: self.baseline,
            shell_correction: self
                .shell_correction
                .map(|text| from_json(&text, || what("shell_correction")))
                .transpose()?,
            imported: match (self.import_tool, self.import_file, self.import_sha256) {
                (Some(tool), Some(file), Some(sha256)) => Some(ImportOrigin { tool, file, sha256 }),
                _ => None,
            },
            adaptive: self
                .adaptive
                .map(|text| from_json(&text, || what("adaptive")))
                .transpose()?,
            program_version: self.program_version,
            owner,
            id,
        })
    }
}

/// Whether a `running` session's owner is known to have died (such
/// sessions are marked `abandoned` when a writer opens the store).
pub(crate) fn owner_is_dead(owner_json: &str) -> bool {
    serde_json::from_str::<Owner>(owner_json).is_ok_and(|o| o.liveness() == Liveness::Dead)
}

/// The columns of one `iterations` row besides its session, in
/// [`ITERATION_COLUMNS`] order. Counts are signed 64-bit, as both
/// databases store integers.
#[derive(Debug, Clone)]
pub(crate) struct IterationRecord {
    pub idx: i64,
    pub variant: String,
    pub warmup: bool,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub wall_s: Option<f64>,
    pub user_s: Option<f64>,
    pub sys_s: Option<f64>,
    pub max_rss_bytes: Option<i64>,
    pub peak_tree_rss_bytes: Option<i64>,
    pub read_bytes: Option<i64>,
    pub write_bytes: Option<i64>,
    pub voluntary_cs: Option<i64>,
    pub involuntary_cs: Option<i64>,
    pub timeline: String,
    pub counters: String,
    pub gauges: String,
    pub dropped_spans: String,
    pub stderr_tail: Option<String>,
    /// Written, never read back: the peak GPU memory of the tree, derived
    /// from the timeline ([`Iteration::peak_gpu_memory_bytes`]) and kept
    /// as a column so that history queries it as any figure.
    pub peak_gpu_memory_bytes: Option<i64>,
    /// A service benchmark's figures as JSON ([`Iteration::service`]).
    pub service: Option<String>,
    /// Written, never read back: the service figures of
    /// [`Metric::SERVICE`] as columns named by their keys (derived from
    /// `service`), so that history queries them as any figure.
    pub service_figures: [Option<f64>; Metric::SERVICE.len()],
}

/// The derived service figure columns, in [`Metric::SERVICE`] order.
pub(crate) const SERVICE_FIGURE_COLUMNS: &str = "startup_s, shutdown_s, latency_p50_s, \
     latency_p90_s, latency_p99_s, latency_p999_s, throughput_rps, error_rate";

/// The sessions a batch of iterations writes to, each once, sorted (so
/// that both backends mark them written in one order).
pub(crate) fn touched_sessions<'a>(
    batch: &[(&'a str, &perfwatch_model::Iteration)],
) -> Vec<&'a str> {
    let mut touched: Vec<&str> = batch.iter().map(|(id, _)| *id).collect();
    touched.sort_unstable();
    touched.dedup();
    touched
}

/// The iteration columns both backends read, in [`IterationRecord`]'s
/// order.
pub(crate) const ITERATION_COLUMNS: &str = "idx, variant, warmup, exit_code, signal, timed_out, \
     wall_s, user_s, sys_s, max_rss_bytes, peak_tree_rss_bytes, read_bytes, write_bytes, \
     voluntary_cs, involuntary_cs, timeline, counters, gauges, dropped_spans, stderr_tail, service";

impl IterationRecord {
    /// The columns of an iteration (not its stages).
    pub fn encode(it: &Iteration) -> Result<IterationRecord, Bad> {
        Ok(IterationRecord {
            idx: i64::from(it.index),
            variant: it.variant.clone(),
            warmup: it.warmup,
            exit_code: it.exit_code,
            signal: it.signal,
            timed_out: it.timed_out,
            // NaN is stored as NULL (SQLite does so itself), so that every
            // backend's queries skip it alike.
            wall_s: number(Some(it.wall_s)),
            user_s: number(it.user_s),
            sys_s: number(it.sys_s),
            max_rss_bytes: int("max_rss_bytes", it.max_rss_bytes)?,
            peak_tree_rss_bytes: int("peak_tree_rss_bytes", it.peak_tree_rss_bytes)?,
            read_bytes: int("read_bytes", it.read_bytes)?,
            write_bytes: int("write_bytes", it.write_bytes)?,
            voluntary_cs: int("voluntary_cs", it.voluntary_cs)?,
            involuntary_cs: int("involuntary_cs", it.involuntary_cs)?,
            timeline: to_json(&it.timeline)?,
            counters: to_json(&it.counters)?,
            gauges: to_json(&it.gauges)?,
            dropped_spans: to_json(&it.dropped_spans)?,
            stderr_tail: it.stderr_tail.clone(),
            peak_gpu_memory_bytes: int("peak_gpu_memory_bytes", it.peak_gpu_memory_bytes())?,
            service: it.service.as_ref().map(to_json).transpose()?,
            service_figures: Metric::SERVICE.map(|m| number(it.metric(m))),
        })
    }

    /// The iteration, without its stages.
    pub fn decode(self, session_id: &str) -> Result<Iteration, Bad> {
        let index = u32::try_from(self.idx)
            .map_err(|_| format!("iteration index {} of session {session_id}", self.idx))?;
        let what = |column: &str| {
            format!("column `{column}` of iteration {index} of session {session_id}")
        };
        let count = |column: &str, v: Option<i64>| -> Result<Option<u64>, Bad> {
            v.map(|v| u64::try_from(v).map_err(|_| format!("{}: negative count {v}", what(column))))
                .transpose()
        };
        Ok(Iteration {
            index,
            variant: self.variant,
            warmup: self.warmup,
            exit_code: self.exit_code,
            signal: self.signal,
            timed_out: self.timed_out,
            // NaN is stored as NULL by SQLite; it comes back as NaN.
            wall_s: self.wall_s.unwrap_or(f64::NAN),
            user_s: self.user_s,
            sys_s: self.sys_s,
            max_rss_bytes: count("max_rss_bytes", self.max_rss_bytes)?,
            peak_tree_rss_bytes: count("peak_tree_rss_bytes", self.peak_tree_rss_bytes)?,
            read_bytes: count("read_bytes", self.read_bytes)?,
            write_bytes: count("write_bytes", self.write_bytes)?,
            voluntary_cs: count("voluntary_cs", self.voluntary_cs)?,
            involuntary_cs: count("involuntary_cs", self.involuntary_cs)?,
            timeline: timeline(&self.timeline, || what("timeline"))?,
            counters: numbers(&self.counters, || what("counters"))?,
            gauges: numbers(&self.gauges, || what("gauges"))?,
            dropped_spans: from_json(&self.dropped_spans, || what("dropped_spans"))?,
            stderr_tail: self.stderr_tail,
            stages: Vec::new(),
            service: self
                .service
                .as_deref()
                .map(|text| from_json(text, || what("service")))
                .transpose()?,
        })
    }
}

/// A figure as stored: NaN as NULL.
pub(crate) fn number(v: Option<f64>) -> Option<f64> {
    v.filter(|v| !v.is_nan())
}

/// A count as a signed 64-bit integer.
fn int(name: &str, value: Option<u64>) -> Result<Option<i64>, Bad> {
    value
        .map(|v| i64::try_from(v).map_err(|_| format!("`{name}` = {v} is too large to store")))
        .transpose()
}

/// Decodes a JSON column, naming what it is on failure.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<T, Bad> {
    serde_json::from_str(text).map_err(|e| format!("{}: {e}", what()))
}

/// Encodes a value as JSON text. The model's types always encode.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Bad> {
    serde_json::to_string(value).map_err(|e| format!("cannot encode JSON: {e}"))
}

// Reading back JSON that held non-finite numbers: JSON has no NaN or
// infinity, `serde_json` writes them as `null`, which the model's plain
// `f64` fields then refuse. Rather than lose an iteration over one odd
// sample, such `null`s are read back as NaN. The typed decoding is tried
// first, so well-formed data keeps every field.

/// [`Sample`] with every float optional.
#[derive(Deserialize)]
struct NullableSample {
    t_s: Option<f64>,
    cpu_pct: Option<f64>,
    rss_bytes: u64,
    threads: u32,
    processes: u32,
    read_bps: Option<f64>,
    write_bps: Option<f64>,
    /// GPU readings are finite as NVML gives them; a damaged one is
    /// dropped with its sample's GPU figures rather than the iteration.
    #[serde(default, deserialize_with = "gpus_or_none")]
    gpus: Vec<perfwatch_model::GpuReading>,
}

fn gpus_or_none<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<perfwatch_model::GpuReading>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

fn nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// Decodes a timeline, reading `null` floats as NaN.
pub(crate) fn timeline(text: &str, what: impl FnOnce() -> String) -> Result<Vec<Sample>, Bad> {
    if let Ok(samples) = serde_json::from_str(text) {
        return Ok(samples);
    }
    let samples: Vec<NullableSample> = from_json(text, what)?;
    Ok(samples
        .into_iter()
        .map(|s| Sample {
            t_s: nan(s.t_s),
            cpu_pct: nan(s.cpu_pct),
            rss_bytes: s.rss_bytes,
            threads: s.threads,
            processes: s.processes,
            read_bps: nan(s.read_bps),
            write_bps: nan(s.write_bps),
            gpus: s.gpus,
        })
        .collect())
}

/// Decodes a map of numbers, reading `null` as NaN.
pub(crate) fn numbers(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<BTreeMap<String, f64>, Bad> {
    let map: BTreeMap<String, Option<f64>> = from_json(text, what)?;
    Ok(map.into_iter().map(|(k, v)| (k, nan(v))).collect())
}

/// Adds `variants`' names to `benchmark`'s entry of `out` (made when
/// missing), each name once, in order.
pub(crate) fn add_variants(
    out: &mut Vec<(String, Vec<String>)>,
    benchmark: &str,
    variants: &[perfwatch_model::VariantSpec],
) {
    let at = match out.iter().position(|(b, _)| b == benchmark) {
        Some(at) => at,
        None => {
            out.push((benchmark.to_string(), Vec::new()));
            out.len() - 1
        }
    };
    for v in variants {
        if !out[at].1.contains(&v.name) {
            out[at].1.push(v.name.clone());
        }
    }
}

/// For `latest` → `Some(Some(0))`, `latest~N` → `Some(Some(N))`, a
/// malformed `latest~…` → `Some(None)`, anything else → `None`.
pub(crate) fn latest_offset(spec: &str) -> Option<Option<usize>> {
    let rest = spec.strip_prefix("latest")?;
    if rest.is_empty() {
        return Some(Some(0));
    }
    Some(rest.strip_prefix('~').and_then(|n| n.parse().ok()))
}

/// What a series reads of a session when its first row comes: started_at,
/// commit, branch, dirty flag and the program's version.
pub(crate) type SeriesHead = (String, Option<String>, Option<String>, bool, Option<String>);

/// The rows of a series query — newest session first, one value per row —
/// gathered into points, at most `last` sessions (both backends).
pub(crate) struct SeriesPoints {
    points: Vec<crate::SeriesPoint>,
    limit: usize,
}

impl SeriesPoints {
    /// Gathering at most `last` sessions (all when `None`).
    pub fn new(last: Option<usize>) -> Self {
        SeriesPoints {
            points: Vec::new(),
            limit: last.unwrap_or(usize::MAX),
        }
    }

    /// Adds a row's `value` to session `id`; `head` reads the session's
    /// started_at, commit, branch and dirty flag when the row starts a new
    /// one. `false` once `last` sessions are complete: stop reading.
    pub fn add<E>(
        &mut self,
        id: String,
        value: f64,
        head: impl FnOnce() -> Result<SeriesHead, E>,
    ) -> Result<bool, E> {
        match self.points.last_mut() {
            Some(p) if p.session_id == id => p.values.push(value),
            _ => {
                if self.points.len() == self.limit {
                    return Ok(false);
                }
                let (started_at, commit, branch, dirty, version) = head()?;
                self.points.push(crate::SeriesPoint {
                    session_id: id,
                    started_at,
                    commit,
                    branch,
                    dirty,
                    version,
                    values: vec![value],
                });
            }
        }
        Ok(true)
    }

    /// The points, oldest session first.
    pub fn finish(mut self) -> Vec<crate::SeriesPoint> {
        self.points.reverse();
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_figure_columns_are_the_service_metrics_keys_in_order() {
        let keys: Vec<&str> = Metric::SERVICE.iter().map(|m| m.key()).collect();
        assert_eq!(SERVICE_FIGURE_COLUMNS, keys.join(", "));
    }

    #[test]
    fn session_column_count_matches_the_column_list() {
        assert_eq!(SESSION_COLUMNS.split(',').count(), SESSION_COLUMN_COUNT);
    }

    #[test]
    fn nulls_come_back_as_nan() {
        let text = r#"[{"t_s":0.5,"cpu_pct":null,"rss_bytes":1,"threads":2,"processes":3,"read_bps":1.0,"write_bps":null}]"#;
        let samples = timeline(text, String::new).unwrap();
        assert_eq!(samples[0].t_s, 0.5);
        assert!(samples[0].cpu_pct.is_nan() && samples[0].write_bps.is_nan());
        let map = numbers(r#"{"a":1.5,"b":null}"#, String::new).unwrap();
        assert_eq!(map["a"], 1.5);
        assert!(map["b"].is_nan());
    }

    #[test]
    fn garbage_is_reported() {
        assert!(timeline("[{]", || "timeline".into()).is_err());
        assert!(numbers("[]", || "counters".into()).is_err());
    }

    #[test]
    fn latest_specs() {
        let cases = [
            ("latest", Some(Some(0))),
            ("latest~0", Some(Some(0))),
            ("latest~3", Some(Some(3))),
            ("latest~", Some(None)),
            ("latest~x", Some(None)),
            ("latestx", Some(None)),
            ("abcd", None),
        ];
        for (spec, expected) in cases {
            assert_eq!(latest_offset(spec), expected, "{spec}");
        }
    }
}
