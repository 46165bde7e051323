//! What service to start, on which port, and how to tell it is ready.

use crate::resolve::find_program;
use perfwatch_model::CommandSpec;
use std::ffi::OsString;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::time::Duration;

/// Replaced by the service's port in the command, the environment values
/// and the readiness URL.
pub const PORT_PLACEHOLDER: &str = "{port}";

/// Where `execvp` looks when `PATH` is unset.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// How to tell that a started service is ready for load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ready {
    /// An HTTP/1.1 `GET` of this URL answers with a 2xx status. Plain
    /// `http://` only; `{port}` is replaced.
    Http {
        /// The URL, such as `http://127.0.0.1:{port}/health`.
        url: String,
    },
    /// A TCP connection to `127.0.0.1:port` is accepted.
    Tcp,
    /// A line of the service's stdout or stderr matches this regular
    /// expression (`regex` crate syntax, searched anywhere in the line
    /// unless anchored; `{port}` is replaced first).
    LogLine(String),
}

/// A service to start per iteration: the command and how to watch it.
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    /// The command: argv executed directly, or with `shell` the string
    /// `argv[0]` run by `sh -c`. `{port}` is replaced in every part.
    pub command: CommandSpec,
    /// Environment added to ours; `{port}` is replaced in the values.
    pub env: Vec<(String, String)>,
    /// Working directory (ours when `None`).
    pub cwd: Option<PathBuf>,
    /// How readiness is told.
    pub ready: Ready,
    /// Give up (and kill the service) when it is not ready this long
    /// after the spawn.
    pub ready_timeout: Duration,
    /// How long [`RunningService::stop`](super::RunningService::stop)
    /// waits after SIGTERM before it kills.
    pub stop_timeout: Duration,
    /// Period of the resource timeline, `None` for no sampling.
    pub sample_interval: Option<Duration>,
    /// Reads the GPUs at each timeline sample; `None`: no GPU figures.
    pub gpu: Option<crate::gpu::SharedGpu>,
    /// Hears each timeline sample, for a live view.
    pub live: Option<crate::SharedLive>,
    /// Kills the service's tree when cancelled (Ctrl-C): a wait for
    /// readiness then ends as if it had exited.
    pub cancel: Option<crate::Cancel>,
}

impl ServiceSpec {
    /// A spec with the defaults: 30 s to become ready, 5 s to stop,
    /// sampled every 50 ms, our environment and directory.
    pub fn new(command: CommandSpec, ready: Ready) -> ServiceSpec {
        ServiceSpec {
            command,
            env: Vec::new(),
            cwd: None,
            ready,
            ready_timeout: Duration::from_secs(30),
            stop_timeout: Duration::from_secs(5),
            sample_interval: Some(Duration::from_millis(50)),
            gpu: None,
            live: None,
            cancel: None,
        }
    }
}

/// A free TCP port on the loopback interface: bound (port 0 lets the
/// kernel choose), read, released. Another process may take it before the
/// service binds it; [`start`](super::start) then fails with
/// [`PortTaken`](super::ServiceError::PortTaken) or the service does.
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Whether someone listens on `port`: binding the IPv4 wildcard address
/// fails then, whichever IPv4 address they listen on.
pub(super) fn port_taken(port: u16) -> bool {
    match TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)) {
        Ok(_) => false,
        Err(e) => e.kind() == io::ErrorKind::AddrInUse,
    }
}

/// `text` with every `{port}` replaced by `port`.
pub(super) fn substitute(text: &str, port: u16) -> String {
    text.replace(PORT_PLACEHOLDER, &port.to_string())
}

/// What to execute: the resolved program, `argv[0]`, the other arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Launch {
    pub program: PathBuf,
    pub arg0: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The command line and environment of `spec` on `port`, its program
/// found in `PATH` (the spec's own `PATH` if it sets one) as `execvp`
/// would; a message when that fails.
pub(super) fn launch(spec: &ServiceSpec, port: u16) -> Result<Launch, String> {
    let argv: Vec<String> = spec
        .command
        .argv
        .iter()
        .map(|a| substitute(a, port))
        .collect();
    let env: Vec<(String, String)> = spec
        .env
        .iter()
        .map(|(k, v)| (k.clone(), substitute(v, port)))
        .collect();
    let first = argv
        .first()
        .filter(|p| !p.trim().is_empty())
        .ok_or("empty command: give a program to run")?;
    let cwd = match &spec.cwd {
        Some(dir) => std::path::absolute(dir).map_err(|e| e.to_string())?,
        None => std::env::current_dir().map_err(|e| e.to_string())?,
    };
    let path = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| OsString::from(v))
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_else(|| DEFAULT_PATH.into());
    let find = |program: &str| -> Result<PathBuf, String> {
        find_program(program, &path, &cwd).map_err(|e| e.to_string())
    };
    Ok(if spec.command.shell {
        Launch {
            program: find("sh")?,
            arg0: "sh".into(),
            args: vec!["-c".into(), argv.join(" ")],
            env,
        }
    } else {
        Launch {
            program: find(first)?,
            arg0: first.clone(),
            args: argv[1..].to_vec(),
            env,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(argv: &[&str], shell: bool) -> ServiceSpec {
        let command = CommandSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            shell,
        };
        let mut s = ServiceSpec::new(command, Ready::Tcp);
        s.env = vec![("ADDR".into(), "127.0.0.1:{port}".into())];
        s
    }

    #[test]
    fn the_port_replaces_every_placeholder() {
        let l = launch(&spec(&["sh", "-c", "serve {port} {port}"], false), 8123).unwrap();
        assert!(l.program.ends_with("sh"));
        assert_eq!(l.arg0, "sh");
        assert_eq!(l.args, vec!["-c", "serve 8123 8123"]);
        assert_eq!(l.env, vec![("ADDR".into(), "127.0.0.1:8123".into())]);
    }

    #[test]
    fn shell_commands_run_through_sh() {
        let l = launch(&spec(&["serve --port {port}"], true), 9).unwrap();
        assert_eq!(l.arg0, "sh");
        assert_eq!(l.args, vec!["-c", "serve --port 9"]);
    }

    #[test]
    fn a_missing_program_or_an_empty_command_is_a_message() {
        let missing = launch(&spec(&["no-such-program-here"], false), 1).unwrap_err();
        assert!(missing.contains("no-such-program-here"), "{missing}");
        assert!(launch(&spec(&[" "], false), 1).is_err());
    }

    #[test]
    fn a_free_port_is_free_and_a_bound_one_is_taken() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        let held = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert!(port_taken(held.local_addr().unwrap().port()));
    }
}
