//! hyperfine's `--reference CMD` (with `--reference-name NAME`): the
//! command every other is compared with. perfwatch compares every command
//! with the first, so the reference becomes the first command, and its
//! `--prepare`/`--conclude` the first of theirs (as in hyperfine, one of
//! them or one per command, the reference included).

use crate::args::RunArgs;
use crate::config::Config;
use crate::exit::usage;

/// `args` with the `--reference` command put first, or `None` without one.
pub(super) fn put_first(args: &RunArgs, config: &Config) -> anyhow::Result<Option<RunArgs>> {
    let Some(reference) = &args.reference else {
        return Ok(None);
    };
    if !args.command.is_empty() {
        return Err(usage(
            "--reference adds a command to compare with: give the commands as strings \
             (`perfwatch run --reference 'cmd a' 'cmd b'`), not one argv after `--`",
        ));
    }
    let configured = |t: &String| config.file.benchmark.contains_key(t.as_str());
    if args.suite.is_some() || args.targets.iter().any(configured) {
        return Err(usage(
            "--reference compares commands; a benchmark of perfwatch.toml compares its \
             variants with its first (`perfwatch ab BENCH REFERENCE OTHER…` picks it)",
        ));
    }
    let scanned = !(args.parameter_scan.is_empty()
        && args.parameter_list.is_empty()
        && args.params.is_empty());
    if scanned {
        return Err(usage(
            "--reference with a parameter scan is not supported: a scan is compared with \
             its first value, so list the reference value first (-L VAR ref,a,b)",
        ));
    }
    let mut first = args.clone();
    first.targets.insert(0, reference.clone());
    // Names given to the others stay theirs.
    match &args.reference_name {
        Some(name) => first.command_names.insert(0, name.clone()),
        None if !args.command_names.is_empty() => first.command_names.insert(0, reference.clone()),
        None => {}
    }
    first.reference = None;
    first.reference_name = None;
    Ok(Some(first))
}
