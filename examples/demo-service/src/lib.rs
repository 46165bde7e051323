//! A small HTTP service with planted performance problems, perfwatch's
//! bundled example for service mode.
//!
//! perfwatch starts a service fresh per iteration, waits until `/health`
//! answers, loads it with requests, scrapes `/metrics` and stops it with
//! SIGTERM. This service gives those measurements something to find: the
//! problems a real playlist generator had, each behind a variant.
//!
//! * [`Init::Eager`] builds the track catalogue before listening (about
//!   1.2 s: hashing, then waiting as if on a disk); [`Init::Lazy`] listens at
//!   once and builds it on first use.
//! * [`Handler::Blocking`] waits for the simulated downstream call with a
//!   blocking sleep, so concurrency collapses to the worker count;
//!   [`Handler::Async`] awaits it.
//! * [`Config::cache`] puts a bounded cache keyed by the request in front of
//!   the playlist work.
//! * [`Config::stall`] (off by default) holds playlist requests that arrive
//!   in the last part of every period until the period ends: a
//!   whole-service pause, as a garbage collection or a global lock would
//!   cause, for showing coordinated omission in closed-model load tools.
//!
//! ```no_run
//! use perfwatch_demo_service::{Config, Handler};
//!
//! let mut config = Config::new(8080);
//! config.handler = Handler::Blocking;
//! perfwatch_demo_service::run(config)?;
//! # Ok::<(), perfwatch_demo_service::Error>(())
//! ```

mod app;
mod cache;
mod catalogue;
mod config;
mod error;
mod metrics;
mod playlist;
mod routes;
mod server;
mod shutdown;
mod stall;
mod work;

pub use config::{Config, Handler, Init};
pub use error::Error;
pub use server::run;
pub use stall::Stall;
