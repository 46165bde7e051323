//! What can stop a run, and the exit code each maps to.

use perfwatch_model::exit_codes;
use std::fmt;
use std::path::PathBuf;

/// How a process ended: an exit code or a terminating signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// Exited normally with this code.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl Termination {
    /// Decode a `wait` status word.
    pub(crate) fn from_wait_status(status: i32) -> Termination {
        if libc::WIFSIGNALED(status) {
            Termination::Signal(libc::WTERMSIG(status))
        } else {
            Termination::Code(libc::WEXITSTATUS(status))
        }
    }

    /// Exited with code 0.
    pub fn success(self) -> bool {
        self == Termination::Code(0)
    }

    /// As an iteration stores it: `(exit_code, signal)`, one of them set.
    pub fn code_and_signal(self) -> (Option<i32>, Option<i32>) {
        match self {
            Termination::Code(c) => (Some(c), None),
            Termination::Signal(sig) => (None, Some(sig)),
        }
    }

    /// From an iteration's `(exit_code, signal)`; a signal wins, and an
    /// exit without a code reads as code -1.
    pub fn of(exit_code: Option<i32>, signal: Option<i32>) -> Termination {
        match (exit_code, signal) {
            (_, Some(sig)) => Termination::Signal(sig),
            (code, None) => Termination::Code(code.unwrap_or(-1)),
        }
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Termination::Code(c) => write!(f, "exit code {c}"),
            Termination::Signal(s) => match signal_name(s) {
                Some(name) => write!(f, "signal {s} ({name})"),
                None => write!(f, "signal {s}"),
            },
        }
    }
}

/// The usual name of a signal number, for messages.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        _ => return None,
    })
}

/// Formats an optional stderr tail as an indented block after a message.
pub(crate) struct TailSuffix<'a>(pub(crate) &'a Option<String>);

impl fmt::Display for TailSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_deref().map(str::trim_end) {
            Some(t) if !t.is_empty() => {
                f.write_str("; last lines of stderr:")?;
                for line in t.lines() {
                    write!(f, "\n    {line}")?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Why a run could not start, or what stopped it early.
///
/// Messages are lowercase fragments; [`RunError::exit_code`] gives the
/// documented exit code of the `perfwatch` binary for each.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The command has no program (an empty argv or an empty shell string).
    #[error("empty command: give a program to run")]
    EmptyCommand,
    /// The program was not found in `PATH` (or at the path given).
    #[error("command `{0}` not found")]
    CommandNotFound(String),
    /// The program exists but is not an executable file.
    #[error("`{}` is not an executable file", .0.display())]
    NotExecutable(PathBuf),
    /// The plan is unusable (no variants, `min_runs` above `max_runs`, …).
    #[error("invalid plan: {0}")]
    InvalidPlan(String),
    /// A hook failed or could not be started.
    #[error("{hook} hook failed with {status}{}", TailSuffix(stderr_tail))]
    HookFailed {
        /// `setup`, `prepare`, `conclude` or `cleanup`.
        hook: &'static str,
        /// How the hook's shell ended.
        status: Termination,
        /// The last lines of its stderr.
        stderr_tail: Option<String>,
    },
    /// The measured command failed and failures were not ignored.
    #[error(
        "command failed with {status} (variant `{variant}`, iteration {index}){}",
        TailSuffix(stderr_tail)
    )]
    CommandFailed {
        /// Variant of the failed iteration.
        variant: String,
        /// Index of the failed iteration.
        index: u32,
        /// How it ended.
        status: Termination,
        /// The last lines of its stderr.
        stderr_tail: Option<String>,
    },
    /// The empty shell of the start-up correction failed.
    #[error(
        "the shell `{shell}` failed on an empty script with {status}{}",
        TailSuffix(stderr_tail)
    )]
    ShellFailed {
        /// The shell as it was run (`sh`, `bash --norc`).
        shell: String,
        /// How it ended.
        status: Termination,
        /// The last lines of its stderr.
        stderr_tail: Option<String>,
    },
    /// A service benchmark's service could not be started, loaded,
    /// scraped or stopped (its tree was killed).
    #[error(
        "{message} (variant `{variant}`, iteration {index}){}",
        TailSuffix(stderr_tail)
    )]
    Service {
        /// Variant of the iteration.
        variant: String,
        /// Index of the iteration.
        index: u32,
        /// What failed, naming the service.
        message: String,
        /// The last lines of the service's stderr.
        stderr_tail: Option<String>,
    },
    /// The observer refused an iteration (e.g. the store could not write it).
    #[error("could not record iteration {index}: {source}")]
    Observer {
        /// Index of the iteration being recorded.
        index: u32,
        /// The observer's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Ctrl-C or SIGTERM.
    #[error("interrupted")]
    Interrupted,
    /// An operating-system error while running.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "spawn `ls`".
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl RunError {
    /// The exit code of the `perfwatch` binary for this error
    /// (constants of [`perfwatch_model::exit_codes`]).
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::EmptyCommand
            | RunError::CommandNotFound(_)
            | RunError::NotExecutable(_)
            | RunError::InvalidPlan(_) => exit_codes::USAGE,
            RunError::HookFailed { .. } => exit_codes::HOOK_FAILED,
            RunError::CommandFailed { .. }
            | RunError::ShellFailed { .. }
            | RunError::Service { .. } => exit_codes::COMMAND_FAILED,
            RunError::Interrupted => exit_codes::INTERRUPTED,
            RunError::Observer { .. } | RunError::Io { .. } => exit_codes::ERROR,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> RunError {
        RunError::Io {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_documented_table() {
        let cases: Vec<(RunError, i32)> = vec![
            (RunError::EmptyCommand, 2),
            (RunError::CommandNotFound("x".into()), 2),
            (RunError::NotExecutable("/etc/passwd".into()), 2),
            (RunError::InvalidPlan("x".into()), 2),
            (
                RunError::HookFailed {
                    hook: "prepare",
                    status: Termination::Code(1),
                    stderr_tail: None,
                },
                5,
            ),
            (
                RunError::CommandFailed {
                    variant: "a".into(),
                    index: 0,
                    status: Termination::Signal(9),
                    stderr_tail: None,
                },
                3,
            ),
            (
                RunError::Service {
                    variant: "v".into(),
                    index: 0,
                    message: "the service exited by itself before it was stopped".into(),
                    stderr_tail: None,
                },
                3,
            ),
            (RunError::Interrupted, 130),
            (RunError::io("x", std::io::Error::other("y")), 1),
        ];
        for (err, code) in cases {
            assert_eq!(err.exit_code(), code, "{err}");
        }
    }

    #[test]
    fn messages_name_the_hook_status_and_tail() {
        let err = RunError::HookFailed {
            hook: "prepare",
            status: Termination::Code(3),
            stderr_tail: Some("boom\nbang\n".into()),
        };
        assert_eq!(
            err.to_string(),
            "prepare hook failed with exit code 3; last lines of stderr:\n    boom\n    bang"
        );
        let err = RunError::CommandFailed {
            variant: "fast".into(),
            index: 4,
            status: Termination::Signal(9),
            stderr_tail: None,
        };
        assert_eq!(
            err.to_string(),
            "command failed with signal 9 (SIGKILL) (variant `fast`, iteration 4)"
        );
    }

    #[test]
    fn wait_status_decodes() {
        assert_eq!(Termination::from_wait_status(0), Termination::Code(0));
        assert_eq!(Termination::from_wait_status(3 << 8), Termination::Code(3));
        assert_eq!(Termination::from_wait_status(9), Termination::Signal(9));
        assert!(Termination::Code(0).success());
        assert!(!Termination::Signal(15).success());
    }
}
