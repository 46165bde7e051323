//! `perfwatch-spawn`: the small process `perfwatch` starts measured
//! commands from, so that their peak memory is their own (see
//! `perfwatch_runner::spawner`). Started by perfwatch only.

fn main() {
    perfwatch_runner::spawner::serve_if_asked();
    eprintln!(
        "{}: started by perfwatch to spawn the commands it measures; not for use on its own",
        perfwatch_runner::spawner::HELPER
    );
    std::process::exit(2);
}
