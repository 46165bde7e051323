//! Checks a plan before anything runs: the program exists and is
//! executable, the numbers make sense. Bad input fails here, before a
//! session is created or a hook runs.

use crate::error::RunError;
use crate::plan::Plan;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where `execvp` looks when `PATH` is unset.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// What the checks resolved, used to spawn.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The program of each variant (absolute), `None` for shell commands.
    pub programs: Vec<Option<PathBuf>>,
    /// `sh`, when a hook needs it.
    pub shell: Option<PathBuf>,
    /// The plan's shell program (`plan.shell[0]`), when a command needs it.
    pub command_shell: Option<PathBuf>,
}

/// Validate `plan` without running anything: the command is not empty, its
/// program is found in `PATH` (each variant's, since a variant may set
/// `PATH`) and is executable, `sh` exists when needed, and the run counts,
/// durations, variant names and working directory are usable.
pub fn check(plan: &Plan) -> Result<(), RunError> {
    resolve(plan).map(|_| ())
}

pub(crate) fn resolve(plan: &Plan) -> Result<Resolved, RunError> {
    check_numbers(plan)?;
    check_names(plan)?;
    let cwd = match &plan.cwd {
        Some(dir) if !dir.is_dir() => {
            return Err(RunError::InvalidPlan(format!(
                "working directory `{}` is not a directory",
                dir.display()
            )))
        }
        Some(dir) => std::path::absolute(dir)
            .map_err(|e| RunError::io(format!("resolve `{}`", dir.display()), e))?,
        None => {
            std::env::current_dir().map_err(|e| RunError::io("read the current directory", e))?
        }
    };
    for v in 0..plan.variants.len().max(1) {
        plan.command_for(v)
            .argv
            .first()
            .filter(|p| !p.trim().is_empty())
            .ok_or(RunError::EmptyCommand)?;
    }

    let hooks = &plan.hooks;
    let hooks_need_shell = [
        &hooks.setup,
        &hooks.prepare,
        &hooks.conclude,
        &hooks.cleanup,
    ]
    .iter()
    .any(|h| h.is_some())
        || hooks
            .variant_prepare
            .iter()
            .chain(&hooks.variant_conclude)
            .any(Option::is_some);
    let base_path = env_path(&plan.extra_env);
    let shell = if hooks_need_shell {
        Some(find_program("sh", &base_path, &cwd)?)
    } else {
        None
    };
    let command_shell = if plan.uses_shell() {
        let program = plan
            .shell
            .first()
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| RunError::InvalidPlan("the shell is empty".into()))?;
        Some(find_program(program, &base_path, &cwd)?)
    } else {
        None
    };
    let mut programs = Vec::with_capacity(plan.variants.len());
    for (v, variant) in plan.variants.iter().enumerate() {
        let command = plan.command_for(v);
        let variant_cwd = match plan.variant_cwd.get(v) {
            Some(Some(dir)) if !dir.is_dir() => {
                return Err(RunError::InvalidPlan(format!(
                    "working directory `{}` of variant `{}` is not a directory",
                    dir.display(),
                    variant.name
                )))
            }
            Some(Some(dir)) => std::path::absolute(dir)
                .map_err(|e| RunError::io(format!("resolve `{}`", dir.display()), e))?,
            _ => cwd.clone(),
        };
        if command.shell {
            programs.push(None);
            continue;
        }
        let program = &command.argv[0];
        let path = variant
            .env
            .get("PATH")
            .map(OsString::from)
            .unwrap_or_else(|| base_path.clone());
        programs.push(Some(find_program(program, &path, &variant_cwd)?));
    }
    Ok(Resolved {
        programs,
        shell,
        command_shell,
    })
}

fn check_numbers(plan: &Plan) -> Result<(), RunError> {
    let runs = &plan.runs;
    let problem = if runs.exact == Some(0) || runs.max_runs == Some(0) {
        Some("the number of runs must be at least 1".to_string())
    } else if let Some(max) = runs.max_runs.filter(|&m| m < runs.min_runs) {
        Some(format!(
            "the minimum number of runs ({}) is larger than the maximum ({max})",
            runs.min_runs
        ))
    } else if plan.timeout.is_some_and(|t| t.is_zero()) {
        Some("the timeout must be longer than zero".to_string())
    } else if let Some(t) = plan.timeout.filter(|&t| t > Plan::MAX_TIMEOUT) {
        Some(format!(
            "the timeout ({} s) must be at most {} s (a year)",
            t.as_secs_f64(),
            Plan::MAX_TIMEOUT.as_secs()
        ))
    } else if plan.sample_interval.is_some_and(|t| t.is_zero()) {
        Some("the sample interval must be longer than zero".to_string())
    } else {
        None
    };
    problem.map_or(Ok(()), |p| Err(RunError::InvalidPlan(p)))
}

fn check_names(plan: &Plan) -> Result<(), RunError> {
    if plan.variants.is_empty() {
        return Err(RunError::InvalidPlan(
            "no variants: give at least one".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    for v in &plan.variants {
        if v.name.is_empty() {
            return Err(RunError::InvalidPlan("a variant has an empty name".into()));
        }
        if !seen.insert(v.name.as_str()) {
            return Err(RunError::InvalidPlan(format!(
                "variant `{}` is given twice",
                v.name
            )));
        }
        for key in v.env.keys() {
            check_env_name(key)?;
        }
    }
    for (key, _) in &plan.extra_env {
        check_env_name(key)?;
    }
    Ok(())
}

fn check_env_name(key: &str) -> Result<(), RunError> {
    if key.is_empty() || key.contains(['=', '\0']) {
        return Err(RunError::InvalidPlan(format!(
            "`{key}` is not a valid environment variable name"
        )));
    }
    Ok(())
}

/// `PATH` as the child will see it: the plan's override or ours.
fn env_path(extra_env: &[(String, String)]) -> OsString {
    extra_env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| OsString::from(v))
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_else(|| DEFAULT_PATH.into())
}

/// Find `program` like `execvp`: a name with a slash is a path (relative to
/// `cwd`); otherwise the first executable file of that name in `path`.
/// Whether `program` names an executable the runner would find from our
/// current directory and `PATH`, as it resolves a command's program.
pub fn is_program(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    find_program(program, &path, &cwd).is_ok()
}

pub(crate) fn find_program(
    program: &str,
    path: &OsString,
    cwd: &Path,
) -> Result<PathBuf, RunError> {
    if program.contains('/') {
        let candidate = cwd.join(program);
        return match executable(&candidate) {
            Some(true) => Ok(candidate),
            Some(false) => Err(RunError::NotExecutable(candidate)),
            None => Err(RunError::CommandNotFound(program.to_string())),
        };
    }
    let mut not_executable = None;
    for dir in std::env::split_paths(path) {
        // An empty entry means the current directory.
        let candidate = cwd.join(dir).join(program);
        match executable(&candidate) {
            Some(true) => return Ok(candidate),
            Some(false) if not_executable.is_none() => not_executable = Some(candidate),
            _ => {}
        }
    }
    Err(match not_executable {
        Some(p) => RunError::NotExecutable(p),
        None => RunError::CommandNotFound(program.to_string()),
    })
}

/// `None`: nothing there; `Some(false)`: there but not an executable file.
fn executable(path: &Path) -> Option<bool> {
    let meta = std::fs::metadata(path).ok()?;
    Some(meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::RunCount;
    use perfwatch_model::{CommandSpec, VariantSpec};
    use std::time::Duration;

    fn plan(argv: &[&str]) -> Plan {
        Plan::new(CommandSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            shell: false,
        })
    }

    #[test]
    fn finds_programs_in_path_and_by_path() {
        let r = resolve(&plan(&["sh", "-c", "true"])).unwrap();
        assert!(r.programs[0].as_ref().unwrap().ends_with("sh"));
        assert!(resolve(&plan(&["/bin/sh"])).is_ok());
    }

    #[test]
    fn rejects_bad_programs_before_running() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let script = script.to_str().unwrap();
        let dir_str = dir.path().to_str().unwrap();
        let cases: Vec<(Plan, &str)> = vec![
            (plan(&[]), "empty command"),
            (plan(&[""]), "empty command"),
            (plan(&["no-such-program-perfwatch"]), "not found"),
            (plan(&["./no-such-file"]), "not found"),
            (plan(&[script]), "not an executable file"),
            (plan(&[dir_str]), "not an executable file"),
        ];
        for (p, want) in cases {
            let err = check(&p).unwrap_err();
            assert!(err.to_string().contains(want), "{err} should say {want}");
            assert_eq!(err.exit_code(), perfwatch_model::exit_codes::USAGE);
        }
    }

    #[test]
    fn a_variant_path_is_used_for_lookup() {
        let mut p = plan(&["sh"]);
        p.variants[0]
            .env
            .insert("PATH".into(), "/nonexistent".into());
        assert!(matches!(check(&p), Err(RunError::CommandNotFound(_))));
    }

    #[test]
    fn rejects_unusable_plans() {
        let mut cases: Vec<(Plan, &str)> = Vec::new();
        let mut p = plan(&["sh"]);
        p.runs = RunCount::exact(0);
        cases.push((p, "at least 1"));
        let mut p = plan(&["sh"]);
        p.runs.max_runs = Some(3);
        cases.push((p, "larger than the maximum"));
        let mut p = plan(&["sh"]);
        p.timeout = Some(Duration::ZERO);
        cases.push((p, "timeout"));
        let mut p = plan(&["sh"]);
        p.timeout = Some(Duration::MAX);
        cases.push((p, "a year"));
        let mut p = plan(&["sh"]);
        p.sample_interval = Some(Duration::ZERO);
        cases.push((p, "sample interval"));
        let mut p = plan(&["sh"]);
        p.variants.clear();
        cases.push((p, "no variants"));
        let mut p = plan(&["sh"]);
        p.variants.push(p.variants[0].clone());
        cases.push((p, "given twice"));
        let mut p = plan(&["sh"]);
        p.variants.push(VariantSpec::default());
        cases.push((p, "empty name"));
        let mut p = plan(&["sh"]);
        p.extra_env.push(("A=B".into(), "x".into()));
        cases.push((p, "environment variable name"));
        let mut p = plan(&["sh"]);
        p.cwd = Some("/nonexistent/dir".into());
        cases.push((p, "not a directory"));
        for (p, want) in cases {
            let err = check(&p).unwrap_err();
            assert!(err.to_string().contains(want), "{err} should say {want}");
        }
    }
}
