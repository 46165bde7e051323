//! What a live view sees inside an iteration, as it happens.

use perfwatch_model::Sample;
use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;

/// Receives what the runner sees while an iteration runs, on whichever
/// thread watches the command (the [`Observer`](crate::Observer) hears
/// the iterations' starts and ends). Calls must return quickly: they run
/// between two samples of the measured command.
pub trait LiveSink: Send + Sync + Debug {
    /// A timeline sample of the current iteration was taken.
    fn sample(&self, _sample: &Sample) {}

    /// The current iteration's probe writes its spans to `path` (JSON
    /// Lines, flushed by the probe every 100 ms): a view may read it as
    /// it grows. It is removed once the iteration ends.
    fn span_file(&self, _path: &Path) {}
}

/// The shared sink a [`Plan`](crate::Plan) carries; plans holding the
/// same sink are equal.
#[derive(Debug, Clone)]
pub struct SharedLive(pub Arc<dyn LiveSink>);

impl PartialEq for SharedLive {
    fn eq(&self, other: &SharedLive) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
