//! What a load run is asked to do: [`LoadSpec`], [`RequestSpec`], [`Model`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ModelKind;

/// The in-flight cap of [`Model::open`]: enough for a 100 req/s load to
/// ride out a 2.5 s stall before requests start waiting for a connection.
pub const DEFAULT_OPEN_CONNECTIONS: usize = 256;

/// One load run: where, what, how hard and for how long.
///
/// The run lasts `warmup + duration`: requests of the warmup are sent but
/// not recorded; every figure of the [`LoadReport`](crate::LoadReport)
/// belongs to the `duration` that follows.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSpec {
    /// Base URL of the service, `http://host:port`, optionally with a path
    /// prefix that every request path is appended to.
    pub target: String,
    /// The request mix, picked by weight (at least one with a weight > 0).
    pub requests: Vec<RequestSpec>,
    /// Open (requests on a schedule) or closed (workers in a loop).
    pub model: Model,
    /// The measured part of the run.
    pub duration: Duration,
    /// The unrecorded part before it.
    pub warmup: Duration,
    /// Per request, from the moment it is actually sent (connecting
    /// included) to the end of its response; past it the request counts as
    /// a timeout and its connection is closed.
    pub timeout: Duration,
    /// Seeds the request picks and the `{rand:A..B}` placeholders.
    pub seed: u64,
}

impl LoadSpec {
    /// A spec with one `GET /` request, a 10 s run after a 1 s warmup, a
    /// 10 s timeout and seed 0.
    pub fn new(target: impl Into<String>, model: Model) -> Self {
        LoadSpec {
            target: target.into(),
            requests: vec![RequestSpec::get("/")],
            model,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            seed: 0,
        }
    }
}

/// One kind of request in the mix.
///
/// `path` may hold placeholders, expanded per request:
/// `{seq}` is the running request number of the run (0, 1, 2 … warmup
/// included) and `{rand:A..B}` a uniform integer in `[A, B)` drawn from the
/// seeded generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSpec {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path and query, starting with `/`, with optional placeholders.
    pub path: String,
    /// Extra headers (`Host` is set from the target).
    pub headers: Vec<(String, String)>,
    /// Request body, sent with a `Content-Length`.
    pub body: Option<Vec<u8>>,
    /// Relative frequency in the mix: weights 3 and 1 give 75 % and 25 %.
    pub weight: u32,
}

impl RequestSpec {
    /// A `GET` of `path` with weight 1, no headers and no body.
    pub fn get(path: impl Into<String>) -> Self {
        RequestSpec {
            method: "GET".into(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
            weight: 1,
        }
    }

    /// The same request with another weight.
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Requests on a fixed schedule, whatever the service does: request
    /// `k` is intended at `start + k / rate` and its latency counts from
    /// then (the coordinated-omission correction).
    Open {
        /// Requests per second.
        rate: f64,
        /// The most requests in flight at once, each on its own keep-alive
        /// connection (opened when first needed). A request that finds them
        /// all busy waits for one, its latency still counting.
        connections: usize,
    },
    /// `concurrency` workers, each sending its next request when the last
    /// one answered; latency counts from the actual send, so a stall is
    /// seen once per worker however long it lasts (coordinated omission).
    Closed {
        /// Workers, each on its own keep-alive connection.
        concurrency: usize,
    },
}

impl Model {
    /// The open model at `rate` requests per second with
    /// [`DEFAULT_OPEN_CONNECTIONS`].
    pub fn open(rate: f64) -> Self {
        Model::Open {
            rate,
            connections: DEFAULT_OPEN_CONNECTIONS,
        }
    }

    /// The closed model with `concurrency` workers.
    pub fn closed(concurrency: usize) -> Self {
        Model::Closed { concurrency }
    }

    /// Which model this is, as reports label it.
    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Open { .. } => ModelKind::Open,
            Model::Closed { .. } => ModelKind::Closed,
        }
    }
}
