//! An OpenTelemetry OTLP/HTTP trace receiver for perfwatch.
//!
//! perfwatch runs one [`OtlpSource`] per session on `127.0.0.1` and gives
//! every iteration the standard `OTEL_*` environment pointing at it, so a
//! program instrumented with any OpenTelemetry SDK reports its stages with
//! no code change. The receiver follows the OTLP/HTTP specification:
//! `POST /v1/traces` with binary protobuf or JSON bodies, optionally gzip,
//! answering with `ExportTraceServiceResponse` (with `partial_success` when
//! spans were rejected) or a `google.rpc.Status` with 400, 401, 404, 405,
//! 413 or 415. Every request must carry the iteration's bearer token, which
//! the program receives in the standard `OTEL_EXPORTER_OTLP_HEADERS`: other
//! local users cannot add spans to a run. Spans become [`SpanRecord`](perfwatch_model::span_file::SpanRecord)s
//! as described in [`map`].
//!
//! ```
//! use perfwatch_otlp::{OtlpConfig, OtlpSource};
//! use perfwatch_runner::source::SpanSource;
//!
//! let mut source = OtlpSource::start(OtlpConfig::new("my-bench"))?;
//! let env = source.begin(0)?;
//! assert!(env.contains(&("OTEL_EXPORTER_OTLP_ENDPOINT".into(), source.endpoint())));
//! // … spawn the command with `env`, reap it …
//! let collected = source.finish(0);
//! assert!(collected.records.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod app_metrics;
mod config;
pub mod decode;
pub mod http;
mod inbox;
mod listener;
pub mod map;
mod respond;
mod server;
mod settle;
mod source;
mod token;
pub mod traced;

pub use config::OtlpConfig;
pub use inbox::{DUPLICATE, LATE, TOO_LARGE, UNAUTHENTICATED, UNDECODABLE};
pub use map::MapOptions;
pub use respond::RpcStatus;
pub use server::{StartError, TRACES_PATH};
pub use source::OtlpSource;
