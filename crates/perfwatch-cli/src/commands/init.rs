//! `perfwatch init`: write a commented example configuration.

use crate::args::InitArgs;
use crate::config::{DEFAULT_CONFIG, EXAMPLE};
use crate::exit::usage;
use std::path::{Path, PathBuf};

/// Write the example to `--config` or `./perfwatch.toml`.
pub fn run(args: &InitArgs, config: Option<&Path>) -> anyhow::Result<()> {
    let path = config.map_or_else(|| PathBuf::from(DEFAULT_CONFIG), Path::to_path_buf);
    if path.exists() && !args.force {
        return Err(usage(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    std::fs::write(&path, EXAMPLE)
        .map_err(|e| anyhow::anyhow!("failed to write {}: {e}", path.display()))?;
    eprintln!(
        "wrote {}: edit the command, then `perfwatch run pipeline` or `perfwatch ab pipeline before after`",
        path.display()
    );
    Ok(())
}
