//! End-to-end tests: each starts the built `demo-service` on a free port
//! and talks HTTP to it, as perfwatch's service mode will.

mod cache;
mod concurrency;
mod harness;
mod metrics;
mod playlist;
mod shutdown;
mod stall;
mod startup;
