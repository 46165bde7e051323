//! Tests of the server's router in-process (`tower::ServiceExt::oneshot`,
//! no socket) and of its listener: every route's answer, every write
//! route's refusals (401, 403, 413, 400) with nothing stored, and the
//! exposure rule. The CLI's tests run the real `perfwatch serve`.

mod support;

mod exposure;
mod ingest;
mod live_runs;
mod memo;
mod observe;
mod postgres;
mod reads;
mod writes;
