//! What every handler shares: the store, the analysis options, who may do
//! what, and the channel of [`SessionEvent`]s.

use crate::alert_board::AlertBoard;
use crate::auth::AccessPolicy;
use crate::errors::{ApiError, ApiResult};
use crate::events::{SessionEvent, EVENT_CAPACITY};
use crate::live_runs::LiveRuns;
use crate::memo::{Memo, Memoized, Rendered, DEFAULT_CAPACITY};
use crate::own_writes::OwnWrites;
use perfwatch_store::Store;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The server's shared state; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn Store>,
    options: perfwatch_app::Options,
    policy: AccessPolicy,
    max_body: usize,
    events: broadcast::Sender<SessionEvent>,
    memo: Memo<Memoized>,
    answers: Memo<Rendered>,
    live: LiveRuns,
    alerts: AlertBoard,
    own_writes: OwnWrites,
}

impl AppState {
    /// State over `store`, analysing with `options` (the same as the CLI's
    /// for the same configuration, so that both give the same answers),
    /// admitting requests by `policy` with bodies of at most `max_body`
    /// bytes.
    ///
    /// Keep a handle on `store` outside the runtime that serves (as `perfwatch
    /// serve` does): a store whose client blocks on a runtime of its own
    /// (PostgreSQL's) must not be dropped for the last time on a runtime
    /// thread.
    pub fn new(
        store: Arc<dyn Store>,
        options: perfwatch_app::Options,
        policy: AccessPolicy,
        max_body: usize,
    ) -> AppState {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        AppState {
            inner: Arc::new(Shared {
                store,
                options,
                policy,
                max_body,
                events,
                memo: Memo::new(DEFAULT_CAPACITY / 4 * 3),
                answers: Memo::new(DEFAULT_CAPACITY / 4),
                live: LiveRuns::default(),
                alerts: AlertBoard::default(),
                own_writes: OwnWrites::default(),
            }),
        }
    }

    /// This state with memos of `capacity` bytes in all (0: none;
    /// [`DEFAULT_CAPACITY`] unless set): three quarters for analyses, a
    /// quarter for listings and histories.
    ///
    /// # Panics
    /// When called after the state was cloned.
    pub fn with_memo_capacity(mut self, capacity: u64) -> AppState {
        let shared =
            Arc::get_mut(&mut self.inner).expect("the memo is sized before the state is shared");
        shared.memo = Memo::new(capacity / 4 * 3);
        shared.answers = Memo::new(capacity / 4);
        self
    }

    /// This state judging monitored pipelines by `config`.
    ///
    /// # Panics
    /// When called after the state was cloned.
    pub fn with_monitor_config(
        mut self,
        config: perfwatch_app::monitor::MonitorConfig,
    ) -> AppState {
        let shared = Arc::get_mut(&mut self.inner)
            .expect("the monitor is configured before the state is shared");
        shared.alerts = AlertBoard::new(config);
        self
    }

    /// The alerts of monitored pipelines.
    pub fn alerts(&self) -> &AlertBoard {
        &self.inner.alerts
    }

    /// The generation steps of this server's own writes.
    pub fn own_writes(&self) -> &OwnWrites {
        &self.inner.own_writes
    }

    /// Remembered listings and histories ([`crate::memo::generation_key`]).
    pub fn answers(&self) -> &Memo<Rendered> {
        &self.inner.answers
    }

    /// Remembered analyses ([`crate::memo`]).
    pub fn memo(&self) -> &Memo<Memoized> {
        &self.inner.memo
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The analysis options.
    pub fn options(&self) -> &perfwatch_app::Options {
        &self.inner.options
    }

    /// Who may do what.
    pub fn policy(&self) -> &AccessPolicy {
        &self.inner.policy
    }

    /// The largest request body accepted, in bytes.
    pub fn max_body(&self) -> usize {
        self.inner.max_body
    }

    /// A receiver of every [`SessionEvent`] from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SessionEvent> {
        self.inner.events.subscribe()
    }

    /// Sends `event` to every subscriber (none listening is fine). A
    /// stored session's run, once ended, leaves the runs in progress.
    pub fn publish(&self, event: SessionEvent) {
        if let SessionEvent::Stored { id, .. } = &event {
            self.inner.live.stored(id);
        }
        let _ = self.inner.events.send(event);
    }

    /// The runs in progress that CLIs report.
    pub fn live_runs(&self) -> &LiveRuns {
        &self.inner.live
    }

    /// Runs `f` — store calls and analyses, which block — on tokio's
    /// blocking pool. A panic in `f` is a 500, not a dropped connection.
    pub async fn blocking<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(ApiError::internal)?
    }
}
