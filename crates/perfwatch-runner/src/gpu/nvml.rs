//! The NVML probe.

use super::GpuProbe;
use nvml_wrapper::enum_wrappers::device::PcieUtilCounter;
use nvml_wrapper::enums::device::UsedGpuMemory;
use perfwatch_model::GpuReading;
use std::collections::HashMap;
use std::sync::Mutex;

/// GPU readings through NVML.
pub struct Nvml {
    nvml: nvml_wrapper::Nvml,
    devices: u32,
    driver: String,
    /// Per device, the NVML timestamp of the newest per-process
    /// utilisation sample already read (`process_utilization_stats` gives
    /// the samples after it).
    last_seen: Mutex<HashMap<u32, u64>>,
}

impl std::fmt::Debug for Nvml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nvml")
            .field("devices", &self.devices)
            .field("driver", &self.driver)
            .finish()
    }
}

impl Nvml {
    /// Load the driver's NVML library and count the devices.
    ///
    /// # Errors
    ///
    /// Why there is nothing to read: the library is missing (no driver),
    /// fails to initialise, or sees no device.
    pub fn open() -> Result<Nvml, String> {
        let nvml = nvml_wrapper::Nvml::init().map_err(|e| format!("NVML did not load: {e}"))?;
        let devices = nvml
            .device_count()
            .map_err(|e| format!("NVML counts no devices: {e}"))?;
        if devices == 0 {
            return Err("NVML sees no GPU".into());
        }
        let driver = nvml.sys_driver_version().unwrap_or_default();
        Ok(Nvml {
            nvml,
            devices,
            driver,
            last_seen: Mutex::new(HashMap::new()),
        })
    }

    fn read_device(&self, index: u32, pids: &[u32]) -> Option<GpuReading> {
        let device = self.nvml.device_by_index(index).ok()?;
        let util = device.utilization_rates().ok()?;
        let memory = device.memory_info().ok()?;
        let mut reading = GpuReading {
            device: index,
            sm_pct: f64::from(util.gpu),
            mem_pct: f64::from(util.memory),
            memory_used_bytes: memory.used,
            memory_total_bytes: memory.total,
            power_w: device.power_usage().ok().map(|mw| f64::from(mw) / 1000.0),
            tree_memory_bytes: None,
            tree_sm_pct: None,
            // KB/s, NVML's unit, over a 20 ms window.
            pcie_rx_bps: device
                .pcie_throughput(PcieUtilCounter::Receive)
                .ok()
                .map(|kb| f64::from(kb) * 1000.0),
        };
        // Compute and graphics contexts: a process may hold either.
        let mut processes = device.running_compute_processes().unwrap_or_default();
        processes.extend(device.running_graphics_processes().unwrap_or_default());
        let mut seen = Vec::new();
        let mut held = None;
        for p in processes {
            if !pids.contains(&p.pid) || seen.contains(&p.pid) {
                continue;
            }
            seen.push(p.pid);
            if let UsedGpuMemory::Used(bytes) = p.used_gpu_memory {
                held = Some(held.unwrap_or(0u64).saturating_add(bytes));
            }
        }
        // No process of the tree on the device: it holds nothing there.
        reading.tree_memory_bytes = if seen.is_empty() { Some(0) } else { held };
        reading.tree_sm_pct = self.tree_sm_pct(&device, index, pids);
        Some(reading)
    }

    /// SM utilisation of the tree's processes since the last reading, from
    /// the driver's per-process samples (absent where it keeps none).
    fn tree_sm_pct(
        &self,
        device: &nvml_wrapper::Device<'_>,
        index: u32,
        pids: &[u32],
    ) -> Option<f64> {
        let mut last_seen = self.last_seen.lock().unwrap_or_else(|p| p.into_inner());
        let since = last_seen.get(&index).copied().unwrap_or(0);
        let samples = match device.process_utilization_stats(since) {
            Ok(s) => s,
            // "Not found": no process sampled since `since`, so none busy.
            Err(nvml_wrapper::error::NvmlError::NotFound) => return Some(0.0),
            Err(_) => return None,
        };
        let newest = samples.iter().map(|s| s.timestamp).max().unwrap_or(since);
        last_seen.insert(index, newest.max(since));
        // The latest sample of each of the tree's processes, summed.
        let mut latest: HashMap<u32, (u64, u32)> = HashMap::new();
        for s in samples.iter().filter(|s| pids.contains(&s.pid)) {
            let e = latest.entry(s.pid).or_insert((0, 0));
            if s.timestamp >= e.0 {
                *e = (s.timestamp, s.sm_util);
            }
        }
        Some(
            latest
                .values()
                .map(|&(_, sm)| f64::from(sm))
                .sum::<f64>()
                .min(100.0),
        )
    }
}

impl GpuProbe for Nvml {
    fn read(&self, pids: &[u32], _t_s: f64) -> Vec<GpuReading> {
        (0..self.devices)
            .filter_map(|i| self.read_device(i, pids))
            .collect()
    }

    fn describe(&self) -> String {
        let n = self.devices;
        let s = if n == 1 { "" } else { "s" };
        format!("NVML, driver {} ({n} device{s})", self.driver)
    }
}
