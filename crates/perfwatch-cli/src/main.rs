//! The `perfwatch` binary: everything lives in the `perfwatch_cli` library.

fn main() {
    std::process::exit(perfwatch_cli::main());
}
