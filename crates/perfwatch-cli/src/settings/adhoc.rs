//! Ad-hoc commands of `perfwatch run`: command strings (through a shell,
//! or split into argv with `-N`) or one argv after `--`, their names
//! (`-n`), per-command hooks, and the job that runs them as variants.

use super::{default_variant, schedule, Job};
use crate::args::RunArgs;
use crate::exit::usage;
use crate::params::{self, Param};
use perfwatch_model::{CommandSpec, VariantSpec};
use perfwatch_runner::Plan;

/// How command strings run: through a shell (its argv prefix), or split
/// into arguments (`-N`, `--shell none`).
pub(super) fn shell_of(args: &RunArgs) -> anyhow::Result<Option<Vec<String>>> {
    let named = args.shell.as_deref().map(str::trim);
    match (args.no_shell, named) {
        (true, Some(s)) if s != "none" => Err(usage(format!(
            "-N runs commands without a shell; it cannot be combined with --shell `{s}`"
        ))),
        (true, _) | (false, Some("none")) => Ok(None),
        (false, None | Some("default")) => Ok(Some(vec!["sh".to_string()])),
        (false, Some(line)) => match shlex::split(line) {
            Some(argv) if !argv.is_empty() => Ok(Some(argv)),
            _ => Err(usage(format!(
                "--shell `{line}`: expected a shell's name, path or command line (`bash --norc`)"
            ))),
        },
    }
}

/// One command string as the runner's command.
pub(super) fn command_from_string(
    text: &str,
    shell: Option<&[String]>,
) -> anyhow::Result<CommandSpec> {
    if text.trim().is_empty() {
        return Err(usage("a command is empty"));
    }
    Ok(match shell {
        Some(_) => CommandSpec {
            argv: vec![text.to_string()],
            shell: true,
        },
        None => CommandSpec {
            argv: shlex::split(text)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    usage(format!(
                        "-N: cannot split `{text}` into arguments (unbalanced quotes?)"
                    ))
                })?,
            shell: false,
        },
    })
}

/// The names of the ad-hoc commands: `-n`, else the command line.
fn command_names(args: &RunArgs, commands: &[CommandSpec]) -> anyhow::Result<Vec<String>> {
    if let Some(n) = args
        .command_names
        .iter()
        .find(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(usage(format!(
            "-n names a command (as in hyperfine); for {n} runs use -r {n} (--runs {n})"
        )));
    }
    if args.command_names.len() > commands.len() {
        return Err(usage(format!(
            "{} command names (-n) for {} command(s)",
            args.command_names.len(),
            commands.len()
        )));
    }
    let names: Vec<String> = commands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            args.command_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| c.display())
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(usage(format!(
            "two commands are named `{dup}`: name them apart with -n"
        )));
    }
    Ok(names)
}

/// Hooks given once per command, spread over the variants: variant `v`
/// (after a scan's expansion, `per_command` variants each) gets the hook
/// of its command.
fn per_command_hooks(
    flag: &str,
    given: &[String],
    commands: usize,
    per_command: usize,
) -> anyhow::Result<Vec<Option<String>>> {
    match given.len() {
        0 | 1 => Ok(Vec::new()),
        n if n == commands => Ok(given
            .iter()
            .flat_map(|h| std::iter::repeat_n(Some(h.clone()), per_command))
            .collect()),
        n => Err(usage(format!(
            "{flag} is given {n} times for {commands} command(s): give it once for all, or once per command"
        ))),
    }
}

/// The job of ad-hoc commands: one command (variant `default`), or several
/// compared with the first (one variant each), each run through the shell
/// unless `-N`.
pub(super) fn adhoc_job(
    args: &RunArgs,
    commands: Vec<CommandSpec>,
    params: &[Param],
) -> anyhow::Result<Job> {
    if !args.variants.is_empty() {
        return Err(usage("--variant selects variants of configured benchmarks; for ad-hoc commands, give several commands or scan a parameter"));
    }
    let names = command_names(args, &commands)?;
    let variants: Vec<VariantSpec> = if commands.len() == 1 {
        vec![default_variant()]
    } else {
        commands
            .iter()
            .zip(&names)
            .map(|(c, name)| VariantSpec {
                name: name.clone(),
                command: Some(c.clone()),
                ..VariantSpec::default()
            })
            .collect()
    };
    let mut plan = Plan::new(commands[0].clone());
    plan.variants = params::expand(&plan.command, &variants, params).map_err(usage)?;
    schedule(&args.schedule, None, &mut plan)?;
    let per_command = plan.variants.len() / commands.len();
    plan.hooks.variant_prepare = per_command_hooks(
        "--prepare",
        &args.schedule.prepare,
        commands.len(),
        per_command,
    )?;
    plan.hooks.variant_conclude = per_command_hooks(
        "--conclude",
        &args.schedule.conclude,
        commands.len(),
        per_command,
    )?;
    let benchmark = match (&args.name, names.as_slice()) {
        (Some(name), _) => name.clone(),
        (None, [one]) => one.clone(),
        (None, several) => several.join(" vs "),
    };
    Ok(Job {
        benchmark,
        plan,
        adaptive: None,
    })
}

/// `run -- 'sleep 0.1'`: one argument with spaces that is no file is a
/// command line meant for the shell.
pub(super) fn check_argv(argv: &[String]) -> anyhow::Result<()> {
    if let [only] = argv {
        if only.trim().contains(char::is_whitespace) && !std::path::Path::new(only).exists() {
            return Err(usage(format!(
                "`{only}` after `--` is one argument, run without a shell, and no program has that name; to run it through the shell, drop the `--`: perfwatch run '{only}'"
            )));
        }
    }
    Ok(())
}
