//! The command line and environment of one iteration.

use crate::plan::Plan;
use crate::resolve::Resolved;
use perfwatch_model::span_file::{ENV_ITERATION, ENV_VARIANT};
use perfwatch_model::VariantSpec;
use std::path::PathBuf;

/// What to execute for one variant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommandLine {
    pub program: PathBuf,
    pub arg0: String,
    pub args: Vec<String>,
}

/// The command line of variant `v`: the plan's argv plus the variant's
/// arguments, or the plan's shell `-c` with the variant's arguments quoted
/// onto the shell string.
pub(crate) fn command_line(plan: &Plan, resolved: &Resolved, v: usize) -> Option<CommandLine> {
    let variant = plan.variants.get(v)?;
    let command = plan.command_for(v);
    let argv = &command.argv;
    if command.shell {
        let mut script = argv.join(" ");
        for arg in &variant.args {
            script.push(' ');
            script.push_str(&shell_quote(arg));
        }
        return shell_line(plan, resolved, script);
    }
    Some(CommandLine {
        program: resolved.programs.get(v)?.clone()?,
        arg0: argv.first()?.clone(),
        args: argv[1..].iter().chain(&variant.args).cloned().collect(),
    })
}

/// `SHELL… -c script` with the plan's shell.
pub(crate) fn shell_line(plan: &Plan, resolved: &Resolved, script: String) -> Option<CommandLine> {
    let (arg0, options) = plan.shell.split_first()?;
    Some(CommandLine {
        program: resolved.command_shell.clone()?,
        arg0: arg0.clone(),
        args: options
            .iter()
            .cloned()
            .chain(["-c".into(), script])
            .collect(),
    })
}

/// Environment added for hooks and iterations: the plan's, then the
/// variant's (which wins), then, for iteration `index`, `PERFWATCH_ITERATION`
/// and `PERFWATCH_VARIANT`.
pub(crate) fn environment(
    plan: &Plan,
    variant: Option<&VariantSpec>,
    index: Option<u32>,
) -> Vec<(String, String)> {
    let mut env = plan.extra_env.clone();
    if let Some(v) = variant {
        env.extend(v.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        env.push((ENV_VARIANT.into(), v.name.clone()));
    }
    if let Some(i) = index {
        env.push((ENV_ITERATION.into(), i.to_string()));
    }
    env
}

/// Quote `arg` for `sh` when it needs it.
pub(crate) fn shell_quote(arg: &str) -> String {
    let safe = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::CommandSpec;

    fn plan(argv: &[&str], shell: bool) -> Plan {
        let mut p = Plan::new(CommandSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            shell,
        });
        p.variants[0].args = vec!["--fast".into(), "it's here".into()];
        p.variants[0].env.insert("MODE".into(), "variant".into());
        p.extra_env = vec![("MODE".into(), "plan".into()), ("X".into(), "1".into())];
        p
    }

    #[test]
    fn direct_commands_append_variant_args() {
        let p = plan(&["prog", "-v"], false);
        let r = Resolved {
            programs: vec![Some("/bin/prog".into())],
            shell: None,
            command_shell: None,
        };
        let c = command_line(&p, &r, 0).unwrap();
        assert_eq!(c.program, PathBuf::from("/bin/prog"));
        assert_eq!(c.arg0, "prog");
        assert_eq!(c.args, vec!["-v", "--fast", "it's here"]);
    }

    #[test]
    fn shell_commands_quote_variant_args() {
        let p = plan(&["echo hi | wc"], true);
        let r = Resolved {
            programs: vec![None],
            shell: None,
            command_shell: Some("/bin/sh".into()),
        };
        let c = command_line(&p, &r, 0).unwrap();
        assert_eq!(c.arg0, "sh");
        assert_eq!(c.args, vec!["-c", r"echo hi | wc --fast 'it'\''s here'"]);
    }

    #[test]
    fn shell_commands_run_with_the_plans_shell_and_its_options() {
        let mut p = plan(&["echo hi"], true);
        p.variants[0].args.clear();
        p.shell = vec!["bash".into(), "--norc".into()];
        let r = Resolved {
            programs: vec![None],
            shell: Some("/bin/sh".into()),
            command_shell: Some("/bin/bash".into()),
        };
        let c = command_line(&p, &r, 0).unwrap();
        assert_eq!(c.program, PathBuf::from("/bin/bash"));
        assert_eq!(c.arg0, "bash");
        assert_eq!(c.args, vec!["--norc", "-c", "echo hi"]);
    }

    #[test]
    fn variant_env_wins_and_perfwatch_vars_come_last() {
        let p = plan(&["x"], false);
        let env = environment(&p, Some(&p.variants[0]), Some(7));
        let last = |k: &str| {
            env.iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(last("MODE"), Some("variant"));
        assert_eq!(last("X"), Some("1"));
        assert_eq!(last("PERFWATCH_VARIANT"), Some("default"));
        assert_eq!(last("PERFWATCH_ITERATION"), Some("7"));
        assert!(environment(&p, None, None)
            .iter()
            .all(|(k, _)| !k.starts_with("PERFWATCH_")));
    }

    #[test]
    fn quoting() {
        for (arg, want) in [("a-b", "a-b"), ("", "''"), ("a b", "'a b'"), ("$x", "'$x'")] {
            assert_eq!(shell_quote(arg), want);
        }
    }
}
