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
    check_name(name).map_err(|e| format!("--param `{arg}`: {e}"))?;
    let values = if let Some((lo, rest)) = spec.split_once("..") {
        let (hi, step) = match rest.split_once(':') {
            Some((hi, step)) => (hi, Some(step)),
            None => (rest, None),
        };
        range(lo, hi, step).map_err(|e| format!("--param `{arg}`: {e}"))?
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

/// `-P/--parameter-scan VAR MIN MAX` with `-D/--parameter-step-size STEP`.
pub fn parameter_scan(
    var: &str,
    min: &str,
    max: &str,
    step: Option<&str>,
) -> Result<Param, String> {
    let what = format!("--parameter-scan {var} {min} {max}");
    check_name(var).map_err(|e| format!("{what}: {e}"))?;
    let values = range(min, max, step).map_err(|e| format!("{what}: {e}"))?;
    Ok(Param {
        name: var.to_string(),
        values,
    })
}

/// `-L/--parameter-list VAR a,b,c`.
pub fn parameter_list(var: &str, list: &str) -> Result<Param, String> {
    let what = format!("--parameter-list {var} {list}");
    check_name(var).map_err(|e| format!("{what}: {e}"))?;
    let values: Vec<String> = list.split(',').map(str::to_string).collect();
    if values.iter().any(String::is_empty) {
        return Err(format!("{what}: empty value"));
    }
    Ok(Param {
        name: var.to_string(),
        values,
    })
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("the name must be letters, digits or `_`".into());
    }
    Ok(())
}

/// A decimal number as an integer count of `10^-scale` units.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    units: i128,
    scale: u32,
}

/// Most decimals a scan's numbers may have.
const MAX_DECIMALS: u32 = 9;

fn fixed(text: &str, what: &str) -> Result<Fixed, String> {
    let t = text.trim();
    let bad = || format!("{what} `{text}` is not a number (digits, an optional sign and decimals)");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let scale = u32::try_from(frac.len()).map_err(|_| bad())?;
    if scale > MAX_DECIMALS || int.len() > 18 {
        return Err(format!("{what} `{text}` has too many digits"));
    }
    let units: i128 = format!("{int}{frac}").parse().unwrap_or(0);
    Ok(Fixed {
        units: if neg { -units } else { units },
        scale,
    })
}

fn rescale(x: Fixed, scale: u32) -> i128 {
    x.units * 10i128.pow(scale - x.scale)
}

/// The values `lo`, `lo + step`, … up to `hi` (inclusive), computed
/// exactly in decimal so that `0.1..0.3:0.1` gives `0.1, 0.2, 0.3` and not
/// a float's `0.30000000000000004`. Each value has as many decimals as the
/// most precise of the three numbers.
fn range(lo: &str, hi: &str, step: Option<&str>) -> Result<Vec<String>, String> {
    let (l, h) = (fixed(lo, "start")?, fixed(hi, "end")?);
    let s = match step {
        Some(step) => fixed(step, "step")?,
        None if l.scale == 0 && h.scale == 0 => Fixed { units: 1, scale: 0 },
        None => {
            return Err("decimal bounds need a step (-D/--parameter-step-size, or `:STEP`)".into())
        }
    };
    let scale = l.scale.max(h.scale).max(s.scale);
    let (l, h, s) = (rescale(l, scale), rescale(h, scale), rescale(s, scale));
    if s <= 0 {
        return Err("the step must be positive".into());
    }
    if h < l {
        return Err(format!("the range {lo}..{hi} is empty"));
    }
    let count = (h - l) / s + 1;
    if count > MAX_COMBINATIONS as i128 {
        return Err(format!("{count} values is too many"));
    }
    Ok((0..count).map(|i| decimal(l + i * s, scale)).collect())
}

/// `units × 10^-scale` written with exactly `scale` decimals.
fn decimal(units: i128, scale: u32) -> String {
    if scale == 0 {
        return units.to_string();
    }
    let sign = if units < 0 { "-" } else { "" };
    let digits = format!(
        "{:0>width$}",
        units.unsigned_abs(),
        width = scale as usize + 1
    );
    let (int, frac) = digits.split_at(digits.len() - scale as usize);
    format!("{sign}{int}.{frac}")
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
    fn decimal_scans_step_exactly() {
        assert_eq!(
            parse_param("x=0.1..0.3:0.1").unwrap().values,
            ["0.1", "0.2", "0.3"]
        );
        assert_eq!(
            parameter_scan("t", "0", "1", Some("0.25")).unwrap().values,
            ["0.00", "0.25", "0.50", "0.75", "1.00"]
        );
        assert_eq!(
            parameter_scan("n", "-2", "2", Some("2")).unwrap().values,
            ["-2", "0", "2"]
        );
        assert_eq!(
            parameter_scan("n", "1", "3", None).unwrap().values,
            ["1", "2", "3"]
        );
        assert!(parameter_scan("n", "0.1", "0.3", None)
            .unwrap_err()
            .contains("need a step"));
        assert!(parameter_scan("n", "1", "x", None)
            .unwrap_err()
            .contains("not a number"));
        assert_eq!(
            parameter_list("c", "gzip,zstd").unwrap().values,
            ["gzip", "zstd"]
        );
        assert!(parameter_list("c", "a,,b").is_err());
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
