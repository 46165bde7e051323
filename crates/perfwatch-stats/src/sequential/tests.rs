use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Run the test round by round on paired differences with mean `mean`
/// and sd `sd`, up to `max` rounds; the decision and the rounds it took.
fn sequential_run(rng: &mut ChaCha8Rng, mean: f64, sd: f64, max: usize) -> (Decision, usize) {
    let test = SafeTTest::default();
    let mut xs = Vec::new();
    for n in 1..=max {
        xs.push(mean + sd * normal(rng));
        let state = test.decide(&xs, 1.02_f64.ln());
        if state.decision.is_decided() {
            return (state.decision, n);
        }
    }
    (Decision::Continue, max)
}

#[test]
fn the_e_value_matches_the_closed_form_for_a_hand_computed_sample() {
    // n = 3, mean 2, sd 1 → t = 2√3; g = 1 → k = 4, ν = 2.
    let test = SafeTTest {
        alpha: 0.05,
        g: 1.0,
    };
    let t2: f64 = 12.0;
    let expected = 4f64.powf(-0.5) * ((1.0 + t2 / 2.0) / (1.0 + t2 / 8.0)).powf(1.5);
    let got = test.e_value(&[1.0, 2.0, 3.0], 0.0);
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
}

#[test]
fn a_single_value_or_none_is_no_evidence() {
    let test = SafeTTest::default();
    assert_eq!(test.e_value(&[], 0.0), 1.0);
    assert_eq!(test.e_value(&[5.0], 0.0), 1.0);
    assert_eq!(
        test.decide(&[f64::NAN, 1.0], 0.1).decision,
        Decision::Continue
    );
    assert!(
        test.interval(&[1.0, 1.1], 0.01).is_none(),
        "unbounded at n = 2"
    );
}

#[test]
fn the_interval_contains_exactly_the_means_the_test_does_not_reject() {
    let test = SafeTTest::default();
    let xs = [0.10, 0.12, 0.08, 0.11, 0.09, 0.13, 0.10, 0.07, 0.12, 0.10];
    let (lo, hi) = test.interval(&xs, 0.05).unwrap();
    assert!(lo < 0.10 && 0.10 < hi);
    for (mu, rejected) in [(lo - 1e-6, true), (lo + 1e-6, false), (hi + 1e-6, true)] {
        assert_eq!(test.e_value(&xs, mu) >= 20.0, rejected, "at {mu}");
    }
}

#[test]
fn a_clear_difference_is_decided_with_its_sign() {
    let test = SafeTTest::default();
    let slower = [0.10, 0.11, 0.09, 0.10, 0.12, 0.10, 0.09, 0.11];
    assert_eq!(
        test.decide(&slower, 0.02).decision,
        Decision::Different { sign: 1 }
    );
    let faster: Vec<f64> = slower.iter().map(|x| -x).collect();
    assert_eq!(
        test.decide(&faster, 0.02).decision,
        Decision::Different { sign: -1 }
    );
}

#[test]
fn a_tight_null_sample_is_declared_equivalent() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let xs: Vec<f64> = (0..40).map(|_| 0.002 * normal(&mut rng)).collect();
    let state = SafeTTest::default().decide(&xs, 0.02);
    assert_eq!(state.decision, Decision::Equivalent, "{state:?}");
}

#[test]
fn looking_after_every_round_keeps_false_alarms_below_alpha() {
    // A/A: 2,000 sequences looked at after each of up to 60 rounds.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let trials = 2000;
    let alarms = (0..trials)
        .filter(|_| {
            matches!(
                sequential_run(&mut rng, 0.0, 0.07, 60).0,
                Decision::Different { .. }
            )
        })
        .count();
    let rate = alarms as f64 / trials as f64;
    assert!(rate <= 0.01, "false-alarm rate {rate}");
}

#[test]
fn a_ten_percent_change_at_five_percent_noise_is_decided_within_fifteen_rounds_typically() {
    // Per-run noise 5 % → paired differences with sd 5 %·√2.
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut rounds: Vec<usize> = (0..400)
        .map(|_| {
            let (d, n) = sequential_run(&mut rng, 1.1_f64.ln(), 0.05 * 2f64.sqrt(), 60);
            assert_ne!(d, Decision::Different { sign: -1 }, "wrong direction");
            n
        })
        .collect();
    rounds.sort_unstable();
    assert!(rounds[200] <= 15, "median {} rounds", rounds[200]);
}

#[test]
fn the_sprt_classifies_samples_near_either_reference() {
    let good = 1.0_f64.ln();
    let bad = 1.1_f64.ln();
    let near_bad = [bad + 0.01, bad - 0.01, bad];
    let s = classify(&near_bad, good, bad, 0.03, 0.001, 0.001);
    assert_eq!(s.classification, Classification::LikeBad, "{s:?}");
    let near_good = [good + 0.01, good - 0.01, good];
    let s = classify(&near_good, good, bad, 0.03, 0.001, 0.001);
    assert_eq!(s.classification, Classification::LikeGood, "{s:?}");
    let between = [0.5 * (good + bad)];
    assert_eq!(
        classify(&between, good, bad, 0.03, 0.001, 0.001).classification,
        Classification::Continue
    );
    assert_eq!(
        classify(&near_bad, good, good, 0.03, 0.001, 0.001).classification,
        Classification::Continue,
        "equal references decide nothing"
    );
}

#[test]
fn the_sprt_errs_rarely_on_noisy_samples() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let (good, bad, sd) = (0.0, 0.05, 0.02);
    let mut wrong = 0;
    for trial in 0..2000 {
        let truth = if trial % 2 == 0 { good } else { bad };
        let mut xs = Vec::new();
        let verdict = loop {
            xs.push(truth + sd * normal(&mut rng));
            let s = classify(&xs, good, bad, sd, 0.001, 0.001);
            if s.classification != Classification::Continue || xs.len() >= 100 {
                break s.classification;
            }
        };
        let expected = if truth == good {
            Classification::LikeGood
        } else {
            Classification::LikeBad
        };
        if verdict != expected {
            wrong += 1;
        }
    }
    assert!(wrong <= 10, "{wrong} wrong of 2000");
}
