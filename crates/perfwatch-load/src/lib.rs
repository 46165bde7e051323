//! HTTP load for perfwatch's service benchmarks, with latency measured
//! the way users of the service would have felt it.
//!
//! [`run`] (or [`run_blocking`]) sends the requests of a [`LoadSpec`] to a
//! service over keep-alive HTTP/1.1 connections for a warmup and then a
//! measured duration, and returns a [`LoadReport`]: counts by outcome, an
//! HDR latency histogram in microseconds and its percentiles.
//!
//! ```
//! # use std::io::{BufRead, BufReader, Write};
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! # let port = listener.local_addr().unwrap().port();
//! # std::thread::spawn(move || {
//! #     for stream in listener.incoming() {
//! #         let mut stream = stream.unwrap();
//! #         std::thread::spawn(move || {
//! #             let mut reader = BufReader::new(stream.try_clone().unwrap());
//! #             let mut line = String::new();
//! #             while reader.read_line(&mut line).unwrap_or(0) > 0 {
//! #                 if line == "\r\n" {
//! #                     let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
//! #                 }
//! #                 line.clear();
//! #             }
//! #         });
//! #     }
//! # });
//! use std::time::Duration;
//! use perfwatch_load::{run_blocking, LoadSpec, Model, RequestSpec};
//!
//! let mut spec = LoadSpec::new(format!("http://127.0.0.1:{port}"), Model::open(100.0));
//! spec.requests = vec![RequestSpec::get("/items/{rand:0..1000}")];
//! spec.warmup = Duration::ZERO;
//! spec.duration = Duration::from_millis(300);
//!
//! let report = run_blocking(&spec)?;
//! assert_eq!(report.sent, 30); // 100 req/s for 0.3 s, on schedule
//! assert_eq!(report.status.success, report.completed);
//! assert_eq!(report.sent, report.completed + report.timeouts + report.errors.total());
//! let latency = report.percentiles().expect("requests completed");
//! println!("p99 {:.2} ms over {} requests", latency.p99 * 1e3, report.completed);
//! # Ok::<(), perfwatch_load::LoadError>(())
//! ```
//!
//! # The two load models
//!
//! * **Open** ([`Model::Open`], perfwatch's default): requests arrive on a
//!   timetable, as users do, whatever the service is doing. Request `k` is
//!   *intended* at `start + k / rate` and sent then on a free connection
//!   (up to a millisecond early, as tokio's timer ticks in milliseconds; an
//!   early request's latency counts from its actual send); when all of the
//!   model's `connections` are busy it waits for one. A
//!   request sent more than [`LATE_AFTER`] after its intended time counts
//!   as [`late`](LoadReport::late); one still waiting when the run ends as
//!   [`dropped`](LoadReport::dropped) — never silently lost.
//! * **Closed** ([`Model::Closed`]): `concurrency` workers, each sending its
//!   next request when the last one answered, latency from the actual
//!   send. It measures how fast the service turns requests around, not
//!   what users wait, and its reports say so with
//!   [`coordinated_omission_caveat`](LoadReport::coordinated_omission_caveat).
//!
//! # Coordinated omission, and its correction
//!
//! Take a service that answers in 1 ms but stalls for 1 s once, loaded for
//! 10 s. A closed-model worker waits out the stall on one request: it
//! records one 1 s latency among ~10,000 of 1 ms, so p99 says 1 ms. The
//! generator has coordinated with the service: it omitted the requests
//! that users, who do not wait for each other, would have sent during the
//! stall.
//!
//! The open model at 100 req/s keeps its timetable: the 100 requests due
//! during the stall are sent on time (or wait for a connection) and each
//! latency counts **from its intended send time** to the last byte of its
//! response. They record about 1 s, 0.99 s, … 0.01 s: 1 % of the run's
//! 1,000 requests took over half a second, and p99 shows it. This is the
//! correction wrk2 made known; the histogram holds what users would have
//! seen, so percentiles stay honest under stalls and queueing, including
//! waits for a connection when the in-flight cap is reached.
//!
//! # Counting
//!
//! Only requests due (open) or sent (closed) after the warmup count. Each
//! one sent ends in exactly one of: completed (any status, counted by
//! class in [`StatusCounts`], latency recorded), timeout, or error
//! ([`ErrorCounts`]): `sent == completed + timeouts + errors.total()`,
//! because a run waits for its requests in flight (at most the timeout).
//! Reports of several runs combine with [`LoadReport::merge`], which adds
//! histograms instead of averaging percentiles, and serialize as a
//! [`LoadSummary`] that keeps the histogram.
//!
//! # Cost
//!
//! One task per connection on the caller's runtime (a current-thread one
//! for [`run_blocking`]), responses drained without being collected, the
//! request mix parsed once. Open model: connections opened only when
//! needed and reused most-recently-idle first, one timer reset per
//! request. Closed model: each worker loops on its own connection and
//! counts in a tally of its own, added up at the end — no hand-off between
//! two of its requests.

#![warn(missing_docs)]

mod closed;
mod error;
mod job;
mod mix;
mod open;
mod plan;
mod pool;
mod report;
mod run;
mod schedule;
mod spec;
mod summary;
mod tally;
mod target;
mod template;
mod worker;

pub use error::LoadError;
pub use perfwatch_model::service::{
    ErrorCounts, LoadSummary, ModelKind, Percentiles, StatusCounts,
};
pub use report::{
    new_latency_histogram, LoadReport, LATENCY_HIGH_US, LATENCY_LOW_US, LATENCY_SIGFIG,
};
pub use run::{check, run, run_blocking};
pub use schedule::LATE_AFTER;
pub use spec::{LoadSpec, Model, RequestSpec, DEFAULT_OPEN_CONNECTIONS};
pub use summary::histogram;
