//! `run --live`: the terminal view, driven in a real terminal (tmux, 80×24)
//! over a real run of the bundled example. The screen shows the example's
//! stages and the progress; `q` leaves the view and the run finishes and
//! is stored; Ctrl-C in the view cancels the run (exit 130) and leaves the
//! terminal restored; without a terminal, `--live` is refused (exit 2).
//! Skipped, saying why, only when tmux is not installed.

use crate::demo_proof::demo_dir;
use crate::util::{pw, wait_until, TestDir};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// How long a screen or an exit may take to appear.
const LIMIT: Duration = Duration::from_secs(120);

/// A tmux server of its own (its socket in the test's directory), killed
/// when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// A detached 80×24 session running `shell_line` in `dir`; `None` (and
    /// a note) without tmux.
    fn start(dir: &TestDir, shell_line: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("skipped: tmux is not installed (scripts/test installs it)");
            return None;
        }
        let tmux = Tmux {
            socket: dir.join("tmux.sock").display().to_string(),
        };
        let ok = tmux
            .cmd()
            .args(["new-session", "-d", "-s", "live", "-x", "80", "-y", "24"])
            .args(["-c", &dir.path().display().to_string()])
            .arg(shell_line)
            .status()
            .expect("start tmux");
        assert!(ok.success(), "tmux new-session failed");
        Some(tmux)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-S", &self.socket]);
        c
    }

    /// The screen's text now.
    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "live"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "live"])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }

    /// Waits for the screen to hold every one of `needles`; returns it.
    fn wait_for(&self, needles: &[&str]) -> String {
        let mut last = String::new();
        let found = (0..(LIMIT.as_millis() / 200)).any(|_| {
            last = self.screen();
            if needles.iter().all(|n| last.contains(n)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
            false
        });
        assert!(found, "the screen never showed {needles:?}:\n{last}");
        last
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// The shell line that runs perfwatch as the harness does, then writes
/// the terminal's modes to `stty.txt` and, last, its exit code to
/// `exit.txt` (so that once `exit.txt` is there, `stty.txt` is whole), and
/// keeps the pane open.
fn shell_line(dir: &TestDir, args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_perfwatch");
    format!(
        "env PERFWATCH_DB={db} NO_COLOR=1 {bin} --color never {args}; code=$?; \
         stty -a > stty.txt; echo $code > exit.txt; sleep 600",
        db = dir.db().display(),
    )
}

fn exit_code(dir: &TestDir) -> i32 {
    let path = dir.join("exit.txt");
    wait_until(LIMIT, "perfwatch to exit", || {
        std::fs::read_to_string(&path).is_ok_and(|t| !t.trim().is_empty())
    });
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Whether the terminal is back in its usual (cooked) mode, echoing.
fn cooked(dir: &Path) -> bool {
    let path = dir.join("stty.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let flags: Vec<&str> = text.split_whitespace().collect();
    flags.contains(&"icanon") && flags.contains(&"echo") && flags.contains(&"isig")
}

#[test]
fn the_view_shows_the_examples_stages_and_progress_and_q_leaves_it_while_the_run_goes_on() {
    let dir = demo_dir();
    let line = shell_line(&dir, "run pipeline --variant before -r 3 --live");
    let Some(tmux) = Tmux::start(&dir, &line) else {
        return;
    };
    let screen = tmux.wait_for(&["perfwatch live", "done", "of 3", "fetch", "activate"]);
    assert!(screen.contains("before"), "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(exit_code(&dir), 0, "{}", tmux.screen());
    assert!(cooked(dir.path()), "the terminal is left raw");
    let after = tmux.screen();
    assert!(
        !after.contains("perfwatch live"),
        "the view is still on:\n{after}"
    );
    let export = dir.export("latest");
    assert_eq!(export["session"]["status"], "complete", "{export:#}");
    let runs = export["variants"][0]["iterations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["warmup"] != true)
        .count();
    assert_eq!(runs, 3);
}

#[test]
fn ctrl_c_in_the_view_cancels_the_run_and_restores_the_terminal() {
    let dir = demo_dir();
    let line = shell_line(&dir, "run pipeline --variant before -r 50 --live");
    let Some(tmux) = Tmux::start(&dir, &line) else {
        return;
    };
    tmux.wait_for(&["perfwatch live", "of 50"]);
    tmux.keys(&["C-c"]);
    assert_eq!(exit_code(&dir), 130, "{}", tmux.screen());
    assert!(cooked(dir.path()), "the terminal is left raw");
    assert!(!tmux.screen().contains("perfwatch live"));
    let export = dir.export("latest");
    assert_eq!(export["session"]["status"], "interrupted", "{export:#}");
}

#[test]
fn live_without_a_terminal_is_refused_before_anything_runs() {
    let dir = TestDir::new();
    let out = pw(&dir)
        .args(["run", "-r", "2", "--live", "--", "true"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--live needs a terminal"), "{err}");
    assert!(!dir.db().exists(), "something was written");
}
