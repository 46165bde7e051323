//! Running cargo from a test, for what this test binary cannot link: the
//! bundled example program and the HTML crate's browser check.
//!
//! Each use gets its own target directory inside the one this test binary
//! was built in: the outer `cargo test` holds the lock of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate lives in <workspace>/crates/")
        .to_path_buf()
}

/// The target directory this test binary was built in
/// (`CARGO_TARGET_TMPDIR` is its `tmp` folder).
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// `cargo SUBCOMMAND --target-dir <target>/<sub> ARGS…` in the workspace root, with
/// `envs` set; panics with cargo's output when it fails.
pub fn cargo(args: &[&str], sub: &str, envs: &[(&str, &Path)]) -> Output {
    // Right after the subcommand: anything after a `--` goes to the test binary.
    let (subcommand, rest) = args.split_first().expect("a cargo subcommand");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(workspace_root())
        .arg(subcommand)
        .arg("--target-dir")
        .arg(target_dir().join(sub))
        .args(rest);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    // Whatever the outer run sets for its own cargo stays out of this one.
    cmd.env_remove("CARGO_TARGET_DIR");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo {args:?}: {e}"));
    assert!(
        out.status.success(),
        "cargo {args:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
