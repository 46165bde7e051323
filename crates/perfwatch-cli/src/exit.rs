//! Errors that carry their exit code to `main`.

use perfwatch_model::exit_codes;
use std::fmt;

/// An error with the exit code it ends the process with.
#[derive(Debug)]
pub struct ExitError {
    /// The code from [`perfwatch_model::exit_codes`].
    pub code: i32,
    /// The one-line message, printed as `error: …`.
    pub message: String,
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// A usage error: bad arguments, configuration or input; nothing was run.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    ExitError {
        code: exit_codes::USAGE,
        message: message.into(),
    }
    .into()
}

/// An error with a specific exit code.
pub fn with_code(code: i32, message: impl Into<String>) -> anyhow::Error {
    ExitError {
        code,
        message: message.into(),
    }
    .into()
}

/// A successful command that still wants a non-zero exit (a failed gate,
/// an interrupted run): the summary was printed, no `error:` line follows.
#[derive(Debug)]
pub struct SilentExit(pub i32);

impl fmt::Display for SilentExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for SilentExit {}
