//! Integration tests for perfwatch-import: hand-written exports in, sessions
//! out, and the errors bad files get.

mod criterion;
mod detect;
mod hyperfine;
mod support;
