//! The validated settings the service runs with.

use std::num::NonZeroUsize;

use crate::stall::Stall;

/// When the catalogue is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Before listening: start-up to ready is slow, every request is fast.
    Eager,
    /// By the first request that needs it: ready at once, that request is slow.
    Lazy,
}

/// How a request waits for the simulated downstream call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    /// Awaits a timer: the worker serves other requests meanwhile.
    Async,
    /// Sleeps the worker thread: at most one request per worker at a time.
    Blocking,
}

/// Everything the service needs to run; built once by the front end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Port on 127.0.0.1 to listen on; 0 lets the system choose.
    pub port: u16,
    /// When the catalogue is built.
    pub init: Init,
    /// How requests wait for the downstream call.
    pub handler: Handler,
    /// Whether a cache sits in front of the playlist work.
    pub cache: bool,
    /// Worker threads of the runtime that serves requests.
    pub workers: NonZeroUsize,
    /// A periodic whole-service stall of the playlist endpoint, if any.
    pub stall: Option<Stall>,
}

impl Config {
    /// The default variant (eager, async, no cache, 2 workers, no stall)
    /// on `port`.
    pub fn new(port: u16) -> Self {
        Self {
            port,
            init: Init::Eager,
            handler: Handler::Async,
            cache: false,
            workers: NonZeroUsize::new(2).expect("2 is not zero"),
            stall: None,
        }
    }
}
