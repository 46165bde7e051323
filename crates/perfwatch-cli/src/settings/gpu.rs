//! The GPU probe of this process's runs, found once.

use crate::exit::usage;
use perfwatch_runner::gpu::{detect, SharedGpu};
use std::sync::OnceLock;

/// The GPU probe every run of this process samples with (see
/// [`perfwatch_runner::gpu::detect`]): NVML when the driver's library
/// loads and sees a device, a script with `PERFWATCH_GPU_SCRIPT`, none
/// with `PERFWATCH_GPU=off` or without a GPU.
///
/// # Errors
///
/// A GPU script that was asked for and cannot be used (a usage error).
pub fn probe() -> anyhow::Result<Option<SharedGpu>> {
    static FOUND: OnceLock<Result<Option<SharedGpu>, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| match detect() {
        Ok(Ok(gpu)) => Ok(Some(gpu)),
        Ok(Err(_absent)) => Ok(None),
        Err(e) => Err(e.to_string()),
    });
    found.clone().map_err(usage)
}
