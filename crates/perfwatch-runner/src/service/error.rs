//! What can go wrong starting, watching or stopping a service.

use crate::error::{TailSuffix, Termination};
use std::time::Duration;

/// Why a service could not be started or stopped.
///
/// Messages are lowercase fragments that read after "failed to …", name
/// the service's command and end with the last lines of its stderr where
/// there are some.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The spec is unusable: an empty command, a program not found, a
    /// readiness URL that is not plain `http://`.
    #[error("start service `{command}`: {reason}")]
    InvalidSpec {
        /// The command, as written (port substituted).
        command: String,
        /// What is wrong.
        reason: String,
    },
    /// Someone already listens on the port: nothing was spawned.
    #[error("start service `{command}`: port {port} is already in use")]
    PortTaken {
        /// The command, as written (port substituted).
        command: String,
        /// The port.
        port: u16,
    },
    /// The process could not be spawned (or watched).
    #[error("start service `{command}`: {source}")]
    Spawn {
        /// The command, as written (port substituted).
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The service exited before it was ready.
    #[error(
        "start service `{command}`: it exited with {status} before it was ready{}",
        TailSuffix(stderr_tail)
    )]
    ExitedBeforeReady {
        /// The command, as written (port substituted).
        command: String,
        /// How it ended.
        status: Termination,
        /// The last lines of its stderr.
        stderr_tail: Option<String>,
    },
    /// The service was not ready within its timeout; it and every process
    /// it started were killed.
    #[error(
        "start service `{command}`: not ready after {:.1} s{}",
        after.as_secs_f64(),
        TailSuffix(stderr_tail)
    )]
    NotReady {
        /// The command, as written (port substituted).
        command: String,
        /// The readiness timeout.
        after: Duration,
        /// The last lines of its stderr.
        stderr_tail: Option<String>,
    },
    /// Waiting for the service's exit failed (the service was killed).
    #[error("watch service `{command}`: {source}")]
    Watch {
        /// The command, as written (port substituted).
        command: String,
        /// Why.
        source: std::io::Error,
    },
}

impl ServiceError {
    /// The last lines of the service's stderr, where the error has them.
    pub fn stderr_tail(&self) -> Option<&String> {
        match self {
            ServiceError::ExitedBeforeReady { stderr_tail, .. }
            | ServiceError::NotReady { stderr_tail, .. } => stderr_tail.as_ref(),
            _ => None,
        }
    }

    /// The message without its stderr tail (for a caller that appends the
    /// tail after its own context).
    pub fn headline(&self) -> String {
        let full = self.to_string();
        let tail = TailSuffix(&self.stderr_tail().cloned()).to_string();
        match full.strip_suffix(&tail) {
            Some(head) if !tail.is_empty() => head.to_string(),
            _ => full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_command_and_end_with_the_tail() {
        let e = ServiceError::ExitedBeforeReady {
            command: "sh -c 'exit 3'".into(),
            status: Termination::Code(3),
            stderr_tail: Some("boom\nbang".into()),
        };
        assert_eq!(
            e.to_string(),
            "start service `sh -c 'exit 3'`: it exited with exit code 3 before it was ready; \
             last lines of stderr:\n    boom\n    bang"
        );
        let e = ServiceError::NotReady {
            command: "sleep 30".into(),
            after: Duration::from_millis(500),
            stderr_tail: None,
        };
        assert_eq!(
            e.to_string(),
            "start service `sleep 30`: not ready after 0.5 s"
        );
    }
}
