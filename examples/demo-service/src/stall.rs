//! The planted periodic stall: a whole-service pause, as a stop-the-world
//! garbage collection or a global lock would cause.
//!
//! Time is cut into periods of [`Stall::every`] from the moment the service
//! starts listening. A playlist request that arrives during the last
//! [`Stall::length`] of a period is held until that period ends, then
//! served as usual; one that arrives earlier in the period is not held.
//! The stall window sits at the *end* of each period so that a freshly
//! started service answers at once.

use std::time::Duration;

/// A stall of `length` at the end of every period of `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stall {
    every: Duration,
    length: Duration,
}

impl Stall {
    /// The stall of `length` at the end of every `every`; `None` unless
    /// `0 < length < every` (a stall as long as its period never ends).
    pub fn new(every: Duration, length: Duration) -> Option<Self> {
        (!length.is_zero() && length < every).then_some(Self { every, length })
    }

    /// The period.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// How long each stall lasts.
    pub fn length(&self) -> Duration {
        self.length
    }

    /// How long a request arriving `since_start` after the service started
    /// listening is held: until the end of the period when it arrives in
    /// the stall window, zero otherwise.
    pub fn hold(&self, since_start: Duration) -> Duration {
        let every = self.every.as_nanos();
        let into_period = since_start.as_nanos() % every;
        let left = every - into_period;
        if left <= self.length.as_nanos() {
            // `left` is at most `every`, itself a Duration.
            Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX))
        } else {
            Duration::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn requests_in_the_last_part_of_a_period_wait_for_its_end() {
        let stall = Stall::new(secs(5.0), secs(1.0)).unwrap();
        // (arrival since start, hold)
        let cases = [
            (0.0, 0.0),
            (3.9, 0.0),
            (4.0, 1.0),
            (4.25, 0.75),
            (4.999, 0.001),
            (5.0, 0.0),
            (8.5, 0.0),
            (9.5, 0.5),
            (10.0, 0.0),
            (3604.5, 0.5),
        ];
        for (arrival, hold) in cases {
            let got = stall.hold(secs(arrival));
            assert!(
                (got.as_secs_f64() - hold).abs() < 1e-6,
                "arrival {arrival} s: held {got:?}, expected {hold} s"
            );
        }
    }

    #[test]
    fn a_stall_must_be_shorter_than_its_period_and_not_empty() {
        assert!(Stall::new(secs(5.0), secs(5.0)).is_none());
        assert!(Stall::new(secs(5.0), secs(6.0)).is_none());
        assert!(Stall::new(secs(5.0), Duration::ZERO).is_none());
        let stall = Stall::new(secs(0.5), secs(0.1)).unwrap();
        assert_eq!((stall.every(), stall.length()), (secs(0.5), secs(0.1)));
    }
}
