//! The workers of a run: started when first needed up to a cap, reused
//! most-recently-idle first so that few connections stay warm.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::job::{Done, Job};
use crate::tally::Tally;
use crate::worker::{serve, Shared};

pub(crate) struct Pool {
    shared: Arc<Shared>,
    cap: usize,
    /// One mailbox per worker; a worker's index is its id.
    mailboxes: Vec<mpsc::Sender<Job>>,
    /// Idle workers, the most recently finished last.
    idle: Vec<usize>,
    busy: usize,
    done_tx: mpsc::UnboundedSender<Done>,
    done_rx: mpsc::UnboundedReceiver<Done>,
}

impl Pool {
    pub(crate) fn new(shared: Arc<Shared>, cap: usize) -> Pool {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Pool {
            shared,
            cap,
            mailboxes: Vec::new(),
            idle: Vec::new(),
            busy: 0,
            done_tx,
            done_rx,
        }
    }

    /// An idle worker, or a new one while under the cap; counts whatever
    /// finished meanwhile into `tally`.
    pub(crate) fn try_acquire(&mut self, tally: &mut Tally) -> Option<usize> {
        while let Ok(done) = self.done_rx.try_recv() {
            let worker = self.count(done, tally);
            self.idle.push(worker);
        }
        if let Some(worker) = self.idle.pop() {
            return Some(worker);
        }
        self.start_worker()
    }

    /// A new worker while under the cap, without looking at finished ones.
    pub(crate) fn start_worker(&mut self) -> Option<usize> {
        if self.mailboxes.len() >= self.cap {
            return None;
        }
        let worker = self.mailboxes.len();
        let mailbox = self.spawn(worker);
        self.mailboxes.push(mailbox);
        Some(worker)
    }

    /// Like [`try_acquire`](Self::try_acquire), waiting for a worker to
    /// finish when all are busy; `None` once `deadline` passes first.
    pub(crate) async fn acquire_before(
        &mut self,
        deadline: Instant,
        tally: &mut Tally,
    ) -> Option<usize> {
        loop {
            if let Some(worker) = self.try_acquire(tally) {
                return Some(worker);
            }
            tokio::select! {
                done = self.done_rx.recv() => {
                    // The pool holds a sender, so the channel never closes.
                    if let Some(done) = done {
                        let worker = self.count(done, tally);
                        self.idle.push(worker);
                    }
                }
                () = tokio::time::sleep_until(deadline) => return None,
            }
        }
    }

    /// Waits for the next worker to finish and returns it, counted and
    /// free; `None` when none is busy.
    pub(crate) async fn next_finished(&mut self, tally: &mut Tally) -> Option<usize> {
        if self.busy == 0 {
            return None;
        }
        let done = self.done_rx.recv().await?;
        Some(self.count(done, tally))
    }

    /// Hands `job` to `worker`, which must come from an acquire.
    pub(crate) fn dispatch(&mut self, worker: usize, job: Job) {
        let job = match self.mailboxes[worker].try_send(job) {
            Ok(()) => {
                self.busy += 1;
                return;
            }
            // An idle worker's mailbox is empty, so it is gone only if its
            // task ended abnormally: replace it and send again.
            Err(mpsc::error::TrySendError::Closed(job) | mpsc::error::TrySendError::Full(job)) => {
                job
            }
        };
        self.mailboxes[worker] = self.spawn(worker);
        if self.mailboxes[worker].try_send(job).is_ok() {
            self.busy += 1;
        }
    }

    /// Waits until every busy worker has finished (each is bounded by the
    /// request timeout), counting them.
    pub(crate) async fn drain(&mut self, tally: &mut Tally) {
        while self.next_finished(tally).await.is_some() {}
    }

    /// Counts a finished request; its worker is now free (the caller
    /// decides whether it goes idle or gets the next job).
    fn count(&mut self, done: Done, tally: &mut Tally) -> usize {
        tally.finish(&done);
        self.busy -= 1;
        done.worker
    }

    fn spawn(&self, worker: usize) -> mpsc::Sender<Job> {
        let (tx, rx) = mpsc::channel(1);
        tokio::spawn(serve(
            worker,
            Arc::clone(&self.shared),
            rx,
            self.done_tx.clone(),
        ));
        tx
    }
}
