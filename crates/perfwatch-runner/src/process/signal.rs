//! Sending signals to processes and process groups.

use super::procfs::Pid;

/// Send `sig` to every process of the process group `pgid`. Returns false
/// when the group no longer exists.
///
/// Only call this while the group's leader is unreaped: its pid (= the
/// group id) cannot be reused then, so the signal cannot reach a stranger.
pub(crate) fn kill_group(pgid: Pid, sig: i32) -> bool {
    if pgid <= 1 {
        return false; // never signal "every process" or init's group
    }
    // SAFETY: kill takes plain integers and touches no memory of ours.
    unsafe { libc::kill(-pgid, sig) == 0 }
}

/// Send `sig` to one process.
pub(crate) fn kill_pid(pid: Pid, sig: i32) -> bool {
    if pid <= 1 {
        return false;
    }
    // SAFETY: as above.
    unsafe { libc::kill(pid, sig) == 0 }
}
