//! A private PostgreSQL cluster for tests: `initdb` in a temporary
//! directory, a server on a free loopback port with trust authentication,
//! stopped and deleted afterwards — also when the test process panics,
//! aborts or is killed.
//!
//! A test that needs PostgreSQL calls [`require`]: it gets the process's
//! shared cluster, or `None` (with the reason printed) when PostgreSQL is
//! not installed — unless `PERFWATCH_REQUIRE_POSTGRES=1` (`scripts/test`
//! sets it), which turns the skip into a failure. Each test creates its own
//! database, so tests run in parallel on one cluster:
//!
//! ```no_run
//! let Some(pg) = perfwatch_testkit::postgres::require() else {
//!     return; // PostgreSQL is not installed; the reason is printed.
//! };
//! let url = pg.create_database("store_round_trip").unwrap();
//! assert!(url.ends_with("/store_round_trip"));
//! ```
//!
//! **Root.** `initdb` and `postgres` refuse to run as root, so under root
//! they run as `nobody` (privileges dropped in the child between `fork` and
//! `exec`), and `nobody` owns the temporary directory.
//!
//! **Cleanup.** Every cluster has a watchdog: an `sh` in a process group of
//! its own (so neither a Ctrl-C nor nextest's kill of the test's process
//! group reaches it) reading a pipe whose write end only the test process
//! holds (close-on-exec, so no other child inherits it).
//! End of file on that pipe — when the cluster is dropped, or when the
//! process ends in any way, `SIGKILL` included — makes it stop the server
//! (`pg_ctl -m immediate stop`) and delete the directory. `Drop` closes the
//! pipe and waits for the watchdog, so both cases take the same path. The
//! shared cluster lives in a static, which Rust never drops: it is stopped
//! by the process's exit closing the pipe.

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// Set to `1` to make tests that need PostgreSQL fail, rather than skip,
/// where it is not installed (`scripts/test` does).
pub const REQUIRE_VAR: &str = "PERFWATCH_REQUIRE_POSTGRES";

/// The role that owns the cluster; trusted on loopback, so no password.
pub const USER: &str = "perfwatch";

/// Tries at a free port: another process may take the one we picked
/// between our probe and the server's `bind`.
const PORT_ATTEMPTS: usize = 5;

/// Longest database name PostgreSQL keeps whole (`NAMEDATALEN - 1`).
const MAX_NAME_BYTES: usize = 63;

/// Stops the server and deletes the directory once stdin reaches end of
/// file. Arguments: `pg_ctl`, the data directory, the temporary directory.
const WATCHDOG: &str = r#"cat >/dev/null
status=0
if [ -f "$2/postmaster.pid" ]; then
  "$1" -D "$2" -m immediate -w stop >/dev/null 2>&1 || status=$?
fi
rm -rf "$3" || status=1
exit $status"#;

/// Why a cluster could not be started or used. Messages read well after
/// "failed to".
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// No directory with `initdb`, `pg_ctl` and `postgres` was found.
    #[error(
        "find PostgreSQL's server binaries (initdb, pg_ctl, postgres): PostgreSQL \
         is not installed (looked in `pg_config --bindir`, /usr/lib/postgresql/*/bin \
         and PATH; on Debian: apt-get install postgresql)"
    )]
    NotInstalled,
    /// Running as root, with no `nobody` user to run the server as.
    #[error("find the user `nobody` to run PostgreSQL as (initdb refuses to run as root)")]
    NoUnprivilegedUser,
    /// A file system or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done, e.g. "create a temporary directory".
        action: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A PostgreSQL command exited unsuccessfully.
    #[error("run {command}: {detail}")]
    Command {
        /// The command and the arguments that matter.
        command: String,
        /// Its exit status and output, or the server log.
        detail: String,
    },
    /// A database name PostgreSQL would reject or truncate.
    #[error("create database {0:?}: a name is 1 to 63 bytes, without NUL")]
    DatabaseName(String),
}

fn io_error(action: impl Into<String>) -> impl FnOnce(io::Error) -> PgError {
    let action = action.into();
    move |source| PgError::Io { action, source }
}

/// A running PostgreSQL server in a temporary directory, stopped and
/// deleted on drop. See the [module documentation](self).
#[derive(Debug)]
pub struct PgCluster {
    /// Holds `data/`, `socket/` and `server.log`. Deleted by the watchdog;
    /// `TempDir`'s own removal is the fallback should the watchdog fail.
    dir: tempfile::TempDir,
    bindir: PathBuf,
    /// uid and gid the server's commands run as (`nobody` under root).
    run_as: Option<(u32, u32)>,
    /// 0 until the server runs.
    port: u16,
    /// Its stdin is the pipe whose end of file triggers the cleanup.
    watchdog: Child,
}

impl PgCluster {
    /// Creates a cluster in a new temporary directory and starts its server
    /// on a free loopback port; returns once it accepts connections.
    pub fn start() -> Result<PgCluster, PgError> {
        let bindir = server_bindir().ok_or(PgError::NotInstalled)?;
        let run_as = if is_root() {
            Some(nobody().ok_or(PgError::NoUnprivilegedUser)?)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("perfwatch-pg-")
            .tempdir()
            .map_err(io_error("create a temporary directory"))?;
        let socket_dir = dir.path().join("socket");
        fs::create_dir(&socket_dir).map_err(io_error("create the socket directory"))?;
        if let Some((uid, gid)) = run_as {
            for path in [dir.path(), &socket_dir] {
                std::os::unix::fs::chown(path, Some(uid), Some(gid))
                    .map_err(io_error(format!("chown {} to nobody", path.display())))?;
            }
        }
        // The watchdog first: from here on every exit path cleans up.
        let watchdog = run_as_owner(Command::new("sh"), run_as)
            .arg("-c")
            .arg(WATCHDOG)
            .arg("perfwatch-pg-watchdog")
            .arg(bindir.join("pg_ctl"))
            .arg(dir.path().join("data"))
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(io_error("start the cleanup watchdog (sh)"))?;
        let mut cluster = PgCluster {
            dir,
            bindir,
            run_as,
            port: 0,
            watchdog,
        };
        cluster.initdb()?;
        cluster.configure()?;
        cluster.start_server()?;
        Ok(cluster)
    }

    /// The URL of the `postgres` database, as the `perfwatch` superuser.
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    /// The URL of database `name` (which may not exist).
    pub fn database_url(&self, name: &str) -> String {
        format!(
            "postgres://{USER}@127.0.0.1:{}/{}",
            self.port,
            percent_encode(name)
        )
    }

    /// The server's loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Creates the empty database `name` and returns its URL. Names are
    /// quoted, so any 1 to 63 bytes without NUL will do.
    pub fn create_database(&self, name: &str) -> Result<String, PgError> {
        if name.is_empty() || name.len() > MAX_NAME_BYTES || name.contains('\0') {
            return Err(PgError::DatabaseName(name.to_owned()));
        }
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        let output = self
            .psql(&self.url())
            .arg("-c")
            .arg(&sql)
            .output()
            .map_err(io_error("run psql"))?;
        check(&format!("psql -c '{sql}'"), &output)?;
        Ok(self.database_url(name))
    }

    /// `psql` connected to `url`, reading no `~/.psqlrc` and stopping at
    /// the first error; add `-c SQL` or a file and run it.
    pub fn psql(&self, url: &str) -> Command {
        let psql = self.bindir.join("psql");
        let mut command = Command::new(if psql.is_file() {
            psql.as_os_str()
        } else {
            OsStr::new("psql")
        });
        command
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
            .stdin(Stdio::null());
        without_pg_env(&mut command);
        command
    }

    /// One of the server's commands, run as the directory's owner.
    fn server_command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bindir.join(program));
        command.current_dir(self.dir.path()).stdin(Stdio::null());
        without_pg_env(&mut command);
        run_as_owner(command, self.run_as)
    }

    fn initdb(&self) -> Result<(), PgError> {
        let output = self
            .server_command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            // C locale: sorting and messages the same on every machine,
            // and no dependence on which locales are generated.
            .args(["-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8"])
            .arg("--no-locale")
            .output()
            .map_err(io_error("run initdb"))?;
        check("initdb", &output)
    }

    /// Loopback only, the private socket directory, and no durability (a
    /// test cluster never survives a crash). In `postgresql.conf` rather
    /// than `pg_ctl -o`, which goes through a shell: paths need no quoting.
    fn configure(&self) -> Result<(), PgError> {
        let socket_dir = self.dir.path().join("socket");
        let settings = format!(
            "\n# perfwatch-testkit\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             full_page_writes = off\n\
             synchronous_commit = off\n",
            socket_dir.display().to_string().replace('\'', "''")
        );
        let conf = self.data_dir().join("postgresql.conf");
        OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut file| file.write_all(settings.as_bytes()))
            .map_err(io_error(format!("append to {}", conf.display())))
    }

    /// `pg_ctl -w start` on a free port, again on another port if the
    /// server could not bind the one picked.
    fn start_server(&mut self) -> Result<(), PgError> {
        let log = self.dir.path().join("server.log");
        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port().map_err(io_error("find a free loopback port"))?;
            let logged_before = fs::metadata(&log).map_or(0, |m| m.len() as usize);
            let output = self
                .server_command("pg_ctl")
                .args(["-w", "-t", "60", "-D"])
                .arg(self.data_dir())
                .arg("-l")
                .arg(&log)
                .args(["-o", &format!("-p {port}"), "start"])
                .output()
                .map_err(io_error("run pg_ctl start"))?;
            if output.status.success() {
                self.port = port;
                return Ok(());
            }
            let logged = fs::read(&log).unwrap_or_default();
            let logged = String::from_utf8_lossy(logged.get(logged_before..).unwrap_or_default());
            let port_taken =
                logged.contains("could not bind") || logged.contains("Address already in use");
            if !port_taken || attempt == PORT_ATTEMPTS {
                return Err(PgError::Command {
                    command: format!("pg_ctl start (port {port}, attempt {attempt})"),
                    detail: format!("{}; server log:\n{}", describe(&output), logged.trim()),
                });
            }
        }
        unreachable!("the last attempt returns")
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // End of file on its stdin sets the watchdog off; wait for it so
        // that the server is gone when `drop` returns.
        drop(self.watchdog.stdin.take());
        match self.watchdog.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => eprintln!(
                "perfwatch-testkit: stopping the PostgreSQL cluster in {} failed ({status})",
                self.dir.path().display()
            ),
            Err(e) => eprintln!("perfwatch-testkit: waiting for the cluster's watchdog: {e}"),
        }
    }
}

/// This process's shared cluster, started on first use and stopped when
/// the process exits.
pub fn shared() -> Result<&'static PgCluster, &'static PgError> {
    static SHARED: OnceLock<Result<PgCluster, PgError>> = OnceLock::new();
    SHARED.get_or_init(PgCluster::start).as_ref()
}

/// The shared cluster for a test that needs PostgreSQL; `None` (reason
/// printed) when it is not installed, so the test returns early.
///
/// # Panics
/// When it is not installed and `PERFWATCH_REQUIRE_POSTGRES=1`, and when
/// it is installed but the cluster fails to start.
#[track_caller]
pub fn require() -> Option<&'static PgCluster> {
    match shared() {
        Ok(cluster) => Some(cluster),
        Err(error) => skip_or_fail(error),
    }
}

/// Like [`require`], for a test that needs a cluster of its own (to stop
/// or break it, say).
///
/// # Panics
/// As [`require`].
#[track_caller]
pub fn require_own() -> Option<PgCluster> {
    match PgCluster::start() {
        Ok(cluster) => Some(cluster),
        Err(error) => skip_or_fail(&error),
    }
}

#[track_caller]
fn skip_or_fail<T>(error: &PgError) -> Option<T> {
    let required = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
    match error {
        PgError::NotInstalled if !required => {
            eprintln!("skipped: failed to {error}; set {REQUIRE_VAR}=1 to fail instead");
            None
        }
        PgError::NotInstalled => panic!(
            "{REQUIRE_VAR}=1 but failed to {error}. scripts/test installs it; \
             unset {REQUIRE_VAR} to skip the PostgreSQL tests instead"
        ),
        _ => panic!("failed to start a private PostgreSQL cluster: failed to {error}"),
    }
}

/// Where `initdb`, `pg_ctl` and `postgres` are: `pg_config --bindir`, else
/// the newest `/usr/lib/postgresql/*/bin` (Debian keeps them off PATH),
/// else PATH.
fn server_bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let mut debian: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((version(e.file_name().to_str()?)?, e.path().join("bin"))))
        .collect();
    debian.sort_by(|a, b| b.0.cmp(&a.0));
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    from_pg_config
        .into_iter()
        .chain(debian.into_iter().map(|(_, dir)| dir))
        .chain(on_path)
        .find(|dir| has_server(dir))
}

/// `"15"` → `[15]`, `"9.6"` → `[9, 6]`; `None` for other names.
fn version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// uid and gid of `nobody`.
fn nobody() -> Option<(u32, u32)> {
    // SAFETY: a zeroed passwd is a valid out-parameter; the buffer outlives
    // the call and its length is passed; only the numeric fields are read.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut found = std::ptr::null_mut();
        let rc = libc::getpwnam_r(
            c"nobody".as_ptr(),
            &mut entry,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        (rc == 0 && !found.is_null()).then_some((entry.pw_uid, entry.pw_gid))
    }
}

/// Runs `command` as `owner` when set: std calls `setgroups`, `setgid` and
/// `setuid` in the child before `exec`, dropping root entirely.
fn run_as_owner(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}

/// The caller's `PGHOST`, `PGDATA`, `PGOPTIONS`… would override or add to
/// the explicit arguments.
fn without_pg_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.as_encoded_bytes().starts_with(b"PG") {
            command.env_remove(name);
        }
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn check(command: &str, output: &Output) -> Result<(), PgError> {
    if output.status.success() {
        return Ok(());
    }
    Err(PgError::Command {
        command: command.to_owned(),
        detail: describe(output),
    })
}

fn describe(output: &Output) -> String {
    format!(
        "{}: {}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    )
}

/// A URL path segment: everything but RFC 3986's unreserved characters
/// percent-encoded.
fn percent_encode(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_percent_encoded_in_urls() {
        for (name, segment) in [
            ("plain_name-1.x~", "plain_name-1.x~"),
            ("a b", "a%20b"),
            ("quote\"d/slash", "quote%22d%2Fslash"),
            ("é", "%C3%A9"),
        ] {
            assert_eq!(percent_encode(name), segment, "{name}");
        }
    }

    #[test]
    fn debian_version_directories_order_numerically() {
        let mut versions: Vec<_> = ["9.6", "15", "10", "16"]
            .into_iter()
            .map(|v| version(v).unwrap())
            .collect();
        versions.sort();
        assert_eq!(versions, [vec![9, 6], vec![10], vec![15], vec![16]]);
        assert_eq!(version("15beta"), None);
    }
}
