//! `PERFWATCH_GPU_SCRIPT`: a scripted GPU parsed, and read at a few
//! times, never panics whatever the file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfwatch_runner::gpu::{GpuProbe, ScriptedGpu};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(gpu) = ScriptedGpu::parse(text) {
        for t in [-1.0, 0.0, 0.5, 1e9, f64::NAN] {
            let _ = gpu.read(&[1, 2], t);
        }
    }
});
