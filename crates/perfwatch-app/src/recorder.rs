//! Writes a session to the store from a thread of its own, so that no
//! bookkeeping sits between two measured iterations.
//!
//! The runner hands every finished iteration over and goes straight on to
//! the next; the recorder commits it at once, in a transaction of its own,
//! while the next iteration runs. Ctrl-C loses nothing that finished (the
//! queue is written before the process exits); if perfwatch itself is
//! killed, only iterations still queued are lost — normally none.
//!
//! Where the session ran — the git state of the work tree and the host —
//! is read meanwhile on a helper thread at the lowest priority (nice 19,
//! inherited by the `git` child), so it takes little CPU time from the
//! measured command; the session row is created once that is known, before
//! the first iteration is written. The writer itself is in the batch
//! scheduling class: waking it never preempts the runner between two
//! iterations. At the end the recorder marks the session finished, hands
//! the session as stored to the caller ([`Recorder::stored`]) and then
//! checkpoints the write-ahead log, while the caller analyses and prints
//! ([`Recorder::join`] waits for the checkpoint).
//! A failed checkpoint loses nothing (what was committed is in the log,
//! which the next opening of the database reads): the session is stored,
//! and [`Recorded::checkpoint_failed`] says why the log is still there.
//!
//! A write that finds the database locked by another process (past the
//! store's busy timeout) is tried again with back-off, and the iterations
//! behind it wait in the queue: the run goes on, nothing is lost. Once the
//! run has ended the recorder keeps trying for [`END_PATIENCE`] more; if the
//! lock is still held then, [`Recorder::join`] says exactly how many
//! iterations were stored. Any other failed write stops the run at the next
//! iteration (see [`RecorderHandle::check`]) and is reported by
//! [`Recorder::join`].

use crate::provenance::{git_info, host_info};
use crate::AppError;
use perfwatch_model::{
    CommandSpec, HostInfo, Iteration, Session, SessionStatus, ShellCorrection, VariantSpec,
};
use perfwatch_store::Store;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the recorder keeps retrying a locked database after the run
/// has ended, before it gives up and reports what was stored.
pub const END_PATIENCE: Duration = Duration::from_secs(60);

/// The first pause between two tries of a locked write; it doubles up to
/// [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
/// The longest pause between two tries of a locked write.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// What the recorder is asked to do, in order.
enum Job {
    Iteration(Arc<Iteration>),
    ShellCorrection(ShellCorrection),
    Finish {
        status: SessionStatus,
        finished_at: String,
    },
}

/// What the recorder stored.
#[derive(Debug)]
pub struct Recorded {
    /// The session as stored (with its git and host).
    pub session: Session,
    /// Why the final checkpoint failed, when it did (a full disk, say).
    /// The session is stored all the same: committed to the store's
    /// write-ahead log, where it stays until a checkpoint succeeds.
    pub checkpoint_failed: Option<perfwatch_store::StoreError>,
}

/// The first error the recorder met, shared with the runner's side.
type ErrorSlot = Arc<Mutex<Option<String>>>;

/// The recorder's thread and its queue.
pub struct Recorder {
    jobs: mpsc::Sender<Job>,
    thread: JoinHandle<Result<Recorded, AppError>>,
    error: ErrorSlot,
    ended: Arc<AtomicBool>,
    /// The session as stored, once the end is committed.
    committed: mpsc::Receiver<Session>,
    /// Whether [`Recorder::finish`] was called.
    finishing: bool,
}

/// The runner's side: queue iterations, learn about failed writes.
#[derive(Clone)]
pub struct RecorderHandle {
    jobs: mpsc::Sender<Job>,
    error: ErrorSlot,
}

/// A new session of `benchmark`, `running`, owned by this process and
/// started now: what [`Recorder::start`] records (it fills in `git` and
/// `host` off the measuring path).
pub fn running_session(
    benchmark: &str,
    command: CommandSpec,
    variants: Vec<VariantSpec>,
) -> Session {
    Session {
        id: perfwatch_store::new_session_id(),
        started_at: crate::clock::now_rfc3339(),
        finished_at: None,
        benchmark: benchmark.to_string(),
        command,
        variants,
        git: None,
        host: HostInfo::default(),
        perfwatch_version: env!("CARGO_PKG_VERSION").to_string(),
        status: SessionStatus::Running,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: perfwatch_model::owner::Owner::current(),
        adaptive: None,
        program_version: None,
    }
}

impl Recorder {
    /// Start recording `session` (its `git` and `host` are filled in here;
    /// `cwd` is where git looks) into `store`.
    pub fn start(
        store: Arc<dyn Store>,
        session: Session,
        cwd: PathBuf,
    ) -> Result<Recorder, AppError> {
        let provenance = std::thread::Builder::new()
            .name("perfwatch-provenance".into())
            .spawn(move || {
                lower_own_priority();
                (git_info(&cwd), host_info())
            })
            .map_err(|source| AppError::Thread {
                what: "provenance",
                source,
            })?;
        let (jobs, queue) = mpsc::channel();
        let (tell_committed, committed) = mpsc::channel();
        let error = ErrorSlot::default();
        let slot = Arc::clone(&error);
        let ended = Arc::new(AtomicBool::new(false));
        let run_ended = Arc::clone(&ended);
        let thread = std::thread::Builder::new()
            .name("perfwatch-recorder".into())
            .spawn(move || {
                never_preempt_the_runner();
                let result = record(
                    &*store,
                    session,
                    provenance,
                    &queue,
                    &run_ended,
                    &tell_committed,
                );
                if let Err(e) = &result {
                    if let Ok(mut slot) = slot.lock() {
                        slot.get_or_insert_with(|| e.to_string());
                    }
                }
                result
            })
            .map_err(|source| AppError::Thread {
                what: "recorder",
                source,
            })?;
        Ok(Recorder {
            jobs,
            thread,
            error,
            ended,
            committed,
            finishing: false,
        })
    }

    /// A handle for the runner's observer.
    pub fn handle(&self) -> RecorderHandle {
        RecorderHandle {
            jobs: self.jobs.clone(),
            error: Arc::clone(&self.error),
        }
    }

    /// Ask the recorder to mark the session finished and to checkpoint;
    /// returns at once. [`Recorder::join`] waits for it.
    pub fn finish(&mut self, status: SessionStatus, finished_at: &str) {
        self.finishing = true;
        self.ended.store(true, Ordering::SeqCst);
        // A recorder that already stopped keeps its error for `join`.
        let _ = self.jobs.send(Job::Finish {
            status,
            finished_at: finished_at.to_string(),
        });
    }

    /// Wait until the end asked for by [`Recorder::finish`] is committed
    /// (everything queued before it is written): the session as stored,
    /// with its git and host. The recorder checkpoints meanwhile, and
    /// [`Recorder::join`] waits for that. `None` when the recorder stopped
    /// before (`join` says why) or `finish` was not called.
    pub fn stored(&mut self) -> Option<Session> {
        if !self.finishing {
            return None;
        }
        self.committed.recv().ok()
    }

    /// Wait until everything queued up to [`Recorder::finish`] is written
    /// and checkpointed;
    /// the session as stored (with its git and host), or the first error.
    /// Without `finish`, waits until every handle is dropped.
    pub fn join(self) -> Result<Recorded, AppError> {
        self.ended.store(true, Ordering::SeqCst);
        drop(self.jobs);
        match self.thread.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl RecorderHandle {
    /// Queue a finished iteration for writing; the recorder shares it
    /// (never copies it) until it is written.
    pub fn record(&self, it: &Arc<Iteration>) {
        // When the recorder has stopped, its error is reported by `check`.
        let _ = self.jobs.send(Job::Iteration(Arc::clone(it)));
    }

    /// Queue the session's shell start-up correction for writing (it is
    /// measured after the session was created).
    pub fn shell_correction(&self, correction: &ShellCorrection) {
        let _ = self.jobs.send(Job::ShellCorrection(correction.clone()));
    }

    /// The first write error so far, if any.
    pub fn check(&self) -> Result<(), String> {
        match self.error.lock() {
            Ok(slot) => slot.clone().map_or(Ok(()), Err),
            Err(_) => Err("the recorder thread panicked".into()),
        }
    }
}

/// The recorder thread: create the session, then write jobs as they come.
fn record(
    store: &dyn Store,
    mut session: Session,
    provenance: JoinHandle<(Option<perfwatch_model::GitInfo>, perfwatch_model::HostInfo)>,
    queue: &mpsc::Receiver<Job>,
    ended: &AtomicBool,
    committed: &mpsc::Sender<Session>,
) -> Result<Recorded, AppError> {
    let (git, host) = provenance
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    session.git = git;
    session.host = host;
    let mut stored = 0usize;
    let mut queued = 0usize;
    let mut checkpoint_failed = None;
    let failed = |what: String, stored: usize, queued: usize| {
        move |e: perfwatch_store::StoreError| {
            let lost = if e.is_busy() {
                format!(
                    " (the database stayed locked by another process; {stored} of {queued} iteration(s) are stored)"
                )
            } else {
                String::new()
            };
            AppError::Record(format!("failed to {what}: {e}{lost}"))
        }
    };
    patiently(ended, || store.create_session(&session)).map_err(failed(
        "record the session".into(),
        0,
        0,
    ))?;
    for job in queue {
        match job {
            Job::Iteration(it) => {
                queued += 1;
                if let Err(e) = patiently(ended, || store.add_iteration(&session.id, &it)) {
                    // Giving up: count what was still waiting behind it.
                    let waiting = queue
                        .try_iter()
                        .filter(|j| matches!(j, Job::Iteration(_)))
                        .count();
                    let what = format!("record iteration {}", it.index);
                    return Err(failed(what, stored, queued + waiting)(e));
                }
                stored += 1;
            }
            Job::ShellCorrection(c) => {
                patiently(ended, || store.set_shell_correction(&session.id, &c))
                    .map_err(failed("record the shell correction".into(), stored, queued))?;
                session.shell_correction = Some(c);
            }
            Job::Finish {
                status,
                finished_at,
            } => {
                patiently(ended, || {
                    store.finish_session(&session.id, status, &finished_at)
                })
                .map_err(failed(
                    "record the end of the session".into(),
                    stored,
                    queued,
                ))?;
                session.status = status;
                session.finished_at = Some(finished_at);
                // The caller analyses while the log is checkpointed.
                let _ = committed.send(session.clone());
                // The end is committed: a checkpoint that fails now (a
                // full disk) leaves it in the log, stored all the same.
                checkpoint_failed = store.checkpoint().err();
                // Nothing comes after the end (handles may still be alive).
                break;
            }
        }
    }
    Ok(Recorded {
        session,
        checkpoint_failed,
    })
}

/// Run `write`, and while the database is locked by another process try
/// again with back-off — without end while the run goes on (the queue
/// keeps what comes meanwhile), for [`END_PATIENCE`] once it has ended.
fn patiently(
    ended: &AtomicBool,
    mut write: impl FnMut() -> perfwatch_store::Result<()>,
) -> perfwatch_store::Result<()> {
    let mut pause = FIRST_BACKOFF;
    let mut ended_at: Option<Instant> = None;
    loop {
        match write() {
            Err(e) if e.is_busy() => {
                if ended.load(Ordering::SeqCst) {
                    let since = *ended_at.get_or_insert_with(Instant::now);
                    if since.elapsed() >= END_PATIENCE {
                        return Err(e);
                    }
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(MAX_BACKOFF);
            }
            other => return other,
        }
    }
}

/// Put the calling thread in the batch scheduling class (same share of the
/// CPU, no wake-up preemption): handing it an iteration then never
/// preempts the runner between two measured iterations — it runs on an
/// idle core or once the runner waits. Best effort.
fn never_preempt_the_runner() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; `param` is a valid pointer.
        let _ = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    }
}

/// Give the calling thread (and the processes it starts) the lowest
/// priority (nice 19), so that it takes little CPU time from the measured
/// command and still finishes on a busy machine. Best effort.
fn lower_own_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid takes no arguments; setpriority on our own thread
        // id touches no memory.
        unsafe {
            let tid = libc::gettid();
            let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_store::SqliteStore;

    fn session() -> Session {
        Session {
            id: perfwatch_store::new_session_id(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: None,
            benchmark: "b".into(),
            command: perfwatch_model::CommandSpec {
                argv: vec!["true".into()],
                shell: false,
            },
            variants: Vec::new(),
            git: None,
            host: perfwatch_model::HostInfo::default(),
            perfwatch_version: "0".into(),
            status: SessionStatus::Running,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        }
    }

    fn iteration(index: u32) -> Iteration {
        Iteration {
            index,
            variant: "default".into(),
            exit_code: Some(0),
            wall_s: 0.1,
            ..Iteration::default()
        }
    }

    #[test]
    fn writes_the_session_its_iterations_and_its_end() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let mut recorder = Recorder::start(Arc::clone(&store), session(), ".".into()).unwrap();
        let handle = recorder.handle();
        for i in 0..3 {
            handle.record(&Arc::new(iteration(i)));
            assert!(handle.check().is_ok());
        }
        recorder.finish(SessionStatus::Complete, "2026-01-01T00:00:01.000Z");
        let stored = recorder.join().unwrap().session;
        assert_eq!(stored.status, SessionStatus::Complete);
        // The host was read on the provenance thread.
        assert_eq!(stored.host.os, std::env::consts::OS);
        let (loaded, iterations) = store.load_session(&stored.id).unwrap();
        assert_eq!(loaded.status, SessionStatus::Complete);
        assert_eq!(loaded.host, stored.host);
        assert_eq!(iterations.len(), 3);
    }

    #[test]
    fn a_shell_correction_measured_after_the_start_reaches_the_stored_session() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let mut recorder = Recorder::start(Arc::clone(&store), session(), ".".into()).unwrap();
        let handle = recorder.handle();
        let correction = ShellCorrection {
            shell: "sh".into(),
            wall_s: 0.001,
            user_s: 0.0002,
            sys_s: 0.0003,
            runs: 50,
        };
        handle.shell_correction(&correction);
        handle.record(&Arc::new(iteration(0)));
        recorder.finish(SessionStatus::Complete, "2026-01-01T00:00:01.000Z");
        let stored = recorder.join().unwrap().session;
        assert_eq!(stored.shell_correction.as_ref(), Some(&correction));
        let (loaded, _) = store.load_session(&stored.id).unwrap();
        assert_eq!(loaded.shell_correction, Some(correction));
    }

    /// SQLite in memory, whose checkpoint fails as on a full disk.
    struct CheckpointFails(SqliteStore);

    impl Store for CheckpointFails {
        fn location(&self) -> String {
            self.0.location()
        }
        fn create_session(&self, session: &Session) -> perfwatch_store::Result<()> {
            self.0.create_session(session)
        }
        fn add_iteration(&self, id: &str, it: &Iteration) -> perfwatch_store::Result<()> {
            self.0.add_iteration(id, it)
        }
        fn set_shell_correction(
            &self,
            id: &str,
            correction: &ShellCorrection,
        ) -> perfwatch_store::Result<()> {
            self.0.set_shell_correction(id, correction)
        }
        fn finish_session(
            &self,
            id: &str,
            status: SessionStatus,
            finished_at: &str,
        ) -> perfwatch_store::Result<()> {
            self.0.finish_session(id, status, finished_at)
        }
        fn checkpoint(&self) -> perfwatch_store::Result<()> {
            Err(perfwatch_store::StoreError::Io {
                path: "history.db".into(),
                source: std::io::Error::from_raw_os_error(libc::ENOSPC),
            })
        }
        fn list_sessions(
            &self,
            filter: &perfwatch_store::SessionFilter,
        ) -> perfwatch_store::Result<Vec<perfwatch_store::SessionRow>> {
            self.0.list_sessions(filter)
        }
        fn resolve_session(&self, spec: &str) -> perfwatch_store::Result<String> {
            self.0.resolve_session(spec)
        }
        fn load_session(&self, id: &str) -> perfwatch_store::Result<(Session, Vec<Iteration>)> {
            self.0.load_session(id)
        }
        fn find_imported(&self, sha256: &str) -> perfwatch_store::Result<Option<Session>> {
            self.0.find_imported(sha256)
        }
        fn delete_session(&self, id: &str) -> perfwatch_store::Result<()> {
            self.0.delete_session(id)
        }
        fn save_baseline(
            &self,
            name: &str,
            session_ids: &[String],
            description: Option<&str>,
            overwrite: bool,
        ) -> perfwatch_store::Result<perfwatch_store::Baseline> {
            self.0
                .save_baseline(name, session_ids, description, overwrite)
        }
        fn copy_baseline(
            &self,
            baseline: &perfwatch_store::Baseline,
            overwrite: bool,
        ) -> perfwatch_store::Result<perfwatch_store::Baseline> {
            self.0.copy_baseline(baseline, overwrite)
        }
        fn list_baselines(&self) -> perfwatch_store::Result<Vec<perfwatch_store::Baseline>> {
            self.0.list_baselines()
        }
        fn get_baseline(&self, name: &str) -> perfwatch_store::Result<perfwatch_store::Baseline> {
            self.0.get_baseline(name)
        }
        fn delete_baseline(&self, name: &str) -> perfwatch_store::Result<()> {
            self.0.delete_baseline(name)
        }
        fn series(
            &self,
            query: &perfwatch_store::SeriesQuery,
        ) -> perfwatch_store::Result<Vec<perfwatch_store::SeriesPoint>> {
            self.0.series(query)
        }
        fn create_token(
            &self,
            name: &str,
            scope: perfwatch_store::TokenScope,
            sha256: &str,
        ) -> perfwatch_store::Result<perfwatch_store::TokenRow> {
            self.0.create_token(name, scope, sha256)
        }
        fn list_tokens(&self) -> perfwatch_store::Result<Vec<perfwatch_store::TokenRow>> {
            self.0.list_tokens()
        }
        fn revoke_token(&self, name: &str) -> perfwatch_store::Result<perfwatch_store::TokenRow> {
            self.0.revoke_token(name)
        }
        fn find_token(
            &self,
            sha256: &str,
        ) -> perfwatch_store::Result<Option<perfwatch_store::TokenRow>> {
            self.0.find_token(sha256)
        }
        fn queue_push(&self, session_id: &str, server: &str) -> perfwatch_store::Result<()> {
            self.0.queue_push(session_id, server)
        }
        fn mark_pushed(&self, session_id: &str, server: &str) -> perfwatch_store::Result<()> {
            self.0.mark_pushed(session_id, server)
        }
        fn push_queue(
            &self,
            server: Option<&str>,
            include_pushed: bool,
        ) -> perfwatch_store::Result<Vec<perfwatch_store::PushEntry>> {
            self.0.push_queue(server, include_pushed)
        }
        fn history_generation(&self, benchmark: Option<&str>) -> perfwatch_store::Result<u64> {
            self.0.history_generation(benchmark)
        }
        fn forget_pushes(
            &self,
            ids: Option<&[String]>,
            server: Option<&str>,
        ) -> perfwatch_store::Result<usize> {
            self.0.forget_pushes(ids, server)
        }
        fn deliveries(
            &self,
            webhook: &str,
        ) -> perfwatch_store::Result<Vec<perfwatch_store::Delivery>> {
            self.0.deliveries(webhook)
        }
        fn claim_delivery(&self, d: &perfwatch_store::Delivery) -> perfwatch_store::Result<bool> {
            self.0.claim_delivery(d)
        }
        fn update_delivery(
            &self,
            d: &perfwatch_store::Delivery,
            attempts_seen: u32,
        ) -> perfwatch_store::Result<bool> {
            self.0.update_delivery(d, attempts_seen)
        }
    }

    #[test]
    fn a_failed_final_checkpoint_leaves_the_session_stored_and_says_why() {
        let store: Arc<dyn Store> =
            Arc::new(CheckpointFails(SqliteStore::open_in_memory().unwrap()));
        let mut recorder = Recorder::start(Arc::clone(&store), session(), ".".into()).unwrap();
        recorder.handle().record(&Arc::new(iteration(0)));
        recorder.finish(SessionStatus::Complete, "2026-01-01T00:00:01.000Z");
        let recorded = recorder.join().expect("stored, not failed");
        assert_eq!(recorded.session.status, SessionStatus::Complete);
        let why = recorded.checkpoint_failed.expect("the failure").to_string();
        assert!(why.contains("No space left on device"), "{why}");
        let (loaded, iterations) = store.load_session(&recorded.session.id).unwrap();
        assert_eq!(loaded.status, SessionStatus::Complete);
        assert_eq!(iterations.len(), 1);
    }

    #[test]
    fn a_failed_write_is_reported_to_the_runner_and_at_the_end() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let mut recorder = Recorder::start(store, session(), ".".into()).unwrap();
        let handle = recorder.handle();
        handle.record(&Arc::new(iteration(0)));
        // The same index again: the store refuses it.
        handle.record(&Arc::new(iteration(0)));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while handle.check().is_ok() {
            assert!(std::time::Instant::now() < deadline, "no error reported");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(handle.check().unwrap_err().contains("iteration 0"));
        recorder.finish(SessionStatus::Failed, "2026-01-01T00:00:01.000Z");
        assert!(recorder.join().is_err());
    }
}
