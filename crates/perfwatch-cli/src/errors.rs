//! The one place that decides the exit code of every way a command can
//! end: [`ExpectedError::process_exit_code`].
//!
//! Commands return `anyhow::Error`s that wrap typed errors — the app
//! layer's [`AppError`], the runner's [`RunError`], the store's
//! [`StoreError`], the CLI's own usage errors ([`usage`](crate::exit::usage))
//! and silent exits (a failed gate, an interrupted run). At the boundary,
//! [`ExpectedError::classify`] turns each into one variant here, and the
//! variant alone says what the process exits with and what it prints.

use crate::exit::{ExitError, SilentExit};
use perfwatch_app::AppError;
use perfwatch_model::exit_codes;
use perfwatch_runner::RunError;
use perfwatch_store::StoreError;

/// Every way a command ends other than success.
#[derive(Debug)]
pub enum ExpectedError {
    /// Bad arguments, configuration or input; nothing was run or written.
    Usage,
    /// The app layer refused or failed.
    App(AppError),
    /// The store failed or refused.
    Store(StoreError),
    /// The runner could not run the plan (the command is missing, a hook
    /// failed, …).
    Run(RunError),
    /// A command that already printed its answer and exits with this code
    /// (a failed gate, an interrupted run, a failing measured command).
    Silent(i32),
    /// An error that carries its code.
    Coded(i32),
    /// Anything else: a bug or an environment failure (exit 1).
    Other,
}

impl ExpectedError {
    /// Find the typed error inside `err`.
    pub fn classify(err: anyhow::Error) -> ExpectedError {
        if let Some(SilentExit(code)) = err.downcast_ref::<SilentExit>() {
            return ExpectedError::Silent(*code);
        }
        if let Some(e) = err.downcast_ref::<ExitError>() {
            return if e.code == exit_codes::USAGE {
                ExpectedError::Usage
            } else {
                ExpectedError::Coded(e.code)
            };
        }
        // Context added on top keeps the typed error at the root; show
        // the whole chain but decide by the root.
        let err = match err.downcast::<AppError>() {
            Ok(e) => return ExpectedError::App(e),
            Err(err) => err,
        };
        let err = match err.downcast::<StoreError>() {
            Ok(e) => return ExpectedError::Store(e),
            Err(err) => err,
        };
        match err.downcast::<RunError>() {
            Ok(e) => ExpectedError::Run(e),
            Err(_) => ExpectedError::Other,
        }
    }

    /// The process's exit code (constants of [`exit_codes`]).
    pub fn process_exit_code(&self) -> i32 {
        match self {
            ExpectedError::Usage => exit_codes::USAGE,
            ExpectedError::App(e) if e.is_usage() => exit_codes::USAGE,
            ExpectedError::Store(e) if perfwatch_app::error::store_usage(e) => exit_codes::USAGE,
            ExpectedError::App(_) | ExpectedError::Store(_) | ExpectedError::Other => {
                exit_codes::ERROR
            }
            ExpectedError::Run(e) => e.exit_code(),
            ExpectedError::Silent(code) | ExpectedError::Coded(code) => *code,
        }
    }

    /// Whether the command already said everything: no `error:` line.
    pub fn is_silent(&self) -> bool {
        matches!(self, ExpectedError::Silent(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{usage, with_code};

    #[test]
    fn every_kind_of_error_maps_to_its_documented_code() {
        let cases: Vec<(anyhow::Error, i32)> = vec![
            (usage("bad flag"), exit_codes::USAGE),
            (
                with_code(exit_codes::HOOK_FAILED, "hook"),
                exit_codes::HOOK_FAILED,
            ),
            (
                SilentExit(exit_codes::GATE_FAILED).into(),
                exit_codes::GATE_FAILED,
            ),
            (
                SilentExit(exit_codes::INTERRUPTED).into(),
                exit_codes::INTERRUPTED,
            ),
            (
                AppError::NothingToCompare("no variant in common".into()).into(),
                exit_codes::USAGE,
            ),
            (
                AppError::Record("disk full".into()).into(),
                exit_codes::ERROR,
            ),
            (
                StoreError::SessionNotFound {
                    spec: "abcd".into(),
                }
                .into(),
                exit_codes::USAGE,
            ),
            (anyhow::anyhow!("unexpected"), exit_codes::ERROR),
        ];
        for (err, code) in cases {
            let shown = format!("{err}");
            assert_eq!(
                ExpectedError::classify(err).process_exit_code(),
                code,
                "{shown}"
            );
        }
    }

    #[test]
    fn silent_exits_print_no_error_line() {
        let e = ExpectedError::classify(SilentExit(exit_codes::GATE_FAILED).into());
        assert!(e.is_silent());
        assert!(!ExpectedError::classify(usage("x")).is_silent());
    }
}

/// The error and its causes, joined by `: ` as `{:#}` does, without a
/// cause that only repeats what was said (SQLite's errors wrap the same
/// message two or three times: "malformed: malformed: Error code 11:
/// malformed").
pub fn chain_text(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let tail = text.rsplit(": ").next().unwrap_or(&text);
        if out.contains(&text) || !tail.is_empty() && out.contains(tail) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod chain_tests {
    use super::chain_text;

    #[test]
    fn repeated_causes_are_said_once() {
        let inner = std::io::Error::other("disk image is malformed");
        let err = anyhow::Error::new(inner)
            .context("Error code 11: disk image is malformed")
            .context("database error in x.db: disk image is malformed");
        assert_eq!(
            chain_text(&err),
            "database error in x.db: disk image is malformed"
        );
        let err = anyhow::anyhow!("no such file").context("failed to open x.db");
        assert_eq!(chain_text(&err), "failed to open x.db: no such file");
    }
}
