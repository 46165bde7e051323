//! `perfwatch span NAME -- CMD…`: run a command as a stage of the enclosing
//! perfwatch iteration. Outside perfwatch it simply runs the command.

use crate::args::SpanArgs;
use crate::exit::{with_code, SilentExit};
use perfwatch_model::exit_codes;
use perfwatch_model::span_file::{SpanRecord, ENV_PARENT_SPAN, ENV_SPANS};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Run the stage; exits with the command's own exit status.
pub fn run(args: &SpanArgs) -> anyhow::Result<()> {
    let spans = std::env::var_os(ENV_SPANS).filter(|p| !p.is_empty());
    let id = format!("{}-span", std::process::id());
    let mut cmd = Command::new(&args.command[0]);
    cmd.args(&args.command[1..]);
    if spans.is_some() {
        cmd.env(ENV_PARENT_SPAN, &id);
    }
    let start = unix_ns();
    let status = cmd.status().map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        };
        with_code(code, format!("failed to run `{}`: {e}", args.command[0]))
    })?;
    let end = unix_ns();
    if let Some(path) = spans {
        let record = SpanRecord::Span {
            id: id.into(),
            parent: std::env::var(ENV_PARENT_SPAN)
                .ok()
                .filter(|p| !p.is_empty())
                .map(Into::into),
            name: args.name.as_str().into(),
            tier: args.tier.clone(),
            component: args.component.clone(),
            start_unix_ns: start,
            end_unix_ns: end,
            ok: status.success(),
            attrs: Default::default(),
        };
        // A stage that cannot be recorded must not change the pipeline's
        // behaviour: warn and carry on.
        let line = serde_json::to_string(&record).map(|mut s| {
            s.push('\n');
            s
        });
        let written = line.map_err(std::io::Error::other).and_then(|line| {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)?
                .write_all(line.as_bytes())
        });
        if let Err(e) = written {
            eprintln!(
                "perfwatch span: could not record stage `{}`: {e}",
                perfwatch_report::printable::printable(&args.name)
            );
        }
    }
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    if code == exit_codes::OK {
        Ok(())
    } else {
        Err(SilentExit(code).into())
    }
}
