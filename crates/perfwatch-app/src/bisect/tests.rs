use super::*;
use perfwatch_model::investigation::{BisectOutcome, Commit, StepVerdict};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// Commits whose metric is `base`, times `1 + effect` from `first_bad`
/// on, with multiplicative log-normal noise; `broken` ones fail to build.
struct Planted {
    rng: ChaCha8Rng,
    base: f64,
    effect: f64,
    first_bad: usize,
    noise: f64,
    broken: BTreeSet<usize>,
    runs: u32,
}

impl Planted {
    fn draw(&mut self, position: usize) -> f64 {
        let u1: f64 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
        let u2: f64 = self.rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let level = if position >= self.first_bad {
            1.0 + self.effect
        } else {
            1.0
        };
        self.base * level * (self.noise * z).exp()
    }
}

impl Prober for Planted {
    fn run(
        &mut self,
        positions: &[usize],
        more: &mut dyn FnMut(&[Option<f64>]) -> bool,
        max_rounds: u32,
    ) -> Result<Probe, ProbeError> {
        if let Some(p) = positions.iter().find(|p| self.broken.contains(p)) {
            return Err(ProbeError::Skip(format!("commit {p} does not build")));
        }
        let mut values = vec![Vec::new(); positions.len()];
        for _ in 0..max_rounds {
            let round: Vec<Option<f64>> = positions.iter().map(|&p| Some(self.draw(p))).collect();
            self.runs += positions.len() as u32;
            for (v, r) in values.iter_mut().zip(&round) {
                v.extend(*r);
            }
            if !more(&round) {
                break;
            }
        }
        Ok(Probe {
            values,
            session_id: None,
        })
    }
}

fn commits(n: usize) -> Vec<Commit> {
    (0..n)
        .map(|i| Commit {
            id: format!("{i:040x}"),
            subject: format!("change {i}"),
        })
        .collect()
}

fn planted(seed: u64, effect: f64, first_bad: usize) -> Planted {
    Planted {
        rng: ChaCha8Rng::seed_from_u64(seed),
        base: 0.2,
        effect,
        first_bad,
        noise: 0.02,
        broken: BTreeSet::new(),
        runs: 0,
    }
}

#[test]
fn seeded_trials_name_the_planted_commit_and_never_a_wrong_one() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let trials = 200;
    let (mut right, mut wrong) = (0, 0);
    let mut runs = Vec::new();
    for seed in 0..trials {
        let n = rng.random_range(16..=64);
        let first_bad = rng.random_range(1..n);
        let effect = rng.random_range(0.05..=0.20);
        let mut prober = planted(seed, effect, first_bad);
        let report = bisect("b", commits(n), &mut prober, &BisectOptions::default()).unwrap();
        runs.push(prober.runs);
        match (report.outcome, &report.first_bad) {
            (BisectOutcome::FirstBad, Some(c)) if *c == commits(n)[first_bad] => right += 1,
            (BisectOutcome::FirstBad, _) => wrong += 1,
            _ => {}
        }
    }
    assert_eq!(wrong, 0, "a wrong commit named with confidence");
    assert!(right * 100 >= trials * 95, "{right} of {trials} named");
    runs.sort_unstable();
    let (median, p90) = (runs[runs.len() / 2], runs[runs.len() * 9 / 10]);
    eprintln!(
        "bisection, {trials} seeded trials (16–64 commits, +5–20 %, 2 % noise): \
         first bad commit named {right}, wrong {wrong}, runs median {median}, p90 {p90}"
    );
    assert!(median < 400, "median runs {median}");
}

#[test]
fn a_flat_range_ends_with_no_difference_between_the_endpoints() {
    let mut prober = planted(5, 0.0, usize::MAX);
    let report = bisect("b", commits(20), &mut prober, &BisectOptions::default()).unwrap();
    assert_eq!(report.outcome, BisectOutcome::NoDifference);
    assert!(report.steps.is_empty());
    assert!(report.first_bad.is_none());
}

#[test]
fn commits_that_fail_to_build_are_skipped_and_the_search_goes_around_them() {
    let mut prober = planted(9, 0.15, 11);
    prober.broken = [5, 6, 12, 16].into_iter().collect();
    let report = bisect("b", commits(24), &mut prober, &BisectOptions::default()).unwrap();
    assert_eq!(report.outcome, BisectOutcome::FirstBad, "{report:#?}");
    assert_eq!(report.first_bad.as_ref().unwrap().subject, "change 11");
    assert!(report
        .steps
        .iter()
        .any(|s| s.verdict == StepVerdict::Skipped && s.reason.is_some()));
    let effect = report.effect.unwrap();
    assert!(
        effect.ci_low <= 1.15 && 1.15 <= effect.ci_high,
        "{effect:?}"
    );
}

#[test]
fn a_skipped_commit_next_to_the_change_makes_the_answer_a_list_of_suspects() {
    let mut prober = planted(3, 0.15, 11);
    prober.broken = [10].into_iter().collect();
    let report = bisect("b", commits(16), &mut prober, &BisectOptions::default()).unwrap();
    assert_eq!(report.outcome, BisectOutcome::Ambiguous, "{report:#?}");
    let suspects: Vec<&str> = report.suspects.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(suspects, ["change 10", "change 11"]);
    assert!(report.first_bad.is_none());
}

#[test]
fn a_commit_halfway_between_the_endpoints_is_ambiguous_not_guessed() {
    // Commit 4 sits exactly halfway (on the log scale) between quiet
    // endpoints: every round's contrast is 0 and the SPRT cannot call it
    // either way, so the step's budget runs out.
    struct Halfway(Planted);
    impl Prober for Halfway {
        fn run(
            &mut self,
            positions: &[usize],
            more: &mut dyn FnMut(&[Option<f64>]) -> bool,
            max_rounds: u32,
        ) -> Result<Probe, ProbeError> {
            if positions[0] == 4 {
                let level = |p: usize| match p {
                    4 => 0.2 * 1.1f64.sqrt(),
                    p if p >= 5 => 0.22,
                    _ => 0.2,
                };
                let mut values = vec![Vec::new(); positions.len()];
                for _ in 0..max_rounds {
                    let round: Vec<Option<f64>> =
                        positions.iter().map(|&p| Some(level(p))).collect();
                    for (v, r) in values.iter_mut().zip(&round) {
                        v.extend(*r);
                    }
                    if !more(&round) {
                        break;
                    }
                }
                return Ok(Probe {
                    values,
                    session_id: None,
                });
            }
            self.0.run(positions, more, max_rounds)
        }
    }
    let mut prober = Halfway(planted(4, 0.10, 5));
    let report = bisect("b", commits(9), &mut prober, &BisectOptions::default()).unwrap();
    let step = report.steps.iter().find(|s| s.position == 4).unwrap();
    assert_eq!(step.verdict, StepVerdict::Ambiguous);
    assert_eq!(Some(step.runs), report.step_budget);
    assert_ne!(report.outcome, BisectOutcome::FirstBad);
}

#[test]
fn an_interrupt_returns_the_steps_so_far() {
    struct Stops(Planted, u32);
    impl Prober for Stops {
        fn run(
            &mut self,
            positions: &[usize],
            more: &mut dyn FnMut(&[Option<f64>]) -> bool,
            max_rounds: u32,
        ) -> Result<Probe, ProbeError> {
            self.1 += 1;
            if self.1 == 3 {
                return Err(ProbeError::Interrupted);
            }
            self.0.run(positions, more, max_rounds)
        }
    }
    let mut prober = Stops(planted(2, 0.2, 20), 0);
    let report = bisect("b", commits(32), &mut prober, &BisectOptions::default()).unwrap();
    assert_eq!(report.outcome, BisectOutcome::Interrupted);
    assert_eq!(report.steps.len(), 1);
}

#[test]
fn fewer_than_two_commits_is_refused() {
    let mut prober = planted(1, 0.1, 1);
    assert!(bisect("b", commits(1), &mut prober, &BisectOptions::default()).is_err());
}
