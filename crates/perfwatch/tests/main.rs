//! The probe end to end. Each test runs a scenario in a fresh process (this
//! test binary again, see `harness`), so that every scenario starts with
//! the probe unset and reads its own environment, and then checks the span
//! file it wrote, parsed with `perfwatch_model`'s `SpanRecord`.

mod harness;

mod alloc;
mod asyncs;
mod disabled;
mod exit;
mod failure;
mod folding;
mod metrics;
mod nesting;
mod processes;
mod profile_attr;
mod threads;
#[cfg(feature = "tracing")]
mod tracing_layer;

#[global_allocator]
static ALLOC: perfwatch::CountingAlloc<std::alloc::System> =
    perfwatch::CountingAlloc::new(std::alloc::System);

/// Runs the scenario named by the harness in a child process; does nothing
/// in the test process itself.
#[test]
fn scenario_entry() {
    let Ok(name) = std::env::var(harness::SCENARIO_VAR) else {
        return;
    };
    match name.as_str() {
        "alloc" => alloc::scenario(),
        "async" => asyncs::scenario(),
        "disabled" => disabled::scenario(),
        "paused" => disabled::paused_scenario(),
        "levels" => disabled::levels_scenario(),
        "exit_implicit" => exit::implicit_scenario(),
        "exit_process" => exit::process_exit_scenario(),
        "unwritable" => failure::unwritable_scenario(),
        "full_disk" => failure::full_disk_scenario(),
        "folding" => folding::scenario(),
        "recursion" => folding::recursion_scenario(),
        "metrics" => metrics::scenario(),
        "nesting" => nesting::scenario(),
        "parent_env" => processes::parent_env_scenario(),
        "spawner" => processes::spawner_scenario(),
        "profile" => profile_attr::scenario(),
        "threads" => threads::scenario(),
        "many_threads" => threads::many_scenario(),
        #[cfg(feature = "tracing")]
        "tracing" => tracing_layer::scenario(),
        other => panic!("unknown scenario {other}"),
    }
}
