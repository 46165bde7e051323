//! Each thread's side of the probe: its stack of open spans, its call
//! counts, and the buffers the writer empties. Nothing here takes a lock or
//! a locked instruction on the way in or out of a span.

mod detached;
mod local;
mod metrics;
mod state;

pub(crate) use detached::Detached;
pub(crate) use local::{with, Shared};
