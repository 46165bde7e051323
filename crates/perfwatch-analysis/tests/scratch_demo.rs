use perfwatch_analysis::{diagnose, health, FindingOptions};
#[test]
fn scratch() {
    for path in ["/tmp/fw/clean.json", "/tmp/fw/clean2.json"] {
        eprintln!("{path}");
        let text = std::fs::read_to_string(path).unwrap();
        let export: perfwatch_model::SessionExport = serde_json::from_str(&text).unwrap();
        let fs = diagnose(&export, &FindingOptions::default());
        for f in &fs {
            eprintln!(
                "{:>7.4} s  {:.2}  [{}] {}  {:?}",
                f.impact_s,
                f.confidence,
                f.variant.as_deref().unwrap_or("-"),
                f.title,
                f.evidence
            );
        }
        let h = health(&export, &fs);
        eprintln!("{h:#?}");
    }
}
