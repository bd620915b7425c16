//! One module per subcommand; this one dispatches.

mod demo;
mod inspect;
mod sync;

pub use sync::runner;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::Failure;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Plugins { json } => inspect::plugins(json),
        Command::Check => inspect::check(&Config::load(&cli.config)?),
        Command::Test { name, json } => sync::test(&Config::load(&cli.config)?, &name, json).await,
        Command::Sync {
            name,
            dry_run,
            json,
            allow_mass_deprovision,
        } => {
            let config = Config::load(&cli.config)?;
            let flags = crate::runner::RunFlags {
                dry_run,
                allow_mass_deprovision,
            };
            sync::sync(&config, &name, flags, json).await
        }
        Command::Runs { name, json, limit } => {
            sync::runs(&Config::load(&cli.config)?, &name, json, limit).await
        }
        Command::Demo { db, users } => demo::demo(&db, users).await,
        Command::Serve { listen } => crate::serve::serve(Config::load(&cli.config)?, listen).await,
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| Failure::Run(format!("cannot encode JSON: {error}")))?;
    println!("{text}");
    Ok(())
}
