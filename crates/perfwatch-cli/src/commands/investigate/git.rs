//! The git side of a bisection: the range of commits, and one worktree
//! per commit, built once and removed at the end.

use super::commit_id;
use perfwatch_model::investigation::Commit;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Run git in `dir`; its standard output, or an error naming the command
/// and git's own message.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        anyhow::bail!("git {} failed: {}", args.join(" "), err.trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The top of the repository holding `dir`.
pub fn toplevel(dir: &Path) -> anyhow::Result<PathBuf> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
        crate::exit::usage(format!("{} is not inside a git repository", dir.display()))
    })?;
    Ok(PathBuf::from(top.trim()))
}

/// The full id of revision `rev`.
fn resolve(repo: &Path, rev: &str, flag: &str) -> anyhow::Result<String> {
    git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map(|s| s.trim().to_string())
    .map_err(|_| crate::exit::usage(format!("{flag} {rev}: not a commit of this repository")))
}

/// The commits from `good` to `bad` along first parents, `good` first and
/// `bad` last, with their subjects.
pub fn range(repo: &Path, good: &str, bad: &str) -> anyhow::Result<Vec<Commit>> {
    let good_id = resolve(repo, good, "--good")?;
    let bad_id = resolve(repo, bad, "--bad")?;
    if good_id == bad_id {
        return Err(crate::exit::usage(format!(
            "--good {good} and --bad {bad} are the same commit ({})",
            commit_id(&good_id)
        )));
    }
    let ancestor = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["merge-base", "--is-ancestor", &good_id, &bad_id])
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?;
    if !ancestor.success() {
        return Err(crate::exit::usage(format!(
            "--good {good} is not an ancestor of --bad {bad}: bisect needs the good commit before the bad one"
        )));
    }
    let subject = |id: &str| -> anyhow::Result<String> {
        Ok(git(repo, &["log", "-1", "--format=%s", id])?
            .trim()
            .to_string())
    };
    let mut commits = vec![Commit {
        id: good_id.clone(),
        subject: subject(&good_id)?,
    }];
    let listed = git(
        repo,
        &[
            "log",
            "--first-parent",
            "--reverse",
            "--format=%H%x1f%s",
            &format!("{good_id}..{bad_id}"),
        ],
    )?;
    for line in listed.lines() {
        if let Some((id, subject)) = line.split_once('\u{1f}') {
            commits.push(Commit {
                id: id.to_string(),
                subject: subject.to_string(),
            });
        }
    }
    Ok(commits)
}

/// One worktree per commit, checked out and built on first use, removed
/// when dropped.
pub struct Worktrees {
    repo: PathBuf,
    base: PathBuf,
    build: Option<String>,
    ready: HashMap<String, Result<PathBuf, String>>,
}

impl Worktrees {
    /// Worktrees of `repo` in a fresh directory under the system's
    /// temporary directory, each built with `build` (`sh -c`) when given.
    pub fn new(repo: &Path, build: Option<String>) -> anyhow::Result<Worktrees> {
        remove_abandoned(repo);
        let base = std::env::temp_dir().join(format!("{BASE_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&base)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", base.display()))?;
        Ok(Worktrees {
            repo: repo.to_path_buf(),
            base,
            build,
            ready: HashMap::new(),
        })
    }

    /// The built worktree of `commit`, or why it cannot be used (checkout
    /// or build failed). Built once per commit.
    pub fn checkout(&mut self, commit: &str) -> Result<PathBuf, String> {
        if let Some(done) = self.ready.get(commit) {
            return done.clone();
        }
        let result = self.prepare(commit);
        self.ready.insert(commit.to_string(), result.clone());
        result
    }

    fn prepare(&self, commit: &str) -> Result<PathBuf, String> {
        let dir = self.base.join(commit);
        let dir_text = dir.to_string_lossy().into_owned();
        git(
            &self.repo,
            &["worktree", "add", "--detach", "--quiet", &dir_text, commit],
        )
        .map_err(|e| format!("checkout failed: {e}"))?;
        let Some(build) = &self.build else {
            return Ok(dir);
        };
        let log = self.base.join(format!("{}.build.log", commit_id(commit)));
        let file = std::fs::File::create(&log)
            .map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let status = Command::new("sh")
            .arg("-c")
            .arg(build)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .status()
            .map_err(|e| format!("cannot start the build: {e}"))?;
        if status.success() {
            return Ok(dir);
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let how = match status.code() {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".to_string(),
        };
        Err(format!(
            "the build failed ({how}): {}",
            perfwatch_report::printable::printable_lines(last.trim())
        ))
    }
}

/// The prefix of the folder holding one bisection's worktrees (its
/// process id follows).
const BASE_PREFIX: &str = "perfwatch-bisect-";

/// Remove the worktrees of bisections whose perfwatch is gone (killed, or
/// ended by a second Ctrl-C before it could clean up), with their folders.
fn remove_abandoned(repo: &Path) {
    let Ok(listed) = git(repo, &["worktree", "list", "--porcelain"]) else {
        return;
    };
    let temp = std::env::temp_dir();
    for line in listed.lines() {
        let Some(path) = line.strip_prefix("worktree ").map(PathBuf::from) else {
            continue;
        };
        let Ok(rest) = path.strip_prefix(&temp) else {
            continue;
        };
        let Some(base) = rest
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
        else {
            continue;
        };
        let Some(pid) = base
            .strip_prefix(BASE_PREFIX)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || alive_perfwatch(pid) {
            continue;
        }
        let _ = git(
            repo,
            &["worktree", "remove", "--force", &path.to_string_lossy()],
        );
        let _ = std::fs::remove_dir_all(temp.join(&base));
    }
    let _ = git(repo, &["worktree", "prune"]);
}

/// Whether process `pid` is alive and a perfwatch.
fn alive_perfwatch(pid: u32) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .is_ok_and(|exe| exe.to_string_lossy().contains("perfwatch"))
}

impl Drop for Worktrees {
    fn drop(&mut self) {
        for (commit, result) in &self.ready {
            let dir = self.base.join(commit);
            let dir_text = dir.to_string_lossy().into_owned();
            if result.is_ok() || dir.exists() {
                let _ = git(&self.repo, &["worktree", "remove", "--force", &dir_text]);
            }
        }
        let _ = git(&self.repo, &["worktree", "prune"]);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}
