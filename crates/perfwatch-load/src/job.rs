//! What the driver hands a worker, and what comes back.

use std::time::Duration;

use hyper::Uri;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::mix::Mix;

/// One request to send.
#[derive(Debug)]
pub(crate) struct Job {
    /// Index into the mix.
    pub(crate) request: usize,
    pub(crate) uri: Uri,
    /// Open model: the intended send time; latency counts from it, or
    /// from the actual send if that came earlier. `None`: latency counts
    /// from the actual send (closed model).
    pub(crate) intended: Option<Instant>,
    /// False for warmup requests.
    pub(crate) recorded: bool,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A full response with this status code.
    Response(u16),
    Timeout,
    Connect,
    Transport,
}

/// A worker's report of a finished request; the worker is idle again.
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) worker: usize,
    pub(crate) recorded: bool,
    pub(crate) latency: Duration,
    pub(crate) outcome: Outcome,
}

/// Numbers the requests and draws them from the mix, in send order, so a
/// seed gives the same sequence of requests every run.
pub(crate) struct JobSource {
    rng: ChaCha8Rng,
    seq: u64,
}

impl JobSource {
    pub(crate) fn new(rng: ChaCha8Rng) -> JobSource {
        JobSource { rng, seq: 0 }
    }

    pub(crate) fn next(&mut self, mix: &Mix, intended: Option<Instant>, recorded: bool) -> Job {
        let seq = self.seq;
        self.seq += 1;
        self.next_numbered(mix, seq, intended, recorded)
    }

    /// The next request, numbered `seq` by the caller (workers that share
    /// one count of the run's requests).
    pub(crate) fn next_numbered(
        &mut self,
        mix: &Mix,
        seq: u64,
        intended: Option<Instant>,
        recorded: bool,
    ) -> Job {
        let request = mix.pick(&mut self.rng);
        let uri = mix.uri(request, seq, &mut self.rng);
        Job {
            request,
            uri,
            intended,
            recorded,
        }
    }
}
