//! # syncer-host
//!
//! The host behind the `syncer-host` binary: reads the config, finds backends in the plugin
//! registry (it links them but names none), and runs syncers into Hanzo IAM or the embedded
//! store. It is the only crate that knows about the CLI, config files, HTTP serving and storage.
//! The binary is [`main`]; the library exists so the workspace's tests can build the very same
//! program.

// Standard output goes through `stdout::say!`, which survives a closed pipe.
#![cfg_attr(not(test), deny(clippy::print_stdout))]

mod cli;
mod commands;
mod config;
mod connection;
mod failure;
mod history;
mod lock;
mod output;
mod progress;
mod quota;
mod revert;
mod runner;
mod serve;
mod state;
mod stdout;
mod store;
mod target;

// Backends register themselves through `inventory`; linking them is all the host does.
use syncer_dingtalk as _;
use syncer_lark as _;

use std::process::ExitCode;

use clap::Parser;

pub use failure::Failure;

/// The `syncer-host` program: parses the command line, runs the command, maps the outcome to
/// the exit codes of SPEC §4 (0 ok, 1 failed or partial, 2 usage or config error).
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8) {
    // Only our own crates get more verbose: third-party HTTP crates at debug level could print
    // request URLs, and a token request's URL carries the App Secret.
    let ours = [
        "syncer_core",
        "syncer_remote",
        "syncer_dingtalk",
        "syncer_lark",
        "syncer_host",
    ];
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let default = std::iter::once("warn".to_owned())
        .chain(ours.iter().map(|krate| format!("{krate}={level}")))
        .collect::<Vec<_>>()
        .join(",");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
