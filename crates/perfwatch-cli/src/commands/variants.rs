//! `perfwatch variants`: list configured benchmarks and their variants.

use crate::args::VariantsArgs;
use crate::config::Config;
use crate::exit::usage;
use std::io::Write;

/// Print each benchmark's command and variants with their settings.
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
        writeln!(out, "{name}: {cmd}")?;
        if let Some(d) = &b.description {
            writeln!(out, "  {d}")?;
        }
        if b.variant.is_empty() {
            writeln!(out, "  (no variants: runs as `default`)")?;
        }
        for (vname, v) in &b.variant {
            write!(out, "  {vname}")?;
            if let Some(d) = &v.description {
                write!(out, " — {d}")?;
            }
            writeln!(out)?;
            for (k, val) in &v.env {
                writeln!(out, "      env  {k}={val}")?;
            }
            if !v.args.is_empty() {
                writeln!(out, "      args {}", v.args.join(" "))?;
            }
        }
    }
    Ok(())
}
