//! Where a session ran: git state of the working tree and the host.

use perfwatch_model::{GitInfo, HostInfo};
use std::path::Path;
use std::process::{Command, Stdio};

/// Git commit, branch and dirty state of the work tree containing `dir`;
/// `None` outside a work tree or when git is not installed. One `git
/// status --porcelain=v2 --branch` call tells all three.
pub fn git_info(dir: &Path) -> Option<GitInfo> {
    let out = Command::new("git")
        .args([
            "status",
            "--porcelain=v2",
            "--branch",
            "--untracked-files=no",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(parse_status(&String::from_utf8_lossy(&out.stdout)))
}

/// Parse `git status --porcelain=v2 --branch` output. Untracked files do
/// not make a measurement unreproducible; modified tracked files do.
fn parse_status(text: &str) -> GitInfo {
    let mut info = GitInfo::default();
    for line in text.lines() {
        if let Some(oid) = line.strip_prefix("# branch.oid ") {
            info.commit = (oid != "(initial)").then(|| oid.to_string());
        } else if let Some(head) = line.strip_prefix("# branch.head ") {
            info.branch = (head != "(detached)").then(|| head.to_string());
        } else if !line.starts_with('#') && !line.is_empty() {
            info.dirty = true;
        }
    }
    info
}

/// The host: OS, kernel, CPU model, logical cores, memory.
pub fn host_info() -> HostInfo {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let cpu_model = read("/proc/cpuinfo").and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name") || l.starts_with("Model"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    });
    let memory_bytes = read("/proc/meminfo").and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    HostInfo {
        hostname: read("/proc/sys/kernel/hostname").map(|s| s.trim().to_string()),
        os: std::env::consts::OS.to_string(),
        kernel: read("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()),
        cpu_model,
        cores: std::thread::available_parallelism()
            .ok()
            .map(|n| n.get() as u32),
        memory_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_info_reads_linux_facts() {
        let h = host_info();
        assert_eq!(h.os, std::env::consts::OS);
        if cfg!(target_os = "linux") {
            assert!(h.kernel.is_some());
            assert!(h.cores.unwrap() >= 1);
            assert!(h.memory_bytes.unwrap() > 0);
        }
    }

    #[test]
    fn parses_porcelain_v2_status() {
        let text = "# branch.oid 0123456789abcdef0123456789abcdef01234567\n# branch.head main\n1 .M N... 100644 100644 100644 a b f\n";
        let g = parse_status(text);
        assert_eq!(
            g.commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert!(g.dirty);
        let g = parse_status("# branch.oid (initial)\n# branch.head (detached)\n");
        assert_eq!((g.commit, g.branch, g.dirty), (None, None, false));
    }

    #[test]
    fn records_commit_branch_and_dirty_state() {
        let dir = tempfile::tempdir().unwrap();
        let sh = |cmd: &str| {
            let ok = Command::new("sh")
                .args(["-c", cmd])
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap()
                .success();
            assert!(ok, "{cmd}");
        };
        sh("git init -q -b trunk && git -c user.email=a@b -c user.name=t commit -q --allow-empty -m x");
        let clean = git_info(dir.path()).expect("a work tree");
        assert_eq!(clean.branch.as_deref(), Some("trunk"));
        assert_eq!(clean.commit.as_ref().map(String::len), Some(40));
        assert!(!clean.dirty);
        sh("echo a > f && git add f && git -c user.email=a@b -c user.name=t commit -q -m f && echo b > f");
        assert!(git_info(dir.path()).unwrap().dirty);
        let outside = tempfile::tempdir().unwrap();
        if Command::new("git")
            .args(["-C", &outside.path().display().to_string(), "rev-parse"])
            .status()
            .map(|s| !s.success())
            .unwrap_or(true)
        {
            assert!(git_info(outside.path()).is_none());
        }
    }
}
