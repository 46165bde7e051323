//! The `Store` trait: everything perfwatch persists, whatever the backend.

use crate::{
    Baseline, Delivery, GenerationStep, PushEntry, Result, SeriesPoint, SeriesQuery, SessionFilter,
    SessionRow, StoreError, TokenRow, TokenScope,
};
use perfwatch_model::{Iteration, ServiceRun, Session, SessionStatus, ShellCorrection};

/// Persistence of sessions, iterations, stages and baselines.
///
/// Object-safe, so callers hold a `Box<dyn Store>` and a second backend
/// (PostgreSQL) can come later. Every method is one atomic operation: a
/// failure changes nothing.
///
/// Session ids are full ids here; [`Store::resolve_session`] turns what a
/// user typed (a prefix, `latest`) into one.
pub trait Store: Send + Sync {
    /// Where the data lives, for messages (a path, or `:memory:`).
    fn location(&self) -> String;

    /// Stores a new session (usually with status `running`).
    fn create_session(&self, session: &Session) -> Result<()>;

    /// Stores one finished iteration with its stages, in one transaction,
    /// so that a crash later never loses it.
    fn add_iteration(&self, session_id: &str, iteration: &Iteration) -> Result<()>;

    /// Adds several iterations, each to its session, in one transaction:
    /// all are stored or none (the default, one by one, is not atomic). The team server stores each tick's
    /// monitored runs so (a commit per run was most of their cost).
    fn add_iterations(&self, batch: &[(&str, &Iteration)]) -> Result<()> {
        for (session_id, iteration) in batch {
            self.add_iteration(session_id, iteration)?;
        }
        Ok(())
    }

    /// [`add_iterations`](Store::add_iterations), and the generation step
    /// the batch made — read inside its transaction, with every other
    /// writer held off — so that a server following the history tells its
    /// own writes from others'. `None` where the backend cannot tell (the
    /// default).
    fn add_iterations_stepped(
        &self,
        batch: &[(&str, &Iteration)],
    ) -> Result<Option<GenerationStep>> {
        self.add_iterations(batch).map(|()| None)
    }

    /// Stores a whole finished session (an import) at once: all of it or,
    /// when any write fails, none of it. The default writes the session
    /// and its iterations one by one and deletes the session again on a
    /// failure; backends with transactions do it in one.
    fn insert_whole_session(&self, session: &Session, iterations: &[Iteration]) -> Result<()> {
        self.create_session(session)?;
        for it in iterations {
            if let Err(e) = self.add_iteration(&session.id, it) {
                let _ = self.delete_session(&session.id);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Records the shell start-up correction a running session measured
    /// (known only once the run started, after the session was created).
    fn set_shell_correction(&self, id: &str, correction: &ShellCorrection) -> Result<()>;

    /// Records how and when a session ended.
    fn finish_session(&self, id: &str, status: SessionStatus, finished_at: &str) -> Result<()>;

    /// Moves everything committed into the main database file, so that
    /// closing has nothing left to do (SQLite: a passive checkpoint of the
    /// write-ahead log). Committed data is durable either way; stores
    /// without a log do nothing.
    fn checkpoint(&self) -> Result<()> {
        Ok(())
    }

    /// Refreshes the query planner's statistics after a bulk load (a `db
    /// copy`, a benchmark's fill), so that the next reads get good plans
    /// at once rather than after the database's own maintenance ran
    /// (PostgreSQL: `ANALYZE`; SQLite: `PRAGMA optimize`).
    fn refresh_statistics(&self) -> Result<()> {
        Ok(())
    }

    /// Sessions matching `filter`, newest first.
    fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<SessionRow>>;

    /// The sessions [`list_sessions`](Store::list_sessions) would list,
    /// without counting their iterations: what a caller that needs only
    /// the sessions themselves reads every second (a monitored pipeline's
    /// session of the day holds thousands of runs).
    fn list_session_heads(&self, filter: &SessionFilter) -> Result<Vec<Session>> {
        Ok(self
            .list_sessions(filter)?
            .into_iter()
            .map(|row| row.session)
            .collect())
    }

    /// Whether the session has at least one counted iteration (not a
    /// warm-up, not timed out): the listing's `counted > 0` without
    /// counting them all. False for an unknown session.
    fn has_counted_iteration(&self, id: &str) -> Result<bool> {
        let rows = self.list_sessions(&SessionFilter {
            ids: Some(vec![id.to_string()]),
            ..SessionFilter::default()
        })?;
        Ok(rows.first().is_some_and(|r| r.counted > 0))
    }

    /// A number that grows with every change to the sessions of
    /// `benchmark` (of every benchmark when `None`) or to their iterations,
    /// whoever makes it — not with a running session's heartbeat: an
    /// answer computed from those sessions stands while it is unchanged
    /// (the team server's remembered listings and histories). 0 for a
    /// benchmark never stored.
    fn history_generation(&self, benchmark: Option<&str>) -> Result<u64>;

    /// For each `(session id, variant)` of `wanted`, the wall times of
    /// that variant's counted iterations (not warm-ups, not timed out) in
    /// index order (NaN where none was measured; empty for an unknown
    /// session): a listing's medians without reading whole sessions, in
    /// one round trip for a page. The default reads each session.
    fn counted_walls(&self, wanted: &[(&str, &str)]) -> Result<Vec<Vec<f64>>> {
        wanted
            .iter()
            .map(|&pair| {
                Ok(counted_iterations(self, pair)?
                    .map(|it| it.wall_s)
                    .collect())
            })
            .collect()
    }

    /// For each `(session id, variant)` of `wanted`, the service figures
    /// of that variant's counted iterations (not warm-ups, not timed out)
    /// that ran a service, in index order (empty for a command, or an
    /// unknown session): what a listing needs to speak of a service the
    /// way its report does (its merged latency), without reading whole
    /// sessions. The default reads each session.
    fn counted_service_runs(&self, wanted: &[(&str, &str)]) -> Result<Vec<Vec<ServiceRun>>> {
        wanted
            .iter()
            .map(|&pair| {
                Ok(counted_iterations(self, pair)?
                    .filter_map(|it| it.service)
                    .collect())
            })
            .collect()
    }

    /// Every benchmark with the names of the variants its sessions
    /// declare, each once, in the order the newest sessions first declare
    /// them: what a history query checks its arguments against. The
    /// default lists every session.
    fn benchmark_variants(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for row in self.list_sessions(&SessionFilter::default())? {
            crate::record::add_variants(&mut out, &row.session.benchmark, &row.session.variants);
        }
        Ok(out)
    }

    /// Turns a full id, a unique prefix of at least four characters,
    /// `latest` or `latest~N` (the N-th before the newest) into a full id.
    fn resolve_session(&self, spec: &str) -> Result<String>;

    /// A session and its iterations in index order, stages reassembled.
    fn load_session(&self, id: &str) -> Result<(Session, Vec<Iteration>)>;

    /// A session and its last `last` iterations by index (warm-ups and
    /// all), in index order with their stages: the recent runs of a long
    /// session — a monitored pipeline's day — without reading the rest.
    fn load_recent(&self, id: &str, last: usize) -> Result<(Session, Vec<Iteration>)> {
        let (session, mut iterations) = self.load_session(id)?;
        let skip = iterations.len().saturating_sub(last);
        iterations.drain(..skip);
        Ok((session, iterations))
    }

    /// The index of a session's newest iteration (`None`: it has none, or
    /// there is no such session), without reading it: whether runs were
    /// appended since an index seen before.
    fn newest_index(&self, id: &str) -> Result<Option<u32>> {
        match self.load_recent(id, 1) {
            Ok((_, last)) => Ok(last.last().map(|i| i.index)),
            Err(StoreError::SessionNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The newest session imported from a file whose bytes have this
    /// SHA-256 ([`Session::imported`]), if any: a file imported twice is
    /// recognised by it.
    fn find_imported(&self, sha256: &str) -> Result<Option<Session>>;

    /// Deletes a session with its iterations and stages. Refused while a
    /// baseline refers to it.
    fn delete_session(&self, id: &str) -> Result<()>;

    /// Saves a baseline over `session_ids` (full ids, at least one). An
    /// existing baseline of that name is replaced only with `overwrite`.
    fn save_baseline(
        &self,
        name: &str,
        session_ids: &[String],
        description: Option<&str>,
        overwrite: bool,
    ) -> Result<Baseline>;

    /// Stores a baseline as another store holds it (a history being
    /// copied), its creation time kept; otherwise as
    /// [`save_baseline`](Store::save_baseline).
    fn copy_baseline(&self, baseline: &Baseline, overwrite: bool) -> Result<Baseline>;

    /// Every baseline, by name.
    fn list_baselines(&self) -> Result<Vec<Baseline>>;

    /// One baseline.
    fn get_baseline(&self, name: &str) -> Result<Baseline>;

    /// Deletes a baseline (its sessions stay).
    fn delete_baseline(&self, name: &str) -> Result<()>;

    /// A history series, oldest session first.
    fn series(&self, query: &SeriesQuery) -> Result<Vec<SeriesPoint>>;

    /// Stores a new API token by the SHA-256 of its secret (the secret is
    /// never stored). Names are unique, revoked tokens' included.
    fn create_token(&self, name: &str, scope: TokenScope, sha256: &str) -> Result<TokenRow>;

    /// Every token, revoked ones included, by name.
    fn list_tokens(&self) -> Result<Vec<TokenRow>>;

    /// Revokes the token of this name; revoking twice is not an error.
    fn revoke_token(&self, name: &str) -> Result<TokenRow>;

    /// The unrevoked token whose secret has this SHA-256, if any.
    fn find_token(&self, sha256: &str) -> Result<Option<TokenRow>>;

    /// Queues a session to be pushed to `server`. Queuing a session that
    /// is queued or pushed there already changes nothing.
    fn queue_push(&self, session_id: &str, server: &str) -> Result<()>;

    /// Marks a session as accepted by `server` (queuing it first when it
    /// was not queued).
    fn mark_pushed(&self, session_id: &str, server: &str) -> Result<()>;

    /// The push entries for `server` (every server when `None`), oldest
    /// first; only those still waiting unless `include_pushed`.
    fn push_queue(&self, server: Option<&str>, include_pushed: bool) -> Result<Vec<PushEntry>>;

    /// Drops the entries still waiting for `server` (every server when
    /// `None`) of the sessions `ids` (every session when `None`), without
    /// sending them; entries already pushed are kept. How many were
    /// dropped.
    fn forget_pushes(&self, ids: Option<&[String]>, server: Option<&str>) -> Result<usize>;

    /// Every delivery row of `webhook`.
    fn deliveries(&self, webhook: &str) -> Result<Vec<Delivery>>;

    /// Inserts `delivery` unless its webhook, alert and event have a row
    /// already; whether it was inserted (the caller then owns it).
    fn claim_delivery(&self, delivery: &Delivery) -> Result<bool>;

    /// Replaces the row of `delivery`'s webhook, alert and event with it
    /// when the stored row still has `attempts_seen` attempts; whether it
    /// did (another server claimed the attempt when it did not).
    fn update_delivery(&self, delivery: &Delivery, attempts_seen: u32) -> Result<bool>;
}

/// The counted iterations (not warm-ups, not timed out) of one variant of
/// a session, read whole, in index order; none for an unknown session:
/// what the default listing helpers of [`Store`] read.
fn counted_iterations<S: Store + ?Sized>(
    store: &S,
    (id, variant): (&str, &str),
) -> Result<impl Iterator<Item = Iteration>> {
    let its = match store.load_session(id) {
        Ok((_, its)) => its,
        Err(crate::StoreError::SessionNotFound { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let variant = variant.to_string();
    Ok(its
        .into_iter()
        .filter(move |it| it.counts() && it.variant == variant))
}
