//! One module per subcommand (or family of subcommands).

pub mod history;
pub mod init;
pub mod run;
pub mod span;
pub mod stored;
pub mod variants;
