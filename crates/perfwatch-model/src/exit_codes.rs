//! Exit codes of the `perfwatch` binary. Scripts and CI systems rely on these
//! values; they never change meaning.

/// Everything went as asked.
pub const OK: i32 = 0;
/// An unexpected error: I/O, the store, a broken pipe to a child, …
pub const ERROR: i32 = 1;
/// Bad usage: an unknown flag, a bad value, a malformed config file, a
/// command that does not exist or is not executable, an unusable `--db`.
/// Nothing was run or written.
pub const USAGE: i32 = 2;
/// The measured command exited non-zero (or was killed by a signal) and
/// `--ignore-failure` was not given. Finished iterations are kept.
pub const COMMAND_FAILED: i32 = 3;
/// A gate rule failed (a regression or budget beyond its limit).
pub const GATE_FAILED: i32 = 4;
/// A hook (`--setup`, `--prepare`, `--conclude`, `--cleanup`) failed.
pub const HOOK_FAILED: i32 = 5;
/// Interrupted by Ctrl-C or SIGTERM; finished iterations are kept.
pub const INTERRUPTED: i32 = 130;
