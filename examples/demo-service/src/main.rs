//! `demo-service`: perfwatch's example service with planted performance
//! problems; see the library crate for what each variant plants.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// The service ran and stopped on a signal.
const SUCCESS: u8 = 0;
/// The service could not start or serve (port taken, no runtime, ...).
const SERVICE_FAILED: u8 = 1;

fn main() -> ExitCode {
    let config = cli::Cli::parse().into_config();
    match perfwatch_demo_service::run(config) {
        Ok(()) => ExitCode::from(SUCCESS),
        Err(err) => {
            eprintln!("demo-service: failed to {err}");
            ExitCode::from(SERVICE_FAILED)
        }
    }
}
