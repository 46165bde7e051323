//! A full disk, for real: a small tmpfs mounted for the test (root only;
//! elsewhere each test says why it did not run, and passes).

use crate::util::TestDir;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A tmpfs mounted on a folder of a test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mount `size` (`64k`, `8m`) at `dir`; `None`, saying why, where
    /// mounting is not allowed.
    fn mount(dir: PathBuf, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(&dir).expect("create the mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs { dir }),
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr);
                eprintln!("skipped: cannot mount a tmpfs (root only): {}", why.trim());
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The names in its root, sorted.
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("list the tmpfs")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: a process of a failed test may still hold a file open.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// Write zeros to `path` until the file system is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("create the filler");
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
}

/// `perfwatch ARGS` with its history at `db`.
fn pw_with_db(dir: &TestDir, db: &Path, args: &[&str]) -> Output {
    dir.std_pw()
        .env("PERFWATCH_DB", db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run perfwatch")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Issue 13, item 10: creating a new database on a full disk left a 0-byte
/// file (and, with a little room, a `-shm` and `-wal` beside a 4 KiB
/// database) that the next run took for a database. What perfwatch made
/// is removed again — never a file that was there before — and the error
/// says that the database could not be created, and why.
#[test]
fn regression_13_a_new_database_on_a_full_disk_leaves_no_file_behind() {
    let dir = TestDir::new();
    let Some(disk) = Tmpfs::mount(dir.join("disk"), "64k") else {
        return;
    };
    let filler = disk.join("filler");
    fill(&filler);
    let full = std::fs::metadata(&filler).expect("filler").len();
    // No room at all, then a little: SQLite gets further and makes more.
    for room in [0, 16 * 1024] {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .and_then(|f| f.set_len(full - room))
            .expect("make room");
        let out = pw_with_db(&dir, &disk.join("sub/new.db"), &["run", "-r", "1", "true"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "room {room}: {err}");
        assert!(
            err.contains("cannot create the database ") && err.contains("full"),
            "room {room}: {err}"
        );
        assert_eq!(disk.listing(), vec!["filler"], "room {room}: {err}");
    }
    // A file that was there is left as it was; what was made beside it goes.
    std::fs::write(disk.join("empty.db"), b"").expect("an empty database file");
    let out = pw_with_db(&dir, &disk.join("empty.db"), &["run", "-r", "1", "true"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(disk.listing(), vec!["empty.db", "filler"]);
}

/// Issue 13, item 10: when only the final checkpoint failed for a full
/// disk, perfwatch said the session was incomplete in the store and exited
/// 1, though it was stored complete (in the write-ahead log). It warns
/// now, exits as the run does, and the session reads complete.
#[test]
fn regression_13_a_failed_final_checkpoint_is_a_warning_not_an_incomplete_session() {
    let dir = TestDir::new();
    let Some(disk) = Tmpfs::mount(dir.join("disk"), "8m") else {
        return;
    };
    let db = disk.join("history.db");
    let first = pw_with_db(&dir, &db, &["run", "-q", "-r", "1", "true"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    // A write-ahead log that outlives perfwatch (this connection stays
    // open) and is much larger than the next session needs: that session
    // is written over it and needs no new room on the disk, while the
    // checkpoint needs new pages in the (vacuumed, so tight) database.
    let held = rusqlite::Connection::open(&db).expect("open the database");
    held.execute_batch(
        "CREATE TABLE pad(x); INSERT INTO pad VALUES (zeroblob(2000000));
         DROP TABLE pad; VACUUM; PRAGMA wal_checkpoint(PASSIVE);",
    )
    .expect("grow the write-ahead log");
    // The measured command fills the disk; its long argument makes the
    // session's rows need new pages.
    let script = format!(
        "cat /dev/zero > {} 2>/dev/null; true",
        disk.join("filler").display()
    );
    let padding = "y".repeat(50_000);
    let out = pw_with_db(
        &dir,
        &db,
        &["run", "-r", "1", "--", "sh", "-c", &script, &padding],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("is stored, but the final checkpoint failed")
            && err.contains("full")
            && err.contains("the write-ahead log keeps its data"),
        "{err}"
    );
    assert!(!err.contains("incomplete"), "{err}");
    std::fs::remove_file(disk.join("filler")).expect("free the disk");
    drop(held);
    let out = pw_with_db(&dir, &db, &["export", "latest", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON export");
    assert_eq!(export["session"]["status"], "complete");
    let iterations = crate::util::iterations(&export);
    assert_eq!(iterations.len(), 1);
}
