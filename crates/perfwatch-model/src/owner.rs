//! Which process owns a running session (or a temporary directory), and
//! whether that process is still alive.
//!
//! A process is named by its host, the kernel's boot id, its pid and its
//! start time in clock ticks since boot (`/proc/<pid>/stat`, field 22): a
//! pid reused by a later process has another start time, and a reboot
//! changes the boot id. So a perfwatch that died — killed, crashed, its
//! machine rebooted — is told apart from one still running, and its
//! session is shown as `abandoned` instead of `running` forever.

use serde::{Deserialize, Serialize};

/// The process that owns something, as it was when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Host name.
    pub host: String,
    /// `/proc/sys/kernel/random/boot_id` of that boot.
    pub boot_id: String,
    /// Process id.
    pub pid: u32,
    /// Start time in clock ticks since boot.
    pub start_ticks: u64,
}

/// Whether an owner still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// The process runs on this machine.
    Alive,
    /// The process ended (or the machine rebooted since).
    Dead,
    /// Another machine's process: nothing can be said from here.
    Unknown,
}

impl Owner {
    /// This process, when `/proc` tells (Linux).
    pub fn current() -> Option<Owner> {
        let pid = std::process::id();
        Some(Owner {
            host: host_name()?,
            boot_id: boot_id()?,
            pid,
            start_ticks: start_ticks(pid)?,
        })
    }

    /// Whether the owner still runs, as far as this machine can tell.
    pub fn liveness(&self) -> Liveness {
        let (Some(host), Some(boot)) = (host_name(), boot_id()) else {
            return Liveness::Unknown;
        };
        if host != self.host {
            return Liveness::Unknown;
        }
        if boot != self.boot_id {
            // Same machine, another boot: every process of that boot ended.
            return Liveness::Dead;
        }
        match process_stat(self.pid) {
            // A zombie has ended; only its parent has not collected it (a
            // script that never waits, a container's init that never
            // reaps).
            Some((state, ticks)) if ticks == self.start_ticks && !matches!(state, 'Z' | 'X') => {
                Liveness::Alive
            }
            _ => Liveness::Dead,
        }
    }

    /// A compact tag for file names: `PID-STARTTICKS`.
    pub fn tag(&self) -> String {
        format!("{}-{}", self.pid, self.start_ticks)
    }

    /// The owner of a [`Owner::tag`] on this boot of this machine.
    pub fn from_tag(tag: &str) -> Option<Owner> {
        let (pid, ticks) = tag.split_once('-')?;
        Some(Owner {
            host: host_name()?,
            boot_id: boot_id()?,
            pid: pid.parse().ok()?,
            start_ticks: ticks.parse().ok()?,
        })
    }
}

/// The first line of a `/proc/sys` file, read once per process (host name
/// and boot id do not change under a running process that matters here).
fn read_once(cell: &'static std::sync::OnceLock<Option<String>>, path: &str) -> Option<String> {
    cell.get_or_init(|| {
        let text = std::fs::read_to_string(path).ok()?;
        Some(text.trim().to_string())
    })
    .clone()
}

fn host_name() -> Option<String> {
    static HOST: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    read_once(&HOST, "/proc/sys/kernel/hostname")
}

fn boot_id() -> Option<String> {
    static BOOT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    read_once(&BOOT, "/proc/sys/kernel/random/boot_id")
}

/// Field 22 of `/proc/<pid>/stat`: when the process started.
fn start_ticks(pid: u32) -> Option<u64> {
    process_stat(pid).map(|(_, ticks)| ticks)
}

/// Fields 3 (the state: `R`, `S`, `Z` for a zombie …) and 22 (the start
/// time) of `/proc/<pid>/stat`, after the parenthesised command name,
/// which may itself contain spaces and parentheses.
fn process_stat(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    // 22 is the 20th field after the name, the state the first.
    let ticks = fields.nth(18)?.parse().ok()?;
    Some((state, ticks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_dead() {
        let me = Owner::current().expect("Linux /proc");
        assert_eq!(me.liveness(), Liveness::Alive);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let gone = Owner { pid, ..me.clone() };
        assert_eq!(gone.liveness(), Liveness::Dead);
        let reused = Owner {
            start_ticks: me.start_ticks + 1,
            ..me.clone()
        };
        assert_eq!(reused.liveness(), Liveness::Dead, "a reused pid");
        let rebooted = Owner {
            boot_id: "another boot".into(),
            ..me.clone()
        };
        assert_eq!(rebooted.liveness(), Liveness::Dead);
        let elsewhere = Owner {
            host: format!("{}-elsewhere", me.host),
            ..me.clone()
        };
        assert_eq!(elsewhere.liveness(), Liveness::Unknown);
        assert_eq!(Owner::from_tag(&me.tag()), Some(me));
    }

    #[test]
    fn an_owner_that_ended_but_was_never_reaped_is_dead() {
        let me = Owner::current().expect("Linux /proc");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Not waited for: a zombie until `wait` below.
        let zombie = (0..500).find_map(|_| {
            let (state, ticks) = process_stat(pid)?;
            if state == 'Z' {
                return Some(ticks);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            None
        });
        let ticks = zombie.expect("the child became a zombie");
        let owner = Owner {
            pid,
            start_ticks: ticks,
            ..me
        };
        assert_eq!(owner.liveness(), Liveness::Dead);
        child.wait().unwrap();
    }
}
