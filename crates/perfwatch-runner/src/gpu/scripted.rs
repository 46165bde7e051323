//! A GPU that replays a script: for tests, demos and machines without one.

use super::GpuProbe;
use perfwatch_model::GpuReading;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A scripted GPU: per device, a trace of readings by time since the
/// command's spawn, each holding until the next one (a step function).
///
/// The script is JSON:
///
/// ```json
/// {"devices": [{"memory_total_bytes": 17179869184, "trace": [
///   {"t_s": 0.0, "sm_pct": 0, "mem_pct": 0, "memory_used_bytes": 4e8, "tree_memory_bytes": 0},
///   {"t_s": 0.3, "sm_pct": 96, "mem_pct": 40, "memory_used_bytes": 6e9,
///    "tree_memory_bytes": 5.6e9, "tree_sm_pct": 95, "power_w": 280}
/// ]}]}
/// ```
///
/// Before a trace's first point the device reads as at that point.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedGpu {
    devices: Vec<ScriptedDevice>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptedDevice {
    memory_total_bytes: f64,
    trace: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Point {
    t_s: f64,
    sm_pct: f64,
    #[serde(default)]
    mem_pct: f64,
    memory_used_bytes: f64,
    #[serde(default)]
    tree_memory_bytes: Option<f64>,
    #[serde(default)]
    tree_sm_pct: Option<f64>,
    #[serde(default)]
    power_w: Option<f64>,
    #[serde(default)]
    pcie_rx_bps: Option<f64>,
}

/// A GPU script that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The file could not be read.
    #[error("cannot read the GPU script {}: {source}", path.display())]
    Read {
        /// The script.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a GPU script.
    #[error("the GPU script {} is not valid: {message}", path.display())]
    Invalid {
        /// The script.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
}

impl ScriptedGpu {
    /// Read a script from `path`.
    ///
    /// # Errors
    ///
    /// The file is unreadable, not JSON of this shape, has a device
    /// without points, points out of time order, or a figure that is
    /// negative or not finite.
    pub fn load(path: &Path) -> Result<ScriptedGpu, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_owned(),
            source,
        })?;
        ScriptedGpu::parse(&text).map_err(|message| ScriptError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    /// Parse a script's text (see [`ScriptedGpu::load`]).
    ///
    /// # Errors
    ///
    /// What is wrong with it.
    pub fn parse(text: &str) -> Result<ScriptedGpu, String> {
        let script: ScriptedGpu = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if script.devices.is_empty() {
            return Err("no devices".into());
        }
        for (i, d) in script.devices.iter().enumerate() {
            if d.trace.is_empty() {
                return Err(format!("device {i} has an empty trace"));
            }
            if d.trace.windows(2).any(|w| w[1].t_s < w[0].t_s) {
                return Err(format!("device {i}: trace points out of time order"));
            }
            let figures = d.trace.iter().flat_map(|p| {
                [
                    Some(p.t_s),
                    Some(p.sm_pct),
                    Some(p.mem_pct),
                    Some(p.memory_used_bytes),
                    p.tree_memory_bytes,
                    p.tree_sm_pct,
                    p.power_w,
                    p.pcie_rx_bps,
                ]
                .into_iter()
                .flatten()
            });
            // Counts as large as a measured one may be (exact as a float
            // and as the store's integers).
            let most = perfwatch_model::iteration::MAX_COUNT as f64;
            let bad = |v: f64| !(v.is_finite() && (0.0..=most).contains(&v));
            if bad(d.memory_total_bytes) || figures.into_iter().any(bad) {
                return Err(format!(
                    "device {i}: a figure is negative, not finite or over {most:e}"
                ));
            }
        }
        Ok(script)
    }
}

impl GpuProbe for ScriptedGpu {
    fn read(&self, _pids: &[u32], t_s: f64) -> Vec<GpuReading> {
        self.devices
            .iter()
            .zip(0u32..)
            .map(|(d, device)| {
                let at = d.trace.partition_point(|p| p.t_s <= t_s).saturating_sub(1);
                let p = &d.trace[at];
                GpuReading {
                    device,
                    sm_pct: p.sm_pct.min(100.0),
                    mem_pct: p.mem_pct.min(100.0),
                    memory_used_bytes: p.memory_used_bytes as u64,
                    memory_total_bytes: d.memory_total_bytes as u64,
                    power_w: p.power_w,
                    tree_memory_bytes: p.tree_memory_bytes.map(|b| b as u64),
                    tree_sm_pct: p.tree_sm_pct.map(|v| v.min(100.0)),
                    pcie_rx_bps: p.pcie_rx_bps,
                }
            })
            .collect()
    }

    fn describe(&self) -> String {
        let n = self.devices.len();
        let s = if n == 1 { "" } else { "s" };
        format!("scripted GPU ({n} device{s})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,300}", t in -10.0f64..10.0) {
            if let Ok(gpu) = ScriptedGpu::parse(&text) {
                let _ = gpu.read(&[1], t);
            }
        }

        #[test]
        fn well_formed_scripts_read_within_their_figures(
            points in prop::collection::vec((0.0f64..5.0, 0.0f64..150.0, 0.0f64..1e12), 1..8),
            t in -1.0f64..6.0,
        ) {
            let mut points = points;
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let trace: Vec<String> = points
                .iter()
                .map(|(t, sm, mem)| format!(r#"{{"t_s": {t}, "sm_pct": {sm}, "memory_used_bytes": {mem}}}"#))
                .collect();
            let text = format!(
                r#"{{"devices": [{{"memory_total_bytes": 2e12, "trace": [{}]}}]}}"#,
                trace.join(",")
            );
            let gpu = ScriptedGpu::parse(&text).unwrap();
            let r = &gpu.read(&[], t)[0];
            prop_assert!(r.sm_pct <= 100.0);
            prop_assert!(points.iter().any(|p| p.2 as u64 == r.memory_used_bytes));
        }
    }

    const SCRIPT: &str = r#"{"devices": [{"memory_total_bytes": 1000, "trace": [
        {"t_s": 0.0, "sm_pct": 0, "memory_used_bytes": 10, "tree_memory_bytes": 0},
        {"t_s": 0.5, "sm_pct": 90, "memory_used_bytes": 600, "tree_memory_bytes": 500, "tree_sm_pct": 88}
    ]}]}"#;

    #[test]
    fn a_script_is_a_step_function_of_time() {
        let gpu = ScriptedGpu::parse(SCRIPT).unwrap();
        let at = |t| gpu.read(&[1], t).remove(0);
        assert_eq!(at(0.2).sm_pct, 0.0);
        assert_eq!(at(0.2).tree_memory_bytes, Some(0));
        assert_eq!(at(0.5).sm_pct, 90.0);
        assert_eq!(at(9.0).tree_memory_bytes, Some(500));
        assert_eq!(at(9.0).tree_sm_pct, Some(88.0));
        assert_eq!(at(9.0).memory_total_bytes, 1000);
        // Before the first point: as at the first point.
        assert_eq!(at(-1.0).sm_pct, 0.0);
    }

    #[test]
    fn bad_scripts_say_what_is_wrong() {
        assert!(ScriptedGpu::parse("{}").is_err());
        assert!(ScriptedGpu::parse(r#"{"devices": []}"#)
            .unwrap_err()
            .contains("no devices"));
        let unordered = r#"{"devices": [{"memory_total_bytes": 1, "trace": [
            {"t_s": 1, "sm_pct": 0, "memory_used_bytes": 0},
            {"t_s": 0, "sm_pct": 0, "memory_used_bytes": 0}]}]}"#;
        assert!(ScriptedGpu::parse(unordered).unwrap_err().contains("order"));
        let negative = r#"{"devices": [{"memory_total_bytes": 1, "trace": [
            {"t_s": 0, "sm_pct": -5, "memory_used_bytes": 0}]}]}"#;
        assert!(ScriptedGpu::parse(negative)
            .unwrap_err()
            .contains("negative"));
        let unknown = r#"{"devices": [{"memory_total_bytes": 1, "trace": [
            {"t_s": 0, "sm_pct": 5, "memory_used_bytes": 0, "smpct": 1}]}]}"#;
        assert!(ScriptedGpu::parse(unknown).is_err());
    }
}
