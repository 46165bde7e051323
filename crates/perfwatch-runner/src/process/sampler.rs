//! Turns tree refreshes into timeline samples.

use super::procfs::{self, Io};
use super::tree::{Totals, Tree};
use crate::gpu::SharedGpu;
use crate::live::SharedLive;
use perfwatch_model::Sample;
use std::time::{Duration, Instant};

/// Who else hears of each sample: the GPU probe adds its readings, the
/// live view sees it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listeners {
    /// Reads the GPUs at each sample.
    pub gpu: Option<SharedGpu>,
    /// Hears each sample.
    pub live: Option<SharedLive>,
}

/// Takes a [`Sample`] of the whole tree every `interval`, the first one
/// interval after the start. Not at the start: the command is then still
/// being loaded (it has no descendants to find yet), the sample's rates
/// would cover an interval of no length, and reading its `/proc` entries
/// at that moment competes with it for the machine (in a busy hour a
/// sample at spawn made `sh -c 'sleep 0.01'` 0.09 ms slower; in a quiet
/// one no difference showed). A command shorter than the interval has no
/// sample.
#[derive(Debug)]
pub(crate) struct Sampler {
    start: Instant,
    interval: Duration,
    next_due: Instant,
    prev: Previous,
    samples: Vec<Sample>,
    listeners: Listeners,
}

/// The figures of the previous sample, for rates. Before the first sample
/// they are those of a process that has just started: zero.
#[derive(Debug, Clone, Copy, Default)]
struct Previous {
    t_s: f64,
    cpu_ticks: u64,
    io: Io,
}

impl Sampler {
    /// A sampler for a command spawned at `start`.
    pub fn new(start: Instant, interval: Duration, listeners: Listeners) -> Sampler {
        Sampler {
            start,
            interval,
            next_due: start + interval,
            prev: Previous::default(),
            samples: Vec::new(),
            listeners,
        }
    }

    /// When the next sample is due.
    pub fn next_due(&self) -> Instant {
        self.next_due
    }

    /// Take a sample if one is due at `now`.
    pub fn poll(&mut self, tree: &mut Tree, now: Instant) {
        if now < self.next_due {
            return;
        }
        let totals = tree.refresh();
        let t_s = self.start.elapsed().as_secs_f64();
        if self.record(t_s, &totals) {
            let last = self.samples.len() - 1;
            if let Some(gpu) = &self.listeners.gpu {
                self.samples[last].gpus = gpu.0.read(&tree.pids(), t_s);
            }
            if let Some(live) = &self.listeners.live {
                live.0.sample(&self.samples[last]);
            }
        }
        self.next_due += self.interval;
        if self.next_due <= now {
            // Overran (a huge tree, a stalled machine): skip, don't burst.
            self.next_due = now + self.interval;
        }
    }

    /// Record a sample of `totals`; false when there was nothing to
    /// sample.
    fn record(&mut self, t_s: f64, totals: &Totals) -> bool {
        // A tree that has exited (or holds only zombies) has no resident
        // memory to report: a zero would be a figure we did not measure.
        if totals.processes == 0 || totals.rss_pages == 0 {
            return false;
        }
        let io = totals.root_io.unwrap_or_default() + totals.others_io;
        let dt = t_s - self.prev.t_s;
        let rate = |now: u64, before: u64| {
            if dt > 0.0 {
                now.saturating_sub(before) as f64 / dt
            } else {
                0.0
            }
        };
        let cpu_s = rate(totals.cpu_ticks, self.prev.cpu_ticks) / procfs::clock_ticks();
        self.samples.push(Sample {
            t_s,
            cpu_pct: cpu_s * 100.0,
            rss_bytes: totals.rss_pages.saturating_mul(procfs::page_size()),
            threads: totals.threads,
            processes: totals.processes,
            read_bps: rate(io.read, self.prev.io.read),
            write_bps: rate(io.write, self.prev.io.write),
            gpus: Vec::new(),
        });
        self.prev = Previous {
            t_s,
            cpu_ticks: totals.cpu_ticks,
            io,
        };
        true
    }

    /// The samples taken.
    pub fn into_samples(self) -> Vec<Sample> {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_deltas() {
        let start = Instant::now();
        let mut s = Sampler::new(start, Duration::from_millis(50), Listeners::default());
        let ticks = procfs::clock_ticks() as u64;
        let totals = |cpu_ticks, read, rss_pages| Totals {
            cpu_ticks,
            rss_pages,
            threads: 2,
            processes: 1,
            root_io: Some(Io { read, write: 0 }),
            others_io: Io::default(),
        };
        s.record(0.5, &totals(ticks / 2, 1000, 10));
        s.record(1.5, &totals(ticks / 2 + ticks, 500, 20));
        let v = s.into_samples();
        assert!((v[0].cpu_pct - 100.0).abs() < 1e-9);
        assert!((v[0].read_bps - 2000.0).abs() < 1e-9);
        assert!((v[1].cpu_pct - 100.0).abs() < 1e-9);
        // A shrinking counter (an orphan reaped elsewhere) is not negative.
        assert_eq!(v[1].read_bps, 0.0);
        assert_eq!(v[1].rss_bytes, 20 * procfs::page_size());
    }
}
