//! A [`LoadSpec`] checked once and compiled: every later step trusts it.

use std::time::Duration;

use crate::mix::Mix;
use crate::target::Target;
use crate::{LoadError, LoadSpec, Model};

/// A validated spec.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) target: Target,
    pub(crate) mix: Mix,
    /// Open: a finite positive rate and at least one connection; closed:
    /// at least one worker.
    pub(crate) model: Model,
    pub(crate) warmup: Duration,
    pub(crate) duration: Duration,
    pub(crate) timeout: Duration,
    pub(crate) seed: u64,
}

impl Plan {
    pub(crate) fn compile(spec: &LoadSpec) -> Result<Plan, LoadError> {
        let refuse = |reason: &str| Err(LoadError::Spec(reason.to_owned()));
        match spec.model {
            Model::Open { rate, .. } if !(rate.is_finite() && rate > 0.0) => {
                return refuse(&format!(
                    "the open model's rate must be a positive number of requests per second, not {rate}"
                ))
            }
            Model::Open { connections: 0, .. } => {
                return refuse("the open model needs at least one connection")
            }
            Model::Closed { concurrency: 0 } => {
                return refuse("the closed model needs a concurrency of at least 1")
            }
            _ => {}
        }
        if spec.duration.is_zero() {
            return refuse("the duration must be longer than zero");
        }
        if spec.timeout.is_zero() {
            return refuse("the request timeout must be longer than zero");
        }
        let target = Target::parse(&spec.target)?;
        let mix = Mix::compile(&spec.requests, &target)?;
        Ok(Plan {
            target,
            mix,
            model: spec.model,
            warmup: spec.warmup,
            duration: spec.duration,
            timeout: spec.timeout,
            seed: spec.seed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change to a valid spec, and a word its refusal must contain.
    type Case = (fn(&mut LoadSpec), &'static str);

    #[test]
    fn inconsistent_specs_are_refused_before_any_request() {
        let ok = LoadSpec::new("http://127.0.0.1:1", Model::open(10.0));
        assert!(Plan::compile(&ok).is_ok());
        let cases: [Case; 6] = [
            (|s| s.model = Model::open(0.0), "rate"),
            (|s| s.model = Model::open(f64::NAN), "rate"),
            (
                |s| {
                    s.model = Model::Open {
                        rate: 1.0,
                        connections: 0,
                    }
                },
                "connection",
            ),
            (|s| s.model = Model::closed(0), "concurrency"),
            (|s| s.duration = Duration::ZERO, "duration"),
            (|s| s.target = "ftp://x".into(), "scheme"),
        ];
        for (mutate, needle) in cases {
            let mut spec = ok.clone();
            mutate(&mut spec);
            let err = Plan::compile(&spec).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
