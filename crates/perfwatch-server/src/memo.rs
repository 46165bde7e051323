//! Analyses remembered: a stored session's analysis (alone, against its
//! baseline, or in a comparison) is computed once and served again while
//! what it was computed from is unchanged.
//!
//! Analysing a session is most of a read's cost (at 30 iterations × 20
//! stages: ~2 ms to load from PostgreSQL, ~1.3 ms to analyse, ~0.6 ms to
//! render), and a team reads the same few sessions — the newest, the
//! baseline — far more often than they change. What an answer depends on
//! is summed up in a [`Key`]: for each session involved, its row (id,
//! status, finish time, baseline, shell correction, …) with its counts of
//! iterations; for each baseline involved, its name, save time and
//! sessions. A session's iterations are only ever added (never changed),
//! so the counts stand for its contents. The key is read from the store on
//! every request (a few small queries), so a change made by anyone —
//! another server over the same PostgreSQL included — is seen at once: an
//! entry is never served after what it was computed from changed.
//!
//! Listings and history series depend on every session of a benchmark;
//! they are remembered under the benchmark's generation instead
//! ([`generation_key`]), a number the store's triggers grow with every
//! write to those sessions or their iterations, whoever writes.
//!
//! A key is read before and after computing; the answer is remembered only
//! if both agree (a write in between would otherwise be remembered under
//! the older key). The cache is bounded by an estimate of its entries'
//! memory ([`Memo::new`]), evicting the least useful (quick_cache's
//! CLOCK-Pro); capacity 0 turns it off.

use perfwatch_app::Analysis;
use perfwatch_store::{SessionFilter, SessionRow, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The default capacity: 256 MiB of remembered analyses.
pub const DEFAULT_CAPACITY: u64 = 256 << 20;

/// A rendered answer that depends on many sessions (a listing, a history
/// series, change points): remembered under the
/// [`history_generation`](perfwatch_store::Store::history_generation) of
/// its benchmark (or of every benchmark), which any write to those
/// sessions grows.
#[derive(Debug)]
pub struct Rendered(pub Vec<u8>);

impl Weigh for Rendered {
    fn weight(&self) -> u64 {
        self.0.len() as u64 + 1
    }
}

/// A digest of everything an answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

/// An analysis with its `perfwatch.session.v1` document, as served.
#[derive(Debug)]
pub struct Memoized {
    /// The analysis (findings, health, …).
    pub analysis: Analysis,
    /// The document `report --format json` prints for it.
    pub document: Vec<u8>,
}

/// What a remembered value costs in memory, roughly, in bytes.
pub trait Weigh {
    /// The estimate.
    fn weight(&self) -> u64;
}

impl Weigh for Memoized {
    fn weight(&self) -> u64 {
        // The analysis in memory is about the size of its JSON; with the
        // JSON itself, twice that.
        2 * self.document.len() as u64 + 1
    }
}

#[derive(Clone)]
struct Weight;

impl<V: Weigh> quick_cache::Weighter<Key, Arc<V>> for Weight {
    fn weight(&self, _: &Key, value: &Arc<V>) -> u64 {
        value.weight()
    }
}

/// Remembered answers, shared by every request.
pub struct Memo<V = Memoized> {
    cache: Option<quick_cache::sync::Cache<Key, Arc<V>, Weight>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<V: Weigh> Memo<V> {
    /// A memo holding about `capacity` bytes of analyses (0: remembers
    /// nothing).
    pub fn new(capacity: u64) -> Memo<V> {
        let cache = (capacity > 0).then(|| {
            // quick_cache sizes its tables from an estimate of the number
            // of entries: a session's document is ~100 KiB.
            let items = (capacity / (200 << 10)).clamp(16, 1 << 20) as usize;
            quick_cache::sync::Cache::with_weighter(items, capacity, Weight)
        });
        Memo {
            cache,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The answer under the key `key()` gives, computing it with `compute`
    /// when it is not remembered. A key that cannot be read (`None`: an
    /// unknown session, a failing store) means computing without
    /// remembering, so errors are exactly those `compute` gives.
    pub fn get_or_compute<E>(
        &self,
        key: impl Fn() -> Option<Key>,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let Some(cache) = &self.cache else {
            return compute().map(Arc::new);
        };
        let before = key();
        if let Some(hit) = before.and_then(|k| cache.get(&k)) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(hit);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = Arc::new(compute()?);
        if let Some(k) = before {
            if key() == Some(k) {
                cache.insert(k, value.clone());
            }
        }
        Ok(value)
    }

    /// Answers served from memory, and computed, since start.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }
}

/// What a session row contributes to a key: everything stored of it but
/// its iterations, which its counts stand for.
#[derive(Serialize)]
struct RowStamp<'a> {
    session: &'a perfwatch_model::Session,
    iterations: usize,
    counted: usize,
    failed: usize,
}

/// The stamps of the sessions `ids`, in the order given; `None` when one
/// is not stored.
fn rows(store: &dyn Store, ids: &[String]) -> Option<Vec<serde_json::Value>> {
    let found = store
        .list_sessions(&SessionFilter {
            ids: Some(ids.to_vec()),
            ..SessionFilter::default()
        })
        .ok()?;
    ids.iter()
        .map(|id| {
            let row: &SessionRow = found.iter().find(|r| r.session.id == *id)?;
            serde_json::to_value(RowStamp {
                session: &row.session,
                iterations: row.iterations,
                counted: row.counted,
                failed: row.failed,
            })
            .ok()
        })
        .collect()
}

/// A saved baseline's stamp: its record and its sessions' stamps; the
/// error's text when it cannot be read (an answer can depend on a
/// baseline's absence: "cannot be compared now").
fn baseline(store: &dyn Store, name: &str) -> serde_json::Value {
    match store.get_baseline(name) {
        Ok(b) => serde_json::json!({
            "name": b.name,
            "created_at": b.created_at,
            "description": b.description,
            "sessions": rows(store, &b.session_ids),
        }),
        Err(e) => serde_json::json!({ "missing": name, "error": e.to_string() }),
    }
}

fn digest(value: &serde_json::Value) -> Key {
    Key(Sha256::digest(value.to_string().as_bytes()).into())
}

/// The key of session `spec`'s analysis against `baseline_arg` (or the
/// baseline it was compared with when it ran).
pub fn session_key(store: &dyn Store, spec: &str, baseline_arg: Option<&str>) -> Option<Key> {
    let id = store.resolve_session(spec).ok()?;
    let row = rows(store, std::slice::from_ref(&id))?.pop()?;
    let name = baseline_arg.map(str::to_string).or_else(|| {
        row.pointer("/session/baseline")
            .and_then(|b| b.as_str())
            .map(str::to_string)
    });
    Some(digest(&serde_json::json!({
        "answer": "session",
        "session": row,
        "baseline_arg": baseline_arg,
        "baseline": name.map(|n| baseline(store, &n)),
    })))
}

/// The key of an answer to `query` computed from the sessions of
/// `benchmark` (of every benchmark when `None`): the query and the
/// benchmark's generation.
pub fn generation_key(
    store: &dyn Store,
    benchmark: Option<&str>,
    query: serde_json::Value,
) -> Option<Key> {
    let generation = store.history_generation(benchmark).ok()?;
    Some(digest(&serde_json::json!({
        "answer": query,
        "benchmark": benchmark,
        "generation": generation,
    })))
}

/// One side of a comparison: a baseline when one has that name (as
/// `compare` reads it), otherwise a session.
fn side(store: &dyn Store, spec: &str) -> Option<serde_json::Value> {
    if store.get_baseline(spec).is_ok() {
        return Some(baseline(store, spec));
    }
    let id = store.resolve_session(spec).ok()?;
    rows(store, &[id])?.pop()
}

/// The key of the comparison of `candidate` with `base`.
pub fn compare_key(store: &dyn Store, base: &str, candidate: &str) -> Option<Key> {
    Some(digest(&serde_json::json!({
        "answer": "compare",
        "base": side(store, base)?,
        "candidate": side(store, candidate)?,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Doc(Vec<u8>);

    impl Weigh for Doc {
        fn weight(&self) -> u64 {
            self.0.len() as u64
        }
    }

    fn memoized(n: u8) -> Doc {
        Doc(vec![n; 10])
    }

    #[test]
    fn a_remembered_answer_is_served_while_its_key_stands() {
        let memo = Memo::<Doc>::new(1 << 20);
        let key = || Some(Key([1; 32]));
        let first = memo
            .get_or_compute(key, || Ok::<_, ()>(memoized(1)))
            .unwrap();
        let again = memo
            .get_or_compute(key, || -> Result<Doc, ()> { panic!("computed twice") })
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(memo.counts(), (1, 1));
    }

    #[test]
    fn a_key_that_changes_while_computing_is_not_remembered() {
        let memo = Memo::<Doc>::new(1 << 20);
        let calls = std::sync::atomic::AtomicU8::new(0);
        let moving = || Some(Key([calls.fetch_add(1, Ordering::Relaxed); 32]));
        memo.get_or_compute(moving, || Ok::<_, ()>(memoized(1)))
            .unwrap();
        // The key read first (0) was not the key after (1): nothing kept.
        let fresh = memo
            .get_or_compute(|| Some(Key([0; 32])), || Ok::<_, ()>(memoized(2)))
            .unwrap();
        assert_eq!(fresh.0, [2; 10]);
    }

    #[test]
    fn no_key_or_no_capacity_computes_every_time_and_errors_pass_through() {
        for memo in [Memo::<Doc>::new(0), Memo::new(1 << 20)] {
            for n in 0..2 {
                let got = memo
                    .get_or_compute(|| None, || Ok::<_, ()>(memoized(n)))
                    .unwrap();
                assert_eq!(got.0, [n; 10]);
            }
            let err = memo.get_or_compute(|| Some(Key([9; 32])), || Err::<Doc, _>("bad"));
            assert_eq!(err.unwrap_err(), "bad");
        }
    }
}
