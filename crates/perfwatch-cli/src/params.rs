//! Parameter scans: `--param NAME=v1,v2,…` and `--param NAME=lo..hi[:step]`.
//!
//! Several `--param`s form their cartesian product; each combination becomes
//! a variant whose name lists the values (`threads=4,size=10`), and `{NAME}`
//! is replaced in the command, the variant's args and its env values.

use perfwatch_model::{CommandSpec, VariantSpec};

/// One parameter and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Name used as `{NAME}`.
    pub name: String,
    /// Values in scan order.
    pub values: Vec<String>,
}

/// Most combinations a scan may produce, to catch typos like `1..1000000`.
pub const MAX_COMBINATIONS: usize = 10_000;

/// Parse one `NAME=VALUES` argument.
pub fn parse_param(arg: &str) -> Result<Param, String> {
    let (name, spec) = arg
        .split_once('=')
        .ok_or_else(|| format!("--param `{arg}`: expected NAME=v1,v2,… or NAME=lo..hi[:step]"))?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "--param `{arg}`: the name must be letters, digits or `_`"
        ));
    }
    let values = if let Some((lo, rest)) = spec.split_once("..") {
        let (hi, step) = match rest.split_once(':') {
            Some((hi, step)) => (hi, step),
            None => (rest, "1"),
        };
        let num = |s: &str, what: &str| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("--param `{arg}`: {what} `{s}` is not an integer"))
        };
        let (lo, hi, step) = (num(lo, "start")?, num(hi, "end")?, num(step, "step")?);
        if step <= 0 {
            return Err(format!("--param `{arg}`: the step must be positive"));
        }
        if hi < lo {
            return Err(format!("--param `{arg}`: the range {lo}..{hi} is empty"));
        }
        let count = ((hi - lo) / step + 1) as usize;
        if count > MAX_COMBINATIONS {
            return Err(format!("--param `{arg}`: {count} values is too many"));
        }
        (0..count as i64)
            .map(|i| (lo + i * step).to_string())
            .collect()
    } else {
        spec.split(',')
            .map(|v| v.trim().to_string())
            .collect::<Vec<_>>()
    };
    if values.iter().any(String::is_empty) {
        return Err(format!("--param `{arg}`: empty value"));
    }
    Ok(Param {
        name: name.to_string(),
        values,
    })
}

/// The cartesian product of the parameters' values, first parameter slowest.
pub fn combinations(params: &[Param]) -> Result<Vec<Vec<(String, String)>>, String> {
    let total = params
        .iter()
        .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
        .filter(|&n| n <= MAX_COMBINATIONS)
        .ok_or_else(|| {
            format!("the parameter scan has more than {MAX_COMBINATIONS} combinations")
        })?;
    let mut out = Vec::with_capacity(total);
    for mut i in 0..total {
        let mut combo = Vec::with_capacity(params.len());
        for p in params.iter().rev() {
            combo.push((p.name.clone(), p.values[i % p.values.len()].clone()));
            i /= p.values.len();
        }
        combo.reverse();
        out.push(combo);
    }
    Ok(out)
}

/// Replace every `{NAME}` of the combination in `s`.
pub fn substitute(s: &str, combo: &[(String, String)]) -> String {
    combo.iter().fold(s.to_string(), |acc, (name, value)| {
        acc.replace(&format!("{{{name}}}"), value)
    })
}

/// Expand `variants` by the scan: every variant × every combination, with
/// `{NAME}` substituted in args, env values and — as the variant's own
/// command when it changes — the command. Without parameters, the variants
/// come back unchanged.
pub fn expand(
    command: &CommandSpec,
    variants: &[VariantSpec],
    params: &[Param],
) -> Result<Vec<VariantSpec>, String> {
    if params.is_empty() {
        return Ok(variants.to_vec());
    }
    let combos = combinations(params)?;
    let mut out = Vec::new();
    for v in variants {
        for combo in &combos {
            let label = combo
                .iter()
                .map(|(n, x)| format!("{n}={x}"))
                .collect::<Vec<_>>()
                .join(",");
            let name = if v.name == "default" || variants.len() == 1 && v.name.is_empty() {
                label
            } else {
                format!("{}[{label}]", v.name)
            };
            let mut env = v.env.clone();
            for val in env.values_mut() {
                *val = substitute(val, combo);
            }
            // The values also reach the program as PERFWATCH_PARAM_<NAME>.
            for (n, x) in combo {
                env.insert(format!("PERFWATCH_PARAM_{}", n.to_uppercase()), x.clone());
            }
            let own = substitute_command(v.command.as_ref().unwrap_or(command), combo);
            out.push(VariantSpec {
                name,
                description: v.description.clone(),
                env,
                args: v.args.iter().map(|a| substitute(a, combo)).collect(),
                command: (own != *command).then_some(own),
                parameters: combo.clone(),
                cpu_means: None,
            });
        }
    }
    Ok(out)
}

/// The command with a combination substituted.
fn substitute_command(cmd: &CommandSpec, combo: &[(String, String)]) -> CommandSpec {
    CommandSpec {
        argv: cmd.argv.iter().map(|a| substitute(a, combo)).collect(),
        shell: cmd.shell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_ranges() {
        let cases: &[(&str, &[&str])] = &[
            ("t=1,2,4", &["1", "2", "4"]),
            ("size=1..3", &["1", "2", "3"]),
            ("size=0..10:5", &["0", "5", "10"]),
            ("mode=fast", &["fast"]),
        ];
        for (arg, want) in cases {
            assert_eq!(parse_param(arg).unwrap().values, *want, "{arg}");
        }
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "t",
            "=1",
            "t=1..x",
            "t=5..1",
            "t=1..5:0",
            "t=1,,2",
            "t-x=1",
            "t=0..100000000",
        ] {
            assert!(parse_param(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cartesian_product_first_parameter_slowest() {
        let p = [
            parse_param("a=1,2").unwrap(),
            parse_param("b=x,y,z").unwrap(),
        ];
        let c = combinations(&p).unwrap();
        assert_eq!(c.len(), 6);
        assert_eq!(
            c[0],
            vec![("a".into(), "1".into()), ("b".into(), "x".into())]
        );
        assert_eq!(
            c[5],
            vec![("a".into(), "2".into()), ("b".into(), "z".into())]
        );
    }

    #[test]
    fn expand_substitutes_args_env_and_names_variants() {
        let base = VariantSpec {
            name: "default".into(),
            args: vec!["--threads={t}".into()],
            env: [("N".to_string(), "{t}x".to_string())].into(),
            ..Default::default()
        };
        let params = [parse_param("t=2,4").unwrap()];
        let plain = CommandSpec {
            argv: vec!["run".into()],
            shell: false,
        };
        let v = expand(&plain, std::slice::from_ref(&base), &params).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].name, "t=4");
        assert_eq!(v[1].args, ["--threads=4"]);
        assert_eq!(v[1].env["N"], "4x");
        assert_eq!(v[1].env["PERFWATCH_PARAM_T"], "4");
        assert_eq!(
            v[1].command, None,
            "a command without placeholders is shared"
        );
        let templated = CommandSpec {
            argv: vec!["run".into(), "-j{t}".into()],
            shell: false,
        };
        let v = expand(&templated, &[base], &params).unwrap();
        assert_eq!(v[0].command.as_ref().unwrap().argv, ["run", "-j2"]);
        assert_eq!(v[1].command.as_ref().unwrap().argv, ["run", "-j4"]);
    }
}
