//! `perfwatch variants`: list configured benchmarks, their suites and variants.

use crate::args::VariantsArgs;
use crate::config::Config;
use crate::exit::usage;
use perfwatch_report::printable::printable;
use std::io::Write;

/// Print each benchmark's command and variants with their settings. Names,
/// commands and settings come from perfwatch.toml, where a quoted key may
/// hold any character: they are shown [`printable`].
pub fn run(args: &VariantsArgs, config: &Config, out: &mut dyn Write) -> anyhow::Result<()> {
    if config.file.benchmark.is_empty() {
        return Err(usage(
            "no benchmarks configured: write perfwatch.toml (`perfwatch init` writes an example)",
        ));
    }
    let selected: Vec<_> = match &args.benchmark {
        Some(name) => vec![(name, config.benchmark(name).map_err(usage)?)],
        None => config.file.benchmark.iter().collect(),
    };
    for (name, b) in selected {
        let cmd = match (&b.command, &b.shell) {
            (Some(argv), _) => argv.join(" "),
            (None, Some(s)) => format!("sh -c {s:?}"),
            (None, None) => String::new(),
        };
        writeln!(out, "{}: {}", printable(name), printable(&cmd))?;
        if let Some(d) = &b.description {
            writeln!(out, "  {}", printable(d))?;
        }
        if !b.suites.is_empty() {
            writeln!(out, "  suites: {}", printable(&b.suites.join(", ")))?;
        }
        if b.variant.is_empty() {
            writeln!(out, "  (no variants: runs as `default`)")?;
        }
        for (vname, v) in &b.variant {
            write!(out, "  {}", printable(vname))?;
            if let Some(d) = &v.description {
                write!(out, " — {}", printable(d))?;
            }
            writeln!(out)?;
            for (k, val) in &v.env {
                writeln!(out, "      env  {}={}", printable(k), printable(val))?;
            }
            if !v.args.is_empty() {
                writeln!(out, "      args {}", printable(&v.args.join(" ")))?;
            }
        }
    }
    Ok(())
}
