//! The open model's timetable: when request `k` is due.
//!
//! Pure arithmetic on offsets from the start of the run, so it is tested
//! without a clock.

use std::time::Duration;

/// A request sent later than this after its intended time counts as late.
pub const LATE_AFTER: Duration = Duration::from_millis(10);

/// How much earlier than its intended time the driver wakes to send a
/// request: one tick of tokio's millisecond timer, which otherwise fires up
/// to a tick late. A request sent early has its latency counted from its
/// actual send, so it is never shortened.
pub(crate) const EARLY_WAKE: Duration = Duration::from_millis(1);

/// Request `k` is due `k / rate` seconds after the start; the requests
/// due before `warmup` are not recorded, none is due at or after `end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    rate: f64,
    /// Index of the first request due at or after the warmup.
    first_measured: u64,
    /// Number of requests due before the end.
    tickets: u64,
}

impl Schedule {
    /// `rate` is finite and positive (the plan checked it).
    pub(crate) fn new(rate: f64, warmup: Duration, end: Duration) -> Schedule {
        let mut schedule = Schedule {
            rate,
            first_measured: 0,
            tickets: 0,
        };
        schedule.first_measured = schedule.first_due_at_or_after(warmup);
        schedule.tickets = schedule.first_due_at_or_after(end);
        schedule
    }

    /// When request `k` is due, from the start.
    pub(crate) fn offset(&self, k: u64) -> Duration {
        Duration::from_secs_f64(k as f64 / self.rate)
    }

    pub(crate) fn first_measured(&self) -> u64 {
        self.first_measured
    }

    pub(crate) fn tickets(&self) -> u64 {
        self.tickets
    }

    /// The smallest `k` with `offset(k) >= at`, exact despite float
    /// rounding because it is checked against `offset` itself.
    fn first_due_at_or_after(&self, at: Duration) -> u64 {
        let mut k = (at.as_secs_f64() * self.rate).ceil() as u64;
        while k > 0 && self.offset(k - 1) >= at {
            k -= 1;
        }
        while self.offset(k) < at {
            k += 1;
        }
        k
    }
}

/// Whether a request sent `delay` after its intended time is late.
pub(crate) fn is_late(delay: Duration) -> bool {
    delay > LATE_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn tickets_cover_the_half_open_run() {
        for (rate, warmup, end, first, tickets) in [
            (200.0, MS(0), MS(1000), 0, 200),
            (10.0, MS(100), MS(300), 1, 3),
            (3.0, MS(0), MS(1000), 0, 3),
            (1000.0, MS(250), MS(1250), 250, 1250),
            (0.5, MS(0), MS(100), 0, 1),
        ] {
            let s = Schedule::new(rate, warmup, end);
            assert_eq!(
                (s.first_measured(), s.tickets()),
                (first, tickets),
                "{rate}"
            );
        }
    }

    #[test]
    fn offsets_are_k_over_rate() {
        let s = Schedule::new(4.0, MS(0), MS(1000));
        assert_eq!(s.offset(0), Duration::ZERO);
        assert_eq!(s.offset(3), MS(750));
    }

    #[test]
    fn late_means_beyond_ten_milliseconds() {
        assert!(!is_late(MS(10)));
        assert!(is_late(MS(11)));
    }
}
