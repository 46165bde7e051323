//! Command-line arguments and their translation into a [`Config`].

use std::num::NonZeroUsize;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use perfwatch_demo_service::{Config, Handler, Init, Stall};

/// perfwatch's example service: a playlist API with planted performance
/// problems behind variants.
#[derive(Debug, Parser)]
#[command(name = "demo-service", version)]
pub(crate) struct Cli {
    /// Port to listen on, on 127.0.0.1 only (0: any free port).
    #[arg(long, env = "PORT")]
    port: u16,
    /// When to build the track catalogue: before listening, or on first use.
    #[arg(long, value_enum, default_value_t = InitArg::Eager)]
    init: InitArg,
    /// How requests wait for the downstream call.
    #[arg(long, value_enum, default_value_t = HandlerArg::Async)]
    handler: HandlerArg,
    /// Whether a cache sits in front of the playlist work.
    #[arg(long, value_enum, default_value_t = Switch::Off)]
    cache: Switch,
    /// Worker threads serving requests.
    #[arg(long, default_value = "2")]
    workers: NonZeroUsize,
    /// Stall the playlist endpoint periodically: in every EVERY seconds
    /// from start-up, requests arriving in the last FOR seconds wait until
    /// the period ends (e.g. 5:1). Off unless given.
    #[arg(long, value_name = "EVERY_S:FOR_S", value_parser = parse_stall)]
    stall: Option<Stall>,
}

/// `EVERY:FOR` in seconds (fractions allowed) with `0 < FOR < EVERY`.
fn parse_stall(text: &str) -> Result<Stall, String> {
    let (every, length) = text
        .split_once(':')
        .ok_or_else(|| format!("expected EVERY_S:FOR_S, got {text:?}"))?;
    let seconds = |part: &str| {
        part.trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| format!("{part:?} is not a number of seconds"))
    };
    Stall::new(seconds(every)?, seconds(length)?).ok_or_else(|| {
        format!("the stall must last more than 0 s and less than its period: {text:?}")
    })
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum InitArg {
    Eager,
    Lazy,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum HandlerArg {
    Async,
    Blocking,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Switch {
    On,
    Off,
}

impl Cli {
    /// The service's settings; clap already rejected invalid values.
    pub(crate) fn into_config(self) -> Config {
        Config {
            port: self.port,
            init: match self.init {
                InitArg::Eager => Init::Eager,
                InitArg::Lazy => Init::Lazy,
            },
            handler: match self.handler {
                HandlerArg::Async => Handler::Async,
                HandlerArg::Blocking => Handler::Blocking,
            },
            cache: matches!(self.cache, Switch::On),
            workers: self.workers,
            stall: self.stall,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_are_the_library_defaults() {
        let cli = Cli::try_parse_from(["demo-service", "--port", "8080"]).unwrap();
        assert_eq!(cli.into_config(), Config::new(8080));
    }

    #[test]
    fn every_flag_reaches_the_config() {
        let args = [
            "demo-service",
            "--port",
            "9",
            "--init",
            "lazy",
            "--handler",
            "blocking",
            "--cache",
            "on",
            "--workers",
            "1",
            "--stall",
            "5:0.5",
        ];
        let config = Cli::try_parse_from(args).unwrap().into_config();
        assert_eq!(config.init, Init::Lazy);
        assert_eq!(config.handler, Handler::Blocking);
        assert!(config.cache);
        assert_eq!(config.workers.get(), 1);
        let stall = config.stall.unwrap();
        assert_eq!(stall.every(), Duration::from_secs(5));
        assert_eq!(stall.length(), Duration::from_millis(500));
    }

    #[test]
    fn malformed_stalls_are_refused() {
        for stall in ["5", "5:", "a:1", "5:-1", "1:5", "5:5", "5:0", "inf:1"] {
            let args = ["demo-service", "--port", "9", "--stall", stall];
            assert!(Cli::try_parse_from(args).is_err(), "accepted {stall}");
        }
    }

    #[test]
    fn zero_workers_are_refused() {
        let args = ["demo-service", "--port", "9", "--workers", "0"];
        assert!(Cli::try_parse_from(args).is_err());
    }
}
