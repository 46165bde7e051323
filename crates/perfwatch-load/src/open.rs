//! The open model's driver: requests on the timetable, whatever the
//! service does.

use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::job::JobSource;
use crate::pool::Pool;
use crate::schedule::{is_late, Schedule, EARLY_WAKE};
use crate::tally::Tally;
use crate::worker::Shared;
use crate::{LoadReport, ModelKind};

/// Sends request `k` at `start + k / rate` on a free connection (waiting
/// for one when all `connections` are busy), stops sending when the run
/// ends, then waits for the requests in flight.
pub(crate) async fn drive(
    shared: Arc<Shared>,
    rng: ChaCha8Rng,
    rate: f64,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> LoadReport {
    let schedule = Schedule::new(rate, warmup, warmup + duration);
    let mut pool = Pool::new(Arc::clone(&shared), connections);
    let mut tally = Tally::new(ModelKind::Open);
    let mut source = JobSource::new(rng);

    let start = Instant::now();
    let end = start + warmup + duration;
    // One timer, reset for every request: no allocation per tick.
    let timer = tokio::time::sleep_until(start);
    tokio::pin!(timer);
    let mut k = 0;
    while k < schedule.tickets() {
        let intended = start + schedule.offset(k);
        // tokio's timer fires on the first millisecond tick at or after
        // its deadline; aiming one tick early keeps the send within about
        // a millisecond before the intended time instead of up to two
        // after it, which would count as latency.
        timer
            .as_mut()
            .reset(intended.checked_sub(EARLY_WAKE).unwrap_or(intended));
        timer.as_mut().await;
        // Waiting here for a free connection does not move the intended
        // time: the wait is part of the latency the service caused.
        let Some(worker) = pool.acquire_before(end, &mut tally).await else {
            break;
        };
        let recorded = k >= schedule.first_measured();
        if recorded {
            tally.sent(is_late(Instant::now().saturating_duration_since(intended)));
        }
        pool.dispatch(worker, source.next(&shared.mix, Some(intended), recorded));
        k += 1;
    }
    // Due in the measured part but still waiting for a connection at the end.
    tally.dropped(schedule.tickets() - k.max(schedule.first_measured()));
    pool.drain(&mut tally).await;
    tally.into_report(start + warmup, duration)
}
