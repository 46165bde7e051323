//! Generate synthetic histories and detect their change points from the
//! command line; `scripts/changepoint-vs-otava` drives it.
//!
//! ```text
//! changepoints gen [--len N] [--steps K] [--step-min F] [--step-max F] [--min-gap N]
//!                  [--cv F] [--outliers F] [--seed S]            > series.csv
//! changepoints detect FILE [--preset default|otava] [--window N] [--max-p F]
//!                          [--min-magnitude F] [--min-segment N]
//!                          [--outlier-threshold F|off] [--scan-correction true|false]
//!                          [--otava-compat true|false] [--repeat R]
//! ```
//!
//! `gen` writes `# planted=i,j,…`, a `value` header and one value per line.
//! `detect` reads that format (lines starting with `#` and non-numeric lines
//! are skipped), runs batch detection `--repeat` times, times appending the
//! last point to a detector holding the others, and prints one JSON object.

use std::process::ExitCode;
use std::time::Instant;

use perfwatch_stats::changepoint::generate::{generate, GenOptions};
use perfwatch_stats::changepoint::{detect, DetectOptions, Detector};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => run_gen(&args[1..]),
        Some("detect") => run_detect(&args[1..]),
        _ => {
            Err("usage: changepoints gen [options] | changepoints detect FILE [options]".to_owned())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("changepoints: {message}");
            ExitCode::from(2)
        }
    }
}

/// `--name value` pairs after the positional arguments.
struct Flags<'a>(&'a [String]);

impl Flags<'_> {
    fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.0.iter().position(|a| a == name) {
            None => Ok(default),
            Some(i) => {
                let raw = self.0.get(i + 1).ok_or(format!("{name} needs a value"))?;
                raw.parse()
                    .map_err(|_| format!("{name}: cannot parse {raw:?}"))
            }
        }
    }

    fn check_known(&self, known: &[&str]) -> Result<(), String> {
        let mut i = 0;
        while i < self.0.len() {
            if !known.contains(&self.0[i].as_str()) {
                return Err(format!("unknown argument {:?}", self.0[i]));
            }
            i += 2;
        }
        Ok(())
    }
}

fn run_gen(args: &[String]) -> Result<(), String> {
    let flags = Flags(args);
    flags.check_known(&[
        "--len",
        "--steps",
        "--step-min",
        "--step-max",
        "--min-gap",
        "--cv",
        "--outliers",
        "--seed",
    ])?;
    let d = GenOptions::default();
    let options = GenOptions {
        len: flags.get("--len", d.len)?,
        steps: flags.get("--steps", d.steps)?,
        step_min: flags.get("--step-min", d.step_min)?,
        step_max: flags.get("--step-max", d.step_max)?,
        min_gap: flags.get("--min-gap", d.min_gap)?,
        noise_cv: flags.get("--cv", d.noise_cv)?,
        outlier_rate: flags.get("--outliers", d.outlier_rate)?,
        seed: flags.get("--seed", d.seed)?,
        ..d
    };
    let generated = generate(&options).map_err(|e| e.to_string())?;
    let planted: Vec<String> = generated.steps.iter().map(usize::to_string).collect();
    let mut out = format!("# planted={}\nvalue\n", planted.join(","));
    for v in &generated.values {
        out.push_str(&format!("{v}\n"));
    }
    print!("{out}");
    Ok(())
}

fn run_detect(args: &[String]) -> Result<(), String> {
    let (path, rest) = args.split_first().ok_or("detect needs a FILE")?;
    let flags = Flags(rest);
    flags.check_known(&[
        "--preset",
        "--window",
        "--max-p",
        "--min-magnitude",
        "--min-segment",
        "--outlier-threshold",
        "--scan-correction",
        "--otava-compat",
        "--repeat",
    ])?;
    let d = match flags.get("--preset", "default".to_owned())?.as_str() {
        "default" => DetectOptions::default(),
        "otava" => DetectOptions::otava(),
        other => return Err(format!("--preset: unknown preset {other:?}")),
    };
    let outlier_threshold = match flags.get("--outlier-threshold", String::new())?.as_str() {
        "" => d.outlier_threshold,
        "off" => None,
        raw => Some(
            raw.parse()
                .map_err(|_| format!("--outlier-threshold: cannot parse {raw:?}"))?,
        ),
    };
    let options = DetectOptions {
        window: flags.get("--window", d.window)?,
        max_p_value: flags.get("--max-p", d.max_p_value)?,
        min_magnitude: flags.get("--min-magnitude", d.min_magnitude)?,
        min_segment: flags.get("--min-segment", d.min_segment)?,
        outlier_threshold,
        scan_correction: flags.get("--scan-correction", d.scan_correction)?,
        otava_compat: flags.get("--otava-compat", d.otava_compat)?,
    };
    let repeat: usize = flags.get("--repeat", 5)?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let series: Vec<f64> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim().parse().ok())
        .collect();

    let mut batch_s = Vec::new();
    let mut found = Vec::new();
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        found = detect(&series, &options).map_err(|e| format!("{path}: {e}"))?;
        batch_s.push(started.elapsed().as_secs_f64());
    }

    let (last, head) = series.split_last().ok_or(format!("{path}: no values"))?;
    let mut warm = Detector::new(options.clone()).map_err(|e| e.to_string())?;
    warm.extend(head).map_err(|e| e.to_string())?;
    let mut append_s = Vec::new();
    for _ in 0..repeat.max(1) {
        let mut detector = warm.clone();
        let started = Instant::now();
        detector.push(*last).map_err(|e| e.to_string())?;
        append_s.push(started.elapsed().as_secs_f64());
        let incremental = detector.change_points().map_err(|e| e.to_string())?;
        if incremental != found.as_slice() {
            return Err("incremental and batch results differ".to_owned());
        }
    }

    let points: Vec<String> = found
        .iter()
        .map(|c| {
            format!(
                "{{\"index\":{},\"mean_before\":{},\"mean_after\":{},\"median_before\":{},\"median_after\":{},\
                 \"change_pct\":{},\"p_value\":{},\"magnitude\":{}}}",
                c.index,
                c.mean_before,
                c.mean_after,
                c.median_before,
                c.median_after,
                c.change_pct,
                c.p_value,
                c.magnitude
            )
        })
        .collect();
    println!(
        "{{\"n\":{},\"change_points\":[{}],\"batch_median_s\":{},\"append_median_s\":{}}}",
        series.len(),
        points.join(","),
        median(&mut batch_s),
        median(&mut append_s)
    );
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        0.5 * (values[mid - 1] + values[mid])
    }
}
