//! Ctrl-C keeps what finished, marks the session interrupted, exits 130
//! and leaves no child behind.

use crate::util::{pids_in, process_alive, pw, stdout, wait_until, TestDir};
use std::process::Stdio;
use std::time::Duration;

/// Start a long run whose iterations record their pids, wait until two
/// iterations are stored, send `signal` to perfwatch, and check what is left.
fn interrupt_with(signal: libc::c_int) {
    let dir = TestDir::new();
    // Each iteration records its pid, then becomes `sleep 0.2`.
    let child = run_until_two_are_stored(
        &dir,
        &[
            "-r",
            "50",
            "--",
            "sh",
            "-c",
            "echo $$ >> pids.txt; exec sleep 0.2",
        ],
    );
    send(&child, signal);
    let out = child.wait_with_output().expect("wait for perfwatch");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert!(err.contains("interrupted"), "{err}");

    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    let (_, status, stored) = &sessions[0];
    assert_eq!(status, "interrupted");
    assert!(*stored >= 2 && *stored < 50, "{stored} iterations stored");

    let shown = stdout(&pw(&dir).args(["show", "latest"]).assert().success());
    assert!(shown.contains("interrupted"), "{shown}");

    let pids = pids_in(&dir, "pids.txt");
    assert!(pids.len() as u64 >= *stored);
    wait_until(Duration::from_secs(5), "no sleep left", || {
        pids.iter().all(|&p| !process_alive(p))
    });
}

#[test]
fn sigint_keeps_finished_iterations_and_exits_130() {
    interrupt_with(libc::SIGINT);
}

#[test]
fn sigterm_keeps_finished_iterations_and_exits_130() {
    interrupt_with(libc::SIGTERM);
}

/// After Ctrl-C perfwatch says that it waits for the `cleanup` hook; a
/// second Ctrl-C meanwhile ends it at once (exit 130, the hook killed) and
/// says why nothing else is printed; the
/// runs stored before are kept, in a session the next command marks
/// abandoned.
#[test]
fn a_second_sigint_during_cleanup_stops_at_once_and_says_so() {
    let dir = TestDir::new();
    let cleanup = "echo $$ > hook.pid; exec sleep 30";
    let mut child = run_until_two_are_stored(
        &dir,
        &["-r", "50", "--cleanup", cleanup, "--", "sleep", "0.1"],
    );
    send(&child, libc::SIGINT);
    wait_until(Duration::from_secs(30), "the cleanup hook", || {
        dir.path().join("hook.pid").is_file()
    });
    let hook: i32 = wait_for_pid(&dir.path().join("hook.pid"));
    assert!(
        child.try_wait().unwrap().is_none(),
        "perfwatch waits for the hook"
    );
    send(&child, libc::SIGINT);
    let out = child.wait_with_output().expect("wait for perfwatch");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    let (waiting, stopped) = (
        err.find("interrupted: waiting for the cleanup hook"),
        err.find(perfwatch_runner::SECOND_SIGNAL.trim()),
    );
    assert!(waiting.is_some(), "no word of the hook awaited:\n{err}");
    assert!(stopped > waiting, "no word of the second signal:\n{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "no summary"
    );
    wait_until(Duration::from_secs(5), "the hook to be killed", || {
        !process_alive(hook)
    });
    let sessions = dir.history().sessions();
    let (_, _, stored) = &sessions[0];
    assert!(*stored >= 2, "{stored} iterations kept");
    pw(&dir).arg("sessions").assert().success();
    assert_eq!(dir.history().sessions()[0].1, "abandoned");
}

/// `perfwatch run ARGS…` with its output piped, once two iterations are
/// stored.
fn run_until_two_are_stored(dir: &TestDir, args: &[&str]) -> std::process::Child {
    let child = dir
        .std_pw()
        .arg("run")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn perfwatch");
    wait_until(Duration::from_secs(30), "two stored iterations", || {
        dir.history().iteration_count() >= 2
    });
    child
}

/// Send `signal` to `child`.
fn send(child: &std::process::Child, signal: libc::c_int) {
    // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
}

/// The pid written to `path`, once it is whole.
fn wait_for_pid(path: &std::path::Path) -> i32 {
    let mut pid = None;
    wait_until(Duration::from_secs(5), "a pid in the file", || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok());
        pid.is_some()
    });
    pid.unwrap()
}

#[test]
fn sigkill_of_perfwatch_leaves_a_usable_history() {
    // "A crash leaves a valid database": what was committed stays readable
    // and the next run works.
    let dir = TestDir::new();
    let mut child = run_until_two_are_stored(&dir, &["-q", "-r", "50", "--", "sleep", "0.1"]);
    child.kill().expect("SIGKILL perfwatch");
    child.wait().unwrap();
    let stored = dir.history().iteration_count();
    assert!(stored >= 2);
    let json = dir.export("latest");
    assert!(crate::util::iterations(&json).len() as u64 == stored);
    pw(&dir).arg("sessions").assert().success();
    pw(&dir)
        .args(["run", "-q", "-r", "1", "--", "true"])
        .assert()
        .success();
    assert_eq!(dir.history().sessions().len(), 2);
}

/// A pseudo-terminal of 80 columns whose slave side is the controlling
/// terminal of the process spawned with [`Pty::attach`].
struct Pty {
    master: std::fs::File,
    slave: std::os::fd::OwnedFd,
}

impl Pty {
    fn open() -> Pty {
        use std::os::fd::FromRawFd;
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty(3) writes two descriptors into the integers given;
        // the name and termios pointers may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned by nobody else.
        unsafe {
            Pty {
                master: std::fs::File::from_raw_fd(master),
                slave: std::os::fd::OwnedFd::from_raw_fd(slave),
            }
        }
    }

    /// `cmd` with the terminal as its standard input, output and error, in
    /// a session of its own whose controlling terminal it is (so that
    /// Ctrl-C typed on it interrupts the foreground group, as in a shell).
    fn attach(&self, cmd: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        let fd = |pty: &Pty| Stdio::from(pty.slave.try_clone().expect("dup the pty"));
        cmd.stdin(fd(self)).stdout(fd(self)).stderr(fd(self));
        // SAFETY: setsid(2) and ioctl(2) are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

#[test]
fn ctrl_c_on_a_terminal_erases_the_progress_line_before_anything_else() {
    use std::io::{Read, Write};
    let dir = TestDir::new();
    let pty = Pty::open();
    let mut cmd = dir.std_pw();
    cmd.args(["run", "-r", "50", "--", "sleep", "0.2"]);
    pty.attach(&mut cmd);
    let mut child = cmd.spawn().expect("spawn perfwatch");
    // Only perfwatch may hold the terminal's slave side now, or reading
    // the master would never end.
    drop(cmd);
    drop(pty.slave);
    // Read everything the terminal shows until perfwatch is gone (the
    // master reads EIO once no process holds the slave).
    let mut master = pty.master.try_clone().expect("dup the master");
    let reader = std::thread::spawn(move || {
        let mut shown = Vec::new();
        let mut buf = [0; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            shown.extend_from_slice(&buf[..n]);
        }
        shown
    });
    wait_until(Duration::from_secs(30), "two stored iterations", || {
        dir.history().iteration_count() >= 2
    });
    (&pty.master).write_all(b"\x03").expect("type Ctrl-C");
    let status = child.wait().expect("wait for perfwatch");
    assert_eq!(status.code(), Some(130));
    let shown = reader.join().expect("the reader");
    let shown = String::from_utf8_lossy(&shown);
    // The bar was drawn, then erased before the summary and the note.
    let bar = shown
        .rfind(" ETA ")
        .unwrap_or_else(|| panic!("no bar:\n{shown:?}"));
    let after = &shown[bar..];
    let summary = after
        .find("Benchmark sleep 0.2")
        .unwrap_or_else(|| panic!("no summary after the bar:\n{after:?}"));
    let erase = after
        .find("\r\u{1b}[2K")
        .unwrap_or_else(|| panic!("the bar is never erased:\n{after:?}"));
    assert!(
        erase < summary,
        "printed before the bar was erased:\n{after:?}"
    );
    assert!(
        after[..erase].lines().count() <= 1,
        "the bar took more than one row:\n{after:?}"
    );
    let interrupted = after.find("interrupted").expect("the interruption is said");
    assert!(erase < interrupted, "{after:?}");
}
