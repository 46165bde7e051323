//! The closed model's driver: each worker sends its next request when the
//! last one answered.
//!
//! Each worker loops on its own connection — draws its request, sends it,
//! reads the answer, counts it in a tally of its own — with no hand-off to
//! a driver between two requests, as a closed-model tool's event loop
//! does: the connection is idle only for the generator's own work, so the
//! service sees the load it would from any closed-model client. The
//! tallies are added up at the end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::job::{Done, JobSource};
use crate::tally::Tally;
use crate::worker::{exchange_timed, Connection, Shared};
use crate::{LoadReport, ModelKind};

/// Keeps `concurrency` requests in flight until the run ends, then waits
/// for the last ones.
pub(crate) async fn drive(
    shared: Arc<Shared>,
    mut rng: ChaCha8Rng,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> LoadReport {
    let start = Instant::now();
    let measured_from = start + warmup;
    let end = measured_from + duration;
    // `{seq}` numbers the requests of the whole run, in send order.
    let seq = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            // One generator per worker, each seeded from the run's: the
            // same seed draws the same requests on each connection.
            let rng = ChaCha8Rng::seed_from_u64(rng.next_u64());
            let run = Worker {
                shared: Arc::clone(&shared),
                seq: Arc::clone(&seq),
                measured_from,
                end,
            };
            tokio::spawn(run.run(rng))
        })
        .collect();
    let mut tally = Tally::new(ModelKind::Closed);
    for worker in workers {
        // A worker that panicked loses its own counts only.
        if let Ok(own) = worker.await {
            tally.absorb(own);
        }
    }
    tally.into_report(measured_from, duration)
}

/// One closed-model worker's run.
struct Worker {
    shared: Arc<Shared>,
    seq: Arc<AtomicU64>,
    measured_from: Instant,
    end: Instant,
}

impl Worker {
    /// Sends requests one after the other until the end; the last one is
    /// waited for (at most the timeout).
    async fn run(self, rng: ChaCha8Rng) -> Tally {
        let mut tally = Tally::new(ModelKind::Closed);
        let mut source = JobSource::new(rng);
        let mut conn: Option<Connection> = None;
        loop {
            let now = Instant::now();
            if now >= self.end {
                break;
            }
            let recorded = now >= self.measured_from;
            if recorded {
                tally.sent(false);
            }
            let n = self.seq.fetch_add(1, Ordering::Relaxed);
            let job = source.next_numbered(&self.shared.mix, n, None, recorded);
            let (latency, outcome) = exchange_timed(&self.shared, &mut conn, job).await;
            tally.finish(&Done {
                worker: 0,
                recorded,
                latency,
                outcome,
            });
        }
        tally
    }
}
