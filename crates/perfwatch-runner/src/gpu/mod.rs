//! What the GPUs were doing while a command ran.
//!
//! The sampler asks a [`GpuProbe`] for one [`GpuReading`] per device at
//! every timeline sample, giving it the measured tree's processes. The
//! real probe is NVML ([`Nvml`], the `nvml-wrapper` crate, which loads the
//! driver's library at run time: perfwatch builds and runs on machines
//! without one, where GPU figures are absent, never zero). Tests and demos
//! use a [`ScriptedGpu`], which replays utilisation and memory traces.
//!
//! [`detect`] picks one from the environment: `PERFWATCH_GPU=off` turns
//! GPU sampling off, `PERFWATCH_GPU_SCRIPT=FILE` replays a script, and
//! otherwise NVML is used when it loads and sees a device.

mod nvml;
mod scripted;

pub use nvml::Nvml;
pub use scripted::{ScriptError, ScriptedGpu};

use perfwatch_model::GpuReading;
use std::fmt::Debug;
use std::sync::Arc;

/// Turns GPU sampling off when set to `off` (or `0`).
pub const ENV_GPU: &str = "PERFWATCH_GPU";

/// Replays the GPU script in this file instead of reading NVML (see
/// [`ScriptedGpu`]).
pub const ENV_GPU_SCRIPT: &str = "PERFWATCH_GPU_SCRIPT";

/// Reads the GPUs at one timeline sample.
pub trait GpuProbe: Send + Sync + Debug {
    /// One reading per device. `pids` are the measured tree's processes
    /// at this sample and `t_s` the seconds since the command was
    /// spawned. A device that cannot be read is left out; an empty list
    /// means nothing was measured.
    fn read(&self, pids: &[u32], t_s: f64) -> Vec<GpuReading>;

    /// What the probe reads, for messages (`NVML 12.550 (1 device)`).
    fn describe(&self) -> String;
}

/// The shared probe a [`Plan`](crate::Plan) carries; plans holding the
/// same probe are equal.
#[derive(Debug, Clone)]
pub struct SharedGpu(pub Arc<dyn GpuProbe>);

impl PartialEq for SharedGpu {
    fn eq(&self, other: &SharedGpu) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Why [`detect`] found no GPU to sample: said once, never an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoGpu {
    /// `PERFWATCH_GPU=off`.
    TurnedOff,
    /// The NVML library did not load, or sees no device.
    Unavailable(String),
}

/// The GPU probe the environment asks for (see the module's text).
///
/// # Errors
///
/// A script named by `PERFWATCH_GPU_SCRIPT` that cannot be read or parsed
/// is an error, with the file and what is wrong: asked for and missing is
/// not the same as absent.
pub fn detect() -> Result<Result<SharedGpu, NoGpu>, ScriptError> {
    if let Some(v) = std::env::var_os(ENV_GPU) {
        if v == "off" || v == "0" {
            return Ok(Err(NoGpu::TurnedOff));
        }
    }
    if let Some(path) = std::env::var_os(ENV_GPU_SCRIPT) {
        let script = ScriptedGpu::load(std::path::Path::new(&path))?;
        return Ok(Ok(SharedGpu(Arc::new(script))));
    }
    Ok(Nvml::open()
        .map(|n| SharedGpu(Arc::new(n)))
        .map_err(NoGpu::Unavailable))
}
