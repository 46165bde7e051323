//! The closed model's driver: each worker sends its next request when the
//! last one answered.

use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::job::JobSource;
use crate::pool::Pool;
use crate::tally::Tally;
use crate::worker::Shared;
use crate::{LoadReport, ModelKind};

/// Keeps `concurrency` requests in flight until the run ends, then waits
/// for the last ones.
pub(crate) async fn drive(
    shared: Arc<Shared>,
    rng: ChaCha8Rng,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> LoadReport {
    let mut pool = Pool::new(Arc::clone(&shared), concurrency);
    let mut tally = Tally::new(ModelKind::Closed);
    let mut source = JobSource::new(rng);

    let start = Instant::now();
    let measured_from = start + warmup;
    let end = measured_from + duration;
    let mut send = |pool: &mut Pool, tally: &mut Tally, worker: usize| {
        let recorded = Instant::now() >= measured_from;
        if recorded {
            tally.sent(false);
        }
        pool.dispatch(worker, source.next(&shared.mix, None, recorded));
    };
    // Every worker gets its first request here and its next one when it
    // reports back below, so exactly `concurrency` are ever in flight.
    while let Some(worker) = pool.start_worker() {
        send(&mut pool, &mut tally, worker);
    }
    let deadline = tokio::time::sleep_until(end);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            biased;
            () = &mut deadline => break,
            worker = pool.next_finished(&mut tally) => match worker {
                Some(worker) if Instant::now() < end => send(&mut pool, &mut tally, worker),
                _ => break,
            },
        }
    }
    pool.drain(&mut tally).await;
    tally.into_report(measured_from, duration)
}
