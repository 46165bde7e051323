//! Imports a hyperfine export or criterion results and prints what became
//! of them: `cargo run -p perfwatch-import --example import -- PATH`.

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: import PATH");
        std::process::exit(2);
    };
    match perfwatch_import::import_path(std::path::Path::new(&path)) {
        Ok((source, imported)) => {
            for one in imported {
                let s = &one.session;
                let median = {
                    let mut w: Vec<f64> = one.iterations.iter().map(|i| i.wall_s).collect();
                    w.sort_by(f64::total_cmp);
                    w.get(w.len() / 2).copied().unwrap_or(f64::NAN)
                };
                println!(
                    "{source}: {} [{}] started {} — {} variant(s), {} iteration(s), median {:.3e} s",
                    s.benchmark,
                    s.command.display(),
                    s.started_at,
                    s.variants.len(),
                    one.iterations.len(),
                    median
                );
            }
        }
        Err(e) => {
            eprintln!("error: failed to import: {e}");
            std::process::exit(1);
        }
    }
}
