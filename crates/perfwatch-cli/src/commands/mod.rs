//! One module per subcommand (or family of subcommands).

pub mod db;
pub mod gate;
pub mod history;
pub mod import;
pub mod init;
pub mod investigate;
pub mod push;
pub mod report;
pub mod run;
pub mod serve;
pub mod span;
pub mod stored;
pub mod token;
pub mod variants;
