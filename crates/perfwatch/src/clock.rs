//! The probe's clock: cheap ticks on the hot path, Unix nanoseconds later.
//!
//! Opening and closing a span each read the clock once. On x86-64, when the
//! kernel itself uses the TSC as its clocksource (so the TSC is invariant and
//! synchronised across cores), a tick is one `rdtsc` (about 10 ns, half of a
//! `clock_gettime` through the vDSO). Elsewhere a tick is a nanosecond of
//! [`Instant`] since the probe started.
//!
//! Ticks become Unix nanoseconds only when records are written, by linear
//! interpolation between two anchors read back to back with the monotonic
//! clock: one at start-up, one at write time. Every converted time lies
//! between the anchors, so its error stays within the anchors' own jitter
//! (tens of nanoseconds), however short the run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// True when ticks are TSC cycles.
static USE_TSC: AtomicBool = AtomicBool::new(false);
/// Origin of Instant-based ticks.
static BASE: OnceLock<Instant> = OnceLock::new();

/// The current tick.
#[inline(always)]
pub(crate) fn now() -> u64 {
    #[cfg(target_arch = "x86_64")]
    if USE_TSC.load(Ordering::Relaxed) {
        return rdtsc();
    }
    instant_ticks()
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` has no preconditions on x86-64; the intrinsic is only
    // `unsafe` on older compilers.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_rdtsc()
    }
}

#[inline]
fn instant_ticks() -> u64 {
    let base = BASE.get_or_init(Instant::now);
    Instant::now().saturating_duration_since(*base).as_nanos() as u64
}

/// A tick paired with the monotonic clock, read back to back.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    tick: u64,
    mono: Instant,
}

impl Anchor {
    /// The tightest of three back-to-back readings (least preempted).
    fn read() -> Anchor {
        let mut best: Option<(u64, Anchor)> = None;
        for _ in 0..3 {
            let before = now();
            let mono = Instant::now();
            let after = now();
            let width = after.saturating_sub(before);
            let anchor = Anchor {
                tick: before + width / 2,
                mono,
            };
            if best.is_none_or(|(w, _)| width < w) {
                best = Some((width, anchor));
            }
        }
        best.map(|(_, a)| a).unwrap_or(Anchor {
            tick: now(),
            mono: Instant::now(),
        })
    }
}

/// The process clock's origin: the start-up anchor and the Unix time then.
#[derive(Debug)]
pub(crate) struct ClockBase {
    start: Anchor,
    start_unix_ns: u64,
}

impl ClockBase {
    /// Chooses the tick source and reads the start-up anchor.
    pub(crate) fn start(allow_tsc: bool) -> ClockBase {
        BASE.get_or_init(Instant::now);
        USE_TSC.store(allow_tsc && tsc_is_trusted(), Ordering::Relaxed);
        let start = Anchor::read();
        let start_unix_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        ClockBase {
            start,
            start_unix_ns,
        }
    }

    /// A converter valid for every tick read so far.
    pub(crate) fn converter(&self) -> Converter {
        let end = Anchor::read();
        let ticks = end.tick.saturating_sub(self.start.tick);
        let nanos = end
            .mono
            .saturating_duration_since(self.start.mono)
            .as_nanos() as f64;
        let ns_per_tick = if !USE_TSC.load(Ordering::Relaxed) {
            1.0
        } else if ticks == 0 {
            // No time has passed: any slope is as good as any other.
            1.0
        } else {
            nanos / ticks as f64
        };
        Converter {
            start_tick: self.start.tick,
            start_unix_ns: self.start_unix_ns,
            ns_per_tick,
        }
    }
}

/// Turns ticks into Unix nanoseconds and durations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Converter {
    start_tick: u64,
    start_unix_ns: u64,
    ns_per_tick: f64,
}

impl Converter {
    /// A converter with a given slope (tests).
    #[cfg(test)]
    pub(crate) fn fixed(start_tick: u64, start_unix_ns: u64, ns_per_tick: f64) -> Converter {
        Converter {
            start_tick,
            start_unix_ns,
            ns_per_tick,
        }
    }

    /// The Unix time, in nanoseconds, of `tick`.
    pub(crate) fn unix_ns(&self, tick: u64) -> u64 {
        let since = tick.saturating_sub(self.start_tick);
        self.start_unix_ns.saturating_add(self.duration_ns(since))
    }

    /// A duration in ticks, in nanoseconds.
    pub(crate) fn duration_ns(&self, ticks: u64) -> u64 {
        // `+ 0.5` then truncation rounds (durations are never negative)
        // without a call into libm.
        (ticks as f64 * self.ns_per_tick + 0.5) as u64
    }
}

/// True when the kernel uses the TSC as its clocksource: it only does so
/// when the TSC is invariant and synchronised across CPUs.
fn tsc_is_trusted() -> bool {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .map(|s| s.trim() == "tsc")
            .unwrap_or(false)
    }
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_is_linear_from_the_start_anchor() {
        let c = Converter::fixed(1_000, 1_700_000_000_000_000_000, 0.5);
        assert_eq!(c.unix_ns(1_000), 1_700_000_000_000_000_000);
        assert_eq!(c.unix_ns(3_000), 1_700_000_000_000_001_000);
        // Ticks before the start clamp to the start.
        assert_eq!(c.unix_ns(10), 1_700_000_000_000_000_000);
        assert_eq!(c.duration_ns(4), 2);
    }

    #[test]
    fn ticks_convert_close_to_the_monotonic_clock() {
        let base = ClockBase::start(true);
        let t0 = now();
        let i0 = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let i1 = Instant::now();
        let t1 = now();
        let c = base.converter();
        let measured = c.unix_ns(t1) - c.unix_ns(t0);
        let inner = (i1 - i0).as_nanos() as u64;
        // [t0, t1] encloses [i0, i1]: only the conversion's error (far below
        // a millisecond) may make it look shorter. No upper bound: the
        // machine may pause between any two readings.
        assert!(measured + 1_000_000 >= inner, "{measured} vs {inner}");
        assert!(c.unix_ns(t0) > 1_500_000_000_000_000_000);
    }
}
