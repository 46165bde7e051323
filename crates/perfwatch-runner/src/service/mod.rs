//! The lifecycle of a service under test: start a fresh one per
//! iteration, wait until it is ready, let the load run, stop it.
//!
//! ```
//! use perfwatch_model::CommandSpec;
//! use perfwatch_runner::service::{self, Ready, ServiceSpec};
//!
//! let command = CommandSpec {
//!     argv: vec!["echo listening on {port} >&2; exec sleep 30".into()],
//!     shell: true,
//! };
//! let spec = ServiceSpec::new(command, Ready::LogLine("listening".into()));
//! let running = service::start(&spec, service::free_port().unwrap()).unwrap();
//! // … drive load at the port …
//! let stopped = running.stop().unwrap();
//! assert!(!stopped.killed);
//! assert_eq!(stopped.status.to_string(), "signal 15 (SIGTERM)");
//! ```
//!
//! # How
//!
//! * **Port.** [`free_port`] finds one; [`start`] refuses a port someone
//!   listens on ([`ServiceError::PortTaken`]) before spawning anything, and
//!   replaces `{port}` in the command, the environment values, the
//!   readiness URL and the readiness line.
//! * **Process.** The service is spawned as every measured command is
//!   (see the crate documentation): in its own process group, through the
//!   spawner when it runs, stdin from `/dev/null`, stdout discarded unless
//!   a readiness line is looked for there. A thread runs the runner's own
//!   supervisor on it from the spawn: the tree is sampled (the resource
//!   timeline, startup included), and once the service's process exits,
//!   the rest of its group and every descendant the sampler followed are
//!   killed, the process is reaped with its `wait4` figures, and under a
//!   child subreaper what it left running elsewhere is killed too.
//! * **Readiness** ([`Ready`]) is asked every 5 ms: an HTTP `GET` answered
//!   2xx, an accepted TCP connection, or a line of output (read as it
//!   comes, so the moment it appeared counts). Between attempts the wait
//!   is on the process's pidfd, so an exit is seen at once
//!   ([`ServiceError::ExitedBeforeReady`]); at the timeout the tree is
//!   killed ([`ServiceError::NotReady`]). `startup_s` runs on the
//!   monotonic clock from the spawn to the answer.
//! * **Stop.** SIGTERM to the process group (through the pidfd to the
//!   service itself, so a reused pid is never hit), up to `stop_timeout`
//!   for the exit (`shutdown_s`), then SIGKILL; then the supervisor's
//!   clean-up above. Dropping a [`RunningService`] kills it the same way.
//!   Descendants that left the group (`setsid`) get no SIGTERM, only the
//!   final SIGKILL.
//!
//! Linux 5.3 or later (pidfds).

mod error;
mod output;
mod pidfd;
mod probe;
mod running;
pub mod scrape;
mod spec;

pub use error::ServiceError;
pub use running::{start, RunningService, Stopped};
pub use spec::{free_port, Ready, ServiceSpec, PORT_PLACEHOLDER};
