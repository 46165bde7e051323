//! [`LiveHub`]: the one place a run's live state is kept. The runner
//! feeds it — iteration boundaries through [`LiveObserver`], samples and
//! span files through the [`LiveSink`] — and the terminal view and the
//! server poster read snapshots from it. The span file is followed and
//! the analysis of the iterations so far recomputed by whoever reads
//! ([`LiveHub::refresh`]), never on the runner's threads.

use perfwatch_app::live::{Call, LiveRun, SpanTail};
use perfwatch_app::Options;
use perfwatch_model::{Iteration, LiveSnapshot, LiveState, Sample, Session};
use perfwatch_runner::{LiveSink, Observer, ObserverError, SharedLive};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The analysis of the iterations so far is recomputed at most this often.
const ANALYSIS_EVERY: Duration = Duration::from_secs(1);

/// A run's live state, shared by the runner, the view and the poster.
pub struct LiveHub {
    started: Instant,
    session: Session,
    options: Options,
    state: Mutex<HubState>,
    /// Woken at each iteration's end and at the run's end.
    changed: Condvar,
}

struct HubState {
    run: LiveRun,
    tail: Option<SpanTail>,
    /// Grows whenever `tail` is replaced or dropped: a tail read outside
    /// the lock is put back, and its calls used, only if it is unchanged.
    tail_epoch: u64,
    finished: Vec<Arc<Iteration>>,
    analysed: usize,
    last_analysis: Option<Instant>,
    /// Counts iteration ends and the run's end, for [`LiveHub::wait_change`].
    generation: u64,
}

impl LiveHub {
    /// The hub of `session`, analysing with `options`.
    pub fn new(session: &Session, options: &Options) -> Arc<LiveHub> {
        let variants = session.variants.iter().map(|v| v.name.clone());
        let run = LiveRun::new(&session.id, &session.benchmark, variants, options.ci());
        Arc::new(LiveHub {
            started: Instant::now(),
            session: session.clone(),
            options: options.clone(),
            state: Mutex::new(HubState {
                run,
                tail: None,
                tail_epoch: 0,
                finished: Vec::new(),
                analysed: 0,
                last_analysis: None,
                generation: 0,
            }),
            changed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// What the plan carries to the runner.
    pub fn sink(self: &Arc<LiveHub>) -> SharedLive {
        SharedLive(Arc::new(HubSink(Arc::clone(self))))
    }

    /// The observer that tells the hub where the run is.
    pub fn observer(self: &Arc<LiveHub>) -> LiveObserver {
        LiveObserver(Arc::clone(self))
    }

    /// The run ended (finished or cancelled): readers see it at once.
    pub fn end(&self, state: LiveState) {
        let mut s = self.lock();
        s.run.ended(state);
        s.generation += 1;
        drop(s);
        self.changed.notify_all();
    }

    /// Whether the run still goes on.
    pub fn running(&self) -> bool {
        self.lock().run.state() == LiveState::Running
    }

    /// Reads what the span file gained, and analyses the iterations so far
    /// when new ones finished and the last analysis is old enough.
    pub fn refresh(&self) {
        // The span file is read outside the lock: the runner's thread
        // takes it for every sample while it waits for the command's exit,
        // and a large read must not delay that.
        let (epoch, mut tail) = {
            let mut s = self.lock();
            (s.tail_epoch, s.tail.take())
        };
        let calls: Vec<Call> = match tail.as_mut() {
            Some(tail) => tail.read().iter().filter_map(Call::from_record).collect(),
            None => Vec::new(),
        };
        let (session, iterations) = {
            let mut s = self.lock();
            if s.tail_epoch == epoch {
                s.tail = tail;
                s.run.calls(calls);
            }
            let due = s
                .last_analysis
                .is_none_or(|t| t.elapsed() >= ANALYSIS_EVERY);
            if !due || s.analysed == s.finished.len() {
                return;
            }
            s.analysed = s.finished.len();
            s.last_analysis = Some(Instant::now());
            (self.session.clone(), s.finished.clone())
        };
        // Outside the lock: the runner's events are never held up by it.
        let iterations = iterations.iter().map(|it| (**it).clone()).collect();
        let analysis = perfwatch_app::analyze(session, iterations, None, &self.options);
        self.lock().run.analysed(&analysis);
    }

    /// The run as it stands now.
    pub fn snapshot(&self) -> LiveSnapshot {
        let now = perfwatch_app::clock::now_rfc3339();
        self.lock().run.snapshot(self.now_s(), &now)
    }

    /// Waits until an iteration ends or the run does (or `limit` passes);
    /// returns the generation seen, to pass again next time.
    pub fn wait_change(&self, seen: u64, limit: Duration) -> u64 {
        let s = self.lock();
        let (s, _) = self
            .changed
            .wait_timeout_while(s, limit, |s| s.generation == seen)
            .unwrap_or_else(|p| p.into_inner());
        s.generation
    }
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("session", &self.session.id)
            .finish_non_exhaustive()
    }
}

/// The runner's [`LiveSink`]: samples and span files into the hub.
#[derive(Debug)]
struct HubSink(Arc<LiveHub>);

impl LiveSink for HubSink {
    fn sample(&self, sample: &Sample) {
        self.0.lock().run.sample(sample);
    }

    fn span_file(&self, path: &Path) {
        let mut s = self.0.lock();
        s.tail = Some(SpanTail::new(path));
        s.tail_epoch += 1;
    }
}

/// The runner's [`Observer`] for the hub: iteration starts and ends.
pub struct LiveObserver(Arc<LiveHub>);

impl Observer for LiveObserver {
    fn planned(&mut self, total_estimate: u64) {
        self.0.lock().run.planned(total_estimate);
    }

    fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool) {
        let at = self.0.now_s();
        let mut s = self.0.lock();
        s.tail = None;
        s.tail_epoch += 1;
        s.run.iteration_started(index, variant, warmup, at);
    }

    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        let mut s = self.0.lock();
        s.tail = None;
        s.tail_epoch += 1;
        s.run.iteration_finished(it);
        if !it.warmup {
            s.finished.push(Arc::clone(it));
        }
        s.generation += 1;
        drop(s);
        self.0.changed.notify_all();
        Ok(())
    }
}
